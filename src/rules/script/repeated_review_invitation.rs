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
    rationale: "多次邀评 is a QC item (晓多 template): repeated requests pressure the buyer and border on review inducement.",
    options: "`[review_invitation] max_per_session` in lexicons/rules.toml; terms in `lexicons/script.lex`, section `[review_invite]`.",
    fires: "客服: 记得给五星好评哦 … 客服: 亲，好评一下呗 / 客服: 给我一个评价哦，别忘了对我的服务做出评价哦 (two asks in one message)",
    quiet: "客服: 收到货满意的话给个好评哦 (once)",
    file: file!(),
};

/// Every message holding an ask beyond the allowed number. Asks are
/// counted by sentence: 给我一个评价哦，期待再次为您服务  别忘了对我的服务做出
/// 评价哦 in one message are two asks, 做个评价哦，在…点开里面的满意度 one.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut n = 0;
    for i in 0..ctx.session.messages.len() {
        if !ctx.is_shop(i) {
            continue;
        }
        let text = &ctx.session.messages[i].text;
        let mut previous_end = None;
        let mut flagged = false;
        let asks_in_fraud = &ctx.opts.review_invitation.fraud_asks;
        let mut hits = super::distinct_hits(ctx, i, Category::ReviewInvite);
        for h in super::distinct_hits(ctx, i, Category::TradeFraud) {
            let asks = asks_in_fraud
                .iter()
                .any(|w| ctx.term(h).contains(w.as_str()));
            if asks && !hits.iter().any(|k| super::overlaps(k.span, h.span)) {
                hits.push(h);
            }
        }
        hits.sort_by_key(|h| h.span.byte_start);
        for h in hits {
            let same_ask = previous_end.is_some_and(|end: usize| {
                !super::breaks_sentence(text.get(end..h.span.byte_start).unwrap_or(""))
            });
            previous_end = Some(h.span.byte_end);
            if same_ask {
                continue;
            }
            n += 1;
            if n > ctx.opts.review_invitation.max_per_session && !flagged {
                flagged = true;
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
