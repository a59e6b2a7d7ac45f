//! Evidence bundles: the complete, contiguous conversation range behind a
//! complaint, hashed so a reviewer can check it against the dump.
//!
//! The platform accepts only complete conversation records (domain.md §2.7:
//! "不支持单纯的部分截图…需要…完整的沟通记录"), so a bundle never holds
//! excerpts. A *case* is one conversation (shop, buyer); its range is every
//! session of that conversation that overlaps the requested window, whole
//! sessions only, merged in time order across files. Because sessions are
//! cut at inactivity gaps, any session lying between two selected ones also
//! overlaps the window, so the range has no holes.
//!
//! Each message carries its time, sender, role, `path:line`, SHA-256 and
//! chain value ([`hash`] documents the exact bytes hashed); the bundle also
//! records the SHA-256 of every source file involved. [`verify()`] re-ingests
//! the dump, rebuilds the range with the same request and names the first
//! message that differs. Text is the unredacted original; bundles say so.
//!
//! Highlights (detector hits), times as text, locations, the notice and the
//! rest of what a reader sees are not hashed: the hashed record is the
//! conversation itself. [`verify()`] regenerates them from the dump and
//! compares them instead, and [`verify_file`] re-renders `bundle.html`.

pub mod hash;
mod html;
mod verify;

pub use html::render_html;
pub use verify::{
    page_difference, verify, verify_file, verify_with, Difference, FileMismatch, VerifyReport,
};

use crate::finding::Span;
use crate::ingest::IngestOptions;
use crate::model::{format_time, Role, Session, SourceRef};
use crate::session::SessionOptions;
use anyhow::{Context, Result};
use hash::{chain_next, file_hash, header_hash, message_hash, to_hex, MessageFields};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Version of the bundle layout and hash scheme; bumped on any change that
/// alters `bundle.json` fields or hashed bytes.
pub const FORMAT_VERSION: u32 = 1;

/// Days of chat history the platform lets staff view when the complainant
/// ticks 【授权小二查看近90天旺旺聊天记录】 (domain.md §2.7).
pub const PLATFORM_WINDOW_DAYS: i64 = 90;

/// Stated in every bundle and page: evidence must be the original record.
pub const UNREDACTED_NOTICE: &str =
    "本证据包保留聊天记录原文，未做任何脱敏处理（含昵称、电话、地址等）。\
This bundle keeps the original, unredacted text (nicks, phone numbers, addresses included); \
handle it as personal data.";

/// Label of a model-only hit, in JSON and HTML alike.
pub const CANDIDATE_STATUS: &str = "candidate for review, not evidence";

/// Label of a rule hit that quotes the text.
pub const EVIDENCE_STATUS: &str = "evidence";

/// Which conversation(s) and window to bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EvidenceRequest {
    /// Buyer nick, matched exactly.
    pub buyer: String,
    /// Shop (main account) nick, matched exactly; `None` for every shop the
    /// buyer talked to (one case each).
    pub shop: Option<String>,
    /// Start of the window (Unix seconds, inclusive).
    pub from: Option<i64>,
    /// End of the window (Unix seconds, inclusive).
    pub to: Option<i64>,
}

/// Whether a highlight is evidence or only a lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HighlightKind {
    /// A rule hit quoting the text: usable as evidence.
    Evidence,
    /// A model-only hit: a candidate for review, not evidence.
    Candidate,
}

impl HighlightKind {
    /// The status text shown next to the highlight.
    pub fn status(self) -> &'static str {
        match self {
            HighlightKind::Evidence => EVIDENCE_STATUS,
            HighlightKind::Candidate => CANDIDATE_STATUS,
        }
    }
}

/// A span to mark in a message, produced by a highlighter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Highlight {
    /// Id of the message in the session.
    pub message_id: String,
    /// Span in the message's original text.
    pub span: Span,
    /// Rule code, e.g. `ABU001`.
    pub code: String,
    /// Short human label, e.g. `辱骂`.
    pub label: String,
    /// Evidence or candidate.
    pub kind: HighlightKind,
}

/// What the bundle was asked for, recorded so `verify` can rebuild it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// Buyer nick.
    pub buyer: String,
    /// Shop nick, if one was asked for.
    pub shop: Option<String>,
    /// Window start, Unix seconds.
    pub from: Option<i64>,
    /// Window end, Unix seconds.
    pub to: Option<i64>,
    /// Window start in Shanghai time.
    pub from_local: Option<String>,
    /// Window end in Shanghai time.
    pub to_local: Option<String>,
}

/// Where the range stands against the platform's 90-day authorisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlatformWindow {
    /// Whole days from the oldest timed message to bundle generation.
    pub oldest_message_age_days: Option<i64>,
    /// Whether the oldest message is within [`PLATFORM_WINDOW_DAYS`] of
    /// generation (staff can still see it with the 90-day authorisation).
    pub within_90_days: Option<bool>,
    /// What this means for the reviewer.
    pub note: String,
}

/// A source file of the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// Path as given.
    pub path: String,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the raw bytes.
    pub sha256: String,
    /// Lines of the whole file that ingest rejected (0 means every line was
    /// read; otherwise see `wwqa scan`'s `rejects.jsonl`).
    pub rejected_lines: u64,
}

/// One session inside the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRange {
    /// Session id.
    pub id: String,
    /// Index of its first message in `messages`.
    pub first_index: usize,
    /// Index of its last message.
    pub last_index: usize,
    /// First time, Shanghai.
    pub start: Option<String>,
    /// Last time, Shanghai.
    pub end: Option<String>,
}

/// One message of the range.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceMessage {
    /// 0-based position in the range.
    pub index: usize,
    /// Message id.
    pub id: String,
    /// Time in Shanghai, `YYYY-MM-DD HH:MM:SS`.
    pub time: Option<String>,
    /// Unix seconds (the hashed form of the time).
    pub time_unix: Option<i64>,
    /// Sender nick.
    pub sender: String,
    /// Sender role.
    pub role: Role,
    /// Shop account, for agents and robots.
    pub account: Option<String>,
    /// Kind name (`text`, `image`, `transfer` …).
    pub kind: String,
    /// Original, unredacted text.
    pub text: String,
    /// `path:line`.
    pub location: String,
    /// Path, line range and byte range in the dump.
    pub source: SourceRef,
    /// Message hash, hex.
    pub sha256: String,
    /// Chain value after this message, hex.
    pub chain: String,
}

impl EvidenceMessage {
    /// The hashed fields as recorded in the bundle.
    pub fn fields(&self) -> MessageFields<'_> {
        MessageFields {
            path: &self.source.path,
            line_start: self.source.line_start,
            line_end: self.source.line_end,
            byte_start: self.source.byte_start,
            byte_end: self.source.byte_end,
            time: self.time_unix,
            sender: &self.sender,
            role: self.role,
            text: &self.text,
        }
    }
}

/// A highlight placed in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleHighlight {
    /// Index of the message in `messages`.
    pub message_index: usize,
    /// Message id.
    pub message_id: String,
    /// `path:line` of the message.
    pub location: String,
    /// Rule code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Evidence or candidate.
    pub kind: HighlightKind,
    /// `evidence`, or `candidate for review, not evidence`.
    pub status: String,
    /// Span in the message's original text.
    pub span: Span,
    /// The marked text.
    pub quote: String,
}

/// One case: a conversation's complete range with its hashes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bundle {
    /// [`FORMAT_VERSION`].
    pub format_version: u32,
    /// `wwqa <version>`.
    pub generator: String,
    /// When the bundle was written (Shanghai); not hashed.
    pub generated_at: String,
    /// Case id: `<first day>-<16 hex>` from the shop, buyer and the first
    /// and last message ids.
    pub case_id: String,
    /// Shop nick.
    pub shop: String,
    /// Buyer nick.
    pub buyer: String,
    /// The request the range was cut for.
    pub request: RequestRecord,
    /// Session gap used to cut sessions, seconds.
    pub session_gap_secs: i64,
    /// Always true: the text is the original.
    pub unredacted: bool,
    /// [`UNREDACTED_NOTICE`].
    pub notice: String,
    /// Time of the first timed message.
    pub first_time: Option<String>,
    /// Time of the last timed message.
    pub last_time: Option<String>,
    /// 90-day authorisation window.
    pub platform_window: PlatformWindow,
    /// Name of the hash scheme (see [`hash`]).
    pub hash_scheme: String,
    /// Source files, in path order.
    pub files: Vec<SourceFile>,
    /// Sessions, in range order.
    pub sessions: Vec<SessionRange>,
    /// Every message of the range, in order.
    pub messages: Vec<EvidenceMessage>,
    /// Highlights, in message order.
    pub highlights: Vec<BundleHighlight>,
    /// `h_0`, hex.
    pub header_hash: String,
    /// Last chain value, hex: the hash of the whole range.
    pub range_hash: String,
}

impl Bundle {
    /// `bundle.json` text (pretty, fields in declaration order).
    pub fn to_json(&self) -> String {
        // Serialising plain structs of strings and numbers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

/// Name of the hash scheme recorded in bundles.
pub const HASH_SCHEME: &str =
    "sha256, length-prefixed fields (u64 big-endian), chained; see wwqa::evidence::hash";

/// The sessions one file contributes, with its identity.
pub(crate) struct FileScan {
    path: String,
    bytes: u64,
    sha256: String,
    rejected_lines: u64,
    sessions: Vec<Session>,
}

/// Read, ingest and sessionise one file, keeping only the requested
/// conversation(s). `ingest_path` is the path recorded in messages.
pub(crate) fn scan_file(
    ingest_path: &str,
    bytes: &[u8],
    req: &EvidenceRequest,
    ingest: &IngestOptions,
    sessions: &SessionOptions,
) -> FileScan {
    let parsed = crate::ingest::ingest_bytes(ingest_path, bytes, ingest);
    let rejected_lines = parsed.report.lines_rejected;
    let wanted: Vec<_> = parsed
        .messages
        .into_iter()
        .filter(|p| {
            let c = &p.message.conversation;
            c.buyer == req.buyer && req.shop.as_ref().is_none_or(|s| *s == c.shop)
        })
        .collect();
    let sessions = if wanted.is_empty() {
        Vec::new()
    } else {
        crate::session::sessionize(wanted, sessions)
    };
    FileScan {
        path: ingest_path.to_string(),
        bytes: bytes.len() as u64,
        sha256: if sessions.is_empty() {
            String::new()
        } else {
            to_hex(&file_hash(bytes))
        },
        rejected_lines,
        sessions,
    }
}

/// Whether a session overlaps the window. Untimed sessions cannot be placed
/// in a window, so they only belong to requests without one.
fn overlaps(session: &Session, from: Option<i64>, to: Option<i64>) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let (Some(start), Some(end)) = (session.start, session.end) else {
        return false;
    };
    from.is_none_or(|f| end >= f) && to.is_none_or(|t| start <= t)
}

/// Turn the scans of every file into one bundle per conversation.
pub(crate) fn assemble(
    scans: Vec<FileScan>,
    req: &EvidenceRequest,
    session_opts: &SessionOptions,
    highlighter: &dyn Fn(&Session) -> Vec<Highlight>,
    now: i64,
) -> Vec<Bundle> {
    let mut files: BTreeMap<String, SourceFile> = BTreeMap::new();
    let mut by_conversation: BTreeMap<(String, String), Vec<Session>> = BTreeMap::new();
    for scan in scans {
        let selected: Vec<Session> = scan
            .sessions
            .into_iter()
            .filter(|s| overlaps(s, req.from, req.to))
            .collect();
        if selected.is_empty() {
            continue;
        }
        files.insert(
            scan.path.clone(),
            SourceFile {
                path: scan.path,
                bytes: scan.bytes,
                sha256: scan.sha256,
                rejected_lines: scan.rejected_lines,
            },
        );
        for s in selected {
            let key = (s.conversation.shop.clone(), s.conversation.buyer.clone());
            by_conversation.entry(key).or_default().push(s);
        }
    }
    by_conversation
        .into_iter()
        .map(|((shop, buyer), mut sessions)| {
            // Time order across files; untimed sessions keep path/line order.
            sessions.sort_by(|a, b| {
                let ka = (
                    a.start,
                    &*a.messages[0].source.path,
                    a.messages[0].source.line_start,
                );
                let kb = (
                    b.start,
                    &*b.messages[0].source.path,
                    b.messages[0].source.line_start,
                );
                ka.cmp(&kb)
            });
            build_bundle(
                shop,
                buyer,
                &sessions,
                &files,
                req,
                session_opts,
                highlighter,
                now,
            )
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn build_bundle(
    shop: String,
    buyer: String,
    sessions: &[Session],
    files: &BTreeMap<String, SourceFile>,
    req: &EvidenceRequest,
    session_opts: &SessionOptions,
    highlighter: &dyn Fn(&Session) -> Vec<Highlight>,
    now: i64,
) -> Bundle {
    let all: Vec<&crate::model::Message> = sessions.iter().flat_map(|s| &s.messages).collect();
    let first_time = all.iter().find_map(|m| m.time);
    let last_time = all.iter().rev().find_map(|m| m.time);
    let first_id = all.first().map_or("", |m| m.id.as_str());
    let last_id = all.last().map_or("", |m| m.id.as_str());
    let case_id = format!(
        "{}-{}",
        first_time.map_or_else(
            || "undated".to_string(),
            |t| crate::model::local_day(t).replace('-', "")
        ),
        crate::model::stable_id(&[
            shop.as_bytes(),
            buyer.as_bytes(),
            first_id.as_bytes(),
            last_id.as_bytes()
        ])
    );
    let h0 = header_hash(&case_id, &shop, &buyer);
    let mut chain = h0;
    let mut messages = Vec::with_capacity(all.len());
    let mut ranges = Vec::with_capacity(sessions.len());
    let mut highlights = Vec::new();
    let mut used_files: Vec<SourceFile> = Vec::new();
    for session in sessions {
        let first_index = messages.len();
        for m in &session.messages {
            let digest = message_hash(&MessageFields::of(m));
            chain = chain_next(&chain, &digest);
            messages.push(EvidenceMessage {
                index: messages.len(),
                id: m.id.clone(),
                time: m.time.map(format_time),
                time_unix: m.time,
                sender: m.sender.clone(),
                role: m.role,
                account: m.account.clone(),
                kind: m.kind.name().to_string(),
                text: m.text.clone(),
                location: m.source.location(),
                source: m.source.clone(),
                sha256: to_hex(&digest),
                chain: to_hex(&chain),
            });
            if !used_files.iter().any(|f| *f.path == *m.source.path) {
                if let Some(f) = files.get(&*m.source.path) {
                    used_files.push(f.clone());
                }
            }
        }
        ranges.push(SessionRange {
            id: session.id.clone(),
            first_index,
            last_index: messages.len().saturating_sub(1),
            start: session.start.map(format_time),
            end: session.end.map(format_time),
        });
        place_highlights(session, first_index, highlighter(session), &mut highlights);
    }
    highlights
        .sort_by_key(|h: &BundleHighlight| (h.message_index, h.span.byte_start, h.span.byte_end));
    used_files.sort_by(|a, b| a.path.cmp(&b.path));
    let age = first_time.map(|t| (now - t).div_euclid(86_400));
    Bundle {
        format_version: FORMAT_VERSION,
        generator: format!("wwqa {}", env!("CARGO_PKG_VERSION")),
        generated_at: format_time(now),
        case_id,
        shop,
        buyer,
        request: RequestRecord {
            buyer: req.buyer.clone(),
            shop: req.shop.clone(),
            from: req.from,
            to: req.to,
            from_local: req.from.map(format_time),
            to_local: req.to.map(format_time),
        },
        session_gap_secs: session_opts.gap_secs,
        unredacted: true,
        notice: UNREDACTED_NOTICE.to_string(),
        first_time: first_time.map(format_time),
        last_time: last_time.map(format_time),
        platform_window: PlatformWindow {
            oldest_message_age_days: age,
            within_90_days: age.map(|a| a <= PLATFORM_WINDOW_DAYS),
            note: "平台举证：勾选【授权小二查看近90天旺旺聊天记录】并提交聊天举证号；本包的 range_hash 用于核对同一时段的完整记录。\
The platform reviews chats of the last 90 days under the complainant's authorisation; \
match this range to the 举证号 by shop, buyer and time span."
                .to_string(),
        },
        hash_scheme: HASH_SCHEME.to_string(),
        files: used_files,
        sessions: ranges,
        messages,
        highlights,
        header_hash: to_hex(&h0),
        range_hash: to_hex(&chain),
    }
}

/// Attach a session's highlights to range indices, dropping any that do not
/// name a message of the session or whose span does not fit its text (a
/// detector bug must not corrupt or crash the bundle).
fn place_highlights(
    session: &Session,
    first_index: usize,
    found: Vec<Highlight>,
    out: &mut Vec<BundleHighlight>,
) {
    for h in found {
        let Some(pos) = session.messages.iter().position(|m| m.id == h.message_id) else {
            continue;
        };
        let m = &session.messages[pos];
        let Some(quote) = m.text.get(h.span.byte_start..h.span.byte_end) else {
            continue;
        };
        if h.span.byte_start >= h.span.byte_end {
            continue;
        }
        out.push(BundleHighlight {
            message_index: first_index + pos,
            message_id: h.message_id,
            location: m.source.location(),
            code: h.code,
            label: h.label,
            kind: h.kind,
            status: h.kind.status().to_string(),
            span: Span::from_bytes(&m.text, h.span.byte_start, h.span.byte_end),
            quote: quote.to_string(),
        });
    }
}

/// Build one bundle per conversation (shop, buyer) of `req.buyer` found in
/// `files`, each holding every whole session that overlaps `[from, to]`.
/// Files are read in parallel; only matching sessions are kept in memory.
///
/// # Errors
/// A file that cannot be read: evidence must not silently miss part of the
/// dump.
pub fn build_bundles(
    files: &[PathBuf],
    req: &EvidenceRequest,
    ingest: &IngestOptions,
    sessions: &SessionOptions,
    highlighter: &dyn Fn(&Session) -> Vec<Highlight>,
) -> Result<Vec<Bundle>> {
    let scans = files
        .par_iter()
        .map(|f| {
            let bytes =
                std::fs::read(f).with_context(|| format!("{}: cannot read", f.display()))?;
            Ok(scan_file(
                &f.to_string_lossy(),
                &bytes,
                req,
                ingest,
                sessions,
            ))
        })
        .collect::<Result<Vec<FileScan>>>()?;
    let now = chrono::Utc::now().timestamp();
    Ok(assemble(scans, req, sessions, highlighter, now))
}

/// Parse a `--from`/`--to` bound, `YYYY-MM-DD[ HH:MM[:SS]]` in Shanghai
/// time. A bare date means the start of the day for `from` and its last
/// second for `to` (`end_of_day`), so `--to 2024-03-05` includes that day.
///
/// # Errors
/// Anything else, with the accepted forms in the message.
pub fn parse_time_bound(text: &str, end_of_day: bool) -> Result<i64> {
    let t = text.trim();
    let bad = || {
        anyhow::anyhow!(
            "bad time `{text}`: expected YYYY-MM-DD or YYYY-MM-DD HH:MM[:SS] (Shanghai time)"
        )
    };
    let dt = if let Ok(d) = chrono::NaiveDate::parse_from_str(t, "%Y-%m-%d") {
        if end_of_day {
            d.and_hms_opt(23, 59, 59)
        } else {
            d.and_hms_opt(0, 0, 0)
        }
        .ok_or_else(bad)?
    } else {
        chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M:%S")
            .or_else(|_| chrono::NaiveDateTime::parse_from_str(t, "%Y-%m-%d %H:%M"))
            .map_err(|_| bad())?
    };
    Ok(crate::model::unix_from_local(dt))
}

#[cfg(test)]
mod tests;

/// Highlights from the abuse detectors and the commitment extractor: lexicon
/// and pattern hits (insults, threats, harassment, fraud, leaks) and
/// commitments are evidence; model-only hits are candidates for review.
pub fn abuse_highlights(
    analyzers: &crate::analyze::Analyzers,
    session: &Session,
) -> Vec<Highlight> {
    let analysis = analyzers.analyze_session(session);
    let label_of = |category: &str| match category {
        "insult" => "辱骂 insult",
        "threat" => "恐吓 threat",
        "harassment" => "骚扰 harassment",
        "fraud" => "欺诈/站外 fraud or off-platform",
        "leak" => "泄露信息 privacy leak",
        _ => "offensive (model)",
    };
    let mut out: Vec<Highlight> = analysis
        .abuse
        .items
        .iter()
        .map(|i| Highlight {
            message_id: i.message_id.clone(),
            span: i.span,
            code: i.code.clone(),
            label: label_of(&i.category).to_string(),
            kind: if i.evidence {
                HighlightKind::Evidence
            } else {
                HighlightKind::Candidate
            },
        })
        .collect();
    out.extend(analysis.abuse.commitments.iter().map(|c| Highlight {
        message_id: c.message_id.clone(),
        span: c.span,
        code: format!("commitment:{}", c.kind),
        label: "承诺 commitment".to_string(),
        kind: HighlightKind::Evidence,
    }));
    out
}
