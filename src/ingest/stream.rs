//! Reading a large file in pieces cut where the format's parser starts
//! afresh, so memory is bounded by the piece size, not the file size.
//!
//! The encoding, format and (for `qianniu-text`) the QQ-style mode are
//! decided once on the file's first bytes and forced on every piece. Cuts
//! are made at a line start that the format's parser treats as a clean
//! restart:
//!
//! * `qianniu-text`: a message header from a buyer (the current buyer and the
//!   open message restart there), or a `消息对象:` block header in QQ-style
//!   exports;
//! * `jddc`: a line whose session id differs from the line before;
//! * `jsonl`: any line (one record per line).
//!
//! Other formats (API JSON documents, CSV with its header row, web pages)
//! are read whole. A piece that finds no cut point grows until it does, so
//! a pathological file costs memory, never correctness.

use super::decode::{self, Encoding};
use super::{detect_format, Format, IngestOptions, PieceContext};
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// How much of a file decides its encoding and format.
const SNIFF_BYTES: usize = 64 * 1024;

/// One piece of a file: its bytes and where they sit.
#[derive(Debug)]
pub struct Piece {
    /// The raw bytes, starting and ending on line boundaries.
    pub bytes: Vec<u8>,
    /// Position in the file and the file-level decisions.
    pub context: PieceContext,
}

/// Reads a file piece by piece.
pub struct PieceReader {
    file: File,
    /// Bytes read from the file but not yet handed out.
    pending: Vec<u8>,
    eof: bool,
    handed_out: bool,
    target: usize,
    next: PieceContext,
    cuttable: bool,
    encoding: Encoding,
    format: Option<Format>,
    qq_style: bool,
    options: IngestOptions,
}

impl PieceReader {
    /// Open `path` and decide its encoding and format on its first bytes.
    /// Pieces are about `target` bytes (a file that cannot be cut is one
    /// piece).
    ///
    /// # Errors
    /// The file cannot be opened or read.
    pub fn open(path: &Path, target: usize, options: &IngestOptions) -> io::Result<PieceReader> {
        let mut file = File::open(path)?;
        let mut pending = Vec::with_capacity(SNIFF_BYTES);
        (&mut file)
            .take(SNIFF_BYTES as u64)
            .read_to_end(&mut pending)?;
        let eof = pending.len() < SNIFF_BYTES;
        // Judge on whole lines only, so a character cut at the sniff limit
        // does not look like a decoding error.
        let sniff = if eof {
            &pending[..]
        } else {
            match memchr::memrchr(b'\n', &pending) {
                Some(i) => &pending[..=i],
                // A first line longer than the sniff (a minified API
                // response): cut at a character boundary instead.
                None => utf8_prefix(&pending),
            }
        };
        let encoding = options.encoding.unwrap_or_else(|| decode::detect(sniff));
        let lines = decode::decode(sniff, Some(encoding)).lines;
        let format = options.format.or_else(|| detect_format(&lines));
        let qq_style = super::qianniu_text::is_qq_style(&lines);
        let cuttable = matches!(
            format,
            Some(Format::QianniuText | Format::Jddc | Format::Jsonl)
        ) && matches!(
            encoding,
            Encoding::Utf8 | Encoding::Utf8Bom | Encoding::Gb18030
        );
        Ok(PieceReader {
            file,
            pending,
            eof,
            handed_out: false,
            target: target.max(1),
            next: PieceContext {
                line_offset: 0,
                byte_offset: 0,
                encoding: Some(encoding),
                format,
                qq_style: Some(qq_style),
                format_detected: options.format.is_none(),
                more_follows: false,
            },
            cuttable,
            encoding,
            format,
            qq_style,
            options: options.clone(),
        })
    }

    /// Where the next piece starts, and the file-level decisions.
    pub fn context(&self) -> &PieceContext {
        &self.next
    }

    /// The next piece, or `None` at the end of the file.
    ///
    /// # Errors
    /// A read error.
    pub fn next_piece(&mut self) -> io::Result<Option<Piece>> {
        if self.pending.is_empty() && self.eof {
            // An empty file is still one (empty) piece, so it is reported.
            if self.handed_out {
                return Ok(None);
            }
            return Ok(Some(self.take(0)));
        }
        if !self.cuttable {
            // Read whole.
            self.file.read_to_end(&mut self.pending)?;
            self.eof = true;
            return Ok(Some(self.take(self.pending.len())));
        }
        loop {
            if !self.eof && self.pending.len() < self.target * 2 {
                let want = self.target * 2 - self.pending.len();
                let got = (&mut self.file)
                    .take(want as u64)
                    .read_to_end(&mut self.pending)?;
                if got < want {
                    self.eof = true;
                }
            }
            if let Some(cut) = self.find_cut() {
                return Ok(Some(self.take(cut)));
            }
            if self.eof {
                return Ok(Some(self.take(self.pending.len())));
            }
            // No cut point in reach: read on.
            self.target = self.target.saturating_mul(2);
        }
    }

    /// Hand out `pending[..len]` as a piece.
    fn take(&mut self, len: usize) -> Piece {
        self.handed_out = true;
        let rest = self.pending.split_off(len);
        let bytes = std::mem::replace(&mut self.pending, rest);
        let mut context = self.next.clone();
        context.more_follows = !(self.pending.is_empty() && self.eof);
        let lines = count_lines(&bytes);
        self.next.line_offset = self.next.line_offset.saturating_add(lines);
        self.next.byte_offset += bytes.len() as u64;
        Piece { bytes, context }
    }

    /// A cut point at or after `target` and before the end of `pending`:
    /// the start of a line where the parser restarts cleanly.
    fn find_cut(&self) -> Option<usize> {
        let buf = &self.pending;
        if buf.len() <= self.target {
            return None;
        }
        let mut start = memchr::memchr(b'\n', &buf[self.target..])? + self.target + 1;
        let mut previous_session: Option<Vec<u8>> = None;
        while start < buf.len() {
            let end = match memchr::memchr(b'\n', &buf[start..]) {
                Some(i) => start + i,
                // The last line may be incomplete: never cut at it.
                None => return None,
            };
            let raw = &buf[start..end];
            let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
            let ok = match self.format {
                Some(Format::Jsonl) => true,
                Some(Format::Jddc) => {
                    let id = raw.split(|&b| b == b'\t').next().unwrap_or(raw);
                    let boundary = previous_session.as_deref().is_some_and(|p| p != id);
                    previous_session = Some(id.to_vec());
                    boundary
                }
                Some(Format::QianniuText) => decode::decode_8bit_line(raw, self.encoding)
                    .is_ok_and(|t| {
                        super::qianniu_text::is_cut_line(&t, self.qq_style, &self.options)
                    }),
                _ => false,
            };
            if ok {
                return Some(start);
            }
            start = end + 1;
        }
        None
    }
}

/// `bytes` without a UTF-8 sequence cut off at its end, when everything
/// before the cut is valid UTF-8 (otherwise `bytes` unchanged: then the
/// cut cannot make UTF-8 look invalid, and other encodings are judged as
/// they are).
fn utf8_prefix(bytes: &[u8]) -> &[u8] {
    match std::str::from_utf8(bytes) {
        Err(e) if e.error_len().is_none() => &bytes[..e.valid_up_to()],
        _ => bytes,
    }
}

/// Lines in a piece: its line breaks, plus an unterminated last line.
fn count_lines(bytes: &[u8]) -> u32 {
    let breaks = memchr::memchr_iter(b'\n', bytes).count();
    let tail = usize::from(!bytes.is_empty() && bytes.last() != Some(&b'\n'));
    u32::try_from(breaks + tail).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_line_longer_than_the_sniff_cut_inside_a_character_stays_utf8() {
        // One minified API response line of Chinese text, several times the
        // sniff size, with the sniff limit falling inside a 3-byte character.
        let mut body = String::from(r#"{"msgs":[{"direction":1,"content":""#);
        while body.len() % 3 != 0 {
            body.push('x');
        }
        while body.len() < SNIFF_BYTES * 3 {
            body.push_str("这件衣服有货吗");
        }
        body.push_str(r#""}]}"#);
        assert!(!body.is_char_boundary(SNIFF_BYTES));
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("api.json");
        std::fs::write(&path, &body).unwrap();
        let reader = PieceReader::open(&path, 1 << 20, &IngestOptions::default()).unwrap();
        assert_eq!(reader.encoding, Encoding::Utf8);
        assert_eq!(reader.format, Some(Format::ApiJson));
    }

    #[test]
    fn utf8_prefix_drops_only_a_cut_sequence() {
        let s = "有货".as_bytes();
        assert_eq!(utf8_prefix(&s[..4]), &s[..3]);
        assert_eq!(utf8_prefix(s), s);
        assert_eq!(utf8_prefix(&[0xFF, 0xE6]), &[0xFF, 0xE6]);
    }
}
