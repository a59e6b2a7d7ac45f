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
    rationale: "《广告法》第九条 bans absolute terms in promotion; Taobao QC lists them as 违禁词.",
    options: "Terms and their contexts (第一次, 第一盒 and names such as 第一车队 are quiet; 最 only in selling superlatives such as 最低, 最好): `lexicons/script.lex`, section `[absolute_claim]`.",
    fires: "客服: 我们家是全网最低价，质量第一",
    quiet: "客服: 最快明天发货哦 (最快 is an allow-context)",
    file: file!(),
};

/// One finding per absolute claim in a shop message; a claim word that is
/// part of a promise (绝对不会坏, 百分之百过两天有物流) is SCR010's finding.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    super::hit_findings(
        ctx,
        &META,
        Category::AbsoluteClaim,
        "absolute claim banned by the advertising law",
        |i, h| {
            !ctx.hits_of(i, Category::OverPromise)
                .any(|p| super::overlaps(p.span, h.span))
        },
        out,
    );
}
