//! Scorecards: mergeable aggregates per agent (account) and per shop.
//!
//! Every field is a count or a sum of integers, so merging partial results
//! (files, batches, shards of a dump) gives exactly the whole-dump result in
//! any order.

use crate::finding::{Finding, Severity};
use crate::model::{Role, Session};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Counters of one agent or shop.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Card {
    /// Sessions involving it.
    pub sessions: u64,
    /// Buyer messages in those sessions.
    pub buyer_messages: u64,
    /// Messages it sent (agent) or its agents sent (shop).
    pub agent_messages: u64,
    /// Robot messages.
    pub robot_messages: u64,
    /// Findings by severity: info, low, medium, high.
    pub findings_by_severity: [u64; 4],
    /// Findings by rule code.
    pub findings_by_code: BTreeMap<String, u64>,
}

impl Card {
    /// Add another card's counts.
    pub fn merge(&mut self, other: &Card) {
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
        for (k, v) in &other.findings_by_code {
            *self.findings_by_code.entry(k.clone()).or_default() += v;
        }
    }

    fn add_finding(&mut self, f: &Finding) {
        let i = match f.severity {
            Severity::Info => 0,
            Severity::Low => 1,
            Severity::Medium => 2,
            Severity::High => 3,
        };
        self.findings_by_severity[i] += 1;
        *self.findings_by_code.entry(f.code.clone()).or_default() += 1;
    }
}

/// All scorecards of a scan (or a part of one).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Per shop.
    pub shops: BTreeMap<String, Card>,
    /// Per agent account.
    pub agents: BTreeMap<String, Card>,
}

impl Scores {
    /// Count one session and its findings.
    pub fn add_session(&mut self, session: &Session, findings: &[Finding]) {
        let shop = self
            .shops
            .entry(session.conversation.shop.clone())
            .or_default();
        shop.sessions += 1;
        for m in &session.messages {
            match m.role {
                Role::Buyer => shop.buyer_messages += 1,
                Role::Agent => shop.agent_messages += 1,
                Role::Robot => shop.robot_messages += 1,
                Role::System => {}
            }
        }
        for f in findings {
            shop.add_finding(f);
        }
        let buyer_messages = session
            .messages
            .iter()
            .filter(|m| m.role == Role::Buyer)
            .count() as u64;
        for account in &session.agents {
            let card = self.agents.entry(account.clone()).or_default();
            card.sessions += 1;
            card.buyer_messages += buyer_messages;
            for m in session
                .messages
                .iter()
                .filter(|m| m.account.as_ref() == Some(account))
            {
                match m.role {
                    Role::Agent => card.agent_messages += 1,
                    Role::Robot => card.robot_messages += 1,
                    _ => {}
                }
            }
        }
        for f in findings {
            if let Some(a) = &f.account {
                if let Some(card) = self.agents.get_mut(a) {
                    card.add_finding(f);
                }
            }
        }
    }

    /// Merge another part.
    pub fn merge(&mut self, other: &Scores) {
        for (k, v) in &other.shops {
            self.shops.entry(k.clone()).or_default().merge(v);
        }
        for (k, v) in &other.agents {
            self.agents.entry(k.clone()).or_default().merge(v);
        }
    }
}
