//! Re-read one session's messages from the original dump, by the byte range
//! sessions.jsonl records, so a session view quotes the original text.
//!
//! Only the session's range is read (plus the file's first 64 KiB, which
//! decide encoding and format exactly as the scan decided them), so showing
//! a session of a 1 GB dump costs one seek. Message ids count messages from
//! the start of the file and cannot be recomputed from a range; findings are
//! therefore matched to messages by `path:line` and checked by slicing the
//! re-read text with their span ([`locate`]).

use super::SessionRecord;
use crate::finding::Finding;
use crate::ingest::{decode::Encoding, stream::PieceReader, IngestOptions, PieceContext};
use crate::model::Message;
use anyhow::{bail, Context, Result};
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// Where the session's source file is: the path as the scan recorded it
/// (relative to where the scan ran), else relative to the scan directory
/// or its parent.
pub fn resolve(path: &str, scan_dir: &Path) -> Option<PathBuf> {
    let given = PathBuf::from(path);
    let mut candidates = vec![given.clone()];
    if given.is_relative() {
        candidates.push(scan_dir.join(&given));
        if let Some(parent) = scan_dir.parent() {
            candidates.push(parent.join(&given));
        }
    }
    candidates.into_iter().find(|p| p.is_file())
}

/// The messages of `session`, re-read from its source file: the messages
/// of its conversation in its byte range (and time range, when timed), in
/// file order.
///
/// # Errors
/// The file is missing or unreadable, or the range holds none of the
/// session's messages (the dump changed since the scan).
pub fn read_session(
    session: &SessionRecord,
    scan_dir: &Path,
    options: &IngestOptions,
) -> Result<Vec<Message>> {
    let Some(path) = resolve(&session.path, scan_dir) else {
        bail!(
            "{}: source of session {} not found (run from the directory the scan ran in)",
            session.path,
            session.id
        );
    };
    let reader = PieceReader::open(&path, 1, options)
        .with_context(|| format!("{}: cannot open", path.display()))?;
    let context = reader.context().clone();
    drop(reader);
    let [start, end] = session.bytes;
    if end < start || end - start > MAX_SESSION_BYTES {
        bail!(
            "{}: session {} has an implausible byte range {start}..{end}",
            session.path,
            session.id
        );
    }
    let file_len = std::fs::metadata(&path)
        .with_context(|| format!("{}: cannot read", path.display()))?
        .len();
    // Line-cut reading is sound only where a newline byte ends a line.
    let cuttable = matches!(
        context.encoding,
        Some(Encoding::Utf8 | Encoding::Utf8Bom | Encoding::Gb18030)
    );
    let mut messages = Vec::new();
    if cuttable {
        messages = read_window(&path, session, &context, options, start, end, file_len)?;
    }
    // A range whose neighbours could not settle its conversation: read the
    // whole file, exactly as the scan did, when it is not huge.
    if messages.len() != session.message_count && file_len <= WHOLE_FILE_LIMIT {
        messages = read_window(&path, session, &context, options, 0, file_len, file_len)?;
    }
    if messages.is_empty() {
        bail!(
            "{}:{}: session {} not found in its byte range (has the dump changed since the scan?)",
            session.path,
            session.lines[0],
            session.id
        );
    }
    Ok(messages)
}

/// Parse `start..end` of the file widened by [`CONTEXT_BYTES`] on each side
/// (cut at line starts), because some formats settle a message's
/// conversation from its neighbours; keep the session's messages: its
/// conversation, its lines, its time range.
fn read_window(
    path: &Path,
    session: &SessionRecord,
    context: &PieceContext,
    options: &IngestOptions,
    start: u64,
    end: u64,
    file_len: u64,
) -> Result<Vec<Message>> {
    let from = start.saturating_sub(CONTEXT_BYTES);
    let to = (end + CONTEXT_BYTES).min(file_len);
    let mut file =
        std::fs::File::open(path).with_context(|| format!("{}: cannot open", path.display()))?;
    file.seek(SeekFrom::Start(from))
        .with_context(|| format!("{}: cannot seek", path.display()))?;
    let mut bytes = Vec::with_capacity((to - from) as usize);
    (&mut file)
        .take(to - from)
        .read_to_end(&mut bytes)
        .with_context(|| format!("{}: cannot read", path.display()))?;
    // Start after the first newline of the widened prefix (a line start),
    // and end after the last newline of the suffix.
    let head = if from == 0 || from == start {
        0
    } else {
        memchr::memchr(b'\n', &bytes[..(start - from) as usize])
            .map_or((start - from) as usize, |i| i + 1)
    };
    let tail = if to == file_len || to == end {
        bytes.len()
    } else {
        let body_end = (end - from) as usize;
        memchr::memrchr(b'\n', &bytes[body_end..]).map_or(body_end, |i| body_end + i + 1)
    };
    let window = &bytes[head..tail];
    let lines_before =
        memchr::memchr_iter(b'\n', &bytes[head..(start - from) as usize]).count() as u32;
    let mut piece = context.clone();
    piece.byte_offset = from + head as u64;
    piece.line_offset = session.lines[0]
        .saturating_sub(1)
        .saturating_sub(lines_before);
    piece.more_follows = true;
    // Messages carry the path as the scan recorded it, so locations match.
    let parsed = crate::ingest::ingest_piece(&session.path, window, &piece, options);
    let [first, last] = session.lines;
    Ok(parsed
        .messages
        .into_iter()
        .map(|p| p.message)
        .filter(|m| {
            m.conversation == session.conversation
                && (first..=last).contains(&m.source.line_start)
                && match (m.time, session.start, session.end) {
                    (Some(t), Some(s), Some(e)) => (s..=e).contains(&t),
                    _ => true,
                }
        })
        .collect())
}

/// Bytes read on each side of a session so its neighbours settle nicks and
/// conversations as in the scan.
const CONTEXT_BYTES: u64 = 16 << 10;

/// Files up to this size are read whole when the window is not enough.
const WHOLE_FILE_LIMIT: u64 = 256 << 20;

/// Sessions are cut at inactivity gaps; a range beyond this is not one
/// session but a corrupt record, and is refused rather than read.
const MAX_SESSION_BYTES: u64 = 64 << 20;

/// The index of the message `finding` quotes: same `path:line`, and its
/// span slices exactly the finding's quote out of the text. `None` when no
/// message matches (the dump changed, or the finding is not located).
pub fn locate(messages: &[Message], finding: &Finding) -> Option<usize> {
    messages.iter().position(|m| {
        m.source.location() == finding.location
            && m.text.get(finding.span.byte_start..finding.span.byte_end) == Some(&finding.quote)
    })
}
