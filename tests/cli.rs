//! Black-box tests of the `wwqa` binary on the bundled fixtures, the
//! synthetic generator and (when present) the shared real data.

use std::path::{Path, PathBuf};
use std::process::Command;

fn wwqa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wwqa"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Generate a synthetic dump with `args` into a temporary directory.
fn generate(args: &[&str]) -> tempfile::TempDir {
    let dump = tempfile::tempdir().unwrap();
    let st = wwqa()
        .arg("generate")
        .args(args)
        .arg("--out")
        .arg(dump.path())
        .status()
        .unwrap();
    assert!(st.success());
    dump
}

/// Generate a synthetic dump with `args` and scan it (expecting exit 0);
/// returns the dump and output directories.
fn generate_and_scan(args: &[&str]) -> (tempfile::TempDir, tempfile::TempDir) {
    let dump = generate(args);
    let out = tempfile::tempdir().unwrap();
    let st = wwqa()
        .arg("scan")
        .arg(dump.path().join("dump"))
        .args(["--quiet", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    (dump, out)
}

fn summary(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&read(&dir.join("summary.json"))).expect("summary.json is JSON")
}

#[test]
fn scan_of_clean_fixtures_exits_zero_and_accounts_for_every_line() {
    let out = tempfile::tempdir().unwrap();
    let status = wwqa()
        .current_dir(root())
        .args(["scan", "fixtures/ingest", "--quiet", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let s = summary(out.path());
    let t = &s["totals"];
    assert_eq!(t["files"], 9);
    assert_eq!(t["lines_rejected"], 0);
    let read = t["lines_read"].as_u64().unwrap();
    let parts = t["lines_used"].as_u64().unwrap()
        + t["lines_noise"].as_u64().unwrap()
        + t["lines_rejected"].as_u64().unwrap();
    assert_eq!(read, parts);
    for f in s["files"].as_array().unwrap() {
        let parts = f["lines_used"].as_u64().unwrap()
            + f["lines_noise"].as_u64().unwrap()
            + f["lines_rejected"].as_u64().unwrap();
        assert_eq!(f["lines_read"].as_u64().unwrap(), parts, "{}", f["path"]);
    }
    assert_eq!(s["by_encoding"]["gb18030"], 1);
    assert_eq!(s["by_encoding"]["utf-16le"], 1);
}

#[test]
fn rejects_make_the_exit_code_non_zero_and_are_located() {
    let out = tempfile::tempdir().unwrap();
    let o = wwqa()
        .current_dir(root())
        .args(["scan", "fixtures/bad", "--quiet", "--out"])
        .arg(out.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("lines rejected"), "{stderr}");
    let rejects = read(&out.path().join("rejects.jsonl"));
    let first: serde_json::Value = serde_json::from_str(rejects.lines().next().unwrap()).unwrap();
    assert_eq!(first["path"], "fixtures/bad/api_error.jsonl");
    assert_eq!(first["line"], 1);
    assert!(first["reason"].as_str().unwrap().contains("ret=50000"));
    let s = summary(out.path());
    assert_eq!(
        s["totals"]["lines_rejected"].as_u64().unwrap() as usize,
        rejects.lines().count()
    );
}

#[test]
fn output_is_byte_identical_at_any_thread_count() {
    let dump = generate(&["--size", "300KB", "--files", "5", "--seed", "7"]);
    let mut outputs = Vec::new();
    for threads in ["1", "2", "3"] {
        let out = tempfile::tempdir().unwrap();
        let st = wwqa()
            .arg("scan")
            .arg(dump.path().join("dump"))
            .arg(root().join("fixtures/ingest"))
            .args(["--quiet", "--threads", threads, "--out"])
            .arg(out.path())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(0));
        // Every file, the session views under sessions/ included.
        let mut files: Vec<(String, Vec<u8>)> = walkdir::WalkDir::new(out.path())
            .into_iter()
            .map(|e| e.unwrap())
            .filter(|e| e.file_type().is_file())
            .map(|e| {
                (
                    e.path()
                        .strip_prefix(out.path())
                        .unwrap()
                        .to_string_lossy()
                        .to_string(),
                    std::fs::read(e.path()).unwrap(),
                )
            })
            .collect();
        files.sort();
        outputs.push((files, out));
    }
    assert!(outputs[0].0.len() >= 5);
    assert_eq!(outputs[0].0, outputs[1].0);
    assert_eq!(outputs[0].0, outputs[2].0);
}

#[test]
fn synthetic_dump_sessions_and_messages_match_ground_truth() {
    for format in ["qianniu-text", "api-json"] {
        let dump = generate(&[
            "--size", "400KB", "--files", "3", "--seed", "11", "--format", format,
        ]);
        let truth: Vec<serde_json::Value> = read(&dump.path().join("truth.jsonl"))
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        let out = tempfile::tempdir().unwrap();
        let st = wwqa()
            .arg("scan")
            .arg(dump.path().join("dump"))
            .args(["--quiet", "--out"])
            .arg(out.path())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(0), "{format}");
        let s = summary(out.path());
        assert_eq!(
            s["totals"]["sessions"].as_u64().unwrap() as usize,
            truth.len(),
            "{format}"
        );
        let messages: u64 = truth.iter().map(|t| t["messages"].as_u64().unwrap()).sum();
        assert_eq!(
            s["totals"]["messages"].as_u64().unwrap(),
            messages,
            "{format}"
        );
        assert_eq!(s["totals"]["lines_rejected"], 0);
    }
}

#[test]
fn jddc_sample_gives_803_sessions_and_9865_messages() {
    let data = root().join("../shared/data/dialogue_jddc/jddc_chat_sample.tsv");
    if !data.exists() {
        eprintln!("skipped: {} absent", data.display());
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let st = wwqa()
        .args(["scan", "--format", "jddc", "--quiet", "--session-messages"])
        .arg(&data)
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let s = summary(out.path());
    assert_eq!(s["totals"]["sessions"], 803);
    assert_eq!(s["totals"]["messages"], 9865);
    assert_eq!(s["totals"]["lines_rejected"], 0);
    let first = read(&out.path().join("sessions.jsonl"));
    let first: serde_json::Value = serde_json::from_str(first.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "0000b82c62117aa4497508bb1bdfb53a");
    let messages = first["messages"].as_array().expect("--session-messages");
    assert_eq!(
        messages.len(),
        first["message_count"].as_u64().unwrap() as usize
    );
    assert!(messages[0].get("time").is_none(), "no invented time");
}

#[test]
fn explain_unknown_code_suggests() {
    let o = wwqa().args(["explain", "XYZ999"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("unknown rule code"));
}

#[test]
fn merged_shards_equal_the_whole_dump() {
    let dump = generate(&["--size", "300KB", "--files", "4", "--seed", "5"]);
    let d = dump.path().join("dump");
    let scan = |files: &[&str], out: &Path| {
        let mut cmd = wwqa();
        cmd.arg("scan");
        for f in files {
            cmd.arg(d.join(f));
        }
        let st = cmd.args(["--quiet", "--out"]).arg(out).status().unwrap();
        assert_eq!(st.code(), Some(0));
    };
    let whole = tempfile::tempdir().unwrap();
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    let merged = tempfile::tempdir().unwrap();
    scan(
        &[
            "dump_000.txt",
            "dump_001.txt",
            "dump_002.txt",
            "dump_003.txt",
        ],
        whole.path(),
    );
    scan(&["dump_002.txt", "dump_000.txt"], a.path());
    scan(&["dump_003.txt", "dump_001.txt"], b.path());
    let st = wwqa()
        .arg("merge")
        .arg(b.path())
        .arg(a.path())
        .arg("--out")
        .arg(merged.path())
        .status()
        .unwrap();
    assert!(st.success());
    for f in ["scores.json", "agents.csv", "shops.csv"] {
        assert_eq!(
            read(&whole.path().join(f)),
            read(&merged.path().join(f)),
            "{f}"
        );
    }
    let shops = read(&whole.path().join("shops.csv"));
    assert!(shops.starts_with('\u{feff}'), "BOM for Excel");
    assert!(shops
        .lines()
        .any(|l| l.starts_with("all,花花旗舰店,花花旗舰店,")));
}

#[test]
fn tiers_from_scan_scores_with_explanations() {
    let (_dump, out) = generate_and_scan(&["--size", "200KB", "--files", "3", "--seed", "3"]);
    let o = wwqa()
        .current_dir(root())
        .args([
            "tier",
            "--shops",
            "fixtures/tiers/synthetic_shops.csv",
            "--scores",
        ])
        .arg(out.path())
        .args(["--explain", "数码小铺"])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(text.contains("eligibility.min_score_taobao"), "{text}");
    assert!(text.contains("FAIL") && text.contains("PASS"));
    let tiers = read(&out.path().join("tiers.csv"));
    assert_eq!(tiers.lines().count(), 4, "header and three shop-months");
    let json: serde_json::Value =
        serde_json::from_str(&read(&out.path().join("tiers.json"))).unwrap();
    assert_eq!(json["shops"].as_array().unwrap().len(), 3);
}

#[test]
fn stage_and_abuse_evaluations_print_the_documented_keys() {
    let jddc = root().join("../shared/data/dialogue_jddc/jddc_chat_sample.tsv");
    let labels = root().join("../shared/data/labels/jddc_stage_labels.tsv");
    let cold = root().join("../shared/data/offensive_cold/dev.csv");
    if !jddc.exists() || !labels.exists() || !cold.exists() {
        eprintln!("skipped: ../shared/data absent");
        return;
    }
    let o = wwqa()
        .args(["eval", "stage", "--json", "--data"])
        .arg(&jddc)
        .arg("--labels")
        .arg(&labels)
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in [
        "accuracy",
        "accuracy_high",
        "macro_f1",
        "binary_accuracy",
        "n",
    ] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert_eq!(v["n"], 320);
    assert!(v["accuracy_high"].as_f64().unwrap() >= 0.80);
    let o = wwqa()
        .args(["eval", "abuse", "--json", "--data"])
        .arg(&cold)
        .output()
        .unwrap();
    assert!(o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    for k in ["accuracy", "precision", "recall", "f1", "n"] {
        assert!(v.get(k).is_some(), "{k}");
    }
    assert!(v["accuracy"].as_f64().unwrap() >= 0.80);
}

/// The generator plants every round's delay; latency analysis must recover
/// each one exactly (open time, burst size, charged account, latency), in
/// both formats.
#[test]
fn planted_reply_delays_are_recovered_exactly() {
    for format in ["qianniu-text", "api-json"] {
        let dump = generate(&[
            "--size", "600KB", "--files", "3", "--seed", "99", "--format", format,
        ]);
        let out = tempfile::tempdir().unwrap();
        let st = wwqa()
            .arg("scan")
            .arg(dump.path().join("dump"))
            .args(["--quiet", "--out"])
            .arg(out.path())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(0));
        let mut by_buyer = std::collections::HashMap::new();
        for line in read(&out.path().join("sessions.jsonl")).lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let buyer = v["conversation"]["buyer"].as_str().unwrap().to_string();
            assert!(
                by_buyer.insert(buyer, v).is_none(),
                "one session per synthetic buyer"
            );
        }
        let mut rounds_checked = 0;
        let mut transfers = 0;
        for line in read(&dump.path().join("truth.jsonl")).lines() {
            let t: serde_json::Value = serde_json::from_str(line).unwrap();
            let s = &by_buyer[t["buyer"].as_str().unwrap()];
            let got = s["latency"]["rounds"].as_array().unwrap();
            let want = t["rounds"].as_array().unwrap();
            assert_eq!(got.len(), want.len(), "{format} {}", t["buyer"]);
            for (g, w) in got.iter().zip(want) {
                if format == "api-json" && w["transferred"].as_bool().unwrap() {
                    // The chatlog API has no transfer lines: the receiving
                    // account simply answers, so that round is not comparable.
                    continue;
                }
                let open = wwqa::model::format_time(g["open_time"].as_i64().unwrap());
                assert_eq!(open, w["open"].as_str().unwrap());
                assert_eq!(
                    g["buyer_msgs"], w["buyer_messages"],
                    "{format} {} round at {open}",
                    t["buyer"]
                );
                assert_eq!(g["account"], w["account"], "{format} {}", t["buyer"]);
                assert_eq!(
                    g["latency_secs"], w["delay"],
                    "{format} {} round at {open}",
                    t["buyer"]
                );
                let auto_only = g["status"] == "auto_only";
                assert_eq!(auto_only, w["auto_only"].as_bool().unwrap());
                if format == "qianniu-text" {
                    // `transferred` is written only when true.
                    let transferred = g["transferred"].as_bool().unwrap_or(false);
                    assert_eq!(transferred, w["transferred"].as_bool().unwrap());
                    transfers += usize::from(w["transferred"].as_bool().unwrap());
                }
                rounds_checked += 1;
            }
        }
        assert!(rounds_checked > 1500, "{rounds_checked}");
        if format == "qianniu-text" {
            assert!(transfers > 5, "transfers planted: {transfers}");
        }
    }
}

/// Every phrase the generator plants is found by the rule meant for it, in
/// the planted session, and the hard-violation rules stay silent in
/// sessions where nothing was planted.
#[test]
fn planted_phrases_are_found_and_clean_sessions_stay_clean() {
    let (dump, out) = generate_and_scan(&["--size", "800KB", "--files", "2", "--seed", "21"]);
    let mut codes_by_buyer: std::collections::HashMap<String, Vec<String>> = Default::default();
    for line in read(&out.path().join("findings.jsonl")).lines() {
        let f: serde_json::Value = serde_json::from_str(line).unwrap();
        codes_by_buyer
            .entry(f["buyer"].as_str().unwrap().to_string())
            .or_default()
            .push(f["code"].as_str().unwrap().to_string());
    }
    let expected = |phrase: &str| match phrase {
        "加我微信" => Some("SCR011"),
        "不知道" | "随便你" => Some("SCR001"),
        "全网最低" => Some("SCR009"),
        "好评返现" => Some("SCR012"),
        "你是不是傻" | "傻逼" => Some("ABU001"),
        _ => None, // 我要投诉你们 is a complaint signal, not a finding
    };
    let hard = ["SCR011", "SCR012", "ABU001", "ABU002", "ABU006"];
    let (mut planted, mut clean) = (0, 0);
    for line in read(&dump.path().join("truth.jsonl")).lines() {
        let t: serde_json::Value = serde_json::from_str(line).unwrap();
        let buyer = t["buyer"].as_str().unwrap();
        let codes = codes_by_buyer.get(buyer).cloned().unwrap_or_default();
        let phrases = t["planted"].as_array().unwrap();
        for p in phrases {
            if let Some(code) = expected(p["phrase"].as_str().unwrap()) {
                assert!(
                    codes.iter().any(|c| c == code),
                    "{buyer}: planted {} but found {codes:?}",
                    p["phrase"]
                );
                planted += 1;
            }
        }
        if phrases.is_empty() {
            assert!(
                !codes.iter().any(|c| hard.contains(&c.as_str())),
                "{buyer}: nothing planted but {codes:?}"
            );
            clean += 1;
        }
    }
    assert!(
        planted > 50 && clean > 1000,
        "{planted} planted, {clean} clean sessions"
    );
}

/// Scan `inputs` with the given extra arguments; the output directory.
fn scan_with(inputs: &[PathBuf], extra: &[&str]) -> tempfile::TempDir {
    let out = tempfile::tempdir().unwrap();
    let st = wwqa()
        .current_dir(root())
        .arg("scan")
        .args(inputs)
        .args(["--quiet", "--no-report", "--session-messages", "--out"])
        .arg(out.path())
        .args(extra)
        .status()
        .unwrap();
    assert!(matches!(st.code(), Some(0 | 2)));
    out
}

fn sorted_lines(p: &Path) -> Vec<String> {
    let mut v: Vec<String> = read(p).lines().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn reading_large_files_in_pieces_changes_nothing() {
    // Files read in 2 KiB pieces (cut at buyer headers, session-id changes,
    // record lines) must give the sessions, message ids, findings, rejects
    // and scores of files read whole.
    let dump = generate(&["--size", "300KB", "--files", "2", "--seed", "7"]);
    let mut inputs = vec![
        dump.path().join("dump"),
        root().join("fixtures/ingest"),
        root().join("fixtures/bad"),
    ];
    let jddc = root().join("../shared/data/dialogue_jddc/jddc_chat_sample.tsv");
    if jddc.exists() {
        inputs.push(jddc);
    } else {
        eprintln!("JDDC part skipped: {} absent", jddc.display());
    }
    let whole = scan_with(&inputs, &["--piece-kib", "1000000"]);
    let pieces = scan_with(&inputs, &["--piece-kib", "2"]);
    let (w, p) = (summary(whole.path()), summary(pieces.path()));
    // 572 generated sessions, plus the fixtures' and JDDC's when present.
    assert!(w["totals"]["sessions"].as_u64().unwrap() > 572);
    assert_eq!(w["totals"], p["totals"]);
    assert_eq!(w["files"], p["files"]);
    for name in [
        "sessions.jsonl",
        "findings.jsonl",
        "rejects.jsonl",
        "warnings.txt",
    ] {
        assert_eq!(
            sorted_lines(&whole.path().join(name)),
            sorted_lines(&pieces.path().join(name)),
            "{name}"
        );
    }
    assert_eq!(
        read(&whole.path().join("scores.json")),
        read(&pieces.path().join("scores.json"))
    );
}

#[test]
fn a_buyer_named_in_the_file_path_is_masked_in_shareable_outputs() {
    let input = tempfile::tempdir().unwrap();
    std::fs::write(
        input.path().join("tb_moon.txt"),
        "tb_moon 2026-10-20 10:00:00\n在吗，这个还有货吗\n花花旗舰店:小美 2026-10-20 10:06:00\n亲，有货的\n",
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let st = wwqa()
        .arg("scan")
        .arg(input.path())
        .args(["--quiet", "--out"])
        .arg(out.path())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0));
    let s = summary(out.path());
    assert_eq!(
        s["files"][0]["buyers_in_path"],
        serde_json::json!(["tb_moon"])
    );
    let csv = read(&out.path().join("findings.csv"));
    assert!(
        csv.contains("LAT002"),
        "a 6-minute wait breaches 3 minutes: {csv}"
    );
    assert!(!csv.contains("tb_moon"), "{csv}");
    assert!(!read(&out.path().join("report.html")).contains("tb_moon"));
    // The unredacted outputs keep it.
    assert!(read(&out.path().join("findings.jsonl")).contains("tb_moon.txt:1"));
}

/// The scan gathers the report from the analysis as it goes; `wwqa report`
/// reads it back from the output files. Both must give the same page and
/// CSV, also when a buyer nick learnt from a later file occurs in the path
/// of an earlier one (the scan then rebuilds its report from the files).
#[test]
fn report_gathered_during_the_scan_equals_wwqa_report_on_its_output() {
    let chat = |buyer: &str| {
        format!(
            "{buyer} 2026-10-20 10:00:00\n在吗，这个还有货吗\n花花旗舰店:小美 2026-10-20 10:06:00\n亲，有货的\n"
        )
    };
    let dump = generate(&["--size", "200KB", "--files", "2", "--seed", "11"]);
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("tb_moon.txt"), chat("tb_moon")).unwrap();
    let late = tempfile::tempdir().unwrap();
    // Sorted first, so written before tb_late is known to be a buyer.
    std::fs::write(late.path().join("chat_tb_late.txt"), chat("tb_early")).unwrap();
    std::fs::write(late.path().join("tb_late.txt"), chat("tb_late")).unwrap();
    for inputs in [
        vec![dump.path().join("dump"), plain.path().to_path_buf()],
        vec![late.path().to_path_buf()],
    ] {
        let out = tempfile::tempdir().unwrap();
        let st = wwqa()
            .arg("scan")
            .args(&inputs)
            .args(["--quiet", "--out"])
            .arg(out.path())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(0));
        let gathered_html = read(&out.path().join("report.html"));
        let gathered_csv = read(&out.path().join("findings.csv"));
        assert!(gathered_csv.lines().count() > 1, "{gathered_csv}");
        // The listed abuse cases are read back through the scan's index of
        // findings.jsonl; `wwqa report` below reads the whole file.
        if inputs.len() == 2 {
            let cases = gathered_html
                .split("id=\"table-abuse\"")
                .nth(1)
                .and_then(|t| t.split("</tbody>").next())
                .unwrap_or_default();
            assert!(cases.matches("<tr>").count() > 1, "abuse cases: {cases}");
        }
        for nick in ["tb_moon", "tb_late", "tb_early"] {
            assert!(!gathered_csv.contains(nick), "{nick} in {gathered_csv}");
            assert!(!gathered_html.contains(nick), "{nick} in the page");
        }
        let st = wwqa().arg("report").arg(out.path()).status().unwrap();
        assert_eq!(st.code(), Some(0));
        assert_eq!(gathered_csv, read(&out.path().join("findings.csv")));
        assert!(gathered_html == read(&out.path().join("report.html")));
    }
}

/// A full disk mid-scan (every output write fails) is a located error and
/// exit code 2, from the writer thread and from the reader alike: no hang,
/// no panic.
#[cfg(target_os = "linux")]
#[test]
fn full_disk_is_a_located_error_not_a_hang() {
    let dump = generate(&["--size", "2MB", "--files", "2", "--seed", "5"]);
    for (file, input) in [
        ("sessions.jsonl", dump.path().join("dump")),
        ("rejects.jsonl", root().join("fixtures/bad")),
    ] {
        let out = tempfile::tempdir().expect("temp dir");
        std::os::unix::fs::symlink("/dev/full", out.path().join(file)).expect("symlink");
        let run = wwqa()
            .args(["scan", "--threads", "2", "-q", "--out"])
            .arg(out.path())
            .arg(&input)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{file}: {stderr}");
        assert!(
            stderr.contains(&format!("{file}: cannot write: No space left on device")),
            "{file}: {stderr}"
        );
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
}
