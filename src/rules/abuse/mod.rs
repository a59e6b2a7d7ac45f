//! Abuse detectors (`ABU` codes), in both directions, one per file.
//!
//! Lexicon and pattern hits are evidence; [`offensive_candidate`] (the
//! model alone) is a candidate for review, never evidence.

pub mod contact_after_stop_request;
pub mod harassment_burst;
pub mod insult;
pub mod night_contact;
pub mod offensive_candidate;
pub mod privacy_leak;
pub mod threat;

use crate::abuse::terms::Evasion;
use crate::finding::{Finding, RuleMeta};
use crate::model::Role;
use crate::rules::Ctx;

/// One finding per abuse-term hit that is (`threats`) or is not a threat.
fn abuse_findings(ctx: &Ctx<'_>, meta: &RuleMeta, threats: bool, out: &mut Vec<Finding>) {
    for (i, m) in ctx.session.messages.iter().enumerate() {
        for h in ctx.abuse[i]
            .iter()
            .filter(|h| h.kind.is_threat() == threats)
        {
            let how = match h.evasion {
                Evasion::None => String::new(),
                e => format!(", written as {}", e.as_str()),
            };
            let term = ctx
                .abuse_terms
                .terms()
                .get(h.term as usize)
                .map_or("", |t| t.term.as_str());
            out.push(ctx.finding(
                meta,
                i,
                h.span,
                format!(
                    "{} ({}, {}{how}), {}: 「{}」 (term {term})",
                    h.kind.label(),
                    h.kind.as_str(),
                    h.severity.as_str(),
                    direction(m.role),
                    h.span.slice(&m.text)
                ),
            ));
        }
    }
}

/// "agent → buyer" or "buyer → agent", for messages.
pub(crate) fn direction(role: Role) -> &'static str {
    match role {
        Role::Buyer => "buyer → shop",
        _ => "shop → buyer",
    }
}
