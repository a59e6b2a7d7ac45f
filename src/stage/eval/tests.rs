use super::*;
use crate::stage::learn::{load_corpus, run_eval, EvalHow};
use std::path::PathBuf;

/// (data files, labels files) of all 880 labels in `../shared/data`.
fn all_labelled() -> (Vec<PathBuf>, Vec<PathBuf>) {
    let at = crate::shared_data::shared_data;
    let data = vec![
        at("dialogue_jddc/jddc_chat_sample.tsv"),
        at("dialogue_ecd_taobao/ecd_sample_train_positive.tsv"),
    ];
    let labels = vec![
        at("labels/jddc_stage_labels.tsv"),
        at("labels/jddc_stage_labels_more.tsv"),
        at("labels/ecd_train_stage_labels.tsv"),
    ];
    (data, labels)
}

#[test]
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
#[cfg_attr(miri, ignore)]
fn all_labels_load_with_every_session_found() {
    let (data, labels) = all_labelled();
    let corpus = load_corpus(&data, &labels).expect("labelled data loads");
    assert_eq!(corpus.items.len(), 880);
    assert!(
        corpus.missing.iter().all(|(_, m)| *m == 0),
        "{:?}",
        corpus.missing
    );
    // ECD excerpts: turns alternate from the buyer, the last is the shop's,
    // and the word-segmentation spaces are gone.
    let first = corpus
        .items
        .iter()
        .find(|i| i.label.session_id == "ecd-train-001")
        .expect("ECD line 1");
    assert_eq!(first.session.messages[0].text, "嗯嗯");
    assert_eq!(first.session.messages[0].role, crate::model::Role::Buyer);
    assert_eq!(first.session.messages[1].role, crate::model::Role::Agent);
    assert_eq!(
        first.session.messages.last().map(|m| m.role),
        Some(crate::model::Role::Agent)
    );
}

#[test]
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
fn bundled_model_fits_its_training_labels() {
    // In-sample figures only say the shipped file is the trained one; the
    // honest figures are `wwqa eval stage --cv 10` (README).
    let (data, labels) = all_labelled();
    let report = run_eval(&data, &labels, &EvalHow::default()).expect("eval runs");
    assert_eq!(report.overall.n, 880);
    assert!(report.overall.accuracy >= 0.97, "{}", report.render_text());
    assert_eq!(report.by_source.len(), 3);
}

#[test]
fn ecd_lines_become_numbered_sessions() {
    let text = "1\t有 现货 吗\t有 的 亲\t100 件 什么 价\t亲 可以 优惠 哦\n1\t我 的 快递 到 哪 了\t亲 已经 发货 了\n";
    assert!(looks_like_ecd(text));
    assert!(!looks_like_ecd("abc\tUSERID_1\t0\t0\t0\tnan\t你好\n"));
    let sessions = parse_ecd(text, "dir/ecd_sample_test_positive.tsv").expect("parses");
    assert_eq!(sessions.len(), 2);
    assert_eq!(sessions[0].id, "ecd-test-001");
    assert_eq!(sessions[1].id, "ecd-test-002");
    let texts: Vec<&str> = sessions[0]
        .messages
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(texts, ["有现货吗", "有的亲", "100件什么价", "亲可以优惠哦"]);
    let roles: Vec<bool> = sessions[0]
        .messages
        .iter()
        .map(|m| m.is_shop_side())
        .collect();
    assert_eq!(roles, [false, true, false, true]);
    assert_eq!(sessions[1].messages[0].source.line_start, 2);
    let err = parse_ecd("1\tok\nx\tbad\n", "e.tsv").unwrap_err();
    assert_eq!(err, "e.tsv:2: not an ECD line (label 0/1, then turns)");
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

#[test]
fn wwqa_jsonl_sessions_are_evaluated_per_labels_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().join("chats.jsonl");
    std::fs::write(
        &data,
        concat!(
            r#"{"shop":"测试店","buyer":"小王","sender":"小王","text":"这款还有现货吗，能便宜点吗","session":"s1"}"#,
            "\n",
            r#"{"shop":"测试店","buyer":"小王","sender":"测试店:小美","role":"agent","text":"亲，有现货的","session":"s1"}"#,
            "\n",
            r#"{"shop":"测试店","buyer":"小李","sender":"小李","text":"收到的杯子是碎的，要退货","session":"s2"}"#,
            "\n",
        ),
    )
    .expect("write data");
    let first = dir.path().join("first.tsv");
    let second = dir.path().join("second.tsv");
    std::fs::write(
        &first,
        format!("{LABELS_HEADER}\ns1\tpre_sale\thigh\t问现货\nnone\tother\tlow\tx\n"),
    )
    .expect("write labels");
    std::fs::write(
        &second,
        format!("{LABELS_HEADER}\ns2\tafter_sale\thigh\t碎了退货\n"),
    )
    .expect("write labels");
    let report = run_eval(
        std::slice::from_ref(&data),
        &[first.clone(), second.clone()],
        &EvalHow::default(),
    )
    .expect("eval runs");
    assert_eq!(report.overall.n, 2);
    assert_eq!(report.overall.missing, 1);
    assert_eq!(report.overall.accuracy, 1.0);
    let sources: Vec<(&str, usize, usize)> = report
        .by_source
        .iter()
        .map(|s| (s.source.as_str(), s.report.n, s.report.missing))
        .collect();
    assert_eq!(sources, [("first", 1, 1), ("second", 1, 0)]);
    // A session labelled in two files is an error, not a silent pick.
    let err = run_eval(&[data], &[first.clone(), first], &EvalHow::default()).unwrap_err();
    assert!(
        err.contains("session `s1` is also labelled in first"),
        "{err}"
    );
}
