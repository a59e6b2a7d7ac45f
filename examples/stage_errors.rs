//! The sessions the stage classifier gets wrong under nested
//! cross-validation, with the label's reason and the model's top features:
//! the material for the error categories of `lexicons/stage_model.md`.
//!
//! `cargo run --release --example stage_errors -- DATA_DIR` (the shared
//! data folder with `dialogue_jddc/`, `dialogue_ecd_taobao/`, `labels/`).

use std::path::PathBuf;
use wwqa::stage::learn::{cross_validated_results, load_corpus};
use wwqa::stage::{CueClassifier, BUILTIN_LEXICON};

fn main() -> Result<(), String> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/data".to_string()),
    );
    let data = [
        dir.join("dialogue_jddc/jddc_chat_sample.tsv"),
        dir.join("dialogue_ecd_taobao/ecd_sample_train_positive.tsv"),
    ];
    let labels = [
        dir.join("labels/jddc_stage_labels.tsv"),
        dir.join("labels/jddc_stage_labels_more.tsv"),
        dir.join("labels/ecd_train_stage_labels.tsv"),
    ];
    let corpus = load_corpus(&data, &labels)?;
    let cues = CueClassifier::from_lexicon_str(BUILTIN_LEXICON, "lexicons/stage_cues.tsv")?;
    let (results, _) = cross_validated_results(&corpus, &cues, 10);
    for (item, result) in corpus.items.iter().zip(&results) {
        if item.label.stage == result.stage {
            continue;
        }
        let features: Vec<String> = result
            .reasons
            .iter()
            .take(5)
            .map(|r| format!("{}({:.2})", r.cue, r.weight))
            .collect();
        println!(
            "{}\t{} {} -> {} {:.2}{}\t{}\t{}",
            item.source,
            if item.label.high { "H" } else { "l" },
            item.label.stage.as_str(),
            result.stage.as_str(),
            result.confidence,
            if result.high_confidence { "*" } else { "" },
            item.label.reason,
            features.join(" ")
        );
    }
    Ok(())
}
