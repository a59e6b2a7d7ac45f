//! `api-json`: responses of `taobao.wangwang.eservice.chatlog.get`
//! (technical.md §1.1), as one JSON document (an object or an array of them)
//! or as JSON Lines (one object per line).
//!
//! A record carries `from_id` (the shop account queried, `cntaobao` + nick)
//! and `to_id` (the buyer), and `msgs` (an array, or `{"msg": [...]}` as the
//! TOP gateway wraps lists), either at the top level or inside
//! `wangwang_eservice_chatlog_get_response`. Each msg has `direction`
//! (0: from → to, i.e. the shop wrote; 1: to → from, the buyer wrote), `time`
//! (`YYYY-MM-DD HH:MM:SS`, or Unix seconds/milliseconds) and `content`.
//! A record whose `ret` is not 10000 is an API error and is rejected with the
//! documented meaning of the code.

use super::{Draft, IngestOptions, Ledger, Parsed};
use crate::model::Role;
use serde::Deserialize;
use serde_json::value::RawValue;

#[derive(Deserialize)]
struct Envelope<'a> {
    from_id: Option<String>,
    to_id: Option<String>,
    #[serde(borrow)]
    msgs: Option<&'a RawValue>,
    ret: Option<serde_json::Value>,
    #[serde(borrow)]
    wangwang_eservice_chatlog_get_response: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct Wrapped<'a> {
    #[serde(borrow)]
    msg: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Msg {
    direction: serde_json::Value,
    time: serde_json::Value,
    #[serde(default)]
    content: Option<String>,
}

pub(crate) fn parse(ledger: &mut Ledger<'_>, options: &IngestOptions, out: &mut Vec<Parsed>) {
    let lines = ledger.lines();
    let index = super::Joined::of(lines);
    let doc: &str = &index.text;
    let trimmed = doc.trim_start_matches('\u{FEFF}');
    let first_line_is_whole = lines
        .iter()
        .find(|l| !l.text().trim().is_empty())
        .is_some_and(|l| serde_json::from_str::<&RawValue>(l.text()).is_ok());
    match serde_json::from_str::<&RawValue>(trimmed) {
        Ok(raw) => {
            document(ledger, options, out, doc, &index, raw);
            // Brackets and keys around the records are structure.
            for (i, line) in lines.iter().enumerate() {
                if line.text.is_ok() {
                    ledger.noise_if_unseen(i);
                }
            }
        }
        Err(_) if first_line_is_whole => json_lines(ledger, options, out, doc, &index),
        Err(e) => {
            let reason =
                format!("invalid JSON document ({e}); a truncated file? no message of it was read");
            for (i, line) in lines.iter().enumerate() {
                if line.text.is_ok() {
                    if line.text().trim().is_empty() {
                        ledger.noise(i);
                    } else {
                        ledger.reject(i, reason.clone());
                    }
                }
            }
        }
    }
}

/// First and last line (0-based) of a raw value borrowed from `doc`.
fn line_span(doc: &str, index: &super::Joined, raw: &RawValue) -> (usize, usize) {
    let start = (raw.get().as_ptr() as usize).saturating_sub(doc.as_ptr() as usize);
    (
        index.line_of(start),
        index.line_of(start + raw.get().len().saturating_sub(1)),
    )
}

fn document(
    ledger: &mut Ledger<'_>,
    options: &IngestOptions,
    out: &mut Vec<Parsed>,
    doc: &str,
    index: &super::Joined,
    raw: &RawValue,
) {
    let records: Vec<&RawValue> = if raw.get().trim_start().starts_with('[') {
        match serde_json::from_str::<Vec<&RawValue>>(raw.get()) {
            Ok(v) => v,
            Err(e) => {
                reject_span(
                    ledger,
                    doc,
                    index,
                    raw,
                    &format!("not an array of records: {e}"),
                );
                return;
            }
        }
    } else {
        vec![raw]
    };
    for rec in records {
        record(ledger, options, out, doc, index, rec);
    }
}

fn json_lines(
    ledger: &mut Ledger<'_>,
    options: &IngestOptions,
    out: &mut Vec<Parsed>,
    doc: &str,
    index: &super::Joined,
) {
    let lines = ledger.lines();
    for (i, line) in lines.iter().enumerate() {
        let Ok(t) = line.text.as_deref() else {
            continue;
        };
        if t.trim().is_empty() {
            ledger.noise(i);
            continue;
        }
        let start = index.starts[i];
        let slice = &doc[start..start + t.len()];
        match serde_json::from_str::<&RawValue>(slice) {
            Ok(raw) => record(ledger, options, out, doc, index, raw),
            Err(e) => ledger.reject(i, format!("invalid JSON line: {e}")),
        }
    }
}

fn reject_span(
    ledger: &mut Ledger<'_>,
    doc: &str,
    index: &super::Joined,
    raw: &RawValue,
    reason: &str,
) {
    let (first, last) = line_span(doc, index, raw);
    for i in first..=last {
        ledger.reject(i, reason.to_string());
    }
}

fn ret_meaning(code: i64) -> &'static str {
    match code {
        50000 => {
            "时间非法: the range is over 7 days, starts more than 30 days ago, or is malformed"
        }
        40000 => "the chat user is not an account of this shop",
        30000 => "系统错误 (system error)",
        _ => "unknown error code",
    }
}

fn strip_prefix(id: &str) -> String {
    id.trim()
        .strip_prefix("cntaobao")
        .unwrap_or(id.trim())
        .to_string()
}

fn record(
    ledger: &mut Ledger<'_>,
    options: &IngestOptions,
    out: &mut Vec<Parsed>,
    doc: &str,
    index: &super::Joined,
    raw: &RawValue,
) {
    let env: Envelope<'_> = match serde_json::from_str(raw.get()) {
        Ok(e) => e,
        Err(e) => {
            reject_span(
                ledger,
                doc,
                index,
                raw,
                &format!("not a chatlog record: {e}"),
            );
            return;
        }
    };
    let inner: Option<Envelope<'_>> = match env.wangwang_eservice_chatlog_get_response {
        Some(r) => match serde_json::from_str(r.get()) {
            Ok(e) => Some(e),
            Err(e) => {
                reject_span(
                    ledger,
                    doc,
                    index,
                    raw,
                    &format!("malformed response object: {e}"),
                );
                return;
            }
        },
        None => None,
    };
    let ret = env
        .ret
        .clone()
        .or_else(|| inner.as_ref().and_then(|i| i.ret.clone()));
    if let Some(code) = ret
        .as_ref()
        .and_then(|v| v.as_i64().or_else(|| v.as_str()?.parse().ok()))
    {
        if code != 10000 {
            reject_span(
                ledger,
                doc,
                index,
                raw,
                &format!("API error ret={code}: {}", ret_meaning(code)),
            );
            return;
        }
    }
    let from = env
        .from_id
        .clone()
        .or_else(|| inner.as_ref().and_then(|i| i.from_id.clone()));
    let to = env
        .to_id
        .clone()
        .or_else(|| inner.as_ref().and_then(|i| i.to_id.clone()));
    let (Some(from), Some(to)) = (from.map(|f| strip_prefix(&f)), to.map(|t| strip_prefix(&t)))
    else {
        reject_span(
            ledger,
            doc,
            index,
            raw,
            "record without from_id/to_id: the shop and buyer are unknown",
        );
        return;
    };
    if let Err(reason) =
        super::check_nick("from_id", &from).and_then(|()| super::check_nick("to_id", &to))
    {
        reject_span(ledger, doc, index, raw, &reason);
        return;
    }
    let msgs_raw = env.msgs.or_else(|| inner.as_ref().and_then(|i| i.msgs));
    let Some(msgs_raw) = msgs_raw else {
        reject_span(ledger, doc, index, raw, "record without msgs");
        return;
    };
    let msgs: Vec<&RawValue> = if msgs_raw.get().trim_start().starts_with('[') {
        serde_json::from_str(msgs_raw.get()).unwrap_or_default()
    } else {
        match serde_json::from_str::<Wrapped<'_>>(msgs_raw.get()) {
            Ok(w) => w.msg.unwrap_or_default(),
            Err(e) => {
                reject_span(
                    ledger,
                    doc,
                    index,
                    msgs_raw,
                    &format!("malformed msgs: {e}"),
                );
                return;
            }
        }
    };
    let shop = options.roles.shop_of(&from).unwrap_or_else(|| from.clone());
    let mut drafts = Vec::new();
    for m in msgs {
        let (first, last) = line_span(doc, index, m);
        let msg: Msg = match serde_json::from_str(m.get()) {
            Ok(msg) => msg,
            Err(e) => {
                reject_span(ledger, doc, index, m, &format!("malformed msg: {e}"));
                continue;
            }
        };
        let direction = msg
            .direction
            .as_i64()
            .or_else(|| msg.direction.as_str().and_then(|s| s.trim().parse().ok()));
        let time = match &msg.time {
            serde_json::Value::String(s) => {
                let s = s.trim().replace('T', " ");
                match s.split_once(' ') {
                    Some((d, t)) => super::parse_local_time(d, t, options),
                    None => Err(format!("malformed time `{s}`")),
                }
            }
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(v) => {
                    let secs = if v > 100_000_000_000 { v / 1000 } else { v };
                    if secs < options.earliest_time || secs > options.latest_time {
                        Err(format!("absurd timestamp {v}"))
                    } else {
                        Ok(secs)
                    }
                }
                None => Err(format!("malformed time {n}")),
            },
            other => Err(format!("malformed time {other}")),
        };
        let (direction, time) = match (direction, time) {
            (Some(d @ (0 | 1)), Ok(t)) => (d, t),
            (_, Err(reason)) => {
                reject_span(ledger, doc, index, m, &reason);
                continue;
            }
            (d, _) => {
                reject_span(
                    ledger,
                    doc,
                    index,
                    m,
                    &format!("direction must be 0 or 1, got {d:?}"),
                );
                continue;
            }
        };
        let content = msg.content.unwrap_or_default();
        if let Err(reason) = super::check_field("content", &content, true) {
            reject_span(ledger, doc, index, m, &reason);
            continue;
        }
        let (sender, role, robot_mode) = if direction == 0 {
            let r = options.roles.classify(&from, &content);
            let role = if r.role == Role::Buyer {
                Role::Agent
            } else {
                r.role
            };
            (from.clone(), role, r.robot_mode)
        } else {
            (to.clone(), Role::Buyer, None)
        };
        for i in first..=last {
            ledger.used(i);
        }
        drafts.push(Draft {
            sender,
            time: Some(time),
            kind: super::kind_of_text(&content),
            text: content,
            source: ledger.source(first, last),
            role: Some(role),
            robot_mode,
        });
    }
    // Structure lines of this record that carry no message are noise.
    let (first, last) = line_span(doc, index, raw);
    for i in first..=last {
        ledger.noise_if_unseen(i);
    }
    super::settle_block(drafts, Some(&to), Some(&shop), options, out);
}
