//! The decision engine: shop tiers and agent levels, each with every rule
//! that was checked and the values compared.
//!
//! # Shop decision, in order of precedence
//!
//! 1. **Disqualified**: a declared flag the policy lists (D评, SD,
//!    data_fraud), or derived fraud findings at or above the policy's count
//!    when it sets one.
//! 2. **NotRated**: the industry is on the policy's not-rated list.
//! 3. **Cancelled**: an upheld complaint of a cancelling type, dated in the
//!    month (with an evidence reference when the policy requires one). It
//!    replaces whatever tier the month would have had, which is kept in
//!    [`ShopDecision::computed_tier`].
//! 4. **None**: fails an eligibility gate (reviews, 新灯塔 score).
//! 5. **Black**: any black condition holds.
//! 6. **Gold**, else **Silver**: within the rank slots and every gate passes.
//! 7. **None** otherwise.
//!
//! # Ranking
//!
//! Peers are the shops of the same month, industry and scale band that pass
//! eligibility, are rated, and are not disqualified (cancelled shops stay
//! in, so a complaint against one shop never moves another's rank). They are
//! ranked by 满意度, highest first; **equal values share the better rank**
//! (competition ranking: 1, 2, 2, 4). Gold and silver go to ranks
//! `≤ ceil(peers × p / 100)` (at least one rank when `p > 0`); black's
//! bottom condition holds for ranks `> peers − ceil(peers × p / 100)`, so a
//! tie straddling a boundary is judged by its shared better rank.
//! `percentile` is `rank / peers × 100`, the share of peers at or above.
//!
//! # Numbers
//!
//! Every comparison uses [`Fixed`] (four decimals, exact): CSV values as
//! written, derived `f64` scores rounded half away from zero to four
//! decimals; `three_min_rate` is a fraction 0–1, converted to a percentage
//! first (so 0.899999 is 89.9999% and fails a 90% gate). A gate on a derived score **fails** when the score was not
//! measured (no derived row, or no rounds), because a tier must be earned
//! on evidence.

use super::fixed::Fixed;
use super::input::{Complaint, Platform, ShopMetrics};
use super::policy::{LevelThresholds, TierGates, TierPolicy};
use serde::Serialize;
use std::collections::BTreeMap;

/// Scores derived from a shop's transcripts for one month (filled by the
/// scan; see [`crate::scores`]).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopDerived {
    /// Shop nick.
    pub shop: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Conversation rounds (对话轮次).
    pub rounds: u64,
    /// Share of rounds answered by a human within 3 minutes, 0–1; `None`
    /// when no round was measurable.
    pub three_min_rate: Option<f64>,
    /// 平响 in seconds; `None` when not measurable.
    pub avg_response_secs: Option<f64>,
    /// Agent-side abuse evidence items (insults, threats, harassment).
    pub agent_abuse_evidence: u32,
    /// Buyer-side abuse evidence items (shown, never held against the shop).
    pub buyer_abuse_evidence: u32,
    /// Fraud findings (刷单, 好评返现 …).
    pub fraud_findings: u32,
    /// Script violations per 100 sessions.
    pub violations_per_100_sessions: f64,
    /// Sessions.
    pub sessions: u64,
}

/// Scores derived for one agent account in one shop and month.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentDerived {
    /// Agent account (`主账号:子账号`).
    pub agent: String,
    /// Shop nick.
    pub shop: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Sessions the agent served.
    pub sessions: u64,
    /// Rounds the agent was charged with.
    pub rounds: u64,
    /// Share of rounds answered within 3 minutes, 0–1; `None` if none.
    pub three_min_rate: Option<f64>,
    /// 平响 in seconds; `None` if none.
    pub avg_response_secs: Option<f64>,
    /// Script violations per 100 sessions.
    pub violations_per_100_sessions: f64,
    /// Abuse evidence items against the agent.
    pub abuse_evidence: u32,
}

/// The outcome for one shop and month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 金牌: industry-leading.
    Gold,
    /// 银牌: upper tier.
    Silver,
    /// 黑牌: negative example.
    Black,
    /// Assessed or eligible for nothing this month.
    None,
    /// The industry is not rated.
    NotRated,
    /// The month's tier was cancelled by an upheld complaint.
    Cancelled,
    /// Dishonest behaviour: disqualified and flagged.
    Disqualified,
}

impl Tier {
    /// Machine name (as serialized).
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Gold => "gold",
            Tier::Silver => "silver",
            Tier::Black => "black",
            Tier::None => "none",
            Tier::NotRated => "not_rated",
            Tier::Cancelled => "cancelled",
            Tier::Disqualified => "disqualified",
        }
    }

    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Tier::Gold => "金牌",
            Tier::Silver => "银牌",
            Tier::Black => "黑牌",
            Tier::None => "无",
            Tier::NotRated => "不参评",
            Tier::Cancelled => "已取消",
            Tier::Disqualified => "取消资格",
        }
    }
}

/// An agent's level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum AgentLevel {
    /// 新手: the floor.
    #[serde(rename = "新手")]
    Novice,
    /// 初级.
    #[serde(rename = "初级")]
    Junior,
    /// 中级.
    #[serde(rename = "中级")]
    Intermediate,
    /// 高级.
    #[serde(rename = "高级")]
    Senior,
}

impl AgentLevel {
    /// Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            AgentLevel::Novice => "新手",
            AgentLevel::Junior => "初级",
            AgentLevel::Intermediate => "中级",
            AgentLevel::Senior => "高级",
        }
    }
}

/// One rule applied to one shop or agent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// Policy key of the rule, e.g. `eligibility.min_reviews`.
    pub rule: String,
    /// True when the rule is in the subject's favour (a gate met, a black
    /// condition not triggered).
    pub passed: bool,
    /// The value found.
    pub actual: String,
    /// What the rule requires.
    pub expected: String,
    /// Why, when the comparison alone does not say it.
    pub note: String,
}

impl Check {
    fn new(rule: &str, passed: bool, actual: String, expected: String) -> Check {
        Check {
            rule: rule.to_string(),
            passed,
            actual,
            expected,
            note: String::new(),
        }
    }

    fn with_note(mut self, note: impl Into<String>) -> Check {
        self.note = note.into();
        self
    }
}

/// A shop's place in its peer group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PeerRank {
    /// Competition rank by 满意度 (1 is best; ties share the better rank).
    pub rank: u32,
    /// Shops in the peer group.
    pub peers: u32,
    /// `rank / peers × 100`.
    pub percentile: super::fixed::Fixed,
}

/// The tier decision for one shop and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ShopDecision {
    /// Shop nick.
    pub shop: String,
    /// `YYYY-MM`.
    pub month: String,
    /// Platform.
    pub platform: Platform,
    /// Industry.
    pub industry: String,
    /// Scale band.
    pub scale_band: String,
    /// The outcome.
    pub tier: Tier,
    /// The tier before a cancellation (equals `tier` otherwise).
    pub computed_tier: Tier,
    /// The rule that settled the outcome.
    pub decided_by: String,
    /// Declared flags, derived fraud signals beside them, and cancelling
    /// complaints, e.g. `declared:D评`, `derived:fraud_findings=2`.
    pub flags: Vec<String>,
    /// Place in the peer group, when the shop was ranked.
    pub rank: Option<PeerRank>,
    /// Every rule checked, in policy order.
    pub checks: Vec<Check>,
    /// `path:line` of the metrics row.
    pub source: String,
    /// Policy name and version the decision was made under.
    pub policy: String,
}

/// The level decision for one agent, shop and month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentDecision {
    /// Agent account.
    pub agent: String,
    /// Shop nick.
    pub shop: String,
    /// `YYYY-MM`.
    pub month: String,
    /// The level.
    pub level: AgentLevel,
    /// Every threshold of every level, lowest level first.
    pub checks: Vec<Check>,
    /// Policy name and version.
    pub policy: String,
}

fn percent_text(value: Fixed) -> String {
    format!("{value}%")
}

/// A derived rate (fraction) as an exact percentage, if measurable.
fn rate_percent(rate: Option<f64>) -> Option<Fixed> {
    rate.and_then(|r| Fixed::from_f64_rounded(r * 100.0))
}

fn at_least(rule: &str, actual: Option<Fixed>, min: Fixed, unit: &str, context: &str) -> Check {
    match actual {
        Some(value) => Check::new(
            rule,
            value >= min,
            format!("{value}{unit}{context}"),
            format!("≥ {min}{unit}"),
        ),
        None => Check::new(
            rule,
            false,
            "not measured".to_string(),
            format!("≥ {min}{unit}"),
        )
        .with_note("no derived score for this month; a gate on it cannot pass"),
    }
}

fn at_most(rule: &str, actual: Option<Fixed>, max: Fixed, unit: &str) -> Check {
    match actual {
        Some(value) => Check::new(
            rule,
            value <= max,
            format!("{value}{unit}"),
            format!("≤ {max}{unit}"),
        ),
        None => Check::new(
            rule,
            false,
            "not measured".to_string(),
            format!("≤ {max}{unit}"),
        )
        .with_note("no derived score for this month; a gate on it cannot pass"),
    }
}

fn count_at_most(rule: &str, actual: Option<u32>, max: u32) -> Check {
    match actual {
        Some(value) => Check::new(rule, value <= max, value.to_string(), format!("≤ {max}")),
        None => Check::new(rule, false, "not measured".to_string(), format!("≤ {max}"))
            .with_note("no derived score for this month; a gate on it cannot pass"),
    }
}

/// Derived values of one shop-month as exact numbers.
struct Measured {
    three_min_rate: Option<Fixed>,
    rounds_context: String,
    avg_response_secs: Option<Fixed>,
    agent_abuse: Option<u32>,
    violations: Option<Fixed>,
    fraud: Option<u32>,
}

impl Measured {
    fn of(derived: Option<&ShopDerived>) -> Measured {
        match derived {
            Some(d) => Measured {
                three_min_rate: rate_percent(d.three_min_rate),
                rounds_context: format!(" of {} rounds", d.rounds),
                avg_response_secs: d.avg_response_secs.and_then(Fixed::from_f64_rounded),
                agent_abuse: Some(d.agent_abuse_evidence),
                violations: Fixed::from_f64_rounded(d.violations_per_100_sessions),
                fraud: Some(d.fraud_findings),
            },
            None => Measured {
                three_min_rate: None,
                rounds_context: String::new(),
                avg_response_secs: None,
                agent_abuse: None,
                violations: None,
                fraud: None,
            },
        }
    }
}

/// Rank slots for a percentage of a peer group: `ceil(peers × p / 100)`,
/// at least one when `p > 0`.
fn slots(peers: u32, percent: Fixed) -> u32 {
    if percent <= Fixed::ZERO {
        return 0;
    }
    let scaled = i128::from(peers) * i128::from(percent.raw());
    let denominator = i128::from(Fixed::from_int(100).raw());
    let ceil = (scaled + denominator - 1) / denominator;
    u32::try_from(ceil).unwrap_or(peers).clamp(1, peers.max(1))
}

/// Decide the tier of every shop-month in `metrics`.
///
/// `derived` and `complaints` are matched to metrics rows by shop (and
/// month); rows without metrics are ignored. `derived` should hold at most
/// one row per (shop, month); beyond the first in input order, extra rows
/// are ignored and flagged `derived:duplicate_rows=N`. The
/// result is sorted by (month, shop) and, duplicates aside, is the same for
/// any input order.
pub fn decide_shops(
    policy: &TierPolicy,
    metrics: &[ShopMetrics],
    derived: &[ShopDerived],
    complaints: &[Complaint],
) -> Vec<ShopDecision> {
    let mut derived_by_key: BTreeMap<(&str, &str), (&ShopDerived, usize)> = BTreeMap::new();
    for d in derived {
        derived_by_key
            .entry((d.shop.as_str(), d.month.as_str()))
            .and_modify(|(_, extra)| *extra += 1)
            .or_insert((d, 0));
    }
    // Complaints indexed once, so the cost is linear in shops + complaints.
    let mut complaints_by_key: BTreeMap<(&str, &str), Vec<&Complaint>> = BTreeMap::new();
    for c in complaints {
        complaints_by_key
            .entry((c.shop.as_str(), c.month()))
            .or_default()
            .push(c);
    }
    for list in complaints_by_key.values_mut() {
        list.sort_by(|a, b| (&a.date, &a.source).cmp(&(&b.date, &b.source)));
    }
    let mut rows: Vec<&ShopMetrics> = metrics.iter().collect();
    rows.sort_by(|a, b| (&a.month, &a.shop, &a.source).cmp(&(&b.month, &b.shop, &b.source)));

    // First pass: everything that does not depend on peers.
    let mut drafts: Vec<Draft> = rows
        .iter()
        .map(|m| {
            let derived = derived_by_key
                .get(&(m.shop.as_str(), m.month.as_str()))
                .copied();
            let complaints = complaints_by_key
                .get(&(m.shop.as_str(), m.month.as_str()))
                .map_or(&[][..], Vec::as_slice);
            Draft::new(policy, m, derived, complaints)
        })
        .collect();

    // Peer groups in a BTreeMap so iteration order is fixed.
    let mut groups: BTreeMap<(String, String, String), Vec<usize>> = BTreeMap::new();
    for (index, draft) in drafts.iter().enumerate() {
        if draft.rankable() {
            let m = draft.metrics;
            groups
                .entry((m.month.clone(), m.industry.clone(), m.scale_band.clone()))
                .or_default()
                .push(index);
        }
    }
    for members in groups.values() {
        let mut satisfactions: Vec<Fixed> = members
            .iter()
            .map(|&i| drafts[i].metrics.satisfaction)
            .collect();
        satisfactions.sort_unstable_by(|a, b| b.cmp(a));
        let peers = u32::try_from(members.len()).unwrap_or(u32::MAX);
        for &index in members {
            let value = drafts[index].metrics.satisfaction;
            // Competition rank: one more than the number of strictly better peers.
            let better = satisfactions.partition_point(|s| *s > value);
            let rank = u32::try_from(better + 1).unwrap_or(u32::MAX);
            let percentile = Fixed::from_raw(
                (i64::from(rank) * Fixed::from_int(100).raw() * 2 + i64::from(peers))
                    / (2 * i64::from(peers.max(1))),
            );
            drafts[index].rank = Some(PeerRank {
                rank,
                peers,
                percentile,
            });
        }
    }

    drafts.into_iter().map(|d| d.finish(policy)).collect()
}

/// A shop-month between the two passes.
struct Draft<'a> {
    metrics: &'a ShopMetrics,
    measured: Measured,
    checks: Vec<Check>,
    flags: Vec<String>,
    disqualified_by: Option<String>,
    not_rated: bool,
    cancelled: bool,
    ineligible_by: Option<String>,
    rank: Option<PeerRank>,
}

impl<'a> Draft<'a> {
    fn new(
        policy: &TierPolicy,
        m: &'a ShopMetrics,
        derived: Option<(&ShopDerived, usize)>,
        complaints: &[&Complaint],
    ) -> Draft<'a> {
        let measured = Measured::of(derived.map(|(d, _)| d));
        let mut draft = Draft {
            metrics: m,
            measured,
            checks: Vec::new(),
            flags: Vec::new(),
            disqualified_by: None,
            not_rated: false,
            cancelled: false,
            ineligible_by: None,
            rank: None,
        };
        if let Some((_, extra)) = derived.filter(|(_, extra)| *extra > 0) {
            draft
                .flags
                .push(format!("derived:duplicate_rows={extra} (first used)"));
        }
        draft.disqualification(policy, derived.map(|(d, _)| d));
        draft.industry(policy);
        draft.cancellation(policy, complaints);
        draft.eligibility(policy);
        draft
    }

    fn disqualification(&mut self, policy: &TierPolicy, derived: Option<&ShopDerived>) {
        let m = self.metrics;
        for flag in &m.flags {
            self.flags.push(format!("declared:{}", flag.as_str()));
        }
        let hits: Vec<&str> = m
            .flags
            .iter()
            .filter(|f| policy.disqualification.flags.contains(f))
            .map(|f| f.as_str())
            .collect();
        let listed: Vec<&str> = policy
            .disqualification
            .flags
            .iter()
            .map(|f| f.as_str())
            .collect();
        let check = Check::new(
            "disqualification.flags",
            hits.is_empty(),
            if hits.is_empty() {
                "none declared".to_string()
            } else {
                hits.join(", ")
            },
            format!("none of {}", listed.join(", ")),
        );
        if !check.passed {
            self.disqualified_by = Some(check.rule.clone());
        }
        self.checks.push(check);

        let fraud = derived.map(|d| d.fraud_findings);
        if let Some(count) = fraud.filter(|c| *c > 0) {
            self.flags.push(format!("derived:fraud_findings={count}"));
        }
        if let Some(buyer) = derived.map(|d| d.buyer_abuse_evidence).filter(|c| *c > 0) {
            self.flags
                .push(format!("derived:buyer_abuse_evidence={buyer}"));
        }
        if let Some(limit) = policy.disqualification.derived_fraud_findings_at_least {
            let check = match fraud {
                Some(count) => Check::new(
                    "disqualification.derived_fraud_findings_at_least",
                    count < limit,
                    count.to_string(),
                    format!("< {limit}"),
                ),
                None => Check::new(
                    "disqualification.derived_fraud_findings_at_least",
                    true,
                    "not measured".to_string(),
                    format!("< {limit}"),
                )
                .with_note("no derived scores; only declared flags can disqualify"),
            };
            if !check.passed && self.disqualified_by.is_none() {
                self.disqualified_by = Some(check.rule.clone());
            }
            self.checks.push(check);
        }
    }

    fn industry(&mut self, policy: &TierPolicy) {
        let industry = &self.metrics.industry;
        self.not_rated = policy.eligibility.not_rated_industries.contains(industry);
        self.checks.push(
            Check::new(
                "eligibility.not_rated_industries",
                !self.not_rated,
                industry.clone(),
                format!(
                    "not one of {}",
                    policy.eligibility.not_rated_industries.join(", ")
                ),
            )
            .with_note(if self.not_rated {
                "project policy: this industry is not rated"
            } else {
                ""
            }),
        );
    }

    /// `complaints` are this shop's, dated in this month, in date order.
    fn cancellation(&mut self, policy: &TierPolicy, complaints: &[&Complaint]) {
        let m = self.metrics;
        let mut cancelling = Vec::new();
        let mut ignored = Vec::new();
        for c in complaints {
            let at = format!("{} {} ({})", c.complaint_type, c.date, c.source);
            if !policy
                .cancellation
                .complaint_types
                .contains(&c.complaint_type)
            {
                ignored.push(format!("{at}: type does not cancel"));
            } else if !c.upheld {
                ignored.push(format!("{at}: not upheld"));
            } else if policy.cancellation.require_evidence && c.evidence.is_empty() {
                ignored.push(format!("{at}: no evidence reference"));
            } else {
                self.flags
                    .push(format!("complaint:{} {}", c.complaint_type, c.date));
                cancelling.push(at);
            }
        }
        self.cancelled = !cancelling.is_empty();
        let actual = if cancelling.is_empty() {
            "none".to_string()
        } else {
            cancelling.join("; ")
        };
        self.checks.push(
            Check::new(
                "cancellation.complaint_types",
                !self.cancelled,
                actual,
                format!(
                    "no upheld {} complaint in {}",
                    policy.cancellation.complaint_types.join("/"),
                    m.month
                ),
            )
            .with_note(ignored.join("; ")),
        );
    }

    fn eligibility(&mut self, policy: &TierPolicy) {
        let m = self.metrics;
        let min_reviews = policy.eligibility.min_reviews;
        let reviews = Check::new(
            "eligibility.min_reviews",
            m.reviews >= min_reviews,
            m.reviews.to_string(),
            format!("≥ {min_reviews}"),
        );
        let (rule, min_score) = match m.platform {
            Platform::Taobao => (
                "eligibility.min_score_taobao",
                policy.eligibility.min_score_taobao,
            ),
            Platform::Tmall => (
                "eligibility.min_score_tmall",
                policy.eligibility.min_score_tmall,
            ),
        };
        let score = Check::new(
            rule,
            m.score >= min_score,
            m.score.to_string(),
            format!("≥ {min_score}"),
        )
        .with_note(format!(
            "新灯塔综合服务分, {} threshold",
            m.platform.label()
        ));
        for check in [reviews, score] {
            if !check.passed && self.ineligible_by.is_none() {
                self.ineligible_by = Some(check.rule.clone());
            }
            self.checks.push(check);
        }
    }

    fn rankable(&self) -> bool {
        self.disqualified_by.is_none() && !self.not_rated && self.ineligible_by.is_none()
    }

    fn gates(&self, table: &str, gates: &TierGates) -> Vec<Check> {
        let key = |name: &str| format!("{table}.{name}");
        let m = &self.measured;
        let mut checks = vec![Check::new(
            &key("min_satisfaction"),
            self.metrics.satisfaction >= gates.min_satisfaction,
            percent_text(self.metrics.satisfaction),
            format!("≥ {}", percent_text(gates.min_satisfaction)),
        )];
        if let Some(min) = gates.min_three_min_rate {
            checks.push(at_least(
                &key("min_three_min_rate"),
                m.three_min_rate,
                min,
                "%",
                &m.rounds_context,
            ));
        }
        if let Some(max) = gates.max_avg_response_secs {
            checks.push(at_most(
                &key("max_avg_response_secs"),
                m.avg_response_secs,
                max,
                " s",
            ));
        }
        if let Some(max) = gates.max_agent_abuse_evidence {
            checks.push(count_at_most(
                &key("max_agent_abuse_evidence"),
                m.agent_abuse,
                max,
            ));
        }
        if let Some(max) = gates.max_violations_per_100_sessions {
            checks.push(at_most(
                &key("max_violations_per_100_sessions"),
                m.violations,
                max,
                "",
            ));
        }
        if let Some(max) = gates.max_fraud_findings {
            checks.push(count_at_most(&key("max_fraud_findings"), m.fraud, max));
        }
        checks
    }

    fn rank_check(&self, rule: &str, percent: Fixed) -> Check {
        let expected = format!("rank in the top {percent}% (ceil, at least one)");
        match &self.rank {
            Some(r) => {
                let within = slots(r.peers, percent);
                Check::new(
                    rule,
                    r.rank <= within,
                    format!("rank {} of {} (top {}%)", r.rank, r.peers, r.percentile),
                    expected,
                )
                .with_note(format!("ranks ≤ {within} qualify"))
            }
            None => Check::new(rule, false, "not ranked".to_string(), expected),
        }
    }

    /// Black conditions; returns the first that holds.
    fn black(&mut self, policy: &TierPolicy) -> Option<String> {
        let b = &policy.black;
        let m = &self.measured;
        let mut checks = Vec::new();
        if let Some(limit) = b.satisfaction_below {
            let s = self.metrics.satisfaction;
            checks.push(Check::new(
                "black.satisfaction_below",
                s >= limit,
                percent_text(s),
                format!("≥ {}", percent_text(limit)),
            ));
        }
        if let Some(percent) = b.bottom_percent {
            let expected = format!(
                "not in the bottom {percent}% of a peer group ≥ {}",
                policy.ranking.min_peers
            );
            checks.push(match &self.rank {
                Some(r) if r.peers >= policy.ranking.min_peers => {
                    let cutoff = r.peers - slots(r.peers, percent).min(r.peers);
                    Check::new(
                        "black.bottom_percent",
                        r.rank <= cutoff,
                        format!("rank {} of {}", r.rank, r.peers),
                        expected,
                    )
                    .with_note(format!("ranks > {cutoff} are in the bottom"))
                }
                Some(r) => Check::new(
                    "black.bottom_percent",
                    true,
                    format!("rank {} of {}", r.rank, r.peers),
                    expected,
                )
                .with_note("peer group too small to judge"),
                None => Check::new(
                    "black.bottom_percent",
                    true,
                    "not ranked".to_string(),
                    expected,
                ),
            });
        }
        // Black needs evidence too: an unmeasured score triggers nothing.
        if let Some(limit) = b.three_min_rate_below {
            let expected = format!("≥ {}", percent_text(limit));
            checks.push(match m.three_min_rate {
                Some(rate) => Check::new(
                    "black.three_min_rate_below",
                    rate >= limit,
                    format!("{}{}", percent_text(rate), m.rounds_context),
                    expected,
                ),
                None => Check::new(
                    "black.three_min_rate_below",
                    true,
                    "not measured".to_string(),
                    expected,
                ),
            });
        }
        if let Some(limit) = b.agent_abuse_evidence_at_least {
            let expected = format!("< {limit}");
            checks.push(match m.agent_abuse {
                Some(n) => Check::new(
                    "black.agent_abuse_evidence_at_least",
                    n < limit,
                    n.to_string(),
                    expected,
                ),
                None => Check::new(
                    "black.agent_abuse_evidence_at_least",
                    true,
                    "not measured".to_string(),
                    expected,
                ),
            });
        }
        if let Some(limit) = b.violations_per_100_sessions_above {
            let expected = format!("≤ {limit}");
            checks.push(match m.violations {
                Some(v) => Check::new(
                    "black.violations_per_100_sessions_above",
                    v <= limit,
                    v.to_string(),
                    expected,
                ),
                None => Check::new(
                    "black.violations_per_100_sessions_above",
                    true,
                    "not measured".to_string(),
                    expected,
                ),
            });
        }
        let first = checks.iter().find(|c| !c.passed).map(|c| c.rule.clone());
        self.checks.extend(checks);
        first
    }

    fn finish(mut self, policy: &TierPolicy) -> ShopDecision {
        let eligible = self.rankable();
        let mut computed = (Tier::None, String::new());
        if eligible {
            let r = &policy.ranking;
            let group = match &self.rank {
                Some(rank) => Check::new(
                    "ranking.min_peers",
                    rank.peers >= r.min_peers,
                    format!(
                        "{} peers in {} / {} / {}",
                        rank.peers,
                        self.metrics.month,
                        self.metrics.industry,
                        self.metrics.scale_band
                    ),
                    format!("≥ {}", r.min_peers),
                ),
                None => Check::new(
                    "ranking.min_peers",
                    false,
                    "not ranked".to_string(),
                    format!("≥ {}", r.min_peers),
                ),
            };
            let black = self.black(policy);
            let gold_rank = self.rank_check("ranking.gold_top_percent", r.gold_top_percent);
            let gold_gates = self.gates("gold", &policy.gold);
            let silver_rank = self.rank_check("ranking.silver_top_percent", r.silver_top_percent);
            let silver_gates = self.gates("silver", &policy.silver);
            // A rank means nothing in too small a group, so it is checked first.
            let first_failed = |rank: &Check, gates: &[Check]| {
                [&group, rank]
                    .into_iter()
                    .chain(gates)
                    .find(|c| !c.passed)
                    .map(|c| c.rule.clone())
            };
            let gold_failed = first_failed(&gold_rank, &gold_gates);
            let silver_failed = first_failed(&silver_rank, &silver_gates);
            self.checks.push(group);
            computed = match (black, gold_failed, silver_failed) {
                (Some(rule), _, _) => (Tier::Black, rule),
                (None, None, _) => (Tier::Gold, "ranking.gold_top_percent".to_string()),
                (None, Some(_), None) => (Tier::Silver, "ranking.silver_top_percent".to_string()),
                (None, Some(_), Some(rule)) => (Tier::None, rule),
            };
            self.checks.push(gold_rank);
            self.checks.extend(gold_gates);
            self.checks.push(silver_rank);
            self.checks.extend(silver_gates);
        }
        let (tier, decided_by) = if let Some(rule) = self.disqualified_by.clone() {
            computed = (Tier::Disqualified, rule.clone());
            (Tier::Disqualified, rule)
        } else if self.not_rated {
            computed = (
                Tier::NotRated,
                "eligibility.not_rated_industries".to_string(),
            );
            computed.clone()
        } else if self.cancelled {
            if !eligible {
                computed = (Tier::None, self.ineligible_by.clone().unwrap_or_default());
            }
            (Tier::Cancelled, "cancellation.complaint_types".to_string())
        } else if let Some(rule) = self.ineligible_by.clone() {
            computed = (Tier::None, rule.clone());
            (Tier::None, rule)
        } else {
            computed.clone()
        };
        let m = self.metrics;
        ShopDecision {
            shop: m.shop.clone(),
            month: m.month.clone(),
            platform: m.platform,
            industry: m.industry.clone(),
            scale_band: m.scale_band.clone(),
            tier,
            computed_tier: computed.0,
            decided_by,
            flags: self.flags,
            rank: self.rank,
            checks: self.checks,
            source: m.source.clone(),
            policy: format!("{} {}", policy.name, policy.version),
        }
    }
}

/// Decide the level of every agent-month. An agent holds the highest level
/// whose thresholds it meets together with those of every level below it;
/// an unmeasured 3-minute rate or 平响 fails the thresholds on it.
/// Sorted by (month, shop, agent).
pub fn decide_agents(policy: &TierPolicy, agents: &[AgentDerived]) -> Vec<AgentDecision> {
    let mut rows: Vec<&AgentDerived> = agents.iter().collect();
    rows.sort_by(|a, b| (&a.month, &a.shop, &a.agent).cmp(&(&b.month, &b.shop, &b.agent)));
    let levels = [
        (
            AgentLevel::Junior,
            "agent_levels.junior",
            &policy.agent_levels.junior,
        ),
        (
            AgentLevel::Intermediate,
            "agent_levels.intermediate",
            &policy.agent_levels.intermediate,
        ),
        (
            AgentLevel::Senior,
            "agent_levels.senior",
            &policy.agent_levels.senior,
        ),
    ];
    rows.into_iter()
        .map(|a| {
            let mut level = AgentLevel::Novice;
            let mut climbing = true;
            let mut checks = Vec::new();
            for (candidate, table, thresholds) in levels {
                let level_checks = level_checks(table, thresholds, a);
                if climbing && level_checks.iter().all(|c| c.passed) {
                    level = candidate;
                } else {
                    climbing = false;
                }
                checks.extend(level_checks);
            }
            AgentDecision {
                agent: a.agent.clone(),
                shop: a.shop.clone(),
                month: a.month.clone(),
                level,
                checks,
                policy: format!("{} {}", policy.name, policy.version),
            }
        })
        .collect()
}

fn level_checks(table: &str, t: &LevelThresholds, a: &AgentDerived) -> Vec<Check> {
    let key = |name: &str| format!("{table}.{name}");
    let mut checks = vec![Check::new(
        &key("min_sessions"),
        a.sessions >= t.min_sessions,
        a.sessions.to_string(),
        format!("≥ {}", t.min_sessions),
    )];
    if let Some(min) = t.min_three_min_rate {
        checks.push(at_least(
            &key("min_three_min_rate"),
            rate_percent(a.three_min_rate),
            min,
            "%",
            &format!(" of {} rounds", a.rounds),
        ));
    }
    if let Some(max) = t.max_avg_response_secs {
        checks.push(at_most(
            &key("max_avg_response_secs"),
            a.avg_response_secs.and_then(Fixed::from_f64_rounded),
            max,
            " s",
        ));
    }
    if let Some(max) = t.max_violations_per_100_sessions {
        checks.push(at_most(
            &key("max_violations_per_100_sessions"),
            Fixed::from_f64_rounded(a.violations_per_100_sessions),
            max,
            "",
        ));
    }
    if let Some(max) = t.max_abuse_evidence {
        checks.push(count_at_most(
            &key("max_abuse_evidence"),
            Some(a.abuse_evidence),
            max,
        ));
    }
    checks
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiers::policy::DeclaredFlag;

    fn policy() -> TierPolicy {
        TierPolicy::bundled().unwrap()
    }

    fn shop(
        name: &str,
        platform: Platform,
        industry: &str,
        score: &str,
        reviews: u64,
        satisfaction: &str,
    ) -> ShopMetrics {
        ShopMetrics {
            shop: name.to_string(),
            platform,
            industry: industry.to_string(),
            scale_band: "中".to_string(),
            month: "2026-10".to_string(),
            score: Fixed::parse(score).unwrap(),
            reviews,
            satisfaction: Fixed::parse(satisfaction).unwrap(),
            flags: Vec::new(),
            source: format!("shops.csv:{}", name.chars().count()),
        }
    }

    /// Derived scores that pass every gold gate of the bundled policy.
    fn good(name: &str) -> ShopDerived {
        ShopDerived {
            shop: name.to_string(),
            month: "2026-10".to_string(),
            rounds: 1200,
            three_min_rate: Some(0.962),
            avg_response_secs: Some(24.5),
            agent_abuse_evidence: 0,
            buyer_abuse_evidence: 0,
            fraud_findings: 0,
            violations_per_100_sessions: 1.25,
            sessions: 800,
        }
    }

    /// The subject plus two weaker peers, so the subject ranks first of 3.
    fn with_peers(subject: ShopMetrics) -> (Vec<ShopMetrics>, Vec<ShopDerived>) {
        let industry = subject.industry.clone();
        let peers = vec![
            shop("对照店甲", Platform::Taobao, &industry, "4.8", 300, "91"),
            shop("对照店乙", Platform::Taobao, &industry, "4.8", 300, "90.5"),
        ];
        let derived = vec![good(&subject.shop), good("对照店甲"), good("对照店乙")];
        let mut metrics = vec![subject];
        metrics.extend(peers);
        (metrics, derived)
    }

    fn decide_one(subject: ShopMetrics, complaints: &[Complaint]) -> ShopDecision {
        let name = subject.shop.clone();
        let (metrics, derived) = with_peers(subject);
        decide_shops(&policy(), &metrics, &derived, complaints)
            .into_iter()
            .find(|d| d.shop == name)
            .unwrap()
    }

    fn check<'a>(d: &'a ShopDecision, rule: &str) -> &'a Check {
        d.checks
            .iter()
            .find(|c| c.rule == rule)
            .unwrap_or_else(|| panic!("no check {rule}"))
    }

    #[test]
    fn eligibility_boundaries_are_exact() {
        // (platform, score, reviews, expected tier, rule that decided)
        let table = [
            (
                Platform::Taobao,
                "4.60",
                100,
                Tier::Gold,
                "ranking.gold_top_percent",
            ),
            (
                Platform::Taobao,
                "4.6",
                99,
                Tier::None,
                "eligibility.min_reviews",
            ),
            (
                Platform::Taobao,
                "4.59",
                100,
                Tier::None,
                "eligibility.min_score_taobao",
            ),
            (
                Platform::Taobao,
                "4.5999",
                5000,
                Tier::None,
                "eligibility.min_score_taobao",
            ),
            (
                Platform::Tmall,
                "3.60",
                100,
                Tier::Gold,
                "ranking.gold_top_percent",
            ),
            (
                Platform::Tmall,
                "3.59",
                100,
                Tier::None,
                "eligibility.min_score_tmall",
            ),
            // 4.0 is enough on 天猫 but not on 淘宝.
            (
                Platform::Tmall,
                "4.0",
                150,
                Tier::Gold,
                "ranking.gold_top_percent",
            ),
            (
                Platform::Taobao,
                "4.0",
                150,
                Tier::None,
                "eligibility.min_score_taobao",
            ),
        ];
        for (platform, score, reviews, tier, rule) in table {
            let d = decide_one(
                shop("晨曦女装店", platform, "服饰", score, reviews, "97.2"),
                &[],
            );
            assert_eq!(
                (d.tier, d.decided_by.as_str()),
                (tier, rule),
                "{platform:?} {score} {reviews}"
            );
        }
        let d = decide_one(
            shop("晨曦女装店", Platform::Taobao, "服饰", "4.59", 100, "97.2"),
            &[],
        );
        let c = check(&d, "eligibility.min_score_taobao");
        assert_eq!(
            (c.passed, c.actual.as_str(), c.expected.as_str()),
            (false, "4.59", "≥ 4.6")
        );
        let c = check(&d, "eligibility.min_reviews");
        assert_eq!(
            (c.passed, c.actual.as_str(), c.expected.as_str()),
            (true, "100", "≥ 100")
        );
    }

    #[test]
    fn equal_satisfaction_shares_the_better_rank() {
        let metrics = vec![
            shop("晨曦女装店", Platform::Taobao, "服饰", "4.8", 320, "97.2"),
            shop("素锦服饰", Platform::Taobao, "服饰", "4.7", 180, "96.0"),
            shop("青禾童装旗舰店", Platform::Tmall, "服饰", "4.1", 150, "96"),
            shop("北巷男装", Platform::Taobao, "服饰", "4.6", 100, "93.5"),
            shop("旧梦古着", Platform::Taobao, "服饰", "4.7", 200, "85"),
        ];
        let derived: Vec<ShopDerived> = metrics.iter().map(|m| good(&m.shop)).collect();
        let decisions = decide_shops(&policy(), &metrics, &derived, &[]);
        let got: Vec<(&str, u32, String, Tier)> = decisions
            .iter()
            .map(|d| {
                let r = d.rank.as_ref().unwrap();
                (d.shop.as_str(), r.rank, r.percentile.to_string(), d.tier)
            })
            .collect();
        // Sorted by shop name (code point order); 5 peers: gold = 1 rank,
        // silver = ceil(1.5) = 2 ranks (both tied shops), black = rank > 4.
        assert_eq!(
            got,
            [
                ("北巷男装", 4, "80".to_string(), Tier::None),
                ("旧梦古着", 5, "100".to_string(), Tier::Black),
                ("晨曦女装店", 1, "20".to_string(), Tier::Gold),
                ("素锦服饰", 2, "40".to_string(), Tier::Silver),
                ("青禾童装旗舰店", 2, "40".to_string(), Tier::Silver),
            ]
        );
        let black = decisions.iter().find(|d| d.shop == "旧梦古着").unwrap();
        assert_eq!(black.decided_by, "black.bottom_percent");
    }

    #[test]
    fn upheld_complaint_in_the_month_cancels_at_once() {
        let complaint = |date: &str, kind: &str, upheld: bool, evidence: &str| Complaint {
            shop: "晨曦女装店".to_string(),
            agent: "晨曦女装店:阿月".to_string(),
            date: date.to_string(),
            complaint_type: kind.to_string(),
            upheld,
            evidence: evidence.to_string(),
            source: "complaints.csv:2".to_string(),
        };
        // (complaint, expected tier)
        let table = [
            (
                complaint("2026-10-15", "辱骂", true, "JZ001"),
                Tier::Cancelled,
            ),
            (
                complaint("2026-10-31", "不履行承诺", true, "JZ002"),
                Tier::Cancelled,
            ),
            (complaint("2026-11-01", "辱骂", true, "JZ003"), Tier::Gold),
            (complaint("2026-09-30", "欺诈", true, "JZ004"), Tier::Gold),
            (
                complaint("2026-10-15", "恶意骚扰", false, "JZ005"),
                Tier::Gold,
            ),
            (complaint("2026-10-15", "恶意骚扰", true, ""), Tier::Gold),
            (complaint("2026-10-15", "物流慢", true, "JZ006"), Tier::Gold),
        ];
        for (c, tier) in table {
            let d = decide_one(
                shop("晨曦女装店", Platform::Taobao, "服饰", "4.8", 320, "97.2"),
                std::slice::from_ref(&c),
            );
            assert_eq!(
                d.tier, tier,
                "{} {} upheld={} evidence={:?}",
                c.date, c.complaint_type, c.upheld, c.evidence
            );
            assert_eq!(d.computed_tier, Tier::Gold);
        }
        let c = complaint("2026-10-15", "辱骂", true, "JZ001");
        let d = decide_one(
            shop("晨曦女装店", Platform::Taobao, "服饰", "4.8", 320, "97.2"),
            &[c],
        );
        assert_eq!(d.decided_by, "cancellation.complaint_types");
        assert_eq!(
            check(&d, "cancellation.complaint_types").actual,
            "辱骂 2026-10-15 (complaints.csv:2)"
        );
        assert!(d.flags.contains(&"complaint:辱骂 2026-10-15".to_string()));
    }

    #[test]
    fn declared_dishonesty_disqualifies_and_derived_fraud_is_shown() {
        let mut subject = shop(
            "好运数码小铺",
            Platform::Taobao,
            "数码",
            "4.85",
            410,
            "97.8",
        );
        subject.flags = vec![DeclaredFlag::DReview, DeclaredFlag::Sd];
        let (metrics, mut derived) = with_peers(subject);
        derived[0].fraud_findings = 2;
        let decisions = decide_shops(&policy(), &metrics, &derived, &[]);
        let d = decisions.iter().find(|d| d.shop == "好运数码小铺").unwrap();
        assert_eq!(
            (d.tier, d.decided_by.as_str()),
            (Tier::Disqualified, "disqualification.flags")
        );
        assert_eq!(
            d.flags,
            ["declared:D评", "declared:SD", "derived:fraud_findings=2"]
        );
        assert!(d.rank.is_none(), "a disqualified shop is not ranked");
        // The two remaining peers are too few to rank (policy needs 3).
        let peer = decisions.iter().find(|d| d.shop == "对照店甲").unwrap();
        assert_eq!(
            (peer.tier, peer.decided_by.as_str()),
            (Tier::None, "ranking.min_peers")
        );
        assert!(!check(peer, "ranking.min_peers").passed);

        // Derived findings alone: flagged, and gold's fraud gate fails.
        let (metrics, mut derived) = with_peers(shop(
            "晨曦女装店",
            Platform::Taobao,
            "服饰",
            "4.8",
            320,
            "97.2",
        ));
        derived[0].fraud_findings = 1;
        let d = decide_shops(&policy(), &metrics, &derived, &[])
            .into_iter()
            .find(|d| d.shop == "晨曦女装店")
            .unwrap();
        assert_eq!(d.tier, Tier::Silver);
        assert_eq!(d.flags, ["derived:fraud_findings=1"]);
        assert!(!check(&d, "gold.max_fraud_findings").passed);
    }

    #[test]
    fn excluded_industry_is_not_rated_even_with_top_scores() {
        let d = decide_one(
            shop("康宁大药房", Platform::Tmall, "医药", "4.75", 900, "98.9"),
            &[],
        );
        assert_eq!(
            (d.tier, d.decided_by.as_str()),
            (Tier::NotRated, "eligibility.not_rated_industries")
        );
        assert!(d.rank.is_none());
    }

    #[test]
    fn derived_gates_fail_when_not_measured_and_compare_rounded_rates() {
        let (metrics, mut derived) = with_peers(shop(
            "晨曦女装店",
            Platform::Taobao,
            "服饰",
            "4.8",
            320,
            "97.2",
        ));
        derived.remove(0);
        let d = decide_shops(&policy(), &metrics, &derived, &[])
            .into_iter()
            .find(|d| d.shop == "晨曦女装店")
            .unwrap();
        assert_eq!(
            (d.tier, d.decided_by.as_str()),
            (Tier::None, "silver.min_three_min_rate")
        );
        assert_eq!(check(&d, "gold.min_three_min_rate").actual, "not measured");

        // Rates are compared as percentages to 4 decimals: 0.9 is exactly
        // gold's 90%, 0.899999 (89.9999%) is not.
        for (rate, gold) in [(0.9, true), (0.899999, false)] {
            let (metrics, mut derived) = with_peers(shop(
                "晨曦女装店",
                Platform::Taobao,
                "服饰",
                "4.8",
                320,
                "97.2",
            ));
            derived[0].three_min_rate = Some(rate);
            let d = decide_shops(&policy(), &metrics, &derived, &[])
                .into_iter()
                .find(|d| d.shop == "晨曦女装店")
                .unwrap();
            assert_eq!(d.tier == Tier::Gold, gold, "rate {rate}");
            let expected = if gold {
                "90% of 1200 rounds"
            } else {
                "89.9999% of 1200 rounds"
            };
            assert_eq!(check(&d, "gold.min_three_min_rate").actual, expected);
        }
    }

    #[test]
    fn duplicate_derived_rows_are_flagged_and_the_first_is_used() {
        let (metrics, mut derived) = with_peers(shop(
            "晨曦女装店",
            Platform::Taobao,
            "服饰",
            "4.8",
            320,
            "97.2",
        ));
        let mut worse = good("晨曦女装店");
        worse.three_min_rate = Some(0.5);
        derived.push(worse);
        let d = decide_shops(&policy(), &metrics, &derived, &[])
            .into_iter()
            .find(|d| d.shop == "晨曦女装店")
            .unwrap();
        assert_eq!(d.tier, Tier::Gold);
        assert_eq!(d.flags, ["derived:duplicate_rows=1 (first used)"]);
    }

    #[test]
    fn agent_abuse_makes_a_shop_black() {
        let (metrics, mut derived) = with_peers(shop(
            "晨曦女装店",
            Platform::Taobao,
            "服饰",
            "4.8",
            320,
            "97.2",
        ));
        derived[0].agent_abuse_evidence = 3;
        let d = decide_shops(&policy(), &metrics, &derived, &[])
            .into_iter()
            .find(|d| d.shop == "晨曦女装店")
            .unwrap();
        assert_eq!(
            (d.tier, d.decided_by.as_str()),
            (Tier::Black, "black.agent_abuse_evidence_at_least")
        );
    }

    #[test]
    fn order_of_inputs_does_not_change_decisions() {
        let (mut metrics, mut derived) = with_peers(shop(
            "晨曦女装店",
            Platform::Taobao,
            "服饰",
            "4.8",
            320,
            "97.2",
        ));
        let forward = decide_shops(&policy(), &metrics, &derived, &[]);
        metrics.reverse();
        derived.reverse();
        assert_eq!(decide_shops(&policy(), &metrics, &derived, &[]), forward);
        let shops: Vec<&str> = forward.iter().map(|d| d.shop.as_str()).collect();
        assert_eq!(shops, ["对照店乙", "对照店甲", "晨曦女装店"]);
    }

    #[test]
    fn agent_levels_follow_the_policy_thresholds() {
        let agent = |sessions: u64, rate: Option<f64>, secs: f64, violations: f64, abuse: u32| {
            AgentDerived {
                agent: "晨曦女装店:阿月".to_string(),
                shop: "晨曦女装店".to_string(),
                month: "2026-10".to_string(),
                sessions,
                rounds: sessions * 2,
                three_min_rate: rate,
                avg_response_secs: Some(secs),
                violations_per_100_sessions: violations,
                abuse_evidence: abuse,
            }
        };
        let table = [
            (agent(49, Some(0.99), 10.0, 0.0, 0), AgentLevel::Novice),
            (agent(50, Some(0.80), 120.0, 10.0, 0), AgentLevel::Junior),
            (agent(199, Some(0.99), 10.0, 0.0, 0), AgentLevel::Junior),
            (
                agent(200, Some(0.90), 60.0, 5.0, 0),
                AgentLevel::Intermediate,
            ),
            (agent(500, Some(0.95), 30.0, 2.0, 0), AgentLevel::Senior),
            (
                agent(500, Some(0.95), 30.5, 2.0, 0),
                AgentLevel::Intermediate,
            ),
            (agent(900, Some(0.99), 10.0, 0.0, 1), AgentLevel::Novice),
            (agent(900, None, 10.0, 0.0, 0), AgentLevel::Novice),
        ];
        for (a, level) in table {
            let got = decide_agents(&policy(), std::slice::from_ref(&a));
            assert_eq!(got[0].level, level, "{a:?}");
        }
        let got = decide_agents(&policy(), &[agent(500, Some(0.95), 30.5, 2.0, 0)]);
        let failed: Vec<(&str, &str, &str)> = got[0]
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| (c.rule.as_str(), c.actual.as_str(), c.expected.as_str()))
            .collect();
        assert_eq!(
            failed,
            [(
                "agent_levels.senior.max_avg_response_secs",
                "30.5 s",
                "≤ 30 s"
            )]
        );
    }

    #[test]
    fn fixture_month_decides_every_case() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiers");
        let metrics = crate::tiers::load_shop_metrics(dir.join("shops.csv")).unwrap();
        let complaints = crate::tiers::load_complaints(dir.join("complaints.csv")).unwrap();
        let derived: Vec<ShopDerived> = metrics
            .iter()
            .map(|m| ShopDerived {
                month: m.month.clone(),
                ..good(&m.shop)
            })
            .collect();
        let decisions = decide_shops(&policy(), &metrics, &derived, &complaints);
        let got: Vec<(&str, &str, Tier)> = decisions
            .iter()
            .map(|d| (d.month.as_str(), d.shop.as_str(), d.tier))
            .collect();
        assert_eq!(
            got,
            [
                ("2026-09", "晨曦女装店", Tier::Cancelled),
                ("2026-10", "云朵睡衣", Tier::None),
                ("2026-10", "北巷男装", Tier::None),
                ("2026-10", "南山衬衫", Tier::None),
                ("2026-10", "好运数码小铺", Tier::Disqualified),
                ("2026-10", "康宁大药房", Tier::NotRated),
                ("2026-10", "旧梦古着", Tier::Black),
                ("2026-10", "晨曦女装店", Tier::Gold),
                ("2026-10", "素锦服饰", Tier::Cancelled),
                ("2026-10", "青禾童装旗舰店", Tier::Silver),
                ("2026-10", "静雅家居旗舰店", Tier::None),
            ]
        );
        let sujin = decisions.iter().find(|d| d.shop == "素锦服饰").unwrap();
        assert_eq!(sujin.computed_tier, Tier::Silver);
        // 欺诈 without an evidence reference does not cancel.
        let beixiang = decisions.iter().find(|d| d.shop == "北巷男装").unwrap();
        assert!(check(beixiang, "cancellation.complaint_types")
            .note
            .contains("no evidence reference"));
    }
}

#[cfg(test)]
mod scale {
    use super::*;

    /// Timing probe, not a correctness test:
    /// `cargo test --release --lib tiers::decide::scale -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn decide_100k_shops() {
        let policy = TierPolicy::bundled().unwrap();
        let industries = ["服饰", "家居", "数码", "食品", "美妆", "医药"];
        let metrics: Vec<ShopMetrics> = (0..100_000u32)
            .map(|i| ShopMetrics {
                shop: format!("店铺{i:06}"),
                platform: if i % 3 == 0 {
                    Platform::Tmall
                } else {
                    Platform::Taobao
                },
                industry: industries[(i % 6) as usize].to_string(),
                scale_band: ["小", "中", "大"][(i % 7 % 3) as usize].to_string(),
                month: "2026-10".to_string(),
                score: Fixed::from_raw(40_000 + i64::from(i % 10_000)),
                reviews: u64::from(i % 400),
                satisfaction: Fixed::from_raw(800_000 + i64::from(i * 7 % 200_000)),
                flags: Vec::new(),
                source: format!("shops.csv:{}", i + 2),
            })
            .collect();
        let derived: Vec<ShopDerived> = metrics
            .iter()
            .map(|m| ShopDerived {
                shop: m.shop.clone(),
                month: m.month.clone(),
                rounds: 500,
                three_min_rate: Some(0.9),
                avg_response_secs: Some(30.0),
                agent_abuse_evidence: 0,
                buyer_abuse_evidence: 0,
                fraud_findings: 0,
                violations_per_100_sessions: 2.0,
                sessions: 300,
            })
            .collect();
        let complaints: Vec<Complaint> = (0..20_000u32)
            .map(|i| Complaint {
                shop: format!("店铺{:06}", i * 5),
                agent: String::new(),
                date: "2026-10-15".to_string(),
                complaint_type: "辱骂".to_string(),
                upheld: i % 2 == 0,
                evidence: "JZ".to_string(),
                source: format!("complaints.csv:{}", i + 2),
            })
            .collect();
        let start = std::time::Instant::now();
        let decisions = decide_shops(&policy, &metrics, &derived, &complaints);
        let elapsed = start.elapsed();
        let gold = decisions.iter().filter(|d| d.tier == Tier::Gold).count();
        let cancelled = decisions
            .iter()
            .filter(|d| d.tier == Tier::Cancelled)
            .count();
        println!("decide_shops: {} shops, 20000 complaints in {elapsed:?} (gold {gold}, cancelled {cancelled})", decisions.len());
        assert_eq!(decisions.len(), 100_000);
    }
}
