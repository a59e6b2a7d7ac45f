//! The learned classifier: behaviour on the error kinds of issue #20, the
//! model file format, determinism.

use super::model::{train, Example, StageModel, TrainOptions};
use super::tests::{agent, buyer, quotes, session};
use super::*;
use crate::model::Role;

fn classify(lines: &[(Role, Option<&str>, &str)]) -> StageResult {
    StageClassifier::builtin().classify(&session(lines))
}

#[test]
fn taobao_pre_sale_questions_are_pre_sale_not_other() {
    for text in [
        "能便宜点吗",
        "100件什么价",
        "还有现货吗",
        "这款有没有红色的，包邮吗",
    ] {
        let result = classify(&[buyer("你好"), buyer(text)]);
        assert_eq!(result.stage, Stage::PreSale, "{text}: {result:?}");
    }
}

#[test]
fn cancel_and_refund_before_delivery_is_in_sale() {
    let result = classify(&[
        buyer("[订单编号:1234567890123，订单金额:59.00，下单时间:2024-03-01 10:00:00]"),
        buyer("还没发货，我想取消订单退款"),
        agent("好的亲，这边帮您取消"),
    ]);
    assert_eq!(result.stage, Stage::InSale);
    assert!(result.high_confidence, "{result:?}");
    // The reasons quote the buyer's words that fired, sliced from the
    // original text by their spans.
    let quoted = quotes(
        &session(&[
            buyer("[订单编号:1234567890123，订单金额:59.00，下单时间:2024-03-01 10:00:00]"),
            buyer("还没发货，我想取消订单退款"),
            agent("好的亲，这边帮您取消"),
        ]),
        &result,
    );
    assert!(
        quoted
            .iter()
            .any(|(id, quote)| id == "m1" && quote == "发货"),
        "{quoted:?}"
    );
    let negated = result
        .reasons
        .iter()
        .find(|r| r.cue == "n:发货")
        .expect("the negated 发货 is a reason");
    assert_eq!(negated.span.char_start, 2);
}

#[test]
fn damaged_on_arrival_is_after_sale() {
    let result = classify(&[buyer("收到的杯子是碎的，要退货")]);
    assert_eq!(result.stage, Stage::AfterSale);
    assert!(result.reasons.iter().any(|r| r.cue == "cue:退货"));
}

#[test]
fn price_protection_after_buying_counts_as_bought() {
    let result = classify(&[buyer("我下单那会儿的价格比现在贵，能退差价吗")]);
    assert_eq!(result.stage, Stage::AfterSale, "{result:?}");
    assert!(result.bought());
}

#[test]
fn merchant_back_office_question_is_other() {
    let result = classify(&[buyer("我是商家，店铺后台怎么上架商品")]);
    assert_eq!(result.stage, Stage::Other, "{result:?}");
}

#[test]
fn nothing_to_be_about_is_other_with_full_confidence() {
    for lines in [
        vec![],
        vec![buyer("在吗")],
        vec![buyer("在吗"), buyer("你好")],
    ] {
        let result = classify(&lines);
        assert_eq!(result.stage, Stage::Other);
        assert_eq!(result.confidence, 1.0);
        assert!(result.reasons.is_empty());
    }
    // One substantive word from either side is enough to leave it to the
    // model.
    assert_ne!(
        classify(&[buyer("在吗"), buyer("退货")]).stage,
        Stage::Other
    );
}

#[test]
fn confidence_is_the_probability_of_the_chosen_stage() {
    let result = classify(&[buyer("这款还有现货吗，能便宜点吗")]);
    let s = result.scores;
    let sum = s.pre_sale + s.in_sale + s.after_sale + s.other;
    assert!((sum - 1.0).abs() < 1e-4, "{s:?}");
    assert_eq!(result.confidence, s.pre_sale);
    assert_eq!(
        result.high_confidence,
        result.confidence >= StageClassifier::builtin().model().high_threshold
    );
}

#[test]
fn odd_input_does_not_panic() {
    let classifier = StageClassifier::builtin();
    let long = "退货".repeat(5000);
    for text in [
        "",
        " ",
        "\t\n",
        "😀😀",
        "[订单编号:",
        &long,
        "\u{200b}退款\u{200b}",
    ] {
        let _ = classifier.classify(&session(&[buyer(text), agent(text)]));
    }
}

fn toy_examples() -> Vec<Example> {
    let ex = |names: &[&str], label: Stage| Example {
        features: names.iter().map(|n| (n.to_string(), 1.0)).collect(),
        label,
    };
    vec![
        ex(&["b:便宜", "b:吗"], Stage::PreSale),
        ex(&["b:便宜", "b:现货"], Stage::PreSale),
        ex(&["b:发货", "n:发货"], Stage::InSale),
        ex(&["b:发货", "b:催"], Stage::InSale),
        ex(&["b:退货", "b:坏"], Stage::AfterSale),
        ex(&["b:退货", "b:碎"], Stage::AfterSale),
        ex(&["b:账号", "b:密码"], Stage::Other),
        ex(&["b:账号", "b:登录"], Stage::Other),
    ]
}

#[test]
fn training_separates_toy_data_and_is_deterministic() {
    let options = TrainOptions {
        l2: 0.001,
        ..TrainOptions::default()
    };
    let model = train(&toy_examples(), &options, 0.8);
    let p = model.probabilities([("b:退货", 1.0)]);
    assert!(p[Stage::AfterSale.index()] > 0.5, "{p:?}");
    // Features seen once are left out (min_count 2).
    assert!(model.weights_of("b:碎").is_none());
    assert!(model.weights_of("b:账号").is_some());
    let again = train(&toy_examples(), &options, 0.8);
    assert_eq!(model.to_text(), again.to_text());
}

#[test]
fn model_text_round_trips_byte_for_byte() {
    let mut model = train(&toy_examples(), &TrainOptions::default(), 0.9);
    model.comments = vec!["toy".to_string(), String::new()];
    let text = model.to_text();
    let parsed = StageModel::parse("toy.tsv", &text).expect("parses");
    assert_eq!(parsed.to_text(), text);
    assert_eq!(parsed, model);
    assert!(text.starts_with("# toy\n#\nformat\twwqa-stage-model\t1\n"));
}

#[test]
fn bundled_model_parses_and_rebuilds_its_own_text() {
    let model = StageModel::bundled().expect("bundled model is valid");
    assert!(model.len() > 1000);
    assert!(model.high_threshold > 0.5 && model.high_threshold <= 1.0);
    assert_eq!(model.to_text(), super::model::BUNDLED_MODEL);
    fn shareable<T: Send + Sync>() {}
    shareable::<StageClassifier>();
}

#[test]
fn model_file_errors_are_located() {
    let head = "format\twwqa-stage-model\t1\n";
    let cases = [
        ("w\tb:x\t1\t2\t3\t4\n", "m.tsv:1:1: the first row must be the `format` row"),
        ("format\twwqa-stage-model\t2\n", "m.tsv:1:25: format version 2 is not supported (this build reads 1)"),
        ("param\thigh_treshold\t0.9\n", "m.tsv:2:7: unknown param `high_treshold` (did you mean `high_threshold`?)"),
        ("wt\tb:x\t1\t2\t3\t4\n", "m.tsv:2:1: unknown row kind `wt` (did you mean `w`?)"),
        ("w\tb:x\t1\t2\tNaN\t4\n", "m.tsv:2:11: expected a number, found `NaN`"),
        ("w\tb:x\t1\t2\t3\n", "m.tsv:2:1: `w` row needs 6 fields, found 5"),
        ("param\titerations\t1.5\n", "m.tsv:2:18: `iterations` must be a whole number"),
        ("param\thigh_threshold\t0.9\n", "m.tsv: no `bias` row"),
        ("bias\t0\t0\t0\t0\n", "m.tsv: no `param\thigh_threshold` row"),
        (
            "param\thigh_threshold\t0.9\nbias\t0\t0\t0\t0\nw\tb:x\t1\t2\t3\t4\nw\tb:x\t1\t2\t3\t4\n",
            "m.tsv:5:3: feature `b:x` listed twice",
        ),
    ];
    for (body, expected) in cases {
        let text = if body.starts_with("format")
            || body.starts_with("w\tb:x\t1\t2\t3\t4\n") && expected.contains("first row")
        {
            body.to_string()
        } else {
            format!("{head}{body}")
        };
        assert_eq!(
            StageModel::parse("m.tsv", &text).unwrap_err(),
            expected,
            "{body:?}"
        );
    }
    assert!(StageClassifier::from_model("m.tsv", "bias\t0\t0\t0\t0\n").is_err());
    let ok = StageClassifier::from_model(
        "m.tsv",
        "format\twwqa-stage-model\t1\nparam\thigh_threshold\t0.5\nbias\t0\t0\t0\t1\n",
    )
    .expect("a model with only biases is valid");
    let result = ok.classify(&session(&[buyer("退货")]));
    assert_eq!(result.stage, Stage::Other);
}
