//! Measuring the stage classifier against hand labels: the labels file,
//! accuracy / macro-F1 / binary accuracy / confusion matrix, and k-fold
//! cross-validation of the tunable scoring parameters (so the figures
//! reported are on sessions the tuning never saw).

use super::cues::Evidence;
use super::{CueClassifier, Params, Stage, StageClassifier, StageResult};
use crate::model::Session;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// Anything that gives a session a stage: the learned classifier, or the
/// cue lexicon alone (the baseline).
pub trait Classify {
    /// The stage of one session.
    fn classify(&self, session: &Session) -> StageResult;
}

impl Classify for StageClassifier {
    fn classify(&self, session: &Session) -> StageResult {
        StageClassifier::classify(self, session)
    }
}

impl Classify for CueClassifier {
    fn classify(&self, session: &Session) -> StageResult {
        CueClassifier::classify(self, session)
    }
}

/// One hand label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelRow {
    /// The session it labels.
    pub session_id: String,
    /// The stage a human gave it.
    pub stage: Stage,
    /// True for `high` confidence, false for `low`.
    pub high: bool,
    /// The labeller's short reason.
    pub reason: String,
}

/// The hand labels of a labels file, in file order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Labels {
    /// The rows, in file order (session ids are unique).
    pub rows: Vec<LabelRow>,
}

/// Header the labels TSV must start with.
pub const LABELS_HEADER: &str = "session_id\tstage\tconfidence\treason";

/// Read a transcript file of any supported format (the JDDC TSV for the
/// shipped labels) through the regular ingest and sessions, so evaluation
/// sees exactly what a scan sees.
///
/// # Errors
/// An unreadable file, or any rejected line (`path:line: reason` of the
/// first one): an evaluation must not silently drop sessions.
pub fn load_sessions(path: &Path) -> Result<Vec<Session>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if let Ok(text) = std::str::from_utf8(&bytes) {
        if looks_like_ecd(text) {
            return parse_ecd(text, &path.to_string_lossy());
        }
    }
    crate::session::sessions_of_file(
        &path.to_string_lossy(),
        &bytes,
        &crate::ingest::IngestOptions::default(),
    )
}

/// True for the ECD (Taobao E-commerce Dialogue Corpus) layout: every
/// line `0|1 \t turn \t turn …`, with no session ids, roles or times.
pub fn looks_like_ecd(text: &str) -> bool {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty()).peekable();
    lines.peek().is_some()
        && lines.all(|line| {
            let mut fields = line.split('\t');
            matches!(fields.next(), Some("0" | "1")) && fields.next().is_some()
        })
}

/// Sessions of an ECD file, as the labels README numbers them: line *i*
/// (from 1) is session `ecd-<part>-NNN` (`<part>` from the file name,
/// `ecd_sample_train_positive.tsv` → `train`); the turns after the label
/// alternate buyer, shop, buyer … with the last one the shop's; the spaces
/// of the word segmentation are removed.
pub fn parse_ecd(text: &str, path: &str) -> Result<Vec<Session>, String> {
    use crate::model::{ConversationKey, Message, MessageKind, Role, SourceRef};
    let file_name = Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let part = file_name
        .strip_prefix("ecd_sample_")
        .and_then(|rest| rest.split(['_', '.']).next())
        .filter(|p| !p.is_empty())
        .unwrap_or("file");
    let path_arc: std::sync::Arc<str> = std::sync::Arc::from(path);
    let mut sessions = Vec::new();
    let mut offset = 0u64;
    for (index, line) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let start = offset;
        offset += line.len() as u64;
        let content = line.trim_end_matches(['\n', '\r']);
        if content.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = content.split('\t').collect();
        if !matches!(fields[0], "0" | "1") || fields.len() < 2 {
            return Err(format!(
                "{path}:{line_no}: not an ECD line (label 0/1, then turns)"
            ));
        }
        let id = format!("ecd-{part}-{line_no:03}");
        let last = fields.len() - 2;
        let conversation = ConversationKey {
            shop: "ECD".to_string(),
            buyer: id.clone(),
        };
        let messages = fields[1..]
            .iter()
            .enumerate()
            .map(|(turn, raw)| {
                // The last turn is the shop's response; before it, turns
                // alternate from the buyer.
                let shop = turn == last || turn % 2 == 1;
                let text: String = raw.split(' ').collect();
                let (role, sender) = if shop {
                    (Role::Agent, "ECD:客服".to_string())
                } else {
                    (Role::Buyer, id.clone())
                };
                Message {
                    id: format!("{id}#{turn}"),
                    conversation: conversation.clone(),
                    time: None,
                    account: shop.then(|| "ECD:客服".to_string()),
                    sender,
                    role,
                    robot_mode: None,
                    kind: if text.starts_with("[订单编号") {
                        MessageKind::OrderCard
                    } else {
                        crate::ingest::kind_of_text(&text)
                    },
                    text,
                    source: SourceRef {
                        path: path_arc.clone(),
                        line_start: line_no as u32,
                        line_end: line_no as u32,
                        byte_start: start,
                        byte_end: offset,
                    },
                }
            })
            .collect::<Vec<_>>();
        sessions.push(Session {
            id,
            conversation,
            start: None,
            end: None,
            agents: vec!["ECD:客服".to_string()],
            transfers: Vec::new(),
            messages,
        });
    }
    Ok(sessions)
}

/// Read a labels TSV (header `session_id stage confidence reason`,
/// tab-separated). Strict: any malformed row is an error `path:line: …`.
pub fn load_labels(path: &Path) -> Result<Labels, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse_labels(&text, &path.display().to_string())
}

/// Parse labels TSV text; `origin` names it in errors.
pub fn parse_labels(text: &str, origin: &str) -> Result<Labels, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, header)) if header.trim_end_matches('\r') == LABELS_HEADER => {}
        Some(_) => {
            return Err(format!(
                "{origin}:1: expected header `{}`",
                LABELS_HEADER.replace('\t', " ")
            ))
        }
        None => return Err(format!("{origin}:1: empty file")),
    }
    let mut rows = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (index, line) in lines {
        let line_no = index + 1;
        let line = line.trim_end_matches('\r');
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != 4 {
            return Err(format!(
                "{origin}:{line_no}: expected 4 tab-separated fields, found {}",
                fields.len()
            ));
        }
        if fields[0].is_empty() {
            return Err(format!("{origin}:{line_no}: empty session_id"));
        }
        let stage = Stage::parse(fields[1]).ok_or_else(|| {
            format!(
                "{origin}:{line_no}: unknown stage `{}` (pre_sale, in_sale, after_sale, other)",
                fields[1]
            )
        })?;
        let high = match fields[2] {
            "high" => true,
            "low" => false,
            other => {
                return Err(format!(
                    "{origin}:{line_no}: confidence must be high or low, found `{other}`"
                ))
            }
        };
        if let Some(first) = seen.insert(fields[0].to_string(), line_no) {
            return Err(format!(
                "{origin}:{line_no}: session `{}` already labelled on line {first}",
                fields[0]
            ));
        }
        rows.push(LabelRow {
            session_id: fields[0].to_string(),
            stage,
            high,
            reason: fields[3].to_string(),
        });
    }
    Ok(Labels { rows })
}

/// Accuracy figures of a set of predictions against labels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvalReport {
    /// Labelled sessions that were classified.
    pub n: usize,
    /// Of those, labelled with high confidence.
    pub n_high: usize,
    /// 4-way accuracy on all rows.
    pub accuracy: f64,
    /// 4-way accuracy on the rows labelled `high`.
    pub accuracy_high: f64,
    /// Mean F1 over the stages that occur in labels or predictions.
    pub macro_f1: f64,
    /// Pre-sale vs bought (in_sale + after_sale), rows labelled other left
    /// out; a session predicted other is placed by its scores.
    pub binary_accuracy: f64,
    /// Rows in the binary view.
    pub binary_n: usize,
    /// Rows the classifier itself marked high-confidence.
    pub n_predicted_high: usize,
    /// 4-way accuracy on those rows.
    pub accuracy_predicted_high: f64,
    /// Labels whose session was not among the sessions given.
    pub missing: usize,
    /// `confusion[truth][predicted]`, stages in [`Stage::ALL`] order.
    pub confusion: [[usize; 4]; 4],
    /// Accuracy by confidence bucket: does the confidence mean something?
    pub calibration: Vec<CalibrationRow>,
}

/// One confidence bucket `[low, high)` (the last one includes 1.0).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRow {
    /// Lower bound (inclusive).
    pub low: f64,
    /// Upper bound (exclusive, but 1.0 belongs to the last bucket).
    pub high: f64,
    /// Rows whose confidence is in the bucket.
    pub n: usize,
    /// 4-way accuracy of those rows.
    pub accuracy: f64,
    /// Rows marked high-confidence by the classifier in the bucket.
    pub n_predicted_high: usize,
}

/// Bucket edges of the calibration table.
const CALIBRATION_EDGES: [f64; 8] = [0.0, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95];

fn calibration(pairs: &[(&LabelRow, &StageResult)]) -> Vec<CalibrationRow> {
    let mut rows: Vec<CalibrationRow> = CALIBRATION_EDGES
        .iter()
        .enumerate()
        .map(|(i, &low)| CalibrationRow {
            low,
            high: CALIBRATION_EDGES.get(i + 1).copied().unwrap_or(1.0),
            n: 0,
            accuracy: 0.0,
            n_predicted_high: 0,
        })
        .collect();
    let mut correct = vec![0usize; rows.len()];
    for (label, result) in pairs {
        let c = f64::from(result.confidence);
        let bucket = CALIBRATION_EDGES
            .iter()
            .rposition(|&low| c >= low)
            .unwrap_or(0);
        rows[bucket].n += 1;
        rows[bucket].n_predicted_high += usize::from(result.high_confidence);
        correct[bucket] += usize::from(label.stage == result.stage);
    }
    for (row, correct) in rows.iter_mut().zip(correct) {
        row.accuracy = ratio(correct, row.n);
    }
    rows
}

impl EvalReport {
    /// Figures from (label, prediction) pairs.
    pub fn from_pairs(pairs: &[(&LabelRow, &StageResult)], missing: usize) -> EvalReport {
        let mut confusion = [[0usize; 4]; 4];
        let (mut correct, mut n_high, mut correct_high) = (0usize, 0usize, 0usize);
        let (mut binary_n, mut binary_correct) = (0usize, 0usize);
        let (mut n_pred_high, mut correct_pred_high) = (0usize, 0usize);
        for (label, result) in pairs {
            let hit = label.stage == result.stage;
            confusion[label.stage.index()][result.stage.index()] += 1;
            correct += usize::from(hit);
            if label.high {
                n_high += 1;
                correct_high += usize::from(hit);
            }
            if result.high_confidence {
                n_pred_high += 1;
                correct_pred_high += usize::from(hit);
            }
            if let Some(bought) = label.stage.is_bought() {
                binary_n += 1;
                binary_correct += usize::from(result.bought() == bought);
            }
        }
        let mut f1_sum = 0.0;
        let mut f1_classes = 0usize;
        for stage in Stage::ALL {
            let i = stage.index();
            let tp = confusion[i][i] as f64;
            let support: usize = confusion[i].iter().sum();
            let predicted: usize = confusion.iter().map(|row| row[i]).sum();
            if support == 0 && predicted == 0 {
                continue;
            }
            f1_classes += 1;
            let denominator = (support + predicted) as f64;
            f1_sum += if denominator > 0.0 {
                2.0 * tp / denominator
            } else {
                0.0
            };
        }
        EvalReport {
            n: pairs.len(),
            n_high,
            accuracy: ratio(correct, pairs.len()),
            accuracy_high: ratio(correct_high, n_high),
            macro_f1: if f1_classes == 0 {
                0.0
            } else {
                f1_sum / f1_classes as f64
            },
            binary_accuracy: ratio(binary_correct, binary_n),
            binary_n,
            n_predicted_high: n_pred_high,
            accuracy_predicted_high: ratio(correct_pred_high, n_pred_high),
            missing,
            confusion,
            calibration: calibration(pairs),
        }
    }

    /// A plain-text report with the confusion matrix.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        out.push_str(&format!("sessions            {}\n", self.n));
        out.push_str(&format!("accuracy (4-way)    {:.3}\n", self.accuracy));
        out.push_str(&format!(
            "accuracy high rows  {:.3}  (n={})\n",
            self.accuracy_high, self.n_high
        ));
        out.push_str(&format!("macro-F1            {:.3}\n", self.macro_f1));
        out.push_str(&format!(
            "binary accuracy     {:.3}  (n={})\n",
            self.binary_accuracy, self.binary_n
        ));
        out.push_str(&format!(
            "predicted-high acc  {:.3}  (n={})\n",
            self.accuracy_predicted_high, self.n_predicted_high
        ));
        if self.missing > 0 {
            out.push_str(&format!("labels without session {}\n", self.missing));
        }
        out.push_str("calibration (confidence bucket: n, accuracy, marked high)\n");
        for row in self.calibration.iter().filter(|r| r.n > 0) {
            out.push_str(&format!(
                "  [{:.2}, {:.2}{}  {:>4}  {:.3}  {:>4}\n",
                row.low,
                row.high,
                if row.high >= 1.0 { "]" } else { ")" },
                row.n,
                row.accuracy,
                row.n_predicted_high
            ));
        }
        out.push_str("confusion (rows = label, columns = predicted)\n");
        out.push_str(&format!("{:>12}", ""));
        for stage in Stage::ALL {
            out.push_str(&format!("{:>12}", stage.as_str()));
        }
        out.push('\n');
        for truth in Stage::ALL {
            out.push_str(&format!("{:>12}", truth.as_str()));
            for predicted in Stage::ALL {
                out.push_str(&format!(
                    "{:>12}",
                    self.confusion[truth.index()][predicted.index()]
                ));
            }
            out.push('\n');
        }
        out
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// Classify every labelled session found in `sessions` and compare.
pub fn evaluate(classifier: &dyn Classify, sessions: &[Session], labels: &Labels) -> EvalReport {
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut results: Vec<(&LabelRow, StageResult)> = Vec::new();
    let mut missing = 0usize;
    for row in &labels.rows {
        match by_id.get(row.session_id.as_str()) {
            Some(session) => results.push((row, classifier.classify(session))),
            None => missing += 1,
        }
    }
    let pairs: Vec<(&LabelRow, &StageResult)> = results.iter().map(|(l, r)| (*l, r)).collect();
    EvalReport::from_pairs(&pairs, missing)
}

/// The parameter grid searched by [`tune_params`]: the scoring knobs, not the
/// cue weights (those are expert-written and stay fixed).
pub fn param_grid(base: Params) -> Vec<Params> {
    let mut grid = Vec::new();
    for agent_factor in [0.2, 0.3] {
        for position_decay in [0.3, 1.0, 2.0] {
            for min_evidence in [1.0, 1.5] {
                for prior_pre in [-0.5, 0.0, 0.5, 1.0, 1.5] {
                    for prior_in in [-0.3, 0.0, 0.3, 0.8] {
                        for no_order_pre_sale in [0.0, 1.0, 2.0, 3.0] {
                            grid.push(Params {
                                agent_factor,
                                position_decay,
                                min_evidence,
                                priors: [prior_pre, prior_in, base.priors[2]],
                                no_order_pre_sale,
                                ..base
                            });
                        }
                    }
                }
            }
        }
    }
    grid
}

/// A labelled session with its extracted cues, ready to be re-scored.
struct Prepared<'a> {
    session: &'a Session,
    label: &'a LabelRow,
    evidence: Evidence,
}

fn prepare<'a>(
    classifier: &CueClassifier,
    sessions: &'a [Session],
    labels: &'a Labels,
) -> (Vec<Prepared<'a>>, usize) {
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut prepared = Vec::new();
    let mut missing = 0usize;
    for label in &labels.rows {
        match by_id.get(label.session_id.as_str()) {
            Some(session) => prepared.push(Prepared {
                session,
                label,
                evidence: classifier.extract(session),
            }),
            None => missing += 1,
        }
    }
    (prepared, missing)
}

/// The grid point with the most correct answers on `items`, 4-way plus
/// binary (ties: the earliest grid point, so the result is deterministic).
fn best_params(classifier: &CueClassifier, items: &[&Prepared<'_>], grid: &[Params]) -> Params {
    let mut best = (0usize, 0usize, classifier.params());
    for params in grid {
        let (mut correct, mut binary) = (0usize, 0usize);
        for item in items {
            let result = classifier.score(item.session, &item.evidence, params);
            correct += usize::from(result.stage == item.label.stage);
            binary += usize::from(item.label.stage.is_bought() == Some(result.bought()));
        }
        // Both views count: the 4-way label and the bought / not-bought view.
        if correct + binary > best.0 + best.1 {
            best = (correct, binary, *params);
        }
    }
    best.2
}

/// The best grid point on the labelled sessions of `labels`.
pub fn tune_params_on_grid(
    classifier: &CueClassifier,
    sessions: &[Session],
    labels: &Labels,
    grid: &[Params],
) -> Params {
    let (prepared, _) = prepare(classifier, sessions, labels);
    let items: Vec<&Prepared<'_>> = prepared.iter().collect();
    best_params(classifier, &items, grid)
}

/// Tune the scoring parameters on all labelled sessions (for writing them
/// back to the lexicon; report [`cross_validate`] figures, not these).
pub fn tune_params(classifier: &CueClassifier, sessions: &[Session], labels: &Labels) -> Params {
    let (prepared, _) = prepare(classifier, sessions, labels);
    let items: Vec<&Prepared<'_>> = prepared.iter().collect();
    best_params(classifier, &items, &param_grid(classifier.params()))
}

/// Which of `k` folds a session is in: a hash of its id, so folds do not
/// depend on file order.
pub fn fold_of(session_id: &str, k: usize) -> usize {
    let hash = crate::model::stable_id(&[session_id.as_bytes()]);
    let value = u64::from_str_radix(&hash, 16).unwrap_or(0);
    (value % k.max(1) as u64) as usize
}

/// Share (in tenths) of labelled sessions kept out of cue writing.
pub const HOLDOUT_TENTHS: u64 = 3;

/// True for the fixed ~30% of sessions held out from cue writing: cues are
/// written and adjusted looking only at the other sessions, so the figure on
/// these estimates how the lexicon does on sessions nobody read. A salted
/// hash of the id, independent of [`fold_of`]; used for splitting only.
pub fn is_held_out(session_id: &str) -> bool {
    let hash = crate::model::stable_id(&[b"stage-holdout", session_id.as_bytes()]);
    u64::from_str_radix(&hash, 16).unwrap_or(0) % 10 < HOLDOUT_TENTHS
}

/// The labels split into (development, held-out) by [`is_held_out`].
pub fn split_holdout(labels: &Labels) -> (Labels, Labels) {
    let (held, dev): (Vec<LabelRow>, Vec<LabelRow>) = labels
        .rows
        .iter()
        .cloned()
        .partition(|row| is_held_out(&row.session_id));
    (Labels { rows: dev }, Labels { rows: held })
}

/// Result of k-fold cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossValidation {
    /// Number of folds.
    pub k: usize,
    /// Figures over the pooled held-out predictions.
    pub report: EvalReport,
    /// The parameters tuned on each fold's training part.
    pub fold_params: Vec<Params>,
}

/// k-fold cross-validation of the parameter tuning: for each fold, tune on
/// the other folds and classify the held-out one; figures are pooled over
/// all held-out predictions.
pub fn cross_validate(
    classifier: &CueClassifier,
    sessions: &[Session],
    labels: &Labels,
    k: usize,
) -> CrossValidation {
    let k = k.max(2);
    let (prepared, missing) = prepare(classifier, sessions, labels);
    let grid = param_grid(classifier.params());
    let mut held_out: Vec<(&LabelRow, StageResult)> = Vec::new();
    let mut fold_params = Vec::new();
    for fold in 0..k {
        let train: Vec<&Prepared<'_>> = prepared
            .iter()
            .filter(|p| fold_of(&p.label.session_id, k) != fold)
            .collect();
        let params = best_params(classifier, &train, &grid);
        fold_params.push(params);
        for item in prepared
            .iter()
            .filter(|p| fold_of(&p.label.session_id, k) == fold)
        {
            held_out.push((
                item.label,
                classifier.score(item.session, &item.evidence, &params),
            ));
        }
    }
    let pairs: Vec<(&LabelRow, &StageResult)> = held_out.iter().map(|(l, r)| (*l, r)).collect();
    CrossValidation {
        k,
        report: EvalReport::from_pairs(&pairs, missing),
        fold_params,
    }
}

/// Figures of the fixed hold-out split: parameters tuned on the development
/// part only, then applied to both parts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HoldoutReport {
    /// Figures on the development part (the sessions cues were written on).
    pub development: EvalReport,
    /// Figures on the held-out part (never read while writing cues).
    pub held_out: EvalReport,
    /// The parameters tuned on the development part.
    pub params: Params,
}

/// Tune on the development part of [`split_holdout`] and measure both parts.
pub fn holdout_evaluate(
    classifier: &CueClassifier,
    sessions: &[Session],
    labels: &Labels,
) -> HoldoutReport {
    let (development, held_out) = split_holdout(labels);
    let (dev_prepared, dev_missing) = prepare(classifier, sessions, &development);
    let (held_prepared, held_missing) = prepare(classifier, sessions, &held_out);
    let dev_items: Vec<&Prepared<'_>> = dev_prepared.iter().collect();
    let params = best_params(classifier, &dev_items, &param_grid(classifier.params()));
    let report = |items: &[Prepared<'_>], missing: usize| {
        let results: Vec<(&LabelRow, StageResult)> = items
            .iter()
            .map(|item| {
                (
                    item.label,
                    classifier.score(item.session, &item.evidence, &params),
                )
            })
            .collect();
        let pairs: Vec<(&LabelRow, &StageResult)> = results.iter().map(|(l, r)| (*l, r)).collect();
        EvalReport::from_pairs(&pairs, missing)
    };
    HoldoutReport {
        development: report(&dev_prepared, dev_missing),
        held_out: report(&held_prepared, held_missing),
        params,
    }
}

#[cfg(test)]
mod tests;
