//! Offset-keeping text normalisation for lexicon matching.
//!
//! Sellers and buyers dodge keyword filters with full-width letters
//! (`ＶＸ`), traditional characters (`滾`), digit look-alikes (`①②③`),
//! symbols wedged between characters (`傻@逼`, `微 信`) and repeats
//! (`草草泥泥马`). [`normalize`] folds all of these away while remembering,
//! for every normalised character, which original characters it came from,
//! so a match in the normalised text maps back to the exact quote in the
//! original ([`Normalized::original_span`]).
//!
//! Every fold is one char in, at most one char out (as houbb/sensitive-word
//! does it): a char is either mapped to one char or skipped. That is what
//! makes offsets survive.
//!
//! ## Repeats (a documented choice)
//!
//! With [`NormalizeOptions::collapse_repeats`] on (the default), a run of the
//! same non-ASCII char, even with skipped chars between, becomes one char:
//! `傻傻傻逼` → `傻逼`, `草 草泥马` → `草泥马`. Lexicon terms go through the
//! same normaliser, so a legit doubled term still matches (`谢谢` → `谢` in
//! both the term and the text). The cost is that `你妈妈` and `你妈` look the
//! same; each normalised char therefore keeps its run length, and the matcher
//! checks allow-contexts (`你妈妈`) against the uncollapsed folded text.
//! ASCII letters and digits are never collapsed: `100%`, `12315`, phone
//! numbers and `qq` must keep their shape.

use crate::finding::Span;
use std::sync::OnceLock;

/// Which folds [`normalize_with`] applies. Every fold is on by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NormalizeOptions {
    /// Full-width ASCII (`ＡＢＣ１２３`) → half-width.
    pub fold_width: bool,
    /// ASCII upper case → lower case.
    pub fold_case: bool,
    /// Traditional → simplified, one char to one char (`lexicons/t2s.txt`).
    pub fold_traditional: bool,
    /// Digit look-alikes (`①⑴⒈❶㈠壹¹₁〇`, Roman numerals) → ASCII digits.
    pub fold_digits: bool,
    /// Drop whitespace, zero-width chars, punctuation, symbols and emoji.
    pub skip_separators: bool,
    /// Collapse runs of the same non-ASCII char into one.
    pub collapse_repeats: bool,
}

impl Default for NormalizeOptions {
    fn default() -> Self {
        NormalizeOptions {
            fold_width: true,
            fold_case: true,
            fold_traditional: true,
            fold_digits: true,
            skip_separators: true,
            collapse_repeats: true,
        }
    }
}

/// One normalised char and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Unit {
    /// Byte offset of this char in the normalised text.
    norm_byte: u32,
    /// First original byte of the run this char stands for.
    orig_byte_start: u32,
    /// One past the last original byte of the run.
    orig_byte_end: u32,
    /// First original char index of the run.
    orig_char_start: u32,
    /// One past the last original char index of the run.
    orig_char_end: u32,
    /// How many original (non-skipped) chars were collapsed into this one.
    run: u32,
}

/// Normalised text plus the alignment back to the original.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Normalized {
    /// The normalised text that automata search.
    pub text: String,
    units: Vec<Unit>,
    original_len: u32,
    original_chars: u32,
    /// ASCII digits in `text`, counted while it is built.
    ascii_digits: u32,
}

impl Clone for Normalized {
    fn clone(&self) -> Self {
        let mut copy = Normalized::default();
        copy.clone_from(self);
        copy
    }

    /// Reuses this value's buffers (the derived `clone_from` would not).
    fn clone_from(&mut self, source: &Self) {
        self.text.clone_from(&source.text);
        self.units.clone_from(&source.units);
        self.original_len = source.original_len;
        self.original_chars = source.original_chars;
        self.ascii_digits = source.ascii_digits;
    }
}

/// Normalise with the default options.
pub fn normalize(original: &str) -> Normalized {
    normalize_with(original, &NormalizeOptions::default())
}

/// Normalise with explicit options.
pub fn normalize_with(original: &str, options: &NormalizeOptions) -> Normalized {
    let mut normalized = Normalized::default();
    normalized.refill(original, options);
    normalized
}

/// What one original char becomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Folded {
    /// It is dropped (separator, symbol, emoji, zero-width char).
    Skip,
    /// It becomes this char.
    Char(char),
}

/// Fold one char under `options` (the per-char step of [`normalize_with`]).
pub fn fold_char(c: char, options: &NormalizeOptions) -> Folded {
    // Hot path: most chat text is CJK ideographs, which only ever fold
    // traditional → simplified or, for 壹贰叁…, to a digit.
    if (CJK_FIRST..CJK_END).contains(&(c as u32)) {
        if options.fold_digits {
            if let Some(d) = financial_digit(c) {
                return Folded::Char(d);
            }
        }
        return Folded::Char(if options.fold_traditional {
            to_simplified(c)
        } else {
            c
        });
    }
    let mut c = c;
    if options.fold_width {
        c = match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{3000}' => ' ',
            _ => c,
        };
    }
    if c.is_ascii() {
        if c.is_ascii_alphanumeric() || c == '%' || c == '+' {
            // `%` and `+` carry meaning (`100%`, `+V`), so they are kept.
            return Folded::Char(if options.fold_case {
                c.to_ascii_lowercase()
            } else {
                c
            });
        }
        return if options.skip_separators {
            Folded::Skip
        } else {
            Folded::Char(c)
        };
    }
    if options.fold_digits {
        if let Some(d) = digit_variant(c) {
            return Folded::Char(d);
        }
    }
    if let Some(letter) = letter_variant(c) {
        return Folded::Char(if options.fold_case {
            letter.to_ascii_lowercase()
        } else {
            letter
        });
    }
    if options.fold_traditional {
        c = to_simplified(c);
    }
    if options.skip_separators && is_separator(c) {
        return Folded::Skip;
    }
    Folded::Char(c)
}

/// ASCII digit for a digit look-alike. `零` is left alone (`零食`, `零钱`);
/// `一二三` are left alone (`一下`, `第一`); `壹贰叁…` and `〇` are only
/// ever numerals, so they are folded.
fn digit_variant(c: char) -> Option<char> {
    let cp = c as u32;
    let digit = |base: u32, first: u32| char::from_digit(cp - base + first, 10);
    match cp {
        0x2460..=0x2468 => digit(0x2460, 1), // ①
        0x2474..=0x247C => digit(0x2474, 1), // ⑴
        0x2488..=0x2490 => digit(0x2488, 1), // ⒈
        0x2776..=0x277E => digit(0x2776, 1), // ❶
        0x2780..=0x2788 => digit(0x2780, 1), // ➀
        0x278A..=0x2792 => digit(0x278A, 1), // ➊
        0x24F5..=0x24FD => digit(0x24F5, 1), // ⓵
        0x3220..=0x3228 => digit(0x3220, 1), // ㈠
        0x3280..=0x3288 => digit(0x3280, 1), // ㊀
        0x2160..=0x2168 => digit(0x2160, 1), // Ⅰ
        0x2170..=0x2178 => digit(0x2170, 1), // ⅰ
        0x2080..=0x2089 => digit(0x2080, 0), // ₀
        0x2074..=0x2079 => digit(0x2074, 4), // ⁴
        0x1D7CE..=0x1D7FF => char::from_digit((cp - 0x1D7CE) % 10, 10), // 𝟎
        0x24EA | 0x24FF | 0x2070 | 0x3007 => Some('0'), // ⓪ ⓿ ⁰ 〇
        0xB9 => Some('1'),
        0xB2 => Some('2'),
        0xB3 => Some('3'),
        _ => None,
    }
}

/// The financial numerals 壹贰叁肆伍陆柒捌玖 (and traditional 貳參陸).
fn financial_digit(c: char) -> Option<char> {
    match c {
        '壹' => Some('1'),
        '贰' | '貳' => Some('2'),
        '叁' | '參' => Some('3'),
        '肆' => Some('4'),
        '伍' => Some('5'),
        '陆' | '陸' => Some('6'),
        '柒' => Some('7'),
        '捌' => Some('8'),
        '玖' => Some('9'),
        _ => None,
    }
}

/// ASCII letter for circled and parenthesised Latin letters (`Ⓥⓧ⒱`).
fn letter_variant(c: char) -> Option<char> {
    let cp = c as u32;
    let letter = |base: u32, first: u8| char::from_u32(cp - base + u32::from(first));
    match cp {
        0x24B6..=0x24CF => letter(0x24B6, b'A'),    // Ⓐ
        0x24D0..=0x24E9 => letter(0x24D0, b'a'),    // ⓐ
        0x249C..=0x24B5 => letter(0x249C, b'a'),    // ⒜
        0x1F130..=0x1F149 => letter(0x1F130, b'A'), // 🄰
        0x1F150..=0x1F169 => letter(0x1F150, b'A'), // 🅐
        0x1F170..=0x1F189 => letter(0x1F170, b'A'), // 🅰
        _ => None,
    }
}

/// Chars that evaders wedge between the chars of a term: whitespace,
/// zero-width and combining chars, punctuation, symbols, emoji.
fn is_separator(c: char) -> bool {
    if c.is_whitespace() || c.is_control() {
        return true;
    }
    matches!(c as u32,
        0x00A1..=0x00BF // Latin-1 punctuation and signs (¡ · « » ¥)
        | 0x00D7 | 0x00F7
        | 0x0300..=0x036F // combining diacritics
        | 0x200B..=0x200F | 0x2060..=0x2064 | 0xFEFF // zero-width
        | 0x2010..=0x205E // dashes, quotes, bullets, ellipsis
        | 0x20D0..=0x20FF // combining marks for symbols (keycap ⃣)
        | 0x2100..=0x214F // letterlike symbols (℃ ™)
        | 0x2190..=0x23FF // arrows, maths, technical
        | 0x2500..=0x27BF // box drawing, shapes, misc symbols, dingbats
        | 0x2900..=0x2BFF // arrows, maths, misc symbols
        | 0x3001..=0x3003 | 0x3008..=0x3011 | 0x3014..=0x301F | 0x3030 | 0x30FB
        | 0xFE00..=0xFE0F // variation selectors
        | 0xFE10..=0xFE1F | 0xFE30..=0xFE6F // vertical and small forms
        | 0xFF5F..=0xFF65 // half-width CJK punctuation
        | 0xFFE0..=0xFFEE // full-width signs (￥ ￡)
        | 0x1F000..=0x1FAFF // emoji, pictographs, playing cards
        | 0xE0000..=0xE007F | 0xE0100..=0xE01EF // tags, variation selectors
    )
}

const CJK_FIRST: u32 = 0x4E00;
const CJK_END: u32 = 0xA000;

/// The embedded traditional → simplified table as a dense array over the
/// CJK Unified Ideographs block: one lookup per char on the hot path.
fn t2s_table() -> &'static [u16] {
    static TABLE: OnceLock<Vec<u16>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table: Vec<u16> = (0..(CJK_END - CJK_FIRST) as u16).collect();
        for (trad, simp) in t2s_pairs() {
            let (t, s) = (trad as u32, simp as u32);
            if (CJK_FIRST..CJK_END).contains(&t) && (CJK_FIRST..CJK_END).contains(&s) {
                table[(t - CJK_FIRST) as usize] = (s - CJK_FIRST) as u16;
            }
        }
        table
    })
}

/// The pairs of `lexicons/t2s.txt` (`TRAD<TAB>SIMP`, `#` comments).
fn t2s_pairs() -> impl Iterator<Item = (char, char)> {
    include_str!("../../lexicons/t2s.txt")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut chars = line.chars();
            match (chars.next(), chars.next(), chars.next(), chars.next()) {
                (Some(trad), Some('\t'), Some(simp), None) => Some((trad, simp)),
                _ => None,
            }
        })
}

/// The fold of every CJK ideograph under the default options (traditional
/// → simplified, financial numerals → digits), for the hot loop.
fn cjk_fold_table() -> &'static [char] {
    static TABLE: OnceLock<Vec<char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (CJK_FIRST..CJK_END)
            .filter_map(char::from_u32)
            .map(|c| financial_digit(c).unwrap_or_else(|| to_simplified(c)))
            .collect()
    })
}

/// Simplified form of a traditional char (the char itself otherwise).
pub fn to_simplified(c: char) -> char {
    let cp = c as u32;
    if (CJK_FIRST..CJK_END).contains(&cp) {
        let simp = t2s_table()[(cp - CJK_FIRST) as usize];
        char::from_u32(u32::from(simp) + CJK_FIRST).unwrap_or(c)
    } else {
        c
    }
}

/// Appends the pending run of unchanged chars, `original[start..at]`, to
/// `text`.
fn flush_verbatim(text: &mut String, verbatim: &mut Option<usize>, original: &str, at: usize) {
    if let Some(start) = verbatim.take() {
        text.push_str(original.get(start..at).unwrap_or_default());
    }
}

impl Normalized {
    /// Normalise `original` into this value, reusing its buffers (for hot
    /// loops over many messages). Text past 4 GiB is ignored: offsets are
    /// kept as `u32`.
    pub fn refill(&mut self, original: &str, options: &NormalizeOptions) {
        self.text.clear();
        self.units.clear();
        self.ascii_digits = 0;
        // Offsets are u32; the (never seen) tail past 4 GiB is left out.
        let original = match original.len() {
            len if len <= u32::MAX as usize => original,
            _ => {
                let mut cut = u32::MAX as usize;
                while !original.is_char_boundary(cut) {
                    cut -= 1;
                }
                &original[..cut]
            }
        };
        self.text.reserve(original.len());
        self.units.reserve(original.len() / 2);
        let mut char_index: u32 = 0;
        let mut last: Option<char> = None;
        let cjk_table = (options.fold_traditional && options.fold_digits).then(cjk_fold_table);
        let collapse = options.collapse_repeats;
        // Chars that fold to themselves (most of them) are copied from
        // `original` a run at a time rather than encoded one by one:
        // `verbatim` is where the pending run starts.
        let mut verbatim: Option<usize> = None;
        for (at, c) in original.char_indices() {
            let byte = at as u32;
            let end = byte + c.len_utf8() as u32;
            // CJK ideographs dominate chat text: one table lookup each (the
            // wrapped offset of any other char is past the table's end).
            let cjk =
                cjk_table.and_then(|table| table.get((c as u32).wrapping_sub(CJK_FIRST) as usize));
            let folded = match cjk {
                Some(&n) => Folded::Char(n),
                None => fold_char(c, options),
            };
            let Folded::Char(n) = folded else {
                flush_verbatim(&mut self.text, &mut verbatim, original, at);
                char_index += 1;
                continue;
            };
            let repeat = collapse && last == Some(n) && !n.is_ascii();
            match self.units.last_mut() {
                Some(unit) if repeat => {
                    unit.orig_byte_end = end;
                    unit.orig_char_end = char_index + 1;
                    unit.run += 1;
                    flush_verbatim(&mut self.text, &mut verbatim, original, at);
                }
                _ => {
                    let pending = verbatim.map_or(0, |start| at - start);
                    self.units.push(Unit {
                        norm_byte: (self.text.len() + pending) as u32,
                        orig_byte_start: byte,
                        orig_byte_end: end,
                        orig_char_start: char_index,
                        orig_char_end: char_index + 1,
                        run: 1,
                    });
                    if n == c {
                        verbatim.get_or_insert(at);
                    } else {
                        flush_verbatim(&mut self.text, &mut verbatim, original, at);
                        self.text.push(n);
                    }
                    self.ascii_digits += u32::from(n.is_ascii_digit());
                }
            }
            last = Some(n);
            char_index += 1;
        }
        flush_verbatim(&mut self.text, &mut verbatim, original, original.len());
        self.original_len = original.len() as u32;
        self.original_chars = char_index;
    }

    /// Number of ASCII digits in the normalised text: a free test before a
    /// digit-run regex, which most messages cannot match.
    pub fn ascii_digit_count(&self) -> usize {
        self.ascii_digits as usize
    }

    /// Number of chars in the normalised text.
    pub fn char_len(&self) -> usize {
        self.units.len()
    }

    /// Index of the normalised char that contains normalised byte `byte`
    /// (the last char for offsets past the end).
    pub fn char_index_at(&self, byte: usize) -> usize {
        self.units
            .partition_point(|u| (u.norm_byte as usize) <= byte)
            .saturating_sub(1)
    }

    /// How many original chars normalised char `index` stands for (1 unless
    /// repeats were collapsed into it; 0 past the end).
    pub fn run_len(&self, index: usize) -> usize {
        self.units.get(index).map_or(0, |u| u.run as usize)
    }

    /// The whole folded text with collapsed runs expanded, and for every
    /// normalised char (plus one for the end) its byte offset in it: the
    /// view jieba segments once per message.
    pub fn expand_all(&self) -> (String, Vec<usize>) {
        let mut out = String::with_capacity(self.text.len());
        let mut offsets = Vec::with_capacity(self.units.len() + 1);
        for unit in &self.units {
            offsets.push(out.len());
            if let Some(c) = self.text[unit.norm_byte as usize..].chars().next() {
                for _ in 0..unit.run {
                    out.push(c);
                }
            }
        }
        offsets.push(out.len());
        (out, offsets)
    }

    /// True when normalised chars `index - 1` and `index` came from adjacent
    /// original chars (nothing skipped between them).
    pub fn glued_to_previous(&self, index: usize) -> bool {
        match (
            index.checked_sub(1).and_then(|i| self.units.get(i)),
            self.units.get(index),
        ) {
            (Some(before), Some(unit)) => before.orig_byte_end == unit.orig_byte_start,
            _ => false,
        }
    }

    /// Normalised byte offset where normalised char `index` starts (the text
    /// length past the end).
    pub fn byte_of_char(&self, index: usize) -> usize {
        self.units
            .get(index)
            .map_or(self.text.len(), |u| u.norm_byte as usize)
    }

    /// The original span of normalised bytes `norm_start..norm_end`: from the
    /// first original char of the first normalised char (with its whole
    /// collapsed run) to the end of the last one's run. Skipped chars inside
    /// are included, skipped chars around are not. Offsets inside a char
    /// count as that char; an empty range gives an empty span where it sits.
    pub fn original_span(&self, norm_start: usize, norm_end: usize) -> Span {
        let norm_start = norm_start.min(self.text.len());
        let norm_end = norm_end.min(self.text.len());
        let first = self
            .units
            .partition_point(|u| (u.norm_byte as usize) <= norm_start);
        let first = first.saturating_sub(1);
        let after_last = self
            .units
            .partition_point(|u| (u.norm_byte as usize) < norm_end);
        match (self.units.get(first), after_last.checked_sub(1)) {
            (Some(a), Some(last)) if last >= first && norm_end > norm_start => {
                let b = self.units[last];
                Span {
                    char_start: a.orig_char_start as usize,
                    char_end: b.orig_char_end as usize,
                    byte_start: a.orig_byte_start as usize,
                    byte_end: b.orig_byte_end as usize,
                }
            }
            _ => {
                let (byte, char) = if norm_start >= self.text.len() {
                    (self.original_len, self.original_chars)
                } else {
                    self.units
                        .get(first)
                        .map_or((self.original_len, self.original_chars), |u| {
                            (u.orig_byte_start, u.orig_char_start)
                        })
                };
                Span {
                    char_start: char as usize,
                    char_end: char as usize,
                    byte_start: byte as usize,
                    byte_end: byte as usize,
                }
            }
        }
    }

    /// The folded text of normalised chars `first..end` with collapsed runs
    /// expanded again (`你妈` with a run of 2 on `妈` gives `你妈妈`), and
    /// the byte offsets in it where normalised chars `mark_start` and
    /// `mark_end` start (the text length for marks at or past `end`).
    /// Allow-context and word-boundary checks read this view, which keeps
    /// `你妈妈` and `财源滚滚` as written.
    pub fn expanded(
        &self,
        first: usize,
        end: usize,
        mark_start: usize,
        mark_end: usize,
    ) -> (String, usize, usize) {
        let end = end.min(self.units.len());
        let mut out = String::new();
        let (mut at_start, mut at_end) = (None, None);
        for index in first..end {
            if index == mark_start {
                at_start = Some(out.len());
            }
            if index == mark_end {
                at_end = Some(out.len());
            }
            let unit = self.units[index];
            if let Some(c) = self.text[unit.norm_byte as usize..].chars().next() {
                for _ in 0..unit.run {
                    out.push(c);
                }
            }
        }
        let len = out.len();
        (out, at_start.unwrap_or(len), at_end.unwrap_or(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quote<'a>(original: &'a str, norm: &Normalized, needle: &str) -> &'a str {
        let start = norm.text.find(needle).expect("needle in normalised text");
        norm.original_span(start, start + needle.len())
            .slice(original)
    }

    #[test]
    fn folds_width_case_traditional_and_digits() {
        assert_eq!(normalize("加ＶＸ：ａｂｃ１２３").text, "加vxabc123");
        assert_eq!(normalize("滾筒洗衣機").text, "滚筒洗衣机");
        assert_eq!(normalize("絕對正品，頂級品質").text, "绝对正品顶级品质");
        assert_eq!(normalize("①③⑧❶⒉㈤壹贰¹₂〇").text, "13812512120");
        assert_eq!(normalize("Ⓥⓧ号").text, "vx号");
        // 零 and 一 are ordinary words far more often than numerals.
        assert_eq!(normalize("零食一下").text, "零食一下");
        // 乾 and 著 are common simplified chars too and stay as written.
        assert_eq!(normalize("乾坤著名").text, "乾坤著名");
    }

    #[test]
    fn skips_separators_emoji_and_zero_width() {
        let original = "傻@逼 你 是\u{200B}个😀废-物";
        let norm = normalize(original);
        assert_eq!(norm.text, "傻逼你是个废物");
        assert_eq!(quote(original, &norm, "傻逼"), "傻@逼");
        assert_eq!(quote(original, &norm, "废物"), "废-物");
        // Separators around a match stay outside the quote.
        assert_eq!(quote(original, &norm, "你是"), "你 是");
        assert_eq!(normalize("100% 正品").text, "100%正品");
    }

    #[test]
    fn collapses_cjk_repeats_but_not_ascii() {
        let original = "傻傻傻逼，草 草泥泥马";
        let norm = normalize(original);
        assert_eq!(norm.text, "傻逼草泥马");
        assert_eq!(quote(original, &norm, "傻逼"), "傻傻傻逼");
        assert_eq!(quote(original, &norm, "草泥马"), "草 草泥泥马");
        assert_eq!(normalize("谢谢亲").text, "谢亲");
        assert_eq!(normalize("qq 12315 1380013").text, "qq123151380013");
        assert_eq!(normalize("qq 12315 1380013").ascii_digit_count(), 12);
        assert_eq!(normalize("①二壹3").ascii_digit_count(), 3);
        assert_eq!(norm.run_len(0), 3);
        // 逼 follows 傻 directly; 草 follows 逼 only across `，`.
        assert!(norm.glued_to_previous(1));
        assert!(!norm.glued_to_previous(2));
        assert!(!norm.glued_to_previous(0));
        let (expanded, at_start, at_end) = norm.expanded(0, 3, 1, 2);
        assert_eq!(expanded, "傻傻傻逼草草");
        assert_eq!((at_start, at_end), ("傻傻傻".len(), "傻傻傻逼".len()));
        let (all, offsets) = norm.expand_all();
        assert_eq!(all, "傻傻傻逼草草泥泥马");
        assert_eq!(offsets, vec![0, 9, 12, 18, 24, 27]);
    }

    #[test]
    fn clones_are_equal() {
        let norm = normalize("傻傻@逼 ＡＢ 123");
        assert_eq!(norm.clone(), norm);
        let mut reused = normalize("另一段比较长的文字，缓冲区会被重用");
        reused.clone_from(&norm);
        assert_eq!(reused, norm);
    }

    #[test]
    fn original_span_has_char_and_byte_offsets() {
        let original = "亲，您好ＡＢ";
        let norm = normalize(original);
        assert_eq!(norm.text, "亲您好ab");
        let span = norm.original_span(3, 9);
        assert_eq!(span.slice(original), "您好");
        assert_eq!((span.char_start, span.char_end), (2, 4));
        assert_eq!((span.byte_start, span.byte_end), (6, 12));
        let ab = norm.original_span(9, 11);
        assert_eq!(ab.slice(original), "ＡＢ");
        // Empty and out-of-range requests never panic.
        let empty = norm.original_span(3, 3);
        assert_eq!((empty.byte_start, empty.byte_end), (6, 6));
        let past = norm.original_span(100, 200);
        assert_eq!((past.byte_start, past.char_start), (original.len(), 6));
        assert_eq!(normalize("").original_span(0, 5), Span::whole(""));
    }

    #[test]
    fn fast_cjk_path_agrees_with_fold_char() {
        let options = NormalizeOptions::default();
        for (i, &folded) in cjk_fold_table().iter().enumerate() {
            let c = char::from_u32(CJK_FIRST + i as u32).unwrap();
            assert_eq!(fold_char(c, &options), Folded::Char(folded), "{c}");
        }
    }

    #[test]
    fn t2s_table_is_large_and_well_formed() {
        let pairs: Vec<_> = t2s_pairs().collect();
        let data_lines = include_str!("../../lexicons/t2s.txt")
            .lines()
            .filter(|l| !l.starts_with('#'))
            .count();
        assert_eq!(pairs.len(), data_lines, "every data line parses");
        assert!(pairs.len() > 2000);
        assert_eq!(to_simplified('愛'), '爱');
        assert_eq!(to_simplified('薇'), '薇');
    }

    fn text_strategy() -> impl Strategy<Value = String> {
        let pieces = prop::sample::select(vec![
            "傻", "逼", "滾", "筒", "微", "信", "ＶＸ", "v", "Q", "1", "①", "壹", "〇", "零", " ",
            "@", "…", "，", "😀", "\u{200B}", "\u{FE0F}", "e\u{301}", "%", "+", "谢", "a", "Ａ",
            "\n",
        ]);
        prop::collection::vec(
            prop_oneof![
                pieces.prop_map(String::from),
                any::<char>().prop_map(String::from)
            ],
            0..24,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #[test]
        fn every_span_maps_back_to_its_normalised_text(original in text_strategy(), a in 0usize..64, b in 0usize..64) {
            let norm = normalize(&original);
            let n = norm.char_len();
            prop_assume!(n > 0);
            let (first, last) = (a % n, b % n);
            let (first, last) = (first.min(last), first.max(last));
            let start = norm.byte_of_char(first);
            let end = norm.byte_of_char(last + 1);
            let span = norm.original_span(start, end);
            prop_assert!(original.is_char_boundary(span.byte_start));
            prop_assert!(original.is_char_boundary(span.byte_end));
            let by_bytes = span.slice(&original);
            let by_chars: String = original
                .chars()
                .skip(span.char_start)
                .take(span.char_end - span.char_start)
                .collect();
            prop_assert_eq!(by_bytes, by_chars.as_str());
            prop_assert_eq!(normalize(by_bytes).text, &norm.text[start..end]);
        }
    }
}
