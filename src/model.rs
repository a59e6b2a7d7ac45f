//! The data model every stage shares: messages, their roles and kinds, and
//! sessions.
//!
//! Times are kept as Unix seconds (`i64`) and always read in Asia/Shanghai
//! (UTC+08:00, no daylight saving since 1991), which is the zone every
//! Taobao tool prints. A message from a format without timestamps has
//! `time: None`; its order in the file is its only time signal and nothing
//! downstream may invent a time for it.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// Seconds east of UTC for Asia/Shanghai.
pub const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

/// Who sent a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The customer: the party of a shop conversation who is not the shop.
    Buyer,
    /// A human agent (main account or a `主账号:子账号` sub-account).
    Agent,
    /// A robot (店小蜜 or a third-party robot); see [`RobotMode`].
    Robot,
    /// The platform itself: transfers, entry notices, recalls, assignments.
    System,
}

impl Role {
    /// The lower-case name used in every output.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Buyer => "buyer",
            Role::Agent => "agent",
            Role::Robot => "robot",
            Role::System => "system",
        }
    }
}

/// How a robot was answering: fully automatic replies are not valid replies
/// for the platform's response metrics, assist-mode replies are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RobotMode {
    /// 全自动: the robot answered on its own.
    Auto,
    /// 智能辅助: the robot answered for, or with, an agent.
    Assist,
}

/// What a message is.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum MessageKind {
    /// Plain text.
    Text,
    /// An image placeholder (`[图片]`, an image URL).
    Image,
    /// A product card or product link.
    ProductCard,
    /// An order card (order number, amount, order time).
    OrderCard,
    /// `X 撤回了一条消息`.
    Recall,
    /// `由 A 转交给 B`: the conversation moved between accounts.
    Transfer {
        /// Account that handed the buyer over.
        from: String,
        /// Account that received the buyer.
        to: String,
    },
    /// `当前用户来自 …`: where the buyer entered from.
    EntryNotice,
    /// `原因：【离线留言自动分配】` and similar offline-pool assignments.
    OfflineAssignment,
    /// Any other platform notice (`【即将超时】`, `系统关闭会话` …).
    Notice,
}

impl MessageKind {
    /// Short name for tables.
    pub fn name(&self) -> &'static str {
        match self {
            MessageKind::Text => "text",
            MessageKind::Image => "image",
            MessageKind::ProductCard => "product_card",
            MessageKind::OrderCard => "order_card",
            MessageKind::Recall => "recall",
            MessageKind::Transfer { .. } => "transfer",
            MessageKind::EntryNotice => "entry_notice",
            MessageKind::OfflineAssignment => "offline_assignment",
            MessageKind::Notice => "notice",
        }
    }
}

/// Where a message came from in the dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceRef {
    /// The path as it was given on the command line (or found by the walk).
    pub path: Arc<str>,
    /// First line of the message (1-based).
    pub line_start: u32,
    /// Last line of the message (1-based, inclusive).
    pub line_end: u32,
    /// Byte range of those lines in the raw (undecoded) file.
    pub byte_start: u64,
    /// End of the byte range (exclusive).
    pub byte_end: u64,
}

impl SourceRef {
    /// `path:line`, the form every located message uses.
    pub fn location(&self) -> String {
        format!("{}:{}", self.path, self.line_start)
    }
}

/// The conversation a message belongs to: one shop talking with one buyer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ConversationKey {
    /// Shop (main account) nick.
    pub shop: String,
    /// Buyer nick.
    pub buyer: String,
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// Stable id: a hash of the source path and first line, so the same dump
    /// gives the same ids on every run and at any thread count.
    pub id: String,
    /// Shop and buyer.
    pub conversation: ConversationKey,
    /// Unix seconds; `None` for formats without timestamps (never invented).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
    /// Sender nick as written in the transcript.
    pub sender: String,
    /// Sender role.
    pub role: Role,
    /// For agents and robots of a shop: the full account nick
    /// (`主账号:子账号`, or the main account).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// For robots: automatic or assist.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub robot_mode: Option<RobotMode>,
    /// What the message is.
    pub kind: MessageKind,
    /// The content exactly as decoded from the file (lines joined by `\n`,
    /// line endings removed). Every reported span indexes into this string.
    pub text: String,
    /// Where it came from.
    pub source: SourceRef,
}

impl Message {
    /// True for messages a human or robot of the shop sent.
    pub fn is_shop_side(&self) -> bool {
        matches!(self.role, Role::Agent | Role::Robot)
    }
}

/// A transfer between accounts inside a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transfer {
    /// Account that handed over.
    pub from: String,
    /// Account that took over.
    pub to: String,
    /// Id of the transfer message.
    pub message_id: String,
    /// When, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub time: Option<i64>,
}

/// The messages of one conversation between two inactivity gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Session {
    /// Stable id (hash of the first message's source).
    pub id: String,
    /// Shop and buyer.
    pub conversation: ConversationKey,
    /// First message time, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// Last message time, if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<i64>,
    /// Agent and robot accounts that spoke, in order of first appearance.
    pub agents: Vec<String>,
    /// Transfers, in order.
    pub transfers: Vec<Transfer>,
    /// The messages, in chronological (then file) order.
    pub messages: Vec<Message>,
}

/// Shanghai local date-time fields of a Unix time.
pub fn local_datetime(unix: i64) -> chrono::NaiveDateTime {
    let offset = chrono::FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("valid offset");
    chrono::DateTime::from_timestamp(unix, 0)
        .unwrap_or_default()
        .with_timezone(&offset)
        .naive_local()
}

/// Unix seconds of a Shanghai local date-time.
pub fn unix_from_local(dt: chrono::NaiveDateTime) -> i64 {
    dt.and_utc().timestamp() - i64::from(SHANGHAI_OFFSET_SECS)
}

/// `YYYY-MM-DD HH:MM:SS` in Shanghai time, the form every output uses.
pub fn format_time(unix: i64) -> String {
    use chrono::Timelike;
    use std::fmt::Write;
    let dt = local_datetime(unix);
    let mut out = String::with_capacity(19);
    push_date(&mut out, dt.date());
    let _ = write!(
        out,
        " {:02}:{:02}:{:02}",
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    out
}

/// `YYYY-MM-DD` appended without chrono's format strings: times are
/// formatted for every finding and round, and parsing `%Y-%m-%d` each time
/// showed up in profiles.
fn push_date(out: &mut String, date: chrono::NaiveDate) {
    use chrono::Datelike;
    use std::fmt::Write;
    let year = date.year();
    if !(0..=9999).contains(&year) {
        // Outside four digits: chrono's own rendering (sign, width).
        out.push_str(&date.format("%Y-%m-%d").to_string());
        return;
    }
    let _ = write!(out, "{year:04}-{:02}-{:02}", date.month(), date.day());
}

/// `YYYY-MM-DD` of a Unix time in Shanghai.
pub fn local_day(unix: i64) -> String {
    let mut out = String::with_capacity(10);
    push_date(&mut out, local_datetime(unix).date());
    out
}

/// Seconds since local midnight.
pub fn seconds_of_day(unix: i64) -> u32 {
    (unix + i64::from(SHANGHAI_OFFSET_SECS)).rem_euclid(86_400) as u32
}

/// Days since the epoch, in Shanghai.
pub fn day_number(unix: i64) -> i64 {
    (unix + i64::from(SHANGHAI_OFFSET_SECS)).div_euclid(86_400)
}

/// A stable 64-bit id rendered as 16 hex digits: the xxh3 of the parts,
/// each followed by 0xff.
pub fn stable_id(parts: &[&[u8]]) -> String {
    // Ids are made for every message and session: the parts are joined on
    // the stack when they fit, and hashed in one shot (the streaming digest
    // gives the same value at several times the cost for inputs this short).
    let mut stack = [0u8; 256];
    let mut heap = Vec::new();
    let total: usize = parts.iter().map(|p| p.len() + 1).sum();
    let joined: &mut [u8] = if total <= stack.len() {
        &mut stack[..total]
    } else {
        heap.resize(total, 0);
        &mut heap
    };
    let mut at = 0;
    for part in parts {
        joined[at..at + part.len()].copy_from_slice(part);
        joined[at + part.len()] = 0xff;
        at += part.len() + 1;
    }
    let mut id = [0u8; 16];
    hex::encode_to_slice(xxhash_rust::xxh3::xxh3_64(joined).to_be_bytes(), &mut id)
        .expect("8 bytes are 16 hex digits");
    // Hex digits are ASCII (collecting them as chars cost more than the
    // hash).
    String::from_utf8_lossy(&id).into_owned()
}

/// Hashes a key that is already an xxh3 digest as that digest (SipHash
/// over it would cost more than the lookups it serves).
#[derive(Default)]
pub(crate) struct DigestHasher(u64);

impl std::hash::Hasher for DigestHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; other writes still give a usable hash.
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u64(&mut self, digest: u64) {
        self.0 = digest;
    }
}

/// A map or set keyed by digests.
pub(crate) type DigestBuild = std::hash::BuildHasherDefault<DigestHasher>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_times_render_as_before() {
        // The streaming hasher and `{:016x}` gave these; outputs depend on them.
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for part in [b"dump/a.txt".as_slice(), &7u64.to_le_bytes()] {
            h.update(part);
            h.update(&[0xff]);
        }
        let id = stable_id(&[b"dump/a.txt", &7u64.to_le_bytes()]);
        assert_eq!(id, format!("{:016x}", h.digest()));
        assert_eq!(id.len(), 16);
        // Parts too long for the stack buffer hash the same way.
        let long = "店".repeat(120);
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for part in [long.as_bytes(), b"".as_slice()] {
            h.update(part);
            h.update(&[0xff]);
        }
        assert_eq!(
            stable_id(&[long.as_bytes(), b""]),
            format!("{:016x}", h.digest())
        );
        for t in [
            0,
            1_792_847_693,
            -86_400 * 365 * 3,
            253_402_300_799 - 8 * 3600,
        ] {
            let dt = local_datetime(t);
            assert_eq!(format_time(t), dt.format("%Y-%m-%d %H:%M:%S").to_string());
            assert_eq!(local_day(t), dt.format("%Y-%m-%d").to_string());
        }
        assert_eq!(format_time(1_792_847_693), "2026-10-24 21:14:53");
    }

    #[test]
    fn shanghai_time_round_trips() {
        let dt = chrono::NaiveDate::from_ymd_opt(2024, 3, 5)
            .unwrap()
            .and_hms_opt(23, 59, 59)
            .unwrap();
        let unix = unix_from_local(dt);
        assert_eq!(format_time(unix), "2024-03-05 23:59:59");
        assert_eq!(seconds_of_day(unix), 86_399);
        assert_eq!(day_number(unix + 1), day_number(unix) + 1);
        assert_eq!(local_day(unix + 1), "2024-03-06");
    }
}
