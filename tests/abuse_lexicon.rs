//! The abuse-term test sets in `fixtures/abuse` (written apart from the
//! list): planted insults and threats by sentence shape, evasions, and
//! innocent look-alikes, as `wwqa eval abuse-lexicon` reports them.

use std::path::Path;
use wwqa::abuse::terms::AbuseTerms;
use wwqa::abuse::terms_eval::{evaluate, LexiconEval};

fn run(dir: &str) -> LexiconEval {
    let terms = AbuseTerms::bundled().unwrap();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    evaluate(&terms, &path).unwrap()
}

fn check(eval: &LexiconEval) {
    let report = eval.render();
    println!("{report}");
    for (shape, t) in &eval.planted {
        assert!(
            t.rate() >= 0.9,
            "planted recall for {shape} is {:.3}\n{report}",
            t.rate()
        );
    }
    assert!(eval.evasion_recall() >= 0.9, "{report}");
    assert!(eval.false_positive_rate() <= 0.05, "{report}");
}

#[test]
fn main_set_meets_the_targets() {
    let eval = run("fixtures/abuse");
    // The set's own size, as the issue asks.
    let planted: usize = eval.planted.values().map(|t| t.total).sum();
    let evasions: usize = eval.evasions.values().map(|t| t.total).sum();
    let innocent: usize = eval.innocent.values().map(|t| t.total).sum();
    assert!(
        planted >= 150 && evasions >= 70 && innocent >= 200,
        "{planted} {evasions} {innocent}"
    );
    assert!(eval.planted.len() >= 4, "several sentence shapes");
    check(&eval);
}

#[test]
fn second_set_meets_the_targets() {
    check(&run("fixtures/abuse/holdout"));
}
