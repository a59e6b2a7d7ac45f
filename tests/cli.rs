//! Black-box tests of the `wwqa` binary on the bundled fixtures, the
//! synthetic generator and (when present) the shared real data.

use std::path::{Path, PathBuf};
use std::process::Command;
use wwqa::shared_data::shared_data;

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
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
fn jddc_sample_gives_803_sessions_and_9865_messages() {
    let data = shared_data("dialogue_jddc/jddc_chat_sample.tsv");
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
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
fn stage_and_abuse_evaluations_print_the_documented_keys() {
    let jddc = shared_data("dialogue_jddc/jddc_chat_sample.tsv");
    let labels = shared_data("labels/jddc_stage_labels.tsv");
    let cold = shared_data("offensive_cold/dev.csv");
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
    let inputs = vec![
        dump.path().join("dump"),
        root().join("fixtures/ingest"),
        root().join("fixtures/bad"),
    ];
    same_whole_and_in_pieces(&inputs);
}

#[test]
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
fn reading_the_jddc_sample_in_pieces_changes_nothing() {
    same_whole_and_in_pieces(&[shared_data("dialogue_jddc/jddc_chat_sample.tsv")]);
}

/// Scans of `inputs` read whole and in 2 KiB pieces give the same outputs.
fn same_whole_and_in_pieces(inputs: &[PathBuf]) {
    let whole = scan_with(inputs, &["--piece-kib", "1000000"]);
    let pieces = scan_with(inputs, &["--piece-kib", "2"]);
    let (w, p) = (summary(whole.path()), summary(pieces.path()));
    assert!(w["totals"]["sessions"].as_u64().unwrap() > 500);
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
    // Outputs are written under partial names and renamed, so a symbolic
    // link to /dev/full under an output's name is removed, not written: a
    // file size limit (with SIGXFSZ ignored, so writes fail with EFBIG)
    // stands in for the full disk.
    let dump = generate(&["--size", "2MB", "--files", "2", "--seed", "5"]);
    for (file, input, kib) in [
        ("dump", dump.path().join("dump"), 256),
        ("bad", root().join("fixtures/bad"), 1),
    ] {
        let out = tempfile::tempdir().expect("temp dir");
        let run = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "trap '' XFSZ; ulimit -f {}; exec \"$0\" \"$@\"",
                kib * 2
            ))
            .arg(env!("CARGO_BIN_EXE_wwqa"))
            .args(["scan", "--threads", "2", "-q", "--no-report", "--out"])
            .arg(out.path())
            .arg(&input)
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&run.stderr);
        assert_eq!(run.status.code(), Some(2), "{file}: {stderr}");
        // The first output to reach the limit is named.
        let named = ["sessions.jsonl", "findings.jsonl", "rejects.jsonl"]
            .iter()
            .find(|name| {
                stderr.contains(&format!(
                    "{}: cannot write: File too large",
                    out.path().join(name).display()
                ))
            });
        assert!(named.is_some(), "{file}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        // Nothing half-written is left under an output's name.
        assert!(!out.path().join("summary.json").exists());
        assert!(!out.path().join(named.unwrap()).exists());
    }
}

/// `wwqa ARGS…` run in the crate root.
fn run_in_root(args: &[&str], dirs: &[&Path]) -> std::process::Output {
    wwqa()
        .current_dir(root())
        .args(args)
        .args(dirs)
        .output()
        .expect("runs")
}

#[test]
fn a_killed_scan_leaves_no_summary_and_report_tier_merge_refuse_its_directory() {
    let dump = generate(&["--size", "12MB", "--files", "2", "--seed", "11"]);
    let out = tempfile::tempdir().unwrap();
    // A complete earlier scan in the same directory, with its report.
    let first = run_in_root(&["scan", "fixtures/ingest", "-q", "--out"], &[out.path()]);
    assert_eq!(first.status.code(), Some(0));
    assert!(out.path().join("report.html").exists());
    let mut child = wwqa()
        .args(["scan", "-q", "--threads", "1", "--out"])
        .arg(out.path())
        .arg(dump.path().join("dump"))
        .spawn()
        .unwrap();
    // Kill it once it writes its outputs.
    let partial = |dir: &Path| {
        std::fs::read_dir(dir).unwrap().flatten().any(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".wwqa-partial-sessions")
        })
    };
    let started = std::time::Instant::now();
    while !partial(out.path()) && started.elapsed().as_secs() < 60 {
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Nothing of the earlier scan is left beside the killed one's files.
    for name in [
        "summary.json",
        "report.html",
        "scores.json",
        "sessions.jsonl",
    ] {
        assert!(!out.path().join(name).exists(), "{name} survived");
    }
    for args in [
        vec!["report"],
        vec!["merge", "--out", "/nonexistent/x"],
        vec![
            "tier",
            "--shops",
            "fixtures/tiers/synthetic_shops.csv",
            "--scores",
        ],
    ] {
        let o = run_in_root(&args, &[out.path()]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("no summary.json, so this is not a complete scan output"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn tiers_of_an_earlier_run_do_not_show_in_a_new_scan_report() {
    let (_dump, out) = generate_and_scan(&["--size", "200KB", "--files", "3", "--seed", "3"]);
    let o = run_in_root(
        &[
            "tier",
            "--shops",
            "fixtures/tiers/synthetic_shops.csv",
            "--scores",
        ],
        &[out.path()],
    );
    assert!(o.status.success());
    assert!(out.path().join("tiers.json").exists());
    let again = run_in_root(&["scan", "fixtures/ingest", "-q", "--out"], &[out.path()]);
    assert_eq!(again.status.code(), Some(0));
    assert!(!out.path().join("tiers.json").exists());
    assert!(!out.path().join("tiers.csv").exists());
    let html = read(&out.path().join("report.html"));
    assert!(html.contains("tiers.json is absent"));
}

#[test]
fn a_second_scan_into_a_directory_in_use_stops_at_once() {
    let out = tempfile::tempdir().unwrap();
    let lock = std::fs::File::create(out.path().join(".wwqa.lock")).unwrap();
    lock.try_lock().unwrap();
    let o = run_in_root(&["scan", "fixtures/ingest", "-q", "--out"], &[out.path()]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("another wwqa scan is writing to this directory"),
        "{stderr}"
    );
    assert!(!out.path().join("sessions.jsonl").exists());
    drop(lock);
    let o = run_in_root(&["scan", "fixtures/ingest", "-q", "--out"], &[out.path()]);
    assert_eq!(o.status.code(), Some(0));
}

#[cfg(unix)]
#[test]
fn symlinks_are_followed_loops_reported_and_a_file_is_read_once() {
    use std::os::unix::fs::symlink;
    let tree = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let own = root().join("fixtures/ingest/own.jsonl");
    std::fs::create_dir(tree.path().join("a")).unwrap();
    std::fs::copy(&own, tree.path().join("a/own.jsonl")).unwrap();
    std::fs::copy(
        root().join("fixtures/ingest/jddc_like.tsv"),
        elsewhere.path().join("j.tsv"),
    )
    .unwrap();
    std::fs::copy(
        root().join("fixtures/ingest/own.csv"),
        elsewhere.path().join("k.csv"),
    )
    .unwrap();
    // A linked file, a linked directory, a loop, and a second name of a.
    symlink(
        elsewhere.path().join("j.tsv"),
        tree.path().join("a/linked.tsv"),
    )
    .unwrap();
    symlink(elsewhere.path(), tree.path().join("b")).unwrap();
    symlink(tree.path(), tree.path().join("a/loop")).unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = wwqa()
        .args(["scan", "-q", "--no-report", "--out"])
        .arg(out.path())
        .arg(tree.path())
        .arg(tree.path().join("./a/own.jsonl"))
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "the loop is reported as unreadable"
    );
    let s = summary(out.path());
    let files: Vec<(String, Option<String>)> = s["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let p = f["path"].as_str().unwrap();
            let rel = p.strip_prefix(&*tree.path().to_string_lossy()).unwrap_or(p);
            (
                rel.to_string(),
                f["error"]
                    .as_str()
                    .map(|e| e.contains("symbolic link loop").to_string()),
            )
        })
        .collect();
    assert_eq!(
        files,
        [
            ("/a/linked.tsv".to_string(), None),
            ("/a/own.jsonl".to_string(), None),
            // b/j.tsv is a/linked.tsv: read once, under its first name.
            ("/b/k.csv".to_string(), None),
            ("/a/loop".to_string(), Some("true".to_string())),
        ]
    );
    assert_eq!(s["totals"]["files_unreadable"], 1);
}

#[test]
fn absurd_thread_counts_are_refused_at_once() {
    let out = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let o = run_in_root(
        &[
            "scan",
            "fixtures/ingest/own.jsonl",
            "-q",
            "--threads",
            "100000",
            "--out",
        ],
        &[out.path()],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--threads 100000 is more than 1024"));
    assert!(started.elapsed().as_secs() < 10);
}

#[test]
fn formula_cells_are_neutralised_in_every_csv_and_escapes_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    let shop = r#"=HYPERLINK(\"http://evil\",\"店\")"#;
    std::fs::write(
        &input,
        format!(
            concat!(
                r#"{{"shop":"{shop}","buyer":"@tb_buyer","sender":"@tb_buyer","role":"buyer","text":"=HYPERLINK(\"http://evil\",\"点我退款\")","time":"2024-03-12 11:00:00"}}"#,
                "\n",
                r#"{{"shop":"{shop}","buyer":"@tb_buyer","sender":"+客服","role":"agent","text":"-好的","time":"2024-03-12 11:09:00"}}"#,
                "\n",
                r#"{{"shop":"{shop}","buyer":"@tb_buyer","sender":"客服\u001b]0;x\u0007","role":"agent","text":"在的","time":"2024-03-12 11:10:00"}}"#,
                "\n",
            ),
            shop = shop
        ),
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = wwqa()
        .args(["scan", "--no-redact", "--out"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        o.status.code(),
        Some(2),
        "the control-character line is rejected: {stderr}"
    );
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
    let rejects = read(&out.join("rejects.jsonl"));
    assert!(
        rejects.contains("control character U+001B in field `sender`"),
        "{rejects}"
    );
    let formula = r#""'=HYPERLINK(""http://evil"",""店"")""#;
    for csv in ["findings.csv", "agents.csv", "shops.csv"] {
        let text = read(&out.join(csv));
        assert!(text.contains(formula), "{csv}: {text}");
        // No cell starts with a formula character.
        let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        for row in reader.records() {
            for cell in row.unwrap().iter() {
                let first = cell.trim_start().chars().next();
                assert!(
                    !matches!(first, Some('=' | '+' | '@')) && !cell.starts_with("-好"),
                    "{csv}: {cell}"
                );
            }
        }
    }
    let findings = read(&out.join("findings.csv"));
    assert!(
        findings.contains(r#""'=HYPERLINK(""http://evil"",""点我退款"")""#),
        "{findings}"
    );
    assert!(findings.contains(",'+客服,'@tb_buyer,"), "{findings}");
}

#[test]
fn fail_on_exits_one_when_a_finding_reaches_the_severity() {
    let dir = tempfile::tempdir().unwrap();
    let line = |sender: &str, role: &str, text: &str, time: &str| {
        format!(
            r#"{{"shop":"花花旗舰店","buyer":"tb_a1","sender":"{sender}","role":"{role}","text":"{text}","time":"2024-03-12 {time}"}}"#
        ) + "\n"
    };
    let slow = line("tb_a1", "buyer", "在吗，这个有货吗", "11:00:00")
        + &line("花花旗舰店:小美", "agent", "您好，有货的", "11:09:00");
    let rude = slow.clone() + &line("花花旗舰店:小美", "agent", "你个傻逼，滚", "11:09:30");
    for (name, text, fail_on, code) in [
        ("slow.jsonl", &slow, None, 0),
        ("slow.jsonl", &slow, Some("high"), 0),
        ("slow.jsonl", &slow, Some("medium"), 1),
        ("rude.jsonl", &rude, Some("high"), 1),
    ] {
        let input = dir.path().join(name);
        std::fs::write(&input, text).unwrap();
        let mut cmd = wwqa();
        cmd.args(["scan", "-q", "--no-report", "--out"])
            .arg(dir.path().join("out"))
            .arg(&input);
        if let Some(s) = fail_on {
            cmd.args(["--fail-on", s]);
        }
        let o = cmd.output().unwrap();
        assert_eq!(
            o.status.code(),
            Some(code),
            "{name} {fail_on:?}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

#[test]
fn tier_warns_about_shops_absent_from_the_scan_and_prints_human_names() {
    let out = tempfile::tempdir().unwrap();
    // The fixtures' chats are of 2024; the shop metrics are of 2026-10.
    let scan = run_in_root(&["scan", "fixtures/ingest", "-q", "--out"], &[out.path()]);
    assert_eq!(scan.status.code(), Some(0));
    let o = run_in_root(
        &[
            "tier",
            "--shops",
            "fixtures/tiers/synthetic_shops.csv",
            "--scores",
        ],
        &[out.path()],
    );
    assert!(o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("warning: 3 of 3 shop-months in the shop metrics have no sessions in the scan (得力广州专卖店 2026-10, 数码小铺 2026-10, 花花旗舰店 2026-10)"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("2026-10\t数码小铺\t无 (none)\n"),
        "{stdout}"
    );
    assert!(!stdout.contains("None"), "{stdout}");
    // Scanned shops: no warning.
    let (_dump, scanned) = generate_and_scan(&["--size", "200KB", "--files", "3", "--seed", "3"]);
    let o = run_in_root(
        &[
            "tier",
            "--shops",
            "fixtures/tiers/synthetic_shops.csv",
            "--scores",
        ],
        &[scanned.path()],
    );
    assert!(!String::from_utf8_lossy(&o.stderr).contains("warning"));
}

#[test]
fn a_minified_api_response_longer_than_the_sniff_is_read_whole() {
    // One line of several hundred KiB; the 64 KiB sniff ends inside a
    // character, which once made the file GB18030 and every line a reject.
    let dir = tempfile::tempdir().unwrap();
    let mut msgs = Vec::new();
    for i in 0..3000 {
        let direction = i % 2;
        let text = if direction == 1 {
            "这件衣服还有货吗？有没有大一码的"
        } else {
            "亲，有货的，欢迎选购"
        };
        msgs.push(format!(
            r#"{{"direction":{direction},"time":"2024-03-11 {:02}:{:02}:{:02}","content":"{text}{i}"}}"#,
            9 + i / 3600,
            i / 60 % 60,
            i % 60
        ));
    }
    let mut body = format!(
        r#"{{"from_id":"cntaobao花花旗舰店:小美","to_id":"cntaobaotb_lily","msgs":[{}]}}"#,
        msgs.join(",")
    );
    // Move the sniff limit inside a 3-byte character.
    while body.is_char_boundary(64 * 1024) {
        body.insert(0, ' ');
    }
    assert!(body.len() > 200_000);
    let input = dir.path().join("response.json");
    std::fs::write(&input, &body).unwrap();
    let out = dir.path().join("out");
    let o = wwqa()
        .args(["scan", "-q", "--no-report", "--out"])
        .arg(&out)
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let s = summary(&out);
    assert_eq!(s["files"][0]["encoding"], "utf-8");
    assert_eq!(s["files"][0]["format"], "api-json");
    assert_eq!(s["totals"]["messages"], 3000);
    assert_eq!(s["totals"]["lines_rejected"], 0);
}
