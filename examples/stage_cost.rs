//! What the stage classifier costs: time to classify every session of the
//! given transcript files on one thread, for the learned classifier and for
//! the cue lexicon alone. Compare with `wwqa scan FILES --threads 1` to get
//! the share of a scan (README, "Session stage accuracy").
//!
//! `cargo run --release --example stage_cost -- FILE...`

use std::time::Instant;
use wwqa::stage::eval::load_sessions;
use wwqa::stage::{CueClassifier, StageClassifier, BUILTIN_LEXICON};

fn main() -> Result<(), String> {
    let mut sessions = Vec::new();
    let mut bytes = 0u64;
    for path in std::env::args().skip(1) {
        bytes += std::fs::metadata(&path)
            .map_err(|e| format!("{path}: {e}"))?
            .len();
        sessions.extend(load_sessions(std::path::Path::new(&path))?);
    }
    let messages: usize = sessions.iter().map(|s| s.messages.len()).sum();
    // The segmenter is shared with the text rules of a scan: built once,
    // not counted here.
    let _ = wwqa::segment::shared();
    let learned = StageClassifier::builtin();
    let cues = CueClassifier::from_lexicon_str(BUILTIN_LEXICON, "lexicons/stage_cues.tsv")?;
    let rounds = 3;
    type Classify<'a> = &'a dyn Fn(&wwqa::model::Session) -> usize;
    let learned_fn = |s: &wwqa::model::Session| learned.classify(s).reasons.len();
    let cues_fn = |s: &wwqa::model::Session| cues.classify(s).reasons.len();
    let runs: [(&str, Classify<'_>); 2] =
        [("learned model", &learned_fn), ("cue lexicon", &cues_fn)];
    for (name, classify) in runs {
        let start = Instant::now();
        let mut checksum = 0usize;
        for _ in 0..rounds {
            for session in &sessions {
                checksum += classify(session);
            }
        }
        let secs = start.elapsed().as_secs_f64() / rounds as f64;
        println!(
            "{name}: {} sessions, {messages} messages, {bytes} bytes: {:.3} s per pass ({:.1} us/session, {:.1} MB/s) [checksum {checksum}]",
            sessions.len(),
            secs,
            secs * 1e6 / sessions.len().max(1) as f64,
            bytes as f64 / secs / 1e6
        );
    }
    Ok(())
}
