//! SCR013 `payment-reminder-overuse`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::rules::options::in_window;
use crate::rules::Ctx;

/// 催付 sent too often, or in the small hours.
pub static META: RuleMeta = RuleMeta {
    code: "SCR013",
    name: "payment-reminder-overuse",
    family: "script",
    severity: Severity::Medium,
    summary: "The shop reminds a buyer to pay (催付: 还没付款, 记得付款 …) more often than allowed for one unpaid order, or during the quiet hours.",
    rationale: "The seed practice is one reminder per unpaid order at a decent hour (10 minutes after the order; morning orders before 12:00, afternoon ones before 17:00, evening ones before 10:00 next day). Repeated or late-night reminders are 骚扰.",
    options: "`[payment_reminder] phrases`, `negations` (先不要付款 is not a reminder), `max_per_order` (per session), `quiet_start`, `quiet_end` in lexicons/rules.toml.",
    fires: "客服 (09:00): 亲，还没付款哦 … 客服 (09:20): 亲，记得付款哦  /  客服 (23:40): 亲，记得付款哦",
    quiet: "客服 (10:15): 亲，您拍下的宝贝还没付款哦，有问题随时找我",
    file: file!(),
};

/// Reminders beyond the allowed count, and reminders in quiet hours.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.payment_reminder;
    let (quiet_start, quiet_end) = (ctx.opts.clocks[0], ctx.opts.clocks[1]);
    let mut count = 0;
    for (i, m) in ctx.session.messages.iter().enumerate() {
        if !ctx.is_shop(i) {
            continue;
        }
        // The earliest phrase (the smaller one when two start together).
        // Most messages hold no phrase: the shared phrase pass says so.
        if ctx.phrases[i] & crate::rules::phrase::PAYMENT == 0 {
            continue;
        }
        let Some((at, phrase)) = ctx.opts.payment_phrases.as_ref().and_then(|ac| {
            ac.find_overlapping_iter(m.text.as_str())
                .map(|f| (f.start(), &o.phrases[f.pattern().as_usize()]))
                .min()
        }) else {
            continue;
        };
        // 您先不要付款哦 / 暂时别付款 tells the buyer NOT to pay.
        let clause_start = m.text[..at]
            .rfind(|c: char| c.is_whitespace() || "，,。！!？?；;~～".contains(c))
            .map_or(0, |p| {
                p + m.text[p..].chars().next().map_or(1, char::len_utf8)
            });
        let before = &m.text[clause_start..at];
        if o.negations.iter().any(|n| before.contains(n.as_str()))
            || o.negations.iter().any(|n| phrase.starts_with(n.as_str()))
        {
            continue;
        }
        count += 1;
        let span = Span::from_bytes(&m.text, at, at + phrase.len());
        let night = m
            .time
            .is_some_and(|t| in_window(crate::model::seconds_of_day(t), quiet_start, quiet_end));
        if night {
            out.push(ctx.finding(
                &META,
                i,
                span,
                format!(
                    "payment reminder at {} (quiet hours)",
                    m.time.map(crate::model::format_time).unwrap_or_default()
                ),
            ));
        } else if count > o.max_per_order {
            out.push(ctx.finding(
                &META,
                i,
                span,
                format!(
                    "payment reminder #{count} for one order (allowed: {})",
                    o.max_per_order
                ),
            ));
        }
    }
}
