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
//!   message. File hashes are compared as well.

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
    /// Bundle-level problems (header, range hash, version).
    pub problems: Vec<String>,
}

impl fmt::Display for VerifyReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.ok {
            return write!(
                f,
                "UNALTERED: {} messages match the dump, every file hash matches",
                self.messages_checked
            );
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
    let mut problems = Vec::new();
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
    let rebuilt = assemble(scans, &req, &session_opts, &|_| Vec::new(), 0)
        .into_iter()
        .find(|b| b.shop == bundle.shop && b.buyer == bundle.buyer);
    let expected: &[EvidenceMessage] = rebuilt.as_ref().map_or(&[], |b| &b.messages);
    let external = compare(&bundle.messages, expected);
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
    }
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
