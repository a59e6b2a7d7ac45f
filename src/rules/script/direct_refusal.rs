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
    rationale: "Service scripts require a refusal to come with a way forward (建议, 您可以, 帮您申请 …); a bare 不行 reads as 推诿 and is a soft violation in QC templates (domain.md §3.2, §4.1).",
    options: "`[direct_refusal] alternatives` in lexicons/rules.toml: words that count as offering an alternative. Refusal terms: `lexicons/script.lex`, section `[refusal]` (word-boundary checked, so 行不行 does not fire).",
    fires: "客服: 不行，这个改不了",
    quiet: "客服: 不行哦亲，不过可以帮您申请补发",
    file: file!(),
};

/// Refusals whose message, and the next shop message, offer no alternative.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let messages = &ctx.session.messages;
    let offers = |text: &str| {
        ctx.opts
            .direct_refusal
            .alternatives
            .iter()
            .any(|a| text.contains(a.as_str()))
    };
    for i in 0..messages.len() {
        if !ctx.is_shop(i) {
            continue;
        }
        let Some(hit) = ctx.hits_of(i, Category::Refusal).next() else {
            continue;
        };
        let next_shop = (i + 1..messages.len())
            .take_while(|&j| ctx.is_shop(j) || messages[j].role == crate::model::Role::System)
            .find(|&j| ctx.is_shop(j));
        if offers(&messages[i].text) || next_shop.is_some_and(|j| offers(&messages[j].text)) {
            continue;
        }
        out.push(ctx.finding(
            &META,
            i,
            hit.span,
            format!(
                "refusal with no alternative offered: 「{}」",
                hit.span.slice(&messages[i].text)
            ),
        ));
    }
}
