//! SCR003 `one-character-reply`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::rules::Ctx;

/// An agent reply that is only 嗯, 哦, 好 ….
pub static META: RuleMeta = RuleMeta {
    code: "SCR003",
    name: "one-character-reply",
    family: "script",
    severity: Severity::Low,
    summary: "An agent message is a single acknowledgement such as 嗯, 哦, 好 (punctuation and emoji aside).",
    rationale: "One-character replies read as cold and careless; service scripts ask for a full sentence (亲，好的，马上为您处理). QC templates count them as a soft 态度 violation.",
    options: "`[one_character_reply] chars` in lexicons/rules.toml.",
    fires: "客服: 嗯。",
    quiet: "客服: 嗯嗯亲，已经帮您备注好了",
    file: file!(),
};

/// Agent messages whose whole content is one listed acknowledgement.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (i, m) in ctx.session.messages.iter().enumerate() {
        if m.role != crate::model::Role::Agent || !matches!(m.kind, crate::model::MessageKind::Text)
        {
            continue;
        }
        let bare = &ctx.bare[i];
        if bare.is_empty() || !ctx.opts.one_character_reply.chars.contains(bare) {
            continue;
        }
        out.push(ctx.finding(
            &META,
            i,
            Span::whole(&m.text),
            format!("one-character reply 「{}」", m.text.trim()),
        ));
    }
}
