//! SCR010 `over-promise`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// An agent promises more than the shop can guarantee (绝对正品, 肯定能退款, 百分百有效 …).
pub static META: RuleMeta = RuleMeta {
    code: "SCR010",
    name: "over-promise",
    family: "script",
    severity: Severity::Medium,
    summary:
        "An agent promises more than the shop can guarantee (绝对正品, 肯定能退款, 百分百有效 …).",
    rationale:
        "QC vendors list 承诺夸大 as a violation; an unkept promise becomes a 违背承诺 complaint.",
    options: "Terms: `lexicons/script.lex`, section `[over_promise]`.",
    fires: "客服: 放心，肯定能退款的",
    quiet: "客服: 符合七天无理由的都可以申请退款哦",
    file: file!(),
};

/// One finding per over-promise in a shop message.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    super::hit_findings(
        ctx,
        &META,
        Category::OverPromise,
        "over-promise",
        |_, _| true,
        out,
    );
}
