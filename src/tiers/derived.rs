//! From scorecards to the derived inputs of the tier rules: one row per shop
//! and month, one per agent and month (the `YYYY-MM` cards of
//! [`crate::scores`]).

use super::decide::{AgentDerived, ShopDerived};
use super::{decide_agents, decide_shops, Complaint, ShopMetrics, TierPolicy, TierSummary};
use crate::finding::Severity;
use crate::scores::{Card, Scope, Scores};

fn is_month(period: &str) -> bool {
    period.len() == 7 && period.as_bytes()[4] == b'-'
}

fn clamp_u32(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Rule families whose findings are trade fraud signals (刷单, 好评返现 …).
pub const FRAUD_FAMILY: &str = "fraud";

fn fraud(card: &Card) -> u32 {
    clamp_u32(
        card.findings_by_family
            .get(FRAUD_FAMILY)
            .copied()
            .unwrap_or(0),
    )
}

/// Derived rows for every shop-month and agent-month card.
pub fn derive_inputs(scores: &Scores) -> (Vec<ShopDerived>, Vec<AgentDerived>) {
    let mut shops = Vec::new();
    let mut agents = Vec::new();
    for (key, card) in &scores.cards {
        if !is_month(&key.period) {
            continue;
        }
        let l = &card.latency;
        match key.scope {
            Scope::Shop => shops.push(ShopDerived {
                shop: key.name.clone(),
                month: key.period.clone(),
                rounds: l.rounds_assessed,
                three_min_rate: l.three_min_rate(),
                avg_response_secs: l.avg_response_secs(),
                agent_abuse_evidence: clamp_u32(card.abuse_evidence_by_agent),
                buyer_abuse_evidence: clamp_u32(card.abuse_evidence_by_buyer),
                fraud_findings: fraud(card),
                violations_per_100_sessions: card.violations_per_100(Severity::Medium),
                sessions: card.sessions,
            }),
            Scope::Agent => agents.push(AgentDerived {
                agent: key.name.clone(),
                shop: key.shop.clone(),
                month: key.period.clone(),
                sessions: card.sessions,
                rounds: l.rounds_assessed,
                three_min_rate: l.three_min_rate(),
                avg_response_secs: l.avg_response_secs(),
                violations_per_100_sessions: card.violations_per_100(Severity::Medium),
                abuse_evidence: clamp_u32(card.abuse_evidence_by_agent),
            }),
        }
    }
    (shops, agents)
}

/// Decide every shop tier and agent level from scores and external inputs.
pub fn decide_from_scores(
    policy: &TierPolicy,
    scores: &Scores,
    metrics: &[ShopMetrics],
    complaints: &[Complaint],
) -> TierSummary {
    let (shops, agents) = derive_inputs(scores);
    TierSummary::new(
        policy,
        decide_shops(policy, metrics, &shops, complaints),
        decide_agents(policy, &agents),
    )
}

/// The shop-months of `metrics` with no `YYYY-MM` shop card in `scores`
/// (the shop or month is not in the scan): their tiers are decided without
/// any chat metric, which `wwqa tier` warns about. Sorted, each once.
pub fn metrics_without_scores(scores: &Scores, metrics: &[ShopMetrics]) -> Vec<(String, String)> {
    let mut missing: Vec<(String, String)> = metrics
        .iter()
        .filter(|m| {
            !scores
                .cards
                .keys()
                .any(|k| k.scope == Scope::Shop && k.name == m.shop && k.period == m.month)
        })
        .map(|m| (m.shop.clone(), m.month.clone()))
        .collect();
    missing.sort();
    missing.dedup();
    missing
}

/// The warning for [`metrics_without_scores`], or `None` when every
/// shop-month of the metrics was scanned.
pub fn missing_scores_warning(scores: &Scores, metrics: &[ShopMetrics]) -> Option<String> {
    let missing = metrics_without_scores(scores, metrics);
    if missing.is_empty() {
        return None;
    }
    const SHOWN: usize = 5;
    let mut names: Vec<String> = missing
        .iter()
        .take(SHOWN)
        .map(|(shop, month)| format!("{shop} {month}"))
        .collect();
    if missing.len() > SHOWN {
        names.push(format!("and {} more", missing.len() - SHOWN));
    }
    Some(format!(
        "warning: {} of {} shop-months in the shop metrics have no sessions in the scan ({}): their tiers are decided without chat metrics (check the shop nicks and months)",
        missing.len(),
        metrics.len(),
        names.join(", ")
    ))
}
