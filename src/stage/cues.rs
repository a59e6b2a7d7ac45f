//! The weighted cue lexicon (`lexicons/stage_cues.tsv`): the hand-written
//! stage classifier wwqa shipped before the learned model. Its phrases, their
//! per-stage scores and the order-state tracking below are now *features* of
//! [`super::model::StageModel`]; on its own it is the baseline that
//! `wwqa eval stage --baseline` measures.
//!
//! Each cue is a phrase a Taobao/JD service expert would recognise
//! ("什么时候发货" → 售中, "退货" → 售后, "还没买" → 售前), matched in one
//! Aho-Corasick pass per message, with jieba word boundaries checked for the
//! few short cues that also occur inside unrelated words. Order cards and
//! order numbers carry negative weight against 售前; questions that make sense
//! before and after buying (cues flagged `pre_unless_order`) argue for 售前
//! until the buyer shows an order; a buyer who says nothing is bought yet
//! (cues flagged `state`) turns their 售中 cues before any order into 售前.
//! Buyer messages count fully and the first substantive request counts most;
//! shop messages count by a small factor; an agent account named after a
//! stage group (`店铺:售后小王`) adds that stage.

use super::{Stage, StageReason, StageResult, StageScores};
use crate::finding::Span;
use crate::model::{MessageKind, Role, Session};
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// The built-in cue lexicon, compiled into the binary.
pub const BUILTIN_LEXICON: &str = include_str!("../../lexicons/stage_cues.tsv");

/// Scoring parameters, read from `param` rows of the lexicon.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Params {
    /// Factor on cues in shop-side (agent, robot) messages.
    pub agent_factor: f32,
    /// A buyer message after `r` earlier buyer messages with cues counts
    /// `1 / (1 + position_decay * r)`.
    pub position_decay: f32,
    /// Below this best score the session has no discernible request (other).
    pub min_evidence: f32,
    /// Margin over the runner-up needed for `high_confidence`.
    pub high_margin: f32,
    /// Starting score of 售前, 售中 and 售后 (the base rates).
    pub priors: [f32; 3],
    /// Weight of an order card message against 售前 (negative).
    pub order_card_pre_sale: f32,
    /// Weight of a product card message for 售前.
    pub product_card_pre_sale: f32,
    /// Weight of an agent account named after a stage group (售前 / 售中 /
    /// 售后) for that stage.
    pub group_name_weight: f32,
    /// Added to 售前 when the buyer shows no order (no order card, order
    /// number or purchase statement).
    pub no_order_pre_sale: f32,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            agent_factor: 0.3,
            position_decay: 0.3,
            min_evidence: 1.5,
            high_margin: 2.0,
            priors: [0.0; 3],
            order_card_pre_sale: -2.0,
            product_card_pre_sale: 1.5,
            group_name_weight: 2.0,
            no_order_pre_sale: 1.0,
        }
    }
}

impl Params {
    fn set(&mut self, name: &str, value: f32) -> Result<(), String> {
        match name {
            "agent_factor" => self.agent_factor = value,
            "position_decay" => self.position_decay = value,
            "min_evidence" => self.min_evidence = value,
            "high_margin" => self.high_margin = value,
            "prior_pre_sale" => self.priors[0] = value,
            "prior_in_sale" => self.priors[1] = value,
            "prior_after_sale" => self.priors[2] = value,
            "order_card_pre_sale" => self.order_card_pre_sale = value,
            "product_card_pre_sale" => self.product_card_pre_sale = value,
            "group_name_weight" => self.group_name_weight = value,
            "no_order_pre_sale" => self.no_order_pre_sale = value,
            _ => return Err(format!("unknown param `{name}`")),
        }
        Ok(())
    }
}

/// One lexicon pattern: its text, whether it needs word boundaries, and the
/// stages it argues for (a phrase may weigh on several stages).
#[derive(Debug, Clone)]
pub(super) struct Pattern {
    text: String,
    /// Match only on jieba word boundaries.
    word: bool,
    /// An explicit order-state statement ("还没买", "已经收货"): counted at
    /// full weight wherever it appears, not discounted by position.
    state: bool,
    /// Count only the first message that contains it (links and order
    /// numbers are often pasted repeatedly).
    once: bool,
    /// A delivery or policy question that presupposes no order by itself
    /// ("能送到吗", "什么快递"): its weight argues for 售前 until the buyer
    /// has shown an order, and for its own stage after that.
    pre_unless_order: bool,
    weights: Vec<(Stage, f32)>,
}

/// Where a cue came from: a lexicon pattern or a structural signal.
#[derive(Debug, Clone, Copy, PartialEq)]
enum CueSource {
    Pattern(usize),
    OrderCard,
    ProductCard,
    GroupName(Stage),
}

/// One cue occurrence in a session, before scoring.
#[derive(Debug, Clone)]
struct Hit {
    message: usize,
    source: CueSource,
    span: Span,
    shop_side: bool,
    /// Earlier buyer messages that had a cue arguing for some stage.
    buyer_rank: usize,
}

/// The cues found in a session; scoring them is cheap, so tuning re-scores
/// the same evidence under many parameter sets.
#[derive(Debug, Clone, Default)]
pub struct Evidence {
    hits: Vec<Hit>,
}

impl Evidence {
    /// Number of cue occurrences found.
    pub fn len(&self) -> usize {
        self.hits.len()
    }

    /// True when no cue was found.
    pub fn is_empty(&self) -> bool {
        self.hits.is_empty()
    }
}

/// The session-stage classifier: a compiled cue lexicon; word-boundary
/// checks use the process-wide segmenter of [`crate::segment`], so a scan
/// loads the jieba dictionary once. Build once and share (`Send + Sync`).
#[derive(Clone)]
pub struct CueClassifier {
    pub(super) patterns: Vec<Pattern>,
    automaton: AhoCorasick,
    params: Params,
}

impl std::fmt::Debug for CueClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CueClassifier")
            .field("patterns", &self.patterns.len())
            .field("params", &self.params)
            .finish()
    }
}

impl CueClassifier {
    /// The classifier with the built-in lexicon (`lexicons/stage_cues.tsv`).
    pub fn builtin() -> CueClassifier {
        // The built-in lexicon is checked by a unit test, so failing here is a
        // build defect, not an input error.
        CueClassifier::from_lexicon_str(BUILTIN_LEXICON, "lexicons/stage_cues.tsv")
            .expect("built-in stage lexicon is valid")
    }

    /// Load a lexicon file (the format documented at the top of
    /// `lexicons/stage_cues.tsv`).
    pub fn from_path(path: &Path) -> Result<CueClassifier, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        CueClassifier::from_lexicon_str(&text, &path.display().to_string())
    }

    /// Parse a lexicon from text; `origin` names it in errors (`origin:line: …`).
    pub fn from_lexicon_str(text: &str, origin: &str) -> Result<CueClassifier, String> {
        let mut params = Params::default();
        let mut patterns: Vec<Pattern> = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            let err = |msg: String| format!("{origin}:{line_no}: {msg}");
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            match fields[0] {
                "param" => {
                    if fields.len() != 3 {
                        return Err(err(format!(
                            "param row needs 3 fields, found {}",
                            fields.len()
                        )));
                    }
                    let value: f32 = fields[2]
                        .parse()
                        .map_err(|_| err(format!("bad number `{}`", fields[2])))?;
                    params.set(fields[1], value).map_err(err)?;
                }
                "cue" => {
                    if !(4..=5).contains(&fields.len()) {
                        return Err(err(format!(
                            "cue row needs 4 or 5 fields, found {}",
                            fields.len()
                        )));
                    }
                    let cue = fields[1];
                    if cue.is_empty() {
                        return Err(err("empty cue".to_string()));
                    }
                    let stage = Stage::parse(fields[2])
                        .ok_or_else(|| err(format!("unknown stage `{}`", fields[2])))?;
                    let weight: f32 = fields[3]
                        .parse()
                        .ok()
                        .filter(|w: &f32| w.is_finite())
                        .ok_or_else(|| err(format!("bad weight `{}`", fields[3])))?;
                    let (mut word, mut state, mut once, mut pre_unless_order) =
                        (false, false, false, false);
                    for flag in fields
                        .get(4)
                        .copied()
                        .unwrap_or("")
                        .split(',')
                        .filter(|f| !f.is_empty())
                    {
                        match flag {
                            "word" => word = true,
                            "state" => state = true,
                            "once" => once = true,
                            "pre_unless_order" => pre_unless_order = true,
                            _ => {
                                return Err(err(format!(
                                    "unknown flag `{flag}` (word, state, once, pre_unless_order)"
                                )))
                            }
                        }
                    }
                    match patterns.iter_mut().find(|p| p.text == cue) {
                        Some(existing) => {
                            if existing.weights.iter().any(|(s, _)| *s == stage) {
                                return Err(err(format!(
                                    "duplicate cue `{cue}` for {}",
                                    stage.as_str()
                                )));
                            }
                            existing.word |= word;
                            existing.state |= state;
                            existing.once |= once;
                            existing.pre_unless_order |= pre_unless_order;
                            existing.weights.push((stage, weight));
                        }
                        None => patterns.push(Pattern {
                            text: cue.to_string(),
                            word,
                            state,
                            once,
                            pre_unless_order,
                            weights: vec![(stage, weight)],
                        }),
                    }
                }
                other => {
                    return Err(err(format!(
                        "unknown row kind `{other}` (expected param or cue)"
                    )))
                }
            }
        }
        if patterns.is_empty() {
            return Err(format!("{origin}: no cues"));
        }
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .ascii_case_insensitive(true)
            .build(patterns.iter().map(|p| p.text.as_str()))
            .map_err(|e| format!("{origin}: {e}"))?;
        Ok(CueClassifier {
            patterns,
            automaton,
            params,
        })
    }

    /// The scoring parameters in use.
    pub fn params(&self) -> Params {
        self.params
    }

    /// The same lexicon with other scoring parameters (used by tuning).
    pub fn set_params(&mut self, params: Params) {
        self.params = params;
    }

    /// Classify one session.
    pub fn classify(&self, session: &Session) -> StageResult {
        self.score(session, &self.extract(session), &self.params)
    }

    /// Find every cue in a session (the expensive half of [`classify`]).
    ///
    /// [`classify`]: CueClassifier::classify
    pub fn extract(&self, session: &Session) -> Evidence {
        let mut hits = Vec::new();
        let mut buyer_rank = 0usize;
        let mut group_seen = [false; 3];
        for (index, message) in session.messages.iter().enumerate() {
            let shop_side = message.is_shop_side();
            if !(shop_side || message.role == Role::Buyer) {
                continue;
            }
            if shop_side {
                if let Some(stage) = message.account.as_deref().and_then(group_stage) {
                    if !group_seen[stage.index()] {
                        group_seen[stage.index()] = true;
                        hits.push(Hit {
                            message: index,
                            source: CueSource::GroupName(stage),
                            span: Span::from_bytes(&message.text, 0, 0),
                            shop_side,
                            buyer_rank,
                        });
                    }
                }
            }
            let structural = match message.kind {
                MessageKind::Text => None,
                MessageKind::OrderCard => Some(CueSource::OrderCard),
                MessageKind::ProductCard => Some(CueSource::ProductCard),
                _ => continue,
            };
            let before = hits.len();
            if let Some(source) = structural {
                hits.push(Hit {
                    message: index,
                    source,
                    span: Span::whole(&message.text),
                    shop_side,
                    buyer_rank,
                });
            }
            self.find_cues(&message.text, index, shop_side, buyer_rank, &mut hits);
            // `once` cues: keep only their first message in the session.
            let mut kept = before;
            for position in before..hits.len() {
                let keep = match hits[position].source {
                    source @ CueSource::Pattern(p) if self.patterns[p].once => !hits[..before]
                        .iter()
                        .any(|earlier| earlier.source == source),
                    _ => true,
                };
                if keep {
                    hits.swap(kept, position);
                    kept += 1;
                }
            }
            hits.truncate(kept);
            let argued = hits[before..]
                .iter()
                .any(|hit| self.argues_for_a_stage(hit.source));
            if !shop_side && argued {
                buyer_rank += 1;
            }
        }
        Evidence { hits }
    }

    /// Lexicon matches in one message, each pattern once (its first
    /// occurrence that passes the word-boundary check). Allocates nothing
    /// beyond the hits themselves: the hits of this message (from `first`)
    /// are the record of which patterns were already found.
    fn find_cues(
        &self,
        text: &str,
        message: usize,
        shop_side: bool,
        buyer_rank: usize,
        hits: &mut Vec<Hit>,
    ) {
        let first = hits.len();
        for found in self.automaton.find_overlapping_iter(text) {
            let pattern_index = found.pattern().as_usize();
            let source = CueSource::Pattern(pattern_index);
            if hits[first..].iter().any(|hit| hit.source == source) {
                continue;
            }
            if self.patterns[pattern_index].word
                && !self.on_word_boundaries(text, found.start(), found.end())
            {
                continue;
            }
            hits.push(Hit {
                message,
                source,
                // Aho-Corasick matches whole patterns of valid UTF-8, so both
                // ends lie on char boundaries of `text`.
                span: Span::from_bytes(text, found.start(), found.end()),
                shop_side,
                buyer_rank,
            });
        }
    }

    /// Whether `start..end` of `text` begins and ends on jieba word
    /// boundaries: the shared segmenter cuts only a few characters around
    /// the match, so long messages stay cheap.
    pub(super) fn on_word_boundaries(&self, text: &str, start: usize, end: usize) -> bool {
        crate::segment::is_word_boundary_hit(text, start, end)
    }

    /// The lexicon phrases found, as (message index, shop side, phrase,
    /// span); structural cues (cards, account names) are left to the caller.
    pub fn phrase_hits<'a>(
        &'a self,
        evidence: &'a Evidence,
    ) -> impl Iterator<Item = (usize, bool, &'a str, Span)> + 'a {
        evidence.hits.iter().filter_map(|hit| match hit.source {
            CueSource::Pattern(p) => Some((
                hit.message,
                hit.shop_side,
                self.patterns[p].text.as_str(),
                hit.span,
            )),
            _ => None,
        })
    }

    /// True for a cue that shows an order exists (it argues against 售前).
    fn shows_order(&self, source: CueSource) -> bool {
        self.weights_of(source, &self.params)
            .iter()
            .any(|(stage, weight)| *stage == Stage::PreSale && *weight < 0.0)
    }

    fn argues_for_a_stage(&self, source: CueSource) -> bool {
        self.weights_of(source, &self.params)
            .iter()
            .any(|(_, weight)| *weight > 0.0)
    }

    /// The (stage, weight) pairs a cue argues for under `params`.
    fn weights_of(&self, source: CueSource, params: &Params) -> CueWeights<'_> {
        match source {
            CueSource::Pattern(index) => CueWeights::Lexicon(&self.patterns[index].weights),
            CueSource::OrderCard => {
                CueWeights::Structural([(Stage::PreSale, params.order_card_pre_sale)])
            }
            CueSource::ProductCard => {
                CueWeights::Structural([(Stage::PreSale, params.product_card_pre_sale)])
            }
            CueSource::GroupName(stage) => {
                CueWeights::Structural([(stage, params.group_name_weight)])
            }
        }
    }

    fn cue_name(&self, source: CueSource, session: &Session, message: usize) -> String {
        match source {
            CueSource::Pattern(index) => self.patterns[index].text.clone(),
            CueSource::OrderCard => "order_card".to_string(),
            CueSource::ProductCard => "product_card".to_string(),
            CueSource::GroupName(_) => {
                let account = session
                    .messages
                    .get(message)
                    .and_then(|m| m.account.as_deref())
                    .unwrap_or("");
                format!("account:{account}")
            }
        }
    }

    /// Score extracted evidence under `params` (the cheap half of
    /// [`classify`]).
    ///
    /// [`classify`]: CueClassifier::classify
    pub fn score(&self, session: &Session, evidence: &Evidence, params: &Params) -> StageResult {
        let mut scores = [params.priors[0], params.priors[1], params.priors[2], 0.0f32];
        let mut contributions: Vec<(Stage, f32, &Hit)> = Vec::new();
        // The first buyer message that shows an order (card, number,
        // "我买的"): from there on the buyer is asking about that order.
        let first_order_message = evidence
            .hits
            .iter()
            .filter(|hit| !hit.shop_side && self.shows_order(hit.source))
            .map(|hit| hit.message)
            .min();
        let order_evidence = first_order_message.is_some();
        // The buyer said outright that nothing is bought yet ("还没买",
        // "现在拍的话") before showing any order: until an order shows, the
        // delivery and payment questions are about a purchase to come.
        let said_unbought = evidence.hits.iter().any(|hit| {
            !hit.shop_side
                && first_order_message.is_none_or(|first| hit.message < first)
                && matches!(hit.source, CueSource::Pattern(p)
                    if self.patterns[p].state
                        && self.patterns[p]
                            .weights
                            .iter()
                            .any(|(stage, weight)| *stage == Stage::PreSale && *weight > 0.0))
        });
        for hit in &evidence.hits {
            let ordered_so_far = first_order_message.is_some_and(|first| first <= hit.message);
            let flagged = !ordered_so_far
                && matches!(hit.source, CueSource::Pattern(p) if self.patterns[p].pre_unless_order);
            let unbought_so_far = !ordered_so_far && said_unbought && !hit.shop_side;
            // An account's group name is the shop's own routing, not chat
            // text: it keeps its weight.
            let from_account = matches!(hit.source, CueSource::GroupName(_));
            let role_factor = if hit.shop_side && !from_account {
                params.agent_factor
            } else {
                1.0
            };
            let is_state = from_account
                || matches!(hit.source, CueSource::Pattern(p) if self.patterns[p].state);
            let position_factor = 1.0 / (1.0 + params.position_decay * hit.buyer_rank as f32);
            for &(stage, weight) in self.weights_of(hit.source, params).iter() {
                // A delivery question with no order shown yet is asked
                // before buying (能送到吗 → 售前).
                let stage =
                    if weight > 0.0 && (flagged || (unbought_so_far && stage == Stage::InSale)) {
                        Stage::PreSale
                    } else {
                        stage
                    };
                // Order-state cues keep their force wherever they are: an
                // order card late in the session still proves an order.
                let factor = if weight < 0.0 || is_state {
                    role_factor
                } else {
                    role_factor * position_factor
                };
                let effective = weight * factor;
                scores[stage.index()] += effective;
                contributions.push((stage, effective, hit));
            }
        }
        // No order card, number or purchase statement from the buyer: on
        // Taobao and JD that is itself a sign nothing was bought yet.
        if !order_evidence {
            scores[Stage::PreSale.index()] += params.no_order_pre_sale;
        }

        let (best_sale, best_sale_score) = [Stage::PreSale, Stage::InSale, Stage::AfterSale]
            .into_iter()
            .map(|stage| (stage, scores[stage.index()]))
            .fold((Stage::InSale, f32::MIN), |best, next| {
                if next.1 > best.1 {
                    next
                } else {
                    best
                }
            });
        // With an order in evidence the session is about that order even
        // when its request has no cue; only other cues can make it other.
        let too_weak = !order_evidence && best_sale_score < params.min_evidence;
        let stage = if scores[3] >= best_sale_score || too_weak {
            Stage::Other
        } else {
            best_sale
        };
        // Other without cues of its own still needs a score to compete in
        // the softmax: the evidence threshold it won by.
        let mut decision_scores = scores;
        if stage == Stage::Other {
            decision_scores[3] = scores[3].max(params.min_evidence);
        }
        let chosen = decision_scores[stage.index()];
        let runner_up = decision_scores
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != stage.index())
            .map(|(_, s)| *s)
            .fold(f32::MIN, f32::max);
        let max = decision_scores.iter().copied().fold(f32::MIN, f32::max);
        let total: f32 = decision_scores.iter().map(|s| (s - max).exp()).sum();
        let confidence = ((chosen - max).exp() / total).clamp(0.0, 1.0);

        let mut reasons: Vec<StageReason> = contributions
            .into_iter()
            .filter(|(s, w, _)| *s == stage && *w > 0.0)
            .filter_map(|(_, weight, hit)| {
                let message = session.messages.get(hit.message)?;
                Some(StageReason {
                    message_id: message.id.clone(),
                    cue: self.cue_name(hit.source, session, hit.message),
                    weight,
                    span: hit.span,
                })
            })
            .collect();
        reasons.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        reasons.truncate(MAX_REASONS);

        StageResult {
            stage,
            confidence,
            high_confidence: chosen - runner_up >= params.high_margin,
            reasons,
            scores: StageScores::from_array(decision_scores),
        }
    }
}

/// A cue's (stage, weight) pairs without allocating: borrowed from the
/// lexicon, or the single pair of a structural cue.
enum CueWeights<'a> {
    Lexicon(&'a [(Stage, f32)]),
    Structural([(Stage, f32); 1]),
}

impl std::ops::Deref for CueWeights<'_> {
    type Target = [(Stage, f32)];

    fn deref(&self) -> &[(Stage, f32)] {
        match self {
            CueWeights::Lexicon(weights) => weights,
            CueWeights::Structural(weight) => weight,
        }
    }
}

/// Reasons kept per session: enough to see why, short enough to read.
const MAX_REASONS: usize = 8;

/// The stage group an account name declares (`店铺:售后小王` → 售后).
pub(super) fn group_stage(account: &str) -> Option<Stage> {
    // Only the sub-account part names the group; the shop name may contain
    // anything.
    let sub = account.rsplit(':').next().unwrap_or(account);
    if sub.contains("售前") {
        Some(Stage::PreSale)
    } else if sub.contains("售中") {
        Some(Stage::InSale)
    } else if sub.contains("售后") {
        Some(Stage::AfterSale)
    } else {
        None
    }
}
