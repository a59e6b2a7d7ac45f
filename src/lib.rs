//! # wwqa: chat-session analysis for Taobao/Tmall customer service
//!
//! A scan works as a pipeline; the module tree follows it in order:
//!
//! 0. [`config`]: `wwqa.toml` (latency preset and values, lexicons,
//!    allow-list, rule selection, severities, options, custom rules, roles,
//!    stage model, redaction), from which [`analyze::Analyzers`] — the one
//!    engine — is built; [`rules::registry`](mod@rules::registry) lists every
//!    rule once.
//! 1. [`ingest`]: decode each file (UTF-8, GB18030, UTF-16), detect its
//!    format and parse it into [`model::Message`]s, accounting for every line
//!    (used, noise, or rejected with `path:line`).
//! 2. [`session`]: group messages by conversation (shop, buyer) and split
//!    them into [`model::Session`]s at inactivity gaps.
//! 3. [`normalize`] and [`lexicon`]: fold text (width, case, traditional
//!    characters, digit variants, inserted symbols) while keeping offsets into
//!    the original, then match every lexicon in one automaton pass;
//!    [`segment`] checks word boundaries with jieba where a hit needs it.
//! 4. Analyzers: [`latency`] (rounds, 平响, 3-minute rate), [`rules`]
//!    (service-script rules), [`stage`] (售前 / 售中 / 售后), [`abuse`]
//!    (insults, threats, harassment, fraud, leaks, commitments).
//! 5. [`scores`]: mergeable scorecards per agent and shop, per day and month.
//! 6. [`tiers`]: declarative tier rules (金牌 / 银牌 / 黑牌, agent levels).
//! 7. [`report`]: `sessions.jsonl`, `findings.jsonl`, CSV tables,
//!    `summary.json`, `report.html` with its session views, `report.xlsx`.
//! 8. [`review`]: the 抽检 loop over a scan's output — stratified samples,
//!    review packs, verdicts imported back and per-rule precision.
//!
//! [`scan`] drives the pipeline over files in parallel (rayon) with output
//! that is byte-identical at any thread count; [`synth`] generates seeded
//! synthetic dumps with ground truth for tests and benchmarks.

#![deny(missing_docs)]

pub mod diag;
pub mod config;
pub mod model;
pub mod finding;
pub mod ingest;
pub mod session;
pub mod normalize;
pub mod lexicon;
pub mod segment;
pub mod latency;
pub mod rules;
pub mod stage;
pub mod abuse;
pub mod evidence;
pub mod analyze;
pub mod scores;
pub mod tiers;
pub mod report;
pub mod review;
pub mod scan;
pub mod synth;
pub mod shared_data;
