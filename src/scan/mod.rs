//! The scan driver: walk the inputs, process files in parallel, write the
//! outputs in a deterministic order.
//!
//! Files are sorted by path and processed in batches (rayon, one file per
//! task). Each worker ingests, sessionises and analyses its file and renders
//! its output lines itself; the main thread writes the batches in path order
//! and merges the aggregates in the same order. Memory is therefore bounded
//! by a batch of files, not by the dump, and output is byte-identical at any
//! thread count (a test checks it).

use crate::analyze::{Analyzers, FileAnalysis};
use crate::ingest::{self, FileReport, IngestOptions};
use crate::session::{self, SessionOptions};
use anyhow::{Context, Result};
use rayon::prelude::*;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// Everything a scan needs.
pub struct ScanOptions {
    /// Files or directories.
    pub inputs: Vec<PathBuf>,
    /// Output directory.
    pub out_dir: PathBuf,
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Ingest options.
    pub ingest: IngestOptions,
    /// Session options.
    pub session: SessionOptions,
    /// Show a progress bar on stderr.
    pub progress: bool,
    /// Write `report.html` and `findings.csv` after the scan.
    pub report: bool,
    /// Mask buyers' personal data in the shareable outputs (report.html,
    /// findings.csv).
    pub redact: bool,
}

/// What a scan found, for the exit code and the terminal summary.
#[derive(Debug, Clone, Default)]
pub struct ScanOutcome {
    /// Files read.
    pub files: u64,
    /// Bytes read.
    pub bytes: u64,
    /// Lines rejected.
    pub lines_rejected: u64,
    /// Files that could not be read at all.
    pub files_unreadable: u64,
    /// Sessions.
    pub sessions: u64,
    /// Messages.
    pub messages: u64,
    /// Findings.
    pub findings: u64,
}

impl ScanOutcome {
    /// True when any input data was skipped (rejected lines or unreadable
    /// files): the documented non-zero exit.
    pub fn lost_data(&self) -> bool {
        self.lines_rejected > 0 || self.files_unreadable > 0
    }
}

/// Expand the inputs into a sorted, de-duplicated list of files.
///
/// # Errors
/// An input that does not exist.
pub fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .with_context(|| format!("{}: cannot read", input.display()))?;
        if meta.is_dir() {
            for entry in walkdir::WalkDir::new(input).sort_by_file_name() {
                let entry = entry.with_context(|| format!("{}: cannot walk", input.display()))?;
                let name = entry.file_name().to_string_lossy();
                if entry.file_type().is_file() && !name.starts_with('.') {
                    files.push(entry.into_path());
                }
            }
        } else {
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    Ok(files)
}

/// One file's results, rendered by the worker.
pub struct FileResult {
    /// Accounting.
    pub report: FileReport,
    /// `rejects.jsonl` lines.
    pub rejects_jsonl: String,
    /// Warnings as `path:line: message` lines.
    pub warnings: Vec<String>,
    /// Analysis results (sessions, findings, aggregates).
    pub analysis: FileAnalysis,
}

/// Process one file end to end.
pub fn process_file(
    path: &Path,
    ingest: &IngestOptions,
    sessions: &SessionOptions,
    analyzers: &Analyzers,
) -> FileResult {
    let display = path.to_string_lossy().to_string();
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return FileResult {
                report: FileReport {
                    path: display.clone(),
                    error: Some(format!("{display}: cannot read: {e}")),
                    ..FileReport::default()
                },
                rejects_jsonl: String::new(),
                warnings: Vec::new(),
                analysis: analyzers.analyze_file(&[]),
            }
        }
    };
    let parsed = ingest::ingest_bytes(&display, &bytes, ingest);
    drop(bytes);
    let mut report = parsed.report;
    let mut rejects_jsonl = String::new();
    for r in &parsed.rejects {
        rejects_jsonl.push_str(&serde_json::to_string(r).unwrap_or_default());
        rejects_jsonl.push('\n');
    }
    let warnings = parsed
        .warnings
        .iter()
        .map(|w| format!("{}:{}: {}", w.path, w.line, w.message))
        .collect();
    let sessions = session::sessionize(parsed.messages, sessions);
    report.sessions = sessions.len() as u64;
    let analysis = analyzers.analyze_file(&sessions);
    FileResult {
        report,
        rejects_jsonl,
        warnings,
        analysis,
    }
}

/// Run a scan and write `sessions.jsonl`, `findings.jsonl`, `rejects.jsonl`,
/// the CSV tables and `summary.json` into the output directory.
///
/// # Errors
/// Unreadable inputs given by name, an unwritable output directory.
pub fn run(options: &ScanOptions, analyzers: &Analyzers) -> Result<ScanOutcome> {
    let files = collect_files(&options.inputs)?;
    std::fs::create_dir_all(&options.out_dir).with_context(|| {
        format!(
            "{}: cannot create output directory",
            options.out_dir.display()
        )
    })?;
    let create = |name: &str| -> Result<BufWriter<File>> {
        let p = options.out_dir.join(name);
        Ok(BufWriter::new(File::create(&p).with_context(|| {
            format!("{}: cannot create", p.display())
        })?))
    };
    let mut sessions_out = create("sessions.jsonl")?;
    let mut findings_out = create("findings.jsonl")?;
    let mut rejects_out = create("rejects.jsonl")?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.threads)
        .build()
        .context("cannot start worker threads")?;
    let total_bytes: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(f).ok())
        .map(|m| m.len())
        .sum();
    let bar = progress_bar(options.progress, total_bytes);
    let mut outcome = ScanOutcome::default();
    let mut summary = crate::report::SummaryBuilder::new(analyzers);
    // Files in flight at once: enough to keep every worker busy, few enough
    // that their rendered output (several times the input) stays small.
    let batch = (pool.current_num_threads() * 2).max(2);
    for chunk in files.chunks(batch) {
        let results: Vec<FileResult> = pool.install(|| {
            chunk
                .par_iter()
                .map(|f| process_file(f, &options.ingest, &options.session, analyzers))
                .collect()
        });
        for r in results {
            sessions_out.write_all(r.analysis.sessions_jsonl.as_bytes())?;
            findings_out.write_all(r.analysis.findings_jsonl.as_bytes())?;
            rejects_out.write_all(r.rejects_jsonl.as_bytes())?;
            outcome.files += 1;
            outcome.bytes += r.report.bytes;
            outcome.lines_rejected += r.report.lines_rejected;
            outcome.files_unreadable += u64::from(r.report.error.is_some());
            outcome.sessions += r.report.sessions;
            outcome.messages += r.report.messages;
            outcome.findings += r.analysis.findings;
            if let Some(e) = &r.report.error {
                if let Some(b) = &bar {
                    b.suspend(|| eprintln!("wwqa: {e}"));
                } else {
                    eprintln!("wwqa: {e}");
                }
            }
            if let Some(b) = &bar {
                b.inc(r.report.bytes);
            }
            summary.add_file(r)?;
        }
    }
    sessions_out.flush()?;
    findings_out.flush()?;
    rejects_out.flush()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    summary.finish(&options.out_dir, analyzers)?;
    if options.report {
        let html = crate::report::html::render_report(&options.out_dir, options.redact)?;
        let path = options.out_dir.join("report.html");
        std::fs::write(&path, html).with_context(|| format!("{}: cannot write", path.display()))?;
        crate::report::html::write_findings_csv(&options.out_dir, options.redact)?;
    }
    Ok(outcome)
}

fn progress_bar(enabled: bool, total: u64) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(total);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{spinner} [{elapsed_precise}] {wide_bar} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    Some(bar)
}
