//! Every text rule alone on its fixture `fixtures/rules/<CODE>.jsonl`:
//! sessions named `fires-N` (or `fires-N-suffix`) must give exactly N findings of that code,
//! sessions named `quiet-*` (look-alikes) none. Every finding's span,
//! sliced out of the original message text, must equal its quote.

use wwqa::analyze::Analyzers;
use wwqa::ingest::{ingest_bytes, Format, IngestOptions};
use wwqa::rules::{Selection, RULES};
use wwqa::session::{sessionize, SessionOptions};

fn run_alone(code: &str) -> Vec<(String, Vec<wwqa::finding::Finding>, wwqa::model::Session)> {
    let path = format!("{}/fixtures/rules/{code}.jsonl", env!("CARGO_MANIFEST_DIR"));
    let bytes =
        std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e} (every rule needs a fixture)"));
    let opts = IngestOptions {
        format: Some(Format::Jsonl),
        ..IngestOptions::default()
    };
    let parsed = ingest_bytes(&path, &bytes, &opts);
    assert!(parsed.rejects.is_empty(), "{path}: {:?}", parsed.rejects);
    let mut analyzers = Analyzers::bundled().unwrap();
    analyzers.selection = Selection {
        select: vec![code.to_string()],
        ignore: vec![],
    };
    sessionize(parsed.messages, &SessionOptions::default())
        .into_iter()
        .map(|s| {
            let a = analyzers.analyze_session(&s);
            (s.id.clone(), a.findings, s)
        })
        .collect()
}

#[test]
fn every_text_rule_fires_on_its_fixture_and_stays_quiet_on_look_alikes() {
    let mut failures = Vec::new();
    for rule in RULES
        .iter()
        .filter(|r| matches!(r.check, wwqa::rules::registry::Check::Text(_)))
    {
        let code = rule.meta.code;
        let sessions = run_alone(code);
        assert!(
            sessions.iter().any(|(id, ..)| id.starts_with("fires")),
            "{code}: no firing case"
        );
        assert!(
            sessions.iter().any(|(id, ..)| id.starts_with("quiet")),
            "{code}: no quiet case"
        );
        for (id, findings, session) in &sessions {
            assert!(
                findings.iter().all(|f| f.code == code),
                "{code}: other codes ran"
            );
            let expected: usize = id
                .strip_prefix("fires-")
                .map_or(0, |n| n.split('-').next().unwrap_or("").parse().unwrap());
            if findings.len() != expected {
                failures.push(format!(
                    "{code} {id}: expected {expected}, got {}: {:?}",
                    findings.len(),
                    findings
                        .iter()
                        .map(|f| f.message.clone())
                        .collect::<Vec<_>>()
                ));
            }
            for f in findings {
                let m = session
                    .messages
                    .iter()
                    .find(|m| m.id == f.message_id)
                    .unwrap();
                assert_eq!(
                    &m.text[f.span.byte_start..f.span.byte_end],
                    f.quote,
                    "{code}: byte span"
                );
                let by_chars: String = m
                    .text
                    .chars()
                    .skip(f.span.char_start)
                    .take(f.span.char_end - f.span.char_start)
                    .collect();
                assert_eq!(by_chars, f.quote, "{code}: char span");
                assert_eq!(f.location, m.source.location());
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_is_documented_with_examples() {
    let all = wwqa::rules::registry();
    assert!(all.len() >= 25);
    let mut codes: Vec<&str> = all.iter().map(|m| m.code).collect();
    codes.dedup();
    assert_eq!(codes.len(), all.len(), "codes are unique");
    for m in all {
        for (what, text) in [
            ("summary", m.summary),
            ("rationale", m.rationale),
            ("options", m.options),
            ("fires", m.fires),
            ("quiet", m.quiet),
        ] {
            assert!(!text.trim().is_empty(), "{}: empty {what}", m.code);
        }
        let explained = wwqa::rules::explain(m);
        assert!(explained.contains("## Example (fires)") && explained.contains(m.code));
    }
}

#[test]
fn the_same_reply_on_one_day_across_sessions_fires_once_at_the_threshold() {
    let mut jsonl = String::new();
    for i in 0..31 {
        for (sender, role, second, text) in [
            (format!("tb_{i}"), "buyer", 0, "退款什么时候到"),
            (
                "花花旗舰店:小美".to_string(),
                "agent",
                30,
                "这个问题已经为您反馈了请耐心等待处理结果",
            ),
        ] {
            jsonl.push_str(&format!(
                "{{\"shop\":\"花花旗舰店\",\"buyer\":\"tb_{i}\",\"sender\":\"{sender}\",\"role\":\"{role}\",\"time\":\"2026-10-12 {:02}:{:02}:{second:02}\",\"text\":\"{text}\"}}\n",
                9 + i / 60,
                i % 60
            ));
        }
    }
    let opts = IngestOptions {
        format: Some(Format::Jsonl),
        ..IngestOptions::default()
    };
    let parsed = ingest_bytes("day.jsonl", jsonl.as_bytes(), &opts);
    let sessions = sessionize(parsed.messages, &SessionOptions { gap_secs: 30 });
    assert_eq!(sessions.len(), 31);
    let mut analyzers = Analyzers::bundled().unwrap();
    analyzers.selection = Selection {
        select: vec!["SCR004".into()],
        ignore: vec![],
    };
    let file = analyzers.analyze_file(&sessions);
    let findings: Vec<serde_json::Value> = file
        .findings_jsonl
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(findings.len(), 1, "one finding, at the 30th repetition");
    assert_eq!(findings[0]["buyer"], "tb_29");
    assert!(findings[0]["message"]
        .as_str()
        .unwrap()
        .contains("30 times"));
}
