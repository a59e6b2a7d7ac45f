//! Findings and rule metadata shared by every analyzer.
//!
//! A finding always points back to the original text: the file and line of
//! the message, the session, the message id, and the span of the quote as
//! both char and byte offsets into [`crate::model::Message::text`] (the
//! decoded original, never the normalised text).

use crate::model::{Message, Role, Session};
use serde::{Deserialize, Serialize};

/// How bad a finding is. Ordered from least to most severe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth a look; never counts against a tier on its own.
    Info,
    /// A soft script problem (missing greeting, one-character reply).
    Low,
    /// A clear violation (absolute claim, dismissive phrase, slow reply).
    Medium,
    /// A hard violation (insult, off-platform lure, fraud, privacy leak);
    /// can disqualify a tier.
    High,
}

impl Severity {
    /// The lower-case name used in outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }

    /// Parse a lower-case severity name.
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "info" => Some(Severity::Info),
            "low" => Some(Severity::Low),
            "medium" => Some(Severity::Medium),
            "high" => Some(Severity::High),
            _ => None,
        }
    }
}

/// Everything `wwqa explain CODE` prints about a rule. Each rule file
/// declares one of these as a `pub static`.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct RuleMeta {
    /// Stable code, e.g. `LAT001`. Never reused.
    pub code: &'static str,
    /// Kebab-case name of the pattern flagged, e.g. `slow-response`.
    pub name: &'static str,
    /// Family: `latency`, `script`, `abuse`, …
    pub family: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// One line: what it flags.
    pub summary: &'static str,
    /// Why it matters (the platform rule or QA practice behind it).
    pub rationale: &'static str,
    /// Options and where they are set.
    pub options: &'static str,
    /// An example that fires.
    pub fires: &'static str,
    /// A look-alike that stays quiet.
    pub quiet: &'static str,
    /// Source file that declares the rule (`file!()`).
    pub file: &'static str,
}

/// A span in a message's original text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Span {
    /// Char offset of the first char.
    pub char_start: usize,
    /// Char offset one past the last char.
    pub char_end: usize,
    /// Byte offset of the first byte in the UTF-8 text.
    pub byte_start: usize,
    /// Byte offset one past the last byte.
    pub byte_end: usize,
}

impl Span {
    /// Build a span from byte offsets into `text` (which must lie on char
    /// boundaries).
    pub fn from_bytes(text: &str, byte_start: usize, byte_end: usize) -> Span {
        let char_start = text[..byte_start].chars().count();
        let char_end = char_start + text[byte_start..byte_end].chars().count();
        Span {
            char_start,
            char_end,
            byte_start,
            byte_end,
        }
    }

    /// The whole of `text`.
    pub fn whole(text: &str) -> Span {
        Span::from_bytes(text, 0, text.len())
    }

    /// The quoted slice of `text`.
    pub fn slice<'a>(&self, text: &'a str) -> &'a str {
        &text[self.byte_start..self.byte_end]
    }
}

/// A neighbouring message shown with a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContextMessage {
    /// Message id.
    pub id: String,
    /// Local time, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Sender role.
    pub role: Role,
    /// Sender nick.
    pub sender: String,
    /// Original text.
    pub text: String,
}

/// One finding of one rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Rule code.
    pub code: String,
    /// Rule name.
    pub name: String,
    /// Severity (after configuration).
    pub severity: Severity,
    /// Human-readable message with the values that made it fire.
    pub message: String,
    /// Session id.
    pub session_id: String,
    /// Shop.
    pub shop: String,
    /// Buyer.
    pub buyer: String,
    /// Agent or robot account concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Message the finding is about.
    pub message_id: String,
    /// Role of that message's sender.
    pub role: Role,
    /// `path:line` of that message.
    pub location: String,
    /// Local time of that message, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<String>,
    /// Span of the quote in the message's original text.
    pub span: Span,
    /// The quote: exactly `span` sliced out of the original text.
    pub quote: String,
    /// Up to two messages before and after, for context: filled only on
    /// request (`scan --finding-context`, [`Finding::add_context`]), since
    /// the location already leads to them in the transcript.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context: Vec<ContextMessage>,
}

impl Finding {
    /// A finding on `session.messages[index]` quoting `span` of its text.
    pub fn new(
        meta: &RuleMeta,
        session: &Session,
        index: usize,
        span: Span,
        message: String,
    ) -> Finding {
        let msg: &Message = &session.messages[index];
        Finding {
            code: meta.code.to_string(),
            name: meta.name.to_string(),
            severity: meta.severity,
            message,
            session_id: session.id.clone(),
            shop: session.conversation.shop.clone(),
            buyer: session.conversation.buyer.clone(),
            account: msg.account.clone(),
            message_id: msg.id.clone(),
            role: msg.role,
            location: msg.source.location(),
            time: msg.time.map(crate::model::format_time),
            span,
            quote: span.slice(&msg.text).to_string(),
            context: Vec::new(),
        }
    }

    /// Fill [`Finding::context`] with up to two messages before and after
    /// the finding's message in `session` (its own session).
    pub fn add_context(&mut self, session: &Session) {
        let Some(index) = session
            .messages
            .iter()
            .position(|m| m.id == self.message_id)
        else {
            return;
        };
        let lo = index.saturating_sub(2);
        let hi = (index + 3).min(session.messages.len());
        self.context = (lo..hi)
            .filter(|&i| i != index)
            .map(|i| {
                let m = &session.messages[i];
                ContextMessage {
                    id: m.id.clone(),
                    time: m.time.map(crate::model::format_time),
                    role: m.role,
                    sender: m.sender.clone(),
                    text: m.text.clone(),
                }
            })
            .collect();
    }
}
