//! Output files: `summary.json`, `agents.csv`, `shops.csv`, `warnings.txt`
//! (sessions, findings and rejects are streamed by the scan driver).
//!
//! # `summary.json`
//! ```json
//! {
//!   "wwqa_version": "0.1.0",
//!   "policies": {"roles": "2026.11"},
//!   "totals": {"files": 9, "bytes": 4321, "lines_read": 120, "lines_used": 100,
//!              "lines_noise": 15, "lines_rejected": 5, "messages": 60, "sessions": 12,
//!              "warnings": 2, "files_unreadable": 0},
//!   "by_encoding": {"utf-8": 5, "gb18030": 1},
//!   "by_format": {"qianniu-text": 3},
//!   "files": [ {"path": "...", "format": "qianniu-text", "encoding": "utf-8", "lines_read": 20, ...} ],
//!   "shops": {...}, "agents": {...}
//! }
//! ```
//! `lines_read = lines_used + lines_noise + lines_rejected` for every file
//! and in total. No wall-clock time is written, so the same input gives a
//! byte-identical summary.

use crate::analyze::Analyzers;
use crate::ingest::FileReport;
use crate::scores::{Card, CardKey, Scope, Scores, ALL};
use anyhow::{Context, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

pub mod html;
pub mod redact;
pub mod session_view;
pub mod xlsx;
pub mod tables;
pub mod terminal;

/// Totals over all files.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines read.
    pub lines_read: u64,
    /// Lines in messages.
    pub lines_used: u64,
    /// Lines recognised as noise.
    pub lines_noise: u64,
    /// Lines rejected.
    pub lines_rejected: u64,
    /// Messages.
    pub messages: u64,
    /// Sessions.
    pub sessions: u64,
    /// Warnings.
    pub warnings: u64,
    /// Files that could not be read.
    pub files_unreadable: u64,
    /// Findings.
    pub findings: u64,
}

/// Collects per-file results in order and writes the summary files.
pub struct SummaryBuilder {
    totals: Totals,
    files: Vec<FileReport>,
    by_encoding: BTreeMap<&'static str, u64>,
    by_format: BTreeMap<&'static str, u64>,
    scores: Scores,
}

impl SummaryBuilder {
    /// A new, empty builder.
    pub fn new(analyzers: &Analyzers) -> Self {
        SummaryBuilder {
            totals: Totals::default(),
            files: Vec::new(),
            by_encoding: BTreeMap::new(),
            by_format: BTreeMap::new(),
            scores: Scores::new(&analyzers.latency),
        }
    }

    /// Add one file's accounting (in path order), once the file is done.
    pub fn add_report(&mut self, rep: FileReport) {
        let t = &mut self.totals;
        t.files += 1;
        t.bytes += rep.bytes;
        t.lines_read += rep.lines_read;
        t.lines_used += rep.lines_used;
        t.lines_noise += rep.lines_noise;
        t.lines_rejected += rep.lines_rejected;
        t.messages += rep.messages;
        t.sessions += rep.sessions;
        t.warnings += rep.warnings;
        t.files_unreadable += u64::from(rep.error.is_some());
        if let Some(e) = rep.encoding {
            *self.by_encoding.entry(e.as_str()).or_default() += 1;
        }
        if let Some(f) = rep.format {
            *self.by_format.entry(f.as_str()).or_default() += 1;
        }
        self.files.push(rep);
    }

    /// Add the analysis of some sessions (in output order).
    ///
    /// # Errors
    /// Scores computed under another latency policy (cannot happen within
    /// one scan).
    pub fn add_analysis(&mut self, analysis: &crate::analyze::FileAnalysis) -> Result<()> {
        self.totals.findings += analysis.findings;
        self.scores
            .merge(&analysis.scores)
            .map_err(anyhow::Error::msg)
    }

    /// Write `summary.json`, `scores.json`, `agents.csv`, `shops.csv` and
    /// `warnings.txt`.
    ///
    /// # Errors
    /// Output files that cannot be written.
    pub fn finish(self, out_dir: &Path, analyzers: &Analyzers) -> Result<(Totals, Scores)> {
        let versions: BTreeMap<&'static str, String> = analyzers.versions().into_iter().collect();
        let summary = Summary {
            wwqa_version: env!("CARGO_PKG_VERSION"),
            policies: &versions,
            config: &analyzers.record,
            totals: &self.totals,
            by_encoding: &self.by_encoding,
            by_format: &self.by_format,
            files: &self.files,
            overview: Overview::of(&self.scores),
        };
        let json = serde_json::to_string_pretty(&summary)?;
        write_scores(out_dir, &self.scores)?;
        // Last: a directory with a summary.json holds a complete scan.
        write_atomically(&out_dir.join("summary.json"), |w| {
            w.write_all(json.as_bytes())?;
            w.write_all(b"\n")
        })?;
        Ok((self.totals, self.scores))
    }
}

/// Write `scores.json`, `agents.csv` and `shops.csv` (shared by `scan` and
/// `merge`).
///
/// # Errors
/// Output files that cannot be written.
pub fn write_scores(out_dir: &Path, scores: &Scores) -> Result<()> {
    // Streamed: at 5 GB of input the cards are some 80 MB of JSON, which
    // as one String was the scan's peak of memory.
    write_atomically(&out_dir.join("scores.json"), |out| {
        serde_json::to_writer(&mut *out, scores)?;
        out.write_all(b"\n")
    })?;
    tables::write_cards_csv(&out_dir.join("agents.csv"), scores, Scope::Agent)?;
    tables::write_cards_csv(&out_dir.join("shops.csv"), scores, Scope::Shop)?;
    Ok(())
}

/// How the names of unfinished outputs start: an output is written under
/// such a name in its directory and renamed into place once complete, so a
/// killed run never leaves a truncated file under an output's name (and a
/// scan removes the leftovers of a killed one).
pub const PARTIAL_PREFIX: &str = ".wwqa-partial-";

/// A new, empty partial file for `path` (see [`PARTIAL_PREFIX`]), in the
/// same directory so that the final rename stays on one file system.
///
/// # Errors
/// The file cannot be created; the error names `path`.
pub fn partial_file(path: &Path) -> Result<tempfile::NamedTempFile> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let prefix = format!("{PARTIAL_PREFIX}{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix);
    // As `File::create` makes it (0o666 less the umask), not the private
    // 0o600 of a temporary file: outputs are read by others too.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder
        .tempfile_in(dir)
        .with_context(|| format!("{}: cannot create", path.display()))
}

/// Put a finished partial file in place as `path`.
///
/// # Errors
/// The rename fails; the error names `path`.
pub fn persist(file: tempfile::NamedTempFile, path: &Path) -> Result<()> {
    file.persist(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {}", path.display(), e.error))?;
    Ok(())
}

/// Write `path` through a partial file renamed into place when `write`
/// has finished (see [`PARTIAL_PREFIX`]). Every error names `path`.
///
/// # Errors
/// The file cannot be created, written or renamed.
pub fn write_atomically(
    path: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<&mut tempfile::NamedTempFile>) -> std::io::Result<()>,
) -> Result<()> {
    let mut file = partial_file(path)?;
    let mut out = std::io::BufWriter::new(&mut file);
    write(&mut out)
        .and_then(|()| out.flush())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    drop(out);
    persist(file, path)
}

#[derive(Serialize)]
struct Summary<'a> {
    wwqa_version: &'static str,
    policies: &'a BTreeMap<&'static str, String>,
    /// What judged the scan: the policy values, lexicons, rules, hash.
    config: &'a crate::config::record::Record,
    totals: &'a Totals,
    by_encoding: &'a BTreeMap<&'static str, u64>,
    by_format: &'a BTreeMap<&'static str, u64>,
    files: &'a [FileReport],
    #[serde(flatten)]
    overview: Overview,
}

/// The whole-period view in `summary.json`: latency histogram, stage mix,
/// findings by code, and the per-shop and per-agent rows of the CSV tables.
#[derive(Serialize)]
pub struct Overview {
    /// Latency histogram over every assessed round of every shop.
    pub latency_histogram: Vec<(String, u64)>,
    /// Sessions by stage.
    pub stage_mix: BTreeMap<&'static str, u64>,
    /// Findings by rule code.
    pub findings_by_code: BTreeMap<String, u64>,
    /// Per-shop rows (period `all`).
    pub shops: Vec<tables::CardRow>,
    /// Per-agent rows (period `all`).
    pub agents: Vec<tables::CardRow>,
}

impl Overview {
    /// Build the overview from the scores.
    pub fn of(scores: &Scores) -> Overview {
        let mut hist: Vec<(String, u64)> = Vec::new();
        let mut stage = [0u64; 4];
        let mut by_code: BTreeMap<String, u64> = BTreeMap::new();
        for (_, card) in scores.cards_of(Scope::Shop, ALL) {
            for (i, (label, n)) in card.latency.histogram().into_iter().enumerate() {
                if hist.len() <= i {
                    hist.push((label, 0));
                }
                hist[i].1 += n;
            }
            for (a, b) in stage.iter_mut().zip(card.stage_mix) {
                *a += b;
            }
            for (k, v) in &card.findings_by_code {
                *by_code.entry(k.clone()).or_default() += v;
            }
        }
        let names = ["pre_sale", "in_sale", "after_sale", "other"];
        let rows = |scope| {
            scores
                .cards_of(scope, ALL)
                .map(|(k, c): (&CardKey, &Card)| tables::CardRow::of(k, c))
                .collect()
        };
        Overview {
            latency_histogram: hist,
            stage_mix: names.iter().copied().zip(stage).collect(),
            findings_by_code: by_code,
            shops: rows(Scope::Shop),
            agents: rows(Scope::Agent),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_atomically_written_file_is_complete_and_made_as_file_create_makes_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.json");
        write_atomically(&path, |w| w.write_all("{\"totals\":{}}\n".as_bytes())).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"totals\":{}}\n");
        let plain = dir.path().join("plain");
        std::fs::File::create(&plain).unwrap();
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions();
        assert_eq!(mode(&path), mode(&plain));
        // No partial file is left behind.
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(PARTIAL_PREFIX)),
            "{names:?}"
        );
    }
}
