//! SCR006 `missing-closing`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// A served session that ends without a closing.
pub static META: RuleMeta = RuleMeta {
    code: "SCR006",
    name: "missing-closing",
    family: "script",
    severity: Severity::Low,
    summary: "A session with several agent messages ends without a closing (祝您生活愉快, 感谢您的支持, 再见 …) in its last shop messages.",
    rationale: "结束语不规范 is a standard QC item (晓多 template, −3 points).",
    options: "`[missing_closing] last_messages`, `min_agent_messages` in lexicons/rules.toml; closing terms in `lexicons/script.lex`, section `[closing]`.",
    fires: "… 客服: 已经发货了 (the session ends)",
    quiet: "… 客服: 已经发货了，感谢您的支持，祝您生活愉快",
    file: file!(),
};

/// Flags the last shop message when none of the last few closes.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.missing_closing;
    let agent = (0..ctx.session.messages.len())
        .filter(|&i| ctx.session.messages[i].role == crate::model::Role::Agent)
        .count();
    if agent < o.min_agent_messages.max(1) {
        return;
    }
    // The last few shop messages, newest first.
    let tail = (0..ctx.session.messages.len())
        .rev()
        .filter(|&i| ctx.is_shop(i))
        .take(o.last_messages.max(1));
    let mut last = None;
    for i in tail {
        if ctx.hits_of(i, Category::Closing).next().is_some() {
            return;
        }
        last.get_or_insert(i);
    }
    if let Some(i) = last {
        out.push(ctx.finding(
            &META,
            i,
            Span::whole(&ctx.session.messages[i].text),
            "the session ends without a closing".into(),
        ));
    }
}
