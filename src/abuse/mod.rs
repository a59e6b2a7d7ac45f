//! Abuse evidence: insults, threats, harassment, fraud, leaks, commitments.
//!
//! [`model`] holds the text-level offensiveness score (a linear model over
//! hashed character n-grams, trained on COLD); the keyword detectors that
//! turn messages into findings live beside it.

pub mod commitments;
pub mod model;
pub mod terms;
pub mod terms_eval;

pub use model::{evaluate, read_cold_csv, train, AbuseModel, Metrics, TrainOptions};

use crate::finding::Span;
use serde::Serialize;

/// One abuse hit in a session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AbuseItem {
    /// Rule code of the detector.
    pub code: String,
    /// Category: `insult`, `threat`, `harassment`, `fraud`, `leak`.
    pub category: String,
    /// Sent by the shop side (agent or robot) rather than the buyer.
    pub shop_side: bool,
    /// Lexicon or pattern hit (evidence) rather than a model-only
    /// candidate for review.
    pub evidence: bool,
    /// Account that sent it (shop side).
    pub account: Option<String>,
    /// Message id.
    pub message_id: String,
    /// Span in the original text.
    pub span: Span,
}

/// A commitment (承诺) made by the shop side, kept for 违背承诺 checks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Commitment {
    /// What kind: `delivery_time`, `price`, `gift`, `free_shipping`, `guarantee`.
    pub kind: String,
    /// Account that made it.
    pub account: Option<String>,
    /// Local time.
    pub time: Option<String>,
    /// Message id.
    pub message_id: String,
    /// `path:line`.
    pub location: String,
    /// The quote.
    pub quote: String,
    /// Span in the original text.
    pub span: Span,
}

/// Abuse evidence, candidates and commitments of one session.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SessionAbuse {
    /// Evidence and candidates.
    pub items: Vec<AbuseItem>,
    /// Commitments.
    pub commitments: Vec<Commitment>,
}
