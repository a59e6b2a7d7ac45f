//! Rounds (对话轮次, 首问首答): cutting a session into buyer questions and the
//! first valid reply to each.
//!
//! # The rules, in order of the messages
//!
//! * **Serving account.** The account that currently serves the buyer is the
//!   account of the last agent (or assist-mode robot) that spoke, or the `to`
//!   of the last `Transfer` notice, whichever came last. Before anyone has
//!   spoken it is unknown.
//! * **Open.** A buyer message (any kind) opens a round when none is pending;
//!   further buyer messages join it (a burst is one round, the clock runs from
//!   the first, domain.md §1.1). The round is charged to the serving account.
//! * **Valid reply.** A message from an agent, or from a robot in assist mode,
//!   closes the round, unless it is automatic: it starts with one of the
//!   policy's `auto_reply_markers`, or (with `zero_second_is_auto`) it was sent
//!   in the same second as the latest buyer message. Fully automatic robot
//!   replies never close a round; they only mark it as auto-answered.
//!   When the round had no account yet, or another account answers without a
//!   transfer notice, the replier is charged: it is the account that received
//!   the buyer.
//! * **Transfer.** A transfer while a round is pending ends that round as
//!   unreplied and charges it to the transferring account (`from`), the
//!   platform's 平响 rule; when only a fully automatic robot had answered, the
//!   round is `auto_only` instead (robot hand-over to a human). The receiver
//!   gets a round only when the buyer writes again.
//! * **留言.** An `OfflineAssignment` notice marks the pending round as a
//!   leave-message round: it is counted apart, never in the real-time rates.
//! * **End of session.** A pending round is unreplied (or `auto_only` when a
//!   fully automatic robot answered it).
//! * A round nobody of the shop touched is charged to the main account (the
//!   shop nick), where unassigned buyers land.
//! * A robot whose mode is unknown counts as fully automatic: the reading
//!   that never flatters a rate. Auto greetings sent before the buyer writes
//!   touch no round; after it, they are caught by a marker or the 0-second
//!   test. Recalls and platform notices are ignored.

use super::policy::{CrossDay, LatencyPolicy, UnrepliedTreatment, WindowBasis};
use crate::model::{day_number, seconds_of_day, Message, MessageKind, RobotMode, Role, Session};
use serde::Serialize;

/// How a round ended and whether the rates count it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundStatus {
    /// Answered by a valid reply on the day it opened.
    Replied,
    /// Never validly answered (or transferred away unanswered).
    Unreplied,
    /// Only a fully automatic robot answered: left out of every rate.
    AutoOnly,
    /// Answered on a later local day with `cross_day = "exclude"`.
    CrossDay,
    /// Arrived while every agent was offline (留言): counted apart.
    LeaveMessage,
}

impl RoundStatus {
    /// The lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            RoundStatus::Replied => "replied",
            RoundStatus::Unreplied => "unreplied",
            RoundStatus::AutoOnly => "auto_only",
            RoundStatus::CrossDay => "cross_day",
            RoundStatus::LeaveMessage => "leave_message",
        }
    }

    /// True for statuses that enter the real-time rates (before the window
    /// filter): replied and unreplied rounds.
    pub fn is_counted(self) -> bool {
        matches!(self, RoundStatus::Replied | RoundStatus::Unreplied)
    }
}

/// One round: a buyer question (or burst) and the first valid reply.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Round {
    /// Index in `session.messages` of the first buyer message.
    pub open_msg_index: usize,
    /// Time of that message.
    pub open_time: i64,
    /// Buyer messages in the round.
    pub buyer_msgs: u32,
    /// Sub-account charged with the round.
    pub account: String,
    /// Index of the valid reply, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_index: Option<usize>,
    /// Time of the valid reply, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reply_time: Option<i64>,
    /// Reply time minus open time, uncapped.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub latency_secs: Option<i64>,
    /// True when the latency exceeds the policy cap.
    #[serde(skip_serializing_if = "is_false")]
    pub capped: bool,
    /// True when the round lies inside the business window.
    pub in_window: bool,
    /// True when the reply came on a later local day than the open.
    #[serde(skip_serializing_if = "is_false")]
    pub cross_day: bool,
    /// True when the pending round was handed over by a transfer.
    #[serde(skip_serializing_if = "is_false")]
    pub transferred: bool,
    /// True when a fully automatic reply (robot, marker or 0-second) came
    /// before any valid reply.
    #[serde(skip_serializing_if = "is_false")]
    pub auto_replied: bool,
    /// True for 留言 rounds (an offline assignment notice came while pending).
    #[serde(skip_serializing_if = "is_false")]
    pub leave_message: bool,
    /// How the round ended.
    pub status: RoundStatus,
}

fn is_false(b: &bool) -> bool {
    !*b
}

impl Round {
    /// True when the round enters the 3-minute rate and 平响: counted status
    /// and inside the window.
    pub fn is_assessed(&self) -> bool {
        self.status.is_counted() && self.in_window
    }

    /// True for an assessed round answered within `three_min_secs`.
    pub fn within_three_min(&self, policy: &LatencyPolicy) -> bool {
        self.is_assessed()
            && self.status == RoundStatus::Replied
            && self
                .latency_secs
                .is_some_and(|secs| secs <= policy.three_min_secs)
    }

    /// The seconds this round adds to 平响, or `None` when it is left out.
    pub fn avg_response_secs(&self, policy: &LatencyPolicy) -> Option<i64> {
        if !self.is_assessed() {
            return None;
        }
        match (self.status, self.latency_secs) {
            (RoundStatus::Replied, Some(secs)) => Some(secs.min(policy.cap_secs)),
            (RoundStatus::Unreplied, _) => match policy.unreplied {
                UnrepliedTreatment::Cap => Some(policy.cap_secs),
                UnrepliedTreatment::Exclude => None,
            },
            _ => None,
        }
    }
}

/// First buyer message to the first valid reply after it, per session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FirstResponse {
    /// Seconds, uncapped.
    pub secs: i64,
    /// Account that replied.
    pub account: String,
    /// Index of the reply.
    pub reply_index: usize,
}

/// Message counts behind 答问比 for one account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountMessages {
    /// Agent or assist-robot account.
    pub account: String,
    /// Messages it sent.
    pub messages: u64,
}

/// Whether latency could be measured for a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "state", content = "reason")]
pub enum Availability {
    /// Every message has a time.
    Available,
    /// Some message has no time (e.g. JDDC); nothing is computed.
    NotAvailable(String),
}

/// The latency analysis of one session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SessionLatency {
    /// Session id.
    pub session_id: String,
    /// Shop (main account).
    pub shop: String,
    /// Buyer nick.
    pub buyer: String,
    /// Local day (`YYYY-MM-DD`) of the session start, when known.
    pub day: Option<String>,
    /// `name@version` of the policy used.
    pub policy: String,
    /// Whether latency was measurable.
    pub availability: Availability,
    /// Rounds, in order; empty when not available.
    pub rounds: Vec<Round>,
    /// First response of the session.
    pub first_response: Option<FirstResponse>,
    /// Buyer messages (答问比 denominator); counted even without times.
    pub buyer_messages: u64,
    /// Agent and assist-robot messages per account, in order of first
    /// message (答问比 numerator).
    pub agent_messages: Vec<AccountMessages>,
    /// Fully automatic shop messages (robot auto mode, markers, 0-second).
    pub auto_messages: u64,
    /// Findings of the latency rules.
    pub findings: Vec<crate::finding::Finding>,
}

impl SessionLatency {
    /// True when rounds were computed.
    pub fn is_available(&self) -> bool {
        self.availability == Availability::Available
    }

    /// Total agent messages, all accounts.
    pub fn agent_message_total(&self) -> u64 {
        self.agent_messages.iter().map(|a| a.messages).sum()
    }
}

/// The account a shop-side message speaks for: its account nick, else the
/// sender nick (a main account writes under its own nick).
pub(crate) fn speaker_account(message: &Message) -> &str {
    message.account.as_deref().unwrap_or(&message.sender)
}

/// True when `message` is a shop message that is automatic by policy: a
/// fully automatic robot, or a marker prefix. (The 0-second test needs the
/// buyer's time and is applied by the caller.)
fn is_marked_auto(message: &Message, policy: &LatencyPolicy) -> bool {
    if message.role == Role::Robot && message.robot_mode != Some(RobotMode::Assist) {
        return true;
    }
    let text = message.text.trim_start();
    policy
        .auto_reply_markers
        .iter()
        .any(|marker| text.starts_with(marker.as_str()))
}

/// True when `message` is shop-side and may count as a valid reply by role
/// (an agent, or an assist-mode robot).
pub(crate) fn is_valid_replier(message: &Message) -> bool {
    match message.role {
        Role::Agent => true,
        Role::Robot => message.robot_mode == Some(RobotMode::Assist),
        Role::Buyer | Role::System => false,
    }
}

/// A round being built. Times are `Option` so the same walk also counts
/// messages of sessions without times (where no round is kept).
struct Pending {
    open_msg_index: usize,
    open_time: Option<i64>,
    last_buyer_time: Option<i64>,
    buyer_msgs: u32,
    account: Option<String>,
    auto_replied: bool,
    leave_message: bool,
}

/// What one walk over a session yields.
pub(crate) struct Walk {
    /// Rounds; `None` when a message has no time.
    pub rounds: Option<Vec<Round>>,
    /// Buyer messages.
    pub buyer_messages: u64,
    /// Valid-reply-capable messages per account, in order of first message.
    pub agent_messages: Vec<AccountMessages>,
    /// Automatic shop messages.
    pub auto_messages: u64,
    /// First buyer message to the first valid reply after it.
    pub first_response: Option<FirstResponse>,
    /// Per message: true for automatic shop messages (robot auto mode,
    /// marker, 0-second), which no rule may read as the agent speaking.
    pub automatic: Vec<bool>,
}

/// Cut a session into rounds and count its messages, in one pass.
pub(crate) fn walk(session: &Session, policy: &LatencyPolicy) -> Walk {
    // Platform lines (transfers, recalls, notices) carry no time of their own
    // in text exports; only the messages people sent must be timed.
    let timed = session.messages.iter().any(|m| m.role != Role::System)
        && session
            .messages
            .iter()
            .all(|m| m.time.is_some() || m.role == Role::System);
    let session_start = session
        .messages
        .iter()
        .find_map(|m| m.time)
        .unwrap_or_default();
    let shop = &session.conversation.shop;
    let mut out = Walk {
        rounds: None,
        buyer_messages: 0,
        agent_messages: Vec::new(),
        auto_messages: 0,
        first_response: None,
        automatic: vec![false; session.messages.len()],
    };
    let mut first_buyer_time: Option<i64> = None;
    let mut first_buyer_seen = false;
    let mut rounds = Vec::new();
    let mut serving: Option<String> = None;
    let mut pending: Option<Pending> = None;
    let finish = |p: Pending,
                  account: String,
                  reply: Option<(usize, Option<i64>)>,
                  transferred: bool,
                  rounds: &mut Vec<Round>| {
        // Without times no round is kept (nothing may be invented).
        let Some(open_time) = p.open_time else { return };
        let reply = match reply {
            Some((index, Some(time))) => Some((index, time)),
            Some((_, None)) => return,
            None => None,
        };
        let window_time = match policy.window_basis {
            WindowBasis::RoundOpen => open_time,
            WindowBasis::SessionStart => session_start,
        };
        let latency_secs = reply.map(|(_, time)| time.saturating_sub(open_time));
        let cross_day = reply.is_some_and(|(_, time)| day_number(time) != day_number(open_time));
        let status = if p.leave_message {
            RoundStatus::LeaveMessage
        } else if reply.is_none() {
            if p.auto_replied {
                RoundStatus::AutoOnly
            } else {
                RoundStatus::Unreplied
            }
        } else if cross_day && policy.cross_day == CrossDay::Exclude {
            RoundStatus::CrossDay
        } else {
            RoundStatus::Replied
        };
        rounds.push(Round {
            open_msg_index: p.open_msg_index,
            open_time,
            buyer_msgs: p.buyer_msgs,
            account,
            reply_index: reply.map(|(index, _)| index),
            reply_time: reply.map(|(_, time)| time),
            latency_secs,
            capped: latency_secs.is_some_and(|secs| secs > policy.cap_secs),
            in_window: policy.in_window(seconds_of_day(window_time)),
            cross_day,
            transferred,
            auto_replied: p.auto_replied,
            leave_message: p.leave_message,
            status,
        });
    };

    for (index, message) in session.messages.iter().enumerate() {
        let time = message.time;
        match (&message.kind, message.role) {
            (MessageKind::Transfer { from, to }, _) => {
                if let Some(p) = pending.take() {
                    let charged = if from.is_empty() {
                        p.account.clone().unwrap_or_else(|| shop.clone())
                    } else {
                        from.clone()
                    };
                    finish(p, charged, None, true, &mut rounds);
                }
                if !to.is_empty() {
                    serving = Some(to.clone());
                }
            }
            (MessageKind::OfflineAssignment, _) => {
                if let Some(p) = pending.as_mut() {
                    p.leave_message = true;
                }
            }
            // Recall and platform notices are nobody's question or answer.
            (MessageKind::Recall | MessageKind::EntryNotice | MessageKind::Notice, _) => {}
            (_, Role::Buyer) => {
                out.buyer_messages += 1;
                if !first_buyer_seen {
                    first_buyer_seen = true;
                    first_buyer_time = time;
                }
                match pending.as_mut() {
                    Some(p) => {
                        p.buyer_msgs += 1;
                        p.last_buyer_time = time;
                    }
                    None => {
                        pending = Some(Pending {
                            open_msg_index: index,
                            open_time: time,
                            last_buyer_time: time,
                            buyer_msgs: 1,
                            account: serving.clone(),
                            auto_replied: false,
                            leave_message: false,
                        })
                    }
                }
            }
            (_, Role::Agent | Role::Robot) => {
                let zero_second = policy.zero_second_is_auto
                    && time.is_some()
                    && pending.as_ref().is_some_and(|p| p.last_buyer_time == time);
                if is_marked_auto(message, policy) || zero_second || !is_valid_replier(message) {
                    out.auto_messages += 1;
                    out.automatic[index] = true;
                    if let Some(p) = pending.as_mut() {
                        p.auto_replied = true;
                        // The account whose auto-reply answered is the one the
                        // buyer reached, should no human ever reply.
                        if p.account.is_none() {
                            p.account = message.account.clone();
                        }
                    }
                    continue;
                }
                let account = speaker_account(message);
                match out.agent_messages.iter_mut().find(|a| a.account == account) {
                    Some(counts) => counts.messages += 1,
                    None => out.agent_messages.push(AccountMessages {
                        account: account.to_string(),
                        messages: 1,
                    }),
                }
                if serving.as_deref() != Some(account) {
                    serving = Some(account.to_string());
                }
                if let (None, Some(asked), Some(answered)) =
                    (&out.first_response, first_buyer_time, time)
                {
                    out.first_response = Some(FirstResponse {
                        secs: answered.saturating_sub(asked),
                        account: account.to_string(),
                        reply_index: index,
                    });
                }
                if let Some(p) = pending.take() {
                    finish(
                        p,
                        account.to_string(),
                        Some((index, time)),
                        false,
                        &mut rounds,
                    );
                }
            }
            (_, Role::System) => {}
        }
    }
    if let Some(p) = pending.take() {
        let charged = p.account.clone().unwrap_or_else(|| shop.clone());
        finish(p, charged, None, false, &mut rounds);
    }
    if timed {
        out.rounds = Some(rounds);
    } else {
        out.first_response = None;
    }
    out
}
