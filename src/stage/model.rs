//! The learned stage model: multinomial logistic regression over the
//! session features of [`visit_features`], its text file format, training
//! and model selection.
//!
//! # Model file (`lexicons/stage_model.tsv`, UTF-8, tab-separated)
//!
//! ```text
//! # comment lines (written by training: provenance, how to rebuild)
//! format  wwqa-stage-model  1
//! param   <name>  <value>            l2, iterations, learning_rate, min_count, high_threshold
//! bias    <pre>  <in>  <after>  <other>
//! w       <feature>  <pre>  <in>  <after>  <other>
//! ```
//!
//! Weights have four decimals; features are sorted by name, so the same
//! labels give the same bytes (training is full-batch and iterates in a
//! fixed order, with no randomness at all).

use super::cues::{group_stage, CueClassifier};
use super::{Stage, StageReason, StageResult, StageScores};
use crate::finding::Span;
use crate::model::{MessageKind, Role, Session};
use crate::segment::Segmenter;
use serde::Serialize;
use std::collections::BTreeMap;

/// The bundled model, rebuilt by `wwqa train stage` (see
/// `lexicons/stage_model.md`).
pub const BUNDLED_MODEL: &str = include_str!("../../lexicons/stage_model.tsv");
/// Name of the bundled model in errors.
pub const BUNDLED_MODEL_PATH: &str = "lexicons/stage_model.tsv";

/// First field of the format row.
const FORMAT_NAME: &str = "wwqa-stage-model";
/// Bumped whenever the features change meaning.
const FORMAT_VERSION: u32 = 1;

/// Buyer text messages whose tokens are read: the request is in the first
/// few, and the cap bounds the cost of a very long session.
const MAX_BUYER_MESSAGES: usize = 6;
/// Shop messages whose tokens are read (their first replies say what the
/// shop understood the request to be).
const MAX_SHOP_MESSAGES: usize = 6;
/// Chars of a message that are segmented (a pasted page costs no more than
/// a question).
const MAX_MESSAGE_CHARS: usize = 160;
/// Buyer messages that count as "the first substantive request".
const FIRST_REQUEST_MESSAGES: usize = 2;

/// Tokens that open a negated clause (the rest of the clause is read as
/// `n:` features): "还没发货", "没有收到" differ from "发货", "收到".
fn opens_negation(token: &str) -> bool {
    matches!(token.chars().next(), Some('不' | '没' | '未' | '别' | '无'))
        || matches!(token, "还没" | "还没有" | "并未" | "尚未")
}

/// Tokens that open a hypothetical or future clause (`h:` features):
/// "难道还要我退货吗", "买了以后坏了怎么保修".
fn opens_hypothetical(token: &str) -> bool {
    matches!(
        token,
        "如果"
            | "假如"
            | "万一"
            | "要是"
            | "假设"
            | "难道"
            | "以后"
            | "之后"
            | "到时候"
            | "到时"
            | "将来"
            | "倘若"
            | "若是"
            | "如若"
            | "一旦"
    )
}

/// Tokens that open a clause about someone else (`t:` features): "我朋友的
/// 早就到了" is not the buyer's own delivery.
fn opens_third_party(token: &str) -> bool {
    matches!(
        token,
        "朋友"
            | "同事"
            | "别人"
            | "家人"
            | "人家"
            | "邻居"
            | "同学"
            | "老公"
            | "老婆"
            | "他"
            | "她"
            | "他们"
            | "她们"
            | "我妈"
            | "妈妈"
            | "我爸"
            | "爸爸"
            | "亲戚"
    )
}

/// Small talk that does not make a message a request.
fn is_small_talk(token: &str) -> bool {
    matches!(
        token,
        "你好"
            | "您好"
            | "在"
            | "在吗"
            | "亲"
            | "嗯"
            | "嗯嗯"
            | "哦"
            | "好"
            | "好的"
            | "谢谢"
            | "客服"
            | "人工"
            | "人工客服"
            | "请问"
            | "hi"
            | "hello"
            | "哈喽"
            | "哈哈"
            | "呢"
            | "吗"
            | "啊"
            | "了"
            | "的"
            | "我"
            | "你"
            | "有"
            | "问"
            | "一下"
            | "<num>"
    )
}

fn is_clause_break(token: &str) -> bool {
    token.chars().all(|c| {
        c.is_whitespace()
            || matches!(
                c,
                '，' | '。' | '！' | '？' | ',' | '.' | '!' | '?' | '；' | ';' | '~' | '～' | '…'
            )
    })
}

/// A token worth a feature: has a letter, digit or CJK char.
fn is_wordlike(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// The first `MAX_MESSAGE_CHARS` chars of `text`.
fn head(text: &str) -> &str {
    match text.char_indices().nth(MAX_MESSAGE_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// Where a feature was seen: message index and byte range in its text.
pub type Origin = (usize, usize, usize);

/// True when the text names an order number: a masked order (`[订单x]`,
/// `ORDERID`), `订单号` or a run of at least ten digits.
fn names_order_number(text: &str) -> bool {
    if text.contains("[订单") || text.contains("ORDERID") || text.contains("订单号") {
        return true;
    }
    let mut run = 0usize;
    for b in text.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= 10 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Call `visit(name, value, origin)` for every feature of a session (a
/// feature may be visited more than once; its value is the largest). The
/// one definition of the features: training and scoring both go through it.
///
/// Names: `b:` buyer token, `f:` token of the first substantive buyer
/// request, `n:` / `h:` / `t:` buyer token in a negated / hypothetical /
/// third-party clause, `a:` shop token, `cue:` buyer lexicon phrase, `acue:`
/// shop lexicon phrase, `cue_score:<stage>` and `cue_pred:<stage>` the
/// lexicon's own verdict, `sig:` order-state and structure signals.
pub fn visit_features(
    session: &Session,
    cues: &CueClassifier,
    segmenter: &Segmenter,
    visit: &mut dyn FnMut(&str, f32, Option<Origin>),
) {
    let evidence = cues.extract(session);
    let verdict = cues.score(session, &evidence, &cues.params());
    let scores = [
        verdict.scores.pre_sale,
        verdict.scores.in_sale,
        verdict.scores.after_sale,
        verdict.scores.other,
    ];
    let mut name = String::with_capacity(64);
    for stage in Stage::ALL {
        // Scaled so a decisive lexicon score (≈4) is about one unit.
        let value = (scores[stage.index()] / 4.0).clamp(-2.0, 2.0);
        if value != 0.0 {
            name.clear();
            name.push_str("cue_score:");
            name.push_str(stage.as_str());
            visit(&name, value, None);
        }
    }
    name.clear();
    name.push_str("cue_pred:");
    name.push_str(verdict.stage.as_str());
    visit(&name, 1.0, None);
    // Phrase hits in message order; a buyer's are emitted with the scope
    // (negated, hypothetical, third-party) of the clause they are in.
    let phrases: Vec<(usize, bool, &str, Span)> = cues.phrase_hits(&evidence).collect();
    let mut next_phrase = 0usize;
    let mut scopes: Vec<(usize, &'static str)> = Vec::new();

    let mut buyer_texts = 0usize;
    let mut shop_texts = 0usize;
    let mut requests = 0usize;
    let mut tokens: Vec<(&str, usize)> = Vec::new();
    for (index, message) in session.messages.iter().enumerate() {
        let shop_side = message.is_shop_side();
        let whole = Some((index, 0, message.text.len()));
        if shop_side {
            if let Some(stage) = message.account.as_deref().and_then(group_stage) {
                name.clear();
                name.push_str("sig:group_");
                name.push_str(stage.as_str());
                visit(&name, 1.0, whole);
            }
        } else if message.role != Role::Buyer {
            continue;
        }
        match message.kind {
            MessageKind::OrderCard => {
                visit(
                    if shop_side {
                        "sig:shop_order_card"
                    } else {
                        "sig:order_card"
                    },
                    1.0,
                    whole,
                );
                continue;
            }
            MessageKind::ProductCard => {
                visit(
                    if shop_side {
                        "sig:shop_product_card"
                    } else {
                        "sig:product_card"
                    },
                    1.0,
                    whole,
                );
                continue;
            }
            MessageKind::Text => {}
            _ => continue,
        }
        if !shop_side && names_order_number(&message.text) {
            visit("sig:order_number", 1.0, whole);
        }
        let limit = if shop_side {
            shop_texts += 1;
            shop_texts <= MAX_SHOP_MESSAGES
        } else {
            buyer_texts += 1;
            buyer_texts <= MAX_BUYER_MESSAGES
        };
        if !limit {
            continue;
        }
        let text = head(&message.text);
        let base = text.as_ptr() as usize;
        tokens.clear();
        tokens.extend(
            segmenter
                .cut(text)
                .into_iter()
                .map(|t| (t, t.as_ptr() as usize - base)),
        );
        if shop_side {
            for &(token, start) in &tokens {
                if is_wordlike(token) {
                    push_token(&mut name, "a:", token);
                    visit(&name, 1.0, Some((index, start, start + token.len())));
                }
            }
            emit_phrases(&phrases, &mut next_phrase, index, &[], &mut name, visit);
            continue;
        }
        let substantive = tokens
            .iter()
            .filter(|(t, _)| is_wordlike(t) && !is_small_talk(&normal_token(t)))
            .count()
            >= 2;
        let first_request = substantive && requests < FIRST_REQUEST_MESSAGES;
        requests += usize::from(substantive);
        let mut scope = "b:";
        scopes.clear();
        for &(token, start) in &tokens {
            if is_clause_break(token) {
                scope = "b:";
                scopes.push((start, scope));
                continue;
            }
            if !is_wordlike(token) {
                continue;
            }
            let origin = Some((index, start, start + token.len()));
            push_token(&mut name, scope, token);
            visit(&name, 1.0, origin);
            if first_request && scope == "b:" {
                push_token(&mut name, "f:", token);
                visit(&name, 1.0, origin);
            }
            let opened = if opens_negation(token) {
                Some("n:")
            } else if opens_hypothetical(token) {
                Some("h:")
            } else if opens_third_party(token) {
                Some("t:")
            } else {
                None
            };
            if let Some(opened) = opened {
                scope = opened;
                scopes.push((start + token.len(), scope));
            }
        }
        emit_phrases(&phrases, &mut next_phrase, index, &scopes, &mut name, visit);
    }
    // Phrases in messages the loop skipped (beyond the caps, cards).
    emit_phrases(
        &phrases,
        &mut next_phrase,
        usize::MAX,
        &[],
        &mut name,
        visit,
    );
    let said = match buyer_texts {
        0 => "sig:buyer_texts_0",
        1 => "sig:buyer_texts_1",
        2..=3 => "sig:buyer_texts_2_3",
        4..=7 => "sig:buyer_texts_4_7",
        _ => "sig:buyer_texts_8_plus",
    };
    visit(said, 1.0, None);
    if requests == 0 {
        visit("sig:no_request", 1.0, None);
    }
}

/// Emit the phrase hits of messages up to `message` (those of `message`
/// itself with the scope that `scopes`, (byte offset, scope) changes in
/// order, gives their start).
fn emit_phrases(
    phrases: &[(usize, bool, &str, Span)],
    next: &mut usize,
    message: usize,
    scopes: &[(usize, &'static str)],
    name: &mut String,
    visit: &mut dyn FnMut(&str, f32, Option<Origin>),
) {
    while let Some(&(at, shop_side, phrase, span)) = phrases.get(*next) {
        if at > message {
            break;
        }
        *next += 1;
        let scope = if shop_side {
            "a"
        } else if at == message {
            scopes
                .iter()
                .take_while(|(offset, _)| *offset <= span.byte_start)
                .last()
                .map_or("", |(_, scope)| match *scope {
                    "n:" => "n",
                    "h:" => "h",
                    "t:" => "t",
                    _ => "",
                })
        } else {
            ""
        };
        name.clear();
        name.push_str(scope);
        name.push_str("cue:");
        name.push_str(phrase);
        visit(name, 1.0, Some((at, span.byte_start, span.byte_end)));
    }
}

/// ASCII lower case; digit runs become `<num>` (amounts and counts vary,
/// that there is one does not).
fn normal_token(token: &str) -> std::borrow::Cow<'_, str> {
    if token.chars().all(|c| c.is_ascii_digit()) {
        std::borrow::Cow::Borrowed("<num>")
    } else if token.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(token.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(token)
    }
}

fn push_token(name: &mut String, prefix: &str, token: &str) {
    name.clear();
    name.push_str(prefix);
    name.push_str(&normal_token(token));
}

/// The features of a session by name (largest value of each), for
/// training: sorted, so everything downstream iterates in a fixed order.
pub fn session_features(
    session: &Session,
    cues: &CueClassifier,
    segmenter: &Segmenter,
) -> Vec<(String, f32)> {
    let mut features: BTreeMap<String, f32> = BTreeMap::new();
    visit_features(session, cues, segmenter, &mut |name, value, _| {
        // A name with a tab or newline could not be written to the model
        // file; jieba never produces one inside a word-like token.
        if name.contains(['\t', '\n', '\r']) {
            return;
        }
        let slot = features.entry(name.to_string()).or_insert(value);
        if value.abs() > slot.abs() {
            *slot = value;
        }
    });
    features.into_iter().collect()
}

/// Training options; [`TrainOptions::default`] is what `wwqa train stage`
/// uses before model selection picks `l2`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct TrainOptions {
    /// L2 penalty on the feature weights (not the biases), per example.
    pub l2: f32,
    /// Full-batch Adam iterations.
    pub iterations: usize,
    /// Adam step size.
    pub learning_rate: f32,
    /// Features seen in fewer training sessions are left out.
    pub min_count: usize,
}

impl Default for TrainOptions {
    fn default() -> TrainOptions {
        TrainOptions {
            l2: 0.01,
            iterations: 300,
            learning_rate: 0.05,
            min_count: 2,
        }
    }
}

/// One training example: a session's features and its label.
#[derive(Debug, Clone)]
pub struct Example {
    /// Features by name (sorted, unique).
    pub features: Vec<(String, f32)>,
    /// The hand label.
    pub label: Stage,
}

/// The learned model: one weight per (feature, stage), a bias per stage and
/// the probability above which an answer counts as high-confidence.
#[derive(Debug, Clone, PartialEq)]
pub struct StageModel {
    /// Feature name → row. Looked up for every token of every session,
    /// so hashed with FxHash (SipHash's per-lookup cost showed in profiles).
    index: rustc_hash::FxHashMap<String, u32>,
    names: Vec<String>,
    weights: Vec<[f32; 4]>,
    bias: [f32; 4],
    /// Probability of the chosen stage at or above which it is marked
    /// high-confidence.
    pub high_threshold: f32,
    /// The options it was trained with (written to the file).
    pub options: TrainOptions,
    /// Comment lines written at the top of the file (provenance).
    pub comments: Vec<String>,
}

/// Round to the four decimals the file keeps, so a trained model and the
/// same model read back from its file score identically.
fn round4(value: f32) -> f32 {
    let rounded = (value * 10_000.0).round() / 10_000.0;
    if rounded == 0.0 {
        0.0
    } else {
        rounded
    }
}

impl StageModel {
    /// Number of features with weights.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when the model has no feature weights.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The weights of a feature, if the model has it.
    pub fn weights_of(&self, feature: &str) -> Option<[f32; 4]> {
        self.index.get(feature).map(|&i| self.weights[i as usize])
    }

    /// Stage probabilities of a feature vector (by name; unknown names are
    /// ignored).
    pub fn probabilities<'a>(
        &self,
        features: impl IntoIterator<Item = (&'a str, f32)>,
    ) -> [f32; 4] {
        let mut logits = self.bias;
        for (name, value) in features {
            if let Some(w) = self.weights_of(name) {
                for k in 0..4 {
                    logits[k] += w[k] * value;
                }
            }
        }
        softmax(logits)
    }

    /// The bundled model.
    ///
    /// # Errors
    /// Only if the bundled file is malformed (a build defect a unit test
    /// catches).
    pub fn bundled() -> Result<StageModel, String> {
        StageModel::parse(BUNDLED_MODEL_PATH, BUNDLED_MODEL)
    }

    /// Read a model file's text; `path` names it in errors
    /// (`path:line:col: …`).
    pub fn parse(path: &str, text: &str) -> Result<StageModel, String> {
        let mut options = TrainOptions::default();
        let mut high_threshold: Option<f32> = None;
        let mut bias: Option<[f32; 4]> = None;
        let mut format_seen = false;
        let mut comments = Vec::new();
        let mut names = Vec::new();
        let mut weights = Vec::new();
        let mut index = rustc_hash::FxHashMap::default();
        for (line_index, raw) in text.lines().enumerate() {
            let line_no = line_index + 1;
            let line = raw.trim_end_matches('\r');
            if let Some(comment) = line.strip_prefix('#') {
                comments.push(comment.strip_prefix(' ').unwrap_or(comment).to_string());
                continue;
            }
            if line.trim().is_empty() {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            // Column (1-based, in chars) where field `i` starts.
            let col = |i: usize| -> usize {
                fields[..i]
                    .iter()
                    .map(|f| f.chars().count() + 1)
                    .sum::<usize>()
                    + 1
            };
            let err = |i: usize, msg: String| format!("{path}:{line_no}:{}: {msg}", col(i));
            let number = |i: usize| -> Result<f32, String> {
                fields
                    .get(i)
                    .and_then(|f| f.parse::<f32>().ok())
                    .filter(|v| v.is_finite())
                    .ok_or_else(|| {
                        err(
                            i.min(fields.len().saturating_sub(1)),
                            format!(
                                "expected a number, found `{}`",
                                fields.get(i).unwrap_or(&"")
                            ),
                        )
                    })
            };
            let four = |from: usize| -> Result<[f32; 4], String> {
                if fields.len() != from + 4 {
                    return Err(err(
                        0,
                        format!(
                            "`{}` row needs {} fields, found {}",
                            fields[0],
                            from + 4,
                            fields.len()
                        ),
                    ));
                }
                Ok([
                    number(from)?,
                    number(from + 1)?,
                    number(from + 2)?,
                    number(from + 3)?,
                ])
            };
            match fields[0] {
                "format" => {
                    if fields.len() != 3 || fields[1] != FORMAT_NAME {
                        return Err(err(
                            0,
                            format!("expected `format\t{FORMAT_NAME}\t{FORMAT_VERSION}`"),
                        ));
                    }
                    if fields[2] != FORMAT_VERSION.to_string() {
                        return Err(err(
                            2,
                            format!("format version {} is not supported (this build reads {FORMAT_VERSION})", fields[2]),
                        ));
                    }
                    format_seen = true;
                }
                _ if !format_seen => {
                    return Err(err(0, "the first row must be the `format` row".to_string()))
                }
                "param" => {
                    if fields.len() != 3 {
                        return Err(err(
                            0,
                            format!("`param` row needs 3 fields, found {}", fields.len()),
                        ));
                    }
                    let value = number(2)?;
                    let whole = |v: f32| -> Result<usize, String> {
                        if v >= 0.0 && v.fract() == 0.0 {
                            Ok(v as usize)
                        } else {
                            Err(err(2, format!("`{}` must be a whole number", fields[1])))
                        }
                    };
                    match fields[1] {
                        "l2" => options.l2 = value,
                        "learning_rate" => options.learning_rate = value,
                        "iterations" => options.iterations = whole(value)?,
                        "min_count" => options.min_count = whole(value)?,
                        "high_threshold" => high_threshold = Some(value),
                        other => {
                            return Err(err(
                                1,
                                format!("unknown param `{other}`{}", did_you_mean(other, PARAMS)),
                            ))
                        }
                    }
                }
                "bias" => bias = Some(four(1)?),
                "w" => {
                    if fields.len() < 2 || fields[1].is_empty() {
                        return Err(err(0, "`w` row needs a feature name".to_string()));
                    }
                    let w = four(2)?;
                    let name = fields[1].to_string();
                    if index.insert(name.clone(), names.len() as u32).is_some() {
                        return Err(err(1, format!("feature `{name}` listed twice")));
                    }
                    names.push(name);
                    weights.push(w);
                }
                other => {
                    return Err(err(
                        0,
                        format!(
                            "unknown row kind `{other}`{}",
                            did_you_mean(other, ROW_KINDS)
                        ),
                    ))
                }
            }
        }
        if !format_seen {
            return Err(format!("{path}:1:1: not a stage model (no `format` row)"));
        }
        let bias = bias.ok_or_else(|| format!("{path}: no `bias` row"))?;
        let high_threshold =
            high_threshold.ok_or_else(|| format!("{path}: no `param\thigh_threshold` row"))?;
        Ok(StageModel {
            index,
            names,
            weights,
            bias,
            high_threshold,
            options,
            comments,
        })
    }

    /// The model file's text (see the module docs); `parse(to_text())`
    /// gives back the same model.
    pub fn to_text(&self) -> String {
        use std::fmt::Write;
        let mut out = String::new();
        for comment in &self.comments {
            if comment.is_empty() {
                out.push_str("#\n");
            } else {
                let _ = writeln!(out, "# {comment}");
            }
        }
        let _ = writeln!(out, "format\t{FORMAT_NAME}\t{FORMAT_VERSION}");
        let _ = writeln!(out, "param\tl2\t{}", self.options.l2);
        let _ = writeln!(out, "param\titerations\t{}", self.options.iterations);
        let _ = writeln!(out, "param\tlearning_rate\t{}", self.options.learning_rate);
        let _ = writeln!(out, "param\tmin_count\t{}", self.options.min_count);
        let _ = writeln!(out, "param\thigh_threshold\t{}", self.high_threshold);
        let row = |out: &mut String, w: &[f32; 4]| {
            for v in w {
                let _ = write!(out, "\t{:.4}", round4(*v));
            }
            out.push('\n');
        };
        out.push_str("bias");
        row(&mut out, &self.bias);
        let mut order: Vec<usize> = (0..self.names.len()).collect();
        order.sort_by(|&a, &b| self.names[a].cmp(&self.names[b]));
        for i in order {
            let _ = write!(out, "w\t{}", self.names[i]);
            row(&mut out, &self.weights[i]);
        }
        out
    }
}

const PARAMS: &[&str] = &[
    "l2",
    "iterations",
    "learning_rate",
    "min_count",
    "high_threshold",
];
const ROW_KINDS: &[&str] = &["format", "param", "bias", "w"];

fn did_you_mean(word: &str, known: &[&str]) -> String {
    crate::diag::did_you_mean(word, known.iter().copied())
        .map(|k| format!(" (did you mean `{k}`?)"))
        .unwrap_or_default()
}

fn softmax(logits: [f32; 4]) -> [f32; 4] {
    let max = logits.iter().copied().fold(f32::MIN, f32::max);
    let mut p = logits.map(|l| (l - max).exp());
    let sum: f32 = p.iter().sum();
    for v in &mut p {
        *v /= sum;
    }
    p
}

/// Train a model on `examples` (full-batch Adam on the mean cross-entropy
/// plus `l2/2·‖W‖²`; deterministic: no sampling, fixed iteration order).
/// The high-confidence threshold is left at `high_threshold`.
pub fn train(examples: &[Example], options: &TrainOptions, high_threshold: f32) -> StageModel {
    // Vocabulary: features in at least `min_count` training sessions, in
    // name order.
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for example in examples {
        for (name, _) in &example.features {
            *counts.entry(name.as_str()).or_default() += 1;
        }
    }
    let names: Vec<String> = counts
        .into_iter()
        .filter(|(_, c)| *c >= options.min_count.max(1))
        .map(|(n, _)| n.to_string())
        .collect();
    let index: rustc_hash::FxHashMap<String, u32> = names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect();
    let rows: Vec<(Vec<(u32, f32)>, usize)> = examples
        .iter()
        .map(|e| {
            let x = e
                .features
                .iter()
                .filter_map(|(n, v)| index.get(n).map(|&i| (i, *v)))
                .collect();
            (x, e.label.index())
        })
        .collect();
    let n = rows.len().max(1) as f32;
    let dims = names.len();
    let mut w = vec![[0f32; 4]; dims];
    let mut b = [0f32; 4];
    let (mut m, mut v) = (vec![[0f32; 4]; dims + 1], vec![[0f32; 4]; dims + 1]);
    let (beta1, beta2, eps) = (0.9f32, 0.999f32, 1e-8f32);
    let mut grad = vec![[0f32; 4]; dims + 1];
    for step in 1..=options.iterations {
        for (g, wi) in grad.iter_mut().zip(w.iter()) {
            for k in 0..4 {
                g[k] = options.l2 * wi[k];
            }
        }
        grad[dims] = [0.0; 4];
        for (x, label) in &rows {
            let mut logits = b;
            for &(i, value) in x {
                let wi = &w[i as usize];
                for k in 0..4 {
                    logits[k] += wi[k] * value;
                }
            }
            let mut p = softmax(logits);
            p[*label] -= 1.0;
            for &(i, value) in x {
                let g = &mut grad[i as usize];
                for k in 0..4 {
                    g[k] += p[k] * value / n;
                }
            }
            for k in 0..4 {
                grad[dims][k] += p[k] / n;
            }
        }
        let correction1 = 1.0 - beta1.powi(step as i32);
        let correction2 = 1.0 - beta2.powi(step as i32);
        for j in 0..=dims {
            for k in 0..4 {
                let g = grad[j][k];
                m[j][k] = beta1 * m[j][k] + (1.0 - beta1) * g;
                v[j][k] = beta2 * v[j][k] + (1.0 - beta2) * g * g;
                let update = options.learning_rate * (m[j][k] / correction1)
                    / ((v[j][k] / correction2).sqrt() + eps);
                if j == dims {
                    b[k] -= update;
                } else {
                    w[j][k] -= update;
                }
            }
        }
    }
    // Keep only what the file keeps: four decimals, features with a weight.
    let mut kept_names = Vec::new();
    let mut kept_weights = Vec::new();
    for (name, wi) in names.into_iter().zip(w) {
        let rounded = wi.map(round4);
        if rounded.iter().any(|x| *x != 0.0) {
            kept_names.push(name);
            kept_weights.push(rounded);
        }
    }
    let index = kept_names
        .iter()
        .enumerate()
        .map(|(i, n)| (n.clone(), i as u32))
        .collect();
    StageModel {
        index,
        names: kept_names,
        weights: kept_weights,
        bias: b.map(round4),
        high_threshold: round4(high_threshold),
        options: *options,
        comments: Vec::new(),
    }
}

/// True for a feature that shows the session has something to be about: a
/// substantive buyer request, a stage phrase, a card, an order number or a
/// shop reply that is more than small talk.
fn shows_request(name: &str) -> bool {
    // A shop's substantive words count too: an excerpt may start after
    // the buyer's question, with only the shop's answer to show it.
    if let Some(token) = name.strip_prefix("a:") {
        return !is_small_talk(token);
    }
    name.starts_with("f:")
        || name.starts_with("cue:")
        || name.starts_with("acue:")
        || name.starts_with("ncue:")
        || name.starts_with("hcue:")
        || name.starts_with("tcue:")
        || matches!(
            name,
            "sig:order_card"
                | "sig:shop_order_card"
                | "sig:product_card"
                | "sig:shop_product_card"
                | "sig:order_number"
        )
}

/// Reasons kept per session: enough to see why, short enough to read.
const MAX_REASONS: usize = 8;

/// The session-stage classifier: the learned model plus the cue lexicon
/// whose phrases and scores are among its features. Build once and share
/// (`Send + Sync`); word cuts use the process-wide segmenter of
/// [`crate::segment`].
#[derive(Debug)]
pub struct StageClassifier {
    cues: CueClassifier,
    model: StageModel,
}

impl StageClassifier {
    /// The bundled model and cue lexicon.
    ///
    /// # Errors
    /// Only if a bundled file is malformed.
    pub fn bundled() -> Result<StageClassifier, String> {
        Ok(StageClassifier {
            cues: CueClassifier::from_lexicon_str(
                super::BUILTIN_LEXICON,
                "lexicons/stage_cues.tsv",
            )?,
            model: StageModel::bundled()?,
        })
    }

    /// The bundled classifier (the bundled files are checked by unit tests,
    /// so failing here is a build defect, not an input error).
    pub fn builtin() -> StageClassifier {
        StageClassifier::bundled().expect("bundled stage model and cue lexicon are valid")
    }

    /// Another model file's text (with the bundled cue lexicon); `path`
    /// names it in errors.
    pub fn from_model(path: &str, text: &str) -> Result<StageClassifier, String> {
        Ok(StageClassifier {
            cues: CueClassifier::from_lexicon_str(
                super::BUILTIN_LEXICON,
                "lexicons/stage_cues.tsv",
            )?,
            model: StageModel::parse(path, text)?,
        })
    }

    /// A classifier from its two parts.
    pub fn from_parts(cues: CueClassifier, model: StageModel) -> StageClassifier {
        StageClassifier { cues, model }
    }

    /// The cue lexicon (features of the model).
    pub fn cues(&self) -> &CueClassifier {
        &self.cues
    }

    /// The learned model.
    pub fn model(&self) -> &StageModel {
        &self.model
    }

    /// Classify one session.
    pub fn classify(&self, session: &Session) -> StageResult {
        self.classify_with(session, crate::segment::shared())
    }

    /// Classify with a given segmenter.
    pub fn classify_with(&self, session: &Session, segmenter: &Segmenter) -> StageResult {
        // Each model feature once (its first occurrence, for the quote).
        let mut active: Vec<(u32, f32, Option<Origin>)> = Vec::new();
        let mut has_request = false;
        visit_features(
            session,
            &self.cues,
            segmenter,
            &mut |name, value, origin| {
                has_request |= shows_request(name);
                if let Some(&i) = self.model.index.get(name) {
                    active.push((i, value, origin));
                }
            },
        );
        // Each feature once: its largest value, the origin of its first
        // occurrence (the stable sort keeps visiting order within a feature).
        active.sort_by_key(|(i, _, _)| *i);
        active.dedup_by(|later, first| {
            if later.0 == first.0 {
                if later.1.abs() > first.1.abs() {
                    first.1 = later.1;
                }
                true
            } else {
                false
            }
        });
        if !has_request {
            // Nothing a stage could be about: no request from the buyer,
            // no card, no stage phrase from either side (GUIDE: "no
            // discernible request" is other), whatever the weights say.
            return StageResult {
                stage: Stage::Other,
                confidence: 1.0,
                high_confidence: true,
                reasons: Vec::new(),
                scores: StageScores::from_array([0.0, 0.0, 0.0, 1.0]),
            };
        }
        let mut logits = self.model.bias;
        for &(i, value, _) in &active {
            let w = &self.model.weights[i as usize];
            for k in 0..4 {
                logits[k] += w[k] * value;
            }
        }
        let p = softmax(logits);
        let best = (0..4).fold(0, |best, k| if p[k] > p[best] { k } else { best });
        let stage = Stage::ALL[best];
        // A feature's pull towards the chosen stage: its weight there minus
        // its mean weight elsewhere.
        let mut reasons: Vec<StageReason> = active
            .iter()
            .filter_map(|&(i, value, origin)| {
                let w = &self.model.weights[i as usize];
                let others = (0..4).filter(|&k| k != best).map(|k| w[k]).sum::<f32>() / 3.0;
                let pull = (w[best] - others) * value;
                if pull <= 0.0 {
                    return None;
                }
                let (message_index, start, end) = origin?;
                let message = session.messages.get(message_index)?;
                let span = if message.text.is_char_boundary(start)
                    && message.text.is_char_boundary(end)
                    && start <= end
                    && end <= message.text.len()
                {
                    Span::from_bytes(&message.text, start, end)
                } else {
                    return None;
                };
                Some(StageReason {
                    message_id: message.id.clone(),
                    cue: self.model.names[i as usize].clone(),
                    weight: round4(pull),
                    span,
                })
            })
            .collect();
        reasons.sort_by(|a, b| {
            b.weight
                .total_cmp(&a.weight)
                .then_with(|| a.cue.cmp(&b.cue))
        });
        reasons.truncate(MAX_REASONS);
        StageResult {
            stage,
            confidence: p[best],
            high_confidence: p[best] >= self.model.high_threshold,
            reasons,
            scores: StageScores::from_array(p),
        }
    }
}
