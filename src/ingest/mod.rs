//! Ingest: bytes of one file → messages, with every line accounted for.
//!
//! Each file is decoded ([`decode`]), its format detected ([`detect_format`])
//! unless forced, and parsed by one of the format modules. Every input line
//! ends in exactly one of three places, which the [`FileReport`] counts:
//!
//! * **used**: part of a message (header, content, or a platform notice that
//!   became a system message);
//! * **noise**: recognised and deliberately dropped (blank lines, read
//!   receipts `已读`/`未读`, JSON structure, export banners);
//! * **rejected**: written to `rejects.jsonl` with `path:line`, the reason and
//!   the raw text.
//!
//! `lines_read == lines_used + lines_noise + lines_rejected` holds for every
//! file; a test checks it on every fixture and on arbitrary bytes.

pub mod decode;
pub mod roles;
pub mod stream;
mod api_json;
mod jddc;
mod qianniu_text;
mod qianniu_web;
pub(crate) mod records;
mod text_lines;

use crate::model::{ConversationKey, Message, MessageKind, RobotMode, Role, SourceRef};
use decode::{Decoded, Encoding, Line, LineEnding};
pub use roles::RoleConfig;
use serde::Serialize;
use std::sync::Arc;

/// The transcript formats wwqa reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    /// Text copied from the 千牛 chat window or exported by the desktop
    /// message manager (header `nick YYYY-M-D H:MM:SS`, nick line + time
    /// line, or QQ-style `消息对象:` blocks).
    QianniuText,
    /// Text of the web 聊天记录查询 page (date line, time line, content,
    /// sender line).
    QianniuWeb,
    /// `taobao.wangwang.eservice.chatlog.get` responses, JSON or JSON Lines.
    ApiJson,
    /// wwqa's own one-message-per-line JSON format.
    Jsonl,
    /// wwqa's own one-message-per-row CSV format.
    Csv,
    /// The JDDC corpus TSV (roles, no timestamps).
    Jddc,
}

impl Format {
    /// Name used in the summary and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Format::QianniuText => "qianniu-text",
            Format::QianniuWeb => "qianniu-web",
            Format::ApiJson => "api-json",
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Jddc => "jddc",
        }
    }
}

/// One rejected line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Reject {
    /// File path.
    pub path: Arc<str>,
    /// 1-based line number.
    pub line: u32,
    /// Why it was rejected.
    pub reason: String,
    /// The line's text; for a line that did not decode, its raw bytes
    /// decoded with replacement characters.
    pub raw: String,
    /// For a line that did not decode and is not valid UTF-8, its exact
    /// bytes in standard base64, so nothing of the line is lost.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub raw_base64: Option<String>,
}

/// A located warning that did not cost any data (backwards time, missing
/// final newline…).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// File path.
    pub path: Arc<str>,
    /// 1-based line number (0 for the whole file).
    pub line: u32,
    /// What was noticed.
    pub message: String,
}

/// Per-file accounting, reported in `summary.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct FileReport {
    /// File path.
    pub path: String,
    /// Format used.
    pub format: Option<Format>,
    /// Whether the format was detected (`false` when forced).
    pub format_detected: bool,
    /// Encoding used.
    pub encoding: Option<Encoding>,
    /// Line endings seen.
    pub line_ending: Option<LineEnding>,
    /// File size in bytes.
    pub bytes: u64,
    /// Lines in the file.
    pub lines_read: u64,
    /// Lines that are part of a message.
    pub lines_used: u64,
    /// Lines recognised and dropped.
    pub lines_noise: u64,
    /// Lines written to the rejects file.
    pub lines_rejected: u64,
    /// Messages produced.
    pub messages: u64,
    /// Sessions produced.
    pub sessions: u64,
    /// Warnings (located messages that cost no data).
    pub warnings: u64,
    /// Set when the file could not be read at all.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Buyer nicks that occur in the file's path (千牛 exports are often
    /// named after the buyer): what redaction masks in locations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub buyers_in_path: Vec<String>,
}

/// A message plus the explicit session id its format carried, if any
/// (JDDC session ids, the `session` column of wwqa's own formats).
#[derive(Debug, Clone)]
pub struct Parsed {
    /// The message.
    pub message: Message,
    /// Explicit session id.
    pub session_hint: Option<Arc<str>>,
}

/// Everything ingest made of one file.
#[derive(Debug, Default)]
pub struct ParsedFile {
    /// Messages in file order.
    pub messages: Vec<Parsed>,
    /// Rejected lines in file order.
    pub rejects: Vec<Reject>,
    /// Warnings in file order.
    pub warnings: Vec<Warning>,
    /// The accounting.
    pub report: FileReport,
}

/// Options for ingest.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Force a format instead of detecting it.
    pub format: Option<Format>,
    /// Force an encoding instead of detecting it.
    pub encoding: Option<Encoding>,
    /// Roles.
    pub roles: RoleConfig,
    /// Latest plausible message time (Unix seconds); later ones are absurd.
    pub latest_time: i64,
    /// Earliest plausible message time (Taobao opened in 2003).
    pub earliest_time: i64,
    /// A timestamp that goes back by more than this many seconds within one
    /// conversation gets a warning.
    pub backwards_tolerance_secs: i64,
}

impl Default for IngestOptions {
    fn default() -> Self {
        let now = chrono::Utc::now().timestamp();
        IngestOptions {
            format: None,
            encoding: None,
            roles: RoleConfig::bundled(),
            latest_time: now + 86_400,
            earliest_time: crate::model::unix_from_local(
                chrono::NaiveDate::from_ymd_opt(2003, 1, 1)
                    .and_then(|d| d.and_hms_opt(0, 0, 0))
                    .unwrap_or_default(),
            ),
            backwards_tolerance_secs: 60,
        }
    }
}

/// The ledger a parser writes every line into.
pub(crate) struct Ledger<'a> {
    path: Arc<str>,
    lines: &'a [Line<'a>],
    /// The bytes the lines were decoded from, starting at byte `raw_at` of
    /// the file, and their encoding: what a rejected line is kept as.
    raw: &'a [u8],
    raw_at: u64,
    encoding: Encoding,
    disposition: Vec<u8>,
    rejects: Vec<Reject>,
    warnings: Vec<Warning>,
}

const UNSEEN: u8 = 0;
const USED: u8 = 1;
const NOISE: u8 = 2;
const REJECTED: u8 = 3;

impl<'a> Ledger<'a> {
    fn new(
        path: Arc<str>,
        lines: &'a [Line<'a>],
        raw: &'a [u8],
        raw_at: u64,
        encoding: Encoding,
    ) -> Self {
        Ledger {
            path,
            lines,
            raw,
            raw_at,
            encoding,
            disposition: vec![UNSEEN; lines.len()],
            rejects: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// Mark line `i` (0-based index) as part of a message.
    /// A rejected line stays rejected: a line holding both a good and a bad
    /// record (compact JSON) is counted once, as rejected.
    pub(crate) fn used(&mut self, i: usize) {
        if self.disposition[i] != REJECTED {
            self.disposition[i] = USED;
        }
    }

    /// Mark line `i` as recognised noise.
    pub(crate) fn noise(&mut self, i: usize) {
        if self.disposition[i] == UNSEEN {
            self.disposition[i] = NOISE;
        }
    }

    /// Mark line `i` as noise unless something claimed it already.
    pub(crate) fn noise_if_unseen(&mut self, i: usize) {
        self.noise(i);
    }

    /// Reject line `i` with a reason.
    pub(crate) fn reject(&mut self, i: usize, reason: impl Into<String>) {
        if self.disposition[i] == REJECTED {
            return;
        }
        self.disposition[i] = REJECTED;
        let line = &self.lines[i];
        let (raw, raw_base64) = match &line.text {
            Ok(t) => (t.to_string(), None),
            Err(_) => {
                let at =
                    |b: u64| usize::try_from(b.saturating_sub(self.raw_at)).unwrap_or(usize::MAX);
                let bytes = self
                    .raw
                    .get(at(line.byte_start)..at(line.byte_end))
                    .unwrap_or_default();
                decode::lossy(bytes, self.encoding)
            }
        };
        self.rejects.push(Reject {
            path: self.path.clone(),
            line: line.number,
            reason: reason.into(),
            raw,
            raw_base64,
        });
    }

    /// A located warning.
    pub(crate) fn warn(&mut self, line_number: u32, message: impl Into<String>) {
        self.warnings.push(Warning {
            path: self.path.clone(),
            line: line_number,
            message: message.into(),
        });
    }

    pub(crate) fn lines(&self) -> &'a [Line<'a>] {
        self.lines
    }

    /// A source reference for lines `first..=last` (0-based indices).
    pub(crate) fn source(&self, first: usize, last: usize) -> SourceRef {
        SourceRef {
            path: self.path.clone(),
            line_start: self.lines[first].number,
            line_end: self.lines[last].number,
            byte_start: self.lines[first].byte_start,
            byte_end: self.lines[last].byte_end,
        }
    }
}

/// The decoded lines joined by `\n` into one document, with the byte offset
/// where each line starts: what the JSON and CSV readers parse, mapping
/// their byte positions back to lines.
pub(crate) struct Joined {
    /// The document.
    pub text: String,
    /// Start offset of each line in `text`.
    pub starts: Vec<usize>,
}

impl Joined {
    pub(crate) fn of(lines: &[Line<'_>]) -> Joined {
        let mut text = String::new();
        let mut starts = Vec::with_capacity(lines.len());
        for line in lines {
            starts.push(text.len());
            text.push_str(line.text());
            text.push('\n');
        }
        Joined { text, starts }
    }

    /// 0-based index of the line holding byte `offset`.
    pub(crate) fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i.saturating_sub(1),
        }
    }
}

/// A message before roles and conversation are settled.
#[derive(Debug, Clone)]
pub(crate) struct Draft {
    pub sender: String,
    pub time: Option<i64>,
    pub text: String,
    pub kind: MessageKind,
    pub source: SourceRef,
    /// Role decided by the format (JDDC, API direction, system lines);
    /// `None` means classify by nick and text.
    pub role: Option<Role>,
    pub robot_mode: Option<RobotMode>,
}

/// Turn drafts of one conversation block into messages: classify roles,
/// settle the shop (first shop account seen) and the buyer (each non-shop
/// sender switches the current buyer; shop messages before any buyer go to
/// the first buyer of the block).
pub(crate) fn settle_block(
    drafts: Vec<Draft>,
    block_buyer: Option<&str>,
    block_shop: Option<&str>,
    options: &IngestOptions,
    out: &mut Vec<Parsed>,
) {
    // A block is a few nicks taking turns: what a nick tells is worked out
    // once per nick (the cache holds the latest few) instead of per message.
    let mut nicks: Vec<(&str, roles::NickRole)> = Vec::new();
    let mut first_shop: Option<String> = None;
    let roles: Vec<(Role, Option<RobotMode>)> = drafts
        .iter()
        .map(|d| {
            if let Some(role @ (Role::Buyer | Role::System)) = d.role {
                return (role, d.robot_mode);
            }
            // Newest first: the sender is mostly one of the last two.
            let nick = match nicks.iter().rposition(|(n, _)| *n == d.sender) {
                Some(i) => &nicks[i].1,
                None => {
                    if nicks.len() == NICK_CACHE {
                        nicks.remove(0);
                    }
                    nicks.push((&d.sender, options.roles.nick_role(&d.sender)));
                    &nicks[nicks.len() - 1].1
                }
            };
            if first_shop.is_none() {
                first_shop.clone_from(&nick.shop);
            }
            match d.role {
                Some(role) => (role, d.robot_mode),
                None => options.roles.role_of(nick, &d.text),
            }
        })
        .collect();
    let shop = block_shop
        .map(str::to_string)
        .or(first_shop)
        .unwrap_or_else(|| options.roles.unknown_shop.clone());
    let first_buyer = block_buyer.map(str::to_string).or_else(|| {
        drafts
            .iter()
            .zip(&roles)
            .find(|(_, (r, _))| *r == Role::Buyer)
            .map(|(d, _)| d.sender.clone())
    });
    let mut current_buyer = first_buyer.unwrap_or_else(|| "(unknown-buyer)".to_string());
    out.reserve(drafts.len());
    for (draft, (role, robot_mode)) in drafts.into_iter().zip(roles) {
        if role == Role::Buyer && draft.sender != current_buyer {
            current_buyer.clone_from(&draft.sender);
        }
        let account = matches!(role, Role::Agent | Role::Robot).then(|| draft.sender.clone());
        // The ordinal keeps ids apart when several messages share a line
        // (compact JSON).
        let id = message_id(&draft.source, out.len() as u64);
        out.push(Parsed {
            message: Message {
                id,
                conversation: ConversationKey {
                    shop: shop.clone(),
                    buyer: current_buyer.clone(),
                },
                time: draft.time,
                sender: draft.sender,
                role,
                account,
                robot_mode,
                kind: draft.kind,
                text: draft.text,
                source: draft.source,
            },
            session_hint: None,
        });
    }
}

/// How many nicks [`settle_block`] remembers.
const NICK_CACHE: usize = 8;

/// A message's stable id: its file, first line, and ordinal among the
/// file's messages (which keeps apart messages sharing a line).
pub(crate) fn message_id(source: &SourceRef, ordinal: u64) -> String {
    crate::model::stable_id(&[
        source.path.as_bytes(),
        &source.line_start.to_le_bytes(),
        &ordinal.to_le_bytes(),
    ])
}

/// Give the messages of a later piece of a file the ids they have when the
/// file is read whole: `before` messages came from the earlier pieces.
/// (JDDC ids do not count messages, so they need no change.)
pub fn continue_ids(messages: &mut [Parsed], format: Option<Format>, before: u64) {
    if before == 0 || format == Some(Format::Jddc) {
        return;
    }
    for (i, p) in messages.iter_mut().enumerate() {
        p.message.id = message_id(&p.message.source, before + i as u64);
    }
}

/// Detect the format of a decoded file from its first lines.
pub fn detect_format(lines: &[Line<'_>]) -> Option<Format> {
    let sample: Vec<&str> = lines
        .iter()
        .filter_map(|l| l.text.as_deref().ok())
        .filter(|t| !t.trim().is_empty())
        .take(40)
        .collect();
    let first = sample.first()?;
    let trimmed = first.trim_start_matches('\u{FEFF}').trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let head: String = sample
            .iter()
            .take(5)
            .copied()
            .collect::<Vec<_>>()
            .join("\n");
        if head.contains("\"sender\"") && !head.contains("\"msgs\"") {
            return Some(Format::Jsonl);
        }
        return Some(Format::ApiJson);
    }
    if jddc::looks_like(&sample) {
        return Some(Format::Jddc);
    }
    if records::looks_like_csv(first) {
        return Some(Format::Csv);
    }
    let text_headers = sample
        .iter()
        .filter(|l| text_lines::is_text_header_like(l))
        .count();
    let web_times = sample
        .iter()
        .filter(|l| text_lines::is_bare_time(l))
        .count();
    if web_times > 0 && web_times >= text_headers {
        return Some(Format::QianniuWeb);
    }
    if text_headers > 0
        || sample
            .iter()
            .any(|l| l.starts_with("消息对象:") || l.starts_with("消息对象："))
    {
        return Some(Format::QianniuText);
    }
    None
}

/// Where a piece of a large file sits in it, and what was decided once for
/// the whole file (so every piece is read the same way). A whole file is one
/// piece: [`PieceContext::default`].
#[derive(Debug, Clone, Default)]
pub struct PieceContext {
    /// Lines of the file before this piece.
    pub line_offset: u32,
    /// Bytes of the file before this piece.
    pub byte_offset: u64,
    /// Encoding decided on the file's first bytes (`None`: detect here).
    pub encoding: Option<Encoding>,
    /// Format decided on the file's first lines (`None`: detect here).
    pub format: Option<Format>,
    /// For `qianniu-text`: whether the file is a QQ-style export
    /// (`None`: decide from this piece's first lines).
    pub qq_style: Option<bool>,
    /// Whether the format was detected rather than forced.
    pub format_detected: bool,
    /// A later piece: the end-of-file checks belong to the last one only.
    pub more_follows: bool,
}

/// Parse one file's bytes.
pub fn ingest_bytes(path: &str, bytes: &[u8], options: &IngestOptions) -> ParsedFile {
    ingest_piece(path, bytes, &PieceContext::default(), options)
}

/// Parse one piece of a file: lines are numbered and located in the whole
/// file, and the file-level decisions of `piece` are applied.
pub fn ingest_piece(
    path: &str,
    bytes: &[u8],
    piece: &PieceContext,
    options: &IngestOptions,
) -> ParsedFile {
    let path: Arc<str> = Arc::from(path);
    let mut decoded: Decoded = decode::decode(bytes, piece.encoding.or(options.encoding));
    if piece.line_offset != 0 || piece.byte_offset != 0 {
        for line in &mut decoded.lines {
            line.number += piece.line_offset;
            line.byte_start += piece.byte_offset;
            line.byte_end += piece.byte_offset;
        }
    }
    let mut report = FileReport {
        path: path.to_string(),
        encoding: Some(decoded.encoding),
        line_ending: Some(decoded.line_ending),
        bytes: bytes.len() as u64,
        lines_read: decoded.lines.len() as u64,
        ..FileReport::default()
    };
    let mut ledger = Ledger::new(
        path.clone(),
        &decoded.lines,
        bytes,
        piece.byte_offset,
        decoded.encoding,
    );
    // Undecodable lines are rejected whatever the format.
    for (i, line) in decoded.lines.iter().enumerate() {
        if let Err(e) = &line.text {
            let reason = e.clone();
            ledger.reject(i, reason);
        }
    }
    if !decoded.ends_with_newline && !decoded.lines.is_empty() && !piece.more_follows {
        ledger.warn(
            decoded.lines.last().map_or(0, |l| l.number),
            "file does not end with a line break: the last line may be truncated",
        );
    }
    let format = match piece.format {
        Some(f) => Some(f),
        None => options.format.or_else(|| detect_format(&decoded.lines)),
    };
    report.format = format;
    report.format_detected = if piece.format.is_some() {
        piece.format_detected
    } else {
        options.format.is_none()
    };
    let mut messages = Vec::new();
    match format {
        Some(Format::QianniuText) => {
            let qq_style = piece
                .qq_style
                .unwrap_or_else(|| qianniu_text::is_qq_style(&decoded.lines));
            qianniu_text::parse(&mut ledger, options, qq_style, &mut messages)
        }
        Some(Format::QianniuWeb) => qianniu_web::parse(&mut ledger, options, &mut messages),
        Some(Format::ApiJson) => api_json::parse(&mut ledger, options, &mut messages),
        Some(Format::Jsonl) => records::parse_jsonl(&mut ledger, options, &mut messages),
        Some(Format::Csv) => records::parse_csv(&mut ledger, options, &mut messages),
        Some(Format::Jddc) => jddc::parse(&mut ledger, &mut messages),
        None => {
            for (i, line) in decoded.lines.iter().enumerate() {
                if line.text().trim().is_empty() {
                    ledger.noise(i);
                } else {
                    ledger.reject(i, "unknown format: no known transcript layout was recognised in this file (use --format to force one)");
                }
            }
        }
    }
    check_times(&mut ledger, options, &messages);
    // Anything a parser left unaccounted is a parser gap; reject rather than lose it.
    for i in 0..decoded.lines.len() {
        if ledger.disposition[i] == UNSEEN {
            if decoded.lines[i].text().trim().is_empty() {
                ledger.noise(i);
            } else {
                ledger.reject(i, "line not recognised by the format parser");
            }
        }
    }
    for d in &ledger.disposition {
        match *d {
            USED => report.lines_used += 1,
            NOISE => report.lines_noise += 1,
            _ => report.lines_rejected += 1,
        }
    }
    let mut rejects = ledger.rejects;
    rejects.sort_by_key(|r| r.line);
    let mut warnings = ledger.warnings;
    warnings.sort_by_key(|w| w.line);
    report.messages = messages.len() as u64;
    report.warnings = warnings.len() as u64;
    ParsedFile {
        messages,
        rejects,
        warnings,
        report,
    }
}

/// Warn about timestamps that go backwards within a conversation.
fn check_times(ledger: &mut Ledger<'_>, options: &IngestOptions, messages: &[Parsed]) {
    // The latest time of each conversation. Messages come in runs of one
    // conversation: the map is looked up once per run, not per message.
    let mut last: std::collections::HashMap<&ConversationKey, Option<i64>> =
        std::collections::HashMap::with_capacity(messages.len() / 8 + 1);
    let mut run: Option<(&ConversationKey, &mut Option<i64>)> = None;
    let mut notes = Vec::new();
    for p in messages {
        let Some(t) = p.message.time else { continue };
        let conversation = &p.message.conversation;
        if run.as_ref().is_none_or(|(key, _)| *key != conversation) {
            run = Some((conversation, last.entry(conversation).or_insert(None)));
        }
        let Some((_, latest)) = run.as_mut() else {
            continue;
        };
        let latest: &mut Option<i64> = latest;
        if let Some(prev) = *latest {
            if prev - t > options.backwards_tolerance_secs {
                notes.push((
                    p.message.source.line_start,
                    format!(
                        "timestamp goes back {} s ({} after {}); messages are ordered by time",
                        prev - t,
                        crate::model::format_time(t),
                        crate::model::format_time(prev)
                    ),
                ));
            }
        }
        *latest = Some(latest.map_or(t, |l| l.max(t)));
    }
    for (line, note) in notes {
        ledger.warn(line, note);
    }
}

/// Parse `YYYY-M-D H:MM:SS` (not zero-padded) as Shanghai local time.
/// Returns `Err` with a reason for impossible dates.
pub(crate) fn parse_local_time(
    date: &str,
    time: &str,
    options: &IngestOptions,
) -> Result<i64, String> {
    let (y, m, dd, h, mi, s) = match plain_time_fields(date, time) {
        Some(fields) => fields,
        None => time_fields(date, time)?,
    };
    let dt = chrono::NaiveDate::from_ymd_opt(y as i32, m, dd)
        .and_then(|d| d.and_hms_opt(h, mi, s))
        .ok_or_else(|| format!("impossible timestamp `{date} {time}`"))?;
    let unix = crate::model::unix_from_local(dt);
    if unix < options.earliest_time || unix > options.latest_time {
        // Dates only: the upper bound moves with the clock, and a reason
        // that changed every second would make two scans of the same input
        // differ.
        let day = |t: i64| {
            crate::model::format_time(t)
                .chars()
                .take(10)
                .collect::<String>()
        };
        return Err(format!(
            "absurd timestamp `{date} {time}`: outside {}..{}",
            day(options.earliest_time),
            day(options.latest_time)
        ));
    }
    Ok(unix)
}

/// [`parse_local_time`] over a run of headers, which mostly share their
/// date: the midnight of the last date read is kept, and a plain time of
/// day on the same date is added to it without calendar work.
#[derive(Debug, Default)]
pub(crate) struct LocalTimes<'a> {
    day: Option<(&'a str, i64)>,
}

impl<'a> LocalTimes<'a> {
    /// What [`parse_local_time`] gives.
    pub(crate) fn parse(
        &mut self,
        date: &'a str,
        time: &str,
        options: &IngestOptions,
    ) -> Result<i64, String> {
        let seconds = plain_time_of_day(time);
        if let (Some((day, midnight)), Some(seconds)) = (self.day, seconds) {
            let unix = midnight + seconds;
            if day == date && (options.earliest_time..=options.latest_time).contains(&unix) {
                return Ok(unix);
            }
        }
        let unix = parse_local_time(date, time, options)?;
        if let Some(seconds) = seconds {
            self.day = Some((date, unix - seconds));
        }
        Ok(unix)
    }
}

/// Seconds since midnight of a plain `H:MM[:SS]` that chrono accepts
/// (hour < 24, minute and second < 60).
fn plain_time_of_day(time: &str) -> Option<i64> {
    let mut t = [0u32; 3];
    let parts = digit_runs(time.as_bytes(), |b| b == b':', &mut t)?;
    let [h, m, s] = t;
    (parts >= 2 && h < 24 && m < 60 && s < 60)
        .then(|| i64::from(h) * 3600 + i64::from(m) * 60 + i64::from(s))
}

/// The fields of the common spelling, digits and separators only (what
/// [`time_fields`] reads the same way), without building iterators: this
/// runs for every message header.
fn plain_time_fields(date: &str, time: &str) -> Option<(u32, u32, u32, u32, u32, u32)> {
    let mut d = [0u32; 3];
    let mut t = [0u32; 3];
    let date_parts = digit_runs(date.as_bytes(), |b| matches!(b, b'-' | b'/' | b'.'), &mut d)?;
    let time_parts = digit_runs(time.as_bytes(), |b| b == b':', &mut t)?;
    (date_parts == 3 && time_parts >= 2).then_some((d[0], d[1], d[2], t[0], t[1], t[2]))
}

/// `bytes` as runs of 1–9 ASCII digits, one separator between runs, into
/// `out`; the number of runs, or `None` for anything else (more runs than
/// `out` holds, an empty run, another byte).
fn digit_runs(bytes: &[u8], is_separator: impl Fn(u8) -> bool, out: &mut [u32]) -> Option<usize> {
    let (mut runs, mut value, mut digits) = (0, 0u32, 0);
    for &b in bytes {
        if b.is_ascii_digit() {
            if digits == 9 {
                return None;
            }
            value = value * 10 + u32::from(b - b'0');
            digits += 1;
        } else if is_separator(b) && digits > 0 && runs + 1 < out.len() {
            out[runs] = value;
            runs += 1;
            (value, digits) = (0, 0);
        } else {
            return None;
        }
    }
    if digits == 0 {
        return None;
    }
    out[runs] = value;
    Some(runs + 1)
}

/// The fields of a date and time in any spelling [`parse_local_time`]
/// accepts, or why they are malformed.
fn time_fields(date: &str, time: &str) -> Result<(u32, u32, u32, u32, u32, u32), String> {
    let mut d = date.split(['-', '/', '.']);
    let (Some(y), Some(m), Some(dd), None) = (d.next(), d.next(), d.next(), d.next()) else {
        return Err(format!("malformed date `{date}`"));
    };
    let mut t = time.split(':');
    let (Some(h), Some(mi), s) = (t.next(), t.next(), t.next()) else {
        return Err(format!("malformed time `{time}`"));
    };
    let num = |s: &str| {
        s.trim()
            .parse::<u32>()
            .map_err(|_| format!("malformed timestamp `{date} {time}`"))
    };
    let (y, m, dd, h, mi) = (num(y)?, num(m)?, num(dd)?, num(h)?, num(mi)?);
    let s = match s {
        Some(s) => num(s)?,
        None => 0,
    };
    Ok((y, m, dd, h, mi, s))
}

/// Check one field of a JSON or CSV record as the text formats check every
/// line: no control character but tab (and, in message text, the line
/// breaks of a multi-line message). A JSON escape such as `\u001b` must not
/// carry a terminal escape past the check the raw bytes get.
pub(crate) fn check_field(name: &str, value: &str, multiline: bool) -> Result<(), String> {
    let bad = value.chars().find(|&c| {
        (c.is_control() && c != '\t' && !(multiline && matches!(c, '\n' | '\r'))) || c == '\u{FFFD}'
    });
    match bad {
        Some(c) => Err(format!(
            "control character U+{:04X} in field `{name}`",
            c as u32
        )),
        None => Ok(()),
    }
}

/// Check a nick field (shop, buyer, sender): [`check_field`], and not
/// empty, since an empty nick would charge the session to an empty account.
pub(crate) fn check_nick(name: &str, value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Err(format!("empty `{name}` nick"));
    }
    check_field(name, value, false)
}

/// Classify a message's kind from its text (cards, images, URLs).
pub(crate) fn kind_of_text(text: &str) -> MessageKind {
    text_lines::kind_of_content(text)
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod fuzz;
