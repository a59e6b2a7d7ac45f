//! Text matching throughput on real Chinese customer-service chat.
//!
//! Baseline: one plain `aho-corasick` pass (auto-selected automaton,
//! leftmost-longest) over each raw message with every bundled term as
//! written. Against it: normalise + match with `wwqa::lexicon::Matcher`
//! (folds, allow-contexts, role filters, jieba boundary checks), with each
//! engine; and each stage alone. Target: normalise + match ≤ 2× baseline.
//!
//! The text is the content column of the JDDC sample, read from
//! `../shared/data/dialogue_jddc/jddc_chat_sample.tsv` at bench time; the
//! bench is skipped when that file is absent.
//!
//! Run: `cargo bench --bench textmatch`.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use std::time::{Duration, Instant};
use wwqa::lexicon::{self, Engine, Matcher};
use wwqa::model::Role;
use wwqa::normalize::{normalize, NormalizeOptions, Normalized};

const SAMPLE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/dialogue_jddc/jddc_chat_sample.tsv"
);

fn messages() -> Option<Vec<(Role, String)>> {
    let data = std::fs::read_to_string(SAMPLE).ok()?;
    let rows = data
        .lines()
        .filter_map(|line| {
            let columns: Vec<&str> = line.split('\t').collect();
            let [_, _, sender, _, _, _, text] = columns[..] else {
                return None;
            };
            let role = if sender == "1" {
                Role::Agent
            } else {
                Role::Buyer
            };
            Some((role, text.to_string()))
        })
        .collect();
    Some(rows)
}

fn textmatch(c: &mut Criterion) {
    let Some(messages) = messages() else {
        eprintln!("skipped: {SAMPLE} absent");
        return;
    };
    let bytes: usize = messages.iter().map(|(_, t)| t.len()).sum();
    let lexicons = lexicon::bundled().expect("bundled lexicons load");
    let raw_terms: Vec<&str> = lexicons
        .iter()
        .flat_map(|l| l.entries.iter().map(|e| e.term.as_str()))
        .collect();
    let plain = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&raw_terms)
        .expect("plain automaton builds");
    let daachorse = Matcher::with_engine(&lexicons, Engine::Daachorse).expect("matcher builds");
    let aho = Matcher::with_engine(&lexicons, Engine::AhoCorasick).expect("matcher builds");
    let options = NormalizeOptions::default();
    let prenormalized: Vec<(Role, Normalized)> =
        messages.iter().map(|(r, t)| (*r, normalize(t))).collect();
    eprintln!(
        "textmatch: {} messages, {} bytes, {} terms",
        messages.len(),
        bytes,
        raw_terms.len()
    );

    // `cargo bench` passes `--bench`; `cargo test --benches` does not, and
    // `--list` only lists: there the summary would only cost time.
    let args: Vec<String> = std::env::args().collect();
    if args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--list") {
        interleaved_summary(
            &messages,
            &prenormalized,
            &plain,
            &daachorse,
            &aho,
            &options,
        );
    }

    let mut group = c.benchmark_group("textmatch");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.sample_size(20);
    group.warm_up_time(Duration::from_secs(2));
    group.measurement_time(Duration::from_secs(6));

    group.bench_function("plain_aho_corasick_raw", |b| {
        b.iter(|| {
            let mut count = 0usize;
            for (_, text) in &messages {
                count += plain.find_iter(text.as_str()).count();
            }
            black_box(count)
        })
    });

    group.bench_function("normalize_only", |b| {
        let mut normalized = Normalized::default();
        b.iter(|| {
            let mut chars = 0usize;
            for (_, text) in &messages {
                normalized.refill(text, &options);
                chars += normalized.char_len();
            }
            black_box(chars)
        })
    });

    // The bare automata over the normalised text: the engine comparison.
    let patterns: Vec<&str> = daachorse
        .entries()
        .iter()
        .map(|e| e.normalized.as_str())
        .collect();
    let bare_daachorse: daachorse::CharwiseDoubleArrayAhoCorasick<u32> =
        daachorse::CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(daachorse::MatchKind::LeftmostLongest)
            .build(&patterns)
            .expect("daachorse builds");
    let bare_aho = aho_corasick::AhoCorasick::builder()
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(&patterns)
        .expect("aho-corasick builds");
    group.bench_function("engine_daachorse", |b| {
        b.iter(|| {
            let mut count = 0usize;
            for (_, normalized) in &prenormalized {
                count += bare_daachorse.leftmost_find_iter(&normalized.text).count();
            }
            black_box(count)
        })
    });
    group.bench_function("engine_aho_corasick", |b| {
        b.iter(|| {
            let mut count = 0usize;
            for (_, normalized) in &prenormalized {
                count += bare_aho.find_iter(normalized.text.as_str()).count();
            }
            black_box(count)
        })
    });

    for (name, matcher) in [("daachorse", &daachorse), ("aho_corasick", &aho)] {
        group.bench_function(format!("match_only_{name}"), |b| {
            let mut hits = Vec::new();
            b.iter(|| {
                let mut count = 0usize;
                for (role, normalized) in &prenormalized {
                    hits.clear();
                    matcher.find_into(normalized, Some(*role), &mut hits);
                    count += hits.len();
                }
                black_box(count)
            })
        });
        group.bench_function(format!("normalize_match_{name}"), |b| {
            let mut normalized = Normalized::default();
            let mut hits = Vec::new();
            b.iter(|| {
                let mut count = 0usize;
                for (role, text) in &messages {
                    normalized.refill(text, &options);
                    hits.clear();
                    matcher.find_into(&normalized, Some(*role), &mut hits);
                    count += hits.len();
                }
                black_box(count)
            })
        });
    }
    group.finish();
}

/// A named closure that runs one full pass and returns its match count.
type Contender<'a> = (&'static str, Box<dyn Fn() -> usize + 'a>);

/// The machine is shared, so load drifts between criterion's sequential
/// benchmarks. This runs every contender once per round, in rotating order,
/// and reports medians and the median per-round ratio to the plain pass:
/// figures that load drift affects far less.
fn interleaved_summary(
    messages: &[(Role, String)],
    prenormalized: &[(Role, Normalized)],
    plain: &aho_corasick::AhoCorasick,
    daachorse: &Matcher,
    aho: &Matcher,
    options: &NormalizeOptions,
) {
    let normalize_match = |matcher: &Matcher| {
        let mut normalized = Normalized::default();
        let mut hits = Vec::new();
        let mut count = 0usize;
        for (role, text) in messages {
            normalized.refill(text, options);
            hits.clear();
            matcher.find_into(&normalized, Some(*role), &mut hits);
            count += hits.len();
        }
        count
    };
    let match_only = |matcher: &Matcher| {
        let mut hits = Vec::new();
        let mut count = 0usize;
        for (role, normalized) in prenormalized {
            hits.clear();
            matcher.find_into(normalized, Some(*role), &mut hits);
            count += hits.len();
        }
        count
    };
    let contenders: [Contender<'_>; 5] = [
        (
            "plain_aho_corasick_raw",
            Box::new(|| {
                messages
                    .iter()
                    .map(|(_, t)| plain.find_iter(t.as_str()).count())
                    .sum()
            }),
        ),
        (
            "normalize_match_daachorse",
            Box::new(|| normalize_match(daachorse)),
        ),
        (
            "normalize_match_aho_corasick",
            Box::new(|| normalize_match(aho)),
        ),
        ("match_only_daachorse", Box::new(|| match_only(daachorse))),
        ("match_only_aho_corasick", Box::new(|| match_only(aho))),
    ];
    const ROUNDS: usize = 41;
    let mut times = vec![Vec::with_capacity(ROUNDS); contenders.len()];
    for round in 0..ROUNDS + 3 {
        for k in 0..contenders.len() {
            let index = (k + round) % contenders.len();
            let started = Instant::now();
            black_box((contenders[index].1)());
            if round >= 3 {
                times[index].push(started.elapsed().as_secs_f64() * 1e3);
            }
        }
    }
    let median = |values: &[f64]| {
        let mut sorted = values.to_vec();
        sorted.sort_by(f64::total_cmp);
        sorted[sorted.len() / 2]
    };
    for (index, (name, _)) in contenders.iter().enumerate() {
        let ratios: Vec<f64> = times[index]
            .iter()
            .zip(&times[0])
            .map(|(t, base)| t / base)
            .collect();
        eprintln!(
            "interleaved: {name:<30} median {:.3} ms, median ratio to plain {:.2}x",
            median(&times[index]),
            median(&ratios)
        );
    }
}

criterion_group!(benches, textmatch);
criterion_main!(benches);
