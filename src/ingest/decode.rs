//! Encoding detection and line splitting, per file.
//!
//! Every line keeps its 1-based number and its byte range in the raw file, so
//! a message can always be traced back to the bytes it came from. A line that
//! does not decode is not repaired: it becomes a reject, with its raw bytes.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
use serde::Serialize;
use std::borrow::Cow;

/// The encoding a file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Encoding {
    /// UTF-8 without a byte-order mark.
    #[serde(rename = "utf-8")]
    Utf8,
    /// UTF-8 with a byte-order mark.
    #[serde(rename = "utf-8-bom")]
    Utf8Bom,
    /// GB18030 (a superset of GBK and GB2312).
    #[serde(rename = "gb18030")]
    Gb18030,
    /// UTF-16 little-endian (with or without BOM).
    #[serde(rename = "utf-16le")]
    Utf16Le,
    /// UTF-16 big-endian (with or without BOM).
    #[serde(rename = "utf-16be")]
    Utf16Be,
}

impl Encoding {
    /// Name used in the summary.
    pub fn as_str(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Utf8Bom => "utf-8-bom",
            Encoding::Gb18030 => "gb18030",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }
}

/// The line endings seen in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineEnding {
    /// Only `\n`.
    Lf,
    /// Only `\r\n`.
    Crlf,
    /// Both.
    Mixed,
    /// A single line with no terminator.
    None,
}

/// One physical line of a file. The text borrows the raw bytes when they
/// are clean UTF-8 (the common case: no copy per line).
#[derive(Debug, Clone)]
pub struct Line<'a> {
    /// 1-based line number.
    pub number: u32,
    /// Byte offset of the line start in the raw file.
    pub byte_start: u64,
    /// Byte offset of the line end (before the terminator).
    pub byte_end: u64,
    /// The decoded text without its terminator, or why it could not be
    /// decoded (then `raw` holds a lossy rendering for the rejects file).
    pub text: Result<Cow<'a, str>, String>,
}

impl Line<'_> {
    /// The decoded text, or `""` for undecodable lines.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }
}

/// A decoded file.
#[derive(Debug)]
pub struct Decoded<'a> {
    /// The encoding chosen.
    pub encoding: Encoding,
    /// The line endings seen.
    pub line_ending: LineEnding,
    /// Whether the file ends with a line terminator (a missing one at the
    /// end of a non-empty file suggests truncation).
    pub ends_with_newline: bool,
    /// The lines, in order.
    pub lines: Vec<Line<'a>>,
}

/// Decode `bytes` with the encoding given, or a detected one.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> Decoded<'_> {
    let encoding = forced.unwrap_or_else(|| detect(bytes));
    match encoding {
        Encoding::Utf16Le | Encoding::Utf16Be => decode_utf16(bytes, encoding),
        _ => decode_8bit(bytes, encoding),
    }
}

/// Guess the encoding: a BOM decides; otherwise NUL-byte patterns reveal
/// UTF-16; otherwise UTF-8 wins if most lines with non-ASCII bytes are valid
/// UTF-8 (a few garbage lines in a UTF-8 file must not flip it to GB18030,
/// which decodes almost any byte pair), else GB18030.
pub fn detect(bytes: &[u8]) -> Encoding {
    if bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Encoding::Utf8Bom;
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        return Encoding::Utf16Le;
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        return Encoding::Utf16Be;
    }
    let sample = &bytes[..bytes.len().min(4096)];
    let pairs = sample.len() / 2;
    if pairs >= 2 {
        let even_nul = sample.chunks_exact(2).filter(|p| p[0] == 0).count();
        let odd_nul = sample.chunks_exact(2).filter(|p| p[1] == 0).count();
        // ASCII-heavy UTF-16 has a NUL in almost every other byte; CJK-heavy
        // UTF-16 has none, so also look at where the newline units sit.
        if odd_nul * 4 > pairs && even_nul * 20 < pairs {
            return Encoding::Utf16Le;
        }
        if even_nul * 4 > pairs && odd_nul * 20 < pairs {
            return Encoding::Utf16Be;
        }
    }
    if std::str::from_utf8(bytes).is_ok() {
        return Encoding::Utf8;
    }
    let mut non_ascii = 0usize;
    let mut valid_utf8 = 0usize;
    for line in bytes.split(|&b| b == b'\n') {
        if line.is_ascii() {
            continue;
        }
        non_ascii += 1;
        if std::str::from_utf8(line).is_ok() {
            valid_utf8 += 1;
        }
    }
    if valid_utf8 * 2 >= non_ascii {
        Encoding::Utf8
    } else {
        Encoding::Gb18030
    }
}

fn decode_8bit(bytes: &[u8], encoding: Encoding) -> Decoded<'_> {
    let start = if encoding == Encoding::Utf8Bom && bytes.starts_with(&[0xEF, 0xBB, 0xBF]) {
        3
    } else {
        0
    };
    let mut lines = Vec::new();
    let mut crlf = 0usize;
    let mut lf = 0usize;
    let mut pos = start;
    let mut number = 0u32;
    let ends_with_newline = bytes.len() > start && bytes.last() == Some(&b'\n');
    // A UTF-8 piece is validated once (SIMD, inside encoding_rs) and its
    // control bytes found in one pass; its lines then borrow from it. Any
    // other piece is decoded line by line, so a bad line is rejected alone.
    let valid: Option<&str> = match encoding {
        Encoding::Gb18030 => None,
        _ => match encoding_rs::UTF_8
            .decode_without_bom_handling_and_without_replacement(&bytes[start..])
        {
            Some(Cow::Borrowed(text)) => Some(text),
            _ => None,
        },
    };
    let controls = valid.map(|text| Controls::of(text.as_bytes(), start));
    let mut newlines = controls.as_ref().map(|c| c.newlines.iter().copied());
    let mut strays = controls.as_ref().map_or(&[][..], |c| &c.strays[..]);
    let recheck_all = valid.is_some_and(has_rare_garbage);
    if let Some(c) = &controls {
        lines.reserve_exact(c.newlines.len() + 1);
    }
    while pos < bytes.len() {
        number += 1;
        let newline = match newlines.as_mut() {
            Some(found) => found.next(),
            None => memchr::memchr(b'\n', &bytes[pos..]).map(|i| pos + i),
        };
        let (content_end, next) = match newline {
            Some(i) => (i, i + 1),
            None => (bytes.len(), bytes.len()),
        };
        let mut end = content_end;
        if next > content_end {
            if end > pos && bytes[end - 1] == b'\r' {
                end -= 1;
                crlf += 1;
            } else {
                lf += 1;
            }
        }
        while strays.first().is_some_and(|&s| s < pos) {
            strays = &strays[1..];
        }
        let suspect = recheck_all || strays.first().is_some_and(|&s| s < end);
        let text = match valid.and_then(|t| t.get(pos - start..end - start)) {
            Some(t) if !suspect => Ok(Cow::Borrowed(t)),
            Some(t) => match garbage_in(t) {
                Some(reason) => Err(reason),
                None => Ok(Cow::Borrowed(t)),
            },
            None => decode_8bit_line(&bytes[pos..end], encoding)
                .and_then(check_garbage)
                .map(Cow::Owned),
        };
        lines.push(Line {
            number,
            byte_start: pos as u64,
            byte_end: end as u64,
            text,
        });
        pos = next;
    }
    Decoded {
        encoding,
        line_ending: line_ending(crlf, lf, lines.len()),
        ends_with_newline,
        lines,
    }
}

/// The bytes below 0x20 of a valid UTF-8 piece, found in one pass: line
/// feeds, and the "strays" that make their line garbage (anything but tab,
/// `\n` and the `\r` of `\r\n`). Positions are offset by `base`.
struct Controls {
    newlines: Vec<usize>,
    strays: Vec<usize>,
}

impl Controls {
    fn of(bytes: &[u8], base: usize) -> Controls {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGH: u64 = 0x8080_8080_8080_8080;
        const LOW7: u64 = !HIGH;
        let mut newlines = Vec::with_capacity(bytes.len() / 32);
        let mut strays = Vec::new();
        let mut note = |i: usize| match bytes[i] {
            b'\n' => newlines.push(base + i),
            b'\t' => {}
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => {}
            _ => strays.push(base + i),
        };
        // Eight bytes at a time: the high bit of each byte of `below` is set
        // exactly when that byte is under 0x20 (the 7-bit sums cannot carry
        // into the next byte). Most words have none.
        let mut chunks = bytes.chunks_exact(8);
        let mut at = 0;
        for chunk in chunks.by_ref() {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            let x = u64::from_le_bytes(word);
            let mut below = !(x | ((x & LOW7) + ONES * 0x60)) & HIGH;
            while below != 0 {
                note(at + below.trailing_zeros() as usize / 8);
                below &= below - 1;
            }
            at += 8;
        }
        for (i, &b) in bytes.iter().enumerate().skip(at) {
            if b < 0x20 {
                note(i);
            }
        }
        Controls { newlines, strays }
    }
}

/// Whether valid UTF-8 `text` holds DEL, a C1 control (`C2 80..=9F`) or
/// U+FFFD anywhere: rare enough that every line is then checked one by one.
fn has_rare_garbage(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr2_iter(0x7F, 0xC2, bytes)
        .any(|i| bytes[i] == 0x7F || bytes.get(i + 1).is_some_and(|b| (0x80..=0x9F).contains(b)))
        || memchr::memmem::find(bytes, "\u{FFFD}".as_bytes()).is_some()
}

/// One line (without its terminator) of an 8-bit encoded file, or why it
/// does not decode.
pub(crate) fn decode_8bit_line(raw: &[u8], encoding: Encoding) -> Result<String, String> {
    match encoding {
        Encoding::Gb18030 => match GB18030.decode_without_bom_handling_and_without_replacement(raw)
        {
            Some(s) => Ok(s.into_owned()),
            None => Err(format!(
                "invalid GB18030 bytes: {}",
                String::from_utf8_lossy(raw)
            )),
        },
        _ => match std::str::from_utf8(raw) {
            Ok(s) => Ok(s.to_string()),
            Err(e) => Err(format!(
                "invalid UTF-8 at byte {} of the line",
                e.valid_up_to()
            )),
        },
    }
}

/// A line that did not decode, kept whole: its bytes decoded in `encoding`
/// with replacement characters, and, when they are not valid UTF-8, the
/// bytes themselves in base64.
pub(crate) fn lossy(raw: &[u8], encoding: Encoding) -> (String, Option<String>) {
    use base64::Engine;
    let codec = match encoding {
        Encoding::Gb18030 => GB18030,
        Encoding::Utf16Le => UTF_16LE,
        Encoding::Utf16Be => UTF_16BE,
        Encoding::Utf8 | Encoding::Utf8Bom => encoding_rs::UTF_8,
    };
    let (text, _) = codec.decode_without_bom_handling(raw);
    let exact = std::str::from_utf8(raw)
        .is_err()
        .then(|| base64::engine::general_purpose::STANDARD.encode(raw));
    (text.into_owned(), exact)
}

fn decode_utf16(bytes: &[u8], encoding: Encoding) -> Decoded<'_> {
    let big_endian = encoding == Encoding::Utf16Be;
    let has_bom = (!big_endian && bytes.starts_with(&[0xFF, 0xFE]))
        || (big_endian && bytes.starts_with(&[0xFE, 0xFF]));
    let start = if has_bom { 2 } else { 0 };
    let unit_at = |i: usize| -> u16 {
        if big_endian {
            u16::from_be_bytes([bytes[i], bytes[i + 1]])
        } else {
            u16::from_le_bytes([bytes[i], bytes[i + 1]])
        }
    };
    let mut lines = Vec::new();
    let mut crlf = 0usize;
    let mut lf = 0usize;
    let mut number = 0u32;
    let mut pos = start;
    let whole_units = start + (bytes.len() - start) / 2 * 2;
    let ends_with_newline = whole_units >= start + 2
        && whole_units == bytes.len()
        && unit_at(whole_units - 2) == u16::from(b'\n');
    while pos < whole_units {
        number += 1;
        let mut i = pos;
        while i < whole_units && unit_at(i) != u16::from(b'\n') {
            i += 2;
        }
        let content_end = i;
        let next = if i < whole_units { i + 2 } else { i };
        let mut end = content_end;
        if next > content_end {
            if end > pos && unit_at(end - 2) == u16::from(b'\r') {
                end -= 2;
                crlf += 1;
            } else {
                lf += 1;
            }
        }
        let raw = &bytes[pos..end];
        let codec = if big_endian { UTF_16BE } else { UTF_16LE };
        let text = match codec.decode_without_bom_handling_and_without_replacement(raw) {
            Some(s) => Ok(s.into_owned()),
            None => Err("invalid UTF-16 (unpaired surrogate)".to_string()),
        };
        lines.push(Line {
            number,
            byte_start: pos as u64,
            byte_end: end as u64,
            text: text.and_then(check_garbage).map(Cow::Owned),
        });
        pos = next;
    }
    if whole_units < bytes.len() {
        // An odd byte count: the file was cut inside a code unit.
        number += 1;
        lines.push(Line {
            number,
            byte_start: whole_units as u64,
            byte_end: bytes.len() as u64,
            text: Err("truncated UTF-16 code unit at end of file".to_string()),
        });
    }
    Decoded {
        encoding,
        line_ending: line_ending(crlf, lf, lines.len()),
        ends_with_newline,
        lines,
    }
}

/// Control characters other than tab mean binary data, not chat text.
fn check_garbage(text: String) -> Result<String, String> {
    match garbage_in(&text) {
        Some(reason) => Err(reason),
        None => Ok(text),
    }
}

/// Why `text` is not chat text, if it is not.
fn garbage_in(text: &str) -> Option<String> {
    text.chars()
        .find(|&c| (c.is_control() && c != '\t') || c == '\u{FFFD}')
        .map(|c| format!("binary or control character U+{:04X} in line", c as u32))
}

fn line_ending(crlf: usize, lf: usize, lines: usize) -> LineEnding {
    match (crlf > 0, lf > 0) {
        (true, true) => LineEnding::Mixed,
        (true, false) => LineEnding::Crlf,
        (false, true) => LineEnding::Lf,
        (false, false) if lines > 0 => LineEnding::None,
        (false, false) => LineEnding::Lf,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_crlf_lines_keep_byte_ranges() {
        let bytes = "\u{FEFF}买家A 2024-3-5 9:03:07\r\n在吗\r\n".as_bytes();
        let d = decode(bytes, None);
        assert_eq!(d.encoding, Encoding::Utf8Bom);
        assert_eq!(d.line_ending, LineEnding::Crlf);
        assert_eq!(d.lines.len(), 2);
        assert_eq!(d.lines[1].text(), "在吗");
        let l = &d.lines[1];
        assert_eq!(
            &bytes[l.byte_start as usize..l.byte_end as usize],
            "在吗".as_bytes()
        );
    }

    #[test]
    fn gbk_file_is_detected_and_decoded() {
        let (bytes, _, _) = GB18030.encode("买家A 2024-3-5 9:03:07\n这件衣服有货吗\n");
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, Encoding::Gb18030);
        assert_eq!(d.lines[1].text(), "这件衣服有货吗");
    }

    #[test]
    fn utf16le_without_bom_is_detected() {
        let text = "tb买家 2024-3-5 9:03:07\n有货吗\n";
        let bytes: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, Encoding::Utf16Le);
        assert_eq!(d.lines[1].text(), "有货吗");
        assert!(d.ends_with_newline);
    }

    #[test]
    fn utf16be_with_bom_and_truncated_unit() {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend("在吗\n好的".encode_utf16().flat_map(|u| u.to_be_bytes()));
        bytes.push(0x4E);
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, Encoding::Utf16Be);
        assert_eq!(d.lines[0].text(), "在吗");
        assert_eq!(d.lines[1].text(), "好的");
        assert!(d.lines[2].text.is_err());
    }

    #[test]
    fn piece_scan_agrees_with_the_line_check() {
        for text in [
            "a\tb\nc\r\nd\n",
            "a\rb\n",
            "a\r\r\n",
            "end\r",
            "x\u{7F}y",
            "x\u{85}y",
            "¥9 ·\n",
            "\u{FFFD}",
            "\u{0}",
            "012345678901234\u{1B}",
            "好的，亲：已发货\n[图片]\n",
        ] {
            let by_line = text
                .split('\n')
                .map(|l| l.strip_suffix('\r').unwrap_or(l))
                .any(|l| check_garbage(l.to_string()).is_err());
            // A final `\r` without `\n` stays in its line.
            let by_line = by_line || (text.ends_with('\r'));
            let d = decode(text.as_bytes(), Some(Encoding::Utf8));
            let bad = d.lines.iter().any(|l| l.text.is_err());
            assert_eq!(bad, by_line, "{text:?}");
            // Each line agrees with the line-by-line reading.
            for l in &d.lines {
                let raw = &text.as_bytes()[l.byte_start as usize..l.byte_end as usize];
                let alone = decode_8bit_line(raw, Encoding::Utf8).and_then(check_garbage);
                assert_eq!(
                    l.text.as_deref().map_err(|e| e.as_str()),
                    alone.as_deref().map_err(|e| e.as_str()),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn garbage_line_in_utf8_file_is_an_error_not_a_flip_to_gbk() {
        let mut bytes = "买家A 2024-3-5 9:03:07\n这件衣服有货吗\n"
            .as_bytes()
            .to_vec();
        bytes.extend([0xff, 0xfe, 0x00, 0x01, b'\n']);
        bytes.extend("还有吗\n".as_bytes());
        let d = decode(&bytes, None);
        assert_eq!(d.encoding, Encoding::Utf8);
        assert!(d.lines[2].text.is_err());
        assert_eq!(d.lines[3].text(), "还有吗");
    }
}
