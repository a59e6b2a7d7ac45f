//! `wwqa.toml`: a shop's lexicons, custom rules, latency preset, allow-list
//! and severities change what a scan finds, and a bad configuration is a
//! located error (exit 2) before any input is read.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn wwqa() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wwqa"))
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// A shop's chat in wwqa's own format: a buyer asks at 08:30 and waits five
/// minutes; the agent boasts (宇宙级爆款, a claim no bundled term knows),
/// asks for payment to the company account and names the shop's 顶级鹅绒
/// line (a product name, where the bundled `顶级` fires).
const CHAT: &str = r#"{"shop":"小棉袄旗舰店","buyer":"tb_8812","sender":"tb_8812","time":"2024-03-05 08:30:00","text":"在吗，这件羽绒服有货吗"}
{"shop":"小棉袄旗舰店","buyer":"tb_8812","sender":"小棉袄旗舰店:阿花","time":"2024-03-05 08:35:00","text":"亲，有货的，宇宙级爆款，比暖冬优选家的便宜多了"}
{"shop":"小棉袄旗舰店","buyer":"tb_8812","sender":"tb_8812","time":"2024-03-05 08:36:00","text":"能便宜点吗"}
{"shop":"小棉袄旗舰店","buyer":"tb_8812","sender":"小棉袄旗舰店:阿花","time":"2024-03-05 08:37:00","text":"您可以对公账户打款，顶级鹅绒款当天发货"}
"#;

/// A directory holding the chat and `files` (name, text).
fn workspace(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("in")).unwrap();
    std::fs::write(dir.path().join("in/chat.jsonl"), CHAT).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

/// Scan `dir/in` from `dir` (so `dir/wwqa.toml` is found), extra args.
fn scan(dir: &Path, args: &[&str]) -> (Output, PathBuf) {
    let out = dir.join("out");
    let output = wwqa()
        .current_dir(dir)
        .args(["scan", "in", "-q", "--out", "out"])
        .args(args)
        .output()
        .unwrap();
    (output, out)
}

/// `code<TAB>quote` of every finding in findings.jsonl.
fn findings(out: &Path) -> Vec<(String, String, String)> {
    read(&out.join("findings.jsonl"))
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["code"].as_str().unwrap().to_string(),
                v["quote"].as_str().unwrap().to_string(),
                v["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn codes(found: &[(String, String, String)]) -> Vec<&str> {
    found.iter().map(|(c, ..)| c.as_str()).collect()
}

#[test]
fn without_a_configuration_the_bundled_rules_judge() {
    let dir = workspace(&[]);
    let (output, out) = scan(dir.path(), &[]);
    assert!(output.status.success(), "{output:?}");
    let found = findings(&out);
    // 08:30 is inside taobao_2025's 08:00–23:00 window: the five-minute
    // wait is a 3-minute breach. 对公账户 and 宇宙级爆款 are no bundled
    // terms; 顶级 of 顶级鹅绒 is.
    assert!(codes(&found).contains(&"LAT002"), "{found:?}");
    assert!(
        found
            .iter()
            .any(|(c, q, s)| c == "SCR009" && q == "顶级" && s == "medium"),
        "{found:?}"
    );
    assert!(!found.iter().any(|(_, q, _)| q == "宇宙级爆款"));
    assert!(!codes(&found).iter().any(|c| c.starts_with("USR")));
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    assert_eq!(summary["config"]["file"], serde_json::Value::Null);
    assert_eq!(summary["config"]["latency"]["window_start"], "08:00");
    assert_eq!(summary["config"]["lexicons"].as_array().unwrap().len(), 4);
}

#[test]
fn a_shops_lexicon_custom_rule_preset_allow_list_and_severity_take_effect() {
    let dir = workspace(&[
        (
            "wwqa.toml",
            r#"
[latency]
preset = "jd"

[lexicons]
extend = ["shop.lex"]
allow = ["顶级鹅绒"]

[rules.severity]
SCR009 = "high"

[[rules.custom]]
code = "USR001"
name = "asks-for-bank-transfer"
summary = "The agent asks the buyer to pay outside Taobao by bank transfer."
severity = "high"
terms = ["对公账户", "银行转账"]
message = "agent asks for a bank transfer"
fires = ["客服: 麻烦您银行转账到我们账户"]
quiet = ["客服: 请在淘宝下单付款"]
"#,
        ),
        (
            "shop.lex",
            "[absolute_claim]\n宇宙级爆款 | note=the shop's own banned boast\n",
        ),
    ]);
    let (output, out) = scan(dir.path(), &[]);
    assert!(output.status.success(), "{output:?}");
    let found = findings(&out);
    // The shop's lexicon term fires the rule of its section; the custom
    // rule fires with its own code and severity; the allow-listed
    // product name no longer fires 顶级.
    assert!(
        found
            .iter()
            .any(|(c, q, _)| c == "SCR009" && q == "宇宙级爆款"),
        "{found:?}"
    );
    assert!(
        !found.iter().any(|(c, q, _)| c == "SCR009" && q == "顶级"),
        "{found:?}"
    );
    assert!(
        found
            .iter()
            .any(|(c, q, s)| c == "USR001" && q == "对公账户" && s == "high"),
        "{found:?}"
    );
    // jd judges by session start, 09:00–23:00: a session opened at 08:30
    // is outside the window, so its rounds are not assessed.
    assert!(!codes(&found).contains(&"LAT002"), "{found:?}");
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    let config = &summary["config"];
    assert_eq!(config["file"], "wwqa.toml");
    assert_eq!(config["latency"]["name"], "jd");
    assert_eq!(config["latency"]["window_basis"], "session_start");
    assert_eq!(config["rules"]["custom"][0], "USR001");
    assert!(config["lexicons"]
        .as_array()
        .unwrap()
        .iter()
        .any(|l| l["file"] == "shop.lex" && l["entries"] == 1));
    assert_eq!(summary["findings_by_code"]["USR001"], 1);
    // The scorecards count it, under the custom family.
    let scores = read(&out.join("scores.json"));
    assert!(scores.contains("\"USR001\":1"), "{scores}");
    assert!(scores.contains("\"custom\":1"), "{scores}");
    // The report lists it.
    let report = read(&out.join("report.html"));
    assert!(report.contains("USR001"));

    // `explain` prints the custom rule from the configuration.
    let explain = wwqa()
        .current_dir(dir.path())
        .args(["explain", "usr001"])
        .output()
        .unwrap();
    assert!(explain.status.success());
    let text = String::from_utf8(explain.stdout).unwrap();
    assert!(text.starts_with("USR001 asks-for-bank-transfer"), "{text}");
    assert!(
        text.contains("pay outside Taobao by bank transfer"),
        "{text}"
    );
    assert!(text.contains("客服: 麻烦您银行转账到我们账户"), "{text}");
    // The configured severity shows in `explain` of a built-in rule.
    let explain = wwqa()
        .current_dir(dir.path())
        .args(["explain", "SCR009"])
        .output()
        .unwrap();
    let text = String::from_utf8(explain.stdout).unwrap();
    assert!(
        text.contains("Severity: high (configured; the rule's own: medium)"),
        "{text}"
    );

    // --no-config: the bundled judgement again.
    let (output, out) = scan(dir.path(), &["--no-config"]);
    assert!(output.status.success());
    let found = findings(&out);
    assert!(!codes(&found).contains(&"USR001"));
    assert!(codes(&found).contains(&"LAT002"));
}

#[test]
fn config_show_names_where_every_value_came_from() {
    let dir = workspace(&[(
        "wwqa.toml",
        "[latency]\npreset = \"taobao_2023\"\ncap_secs = 300\n\n[rules]\nignore = [\"SCR003\"]\n",
    )]);
    let output = wwqa()
        .current_dir(dir.path())
        .args(["config", "show"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    let line = |key: &str| {
        text.lines()
            .find(|l| l.starts_with(&format!("{key} = ")))
            .unwrap_or_else(|| panic!("no {key} in\n{text}"))
            .to_string()
    };
    assert!(line("preset").contains("\"taobao_2023\""));
    assert!(
        line("preset").ends_with("wwqa.toml:2"),
        "{}",
        line("preset")
    );
    assert!(line("cap_secs").starts_with("cap_secs = 300 "));
    assert!(line("cap_secs").ends_with("wwqa.toml:3"));
    assert!(line("window_start").contains("\"09:00\""));
    assert!(line("window_start").ends_with("# bundled preset taobao_2023"));
    assert!(line("ignore").ends_with("wwqa.toml:6"));
    assert!(text.contains("# SCR003 (not selected)"));
    // A flag overrides the file and says so.
    let output = wwqa()
        .current_dir(dir.path())
        .args(["config", "show", "--no-config"])
        .output()
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("bundled defaults"));
    assert!(text
        .lines()
        .any(|l| l.starts_with("cap_secs = 600 ") && l.ends_with("# bundled")));
}

/// A bad configuration: wwqa.toml, an extra file it names, the error.
type BadCase = (
    &'static str,
    Option<(&'static str, &'static str)>,
    &'static str,
);

#[test]
fn bad_configurations_are_located_errors_before_any_input_is_read() {
    let cases: &[BadCase] = &[
        (
            "[rulez]\nselect = []\n",
            None,
            "wwqa.toml:1:2: unknown field `rulez`, expected one of `latency`, `lexicons`, `rules`, `roles`, `stage`, `report` (did you mean `rules`?)",
        ),
        (
            "[latency]\ncap_secs = \"ten\"\n",
            None,
            "wwqa.toml:2:12: cap_secs: invalid type: string \"ten\", expected i64",
        ),
        (
            "[latency]\npreset = \"jdd\"\n",
            None,
            "wwqa.toml:2:10: unknown latency preset `jdd`; did you mean `jd`?",
        ),
        (
            "[latency]\nthree_min_sec = 120\n",
            None,
            "wwqa.toml:2:17: unknown latency value `three_min_sec`; did you mean `three_min_secs`?",
        ),
        (
            "[lexicons]\nextend = [\"shop.lex\"]\n",
            Some(("shop.lex", "[competitor]\n暖冬优选\n[insullt]\n傻X\n")),
            "shop.lex:3:1: unknown category `insullt`; did you mean `insult`?",
        ),
        (
            "[lexicons]\nextend = [\"shop.lex\"]\n",
            Some(("shop.lex", "[competitor]\n暖冬优选\n[insult]\n大笨熊\n")),
            "shop.lex:4:1: `大笨熊`: insult and threat terms belong in an abuse terms file",
        ),
        (
            "[rules]\nselect = [\"SRC002\"]\n",
            None,
            "wwqa.toml:2:11: no rule code starts with `SRC002` (did you mean `SCR002`?)",
        ),
        (
            "[rules.severity]\nSCR099 = \"high\"\n",
            None,
            "wwqa.toml:2:10: unknown rule code `SCR099` in [rules.severity] (did you mean `SCR009`?)",
        ),
        (
            "[rules.options.direct_refusal]\nalternative = [\"可以\"]\n",
            None,
            "wwqa.toml:2:15: unknown key `alternative` in [rules.options.direct_refusal] (did you mean `alternatives`?)",
        ),
        (
            "[rules.options.harassment]\nnight_start = \"25:00\"\n",
            None,
            "wwqa.toml:2:15: night_start: `25:00` is not a time of day",
        ),
        (
            "[[rules.custom]]\ncode = \"USR001\"\nname = \"bank-transfer\"\nterms = [\"银行转账\"]\nfires = [\"客服: 请用支付宝付款\"]\n",
            None,
            "wwqa.toml:5:10: USR001: this `fires` example gives no finding",
        ),
        (
            "[[rules.custom]]\ncode = \"USR001\"\nname = \"bank-transfer\"\nterms = [\"转账\"]\nfires = [\"客服: 银行转账\"]\nquiet = [\"客服: 转账记录发我看看\"]\n",
            None,
            "wwqa.toml:6:10: USR001: this `quiet` example fires on 「转账」",
        ),
        (
            "[[rules.custom]]\ncode = \"SCR900\"\nname = \"x\"\nterms = [\"a\"]\nfires = [\"a\"]\n",
            None,
            "wwqa.toml:2:8: custom rule code `SCR900` must be `USR` and three digits",
        ),
    ];
    for (toml, extra, expected) in cases {
        let mut files = vec![("wwqa.toml", *toml)];
        files.extend(extra.iter().copied());
        let dir = workspace(&files);
        let (output, out) = scan(dir.path(), &[]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{toml}: {stderr}");
        assert!(
            stderr.starts_with(&format!("wwqa: {expected}")),
            "{toml}\nexpected: wwqa: {expected}\ngot: {stderr}"
        );
        // Nothing was read or written.
        assert!(!out.exists(), "{toml}: the scan ran");
        // `config check` says the same.
        let check = wwqa()
            .current_dir(dir.path())
            .args(["config", "check"])
            .output()
            .unwrap();
        assert_eq!(check.status.code(), Some(2));
        assert_eq!(String::from_utf8_lossy(&check.stderr), stderr);
    }
    // A flag naming no rule is the same error.
    let dir = workspace(&[]);
    let (output, _) = scan(dir.path(), &["--select", "SRC002"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr)
        .starts_with("wwqa: --select: no rule code starts with `SRC002` (did you mean `SCR002`?)"));
}

#[test]
fn the_example_configuration_in_docs_holds() {
    let example = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/wwqa.example.toml");
    let output = wwqa()
        .arg("--config")
        .arg(&example)
        .args(["config", "check"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("ok ("));
}

#[test]
fn roles_and_redaction_come_from_the_configuration() {
    let chat = concat!(
        r#"{"shop":"暖冬小铺","buyer":"tb_5566","sender":"tb_5566","time":"2024-03-05 10:00:00","text":"在吗，这个怎么洗"}"#,
        "\n",
        r#"{"shop":"暖冬小铺","buyer":"tb_5566","sender":"小美机器人","time":"2024-03-05 10:00:20","text":"不知道，你自己看详情页吧"}"#,
        "\n"
    );
    let dir = workspace(&[(
        "wwqa.toml",
        "[roles]\nrobot_nicks = [\"小美机器人\"]\n\n[report]\nredact = false\n",
    )]);
    std::fs::write(dir.path().join("in/chat.jsonl"), chat).unwrap();
    let (output, out) = scan(dir.path(), &[]);
    assert!(output.status.success(), "{output:?}");
    let lines = read(&out.join("findings.jsonl"));
    let dismissive: Vec<serde_json::Value> = lines
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|f| f["code"] == "SCR001")
        .collect();
    // The configured robot nick makes the reply the shop's: SCR001 reads it.
    assert!(!dismissive.is_empty(), "{lines}");
    assert!(dismissive.iter().all(|f| f["role"] == "robot"), "{lines}");
    // redact = false: the report keeps the buyer's nick.
    assert!(read(&out.join("report.html")).contains("tb_5566"));

    // Without the configuration the robot is one more buyer-side sender,
    // and the report masks the buyer.
    let (output, out) = scan(dir.path(), &["--no-config"]);
    assert!(output.status.success());
    assert!(!read(&out.join("findings.jsonl")).contains("\"SCR001\""));
    assert!(!read(&out.join("report.html")).contains("tb_5566"));
}

#[test]
fn a_shops_abuse_terms_and_allow_list_bind_abu001() {
    let chat = concat!(
        r#"{"shop":"暖冬小铺","buyer":"tb_77","sender":"tb_77","time":"2024-03-05 10:00:00","text":"大笨熊玩偶还有货吗"}"#,
        "\n",
        r#"{"shop":"暖冬小铺","buyer":"tb_77","sender":"暖冬小铺:小雪","time":"2024-03-05 10:00:30","text":"有的亲"}"#,
        "\n",
        r#"{"shop":"暖冬小铺","buyer":"tb_77","sender":"tb_77","time":"2024-03-05 10:01:00","text":"你这个大笨熊，半天不回"}"#,
        "\n"
    );
    let abu001 = |out: &Path| -> Vec<String> {
        findings(out)
            .into_iter()
            .filter(|(c, ..)| c == "ABU001")
            .map(|(_, q, _)| q)
            .collect()
    };
    // Bundled: 大笨熊 is no listed insult.
    let dir = workspace(&[]);
    std::fs::write(dir.path().join("in/chat.jsonl"), chat).unwrap();
    let (output, out) = scan(dir.path(), &[]);
    assert!(output.status.success());
    assert!(abu001(&out).is_empty());
    // The shop's term fires wherever it stands …
    let dir = workspace(&[
        (
            "wwqa.toml",
            "[lexicons]\nabuse_terms = [\"shop_abuse.txt\"]\n",
        ),
        ("shop_abuse.txt", "[insult]\n大笨熊 | aim=any\n"),
    ]);
    std::fs::write(dir.path().join("in/chat.jsonl"), chat).unwrap();
    let (output, out) = scan(dir.path(), &[]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(abu001(&out), vec!["大笨熊", "大笨熊"]);
    // … but not inside the shop's own product name.
    let dir = workspace(&[
        (
            "wwqa.toml",
            "[lexicons]\nabuse_terms = [\"shop_abuse.txt\"]\nallow = [\"大笨熊玩偶\"]\n",
        ),
        ("shop_abuse.txt", "[insult]\n大笨熊 | aim=any\n"),
    ]);
    std::fs::write(dir.path().join("in/chat.jsonl"), chat).unwrap();
    let (output, out) = scan(dir.path(), &[]);
    assert!(output.status.success());
    assert_eq!(abu001(&out), vec!["大笨熊"]);
    let summary: serde_json::Value =
        serde_json::from_str(&read(&out.join("summary.json"))).unwrap();
    let terms = summary["config"]["lexicons"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["file"] == "abuse_terms.txt")
        .unwrap()
        .clone();
    assert!(terms["entries"].as_u64().unwrap() > 600);
    // A bad line of the shop's file is located in it.
    let dir = workspace(&[
        (
            "wwqa.toml",
            "[lexicons]\nabuse_terms = [\"shop_abuse.txt\"]\n",
        ),
        ("shop_abuse.txt", "[insullt]\n大笨熊\n"),
    ]);
    let (output, _) = scan(dir.path(), &[]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.starts_with("wwqa: shop_abuse.txt:1:1: unknown section `[insullt]`"),
        "{stderr}"
    );
}
