//! Response latency as the platform defines it (wwqa issue 3).
//!
//! The unit is the round (对话轮次, 首问首答, domain.md §1.1): the first buyer
//! message with no pending reply opens it, the first valid reply (a human, or
//! a robot in assist mode) closes it. [`analyze_session`] cuts a session into
//! [`Round`]s ([`rounds`] documents every rule), computes its first response
//! and 答问比 counts, and runs the latency rules ([`rules`], LAT001–LAT005).
//! [`LatencyAgg`] sums sessions into per-agent, per-shop, per-day or
//! whole-period metrics and merges exactly.
//!
//! Every threshold comes from a [`LatencyPolicy`] (lexicons/latency_policy.toml);
//! its `name@version` tag is carried by every [`SessionLatency`] and
//! [`LatencyAgg`].
//!
//! A session with any message lacking a time (JDDC and other formats without
//! timestamps) is "not available": no round, first response or finding is
//! produced, because nothing may be invented. Its message counts, which need
//! no time, are still kept.

pub mod buyers;
pub mod metrics;
pub mod policy;
pub mod rounds;
pub mod rules;

#[cfg(test)]
mod testkit;
#[cfg(test)]
mod tests;

pub use metrics::{
    aggregate_all, aggregate_by_agent, aggregate_by_day, aggregate_by_shop, LatencyAgg, LatencyRow,
    PolicyMismatch,
};
pub use policy::{LatencyPolicy, PolicyError, PolicySet};
pub use rounds::{
    AccountMessages, Availability, FirstResponse, Round, RoundStatus, SessionLatency,
};

use crate::model::local_day;

/// Cut `session` into rounds, measure them under `policy` and run the
/// latency rules.
pub fn analyze_session(session: &crate::model::Session, policy: &LatencyPolicy) -> SessionLatency {
    let walk = rounds::walk(session, policy);
    let mut findings = Vec::new();
    let (availability, rounds) = match walk.rounds {
        Some(rounds) => {
            let ctx = rules::RuleContext {
                session,
                rounds: &rounds,
                automatic: &walk.automatic,
                policy,
            };
            rules::run_all(&ctx, &mut findings);
            (Availability::Available, rounds)
        }
        None => {
            let reason = if session.messages.is_empty() {
                "session has no messages".to_string()
            } else {
                let untimed = session.messages.iter().filter(|m| m.time.is_none()).count();
                format!(
                    "{untimed} of {} messages have no time; latency is not measured",
                    session.messages.len()
                )
            };
            (Availability::NotAvailable(reason), Vec::new())
        }
    };
    let day = match availability {
        Availability::Available => session.messages.iter().find_map(|m| m.time).map(local_day),
        Availability::NotAvailable(_) => None,
    };
    SessionLatency {
        session_id: session.id.clone(),
        shop: session.conversation.shop.clone(),
        buyer: session.conversation.buyer.clone(),
        day,
        policy: policy.tag(),
        availability,
        rounds,
        first_response: walk.first_response,
        buyer_messages: walk.buyer_messages,
        agent_messages: walk.agent_messages,
        auto_messages: walk.auto_messages,
        findings,
    }
}
