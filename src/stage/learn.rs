//! Learning the stage model from hand labels: the labelled corpus (any
//! transcript files wwqa reads, plus ECD excerpts, and their labels TSVs),
//! model selection by inner cross-validation, nested cross-validation for
//! honest figures, and `wwqa train stage`.
//!
//! Everything that is chosen — the L2 penalty and the high-confidence
//! threshold — is chosen on training sessions only: inside each outer fold
//! by an inner cross-validation, so the outer figures are on sessions that
//! neither the weights nor the choices saw.

use super::eval::{fold_of, load_labels, load_sessions, EvalReport, LabelRow};
use super::model::{session_features, train, Example, StageModel, TrainOptions};
use super::{CueClassifier, Stage, StageClassifier, StageResult};
use crate::model::Session;
use serde::Serialize;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// One labelled session.
#[derive(Debug, Clone)]
pub struct Item {
    /// The labels file it came from (file stem), for per-source figures.
    pub source: String,
    /// The hand label.
    pub label: LabelRow,
    /// The session.
    pub session: Session,
}

/// Labelled sessions from one or more data and labels files.
#[derive(Debug, Clone, Default)]
pub struct Corpus {
    /// In labels-file order, then row order.
    pub items: Vec<Item>,
    /// Label rows whose session is in none of the data files, per source.
    pub missing: Vec<(String, usize)>,
    /// The labels files' names (for provenance).
    pub label_files: Vec<String>,
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Load every data file (JDDC TSV, wwqa jsonl/csv with `session` ids, ECD
/// excerpts, any format `scan` reads) and join the labels files' rows to
/// their sessions by id.
///
/// # Errors
/// A data or labels file that does not parse, or a session labelled in two
/// labels files.
pub fn load_corpus(data: &[PathBuf], labels: &[PathBuf]) -> Result<Corpus, String> {
    let mut sessions: HashMap<String, Session> = HashMap::new();
    for path in data {
        for session in load_sessions(path)? {
            sessions.insert(session.id.clone(), session);
        }
    }
    let mut corpus = Corpus::default();
    let mut seen: HashMap<String, String> = HashMap::new();
    for path in labels {
        let source = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        corpus.label_files.push(file_name(path));
        let rows = load_labels(path)?;
        let mut missing = 0usize;
        for row in rows.rows {
            if let Some(first) = seen.insert(row.session_id.clone(), source.clone()) {
                return Err(format!(
                    "{}: session `{}` is also labelled in {first}",
                    path.display(),
                    row.session_id
                ));
            }
            match sessions.get(&row.session_id) {
                Some(session) => corpus.items.push(Item {
                    source: source.clone(),
                    label: row,
                    session: session.clone(),
                }),
                None => missing += 1,
            }
        }
        corpus.missing.push((source, missing));
    }
    Ok(corpus)
}

/// The features of every item, in corpus order.
pub fn featurize(corpus: &Corpus, cues: &CueClassifier) -> Vec<Example> {
    let segmenter = crate::segment::shared();
    corpus
        .items
        .iter()
        .map(|item| Example {
            features: session_features(&item.session, cues, segmenter),
            label: item.label.stage,
        })
        .collect()
}

/// L2 penalties tried by model selection.
pub const L2_GRID: [f32; 4] = [0.001, 0.003, 0.01, 0.03];
/// Accuracy the high-confidence rows must reach in the inner
/// cross-validation (above the 0.95 target, for the optimism of choosing).
pub const HIGH_TARGET: f64 = 0.965;
/// Folds of the inner cross-validation.
pub const INNER_FOLDS: usize = 5;

fn inner_fold(id: &str, k: usize) -> usize {
    let hash = crate::model::stable_id(&[b"stage-inner", id.as_bytes()]);
    (u64::from_str_radix(&hash, 16).unwrap_or(0) % k as u64) as usize
}

/// What model selection chose, and the inner figures it chose by.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Selection {
    /// The options of the chosen grid point.
    pub options: TrainOptions,
    /// The chosen high-confidence threshold.
    pub high_threshold: f32,
    /// Inner cross-validated (4-way correct + binary correct) per L2 value.
    pub grid_scores: Vec<(f32, usize)>,
}

fn predict(model: &StageModel, example: &Example) -> [f32; 4] {
    model.probabilities(example.features.iter().map(|(n, v)| (n.as_str(), *v)))
}

fn argmax(p: &[f32; 4]) -> usize {
    (0..4).fold(0, |best, k| if p[k] > p[best] { k } else { best })
}

/// Binary answer from probabilities: bought when 售中 + 售后 outweigh 售前.
fn bought(p: &[f32; 4]) -> bool {
    p[1] + p[2] > p[0]
}

/// Choose the L2 penalty and the high-confidence threshold by inner
/// cross-validation over `items` (indices into `examples`), using only
/// those examples.
pub fn select(examples: &[Example], ids: &[&str], items: &[usize]) -> Selection {
    let base = TrainOptions::default();
    let mut best: Option<(usize, TrainOptions, Vec<[f32; 4]>)> = None;
    let mut grid_scores = Vec::new();
    for l2 in L2_GRID {
        let options = TrainOptions { l2, ..base };
        let mut predictions = vec![[0f32; 4]; items.len()];
        for fold in 0..INNER_FOLDS {
            let train_set: Vec<Example> = items
                .iter()
                .filter(|&&i| inner_fold(ids[i], INNER_FOLDS) != fold)
                .map(|&i| examples[i].clone())
                .collect();
            let model = train(&train_set, &options, 1.0);
            for (slot, &i) in items.iter().enumerate() {
                if inner_fold(ids[i], INNER_FOLDS) == fold {
                    predictions[slot] = predict(&model, &examples[i]);
                }
            }
        }
        let score: usize = items
            .iter()
            .zip(&predictions)
            .map(|(&i, p)| {
                let label = examples[i].label;
                usize::from(argmax(p) == label.index())
                    + usize::from(label.is_bought() == Some(bought(p)))
            })
            .sum();
        grid_scores.push((l2, score));
        if best.as_ref().is_none_or(|(s, _, _)| score > *s) {
            best = Some((score, options, predictions));
        }
    }
    let (_, options, predictions) = best.expect("the grid is not empty");
    // The lowest threshold whose rows reach HIGH_TARGET in the inner
    // predictions (at least 20 of them).
    let mut high_threshold = 1.0f32;
    for step in 0..=49 {
        let t = 0.50 + 0.01 * step as f32;
        let (mut n, mut correct) = (0usize, 0usize);
        for (&i, p) in items.iter().zip(&predictions) {
            let best = argmax(p);
            if p[best] >= t {
                n += 1;
                correct += usize::from(best == examples[i].label.index());
            }
        }
        if n >= 20 && correct as f64 >= HIGH_TARGET * n as f64 {
            high_threshold = t;
            break;
        }
    }
    Selection {
        options,
        high_threshold,
        grid_scores,
    }
}

/// Select on `items` and train the final model on all of them.
pub fn select_and_train(
    examples: &[Example],
    ids: &[&str],
    items: &[usize],
) -> (StageModel, Selection) {
    let selection = select(examples, ids, items);
    let train_set: Vec<Example> = items.iter().map(|&i| examples[i].clone()).collect();
    let model = train(&train_set, &selection.options, selection.high_threshold);
    (model, selection)
}

/// Figures of one labels file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SourceReport {
    /// Labels file stem.
    pub source: String,
    /// Its figures.
    #[serde(flatten)]
    pub report: EvalReport,
}

/// Figures over a corpus: all rows, per source, and the Taobao (ECD) rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CorpusReport {
    /// All rows.
    #[serde(flatten)]
    pub overall: EvalReport,
    /// Per labels file.
    pub by_source: Vec<SourceReport>,
    /// Folds of the cross-validation (absent for a plain evaluation).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cv_folds: Option<usize>,
    /// What each outer fold's model selection chose.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fold_choices: Vec<Selection>,
}

impl CorpusReport {
    /// Figures from predictions in corpus order.
    pub fn from_results(corpus: &Corpus, results: &[StageResult]) -> CorpusReport {
        let missing: usize = corpus.missing.iter().map(|(_, m)| m).sum();
        let pairs: Vec<(&LabelRow, &StageResult)> = corpus
            .items
            .iter()
            .zip(results)
            .map(|(item, r)| (&item.label, r))
            .collect();
        let overall = EvalReport::from_pairs(&pairs, missing);
        let mut by_source = Vec::new();
        for (source, missing) in &corpus.missing {
            let pairs: Vec<(&LabelRow, &StageResult)> = corpus
                .items
                .iter()
                .zip(results)
                .filter(|(item, _)| &item.source == source)
                .map(|(item, r)| (&item.label, r))
                .collect();
            by_source.push(SourceReport {
                source: source.clone(),
                report: EvalReport::from_pairs(&pairs, *missing),
            });
        }
        CorpusReport {
            overall,
            by_source,
            cv_folds: None,
            fold_choices: Vec::new(),
        }
    }

    /// Plain text: the overall figures, then one block per source.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        if let Some(k) = self.cv_folds {
            out.push_str(&format!(
                "{k}-fold cross-validation (everything learned or chosen inside each fold)\n"
            ));
        }
        out.push_str("ALL\n");
        out.push_str(&self.overall.render_text());
        for source in &self.by_source {
            out.push_str(&format!("\n{}\n", source.source));
            out.push_str(&source.report.render_text());
        }
        for (fold, choice) in self.fold_choices.iter().enumerate() {
            out.push_str(&format!(
                "fold {fold}: l2 {} high_threshold {:.2}\n",
                choice.options.l2, choice.high_threshold
            ));
        }
        out
    }
}

/// Classify the corpus with a classifier (no training).
pub fn evaluate_corpus(classifier: &dyn super::eval::Classify, corpus: &Corpus) -> CorpusReport {
    let results: Vec<StageResult> = corpus
        .items
        .iter()
        .map(|item| classifier.classify(&item.session))
        .collect();
    CorpusReport::from_results(corpus, &results)
}

/// Nested `k`-fold cross-validation of the learned classifier: for each
/// outer fold, select and train on the others, classify the fold.
pub fn cross_validate_model(corpus: &Corpus, cues: &CueClassifier, k: usize) -> CorpusReport {
    let (results, fold_choices) = cross_validated_results(corpus, cues, k);
    let mut report = CorpusReport::from_results(corpus, &results);
    report.cv_folds = Some(k.max(2));
    report.fold_choices = fold_choices;
    report
}

/// The held-out result of every item under nested `k`-fold
/// cross-validation (corpus order), and each fold's selection.
pub fn cross_validated_results(
    corpus: &Corpus,
    cues: &CueClassifier,
    k: usize,
) -> (Vec<StageResult>, Vec<Selection>) {
    let k = k.max(2);
    let examples = featurize(corpus, cues);
    let ids: Vec<&str> = corpus
        .items
        .iter()
        .map(|i| i.label.session_id.as_str())
        .collect();
    let mut results: Vec<Option<StageResult>> = vec![None; corpus.items.len()];
    let mut fold_choices = Vec::new();
    for fold in 0..k {
        let train_items: Vec<usize> = (0..ids.len())
            .filter(|&i| fold_of(ids[i], k) != fold)
            .collect();
        let (model, selection) = select_and_train(&examples, &ids, &train_items);
        let classifier = StageClassifier::from_parts(cues.clone(), model);
        for i in (0..ids.len()).filter(|&i| fold_of(ids[i], k) == fold) {
            results[i] = Some(classifier.classify(&corpus.items[i].session));
        }
        fold_choices.push(selection);
    }
    let results: Vec<StageResult> = results
        .into_iter()
        .map(|r| r.expect("every item is in one fold"))
        .collect();
    (results, fold_choices)
}

/// `k`-fold cross-validation of the cue lexicon alone (the classifier
/// before the learned model), its scoring parameters tuned inside each fold.
pub fn cross_validate_baseline(corpus: &Corpus, cues: &CueClassifier, k: usize) -> CorpusReport {
    let sessions: Vec<Session> = corpus.items.iter().map(|i| i.session.clone()).collect();
    let labels = super::eval::Labels {
        rows: corpus.items.iter().map(|i| i.label.clone()).collect(),
    };
    let k = k.max(2);
    let mut results: Vec<Option<StageResult>> = vec![None; corpus.items.len()];
    let grid = super::eval::param_grid(cues.params());
    for fold in 0..k {
        let train = super::eval::Labels {
            rows: labels
                .rows
                .iter()
                .filter(|r| fold_of(&r.session_id, k) != fold)
                .cloned()
                .collect(),
        };
        let params = super::eval::tune_params_on_grid(cues, &sessions, &train, &grid);
        let mut tuned = cues.clone();
        tuned.set_params(params);
        for (i, item) in corpus.items.iter().enumerate() {
            if fold_of(&item.label.session_id, k) == fold {
                results[i] = Some(tuned.classify(&item.session));
            }
        }
    }
    let results: Vec<StageResult> = results
        .into_iter()
        .map(|r| r.expect("every item is in one fold"))
        .collect();
    let mut report = CorpusReport::from_results(corpus, &results);
    report.cv_folds = Some(k);
    report
}

/// The model `wwqa train stage` writes: selection and training on the
/// whole corpus, with its provenance as comment lines.
pub fn train_on_corpus(corpus: &Corpus, cues: &CueClassifier) -> (StageModel, Selection) {
    let examples = featurize(corpus, cues);
    let ids: Vec<&str> = corpus
        .items
        .iter()
        .map(|i| i.label.session_id.as_str())
        .collect();
    let items: Vec<usize> = (0..ids.len()).collect();
    let (mut model, selection) = select_and_train(&examples, &ids, &items);
    let mut counts = [0usize; 4];
    for item in &corpus.items {
        counts[item.label.stage.index()] += 1;
    }
    model.comments = vec![
        "wwqa session-stage model (multinomial logistic regression); see lexicons/stage_model.md".to_string(),
        format!(
            "trained on {} labelled sessions from {} (pre_sale {}, in_sale {}, after_sale {}, other {})",
            corpus.items.len(),
            corpus.label_files.join(", "),
            counts[Stage::PreSale.index()],
            counts[Stage::InSale.index()],
            counts[Stage::AfterSale.index()],
            counts[Stage::Other.index()],
        ),
        format!(
            "chosen by {INNER_FOLDS}-fold cross-validation: l2 {} (grid {:?}), high_threshold {:.2} (high rows ≥ {HIGH_TARGET})",
            selection.options.l2, L2_GRID, selection.high_threshold
        ),
        "rebuild: wwqa train stage --data <each data file> --labels <each labels file> --out lexicons/stage_model.tsv".to_string(),
    ];
    (model, selection)
}

/// How `wwqa eval stage` measures.
#[derive(Debug, Clone, Default)]
pub struct EvalHow {
    /// Nested cross-validation with this many folds instead of the shipped
    /// model.
    pub cv: Option<usize>,
    /// The cue lexicon alone (with `cv`: its parameters tuned per fold).
    pub baseline: bool,
    /// A model file instead of the bundled one.
    pub model: Option<PathBuf>,
}

/// `wwqa eval stage`: load, classify (or cross-validate), report.
///
/// # Errors
/// Unreadable or malformed data, labels or model files.
pub fn run_eval(
    data: &[PathBuf],
    labels: &[PathBuf],
    how: &EvalHow,
) -> Result<CorpusReport, String> {
    let corpus = load_corpus(data, labels)?;
    let cues = CueClassifier::from_lexicon_str(super::BUILTIN_LEXICON, "lexicons/stage_cues.tsv")?;
    Ok(match (how.cv, how.baseline) {
        (Some(k), false) => cross_validate_model(&corpus, &cues, k),
        (Some(k), true) => cross_validate_baseline(&corpus, &cues, k),
        (None, true) => evaluate_corpus(&cues, &corpus),
        (None, false) => {
            let classifier = match &how.model {
                Some(path) => {
                    let text = std::fs::read_to_string(path)
                        .map_err(|e| format!("{}: {e}", path.display()))?;
                    StageClassifier::from_model(&path.display().to_string(), &text)?
                }
                None => StageClassifier::bundled()?,
            };
            evaluate_corpus(&classifier, &corpus)
        }
    })
}

/// `wwqa train stage`: train on the labelled corpus and write the model
/// file; returns a one-line summary.
///
/// # Errors
/// Unreadable inputs or an unwritable output.
pub fn run_train(data: &[PathBuf], labels: &[PathBuf], out: &Path) -> Result<String, String> {
    let corpus = load_corpus(data, labels)?;
    let cues = CueClassifier::from_lexicon_str(super::BUILTIN_LEXICON, "lexicons/stage_cues.tsv")?;
    let (model, selection) = train_on_corpus(&corpus, &cues);
    std::fs::write(out, model.to_text()).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(format!(
        "trained on {} sessions ({} features, l2 {}, high_threshold {:.2}) → {}",
        corpus.items.len(),
        model.len(),
        selection.options.l2,
        selection.high_threshold,
        out.display()
    ))
}
