//! The lines of `sessions.jsonl` and `findings.jsonl`, written by hand.
//!
//! serde_json escapes every object key as it writes it, and with some fifty
//! keys per line that was most of the cost of rendering these files (a
//! sixth of a scan). The output is byte-identical to serde_json's compact
//! form of the same records (the tests compare the two, escapes included);
//! strings that need escaping, floats, and the rare parts (transfers,
//! commitments, messages, finding context) still go through serde_json.

use crate::finding::{Finding, Span};
use crate::latency::Round;
use crate::stage::StageResult;
use serde::Serialize;

/// A JSON string.
fn string(out: &mut String, s: &str) {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push('"');
        out.push_str(s);
        out.push('"');
    } else {
        // serde_json's escapes, exactly (a str always serialises).
        out.push_str(&serde_json::to_string(s).unwrap_or_default());
    }
}

fn int(out: &mut String, n: impl itoa::Integer) {
    out.push_str(itoa::Buffer::new().format(n));
}

fn boolean(out: &mut String, b: bool) {
    out.push_str(if b { "true" } else { "false" });
}

/// A value serde_json writes (floats, rare nested parts).
fn serde(out: &mut String, value: &impl Serialize) {
    out.push_str(&serde_json::to_string(value).unwrap_or_default());
}

/// A JSON array of `items`, each written by `item`.
fn list<T>(out: &mut String, items: &[T], mut item: impl FnMut(&mut String, &T)) {
    out.push('[');
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        item(out, x);
    }
    out.push(']');
}

fn span(out: &mut String, s: &Span) {
    out.push_str("{\"char_start\":");
    int(out, s.char_start);
    out.push_str(",\"char_end\":");
    int(out, s.char_end);
    out.push_str(",\"byte_start\":");
    int(out, s.byte_start);
    out.push_str(",\"byte_end\":");
    int(out, s.byte_end);
    out.push('}');
}

/// A finding as one `findings.jsonl` line (without the newline).
pub(crate) fn finding(out: &mut String, f: &Finding) {
    out.push_str("{\"code\":");
    string(out, &f.code);
    out.push_str(",\"name\":");
    string(out, &f.name);
    out.push_str(",\"severity\":\"");
    out.push_str(f.severity.as_str());
    out.push_str("\",\"message\":");
    string(out, &f.message);
    out.push_str(",\"session_id\":");
    string(out, &f.session_id);
    out.push_str(",\"shop\":");
    string(out, &f.shop);
    out.push_str(",\"buyer\":");
    string(out, &f.buyer);
    if let Some(account) = &f.account {
        out.push_str(",\"account\":");
        string(out, account);
    }
    out.push_str(",\"message_id\":");
    string(out, &f.message_id);
    out.push_str(",\"role\":\"");
    out.push_str(f.role.as_str());
    out.push_str("\",\"location\":");
    string(out, &f.location);
    if let Some(time) = &f.time {
        out.push_str(",\"time\":");
        string(out, time);
    }
    out.push_str(",\"span\":");
    span(out, &f.span);
    out.push_str(",\"quote\":");
    string(out, &f.quote);
    if !f.context.is_empty() {
        out.push_str(",\"context\":");
        serde(out, &f.context);
    }
    out.push('}');
}

/// The `stage` object of a session line.
pub(crate) fn stage(out: &mut String, s: &StageResult) {
    out.push_str("{\"stage\":\"");
    out.push_str(s.stage.as_str());
    out.push_str("\",\"confidence\":");
    serde(out, &s.confidence);
    out.push_str(",\"high_confidence\":");
    boolean(out, s.high_confidence);
    out.push_str(",\"reasons\":");
    list(out, &s.reasons, |out, r| {
        out.push_str("{\"message_id\":");
        string(out, &r.message_id);
        out.push_str(",\"cue\":");
        string(out, &r.cue);
        out.push_str(",\"weight\":");
        serde(out, &r.weight);
        out.push_str(",\"span\":");
        span(out, &r.span);
        out.push('}');
    });
    out.push_str(",\"scores\":");
    serde(out, &s.scores);
    out.push('}');
}

/// One latency round of a session line.
pub(crate) fn round(out: &mut String, r: &Round) {
    out.push_str("{\"open_msg_index\":");
    int(out, r.open_msg_index);
    out.push_str(",\"open_time\":");
    int(out, r.open_time);
    out.push_str(",\"buyer_msgs\":");
    int(out, r.buyer_msgs);
    out.push_str(",\"account\":");
    string(out, &r.account);
    if let Some(i) = r.reply_index {
        out.push_str(",\"reply_index\":");
        int(out, i);
    }
    if let Some(t) = r.reply_time {
        out.push_str(",\"reply_time\":");
        int(out, t);
    }
    if let Some(s) = r.latency_secs {
        out.push_str(",\"latency_secs\":");
        int(out, s);
    }
    if r.capped {
        out.push_str(",\"capped\":true");
    }
    out.push_str(",\"in_window\":");
    boolean(out, r.in_window);
    for (set, key) in [
        (r.cross_day, ",\"cross_day\":true"),
        (r.transferred, ",\"transferred\":true"),
        (r.auto_replied, ",\"auto_replied\":true"),
        (r.leave_message, ",\"leave_message\":true"),
    ] {
        if set {
            out.push_str(key);
        }
    }
    out.push_str(",\"status\":\"");
    out.push_str(r.status.as_str());
    out.push_str("\"}");
}

/// The parts of a session line, in output order.
pub(crate) struct SessionLine<'a> {
    pub id: &'a str,
    pub conversation: &'a crate::model::ConversationKey,
    pub path: &'a str,
    pub start: Option<i64>,
    pub end: Option<i64>,
    pub agents: &'a [String],
    pub transfers: &'a [crate::model::Transfer],
    pub lines: [u32; 2],
    pub bytes: [u64; 2],
    pub message_count: usize,
    /// Already rendered by serde (off by default).
    pub messages: Option<String>,
    pub stage: &'a StageResult,
    pub latency_policy: &'a str,
    pub latency_available: bool,
    pub first_response_secs: Option<i64>,
    pub rounds: &'a [Round],
    pub commitments: &'a [crate::abuse::Commitment],
}

/// A session as one `sessions.jsonl` line (without the newline).
pub(crate) fn session(out: &mut String, s: &SessionLine<'_>) {
    out.push_str("{\"id\":");
    string(out, s.id);
    out.push_str(",\"conversation\":{\"shop\":");
    string(out, &s.conversation.shop);
    out.push_str(",\"buyer\":");
    string(out, &s.conversation.buyer);
    out.push_str("},\"path\":");
    string(out, s.path);
    if let Some(start) = s.start {
        out.push_str(",\"start\":");
        int(out, start);
    }
    if let Some(end) = s.end {
        out.push_str(",\"end\":");
        int(out, end);
    }
    out.push_str(",\"agents\":");
    list(out, s.agents, |out, a| string(out, a));
    out.push_str(",\"transfers\":");
    if s.transfers.is_empty() {
        out.push_str("[]");
    } else {
        serde(out, &s.transfers);
    }
    out.push_str(",\"lines\":[");
    int(out, s.lines[0]);
    out.push(',');
    int(out, s.lines[1]);
    out.push_str("],\"bytes\":[");
    int(out, s.bytes[0]);
    out.push(',');
    int(out, s.bytes[1]);
    out.push_str("],\"message_count\":");
    int(out, s.message_count);
    if let Some(messages) = &s.messages {
        out.push_str(",\"messages\":");
        out.push_str(messages);
    }
    out.push_str(",\"stage\":");
    stage(out, s.stage);
    out.push_str(",\"latency\":{\"policy\":");
    string(out, s.latency_policy);
    out.push_str(",\"available\":");
    boolean(out, s.latency_available);
    if let Some(secs) = s.first_response_secs {
        out.push_str(",\"first_response_secs\":");
        int(out, secs);
    }
    out.push_str(",\"rounds\":");
    list(out, s.rounds, round);
    out.push_str("},\"commitments\":");
    if s.commitments.is_empty() {
        out.push_str("[]");
    } else {
        serde(out, &s.commitments);
    }
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzers;
    use crate::model::Session;

    /// serde's rendering of a session line, as `sessions.jsonl` was
    /// written before: the reference the hand-written lines must equal.
    #[derive(Serialize)]
    struct Reference<'a> {
        id: &'a str,
        conversation: &'a crate::model::ConversationKey,
        path: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        start: Option<i64>,
        #[serde(skip_serializing_if = "Option::is_none")]
        end: Option<i64>,
        agents: &'a [String],
        transfers: &'a [crate::model::Transfer],
        lines: [u32; 2],
        bytes: [u64; 2],
        message_count: usize,
        #[serde(skip_serializing_if = "Option::is_none")]
        messages: Option<&'a serde_json::value::RawValue>,
        stage: &'a StageResult,
        latency: ReferenceLatency<'a>,
        commitments: &'a [crate::abuse::Commitment],
    }

    #[derive(Serialize)]
    struct ReferenceLatency<'a> {
        policy: &'a str,
        available: bool,
        #[serde(skip_serializing_if = "Option::is_none")]
        first_response_secs: Option<i64>,
        rounds: &'a [Round],
    }

    fn sessions_of(text: &str) -> Vec<Session> {
        let parsed = crate::ingest::ingest_bytes(
            "导出/tb_\"q\".txt",
            text.as_bytes(),
            &crate::ingest::IngestOptions::default(),
        );
        crate::session::sessionize(parsed.messages, &crate::session::SessionOptions::default())
    }

    #[test]
    fn lines_equal_serde_json_escapes_and_optional_fields_included() {
        let analyzers = Analyzers::bundled().expect("bundled analyzers");
        // Quotes, a backslash and a tab in texts and nicks; a transfer, an
        // auto-reply, a commitment, a slow reply, a session without times.
        let text = "tb_\"q\" 2026-10-20 10:00:00\n在吗？这个\"加绒\"款还有货吗\\n\t急\n\
            花花旗舰店:小美 2026-10-20 10:00:05\n[自动回复]您好，欢迎光临\n\
            花花旗舰店:小美 2026-10-20 10:09:00\n亲，有货的，今天下单明天一定发货，保证不会延误\n\
            由 花花旗舰店:小美 转交给 花花旗舰店:阿杰\n\
            tb_\"q\" 2026-10-20 10:15:00\n我买的衣服坏了，退货退款吧，滚\n\
            花花旗舰店:阿杰 2026-10-20 10:30:00\n亲，非常抱歉，马上为您处理\n";
        let mut sessions = sessions_of(text);
        for name in [
            "fixtures/ingest/chat_window.txt",
            "fixtures/evidence/two_sessions.txt",
        ] {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(name);
            let bytes = std::fs::read(&path).expect("fixture");
            sessions.extend(sessions_of(&String::from_utf8_lossy(&bytes)));
        }
        let (mut findings, mut rounds, mut reasons) = (0, 0, 0);
        for session in &sessions {
            let mut a = analyzers.analyze_session(session);
            for f in &mut a.findings {
                for with_context in [false, true] {
                    if with_context {
                        f.add_context(session);
                    }
                    let mut mine = String::new();
                    finding(&mut mine, f);
                    assert_eq!(mine, serde_json::to_string(f).unwrap());
                    findings += 1;
                }
            }
            rounds += a.latency.rounds.len();
            reasons += a.stage.reasons.len();
            for with_messages in [false, true] {
                let line = crate::analyze::session_line(session, &a, with_messages);
                let raw = line
                    .messages
                    .as_deref()
                    .map(|m| serde_json::value::RawValue::from_string(m.to_string()).unwrap());
                let reference = Reference {
                    id: line.id,
                    conversation: line.conversation,
                    path: line.path,
                    start: line.start,
                    end: line.end,
                    agents: line.agents,
                    transfers: line.transfers,
                    lines: line.lines,
                    bytes: line.bytes,
                    message_count: line.message_count,
                    messages: raw.as_deref(),
                    stage: line.stage,
                    latency: ReferenceLatency {
                        policy: line.latency_policy,
                        available: line.latency_available,
                        first_response_secs: line.first_response_secs,
                        rounds: line.rounds,
                    },
                    commitments: line.commitments,
                };
                let mut mine = String::new();
                super::session(&mut mine, &line);
                assert_eq!(mine, serde_json::to_string(&reference).unwrap());
            }
        }
        // The sample exercises what it claims to.
        assert!(findings >= 10, "{findings} findings");
        assert!(
            rounds >= 5 && reasons >= 3,
            "{rounds} rounds, {reasons} reasons"
        );
        let first = &sessions[0];
        assert_eq!(first.conversation.buyer, "tb_\"q\"");
        assert!(!first.transfers.is_empty(), "a transfer");
        let a = analyzers.analyze_session(first);
        assert!(!a.abuse.commitments.is_empty(), "a commitment");
        assert!(a.latency.rounds.iter().any(|r| r.auto_replied));
        let mut line = String::new();
        super::session(&mut line, &crate::analyze::session_line(first, &a, false));
        assert!(line.contains(r#""buyer":"tb_\"q\"""#), "{line}");
    }
}
