//! Running custom rules' `fires` and `quiet` examples: each is a short chat
//! analysed by the engine being built, with only that rule selected. A
//! `fires` example must give at least one finding of the rule, a `quiet`
//! one none; either failure is an error located at the example.

use super::custom::{example_jsonl, example_role};
use super::{Config, ConfigError};
use crate::analyze::Analyzers;
use crate::ingest::{ingest_bytes, Format, IngestOptions};
use crate::session::{sessionize, SessionOptions};

/// The findings of rule `code` on an example chat.
fn findings_of(analyzers: &Analyzers, code: &str, jsonl: &str) -> Vec<String> {
    let options = IngestOptions {
        format: Some(Format::Jsonl),
        ..IngestOptions::default()
    };
    let parsed = ingest_bytes("example", jsonl.as_bytes(), &options);
    let selection = crate::rules::Selection {
        select: vec![code.to_string()],
        ignore: Vec::new(),
    };
    let mut quotes = Vec::new();
    for session in sessionize(parsed.messages, &SessionOptions::default()) {
        let stage = analyzers.stage.classify(&session);
        let (mut findings, mut abuse) = (Vec::new(), crate::abuse::SessionAbuse::default());
        analyzers.text.check_session_in_stage(
            &session,
            Some(stage.stage),
            &selection,
            &mut findings,
            &mut abuse,
        );
        quotes.extend(
            findings
                .into_iter()
                .filter(|f| f.code == code)
                .map(|f| f.quote),
        );
    }
    quotes
}

/// Run every custom rule's examples.
///
/// # Errors
/// The first example that does not behave, located in the configuration.
pub fn run(analyzers: &Analyzers, config: &Config) -> Result<(), ConfigError> {
    for rule in analyzers.text.custom().iter() {
        let code = rule.meta.code;
        let (fires, quiet) = rule.examples();
        for example in fires {
            let jsonl = example_jsonl(&example.value, example_role(rule));
            if findings_of(analyzers, code, &jsonl).is_empty() {
                return Err(config.error_at(
                    &example.span,
                    format!("{code}: this `fires` example gives no finding"),
                ));
            }
        }
        for example in quiet {
            let jsonl = example_jsonl(&example.value, example_role(rule));
            let quotes = findings_of(analyzers, code, &jsonl);
            if let Some(quote) = quotes.first() {
                return Err(config.error_at(
                    &example.span,
                    format!("{code}: this `quiet` example fires on 「{quote}」"),
                ));
            }
        }
    }
    Ok(())
}
