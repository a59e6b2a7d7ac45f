//! The short table `wwqa scan` prints at the end (unless `--quiet`):
//! totals, rejects, the most frequent violations and the slowest agents.

use anyhow::{Context, Result};
use std::fmt::Write;
use std::path::Path;

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
            let _ = writeln!(out, "    {code:<7} {name:<30} {count:>9}");
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
            let _ = writeln!(out, "    {name:<30} {avg:>8.1}  over {rounds} rounds");
        }
    }
    Ok(out)
}
