//! `wwqa report` end to end: generate a dump, add a transcript with planted
//! personal data, scan, decide tiers, render, and check the page as text
//! and in a real browser (headless Chromium).

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};
use wwqa::report::redact::Redactor;

const PLANTED_BUYER: &str = "tb_planted_pii";
/// The planted number in both spellings the fixture uses.
const PLANTED_PHONES: [&str; 2] = ["138 1234 5678", "13812345678"];

fn wwqa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wwqa"))
}

fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("wwqa runs");
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

/// One scan shared by every test (built once), which each test copies
/// before writing into it.
fn scanned() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-test");
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(&root).expect("mkdir");
        let gen = root.join("gen");
        let out = root.join("scan");
        // The page quotes the first findings in path order: the planted
        // transcript sits beside the dump, before it, wherever the target
        // directory is (the fixture's own path sorts before or after it).
        let planted = root.join("a-planted").join("planted_pii.txt");
        std::fs::create_dir_all(planted.parent().expect("parent")).expect("mkdir");
        std::fs::copy(fixture("fixtures/report/planted_pii.txt"), &planted).expect("copy");
        run_ok(
            wwqa()
                .args([
                    "generate", "--size", "150KB", "--files", "2", "--seed", "7", "--out",
                ])
                .arg(&gen),
        );
        run_ok(
            wwqa()
                .arg("scan")
                .arg(gen.join("dump"))
                .arg(&planted)
                .arg("--out")
                .arg(&out)
                .arg("-q"),
        );
        run_ok(
            wwqa()
                .arg("tier")
                .arg("--scores")
                .arg(&out)
                .arg("--shops")
                .arg(fixture("fixtures/tiers/synthetic_shops.csv")),
        );
        out
    })
}

/// A private copy of the scan output (flat directory).
fn copy_of_scan() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for entry in std::fs::read_dir(scanned()).expect("scan dir") {
        let entry = entry.expect("entry");
        if entry.path().is_file() {
            std::fs::copy(entry.path(), dir.path().join(entry.file_name())).expect("copy");
        }
    }
    dir
}

fn render(dir: &Path, extra: &[&str]) -> (String, String) {
    run_ok(wwqa().arg("report").arg(dir).args(extra));
    let html = std::fs::read_to_string(dir.join("report.html")).expect("report.html");
    let csv = std::fs::read_to_string(dir.join("findings.csv")).expect("findings.csv");
    (html, csv)
}

#[test]
fn report_has_every_section_chart_and_table() {
    let dir = copy_of_scan();
    let (html, csv) = render(dir.path(), &[]);
    for id in [
        "overview",
        "charts",
        "agents",
        "shops",
        "violations",
        "abuse",
        "tiers",
        "files",
    ] {
        assert!(
            html.contains(&format!("<section id=\"{id}\">")),
            "section {id}"
        );
    }
    for id in [
        "chart-latency",
        "chart-hours",
        "chart-stages",
        "chart-rules",
    ] {
        assert!(
            html.contains(&format!("<svg class=\"chart\" id=\"{id}\"")),
            "chart {id}"
        );
    }
    for id in [
        "table-agents",
        "table-shops",
        "table-violations-agents",
        "table-tiers",
    ] {
        assert!(
            html.contains(&format!("<table class=\"sortable\" id=\"{id}\">")),
            "table {id}"
        );
    }
    // One agents row per agent of summary.json, Chinese kept as is.
    let summary: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("summary.json")).expect("summary"),
    )
    .expect("json");
    let agents = summary["agents"].as_array().expect("agents");
    let table = section(
        &html,
        "<table class=\"sortable\" id=\"table-agents\">",
        "</table>",
    );
    assert_eq!(table.matches("<tr>").count(), agents.len() + 1);
    assert!(table.contains("花花旗舰店:小美"));
    // Every finding is counted in the page and has a CSV row.
    let findings = std::fs::read_to_string(dir.path().join("findings.jsonl")).expect("jsonl");
    let n = findings.lines().count();
    assert!(n > 0);
    assert!(html.contains(&format!("By rule: {n} findings")));
    assert!(csv.starts_with("\u{feff}code,name,family,severity,time,shop,account,buyer,"));
    assert_eq!(csv.lines().count(), n + 1);
    // Self-contained: nothing is loaded from anywhere.
    assert!(!html.contains(" src="), "external resource");
    assert!(!html.contains("<link rel=\"stylesheet\""));
    assert!(html.contains("Content-Security-Policy\" content=\"default-src 'none';"));
}

#[test]
fn planted_phone_is_masked_by_default_and_kept_with_no_redact() {
    let dir = copy_of_scan();
    let (html, csv) = render(dir.path(), &[]);
    let mask = Redactor::from_env().mask_nick(PLANTED_BUYER);
    for text in [&html, &csv] {
        for phone in PLANTED_PHONES {
            assert!(!text.contains(phone), "{phone} leaked");
        }
        assert!(!text.contains(PLANTED_BUYER), "buyer nick leaked");
        assert!(!text.contains("文三路"), "address leaked");
        assert!(!text.contains("3021456789012345678"), "order number leaked");
        assert!(text.contains(&mask));
        assert!(text.contains(
            "我的手机号是1** **** ****，地址浙江省杭州市[地址]，订单号：[单号]，什么时候发货？"
        ));
    }
    let (html, csv) = render(dir.path(), &["--no-redact"]);
    for text in [&html, &csv] {
        assert!(text.contains("我的手机号是138 1234 5678，地址浙江省杭州市西湖区文三路90号501室"));
        assert!(text.contains(PLANTED_BUYER));
        assert!(!text.contains(&mask));
    }
    assert!(html.contains("UNREDACTED"));
}

#[test]
fn report_on_a_directory_without_summary_fails_clearly() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = wwqa().arg("report").arg(dir.path()).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("not a complete scan output"), "{err}");
}

fn section<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("{start} missing"));
    let to = text[from..]
        .find(end)
        .map_or(text.len(), |i| from + i + end.len());
    &text[from..to]
}

// ------------------------------------------------------------ browser

/// Chromium, installed on demand where that is allowed: as root under CI
/// (or with `WWQA_INSTALL_CHROMIUM=1`), with a CJK font so the screenshot
/// shows Chinese.
fn chromium() -> Option<PathBuf> {
    let find = || {
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
            .into_iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
    };
    let has_cjk_font = || {
        Command::new("fc-list")
            .arg(":lang=zh")
            .output()
            .is_ok_and(|o| !o.stdout.is_empty())
    };
    if find().is_some() && has_cjk_font() {
        return find();
    }
    let allowed = std::env::var_os("CI").is_some_and(|v| !v.is_empty() && v != "false")
        || std::env::var_os("WWQA_INSTALL_CHROMIUM").is_some_and(|v| v == "1");
    let root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"));
    if allowed && root {
        let install = || {
            Command::new("apt-get")
                .args([
                    "install",
                    "-y",
                    "--no-install-recommends",
                    "chromium",
                    "fonts-wqy-microhei",
                ])
                .env("DEBIAN_FRONTEND", "noninteractive")
                .stdout(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if !install() {
            let _ = Command::new("apt-get")
                .arg("update")
                .stdout(Stdio::null())
                .status();
            install();
        }
    }
    if find().is_some() && !has_cjk_font() {
        eprintln!("warning: no CJK font installed; the screenshot will show boxes for Chinese");
    }
    find()
}

/// Run a command with stdout and stderr to files, killed after `limit`.
fn run_limited(mut cmd: Command, dir: &Path, tag: &str, limit: Duration) -> (String, String) {
    let out_path = dir.join(format!("{tag}.out"));
    let err_path = dir.join(format!("{tag}.err"));
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(std::fs::File::create(&out_path).expect("out file"))
        .stderr(std::fs::File::create(&err_path).expect("err file"))
        .spawn()
        .expect("chromium starts");
    let started = Instant::now();
    loop {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("chromium did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    (
        std::fs::read_to_string(out_path).unwrap_or_default(),
        std::fs::read_to_string(err_path).unwrap_or_default(),
    )
}

fn headless(browser: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// Lines Chromium logs for the page's console: errors, warnings, CSP
/// violations, failed loads. A clean report logs none.
fn console_lines(stderr: &str) -> Vec<&str> {
    stderr
        .lines()
        .filter(|l| l.contains(":CONSOLE") || l.contains("Uncaught"))
        .collect()
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

#[test]
fn report_renders_in_headless_chromium_without_console_errors() {
    let Some(browser) = chromium() else {
        eprintln!("skipped: chromium not installed");
        return;
    };
    let dir = copy_of_scan();
    render(dir.path(), &[]);
    let report = dir.path().join("report.html");
    let work = tempfile::tempdir().expect("temp dir");
    let limit = Duration::from_secs(120);

    // The detector must see a broken page's errors, or a clean run proves
    // nothing.
    let broken = work.path().join("broken.html");
    std::fs::write(
        &broken,
        "<!DOCTYPE html><html><body><script>missingFunction();</script></body></html>",
    )
    .expect("write");
    let mut cmd = headless(&browser, &work.path().join("profile-0"));
    cmd.arg("--dump-dom").arg(file_url(&broken));
    let (_, err) = run_limited(cmd, work.path(), "broken", limit);
    assert!(
        console_lines(&err).iter().any(|l| l.contains("Uncaught")),
        "chromium no longer logs page errors this way:\n{err}"
    );

    let shot = work.path().join("report.png");
    let mut cmd = headless(&browser, &work.path().join("profile-1"));
    cmd.arg(format!("--screenshot={}", shot.display()))
        .arg("--window-size=1400,2400")
        .arg(file_url(&report));
    let (_, err) = run_limited(cmd, work.path(), "screenshot", limit);
    assert_eq!(
        console_lines(&err),
        Vec::<&str>::new(),
        "console output while loading the report"
    );
    let png = std::fs::read(&shot).expect("screenshot written");
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n") && png.len() > 20_000,
        "screenshot is {} bytes",
        png.len()
    );
    let keep = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap_or(Path::new("target"))
        .join("report-screenshot.png");
    std::fs::copy(&shot, &keep).expect("copy screenshot");
    eprintln!("screenshot: {}", keep.display());

    let mut cmd = headless(&browser, &work.path().join("profile-2"));
    cmd.arg("--dump-dom").arg(file_url(&report));
    let (dom, err) = run_limited(cmd, work.path(), "dom", limit);
    assert_eq!(
        console_lines(&err),
        Vec::<&str>::new(),
        "console output while loading the report"
    );
    // The script ran to its end: the page and every sortable table are
    // marked ready, headers focusable.
    assert!(dom.contains("data-report=\"ready\""), "script did not run");
    for id in [
        "table-agents",
        "table-shops",
        "table-violations-agents",
        "table-tiers",
    ] {
        let table = section(&dom, &format!("id=\"{id}\""), ">");
        assert!(
            table.contains("data-sortable=\"ready\""),
            "{id} not sortable: {table}"
        );
    }
    assert!(dom.contains("<th tabindex=\"0\">"));
    for id in [
        "chart-latency",
        "chart-hours",
        "chart-stages",
        "chart-rules",
    ] {
        let svg = section(&dom, &format!("id=\"{id}\""), "</svg>");
        assert!(svg.contains("<rect class=\"bar\""), "{id} has no bars");
    }
    assert!(dom.contains("花花旗舰店"));
}
