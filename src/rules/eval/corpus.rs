//! Labelled chats as sessions: any transcript format through the regular
//! ingest (the JDDC TSV for the shipped labels), and the ECD (Taobao
//! E-commerce Dialogue Corpus) excerpts, which have no roles, ids or times
//! and are turned into sessions as the labels' README says:
//!
//! * line *i* of the TSV (from 1) is session `PREFIX-NNN` (*i* zero-padded
//!   to 3 digits; the prefix is `ecd-train` for the shipped sample);
//! * the fields after the leading label are the messages in order: the first
//!   is the buyer's, then buyer and agent alternate, the last is the agent's;
//! * the spaces of the word segmentation are removed to get the text.

use crate::ingest::{Format, IngestOptions, Parsed};
use crate::model::{ConversationKey, Message, MessageKind, Role, Session, SourceRef};
use crate::session::{sessionize, SessionOptions};
use std::path::Path;
use std::sync::Arc;

/// How a labelled transcript is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CorpusFormat {
    /// A transcript format wwqa ingests (`None`: detect it per file).
    Ingest(Option<Format>),
    /// ECD excerpts, one session per line; sessions are `PREFIX-NNN`.
    Ecd,
}

/// Names accepted by [`CorpusFormat::parse`].
const NAMES: [&str; 7] = [
    "qianniu-text",
    "qianniu-web",
    "api-json",
    "jsonl",
    "csv",
    "jddc",
    "ecd",
];

impl CorpusFormat {
    /// Parse a format name (`jddc`, `jsonl`, … or `ecd`); the error has a
    /// "did you mean".
    pub fn parse(name: &str) -> Result<CorpusFormat, String> {
        use clap::ValueEnum;
        if name == "ecd" {
            return Ok(CorpusFormat::Ecd);
        }
        match Format::from_str(name, true) {
            Ok(f) => Ok(CorpusFormat::Ingest(Some(f))),
            Err(_) => {
                let best = NAMES
                    .iter()
                    .map(|n| (crate::lexicon::edit_distance(name, n), *n))
                    .min()
                    .filter(|(d, _)| *d <= 2)
                    .map(|(_, n)| format!("; did you mean `{n}`?"))
                    .unwrap_or_default();
                Err(format!(
                    "unknown format `{name}` (one of {}){best}",
                    NAMES.join(", ")
                ))
            }
        }
    }

    /// Do these sessions show whole conversations? ECD lines are excerpts:
    /// their greeting and closing cannot be judged.
    pub fn whole_sessions(self) -> bool {
        self != CorpusFormat::Ecd
    }
}

/// Read the sessions of a labelled transcript file.
///
/// # Errors
/// An unreadable file, or any rejected line (`path:line: reason`): an
/// evaluation must not silently drop messages, since positions count them.
pub fn load(path: &Path, format: CorpusFormat, ecd_prefix: &str) -> Result<Vec<Session>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let name = path.to_string_lossy();
    match format {
        CorpusFormat::Ecd => {
            let text =
                std::str::from_utf8(&bytes).map_err(|e| format!("{name}: not UTF-8 ({e})"))?;
            ecd_sessions(&name, text, ecd_prefix)
        }
        CorpusFormat::Ingest(format) => {
            let options = IngestOptions {
                format,
                ..IngestOptions::default()
            };
            crate::session::sessions_of_file(&name, &bytes, &options)
        }
    }
}

/// ECD excerpts as sessions (see the module doc). `path` locates messages;
/// a line that is not `1 \t u1 … \t response` with an even number of
/// messages is an error `path:line`.
pub fn ecd_sessions(path: &str, text: &str, prefix: &str) -> Result<Vec<Session>, String> {
    let path: Arc<str> = Arc::from(path);
    let mut parsed = Vec::new();
    let mut byte_start = 0u64;
    for (index, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let byte_end = byte_start + raw.len() as u64;
        let line = raw.trim_end_matches(['\n', '\r']);
        let here = byte_start;
        byte_start = byte_end;
        if line.trim().is_empty() {
            continue;
        }
        let mut fields = line.split('\t');
        if fields.next() != Some("1") {
            return Err(format!(
                "{path}:{line_no}: expected the label `1` in the first field"
            ));
        }
        let turns: Vec<&str> = fields.collect();
        if turns.len() < 2 || !turns.len().is_multiple_of(2) {
            return Err(format!(
                "{path}:{line_no}: expected buyer and agent turns in alternation ending with the agent's, found {} turns",
                turns.len()
            ));
        }
        let session_id: Arc<str> = Arc::from(format!("{prefix}-{line_no:03}"));
        let conversation = ConversationKey {
            shop: "ECD".to_string(),
            buyer: session_id.to_string(),
        };
        for (position, turn) in turns.iter().enumerate() {
            let text: String = turn.chars().filter(|c| *c != ' ').collect();
            let role = if position % 2 == 0 {
                Role::Buyer
            } else {
                Role::Agent
            };
            let sender = match role {
                Role::Agent => "ECD:客服".to_string(),
                _ => session_id.to_string(),
            };
            let line = line_no as u32;
            parsed.push(Parsed {
                message: Message {
                    id: crate::model::stable_id(&[
                        path.as_bytes(),
                        &line.to_le_bytes(),
                        &(position as u32).to_le_bytes(),
                    ]),
                    conversation: conversation.clone(),
                    time: None,
                    account: (role == Role::Agent).then(|| sender.clone()),
                    sender,
                    role,
                    robot_mode: None,
                    kind: MessageKind::Text,
                    text,
                    source: SourceRef {
                        path: path.clone(),
                        line_start: line,
                        line_end: line,
                        byte_start: here,
                        byte_end,
                    },
                },
                session_hint: Some(session_id.clone()),
            });
        }
    }
    Ok(sessionize(parsed, &SessionOptions::default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecd_lines_become_alternating_sessions_without_spaces() {
        let text = "1\t亲 在\t您好\t快递 发 哪家\t韵达 哦\n\n1\t在 吗\t在 的 亲\n";
        let sessions = ecd_sessions("ecd.tsv", text, "ecd-train").unwrap();
        assert_eq!(sessions.len(), 2);
        let first = &sessions[0];
        assert_eq!(first.id, "ecd-train-001");
        let turns: Vec<(Role, &str)> = first
            .messages
            .iter()
            .map(|m| (m.role, m.text.as_str()))
            .collect();
        assert_eq!(
            turns,
            vec![
                (Role::Buyer, "亲在"),
                (Role::Agent, "您好"),
                (Role::Buyer, "快递发哪家"),
                (Role::Agent, "韵达哦"),
            ]
        );
        // Blank lines still count: the second session is line 3.
        assert_eq!(sessions[1].id, "ecd-train-003");
        assert_eq!(sessions[1].messages[1].source.location(), "ecd.tsv:3");
    }

    #[test]
    fn malformed_ecd_lines_are_located_errors() {
        assert_eq!(
            ecd_sessions("e.tsv", "1\ta\tb\n0\ta\tb\n", "x").unwrap_err(),
            "e.tsv:2: expected the label `1` in the first field"
        );
        assert!(ecd_sessions("e.tsv", "1\ta\tb\tc\n", "x")
            .unwrap_err()
            .starts_with("e.tsv:1: expected buyer and agent turns"));
    }

    #[test]
    fn format_names_parse_with_a_hint() {
        assert_eq!(CorpusFormat::parse("ecd"), Ok(CorpusFormat::Ecd));
        assert_eq!(
            CorpusFormat::parse("jddc"),
            Ok(CorpusFormat::Ingest(Some(Format::Jddc)))
        );
        assert!(CorpusFormat::parse("jdcc")
            .unwrap_err()
            .ends_with("did you mean `jddc`?"));
    }
}
