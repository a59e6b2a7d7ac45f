//! Ingest tests on the bundled fixtures: exact messages, roles, kinds and
//! the line accounting of every format and encoding.

use super::*;
use crate::model::{format_time, MessageKind, RobotMode, Role};

fn ingest_fixture(rel: &str) -> ParsedFile {
    let path = format!("{}/fixtures/{rel}", env!("CARGO_MANIFEST_DIR"));
    let bytes = std::fs::read(&path).expect("fixture exists");
    let parsed = ingest_bytes(rel, &bytes, &IngestOptions::default());
    let r = &parsed.report;
    assert_eq!(
        r.lines_read,
        r.lines_used + r.lines_noise + r.lines_rejected,
        "{rel}: every line accounted for"
    );
    assert_eq!(r.lines_rejected as usize, parsed.rejects.len());
    parsed
}

fn summary(p: &ParsedFile) -> Vec<String> {
    p.messages
        .iter()
        .map(|m| {
            let m = &m.message;
            format!(
                "{} {} {:?}{} {} [{}] {}",
                m.time.map(format_time).unwrap_or_else(|| "-".into()),
                m.sender,
                m.role,
                m.robot_mode.map(|r| format!("/{r:?}")).unwrap_or_default(),
                m.kind.name(),
                m.conversation.buyer,
                m.text.replace('\n', "⏎")
            )
        })
        .collect()
}

#[test]
fn chat_window_text_with_every_edge_case() {
    let p = ingest_fixture("ingest/chat_window.txt");
    assert_eq!(p.report.format, Some(Format::QianniuText));
    assert_eq!(p.report.encoding, Some(Encoding::Utf8));
    assert_eq!(
        summary(&p),
        vec![
            "- (system) System entry_notice [tb_lily2024] 当前用户来自 淘宝移动端 宝贝详情页",
            "2024-03-05 23:50:12 tb_lily2024 Buyer text [tb_lily2024] 你好，这款保温杯还有货吗？⏎http://item.taobao.com/item.htm?id=1011758423155",
            "2024-03-05 23:50:12 得力广州专卖店:小迪 Robot/Auto text [tb_lily2024] [自动回复]您好，欢迎光临得力广州专卖店，客服稍后为您服务～",
            "2024-03-05 23:52:40 tb_lily2024 Buyer text [tb_lily2024] 有没有500ml的⏎白色的",
            "2024-03-05 23:54:05 得力广州专卖店:小迪 Agent text [tb_lily2024] 亲，500ml白色现货有的哦⏎今天下单明天发货",
            "2024-03-06 00:01:30 tb_lily2024 Buyer text [tb_lily2024] 好的，我看看⏎[图片]",
            "- tb_lily2024 System recall [tb_lily2024] tb_lily2024 撤回了一条消息",
            "2024-03-06 00:02:10 tb_lily2024 Buyer image [tb_lily2024] [图片]",
            "- (system) System transfer [tb_lily2024] 由 得力广州专卖店:小迪 转交给 得力广州专卖店:售后小王",
            "2024-03-06 00:05:00 得力广州专卖店:售后小王 Agent order_card [tb_lily2024] 亲，图片收到了，这个是杯盖的密封圈，可以单独补发给您⏎订单号：3456789012345678",
            "2024-03-06 00:06:31 tb_lily2024 Buyer text [tb_lily2024] 谢谢",
        ]
    );
    assert_eq!(p.messages[1].message.conversation.shop, "得力广州专卖店");
    // One read receipt is noise; nothing rejected.
    assert_eq!((p.report.lines_noise, p.report.lines_rejected), (1, 0));
    let m = &p.messages[3].message;
    assert_eq!((m.source.line_start, m.source.line_end), (7, 9));
}

#[test]
fn gbk_crlf_nick_line_then_time_line() {
    let p = ingest_fixture("ingest/chat_window_b_gbk.txt");
    assert_eq!(p.report.encoding, Some(Encoding::Gb18030));
    assert_eq!(p.report.line_ending, Some(decode::LineEnding::Crlf));
    assert_eq!(p.messages.len(), 5);
    assert_eq!(p.report.lines_rejected, 0);
    let s = summary(&p);
    assert_eq!(s[2], "2024-03-07 10:18:10 花花旗舰店:阿美 Agent text [tb_buyer88] 亲，不好意思久等了，今天下午4点前发出");
}

#[test]
fn utf16_desktop_export_blocks_set_the_buyer() {
    let p = ingest_fixture("ingest/desktop_export_utf16le.txt");
    assert_eq!(p.report.encoding, Some(Encoding::Utf16Le));
    assert_eq!(p.report.format, Some(Format::QianniuText));
    assert_eq!(p.report.lines_rejected, 0);
    let s = summary(&p);
    assert_eq!(
        s,
        vec![
            "2024-03-08 09:05:01 tb_mike77 Buyer text [tb_mike77] 这个充电宝能带上飞机吗",
            "2024-03-08 09:05:40 数码小铺:客服一号 Agent text [tb_mike77] 可以的亲，10000mAh符合民航规定",
            "2024-03-08 09:06:10 tb_mike77 Buyer order_card [tb_mike77] 好，拍了⏎订单号：2024030812345678",
            "2024-03-08 13:15:00 tb_anna Buyer text [tb_anna] 收到货了，有点问题",
            "2024-03-08 13:16:20 数码小铺:客服一号 Robot/Auto text [tb_anna] [自动回复]亲，客服正在赶来的路上",
            "2024-03-08 13:19:45 数码小铺:客服一号 Agent text [tb_anna] 亲，您说，什么问题呢",
        ]
    );
}

#[test]
fn web_query_page() {
    let p = ingest_fixture("ingest/web_query_bom.txt");
    assert_eq!(p.report.format, Some(Format::QianniuWeb));
    assert_eq!(p.report.encoding, Some(Encoding::Utf8Bom));
    assert_eq!(p.report.lines_rejected, 0);
    assert_eq!(
        summary(&p),
        vec![
            "2024-03-09 20:57:11 得力广州专卖店:小迪 Agent text [tb89465677xx] 请在客户端查看原始聊天记录，网页版无法展示",
            "2024-03-09 20:57:13 tb89465677xx Buyer product_card [tb89465677xx] http://item.taobao.com/item.htm?id=1011758423155",
            "2024-03-09 20:58:02 tb89465677xx Buyer text [tb89465677xx] 这个笔芯是0.5的吗⏎有没有蓝色",
            "2024-03-09 20:59:30 得力广州专卖店:小迪 Agent text [tb89465677xx] 亲，是0.5mm的，蓝色黑色红色都有",
        ]
    );
}

#[test]
fn api_json_document_and_lines() {
    let p = ingest_fixture("ingest/api_chatlog.json");
    assert_eq!(p.report.format, Some(Format::ApiJson));
    assert_eq!(p.report.lines_rejected, 0);
    let s = summary(&p);
    assert_eq!(s.len(), 4);
    assert_eq!(s[1], "2024-03-10 14:00:00 花花旗舰店:阿美 Robot/Auto text [tb_rose] [自动回复]亲，您好，客服马上就来");
    let last = &p.messages[3].message;
    assert_eq!((last.source.line_start, last.source.line_end), (12, 16));

    let p = ingest_fixture("ingest/api_chatlog.jsonl");
    assert_eq!(p.messages.len(), 4);
    assert_eq!(p.rejects.len(), 0);
    let p2 = ingest_fixture("bad/api_error.jsonl");
    assert_eq!(p2.rejects.len(), 1);
    assert_eq!(p2.rejects[0].line, 1);
    assert!(
        p2.rejects[0].reason.contains("ret=50000"),
        "{}",
        p2.rejects[0].reason
    );
    assert_eq!(
        format_time(p.messages[3].message.time.unwrap()),
        "2024-03-11 10:01:00"
    );
    assert_ne!(
        p.messages[0].message.id, p.messages[1].message.id,
        "messages on one line get distinct ids"
    );
}

#[test]
fn own_formats() {
    let p = ingest_fixture("ingest/own.jsonl");
    assert_eq!(p.report.format, Some(Format::Jsonl));
    assert_eq!(p.messages[2].message.robot_mode, Some(RobotMode::Assist));
    let p = ingest_fixture("ingest/own.csv");
    assert_eq!(p.report.format, Some(Format::Csv));
    assert_eq!(p.report.lines_rejected, 0);
    assert_eq!(
        p.messages[0].message.text,
        "收到了，但是少发了一件\n腰带没有"
    );
    assert_eq!(p.messages[0].message.role, Role::Buyer);
    assert_eq!(
        (
            p.messages[0].message.source.line_start,
            p.messages[0].message.source.line_end
        ),
        (2, 3)
    );
    assert_eq!(p.messages[1].message.source.line_start, 4);
}

#[test]
fn unknown_field_in_own_jsonl_is_rejected_with_suggestion() {
    let bytes = "{\"shop\":\"s\",\"buyer\":\"b\",\"sender\":\"b\",\"text\":\"在吗\",\"tmie\":\"2024-03-12 11:00:00\"}\n";
    let opts = IngestOptions {
        format: Some(Format::Jsonl),
        ..IngestOptions::default()
    };
    let p = ingest_bytes("x.jsonl", bytes.as_bytes(), &opts);
    assert_eq!(p.rejects.len(), 1);
    assert!(
        p.rejects[0].reason.contains("did you mean `time`"),
        "{}",
        p.rejects[0].reason
    );
}

#[test]
fn jddc_rows() {
    let p = ingest_fixture("ingest/jddc_like.tsv");
    assert_eq!(p.report.format, Some(Format::Jddc));
    assert_eq!(p.messages.len(), 5);
    assert!(p.messages.iter().all(|m| m.message.time.is_none()));
    assert_eq!(p.messages[2].message.kind, MessageKind::OrderCard);
    assert_eq!(p.messages[3].session_hint.as_deref(), Some("b0002"));
}

#[test]
fn garbage_absurd_and_truncated_lines_are_rejected_with_reasons() {
    let p = ingest_fixture("bad/garbage_and_absurd.txt");
    let rejected: Vec<(u32, &str)> = p
        .rejects
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(rejected.len(), 6, "{rejected:#?}");
    assert_eq!(rejected[0].0, 3);
    assert!(
        rejected[0].1.contains("U+0000") || rejected[0].1.contains("UTF-8"),
        "{}",
        rejected[0].1
    );
    assert_eq!(rejected[1].0, 6);
    assert!(rejected[1].1.contains("impossible timestamp"));
    assert_eq!(rejected[2].0, 7);
    assert!(rejected[2].1.contains("line 6"));
    assert!(rejected[3].1.contains("absurd timestamp"));
    // The truncated last header is content of the rejected 1999 message.
    assert_eq!(rejected[5].0, 10);
    assert!(rejected[5].1.contains("line 8"));
    assert_eq!(p.messages.len(), 2);
    assert!(p.warnings.iter().any(|w| w.message.contains("truncated")));
}

#[test]
fn orphans_rejected_and_backwards_time_warned() {
    let p = ingest_fixture("bad/orphan_and_backwards.txt");
    assert_eq!(p.rejects.len(), 1);
    assert_eq!(p.rejects[0].line, 1);
    assert_eq!(p.messages.len(), 2);
    assert!(p
        .warnings
        .iter()
        .any(|w| w.line == 4 && w.message.contains("goes back 3600 s")));
}

#[test]
fn truncated_json_and_unknown_format_reject_every_line() {
    let p = ingest_fixture("bad/truncated.json");
    assert_eq!(p.messages.len(), 0);
    assert!(p.rejects[0].reason.contains("invalid JSON document"));
    // Nine lines with text rejected; the cut-off indentation is blank noise.
    assert_eq!(
        (
            p.report.lines_rejected,
            p.report.lines_noise,
            p.report.lines_used
        ),
        (9, 1, 0)
    );
    let p = ingest_fixture("bad/unknown_format.txt");
    assert_eq!(p.report.format, None);
    assert_eq!(p.report.lines_rejected, 2);
}

#[test]
fn message_ids_are_the_stable_ids_of_path_line_and_ordinal() {
    for path in ["a.txt", "dump/店铺/买家 2024.txt", &"x".repeat(300)] {
        let source = SourceRef {
            path: Arc::from(path),
            line_start: 70_001,
            line_end: 70_002,
            byte_start: 0,
            byte_end: 1,
        };
        for ordinal in [0u64, 1, 1 << 40] {
            let expected = crate::model::stable_id(&[
                path.as_bytes(),
                &source.line_start.to_le_bytes(),
                &ordinal.to_le_bytes(),
            ]);
            assert_eq!(message_id(&source, ordinal), expected);
        }
    }
}

#[test]
fn plain_timestamps_read_as_the_general_reader_does() {
    let options = IngestOptions::default();
    for (date, time) in [
        ("2024-3-5", "9:03:07"),
        ("2024/03/05", "23:59"),
        ("2024.3.5", "0:0:0"),
        ("2024-2-30", "9:03:07"),
        ("2024-3-5", "24:00:00"),
        ("2024-3-5", "9:03:07:11"),
        ("2024-3-5-1", "9:03:07"),
        ("2024--5", "9:03:07"),
        ("1999999999-3-5", "9:03:07"),
        ("9999999999-3-5", "9:03:07"),
        ("2024-3- 5", "+9:03:07"),
        ("1990-3-5", "9:03:07"),
    ] {
        // The shortcut reads a spelling the way the general reader does,
        // or leaves it to it.
        if let Some(plain) = plain_time_fields(date, time) {
            assert_eq!(Ok(plain), time_fields(date, time), "{date} {time}");
        }
    }
    assert!(parse_local_time("2024-3-5", "9:03:07", &options).is_ok());
    // The day cache gives what the reader gives, in any order of reads.
    let mut times = LocalTimes::default();
    for (date, time) in [
        ("2024-3-5", "9:03:07"),
        ("2024-3-5", "23:59:59"),
        ("2024-3-5", "24:00:00"),
        ("2024-3-5", "9:60"),
        ("2024-3-5", "0:00"),
        ("2024-3-6", "0:00:01"),
        ("2024-03-06", "7:00:00"),
        ("2024-3-6", " 7:00:00"),
        ("2024-2-30", "9:03:07"),
        ("1990-3-5", "9:03:07"),
        ("1990-3-5", "9:03:08"),
        ("2099-3-5", "9:03:07"),
    ] {
        assert_eq!(
            times.parse(date, time, &options),
            parse_local_time(date, time, &options),
            "{date} {time}"
        );
    }
    assert!(parse_local_time("2024-2-30", "9:03:07", &options).is_err());
}

#[test]
fn backwards_time_is_judged_per_conversation_across_runs() {
    let text = "tbA 2024-3-5 10:00:00\n在吗\ntbB 2024-3-5 9:00:00\n你好\n\
                tbA 2024-3-5 9:30:00\n还在吗\ntbB 2024-3-5 8:00:00\n嗯\n\
                tbA 2024-3-5 10:00:30\n好\n";
    let p = ingest_bytes("t.txt", text.as_bytes(), &IngestOptions::default());
    let warned: Vec<(u32, &str)> = p
        .warnings
        .iter()
        .map(|w| (w.line, w.message.as_str()))
        .collect();
    assert_eq!(warned.len(), 2, "{warned:?}");
    assert!(
        warned[0].0 == 5 && warned[0].1.contains("goes back 1800 s"),
        "{warned:?}"
    );
    assert!(
        warned[1].0 == 7 && warned[1].1.contains("goes back 3600 s"),
        "{warned:?}"
    );
}

fn ingest_text(name: &str, text: &str) -> ParsedFile {
    let p = ingest_bytes(name, text.as_bytes(), &IngestOptions::default());
    let r = &p.report;
    assert_eq!(
        r.lines_read,
        r.lines_used + r.lines_noise + r.lines_rejected
    );
    p
}

#[test]
fn control_characters_given_as_json_escapes_are_rejected_like_raw_ones() {
    let text = concat!(
        r#"{"shop":"花花旗舰店","buyer":"tb_a1","sender":"tb_a1","text":"在吗\u001b[2J\u0007","time":"2024-03-12 11:00:00"}"#,
        "\n",
        r#"{"shop":"花花旗舰店","buyer":"tb_a1","sender":"tb_a1\u0000","text":"有货吗","time":"2024-03-12 11:00:05"}"#,
        "\n",
        r#"{"shop":"花花旗舰店","buyer":"tb_a1","sender":"tb_a1","text":"两行\n文字\t好","time":"2024-03-12 11:00:09"}"#,
        "\n",
    );
    let p = ingest_text("x.jsonl", text);
    assert_eq!(p.report.format, Some(Format::Jsonl));
    let reasons: Vec<(u32, &str)> = p
        .rejects
        .iter()
        .map(|r| (r.line, r.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            (1, "control character U+001B in field `text`"),
            (2, "control character U+0000 in field `sender`")
        ]
    );
    assert_eq!(p.messages.len(), 1);
    assert_eq!(p.messages[0].message.text, "两行\n文字\t好");
    let api = concat!(
        r#"{"from_id":"cntaobao花花旗舰店:小美","to_id":"cntaobaotb_a1","msgs":[{"direction":1,"time":"2024-03-12 11:00:00","content":"退款\u001b]0;pwned\u0007"}]}"#,
        "\n"
    );
    let p = ingest_text("x.json", api);
    assert_eq!(p.report.format, Some(Format::ApiJson));
    assert!(p.messages.is_empty());
    assert_eq!(
        p.rejects[0].reason,
        "control character U+001B in field `content`"
    );
}

#[test]
fn an_empty_shop_nick_is_rejected_not_charged_to_an_empty_account() {
    let text = concat!(
        r#"{"shop":"","buyer":"tb_a1","sender":"tb_a1","text":"在吗","time":"2024-03-12 11:00:00"}"#,
        "\n",
        r#"{"shop":"花花旗舰店","buyer":" ","sender":"tb_a1","text":"在吗","time":"2024-03-12 11:00:00"}"#,
        "\n",
    );
    let p = ingest_text("x.jsonl", text);
    let reasons: Vec<&str> = p.rejects.iter().map(|r| r.reason.as_str()).collect();
    assert_eq!(reasons, ["empty `shop` nick", "empty `buyer` nick"]);
    assert!(p.messages.is_empty());
}

#[test]
fn an_unterminated_csv_quote_is_rejected_and_does_not_swallow_later_rows() {
    let text = concat!(
        "shop,buyer,sender,time,role,text\n",
        "花花旗舰店,tb_yi,tb_yi,2024-03-12 15:00:00,,\"收到了，但是少发了一件\n",
        "花花旗舰店,tb_yi,花花旗舰店:阿美,2024-03-12 15:04:00,agent,亲，抱歉，马上给您补发\n",
        "花花旗舰店,tb_yi,tb_yi,2024-03-12 15:05:00,,好的谢谢\n",
    );
    let p = ingest_text("x.csv", text);
    assert_eq!(p.report.format, Some(Format::Csv));
    assert_eq!(p.rejects.len(), 1);
    assert_eq!(p.rejects[0].line, 2);
    assert!(
        p.rejects[0].reason.contains("never closed"),
        "{}",
        p.rejects[0].reason
    );
    let texts: Vec<&str> = p.messages.iter().map(|m| m.message.text.as_str()).collect();
    assert_eq!(texts, ["亲，抱歉，马上给您补发", "好的谢谢"]);
    assert_eq!(p.messages[0].message.source.line_start, 3);
}

#[test]
fn a_csv_quote_running_past_the_line_limit_is_rejected_and_rows_recovered() {
    let mut text = String::from("shop,buyer,sender,text\n花花旗舰店,tb_yi,tb_yi,\"开头\n");
    for i in 0..records::MAX_CSV_RECORD_LINES {
        text.push_str(&format!("花花旗舰店,tb_yi,tb_yi,第{i}行\n"));
    }
    text.push_str("花花旗舰店,tb_yi,tb_yi,\"结尾\"\n");
    let p = ingest_text("x.csv", &text);
    assert_eq!(p.rejects.len(), 1, "{:?}", p.rejects);
    assert_eq!(p.rejects[0].line, 2);
    assert_eq!(p.messages.len(), records::MAX_CSV_RECORD_LINES + 1);
    // A quoted multi-line text within the limit stays one message.
    let ok = "shop,buyer,sender,text\n花花旗舰店,tb_yi,tb_yi,\"两行\n文字\"\n";
    let p = ingest_text("x.csv", ok);
    assert!(p.rejects.is_empty());
    assert_eq!(p.messages[0].message.text, "两行\n文字");
}

#[test]
fn rejected_lines_keep_their_bytes_not_the_reason() {
    let mut bytes = "买家A 2024-3-5 9:03:07\n这件衣服有货吗\n"
        .as_bytes()
        .to_vec();
    bytes.extend([0xE4, 0xBD, b'x', 0xFF, b'\n']);
    bytes.extend("有\u{1b}[2J货\n还有吗\n".as_bytes());
    let p = ingest_bytes("x.txt", &bytes, &IngestOptions::default());
    let bad: Vec<(u32, &str, Option<&str>)> = p
        .rejects
        .iter()
        .map(|r| (r.line, r.raw.as_str(), r.raw_base64.as_deref()))
        .collect();
    assert_eq!(
        bad,
        [
            (3, "\u{FFFD}x\u{FFFD}", Some("5L14/w==")),
            (4, "有\u{1b}[2J货", None)
        ]
    );
    // The JSON written to rejects.jsonl escapes the control character.
    let json = serde_json::to_string(&p.rejects[1]).unwrap();
    assert!(json.contains(r#""raw":"有\u001b[2J货""#), "{json}");
}
