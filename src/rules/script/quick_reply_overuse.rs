//! SCR004 `quick-reply-overuse`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::lexicon::Category;
use crate::rules::Ctx;
use std::collections::HashMap;

/// The same canned text sent again and again in one session.
pub static META: RuleMeta = RuleMeta {
    code: "SCR004",
    name: "quick-reply-overuse",
    family: "script",
    severity: Severity::Low,
    summary: "An agent sends the same text (spaces and punctuation aside) at least N times in one session: a quick reply (快捷短语) used instead of answering.",
    rationale: "Repeating a canned phrase to a buyer who asks different questions is 机械回复; QC vendors flag repetition (domain.md §3.1, ADVANCED_REPEAT_DETECT). Greetings and closings are expected to repeat across sessions and are not counted.",
    options: "`[quick_reply_overuse] per_session`, `min_chars` in lexicons/rules.toml. (`per_day` is applied per account and day across a file's sessions by the scan.)",
    fires: "客服 sends 「亲，这个问题已经为您反馈了，请耐心等待」 three times in one session",
    quiet: "客服 sends 「您好，欢迎光临」 in every session (a greeting)",
    file: file!(),
};

/// The Nth repetition of the same text within the session.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.quick_reply_overuse;
    let mut seen: HashMap<(String, &str), usize> = HashMap::new();
    for (i, m) in ctx.session.messages.iter().enumerate() {
        if !ctx.is_agent_words(i) {
            continue;
        }
        let bare = super::bare(&m.text);
        let len = bare.chars().count();
        // A message that is mostly a greeting or closing is expected to repeat
        // (亲 alone in a long canned answer does not make it a greeting).
        let courtesy: usize = ctx.hits[i]
            .iter()
            .filter(|h| matches!(h.category, Category::Greeting | Category::Closing))
            .map(|h| h.span.char_end - h.span.char_start)
            .sum();
        if courtesy * 2 >= len || len < o.min_chars {
            continue;
        }
        let account = m.account.as_deref().unwrap_or("");
        let n = seen.entry((bare, account)).or_insert(0);
        *n += 1;
        if *n == o.per_session {
            out.push(ctx.finding(
                &META,
                i,
                Span::whole(&m.text),
                format!(
                    "the same reply sent {} times in this session",
                    o.per_session
                ),
            ));
        }
    }
}
