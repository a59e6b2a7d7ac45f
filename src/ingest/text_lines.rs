//! Line recognisers shared by the text formats: message headers, platform
//! notices, read receipts and card content (technical.md §1.2–1.3).

use crate::model::MessageKind;
use regex::Regex;
use std::sync::LazyLock;

/// Header variant A: `nick YYYY-M-D H:MM:SS`, nick possibly glued to the
/// date, possibly empty (then it is variant B's bare time line). Variant C
/// (`A --> B date time`) is the same shape with an arrow in the nick.
#[cfg(test)]
static HEADER_A: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?)[ \t]*\(?(\d{4}-\d{1,2}-\d{1,2}) (\d{1,2}:\d{2}:\d{2})\)?[ \t]*$")
        .expect("valid regex")
});

/// QQ-style export line: `YYYY-MM-DD HH:MM:SS [AM|PM] nick`.
static HEADER_QQ: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4}-\d{1,2}-\d{1,2}) (\d{1,2}:\d{2}:\d{2})(?: ?([AP]M))? (\S.*)$")
        .expect("valid regex")
});

static BARE_TIME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\d{1,2}:\d{2}:\d{2}$").expect("valid regex"));

static DATE_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(\d{4})(?:-|/|年)(\d{1,2})(?:-|/|月)(\d{1,2})日?$").expect("valid regex")
});

static TRANSFER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^由\s*(.+?)\s*转交给\s*(.+?)\s*(?:[，,。].*)?$").expect("valid regex")
});

static RECALL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(.+?)\s*撤回了一条消息$").expect("valid regex"));

static ORDER_CARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:订单号|订单编号)[:：]\s*(?:\d{6,}|\[订单x\]|\[ORDERID_\d+\])")
        .expect("valid regex")
});

/// Offline-pool assignments name themselves anywhere in the line.
static OFFLINE: LazyLock<memchr::memmem::Finder<'static>> =
    LazyLock::new(|| memchr::memmem::Finder::new("离线留言自动分配"));

/// Words that may make a message a card or image; a message without any
/// (most messages) is plain text unless it starts with an order marker.
/// A double-array automaton: messages are short, and aho-corasick's
/// per-search setup cost more than the scan.
static CARD_WORDS: LazyLock<daachorse::DoubleArrayAhoCorasick<u32>> = LazyLock::new(|| {
    daachorse::DoubleArrayAhoCorasick::new([
        "订单号",
        "订单编号",
        "http",
        "¥",
        "￥",
        "商品",
        "[宝贝]",
    ])
    .expect("valid patterns")
});

/// Whether `t` may hold one of the [`CARD_WORDS`]: one pass over the
/// bytes for `h`, `[`, and the characters ¥, ￥, 订, 商 (found by their
/// last bytes)
/// (messages are short, and most have none of these, so this costs less
/// than starting the automaton).
fn may_hold_card_words(t: &str) -> bool {
    let b = t.as_bytes();
    let candidate = b.iter().enumerate().any(|(i, &c)| {
        CARD_BYTES[usize::from(c)]
            && match c {
                // The byte ends many characters (好 is E5 A5 BD): only the
                // characters of the words count.
                0xA5 => b[..=i].ends_with("¥".as_bytes()) || b[..=i].ends_with("￥".as_bytes()),
                0xA2 => b[..=i].ends_with("订".as_bytes()),
                0x86 => b[..=i].ends_with("商".as_bytes()),
                _ => true,
            }
    });
    candidate && CARD_WORDS.find_iter(t).next().is_some()
}

/// The bytes [`may_hold_card_words`] stops at.
static CARD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    table[b'h' as usize] = true;
    table[b'[' as usize] = true;
    table[0xA5] = true;
    table[0xA2] = true;
    table[0x86] = true;
    table
};

/// `str::trim`, skipped for the usual line whose first and last bytes
/// cannot belong to a white-space character (lines are trimmed several
/// times each, and `trim` decodes both ends).
pub(crate) fn trim(s: &str) -> &str {
    // Lead bytes of the Unicode white space: ASCII controls and space,
    // U+0085/U+00A0 (C2), U+1680 (E1), U+2000.. (E2), U+3000 (E3).
    let may_start_space = |b: u8| matches!(b, 0x09..=0x0D | 0x20 | 0xC2 | 0xE1 | 0xE2 | 0xE3);
    // Last bytes of the same characters.
    let may_end_space =
        |b: u8| matches!(b, 0x09..=0x0D | 0x20 | 0x80..=0x8A | 0x9F | 0xA0 | 0xA8 | 0xA9 | 0xAF);
    match (s.as_bytes().first(), s.as_bytes().last()) {
        (Some(&first), Some(&last)) if !may_start_space(first) && !may_end_space(last) => s,
        _ => s.trim(),
    }
}

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^`?https?://\S+`?$").expect("valid regex"));

/// A parsed variant-A header.
#[derive(Debug, Clone, Copy)]
pub struct HeaderA<'a> {
    /// Sender nick (may be empty: a bare timestamp line).
    pub nick: &'a str,
    /// `YYYY-M-D`.
    pub date: &'a str,
    /// `H:MM:SS`.
    pub time: &'a str,
}

/// Parse a variant A/B/C header: `nick YYYY-M-D H:MM:SS`, read from the
/// end of the line by hand (this runs on every line of a dump; the regex
/// [`HEADER_A`] states the same grammar and a test keeps them in step).
pub fn header_a(line: &str) -> Option<HeaderA<'_>> {
    let trimmed = trim_end_blanks(line);
    let core = trimmed.strip_suffix(')').unwrap_or(trimmed);
    let b = core.as_bytes();
    // Time: H:MM:SS or HH:MM:SS at the end.
    let n = b.len();
    if n < 14
        || !b[n - 1].is_ascii_digit()
        || !b[n - 2].is_ascii_digit()
        || b[n - 3] != b':'
        || !b[n - 4].is_ascii_digit()
        || !b[n - 5].is_ascii_digit()
        || b[n - 6] != b':'
    {
        return None;
    }
    let mut t = n - 6;
    let hour_digits = trailing_digits(&b[..t]);
    if !(1..=2).contains(&hour_digits) {
        return None;
    }
    t -= hour_digits;
    let time = &core[t..];
    if t == 0 || b[t - 1] != b' ' {
        return None;
    }
    let date_end = t - 1;
    // Date: YYYY-M-D with 1–2 digit month and day.
    let mut d = date_end;
    let day = trailing_digits(&b[..d]);
    if !(1..=2).contains(&day) || d < day + 1 || b[d - day - 1] != b'-' {
        return None;
    }
    d -= day + 1;
    let month = trailing_digits(&b[..d]);
    if !(1..=2).contains(&month) || d < month + 5 || b[d - month - 1] != b'-' {
        return None;
    }
    d -= month + 1;
    if !b[d - 4..d].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let date_start = d - 4;
    let date = &core[date_start..date_end];
    let nick = trim_end_blanks(&core[..date_start]);
    let nick = trim(nick.strip_suffix('(').unwrap_or(nick));
    // Variant C names the receiver after an arrow; the sender is what counts.
    // (A `>` is rare in nicks: look for one before building a searcher; nicks
    // are short, a plain loop beats a memchr call.)
    let nick = match nick.bytes().any(|b| b == b'>') {
        true => nick.split_once("-->").map_or(nick, |(a, _)| a.trim()),
        false => nick,
    };
    Some(HeaderA { nick, date, time })
}

/// `s` without trailing spaces and tabs.
fn trim_end_blanks(s: &str) -> &str {
    let b = s.as_bytes();
    let mut end = b.len();
    while end > 0 && matches!(b[end - 1], b' ' | b'\t') {
        end -= 1;
    }
    // Cut before an ASCII byte: a character boundary.
    s.get(..end).unwrap_or(s)
}

/// How many ASCII digits end `b`, counting no further than 3 (the header
/// fields have 1–2, so 3 already means "too many").
fn trailing_digits(b: &[u8]) -> usize {
    let mut n = 0;
    while n < 3 && n < b.len() && b[b.len() - 1 - n].is_ascii_digit() {
        n += 1;
    }
    n
}

/// A parsed QQ-style header: date, time (24 h), nick.
pub fn header_qq(line: &str) -> Option<(&str, String, &str)> {
    if line.len() < 16 || !line.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let c = HEADER_QQ.captures(line)?;
    let time = c.get(2)?.as_str();
    let time = match c.get(3).map(|m| m.as_str()) {
        Some(ampm) => to_24h(time, ampm == "PM")?,
        None => time.to_string(),
    };
    Some((c.get(1)?.as_str(), time, c.get(4)?.as_str().trim()))
}

fn to_24h(time: &str, pm: bool) -> Option<String> {
    let (h, rest) = time.split_once(':')?;
    let h: u32 = h.parse().ok()?;
    if h == 0 || h > 12 {
        return None;
    }
    let h = match (h, pm) {
        (12, false) => 0,
        (12, true) => 12,
        (h, true) => h + 12,
        (h, false) => h,
    };
    Some(format!("{h}:{rest}"))
}

/// Does the line look like a chat-window or QQ-style header?
pub fn is_text_header_like(line: &str) -> bool {
    header_a(line).is_some() || header_qq(line).is_some()
}

/// A bare `HH:MM:SS` line (the web query page's time line).
pub fn is_bare_time(line: &str) -> bool {
    let t = line.trim();
    (7..=8).contains(&t.len()) && BARE_TIME.is_match(t)
}

/// A date line of the web query page: `YYYY-MM-DD` or `YYYY年M月D日`.
/// Returns the date as `Y-M-D`.
pub fn date_line(line: &str) -> Option<String> {
    let c = DATE_LINE.captures(line.trim())?;
    Some(format!("{}-{}-{}", &c[1], &c[2], &c[3]))
}

/// A standalone line the platform writes between messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SystemLine {
    /// A platform notice that becomes a system message.
    Message {
        /// Its kind.
        kind: MessageKind,
        /// The nick it names (recaller), if any.
        nick: Option<String>,
    },
    /// Recognised and dropped: read receipts, banners, the bare `千牛`.
    Noise,
}

/// Recognise platform lines (technical.md §1.3).
pub fn system_line(line: &str) -> Option<SystemLine> {
    let t = trim(line);
    // Every platform line but two is known by its first character; chat
    // lines (nearly all lines) leave after that test, a suffix test and one
    // substring search.
    let may_start_one = matches!(
        t.chars().next(),
        Some(
            '已' | '未'
                | '发'
                | '千'
                | '消'
                | '='
                | '-'
                | '当'
                | '由'
                | '原'
                | '【'
                | '系'
                | '客'
                | '会'
        )
    );
    if !may_start_one
        && !t.ends_with("撤回了一条消息")
        && (t.len() < OFFLINE.needle().len() || OFFLINE.find(t.as_bytes()).is_none())
    {
        return None;
    }
    match t {
        "已读" | "未读" | "发送中" | "千牛" | "发送失败" => {
            return Some(SystemLine::Noise)
        }
        _ => {}
    }
    if t.starts_with("消息记录（") || t.starts_with("消息分组:") || t.starts_with("消息分组：")
    {
        return Some(SystemLine::Noise);
    }
    if t.len() >= 10 && t.chars().all(|c| c == '=' || c == '-') {
        return Some(SystemLine::Noise);
    }
    if t.starts_with("当前用户来自") {
        return Some(SystemLine::Message {
            kind: MessageKind::EntryNotice,
            nick: None,
        });
    }
    if t.starts_with('由') && t.contains("转交给") {
        if let Some(c) = TRANSFER.captures(t) {
            return Some(SystemLine::Message {
                kind: MessageKind::Transfer {
                    from: c[1].to_string(),
                    to: c[2].to_string(),
                },
                nick: None,
            });
        }
    }
    if OFFLINE.find(t.as_bytes()).is_some() || t.starts_with("原因：【") || t.starts_with("原因:【")
    {
        return Some(SystemLine::Message {
            kind: MessageKind::OfflineAssignment,
            nick: None,
        });
    }
    if !t.ends_with("撤回了一条消息") {
        // nothing below needs a regex
    } else if let Some(c) = RECALL.captures(t) {
        return Some(SystemLine::Message {
            kind: MessageKind::Recall,
            nick: Some(c[1].to_string()),
        });
    }
    const NOTICES: [&str; 6] = [
        "【即将超时】",
        "系统关闭会话",
        "客服超时",
        "消极接待",
        "未回复买家",
        "会话已结束",
    ];
    if NOTICES.iter().any(|n| t.starts_with(n)) {
        return Some(SystemLine::Message {
            kind: MessageKind::Notice,
            nick: None,
        });
    }
    None
}

/// The kind of a message from its content: cards, images, product links.
pub fn kind_of_content(text: &str) -> MessageKind {
    let t = trim(text);
    if !may_hold_card_words(t) {
        // What is left of the rules below without those words.
        return if t.starts_with("[订单") || t.starts_with("【订单") {
            MessageKind::OrderCard
        } else if t == "[图片]" || t == "【图片】" {
            MessageKind::Image
        } else {
            MessageKind::Text
        };
    }
    if (t.contains("订单号") || t.contains("订单编号")) && ORDER_CARD.is_match(t)
        || t.starts_with("[订单")
        || t.starts_with("【订单")
    {
        return MessageKind::OrderCard;
    }
    if t == "[图片]" || t == "【图片】" || is_image_url(t) {
        return MessageKind::Image;
    }
    if !(t.contains("http")
        || t.contains('¥')
        || t.contains('￥')
        || t.contains("商品")
        || t.contains("[宝贝]"))
    {
        return MessageKind::Text;
    }
    let lines: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
    if !lines.is_empty()
        && lines.iter().any(|l| is_product_line(l))
        && lines.iter().all(|l| is_product_line(l) || !URL.is_match(l))
        && lines.iter().filter(|l| is_product_line(l)).count() * 2 > lines.len()
    {
        return MessageKind::ProductCard;
    }
    MessageKind::Text
}

fn is_image_url(t: &str) -> bool {
    URL.is_match(t)
        && (t.contains("img.alicdn.com")
            || [".jpg", ".jpeg", ".png", ".gif", ".webp"]
                .iter()
                .any(|e| t.trim_end_matches('`').to_ascii_lowercase().ends_with(e)))
}

/// Lines of a product card as the chat window renders it.
fn is_product_line(l: &str) -> bool {
    (URL.is_match(l)
        && (l.contains("item.htm")
            || l.contains("detail.tmall.com")
            || l.contains("item.taobao.com")))
        || l.starts_with('¥')
        || l.starts_with('￥')
        || l == "商品详情页"
        || l == "商品推荐"
        || l.starts_with("这些非常适合您的商品")
        || l == "[商品]"
        || l == "[宝贝]"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let h = header_a("tb89465677xx2024-3-5 9:03:07").unwrap();
        assert_eq!(
            (h.nick, h.date, h.time),
            ("tb89465677xx", "2024-3-5", "9:03:07")
        );
        let h = header_a("得力广州专卖店:小迪 2024-03-05 20:57:11").unwrap();
        assert_eq!(h.nick, "得力广州专卖店:小迪");
        let h = header_a("2024-3-5 9:03:07").unwrap();
        assert_eq!(h.nick, "");
        let h = header_a("店铺:小美 --> tb123 2024-3-5 9:03:07").unwrap();
        assert_eq!(h.nick, "店铺:小美");
        assert!(header_a("这件2024-3-5发货吗").is_none());
        let (d, t, n) = header_qq("2019-09-23 8:43:38 PM 小明").unwrap();
        assert_eq!((d, t.as_str(), n), ("2019-09-23", "20:43:38", "小明"));
        let (_, t, _) = header_qq("2019-09-23 12:05:00 AM 小明").unwrap();
        assert_eq!(t, "0:05:00");
    }

    #[test]
    fn hand_parser_agrees_with_the_grammar() {
        let lines = [
            "tb89465677xx2024-3-5 9:03:07",
            "得力广州专卖店:小迪 2024-03-05 20:57:11",
            "2024-3-5 9:03:07",
            "店铺:小美 --> tb123 2024-3-5 9:03:07",
            "nick (2024-3-5 9:03:07)",
            "这件2024-3-5发货吗",
            "tb_x 2024-3-5 9:0",
            "tb_x 2024-13-45 25:00:00",
            "x 24-3-5 9:03:07",
            "x 2024-3-5  9:03:07",
            "12024-3-5 9:03:07",
            "好的 2024-3-5 9:03:07   ",
        ];
        for l in lines {
            let by_hand =
                header_a(l).map(|h| (h.nick.to_string(), h.date.to_string(), h.time.to_string()));
            let by_regex = HEADER_A.captures(l).map(|c| {
                let nick = c.get(1).map_or("", |m| m.as_str()).trim();
                let nick = nick.split_once("-->").map_or(nick, |(a, _)| a.trim());
                (nick.to_string(), c[2].to_string(), c[3].to_string())
            });
            assert_eq!(by_hand, by_regex, "{l}");
        }
    }

    #[test]
    fn system_lines() {
        assert_eq!(system_line("已读"), Some(SystemLine::Noise));
        assert!(matches!(
            system_line("由 服务助手 转交给 得力广州专卖店:小迪"),
            Some(SystemLine::Message { kind: MessageKind::Transfer { ref from, ref to }, .. })
                if from == "服务助手" && to == "得力广州专卖店:小迪"
        ));
        assert!(matches!(
            system_line("tb123 撤回了一条消息"),
            Some(SystemLine::Message { kind: MessageKind::Recall, nick: Some(ref n) }) if n == "tb123"
        ));
        assert!(matches!(
            system_line("原因：【离线留言自动分配】"),
            Some(SystemLine::Message {
                kind: MessageKind::OfflineAssignment,
                ..
            })
        ));
        assert_eq!(system_line("好的亲，已读了"), None);
    }

    #[test]
    fn quick_trim_is_trim() {
        for s in [
            "",
            " ",
            "a",
            " a ",
            "\u{3000}好\u{3000}",
            "好的",
            "\u{a0}x",
            "x\u{85}",
            "\u{2028}",
            "\u{202F}y\u{205F}",
            "\u{1680}",
            "亲\t",
            "ok\r",
            "\u{200B}",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
        // Every white-space character is caught by the byte tests.
        for c in (0..=0x10FFFFu32)
            .filter_map(char::from_u32)
            .filter(|c| c.is_whitespace())
        {
            let s = format!("x{c}");
            assert_eq!(trim(&s), "x", "{c:?}");
            let s = format!("{c}x");
            assert_eq!(trim(&s), "x", "{c:?}");
        }
    }

    #[test]
    fn content_kinds() {
        for word in ["订单号", "订单编号", "http", "¥", "￥", "商品", "[宝贝]"] {
            assert!(may_hold_card_words(&format!("亲{word}好")), "{word}");
        }
        assert!(!may_hold_card_words("亲，在的，订好了，商量一下[图片]"));
        assert!(!may_hold_card_words("好的，可以包邮"));
        assert_eq!(kind_of_content("[图片]"), MessageKind::Image);
        assert_eq!(
            kind_of_content("http://item.taobao.com/item.htm?id=1011758423155"),
            MessageKind::ProductCard
        );
        assert_eq!(
            kind_of_content("订单号：3456789012345678\n下单时间：2024-03-05"),
            MessageKind::OrderCard
        );
        assert_eq!(kind_of_content("亲，这款¥99包邮"), MessageKind::Text);
    }
}
