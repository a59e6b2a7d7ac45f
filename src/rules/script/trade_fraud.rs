//! SCR012 `trade-fraud`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// A message offers or asks for trade fraud: 好评返现, 刷单, 私下转账, 晒单返现 ….
pub static META: RuleMeta = RuleMeta {
    code: "SCR012",
    name: "trade-fraud",
    family: "fraud",
    severity: Severity::High,
    summary: "A message offers or asks for trade fraud: 好评返现, 刷单, 私下转账, 晒单返现 ….",
    rationale: "Review inducement and brushing are hard violations and derived fraud signals for the tier rules.",
    options: "Terms: `lexicons/offplatform.lex`, section `[trade_fraud]`.",
    fires: "客服: 亲，给个五星好评返现5元哦",
    quiet: "客服: 亲，收到货满意的话可以给个好评哦 (an invitation, not a payment)",
    file: file!(),
};

/// One finding per trade fraud or review inducement in a shop message.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    super::hit_findings(
        ctx,
        &META,
        Category::TradeFraud,
        "trade fraud or review inducement",
        |_, _| true,
        out,
    );
}
