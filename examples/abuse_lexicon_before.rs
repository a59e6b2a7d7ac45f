//! The "before" figures: the generic lexicon matcher's `[insult]` and
//! `[threat]` hits (lexicons/abuse.lex, what ABU001/ABU002 read before
//! lexicons/abuse_terms.txt) over the test sets in `fixtures/abuse`.
//!
//! `cargo run --example abuse_lexicon_before [-- fixtures/abuse/holdout]`

use wwqa::lexicon::{Category, Matcher};

fn main() {
    let dir = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "fixtures/abuse".into());
    let matcher = Matcher::bundled();
    let detect = |text: &str| -> Vec<(bool, String)> {
        matcher
            .find(text, None)
            .iter()
            .filter(|h| matches!(h.category, Category::Insult | Category::Threat))
            .map(|h| {
                (
                    h.category == Category::Threat,
                    h.span.slice(text).to_string(),
                )
            })
            .collect()
    };
    match wwqa::abuse::terms_eval::evaluate_with(&detect, std::path::Path::new(&dir)) {
        Ok(eval) => print!("{}", eval.render()),
        Err(e) => eprintln!("{e}"),
    }
}
