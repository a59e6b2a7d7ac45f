//! ABU003 `harassment-burst`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::model::Role;
use crate::rules::Ctx;

/// Many shop messages to a buyer who does not answer.
pub static META: RuleMeta = RuleMeta {
    code: "ABU003",
    name: "harassment-burst",
    family: "abuse",
    severity: Severity::High,
    summary: "The shop sends a buyer many messages in a short time with no buyer message in between.",
    rationale: "Frequent contact by 阿里旺旺 that disturbs the buyer is 骚扰他人 / 恶意骚扰 (domain.md §2.1: abnormal contact frequency).",
    options: "`[harassment] burst_messages`, `window_secs` in lexicons/rules.toml (automatic replies count: the buyer receives them all).",
    fires: "six shop messages within ten minutes and no buyer reply",
    quiet: "six shop messages within ten minutes answering six buyer questions",
    file: file!(),
};

/// Fires once per burst, on the message that reaches the count.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.harassment;
    let mut run: Vec<(usize, i64)> = Vec::new();
    let mut fired = false;
    for (i, m) in ctx.session.messages.iter().enumerate() {
        match m.role {
            Role::Buyer => {
                run.clear();
                fired = false;
            }
            Role::Agent | Role::Robot => {
                let Some(t) = m.time else { continue };
                run.push((i, t));
                run.retain(|&(_, s)| t - s <= o.window_secs);
                if run.len() >= o.burst_messages && !fired {
                    fired = true;
                    out.push(ctx.finding(
                        &META,
                        i,
                        Span::whole(&m.text),
                        format!(
                            "{} shop messages within {} s with no buyer reply",
                            run.len(),
                            o.window_secs
                        ),
                    ));
                }
            }
            Role::System => {}
        }
    }
}
