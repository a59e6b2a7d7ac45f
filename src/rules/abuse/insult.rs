//! ABU001 `insult`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::Ctx;

/// Abuse aimed at a person in either direction: insults, expletives,
/// curses and slurs, through their evasions.
pub static META: RuleMeta = RuleMeta {
    code: "ABU001",
    name: "insult",
    family: "abuse",
    severity: Severity::High,
    summary: "Abuse in either direction: 辱骂 (傻逼, 废物 or 垃圾 aimed at a person, 你这骗子), 脏话 (我操, 他妈的, 操你妈), 诅咒 (去死, 不得好死), 歧视 (slurs), also when spelt in pinyin (shabi), homophones (沙比, 草泥马), letter abbreviations (sb, nmsl), emoji (草泥🐴) or with symbols inside (傻*逼).",
    rationale: "辱骂 via 阿里旺旺 is 骚扰他人 (情节严重) when the agent insults a buyer (−12, serious −48), and buyer insults are the shop's evidence in a complaint. A term counts only where it means abuse: aimed at a person, not at goods (发的什么垃圾 is a complaint about goods), and not a family possessive (帮我妈的订单).",
    options: "Terms, kinds, severities, aims, allow-contexts and abbreviations: lexicons/abuse_terms.txt, sections [insult], [expletive], [curse], [discrimination].",
    fires: "买家: 你是不是傻*逼，还不发货 / 客服: 你才沙比 / 买家: 垃圾客服，草泥🐴",
    quiet: "买家: 帮我妈的订单改个地址，垃圾袋发错了，发的什么垃圾",
    file: file!(),
};

/// Every hit, with its kind, severity, evasion and direction (evidence).
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    super::abuse_findings(ctx, &META, false, out);
}
