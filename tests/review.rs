//! The 抽检 review loop end to end: seeded stratified sampling, review
//! pages whose marks quote each finding exactly, verdict import (idempotent,
//! orphans kept) and per-rule precision.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use wwqa::review::{finding_id, Scan};

fn wwqa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wwqa"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn run(cmd: &mut Command) -> (String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{cmd:?} failed:\n{stderr}");
    (stdout, stderr)
}

/// A synthetic dump and its scan (absolute paths, so sources resolve).
fn scanned(extra: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    run(wwqa()
        .args(["generate", "--size", "300KB", "--seed", "7", "--out"])
        .arg(tmp.path().join("gen")));
    let out = tmp.path().join("scan");
    run(wwqa()
        .arg("scan")
        .arg(tmp.path().join("gen/dump"))
        .args(["--quiet", "--out"])
        .arg(&out)
        .args(extra));
    (tmp, out)
}

fn sample(scan: &Path, out: &Path, args: &[&str]) -> serde_json::Value {
    run(wwqa()
        .arg("sample")
        .arg(scan)
        .args(args)
        .arg("--out")
        .arg(out));
    serde_json::from_str(&read(&out.join("manifest.json"))).unwrap()
}

fn sampled_ids(m: &serde_json::Value) -> Vec<(String, String)> {
    m["sessions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["agent"].as_str().unwrap().to_string(),
                s["session_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn count_by_agent(ids: &[(String, String)]) -> BTreeMap<String, usize> {
    let mut m = BTreeMap::new();
    for (a, _) in ids {
        *m.entry(a.clone()).or_insert(0) += 1;
    }
    m
}

#[test]
fn sample_is_reproducible_by_seed_and_stratified_as_asked() {
    let (tmp, scan_dir) = scanned(&[]);
    let scan = Scan::load(&scan_dir).unwrap();
    let mut per_agent: BTreeMap<String, usize> = BTreeMap::new();
    for s in &scan.sessions {
        *per_agent.entry(s.primary_agent().to_string()).or_insert(0) += 1;
    }
    assert!(
        per_agent.len() >= 3,
        "the dump has several agents: {per_agent:?}"
    );

    // Same seed: the same pack, byte for byte; another seed: another sample.
    let a = sample(
        &scan_dir,
        &tmp.path().join("a"),
        &["--per-agent", "3", "--seed", "5"],
    );
    let b = sample(
        &scan_dir,
        &tmp.path().join("b"),
        &["--per-agent", "3", "--seed", "5"],
    );
    let c = sample(
        &scan_dir,
        &tmp.path().join("c"),
        &["--per-agent", "3", "--seed", "6"],
    );
    assert_eq!(
        read(&tmp.path().join("a/manifest.json")).replace("/a\"", ""),
        read(&tmp.path().join("b/manifest.json")).replace("/b\"", "")
    );
    assert_eq!(
        read(&tmp.path().join("a/verdicts.csv")),
        read(&tmp.path().join("b/verdicts.csv"))
    );
    assert_eq!(sampled_ids(&a), sampled_ids(&b));
    assert_ne!(sampled_ids(&a), sampled_ids(&c));

    // Three per agent, or all of an agent's sessions when fewer.
    let expected: BTreeMap<String, usize> = per_agent
        .iter()
        .map(|(k, &n)| (k.clone(), n.min(3)))
        .collect();
    assert_eq!(count_by_agent(&sampled_ids(&a)), expected);
    assert_eq!(count_by_agent(&sampled_ids(&c)), expected);

    // A share is rounded up per agent.
    let d = sample(
        &scan_dir,
        &tmp.path().join("d"),
        &["--share", "10%", "--seed", "5"],
    );
    let expected: BTreeMap<String, usize> = per_agent
        .iter()
        .map(|(k, &n)| (k.clone(), (n as f64 * 0.1).ceil() as usize))
        .collect();
    assert_eq!(count_by_agent(&sampled_ids(&d)), expected);

    // Severity and stage filters: every sampled session qualifies.
    let e = sample(
        &scan_dir,
        &tmp.path().join("e"),
        &[
            "--per-agent",
            "50",
            "--severity",
            "medium",
            "--stage",
            "after_sale",
            "--seed",
            "5",
        ],
    );
    let by_session = scan.findings_by_session();
    let eligible = scan
        .sessions
        .iter()
        .filter(|s| {
            s.stage_name() == "after_sale"
                && by_session.get(s.id.as_str()).is_some_and(|fs| {
                    fs.iter()
                        .any(|f| f.1.severity >= wwqa::finding::Severity::Medium)
                })
        })
        .count();
    let got = sampled_ids(&e);
    assert!(eligible > 5, "enough eligible sessions to test: {eligible}");
    assert_eq!(
        got.len(),
        eligible,
        "50 per agent takes every eligible session"
    );
    for (_, id) in &got {
        let s = scan.session(id).unwrap();
        assert_eq!(s.stage_name(), "after_sale");
        assert!(by_session[id.as_str()]
            .iter()
            .any(|f| f.1.severity >= wwqa::finding::Severity::Medium));
    }
}

/// Undo the page's HTML escaping.
fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// For each finding id, the concatenated text of the marks that carry it.
fn marked_text(html: &str) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = HashMap::new();
    let mut rest = html;
    while let Some(i) = rest.find("<mark ") {
        rest = &rest[i..];
        let open_end = rest.find('>').unwrap();
        let tag = &rest[..open_end];
        let close = rest.find("</mark>").unwrap();
        let text = unescape(&rest[open_end + 1..close]);
        let ids = tag
            .split("data-f=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        for id in ids.split(' ') {
            out.entry(id.to_string()).or_default().push_str(&text);
        }
        rest = &rest[close..];
    }
    out
}

#[test]
fn every_session_rereads_from_the_dump_and_marks_quote_each_finding_exactly() {
    let (tmp, scan_dir) = scanned(&[]);
    let scan = Scan::load(&scan_dir).unwrap();
    let by_session = scan.findings_by_session();
    let options = wwqa::ingest::IngestOptions::default();
    // Every session of the scan: all its messages, every finding located
    // by path:line with its span slicing out its quote.
    for s in &scan.sessions {
        let messages = wwqa::review::source::read_session(s, &scan_dir, &options)
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert_eq!(messages.len(), s.message_count, "session {}", s.id);
        for f in by_session.get(s.id.as_str()).into_iter().flatten() {
            let i = wwqa::review::source::locate(&messages, &f.1)
                .unwrap_or_else(|| panic!("finding {} of {} not located", f.1.code, s.id));
            assert_eq!(f.1.span.slice(&messages[i].text), f.1.quote);
        }
    }
    // The unredacted review pages mark exactly each finding's quote.
    let pack = tmp.path().join("pack");
    let m = sample(
        &scan_dir,
        &pack,
        &["--per-agent", "4", "--seed", "9", "--no-redact"],
    );
    let mut checked = 0;
    for entry in m["sessions"].as_array().unwrap() {
        let id = entry["session_id"].as_str().unwrap();
        let html = read(&pack.join(format!("{id}.html")));
        assert!(!html.contains("not found in the re-read text"));
        assert!(
            html.contains("id=\"save\""),
            "review pages carry the verdict form"
        );
        let marks = marked_text(&html);
        for f in by_session.get(id).into_iter().flatten() {
            assert_eq!(
                marks.get(&f.0),
                Some(&f.1.quote),
                "finding {} {}",
                f.1.code,
                f.0
            );
            assert!(html.contains(&format!("id=\"f-{}\"", f.0)));
            checked += 1;
        }
    }
    assert!(checked > 10, "{checked} findings checked");
    // A redacted page never shows a raw buyer nick.
    let red = tmp.path().join("red");
    let m = sample(&scan_dir, &red, &["--per-agent", "4", "--seed", "9"]);
    for entry in m["sessions"].as_array().unwrap() {
        let id = entry["session_id"].as_str().unwrap();
        let buyer = &scan.session(id).unwrap().conversation.buyer;
        let html = read(&red.join(format!("{id}.html")));
        assert!(!html.contains(buyer.as_str()), "{buyer} leaks in {id}");
        assert!(html.contains("买家#"));
    }
    // `wwqa show` renders any session, without the form.
    let any = &scan.findings[0].1.session_id;
    let page = tmp.path().join("show.html");
    run(wwqa()
        .args(["show", any, "--scan"])
        .arg(&scan_dir)
        .arg("--out")
        .arg(&page)
        .arg("--no-redact"));
    let html = read(&page);
    assert!(!html.contains("id=\"save\""));
    assert_eq!(
        marked_text(&html).get(&scan.findings[0].0),
        Some(&scan.findings[0].1.quote)
    );
}

#[test]
fn verdicts_round_trip_once_and_orphans_are_kept_and_reported() {
    let (tmp, scan_dir) = scanned(&[]);
    let pack = tmp.path().join("pack");
    sample(&scan_dir, &pack, &["--per-agent", "5", "--seed", "2"]);
    // Fill the sheet: confirmed, false positive, 误报, the rest blank.
    let sheet = read(&pack.join("verdicts.csv"));
    let mut lines: Vec<String> = sheet.lines().map(str::to_string).collect();
    assert_eq!(
        lines[0],
        "finding_id,session_id,agent,code,severity,location,quote,verdict,note,reviewer"
    );
    let rows = lines.len() - 1;
    assert!(rows >= 5, "{rows} rows");
    let code_of = |line: &str| line.split(',').nth(3).unwrap().to_string();
    let fid_of = |line: &str| line.split(',').next().unwrap().to_string();
    let verdicts = ["confirmed", "false_positive", "误报"];
    let mut expected: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for (line, v) in lines[1..4].iter_mut().zip(verdicts) {
        let e = expected.entry(code_of(line)).or_default();
        if v == "confirmed" {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        // Replace the three empty trailing cells.
        let base = line.strip_suffix(",,,").unwrap().to_string();
        *line = format!("{base},{v},看过了,张三");
    }
    let filled = tmp.path().join("filled.csv");
    std::fs::write(&filled, lines.join("\n") + "\n").unwrap();
    // The page's JSON: one more verdict and one on a finding not in the scan.
    let fourth = fid_of(&lines[4]);
    expected.entry(code_of(&lines[4])).or_default().0 += 1;
    let page = tmp.path().join("verdicts-page.json");
    std::fs::write(
        &page,
        serde_json::json!({
            "format": "wwqa-verdicts/1", "scan": "x", "session_id": "s", "reviewer": "李四",
            "saved_at": "2026-12-03T10:00:00Z",
            "verdicts": [
                {"finding_id": fourth, "code": code_of(&lines[4]), "verdict": "confirmed", "note": ""},
                {"finding_id": "00000000deadbeef", "code": "SCR009", "verdict": "false_positive", "note": "旧扫描"}
            ]
        })
        .to_string(),
    )
    .unwrap();

    let import = |files: &[&Path]| {
        let mut c = wwqa();
        c.args(["review", "import"])
            .args(files)
            .arg("--scan")
            .arg(&scan_dir);
        run(&mut c).1
    };
    let first = import(&[&filled, &page]);
    assert!(
        first.contains("5 verdicts read, 5 recorded, 0 already recorded"),
        "{first}"
    );
    assert!(
        first.contains(&format!("{} blank rows", rows - 3)),
        "{first}"
    );
    assert!(
        first.contains("00000000deadbeef (SCR009 in session s) kept"),
        "{first}"
    );
    let again = import(&[&filled, &page]);
    assert!(
        again.contains("5 verdicts read, 0 recorded, 5 already recorded"),
        "{again}"
    );
    assert_eq!(read(&scan_dir.join("verdicts.jsonl")).lines().count(), 5);

    let (json, _) = run(wwqa().args(["review", "stats", "--json"]).arg(&scan_dir));
    let stats: serde_json::Value = serde_json::from_str(&json).unwrap();
    let scan = Scan::load(&scan_dir).unwrap();
    for r in stats["rules"].as_array().unwrap() {
        let code = r["code"].as_str().unwrap();
        let machine = scan.findings.iter().filter(|f| f.1.code == code).count();
        assert_eq!(r["machine"], machine, "{code}");
        let (c, fp) = expected.get(code).copied().unwrap_or_default();
        assert_eq!(
            (
                r["confirmed"].as_u64().unwrap(),
                r["false_positive"].as_u64().unwrap()
            ),
            (c as u64, fp as u64),
            "{code}"
        );
        if c + fp > 0 {
            assert!((r["precision"].as_f64().unwrap() - c as f64 / (c + fp) as f64).abs() < 1e-9);
        } else {
            assert!(r["precision"].is_null());
        }
    }
    assert_eq!(stats["orphans"], serde_json::json!(["00000000deadbeef"]));
    let scr009 = stats["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "SCR009")
        .unwrap();
    assert_eq!(scr009["orphans"], 1);
    let confirmed: u64 = stats["agents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["confirmed"].as_u64().unwrap())
        .sum();
    assert_eq!(
        confirmed,
        expected.values().map(|v| v.0 as u64).sum::<u64>()
    );

    // A rescan that drops a judged rule: its verdicts become orphans,
    // reported on import, still counted under their rule.
    let dropped = code_of(&lines[1]);
    let rescan = tmp.path().join("rescan");
    run(wwqa()
        .arg("scan")
        .arg(tmp.path().join("gen/dump"))
        .args(["--quiet", "--ignore", &dropped, "--out"])
        .arg(&rescan));
    let mut c = wwqa();
    c.args(["review", "import"])
        .arg(&filled)
        .arg(&page)
        .arg("--scan")
        .arg(&rescan);
    let msg = run(&mut c).1;
    assert!(
        msg.contains(
            &format!(
                "{} kept, but that finding is not in this scan",
                fid_of(&lines[1])
            )
            .replace(
                " kept",
                &format!(
                    " ({dropped} in session {}) kept",
                    lines[1].split(',').nth(1).unwrap()
                )
            )
        ),
        "{msg}"
    );
    let (json, _) = run(wwqa().args(["review", "stats", "--json"]).arg(&rescan));
    let stats: serde_json::Value = serde_json::from_str(&json).unwrap();
    let r = stats["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == dropped.as_str())
        .unwrap();
    assert_eq!(r["machine"], 0);
    assert!(r["orphans"].as_u64().unwrap() >= 1);
}

#[test]
fn unknown_verdicts_are_located_with_a_suggestion_and_nothing_is_recorded() {
    let (tmp, scan_dir) = scanned(&[]);
    let scan = Scan::load(&scan_dir).unwrap();
    let f = &scan.findings[0];
    assert_eq!(finding_id(&f.1), f.0);
    let sheet = tmp.path().join("bad.csv");
    std::fs::write(&sheet, format!("finding_id,verdict\n{},confirmd\n", f.0)).unwrap();
    let out = wwqa()
        .args(["review", "import"])
        .arg(&sheet)
        .arg("--scan")
        .arg(&scan_dir)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.csv:2: unknown verdict `confirmd` (did you mean `confirmed`?)"),
        "{err}"
    );
    assert!(!scan_dir.join("verdicts.jsonl").exists());
}

#[test]
fn report_opens_with_each_shops_key_figures_and_moves_ingest_counts_after() {
    let (_tmp, scan_dir) = scanned(&[]);
    let html = read(&scan_dir.join("report.html"));
    let kpi = html.find("id=\"kpi\"").expect("key figures section");
    let data = html.find("id=\"overview\"").expect("data section");
    assert!(kpi < data, "key figures come before the ingest accounting");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&scan_dir.join("summary.json"))).unwrap();
    let section = &html[kpi..data];
    for shop in summary["shops"].as_array().unwrap() {
        let name = shop["shop"].as_str().unwrap();
        let rate = format!("{:.1}%", shop["three_min_rate"].as_f64().unwrap() * 100.0);
        let at = section
            .find(&format!("<h3>{name}</h3>"))
            .expect("shop heading");
        let rest = &section[at..];
        let next = rest[4..].find("<h3>").map_or(rest.len(), |i| i + 4);
        assert!(
            rest[..next].contains(&format!(
                "<div class=\"v\">{rate}</div><div class=\"k\">3分钟回复率"
            )),
            "{name}: {rate}"
        );
    }
}
