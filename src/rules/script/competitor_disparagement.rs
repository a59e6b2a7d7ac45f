//! SCR008 `competitor-disparagement`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// An agent names or disparages another platform or shop (京东的都是假货, 拼多多那种垃圾 …).
pub static META: RuleMeta = RuleMeta {
    code: "SCR008",
    name: "competitor-disparagement",
    family: "script",
    severity: Severity::Medium,
    summary: "An agent names or disparages another platform or shop (京东的都是假货, 拼多多那种垃圾 …).",
    rationale: "诋毁同行 and steering buyers to other platforms are listed 高危 terms (domain.md §2.4, §4.1); the advertising law also forbids disparaging competitors.",
    options: "Terms: `lexicons/script.lex`, section `[competitor]`.",
    fires: "客服: 别家的都是假货，只有我们是正品",
    quiet: "客服: 京东物流明天送到 (a carrier named as a service, allow-context)",
    file: file!(),
};

/// One finding per competitor named or disparaged in a shop message.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    ctx.lexicon_findings(&META, Category::Competitor, "competitor named or disparaged", out);
}
