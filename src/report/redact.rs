//! Masking of buyers' personal data in shareable outputs (`report.html`,
//! `findings.csv`).
//!
//! What is masked, and how (every mask has a fixed length, so it tells
//! nothing about the original's length or grouping):
//!
//! | data | example | mask |
//! |---|---|---|
//! | buyer nick | `tb_77ba6c3` | `买家#` + 8 hex digits of a keyed hash ([`Redactor::mask_nick`]) |
//! | mobile number (11 digits, optional `+86`, spaces or dashes inside) | `138 1234 5678` | `1** **** ****` |
//! | ID number (15 or 18 digits with a valid birth date) | `11010519491231002X` | `[身份证号]` |
//! | other 16–19-digit numbers (bank cards, Taobao order numbers) | `6222 0212 3456 7890` | `[卡号/单号]` |
//! | a number after `订单号`, `运单号`, `快递单号` … (any length ≥ 6) | `订单号：20261024123` | `订单号：[单号]` |
//! | an address down to street level | `杭州市西湖区文三路90号501室` | `杭州市[地址]` |
//!
//! Addresses keep their province and city (not personal on their own, and
//! useful to QA for shipping questions); everything from the district down
//! is masked. An address is only recognised when it has a street-level part
//! with a number (`路…号`, `…小区3栋`, `…501室`), so `我在杭州市` is left alone.
//! Full-width digits (`１３８…`) are treated as digits, since buyers type them.
//!
//! Shop and agent nicks are never masked: QA needs them. Landline numbers
//! and e-mail addresses are not recognised.

use regex::Regex;
use sha2::{Digest, Sha256};
use std::sync::OnceLock;

/// The key used when none is given. Pseudonyms made with it are stable
/// across runs and machines, but anyone holding a candidate nick can check
/// it; set `WWQA_REDACT_KEY` (see [`Redactor::from_env`]) for reports that
/// leave the team.
const DEFAULT_KEY: &[u8] = b"wwqa-redact-v1";

/// Mask of a mobile number.
pub const PHONE_MASK: &str = "1** **** ****";
/// Mask of an ID number.
pub const ID_MASK: &str = "[身份证号]";
/// Mask of a bank card or other long number.
pub const LONG_NUMBER_MASK: &str = "[卡号/单号]";
/// Mask of a number announced as an order or waybill number.
pub const ORDER_MASK: &str = "[单号]";
/// Mask of the street-level part of an address.
pub const ADDRESS_MASK: &str = "[地址]";

/// Masks buyer nicks and personal data in text. Cheap to build; the
/// patterns are compiled once per process.
pub struct Redactor {
    key: HmacKey,
    /// Pseudonyms already computed: a buyer's findings come together, and
    /// an HMAC per finding showed in profiles. Bounded (cleared when full).
    /// Each clone has its own, so workers with their own clone never wait
    /// for each other; a redactor shared by threads skips the cache while
    /// another thread holds it.
    pseudonyms: std::sync::Mutex<std::collections::HashMap<String, String>>,
}

impl Clone for Redactor {
    fn clone(&self) -> Redactor {
        Redactor {
            key: self.key.clone(),
            pseudonyms: Default::default(),
        }
    }
}

/// Pseudonyms kept before the cache starts over.
const PSEUDONYM_CACHE: usize = 4096;

impl Default for Redactor {
    fn default() -> Self {
        Redactor::with_key(DEFAULT_KEY)
    }
}

impl std::fmt::Debug for Redactor {
    // The key stays out of logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").finish_non_exhaustive()
    }
}

/// One masked region of a text: bytes `start..end` become `mask`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Masked {
    start: usize,
    end: usize,
    mask: String,
}

impl Redactor {
    /// A redactor whose nick pseudonyms are keyed with `key`.
    pub fn with_key(key: &[u8]) -> Redactor {
        Redactor {
            key: HmacKey::new(key),
            pseudonyms: Default::default(),
        }
    }

    /// The key from the environment variable `WWQA_REDACT_KEY` when it is
    /// set and not empty, else the built-in key.
    pub fn from_env() -> Redactor {
        match std::env::var("WWQA_REDACT_KEY") {
            Ok(k) if !k.is_empty() => Redactor::with_key(k.as_bytes()),
            _ => Redactor::default(),
        }
    }

    /// A stable pseudonym for a buyer nick: `买家#` and the first 8 hex
    /// digits of HMAC-SHA256(key, nick). The same nick gives the same mask
    /// in every run with the same key; 32 bits keep two buyers apart in any
    /// report of fewer than tens of thousands of buyers.
    pub fn mask_nick(&self, nick: &str) -> String {
        if let Ok(cache) = self.pseudonyms.try_lock() {
            if let Some(p) = cache.get(nick) {
                return p.clone();
            }
        }
        let mac = self.key.mac(nick.as_bytes());
        let pseudonym = format!("买家#{}", hex::encode(&mac[..4]));
        if let Ok(mut cache) = self.pseudonyms.try_lock() {
            if cache.len() >= PSEUDONYM_CACHE {
                cache.clear();
            }
            cache.insert(nick.to_string(), pseudonym.clone());
        }
        pseudonym
    }

    /// `text` with phone, ID, card and order numbers and addresses masked.
    pub fn redact_text(&self, text: &str) -> String {
        self.redact_message(text, &[])
    }

    /// `text` with personal data masked and every occurrence of the given
    /// buyer nicks replaced by their pseudonyms (agents often greet the
    /// buyer by nick). Nicks shorter than two chars are ignored: they would
    /// mask ordinary words.
    pub fn redact_message(&self, text: &str, buyer_nicks: &[&str]) -> String {
        let mut regions = Vec::new();
        for nick in buyer_nicks {
            if nick.chars().count() < 2 {
                continue;
            }
            for (start, found) in text.match_indices(nick) {
                regions.push(Masked {
                    start,
                    end: start + found.len(),
                    mask: self.mask_nick(nick),
                });
            }
        }
        // Found on the original text, so a mask never joins with digits
        // around it into a new number. Most texts (times, prices,
        // quantities) have no digit run long enough for either.
        let digits = longest_digit_run(text);
        if digits >= ORDER_DIGITS {
            order_numbers(text, &mut regions);
        }
        if digits >= MASKED_DIGITS {
            numbers(text, &mut regions);
        }
        addresses(text, &mut regions);
        apply(text, regions)
    }
}

/// HMAC (RFC 2104) over SHA-256.
#[cfg(test)]
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    HmacKey::new(key).mac(message)
}

/// An HMAC-SHA256 key with its padded blocks already hashed: a pseudonym
/// then costs two SHA-256 compressions instead of four.
#[derive(Clone)]
struct HmacKey {
    inner: Sha256,
    outer: Sha256,
}

impl HmacKey {
    fn new(key: &[u8]) -> HmacKey {
        const BLOCK: usize = 64;
        let mut block_key = [0u8; BLOCK];
        if key.len() > BLOCK {
            block_key[..32].copy_from_slice(&Sha256::digest(key));
        } else {
            block_key[..key.len()].copy_from_slice(key);
        }
        let mut inner = Sha256::new();
        inner.update(block_key.map(|b| b ^ 0x36));
        let mut outer = Sha256::new();
        outer.update(block_key.map(|b| b ^ 0x5c));
        HmacKey { inner, outer }
    }

    fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut inner = self.inner.clone();
        inner.update(message);
        let mut outer = self.outer.clone();
        outer.update(inner.finalize());
        outer.finalize().into()
    }
}

/// Build the output: regions sorted by start; of two overlapping regions
/// the one starting first (then the longer) wins.
fn apply(text: &str, mut regions: Vec<Masked>) -> String {
    if regions.is_empty() {
        return text.to_string();
    }
    regions.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for r in regions {
        if r.start < pos {
            continue;
        }
        out.push_str(&text[pos..r.start]);
        out.push_str(&r.mask);
        pos = r.end;
    }
    out.push_str(&text[pos..]);
    out
}

fn regex(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("redaction pattern compiles"))
}

/// The digit value of an ASCII or full-width digit.
fn digit_value(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// Fewest digits of a number masked after an order keyword.
const ORDER_DIGITS: usize = 6;
/// Fewest digits of any other masked number (a mobile number).
const MASKED_DIGITS: usize = 11;

/// The digit count of the longest digit run in `text`, runs as
/// [`numbers`] and [`order_numbers`] see them: digits with at most one
/// space or dash between two of them.
fn longest_digit_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    // A separator seen right after a digit: the run goes on if a digit
    // follows.
    let mut separated = false;
    for c in text.chars() {
        if digit_value(c).is_some() {
            run += 1;
            longest = longest.max(run);
            separated = false;
        } else if run > 0 && !separated && matches!(c, ' ' | '-' | '－') {
            separated = true;
        } else {
            run = 0;
            separated = false;
        }
    }
    longest
}

/// `订单号：123456789`, `运单号 SF1234567890`: the number is masked whatever
/// its length, the keyword kept.
fn order_numbers(text: &str, out: &mut Vec<Masked>) {
    // Every keyword holds 单.
    if !text.contains('单') {
        return;
    }
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(
        &RE,
        r"(?:订单编号|订单号|订单|运单号|快递单号|物流单号|单号)[ \t]*[:：]?[ \t]*([A-Za-z]{0,4}[0-9０-９](?:[ \-]?[0-9０-９]){5,})",
    );
    for caps in re.captures_iter(text) {
        if let Some(m) = caps.get(1) {
            out.push(Masked {
                start: m.start(),
                end: m.end(),
                mask: ORDER_MASK.to_string(),
            });
        }
    }
}

/// Digit runs (single spaces or dashes allowed between digits), classified
/// by their digit count. A run that is no known number as a whole is tried
/// group by group, longest first, so `13812345678 2件` still masks the phone.
fn numbers(text: &str, out: &mut Vec<Masked>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    let re = regex(&RE, r"[0-9０-９](?:[ \-－]?[0-9０-９])*[Xx]?");
    for run in re.find_iter(text) {
        // An ASCII letter or digit right before the run makes it part of a
        // code (`SF123…`, `tb_77…`), not a number someone typed.
        let before = text[..run.start()].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            continue;
        }
        // Every number masked has at least 11 digits (a mobile number);
        // most runs (quantities, prices, times) are far shorter.
        if run
            .as_str()
            .chars()
            .filter(|c| digit_value(*c).is_some())
            .count()
            < 11
        {
            continue;
        }
        // `+86 138…`: the plus sign goes with the masked number.
        let plus = usize::from(before == Some('+') && run.as_str().starts_with("86"));
        // Groups: (byte start, byte end) of each separator-free stretch.
        let s = run.as_str();
        let mut groups: Vec<(usize, usize)> = Vec::new();
        let mut start = 0;
        for (i, c) in s.char_indices() {
            if matches!(c, ' ' | '-' | '－') {
                groups.push((start, i));
                start = i + c.len_utf8();
            }
        }
        groups.push((start, s.len()));
        let mut i = 0;
        while i < groups.len() {
            let mut matched = None;
            for j in (i..groups.len()).rev() {
                let piece = &s[groups[i].0..groups[j].1];
                if let Some(mask) = classify_number(piece) {
                    matched = Some((j, mask));
                    break;
                }
            }
            match matched {
                Some((j, mask)) => {
                    // Only a `86…` phone can follow the plus: 11-digit
                    // mobiles start with 1.
                    let lead = if i == 0 && mask == PHONE_MASK {
                        plus
                    } else {
                        0
                    };
                    out.push(Masked {
                        start: run.start() + groups[i].0 - lead,
                        end: run.start() + groups[j].1,
                        mask: mask.to_string(),
                    });
                    i = j + 1;
                }
                None => i += 1,
            }
        }
    }
}

/// The mask for a number (separators allowed), or `None` if it is not a
/// phone, ID, card or order number.
fn classify_number(piece: &str) -> Option<&'static str> {
    let x_suffix = piece.ends_with(['X', 'x']);
    let digits: Vec<u8> = piece.chars().filter_map(digit_value).collect();
    let phone = |d: &[u8]| d.len() == 11 && d[0] == 1 && (3..=9).contains(&d[1]);
    if !x_suffix {
        if phone(&digits) {
            return Some(PHONE_MASK);
        }
        if digits.len() == 13 && digits[..2] == [8, 6] && phone(&digits[2..]) {
            return Some(PHONE_MASK);
        }
    }
    let id_len = digits.len() + usize::from(x_suffix);
    if id_len == 18 && is_id18(&digits, x_suffix) {
        return Some(ID_MASK);
    }
    if !x_suffix && digits.len() == 15 && is_id15(&digits) {
        return Some(ID_MASK);
    }
    if !x_suffix && (16..=19).contains(&digits.len()) {
        return Some(LONG_NUMBER_MASK);
    }
    None
}

fn number(d: &[u8]) -> u32 {
    d.iter().fold(0, |acc, &x| acc * 10 + u32::from(x))
}

fn valid_date(month: u32, day: u32) -> bool {
    (1..=12).contains(&month) && (1..=31).contains(&day)
}

/// An 18-char resident ID: region (first digit 1–8), birth date 18xx–20xx,
/// and the ISO 7064 MOD 11-2 check char. A number that fails the check is
/// left to the card/order class.
fn is_id18(d: &[u8], x_suffix: bool) -> bool {
    if d.len() != if x_suffix { 17 } else { 18 } || !(1..=8).contains(&d[0]) {
        return false;
    }
    let year = number(&d[6..10]);
    if !(1800..=2099).contains(&year) || !valid_date(number(&d[10..12]), number(&d[12..14])) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = d[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(&x, w)| u32::from(x) * w)
        .sum();
    let check = (12 - sum % 11) % 11;
    if x_suffix {
        check == 10
    } else {
        u32::from(d[17]) == check
    }
}

/// A 15-digit (pre-1999) ID: region, then `YYMMDD`; it has no check digit.
fn is_id15(d: &[u8]) -> bool {
    (1..=8).contains(&d[0]) && valid_date(number(&d[8..10]), number(&d[10..12]))
}

/// Addresses: an optional province/city (kept), then district, town, a
/// road or compound, and at least one numbered unit (masked).
fn addresses(text: &str, out: &mut Vec<Masked>) {
    static RE: OnceLock<Regex> = OnceLock::new();
    // Place-name chars: Han characters except the words that usually lead
    // into an address (`寄到`, `地址是`, `我家在`) or end a sentence, so
    // those stay readable outside the mask.
    const NAME: &str = r"[\p{Han}--[在到寄发是地址的住送往我你他她家请改为把给从了吗呢吧啊哦呀和与及或想问说要能可以帮麻烦收货]]";
    // Building names mix in Latin letters (`SOHO现代城`).
    const NAME_L: &str = r"[\p{Han}A-Za-z--[在到寄发是地址的住送往我你他她家请改为把给从了吗呢吧啊哦呀和与及或想问说要能可以帮麻烦收货]]";
    const NUM: &str = r"[0-9０-９A-Za-z一二三四五六七八九十零〇百]+";
    let re = RE.get_or_init(|| {
        let pattern = format!(
        "(?P<keep>(?:{NAME}{{2,8}}?(?:省|自治区))?(?:{NAME}{{1,8}}?市){{0,2}})\
         (?P<mask>(?:{NAME}{{1,8}}?(?:区|县|旗))?\
         (?:{NAME}{{1,8}}?(?:镇|乡|街道))?\
         {NAME}{{1,12}}?(?:大道|大街|路|街|道|巷|弄|胡同|村|小区|花园|公寓|大厦|广场|社区|园区|苑|院)\
         (?:[ -]?{NAME_L}{{0,10}}?{NUM}[ -]?(?:号楼|号院|号|栋|幢|座|单元|楼|室|层|组|弄))+\
         (?:[0-9０-９]{{1,5}}室?)?)"
        );
        Regex::new(&pattern).expect("redaction pattern compiles")
    });
    // Every address ends in a unit (号, 栋, 室 …): most texts have none.
    // One automaton pass finds out faster than testing every char.
    static UNITS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let units = UNITS.get_or_init(|| {
        aho_corasick::AhoCorasick::new(["号", "栋", "幢", "座", "元", "楼", "室", "层", "组", "弄"])
            .expect("ten literals build an automaton")
    });
    if !units.is_match(text) {
        return;
    }
    for caps in re.captures_iter(text) {
        if let Some(m) = caps.name("mask") {
            out.push(Masked {
                start: m.start(),
                end: m.end(),
                mask: ADDRESS_MASK.to_string(),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(text: &str) -> String {
        Redactor::default().redact_text(text)
    }

    #[test]
    fn nick_pseudonyms_are_stable_keyed_and_distinct() {
        let a = Redactor::default();
        let b = Redactor::default();
        assert_eq!(a.mask_nick("tb_77ba6c3"), b.mask_nick("tb_77ba6c3"));
        let m = a.mask_nick("tb_77ba6c3");
        assert!(m.starts_with("买家#") && m.chars().count() == 11, "{m}");
        assert_ne!(a.mask_nick("tb_77ba6c3"), a.mask_nick("tb_77ba6c4"));
        let keyed = Redactor::with_key(b"team secret");
        assert_ne!(keyed.mask_nick("tb_77ba6c3"), m);
        // The pseudonym is the HMAC-SHA256 of the nick, not a plain hash.
        let plain = hex::encode(&Sha256::digest("tb_77ba6c3".as_bytes())[..4]);
        assert_ne!(m, format!("买家#{plain}"));
    }

    #[test]
    fn digit_runs_are_counted_as_the_number_patterns_see_them() {
        assert_eq!(longest_digit_run("等了169秒"), 3);
        assert_eq!(longest_digit_run("手机 138 1234 5678 谢谢"), 11);
        assert_eq!(longest_digit_run("联系139-0571-2233，2件"), 11);
        assert_eq!(longest_digit_run("电话１３８１２３４５６７８"), 11);
        // Two separators in a row end a run.
        assert_eq!(longest_digit_run("138  1234 5678"), 8);
        assert_eq!(longest_digit_run("没有数字"), 0);
        // A run just short of a mobile number is left alone, and not
        // looked at by the number pattern either.
        assert_eq!(r("单价 1381234567 元"), "单价 1381234567 元");
        assert_eq!(r("订单号：12345"), "订单号：12345");
        assert_eq!(r("订单号：123456"), "订单号：[单号]");
    }

    #[test]
    fn hmac_matches_rfc_4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn mobile_numbers_in_every_spelling() {
        assert_eq!(
            r("我的电话13812345678，到了打我"),
            "我的电话1** **** ****，到了打我"
        );
        assert_eq!(r("手机 138 1234 5678 谢谢"), "手机 1** **** **** 谢谢");
        assert_eq!(r("联系139-0571-2233"), "联系1** **** ****");
        assert_eq!(r("+86 158 0000 1111"), "1** **** ****");
        assert_eq!(r("电话１３８１２３４５６７８"), "电话1** **** ****");
        // A quantity after the number does not hide it.
        assert_eq!(r("13812345678 2件"), "1** **** **** 2件");
        // Ten digits, or a leading 12, are not mobile numbers.
        assert_eq!(r("1381234567"), "1381234567");
        assert_eq!(r("12812345678"), "12812345678");
    }

    #[test]
    fn id_numbers_with_check_digit_and_old_15_digit_ids() {
        assert_eq!(
            r("身份证11010519491231002X发你了"),
            "身份证[身份证号]发你了"
        );
        assert_eq!(r("身份证号440306198503124519"), "身份证号[身份证号]");
        assert_eq!(r("老证号码130503670401001"), "老证号码[身份证号]");
        // Same length, wrong check digit: still masked, as a long number.
        assert_eq!(r("440306198503124518"), "[卡号/单号]");
    }

    #[test]
    fn bank_cards_and_order_numbers() {
        assert_eq!(
            r("退款打到6222 0212 3456 7890 123吧"),
            "退款打到[卡号/单号]吧"
        );
        assert_eq!(r("卡号6222021234567890"), "卡号[卡号/单号]");
        assert_eq!(
            r("订单号：3021456789012345678 麻烦查一下"),
            "订单号：[单号] 麻烦查一下"
        );
        assert_eq!(r("订单 20261024123 还没发货"), "订单 [单号] 还没发货");
        assert_eq!(
            r("快递单号SF1234567890怎么查不到"),
            "快递单号[单号]怎么查不到"
        );
        // Prices, dates, times and short codes are left alone.
        let plain = "2026-10-24 21:21:52 下单，199.00元，优惠券减30，尺码38";
        assert_eq!(r(plain), plain);
        // A code glued to letters is an id, not a number someone typed.
        assert_eq!(r("tb_13812345678"), "tb_13812345678");
    }

    #[test]
    fn addresses_keep_city_and_mask_the_rest() {
        assert_eq!(
            r("地址是浙江省杭州市西湖区文三路90号东部软件园3号楼501室，收件人张三"),
            "地址是浙江省杭州市[地址]，收件人张三"
        );
        assert_eq!(
            r("寄到朝阳区建国路88号SOHO现代城2号楼1单元1203"),
            "寄到[地址]"
        );
        assert_eq!(
            r("改地址：广东省深圳市南山区科技园南区高新南七道18号"),
            "改地址：广东省深圳市[地址]"
        );
        assert_eq!(r("我住在幸福小区3栋2单元502室"), "我住在[地址]");
        assert_eq!(r("上海市浦东新区张江镇祖冲之路2288弄5号"), "上海市[地址]");
        // No street-level number: nothing personal to mask.
        assert_eq!(r("我在杭州市西湖区"), "我在杭州市西湖区");
        assert_eq!(r("你们发什么快递到北京市"), "你们发什么快递到北京市");
        assert_eq!(r("这条路好走吗"), "这条路好走吗");
    }

    #[test]
    fn buyer_nicks_in_text_are_replaced_agents_and_shops_kept() {
        let red = Redactor::default();
        let mask = red.mask_nick("tb_77ba6c3");
        assert_eq!(
            red.redact_message(
                "tb_77ba6c3 您好，花花旗舰店:小美为您服务，手机13812345678已备注",
                &["tb_77ba6c3"]
            ),
            format!("{mask} 您好，花花旗舰店:小美为您服务，手机1** **** ****已备注")
        );
        // A one-char nick would mask ordinary words.
        assert_eq!(red.redact_message("好的好的", &["好"]), "好的好的");
    }

    #[test]
    fn any_input_gives_valid_text_without_panicking() {
        for s in [
            "",
            "1",
            "X",
            "订单号",
            "路号",
            "－１－",
            "8613812345678X",
            "１１０１０５１９４９１２３１００２X",
            "号号号路路路室室",
        ] {
            let _ = r(s);
        }
        assert_eq!(r("１１０１０５１９４９１２３１００２X"), "[身份证号]");
    }
}
