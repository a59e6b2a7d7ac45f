//! The pages in a real browser (headless Chromium, when installed): the
//! report's finding links land on the session view with exactly the
//! finding's span focused, and no page logs a console message or error.
//!
//! Chromium is driven from its command line (`--dump-dom` after the page's
//! scripts ran), so "clicking" a finding is following its link, which is
//! what the click does. Without a browser the test prints `skipped: …`.

use std::path::{Path, PathBuf};
use std::process::Command;

fn browser() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("WWQA_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    [
        "chromium-headless-shell",
        "chromium",
        "google-chrome",
        "chrome",
    ]
    .iter()
    .find_map(|name| {
        std::env::var_os("PATH").and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(name))
                .find(|p| p.is_file())
        })
    })
}

/// The DOM after scripts ran, and every console line the page logged.
fn dump_dom(chromium: &Path, url: &str) -> (String, Vec<String>) {
    let out = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=2000",
            "--dump-dom",
            url,
        ])
        .output()
        .expect("chromium runs");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
#[cfg_attr(
    not(wwqa_chromium),
    ignore = "needs headless Chromium (apt-get install chromium-headless-shell, then touch build.rs)"
)]
fn a_finding_link_lands_on_its_span_in_the_session_view_without_console_errors() {
    let chromium = browser().expect("the build found a headless Chromium on PATH");
    let tmp = tempfile::tempdir().unwrap();
    let wwqa = || Command::new(env!("CARGO_BIN_EXE_wwqa"));
    run(wwqa()
        .args(["generate", "--size", "100KB", "--seed", "11", "--out"])
        .arg(tmp.path().join("gen")));
    let scan = tmp.path().join("scan");
    run(wwqa()
        .arg("scan")
        .arg(tmp.path().join("gen/dump"))
        .args(["--quiet", "--out"])
        .arg(&scan));
    run(wwqa().arg("report").arg(&scan).arg("--no-redact"));

    let url = |p: &Path| format!("file://{}", p.display());
    let (report, console) = dump_dom(&chromium, &url(&scan.join("report.html")));
    assert!(console.is_empty(), "report.html console: {console:?}");
    let link = report
        .split("href=\"sessions/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the report links a finding to its session");
    let finding_id = link.split("#f-").nth(1).unwrap().to_string();
    let scanned = wwqa::review::Scan::load(&scan).unwrap();
    let finding = &scanned
        .findings
        .iter()
        .find(|f| f.0 == finding_id)
        .expect("the link names a finding of the scan")
        .1;
    assert!(link.starts_with(&format!("{}.html", finding.session_id)));

    let (view, console) = dump_dom(&chromium, &url(&scan.join("sessions").join(link)));
    assert!(console.is_empty(), "session view console: {console:?}");
    // The focused marks are exactly the finding's quote.
    let mut focused = String::new();
    for part in view.split("<mark ").skip(1) {
        let (tag, rest) = part.split_once('>').unwrap();
        if tag.contains("focus") && tag.contains(&finding_id) {
            focused.push_str(rest.split("</mark>").next().unwrap());
        }
    }
    let unescaped = focused
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&");
    assert_eq!(unescaped, finding.quote);
    assert!(view.contains(&format!(
        "class=\"card {} focus\"",
        finding.severity.as_str()
    )));

    // A review page runs its form script cleanly too.
    let pack = tmp.path().join("pack");
    run(wwqa()
        .arg("sample")
        .arg(&scan)
        .args(["--per-agent", "1", "--out"])
        .arg(&pack));
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(pack.join("manifest.json")).unwrap())
            .unwrap();
    let page = manifest["sessions"][0]["page"].as_str().unwrap();
    let (form, console) = dump_dom(&chromium, &url(&pack.join(page)));
    assert!(console.is_empty(), "review page console: {console:?}");
    assert!(form.contains("id=\"save\""));
}
