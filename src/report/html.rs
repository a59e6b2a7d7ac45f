//! `report.html` and `findings.csv`: the shareable views of a scan's output
//! directory.
//!
//! [`render_report`] reads, from the directory `wwqa scan` (or `merge`)
//! wrote:
//!
//! * `summary.json` (required): totals, files, latency histogram, stage mix,
//!   findings by rule, per-shop and per-agent rows;
//! * `findings.jsonl`, streamed: counts for every finding, and at most
//!   [`MAX_QUOTES_PER_RULE`] quotes per rule and [`MAX_QUOTES_PER_AGENT`]
//!   per agent;
//! * `sessions.jsonl`, streamed, only the `latency.rounds` of each line:
//!   rounds and the 3-minute response rate by hour of day;
//! * `tiers.json` (written by `wwqa tier`), if present;
//! * `evidence/<case>/bundle.json` (written by `wwqa evidence --out
//!   DIR/evidence`), if present: abuse cases link to `bundle.html` beside it.
//!
//! The page is one self-contained HTML5 file: inline CSS, inline SVG charts,
//! a few lines of inline JavaScript for sorting tables, a system CJK font
//! stack, and a Content-Security-Policy that forbids every network load.
//! Links to evidence pages are relative, so the report is meant to stay in
//! the output directory.
//!
//! With `redact`, buyer nicks become stable pseudonyms (also inside file
//! paths: exports are often named after the buyer) and quotes and messages
//! pass through [`Redactor::redact_message`]; shop and agent nicks stay. Evidence pages are not touched: they keep the original text
//! and say so.

use super::redact::Redactor;
use crate::finding::{Finding, Severity};
use crate::model::{seconds_of_day, Role};
use anyhow::{Context, Result};
use serde::de::IgnoredAny;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;

mod live;
pub use live::{LivePart, LiveReport, LiveSpec};

/// Quotes kept per rule code (every finding is still counted).
pub const MAX_QUOTES_PER_RULE: usize = 20;
/// Quotes kept per agent account, most severe first.
pub const MAX_QUOTES_PER_AGENT: usize = 3;
/// Quotes kept per abuse case.
pub const MAX_QUOTES_PER_CASE: usize = 5;
/// Abuse cases listed (most findings first); all are counted.
pub const MAX_ABUSE_CASES: usize = 200;
/// Rows of the input-files table.
pub const MAX_FILE_ROWS: usize = 500;

/// Rule families whose findings make an abuse case (insults, harassment,
/// off-platform lures, fraud).
const ABUSE_FAMILIES: [&str; 3] = ["abuse", "offplatform", "fraud"];

/// `write!` into a `String`, which cannot fail.
macro_rules! w {
    ($out:expr, $($arg:tt)*) => {{
        let _ = write!($out, $($arg)*);
    }};
}

// ---------------------------------------------------------------- inputs

/// The parts of `summary.json` the report shows. Every field defaults, so a
/// summary from an older or newer wwqa still renders.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SummaryIn {
    wwqa_version: String,
    policies: BTreeMap<String, String>,
    totals: TotalsIn,
    by_encoding: BTreeMap<String, u64>,
    by_format: BTreeMap<String, u64>,
    files: Vec<FileIn>,
    latency_histogram: Vec<(String, u64)>,
    stage_mix: BTreeMap<String, u64>,
    findings_by_code: BTreeMap<String, u64>,
    shops: Vec<RowIn>,
    agents: Vec<RowIn>,
    config: ConfigIn,
}

/// The part of `summary.json`'s `config` the report reads: the values of
/// the latency policy the scan ran under (a configuration may have
/// changed the preset's).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ConfigIn {
    latency: Option<PolicyIn>,
}

#[derive(Debug, Default, Deserialize)]
struct PolicyIn {
    three_min_secs: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TotalsIn {
    files: u64,
    bytes: u64,
    lines_read: u64,
    lines_used: u64,
    lines_noise: u64,
    lines_rejected: u64,
    messages: u64,
    sessions: u64,
    warnings: u64,
    files_unreadable: u64,
    findings: u64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct FileIn {
    path: String,
    format: Option<String>,
    encoding: Option<String>,
    lines_read: u64,
    lines_rejected: u64,
    messages: u64,
    sessions: u64,
    error: Option<String>,
    buyers_in_path: Vec<String>,
}

/// A row of `agents.csv` / `shops.csv` as `summary.json` repeats it.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RowIn {
    shop: String,
    name: String,
    sessions: u64,
    rounds_assessed: u64,
    assessed: bool,
    three_min_rate: Option<f64>,
    avg_response_secs: Option<f64>,
    first_response_avg_secs: Option<f64>,
    slow_breach: u64,
    unreplied_rounds: u64,
    reply_rate: Option<f64>,
    answer_ratio: Option<f64>,
    findings_high: u64,
    findings_medium: u64,
    findings_low: u64,
    violations_per_100_sessions: f64,
    abuse_evidence_by_agent: u64,
    abuse_evidence_by_buyer: u64,
    abuse_candidates_by_agent: u64,
    commitments: u64,
    inquiry_sessions: u64,
    inquiry_conversion: Option<f64>,
}

/// `tiers.json`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TiersIn {
    policy_name: String,
    policy_version: String,
    policy_source: String,
    shop_tiers: BTreeMap<String, u64>,
    agent_levels: BTreeMap<String, u64>,
    shops: Vec<ShopTierIn>,
    agents: Vec<AgentTierIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ShopTierIn {
    shop: String,
    month: String,
    platform: String,
    industry: String,
    scale_band: String,
    tier: String,
    computed_tier: String,
    decided_by: String,
    flags: Vec<String>,
    rank: Option<RankIn>,
    checks: Vec<CheckIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RankIn {
    rank: u64,
    peers: u64,
    percentile: serde_json::Value,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AgentTierIn {
    agent: String,
    shop: String,
    month: String,
    level: String,
    checks: Vec<CheckIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CheckIn {
    rule: String,
    passed: bool,
    actual: String,
    expected: String,
    note: String,
}

/// The parts of an evidence `bundle.json` the index needs; the messages
/// are counted, not kept.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct BundleIn {
    case_id: String,
    shop: String,
    buyer: String,
    first_time: Option<String>,
    last_time: Option<String>,
    messages: Vec<IgnoredAny>,
    highlights: Vec<IgnoredAny>,
    range_hash: String,
}

/// One evidence bundle found under `evidence/`.
struct EvidenceCase {
    dir_name: String,
    bundle: BundleIn,
}

/// Only what the hour chart needs from a `sessions.jsonl` line.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct LatencyIn {
    rounds: Vec<RoundIn>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RoundIn {
    open_time: i64,
    status: String,
    in_window: bool,
    latency_secs: Option<i64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct SessionLineIn {
    latency: LatencyIn,
}

// ------------------------------------------------------------ aggregates

/// A finding as the report shows it (already redacted when asked).
#[derive(Debug, Clone)]
struct Quote {
    code: String,
    severity: Severity,
    time: String,
    location: String,
    account: String,
    buyer: String,
    role: Role,
    quote: String,
    message: String,
    /// Session view of the finding: `sessions/<session>.html#f-<finding>`.
    session_link: String,
}

#[derive(Debug, Default)]
struct RuleStats {
    name: String,
    family: String,
    severity: Option<Severity>,
    count: u64,
    quotes: Vec<Quote>,
}

#[derive(Debug, Default)]
struct AgentStats {
    count: u64,
    by_severity: [u64; 4],
    by_code: BTreeMap<String, u64>,
    quotes: Vec<Quote>,
}

#[derive(Debug, Default)]
struct CaseStats {
    shop: String,
    buyer: String,
    buyer_shown: String,
    count: u64,
    shop_side: u64,
    by_code: BTreeMap<String, u64>,
    first_time: String,
    last_time: String,
    quotes: Vec<Quote>,
}

#[derive(Debug, Default)]
struct FindingStats {
    total: u64,
    unreadable_lines: u64,
    rules: BTreeMap<String, RuleStats>,
    /// Keyed by (shop, account); findings without an account go under "".
    agents: BTreeMap<(String, String), AgentStats>,
    /// Every abuse case, keyed by a hash of (shop, buyer): compact, since
    /// there is one per buyer concerned and a dump has millions of buyers.
    cases: HashMap<u64, CaseTally>,
    /// The cases the page lists (most findings first, then first seen),
    /// with names and quotes: filled by a second pass over the findings.
    listed: Vec<CaseStats>,
}

/// What is kept of every abuse case: enough to rank it. Everything shown
/// is read back for the listed cases only.
#[derive(Debug, Default, Clone, Copy)]
struct CaseTally {
    count: u64,
    /// Ordinal of the case's first finding in the file.
    first_seen: u64,
}

/// Hash of a case key.
fn case_key(shop: &str, buyer: &str) -> u64 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(shop.as_bytes());
    h.update(&[0x1f]);
    h.update(buyer.as_bytes());
    h.digest()
}

#[derive(Debug, Default, Clone, Copy)]
struct HourStats {
    rounds: u64,
    assessed: u64,
    within: u64,
}

#[derive(Debug, Default)]
struct HourTable {
    hours: [HourStats; 24],
    first: Option<i64>,
    last: Option<i64>,
    unreadable_lines: u64,
    three_min_secs: i64,
}

/// Family of a rule code: the registry's when it knows the code, else the
/// family its prefix stands for.
struct Families(HashMap<String, String>);

impl Families {
    fn of(&mut self, code: &str) -> String {
        if let Some(f) = self.0.get(code) {
            return f.clone();
        }
        let family = crate::rules::family_of(code).to_string();
        self.0.insert(code.to_string(), family.clone());
        family
    }
}

/// What redaction needs besides the [`Redactor`]: the buyer nicks that
/// occur in input file paths (千牛 exports are often one file per contact,
/// named after the buyer; the scan records them per file), to mask them in
/// locations. Paths get nothing else masked: they must stay findable.
struct Redaction {
    redactor: Redactor,
    /// Buyer nicks of at least two chars, and their masks.
    nicks: Option<aho_corasick::AhoCorasick>,
    masks: Vec<String>,
    /// The last path masked with the path nicks: (path, masked path). A
    /// file's findings share their path.
    last_path: std::sync::Mutex<(String, String)>,
}

impl Redaction {
    fn new(redactor: Redactor, buyers: &std::collections::BTreeSet<String>) -> Redaction {
        let nicks: Vec<&String> = buyers.iter().filter(|b| b.chars().count() >= 2).collect();
        let masks = nicks.iter().map(|n| redactor.mask_nick(n)).collect();
        let automaton = aho_corasick::AhoCorasick::builder()
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .build(&nicks)
            .ok();
        Redaction {
            redactor,
            nicks: automaton,
            masks,
            last_path: Default::default(),
        }
    }

    /// `location` (`path` or `path:line`) with every known buyer nick, and
    /// `own` (the finding's buyer), replaced by its pseudonym in the path.
    /// The line number is never masked: it must stay findable, whatever
    /// the nicks look like.
    fn path(&self, location: &str, own: &str) -> String {
        let (path, line) = match location.rsplit_once(':') {
            Some((path, line)) if !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) => {
                (path, &location[path.len()..])
            }
            _ => (location, ""),
        };
        // Threads sharing this redaction skip the memo rather than wait.
        let remembered = self
            .last_path
            .try_lock()
            .ok()
            .filter(|last| last.0 == path)
            .map(|last| last.1.clone());
        let masked = remembered.unwrap_or_else(|| {
            let masked = match &self.nicks {
                Some(ac) => ac.replace_all(path, &self.masks),
                None => path.to_string(),
            };
            if let Ok(mut last) = self.last_path.try_lock() {
                *last = (path.to_string(), masked.clone());
            }
            masked
        });
        let masked = if own.chars().nth(1).is_some() && masked.contains(own) {
            masked.replace(own, &self.redactor.mask_nick(own))
        } else {
            masked
        };
        format!("{masked}{line}")
    }
}

fn quote_of(f: &Finding, red: Option<&Redaction>) -> Quote {
    let (buyer, quote, message, location) = match red {
        Some(r) => (
            r.redactor.mask_nick(&f.buyer),
            r.redactor.redact_message(&f.quote, &[&f.buyer]),
            r.redactor.redact_message(&f.message, &[&f.buyer]),
            r.path(&f.location, &f.buyer),
        ),
        None => (
            f.buyer.clone(),
            f.quote.clone(),
            f.message.clone(),
            f.location.clone(),
        ),
    };
    Quote {
        code: f.code.clone(),
        severity: f.severity,
        time: f.time.clone().unwrap_or_default(),
        location,
        account: f.account.clone().unwrap_or_default(),
        buyer,
        role: f.role,
        quote,
        message,
        session_link: crate::review::pack::session_link(
            &f.session_id,
            &crate::review::finding_id(f),
        ),
    }
}

/// Read a JSON-lines file in blocks of whole lines (about 4 MiB each) and
/// run `map` on a window of blocks in parallel (on the current rayon pool);
/// `fold` gets the results in file order. Memory stays bounded by the
/// window, and the work scales with the scan's threads. A missing file is
/// `Ok(false)`.
fn par_line_blocks<T: Send>(
    path: &Path,
    map: impl Fn(&str) -> T + Sync,
    mut fold: impl FnMut(T) -> Result<()>,
) -> Result<bool> {
    use rayon::prelude::*;
    use std::io::{BufRead, Read};
    const BLOCK: u64 = 4 << 20;
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot open", path.display())),
    };
    let mut reader = std::io::BufReader::with_capacity(1 << 20, file);
    let window = rayon::current_num_threads().max(1) * 2;
    loop {
        let mut blocks: Vec<String> = Vec::with_capacity(window);
        while blocks.len() < window {
            let mut bytes = Vec::with_capacity(BLOCK as usize + 4096);
            let read = (&mut reader)
                .take(BLOCK)
                .read_to_end(&mut bytes)
                .and_then(|n| {
                    // Finish the line the block ends in.
                    if n > 0 && bytes.last() != Some(&b'\n') {
                        reader.read_until(b'\n', &mut bytes)?;
                    }
                    Ok(n)
                })
                .with_context(|| format!("{}: cannot read", path.display()))?;
            if read == 0 {
                break;
            }
            blocks.push(
                String::from_utf8(bytes)
                    .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()),
            );
        }
        if blocks.is_empty() {
            return Ok(true);
        }
        let results: Vec<T> = blocks.par_iter().map(|b| map(b)).collect();
        for r in results {
            fold(r)?;
        }
    }
}

impl FindingStats {
    /// Count one finding (in file order).
    fn add(&mut self, f: &Finding, families: &mut Families, red: Option<&Redaction>) {
        let family = families.of(&f.code);
        let mut quote = None;
        self.add_shown(f, &family, &mut || {
            quote.get_or_insert_with(|| quote_of(f, red)).clone()
        });
    }

    /// Count one finding of `family`, shown (when a quote of it is kept)
    /// as `shown` makes it. Returns its case key when it is an abuse
    /// finding.
    fn add_shown(
        &mut self,
        f: &Finding,
        family: &str,
        shown: &mut dyn FnMut() -> Quote,
    ) -> Option<u64> {
        self.total += 1;
        let rule = match self.rules.get_mut(&f.code) {
            Some(rule) => rule,
            None => self.rules.entry(f.code.clone()).or_default(),
        };
        rule.count += 1;
        if rule.name.is_empty() {
            rule.name = f.name.clone();
            rule.family = family.to_string();
        }
        rule.severity = rule.severity.max(Some(f.severity));
        if rule.quotes.len() < MAX_QUOTES_PER_RULE {
            rule.quotes.push(shown());
        }
        let agent = self
            .agents
            .entry((f.shop.clone(), f.account.clone().unwrap_or_default()))
            .or_default();
        agent.count += 1;
        agent.by_severity[f.severity as usize] += 1;
        *agent.by_code.entry(f.code.clone()).or_default() += 1;
        // Keep the most severe quotes, earliest first among equals.
        keep_agent_quote(&mut agent.quotes, f.severity, shown);
        if !ABUSE_FAMILIES.contains(&family) {
            return None;
        }
        let ordinal = self.total - 1;
        let key = case_key(&f.shop, &f.buyer);
        let case = self.cases.entry(key).or_insert_with(|| CaseTally {
            first_seen: ordinal,
            ..CaseTally::default()
        });
        case.count += 1;
        Some(key)
    }

    /// Fold in the stats of the findings that follow these in the file: the
    /// same result as adding them one by one (quotes kept are the first per
    /// rule, and per agent the most severe, earliest first among equals).
    fn merge(&mut self, later: FindingStats) {
        let offset = self.total;
        self.total += later.total;
        self.unreadable_lines += later.unreadable_lines;
        for (code, r) in later.rules {
            let rule = self.rules.entry(code).or_default();
            rule.count += r.count;
            if rule.name.is_empty() {
                rule.name = r.name;
                rule.family = r.family;
            }
            rule.severity = rule.severity.max(r.severity);
            let room = MAX_QUOTES_PER_RULE.saturating_sub(rule.quotes.len());
            rule.quotes.extend(r.quotes.into_iter().take(room));
        }
        for (key, a) in later.agents {
            let agent = self.agents.entry(key).or_default();
            agent.count += a.count;
            for (mine, theirs) in agent.by_severity.iter_mut().zip(a.by_severity) {
                *mine += theirs;
            }
            for (code, n) in a.by_code {
                *agent.by_code.entry(code).or_default() += n;
            }
            for q in a.quotes {
                let severity = q.severity;
                let mut q = Some(q);
                keep_agent_quote(&mut agent.quotes, severity, &mut || {
                    q.take().expect("a quote is kept at most once")
                });
            }
        }
        for (key, c) in later.cases {
            let case = self.cases.entry(key).or_insert_with(|| CaseTally {
                first_seen: offset + c.first_seen,
                ..CaseTally::default()
            });
            case.count += c.count;
        }
    }
}

/// Keep a quote of `severity` (made by `quote` only when kept) among an
/// agent's quotes if it is among the most severe, earliest first among
/// equals.
fn keep_agent_quote(quotes: &mut Vec<Quote>, severity: Severity, quote: &mut dyn FnMut() -> Quote) {
    let weakest = quotes
        .iter()
        .enumerate()
        .min_by_key(|(i, q)| (q.severity, std::cmp::Reverse(*i)))
        .map(|(i, q)| (i, q.severity));
    match weakest {
        _ if quotes.len() < MAX_QUOTES_PER_AGENT => quotes.push(quote()),
        Some((i, s)) if s < severity => {
            quotes.remove(i);
            quotes.push(quote());
            quotes.sort_by_key(|q| std::cmp::Reverse(q.severity));
        }
        _ => {}
    }
}

/// Where `findings.csv` rows go while the findings are counted, so each
/// finding is parsed once for both.
struct CsvSink<'w> {
    out: &'w mut dyn std::io::Write,
    path: &'w Path,
    rows: u64,
}

fn collect_findings(
    dir: &Path,
    red: Option<&Redaction>,
    mut csv: Option<&mut CsvSink<'_>>,
) -> Result<Option<FindingStats>> {
    let mut stats = FindingStats::default();
    // The CSV gets the page's redaction.
    let with_csv = csv.is_some();
    // Parallel blocks, folded in file order.
    let found = par_line_blocks(
        &dir.join("findings.jsonl"),
        |block| {
            let mut part = FindingStats::default();
            let mut families = Families(HashMap::new());
            let mut rows = with_csv.then(|| CsvRows::new(block.len()));
            for line in block.lines() {
                if line.trim().is_empty() {
                    continue;
                }
                match serde_json::from_str::<Finding>(line) {
                    Ok(f) => {
                        if let Some(rows) = rows.as_mut() {
                            rows.push(&f, red, &mut families);
                        }
                        part.add(&f, &mut families, red);
                    }
                    Err(_) => part.unreadable_lines += 1,
                }
            }
            (part, rows.map(CsvRows::finish))
        },
        |(part, rows)| {
            stats.merge(part);
            if let (Some(sink), Some((bytes, n))) = (csv.as_deref_mut(), rows) {
                sink.rows += n;
                sink.out
                    .write_all(&bytes?)
                    .with_context(|| format!("{}: cannot write", sink.path.display()))?;
            }
            Ok(())
        },
    )?;
    if !found {
        return Ok(None);
    }
    list_cases(dir, red, &mut stats, None)?;
    Ok(Some(stats))
}

/// Fill `stats.listed`: names and quotes only for the cases the page
/// lists, read in a second pass over `findings.jsonl` (keeping them for
/// every case grew with the number of buyers). With an [`AbuseIndex`] of
/// that file, only the lines of the listed cases are read.
fn list_cases(
    dir: &Path,
    red: Option<&Redaction>,
    stats: &mut FindingStats,
    index: Option<AbuseIndex>,
) -> Result<()> {
    let mut order: Vec<(u64, &CaseTally)> = stats.cases.iter().map(|(k, c)| (*k, c)).collect();
    order.sort_by(|a, b| {
        b.1.count
            .cmp(&a.1.count)
            .then(a.1.first_seen.cmp(&b.1.first_seen))
    });
    let rank: HashMap<u64, usize> = order
        .iter()
        .take(MAX_ABUSE_CASES)
        .enumerate()
        .map(|(i, (k, _))| (*k, i))
        .collect();
    let mut listed: Vec<Option<CaseStats>> = (0..rank.len()).map(|_| None).collect();
    if !rank.is_empty() {
        let abuse_codes: std::collections::HashSet<String> = stats
            .rules
            .iter()
            .filter(|(_, r)| ABUSE_FAMILIES.contains(&r.family.as_str()))
            .map(|(code, _)| code.clone())
            .collect();
        let quote_line = |line: &str| -> Option<(usize, Finding, Quote)> {
            // `code` is the first key of a finding: skip the others unparsed.
            let code = line
                .strip_prefix("{\"code\":\"")
                .and_then(|rest| rest.split('"').next());
            if code.is_some_and(|c| !abuse_codes.contains(c)) {
                return None;
            }
            let f = serde_json::from_str::<Finding>(line).ok()?;
            if !abuse_codes.contains(&f.code) {
                return None;
            }
            let i = *rank.get(&case_key(&f.shop, &f.buyer))?;
            let quote = quote_of(&f, red);
            Some((i, f, quote))
        };
        let mut add = |found: Vec<(usize, Finding, Quote)>| -> Result<()> {
            for (i, f, quote) in found {
                if let Some(slot) = listed.get_mut(i) {
                    add_to_case(slot, f, quote, red);
                }
            }
            Ok(())
        };
        let path = dir.join("findings.jsonl");
        match index
            .map(|index| index.lines_of(&path, &rank))
            .transpose()?
        {
            Some(lines) => add(lines.iter().filter_map(|l| quote_line(l)).collect())?,
            None => {
                par_line_blocks(
                    &path,
                    |block| block.lines().filter_map(&quote_line).collect(),
                    add,
                )?;
            }
        }
    }
    stats.listed = listed.into_iter().flatten().collect();
    Ok(())
}

/// Count one abuse finding (in file order) into its listed case.
fn add_to_case(slot: &mut Option<CaseStats>, f: Finding, quote: Quote, red: Option<&Redaction>) {
    let case = slot.get_or_insert_with(|| CaseStats {
        buyer_shown: match red {
            Some(r) => r.redactor.mask_nick(&f.buyer),
            None => f.buyer.clone(),
        },
        shop: f.shop.clone(),
        buyer: f.buyer.clone(),
        ..CaseStats::default()
    });
    case.count += 1;
    case.shop_side += u64::from(matches!(f.role, Role::Agent | Role::Robot));
    *case.by_code.entry(f.code.clone()).or_default() += 1;
    if let Some(t) = &f.time {
        if case.first_time.is_empty() || *t < case.first_time {
            case.first_time = t.clone();
        }
        if *t > case.last_time {
            case.last_time = t.clone();
        }
    }
    if case.quotes.len() < MAX_QUOTES_PER_CASE {
        case.quotes.push(quote);
    }
}

/// Where every abuse finding of a scan is in `findings.jsonl`: its case
/// and the byte offset of its line, 16 bytes per finding in an unnamed
/// temporary file (memory stays flat however many there are). The report
/// then reads only the lines of the cases it lists, instead of the whole
/// file again.
pub(crate) struct AbuseIndex {
    file: std::io::BufWriter<std::fs::File>,
}

impl AbuseIndex {
    /// An empty index, kept in `dir` (the scan's output directory).
    pub(crate) fn new(dir: &Path) -> Result<AbuseIndex> {
        let file = tempfile::tempfile_in(dir)
            .with_context(|| format!("{}: cannot create a temporary file", dir.display()))?;
        Ok(AbuseIndex {
            file: std::io::BufWriter::new(file),
        })
    }

    /// Note the finding of case `case` whose line starts at `offset`.
    pub(crate) fn add(&mut self, case: u64, offset: u64) -> Result<()> {
        use std::io::Write;
        self.file
            .write_all(&case.to_le_bytes())
            .and_then(|()| self.file.write_all(&offset.to_le_bytes()))
            .context("cannot write the report's temporary index")
    }

    /// The lines of `path` (a `findings.jsonl`) noted for the cases in
    /// `cases`, in file order.
    fn lines_of(self, path: &Path, cases: &HashMap<u64, usize>) -> Result<Vec<String>> {
        use std::io::{BufRead, Read, Seek};
        let mut file = self
            .file
            .into_inner()
            .map_err(|e| e.into_error())
            .context("cannot write the report's temporary index")?;
        file.rewind()
            .context("cannot read the report's temporary index")?;
        let mut records = std::io::BufReader::new(file);
        let mut offsets = Vec::new();
        let mut record = [0u8; 16];
        loop {
            match records.read_exact(&mut record) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e).context("cannot read the report's temporary index"),
            }
            let (case, offset) = record.split_at(8);
            let case = u64::from_le_bytes(case.try_into().unwrap_or_default());
            if cases.contains_key(&case) {
                offsets.push(u64::from_le_bytes(offset.try_into().unwrap_or_default()));
            }
        }
        offsets.sort_unstable();
        let findings = std::fs::File::open(path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let mut findings = std::io::BufReader::with_capacity(16 << 10, findings);
        let mut lines = Vec::with_capacity(offsets.len());
        let mut at = 0u64;
        for offset in offsets {
            // Lines close together are read through the buffer.
            findings
                .seek_relative(offset as i64 - at as i64)
                .with_context(|| format!("{}: cannot read", path.display()))?;
            let mut line = String::new();
            at = offset
                + findings
                    .read_line(&mut line)
                    .with_context(|| format!("{}: cannot read", path.display()))?
                    as u64;
            lines.push(line);
        }
        Ok(lines)
    }
}

/// The `latency` object of a `sessions.jsonl` line. The fast path parses
/// only that object: it is the last `"latency":{` key of the line (message
/// texts are JSON strings, where a quote is always escaped, and the
/// `commitments` after it hold no such key).
fn line_latency(line: &str) -> Option<LatencyIn> {
    const KEY: &[u8] = b"\"latency\":{";
    if let Some(pos) = memchr::memmem::rfind(line.as_bytes(), KEY) {
        let rest = &line[pos + KEY.len() - 1..];
        let mut de = serde_json::Deserializer::from_str(rest);
        if let Ok(l) = LatencyIn::deserialize(&mut de) {
            return Some(l);
        }
    }
    serde_json::from_str::<SessionLineIn>(line)
        .ok()
        .map(|s| s.latency)
}

/// Buyer nicks found in the input paths, from the summary's files.
fn path_buyers(summary: &SummaryIn) -> std::collections::BTreeSet<String> {
    summary
        .files
        .iter()
        .flat_map(|f| f.buyers_in_path.iter().cloned())
        .collect()
}

/// Stream `sessions.jsonl`: rounds by hour.
fn collect_hours(dir: &Path, three_min_secs: i64) -> Result<Option<HourTable>> {
    let mut table = HourTable {
        three_min_secs,
        ..HourTable::default()
    };
    let found = par_line_blocks(
        &dir.join("sessions.jsonl"),
        |block| hours_of(block, three_min_secs),
        |part| {
            table.merge(&part);
            Ok(())
        },
    )?;
    Ok(found.then_some(table))
}

/// The hour table of a block of `sessions.jsonl` lines.
fn hours_of(block: &str, three_min_secs: i64) -> HourTable {
    let mut table = HourTable {
        three_min_secs,
        ..HourTable::default()
    };
    for line in block.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let Some(latency) = line_latency(line) else {
            table.unreadable_lines += 1;
            continue;
        };
        for r in latency.rounds {
            let counted = r.status == "replied" || r.status == "unreplied";
            let replied = r.status == "replied";
            table.add_round(r.open_time, counted, replied, r.in_window, r.latency_secs);
        }
    }
    table
}

impl HourTable {
    /// Count one round: `counted` when its status enters the rates
    /// (replied or unreplied), `replied` when validly answered.
    fn add_round(
        &mut self,
        open_time: i64,
        counted: bool,
        replied: bool,
        in_window: bool,
        latency_secs: Option<i64>,
    ) {
        // A time so far out that the local-time shift would overflow is
        // corrupt input, not a round.
        if open_time.checked_add(86_400).is_none() || open_time.checked_sub(86_400).is_none() {
            self.unreadable_lines += 1;
            return;
        }
        let hour = (seconds_of_day(open_time) / 3600) as usize;
        let Some(h) = self.hours.get_mut(hour) else {
            return;
        };
        h.rounds += 1;
        if counted && in_window {
            h.assessed += 1;
            if replied && latency_secs.is_some_and(|s| s <= self.three_min_secs) {
                h.within += 1;
            }
        }
        self.first = Some(self.first.map_or(open_time, |f| f.min(open_time)));
        self.last = Some(self.last.map_or(open_time, |l| l.max(open_time)));
    }

    fn merge(&mut self, other: &HourTable) {
        for (mine, theirs) in self.hours.iter_mut().zip(&other.hours) {
            mine.rounds += theirs.rounds;
            mine.assessed += theirs.assessed;
            mine.within += theirs.within;
        }
        self.first = match (self.first, other.first) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        self.last = match (self.last, other.last) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        self.unreadable_lines += other.unreadable_lines;
    }
}

fn collect_evidence(dir: &Path) -> Vec<EvidenceCase> {
    let Ok(entries) = std::fs::read_dir(dir.join("evidence")) else {
        return Vec::new();
    };
    let mut cases: Vec<EvidenceCase> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let text = std::fs::read_to_string(e.path().join("bundle.json")).ok()?;
            let bundle: BundleIn = serde_json::from_str(&text).ok()?;
            Some(EvidenceCase {
                dir_name: e.file_name().to_string_lossy().into_owned(),
                bundle,
            })
        })
        .collect();
    cases.sort_by(|a, b| a.dir_name.cmp(&b.dir_name));
    cases
}

/// The 3-minute limit of the policy the scan used (its tag is in
/// `summary.json`), falling back to the bundled default.
fn three_min_secs(latency_tag: Option<&str>) -> i64 {
    let name = latency_tag
        .and_then(|tag| tag.split('@').next())
        .unwrap_or_default();
    crate::latency::LatencyPolicy::bundled_preset(name)
        .unwrap_or_else(|_| crate::latency::LatencyPolicy::bundled())
        .three_min_secs
}

// ---------------------------------------------------------------- render

/// Render `report.html` for a scan output directory.
///
/// With `redact`, buyer nicks are replaced by stable pseudonyms and phone,
/// ID, card and order numbers and addresses are masked in every quote and
/// message (see [`super::redact`]); the key comes from
/// [`Redactor::from_env`].
///
/// # Errors
/// `summary.json` missing or not a wwqa summary; an input file that exists
/// but cannot be read. Unparseable lines of the JSON-lines files are
/// skipped and counted on the page.
pub fn render_report(dir: &Path, redact: bool) -> Result<String> {
    render(dir, redact, None)
}

/// Write `report.html` (see [`render_report`]) to `html_path` and, when
/// `findings.jsonl` exists, `findings.csv` (see [`write_findings_csv`]) in
/// `dir`, reading every finding once for both. Returns the CSV's row count
/// (`None` when there are no findings to write, as in a merged directory).
///
/// # Errors
/// As [`render_report`] and [`write_findings_csv`].
pub fn write_report(dir: &Path, redact: bool, html_path: &Path) -> Result<Option<u64>> {
    let rows = if dir.join("findings.jsonl").exists() {
        let (csv_path, mut writer) = create_csv(dir)?;
        let mut sink = CsvSink {
            out: &mut writer,
            path: &csv_path,
            rows: 0,
        };
        let html = render(dir, redact, Some(&mut sink))?;
        crate::review::pack::write_linked_sessions(dir, html_path, &html, redact)?;
        let rows = sink.rows;
        finish_csv(&csv_path, writer)?;
        write_page(html_path, &html)?;
        Some(rows)
    } else {
        let html = render(dir, redact, None)?;
        write_page(html_path, &html)?;
        None
    };
    Ok(rows)
}

fn render(dir: &Path, redact: bool, csv: Option<&mut CsvSink<'_>>) -> Result<String> {
    let summary = read_summary(dir)?;
    let limit = match &summary.config.latency {
        Some(latency) => latency.three_min_secs,
        None => three_min_secs(summary.policies.get("latency").map(String::as_str)),
    };
    let hours = collect_hours(dir, limit)?;
    let redaction = redact.then(|| Redaction::new(Redactor::from_env(), &path_buyers(&summary)));
    let findings = collect_findings(dir, redaction.as_ref(), csv)?;
    render_page(
        dir,
        &summary,
        findings.as_ref(),
        hours.as_ref(),
        redaction.as_ref(),
    )
}

fn read_summary(dir: &Path) -> Result<SummaryIn> {
    let summary_path = dir.join("summary.json");
    let text = std::fs::read_to_string(&summary_path).with_context(|| {
        format!(
            "{}: cannot read (not a scan output directory?)",
            summary_path.display()
        )
    })?;
    serde_json::from_str(&text)
        .with_context(|| format!("{}: not a wwqa summary", summary_path.display()))
}

/// The page, given what was gathered from the findings and sessions.
fn render_page(
    dir: &Path,
    summary: &SummaryIn,
    findings: Option<&FindingStats>,
    hours: Option<&HourTable>,
    redaction: Option<&Redaction>,
) -> Result<String> {
    let tiers_path = dir.join("tiers.json");
    let tiers: Option<TiersIn> = match std::fs::read_to_string(&tiers_path) {
        Ok(t) => Some(
            serde_json::from_str(&t)
                .with_context(|| format!("{}: not a wwqa tiers file", tiers_path.display()))?,
        ),
        Err(_) => None,
    };
    let evidence = collect_evidence(dir);
    let page = Page {
        path_prefix: common_dir(&summary.files),
        summary,
        findings,
        hours,
        tiers: tiers.as_ref(),
        evidence: &evidence,
        redaction,
    };
    Ok(page.render())
}

/// The directory every input file lies under (with its trailing
/// separator), or "" when they share none. Shown once instead of in every
/// `path:line`.
fn common_dir(paths: &[FileIn]) -> String {
    let mut iter = paths.iter().map(|f| f.path.as_str());
    let Some(first) = iter.next() else {
        return String::new();
    };
    let mut prefix = first;
    for p in iter {
        let common = prefix
            .char_indices()
            .zip(p.chars())
            .find(|((_, a), b)| a != b)
            .map_or(prefix.len().min(p.len()), |((i, _), _)| i);
        prefix = &prefix[..common];
    }
    match prefix.rfind(['/', '\\']) {
        Some(i) => prefix[..=i].to_string(),
        None => String::new(),
    }
}

struct Page<'a> {
    /// [`common_dir`] of the input files.
    path_prefix: String,
    summary: &'a SummaryIn,
    findings: Option<&'a FindingStats>,
    hours: Option<&'a HourTable>,
    tiers: Option<&'a TiersIn>,
    evidence: &'a [EvidenceCase],
    redaction: Option<&'a Redaction>,
}

/// HTML-escape text for element content and quoted attributes.
pub fn escape(text: &str) -> Cow<'_, str> {
    // Bidi controls (UTF-8 lead byte E2) would reorder the page's text:
    // they are shown as `<U+XXXX>` instead.
    if !text.contains(['&', '<', '>', '"', '\''])
        && !memchr::memchr_iter(0xE2, text.as_bytes()).any(|i| {
            text.get(i..)
                .and_then(|t| t.chars().next())
                .is_some_and(super::tables::is_bidi_control)
        })
    {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if super::tables::is_bidi_control(c) => {
                out.push_str(&format!("&lt;U+{:04X}&gt;", c as u32));
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Percent-encode one URL path segment (keeps unreserved ASCII).
fn url_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            w!(out, "%{b:02X}");
        }
    }
    out
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{:.1}%", v * 100.0))
}

fn num(x: Option<f64>, decimals: usize) -> String {
    x.map_or_else(|| "—".to_string(), |v| format!("{v:.decimals$}"))
}

/// A numeric cell: the shown text, and the raw value for sorting (empty
/// when not measurable, sorted last).
fn td_num(out: &mut String, shown: &str, raw: Option<f64>) {
    let v = raw.map(|r| r.to_string()).unwrap_or_default();
    w!(out, "<td class=\"n\" data-v=\"{v}\">{}</td>", escape(shown));
}

fn td(out: &mut String, text: &str) {
    w!(out, "<td>{}</td>", escape(text));
}

/// A shop, agent or buyer nick: kept on one line.
fn td_name(out: &mut String, text: &str) {
    w!(out, "<td class=\"name\">{}</td>", escape(text));
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::High => "高 high",
        Severity::Medium => "中 medium",
        Severity::Low => "低 low",
        Severity::Info => "提示 info",
    }
}

fn severity_color(s: Severity) -> &'static str {
    match s {
        Severity::High => "#c0392b",
        Severity::Medium => "#e67e22",
        Severity::Low => "#d4ac0d",
        Severity::Info => "#7f8c8d",
    }
}

fn stage_label(stage: &str) -> String {
    let zh = match stage {
        "pre_sale" => "售前",
        "in_sale" => "售中",
        "after_sale" => "售后",
        "other" => "其他",
        _ => "",
    };
    format!("{zh} {stage}").trim().to_string()
}

fn tier_label(tier: &str) -> &'static str {
    use crate::tiers::Tier;
    [
        Tier::Gold,
        Tier::Silver,
        Tier::Black,
        Tier::None,
        Tier::NotRated,
        Tier::Cancelled,
        Tier::Disqualified,
    ]
    .into_iter()
    .find(|t| t.as_str() == tier)
    .map_or("?", Tier::label)
}

fn platform_label(p: &str) -> String {
    crate::tiers::Platform::parse(p).map_or_else(|| p.to_string(), |p| p.label().to_string())
}

// ----------------------------------------------------------------- charts

/// One bar of a chart.
struct Bar {
    label: String,
    value: f64,
    color: &'static str,
    tip: String,
}

/// A round axis maximum and step for `max` with about four gridlines.
fn nice_axis(max: f64) -> (f64, f64) {
    if max <= 0.0 || !max.is_finite() {
        return (1.0, 0.25);
    }
    let raw = max / 4.0;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    ((max / step).ceil() * step, step)
}

fn axis_label(v: f64) -> String {
    if v >= 10_000.0 {
        format!("{:.0}k", v / 1000.0)
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.1}")
    }
}

/// Vertical bars with a y axis.
fn vbar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let (width, height) = (680.0, 260.0);
    let (left, right, top, bottom) = (52.0, 12.0, 14.0, 42.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max);
    let (ymax, step) = nice_axis(max);
    let mut s = String::new();
    w!(
        s,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    w!(s, "<title>{}</title>", escape(title));
    let mut y = 0.0;
    while y <= ymax + 1e-9 {
        let py = top + plot_h - y / ymax * plot_h;
        w!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{py:.1}\" y2=\"{py:.1}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            width - right,
            left - 6.0,
            py + 4.0,
            axis_label(y)
        );
        y += step;
    }
    let slot = plot_w / bars.len().max(1) as f64;
    let bar_w = (slot * 0.72).max(1.0);
    for (i, b) in bars.iter().enumerate() {
        let h = (b.value / ymax * plot_h).max(0.0);
        let x = left + slot * i as f64 + (slot - bar_w) / 2.0;
        let cx = left + slot * (i as f64 + 0.5);
        w!(
            s,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{}</title></rect>\
             <text class=\"axis\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
            top + plot_h - h,
            b.color,
            escape(&b.tip),
            top + plot_h + 16.0,
            escape(&b.label)
        );
    }
    s.push_str("</svg>");
    s
}

/// Horizontal bars with labels on the left and values at the bar ends.
fn hbar_chart(id: &str, title: &str, bars: &[Bar]) -> String {
    let width = 680.0;
    let (label_w, value_w, row_h, top) = (250.0, 90.0, 24.0, 6.0);
    let height = top * 2.0 + row_h * bars.len().max(1) as f64;
    let plot_w = width - label_w - value_w;
    let max = bars.iter().map(|b| b.value).fold(0.0, f64::max).max(1.0);
    let mut s = String::new();
    w!(
        s,
        "<svg class=\"chart\" id=\"{id}\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{}\">",
        escape(title)
    );
    w!(s, "<title>{}</title>", escape(title));
    for (i, b) in bars.iter().enumerate() {
        let y = top + row_h * i as f64;
        let len = (b.value / max * plot_w).max(if b.value > 0.0 { 1.0 } else { 0.0 });
        w!(
            s,
            "<text class=\"label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>\
             <rect class=\"bar\" x=\"{label_w}\" y=\"{:.1}\" width=\"{len:.1}\" height=\"{:.1}\" fill=\"{}\"><title>{}</title></rect>\
             <text class=\"value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            label_w - 8.0,
            y + row_h * 0.68,
            escape(&b.label),
            y + 3.0,
            row_h - 6.0,
            b.color,
            escape(&b.tip),
            label_w + len + 6.0,
            y + row_h * 0.68,
            escape(&axis_label(b.value))
        );
    }
    s.push_str("</svg>");
    s
}

/// Rounds by hour (stacked: assessed, not assessed) with the 3-minute rate
/// as a line on a right-hand 0–100% axis.
fn hour_chart(table: &HourTable) -> String {
    let (width, height) = (680.0, 280.0);
    let (left, right, top, bottom) = (52.0, 48.0, 30.0, 36.0);
    let plot_w = width - left - right;
    let plot_h = height - top - bottom;
    let max = table
        .hours
        .iter()
        .map(|h| h.rounds as f64)
        .fold(0.0, f64::max);
    let (ymax, step) = nice_axis(max);
    let mut s = String::new();
    let title = "轮次与3分钟响应率（按小时） Rounds and 3-minute response rate by hour";
    w!(
        s,
        "<svg class=\"chart\" id=\"chart-hours\" viewBox=\"0 0 {width} {height}\" role=\"img\" aria-label=\"{title}\"><title>{title}</title>"
    );
    let mut y = 0.0;
    while y <= ymax + 1e-9 {
        let py = top + plot_h - y / ymax * plot_h;
        w!(
            s,
            "<line class=\"grid\" x1=\"{left}\" x2=\"{}\" y1=\"{py:.1}\" y2=\"{py:.1}\"/>\
             <text class=\"axis\" x=\"{}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            width - right,
            left - 6.0,
            py + 4.0,
            axis_label(y)
        );
        y += step;
    }
    for p in [0, 50, 100] {
        let py = top + plot_h - f64::from(p) / 100.0 * plot_h;
        w!(
            s,
            "<text class=\"axis rate\" x=\"{:.1}\" y=\"{:.1}\">{p}%</text>",
            width - right + 6.0,
            py + 4.0
        );
    }
    let slot = plot_w / 24.0;
    let bar_w = slot * 0.7;
    let mut points = Vec::new();
    for (hour, h) in table.hours.iter().enumerate() {
        let x = left + slot * hour as f64 + (slot - bar_w) / 2.0;
        let cx = left + slot * (hour as f64 + 0.5);
        let assessed_h = h.assessed as f64 / ymax * plot_h;
        let other_h = (h.rounds - h.assessed.min(h.rounds)) as f64 / ymax * plot_h;
        let base = top + plot_h;
        let rate = (h.assessed > 0).then(|| h.within as f64 / h.assessed as f64);
        let tip = format!(
            "{hour:02}:00–{hour:02}:59 · {} rounds, {} assessed, 3-min rate {}",
            h.rounds,
            h.assessed,
            pct(rate)
        );
        w!(
            s,
            "<rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{assessed_h:.1}\" fill=\"#2e86c1\"><title>{tip}</title></rect>\
             <rect class=\"bar\" x=\"{x:.1}\" y=\"{:.1}\" width=\"{bar_w:.1}\" height=\"{other_h:.1}\" fill=\"#aed6f1\"><title>{tip}</title></rect>",
            base - assessed_h,
            base - assessed_h - other_h,
        );
        if hour % 2 == 0 {
            w!(
                s,
                "<text class=\"axis\" x=\"{cx:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{hour}</text>",
                base + 16.0
            );
        }
        if let Some(r) = rate {
            points.push((cx, base - r * plot_h, tip));
        }
    }
    if !points.is_empty() {
        let path: Vec<String> = points
            .iter()
            .map(|(x, y, _)| format!("{x:.1},{y:.1}"))
            .collect();
        w!(
            s,
            "<polyline class=\"rate-line\" points=\"{}\"/>",
            path.join(" ")
        );
        for (x, y, tip) in &points {
            w!(
                s,
                "<circle class=\"rate-dot\" cx=\"{x:.1}\" cy=\"{y:.1}\" r=\"3.5\"><title>{tip}</title></circle>"
            );
        }
    }
    w!(
        s,
        "<g class=\"legend\"><rect x=\"{left}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#2e86c1\"/><text x=\"{}\" y=\"18\">考核轮次 assessed rounds</text>\
         <rect x=\"{}\" y=\"8\" width=\"12\" height=\"12\" fill=\"#aed6f1\"/><text x=\"{}\" y=\"18\">其他轮次 other rounds</text>\
         <line x1=\"{}\" x2=\"{}\" y1=\"14\" y2=\"14\" class=\"rate-line\"/><text x=\"{}\" y=\"18\">3分钟响应率 (≤ {} s)</text></g>",
        left + 16.0,
        left + 190.0,
        left + 206.0,
        left + 370.0,
        left + 392.0,
        left + 398.0,
        table.three_min_secs
    );
    s.push_str("</svg>");
    s
}

// ----------------------------------------------------------------- page

const STYLE: &str = r#"
:root { --fg:#1c2833; --muted:#5d6d7e; --line:#d5dbdb; --bg:#f4f6f7; --card:#fff; --accent:#1f618d; }
* { box-sizing: border-box; }
body { margin:0; color:var(--fg); background:var(--bg);
  font-family: -apple-system, BlinkMacSystemFont, "PingFang SC", "Hiragino Sans GB", "Microsoft YaHei",
    "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "Segoe UI", Roboto, sans-serif;
  font-size:14px; line-height:1.5; }
header { background:#1b4f72; color:#fff; padding:18px 28px; }
header h1 { margin:0 0 4px; font-size:22px; }
header .meta { color:#d6eaf8; font-size:13px; }
nav { position:sticky; top:0; z-index:2; background:#21618c; padding:6px 28px; }
nav a { color:#fff; margin-right:16px; text-decoration:none; font-size:13px; }
main { padding:8px 28px 40px; max-width:1500px; }
section { background:var(--card); border:1px solid var(--line); border-radius:6px; padding:14px 18px; margin:16px 0; }
h2 { margin:0 0 10px; font-size:18px; color:var(--accent); }
h2 small, h3 small { color:var(--muted); font-weight:normal; font-size:13px; }
h3 { font-size:15px; margin:14px 0 6px; }
.banner { padding:8px 12px; border-radius:4px; margin:12px 0 0; font-size:13px; }
.banner.redacted { background:#d5f5e3; color:#145a32; }
.banner.unredacted { background:#fadbd8; color:#78281f; font-weight:bold; }
.cards { display:flex; flex-wrap:wrap; gap:10px; }
.card { border:1px solid var(--line); border-radius:6px; padding:8px 14px; min-width:130px; }
.card .v { font-size:22px; font-weight:600; }
.card .k { color:var(--muted); font-size:12px; }
.card.warn .v { color:#c0392b; }
.grid2 { display:grid; grid-template-columns:repeat(auto-fit, minmax(520px, 1fr)); gap:16px; }
svg.chart { width:100%; max-width:680px; height:auto; display:block; }
svg.chart text { font-family:inherit; }
svg .grid { stroke:#e5e8e8; stroke-width:1; }
svg .axis { font-size:11px; fill:var(--muted); }
svg .label { font-size:12px; fill:var(--fg); }
svg .value { font-size:11px; fill:var(--muted); }
svg .legend text { font-size:11px; fill:var(--fg); }
svg .rate-line { fill:none; stroke:#e67e22; stroke-width:2; }
svg .rate-dot { fill:#e67e22; }
svg .rate { fill:#e67e22; }
.scroll { overflow-x:auto; max-height:640px; overflow-y:auto; }
table { border-collapse:collapse; width:100%; font-size:13px; }
th, td { border-bottom:1px solid #eaeded; padding:4px 8px; text-align:left; vertical-align:top; }
th { background:#eaf2f8; position:sticky; top:0; white-space:nowrap; }
table.sortable th { cursor:pointer; user-select:none; }
table.sortable th::after { content:" ↕"; color:#aab7b8; font-size:11px; }
table.sortable th[aria-sort="ascending"]::after { content:" ▲"; color:var(--accent); }
table.sortable th[aria-sort="descending"]::after { content:" ▼"; color:var(--accent); }
td.name { white-space:nowrap; }
td.n { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
td.loc, td.time { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12px; color:var(--muted); }
td.time { white-space:nowrap; }
td.loc { overflow-wrap:anywhere; min-width:14em; max-width:26em; }
td.quote { min-width:16em; }
td.msg { min-width:14em; color:var(--muted); }
tr.fail td { background:#fdedec; }
.sev { display:inline-block; padding:0 6px; border-radius:3px; color:#fff; font-size:12px; white-space:nowrap; }
.tier { display:inline-block; padding:0 8px; border-radius:3px; font-weight:600; }
.tier-gold { background:#f7dc6f; } .tier-silver { background:#d5d8dc; } .tier-black { background:#17202a; color:#fff; }
.tier-cancelled, .tier-disqualified { background:#f5b7b1; } .tier-none, .tier-not_rated { background:#eaeded; }
mark { background:#fcf3cf; padding:0 1px; }
details summary { cursor:pointer; color:var(--accent); }
.muted { color:var(--muted); }
.pass { color:#1e8449; font-weight:600; } .fail { color:#c0392b; font-weight:600; }
code { font-family:ui-monospace, Menlo, Consolas, monospace; font-size:12px; background:#f2f3f4; padding:0 3px; }
@media print { nav { display:none; } .scroll { max-height:none; overflow:visible; } section { break-inside:avoid-page; } }
"#;

const SCRIPT: &str = r#"
(function () {
  function key(row, i) {
    var c = row.cells[i];
    if (!c) return null;
    var v = c.getAttribute('data-v');
    if (v !== null) return v === '' ? null : parseFloat(v);
    return c.textContent.trim();
  }
  function sortBy(table, i, th) {
    var dir = th.getAttribute('aria-sort') === 'descending' ? 'ascending' : 'descending';
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute('aria-sort'); });
    th.setAttribute('aria-sort', dir);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, i), y = key(b, i);
      if (x === null || y === null) return (x === null) - (y === null);
      var r = (typeof x === 'number' && typeof y === 'number') ? x - y : String(x).localeCompare(String(y), 'zh-CN');
      return dir === 'ascending' ? r : -r;
    });
    rows.forEach(function (r) { body.appendChild(r); });
  }
  Array.prototype.forEach.call(document.querySelectorAll('table.sortable'), function (table) {
    if (!table.tHead || !table.tBodies.length) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.tabIndex = 0;
      th.addEventListener('click', function () { sortBy(table, i, th); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter') sortBy(table, i, th); });
    });
    table.setAttribute('data-sortable', 'ready');
  });
  document.documentElement.setAttribute('data-report', 'ready');
})();
"#;

impl Page<'_> {
    fn render(&self) -> String {
        let s = self.summary;
        let mut out = String::with_capacity(256 * 1024);
        out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; \
             base-uri 'none'; form-action 'none'\">\n",
        );
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        out.push_str("<link rel=\"icon\" href=\"data:,\">\n");
        w!(
            out,
            "<title>wwqa 客服质检报告 · {} 会话</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            s.totals.sessions
        );
        self.header(&mut out);
        out.push_str(
            "<nav><a href=\"#overview\">概览</a><a href=\"#charts\">图表</a><a href=\"#agents\">客服</a>\
             <a href=\"#shops\">店铺</a><a href=\"#violations\">违规</a><a href=\"#abuse\">辱骂/诈骗</a>\
             <a href=\"#tiers\">评级</a><a href=\"#files\">文件</a></nav>\n<main>\n",
        );
        // The QA manager's figures first; the ingest accounting after them.
        self.kpis(&mut out);
        self.overview(&mut out);
        self.charts(&mut out);
        self.agents(&mut out);
        self.shops(&mut out);
        self.violations(&mut out);
        self.abuse(&mut out);
        self.tiers(&mut out);
        self.files(&mut out);
        w!(
            out,
            "</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
        );
        out
    }

    fn header(&self, out: &mut String) {
        let s = self.summary;
        let policies: Vec<String> = s.policies.iter().map(|(k, v)| format!("{k} {v}")).collect();
        w!(
            out,
            "<header><h1>客服质检报告 <small>wwqa QA report</small></h1>\
             <div class=\"meta\">wwqa {} · 策略 policies: {}</div>",
            escape(&s.wwqa_version),
            escape(&policies.join(" · "))
        );
        if self.redaction.is_some() {
            out.push_str(
                "<div class=\"banner redacted\">已脱敏 Redacted: 买家昵称以稳定代号显示，手机号、身份证号、卡号/订单号和地址已遮蔽；\
                 店铺与客服昵称保留。Buyer nicks are pseudonyms; phone, ID, card and order numbers and addresses are masked.</div>",
            );
        } else {
            out.push_str(
                "<div class=\"banner unredacted\">未脱敏 UNREDACTED: 本报告含买家昵称、电话、地址等个人信息，仅限复核人员查看。\
                 This report contains buyers' personal data (--no-redact): do not share it.</div>",
            );
        }
        out.push_str("</header>\n");
    }

    /// Per shop (whole period), the figures a QA manager reads first, as
    /// the scan computed them (nothing recomputed here), and the stage mix.
    fn kpis(&self, out: &mut String) {
        // summary.json holds the whole-period rows only.
        let shops = &self.summary.shops;
        if shops.is_empty() {
            return;
        }
        out.push_str("<section id=\"kpi\"><h2>关键指标 <small>Key figures per shop</small></h2>");
        for r in shops {
            w!(out, "<h3>{}</h3><div class=\"cards\">", escape(&r.shop));
            let mut card = |k: &str, v: String| {
                w!(
                    out,
                    "<div class=\"card\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
                    escape(&v),
                    escape(k)
                );
            };
            card("3分钟回复率 3-minute rate", pct(r.three_min_rate));
            card("平响 avg response (s)", num(r.avg_response_secs, 1));
            card("首响 first response (s)", num(r.first_response_avg_secs, 1));
            card("回复率 reply rate", pct(r.reply_rate));
            card(
                "违规 high / medium / low",
                format!(
                    "{} / {} / {}",
                    r.findings_high, r.findings_medium, r.findings_low
                ),
            );
            card(
                "辱骂证据 abuse evidence (agent / buyer)",
                format!(
                    "{} / {}",
                    r.abuse_evidence_by_agent, r.abuse_evidence_by_buyer
                ),
            );
            card("会话 sessions", r.sessions.to_string());
            out.push_str("</div>");
        }
        let mix: Vec<String> = self
            .summary
            .stage_mix
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        w!(
            out,
            "<p class=\"muted\">阶段 stage mix: {}</p></section>\n",
            escape(&mix.join(" · "))
        );
    }

    fn overview(&self, out: &mut String) {
        let t = &self.summary.totals;
        out.push_str(
            "<section id=\"overview\"><h2>数据 <small>Data read</small></h2><div class=\"cards\">",
        );
        let mut card = |k: &str, v: String, warn: bool| {
            w!(
                out,
                "<div class=\"card{}\"><div class=\"v\">{}</div><div class=\"k\">{}</div></div>",
                if warn { " warn" } else { "" },
                escape(&v),
                escape(k)
            );
        };
        card("文件 files", t.files.to_string(), false);
        card(
            "数据量 bytes",
            format!("{:.1} MB", t.bytes as f64 / 1e6),
            false,
        );
        card("消息 messages", t.messages.to_string(), false);
        card("会话 sessions", t.sessions.to_string(), false);
        card("发现 findings", t.findings.to_string(), false);
        card("读取行 lines read", t.lines_read.to_string(), false);
        card(
            "拒收行 lines rejected",
            t.lines_rejected.to_string(),
            t.lines_rejected > 0,
        );
        card(
            "无法读取的文件 unreadable files",
            t.files_unreadable.to_string(),
            t.files_unreadable > 0,
        );
        card("警告 warnings", t.warnings.to_string(), false);
        if let Some(h) = self.hours {
            if let (Some(first), Some(last)) = (h.first, h.last) {
                card(
                    "时间范围 period (buyer questions)",
                    format!(
                        "{} – {}",
                        crate::model::local_day(first),
                        crate::model::local_day(last)
                    ),
                    false,
                );
            }
        }
        out.push_str("</div>");
        let list = |m: &BTreeMap<String, u64>| {
            m.iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(" · ")
        };
        let s = self.summary;
        w!(
            out,
            "<p class=\"muted\">编码 encodings: {} &nbsp;|&nbsp; 格式 formats: {} &nbsp;|&nbsp; 噪声行 noise lines: {} &nbsp;|&nbsp; 使用行 lines used: {}",
            escape(&list(&s.by_encoding)),
            escape(&list(&s.by_format)),
            t.lines_noise,
            t.lines_used
        );
        if t.lines_rejected > 0 || t.files_unreadable > 0 {
            out.push_str(" &nbsp;|&nbsp; 拒收内容见 rejected lines are listed in <a href=\"rejects.jsonl\">rejects.jsonl</a>");
        }
        out.push_str("</p></section>\n");
    }

    fn charts(&self, out: &mut String) {
        let s = self.summary;
        out.push_str(
            "<section id=\"charts\"><h2>图表 <small>Charts</small></h2><div class=\"grid2\">",
        );
        // Latency histogram: bins at or above the 3-minute limit in red.
        let three = self.hours.map_or(180, |h| h.three_min_secs);
        let bars: Vec<Bar> = s
            .latency_histogram
            .iter()
            .map(|(label, n)| {
                let lower: i64 = label
                    .trim_end_matches(['s', '+'])
                    .split('-')
                    .next()
                    .and_then(|x| x.trim_end_matches('s').parse().ok())
                    .unwrap_or(0);
                Bar {
                    label: label.clone(),
                    value: *n as f64,
                    color: if lower >= three { "#cb4335" } else { "#2e86c1" },
                    tip: format!("{label}: {n} rounds"),
                }
            })
            .collect();
        out.push_str(
            "<div><h3>响应时长分布 <small>Latency distribution (assessed rounds)</small></h3>",
        );
        if bars.is_empty() {
            out.push_str("<p class=\"muted\">No timed rounds.</p>");
        } else {
            out.push_str(&vbar_chart(
                "chart-latency",
                "响应时长分布 Latency distribution",
                &bars,
            ));
        }
        out.push_str("</div><div><h3>按小时 <small>By hour of day (Asia/Shanghai)</small></h3>");
        match self.hours {
            Some(h) => {
                out.push_str(&hour_chart(h));
                if h.unreadable_lines > 0 {
                    w!(
                        out,
                        "<p class=\"muted\">{} unreadable lines of sessions.jsonl skipped.</p>",
                        h.unreadable_lines
                    );
                }
            }
            None => out.push_str(
                "<p class=\"muted\">sessions.jsonl is absent (a merged directory?): no hourly chart.</p>",
            ),
        }
        out.push_str("</div>");
        // Stage mix.
        let total_sessions: u64 = s.stage_mix.values().sum();
        let order = ["pre_sale", "in_sale", "after_sale", "other"];
        let mut stages: Vec<(&String, &u64)> = s.stage_mix.iter().collect();
        stages.sort_by_key(|(k, _)| order.iter().position(|o| o == k).unwrap_or(order.len()));
        let colors = ["#28b463", "#2e86c1", "#af7ac5", "#99a3a4"];
        let bars: Vec<Bar> = stages
            .iter()
            .enumerate()
            .map(|(i, (k, n))| Bar {
                label: stage_label(k),
                value: **n as f64,
                color: colors[i.min(colors.len() - 1)],
                tip: format!(
                    "{}: {n} sessions ({})",
                    stage_label(k),
                    pct((total_sessions > 0).then(|| **n as f64 / total_sessions as f64))
                ),
            })
            .collect();
        out.push_str("<div><h3>会话阶段 <small>Stage mix (sessions)</small></h3>");
        out.push_str(&hbar_chart("chart-stages", "会话阶段 Stage mix", &bars));
        out.push_str("</div>");
        // Findings by rule.
        let bars: Vec<Bar> = s
            .findings_by_code
            .iter()
            .map(|(code, n)| {
                let rule = self.findings.and_then(|f| f.rules.get(code));
                let name = rule.map(|r| r.name.as_str()).unwrap_or("");
                let sev = rule.and_then(|r| r.severity).unwrap_or(Severity::Info);
                Bar {
                    label: format!("{code} {name}"),
                    value: *n as f64,
                    color: severity_color(sev),
                    tip: format!("{code} {name}: {n} findings ({})", severity_label(sev)),
                }
            })
            .collect();
        out.push_str("<div><h3>违规按规则 <small>Findings by rule</small></h3>");
        if bars.is_empty() {
            out.push_str("<p class=\"muted\">No findings.</p>");
        } else {
            out.push_str(&hbar_chart(
                "chart-rules",
                "违规按规则 Findings by rule",
                &bars,
            ));
        }
        out.push_str("</div></div></section>\n");
    }

    fn card_table(&self, out: &mut String, id: &str, rows: &[RowIn], agents: bool) {
        w!(
            out,
            "<div class=\"scroll\"><table class=\"sortable\" id=\"{id}\"><thead><tr><th>店铺 shop</th>"
        );
        if agents {
            out.push_str("<th>客服 agent</th>");
        }
        out.push_str(
            "<th>会话 sessions</th><th>考核轮次 rounds</th><th>3分钟响应率</th><th>平响 avg s</th>\
             <th>首响 first s</th><th>超3分钟 &gt;180 s</th><th>未回复 unreplied</th><th>回复率 reply rate</th>\
             <th>答问比</th><th>高 high</th><th>中 medium</th><th>低 low</th><th>违规/百会话</th>\
             <th>辱骂证据(店) abuse by shop</th><th>辱骂证据(买家) by buyer</th><th>待复核 candidates</th>\
             <th>承诺 commitments</th><th>询单转化 conversion</th></tr></thead><tbody>",
        );
        for r in rows {
            out.push_str("<tr>");
            td_name(out, &r.shop);
            if agents {
                td_name(out, &r.name);
            }
            let n = |x: u64| Some(x as f64);
            td_num(out, &r.sessions.to_string(), n(r.sessions));
            let rounds = if r.assessed {
                r.rounds_assessed.to_string()
            } else {
                format!("{} (未达考核)", r.rounds_assessed)
            };
            td_num(out, &rounds, n(r.rounds_assessed));
            td_num(out, &pct(r.three_min_rate), r.three_min_rate);
            td_num(out, &num(r.avg_response_secs, 1), r.avg_response_secs);
            td_num(
                out,
                &num(r.first_response_avg_secs, 1),
                r.first_response_avg_secs,
            );
            td_num(out, &r.slow_breach.to_string(), n(r.slow_breach));
            td_num(out, &r.unreplied_rounds.to_string(), n(r.unreplied_rounds));
            td_num(out, &pct(r.reply_rate), r.reply_rate);
            td_num(out, &num(r.answer_ratio, 2), r.answer_ratio);
            td_num(out, &r.findings_high.to_string(), n(r.findings_high));
            td_num(out, &r.findings_medium.to_string(), n(r.findings_medium));
            td_num(out, &r.findings_low.to_string(), n(r.findings_low));
            td_num(
                out,
                &format!("{:.1}", r.violations_per_100_sessions),
                Some(r.violations_per_100_sessions),
            );
            td_num(
                out,
                &r.abuse_evidence_by_agent.to_string(),
                n(r.abuse_evidence_by_agent),
            );
            td_num(
                out,
                &r.abuse_evidence_by_buyer.to_string(),
                n(r.abuse_evidence_by_buyer),
            );
            td_num(
                out,
                &r.abuse_candidates_by_agent.to_string(),
                n(r.abuse_candidates_by_agent),
            );
            td_num(out, &r.commitments.to_string(), n(r.commitments));
            let conv = if r.inquiry_sessions > 0 {
                format!("{} / {}", pct(r.inquiry_conversion), r.inquiry_sessions)
            } else {
                "—".to_string()
            };
            td_num(out, &conv, r.inquiry_conversion);
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>");
    }

    fn agents(&self, out: &mut String) {
        w!(
            out,
            "<section id=\"agents\"><h2>客服 <small>Agents ({}; whole period; click a column to sort)</small></h2>",
            self.summary.agents.len()
        );
        self.card_table(out, "table-agents", &self.summary.agents, true);
        out.push_str("<p class=\"muted\">Rates are over assessed rounds (inside the business window); \
             “未达考核” marks fewer rounds than the policy minimum. Per-day and per-month rows are in agents.csv.</p></section>\n");
    }

    fn shops(&self, out: &mut String) {
        w!(
            out,
            "<section id=\"shops\"><h2>店铺 <small>Shops ({})</small></h2>",
            self.summary.shops.len()
        );
        self.card_table(out, "table-shops", &self.summary.shops, false);
        out.push_str("</section>\n");
    }

    /// A path without the common input directory.
    fn short_path<'p>(&self, path: &'p str) -> &'p str {
        if self.path_prefix.is_empty() {
            return path;
        }
        path.strip_prefix(self.path_prefix.as_str()).unwrap_or(path)
    }

    /// "Paths are relative to …", when there is a common directory.
    fn prefix_note(&self, out: &mut String) {
        if self.path_prefix.is_empty() {
            return;
        }
        let prefix = match self.redaction {
            Some(r) => r.path(&self.path_prefix, ""),
            None => self.path_prefix.clone(),
        };
        w!(
            out,
            "<p class=\"muted\">路径相对于 paths are relative to <code>{}</code></p>",
            escape(&prefix)
        );
    }

    fn quote_rows(&self, out: &mut String, quotes: &[Quote], with_code: bool) {
        out.push_str("<table><thead><tr>");
        if with_code {
            out.push_str("<th>规则 rule</th>");
        }
        out.push_str(
            "<th>时间 time</th><th>位置 path:line</th><th>客服 agent</th><th>买家 buyer</th>\
             <th>发送方 role</th><th>引文 quote</th><th>说明 message</th></tr></thead><tbody>",
        );
        for q in quotes {
            out.push_str("<tr>");
            if with_code {
                w!(
                    out,
                    "<td><span class=\"sev\" style=\"background:{}\">{}</span></td>",
                    severity_color(q.severity),
                    escape(&q.code)
                );
            }
            w!(
                out,
                "<td class=\"time\">{}</td><td class=\"loc\">{}</td>",
                escape(&q.time),
                escape(self.short_path(&q.location))
            );
            td_name(out, &q.account);
            td_name(out, &q.buyer);
            td(out, q.role.as_str());
            w!(
                out,
                "<td class=\"quote\"><a class=\"session\" href=\"{}\" title=\"会话 session view\"><mark>{}</mark></a></td>",
                escape(&q.session_link),
                escape(&q.quote)
            );
            w!(out, "<td class=\"msg\">{}</td>", escape(&q.message));
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
    }

    fn violations(&self, out: &mut String) {
        out.push_str("<section id=\"violations\"><h2>违规 <small>Violations</small></h2>");
        self.prefix_note(out);
        let Some(f) = self.findings else {
            out.push_str("<p class=\"muted\">findings.jsonl is absent: only the counts of summary.json are shown above.</p></section>\n");
            return;
        };
        if f.unreadable_lines > 0 {
            w!(
                out,
                "<p class=\"muted\">{} unreadable lines of findings.jsonl skipped.</p>",
                f.unreadable_lines
            );
        }
        w!(
            out,
            "<h3>按规则 <small>By rule: {} findings; up to {MAX_QUOTES_PER_RULE} quotes each, in file order</small></h3>",
            f.total
        );
        let mut rules: Vec<(&String, &RuleStats)> = f.rules.iter().collect();
        // Most severe first, then most frequent.
        rules.sort_by(|a, b| {
            (b.1.severity, b.1.count)
                .cmp(&(a.1.severity, a.1.count))
                .then(a.0.cmp(b.0))
        });
        for (code, r) in rules {
            let sev = r.severity.unwrap_or(Severity::Info);
            w!(
                out,
                "<details class=\"rule\" id=\"rule-{}\"{}><summary><span class=\"sev\" style=\"background:{}\">{}</span> \
                 <b>{}</b> {} <span class=\"muted\">({}) — {} findings</span></summary>",
                url_segment(code),
                // Quotes of medium and high rules are shown; low and info
                // ones are one click away.
                if sev >= Severity::Medium { " open" } else { "" },
                severity_color(sev),
                severity_label(sev),
                escape(code),
                escape(&r.name),
                escape(&r.family),
                r.count
            );
            self.quote_rows(out, &r.quotes, false);
            out.push_str("</details>");
        }
        w!(
            out,
            "<h3>按客服 <small>By agent: {} accounts; the {MAX_QUOTES_PER_AGENT} most severe quotes each</small></h3>",
            f.agents.len()
        );
        out.push_str(
            "<div class=\"scroll\"><table class=\"sortable\" id=\"table-violations-agents\"><thead><tr>\
             <th>店铺 shop</th><th>客服 agent</th><th>合计 total</th><th>高 high</th><th>中 medium</th>\
             <th>低 low</th><th>规则 by rule</th><th>引文 quotes</th></tr></thead><tbody>",
        );
        let mut agents: Vec<(&(String, String), &AgentStats)> = f.agents.iter().collect();
        agents.sort_by(|a, b| b.1.count.cmp(&a.1.count).then(a.0.cmp(b.0)));
        for ((shop, account), a) in agents {
            out.push_str("<tr>");
            td_name(out, shop);
            td_name(
                out,
                if account.is_empty() {
                    "(无账号 none)"
                } else {
                    account
                },
            );
            let n = |x: u64| Some(x as f64);
            td_num(out, &a.count.to_string(), n(a.count));
            td_num(out, &a.by_severity[3].to_string(), n(a.by_severity[3]));
            td_num(out, &a.by_severity[2].to_string(), n(a.by_severity[2]));
            td_num(out, &a.by_severity[1].to_string(), n(a.by_severity[1]));
            let codes: Vec<String> = a.by_code.iter().map(|(c, n)| format!("{c}×{n}")).collect();
            td(out, &codes.join(" "));
            out.push_str("<td><details><summary>查看 show</summary>");
            self.quote_rows(out, &a.quotes, true);
            out.push_str("</details></td></tr>");
        }
        out.push_str("</tbody></table></div></section>\n");
    }

    fn evidence_for(&self, shop: &str, buyer: &str, time: &str) -> Option<&EvidenceCase> {
        let mut matching = self
            .evidence
            .iter()
            .filter(|e| e.bundle.shop == shop && e.bundle.buyer == buyer);
        let first = matching.next()?;
        let covers = |e: &&EvidenceCase| {
            let b = &e.bundle;
            b.first_time.as_deref().is_some_and(|f| f <= time)
                && b.last_time.as_deref().is_some_and(|l| time <= l)
        };
        if covers(&first) {
            return Some(first);
        }
        Some(matching.find(covers).unwrap_or(first))
    }

    fn evidence_link(e: &EvidenceCase) -> String {
        format!(
            "<a href=\"evidence/{}/bundle.html\">{}</a>",
            escape(&url_segment(&e.dir_name)),
            escape(&e.bundle.case_id)
        )
    }

    fn abuse(&self, out: &mut String) {
        out.push_str("<section id=\"abuse\"><h2>辱骂、骚扰、站外引流与诈骗 <small>Abuse, off-platform and fraud cases</small></h2>");
        match self.findings {
            Some(f) if !f.cases.is_empty() => {
                w!(
                    out,
                    "<p>{} cases (one per shop and buyer) from findings of the families {}; \
                     evidence pages keep the original, unredacted text.</p>",
                    f.cases.len(),
                    ABUSE_FAMILIES.join(", ")
                );
                if f.cases.len() > MAX_ABUSE_CASES {
                    w!(
                        out,
                        "<p class=\"muted\">Showing the {MAX_ABUSE_CASES} cases with the most findings.</p>"
                    );
                }
                out.push_str(
                    "<div class=\"scroll\"><table class=\"sortable\" id=\"table-abuse\"><thead><tr><th>店铺 shop</th>\
                     <th>买家 buyer</th><th>发现 findings</th><th>店方发出 by shop side</th><th>规则 rules</th>\
                     <th>首次 first</th><th>末次 last</th><th>证据 evidence</th><th>引文 quotes</th></tr></thead><tbody>",
                );
                for c in &f.listed {
                    let (shop, buyer) = (&c.shop, &c.buyer);
                    out.push_str("<tr>");
                    td_name(out, shop);
                    td_name(out, &c.buyer_shown);
                    let n = |x: u64| Some(x as f64);
                    td_num(out, &c.count.to_string(), n(c.count));
                    td_num(out, &c.shop_side.to_string(), n(c.shop_side));
                    let codes: Vec<String> =
                        c.by_code.iter().map(|(k, n)| format!("{k}×{n}")).collect();
                    td(out, &codes.join(" "));
                    w!(
                        out,
                        "<td class=\"time\">{}</td><td class=\"time\">{}</td>",
                        escape(&c.first_time),
                        escape(&c.last_time)
                    );
                    match self.evidence_for(shop, buyer, &c.first_time) {
                        Some(e) => w!(out, "<td>{}</td>", Self::evidence_link(e)),
                        None if self.redaction.is_some() => out.push_str(
                            "<td class=\"muted\">无证据包 none: <code>wwqa evidence DUMP --buyer NICK --shop SHOP --out DIR/evidence</code> \
                             (nick in the --no-redact report)</td>",
                        ),
                        None => w!(
                            out,
                            "<td class=\"muted\">无证据包 none: <code>wwqa evidence DUMP --buyer {} --shop {} --out DIR/evidence</code></td>",
                            escape(buyer),
                            escape(shop)
                        ),
                    }
                    out.push_str("<td><details><summary>查看 show</summary>");
                    self.quote_rows(out, &c.quotes, true);
                    out.push_str("</details></td></tr>");
                }
                out.push_str("</tbody></table></div>");
            }
            _ => out.push_str(
                "<p class=\"muted\">No abuse, off-platform or fraud findings in this scan.</p>",
            ),
        }
        if !self.evidence.is_empty() {
            w!(
                out,
                "<h3>证据包 <small>Evidence bundles in evidence/ ({}); original text, hashed</small></h3>\
                 <div class=\"scroll\"><table class=\"sortable\" id=\"table-evidence\"><thead><tr><th>案件 case</th>\
                 <th>店铺 shop</th><th>买家 buyer</th><th>从 from</th><th>到 to</th><th>消息 messages</th>\
                 <th>标注 highlights</th><th>范围哈希 range hash</th></tr></thead><tbody>",
                self.evidence.len()
            );
            for e in self.evidence {
                let b = &e.bundle;
                let buyer = match self.redaction {
                    Some(r) => r.redactor.mask_nick(&b.buyer),
                    None => b.buyer.clone(),
                };
                w!(out, "<tr><td>{}</td>", Self::evidence_link(e));
                td_name(out, &b.shop);
                td_name(out, &buyer);
                td(out, b.first_time.as_deref().unwrap_or("—"));
                td(out, b.last_time.as_deref().unwrap_or("—"));
                let n = |x: usize| Some(x as f64);
                td_num(out, &b.messages.len().to_string(), n(b.messages.len()));
                td_num(out, &b.highlights.len().to_string(), n(b.highlights.len()));
                w!(out, "<td><code>{}</code></td></tr>", escape(&b.range_hash));
            }
            out.push_str("</tbody></table></div>");
        }
        out.push_str("</section>\n");
    }

    fn checks_list(out: &mut String, checks: &[CheckIn]) {
        let failed = checks.iter().filter(|c| !c.passed).count();
        w!(
            out,
            "<details><summary>{} checks, {failed} failed</summary><table><thead><tr><th></th><th>规则 rule</th>\
             <th>实际 actual</th><th>要求 expected</th><th>说明 note</th></tr></thead><tbody>",
            checks.len()
        );
        for c in checks {
            w!(
                out,
                "<tr{}><td class=\"{}\">{}</td>",
                if c.passed { "" } else { " class=\"fail\"" },
                if c.passed { "pass" } else { "fail" },
                if c.passed { "PASS" } else { "FAIL" }
            );
            td(out, &c.rule);
            td(out, &c.actual);
            td(out, &c.expected);
            td(out, &c.note);
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></details>");
    }

    fn tiers(&self, out: &mut String) {
        out.push_str("<section id=\"tiers\"><h2>金牌/银牌/黑牌评级 <small>Team tiers and agent levels</small></h2>");
        let Some(t) = self.tiers else {
            out.push_str("<p class=\"muted\">tiers.json is absent: run <code>wwqa tier --scores DIR --shops SHOPS.csv</code> to decide tiers.</p></section>\n");
            return;
        };
        w!(
            out,
            "<p>策略 policy <b>{} {}</b> <span class=\"muted\">({})</span> · ",
            escape(&t.policy_name),
            escape(&t.policy_version),
            escape(&t.policy_source)
        );
        let counts: Vec<String> = t
            .shop_tiers
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(k, n)| {
                format!(
                    "<span class=\"tier tier-{}\">{}</span> {n}",
                    escape(k),
                    tier_label(k)
                )
            })
            .collect();
        out.push_str(&counts.join(" &nbsp; "));
        out.push_str("</p><div class=\"scroll\"><table class=\"sortable\" id=\"table-tiers\"><thead><tr><th>月份 month</th>\
             <th>店铺 shop</th><th>平台 platform</th><th>行业 industry</th><th>规模 scale</th><th>结果 tier</th>\
             <th>决定规则 decided by</th><th>排名 rank</th><th>标记 flags</th><th>解释 explanation</th></tr></thead><tbody>");
        for d in &t.shops {
            out.push_str("<tr>");
            td(out, &d.month);
            td_name(out, &d.shop);
            td(out, &platform_label(&d.platform));
            td(out, &d.industry);
            td(out, &d.scale_band);
            w!(
                out,
                "<td><span class=\"tier tier-{}\">{}</span>",
                escape(&d.tier),
                tier_label(&d.tier)
            );
            if d.computed_tier != d.tier && !d.computed_tier.is_empty() {
                w!(
                    out,
                    " <span class=\"muted\">(原为 would have been {})</span>",
                    tier_label(&d.computed_tier)
                );
            }
            out.push_str("</td>");
            // The check that settled it, with its values, is the short
            // explanation; the full list is one click away.
            w!(out, "<td><code>{}</code>", escape(&d.decided_by));
            if let Some(c) = d.checks.iter().find(|c| c.rule == d.decided_by) {
                w!(
                    out,
                    "<br><span class=\"{}\">{}</span> {} <span class=\"muted\">(expected {})</span>",
                    if c.passed { "pass" } else { "fail" },
                    if c.passed { "PASS" } else { "FAIL" },
                    escape(&c.actual),
                    escape(&c.expected)
                );
            }
            out.push_str("</td>");
            match &d.rank {
                Some(r) => {
                    let pctl = match &r.percentile {
                        serde_json::Value::String(s) => s.clone(),
                        v => v.to_string(),
                    };
                    td_num(
                        out,
                        &format!("{} / {} (top {pctl}%)", r.rank, r.peers),
                        Some(r.rank as f64),
                    );
                }
                None => td_num(out, "—", None),
            }
            td(out, &d.flags.join(", "));
            out.push_str("<td>");
            Self::checks_list(out, &d.checks);
            out.push_str("</td></tr>");
        }
        out.push_str("</tbody></table></div>");
        if !t.agents.is_empty() {
            let levels: Vec<String> = t
                .agent_levels
                .iter()
                .map(|(k, n)| format!("{k} {n}"))
                .collect();
            w!(
                out,
                "<h3>客服等级 <small>Agent levels: {}</small></h3><div class=\"scroll\"><table class=\"sortable\" id=\"table-levels\">\
                 <thead><tr><th>月份 month</th><th>店铺 shop</th><th>客服 agent</th><th>等级 level</th>\
                 <th>解释 explanation</th></tr></thead><tbody>",
                escape(&levels.join(" · "))
            );
            for a in &t.agents {
                out.push_str("<tr>");
                td(out, &a.month);
                td_name(out, &a.shop);
                td_name(out, &a.agent);
                td(out, &a.level);
                out.push_str("<td>");
                Self::checks_list(out, &a.checks);
                out.push_str("</td></tr>");
            }
            out.push_str("</tbody></table></div>");
        }
        out.push_str("</section>\n");
    }

    fn files(&self, out: &mut String) {
        let files = &self.summary.files;
        w!(
            out,
            "<section id=\"files\"><h2>输入文件 <small>Input files ({})</small></h2>",
            files.len()
        );
        self.prefix_note(out);
        w!(
            out,
            "<details><summary>显示 show</summary><div class=\"scroll\"><table class=\"sortable\" id=\"table-files\"><thead><tr><th>路径 path</th><th>格式 format</th>\
             <th>编码 encoding</th><th>读取行 lines</th><th>拒收 rejected</th><th>消息 messages</th><th>会话 sessions</th>\
             <th>错误 error</th></tr></thead><tbody>"
        );
        for f in files.iter().take(MAX_FILE_ROWS) {
            out.push_str("<tr>");
            let short = self.short_path(&f.path);
            let path = match self.redaction {
                Some(r) => r.path(short, ""),
                None => short.to_string(),
            };
            w!(out, "<td class=\"loc\">{}</td>", escape(&path));
            td(out, f.format.as_deref().unwrap_or("—"));
            td(out, f.encoding.as_deref().unwrap_or("—"));
            let n = |x: u64| Some(x as f64);
            td_num(out, &f.lines_read.to_string(), n(f.lines_read));
            td_num(out, &f.lines_rejected.to_string(), n(f.lines_rejected));
            td_num(out, &f.messages.to_string(), n(f.messages));
            td_num(out, &f.sessions.to_string(), n(f.sessions));
            let error = f.error.as_deref().unwrap_or("");
            match self.redaction {
                Some(r) => td(out, &r.path(error, "")),
                None => td(out, error),
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table></div>");
        if files.len() > MAX_FILE_ROWS {
            w!(
                out,
                "<p class=\"muted\">First {MAX_FILE_ROWS} of {} files; summary.json lists them all.</p>",
                files.len()
            );
        }
        out.push_str("</details></section>\n");
    }
}

// ------------------------------------------------------------------- CSV

/// Write `findings.csv` in `dir` from `dir/findings.jsonl`: a UTF-8 BOM (so
/// Excel shows Chinese), a header row, then one row per finding in file
/// order. Returns the number of rows. Columns:
///
/// | column | content |
/// |---|---|
/// | `code` | rule code, e.g. `LAT002` |
/// | `name` | rule name, e.g. `three-minute-breach` |
/// | `family` | rule family: `latency`, `script`, `abuse`, `offplatform`, `fraud`, … |
/// | `severity` | `info`, `low`, `medium`, `high` |
/// | `time` | message time `YYYY-MM-DD HH:MM:SS` (Asia/Shanghai), empty if untimed |
/// | `shop` | shop nick |
/// | `account` | agent or robot account concerned, empty if none |
/// | `buyer` | buyer nick, or its pseudonym `买家#xxxxxxxx` when redacted |
/// | `role` | sender role of the quoted message: `buyer`, `agent`, `robot`, `system` |
/// | `location` | `path:line` of the message (when redacted, buyer nicks in the path are masked) |
/// | `session_id`, `message_id` | stable ids, as in `sessions.jsonl` |
/// | `char_start`, `char_end` | the quote's char offsets in the original message |
/// | `quote` | the quoted text (masked when redacted) |
/// | `message` | what the rule found, with its values (masked when redacted) |
///
/// When redacted the char offsets still refer to the original text.
///
/// # Errors
/// `findings.jsonl` missing or unreadable, or `findings.csv` not writable.
/// Lines that do not parse are skipped.
pub fn write_findings_csv(dir: &Path, redact: bool) -> Result<u64> {
    use std::io::Write;
    let (out_path, mut writer) = create_csv(dir)?;
    let redaction = csv_redaction(dir, redact);
    let in_path = dir.join("findings.jsonl");
    let mut rows = 0u64;
    let found = par_line_blocks(
        &in_path,
        |block| {
            let mut families = Families(HashMap::new());
            let mut out = CsvRows::new(block.len());
            for line in block.lines() {
                if let Ok(f) = serde_json::from_str::<Finding>(line) {
                    out.push(&f, redaction.as_ref(), &mut families);
                }
            }
            out.finish()
        },
        |(bytes, n)| {
            rows += n;
            writer
                .write_all(&bytes?)
                .with_context(|| format!("{}: cannot write", out_path.display()))
        },
    )?;
    if !found {
        anyhow::bail!("{}: not found", in_path.display());
    }
    finish_csv(&out_path, writer)?;
    Ok(rows)
}

/// `findings.csv` in `dir`, created with its BOM and header row.
/// It is written under a partial name; [`finish_csv`] puts it in place.
fn create_csv(
    dir: &Path,
) -> Result<(
    std::path::PathBuf,
    std::io::BufWriter<tempfile::NamedTempFile>,
)> {
    let path = dir.join("findings.csv");
    let file = super::partial_file(&path)?;
    let mut writer = std::io::BufWriter::new(file);
    write_csv_header(&mut writer).with_context(|| format!("{}: cannot write", path.display()))?;
    Ok((path, writer))
}

/// Flush a CSV from [`create_csv`] and rename it into place.
fn finish_csv(path: &Path, writer: std::io::BufWriter<tempfile::NamedTempFile>) -> Result<()> {
    let file = writer
        .into_inner()
        .map_err(|e| anyhow::anyhow!("{}: cannot write: {}", path.display(), e.error()))?;
    super::persist(file, path)
}

/// Write a rendered page to `path` through a partial file.
fn write_page(path: &Path, html: &str) -> Result<()> {
    super::write_atomically(path, |w| std::io::Write::write_all(w, html.as_bytes()))
}

/// The BOM (so spreadsheet programs read UTF-8) and the header row.
fn write_csv_header(writer: &mut dyn std::io::Write) -> Result<()> {
    writer.write_all("\u{feff}".as_bytes())?;
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record([
        "code",
        "name",
        "family",
        "severity",
        "time",
        "shop",
        "account",
        "buyer",
        "role",
        "location",
        "session_id",
        "message_id",
        "char_start",
        "char_end",
        "quote",
        "message",
    ])?;
    let header = header
        .into_inner()
        .map_err(|e| anyhow::anyhow!("cannot render the CSV header: {}", e.error()))?;
    writer.write_all(&header)?;
    Ok(())
}

/// The CSV's redaction: the pseudonym key and the buyer nicks found in
/// input paths (from `summary.json`).
fn csv_redaction(dir: &Path, redact: bool) -> Option<Redaction> {
    redact.then(|| {
        let buyers = std::fs::read_to_string(dir.join("summary.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<SummaryIn>(&t).ok())
            .map(|s| path_buyers(&s))
            .unwrap_or_default();
        Redaction::new(Redactor::from_env(), &buyers)
    })
}

/// `findings.csv` rows of one block of findings, and their number.
struct CsvRows {
    csv: csv::Writer<Vec<u8>>,
    rows: u64,
    error: Option<csv::Error>,
}

impl CsvRows {
    fn new(block_len: usize) -> CsvRows {
        CsvRows {
            csv: csv::WriterBuilder::new()
                .has_headers(false)
                .from_writer(Vec::with_capacity(block_len / 2)),
            rows: 0,
            error: None,
        }
    }

    fn push(&mut self, f: &Finding, redaction: Option<&Redaction>, families: &mut Families) {
        if self.error.is_some() {
            return;
        }
        let q = quote_of(f, redaction);
        let family = families.of(&f.code);
        self.push_quote(f, &q, &family);
    }

    /// The row of `f`, shown as `q`.
    fn push_quote(&mut self, f: &Finding, q: &Quote, family: &str) {
        if self.error.is_some() {
            return;
        }
        // Every text cell through the one spreadsheet guard.
        let cell = super::tables::spreadsheet_cell;
        let record = [
            cell(&f.code),
            cell(&f.name),
            cell(family),
            cell(f.severity.as_str()),
            cell(&q.time),
            cell(&f.shop),
            cell(&q.account),
            cell(&q.buyer),
            cell(f.role.as_str()),
            cell(&q.location),
            cell(&f.session_id),
            cell(&f.message_id),
            Cow::Owned(f.span.char_start.to_string()),
            Cow::Owned(f.span.char_end.to_string()),
            cell(&q.quote),
            cell(&q.message),
        ];
        match self.csv.write_record(record.iter().map(|c| c.as_bytes())) {
            Ok(()) => self.rows += 1,
            Err(e) => self.error = Some(e),
        }
    }

    fn finish(self) -> (Result<Vec<u8>>, u64) {
        if let Some(e) = self.error {
            return (Err(e.into()), self.rows);
        }
        let bytes = self
            .csv
            .into_inner()
            .map_err(|e| anyhow::anyhow!("cannot render CSV rows: {}", e.error()));
        (bytes, self.rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::unix_from_local;
    use serde_json::json;

    fn at(day: u32, h: u32, m: u32) -> i64 {
        let dt = chrono::NaiveDate::from_ymd_opt(2026, 10, day)
            .and_then(|d| d.and_hms_opt(h, m, 0))
            .expect("valid date");
        unix_from_local(dt)
    }

    #[allow(clippy::too_many_arguments)]
    fn finding(
        code: &str,
        severity: &str,
        role: &str,
        account: Option<&str>,
        buyer: &str,
        quote: &str,
        time: &str,
        line: u32,
    ) -> String {
        let mut f = json!({
            "code": code, "name": format!("rule-{code}"), "severity": severity,
            "message": format!("fired on {quote}"), "session_id": "s1", "shop": "花花旗舰店",
            "buyer": buyer, "message_id": format!("m{line}"), "role": role,
            "location": format!("dump/{buyer}.txt:{line}"), "time": time,
            "span": {"char_start": 0, "char_end": quote.chars().count(), "byte_start": 0, "byte_end": quote.len()},
            "quote": quote, "context": []
        });
        if let Some(a) = account {
            f["account"] = json!(a);
        }
        f.to_string()
    }

    fn summary() -> String {
        json!({
            "wwqa_version": "0.1.0",
            "policies": {"latency": "taobao_2025@2026.11.1", "roles": "2026.11"},
            "totals": {"files": 1, "messages": 40, "sessions": 3, "lines_rejected": 2, "findings": 30},
            "latency_histogram": [["0-10s", 1], ["180-300s", 2]],
            "stage_mix": {"pre_sale": 2, "after_sale": 1, "in_sale": 0, "other": 0},
            "findings_by_code": {"LAT002": 25, "ABU001": 1},
            "agents": [{"shop": "花花旗舰店", "name": "花花旗舰店:小美", "sessions": 3,
                        "rounds_assessed": 5, "three_min_rate": 0.8, "avg_response_secs": 61.25}],
            "shops": [{"shop": "花花旗舰店", "name": "花花旗舰店", "sessions": 3}]
        })
        .to_string()
    }

    fn write(dir: &Path, name: &str, text: &str) {
        if let Some(parent) = dir.join(name).parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(dir.join(name), text).expect("write");
    }

    /// 25 LAT002 findings on buyer messages (one with a phone number), then
    /// LAT001/LAT003 of another agent, then one insult by the agent.
    fn findings_fixture(dir: &Path) {
        let mut lines = Vec::new();
        for i in 0..25 {
            let quote = if i == 0 {
                "我的电话13812345678，快点发货".to_string()
            } else {
                format!("第{i}次催单")
            };
            lines.push(finding(
                "LAT002",
                "medium",
                "buyer",
                Some("花花旗舰店:小美"),
                "tb_buyer_a",
                &quote,
                "2026-10-20 10:00:00",
                i + 1,
            ));
        }
        for (i, (code, sev)) in [
            ("LAT001", "low"),
            ("LAT001", "low"),
            ("LAT001", "low"),
            ("LAT003", "high"),
            ("LAT004", "medium"),
        ]
        .iter()
        .enumerate()
        {
            lines.push(finding(
                code,
                sev,
                "buyer",
                Some("花花旗舰店:阿强"),
                "tb_buyer_b",
                &format!("问题{i}"),
                "2026-10-21 11:00:00",
                100 + i as u32,
            ));
        }
        lines.push(finding(
            "ABU001",
            "high",
            "agent",
            Some("花花旗舰店:小美"),
            "tb_buyer_a",
            "你是不是有病<script>",
            "2026-10-20 10:30:00",
            200,
        ));
        lines.push("{not json".to_string());
        write(dir, "findings.jsonl", &(lines.join("\n") + "\n"));
    }

    fn rendered(redact: bool) -> (tempfile::TempDir, String) {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "summary.json", &summary());
        findings_fixture(dir.path());
        // Two bundles of the same conversation: the report links the one
        // whose range covers the finding.
        for (case, first, last) in [
            (
                "2026-10-01-aaaa",
                "2026-10-01 09:00:00",
                "2026-10-01 12:00:00",
            ),
            (
                "2026-10-20-bbbb",
                "2026-10-20 09:00:00",
                "2026-10-20 11:00:00",
            ),
        ] {
            let bundle = json!({"case_id": case, "shop": "花花旗舰店", "buyer": "tb_buyer_a",
                "first_time": first, "last_time": last, "messages": [{}, {}], "highlights": [],
                "range_hash": "ff00"});
            write(
                dir.path(),
                &format!("evidence/{case}/bundle.json"),
                &bundle.to_string(),
            );
        }
        let html = render_report(dir.path(), redact).expect("renders");
        (dir, html)
    }

    #[test]
    fn locations_mask_buyer_nicks_in_the_path_never_in_the_line_number() {
        let red = Redactor::default();
        let buyers: std::collections::BTreeSet<String> =
            ["tb_77ba6c3".to_string(), "15".to_string()].into();
        let r = Redaction::new(red.clone(), &buyers);
        let (a, b) = (red.mask_nick("tb_77ba6c3"), red.mask_nick("15"));
        assert_eq!(
            r.path("导出/tb_77ba6c3.txt:15", "tb_77ba6c3"),
            format!("导出/{a}.txt:15")
        );
        // The same path again (the memo), with a nick of digits as the
        // finding's own buyer: the line number 15 stays.
        assert_eq!(
            r.path("导出/tb_77ba6c3.txt:15", "15"),
            format!("导出/{a}.txt:15")
        );
        assert_eq!(
            r.path("导出/15号.txt:150", "15"),
            format!("导出/{b}号.txt:150")
        );
        // A path without a line number is masked whole.
        assert_eq!(r.path("导出/tb_77ba6c3", ""), format!("导出/{a}"));
    }

    #[test]
    fn hours_count_rounds_assessed_and_within_three_minutes() {
        let dir = tempfile::tempdir().expect("temp dir");
        let round = |t: i64, status: &str, in_window: bool, secs: Option<i64>| {
            json!({"open_time": t, "status": status, "in_window": in_window, "latency_secs": secs,
                   "account": "a", "buyer_msgs": 1})
        };
        let l1 = json!({"id": "s1", "messages": [{"text": "\"latency\":{ in a text"}],
            "latency": {"policy": "p", "available": true, "rounds": [
                round(at(20, 10, 5), "replied", true, Some(100)),
                round(at(20, 10, 30), "replied", true, Some(200)),
                round(at(20, 10, 40), "unreplied", true, None),
                round(at(21, 3, 0), "replied", false, Some(50)),
            ]}, "commitments": []});
        // Spaced JSON takes the slow path; the result must be the same.
        let l2 = format!(
            "{{\"id\": \"s2\", \"latency\": {{\"rounds\": [{}]}}}}",
            round(at(21, 23, 59), "auto_only", true, Some(0))
        );
        let corrupt = json!({"latency": {"rounds": [round(i64::MAX, "replied", true, Some(1))]}});
        write(
            dir.path(),
            "sessions.jsonl",
            &format!("{l1}\n{l2}\n\ngarbage\n{corrupt}\n"),
        );
        let t = collect_hours(dir.path(), 180)
            .expect("reads")
            .expect("present");
        let h = |i: usize| (t.hours[i].rounds, t.hours[i].assessed, t.hours[i].within);
        assert_eq!(h(10), (3, 3, 1));
        assert_eq!(h(3), (1, 0, 0));
        assert_eq!(h(23), (1, 0, 0));
        assert_eq!(t.hours.iter().map(|x| x.rounds).sum::<u64>(), 5);
        assert_eq!(t.unreadable_lines, 2);
        assert_eq!(
            (t.first, t.last),
            (Some(at(20, 10, 5)), Some(at(21, 23, 59)))
        );
        assert!(collect_hours(&dir.path().join("none"), 180)
            .expect("absent is fine")
            .is_none());
    }

    #[test]
    fn findings_are_counted_in_full_and_quotes_capped() {
        let dir = tempfile::tempdir().expect("temp dir");
        findings_fixture(dir.path());
        let f = collect_findings(dir.path(), None, None)
            .expect("reads")
            .expect("present");
        assert_eq!(f.total, 31);
        assert_eq!(f.unreadable_lines, 1);
        let lat002 = &f.rules["LAT002"];
        assert_eq!(
            (lat002.count, lat002.quotes.len()),
            (25, MAX_QUOTES_PER_RULE)
        );
        assert_eq!(lat002.quotes[0].quote, "我的电话13812345678，快点发货");
        assert_eq!(lat002.family, "latency");
        // 阿强: three lows, then a high and a medium; the three most severe
        // stay, the earliest low among them.
        let a = &f.agents[&("花花旗舰店".to_string(), "花花旗舰店:阿强".to_string())];
        assert_eq!(a.count, 5);
        assert_eq!(a.by_severity, [0, 3, 1, 1]);
        let kept: Vec<&str> = a.quotes.iter().map(|q| q.quote.as_str()).collect();
        assert_eq!(kept, ["问题3", "问题4", "问题0"]);
        // Only the abuse-family finding makes a case.
        assert_eq!(f.cases.len(), 1);
        assert_eq!(f.listed.len(), 1);
        let case = &f.listed[0];
        assert_eq!(
            (case.shop.as_str(), case.buyer.as_str()),
            ("花花旗舰店", "tb_buyer_a")
        );
        assert_eq!((case.count, case.shop_side), (1, 1));
        assert_eq!(case.first_time, "2026-10-20 10:30:00");
        assert_eq!(case.quotes.len(), 1);
    }

    #[test]
    fn redacted_report_masks_buyers_and_numbers_and_links_evidence() {
        let (_dir, html) = rendered(true);
        let red = Redactor::from_env();
        assert!(!html.contains("13812345678"));
        assert!(html.contains("我的电话1** **** ****，快点发货"));
        assert!(!html.contains("tb_buyer_a"), "buyer nick leaked");
        assert!(html.contains(&red.mask_nick("tb_buyer_a")));
        // The nick in a path is masked too; agents and shops are kept.
        assert!(html.contains(&format!("dump/{}.txt:1<", red.mask_nick("tb_buyer_a"))));
        assert!(html.contains("花花旗舰店:小美"));
        assert!(html.contains("class=\"banner redacted\""));
        // The bundle covering the insult is linked, not the older one.
        assert!(html
            .contains("<a href=\"evidence/2026-10-20-bbbb/bundle.html\">2026-10-20-bbbb</a></td>"));
        assert!(html.contains("你是不是有病&lt;script&gt;"));
        assert!(!html.contains("有病<script>"));
        for id in [
            "chart-latency",
            "chart-stages",
            "chart-rules",
            "table-agents",
            "table-shops",
            "table-violations-agents",
            "table-abuse",
            "table-evidence",
        ] {
            assert!(html.contains(&format!("id=\"{id}\"")), "{id} missing");
        }
        // No sessions.jsonl and no tiers.json: said so, not an error.
        assert!(html.contains("sessions.jsonl is absent"));
        assert!(html.contains("tiers.json is absent"));
        // LAT002 has 25 findings and shows 20 quote rows.
        let start = html.find("id=\"rule-LAT002\"").expect("LAT002 block");
        let block = &html[start..start + html[start..].find("</details>").expect("end")];
        assert!(block.contains("— 25 findings"));
        assert_eq!(block.matches("<tr>").count(), 1 + MAX_QUOTES_PER_RULE);
    }

    #[test]
    fn buyers_named_in_input_paths_are_masked_in_locations() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut summary: serde_json::Value = serde_json::from_str(&summary()).expect("json");
        summary["files"] = json!([{"path": "exports/tb_file_owner.txt", "lines_read": 9,
            "buyers_in_path": ["tb_file_owner"]}]);
        write(dir.path(), "summary.json", &summary.to_string());
        let session = json!({"id": "s9", "conversation": {"shop": "花花旗舰店", "buyer": "tb_file_owner"},
            "messages": [{"sender": "x", "text": "\"buyer\":\"not_a_buyer\""}],
            "latency": {"rounds": []}});
        write(dir.path(), "sessions.jsonl", &format!("{session}\n"));
        // A finding of another buyer, in the file named after this one.
        let mut f: serde_json::Value = serde_json::from_str(&finding(
            "LAT001", "low", "buyer", None, "tb_other", "在吗", "", 3,
        ))
        .expect("json");
        f["location"] = json!("exports/tb_file_owner.txt:3");
        write(dir.path(), "findings.jsonl", &format!("{f}\n"));
        let red = Redactor::from_env();
        let owner = red.mask_nick("tb_file_owner");
        let html = render_report(dir.path(), true).expect("renders");
        assert!(!html.contains("tb_file_owner"));
        assert!(!html.contains("tb_other"));
        // Shown relative to the common input directory, named once.
        assert!(html.contains("paths are relative to <code>exports/</code>"));
        assert!(html.contains(&format!("<td class=\"loc\">{owner}.txt:3</td>")));
        assert!(html.contains(&format!("<td class=\"loc\">{owner}.txt</td>")));
        write_findings_csv(dir.path(), true).expect("writes");
        let csv = std::fs::read_to_string(dir.path().join("findings.csv")).expect("csv");
        assert!(csv.contains(&format!(",exports/{owner}.txt:3,")), "{csv}");
    }

    #[test]
    fn unredacted_report_keeps_originals_and_says_so() {
        let (_dir, html) = rendered(false);
        assert!(html.contains("我的电话13812345678，快点发货"));
        assert!(html.contains("tb_buyer_a"));
        assert!(html.contains("class=\"banner unredacted\""));
    }

    #[test]
    fn findings_csv_has_bom_documented_columns_and_masks() {
        let dir = tempfile::tempdir().expect("temp dir");
        findings_fixture(dir.path());
        assert_eq!(write_findings_csv(dir.path(), true).expect("writes"), 31);
        let text = std::fs::read_to_string(dir.path().join("findings.csv")).expect("csv");
        let body = text.strip_prefix('\u{feff}').expect("BOM");
        let lines: Vec<&str> = body.lines().collect();
        assert_eq!(
            lines[0],
            "code,name,family,severity,time,shop,account,buyer,role,location,session_id,message_id,char_start,char_end,quote,message"
        );
        let mask = Redactor::from_env().mask_nick("tb_buyer_a");
        assert_eq!(
            lines[1],
            format!(
                "LAT002,rule-LAT002,latency,medium,2026-10-20 10:00:00,花花旗舰店,花花旗舰店:小美,{mask},buyer,\
                 dump/{mask}.txt:1,s1,m1,0,20,我的电话1** **** ****，快点发货,fired on 我的电话1** **** ****，快点发货"
            )
        );
        assert_eq!(lines.len(), 32);
        write_findings_csv(dir.path(), false).expect("writes");
        let text = std::fs::read_to_string(dir.path().join("findings.csv")).expect("csv");
        assert!(text
            .contains(",tb_buyer_a,buyer,dump/tb_buyer_a.txt:1,s1,m1,0,20,我的电话13812345678，"));
        assert!(write_findings_csv(&dir.path().join("missing"), true).is_err());
    }

    #[test]
    fn one_pass_report_equals_the_page_and_csv_written_apart() {
        let (dir, _) = rendered(true);
        for redact in [true, false] {
            let page = render_report(dir.path(), redact).expect("renders");
            assert_eq!(write_findings_csv(dir.path(), redact).expect("writes"), 31);
            let csv = std::fs::read(dir.path().join("findings.csv")).expect("csv");
            std::fs::remove_file(dir.path().join("findings.csv")).expect("removed");
            let html_path = dir.path().join("page.html");
            let rows = write_report(dir.path(), redact, &html_path).expect("writes");
            assert_eq!(rows, Some(31));
            assert_eq!(std::fs::read_to_string(&html_path).expect("page"), page);
            assert_eq!(
                std::fs::read(dir.path().join("findings.csv")).expect("csv"),
                csv
            );
        }
        // Without findings.jsonl (a merged directory): the page only.
        std::fs::remove_file(dir.path().join("findings.jsonl")).expect("removed");
        let html_path = dir.path().join("merged.html");
        assert_eq!(
            write_report(dir.path(), true, &html_path).expect("writes"),
            None
        );
        assert!(html_path.exists());
    }

    #[test]
    fn missing_summary_is_a_clear_error() {
        let dir = tempfile::tempdir().expect("temp dir");
        let err = render_report(dir.path(), true).expect_err("no summary");
        assert!(
            format!("{err:#}").contains("not a scan output directory"),
            "{err:#}"
        );
        write(dir.path(), "summary.json", "[1, 2]");
        let err = render_report(dir.path(), true).expect_err("bad summary");
        assert!(format!("{err:#}").contains("not a wwqa summary"), "{err:#}");
    }

    #[test]
    fn common_dir_of_inputs() {
        let files = |paths: &[&str]| -> Vec<FileIn> {
            paths
                .iter()
                .map(|p| FileIn {
                    path: p.to_string(),
                    ..FileIn::default()
                })
                .collect()
        };
        assert_eq!(
            common_dir(&files(&[
                "/d/导出/a.txt",
                "/d/导出/ab.txt",
                "/d/导出/sub/c.txt"
            ])),
            "/d/导出/"
        );
        assert_eq!(
            common_dir(&files(&["/d/导出/a.txt", "/d/导入/a.txt"])),
            "/d/"
        );
        assert_eq!(common_dir(&files(&["a.txt", "b.txt"])), "");
        assert_eq!(common_dir(&files(&[])), "");
    }

    #[test]
    fn escaping_and_axes() {
        assert_eq!(escape("a<b>&\"c\"'"), "a&lt;b&gt;&amp;&quot;c&quot;&#39;");
        assert_eq!(escape("店\u{202E}gpj.exe"), "店&lt;U+202E&gt;gpj.exe");
        assert!(matches!(escape("花花旗舰店"), Cow::Borrowed(_)));
        assert_eq!(url_segment("2026-10-20 案"), "2026-10-20%20%E6%A1%88");
        assert_eq!(nice_axis(2462.0), (3000.0, 1000.0));
        assert_eq!(nice_axis(7.0), (8.0, 2.0));
        assert_eq!(nice_axis(0.0), (1.0, 0.25));
    }

    #[test]
    fn tiers_render_with_the_deciding_check() {
        let dir = tempfile::tempdir().expect("temp dir");
        write(dir.path(), "summary.json", &summary());
        let tiers = json!({"policy_name": "wwqa-tiers", "policy_version": "2026.11-1",
            "policy_source": "lexicons/tiers.toml", "shop_tiers": {"cancelled": 1, "gold": 0},
            "agent_levels": {"新手": 1},
            "shops": [{"shop": "素锦服饰", "month": "2026-10", "platform": "taobao", "industry": "服饰",
                "scale_band": "中", "tier": "cancelled", "computed_tier": "silver",
                "decided_by": "cancellation.complaint_types", "flags": ["complaint:辱骂 2026-10-15"],
                "rank": {"rank": 2, "peers": 5, "percentile": "40"},
                "checks": [{"rule": "cancellation.complaint_types", "passed": false,
                    "actual": "辱骂 2026-10-15", "expected": "no upheld complaint", "note": ""}]}],
            "agents": [{"agent": "素锦服饰:阿花", "shop": "素锦服饰", "month": "2026-10", "level": "新手",
                "checks": []}]});
        write(dir.path(), "tiers.json", &tiers.to_string());
        let html = render_report(dir.path(), true).expect("renders");
        assert!(html.contains("<span class=\"tier tier-cancelled\">已取消</span> <span class=\"muted\">(原为 would have been 银牌)</span>"));
        assert!(html.contains("<span class=\"fail\">FAIL</span> 辱骂 2026-10-15 <span class=\"muted\">(expected no upheld complaint)</span>"));
        assert!(html.contains(">淘宝<"));
        assert!(html.contains("2 / 5 (top 40%)"));
        assert!(html.contains("id=\"table-levels\""));
    }
}
