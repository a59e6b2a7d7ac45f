//! Black-box tests of `wwqa evidence` and `wwqa verify`: bundles are
//! complete, printable, and any alteration of bundle or dump is caught and
//! located.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wwqa() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_wwqa"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c
}

fn run(cmd: &mut Command) -> Output {
    cmd.output().expect("wwqa runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Run `wwqa evidence` and return the bundle.json paths it printed.
fn evidence(inputs: &[&Path], args: &[&str], out: &Path) -> Vec<PathBuf> {
    let o = run(wwqa()
        .arg("evidence")
        .args(inputs)
        .args(args)
        .arg("--out")
        .arg(out));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    stdout(&o)
        .lines()
        .filter(|l| l.ends_with("bundle.json"))
        .map(PathBuf::from)
        .collect()
}

fn only_bundle(inputs: &[&Path], args: &[&str], out: &Path) -> PathBuf {
    let bundles = evidence(inputs, args, out);
    assert_eq!(bundles.len(), 1, "{bundles:?}");
    bundles[0].clone()
}

fn load(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn save(p: &Path, v: &Value) {
    std::fs::write(p, serde_json::to_string_pretty(v).unwrap()).unwrap();
}

fn verify(bundle: &Path, against: &[&Path]) -> Output {
    run(wwqa()
        .arg("verify")
        .arg(bundle)
        .arg("--against")
        .args(against))
}

const FIXTURE: &str = "fixtures/ingest/chat_window.txt";
const LILY: [&str; 2] = ["--buyer", "tb_lily2024"];

#[test]
fn bundle_holds_all_eleven_messages_in_order_and_verifies() {
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[Path::new(FIXTURE)], &LILY, out.path());
    assert!(bundle.parent().unwrap().join("bundle.html").exists());
    let v = load(&bundle);
    assert_eq!(v["format_version"], 1);
    assert_eq!(v["unredacted"], true);
    let messages = v["messages"].as_array().unwrap();
    let locations: Vec<&str> = messages
        .iter()
        .map(|m| m["location"].as_str().unwrap())
        .collect();
    let lines = [1, 2, 5, 7, 11, 14, 17, 18, 20, 21, 24];
    let expected: Vec<String> = lines.iter().map(|l| format!("{FIXTURE}:{l}")).collect();
    assert_eq!(locations, expected);
    assert_eq!(messages[0]["role"], "system");
    assert_eq!(
        messages[1]["text"],
        "你好，这款保温杯还有货吗？\nhttp://item.taobao.com/item.htm?id=1011758423155"
    );
    assert_eq!(messages[1]["time"], "2024-03-05 23:50:12");
    assert_eq!(messages[1]["sender"], "tb_lily2024");
    assert_eq!(messages[9]["sender"], "得力广州专卖店:售后小王");
    assert_eq!(messages[10]["text"], "谢谢");
    assert_eq!(v["range_hash"], messages[10]["chain"]);
    assert_eq!(
        v["files"][0]["sha256"].as_str().unwrap().len(),
        64,
        "file hash is hex SHA-256"
    );

    let o = verify(&bundle, &[Path::new(FIXTURE)]);
    assert!(o.status.success(), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("UNALTERED: 11 messages"),
        "{}",
        stdout(&o)
    );
    // The case directory works too, and so does a directory of the dump.
    let o = verify(bundle.parent().unwrap(), &[Path::new("fixtures/ingest")]);
    assert!(o.status.success(), "{}", stdout(&o));
}

#[test]
fn editing_one_message_in_bundle_json_is_caught_and_named() {
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[Path::new(FIXTURE)], &LILY, out.path());
    let mut v = load(&bundle);
    v["messages"][4]["text"] = Value::from("亲，500ml白色没货了\n今天下单明天发货");
    save(&bundle, &v);
    let o = verify(&bundle, &[Path::new(FIXTURE)]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(s.contains("ALTERED"), "{s}");
    assert!(
        s.contains(&format!("first differing message: #4 {FIXTURE}:11 ")),
        "{s}"
    );
    assert!(s.contains("text differs from the dump"), "{s}");
}

#[test]
fn editing_the_dump_names_the_message_and_the_file() {
    let dump = tempfile::tempdir().unwrap();
    let copy = dump.path().join("chat_window.txt");
    std::fs::copy(FIXTURE, &copy).unwrap();
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[&copy], &LILY, out.path());
    assert!(verify(&bundle, &[&copy]).status.success());
    let text = std::fs::read_to_string(&copy).unwrap();
    std::fs::write(&copy, text.replace("可以单独补发给您", "可以单独补寄给您")).unwrap();
    let o = verify(&bundle, &[&copy]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    assert!(
        s.contains(&format!(
            "first differing message: #9 {}:21 ",
            copy.display()
        )),
        "{s}"
    );
    assert!(s.contains("补寄"), "{s}");
    assert!(
        s.contains(&format!("file {}:", copy.display())) && s.contains("the file changed"),
        "{s}"
    );
}

#[test]
fn deleting_a_message_from_the_bundle_is_caught() {
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[Path::new(FIXTURE)], &LILY, out.path());
    let mut v = load(&bundle);
    let removed = v["messages"].as_array_mut().unwrap().remove(6);
    save(&bundle, &v);
    let o = verify(&bundle, &[Path::new(FIXTURE)]);
    assert_eq!(o.status.code(), Some(1));
    let s = stdout(&o);
    let loc = removed["location"].as_str().unwrap();
    assert_eq!(loc, format!("{FIXTURE}:17"));
    assert!(s.contains(&format!("#6 {loc} ")), "{s}");
    assert!(s.contains("missing from the bundle"), "{s}");
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[test]
fn html_page_has_every_message_and_every_hash() {
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[Path::new(FIXTURE)], &LILY, out.path());
    let raw_html = std::fs::read_to_string(bundle.with_file_name("bundle.html")).unwrap();
    // Highlights wrap spans of the text in <mark>; compare the text without them.
    let marks = regex::Regex::new(r"<mark[^>]*>|</mark>|<sup[^>]*>[^<]*</sup>").unwrap();
    let html = marks.replace_all(&raw_html, "").to_string();
    let v = load(&bundle);
    for m in v["messages"].as_array().unwrap() {
        for key in ["text", "location", "sha256", "chain", "sender"] {
            let want = html_escape(m[key].as_str().unwrap());
            assert!(html.contains(&want), "{key}: {want}");
        }
        if let Some(t) = m["time"].as_str() {
            assert!(html.contains(t));
        }
    }
    for key in ["range_hash", "header_hash"] {
        assert!(html.contains(v[key].as_str().unwrap()));
    }
    assert!(html.contains(v["files"][0]["sha256"].as_str().unwrap()));
    assert!(html.contains("原文未脱敏"));
    assert!(
        html.contains("candidate for review, not evidence"),
        "legend"
    );
    assert!(html.contains("@media print") && !html.contains("<script") && !html.contains("<link"));
}

#[test]
fn from_to_selects_whole_sessions_only() {
    let out = tempfile::tempdir().unwrap();
    let fixture = Path::new("fixtures/evidence/two_sessions.txt");
    // Cuts into the middle of both 3-5 sessions; both come whole.
    let bundle = only_bundle(
        &[fixture],
        &[
            "--buyer",
            "tb_lily2024",
            "--from",
            "2024-03-05 10:01:30",
            "--to",
            "2024-03-05 15:30:30",
        ],
        out.path(),
    );
    let v = load(&bundle);
    let texts: Vec<&str> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "在吗？杯子什么时候发货",
            "亲，今天下午四点前发出",
            "好的",
            "怎么还没发货？",
            "亲，仓库在打包了，稍等"
        ]
    );
    assert_eq!(v["sessions"].as_array().unwrap().len(), 2);
    assert_eq!(v["request"]["from_local"], "2024-03-05 10:01:30");
    assert!(verify(&bundle, &[fixture]).status.success());
    // A bare --to date includes that day; --from a later day picks 3-7 only.
    let out2 = tempfile::tempdir().unwrap();
    let b = only_bundle(
        &[fixture],
        &["--buyer", "tb_lily2024", "--to", "2024-03-05"],
        out2.path(),
    );
    assert_eq!(load(&b)["messages"].as_array().unwrap().len(), 5);
    let out3 = tempfile::tempdir().unwrap();
    let b = only_bundle(
        &[fixture],
        &["--buyer", "tb_lily2024", "--from", "2024-03-06"],
        out3.path(),
    );
    assert_eq!(load(&b)["first_time"], "2024-03-07 09:00:00");
    assert_eq!(load(&b)["messages"].as_array().unwrap().len(), 2);
}

#[test]
fn no_matching_conversation_and_bad_times_are_errors() {
    let out = tempfile::tempdir().unwrap();
    let o = run(wwqa()
        .args(["evidence", FIXTURE, "--buyer", "nobody", "--out"])
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no conversation of buyer `nobody`"));
    let o = run(wwqa()
        .args([
            "evidence",
            FIXTURE,
            "--buyer",
            "tb_lily2024",
            "--from",
            "3/5",
            "--out",
        ])
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("expected YYYY-MM-DD"));
    let junk = out.path().join("bundle.json");
    std::fs::write(&junk, "{\"not\": \"a bundle\"}").unwrap();
    let o = verify(&junk, &[Path::new(FIXTURE)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
fn real_jddc_sessions_bundle_whole_and_verify() {
    let data = wwqa::shared_data::shared_data("dialogue_jddc/jddc_chat_sample.tsv");
    let text = std::fs::read_to_string(&data).unwrap();
    let buyer = "USERID_10384878";
    let lines: Vec<usize> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| l.split('\t').nth(1) == Some(buyer))
        .map(|(i, _)| i + 1)
        .collect();
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[&data], &["--buyer", buyer], out.path());
    let v = load(&bundle);
    let got: Vec<usize> = v["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["source"]["line_start"].as_u64().unwrap() as usize)
        .collect();
    // Every utterance of the buyer, in file order: the complete record.
    assert_eq!(got, lines);
    assert!(v["case_id"].as_str().unwrap().starts_with("undated-"));
    assert!(verify(&bundle, &[&data]).status.success());
    // JDDC has no timestamps, so no session can be placed in a window.
    let o = run(wwqa()
        .arg("evidence")
        .arg(&data)
        .args(["--buyer", buyer, "--from", "2019-01-01", "--out"])
        .arg(out.path()));
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn what_a_reader_sees_is_verified_not_only_the_hashed_messages() {
    let out = tempfile::tempdir().unwrap();
    let bundle = only_bundle(&[Path::new(FIXTURE)], &LILY, out.path());
    let original = load(&bundle);
    let page = bundle.parent().unwrap().join("bundle.html");
    let original_page = std::fs::read_to_string(&page).unwrap();
    assert!(verify(&bundle, &[Path::new(FIXTURE)]).status.success());
    type Edit = fn(&mut Value);
    let edits: [(&str, Edit); 4] = [
        ("time not what the dump gives", |v| {
            v["messages"][1]["time"] = "2024-03-05 08:00:00".into()
        }),
        ("`notice` is not what the dump gives", |v| {
            v["notice"] = "本证据包已脱敏".into()
        }),
        ("`highlights` is not what the dump gives", |v| {
            let h = serde_json::json!({
                "message_index": 1, "message_id": v["messages"][1]["id"],
                "location": v["messages"][1]["location"], "code": "ABU001",
                "label": "辱骂 insult", "kind": "evidence", "status": "evidence",
                "span": {"byte_start": 0, "byte_end": 6, "char_start": 0, "char_end": 2},
                "quote": "你好"
            });
            v["highlights"].as_array_mut().unwrap().push(h);
        }),
        ("`first_time` is not what the dump gives", |v| {
            v["first_time"] = "2024-01-01 00:00:00".into()
        }),
    ];
    for (expected, edit) in edits {
        let mut v = original.clone();
        edit(&mut v);
        save(&bundle, &v);
        let o = verify(&bundle, &[Path::new(FIXTURE)]);
        assert_eq!(o.status.code(), Some(1), "{expected}: {}", stdout(&o));
        assert!(
            stdout(&o).contains("ALTERED") && stdout(&o).contains(expected),
            "{expected}: {}",
            stdout(&o)
        );
    }
    // An edit of the page alone.
    save(&bundle, &original);
    assert!(verify(&bundle, &[Path::new(FIXTURE)]).status.success());
    std::fs::write(&page, original_page.replace("谢谢", "谢谢，已退款")).unwrap();
    let o = verify(&bundle, &[Path::new(FIXTURE)]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("bundle.html: edited"), "{}", stdout(&o));
    std::fs::write(&page, &original_page).unwrap();
    // The wrong dump is not an alteration.
    let o = verify(&bundle, &[Path::new("fixtures/ingest/own.csv")]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("NO MATCHING CONVERSATION"),
        "{}",
        stdout(&o)
    );
    assert!(!stdout(&o).contains("ALTERED"), "{}", stdout(&o));
}
