//! ABU004 `night-contact`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::model::Role;
use crate::rules::options::in_window;
use crate::rules::Ctx;

/// The shop starts contact in the middle of the night.
pub static META: RuleMeta = RuleMeta {
    code: "ABU004",
    name: "night-contact",
    family: "abuse",
    severity: Severity::Medium,
    summary: "An agent writes to a buyer between 23:00 and 08:00 without the buyer having written recently (shop-initiated night contact).",
    rationale: "Repeated contact late at night or early in the morning is 骚扰他人, 情节严重 (domain.md §2.1). Answering a buyer who writes at night is service, not harassment, so replies within the grace period do not count.",
    options: "`[harassment] night_start`, `night_end`, `reply_grace_secs` in lexicons/rules.toml.",
    fires: "客服 (23:40), last buyer message two days earlier: 亲，还在考虑吗？",
    quiet: "买家 (23:38): 还有货吗 / 客服 (23:40): 有的亲",
    file: file!(),
};

/// Agent messages in the night window with no recent buyer message.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.harassment;
    let (start, end) = (ctx.opts.clocks[2], ctx.opts.clocks[3]);
    let mut last_buyer: Option<i64> = None;
    for (i, m) in ctx.session.messages.iter().enumerate() {
        let Some(t) = m.time else { continue };
        match m.role {
            Role::Buyer => last_buyer = Some(t),
            Role::Agent => {
                let recent = last_buyer.is_some_and(|b| t - b <= o.reply_grace_secs);
                if !recent && in_window(crate::model::seconds_of_day(t), start, end) {
                    out.push(ctx.finding(
                        &META,
                        i,
                        Span::whole(&m.text),
                        format!("shop-initiated contact at {}", crate::model::format_time(t)),
                    ));
                }
            }
            _ => {}
        }
    }
}
