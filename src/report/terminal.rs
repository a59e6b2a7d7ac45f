//! The short table `wwqa scan` prints at the end (unless `--quiet`):
//! totals, rejects, the most frequent violations and the slowest agents.

use super::tables::visible;
use anyhow::{Context, Result};
use std::fmt::Write;
use std::path::Path;
use unicode_width::UnicodeWidthStr;

/// `text` made [`visible`] and padded with spaces to `width` terminal
/// columns (a CJK character takes two; `{:<30}` counts it as one and
/// misaligns the table).
fn padded(text: &str, width: usize) -> String {
    let shown = visible(text);
    let pad = width.saturating_sub(shown.width());
    format!("{shown}{}", " ".repeat(pad))
}

/// Render the end-of-scan table from `summary.json` in `dir`.
///
/// # Errors
/// `summary.json` missing or unreadable.
pub fn summary_table(dir: &Path) -> Result<String> {
    let path = dir.join("summary.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", path.display()))?;
    let t = &v["totals"];
    let n = |x: &serde_json::Value| x.as_u64().unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "  files {:>8}   sessions {:>9}   messages {:>10}   findings {:>9}   rejected lines {:>7}",
        n(&t["files"]),
        n(&t["sessions"]),
        n(&t["messages"]),
        n(&t["findings"]),
        n(&t["lines_rejected"])
    );
    let mut codes: Vec<(String, u64)> = v["findings_by_code"]
        .as_object()
        .map(|o| o.iter().map(|(k, c)| (k.clone(), n(c))).collect())
        .unwrap_or_default();
    codes.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if !codes.is_empty() {
        let _ = writeln!(out, "  top violations:");
        for (code, count) in codes.iter().take(5) {
            let name = crate::rules::find(code).map_or("", |m| m.name);
            let _ = writeln!(
                out,
                "    {} {} {count:>9}",
                padded(code, 7),
                padded(name, 30)
            );
        }
    }
    let mut agents: Vec<(String, f64, u64)> = v["agents"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|r| {
                    Some((
                        r["name"].as_str()?.to_string(),
                        r["avg_response_secs"].as_f64()?,
                        n(&r["rounds_assessed"]),
                    ))
                })
                .collect()
        })
        .unwrap_or_default();
    agents.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if !agents.is_empty() {
        let _ = writeln!(out, "  slowest agents (平响, s):");
        for (name, avg, rounds) in agents.iter().take(5) {
            let _ = writeln!(
                out,
                "    {} {avg:>8.1}  over {rounds} rounds",
                padded(name, 30)
            );
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_aligned_by_display_width_and_escapes_shown() {
        let dir = tempfile::tempdir().unwrap();
        let summary = serde_json::json!({
            "totals": {"files": 1},
            "agents": [
                {"name": "花花旗舰店:小美", "avg_response_secs": 30.0, "rounds_assessed": 4},
                {"name": "shop:amy", "avg_response_secs": 20.0, "rounds_assessed": 4},
                {"name": "店\u{1b}\u{7}\u{202E}x", "avg_response_secs": 10.0, "rounds_assessed": 4}
            ]
        });
        std::fs::write(dir.path().join("summary.json"), summary.to_string()).unwrap();
        let table = summary_table(dir.path()).unwrap();
        assert!(
            !table.contains('\u{1b}') && !table.contains('\u{7}') && !table.contains('\u{202E}')
        );
        assert!(table.contains("店<U+001B><U+0007><U+202E>x"), "{table}");
        // The average column starts at the same terminal column on each row.
        let columns: Vec<usize> = table
            .lines()
            .filter(|l| l.contains("over 4 rounds"))
            .map(|l| l.split("  over").next().unwrap().width())
            .collect();
        assert_eq!(columns.len(), 3);
        assert!(columns.iter().all(|&c| c == columns[0]), "{table}");
    }
}
