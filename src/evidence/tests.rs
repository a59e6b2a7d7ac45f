use super::*;
use crate::finding::Span;
use std::path::Path;

const NOW: i64 = 1_710_000_000; // 2024-03-10 00:00:00 +08:00 minus a bit

fn fixture(rel: &str) -> (String, Vec<u8>) {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    (rel.to_string(), std::fs::read(&p).expect("fixture present"))
}

fn bundles_of(
    rel: &str,
    req: &EvidenceRequest,
    highlighter: &dyn Fn(&Session) -> Vec<Highlight>,
) -> Vec<Bundle> {
    let (path, bytes) = fixture(rel);
    let opts = SessionOptions::default();
    let scan = scan_file(&path, &bytes, req, &IngestOptions::default(), &opts);
    assemble(vec![scan], req, &opts, highlighter, NOW)
}

fn lily(from: Option<i64>, to: Option<i64>) -> EvidenceRequest {
    EvidenceRequest {
        buyer: "tb_lily2024".into(),
        shop: None,
        from,
        to,
    }
}

fn none(_: &Session) -> Vec<Highlight> {
    Vec::new()
}

#[test]
fn chat_window_bundle_holds_all_eleven_messages_in_file_order() {
    let bundles = bundles_of("fixtures/ingest/chat_window.txt", &lily(None, None), &none);
    assert_eq!(bundles.len(), 1);
    let b = &bundles[0];
    assert_eq!(b.shop, "得力广州专卖店");
    assert_eq!(b.buyer, "tb_lily2024");
    let lines: Vec<u32> = b.messages.iter().map(|m| m.source.line_start).collect();
    assert_eq!(lines, [1, 2, 5, 7, 11, 14, 17, 18, 20, 21, 24]);
    assert_eq!(b.messages[3].text, "有没有500ml的\n白色的");
    assert_eq!(b.messages[3].location, "fixtures/ingest/chat_window.txt:7");
    assert_eq!(b.messages[3].time.as_deref(), Some("2024-03-05 23:52:40"));
    assert_eq!(b.messages[8].role, Role::System);
    assert_eq!(b.messages[10].text, "谢谢");
    assert!(b.case_id.starts_with("20240305-"), "{}", b.case_id);
    assert!(b.unredacted);
    assert_eq!(b.platform_window.oldest_message_age_days, Some(4));
    assert_eq!(b.platform_window.within_90_days, Some(true));
    // Hashes follow the documented scheme from the recorded fields.
    let mut chain = header_hash(&b.case_id, &b.shop, &b.buyer);
    assert_eq!(to_hex(&chain), b.header_hash);
    for m in &b.messages {
        let d = message_hash(&m.fields());
        assert_eq!(to_hex(&d), m.sha256);
        chain = chain_next(&chain, &d);
        assert_eq!(to_hex(&chain), m.chain);
    }
    assert_eq!(to_hex(&chain), b.range_hash);
    let (_, bytes) = fixture("fixtures/ingest/chat_window.txt");
    assert_eq!(b.files.len(), 1);
    assert_eq!(b.files[0].sha256, to_hex(&file_hash(&bytes)));
    assert_eq!(b.files[0].bytes, bytes.len() as u64);
}

#[test]
fn json_round_trips_with_format_version_first() {
    let b = &bundles_of("fixtures/ingest/chat_window.txt", &lily(None, None), &none)[0];
    let json = b.to_json();
    assert!(
        json.starts_with("{\n  \"format_version\": 1,\n  \"generator\""),
        "{}",
        &json[..80]
    );
    let back: Bundle = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, b);
}

#[test]
fn unknown_buyer_or_shop_gives_no_case() {
    assert!(bundles_of(
        "fixtures/ingest/chat_window.txt",
        &EvidenceRequest {
            buyer: "tb_lily".into(),
            shop: None,
            from: None,
            to: None
        },
        &none
    )
    .is_empty());
    let wrong_shop = EvidenceRequest {
        shop: Some("得力旗舰店".into()),
        ..lily(None, None)
    };
    assert!(bundles_of("fixtures/ingest/chat_window.txt", &wrong_shop, &none).is_empty());
}

fn t(s: &str) -> i64 {
    parse_time_bound(s, false).unwrap()
}

#[test]
fn window_selects_whole_sessions_only() {
    let rel = "fixtures/evidence/two_sessions.txt";
    // The window cuts into both sessions of 3-5; both come whole, 3-7 does not.
    let b = bundles_of(
        rel,
        &lily(
            Some(t("2024-03-05 10:01:30")),
            Some(t("2024-03-05 15:30:30")),
        ),
        &none,
    );
    assert_eq!(b.len(), 1);
    let texts: Vec<&str> = b[0].messages.iter().map(|m| m.text.as_str()).collect();
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
    assert_eq!(b[0].sessions.len(), 2);
    assert_eq!(
        (b[0].sessions[1].first_index, b[0].sessions[1].last_index),
        (3, 4)
    );
    // jack_88's message between them belongs to another conversation.
    assert!(b[0].messages.iter().all(|m| m.sender != "jack_88"));
    // A window between sessions selects nothing.
    assert!(bundles_of(
        rel,
        &lily(Some(t("2024-03-05 11:00")), Some(t("2024-03-05 15:00"))),
        &none
    )
    .is_empty());
    let later = bundles_of(rel, &lily(Some(t("2024-03-06")), None), &none);
    let texts: Vec<&str> = later[0].messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["收到了，杯盖是坏的", "亲，麻烦拍张照片给我们看看"]);
    let all = bundles_of(rel, &lily(None, None), &none);
    assert_eq!(all[0].messages.len(), 7);
    assert_ne!(all[0].case_id, later[0].case_id);
}

#[test]
fn time_bounds_parse_in_shanghai_time() {
    assert_eq!(format_time(t("2024-03-05")), "2024-03-05 00:00:00");
    assert_eq!(
        format_time(parse_time_bound("2024-03-05", true).unwrap()),
        "2024-03-05 23:59:59"
    );
    assert_eq!(format_time(t("2024-03-05 9:05")), "2024-03-05 09:05:00");
    assert_eq!(
        format_time(t(" 2024-03-05 23:50:12 ")),
        "2024-03-05 23:50:12"
    );
    assert!(parse_time_bound("2024-02-30", false).is_err());
    assert!(parse_time_bound("昨天", false).is_err());
}

#[test]
fn untimed_sessions_only_join_requests_without_a_window() {
    let session = Session {
        id: "s".into(),
        conversation: crate::model::ConversationKey {
            shop: "店".into(),
            buyer: "b".into(),
        },
        start: None,
        end: None,
        agents: Vec::new(),
        transfers: Vec::new(),
        messages: Vec::new(),
    };
    assert!(overlaps(&session, None, None));
    assert!(!overlaps(&session, Some(0), None));
    assert!(!overlaps(&session, None, Some(0)));
}

#[test]
fn highlights_are_placed_labelled_and_bad_ones_dropped() {
    let highlighter = |s: &Session| -> Vec<Highlight> {
        let mut out = Vec::new();
        for m in &s.messages {
            if let Some(pos) = m.text.find("补发") {
                out.push(Highlight {
                    message_id: m.id.clone(),
                    span: Span::from_bytes(&m.text, pos, pos + "补发".len()),
                    code: "ABU050".into(),
                    label: "承诺".into(),
                    kind: HighlightKind::Evidence,
                });
            }
            if m.text == "谢谢" {
                out.push(Highlight {
                    message_id: m.id.clone(),
                    span: Span::whole(&m.text),
                    code: "ABU900".into(),
                    label: "模型".into(),
                    kind: HighlightKind::Candidate,
                });
                // Off a char boundary and past the end: dropped.
                out.push(Highlight {
                    message_id: m.id.clone(),
                    span: Span {
                        char_start: 0,
                        char_end: 9,
                        byte_start: 1,
                        byte_end: 99,
                    },
                    code: "BAD".into(),
                    label: "bad".into(),
                    kind: HighlightKind::Evidence,
                });
            }
        }
        out.push(Highlight {
            message_id: "no-such-message".into(),
            span: Span {
                char_start: 0,
                char_end: 1,
                byte_start: 0,
                byte_end: 1,
            },
            code: "BAD".into(),
            label: "bad".into(),
            kind: HighlightKind::Evidence,
        });
        out
    };
    let b = &bundles_of(
        "fixtures/ingest/chat_window.txt",
        &lily(None, None),
        &highlighter,
    )[0];
    assert_eq!(b.highlights.len(), 2);
    let h = &b.highlights[0];
    assert_eq!(
        (h.message_index, h.quote.as_str(), h.status.as_str()),
        (9, "补发", "evidence")
    );
    assert_eq!(h.location, "fixtures/ingest/chat_window.txt:21");
    assert_eq!(
        h.span.char_start,
        "亲，图片收到了，这个是杯盖的密封圈，可以单独"
            .chars()
            .count()
    );
    let c = &b.highlights[1];
    assert_eq!(
        (c.message_index, c.quote.as_str(), c.status.as_str()),
        (10, "谢谢", CANDIDATE_STATUS)
    );
    let json = b.to_json();
    assert!(json.contains("\"status\": \"candidate for review, not evidence\""));
    let html = render_html(b);
    assert!(html.contains("<mark class=\"evidence\" title=\"ABU050 承诺 (evidence)\">补发</mark>"));
    assert!(html.contains("<mark class=\"candidate\" title=\"ABU900 模型 (candidate for review, not evidence)\">谢谢</mark>"));
}

#[test]
fn html_is_self_contained_and_carries_every_text_and_hash() {
    let b = &bundles_of("fixtures/ingest/chat_window.txt", &lily(None, None), &none)[0];
    let html = render_html(b);
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("@media print"));
    assert!(!html.contains("http-equiv") && !html.contains("<script") && !html.contains("<link"));
    // The only URL is the buyer's own product link, as text.
    assert!(!html.contains("src="));
    for m in &b.messages {
        assert!(html.contains(&render_escaped(&m.text)), "{}", m.text);
        assert!(html.contains(&m.sha256) && html.contains(&m.chain));
        assert!(html.contains(&m.location));
    }
    assert!(html.contains(&b.range_hash) && html.contains(&b.files[0].sha256));
    assert!(html.contains("原文未脱敏"));
}

fn render_escaped(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

// ---- verify ----

struct Dump {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

fn dump_copy(rel: &str) -> Dump {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("chat.txt");
    std::fs::write(&path, fixture(rel).1).unwrap();
    Dump { _dir: dir, path }
}

fn build(d: &Dump, req: &EvidenceRequest) -> Bundle {
    let mut b = build_bundles(
        std::slice::from_ref(&d.path),
        req,
        &IngestOptions::default(),
        &SessionOptions::default(),
        &none,
    )
    .unwrap();
    assert_eq!(b.len(), 1);
    b.remove(0)
}

fn check(b: &Bundle, d: &Dump) -> VerifyReport {
    verify(b, std::slice::from_ref(&d.path), &IngestOptions::default())
}

/// Recompute every hash of an edited bundle, as a careful forger would.
fn reseal(b: &mut Bundle) {
    let mut chain = header_hash(&b.case_id, &b.shop, &b.buyer);
    for (i, m) in b.messages.iter_mut().enumerate() {
        m.index = i;
        let d = message_hash(&m.fields());
        m.sha256 = to_hex(&d);
        chain = chain_next(&chain, &d);
        m.chain = to_hex(&chain);
    }
    b.range_hash = to_hex(&chain);
}

#[test]
fn untouched_bundle_verifies() {
    let d = dump_copy("fixtures/ingest/chat_window.txt");
    let b = build(&d, &lily(None, None));
    let r = check(&b, &d);
    assert!(r.ok, "{r}");
    assert_eq!(r.messages_checked, 11);
    // A copy elsewhere with the same file name is matched by name.
    let other = dump_copy("fixtures/ingest/chat_window.txt");
    assert!(check(&b, &other).ok);
}

#[test]
fn edited_text_in_the_bundle_is_named() {
    let d = dump_copy("fixtures/ingest/chat_window.txt");
    let mut b = build(&d, &lily(None, None));
    b.messages[4].text = "亲，500ml白色没货了".into();
    let r = check(&b, &d);
    assert!(!r.ok);
    let diff = r.first_difference.unwrap();
    assert_eq!(diff.index, 4);
    assert_eq!(diff.location, format!("{}:11", d.path.display()));
    assert!(
        diff.what.starts_with("text differs from the dump"),
        "{}",
        diff.what
    );
    assert!(diff.what.contains("bundle.json edited"), "{}", diff.what);
    // Resealed hashes do not help: the dump still disagrees.
    reseal(&mut b);
    let r = check(&b, &d);
    let diff = r.first_difference.unwrap();
    assert_eq!(
        (diff.index, diff.what.starts_with("text differs")),
        (4, true),
        "{}",
        diff.what
    );
    assert!(!diff.what.contains("bundle.json edited"));
    assert!(r.problems.iter().any(|p| p.contains("range_hash")));
}

#[test]
fn a_removed_or_inserted_message_is_named() {
    let d = dump_copy("fixtures/ingest/chat_window.txt");
    let b = build(&d, &lily(None, None));
    let mut removed = b.clone();
    let gone = removed.messages.remove(6);
    let r = check(&removed, &d);
    let diff = r.first_difference.unwrap();
    assert_eq!(
        (diff.index, diff.message_id.as_str()),
        (6, gone.id.as_str())
    );
    assert!(
        diff.what.starts_with("missing from the bundle"),
        "{}",
        diff.what
    );
    reseal(&mut removed);
    let diff = check(&removed, &d).first_difference.unwrap();
    assert_eq!(
        (diff.index, diff.location.as_str()),
        (6, gone.location.as_str())
    );

    let mut inserted = b.clone();
    let mut fake = inserted.messages[2].clone();
    fake.text = "好的，那我不要了".into();
    fake.source.line_start = 900;
    fake.source.line_end = 900;
    fake.location = format!("{}:900", d.path.display());
    inserted.messages.insert(3, fake);
    reseal(&mut inserted);
    let diff = check(&inserted, &d).first_difference.unwrap();
    assert_eq!(diff.index, 3);
    assert!(diff.what.starts_with("not in the dump"), "{}", diff.what);
    assert!(diff.location.ends_with(":900"));
}

#[test]
fn an_edited_dump_names_the_message_and_the_file() {
    let d = dump_copy("fixtures/ingest/chat_window.txt");
    let b = build(&d, &lily(None, None));
    let text = std::fs::read_to_string(&d.path).unwrap();
    // Same byte length: 有 → 没.
    std::fs::write(
        &d.path,
        text.replace("500ml白色现货有的哦", "500ml白色现货没的哦"),
    )
    .unwrap();
    let r = check(&b, &d);
    assert!(!r.ok);
    let diff = r.first_difference.unwrap();
    assert_eq!(diff.index, 4);
    assert!(diff.location.ends_with(":11"));
    assert!(diff.what.starts_with("text differs"), "{}", diff.what);
    assert_eq!(r.file_mismatches.len(), 1);
    assert!(r.file_mismatches[0].what.contains("the file changed"));
}

#[test]
fn missing_files_and_a_wrong_window_fail() {
    let d = dump_copy("fixtures/ingest/chat_window.txt");
    let b = build(&d, &lily(None, None));
    let r = verify(&b, &[], &IngestOptions::default());
    assert!(!r.ok);
    assert_eq!(
        r.file_mismatches[0].what,
        "not among the files given to check against"
    );
    // No file holds the conversation: the wrong files, not an alteration.
    assert!(r.no_match);
    assert!(r.first_difference.is_none());
    assert!(r.to_string().starts_with("NO MATCHING CONVERSATION"), "{r}");
    // A bundle claiming a wider window than its messages cover is incomplete.
    let d = dump_copy("fixtures/evidence/two_sessions.txt");
    let mut b = build(&d, &lily(None, Some(t("2024-03-05 12:00"))));
    assert_eq!(b.messages.len(), 3);
    assert!(check(&b, &d).ok);
    b.request.to = None;
    let diff = check(&b, &d).first_difference.unwrap();
    assert_eq!(diff.index, 3);
    assert!(diff.location.ends_with(":11"), "{}", diff.location);
    assert!(
        diff.what.starts_with("missing from the bundle"),
        "{}",
        diff.what
    );
}
