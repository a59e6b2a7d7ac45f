//! Reviewers' verdicts on machine findings: imported from the review
//! pages' JSON files or the `verdicts.csv` sheet into `DIR/verdicts.jsonl`,
//! and summed per rule into measured precision.
//!
//! Import is idempotent: a verdict identical to one already recorded
//! (same finding, verdict, note, reviewer and time) is skipped, so
//! importing a file twice counts it once. A verdict whose finding is not in
//! the scan (a rescan with another configuration dropped or moved it) is
//! still recorded and reported as an orphan, never dropped. When a finding
//! has several verdicts, the last recorded one counts.

use super::Scan;
use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write;
use std::path::Path;

/// A reviewer's judgement of one finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// The rule was right.
    Confirmed,
    /// The rule misfired.
    FalsePositive,
    /// The reviewer could not decide; counts in neither.
    Unsure,
}

impl Verdict {
    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Confirmed => "confirmed",
            Verdict::FalsePositive => "false_positive",
            Verdict::Unsure => "unsure",
        }
    }

    /// Parse the names reviewers type into the sheet (English or Chinese).
    pub fn parse(text: &str) -> Option<Verdict> {
        match text.trim().to_lowercase().as_str() {
            "confirmed" | "confirm" | "true" | "yes" | "y" | "tp" | "1" | "确认" | "属实"
            | "正确" => Some(Verdict::Confirmed),
            "false_positive" | "false positive" | "false" | "no" | "n" | "fp" | "0" | "误报"
            | "不属实" => Some(Verdict::FalsePositive),
            "unsure" | "?" | "存疑" | "不确定" => Some(Verdict::Unsure),
            _ => None,
        }
    }
}

const VERDICT_NAMES: &[&str] = &[
    "confirmed",
    "false_positive",
    "unsure",
    "确认",
    "误报",
    "存疑",
];

/// One line of `verdicts.jsonl`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct VerdictRecord {
    /// The finding judged ([`super::finding_id`]).
    pub finding_id: String,
    /// Its session, as the reviewer saw it.
    #[serde(default)]
    pub session_id: String,
    /// Its rule, as the reviewer saw it (kept so orphans still count per rule).
    #[serde(default)]
    pub code: String,
    /// The verdict.
    pub verdict: Verdict,
    /// The reviewer's note.
    #[serde(default)]
    pub note: String,
    /// Who judged.
    #[serde(default)]
    pub reviewer: String,
    /// When (as the page or sheet recorded it; empty when it did not).
    #[serde(default)]
    pub time: String,
}

/// What an import did.
#[derive(Debug, Default, Serialize)]
pub struct ImportReport {
    /// Verdicts read from the files.
    pub read: usize,
    /// Newly recorded.
    pub added: usize,
    /// Already recorded (same file imported again): skipped.
    pub duplicates: usize,
    /// Sheet rows with no verdict filled in.
    pub blank: usize,
    /// Recorded verdicts (new ones) whose finding is not in the scan.
    pub orphans: Vec<VerdictRecord>,
}

/// The page's saved file.
#[derive(Deserialize)]
struct PageFile {
    #[serde(default)]
    session_id: String,
    #[serde(default)]
    reviewer: String,
    #[serde(default)]
    saved_at: String,
    verdicts: Vec<PageVerdict>,
}

#[derive(Deserialize)]
struct PageVerdict {
    finding_id: String,
    #[serde(default)]
    code: String,
    verdict: String,
    #[serde(default)]
    note: String,
}

/// Parse a verdict file: the review page's JSON (one object or an array),
/// or a CSV sheet with `finding_id` and `verdict` columns (`note`,
/// `reviewer`, `time`, `session_id`, `code` optional). `default_reviewer`
/// fills a blank reviewer. Returns the verdicts and the count of blank rows.
///
/// # Errors
/// `path:line: message` for an unreadable file or an unknown verdict.
pub fn parse_file(path: &Path, default_reviewer: &str) -> Result<(Vec<VerdictRecord>, usize)> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let reviewer_or = |r: &str| {
        if r.trim().is_empty() {
            default_reviewer.to_string()
        } else {
            r.trim().to_string()
        }
    };
    if text.trim_start().starts_with(['{', '[']) {
        let pages: Vec<PageFile> = if text.trim_start().starts_with('[') {
            serde_json::from_str(text)
        } else {
            serde_json::from_str(text).map(|p| vec![p])
        }
        .map_err(|e| anyhow::anyhow!("{}:{}:{}: {e}", path.display(), e.line(), e.column()))?;
        let mut out = Vec::new();
        for p in pages {
            for v in p.verdicts {
                let Some(verdict) = Verdict::parse(&v.verdict) else {
                    bail!(
                        "{}: unknown verdict `{}`{}",
                        path.display(),
                        v.verdict,
                        suggest(&v.verdict)
                    );
                };
                out.push(VerdictRecord {
                    finding_id: v.finding_id,
                    session_id: p.session_id.clone(),
                    code: v.code,
                    verdict,
                    note: v.note,
                    reviewer: reviewer_or(&p.reviewer),
                    time: p.saved_at.clone(),
                });
            }
        }
        return Ok((out, 0));
    }
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let headers = reader
        .headers()
        .with_context(|| format!("{}:1: cannot read the header", path.display()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let (Some(fid_col), Some(verdict_col)) = (col("finding_id"), col("verdict")) else {
        bail!(
            "{}:1: a verdict sheet needs `finding_id` and `verdict` columns",
            path.display()
        );
    };
    let get = |row: &csv::StringRecord, name: &str| {
        col(name).and_then(|i| row.get(i)).unwrap_or("").to_string()
    };
    let mut out = Vec::new();
    let mut blank = 0;
    for row in reader.records() {
        let row = row.with_context(|| format!("{}: cannot read a row", path.display()))?;
        let line = row.position().map_or(0, |p| p.line());
        let raw = row.get(verdict_col).unwrap_or("").trim();
        if raw.is_empty() {
            blank += 1;
            continue;
        }
        let Some(verdict) = Verdict::parse(raw) else {
            bail!(
                "{}:{line}: unknown verdict `{raw}`{}",
                path.display(),
                suggest(raw)
            );
        };
        out.push(VerdictRecord {
            finding_id: row.get(fid_col).unwrap_or("").trim().to_string(),
            session_id: get(&row, "session_id"),
            code: get(&row, "code"),
            verdict,
            note: get(&row, "note"),
            reviewer: reviewer_or(&get(&row, "reviewer")),
            time: get(&row, "time"),
        });
    }
    Ok((out, blank))
}

fn suggest(raw: &str) -> String {
    VERDICT_NAMES
        .iter()
        .map(|n| (strsim::jaro_winkler(&raw.to_lowercase(), n), n))
        .filter(|(s, _)| *s > 0.7)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(
            " (expected confirmed, false_positive or unsure)".to_string(),
            |(_, n)| format!(" (did you mean `{n}`?)"),
        )
}

/// Read `DIR/verdicts.jsonl` (empty when absent).
///
/// # Errors
/// `path:line: message` for a line that is not a verdict.
pub fn load(dir: &Path) -> Result<Vec<VerdictRecord>> {
    let path = dir.join("verdicts.jsonl");
    if !path.exists() {
        return Ok(Vec::new());
    }
    super::read_jsonl(&path)
}

/// Import verdict files into `scan_dir/verdicts.jsonl`.
///
/// # Errors
/// A file cannot be parsed (nothing is recorded then), or the store cannot
/// be written.
pub fn import(
    files: &[impl AsRef<Path>],
    scan_dir: &Path,
    default_reviewer: &str,
) -> Result<ImportReport> {
    let scan = Scan::load(scan_dir)?;
    let known: HashSet<&str> = scan.findings.iter().map(|f| f.0.as_str()).collect();
    let mut report = ImportReport::default();
    let mut parsed = Vec::new();
    // Parse everything first, so a bad file records nothing.
    for f in files {
        let (records, blank) = parse_file(f.as_ref(), default_reviewer)?;
        report.read += records.len();
        report.blank += blank;
        parsed.extend(records);
    }
    let mut seen: HashSet<VerdictRecord> = load(scan_dir)?.into_iter().collect();
    let path = scan_dir.join("verdicts.jsonl");
    let mut out = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let mut text = String::new();
    for r in parsed {
        if seen.contains(&r) {
            report.duplicates += 1;
            continue;
        }
        text.push_str(&serde_json::to_string(&r)?);
        text.push('\n');
        report.added += 1;
        if !known.contains(r.finding_id.as_str()) {
            report.orphans.push(r.clone());
        }
        seen.insert(r);
    }
    out.write_all(text.as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(report)
}

/// Review figures of one rule.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct RuleStats {
    /// Rule code.
    pub code: String,
    /// Findings of the rule in the scan (machine count).
    pub machine: usize,
    /// Findings with a verdict.
    pub reviewed: usize,
    /// Confirmed.
    pub confirmed: usize,
    /// False positives.
    pub false_positive: usize,
    /// Unsure.
    pub unsure: usize,
    /// confirmed / (confirmed + false positives), when any were decided.
    pub precision: Option<f64>,
    /// Verdicts of this rule whose finding is not in the scan.
    pub orphans: usize,
}

/// Per-agent machine and confirmed counts, for scorecards.
#[derive(Debug, Default, Clone, PartialEq, Serialize)]
pub struct AgentStats {
    /// Agent account.
    pub agent: String,
    /// Findings on the agent (machine count).
    pub machine: usize,
    /// Of those, reviewed.
    pub reviewed: usize,
    /// Of those, confirmed.
    pub confirmed: usize,
}

/// Everything `wwqa review stats` prints.
#[derive(Debug, Default, Serialize)]
pub struct Stats {
    /// Per rule, by code.
    pub rules: Vec<RuleStats>,
    /// Per agent, by name.
    pub agents: Vec<AgentStats>,
    /// Verdict records in the store.
    pub records: usize,
    /// Findings with a verdict (the last one counts).
    pub judged: usize,
    /// Judged finding ids not in the scan.
    pub orphans: Vec<String>,
}

/// Sum the verdicts of `scan_dir` per rule and per agent.
///
/// # Errors
/// The scan or the store cannot be read.
pub fn stats(scan_dir: &Path) -> Result<Stats> {
    let scan = Scan::load(scan_dir)?;
    let records = load(scan_dir)?;
    let mut last: HashMap<&str, &VerdictRecord> = HashMap::new();
    for r in &records {
        last.insert(r.finding_id.as_str(), r);
    }
    let mut rules: BTreeMap<String, RuleStats> = BTreeMap::new();
    let mut agents: BTreeMap<String, AgentStats> = BTreeMap::new();
    let mut in_scan: HashSet<&str> = HashSet::new();
    for (fid, f) in &scan.findings {
        in_scan.insert(fid);
        let r = rules.entry(f.code.clone()).or_insert_with(|| RuleStats {
            code: f.code.clone(),
            ..RuleStats::default()
        });
        r.machine += 1;
        let agent = f
            .account
            .clone()
            .unwrap_or_else(|| super::NO_AGENT.to_string());
        let a = agents.entry(agent.clone()).or_insert_with(|| AgentStats {
            agent,
            ..AgentStats::default()
        });
        a.machine += 1;
        if let Some(v) = last.get(fid.as_str()) {
            r.reviewed += 1;
            a.reviewed += 1;
            match v.verdict {
                Verdict::Confirmed => {
                    r.confirmed += 1;
                    a.confirmed += 1;
                }
                Verdict::FalsePositive => r.false_positive += 1,
                Verdict::Unsure => r.unsure += 1,
            }
        }
    }
    let mut orphans: Vec<String> = Vec::new();
    for (fid, v) in &last {
        if !in_scan.contains(fid) {
            orphans.push((*fid).to_string());
            let code = if v.code.is_empty() {
                "?"
            } else {
                v.code.as_str()
            };
            rules
                .entry(code.to_string())
                .or_insert_with(|| RuleStats {
                    code: code.to_string(),
                    ..RuleStats::default()
                })
                .orphans += 1;
        }
    }
    orphans.sort();
    for r in rules.values_mut() {
        let decided = r.confirmed + r.false_positive;
        r.precision = (decided > 0).then(|| r.confirmed as f64 / decided as f64);
    }
    Ok(Stats {
        rules: rules.into_values().collect(),
        agents: agents.into_values().collect(),
        records: records.len(),
        judged: last.len(),
        orphans,
    })
}

impl std::fmt::Display for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(
            f,
            "{:<8} {:>8} {:>8} {:>9} {:>8} {:>7} {:>9} {:>7}",
            "rule", "machine", "reviewed", "confirmed", "false+", "unsure", "precision", "orphans"
        )?;
        for r in &self.rules {
            writeln!(
                f,
                "{:<8} {:>8} {:>8} {:>9} {:>8} {:>7} {:>9} {:>7}",
                r.code,
                r.machine,
                r.reviewed,
                r.confirmed,
                r.false_positive,
                r.unsure,
                r.precision.map_or("-".to_string(), |p| format!("{:.3}", p)),
                r.orphans
            )?;
        }
        writeln!(f)?;
        writeln!(
            f,
            "{:<32} {:>8} {:>8} {:>9}",
            "agent", "machine", "reviewed", "confirmed"
        )?;
        for a in self.agents.iter().filter(|a| a.reviewed > 0) {
            writeln!(
                f,
                "{:<32} {:>8} {:>8} {:>9}",
                a.agent, a.machine, a.reviewed, a.confirmed
            )?;
        }
        write!(
            f,
            "{} verdict records, {} findings judged, {} of them not in this scan",
            self.records,
            self.judged,
            self.orphans.len()
        )
    }
}
