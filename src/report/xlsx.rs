//! `report.xlsx` (rust_xlsxwriter): a workbook to send upward. Sheets: KPI
//! (the scan's figures as the scan computed them, nothing recomputed),
//! agents and shops (agents.csv / shops.csv: frozen header, autofilter,
//! number formats, colour scale on the 3-minute rate), findings (capped
//! at Excel's row limit, with the count left out stated on the sheet) and
//! review (the sampled or judged findings with a verdict column).
//!
//! Text cells that a spreadsheet would take for a formula are neutralised
//! ([`crate::report::tables::spreadsheet_cell`]); buyer nicks and personal data are
//! masked unless `redact` is off.

use crate::report::redact::Redactor;
use crate::report::tables::spreadsheet_cell as neutralise;
use crate::review::{verdicts, Scan};
use anyhow::{Context, Result};
use rust_xlsxwriter::{ConditionalFormat3ColorScale, Format, Workbook, Worksheet};
use std::collections::HashMap;
use std::path::Path;

/// Rows of an Excel sheet (1,048,576), the header included.
pub const EXCEL_MAX_ROWS: u32 = 1_048_576;

/// What was written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct WorkbookReport {
    /// Findings rows written.
    pub findings_written: u64,
    /// Findings left out by the row limit.
    pub findings_left_out: u64,
    /// Review rows written.
    pub review_rows: u64,
}

fn xl<T>(r: std::result::Result<T, rust_xlsxwriter::XlsxError>) -> Result<T> {
    r.map_err(|e| anyhow::anyhow!("xlsx: {e}"))
}

fn text(ws: &mut Worksheet, row: u32, col: u16, value: &str) -> Result<()> {
    xl(ws
        .write_string(row, col, neutralise(value).as_ref())
        .map(|_| ()))
}

/// Write `out` from the scan directory `dir`. `review_pack` is a directory
/// written by `wwqa sample` (its manifest lists the review rows); without
/// it the review sheet lists the findings that have a verdict.
/// `max_rows` caps every sheet (Excel's limit, lower in tests).
///
/// # Errors
/// The scan cannot be read or the workbook cannot be saved.
pub fn write_workbook(
    dir: &Path,
    out: &Path,
    redact: bool,
    review_pack: Option<&Path>,
    max_rows: u32,
) -> Result<WorkbookReport> {
    let mut report = WorkbookReport::default();
    let redactor = Redactor::from_env();
    let red = |s: &str, buyer: &str| -> String {
        if redact {
            redactor.redact_message(s, &[buyer])
        } else {
            s.to_string()
        }
    };
    let bold = Format::new().set_bold();
    let percent = Format::new().set_num_format("0.0%");
    let decimal = Format::new().set_num_format("0.0");
    let mut wb = Workbook::new();

    // KPI: the summary's own figures.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("summary.json"))
            .with_context(|| format!("{}: cannot read", dir.join("summary.json").display()))?,
    )
    .with_context(|| format!("{}: not JSON", dir.join("summary.json").display()))?;
    {
        let ws = wb.add_worksheet();
        xl(ws.set_name("KPI"))?;
        xl(ws.write_string_with_format(0, 0, "figure", &bold))?;
        xl(ws.write_string_with_format(0, 1, "value", &bold))?;
        xl(ws.set_column_width(0, 42))?;
        let mut row = 1;
        let mut put = |ws: &mut Worksheet,
                       name: &str,
                       v: &serde_json::Value,
                       fmt: Option<&Format>|
         -> Result<()> {
            text(ws, row, 0, name)?;
            match (v.as_f64(), fmt) {
                (Some(n), Some(f)) => xl(ws.write_number_with_format(row, 1, n, f).map(|_| ()))?,
                (Some(n), None) => xl(ws.write_number(row, 1, n).map(|_| ()))?,
                _ => text(ws, row, 1, v.as_str().unwrap_or(&v.to_string()))?,
            }
            row += 1;
            Ok(())
        };
        for key in ["sessions", "messages", "findings", "files", "bytes"] {
            put(ws, key, &summary["totals"][key], None)?;
        }
        if let Some(mix) = summary["stage_mix"].as_object() {
            for (k, v) in mix {
                put(ws, &format!("stage {k}"), v, None)?;
            }
        }
        if let Some(shops) = summary["shops"].as_array() {
            for s in shops.iter().filter(|s| s["period"] == "all") {
                let shop = s["shop"].as_str().unwrap_or("");
                for (key, fmt) in [
                    ("three_min_rate", Some(&percent)),
                    ("avg_response_secs", Some(&decimal)),
                    ("first_response_avg_secs", Some(&decimal)),
                    ("reply_rate", Some(&percent)),
                    ("violations_per_100_sessions", Some(&decimal)),
                    ("findings_high", None),
                    ("findings_medium", None),
                    ("findings_low", None),
                    ("abuse_evidence_by_agent", None),
                    ("abuse_evidence_by_buyer", None),
                ] {
                    put(ws, &format!("{shop} · {key}"), &s[key], fmt)?;
                }
            }
        }
        if let Some(codes) = summary["findings_by_code"].as_object() {
            for (k, v) in codes {
                put(ws, &format!("findings {k}"), v, None)?;
            }
        }
    }

    // Agents and shops: the CSV tables as typed columns.
    for (name, file) in [("agents", "agents.csv"), ("shops", "shops.csv")] {
        let path = dir.join(file);
        if !path.exists() {
            continue;
        }
        let mut reader = csv::Reader::from_path(&path)
            .with_context(|| format!("{}: cannot read", path.display()))?;
        let headers: Vec<String> = reader
            .headers()?
            .iter()
            .map(|h| h.trim_start_matches('\u{feff}').to_string())
            .collect();
        let ws = wb.add_worksheet();
        xl(ws.set_name(name))?;
        for (c, h) in headers.iter().enumerate() {
            xl(ws.write_string_with_format(0, c as u16, h, &bold))?;
        }
        let mut row = 0u32;
        for rec in reader.records() {
            let rec = rec.with_context(|| format!("{}: bad row", path.display()))?;
            if row + 1 >= max_rows {
                break;
            }
            row += 1;
            for (c, (h, v)) in headers.iter().zip(rec.iter()).enumerate() {
                let c = c as u16;
                match v.parse::<f64>() {
                    Ok(n) if n.is_finite() => {
                        let fmt = if h.ends_with("_rate")
                            || h.ends_with("_ratio")
                            || h.ends_with("conversion")
                        {
                            &percent
                        } else if h.ends_with("_secs") || h.ends_with("_sessions") {
                            &decimal
                        } else {
                            &Format::new()
                        };
                        xl(ws.write_number_with_format(row, c, n, fmt))?;
                    }
                    _ => text(ws, row, c, v)?,
                }
            }
        }
        let last_col = headers.len().saturating_sub(1) as u16;
        xl(ws.set_freeze_panes(1, 0))?;
        xl(ws.autofilter(0, 0, row.max(1), last_col))?;
        if let Some(c) = headers.iter().position(|h| h == "three_min_rate") {
            if row > 0 {
                xl(ws.add_conditional_format(
                    1,
                    c as u16,
                    row,
                    c as u16,
                    &ConditionalFormat3ColorScale::new(),
                ))?;
            }
        }
        xl(ws.set_column_width(1, 18))?;
        xl(ws.set_column_width(2, 24))?;
    }

    // Findings, capped.
    let scan = if dir.join("findings.jsonl").exists() {
        Some(Scan::load(dir)?)
    } else {
        None
    };
    let recorded = verdicts::load(dir)?;
    let mut last: HashMap<&str, &verdicts::VerdictRecord> = HashMap::new();
    for r in &recorded {
        last.insert(r.finding_id.as_str(), r);
    }
    const FINDING_COLUMNS: [&str; 11] = [
        "finding_id",
        "code",
        "severity",
        "shop",
        "account",
        "buyer",
        "time",
        "location",
        "quote",
        "message",
        "verdict",
    ];
    let finding_row =
        |ws: &mut Worksheet, row: u32, fid: &str, f: &crate::finding::Finding| -> Result<()> {
            let buyer = if redact {
                redactor.mask_nick(&f.buyer)
            } else {
                f.buyer.clone()
            };
            let cells = [
                fid.to_string(),
                f.code.clone(),
                f.severity.as_str().to_string(),
                f.shop.clone(),
                f.account.clone().unwrap_or_default(),
                buyer,
                f.time.clone().unwrap_or_default(),
                f.location.clone(),
                red(&f.quote, &f.buyer),
                red(&f.message, &f.buyer),
                last.get(fid)
                    .map_or(String::new(), |v| v.verdict.as_str().to_string()),
            ];
            for (c, v) in cells.iter().enumerate() {
                text(ws, row, c as u16, v)?;
            }
            Ok(())
        };
    let header = |ws: &mut Worksheet| -> Result<()> {
        for (c, h) in FINDING_COLUMNS.iter().enumerate() {
            xl(ws.write_string_with_format(0, c as u16, *h, &bold))?;
        }
        xl(ws.set_freeze_panes(1, 0))?;
        xl(ws.set_column_width(8, 40))?;
        xl(ws.set_column_width(9, 50))?;
        Ok(())
    };
    if let Some(scan) = &scan {
        let ws = wb.add_worksheet();
        xl(ws.set_name("findings"))?;
        header(ws)?;
        let capacity = u64::from(max_rows.saturating_sub(1));
        for (i, (fid, f)) in scan.findings.iter().enumerate() {
            if i as u64 >= capacity {
                break;
            }
            finding_row(ws, i as u32 + 1, fid, f)?;
        }
        report.findings_written = (scan.findings.len() as u64).min(capacity);
        report.findings_left_out = scan.findings.len() as u64 - report.findings_written;
        let note_col = FINDING_COLUMNS.len() as u16 + 1;
        let note = if report.findings_left_out > 0 {
            format!(
                "{} findings left out: Excel's row limit; all {} are in findings.jsonl",
                report.findings_left_out,
                scan.findings.len()
            )
        } else {
            format!("all {} findings", scan.findings.len())
        };
        xl(ws.write_string_with_format(0, note_col, &note, &bold))?;
        xl(ws.autofilter(
            0,
            0,
            report.findings_written.max(1) as u32,
            FINDING_COLUMNS.len() as u16 - 1,
        ))?;

        // Review: the pack's findings, or the judged ones.
        let wanted: Vec<String> = match review_pack {
            Some(p) => {
                let m: serde_json::Value = serde_json::from_str(
                    &std::fs::read_to_string(p.join("manifest.json")).with_context(|| {
                        format!("{}: cannot read", p.join("manifest.json").display())
                    })?,
                )?;
                m["sessions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .flat_map(|s| s["finding_ids"].as_array().into_iter().flatten())
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect()
            }
            None => {
                let mut ids: Vec<String> = last.keys().map(|k| k.to_string()).collect();
                ids.sort();
                ids
            }
        };
        let by_id: HashMap<&str, &crate::finding::Finding> = scan
            .findings
            .iter()
            .map(|(id, f)| (id.as_str(), f))
            .collect();
        let ws = wb.add_worksheet();
        xl(ws.set_name("review"))?;
        header(ws)?;
        let mut row = 0u32;
        for id in &wanted {
            if row + 1 >= max_rows {
                break;
            }
            if let Some(f) = by_id.get(id.as_str()) {
                row += 1;
                finding_row(ws, row, id, f)?;
            }
        }
        report.review_rows = u64::from(row);
        xl(ws.autofilter(0, 0, row.max(1), FINDING_COLUMNS.len() as u16 - 1))?;
    }
    xl(wb.save(out)).with_context(|| format!("{}: cannot write", out.display()))?;
    Ok(report)
}
