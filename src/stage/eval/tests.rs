use super::*;
use crate::stage::eval::load_sessions as load_jddc_sessions;
use std::path::PathBuf;

fn data_path(relative: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/data")
        .join(relative)
}

/// The JDDC sample and its labels, or `None` (after saying so) when absent.
fn labelled_data() -> Option<(Vec<Session>, Labels)> {
    let sessions_path = data_path("dialogue_jddc/jddc_chat_sample.tsv");
    let labels_path = data_path("labels/jddc_stage_labels.tsv");
    if !sessions_path.exists() || !labels_path.exists() {
        println!(
            "skipped: {} or {} absent",
            sessions_path.display(),
            labels_path.display()
        );
        return None;
    }
    let sessions = load_jddc_sessions(&sessions_path).expect("JDDC sample parses");
    let labels = load_labels(&labels_path).expect("labels parse");
    Some((sessions, labels))
}

/// The bundled lexicon, or the lexicon file named by
/// `STAGE_LEXICON` (to measure an edit without rebuilding).
fn lexicon_under_test() -> StageClassifier {
    match std::env::var("STAGE_LEXICON") {
        Ok(path) => StageClassifier::from_path(std::path::Path::new(&path)).expect("lexicon loads"),
        Err(_) => StageClassifier::builtin(),
    }
}

#[test]
fn labelled_sessions_meet_targets() {
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let report = evaluate(&StageClassifier::builtin(), &sessions, &labels);
    println!("{}", report.render_text());
    assert_eq!(report.n, 320);
    assert_eq!(report.missing, 0);
    // In-sample figures (measured 0.844 / 0.963 / 0.966); the honest ones
    // are the cross-validated and fresh-label reports below.
    assert!(
        report.accuracy_high >= 0.95,
        "accuracy on high-confidence labels {:.3}",
        report.accuracy_high
    );
    assert!(
        report.accuracy >= 0.83,
        "4-way accuracy {:.3}",
        report.accuracy
    );
    assert!(
        report.binary_accuracy >= 0.96,
        "binary accuracy {:.3}",
        report.binary_accuracy
    );
}

#[test]
fn misclassified_sessions_listing() {
    // Diagnostics for lexicon work: `cargo test --lib stage::eval::tests::misclassified -- --nocapture`.
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let classifier = StageClassifier::builtin();
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let mut misses = 0;
    for row in &labels.rows {
        let Some(session) = by_id.get(row.session_id.as_str()) else {
            continue;
        };
        let result = classifier.classify(session);
        if result.stage != row.stage {
            misses += 1;
            let cues: Vec<&str> = result.reasons.iter().map(|r| r.cue.as_str()).collect();
            println!(
                "{} {} -> {} | {} | {cues:?}",
                if row.high { "H" } else { "l" },
                row.stage.as_str(),
                result.stage.as_str(),
                row.reason
            );
        }
    }
    assert!(misses < labels.rows.len() / 4);
}

/// Slow in debug builds (the grid is re-searched per fold); run with
/// `cargo test --release --lib stage::eval::tests::cross_validated -- --ignored --nocapture`.
#[test]
#[ignore]
fn cross_validated_tuning_report() {
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let classifier = lexicon_under_test();
    let cv = cross_validate(&classifier, &sessions, &labels, 10);
    println!(
        "10-fold CV of the parameter tuning\n{}",
        cv.report.render_text()
    );
    for p in &cv.fold_params {
        println!("fold params {:?}", p);
    }
    let tuned = tune_params(&classifier, &sessions, &labels);
    println!("tuned on all: {tuned:?}");
    let holdout = holdout_evaluate(&classifier, &sessions, &labels);
    println!(
        "hold-out split, tuned on development only: {:?}\nDEVELOPMENT\n{}HELD-OUT\n{}",
        holdout.params,
        holdout.development.render_text(),
        holdout.held_out.render_text()
    );
    // Measured: 4-way 0.828, high rows 0.959, binary 0.963.
    assert!(
        cv.report.binary_accuracy >= 0.96,
        "cross-validated binary accuracy {:.3}",
        cv.report.binary_accuracy
    );
    assert!(
        cv.report.accuracy >= 0.82,
        "cross-validated 4-way accuracy {:.3}",
        cv.report.accuracy
    );
    assert!(
        cv.report.accuracy_high >= 0.95,
        "cross-validated accuracy_high {:.3}",
        cv.report.accuracy_high
    );
}

#[test]
fn labels_parse_strictly() {
    let good =
        "session_id\tstage\tconfidence\treason\na\tpre_sale\thigh\t问尺码\nb\tother\tlow\t\n";
    let labels = parse_labels(good, "l.tsv").expect("valid");
    assert_eq!(labels.rows.len(), 2);
    assert_eq!(labels.rows[0].stage, Stage::PreSale);
    assert!(labels.rows[0].high && !labels.rows[1].high);

    let err = parse_labels("id\tstage\n", "l.tsv").unwrap_err();
    assert_eq!(
        err,
        "l.tsv:1: expected header `session_id stage confidence reason`"
    );
    let err = parse_labels(
        "session_id\tstage\tconfidence\treason\na\tpresale\thigh\tx\n",
        "l.tsv",
    )
    .unwrap_err();
    assert_eq!(
        err,
        "l.tsv:2: unknown stage `presale` (pre_sale, in_sale, after_sale, other)"
    );
    let err = parse_labels(
        "session_id\tstage\tconfidence\treason\na\tpre_sale\tsure\tx\n",
        "l.tsv",
    )
    .unwrap_err();
    assert_eq!(err, "l.tsv:2: confidence must be high or low, found `sure`");
    let err = parse_labels(
        "session_id\tstage\tconfidence\treason\na\tpre_sale\thigh\n",
        "l.tsv",
    )
    .unwrap_err();
    assert_eq!(err, "l.tsv:2: expected 4 tab-separated fields, found 3");
    let dup = "session_id\tstage\tconfidence\treason\na\tpre_sale\thigh\tx\na\tother\tlow\ty\n";
    assert_eq!(
        parse_labels(dup, "l.tsv").unwrap_err(),
        "l.tsv:3: session `a` already labelled on line 2"
    );
}

fn label(stage: Stage, high: bool) -> LabelRow {
    LabelRow {
        session_id: String::new(),
        stage,
        high,
        reason: String::new(),
    }
}

fn result(stage: Stage, pre: f32, bought: f32) -> StageResult {
    StageResult {
        stage,
        confidence: 0.5,
        high_confidence: true,
        reasons: Vec::new(),
        scores: crate::stage::StageScores {
            pre_sale: pre,
            in_sale: bought,
            after_sale: 0.0,
            other: 0.0,
        },
    }
}

#[test]
fn report_figures_and_json_keys() {
    let labels = [
        label(Stage::PreSale, true),
        label(Stage::InSale, true),
        label(Stage::AfterSale, false),
        label(Stage::Other, true),
    ];
    let results = [
        result(Stage::PreSale, 3.0, 0.0),
        result(Stage::AfterSale, 0.0, 3.0),
        result(Stage::AfterSale, 0.0, 3.0),
        result(Stage::Other, 0.0, 0.0),
    ];
    let pairs: Vec<(&LabelRow, &StageResult)> = labels.iter().zip(results.iter()).collect();
    let report = EvalReport::from_pairs(&pairs, 1);
    assert_eq!(report.n, 4);
    assert_eq!(report.accuracy, 0.75);
    assert!((report.accuracy_high - 2.0 / 3.0).abs() < 1e-9);
    assert_eq!(report.binary_n, 3);
    assert_eq!(report.binary_accuracy, 1.0);
    assert_eq!(
        report.confusion[Stage::InSale.index()][Stage::AfterSale.index()],
        1
    );
    // F1: pre 1, in 0, after 2/3, other 1.
    assert!((report.macro_f1 - (1.0 + 0.0 + 2.0 / 3.0 + 1.0) / 4.0).abs() < 1e-9);
    let json = serde_json::to_value(&report).expect("json");
    for key in [
        "accuracy",
        "accuracy_high",
        "macro_f1",
        "binary_accuracy",
        "n",
    ] {
        assert!(json.get(key).is_some(), "missing {key}");
    }
    assert!(report
        .render_text()
        .contains("accuracy high rows  0.667  (n=3)"));
}

#[test]
fn folds_are_stable_and_cover_all() {
    let ids: Vec<String> = (0..200).map(|i| format!("session{i}")).collect();
    let mut sizes = [0usize; 10];
    for id in &ids {
        let fold = fold_of(id, 10);
        assert_eq!(fold, fold_of(id, 10));
        sizes[fold] += 1;
    }
    assert!(sizes.iter().all(|&n| n > 5), "{sizes:?}");
}

/// The alternative the lexicon was measured against: multinomial naive Bayes
/// over jieba tokens of buyer messages, 10-fold cross-validated on the same
/// folds. Run with
/// `cargo test --release --lib stage::eval::tests::naive_bayes -- --ignored --nocapture`.
#[test]
#[ignore]
fn naive_bayes_baseline_cross_validated() {
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let jieba = jieba_rs::Jieba::new();
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let docs: Vec<(&LabelRow, Vec<String>)> = labels
        .rows
        .iter()
        .filter_map(|row| {
            let session = by_id.get(row.session_id.as_str())?;
            let tokens = session
                .messages
                .iter()
                .filter(|m| m.role == crate::model::Role::Buyer)
                .flat_map(|m| {
                    jieba
                        .cut(&m.text, true)
                        .into_iter()
                        .map(|t| t.word.to_string())
                        .collect::<Vec<_>>()
                })
                .filter(|w| !w.trim().is_empty())
                .collect();
            Some((row, tokens))
        })
        .collect();
    let k = 10;
    let mut held_out: Vec<(&LabelRow, StageResult)> = Vec::new();
    for fold in 0..k {
        let mut counts: [HashMap<&str, f64>; 4] = Default::default();
        let mut totals = [0f64; 4];
        let mut docs_per_class = [0f64; 4];
        let mut vocabulary: std::collections::HashSet<&str> = Default::default();
        for (row, tokens) in docs
            .iter()
            .filter(|(row, _)| fold_of(&row.session_id, k) != fold)
        {
            let c = row.stage.index();
            docs_per_class[c] += 1.0;
            for token in tokens {
                *counts[c].entry(token.as_str()).or_default() += 1.0;
                totals[c] += 1.0;
                vocabulary.insert(token.as_str());
            }
        }
        let v = vocabulary.len() as f64;
        let n_docs: f64 = docs_per_class.iter().sum();
        for (row, tokens) in docs
            .iter()
            .filter(|(row, _)| fold_of(&row.session_id, k) == fold)
        {
            let mut log_p = [0f64; 4];
            for c in 0..4 {
                log_p[c] = ((docs_per_class[c] + 1.0) / (n_docs + 4.0)).ln();
                for token in tokens.iter().filter(|t| vocabulary.contains(t.as_str())) {
                    let count = counts[c].get(token.as_str()).copied().unwrap_or(0.0);
                    log_p[c] += ((count + 1.0) / (totals[c] + v)).ln();
                }
            }
            let best = (0..4)
                .max_by(|&a, &b| log_p[a].total_cmp(&log_p[b]))
                .unwrap_or(3);
            let scores = crate::stage::StageScores {
                pre_sale: log_p[0] as f32,
                in_sale: log_p[1] as f32,
                after_sale: log_p[2] as f32,
                other: log_p[3] as f32,
            };
            held_out.push((
                row,
                StageResult {
                    stage: Stage::ALL[best],
                    confidence: 0.0,
                    high_confidence: false,
                    reasons: Vec::new(),
                    scores,
                },
            ));
        }
    }
    let pairs: Vec<(&LabelRow, &StageResult)> = held_out.iter().map(|(l, r)| (*l, r)).collect();
    println!(
        "naive Bayes, 10-fold CV\n{}",
        EvalReport::from_pairs(&pairs, 0).render_text()
    );
}

/// Cost per session, `cargo test --release --lib stage::eval::tests::classification_cost -- --ignored --nocapture`.
#[test]
#[ignore]
fn classification_cost() {
    // `STAGE_COST_FILES=a.txt:b.txt` measures on those transcripts instead
    // (e.g. a dump from `wwqa generate`).
    let sessions = match std::env::var("STAGE_COST_FILES") {
        Ok(files) => files
            .split(':')
            .flat_map(|f| load_jddc_sessions(std::path::Path::new(f)).expect("transcript parses"))
            .collect(),
        Err(_) => match labelled_data() {
            Some((sessions, _)) => sessions,
            None => return,
        },
    };
    let classifier = StageClassifier::builtin();
    // Build the process-wide segmenter first: a scan shares it with the
    // text rules, so its one-off cost is not the classifier's.
    let warm = std::time::Instant::now();
    let _ = crate::segment::shared();
    println!(
        "shared segmenter build (jieba + lexicon words, once per process): {:.1} ms",
        warm.elapsed().as_secs_f64() * 1e3
    );
    let start = std::time::Instant::now();
    let rounds = 20;
    let mut checksum = 0usize;
    for _ in 0..rounds {
        for session in &sessions {
            checksum += classifier.classify(session).reasons.len();
        }
    }
    let elapsed = start.elapsed();
    let per_session = elapsed.as_secs_f64() / (rounds * sessions.len()) as f64;
    let messages: usize = sessions.iter().map(|s| s.messages.len()).sum();
    println!(
        "{} sessions ({} messages) x {rounds}: {:.1} us/session, {:.2} us/message (checksum {checksum})",
        sessions.len(),
        messages,
        per_session * 1e6,
        elapsed.as_secs_f64() * 1e6 / (rounds * messages) as f64
    );
    let load = std::time::Instant::now();
    let _ = StageClassifier::builtin();
    println!(
        "classifier load (lexicon automaton): {:.1} ms",
        load.elapsed().as_secs_f64() * 1e3
    );
}

/// Each labelled row with its session and the classifier's result (rows
/// whose session is not in `sessions` are left out).
fn classified<'a>(
    classifier: &StageClassifier,
    sessions: &'a [Session],
    labels: &'a Labels,
) -> Vec<(&'a LabelRow, &'a Session, StageResult)> {
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    labels
        .rows
        .iter()
        .filter_map(|row| {
            let session = *by_id.get(row.session_id.as_str())?;
            Some((row, session, classifier.classify(session)))
        })
        .collect()
}

/// Binary errors on the development part only (the held-out part is never
/// printed): `cargo test --release --lib stage::eval::tests::dev_errors -- --ignored --nocapture`.
#[test]
#[ignore]
fn dev_errors() {
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let (dev, held) = split_holdout(&labels);
    let classifier = StageClassifier::builtin();
    println!("dev n={} held n={}", dev.rows.len(), held.rows.len());
    println!(
        "DEV\n{}",
        evaluate(&classifier, &sessions, &dev).render_text()
    );
    println!(
        "HELD-OUT\n{}",
        evaluate(&classifier, &sessions, &held).render_text()
    );
    let show_all = std::env::var("SHOW_ALL").is_ok();
    for (row, session, result) in classified(&classifier, &sessions, &dev) {
        let binary_wrong = row.stage.is_bought().is_some_and(|b| b != result.bought());
        if !(binary_wrong || (show_all && result.stage != row.stage)) {
            continue;
        }
        println!(
            "=== {} {} -> {} {:?} | {}",
            &row.session_id[..8],
            row.stage.as_str(),
            result.stage.as_str(),
            result.scores,
            row.reason
        );
        for r in &result.reasons {
            println!("   cue {} {:.2}", r.cue, r.weight);
        }
        for m in session.messages.iter().take(14) {
            let who = if m.role == crate::model::Role::Buyer {
                "B"
            } else {
                "  s"
            };
            let text: String = m.text.chars().take(90).collect();
            println!("{who} {text}");
        }
    }
}

/// Sessions without a label that the classifier calls 售前, to check the
/// order-state cues on text nobody labelled:
/// `cargo test --release --lib stage::eval::tests::unlabelled_pre_sale -- --ignored --nocapture`.
#[test]
#[ignore]
fn unlabelled_pre_sale_listing() {
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let labelled: std::collections::HashSet<&str> =
        labels.rows.iter().map(|r| r.session_id.as_str()).collect();
    let classifier = StageClassifier::builtin();
    let mut counts = [0usize; 4];
    for session in sessions
        .iter()
        .filter(|s| !labelled.contains(s.id.as_str()))
    {
        let result = classifier.classify(session);
        counts[result.stage.index()] += 1;
        if result.stage != Stage::PreSale {
            continue;
        }
        let cues: Vec<&str> = result.reasons.iter().map(|r| r.cue.as_str()).collect();
        println!("=== {} {:?} {cues:?}", &session.id[..8], result.scores);
        for m in session
            .messages
            .iter()
            .filter(|m| m.role == crate::model::Role::Buyer)
            .take(6)
        {
            println!("B {}", m.text.chars().take(80).collect::<String>());
        }
    }
    println!("unlabelled predictions {counts:?}");
}

/// Figures on another labels file for sessions of the JDDC sample (e.g.
/// sessions labelled later, never used for cue writing or fitting):
/// `STAGE_EXTRA_LABELS=path cargo test --release --lib stage::eval::tests::extra_labels -- --ignored --nocapture`.
#[test]
#[ignore]
fn extra_labels_report() {
    let Some((sessions, labels)) = labelled_data() else {
        return;
    };
    let Ok(path) = std::env::var("STAGE_EXTRA_LABELS") else {
        println!("skipped: STAGE_EXTRA_LABELS not set");
        return;
    };
    let extra = load_labels(std::path::Path::new(&path)).expect("extra labels parse");
    let lexicon_only = lexicon_under_test();
    println!(
        "LEXICON ONLY\n{}",
        evaluate(&lexicon_only, &sessions, &extra).render_text()
    );
    if std::env::var("STAGE_SHOW_ERRORS").is_ok() {
        for (row, _, result) in classified(&lexicon_only, &sessions, &extra) {
            if result.stage == row.stage {
                continue;
            }
            let cues: Vec<String> = result
                .reasons
                .iter()
                .map(|r| format!("{}:{:.1}", r.cue, r.weight))
                .collect();
            println!(
                "{} {} -> {} {:?} {cues:?}",
                row.session_id.get(..10).unwrap_or(&row.session_id),
                row.stage.as_str(),
                result.stage.as_str(),
                result.scores
            );
        }
    }
    // The same lexicon with parameters re-tuned on the shipped labels
    // (what a retune before release would give).
    let mut tuned = lexicon_under_test();
    tuned.set_params(tune_params(&tuned, &sessions, &labels));
    println!(
        "LEXICON, PARAMS TUNED ON THE SHIPPED LABELS\n{}",
        evaluate(&tuned, &sessions, &extra).render_text()
    );
}
