//! `verify`: check a bundle against the dump it claims to come from.
//!
//! Two independent checks, so that both kinds of tampering are caught:
//!
//! * **internal**: every message hash is recomputed from the fields written in
//!   the bundle and the chain is re-run from `h_0`. An edit to `bundle.json`
//!   that did not also recompute the hashes shows up here;
//! * **external**: the named files are re-ingested under the paths the bundle
//!   recorded, the range is rebuilt with the bundle's own request and session
//!   gap, and the two ranges are compared message by message, matched by
//!   source (path and line range). This catches an edited dump, and a bundle
//!   whose hashes were recomputed after removing, inserting or editing a
//!   message. File hashes are compared as well;
//! * **what a reader sees**: everything else in `bundle.json` (times as
//!   text, locations, kinds, accounts, sessions, the notice, the 90-day
//!   note, the request) is regenerated from the dump as `wwqa evidence`
//!   made it at `generated_at` and compared field by field; highlights too,
//!   when a highlighter is given and the bundle was written by this wwqa
//!   version (otherwise their quotes, locations and statuses are checked
//!   against their messages, and a note says they were not re-derived).
//!   [`verify_file`] also renders `bundle.html` from `bundle.json` and
//!   compares it with the page beside it.
//!
//! Files that hold no message of the bundle's conversation are not an
//! alteration: the report says "no matching conversation" instead.

use super::hash::{chain_next, file_hash, from_hex, header_hash, message_hash, to_hex};
use super::{assemble, scan_file, Bundle, EvidenceMessage, EvidenceRequest, FileScan, SourceFile};
use crate::ingest::IngestOptions;
use crate::session::SessionOptions;
use rayon::prelude::*;
use serde::Serialize;
use std::fmt;
use std::path::{Path, PathBuf};

/// The first message where bundle and dump part ways.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    /// Position in the range (0-based).
    pub index: usize,
    /// Id of the message concerned (the dump's message when the bundle lacks
    /// it, the bundle's otherwise).
    pub message_id: String,
    /// `path:line` of that message.
    pub location: String,
    /// What differs.
    pub what: String,
}

/// A source file whose bytes do not match the bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileMismatch {
    /// Path recorded in the bundle.
    pub path: String,
    /// SHA-256 recorded in the bundle.
    pub expected: String,
    /// SHA-256 of the file given, if it could be read.
    pub actual: Option<String>,
    /// What went wrong.
    pub what: String,
}

/// The outcome of [`verify()`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// True when the bundle is unaltered: no difference, no file mismatch,
    /// no problem.
    pub ok: bool,
    /// Messages in the bundle.
    pub messages_checked: usize,
    /// The first differing message.
    pub first_difference: Option<Difference>,
    /// Source files that changed or are missing.
    pub file_mismatches: Vec<FileMismatch>,
    /// Bundle-level problems (header, range hash, version, fields a
    /// reader sees that the dump does not give, an edited page).
    pub problems: Vec<String>,
    /// True when the files given hold no message of the bundle's
    /// conversation in its window: the wrong files, not an altered bundle.
    pub no_match: bool,
    /// What was not checked, and why (never a failure).
    pub notes: Vec<String>,
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ok {
            write!(
                f,
                "UNALTERED: {} messages match the dump, every file hash matches",
                self.messages_checked
            )?;
            for n in &self.notes {
                write!(f, "\nnote: {n}")?;
            }
            return Ok(());
        }
        if self.no_match {
            // Wrong files, not an alteration; what the bundle's own hashes
            // say is still shown.
            write!(
                f,
                "NO MATCHING CONVERSATION: the files given hold no message of this bundle's conversation in its window; check the files given to --against"
            )?;
            if let Some(d) = &self.first_difference {
                write!(
                    f,
                    "\nin the bundle itself: #{} {}: {}",
                    d.index, d.location, d.what
                )?;
            }
            for p in self
                .problems
                .iter()
                .filter(|p| p.starts_with("bundle.json edited"))
            {
                write!(f, "\nin the bundle itself: {p}")?;
            }
            return Ok(());
        }
        write!(f, "ALTERED")?;
        if let Some(d) = &self.first_difference {
            write!(
                f,
                "\nfirst differing message: #{} {} (id {}): {}",
                d.index, d.location, d.message_id, d.what
            )?;
        }
        for m in &self.file_mismatches {
            write!(f, "\nfile {}: {}", m.path, m.what)?;
        }
        for p in &self.problems {
            write!(f, "\n{p}")?;
        }
        Ok(())
    }
}

/// Check `bundle` against `files` (the dump, or copies of it).
///
/// A file given on the command line is matched to a bundle file by its exact
/// path, or else by its file name when that is unique, and re-ingested under
/// the recorded path (paths are part of the message hash). Files that match
/// no bundle file are ingested too: a conversation message they hold inside
/// the range means the bundle is incomplete.
pub fn verify(bundle: &Bundle, files: &[PathBuf], ingest: &IngestOptions) -> VerifyReport {
    verify_with(bundle, files, ingest, None)
}

/// Read `path` (a `bundle.json` or the case directory holding it), check
/// it against `files` as [`verify_with`] does, and check the `bundle.html`
/// beside it, if any, against the page rendered from the bundle. Returns
/// the path of the `bundle.json` read and the report.
///
/// # Errors
/// The bundle cannot be read or is not an evidence bundle.
pub fn verify_file(
    path: &Path,
    files: &[PathBuf],
    ingest: &IngestOptions,
    highlighter: &Highlighter<'_>,
) -> anyhow::Result<(PathBuf, VerifyReport)> {
    use anyhow::Context;
    let json = if path.is_dir() {
        path.join("bundle.json")
    } else {
        path.to_path_buf()
    };
    let text = std::fs::read_to_string(&json)
        .with_context(|| format!("{}: cannot read", json.display()))?;
    let bundle: Bundle = serde_json::from_str(&text)
        .with_context(|| format!("{}: not an evidence bundle", json.display()))?;
    let mut report = verify_with(&bundle, files, ingest, Some(highlighter));
    let page = json.with_file_name("bundle.html");
    match std::fs::read_to_string(&page) {
        Ok(html) => {
            if let Some(problem) = page_difference(&bundle, &html) {
                report
                    .problems
                    .push(format!("{}: {problem}", page.display()));
                report.ok = false;
            }
        }
        Err(_) => report.notes.push(format!(
            "{} not found beside the bundle: no page checked",
            page.display()
        )),
    }
    Ok((json, report))
}

/// How a `bundle.html` differs from the page rendered from `bundle`, if it
/// does: every word of the page comes from the bundle, so any edit shows.
pub fn page_difference(bundle: &Bundle, html: &str) -> Option<String> {
    let expected = super::render_html(bundle);
    if expected == html {
        return None;
    }
    let line = expected
        .lines()
        .zip(html.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(html.lines().count()));
    Some(format!(
        "edited: it differs from the page rendered from bundle.json at line {}",
        line + 1
    ))
}

/// What marks the spans of a session, as `wwqa evidence` does.
pub type Highlighter<'a> = dyn Fn(&crate::model::Session) -> Vec<super::Highlight> + 'a;

/// [`verify`], with the highlighter `wwqa evidence` used, so that the
/// bundle's highlights are re-derived from the dump and compared too.
pub fn verify_with(
    bundle: &Bundle,
    files: &[PathBuf],
    ingest: &IngestOptions,
    highlighter: Option<&Highlighter<'_>>,
) -> VerifyReport {
    let mut problems = Vec::new();
    let mut notes = Vec::new();
    if bundle.format_version != super::FORMAT_VERSION {
        problems.push(format!(
            "format_version {} is not {}: this wwqa cannot check it",
            bundle.format_version,
            super::FORMAT_VERSION
        ));
    }
    let internal = check_internal(bundle, &mut problems);

    let req = EvidenceRequest {
        buyer: bundle.request.buyer.clone(),
        shop: bundle.request.shop.clone(),
        from: bundle.request.from,
        to: bundle.request.to,
    };
    let session_opts = SessionOptions {
        gap_secs: bundle.session_gap_secs,
    };
    // Each worker reads, hashes and scans one file and drops its bytes, so
    // memory holds one file per thread, not the dump.
    let checked: Vec<CheckedFile<'_>> = map_paths(&bundle.files, files)
        .into_par_iter()
        .map(|(recorded, given)| match std::fs::read(given) {
            Err(e) => CheckedFile {
                recorded,
                given,
                digest: Err(e.to_string()),
                scan: None,
            },
            Ok(bytes) => CheckedFile {
                digest: Ok(to_hex(&file_hash(&bytes))),
                scan: Some(scan_file(&recorded, &bytes, &req, ingest, &session_opts)),
                recorded,
                given,
            },
        })
        .collect();
    let file_mismatches = check_files(&bundle.files, &checked);
    let scans: Vec<FileScan> = checked.into_iter().filter_map(|c| c.scan).collect();
    // Rebuilt as at generation time, so the 90-day note comes out the same.
    let generated = super::parse_time_bound(&bundle.generated_at, false).ok();
    if generated.is_none() {
        problems.push(format!(
            "generated_at `{}` is not a time wwqa writes",
            bundle.generated_at
        ));
    }
    let this_version = bundle.generator == format!("wwqa {}", env!("CARGO_PKG_VERSION"));
    let rederive = highlighter.filter(|_| this_version);
    let no_highlights = |_: &crate::model::Session| Vec::new();
    let rebuilt = assemble(
        scans,
        &req,
        &session_opts,
        rederive.unwrap_or(&no_highlights),
        generated.unwrap_or(0),
    )
    .into_iter()
    .find(|b| b.shop == bundle.shop && b.buyer == bundle.buyer);
    let expected: &[EvidenceMessage] = rebuilt.as_ref().map_or(&[], |b| &b.messages);
    let mut external = compare(&bundle.messages, expected);
    if rederive.is_none() {
        notes.push(format!(
            "highlights not re-derived ({}): each was checked against its message only",
            if this_version {
                "no highlighter given".to_string()
            } else {
                format!("written by {}, not this wwqa", bundle.generator)
            }
        ));
        problems.extend(highlight_problems(bundle));
    }
    if let (Some(r), None) = (&rebuilt, &external) {
        external = reader_view(bundle, r, rederive.is_some(), &mut problems);
    }
    if let Some(r) = &rebuilt {
        if r.range_hash != bundle.range_hash {
            problems.push(format!(
                "range_hash {} differs from the dump's {}",
                bundle.range_hash, r.range_hash
            ));
        }
        if r.case_id != bundle.case_id {
            problems.push(format!(
                "case_id {} differs from the dump's {}",
                bundle.case_id, r.case_id
            ));
        }
    } else {
        problems.push(format!(
            "the files given hold no message of {} / {} in the requested window",
            bundle.shop, bundle.buyer
        ));
    }
    let no_match = rebuilt.is_none();
    if no_match {
        // Compared with nothing, every message would look removed.
        external = None;
    }

    let first_difference = match (internal, external) {
        (None, e) => e,
        (i, None) => i,
        (Some(i), Some(e)) if i.index < e.index => Some(i),
        (Some(i), Some(e)) if e.index < i.index => Some(e),
        // Same message: the dump's view names it, the bundle's view adds how
        // the JSON itself was touched.
        (Some(i), Some(e)) => Some(Difference {
            what: format!("{}; {}", e.what, i.what),
            ..e
        }),
    };
    VerifyReport {
        ok: first_difference.is_none() && file_mismatches.is_empty() && problems.is_empty(),
        messages_checked: bundle.messages.len(),
        first_difference,
        file_mismatches,
        problems,
        no_match,
        notes,
    }
}

/// Compare everything a reader sees in `bundle` with the bundle rebuilt
/// from the dump (whose messages matched already): bundle-level fields go
/// to `problems`; the first message whose unhashed fields (time as text,
/// location, kind, account, id) differ is returned.
fn reader_view(
    bundle: &Bundle,
    rebuilt: &Bundle,
    with_highlights: bool,
    problems: &mut Vec<String>,
) -> Option<Difference> {
    let (Ok(serde_json::Value::Object(mine)), Ok(serde_json::Value::Object(dump))) =
        (serde_json::to_value(bundle), serde_json::to_value(rebuilt))
    else {
        return None;
    };
    // Checked elsewhere: hashes, files, the generator's name; messages
    // one by one below.
    let skip = [
        "generator",
        "header_hash",
        "range_hash",
        "case_id",
        "files",
        "messages",
    ];
    for (key, value) in &mine {
        if skip.contains(&key.as_str()) || (key == "highlights" && !with_highlights) {
            continue;
        }
        if dump.get(key) != Some(value) {
            problems.push(format!(
                "bundle.json edited: `{key}` is not what the dump gives ({})",
                dump.get(key)
                    .map_or_else(|| "nothing".to_string(), |v| preview(&v.to_string()))
            ));
        }
    }
    for (i, (b, d)) in bundle.messages.iter().zip(&rebuilt.messages).enumerate() {
        let fields = [
            ("time", b.time != d.time),
            ("location", b.location != d.location),
            ("kind", b.kind != d.kind),
            ("account", b.account != d.account),
            ("id", b.id != d.id),
        ];
        let edited: Vec<&str> = fields.iter().filter(|f| f.1).map(|f| f.0).collect();
        if !edited.is_empty() {
            return Some(Difference {
                index: i,
                message_id: b.id.clone(),
                location: b.location.clone(),
                what: format!(
                    "bundle.json edited: {} not what the dump gives for this message",
                    edited.join(", ")
                ),
            });
        }
    }
    None
}

/// Highlights that do not agree with the message they point at.
fn highlight_problems(bundle: &Bundle) -> Vec<String> {
    let mut out = Vec::new();
    for (i, h) in bundle.highlights.iter().enumerate() {
        let m = bundle.messages.get(h.message_index);
        let ok = m.is_some_and(|m| {
            m.id == h.message_id
                && m.location == h.location
                && m.text.get(h.span.byte_start..h.span.byte_end) == Some(h.quote.as_str())
                && h.span.byte_start < h.span.byte_end
        }) && h.status == h.kind.status();
        if !ok {
            out.push(format!(
                "bundle.json edited: highlight #{i} ({} «{}») does not match its message and status",
                h.code,
                preview(&h.quote)
            ));
        }
    }
    out
}

/// Recompute message hashes and the chain from the bundle's own fields.
fn check_internal(bundle: &Bundle, problems: &mut Vec<String>) -> Option<Difference> {
    let h0 = header_hash(&bundle.case_id, &bundle.shop, &bundle.buyer);
    if from_hex(&bundle.header_hash) != Some(h0) {
        problems.push(format!(
            "header_hash {} does not match case_id, shop and buyer (expected {})",
            bundle.header_hash,
            to_hex(&h0)
        ));
    }
    let mut chain = h0;
    let mut first = None;
    for (i, m) in bundle.messages.iter().enumerate() {
        let digest = message_hash(&m.fields());
        chain = chain_next(&chain, &digest);
        if first.is_some() {
            continue;
        }
        let what = if from_hex(&m.sha256) != Some(digest) {
            Some(format!(
                "bundle.json edited: the message's fields no longer give its recorded sha256 {} (they give {})",
                m.sha256,
                to_hex(&digest)
            ))
        } else if m.index != i {
            Some(format!(
                "bundle.json edited: message recorded as #{} sits at #{i} (a message was removed or inserted before it)",
                m.index
            ))
        } else if from_hex(&m.chain) != Some(chain) {
            Some(format!(
                "bundle.json edited: chain value {} does not follow from the messages before it (expected {})",
                m.chain,
                to_hex(&chain)
            ))
        } else {
            None
        };
        first = what.map(|what| Difference {
            index: i,
            message_id: m.id.clone(),
            location: m.location.clone(),
            what,
        });
    }
    if from_hex(&bundle.range_hash) != Some(chain) {
        problems.push(format!(
            "range_hash {} is not the last chain value {} of the bundle's messages",
            bundle.range_hash,
            to_hex(&chain)
        ));
    }
    first
}

fn file_name(path: &str) -> Option<&str> {
    Path::new(path).file_name().and_then(|n| n.to_str())
}

/// Pair each given file with the path to ingest it under.
fn map_paths<'a>(recorded: &[SourceFile], given: &'a [PathBuf]) -> Vec<(String, &'a Path)> {
    let given_str: Vec<String> = given
        .iter()
        .map(|g| g.to_string_lossy().to_string())
        .collect();
    let exact: Vec<bool> = recorded
        .iter()
        .map(|r| given_str.contains(&r.path))
        .collect();
    let mut claimed = exact.clone();
    given
        .iter()
        .zip(&given_str)
        .map(|(g, gs)| {
            if recorded.iter().any(|r| r.path == *gs) {
                return (gs.clone(), g.as_path());
            }
            let name = file_name(gs);
            let candidates: Vec<usize> = (0..recorded.len())
                .filter(|&i| name.is_some() && file_name(&recorded[i].path) == name)
                .collect();
            if let [only] = candidates[..] {
                if !claimed[only] {
                    claimed[only] = true;
                    return (recorded[only].path.clone(), g.as_path());
                }
            }
            (gs.clone(), g.as_path())
        })
        .collect()
}

/// One given file after reading: its hash (or why it could not be read)
/// and the sessions it holds.
struct CheckedFile<'a> {
    recorded: String,
    given: &'a Path,
    digest: Result<String, String>,
    scan: Option<FileScan>,
}

fn check_files(recorded: &[SourceFile], checked: &[CheckedFile<'_>]) -> Vec<FileMismatch> {
    recorded
        .iter()
        .filter_map(|r| {
            let mismatch = |actual: Option<String>, what: String| FileMismatch {
                path: r.path.clone(),
                expected: r.sha256.clone(),
                actual,
                what,
            };
            let Some(CheckedFile { given, digest, .. }) =
                checked.iter().find(|c| c.recorded == r.path)
            else {
                return Some(mismatch(
                    None,
                    "not among the files given to check against".to_string(),
                ));
            };
            match digest {
                Err(e) => Some(mismatch(
                    None,
                    format!("{}: cannot read: {e}", given.display()),
                )),
                Ok(actual) => (*actual != r.sha256).then(|| {
                    mismatch(
                        Some(actual.clone()),
                        format!(
                            "{} has sha256 {actual}, the bundle recorded {}: the file changed",
                            given.display(),
                            r.sha256
                        ),
                    )
                }),
            }
        })
        .collect()
}

fn same_source(a: &EvidenceMessage, b: &EvidenceMessage) -> bool {
    a.source.path == b.source.path
        && a.source.line_start == b.source.line_start
        && a.source.line_end == b.source.line_end
}

fn differing_fields(bundled: &EvidenceMessage, dump: &EvidenceMessage) -> Vec<&'static str> {
    let mut out = Vec::new();
    if bundled.text != dump.text {
        out.push("text");
    }
    if bundled.time_unix != dump.time_unix {
        out.push("time");
    }
    if bundled.sender != dump.sender {
        out.push("sender");
    }
    if bundled.role != dump.role {
        out.push("role");
    }
    if (bundled.source.byte_start, bundled.source.byte_end)
        != (dump.source.byte_start, dump.source.byte_end)
    {
        out.push("byte range");
    }
    out
}

/// The start of a text for a one-line message.
fn preview(text: &str) -> String {
    const MAX: usize = 40;
    let mut out: String = text.chars().take(MAX).collect();
    if text.chars().nth(MAX).is_some() {
        out.push('…');
    }
    out.replace('\n', "⏎")
}

/// Compare the bundle's range with the dump's, message by message.
fn compare(bundled: &[EvidenceMessage], dump: &[EvidenceMessage]) -> Option<Difference> {
    for i in 0..bundled.len().max(dump.len()) {
        let diff = |m: &EvidenceMessage, what: String| Difference {
            index: i,
            message_id: m.id.clone(),
            location: m.location.clone(),
            what,
        };
        match (bundled.get(i), dump.get(i)) {
            (Some(b), None) => {
                return Some(diff(
                    b,
                    "not in the dump: the dump's range ends before this message".to_string(),
                ))
            }
            (None, Some(d)) => {
                return Some(diff(
                    d,
                    "missing from the bundle: the bundle ends before this message of the dump"
                        .to_string(),
                ))
            }
            (None, None) => return None,
            (Some(b), Some(d)) if !same_source(b, d) => {
                return Some(if dump[i..].iter().any(|x| same_source(x, b)) {
                    diff(
                        d,
                        format!(
                            "missing from the bundle: the dump has this message before {}",
                            b.location
                        ),
                    )
                } else if bundled[i..].iter().any(|x| same_source(x, d)) {
                    diff(
                        b,
                        format!(
                            "not in the dump: the bundle inserts this message before {}",
                            d.location
                        ),
                    )
                } else {
                    diff(
                        b,
                        format!(
                            "the bundle has this message where the dump has {}",
                            d.location
                        ),
                    )
                });
            }
            (Some(b), Some(d)) => {
                // Fields are compared too: an edit that left the recorded
                // hash alone still differs from the dump.
                let fields = differing_fields(b, d);
                if b.sha256 != d.sha256 || !fields.is_empty() {
                    let mut what = if fields.is_empty() {
                        format!(
                            "recorded sha256 {} differs from the dump's {}",
                            b.sha256, d.sha256
                        )
                    } else {
                        format!("{} differs from the dump", fields.join(", "))
                    };
                    if b.text != d.text {
                        what.push_str(&format!(
                            ": bundle has «{}», dump has «{}»",
                            preview(&b.text),
                            preview(&d.text)
                        ));
                    }
                    return Some(diff(b, what));
                }
            }
        }
    }
    None
}
