//! Per-stage throughput of the scan pipeline (wwqa issue 9).
//!
//! Every group measures one stage on three inputs and reports
//! `Throughput::Bytes` of the *raw input files*, so the MB/s of all stages
//! are on the same scale: the single-thread pipeline rate is roughly
//! `1 / Σ (1 / stage rate)` over decode-free stages plus ingest.
//!
//! Inputs:
//! * `synth`: a seeded `qianniu-text` dump generated in-process at start
//!   (`WWQA_BENCH_SYNTH_BYTES`, default 4 MB, one file, seed 9);
//! * `fixtures`: every file of `fixtures/ingest` (all formats and encodings,
//!   a few KB, so per-file overhead dominates);
//! * `jddc`: the real JDDC sample in `../shared/data` (no timestamps, so
//!   latency is "not available" there); skipped with a note when absent.
//!
//! Run: `cargo bench --bench stages` (a few minutes on 2 cores);
//! one group: `cargo bench --bench stages -- ingest`.

use criterion::{criterion_group, criterion_main, BatchSize, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Duration;
use wwqa::analyze::{Analyzers, FileAnalysis};
use wwqa::ingest::{self, IngestOptions, Parsed};
use wwqa::model::Session;
use wwqa::scan::FileResult;
use wwqa::session::{self, SessionOptions};

/// One bench input: raw files and everything the later stages consume,
/// prepared once so each group times only its own stage.
struct Input {
    name: &'static str,
    files: Vec<InputFile>,
    bytes: u64,
}

struct InputFile {
    path: PathBuf,
    raw: Vec<u8>,
    parsed: Vec<Parsed>,
    sessions: Vec<Session>,
    result: FileResult,
}

/// Keeps the generated dump alive for the whole run.
struct Inputs {
    list: Vec<Input>,
    _synth_dir: tempfile::TempDir,
}

fn crate_dir() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn load(name: &'static str, paths: Vec<PathBuf>, analyzers: &Analyzers) -> Input {
    let options = IngestOptions::default();
    let sessions_options = SessionOptions::default();
    let mut files = Vec::new();
    for path in paths {
        let raw = match std::fs::read(&path) {
            Ok(raw) => raw,
            Err(e) => {
                eprintln!("stages: skipped {}: {e}", path.display());
                continue;
            }
        };
        let display = path.to_string_lossy().to_string();
        let parsed = ingest::ingest_bytes(&display, &raw, &options).messages;
        let sessions = session::sessionize(parsed.clone(), &sessions_options);
        let result = wwqa::scan::process_file(&path, &options, &sessions_options, analyzers);
        files.push(InputFile {
            path,
            raw,
            parsed,
            sessions,
            result,
        });
    }
    let bytes = files.iter().map(|f| f.raw.len() as u64).sum();
    let messages: usize = files.iter().map(|f| f.parsed.len()).sum();
    let sessions: usize = files.iter().map(|f| f.sessions.len()).sum();
    eprintln!(
        "stages: input {name}: {} files, {bytes} bytes, {messages} messages, {sessions} sessions",
        files.len()
    );
    Input { name, files, bytes }
}

fn inputs(analyzers: &Analyzers) -> Inputs {
    let synth_dir = tempfile::tempdir().expect("temp dir for the synthetic dump");
    let target_bytes = std::env::var("WWQA_BENCH_SYNTH_BYTES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(4_000_000);
    wwqa::synth::generate(&wwqa::synth::SynthOptions {
        out_dir: synth_dir.path().to_path_buf(),
        target_bytes,
        format: ingest::Format::QianniuText,
        seed: 9,
        files: 1,
    })
    .expect("synthetic dump");
    let mut list = vec![load(
        "synth",
        sorted_files(&synth_dir.path().join("dump")),
        analyzers,
    )];
    list.push(load(
        "fixtures",
        sorted_files(&crate_dir().join("fixtures/ingest")),
        analyzers,
    ));
    let jddc = crate_dir().join("../shared/data/dialogue_jddc/jddc_chat_sample.tsv");
    if jddc.is_file() {
        list.push(load("jddc", vec![jddc], analyzers));
    } else {
        eprintln!("stages: skipped jddc: {} absent", jddc.display());
    }
    Inputs {
        list,
        _synth_dir: synth_dir,
    }
}

fn sorted_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

/// Run `routine` over every input of one group, with byte throughput.
fn group<F>(c: &mut Criterion, inputs: &Inputs, name: &str, mut routine: F)
where
    F: FnMut(&mut criterion::Bencher<'_>, &Input),
{
    let mut g = c.benchmark_group(name);
    for input in &inputs.list {
        g.throughput(Throughput::Bytes(input.bytes));
        g.bench_with_input(BenchmarkId::from_parameter(input.name), input, |b, i| {
            routine(b, i)
        });
    }
    g.finish();
}

fn stages(c: &mut Criterion) {
    let analyzers = Analyzers::bundled().expect("bundled analyzers");
    let inputs = inputs(&analyzers);
    let options = IngestOptions::default();
    let sessions_options = SessionOptions::default();
    let model = wwqa::abuse::AbuseModel::bundled().expect("bundled abuse model");

    group(c, &inputs, "decode", |b, input| {
        b.iter(|| {
            for f in &input.files {
                black_box(ingest::decode::decode(&f.raw, None));
            }
        })
    });
    group(c, &inputs, "ingest", |b, input| {
        b.iter(|| {
            for f in &input.files {
                let path = f.path.to_string_lossy();
                black_box(ingest::ingest_bytes(&path, &f.raw, &options));
            }
        })
    });
    group(c, &inputs, "sessionize", |b, input| {
        // sessionize consumes its input: clone outside the timed part.
        b.iter_batched(
            || {
                input
                    .files
                    .iter()
                    .map(|f| f.parsed.clone())
                    .collect::<Vec<_>>()
            },
            |parsed| {
                for p in parsed {
                    black_box(session::sessionize(p, &sessions_options));
                }
            },
            BatchSize::LargeInput,
        )
    });
    group(c, &inputs, "latency", |b, input| {
        b.iter(|| {
            for s in input.files.iter().flat_map(|f| &f.sessions) {
                black_box(wwqa::latency::analyze_session(s, &analyzers.latency));
            }
        })
    });
    group(c, &inputs, "stage_classify", |b, input| {
        b.iter(|| {
            for s in input.files.iter().flat_map(|f| &f.sessions) {
                black_box(analyzers.stage.classify(s));
            }
        })
    });
    group(c, &inputs, "abuse_score", |b, input| {
        // Every message text through the offensiveness model, as a text rule
        // scoring all messages would.
        b.iter(|| {
            let mut sum = 0.0f32;
            for s in input.files.iter().flat_map(|f| &f.sessions) {
                for m in &s.messages {
                    sum += model.score(&m.text);
                }
            }
            black_box(sum)
        })
    });
    group(c, &inputs, "analyze_sessions", |b, input| {
        // Latency + stage + text rules + finding order, without rendering.
        b.iter(|| {
            for s in input.files.iter().flat_map(|f| &f.sessions) {
                black_box(analyzers.analyze_session(s));
            }
        })
    });
    group(c, &inputs, "scorecards", |b, input| {
        // ScoresBuilder::add_session alone (per shop/agent × all/month/day cards,
        // with the latency aggregates' buyer sets), on precomputed analyses.
        let analysed: Vec<(&Session, wwqa::analyze::SessionAnalysis)> = input
            .files
            .iter()
            .flat_map(|f| &f.sessions)
            .map(|s| (s, analyzers.analyze_session(s)))
            .collect();
        b.iter(|| {
            let mut scores = wwqa::scores::ScoresBuilder::new(&analyzers.latency);
            for (session, a) in &analysed {
                scores.add_session(&wwqa::scores::SessionFacts {
                    session,
                    latency: &a.latency,
                    stage: &a.stage,
                    findings: &a.findings,
                    abuse: &a.abuse,
                });
            }
            black_box(scores.finish())
        })
    });
    group(c, &inputs, "analyze_file", |b, input| {
        // analyze_sessions plus scorecards and JSON rendering of the
        // sessions.jsonl / findings.jsonl lines.
        b.iter(|| {
            for f in &input.files {
                black_box(analyzers.analyze_file(&f.sessions));
            }
        })
    });
    group(c, &inputs, "report", |b, input| {
        // What the scan driver does after the workers: stream the rendered
        // lines, merge the aggregates and write summary/scores/CSV files.
        let out = tempfile::tempdir().expect("temp dir for report output");
        b.iter_batched(
            || {
                input
                    .files
                    .iter()
                    .map(|f| clone_result(&f.result))
                    .collect::<Vec<_>>()
            },
            |results| write_report(out.path(), results, &analyzers),
            BatchSize::LargeInput,
        )
    });
    group(c, &inputs, "process_file", |b, input| {
        // The whole per-file pipeline from disk, one thread.
        b.iter(|| {
            for f in &input.files {
                black_box(wwqa::scan::process_file(
                    &f.path,
                    &options,
                    &sessions_options,
                    &analyzers,
                ));
            }
        })
    });
}

fn clone_result(r: &FileResult) -> FileResult {
    FileResult {
        report: r.report.clone(),
        rejects_jsonl: r.rejects_jsonl.clone(),
        warnings: r.warnings.clone(),
        analysis: FileAnalysis {
            sessions_jsonl: r.analysis.sessions_jsonl.clone(),
            findings_jsonl: r.analysis.findings_jsonl.clone(),
            findings: r.analysis.findings,
            scores: r.analysis.scores.clone(),
        },
    }
}

fn write_report(out: &Path, results: Vec<FileResult>, analyzers: &Analyzers) {
    use std::io::Write;
    let create = |name: &str| {
        std::io::BufWriter::new(std::fs::File::create(out.join(name)).expect("bench output file"))
    };
    let mut sessions = create("sessions.jsonl");
    let mut findings = create("findings.jsonl");
    let mut rejects = create("rejects.jsonl");
    let mut summary = wwqa::report::SummaryBuilder::new(analyzers);
    for r in results {
        sessions
            .write_all(r.analysis.sessions_jsonl.as_bytes())
            .expect("write sessions");
        findings
            .write_all(r.analysis.findings_jsonl.as_bytes())
            .expect("write findings");
        rejects
            .write_all(r.rejects_jsonl.as_bytes())
            .expect("write rejects");
        summary
            .add_analysis(&r.analysis)
            .expect("same latency policy");
        summary.add_report(r.report);
    }
    sessions.flush().expect("flush sessions");
    findings.flush().expect("flush findings");
    rejects.flush().expect("flush rejects");
    black_box(summary.finish(out, analyzers).expect("summary"));
}

criterion_group! {
    name = benches;
    // Small samples: the machine has 2 shared cores and the whole run must
    // stay within a few minutes.
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    targets = stages
}
criterion_main!(benches);
