//! The latency rules, one file each. Every rule reads the rounds already
//! cut by [`super::rounds`] and judges only assessed rounds (counted status,
//! inside the business window), so findings and metrics agree; LAT005 reads
//! agent messages directly.

use super::policy::LatencyPolicy;
use super::rounds::Round;
use crate::finding::{Finding, RuleMeta, Span};
use crate::model::Session;

pub mod long_wait_without_apology;
pub mod missed_follow_up;
pub mod slow_response;
pub mod three_minute_breach;
pub mod unanswered_round;

/// What a rule sees of one session.
#[derive(Debug, Clone, Copy)]
pub struct RuleContext<'a> {
    /// The session.
    pub session: &'a Session,
    /// Its rounds.
    pub rounds: &'a [Round],
    /// Per message: true for automatic shop messages.
    pub automatic: &'a [bool],
    /// The policy in force.
    pub policy: &'a LatencyPolicy,
}

/// Run every latency rule of the registry, appending findings in rule
/// order.
pub fn run_all(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for (_, check) in crate::rules::registry::round_rules() {
        check(ctx, out);
    }
}

/// A finding on the buyer message that opened `round`, quoting it whole and
/// naming the sub-account charged with the round (the buyer message itself
/// has no account).
fn on_round_open(
    meta: &RuleMeta,
    ctx: &RuleContext<'_>,
    round: &Round,
    message: String,
) -> Option<Finding> {
    let text = &ctx.session.messages.get(round.open_msg_index)?.text;
    let mut finding = Finding::new(
        meta,
        ctx.session,
        round.open_msg_index,
        Span::whole(text),
        message,
    );
    finding.account = Some(round.account.clone());
    Some(finding)
}

/// `125 s (2m05s)`: seconds first, for grep; minutes for people.
fn wait(secs: i64) -> String {
    format!("{secs} s ({}m{:02}s)", secs / 60, secs % 60)
}

/// The earliest of `words` in `text`: byte range of the match.
fn first_word(text: &str, words: &super::policy::WordList) -> Option<(usize, usize)> {
    words.first_in(text)
}
