//! ABU001 `insult`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// An insult in either direction: 傻逼 and its evasions (傻*逼, s b, 傻B, 沙比, sb), nmsl, cnm, tmd, 滚, 废物 ….
pub static META: RuleMeta = RuleMeta {
    code: "ABU001",
    name: "insult",
    family: "abuse",
    severity: Severity::High,
    summary: "An insult in either direction: 傻逼 and its evasions (傻*逼, s b, 傻B, 沙比, sb), nmsl, cnm, tmd, 滚, 废物 ….",
    rationale: "辱骂 via 阿里旺旺 is 骚扰他人 (情节严重) when the agent insults a buyer (−12, serious −48; domain.md §2.1), and buyer insults are the shop's evidence in a complaint. Evasions (inserted symbols, repeated characters, homophones, pinyin initials) are folded by the normaliser.",
    options: "Terms, allow-contexts (滚筒, 傻傻分不清, 你妈妈 …) and word-boundary flags: lexicons/abuse.lex, section [insult].",
    fires: "客服: 你是不是傻*逼 / 买家: 滚你妈的",
    quiet: "客服: 这款滚筒洗衣机傻傻分不清的话看参数表哦",
    file: file!(),
};

/// Every hit, with its direction (evidence).
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (i, m) in ctx.session.messages.iter().enumerate() {
        for h in ctx.hits_of(i, Category::Insult) {
            out.push(ctx.finding(
                &META,
                i,
                h.span,
                format!(
                    "辱骂 (insult), {}: 「{}」",
                    super::direction(m.role),
                    h.span.slice(&m.text)
                ),
            ));
        }
    }
}
