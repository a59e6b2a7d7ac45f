//! SCR009 `absolute-claim`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// An agent makes an absolute claim the advertising law bans (最好, 第一, 全网最低, 100%, 绝对, 顶级, 国家级 …).
pub static META: RuleMeta = RuleMeta {
    code: "SCR009",
    name: "absolute-claim",
    family: "script",
    severity: Severity::Medium,
    summary: "An agent makes an absolute claim the advertising law bans (最好, 第一, 全网最低, 100%, 绝对, 顶级, 国家级 …).",
    rationale: "《广告法》第九条 bans absolute terms in promotion; Taobao QC lists them as 违禁词 (domain.md §4.1).",
    options: "Terms and allow-contexts (最近, 最快, 第一次 …): `lexicons/script.lex`, section `[absolute_claim]`.",
    fires: "客服: 我们家是全网最低价，质量第一",
    quiet: "客服: 最快明天发货哦 (最快 is an allow-context)",
    file: file!(),
};

/// One finding per absolute claim banned by the advertising law in a shop message.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    ctx.lexicon_findings(
        &META,
        Category::AbsoluteClaim,
        "absolute claim banned by the advertising law",
        out,
    );
}
