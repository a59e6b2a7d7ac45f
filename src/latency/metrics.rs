//! Mergeable latency aggregates: per agent (sub-account), shop, day or the
//! whole period.
//!
//! A [`LatencyAgg`] holds only integer sums and counts, buyer sets
//! ([`BuyerSet`]: exact, or a fixed-size sketch past 8,192 buyers) and a
//! fixed-bucket histogram, so merging the aggregates of any partition of the
//! sessions gives exactly the aggregate of the whole (no float drift, no
//! order dependence). Rates are computed on read.
//!
//! Attribution when aggregating by agent: a round goes to the account it is
//! charged to; a session's first response to the account that gave it; agent
//! messages to their account; buyer messages to the account charged with
//! their round (in a session without times, to the first agent account that
//! spoke, since there are no rounds). Automatic messages have no agent and
//! appear only in shop, day and whole aggregates. By day: rounds go to the
//! local day they opened; session-level counts to the session's start day;
//! sessions without times to the key [`NO_DAY`].

pub use super::buyers::BuyerSet;
use super::policy::{LatencyPolicy, UnrepliedTreatment};
use super::rounds::{Round, RoundStatus, SessionLatency};
use crate::model::local_day;
use serde::Serialize;
use std::collections::BTreeMap;

/// Histogram bucket lower bounds in seconds; each bucket is `[lo, next lo)`
/// and the last is open-ended. The 3-minute rate is computed exactly, not
/// from these buckets.
pub const HISTOGRAM_BOUNDS: [i64; 8] = [0, 10, 30, 60, 100, 180, 300, 600];

/// Day key for sessions without times.
pub const NO_DAY: &str = "n/a";

/// The numbers of the policy an aggregate depends on; aggregates built under
/// different policies refuse to merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AggPolicy {
    /// `name@version`.
    pub tag: String,
    /// 平响 cap.
    pub cap_secs: i64,
    /// 3-minute limit.
    pub three_min_secs: i64,
    /// Slow-response warning threshold.
    pub slow_warn_secs: i64,
    /// Unreplied rounds count as the cap in 平响.
    pub unreplied_capped: bool,
    /// Minimum counted rounds for "assessed".
    pub min_rounds_assessed: u64,
}

impl AggPolicy {
    /// The aggregate-relevant part of `policy`.
    pub fn of(policy: &LatencyPolicy) -> AggPolicy {
        AggPolicy {
            tag: policy.tag(),
            cap_secs: policy.cap_secs,
            three_min_secs: policy.three_min_secs,
            slow_warn_secs: policy.slow_warn_secs,
            unreplied_capped: policy.unreplied == UnrepliedTreatment::Cap,
            min_rounds_assessed: policy.min_rounds_assessed,
        }
    }
}

/// Two aggregates built under different policies.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot merge latency aggregates of policy {left} and {right}")]
pub struct PolicyMismatch {
    /// Policy of the aggregate merged into.
    pub left: String,
    /// Policy of the other.
    pub right: String,
}

/// Which part of a session an aggregate takes.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    All,
    Account(&'a str),
    Day(&'a str),
}

/// Sums and counts behind every latency metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct LatencyAgg {
    /// Policy the aggregate was built under.
    pub policy: AggPolicy,
    /// Sessions seen (in scope).
    pub sessions: u64,
    /// Of which without times: latency not available.
    pub sessions_not_available: u64,
    /// Rounds by status.
    pub rounds_replied: u64,
    /// Unreplied rounds (any window).
    pub rounds_unreplied: u64,
    /// Rounds only a fully automatic robot answered (excluded).
    pub rounds_auto_only: u64,
    /// Rounds answered on a later day, excluded by policy.
    pub rounds_cross_day: u64,
    /// 留言 rounds (counted apart).
    pub rounds_leave_message: u64,
    /// Buyer messages in 留言 rounds.
    pub leave_message_buyer_msgs: u64,
    /// Counted rounds (replied or unreplied) outside the business window.
    pub rounds_out_of_window: u64,
    /// Assessed rounds: counted and inside the window (3-minute denominator).
    pub rounds_assessed: u64,
    /// Assessed rounds answered within the 3-minute limit.
    pub rounds_within_three_min: u64,
    /// Assessed unreplied rounds.
    pub rounds_assessed_unreplied: u64,
    /// Assessed replied rounds with latency ≥ slow_warn_secs.
    pub slow_warn: u64,
    /// Assessed replied rounds with latency > three_min_secs.
    pub slow_breach: u64,
    /// Σ capped seconds entering 平响.
    pub avg_response_sum_secs: i64,
    /// Rounds entering 平响.
    pub avg_response_rounds: u64,
    /// Σ first-response seconds.
    pub first_response_sum_secs: i64,
    /// Sessions with a first response.
    pub first_response_sessions: u64,
    /// Buyer messages (答问比 denominator).
    pub buyer_messages: u64,
    /// Agent and assist-robot messages (答问比 numerator).
    pub agent_messages: u64,
    /// Automatic shop messages.
    pub auto_messages: u64,
    /// Assessed replied rounds per [`HISTOGRAM_BOUNDS`] bucket (raw latency).
    pub histogram: [u64; 8],
    /// Buyers who sent a message: 咨询人数. Buyers are kept as 64-bit
    /// hashes of (shop, buyer) (a collision needs billions of buyers),
    /// exactly up to [`super::buyers::EXACT_LIMIT`] per set and as a
    /// fixed-size sketch beyond ([`BuyerSet`]).
    pub buyers_consulted: BuyerSet,
    /// Buyers who got a valid reply: 接待人数.
    pub buyers_received: BuyerSet,
    /// Buyers with at least one assessed round.
    pub buyers_assessed: BuyerSet,
    /// Buyers with at least one assessed unreplied round: 未回复人数.
    pub buyers_unreplied: BuyerSet,
}

/// One table row: every metric, computed, with the policy tag.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyRow {
    /// `name@version` of the policy.
    pub policy: String,
    /// Sessions.
    pub sessions: u64,
    /// Sessions where latency is not available.
    pub sessions_not_available: u64,
    /// Assessed rounds (3-minute denominator).
    pub rounds: u64,
    /// True when `rounds` ≥ `min_rounds_assessed`.
    pub assessed: bool,
    /// 3分钟响应率.
    pub three_min_rate: Option<f64>,
    /// 平响, seconds.
    pub avg_response_secs: Option<f64>,
    /// Mean first response per session, seconds.
    pub first_response_avg_secs: Option<f64>,
    /// Slow-response warnings (≥ slow_warn_secs).
    pub slow_warn: u64,
    /// 3-minute breaches.
    pub slow_breach: u64,
    /// Unreplied assessed rounds.
    pub unreplied_rounds: u64,
    /// 未回复人数.
    pub unreplied_buyers: u64,
    /// 回复率.
    pub reply_rate: Option<f64>,
    /// 答问比.
    pub answer_ratio: Option<f64>,
    /// 咨询人数.
    pub consulted_buyers: u64,
    /// 接待人数.
    pub received_buyers: u64,
    /// Whether the buyer counts are exact (false past 8,192 buyers in a
    /// card, where they are sketch estimates within about ±2 %).
    pub buyers_exact: bool,
    /// 留言 rounds.
    pub leave_message_rounds: u64,
    /// Rounds left out: auto-only, cross-day, outside the window.
    pub excluded_rounds: u64,
}

fn ratio(numerator: u64, denominator: u64) -> Option<f64> {
    (denominator > 0).then(|| numerator as f64 / denominator as f64)
}

/// Index of the histogram bucket for `secs`.
pub fn histogram_bucket(secs: i64) -> usize {
    HISTOGRAM_BOUNDS
        .iter()
        .rposition(|&lo| secs >= lo)
        .unwrap_or(0)
}

/// Label of bucket `index`: `0-10s`, …, `600s+`.
pub fn histogram_label(index: usize) -> String {
    match (HISTOGRAM_BOUNDS.get(index), HISTOGRAM_BOUNDS.get(index + 1)) {
        (Some(lo), Some(hi)) => format!("{lo}-{hi}s"),
        (Some(lo), None) => format!("{lo}s+"),
        _ => String::new(),
    }
}

impl LatencyAgg {
    /// An empty aggregate under `policy`.
    pub fn new(policy: &LatencyPolicy) -> LatencyAgg {
        Self::from_agg_policy(AggPolicy::of(policy))
    }

    /// An empty aggregate under the policy numbers of another aggregate
    /// (what `wwqa merge` has when it reads saved scores).
    pub fn from_agg_policy(policy: AggPolicy) -> LatencyAgg {
        LatencyAgg {
            policy,
            sessions: 0,
            sessions_not_available: 0,
            rounds_replied: 0,
            rounds_unreplied: 0,
            rounds_auto_only: 0,
            rounds_cross_day: 0,
            rounds_leave_message: 0,
            leave_message_buyer_msgs: 0,
            rounds_out_of_window: 0,
            rounds_assessed: 0,
            rounds_within_three_min: 0,
            rounds_assessed_unreplied: 0,
            slow_warn: 0,
            slow_breach: 0,
            avg_response_sum_secs: 0,
            avg_response_rounds: 0,
            first_response_sum_secs: 0,
            first_response_sessions: 0,
            buyer_messages: 0,
            agent_messages: 0,
            auto_messages: 0,
            histogram: [0; 8],
            buyers_consulted: BuyerSet::new(),
            buyers_received: BuyerSet::new(),
            buyers_assessed: BuyerSet::new(),
            buyers_unreplied: BuyerSet::new(),
        }
    }

    /// Add a whole session.
    pub fn add_session(&mut self, latency: &SessionLatency) {
        self.add_scoped(latency, Scope::All);
    }

    /// Add the part of a session charged to `account`.
    pub fn add_session_for_account(&mut self, latency: &SessionLatency, account: &str) {
        self.add_scoped(latency, Scope::Account(account));
    }

    /// Add the part of a session that falls on local day `day` (`YYYY-MM-DD`,
    /// or [`NO_DAY`] for sessions without times).
    pub fn add_session_for_day(&mut self, latency: &SessionLatency, day: &str) {
        self.add_scoped(latency, Scope::Day(day));
    }

    fn add_scoped(&mut self, latency: &SessionLatency, scope: Scope<'_>) {
        let session_day = latency.day.as_deref().unwrap_or(NO_DAY);
        let round_in_scope = |round: &Round| match scope {
            Scope::All => true,
            Scope::Account(account) => round.account == account,
            Scope::Day(day) => local_day(round.open_time) == day,
        };
        let session_in_scope = match scope {
            Scope::All => true,
            Scope::Account(account) => {
                latency.rounds.iter().any(|r| r.account == account)
                    || latency.agent_messages.iter().any(|a| a.account == account)
            }
            Scope::Day(day) => {
                session_day == day || latency.rounds.iter().any(|r| local_day(r.open_time) == day)
            }
        };
        if !session_in_scope {
            return;
        }
        let session_level = match scope {
            Scope::All | Scope::Account(_) => true,
            Scope::Day(day) => session_day == day,
        };
        let buyer_key = {
            let mut h = xxhash_rust::xxh3::Xxh3::new();
            h.update(latency.shop.as_bytes());
            h.update(&[0x1f]);
            h.update(latency.buyer.as_bytes());
            h.digest()
        };
        // The numbers only: cloning the policy (and its tag) per call showed
        // up in profiles.
        let (cap_secs, three_min_secs, slow_warn_secs, unreplied_capped) = (
            self.policy.cap_secs,
            self.policy.three_min_secs,
            self.policy.slow_warn_secs,
            self.policy.unreplied_capped,
        );

        if session_level {
            self.sessions += 1;
            if !latency.is_available() {
                self.sessions_not_available += 1;
            }
        }
        let mut buyer_msgs_in_rounds = 0u64;
        let mut consulted = false;
        let mut received = false;
        for round in latency.rounds.iter().filter(|r| round_in_scope(r)) {
            consulted = true;
            buyer_msgs_in_rounds += u64::from(round.buyer_msgs);
            if round.reply_index.is_some() {
                received = true;
            }
            match round.status {
                RoundStatus::Replied => self.rounds_replied += 1,
                RoundStatus::Unreplied => self.rounds_unreplied += 1,
                RoundStatus::AutoOnly => self.rounds_auto_only += 1,
                RoundStatus::CrossDay => self.rounds_cross_day += 1,
                RoundStatus::LeaveMessage => {
                    self.rounds_leave_message += 1;
                    self.leave_message_buyer_msgs += u64::from(round.buyer_msgs);
                }
            }
            if !round.status.is_counted() {
                continue;
            }
            if !round.in_window {
                self.rounds_out_of_window += 1;
                continue;
            }
            self.rounds_assessed += 1;
            self.buyers_assessed.insert(buyer_key);
            match (round.status, round.latency_secs) {
                (RoundStatus::Replied, Some(secs)) => {
                    if secs <= three_min_secs {
                        self.rounds_within_three_min += 1;
                    }
                    if secs >= slow_warn_secs {
                        self.slow_warn += 1;
                    }
                    if secs > three_min_secs {
                        self.slow_breach += 1;
                    }
                    self.avg_response_sum_secs += secs.min(cap_secs);
                    self.avg_response_rounds += 1;
                    self.histogram[histogram_bucket(secs)] += 1;
                }
                _ => {
                    self.rounds_assessed_unreplied += 1;
                    self.buyers_unreplied.insert(buyer_key);
                    if unreplied_capped {
                        self.avg_response_sum_secs += cap_secs;
                        self.avg_response_rounds += 1;
                    }
                }
            }
        }

        if session_level {
            let first_in_scope = match (&latency.first_response, scope) {
                (Some(first), Scope::Account(account)) => {
                    (first.account == account).then_some(first)
                }
                (first, _) => first.as_ref(),
            };
            if let Some(first) = first_in_scope {
                self.first_response_sum_secs += first.secs;
                self.first_response_sessions += 1;
            }
            match scope {
                Scope::Account(account) => {
                    self.agent_messages += latency
                        .agent_messages
                        .iter()
                        .filter(|a| a.account == account)
                        .map(|a| a.messages)
                        .sum::<u64>();
                    let first_agent = latency.agent_messages.first().map(|a| a.account.as_str());
                    if latency.is_available() {
                        self.buyer_messages += buyer_msgs_in_rounds;
                    } else if first_agent == Some(account) {
                        // No rounds without times: the first agent served the buyer.
                        self.buyer_messages += latency.buyer_messages;
                        consulted |= latency.buyer_messages > 0;
                        received = true;
                    }
                }
                Scope::All | Scope::Day(_) => {
                    self.agent_messages += latency.agent_message_total();
                    self.auto_messages += latency.auto_messages;
                    if latency.is_available() {
                        // Every buyer message of a timed session is in a round.
                        self.buyer_messages += buyer_msgs_in_rounds;
                    } else {
                        self.buyer_messages += latency.buyer_messages;
                        consulted |= latency.buyer_messages > 0;
                        received |= latency.buyer_messages > 0 && latency.agent_message_total() > 0;
                    }
                }
            }
        } else {
            // A day that holds only some of a session's rounds still gets
            // those rounds' buyer messages.
            self.buyer_messages += buyer_msgs_in_rounds;
        }
        if consulted {
            self.buyers_consulted.insert(buyer_key);
        }
        if received {
            self.buyers_received.insert(buyer_key);
        }
    }

    /// Add `other` into `self`; refused when the policies differ.
    pub fn merge(&mut self, other: &LatencyAgg) -> Result<(), PolicyMismatch> {
        if self.policy != other.policy {
            return Err(PolicyMismatch {
                left: self.policy.tag.clone(),
                right: other.policy.tag.clone(),
            });
        }
        self.sessions += other.sessions;
        self.sessions_not_available += other.sessions_not_available;
        self.rounds_replied += other.rounds_replied;
        self.rounds_unreplied += other.rounds_unreplied;
        self.rounds_auto_only += other.rounds_auto_only;
        self.rounds_cross_day += other.rounds_cross_day;
        self.rounds_leave_message += other.rounds_leave_message;
        self.leave_message_buyer_msgs += other.leave_message_buyer_msgs;
        self.rounds_out_of_window += other.rounds_out_of_window;
        self.rounds_assessed += other.rounds_assessed;
        self.rounds_within_three_min += other.rounds_within_three_min;
        self.rounds_assessed_unreplied += other.rounds_assessed_unreplied;
        self.slow_warn += other.slow_warn;
        self.slow_breach += other.slow_breach;
        self.avg_response_sum_secs += other.avg_response_sum_secs;
        self.avg_response_rounds += other.avg_response_rounds;
        self.first_response_sum_secs += other.first_response_sum_secs;
        self.first_response_sessions += other.first_response_sessions;
        self.buyer_messages += other.buyer_messages;
        self.agent_messages += other.agent_messages;
        self.auto_messages += other.auto_messages;
        for (mine, theirs) in self.histogram.iter_mut().zip(other.histogram) {
            *mine += theirs;
        }
        self.buyers_consulted.merge(&other.buyers_consulted);
        self.buyers_received.merge(&other.buyers_received);
        self.buyers_assessed.merge(&other.buyers_assessed);
        self.buyers_unreplied.merge(&other.buyers_unreplied);
        Ok(())
    }

    /// 3分钟响应率: assessed rounds answered within the limit / assessed rounds.
    pub fn three_min_rate(&self) -> Option<f64> {
        ratio(self.rounds_within_three_min, self.rounds_assessed)
    }

    /// 平响: mean capped seconds (unreplied rounds per policy).
    pub fn avg_response_secs(&self) -> Option<f64> {
        (self.avg_response_rounds > 0)
            .then(|| self.avg_response_sum_secs as f64 / self.avg_response_rounds as f64)
    }

    /// Mean first response per session, seconds.
    pub fn first_response_avg_secs(&self) -> Option<f64> {
        (self.first_response_sessions > 0)
            .then(|| self.first_response_sum_secs as f64 / self.first_response_sessions as f64)
    }

    /// Slow-response warnings (≥ slow_warn_secs, breaches included).
    pub fn slow_warn_count(&self) -> u64 {
        self.slow_warn
    }

    /// 3-minute breaches (> three_min_secs).
    pub fn slow_breach_count(&self) -> u64 {
        self.slow_breach
    }

    /// Unreplied assessed rounds.
    pub fn unreplied_rounds(&self) -> u64 {
        self.rounds_assessed_unreplied
    }

    /// 未回复人数: buyers with an unreplied assessed round.
    pub fn unreplied_buyers(&self) -> u64 {
        self.buyers_unreplied.len()
    }

    /// 回复率: buyers whose every assessed round was answered / buyers with
    /// an assessed round.
    pub fn reply_rate(&self) -> Option<f64> {
        let assessed = self.buyers_assessed.len();
        ratio(assessed.saturating_sub(self.unreplied_buyers()), assessed)
    }

    /// 答问比: agent messages / buyer messages.
    pub fn answer_ratio(&self) -> Option<f64> {
        ratio(self.agent_messages, self.buyer_messages)
    }

    /// 咨询人数.
    pub fn consulted_buyers(&self) -> u64 {
        self.buyers_consulted.len()
    }

    /// 接待人数.
    pub fn received_buyers(&self) -> u64 {
        self.buyers_received.len()
    }

    /// 留言 rounds.
    pub fn leave_message_rounds(&self) -> u64 {
        self.rounds_leave_message
    }

    /// True when there are at least `min_rounds_assessed` assessed rounds.
    pub fn assessed(&self) -> bool {
        self.rounds_assessed >= self.policy.min_rounds_assessed
    }

    /// `(label, count)` per histogram bucket.
    pub fn histogram(&self) -> Vec<(String, u64)> {
        self.histogram
            .iter()
            .enumerate()
            .map(|(index, &count)| (histogram_label(index), count))
            .collect()
    }

    /// Every metric as one table row.
    pub fn row(&self) -> LatencyRow {
        LatencyRow {
            policy: self.policy.tag.clone(),
            sessions: self.sessions,
            sessions_not_available: self.sessions_not_available,
            rounds: self.rounds_assessed,
            assessed: self.assessed(),
            three_min_rate: self.three_min_rate(),
            avg_response_secs: self.avg_response_secs(),
            first_response_avg_secs: self.first_response_avg_secs(),
            slow_warn: self.slow_warn,
            slow_breach: self.slow_breach,
            unreplied_rounds: self.unreplied_rounds(),
            unreplied_buyers: self.unreplied_buyers(),
            reply_rate: self.reply_rate(),
            answer_ratio: self.answer_ratio(),
            consulted_buyers: self.consulted_buyers(),
            received_buyers: self.received_buyers(),
            buyers_exact: self.buyers_consulted.is_exact()
                && self.buyers_received.is_exact()
                && self.buyers_assessed.is_exact()
                && self.buyers_unreplied.is_exact(),
            leave_message_rounds: self.rounds_leave_message,
            excluded_rounds: self.rounds_auto_only
                + self.rounds_cross_day
                + self.rounds_out_of_window,
        }
    }
}

/// The whole period in one aggregate.
pub fn aggregate_all<'a>(
    sessions: impl IntoIterator<Item = &'a SessionLatency>,
    policy: &LatencyPolicy,
) -> LatencyAgg {
    let mut agg = LatencyAgg::new(policy);
    for latency in sessions {
        agg.add_session(latency);
    }
    agg
}

/// One aggregate per shop.
pub fn aggregate_by_shop<'a>(
    sessions: impl IntoIterator<Item = &'a SessionLatency>,
    policy: &LatencyPolicy,
) -> BTreeMap<String, LatencyAgg> {
    let mut out: BTreeMap<String, LatencyAgg> = BTreeMap::new();
    for latency in sessions {
        out.entry(latency.shop.clone())
            .or_insert_with(|| LatencyAgg::new(policy))
            .add_session(latency);
    }
    out
}

/// One aggregate per agent account (see the module docs for attribution).
pub fn aggregate_by_agent<'a>(
    sessions: impl IntoIterator<Item = &'a SessionLatency>,
    policy: &LatencyPolicy,
) -> BTreeMap<String, LatencyAgg> {
    let mut out: BTreeMap<String, LatencyAgg> = BTreeMap::new();
    for latency in sessions {
        let mut accounts: Vec<&str> = latency
            .rounds
            .iter()
            .map(|r| r.account.as_str())
            .chain(latency.agent_messages.iter().map(|a| a.account.as_str()))
            .collect();
        accounts.sort_unstable();
        accounts.dedup();
        for account in accounts {
            out.entry(account.to_string())
                .or_insert_with(|| LatencyAgg::new(policy))
                .add_session_for_account(latency, account);
        }
    }
    out
}

/// One aggregate per local day (rounds by the day they opened).
pub fn aggregate_by_day<'a>(
    sessions: impl IntoIterator<Item = &'a SessionLatency>,
    policy: &LatencyPolicy,
) -> BTreeMap<String, LatencyAgg> {
    let mut out: BTreeMap<String, LatencyAgg> = BTreeMap::new();
    for latency in sessions {
        let mut days: Vec<String> = latency
            .rounds
            .iter()
            .map(|r| local_day(r.open_time))
            .collect();
        days.push(latency.day.clone().unwrap_or_else(|| NO_DAY.to_string()));
        days.sort_unstable();
        days.dedup();
        for day in days {
            let agg = out
                .entry(day.clone())
                .or_insert_with(|| LatencyAgg::new(policy));
            agg.add_session_for_day(latency, &day);
        }
    }
    out
}
