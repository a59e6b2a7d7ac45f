//! Time-boxed mutation fuzz of every input format: mutated copies of the
//! fixtures (and splices of one into another) are read with the format
//! detected and with each format forced, whole and in small pieces, and
//! sometimes sessionised and analysed. Checks: no panic anywhere, and exact
//! line accounting (`lines_read = used + noise + rejected`, one reject per
//! rejected line, `lines_read` equal to the lines of the bytes for 8-bit
//! encodings, the pieces of a file adding up to the file).
//!
//! `cargo run --release --example fuzz -- SECONDS [SEED]` (or
//! `benches/fuzz.sh`). A failing input is written to
//! `target/fuzz-failures/` and the run exits 1. No random-number crate: a
//! seeded xorshift keeps runs reproducible.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use wwqa::ingest::{self, decode::Encoding, stream::PieceReader, Format, IngestOptions};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

/// Tokens that matter to the parsers: headers, quotes, separators, broken
/// and special characters.
const DICTIONARY: &[&[u8]] = &[
    b"\n",
    b"\r\n",
    b"\"",
    b",",
    b"\t",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"\\u001b",
    b"\\u0000",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xE4\xBD",
    b"\x00",
    b"\x1b[2J",
    "\u{202E}".as_bytes(),
    "=HYPERLINK(\"x\")".as_bytes(),
    "tb_a 2024-3-5 9:03:07\n".as_bytes(),
    "店:小美 2024-3-5 9:03:09\n".as_bytes(),
    "20:57:11\n".as_bytes(),
    "2024-03-09\n".as_bytes(),
    "消息对象:tb_x\n".as_bytes(),
    "由 A 转交给 B\n".as_bytes(),
    "shop,buyer,sender,text\n".as_bytes(),
    "{\"shop\":\"s\",\"buyer\":\"b\",\"sender\":\"b\",\"text\":\"在吗\"}\n".as_bytes(),
    "{\"from_id\":\"cntaobao店:a\",\"to_id\":\"b\",\"msgs\":[{\"direction\":1,\"time\":\"2024-03-11 09:00:05\",\"content\":\"x\"}]}\n".as_bytes(),
    "a\tb\t1\t0\t0\tnan\t内容\n".as_bytes(),
    "这件衣服有货吗".as_bytes(),
];

const FORMATS: [Option<Format>; 7] = [
    None,
    Some(Format::QianniuText),
    Some(Format::QianniuWeb),
    Some(Format::ApiJson),
    Some(Format::Jsonl),
    Some(Format::Csv),
    Some(Format::Jddc),
];

fn seeds(root: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in [
        "fixtures/ingest",
        "fixtures/bad",
        "fixtures/evidence",
        "fixtures/report",
    ] {
        let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(bytes) = std::fs::read(&p) {
                out.push((p.display().to_string(), bytes));
            }
        }
    }
    out
}

fn mutate(rng: &mut Rng, seeds: &[(String, Vec<u8>)]) -> Vec<u8> {
    let mut b = seeds[rng.below(seeds.len())].1.clone();
    for _ in 0..1 + rng.below(8) {
        let len = b.len();
        match rng.below(8) {
            0 if len > 0 => {
                let i = rng.below(len);
                b[i] ^= 1 << rng.below(8);
            }
            1 if len > 0 => {
                let i = rng.below(len);
                let special = [
                    0x00, b'\n', b'\r', b'"', b',', b'{', 0xFF, 0xE4, 0x1B, b'\t', b':',
                ];
                b[i] = special[rng.below(special.len())];
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below((len - i).min(64) + 1);
                b.drain(i..i + n);
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below((len - i).min(256) + 1);
                let copy = b[i..i + n].to_vec();
                let at = rng.below(len + 1);
                b.splice(at..at, copy);
            }
            4 => {
                let token = DICTIONARY[rng.below(DICTIONARY.len())];
                let at = rng.below(len + 1);
                b.splice(at..at, token.iter().copied());
            }
            5 if len > 0 => b.truncate(rng.below(len)),
            6 => {
                let other = &seeds[rng.below(seeds.len())].1;
                let cut = rng.below(len + 1);
                let from = rng.below(other.len() + 1);
                b.truncate(cut);
                b.extend_from_slice(&other[from..]);
            }
            _ => {
                // Swap two lines.
                let starts: Vec<usize> = std::iter::once(0)
                    .chain(memchr_all(&b).into_iter().map(|i| i + 1))
                    .filter(|&i| i < len)
                    .collect();
                if starts.len() >= 2 {
                    let (x, y) = (rng.below(starts.len()), rng.below(starts.len()));
                    let (x, y) = (x.min(y), x.max(y));
                    if x != y {
                        let end = |k: usize| starts.get(k + 1).copied().unwrap_or(len);
                        let (a, c) = (b[starts[x]..end(x)].to_vec(), b[starts[y]..end(y)].to_vec());
                        let mut out = b[..starts[x]].to_vec();
                        out.extend_from_slice(&c);
                        out.extend_from_slice(&b[end(x)..starts[y]]);
                        out.extend_from_slice(&a);
                        out.extend_from_slice(&b[end(y)..]);
                        b = out;
                    }
                }
            }
        }
    }
    b
}

fn memchr_all(b: &[u8]) -> Vec<usize> {
    b.iter()
        .enumerate()
        .filter(|(_, &c)| c == b'\n')
        .map(|(i, _)| i)
        .collect()
}

/// Lines in bytes read as an 8-bit encoding: line breaks, plus an
/// unterminated last line; a UTF-8 BOM does not count.
fn lines_of(bytes: &[u8]) -> u64 {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let breaks = body.iter().filter(|&&c| c == b'\n').count();
    (breaks + usize::from(!body.is_empty() && body.last() != Some(&b'\n'))) as u64
}

#[derive(Default)]
struct Counts {
    inputs: u64,
    bytes: u64,
    ingests: u64,
    piece_reads: u64,
    analyses: u64,
    lines: u64,
    rejected: u64,
    messages: u64,
}

fn check(
    bytes: &[u8],
    f: Option<Format>,
    analyse: Option<&wwqa::analyze::Analyzers>,
    counts: &mut Counts,
) -> Result<(), String> {
    let opts = IngestOptions {
        format: f,
        ..IngestOptions::default()
    };
    let p = ingest::ingest_bytes("fuzz", bytes, &opts);
    let r = &p.report;
    counts.ingests += 1;
    counts.lines += r.lines_read;
    counts.rejected += r.lines_rejected;
    counts.messages += r.messages;
    if r.lines_read != r.lines_used + r.lines_noise + r.lines_rejected {
        return Err(format!(
            "{f:?}: lines_read {} != used {} + noise {} + rejected {}",
            r.lines_read, r.lines_used, r.lines_noise, r.lines_rejected
        ));
    }
    if r.lines_rejected != p.rejects.len() as u64 {
        return Err(format!(
            "{f:?}: {} rejected lines but {} rejects",
            r.lines_rejected,
            p.rejects.len()
        ));
    }
    let utf16 = matches!(r.encoding, Some(Encoding::Utf16Le | Encoding::Utf16Be));
    if !utf16 && r.lines_read != lines_of(bytes) {
        return Err(format!(
            "{f:?}: lines_read {} but the bytes hold {} lines",
            r.lines_read,
            lines_of(bytes)
        ));
    }
    if p.rejects
        .iter()
        .any(|x| x.line == 0 || u64::from(x.line) > r.lines_read)
    {
        return Err(format!("{f:?}: a reject outside the file's lines"));
    }
    if p.messages.iter().any(|m| {
        m.message.source.line_start == 0 || u64::from(m.message.source.line_end) > r.lines_read
    }) {
        return Err(format!("{f:?}: a message outside the file's lines"));
    }
    if let Some(a) = analyse {
        let sessions = wwqa::session::sessionize(p.messages, &Default::default());
        let _ = a.analyze_file(&sessions);
        counts.analyses += 1;
    }
    Ok(())
}

fn check_pieces(
    bytes: &[u8],
    f: Option<Format>,
    target: usize,
    dir: &Path,
    counts: &mut Counts,
) -> Result<(), String> {
    let opts = IngestOptions {
        format: f,
        ..IngestOptions::default()
    };
    let path = dir.join("piece-input");
    std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
    let whole = ingest::ingest_bytes("fuzz", bytes, &opts).report;
    let mut reader = PieceReader::open(&path, target, &opts).map_err(|e| e.to_string())?;
    let mut sessions = wwqa::session::Sessionizer::new(Default::default());
    let (mut read, mut parts) = (0u64, 0u64);
    while let Some(piece) = reader.next_piece().map_err(|e| e.to_string())? {
        let p = ingest::ingest_piece("fuzz", &piece.bytes, &piece.context, &opts);
        let r = &p.report;
        if r.lines_read != r.lines_used + r.lines_noise + r.lines_rejected {
            return Err(format!("{f:?} piece: accounting broken"));
        }
        read += r.lines_read;
        parts += r.lines_used + r.lines_noise + r.lines_rejected;
        let _ = sessions.push(p.messages, piece.context.more_follows);
    }
    counts.piece_reads += 1;
    if read != whole.lines_read || read != parts {
        return Err(format!(
            "{f:?} in {target}-byte pieces: {read} lines read, {} whole",
            whole.lines_read
        ));
    }
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let seconds: u64 = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(60);
    let seed: u64 = args
        .get(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5EED_F00D);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let seeds = seeds(&root);
    assert!(!seeds.is_empty(), "no fixtures found");
    let analyzers = wwqa::analyze::Analyzers::bundled().expect("bundled analyzers");
    let dir = tempfile::tempdir().expect("temp dir");
    // Panics are caught and counted; their messages would flood stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed | 1);
    let mut counts = Counts::default();
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut failures = 0u64;
    while Instant::now() < deadline {
        let bytes = mutate(&mut rng, &seeds);
        counts.inputs += 1;
        counts.bytes += bytes.len() as u64;
        let analyse = counts.inputs % 8 == 0;
        let target = 1 + rng.below(4096);
        let outcome = catch_unwind(AssertUnwindSafe(|| -> Result<(), String> {
            for f in FORMATS {
                check(
                    &bytes,
                    f,
                    analyse.then_some(&analyzers).filter(|_| f.is_none()),
                    &mut counts,
                )?;
            }
            let f = FORMATS[rng.below(FORMATS.len())];
            check_pieces(&bytes, f, target, dir.path(), &mut counts)
        }));
        let why = match outcome {
            Ok(Ok(())) => continue,
            Ok(Err(why)) => why,
            Err(panic) => format!(
                "panic: {}",
                panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            ),
        };
        failures += 1;
        let out = root.join("target/fuzz-failures");
        let _ = std::fs::create_dir_all(&out);
        let file = out.join(format!("input-{}.bin", counts.inputs));
        let _ = std::fs::write(&file, &bytes);
        eprintln!(
            "FAIL #{}: {why} (input saved to {})",
            counts.inputs,
            file.display()
        );
        if failures >= 10 {
            break;
        }
    }
    println!(
        "fuzz: {} s, seed {seed}: {} mutated inputs ({:.1} MB), {} ingests (detected + 6 forced formats each), {} piece reads, {} analyses; {} lines read, {} rejected, {} messages; {} failures (panics or accounting)",
        seconds,
        counts.inputs,
        counts.bytes as f64 / 1e6,
        counts.ingests,
        counts.piece_reads,
        counts.analyses,
        counts.lines,
        counts.rejected,
        counts.messages,
        failures
    );
    std::process::exit(i32::from(failures > 0));
}
