//! Stratified, seeded sampling of sessions for 抽检 (manual review).
//!
//! Each session's draw is `xxh3(session id, seed)`: a session is in the
//! sample when its draw is among the lowest of its stratum (its primary
//! agent). The sample is therefore a function of the seed and the ids
//! only — the same on every run, at any thread count, in any file order —
//! and a larger count extends a smaller one instead of reshuffling it.

use super::{Scan, SessionRecord};
use crate::finding::Severity;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many sessions to take from each agent.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Quota {
    /// This many per agent (all of them when an agent has fewer).
    PerAgent(usize),
    /// This share (0–1] of each agent's eligible sessions, rounded up, so
    /// every agent with an eligible session is reviewed at least once.
    Share(f64),
}

/// What to sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SampleSpec {
    /// Per-agent quota.
    pub quota: Quota,
    /// Only sessions with a finding at least this severe (default: every
    /// session, with or without findings, so misses can be found too).
    pub min_severity: Option<Severity>,
    /// Only sessions of this stage (`pre_sale`, `after_sale`, …).
    pub stage: Option<String>,
    /// The seed: the same seed gives the same sample.
    pub seed: u64,
}

/// One sampled session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sampled {
    /// Session id.
    pub session_id: String,
    /// The stratum: the session's primary agent.
    pub agent: String,
    /// Stage.
    pub stage: String,
    /// Findings of the session (all severities).
    pub findings: usize,
    /// The session's draw (lower is drawn first).
    pub draw: u64,
}

/// Parse `2%`, `0.5%` or `0.02` into a share in (0, 1].
pub fn parse_share(text: &str) -> Option<f64> {
    let t = text.trim();
    let share = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().ok()? / 100.0,
        None => t.parse::<f64>().ok()?,
    };
    (share > 0.0 && share <= 1.0).then_some(share)
}

/// Draw the sample: eligible sessions grouped by primary agent, each group
/// ordered by draw, the quota taken from the front. Returned by agent, then
/// draw.
pub fn draw(scan: &Scan, spec: &SampleSpec) -> Vec<Sampled> {
    let by_session = scan.findings_by_session();
    let mut strata: BTreeMap<&str, Vec<(&SessionRecord, u64, usize)>> = BTreeMap::new();
    for s in &scan.sessions {
        if spec.stage.as_deref().is_some_and(|st| st != s.stage_name()) {
            continue;
        }
        let findings = by_session.get(s.id.as_str()).map_or(&[][..], |v| &v[..]);
        if let Some(min) = spec.min_severity {
            if !findings.iter().any(|f| f.1.severity >= min) {
                continue;
            }
        }
        let draw = xxhash_rust::xxh3::xxh3_64_with_seed(s.id.as_bytes(), spec.seed);
        strata
            .entry(s.primary_agent())
            .or_default()
            .push((s, draw, findings.len()));
    }
    let mut out = Vec::new();
    for (agent, mut group) in strata {
        group.sort_by(|a, b| (a.1, &a.0.id).cmp(&(b.1, &b.0.id)));
        let take = match spec.quota {
            Quota::PerAgent(n) => n,
            Quota::Share(p) => (group.len() as f64 * p).ceil() as usize,
        };
        out.extend(
            group
                .into_iter()
                .take(take)
                .map(|(s, draw, findings)| Sampled {
                    session_id: s.id.clone(),
                    agent: agent.to_string(),
                    stage: s.stage_name().to_string(),
                    findings,
                    draw,
                }),
        );
    }
    out
}
