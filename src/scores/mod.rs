//! Scorecards: mergeable aggregates per agent (account) and per shop, for
//! the whole period, per month and per day.
//!
//! A session counts in the cards of its shop and of every account that spoke
//! in it, for the period `all`, its start month (`YYYY-MM`) and its start day
//! (`YYYY-MM-DD`); latency rounds go to the account charged with them (see
//! [`crate::latency`]). Sessions without times count in `all` only.
//!
//! Every field is a count, an integer sum or a sorted set of buyer keys, so
//! merging partial results (files, batches, shards of a dump: `wwqa merge`)
//! gives exactly the whole-dump result, in any order.

use crate::abuse::SessionAbuse;
use crate::finding::{Finding, Severity};
use crate::latency::metrics::AggPolicy;
use crate::latency::{LatencyAgg, LatencyPolicy, SessionLatency};
use crate::model::{Role, Session};
use crate::stage::{Stage, StageResult};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// Whether a card is about a shop or an agent account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// A shop (main account).
    Shop,
    /// An agent or robot account.
    Agent,
}

/// The period `all`.
pub const ALL: &str = "all";

/// What a card is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CardKey {
    /// Shop or agent.
    pub scope: Scope,
    /// Shop nick, or the agent's full account nick.
    pub name: String,
    /// The shop it belongs to.
    pub shop: String,
    /// `all`, `YYYY-MM` or `YYYY-MM-DD`.
    pub period: String,
}

/// A [`CardKey`] seen through borrowed parts, so a card is found without
/// allocating its key (a session looks up six cards).
trait KeyParts {
    fn parts(&self) -> (Scope, &str, &str, &str);
}

impl KeyParts for CardKey {
    fn parts(&self) -> (Scope, &str, &str, &str) {
        (self.scope, &self.name, &self.shop, &self.period)
    }
}

impl KeyParts for (Scope, &str, &str, &str) {
    fn parts(&self) -> (Scope, &str, &str, &str) {
        *self
    }
}

impl<'a> std::borrow::Borrow<dyn KeyParts + 'a> for CardKey {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

// The same order as CardKey's derived one (fields in declaration order),
// as `Borrow` requires.
impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyParts + '_ {}

impl PartialOrd for dyn KeyParts + '_ {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

// CardKey's derived Hash hashes its fields in order, as the tuple does,
// and a String hashes as its str: equal keys hash equally, as `Borrow`
// requires.
impl std::hash::Hash for dyn KeyParts + '_ {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (scope, name, shop, period) = self.parts();
        scope.hash(state);
        name.hash(state);
        shop.hash(state);
        period.hash(state);
    }
}

impl Ord for dyn KeyParts + '_ {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.parts().cmp(&other.parts())
    }
}

/// The counters of one card.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// Sessions.
    pub sessions: u64,
    /// Buyer messages in those sessions.
    pub buyer_messages: u64,
    /// Agent messages (of this account, or of the shop's agents).
    pub agent_messages: u64,
    /// Robot messages.
    pub robot_messages: u64,
    /// Findings by severity: info, low, medium, high.
    pub findings_by_severity: [u64; 4],
    /// Findings by rule family (`latency`, `script`, `abuse` …).
    pub findings_by_family: BTreeMap<String, u64>,
    /// Findings by rule code.
    pub findings_by_code: BTreeMap<String, u64>,
    /// Sessions by stage: pre_sale, in_sale, after_sale, other.
    pub stage_mix: [u64; 4],
    /// Abuse evidence sent by the shop side.
    pub abuse_evidence_by_agent: u64,
    /// Abuse evidence sent by buyers.
    pub abuse_evidence_by_buyer: u64,
    /// Model-only abuse candidates, shop side.
    pub abuse_candidates_by_agent: u64,
    /// Model-only abuse candidates, buyer side.
    pub abuse_candidates_by_buyer: u64,
    /// Commitments (承诺) made by the shop side.
    pub commitments: u64,
    /// Pre-sale sessions (询单).
    pub inquiry_sessions: u64,
    /// Pre-sale sessions followed by an order card or order event in the
    /// transcript (询单转化).
    pub inquiry_converted: u64,
    /// Latency sums and counts.
    pub latency: LatencyAgg,
}

impl Card {
    fn new(policy: &AggPolicy) -> Card {
        Card {
            sessions: 0,
            buyer_messages: 0,
            agent_messages: 0,
            robot_messages: 0,
            findings_by_severity: [0; 4],
            findings_by_family: BTreeMap::new(),
            findings_by_code: BTreeMap::new(),
            stage_mix: [0; 4],
            abuse_evidence_by_agent: 0,
            abuse_evidence_by_buyer: 0,
            abuse_candidates_by_agent: 0,
            abuse_candidates_by_buyer: 0,
            commitments: 0,
            inquiry_sessions: 0,
            inquiry_converted: 0,
            latency: LatencyAgg::from_agg_policy(policy.clone()),
        }
    }

    /// Add another card's counts.
    ///
    /// # Errors
    /// The two cards were computed under different latency policies.
    pub fn merge(&mut self, other: &Card) -> Result<(), String> {
        self.sessions += other.sessions;
        self.buyer_messages += other.buyer_messages;
        self.agent_messages += other.agent_messages;
        self.robot_messages += other.robot_messages;
        for (a, b) in self
            .findings_by_severity
            .iter_mut()
            .zip(other.findings_by_severity)
        {
            *a += b;
        }
        for (k, v) in &other.findings_by_family {
            *self.findings_by_family.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.findings_by_code {
            *self.findings_by_code.entry(k.clone()).or_default() += v;
        }
        for (a, b) in self.stage_mix.iter_mut().zip(other.stage_mix) {
            *a += b;
        }
        self.abuse_evidence_by_agent += other.abuse_evidence_by_agent;
        self.abuse_evidence_by_buyer += other.abuse_evidence_by_buyer;
        self.abuse_candidates_by_agent += other.abuse_candidates_by_agent;
        self.abuse_candidates_by_buyer += other.abuse_candidates_by_buyer;
        self.commitments += other.commitments;
        self.inquiry_sessions += other.inquiry_sessions;
        self.inquiry_converted += other.inquiry_converted;
        self.latency
            .merge(&other.latency)
            .map_err(|e| e.to_string())
    }

    fn add_finding(&mut self, f: &Finding, family: &str) {
        let i = match f.severity {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
        };
        self.findings_by_severity[i] += 1;
        // Look up before allocating a key: the keys are almost always there.
        bump(&mut self.findings_by_family, family);
        bump(&mut self.findings_by_code, &f.code);
    }

    /// Findings per 100 sessions at or above `min` severity.
    pub fn violations_per_100(&self, min: Severity) -> f64 {
        let n: u64 = self.findings_by_severity[min as usize..].iter().sum();
        if self.sessions == 0 {
            0.0
        } else {
            n as f64 * 100.0 / self.sessions as f64
        }
    }

    /// 询单转化率, when there were pre-sale sessions.
    pub fn inquiry_conversion(&self) -> Option<f64> {
        (self.inquiry_sessions > 0)
            .then(|| self.inquiry_converted as f64 / self.inquiry_sessions as f64)
    }
}

/// Everything one session contributes.
pub struct SessionFacts<'a> {
    /// The session.
    pub session: &'a Session,
    /// Its latency analysis.
    pub latency: &'a SessionLatency,
    /// Its stage.
    pub stage: &'a StageResult,
    /// Its findings (after selection).
    pub findings: &'a [Finding],
    /// Abuse evidence, candidates and commitments.
    pub abuse: &'a SessionAbuse,
}

/// All scorecards of a scan (or a part of one).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// The latency policy the cards were built under.
    pub latency_policy: AggPolicy,
    /// The cards, in key order (a list of `[key, card]` pairs in JSON, since
    /// JSON object keys must be strings).
    #[serde(with = "cards_as_list")]
    pub cards: BTreeMap<CardKey, Card>,
}

mod cards_as_list {
    use super::{Card, CardKey};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use std::collections::BTreeMap;

    pub fn serialize<S: Serializer>(
        map: &BTreeMap<CardKey, Card>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        let list: Vec<(&CardKey, &Card)> = map.iter().collect();
        list.serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<BTreeMap<CardKey, Card>, D::Error> {
        let list: Vec<(CardKey, Card)> = Vec::deserialize(d)?;
        Ok(list.into_iter().collect())
    }
}

impl Scores {
    /// Empty scores under a latency policy.
    pub fn new(policy: &LatencyPolicy) -> Scores {
        Scores {
            latency_policy: AggPolicy::of(policy),
            cards: BTreeMap::new(),
        }
    }

    /// Merge another part.
    ///
    /// # Errors
    /// The parts were computed under different latency policies.
    pub fn merge(&mut self, other: &Scores) -> Result<(), String> {
        if self.latency_policy != other.latency_policy {
            return Err(format!(
                "scores were computed under different latency policies: {} vs {}",
                self.latency_policy.tag, other.latency_policy.tag
            ));
        }
        for (k, v) in &other.cards {
            // Look up before cloning the key: the writer merges every
            // part's cards, and nearly all of them are already there.
            let view: &dyn KeyParts = k;
            match self.cards.get_mut(view) {
                Some(card) => card.merge(v)?,
                None => {
                    let mut card = Card::new(&self.latency_policy);
                    card.merge(v)?;
                    self.cards.insert(k.clone(), card);
                }
            }
        }
        Ok(())
    }

    /// Cards of one scope and period, in name order.
    pub fn cards_of<'a>(
        &'a self,
        scope: Scope,
        period: &'a str,
    ) -> impl Iterator<Item = (&'a CardKey, &'a Card)> + 'a {
        self.cards
            .iter()
            .filter(move |(k, _)| k.scope == scope && k.period == period)
    }
}

/// Scores being built from sessions: cards are found by hash (a session
/// touches six of them, and ordered lookups showed in profiles), and put
/// in key order once, by [`ScoresBuilder::finish`].
pub struct ScoresBuilder {
    latency_policy: AggPolicy,
    cards: HashMap<CardKey, Card, rustc_hash::FxBuildHasher>,
}

impl ScoresBuilder {
    /// No sessions yet, under a latency policy.
    pub fn new(policy: &LatencyPolicy) -> ScoresBuilder {
        ScoresBuilder {
            latency_policy: AggPolicy::of(policy),
            cards: HashMap::default(),
        }
    }

    fn card(&mut self, scope: Scope, name: &str, shop: &str, period: &str) -> &mut Card {
        let parts = (scope, name, shop, period);
        let view: &dyn KeyParts = &parts;
        // Two lookups when present: returning from a matched `get_mut`
        // and inserting otherwise does not pass the borrow checker.
        if self.cards.contains_key(view) {
            return self.cards.get_mut(view).expect("the card was just found");
        }
        let key = CardKey {
            scope,
            name: name.to_string(),
            shop: shop.to_string(),
            period: period.to_string(),
        };
        let policy = &self.latency_policy;
        self.cards.entry(key).or_insert_with(|| Card::new(policy))
    }

    /// Count one session.
    pub fn add_session(&mut self, facts: &SessionFacts<'_>) {
        let session = facts.session;
        let shop = session.conversation.shop.as_str();
        let day = session.start.map(crate::model::local_day);
        let periods = [Some(ALL), day.as_deref().map(|d| &d[..7]), day.as_deref()];
        let stage_index = facts.stage.stage.index();
        let pre_sale = facts.stage.stage == Stage::PreSale;
        let converted = pre_sale
            && session
                .messages
                .iter()
                .any(|m| matches!(m.kind, crate::model::MessageKind::OrderCard));
        // What does not depend on the card, once per session.
        let families: Vec<&'static str> = facts
            .findings
            .iter()
            .map(|f| crate::rules::family_of(&f.code))
            .collect();
        let mut by_role = [0u64; 3];
        for m in &session.messages {
            match m.role {
                Role::Buyer => by_role[0] += 1,
                Role::Agent => by_role[1] += 1,
                Role::Robot => by_role[2] += 1,
                Role::System => {}
            }
        }
        let count_session = |card: &mut Card| {
            card.sessions += 1;
            card.buyer_messages += by_role[0];
            card.stage_mix[stage_index] += 1;
            if pre_sale {
                card.inquiry_sessions += 1;
                card.inquiry_converted += u64::from(converted);
            }
        };
        for period in periods.into_iter().flatten() {
            let card = self.card(Scope::Shop, shop, shop, period);
            count_session(card);
            card.agent_messages += by_role[1];
            card.robot_messages += by_role[2];
            for (f, family) in facts.findings.iter().zip(&families) {
                card.add_finding(f, family);
            }
            add_abuse(card, facts.abuse, None);
            card.latency.add_session(facts.latency);
        }
        for account in &session.agents {
            let mut sent = [0u64; 2];
            for m in &session.messages {
                if m.account.as_deref() == Some(account.as_str()) {
                    match m.role {
                        Role::Agent => sent[0] += 1,
                        Role::Robot => sent[1] += 1,
                        _ => {}
                    }
                }
            }
            for period in periods.into_iter().flatten() {
                let card = self.card(Scope::Agent, account, shop, period);
                count_session(card);
                card.agent_messages += sent[0];
                card.robot_messages += sent[1];
                for (f, family) in facts.findings.iter().zip(&families) {
                    if f.account.as_deref() == Some(account.as_str()) {
                        card.add_finding(f, family);
                    }
                }
                add_abuse(card, facts.abuse, Some(account));
                card.latency.add_session_for_account(facts.latency, account);
            }
        }
    }

    /// The scores, cards in key order.
    pub fn finish(self) -> Scores {
        Scores {
            latency_policy: self.latency_policy,
            cards: self.cards.into_iter().collect(),
        }
    }
}

fn add_abuse(card: &mut Card, abuse: &SessionAbuse, account: Option<&str>) {
    let mine = |a: &Option<String>| account.is_none() || a.as_deref() == account;
    for item in &abuse.items {
        // An agent's card holds what that agent sent, and the buyer-side
        // abuse of its sessions (what it received).
        if item.shop_side && !mine(&item.account) {
            continue;
        }
        match (item.shop_side, item.evidence) {
            (true, true) => card.abuse_evidence_by_agent += 1,
            (false, true) => card.abuse_evidence_by_buyer += 1,
            (true, false) => card.abuse_candidates_by_agent += 1,
            (false, false) => card.abuse_candidates_by_buyer += 1,
        }
    }
    card.commitments += abuse
        .commitments
        .iter()
        .filter(|c| mine(&c.account))
        .count() as u64;
}

/// Count one more under `key`.
fn bump(map: &mut BTreeMap<String, u64>, key: &str) {
    match map.get_mut(key) {
        Some(n) => *n += 1,
        None => {
            map.insert(key.to_string(), 1);
        }
    }
}
