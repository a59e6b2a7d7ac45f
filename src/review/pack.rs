//! The review pack: one page per sampled session (chat view, findings
//! marked, verdict form), an index, `manifest.json` and a `verdicts.csv`
//! template with one row per finding and an empty verdict column.

use super::sample::{draw, SampleSpec, Sampled};
use super::Scan;
use crate::ingest::IngestOptions;
use crate::report::html::escape;
use crate::report::redact::Redactor;
use crate::report::session_view::{render, SessionView};
use crate::report::tables::spreadsheet_cell as neutralise;
use anyhow::{Context, Result};
use serde::Serialize;
use std::fmt::Write;
use std::path::Path;

/// Format of `manifest.json`.
pub const MANIFEST_FORMAT: &str = "wwqa-review-pack/1";

/// `manifest.json`.
#[derive(Debug, Serialize)]
pub struct Manifest {
    /// [`MANIFEST_FORMAT`].
    pub format: &'static str,
    /// The scan directory sampled.
    pub scan: String,
    /// What was asked for.
    pub spec: SampleSpec,
    /// Whether buyers' personal data is masked in the pages and CSV.
    pub redacted: bool,
    /// The sample, by agent then draw.
    pub sessions: Vec<PackEntry>,
    /// Sessions that could not be re-read from the dump, with why.
    pub errors: Vec<String>,
}

/// One sampled session in the manifest.
#[derive(Debug, Serialize)]
pub struct PackEntry {
    /// The draw.
    #[serde(flatten)]
    pub sampled: Sampled,
    /// Its page, relative to the pack, when written.
    pub page: Option<String>,
    /// Ids of its findings (the rows of verdicts.csv).
    pub finding_ids: Vec<String>,
}

/// Write the pack for `spec` into `out` (created). Returns the manifest.
///
/// # Errors
/// The scan cannot be read or the pack cannot be written. A session whose
/// source cannot be re-read is listed in `errors`, not fatal.
pub fn write_pack(
    scan_dir: &Path,
    out: &Path,
    spec: &SampleSpec,
    redact: bool,
    ingest: &IngestOptions,
) -> Result<Manifest> {
    let scan = Scan::load(scan_dir)?;
    let sample = draw(&scan, spec);
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create", out.display()))?;
    let redactor = Redactor::from_env();
    let redactor = redact.then_some(&redactor);
    let by_session = scan.findings_by_session();
    let label = scan_dir.display().to_string();
    let mut csv = csv::Writer::from_path(out.join("verdicts.csv"))
        .with_context(|| format!("{}: cannot write", out.join("verdicts.csv").display()))?;
    csv.write_record([
        "finding_id",
        "session_id",
        "agent",
        "code",
        "severity",
        "location",
        "quote",
        "verdict",
        "note",
        "reviewer",
    ])?;
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for sampled in sample {
        let Some(session) = scan.session(&sampled.session_id) else {
            continue;
        };
        let findings = by_session
            .get(session.id.as_str())
            .cloned()
            .unwrap_or_default();
        for (fid, f) in findings.iter().map(|p| (&p.0, &p.1)) {
            let quote = match redactor {
                Some(r) => r.redact_message(&f.quote, &[f.buyer.as_str()]),
                None => f.quote.clone(),
            };
            csv.write_record([
                fid.as_str(),
                &f.session_id,
                &neutralise(&sampled.agent),
                &f.code,
                f.severity.as_str(),
                &neutralise(&f.location),
                &neutralise(&quote),
                "",
                "",
                "",
            ])?;
        }
        let page = match super::source::read_session(session, scan_dir, ingest) {
            Ok(messages) => {
                let html = render(&SessionView {
                    session,
                    messages: &messages,
                    findings: &findings,
                    redactor,
                    review: true,
                    scan_label: &label,
                });
                let name = format!("{}.html", session.id);
                let path = out.join(&name);
                std::fs::write(&path, html)
                    .with_context(|| format!("{}: cannot write", path.display()))?;
                Some(name)
            }
            Err(e) => {
                errors.push(format!("{e:#}"));
                None
            }
        };
        entries.push(PackEntry {
            finding_ids: findings.iter().map(|p| p.0.clone()).collect(),
            sampled,
            page,
        });
    }
    csv.flush()?;
    let manifest = Manifest {
        format: MANIFEST_FORMAT,
        scan: label,
        spec: spec.clone(),
        redacted: redact,
        sessions: entries,
        errors,
    };
    let path = out.join("manifest.json");
    std::fs::write(&path, serde_json::to_string_pretty(&manifest)? + "\n")
        .with_context(|| format!("{}: cannot write", path.display()))?;
    let path = out.join("index.html");
    std::fs::write(&path, index_html(&manifest))
        .with_context(|| format!("{}: cannot write", path.display()))?;
    Ok(manifest)
}

fn index_html(m: &Manifest) -> String {
    let mut h = String::from(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>抽检 review pack</title>\
<style>body{font:14px/1.5 system-ui,sans-serif;margin:16px}table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}</style></head><body>",
    );
    let _ = write!(
        h,
        "<h1>抽检 review pack</h1><p>scan <code>{}</code> · {} sessions · seed {}</p><table><tr><th>agent</th><th>session</th><th>stage</th><th>findings</th></tr>",
        escape(&m.scan),
        m.sessions.len(),
        m.spec.seed
    );
    for e in &m.sessions {
        let link = match &e.page {
            Some(p) => format!(
                "<a href=\"{}\">{}</a>",
                escape(p),
                escape(&e.sampled.session_id)
            ),
            None => format!("{} (source unavailable)", escape(&e.sampled.session_id)),
        };
        let _ = write!(
            h,
            "<tr><td>{}</td><td>{link}</td><td>{}</td><td>{}</td></tr>",
            escape(&e.sampled.agent),
            escape(&e.sampled.stage),
            e.sampled.findings
        );
    }
    h.push_str("</table></body></html>");
    h
}

/// `wwqa show`: the session view (no verdict form) of one session of a
/// scan, written to `out`.
///
/// # Errors
/// The session is not in the scan, its source cannot be re-read, or `out`
/// cannot be written.
pub fn write_session_page(
    scan_dir: &Path,
    session_id: &str,
    out: &Path,
    redact: bool,
    ingest: &IngestOptions,
) -> Result<()> {
    let scan = Scan::load_sessions(scan_dir, &[session_id].into_iter().collect())?;
    let Some(session) = scan.session(session_id) else {
        anyhow::bail!(
            "{}: no session `{session_id}` in sessions.jsonl",
            scan_dir.display()
        );
    };
    let findings: Vec<_> = scan
        .findings
        .iter()
        .filter(|f| f.1.session_id == session.id)
        .collect();
    let messages = super::source::read_session(session, scan_dir, ingest)?;
    let redactor = Redactor::from_env();
    let html = render(&SessionView {
        session,
        messages: &messages,
        findings: &findings,
        redactor: redact.then_some(&redactor),
        review: false,
        scan_label: &scan_dir.display().to_string(),
    });
    std::fs::write(out, html).with_context(|| format!("{}: cannot write", out.display()))
}

/// Folder, next to report.html, of the session views its quotes link to.
pub const SESSIONS_DIR: &str = "sessions";

/// The link from a report quote to its session view.
pub fn session_link(session_id: &str, finding_id: &str) -> String {
    format!("{SESSIONS_DIR}/{session_id}.html#f-{finding_id}")
}

/// Write the session view of every session `report_html` links to (the
/// quoted ones: bounded by the report's quote caps, so a 1 GB scan costs
/// as many small range reads as quotes, never a full re-read). A session
/// whose source is gone gets a page saying so and how to render it.
///
/// # Errors
/// The scan cannot be read or a page cannot be written.
pub fn write_linked_sessions(
    scan_dir: &Path,
    report_path: &Path,
    report_html: &str,
    redact: bool,
) -> Result<usize> {
    let prefix = format!("href=\"{SESSIONS_DIR}/");
    let mut wanted: Vec<&str> = report_html
        .match_indices(&prefix)
        .filter_map(|(i, _)| {
            let rest = &report_html[i + prefix.len()..];
            rest.find(".html").map(|end| &rest[..end])
        })
        .collect();
    wanted.sort_unstable();
    wanted.dedup();
    if wanted.is_empty() {
        return Ok(0);
    }
    let out = report_path
        .parent()
        .unwrap_or(Path::new("."))
        .join(SESSIONS_DIR);
    std::fs::create_dir_all(&out).with_context(|| format!("{}: cannot create", out.display()))?;
    // A scan without sessions.jsonl (hand-made or trimmed) still gets
    // pages, each saying the text is not available.
    let scan = if scan_dir.join("sessions.jsonl").exists() {
        Scan::load_sessions(scan_dir, &wanted.iter().copied().collect())?
    } else {
        Scan::default()
    };
    let by_session = scan.findings_by_session();
    let sessions: std::collections::HashMap<&str, &super::SessionRecord> =
        scan.sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let redactor = Redactor::from_env();
    // No verdict form on these pages, so no scan label: the pages stay the
    // same bytes whatever the output directory is called.
    let label = "";
    let ingest = IngestOptions::default();
    for id in &wanted {
        let page = out.join(format!("{id}.html"));
        let html = match sessions.get(id) {
            Some(session) => {
                let findings = by_session.get(id).cloned().unwrap_or_default();
                match super::source::read_session(session, scan_dir, &ingest) {
                    Ok(messages) => render(&SessionView {
                        session,
                        messages: &messages,
                        findings: &findings,
                        redactor: redact.then_some(&redactor),
                        review: false,
                        scan_label: label,
                    }),
                    Err(e) => unavailable(id, &format!("{e:#}")),
                }
            }
            None => unavailable(id, "not in sessions.jsonl"),
        };
        std::fs::write(&page, html).with_context(|| format!("{}: cannot write", page.display()))?;
    }
    Ok(wanted.len())
}

fn unavailable(id: &str, why: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{id}</title></head><body>\
<h1>会话 session {}</h1><p>原文不可用 The original text is not available here: {}</p>\
<p>Render it where the dump is: <code>wwqa show {} --scan DIR --out FILE.html</code></p></body></html>",
        escape(id),
        escape(why),
        escape(id)
    )
}
