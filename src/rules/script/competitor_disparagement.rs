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
    rationale: "诋毁同行 and steering buyers to other platforms are listed 高危 terms; the advertising law also forbids disparaging competitors.",
    options: "Platform names: `lexicons/script.lex`, section `[competitor]`; `[competitor_disparagement] disparaging` in lexicons/rules.toml (a name fires only with one of these words in the same message).",
    fires: "客服: 别家的都是假货，只有我们是正品",
    quiet: "客服: 京东物流明天送到哦 (a name with no disparaging word)",
    file: file!(),
};

/// Competitor names in shop messages that also disparage.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let words = &ctx.opts.competitor_disparagement.disparaging;
    for (i, m) in ctx.session.messages.iter().enumerate() {
        // The rare competitor hit first, the word search only then.
        let mut hits = ctx.hits_of(i, Category::Competitor).peekable();
        if !ctx.is_shop(i)
            || hits.peek().is_none()
            || !words.iter().any(|w| m.text.contains(w.as_str()))
        {
            continue;
        }
        for h in hits {
            out.push(ctx.finding(
                &META,
                i,
                h.span,
                format!("competitor disparaged: 「{}」", h.span.slice(&m.text)),
            ));
        }
    }
}
