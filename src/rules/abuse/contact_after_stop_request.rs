//! ABU005 `contact-after-stop-request`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::lexicon::Category;
use crate::model::Role;
use crate::rules::Ctx;

/// The shop keeps writing after the buyer asked it to stop.
pub static META: RuleMeta = RuleMeta {
    code: "ABU005",
    name: "contact-after-stop-request",
    family: "abuse",
    severity: Severity::High,
    summary: "The shop sends more messages after the buyer asked it to stop (别发了, 不要再发, 别烦我 …) without the buyer writing again.",
    rationale: "Contact continued against the buyer's stated wish is the clearest form of 骚扰 (domain.md §2.1).",
    options: "Stop-request terms: `lexicons/abuse.lex`, section `[stop_request]`.",
    fires: "买家: 别再发了 / 客服: 亲，再考虑一下嘛",
    quiet: "买家: 别再发了 / 买家: 算了，我再问一下尺码 / 客服: 好的亲",
    file: file!(),
};

/// The first shop message after an unanswered stop request.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let mut stop_at: Option<usize> = None;
    for (i, m) in ctx.session.messages.iter().enumerate() {
        match m.role {
            Role::Buyer => {
                stop_at = ctx.hits_of(i, Category::StopRequest).next().map(|_| i);
            }
            Role::Agent | Role::Robot => {
                if let Some(s) = stop_at.take() {
                    let asked = &ctx.session.messages[s];
                    out.push(ctx.finding(
                        &META,
                        i,
                        Span::whole(&m.text),
                        format!(
                            "sent after the buyer asked to stop at {}: 「{}」",
                            asked.source.location(),
                            asked.text
                        ),
                    ));
                }
            }
            Role::System => {}
        }
    }
}
