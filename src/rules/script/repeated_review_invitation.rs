//! SCR007 `repeated-review-invitation`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// Asking for a good review again and again.
pub static META: RuleMeta = RuleMeta {
    code: "SCR007",
    name: "repeated-review-invitation",
    family: "script",
    severity: Severity::Low,
    summary: "The shop asks for a review (好评, 五星, 评价 …) more often than allowed in one session.",
    rationale: "多次邀评 is a QC item (晓多 template; domain.md §3.2): repeated requests pressure the buyer and border on review inducement.",
    options: "`[review_invitation] max_per_session` in lexicons/rules.toml; terms in `lexicons/script.lex`, section `[review_invite]`.",
    fires: "客服: 记得给五星好评哦 … 客服: 亲，好评一下呗",
    quiet: "客服: 收到货满意的话给个好评哦 (once)",
    file: file!(),
};

/// Every invitation beyond the allowed number.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut n = 0;
    for i in 0..ctx.session.messages.len() {
        if !ctx.is_shop(i) {
            continue;
        }
        if let Some(h) = ctx.hits_of(i, Category::ReviewInvite).next() {
            n += 1;
            if n > ctx.opts.review_invitation.max_per_session {
                out.push(ctx.finding(
                    &META,
                    i,
                    h.span,
                    format!("review invitation #{n} in this session"),
                ));
            }
        }
    }
}
