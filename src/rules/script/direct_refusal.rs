//! SCR002 `direct-refusal`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// A refusal (不行, 不可以, 不能 …) with no alternative offered.
pub static META: RuleMeta = RuleMeta {
    code: "SCR002",
    name: "direct-refusal",
    family: "script",
    severity: Severity::Low,
    summary: "An agent refuses (不行, 不可以, 不能, 没办法 …) and offers no alternative in that message or the next shop message.",
    rationale: "Service scripts require a refusal to come with a way forward (建议, 您可以, 帮您申请 …); a bare 不行 reads as 推诿 and is a soft violation in QC templates.",
    options: "`[direct_refusal] alternatives` in lexicons/rules.toml: words that count as a way forward (an alternative, a next step, an estimate), looked for outside the refusal's own words (不可以 does not offer 可以). Refusal terms: `lexicons/script.lex`, section `[refusal]` (questions such as 主机也不行吗 and 行不行 do not fire).",
    fires: "客服: 不行，这个改不了",
    quiet: "客服: 不行哦亲，不过可以帮您申请补发 / 客服: 不能保证哦，一般三天左右到",
    file: file!(),
};

/// Refusals whose message (outside the refusal's own words) and next shop
/// message offer no way forward. A refusal word inside a dismissive phrase
/// (小妹也办不到呢) is SCR001's finding, not a second one.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let messages = &ctx.session.messages;
    for (i, message) in messages.iter().enumerate() {
        if !ctx.is_shop(i) {
            continue;
        }
        let refusals: Vec<_> = super::distinct_hits(ctx, i, Category::Refusal)
            .into_iter()
            .filter(|h| {
                !ctx.hits_of(i, Category::Dismissive)
                    .any(|d| super::overlaps(d.span, h.span))
            })
            .collect();
        let Some(hit) = refusals.first() else {
            continue;
        };

        let own: Vec<_> = ctx.hits[i]
            .iter()
            .filter(|h| matches!(h.category, Category::Refusal | Category::Dismissive))
            .map(|h| h.span)
            .collect();
        let guarantee = ctx
            .opts
            .direct_refusal
            .guarantee_words
            .iter()
            .any(|w| ctx.term(hit).contains(w.as_str()));
        let how = super::Forward {
            estimates: guarantee,
            reasons: true,
            across_buyer: true,
        };
        if super::offers_way_forward(ctx, i, hit.span.byte_start, &own, how) {
            continue;
        }
        out.push(ctx.finding(
            &META,
            i,
            hit.span,
            format!(
                "refusal with no alternative offered: 「{}」",
                hit.span.slice(&message.text)
            ),
        ));
    }
}
