//! The scan driver: walk the inputs, read them in pieces, analyse in
//! parallel, write the outputs in a deterministic order.
//!
//! Three kinds of work overlap. The calling thread reads a window of pieces
//! (large files in [`PIECE_BYTES`] pieces cut at session boundaries), has
//! the pool parse them, then in file order sessionises and tallies them. The
//! pool analyses each window's finished sessions while the next window is
//! read. A writer thread takes the analyses in window order, writes them
//! and merges the aggregates. Memory is therefore bounded by a few windows,
//! not by the dump, and output is byte-identical at any thread count (a
//! test checks it).

use crate::analyze::{Analyzers, DailyTally, FileAnalysis};
use crate::finding::Finding;
use crate::ingest::decode::LineEnding;
use crate::ingest::{self, FileReport, IngestOptions, ParsedFile};
use crate::model::Session;
use crate::report::html::{LivePart, LiveReport, LiveSpec};
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
    /// Worker threads of the pool that parses and analyses (0 = all cores);
    /// the reading and writing threads come on top.
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
    /// Size of the pieces large files are read in ([`PIECE_BYTES`]).
    pub piece_bytes: usize,
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
    /// Findings by severity: info, low, medium, high.
    pub findings_by_severity: [u64; 4],
}

impl ScanOutcome {
    /// Whether a finding of `severity` or worse was found: `--fail-on`.
    pub fn has_finding_at_least(&self, severity: crate::finding::Severity) -> bool {
        self.findings_by_severity[severity as usize..]
            .iter()
            .any(|&n| n > 0)
    }

    /// True when any input data was skipped (rejected lines or unreadable
    /// files): the documented non-zero exit.
    pub fn lost_data(&self) -> bool {
        self.lines_rejected > 0 || self.files_unreadable > 0
    }
}

/// Most worker threads a scan accepts: far more than any machine's cores,
/// and few enough that starting them costs milliseconds (100,000 threads
/// on a small file ran for minutes).
pub const MAX_THREADS: usize = 1024;

/// The files a scan reads, and the entries under its inputs it could not.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files, sorted by path, each file once.
    pub files: Vec<PathBuf>,
    /// Entries that could not be read as files (a symbolic link loop, a
    /// dangling link, an unreadable directory), with why: reported, never
    /// dropped silently.
    pub skipped: Vec<(PathBuf, String)>,
}

/// Expand the inputs: directories are walked recursively, following
/// symbolic links (a link back into its own ancestry is a loop, reported
/// in [`Inputs::skipped`]); hidden files (`.name`) are left out. A file
/// reached under several spellings or links (`a/x.txt`, `./a/x.txt`, a
/// link to it) is read once, under the first spelling in path order.
///
/// # Errors
/// An input named on the command line that does not exist.
pub fn collect_inputs(inputs: &[PathBuf]) -> Result<Inputs> {
    let mut found = Inputs::default();
    let mut files = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input)
            .with_context(|| format!("{}: cannot read", input.display()))?;
        if meta.is_dir() {
            for entry in walkdir::WalkDir::new(input)
                .follow_links(true)
                .sort_by_file_name()
            {
                match entry {
                    Ok(entry) => {
                        let name = entry.file_name().to_string_lossy();
                        if entry.file_type().is_file() && !name.starts_with('.') {
                            files.push(entry.into_path());
                        }
                    }
                    Err(e) => {
                        let path = e.path().unwrap_or(input).to_path_buf();
                        let why = match e.loop_ancestor() {
                            Some(a) => {
                                format!("symbolic link loop back to {}: not followed", a.display())
                            }
                            None => e
                                .io_error()
                                .map_or_else(|| e.to_string(), ToString::to_string),
                        };
                        found.skipped.push((path, why));
                    }
                }
            }
        } else {
            files.push(input.clone());
        }
    }
    files.sort();
    files.dedup();
    let mut seen = std::collections::HashSet::new();
    for file in files {
        // Unresolvable paths keep their spelling; reading them reports why.
        let identity = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
        if seen.insert(identity) {
            found.files.push(file);
        }
    }
    found.skipped.sort();
    Ok(found)
}

/// [`collect_inputs`] for commands that only read: the skipped entries are
/// reported on stderr.
///
/// # Errors
/// As [`collect_inputs`].
pub fn collect_files(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let found = collect_inputs(inputs)?;
    for (path, why) in &found.skipped {
        eprintln!("wwqa: {}: skipped: {why}", path.display());
    }
    Ok(found.files)
}

/// Every file a scan writes into its output directory: all are removed
/// when a new scan starts there, `summary.json` first, so that nothing of
/// an earlier scan (or of `wwqa tier` on it) is mixed into the new one.
pub const OUTPUTS: &[&str] = &[
    "summary.json",
    "sessions.jsonl",
    "findings.jsonl",
    "rejects.jsonl",
    "warnings.txt",
    "scores.json",
    "agents.csv",
    "shops.csv",
    "findings.csv",
    "report.html",
    "report.xlsx",
    "tiers.json",
    "tiers.csv",
];

/// The lock file a scan holds in its output directory.
pub const LOCK_FILE: &str = ".wwqa.lock";

/// An output directory held by one scan: a second scan into it stops at
/// once instead of interleaving its writes. The lock is the operating
/// system's advisory file lock, so a killed scan never leaves it held.
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
}

impl OutputLock {
    /// Take the lock of `dir`.
    ///
    /// # Errors
    /// Another scan holds it, or the lock file cannot be created.
    pub fn acquire(dir: &Path) -> Result<OutputLock> {
        let path = dir.join(LOCK_FILE);
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("{}: cannot create", path.display()))?;
        match file.try_lock() {
            Ok(()) => Ok(OutputLock { _file: file }),
            Err(std::fs::TryLockError::WouldBlock) => anyhow::bail!(
                "{}: another wwqa scan is writing to this directory; wait for it to finish or choose another --out",
                dir.display()
            ),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(e).with_context(|| format!("{}: cannot lock", path.display()))
            }
        }
    }
}

/// Refuse a directory that does not hold a complete scan: `wwqa report`,
/// `tier` and `merge` call this before reading it.
///
/// # Errors
/// A scan is writing to `dir`, or `dir` has no `summary.json` (the scan
/// was killed or failed before its end, or `dir` is no scan output).
pub fn require_complete(dir: &Path) -> Result<()> {
    let summary = dir.join("summary.json");
    if let Ok(lock) = File::open(dir.join(LOCK_FILE)) {
        if let Err(std::fs::TryLockError::WouldBlock) = lock.try_lock_shared() {
            anyhow::bail!(
                "{}: a wwqa scan is still writing to this directory; wait for it to finish",
                dir.display()
            );
        }
    }
    if !summary.is_file() {
        anyhow::bail!(
            "{}: no summary.json, so this is not a complete scan output (the scan was interrupted or failed, or this is not a wwqa output directory); run `wwqa scan` into it again",
            dir.display()
        );
    }
    Ok(())
}

/// Remove the outputs of an earlier scan in `dir` (see [`OUTPUTS`]) and
/// the partial files of a killed one.
fn clear_outputs(dir: &Path) -> Result<()> {
    let remove = |path: &Path| match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(e).with_context(|| format!("{}: cannot remove the earlier output", path.display()))
        }
        _ => Ok(()),
    };
    for name in OUTPUTS {
        remove(&dir.join(name))?;
    }
    // The session pages the report links to; reviewers' verdicts
    // (verdicts.jsonl) are theirs, not the scan's, and stay.
    let pages = dir.join(crate::review::pack::SESSIONS_DIR);
    match std::fs::remove_dir_all(&pages) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e)
                .with_context(|| format!("{}: cannot remove the earlier output", pages.display()))
        }
        _ => {}
    }
    let entries =
        std::fs::read_dir(dir).with_context(|| format!("{}: cannot read", dir.display()))?;
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(crate::report::PARTIAL_PREFIX)
        {
            remove(&entry.path())?;
        }
    }
    Ok(())
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

/// Bytes per piece of a large file: pieces in flight (two per worker), their
/// messages and rendered output bound the memory of a scan.
pub const PIECE_BYTES: usize = 256 << 10;

/// A file being read: its pieces, sessions held across pieces, accounting.
struct OpenFile {
    /// Shared with every piece job of the file.
    display: std::sync::Arc<str>,
    reader: Option<ingest::stream::PieceReader>,
    sessionizer: session::Sessionizer,
    tally: DailyTally,
    report: FileReport,
    /// Pieces accounted (parsed and sessionised).
    pieces: u64,
    /// Pieces read (handed to the parser); the file is done when all are
    /// accounted and the reader is gone.
    pieces_read: u64,
}

impl OpenFile {
    fn open(path: &Path, options: &ScanOptions) -> OpenFile {
        let display = path.to_string_lossy().to_string();
        let mut report = FileReport {
            path: display.clone(),
            ..FileReport::default()
        };
        let reader =
            match ingest::stream::PieceReader::open(path, options.piece_bytes, &options.ingest) {
                Ok(r) => Some(r),
                Err(e) => {
                    report.error = Some(format!("{display}: cannot read: {e}"));
                    None
                }
            };
        OpenFile {
            display: display.into(),
            reader,
            sessionizer: session::Sessionizer::new(options.session),
            tally: DailyTally::default(),
            report,
            pieces: 0,
            pieces_read: 0,
        }
    }

    /// The next piece, or `None` when the file is done (read errors end it,
    /// recorded in the report).
    fn next_piece(&mut self) -> Option<ingest::stream::Piece> {
        let reader = self.reader.as_mut()?;
        match reader.next_piece() {
            Ok(Some(p)) => Some(p),
            Ok(None) => {
                self.reader = None;
                None
            }
            Err(e) => {
                // Release the sessions held for the rest of the file.
                self.report.error = Some(format!("{}: cannot read: {e}", self.display));
                let context = ingest::PieceContext {
                    more_follows: false,
                    ..reader.context().clone()
                };
                self.reader = None;
                Some(ingest::stream::Piece {
                    bytes: Vec::new(),
                    context,
                })
            }
        }
    }

    /// Fold one piece's accounting into the file's.
    fn account(&mut self, piece: &FileReport) {
        let r = &mut self.report;
        if self.pieces == 0 {
            r.format = piece.format;
            r.format_detected = piece.format_detected;
            r.encoding = piece.encoding;
            r.line_ending = piece.line_ending;
        } else if r.line_ending != piece.line_ending {
            r.line_ending = match (r.line_ending, piece.line_ending) {
                (Some(LineEnding::None), other) => other,
                (mine, Some(LineEnding::None)) => mine,
                _ => Some(LineEnding::Mixed),
            };
        }
        r.bytes += piece.bytes;
        r.lines_read += piece.lines_read;
        r.lines_used += piece.lines_used;
        r.lines_noise += piece.lines_noise;
        r.lines_rejected += piece.lines_rejected;
        r.messages += piece.messages;
        r.warnings += piece.warnings;
        self.pieces += 1;
    }
}

/// Finished sessions and their cross-session findings, ready for analysis.
/// A piece's sessions, their cross-session findings, and the report's
/// part for them (when a report is asked for).
type ReadySessions = (
    Vec<Session>,
    Vec<(usize, Finding)>,
    Option<crate::report::html::LivePart>,
);

/// A piece read from a file, waiting to be parsed.
struct Job {
    /// The file's number in the scan (its index in the sorted file list).
    file: usize,
    display: std::sync::Arc<str>,
    piece: ingest::stream::Piece,
}

/// A window of pieces and what the parser made of them (with the
/// per-message tally keys).
type ParsedWindow = (Vec<Job>, Vec<(ParsedFile, Vec<(usize, u64)>)>);

/// The files being read, oldest first; `first` is the file number of the
/// front one.
struct OpenFiles {
    files: std::collections::VecDeque<OpenFile>,
    first: usize,
    next_file: usize,
}

impl OpenFiles {
    fn get(&mut self, file: usize) -> &mut OpenFile {
        &mut self.files[file - self.first]
    }

    /// Read a window of pieces, in file order; a file is opened once the one
    /// before it is read to its end.
    fn read_window(&mut self, paths: &[PathBuf], window: usize, options: &ScanOptions) -> Vec<Job> {
        let mut jobs: Vec<Job> = Vec::with_capacity(window);
        while jobs.len() < window {
            if self.files.back().is_none_or(|f| f.reader.is_none()) {
                let Some(path) = paths.get(self.next_file) else {
                    break;
                };
                self.next_file += 1;
                self.files.push_back(OpenFile::open(path, options));
            }
            let file = self.first + self.files.len() - 1;
            let open = self.get(file);
            if let Some(piece) = open.next_piece() {
                open.pieces_read += 1;
                let display = open.display.clone();
                jobs.push(Job {
                    file,
                    display,
                    piece,
                });
            }
        }
        jobs
    }

    /// Take the front files that are read to their end and fully accounted.
    fn take_finished(&mut self) -> Vec<OpenFile> {
        let mut done = Vec::new();
        while self
            .files
            .front()
            .is_some_and(|f| f.reader.is_none() && f.pieces == f.pieces_read)
        {
            if let Some(f) = self.files.pop_front() {
                done.push(f);
                self.first += 1;
            }
        }
        done
    }
}

/// Run a scan and write `sessions.jsonl`, `findings.jsonl`, `rejects.jsonl`,
/// `warnings.txt`, the CSV tables and `summary.json` into the output
/// directory.
///
/// Files are read in path order, large ones in pieces ([`PIECE_BYTES`], cut
/// at session boundaries). A window of pieces is parsed in parallel; their
/// messages go, in file order, through each file's [`session::Sessionizer`]
/// and the per-day tallies (cheap, sequential); the finished sessions are
/// analysed in parallel; the results are written in order. Memory is bounded
/// by the window, whatever the size of the files.
///
/// # Errors
/// Unreadable inputs given by name, an unwritable output directory.
pub fn run(options: &ScanOptions, analyzers: &Analyzers) -> Result<ScanOutcome> {
    if options.threads > MAX_THREADS {
        anyhow::bail!(
            "--threads {} is more than {MAX_THREADS}; 0 uses every core",
            options.threads
        );
    }
    let inputs = collect_inputs(&options.inputs)?;
    let files = inputs.files;
    std::fs::create_dir_all(&options.out_dir).with_context(|| {
        format!(
            "{}: cannot create output directory",
            options.out_dir.display()
        )
    })?;
    let _lock = OutputLock::acquire(&options.out_dir)?;
    clear_outputs(&options.out_dir)?;
    let create = |name: &str| -> Result<Output> {
        let path = options.out_dir.join(name);
        let file = crate::report::partial_file(&path)?;
        Ok(Output {
            path,
            inner: BufWriter::new(file),
        })
    };
    let mut sessions_out = create("sessions.jsonl")?;
    let mut findings_out = create("findings.jsonl")?;
    let mut rejects_out = create("rejects.jsonl")?;
    let mut warnings_out = create("warnings.txt")?;
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
    let window = (pool.current_num_threads() * 2).max(2);
    // The ordered tail (writing, merging aggregates) runs on its own thread
    // and the analysis of a window on the pool, while this thread reads,
    // parses and sessionises the next window: the sequential parts overlap
    // the parallel ones. At most two windows wait for the writer.
    let (to_writer, from_reader) = std::sync::mpsc::sync_channel::<Ready>(2);
    // The report is gathered as the analyses come (see LiveReport).
    let live_spec = options
        .report
        .then(|| LiveSpec::new(options.redact, &analyzers.latency));
    let mut live_report = match &live_spec {
        Some(spec) => Some(LiveReport::start(&options.out_dir, spec)?),
        None => None,
    };
    let (mut outcome, mut summary, live_report, sessions_out, findings_out) =
        std::thread::scope(|threads| -> Result<_> {
            let writer_bar = bar.clone();
            let writer = threads.spawn(move || -> Result<_> {
                let mut outcome = ScanOutcome::default();
                let mut summary = crate::report::SummaryBuilder::new(analyzers);
                // Where the next findings go in findings.jsonl.
                let mut findings_at = 0u64;
                for ready in from_reader {
                    match ready {
                        Ready::Analysed(analysis) => {
                            let analyses = analysis
                                .recv()
                                .context("the analysis of a window did not finish")?;
                            for (a, part) in analyses {
                                sessions_out.write_all(a.sessions_jsonl.as_bytes())?;
                                findings_out.write_all(a.findings_jsonl.as_bytes())?;
                                outcome.findings += a.findings;
                                summary.add_analysis(&a)?;
                                if let (Some(report), Some(part)) = (live_report.as_mut(), part) {
                                    report.merge(part, findings_at)?;
                                }
                                findings_at += a.findings_jsonl.len() as u64;
                            }
                        }
                        Ready::FileDone(report) => {
                            finish_file(report, &mut outcome, &mut summary, writer_bar.as_ref());
                        }
                    }
                }
                sessions_out.flush()?;
                findings_out.flush()?;
                Ok((outcome, summary, live_report, sessions_out, findings_out))
            });
            let read = pool.in_place_scope(|pool_scope| {
                read_windows(
                    options,
                    analyzers,
                    pool_scope,
                    &files,
                    window,
                    &to_writer,
                    live_spec.as_ref(),
                    (&mut rejects_out, &mut warnings_out),
                    bar.as_ref(),
                )
            });
            drop(to_writer);
            let written = writer
                .join()
                .map_err(|_| anyhow::anyhow!("the output writer stopped unexpectedly"))?;
            // A writer error explains a failed send, so it comes first.
            let written = written?;
            read?;
            Ok(written)
        })?;
    rejects_out.flush()?;
    warnings_out.flush()?;
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    // Entries under the inputs that could not be read: unreadable files.
    for (path, why) in inputs.skipped {
        let display = path.to_string_lossy().to_string();
        let report = FileReport {
            error: Some(format!("{display}: skipped: {why}")),
            path: display,
            ..FileReport::default()
        };
        finish_file(report, &mut outcome, &mut summary, None);
    }
    for out in [sessions_out, findings_out, rejects_out, warnings_out] {
        out.persist()?;
    }
    let (_, scores) = summary.finish(&options.out_dir, analyzers)?;
    // Every finding is counted once on its shop's whole-period card.
    for (_, card) in scores.cards_of(crate::scores::Scope::Shop, crate::scores::ALL) {
        for (total, n) in outcome
            .findings_by_severity
            .iter_mut()
            .zip(card.findings_by_severity)
        {
            *total += n;
        }
    }
    if let Some(report) = live_report {
        // On the scan's pool: the report's readers work in parallel blocks.
        pool.install(|| -> Result<()> {
            report.finish(&options.out_dir, &options.out_dir.join("report.html"))?;
            Ok(())
        })?;
    }
    Ok(outcome)
}

/// An output file whose write errors name it (a full disk mid-scan must
/// say which file could not be written).
struct Output {
    path: PathBuf,
    inner: BufWriter<tempfile::NamedTempFile>,
}

impl Output {
    /// Flush and rename into place under the output's name.
    fn persist(self) -> Result<()> {
        let file = self
            .inner
            .into_inner()
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {}", self.path.display(), e.error()))?;
        crate::report::persist(file, &self.path)
    }

    fn named(&self, e: std::io::Error) -> std::io::Error {
        std::io::Error::new(
            e.kind(),
            format!("{}: cannot write: {e}", self.path.display()),
        )
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.inner.write(buf).map_err(|e| self.named(e))
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush().map_err(|e| self.named(e))
    }
}

/// What the reader hands the writer, in output order.
enum Ready {
    /// The analyses of a window, delivered when the pool has them.
    Analysed(std::sync::mpsc::Receiver<Vec<(FileAnalysis, Option<LivePart>)>>),
    /// A file read to its end, all its windows handed over before it.
    FileDone(FileReport),
}

/// Read the files in windows of pieces. Each window is parsed on the pool
/// while this thread, in file order, accounts the window before it, writes
/// its rejects and warnings, sessionises and tallies it, then hands its
/// finished sessions to the pool for analysis and the pending result to the
/// writer. Reading ahead one window keeps the pool busy during the
/// sequential part.
#[allow(clippy::too_many_arguments)]
fn read_windows<'scope>(
    options: &'scope ScanOptions,
    analyzers: &'scope Analyzers,
    pool_scope: &rayon::Scope<'scope>,
    paths: &[PathBuf],
    window: usize,
    to_writer: &std::sync::mpsc::SyncSender<Ready>,
    live: Option<&LiveSpec>,
    (rejects_out, warnings_out): (&mut Output, &mut Output),
    bar: Option<&indicatif::ProgressBar>,
) -> Result<()> {
    // A closed channel means the writer failed; its error is reported.
    let hand_over = |ready: Ready| {
        to_writer
            .send(ready)
            .map_err(|_| anyhow::anyhow!("the output writer stopped"))
    };
    let parse = |jobs: Vec<Job>| {
        let (parsed, pending) = std::sync::mpsc::sync_channel::<ParsedWindow>(1);
        pool_scope.spawn(move |_| {
            let results = jobs
                .par_iter()
                .map(|job| {
                    let parsed = ingest::ingest_piece(
                        &job.display,
                        &job.piece.bytes,
                        &job.piece.context,
                        &options.ingest,
                    );
                    let keys = analyzers.daily_keys(parsed.messages.iter().map(|p| &p.message));
                    (parsed, keys)
                })
                .collect();
            // The receiver is gone only after an error of its own.
            let _ = parsed.send((jobs, results));
        });
        pending
    };
    let mut open = OpenFiles {
        files: std::collections::VecDeque::new(),
        first: 0,
        next_file: 0,
    };
    let mut pending = parse(open.read_window(paths, window, options));
    loop {
        let (jobs, parsed) = pending
            .recv()
            .context("the parsing of a window did not finish")?;
        if jobs.is_empty() {
            for file in open.files.drain(..) {
                hand_over(Ready::FileDone(file.report))?;
            }
            return Ok(());
        }
        pending = parse(open.read_window(paths, window, options));
        // In file order: accounting, rejects, warnings, sessions, tallies.
        let mut units: Vec<ReadySessions> = Vec::with_capacity(jobs.len());
        for (job, (mut parsed, keys)) in jobs.iter().zip(parsed) {
            let file = open.get(job.file);
            ingest::continue_ids(
                &mut parsed.messages,
                parsed.report.format,
                file.report.messages,
            );
            file.account(&parsed.report);
            for r in &parsed.rejects {
                serde_json::to_writer(&mut *rejects_out, r)?;
                rejects_out.write_all(b"\n")?;
            }
            for w in &parsed.warnings {
                writeln!(warnings_out, "{}:{}: {}", w.path, w.line, w.message)?;
            }
            if let Some(b) = bar {
                b.inc(parsed.report.bytes);
            }
            let in_order: Vec<&crate::model::Message> =
                parsed.messages.iter().map(|p| &p.message).collect();
            analyzers.tally_daily(&in_order, &keys, &mut file.tally);
            drop(in_order);
            let sessions = file
                .sessionizer
                .push(parsed.messages, job.piece.context.more_follows);
            file.report.sessions += sessions.len() as u64;
            for s in &sessions {
                let nick = &s.conversation.buyer;
                if nick.chars().nth(1).is_some()
                    && file.display.contains(nick.as_str())
                    && !file.report.buyers_in_path.contains(nick)
                {
                    file.report.buyers_in_path.push(nick.clone());
                }
            }
            let daily = analyzers.daily_findings(&sessions, &mut file.tally);
            let part = live.map(|spec| spec.part(&file.display, &file.report.buyers_in_path));
            units.push((sessions, daily, part));
        }
        drop(jobs);
        let (analysed, analysis) = std::sync::mpsc::sync_channel(1);
        pool_scope.spawn(move |_| {
            let analyses: Vec<(FileAnalysis, Option<LivePart>)> = units
                .into_par_iter()
                .map(|(sessions, daily, mut part)| {
                    let analysis =
                        analyzers.analyze_sessions_with(&sessions, daily, &mut |a, lines| {
                            if let Some(p) = part.as_mut() {
                                p.add_session(a, lines);
                            }
                        });
                    (analysis, part)
                })
                .collect();
            // The writer is gone only after an error it reports itself.
            let _ = analysed.send(analyses);
        });
        hand_over(Ready::Analysed(analysis))?;
        for file in open.take_finished() {
            hand_over(Ready::FileDone(file.report))?;
        }
    }
}

fn finish_file(
    file: FileReport,
    outcome: &mut ScanOutcome,
    summary: &mut crate::report::SummaryBuilder,
    bar: Option<&indicatif::ProgressBar>,
) {
    let r = file;
    outcome.files += 1;
    outcome.bytes += r.bytes;
    outcome.lines_rejected += r.lines_rejected;
    outcome.files_unreadable += u64::from(r.error.is_some());
    outcome.sessions += r.sessions;
    outcome.messages += r.messages;
    if let Some(e) = &r.error {
        match bar {
            Some(b) => b.suspend(|| eprintln!("wwqa: {e}")),
            None => eprintln!("wwqa: {e}"),
        }
    }
    let mut r = r;
    r.buyers_in_path.sort();
    summary.add_report(r);
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
