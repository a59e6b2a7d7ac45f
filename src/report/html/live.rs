//! The report gathered during `wwqa scan`, from the findings and rounds
//! the analysis already holds, instead of reading `findings.jsonl` and
//! `sessions.jsonl` back afterwards (which cost a fifth of a scan).
//!
//! Workers build a [`LivePart`] per piece of a file; the scan's writer
//! merges the parts in file order into the [`LiveReport`], appending their
//! `findings.csv` rows as they come. Merged in order, the parts give the
//! same counts, quotes, rows and hour table as reading the files. The
//! abuse cases the page lists are only known at the end; their lines are
//! then read from `findings.jsonl` at the offsets the writer noted
//! ([`AbuseIndex`]), not by reading the whole file again.
//!
//! Redaction is the one thing a part cannot know in full: buyer nicks found
//! in input paths are masked in every location, and a nick is only known
//! once its sessions are read, possibly in a later file. A part masks with
//! the nicks of its own file found so far; [`LiveReport::finish`] checks
//! that no nick known at the end matches in a rendered path beyond those,
//! and when one does it rebuilds the report and CSV from the files, as
//! `wwqa report` would.

use super::{
    create_csv, finish_csv, list_cases, path_buyers, quote_of, read_summary, render_page,
    write_page, write_report, AbuseIndex, CsvRows, Families, FindingStats, HourTable, Redaction,
};
use crate::analyze::SessionAnalysis;
use crate::report::redact::Redactor;
use anyhow::{Context, Result};
use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

/// What every part shares: the redactor (with its pseudonym cache) and
/// the 3-minute limit of the hour table.
pub struct LiveSpec {
    redactor: Option<Redactor>,
    three_min_secs: i64,
}

impl LiveSpec {
    /// For a scan under `policy`, redacting when `redact` (key from
    /// [`Redactor::from_env`]).
    pub fn new(redact: bool, policy: &crate::latency::LatencyPolicy) -> LiveSpec {
        LiveSpec {
            redactor: redact.then(Redactor::from_env),
            three_min_secs: policy.three_min_secs,
        }
    }

    /// A part for sessions of the file shown as `file`, whose buyer nicks
    /// found in its path so far are `path_nicks`.
    pub fn part(&self, file: &str, path_nicks: &[String]) -> LivePart {
        let nicks: BTreeSet<String> = path_nicks.iter().cloned().collect();
        LivePart {
            redaction: self
                .redactor
                .as_ref()
                .map(|r| Redaction::new(r.clone(), &nicks)),
            families: Families(HashMap::new()),
            stats: FindingStats::default(),
            hours: HourTable {
                three_min_secs: self.three_min_secs,
                ..HourTable::default()
            },
            csv: CsvRows::new(0),
            file: file.to_string(),
            nicks,
            findings_bytes: 0,
            abuse_lines: Vec::new(),
        }
    }
}

/// The report's share of one piece of a file.
pub struct LivePart {
    redaction: Option<Redaction>,
    families: Families,
    stats: FindingStats,
    hours: HourTable,
    csv: CsvRows,
    file: String,
    nicks: BTreeSet<String>,
    /// Bytes of `findings.jsonl` lines of the part's sessions so far.
    findings_bytes: u64,
    /// (case, offset of the line in the part's `findings.jsonl` lines) of
    /// every abuse finding, for the [`AbuseIndex`].
    abuse_lines: Vec<(u64, u64)>,
}

impl LivePart {
    /// Count one analysed session (its findings in output order).
    /// `lines` are the session's `findings.jsonl` lines.
    pub fn add_session(&mut self, analysis: &SessionAnalysis, lines: &str) {
        let red = self.redaction.as_ref();
        for (f, line) in analysis.findings.iter().zip(lines.split_inclusive('\n')) {
            let quote = quote_of(f, red);
            let family = self.families.of(&f.code);
            self.csv.push_quote(f, &quote, &family);
            if let Some(case) = self.stats.add_shown(f, &family, &mut || quote.clone()) {
                self.abuse_lines.push((case, self.findings_bytes));
            }
            self.findings_bytes += line.len() as u64;
        }
        for r in &analysis.latency.rounds {
            let status = r.status.as_str();
            self.hours.add_round(
                r.open_time,
                status == "replied" || status == "unreplied",
                status == "replied",
                r.in_window,
                r.latency_secs,
            );
        }
    }
}

/// The report being gathered by the scan's writer.
pub struct LiveReport {
    csv_path: PathBuf,
    csv: std::io::BufWriter<tempfile::NamedTempFile>,
    rows: u64,
    stats: FindingStats,
    hours: HourTable,
    redact: bool,
    /// For every file with rendered findings, the path nicks its first
    /// part masked with (later parts of a file know at least those).
    rendered: HashMap<String, BTreeSet<String>>,
    /// Where the abuse findings are in `findings.jsonl`.
    abuse_index: AbuseIndex,
}

impl LiveReport {
    /// Start gathering; creates `findings.csv` in `dir`.
    ///
    /// # Errors
    /// `findings.csv` or the temporary index cannot be created or written.
    pub fn start(dir: &Path, spec: &LiveSpec) -> Result<LiveReport> {
        let (csv_path, csv) = create_csv(dir)?;
        Ok(LiveReport {
            csv_path,
            csv,
            rows: 0,
            stats: FindingStats::default(),
            hours: HourTable {
                three_min_secs: spec.three_min_secs,
                ..HourTable::default()
            },
            redact: spec.redactor.is_some(),
            rendered: HashMap::new(),
            abuse_index: AbuseIndex::new(dir)?,
        })
    }

    /// Merge the next part in file order, appending its CSV rows; its
    /// `findings.jsonl` lines start at byte `findings_at` of that file.
    ///
    /// # Errors
    /// The rows could not be rendered or written.
    pub fn merge(&mut self, part: LivePart, findings_at: u64) -> Result<()> {
        for (case, offset) in &part.abuse_lines {
            self.abuse_index.add(*case, findings_at + offset)?;
        }
        let (bytes, rows) = part.csv.finish();
        self.csv
            .write_all(&bytes?)
            .with_context(|| format!("{}: cannot write", self.csv_path.display()))?;
        self.rows += rows;
        if part.stats.total > 0 {
            self.rendered.entry(part.file).or_insert(part.nicks);
        }
        self.stats.merge(part.stats);
        self.hours.merge(&part.hours);
        Ok(())
    }

    /// Write `report.html` to `html_path` once `summary.json` is written,
    /// and finish `findings.csv`. Returns the CSV's row count.
    ///
    /// # Errors
    /// As [`super::write_report`].
    pub fn finish(mut self, dir: &Path, html_path: &Path) -> Result<Option<u64>> {
        finish_csv(&self.csv_path, self.csv)?;
        let summary = read_summary(dir)?;
        let buyers = path_buyers(&summary);
        if self.redact && !masks_agree(&self.rendered, &buyers) {
            return write_report(dir, true, html_path);
        }
        let redaction = self
            .redact
            .then(|| Redaction::new(Redactor::from_env(), &buyers));
        list_cases(
            dir,
            redaction.as_ref(),
            &mut self.stats,
            Some(self.abuse_index),
        )?;
        let html = render_page(
            dir,
            &summary,
            Some(&self.stats),
            Some(&self.hours),
            redaction.as_ref(),
        )?;
        crate::review::pack::write_linked_sessions(dir, html_path, &html, self.redact)?;
        write_page(html_path, &html)?;
        Ok(Some(self.rows))
    }
}

/// Whether masking every rendered location with all of `buyers` (the
/// nicks known at the end) gives what its part gave with the nicks it
/// knew. Only the path of a `path:line` location is masked; a nick that
/// holds `:` or is all digits is still taken to disagree, which costs at
/// most a rebuild.
fn masks_agree(rendered: &HashMap<String, BTreeSet<String>>, buyers: &BTreeSet<String>) -> bool {
    let nicks: Vec<&String> = buyers.iter().filter(|b| b.chars().count() >= 2).collect();
    if nicks.is_empty() || rendered.is_empty() {
        return true;
    }
    if nicks
        .iter()
        .any(|n| n.contains(':') || n.bytes().all(|b| b.is_ascii_digit()))
    {
        return false;
    }
    // Leftmost-longest replacement depends only on which patterns match,
    // so equal match sets give equal masked paths.
    let Ok(automaton) = aho_corasick::AhoCorasick::new(&nicks) else {
        return false;
    };
    rendered.iter().all(|(path, known)| {
        automaton
            .find_overlapping_iter(path.as_str())
            .all(|m| known.contains(nicks[m.pattern().as_usize()].as_str()))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(items: &[&str]) -> BTreeSet<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn masks_agree_only_when_no_later_nick_matches_a_rendered_path() {
        let rendered: HashMap<String, BTreeSet<String>> = [
            ("导出/tb_77ba6c3.txt".to_string(), set(&["tb_77ba6c3"])),
            ("导出/小王的聊天.txt".to_string(), set(&[])),
        ]
        .into();
        // Each file's own buyer was known when it was rendered.
        assert!(masks_agree(&rendered, &set(&["tb_77ba6c3", "tb_d4ce7a4"])));
        // 小王 became known only later (another file, or a later piece).
        assert!(!masks_agree(&rendered, &set(&["tb_77ba6c3", "小王"])));
        // A nick of digits could match a line number.
        assert!(!masks_agree(&rendered, &set(&["12345"])));
        // Nothing rendered, nothing to disagree with.
        assert!(masks_agree(&HashMap::new(), &set(&["小王"])));
    }
}
