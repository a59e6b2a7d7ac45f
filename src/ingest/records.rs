//! wwqa's own formats, `jsonl` and `csv`: one message per record, for
//! anything else to be converted into. The fields (README "Formats"):
//!
//! | field | required | meaning |
//! |---|---|---|
//! | `shop` | yes | shop (main account) nick |
//! | `buyer` | yes | buyer nick |
//! | `sender` | yes | sender nick |
//! | `text` | yes | content (may be empty) |
//! | `time` | no | `YYYY-MM-DD HH:MM:SS`, Asia/Shanghai; empty = unknown |
//! | `role` | no | `buyer`, `agent`, `robot`, `system`; inferred from the nick when empty |
//! | `robot_mode` | no | `auto` or `assist` (robots only) |
//! | `kind` | no | `text`, `image`, `product_card`, `order_card`, `recall`, `transfer`, `entry_notice`, `offline_assignment`, `notice`; inferred when empty |
//! | `transfer_to` | no | for `kind = transfer`: the receiving account (the sender is the one handing over) |
//! | `session` | no | explicit session id; messages with the same id form one session |
//!
//! Unknown fields are rejected (with a "did you mean" suggestion).
//!
//! In `csv`, a quoted field may hold line breaks (a multi-line message), up
//! to [`MAX_CSV_RECORD_LINES`] lines per row. A quote that is never closed,
//! or that makes a row run past that limit or leaves it with the wrong
//! number of fields, is taken to be stray: its line is rejected and the
//! lines after it are read as rows of their own, so a broken quote costs
//! one line, never the rows that follow it.

use super::{IngestOptions, Ledger, Parsed};
use crate::model::{ConversationKey, Message, MessageKind, RobotMode, Role};
use serde::Deserialize;
use std::sync::Arc;

const FIELDS: &[&str] = &[
    "shop",
    "buyer",
    "sender",
    "text",
    "time",
    "role",
    "robot_mode",
    "kind",
    "transfer_to",
    "session",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Record {
    shop: String,
    buyer: String,
    sender: String,
    text: String,
    #[serde(default)]
    time: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default)]
    robot_mode: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    transfer_to: Option<String>,
    #[serde(default)]
    session: Option<String>,
}

/// Is this first line a CSV header of the own format?
pub(crate) fn looks_like_csv(first: &str) -> bool {
    let cols: Vec<&str> = first
        .trim_start_matches('\u{FEFF}')
        .split(',')
        .map(str::trim)
        .collect();
    ["shop", "buyer", "sender", "text"]
        .iter()
        .all(|f| cols.contains(f))
}

fn non_empty(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

/// Turn a record into a message, or a reason to reject it.
fn to_message(
    rec: Record,
    options: &IngestOptions,
    source: crate::model::SourceRef,
    ordinal: usize,
) -> Result<Parsed, String> {
    super::check_nick("shop", &rec.shop)?;
    super::check_nick("buyer", &rec.buyer)?;
    super::check_nick("sender", &rec.sender)?;
    super::check_field("text", &rec.text, true)?;
    for (name, value) in [
        ("time", &rec.time),
        ("role", &rec.role),
        ("robot_mode", &rec.robot_mode),
        ("kind", &rec.kind),
        ("transfer_to", &rec.transfer_to),
        ("session", &rec.session),
    ] {
        if let Some(v) = value {
            super::check_field(name, v, false)?;
        }
    }
    let time = match non_empty(rec.time) {
        None => None,
        Some(t) => {
            let t = t.replace('T', " ");
            let (d, tm) = t
                .split_once(' ')
                .ok_or_else(|| format!("malformed time `{t}`"))?;
            Some(super::parse_local_time(d, tm, options)?)
        }
    };
    let inferred = options.roles.classify(&rec.sender, &rec.text);
    let role = match non_empty(rec.role).as_deref() {
        None => inferred.role,
        Some("buyer") => Role::Buyer,
        Some("agent") => Role::Agent,
        Some("robot") => Role::Robot,
        Some("system") => Role::System,
        Some(other) => {
            return Err(format!(
                "unknown role `{other}` (expected buyer, agent, robot or system)"
            ))
        }
    };
    let robot_mode = match non_empty(rec.robot_mode).as_deref() {
        None if role == Role::Robot => inferred.robot_mode.or(Some(RobotMode::Auto)),
        None => None,
        Some("auto") => Some(RobotMode::Auto),
        Some("assist") => Some(RobotMode::Assist),
        Some(other) => {
            return Err(format!(
                "unknown robot_mode `{other}` (expected auto or assist)"
            ))
        }
    };
    let kind = match non_empty(rec.kind).as_deref() {
        None => super::kind_of_text(&rec.text),
        Some("text") => MessageKind::Text,
        Some("image") => MessageKind::Image,
        Some("product_card") => MessageKind::ProductCard,
        Some("order_card") => MessageKind::OrderCard,
        Some("recall") => MessageKind::Recall,
        Some("entry_notice") => MessageKind::EntryNotice,
        Some("offline_assignment") => MessageKind::OfflineAssignment,
        Some("notice") => MessageKind::Notice,
        Some("transfer") => MessageKind::Transfer {
            from: rec.sender.clone(),
            to: non_empty(rec.transfer_to).ok_or("kind `transfer` needs `transfer_to`")?,
        },
        Some(other) => return Err(format!("unknown kind `{other}`")),
    };
    let id = super::message_id(&source, ordinal as u64);
    Ok(Parsed {
        message: Message {
            id,
            conversation: ConversationKey {
                shop: rec.shop,
                buyer: rec.buyer,
            },
            time,
            account: matches!(role, Role::Agent | Role::Robot).then(|| rec.sender.clone()),
            sender: rec.sender,
            role,
            robot_mode,
            kind,
            text: rec.text,
            source,
        },
        session_hint: non_empty(rec.session).map(Arc::from),
    })
}

fn explain_serde(err: &str) -> String {
    if let Some(rest) = err.strip_prefix("unknown field `") {
        if let Some((field, _)) = rest.split_once('`') {
            if let Some(s) = crate::diag::did_you_mean(field, FIELDS.iter().copied()) {
                return format!("unknown field `{field}` (did you mean `{s}`?)");
            }
            return format!("unknown field `{field}` (fields: {})", FIELDS.join(", "));
        }
    }
    err.to_string()
}

pub(crate) fn parse_jsonl(ledger: &mut Ledger<'_>, options: &IngestOptions, out: &mut Vec<Parsed>) {
    let lines = ledger.lines();
    for (i, line) in lines.iter().enumerate() {
        let Ok(t) = line.text.as_deref() else {
            continue;
        };
        let t = t.trim_start_matches('\u{FEFF}');
        if t.trim().is_empty() {
            ledger.noise(i);
            continue;
        }
        let rec: Record = match serde_json::from_str(t) {
            Ok(r) => r,
            Err(e) => {
                ledger.reject(
                    i,
                    format!("invalid record: {}", explain_serde(&e.to_string())),
                );
                continue;
            }
        };
        match to_message(rec, options, ledger.source(i, i), out.len()) {
            Ok(p) => {
                ledger.used(i);
                out.push(p);
            }
            Err(reason) => ledger.reject(i, reason),
        }
    }
}

/// Most lines one CSV record may span: a quoted `text` field may hold line
/// breaks (a multi-line message), but a quote left open must not swallow
/// the rows after it.
pub const MAX_CSV_RECORD_LINES: usize = 50;

pub(crate) fn parse_csv(ledger: &mut Ledger<'_>, options: &IngestOptions, out: &mut Vec<Parsed>) {
    let lines = ledger.lines();
    if lines.is_empty() {
        return;
    }
    let joined = super::Joined::of(lines);
    let doc = &joined.text;
    let line_of = |offset: usize| joined.line_of(offset);
    let body = doc.trim_start_matches('\u{FEFF}');
    let skip = doc.len() - body.len();
    let reader_at = |offset: usize| {
        csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(false)
            .from_reader(doc.as_bytes().get(offset..).unwrap_or_default())
    };
    let mut reader = reader_at(skip);
    let mut headers = csv::StringRecord::new();
    match reader.read_record(&mut headers) {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            ledger.reject(0, format!("unreadable CSV header: {e}"));
            return;
        }
    }
    for h in headers.iter() {
        if !FIELDS.contains(&h.trim()) {
            let hint = crate::diag::did_you_mean(h.trim(), FIELDS.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let reason = format!("unknown CSV column `{h}`{hint}; no row of this file was read");
            for (i, line) in lines.iter().enumerate() {
                if !line.text().trim().is_empty() {
                    ledger.reject(i, reason.clone());
                }
            }
            return;
        }
    }
    ledger.used(0);
    // Where the current reader starts in `doc`: a record that cannot be
    // trusted restarts the reading at the line after its first one.
    let mut base = skip;
    let mut record = csv::StringRecord::new();
    loop {
        let start = base + reader.position().byte() as usize;
        let more = reader.read_record(&mut record);
        let end = base + reader.position().byte() as usize;
        let first = line_of(start.min(doc.len().saturating_sub(1)));
        let last = line_of(
            end.saturating_sub(2)
                .max(start)
                .min(doc.len().saturating_sub(1)),
        );
        match more {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                for i in first..=last {
                    ledger.reject(i, format!("malformed CSV row: {e}"));
                }
                if end <= start {
                    break;
                }
                continue;
            }
        }
        let wrong_width = record.len() != headers.len();
        if last > first {
            // A quote still open at the end of the file, too many lines, or
            // a wrong field count: the quote of the first line is taken to be
            // stray. That line is rejected and the lines after it are read
            // as rows of their own.
            let quotes = doc[start..end.min(doc.len())].matches('"').count();
            let why = if end >= doc.len() && quotes % 2 == 1 {
                Some("quoted field opened on this line is never closed".to_string())
            } else if last - first + 1 > MAX_CSV_RECORD_LINES {
                Some(format!(
                    "quoted field opened on this line runs over {MAX_CSV_RECORD_LINES} lines"
                ))
            } else if wrong_width {
                Some(format!(
                    "quoted field opened on this line spans {} lines and leaves a row of {} fields, not {}",
                    last - first + 1,
                    record.len(),
                    headers.len()
                ))
            } else {
                None
            };
            if let Some(why) = why {
                ledger.reject(
                    first,
                    format!("malformed CSV row: {why}; the lines after it are read as rows"),
                );
                base = joined.starts.get(first + 1).copied().unwrap_or(doc.len());
                reader = reader_at(base);
                continue;
            }
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            for i in first..=last {
                ledger.noise(i);
            }
            continue;
        }
        if wrong_width {
            ledger.reject(
                first,
                format!(
                    "malformed CSV row: {} fields, the header has {}",
                    record.len(),
                    headers.len()
                ),
            );
            continue;
        }
        let rec: Result<Record, _> = record.deserialize(Some(&headers));
        let result = rec
            .map_err(|e| format!("invalid row: {e}"))
            .and_then(|r| to_message(r, options, ledger.source(first, last), out.len()));
        match result {
            Ok(p) => {
                for i in first..=last {
                    ledger.used(i);
                }
                out.push(p);
            }
            Err(reason) => {
                for i in first..=last {
                    ledger.reject(i, reason.clone());
                }
            }
        }
    }
}
