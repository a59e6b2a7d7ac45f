//! report.xlsx read back: the sheets it claims, the row cap stated on the
//! findings sheet, formula-like cells neutralised, frozen headers,
//! autofilters and the colour scale on the 3-minute rate.

use std::io::Read;
use std::path::Path;
use std::process::Command;

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Every part of the package, by name.
fn parts(path: &Path) -> std::collections::BTreeMap<String, String> {
    let mut zip = zip::ZipArchive::new(std::fs::File::open(path).unwrap()).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().map(|n| n.to_string()).unwrap();
        let mut s = String::new();
        if f.read_to_string(&mut s).is_ok() {
            out.insert(name, s);
        }
    }
    out
}

#[test]
fn workbook_holds_its_sheets_caps_findings_and_neutralises_formulas() {
    let tmp = tempfile::tempdir().unwrap();
    let wwqa = || Command::new(env!("CARGO_BIN_EXE_wwqa"));
    run(wwqa()
        .args(["generate", "--size", "100KB", "--seed", "3", "--out"])
        .arg(tmp.path().join("gen")));
    let scan = tmp.path().join("scan");
    run(wwqa()
        .arg("scan")
        .arg(tmp.path().join("gen/dump"))
        .args(["--quiet", "--out"])
        .arg(&scan));
    // A hostile agent name: a spreadsheet must show it as text.
    let agents = scan.join("agents.csv");
    let mut csv = std::fs::read_to_string(&agents).unwrap();
    let first_row = csv.lines().nth(1).unwrap().to_string();
    let name = first_row.split(',').nth(2).unwrap().to_string();
    let hostile = first_row.replacen(&name, "=HYPERLINK(\"http://x\")", 1);
    csv = csv.replacen(&first_row, &format!("{hostile}\n{first_row}"), 1);
    std::fs::write(&agents, csv).unwrap();

    let findings = std::fs::read_to_string(scan.join("findings.jsonl"))
        .unwrap()
        .lines()
        .count() as u64;
    assert!(findings > 60, "{findings}");
    let out = tmp.path().join("report.xlsx");
    let report = wwqa::report::xlsx::write_workbook(&scan, &out, true, None, 51).unwrap();
    assert_eq!(report.findings_written, 50);
    assert_eq!(report.findings_left_out, findings - 50);

    let parts = parts(&out);
    let workbook = &parts["xl/workbook.xml"];
    for sheet in ["KPI", "agents", "shops", "findings", "review"] {
        assert!(
            workbook.contains(&format!("name=\"{sheet}\"")),
            "{sheet} missing"
        );
    }
    let strings = &parts["xl/sharedStrings.xml"];
    assert!(
        strings.contains(&format!(
            "{} findings left out: Excel&apos;s row limit; all {findings} are in findings.jsonl",
            findings - 50
        )) || strings.contains(&format!(
            "{} findings left out: Excel's row limit; all {findings} are in findings.jsonl",
            findings - 50
        ))
    );
    assert!(
        strings.contains("'=HYPERLINK(") || strings.contains("&apos;=HYPERLINK("),
        "formula neutralised"
    );
    assert!(
        !parts.values().any(|x| x.contains("<f>")),
        "no formula anywhere"
    );
    assert!(strings.contains("买家#"), "buyers masked");
    // Sheet order: KPI, agents, shops, findings, review.
    let agents_sheet = &parts["xl/worksheets/sheet2.xml"];
    assert!(agents_sheet.contains("<pane ySplit=\"1\""), "frozen header");
    assert!(agents_sheet.contains("<autoFilter"));
    assert!(
        agents_sheet.contains("<colorScale>"),
        "3-minute rate coloured"
    );
    let findings_sheet = &parts["xl/worksheets/sheet4.xml"];
    assert_eq!(
        findings_sheet.matches("<row ").count(),
        51,
        "header + 50 rows"
    );
    assert!(strings.contains("three_min_rate"));
}
