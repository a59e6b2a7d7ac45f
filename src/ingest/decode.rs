//! Encoding detection and line splitting, per file.
//!
//! Every line keeps its 1-based number and its byte range in the raw file, so
//! a message can always be traced back to the bytes it came from. A line that
//! does not decode is not repaired: it becomes a reject, with its raw bytes.

use encoding_rs::{GB18030, UTF_16BE, UTF_16LE};
use serde::Serialize;

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

/// One physical line of a file.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number.
    pub number: u32,
    /// Byte offset of the line start in the raw file.
    pub byte_start: u64,
    /// Byte offset of the line end (before the terminator).
    pub byte_end: u64,
    /// The decoded text without its terminator, or why it could not be
    /// decoded (then `raw` holds a lossy rendering for the rejects file).
    pub text: Result<String, String>,
}

impl Line {
    /// The decoded text, or `""` for undecodable lines.
    pub fn text(&self) -> &str {
        self.text.as_deref().unwrap_or("")
    }
}

/// A decoded file.
#[derive(Debug)]
pub struct Decoded {
    /// The encoding chosen.
    pub encoding: Encoding,
    /// The line endings seen.
    pub line_ending: LineEnding,
    /// Whether the file ends with a line terminator (a missing one at the
    /// end of a non-empty file suggests truncation).
    pub ends_with_newline: bool,
    /// The lines, in order.
    pub lines: Vec<Line>,
}

/// Decode `bytes` with the encoding given, or a detected one.
pub fn decode(bytes: &[u8], forced: Option<Encoding>) -> Decoded {
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

fn decode_8bit(bytes: &[u8], encoding: Encoding) -> Decoded {
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
    while pos < bytes.len() {
        number += 1;
        let (content_end, next) = match memchr::memchr(b'\n', &bytes[pos..]) {
            Some(i) => (pos + i, pos + i + 1),
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
        let text = decode_8bit_line(&bytes[pos..end], encoding);
        lines.push(Line {
            number,
            byte_start: pos as u64,
            byte_end: end as u64,
            text: text.and_then(check_garbage),
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

fn decode_utf16(bytes: &[u8], encoding: Encoding) -> Decoded {
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
            text: text.and_then(check_garbage),
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
    match text
        .chars()
        .find(|&c| (c.is_control() && c != '\t') || c == '\u{FFFD}')
    {
        Some(c) => Err(format!(
            "binary or control character U+{:04X} in line",
            c as u32
        )),
        None => Ok(text),
    }
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
