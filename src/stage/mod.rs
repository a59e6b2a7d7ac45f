//! Session stage: 售前 (pre-sale), 售中 (in-sale), 售后 (after-sale) or other.
//!
//! Every session gets one [`Stage`] with a confidence and the features that
//! decided it. The classifier ([`StageClassifier`]) is a multinomial
//! logistic regression ([`model::StageModel`], `lexicons/stage_model.tsv`)
//! whose weights are learned from hand-labelled JD and Taobao sessions by
//! `wwqa train stage`, over:
//!
//! * jieba tokens of the buyer's messages, with the first substantive
//!   request marked apart, and tokens inside a negated (没/不/还没…),
//!   hypothetical (如果/万一/难道/以后…) or third-party (朋友/别人…) clause
//!   kept as their own features, so "我朋友的早就到了" is not the buyer's
//!   delivery and "买了以后坏了怎么保修" not a repair;
//! * jieba tokens of the shop's first replies;
//! * the hand-written cue lexicon ([`cues::CueClassifier`],
//!   `lexicons/stage_cues.tsv`): each buyer cue, and the lexicon's four
//!   stage scores;
//! * order-state evidence: order cards, order numbers, product cards, an
//!   agent account named after a stage group, how much the buyer said.
//!
//! The confidence is the model's probability of the chosen stage; a
//! session is `high_confidence` when it reaches the threshold chosen by
//! cross-validation at training time (see `lexicons/stage_model.md`).

pub mod cues;
pub mod eval;
pub mod learn;
pub mod model;

pub use cues::{CueClassifier, Params, BUILTIN_LEXICON};
pub use model::{StageClassifier, StageModel};

use crate::finding::Span;
use serde::{Deserialize, Serialize};

/// The stage of a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 售前: nothing bought yet (specs, stock, price, coupons, delivery time
    /// before ordering).
    PreSale,
    /// 售中: an order exists and has not been delivered (address change,
    /// cancel, urge shipping, payment, logistics in transit).
    InSale,
    /// 售后: delivered, or delivery failed (return, refund, exchange,
    /// quality, installation, repair, warranty, 价保).
    AfterSale,
    /// No discernible request, or one outside any order stage (account,
    /// membership, merchant back office).
    Other,
}

impl Stage {
    /// All stages, in index order.
    pub const ALL: [Stage; 4] = [
        Stage::PreSale,
        Stage::InSale,
        Stage::AfterSale,
        Stage::Other,
    ];

    /// The snake_case name used in every output and in the labels file.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::PreSale => "pre_sale",
            Stage::InSale => "in_sale",
            Stage::AfterSale => "after_sale",
            Stage::Other => "other",
        }
    }

    /// Parse a snake_case stage name.
    pub fn parse(name: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|stage| stage.as_str() == name)
    }

    /// Position in [`Stage::ALL`].
    pub fn index(self) -> usize {
        self as usize
    }

    /// The binary view: `Some(false)` for 售前, `Some(true)` once something
    /// was bought (售中 or 售后), `None` for other.
    pub fn is_bought(self) -> Option<bool> {
        match self {
            Stage::PreSale => Some(false),
            Stage::InSale | Stage::AfterSale => Some(true),
            Stage::Other => None,
        }
    }
}

/// One cue that argued for the chosen stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageReason {
    /// Id of the message the cue was found in.
    pub message_id: String,
    /// The cue as written in the lexicon (or `order_card`, `product_card`,
    /// `account:<name>` for structural cues).
    pub cue: String,
    /// Its effective weight in this session (after role and position
    /// discounts).
    pub weight: f32,
    /// Where the cue is in the message's original text (empty for cues taken
    /// from the account name rather than the text).
    pub span: Span,
}

/// Final score per stage; the chosen stage is the largest after the
/// evidence threshold.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct StageScores {
    /// Score of 售前.
    pub pre_sale: f32,
    /// Score of 售中.
    pub in_sale: f32,
    /// Score of 售后.
    pub after_sale: f32,
    /// Score of other.
    pub other: f32,
}

impl StageScores {
    fn from_array(scores: [f32; 4]) -> StageScores {
        StageScores {
            pre_sale: scores[0],
            in_sale: scores[1],
            after_sale: scores[2],
            other: scores[3],
        }
    }

    /// The binary view from the scores alone: true when 售中 or 售后 outweighs
    /// 售前. Used when the 4-way answer is other but a binary answer is
    /// still wanted.
    pub fn bought(&self) -> bool {
        self.in_sale.max(self.after_sale) > self.pre_sale
    }
}

/// The stage of one session and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageResult {
    /// The chosen stage.
    pub stage: Stage,
    /// Softmax probability of the chosen stage over the four scores (0..1).
    pub confidence: f32,
    /// True when the chosen stage leads the runner-up by at least the
    /// lexicon's `high_margin`.
    pub high_confidence: bool,
    /// The cues that argued for the chosen stage, strongest first.
    pub reasons: Vec<StageReason>,
    /// The four scores the decision was made from.
    pub scores: StageScores,
}

impl StageResult {
    /// The binary view (bought or not); falls back to the scores when the
    /// 4-way answer is other.
    pub fn bought(&self) -> bool {
        self.stage
            .is_bought()
            .unwrap_or_else(|| self.scores.bought())
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod model_tests;
