//! The 抽检 review loop: sample sessions of a scan for manual review
//! ([`sample`]), render each as a chat with its findings marked and a
//! verdict form ([`pack`], [`crate::report::session_view`]), and take the
//! reviewers' verdicts back in ([`verdicts`]).
//!
//! Everything here reads a scan output directory (findings.jsonl,
//! sessions.jsonl) and re-reads the quoted messages from the original dump
//! ([`source`]), so a session view quotes the original text exactly.

pub mod pack;
pub mod sample;
pub mod source;
pub mod verdicts;

use crate::finding::{Finding, Severity};
use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

/// A finding's stable id: its rule, session, message and byte span. Stable
/// across rescans of the same dump (whatever the configuration), so a
/// verdict still finds its finding after a rescan — or is reported as an
/// orphan when the finding is gone.
pub fn finding_id(f: &Finding) -> String {
    crate::model::stable_id(&[
        f.code.as_bytes(),
        f.session_id.as_bytes(),
        f.message_id.as_bytes(),
        &(f.span.byte_start as u64).to_le_bytes(),
        &(f.span.byte_end as u64).to_le_bytes(),
    ])
}

/// The parts of a `sessions.jsonl` record the review loop needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// Session id.
    pub id: String,
    /// Shop and buyer.
    pub conversation: crate::model::ConversationKey,
    /// Source file, as given to the scan.
    pub path: String,
    /// First message time (Unix seconds).
    #[serde(default)]
    pub start: Option<i64>,
    /// Last message time (Unix seconds).
    #[serde(default)]
    pub end: Option<i64>,
    /// Agent and robot accounts, in order of first appearance.
    #[serde(default)]
    pub agents: Vec<String>,
    /// First and last line (1-based, inclusive).
    pub lines: [u32; 2],
    /// Byte range in the raw file (end exclusive).
    pub bytes: [u64; 2],
    /// Messages in the session.
    #[serde(default)]
    pub message_count: usize,
    /// Stage decision, when the scan made one.
    #[serde(default)]
    pub stage: Option<StageRecord>,
}

/// The stage part of a session record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecord {
    /// `pre_sale`, `in_sale`, `after_sale`, …
    pub stage: String,
}

impl SessionRecord {
    /// The agent a session is reviewed under: the first human or robot
    /// account that spoke (the one who took the buyer), or `(none)`.
    pub fn primary_agent(&self) -> &str {
        self.agents.first().map_or(NO_AGENT, String::as_str)
    }

    /// The stage name, or `unknown`.
    pub fn stage_name(&self) -> &str {
        self.stage.as_ref().map_or("unknown", |s| s.stage.as_str())
    }
}

/// Stratum of sessions no agent answered.
pub const NO_AGENT: &str = "(none)";

/// A scan's sessions and findings, as the review loop reads them.
#[derive(Debug, Default)]
pub struct Scan {
    /// Sessions in file order.
    pub sessions: Vec<SessionRecord>,
    /// Findings in file order, each with its id.
    pub findings: Vec<(String, Finding)>,
}

impl Scan {
    /// Read `dir/sessions.jsonl` and `dir/findings.jsonl`.
    ///
    /// # Errors
    /// A file is missing or a line is not a record (`path:line: message`).
    pub fn load(dir: &Path) -> Result<Scan> {
        let sessions = read_jsonl(&dir.join("sessions.jsonl"))?;
        let findings: Vec<Finding> = read_jsonl(&dir.join("findings.jsonl"))?;
        Ok(Scan {
            sessions,
            findings: findings.into_iter().map(|f| (finding_id(&f), f)).collect(),
        })
    }

    /// Only the sessions in `ids` and their findings, streaming both files
    /// and parsing only the lines of those sessions (a 1 GB dump's scan
    /// has gigabytes of sessions.jsonl; the report links a few hundred).
    ///
    /// # Errors
    /// A file is missing or a kept line is not a record.
    pub fn load_sessions(dir: &Path, ids: &std::collections::HashSet<&str>) -> Result<Scan> {
        let sessions = filter_jsonl(&dir.join("sessions.jsonl"), |line| {
            line.strip_prefix("{\"id\":\"")
                .and_then(|rest| rest.split('"').next())
                .is_none_or(|id| ids.contains(id))
        })?;
        let findings: Vec<Finding> = filter_jsonl(&dir.join("findings.jsonl"), |line| {
            // Inside JSON strings quotes are escaped, so the first
            // `"session_id":"` is the key.
            line.find("\"session_id\":\"")
                .and_then(|i| line[i + 14..].split('"').next())
                .is_none_or(|id| ids.contains(id))
        })?;
        Ok(Scan {
            sessions: sessions
                .into_iter()
                .filter(|s: &SessionRecord| ids.contains(s.id.as_str()))
                .collect(),
            findings: findings
                .into_iter()
                .filter(|f| ids.contains(f.session_id.as_str()))
                .map(|f| (finding_id(&f), f))
                .collect(),
        })
    }

    /// Findings by session id, in file order.
    pub fn findings_by_session(&self) -> BTreeMap<&str, Vec<&(String, Finding)>> {
        let mut map: BTreeMap<&str, Vec<&(String, Finding)>> = BTreeMap::new();
        for f in &self.findings {
            map.entry(f.1.session_id.as_str()).or_default().push(f);
        }
        map
    }

    /// The session with this id.
    pub fn session(&self, id: &str) -> Option<&SessionRecord> {
        self.sessions.iter().find(|s| s.id == id)
    }
}

/// The highest severity among findings.
pub fn max_severity<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<Severity> {
    findings.into_iter().map(|f| f.severity).max()
}

pub(crate) fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    filter_jsonl(path, |_| true)
}

/// The records of the lines `keep` accepts (a cheap look at the raw line).
fn filter_jsonl<T: serde::de::DeserializeOwned>(
    path: &Path,
    keep: impl Fn(&str) -> bool,
) -> Result<Vec<T>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", path.display(), i + 1))?;
        if line.trim().is_empty() || !keep(&line) {
            continue;
        }
        out.push(
            serde_json::from_str(&line)
                .with_context(|| format!("{}:{}: not a record", path.display(), i + 1))?,
        );
    }
    Ok(out)
}
