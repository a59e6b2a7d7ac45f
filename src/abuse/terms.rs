//! Abuse terms with meaning: insults, expletives, curses, discrimination
//! (ABU001) and threats (ABU002), read through the usual evasions.
//!
//! The list is `lexicons/abuse_terms.txt` (format in `lexicons/README.md`).
//! A hit is kept only when the term means what it says where it stands:
//!
//! * **Aim.** `垃圾` is an insult in `你就是垃圾` and `垃圾客服`, a verdict on
//!   goods in `发的什么垃圾` and `垃圾质量`; `弄死` is a threat in `弄死你` and
//!   pest control in `弄死蟑螂`. Entries say what they need (`aim=`), read in
//!   the clause around the hit: a person before it (you, the agent, he …,
//!   through filler like `就是个`), a person noun after it, the term standing
//!   alone as an address or exclamation, or a person as the object.
//! * **Possessives.** `帮我妈的订单` and `他妈的腿不好` are family, not
//!   expletives: a possessor before the hit or a noun after it (jieba POS)
//!   keeps `possessive` entries quiet.
//! * **Evasions** are folded on both sides into one key per char: a CJK char
//!   becomes its toneless syllable (the `pinyin` crate), so homophones
//!   (`沙比`, `草泥马`, `制杖`) meet the term; emoji that stand for a char
//!   (`🐴` → 马) become that char; separators and symbols are skipped
//!   (`傻*逼`, `操 你 妈`); each term also matches its pinyin spelling
//!   (`shabi`, `sha bi`), pinyin mixed with chars (`傻b`, `草你ma`) and its
//!   listed letter abbreviations (`sb`, `nmsl`). A homophone that is itself
//!   a dictionary word (`白吃` for 白痴) or cuts across a word (`尺码的`)
//!   is dropped; inserted symbols mark intent and skip that test.
//!
//! Every hit quotes the exact original span, separators and emoji included.

use crate::finding::{Severity, Span};
use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

/// The bundled list.
pub const BUNDLED: &str = include_str!("../../lexicons/abuse_terms.txt");

/// What kind of abuse a term is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AbuseKind {
    /// 辱骂: an insult of a person.
    Insult,
    /// 脏话: an expletive (我操, 卧槽, 他妈的).
    Expletive,
    /// 诅咒: a curse (去死, 不得好死).
    Curse,
    /// 歧视: a slur on a group.
    Discrimination,
    /// 威胁: a threat of harm.
    Threat,
}

impl AbuseKind {
    /// Every kind, in declaration order.
    pub const ALL: [AbuseKind; 5] = [
        AbuseKind::Insult,
        AbuseKind::Expletive,
        AbuseKind::Curse,
        AbuseKind::Discrimination,
        AbuseKind::Threat,
    ];

    /// The section name used in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            AbuseKind::Insult => "insult",
            AbuseKind::Expletive => "expletive",
            AbuseKind::Curse => "curse",
            AbuseKind::Discrimination => "discrimination",
            AbuseKind::Threat => "threat",
        }
    }

    /// The reviewer's word for it.
    pub fn label(self) -> &'static str {
        match self {
            AbuseKind::Insult => "辱骂",
            AbuseKind::Expletive => "脏话",
            AbuseKind::Curse => "诅咒",
            AbuseKind::Discrimination => "歧视",
            AbuseKind::Threat => "威胁",
        }
    }

    /// Threats are ABU002; everything else is ABU001.
    pub fn is_threat(self) -> bool {
        self == AbuseKind::Threat
    }

    fn parse(name: &str) -> Option<AbuseKind> {
        AbuseKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    fn default_severity(self) -> Severity {
        match self {
            AbuseKind::Expletive => Severity::Medium,
            _ => Severity::High,
        }
    }
}

/// What a term needs around it to count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aim {
    /// Nothing: it is abuse wherever it stands.
    Any,
    /// A person it is aimed at, or the term alone (address, exclamation).
    Person,
    /// A named person (`你是骗子`, `骗子客服`), a measure word (`真是个骗子`)
    /// or the bare term as a whole clause (`骗子！`).
    Explicit,
    /// A named person or a measure word, never alone (`垃圾！` is as often
    /// a verdict on goods).
    Named,
    /// A person right after it as its object (`弄死你`).
    Object,
    /// It ends its clause (`你给我等着！`, not `你等着收货`), maybe
    /// before the person it addresses (`去死吧你`).
    Final,
    /// It is its clause on its own (`靠！`, not `靠谱` or `你靠什么`).
    Alone,
}

impl Aim {
    fn parse(s: &str) -> Option<Aim> {
        Some(match s {
            "any" => Aim::Any,
            "person" => Aim::Person,
            "explicit" => Aim::Explicit,
            "named" => Aim::Named,
            "object" => Aim::Object,
            "final" => Aim::Final,
            "alone" => Aim::Alone,
            _ => return None,
        })
    }
}

/// How a hit was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Evasion {
    /// As listed (width, case and traditional chars folded).
    None,
    /// With separators or symbols inside (`傻*逼`).
    Symbols,
    /// With emoji standing for chars (`草泥🐴`).
    Emoji,
    /// With homophone chars (`沙比`).
    Homophone,
    /// In pinyin, whole or mixed with chars (`shabi`, `傻b`).
    Pinyin,
    /// As a letter abbreviation (`sb`, `nmsl`).
    Abbreviation,
}

impl Evasion {
    /// Name used in messages and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Evasion::None => "none",
            Evasion::Symbols => "symbols",
            Evasion::Emoji => "emoji",
            Evasion::Homophone => "homophone",
            Evasion::Pinyin => "pinyin",
            Evasion::Abbreviation => "abbreviation",
        }
    }
}

/// One entry of the list.
#[derive(Debug, Clone)]
pub struct Term {
    /// The term as written.
    pub term: String,
    /// Its kind (the section).
    pub kind: AbuseKind,
    /// Severity of a hit.
    pub severity: Severity,
    /// What it needs around it.
    pub aim: Aim,
    /// Also match homophones and pinyin.
    pub sound: bool,
    /// Quiet when a family word is used as a possessive.
    pub possessive: bool,
    /// Letter abbreviations (`sb`).
    pub abbreviations: Vec<String>,
    /// Allow-contexts: a hit inside one is dropped.
    pub except: Vec<String>,
    /// 1-based line in the file.
    pub line: usize,
    /// Keys of the allow-contexts.
    except_keys: Vec<Vec<char>>,
    /// Folded chars of the term.
    folded: Vec<char>,
    starts_with_pronoun: bool,
}

/// A located problem in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// `path:line:col`.
    pub location: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Every problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermsError(pub Vec<Diagnostic>);

impl fmt::Display for TermsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        Ok(())
    }
}

impl std::error::Error for TermsError {}

/// One abuse hit in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AbuseHit {
    /// Index of the term in [`AbuseTerms::terms`].
    pub term: u32,
    /// Its kind.
    pub kind: AbuseKind,
    /// Its severity.
    pub severity: Severity,
    /// How it was written.
    pub evasion: Evasion,
    /// The exact span in the original text.
    pub span: Span,
}

/// How a pattern spells its term.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Form {
    /// One key per char of the term.
    Chars,
    /// Pinyin, whole or for some chars.
    Pinyin,
    /// A letter abbreviation.
    Abbreviation,
}

/// One char of a text as the matcher sees it.
#[derive(Debug, Clone, Copy)]
struct Unit {
    /// Syllable key (CJK), lower-case ASCII, or the folded char.
    key: char,
    /// The folded char (traditional → simplified, emoji → char).
    folded: char,
    byte_start: usize,
    byte_end: usize,
    char_start: usize,
    /// Index of the clause it is in.
    clause: u32,
    /// What was skipped right before it.
    skipped_before: Skipped,
    /// It was an emoji standing for a char.
    emoji: bool,
}

/// What a text had between two units.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skipped {
    /// Nothing.
    Nothing,
    /// Whitespace only (English words stand apart: `fuck you`).
    Space,
    /// Symbols, punctuation or emoji (`SB-2`, `傻*逼`).
    Symbols,
}

/// First CJK char with a syllable table entry, and one past the last.
const CJK_FIRST: u32 = 0x4E00;
const CJK_END: u32 = 0xA000;
/// Syllable keys live in a private-use plane, so they never meet text.
const SYLLABLE_BASE: u32 = 0xF0000;

/// The syllables: key per CJK char and letters per key.
struct Syllables {
    key_of: Vec<char>,
    letters: Vec<&'static str>,
}

impl Syllables {
    fn new() -> Syllables {
        use pinyin::ToPinyin;
        let mut ids: HashMap<&'static str, u32> = HashMap::new();
        let mut letters = Vec::new();
        let key_of = (CJK_FIRST..CJK_END)
            .map(|cp| {
                let c = char::from_u32(cp).unwrap_or(' ');
                match c.to_pinyin() {
                    Some(p) => {
                        let plain = p.plain();
                        let id = *ids.entry(plain).or_insert_with(|| {
                            letters.push(plain);
                            letters.len() as u32 - 1
                        });
                        char::from_u32(SYLLABLE_BASE + id).unwrap_or(c)
                    }
                    None => c,
                }
            })
            .collect();
        Syllables { key_of, letters }
    }

    /// The key of a folded char.
    fn key(&self, c: char) -> char {
        let cp = c as u32;
        if (CJK_FIRST..CJK_END).contains(&cp) {
            self.key_of[(cp - CJK_FIRST) as usize]
        } else {
            c.to_ascii_lowercase()
        }
    }

    /// Pinyin letters of a key, if it is a syllable.
    fn letters(&self, key: char) -> Option<&'static str> {
        (key as u32)
            .checked_sub(SYLLABLE_BASE)
            .and_then(|id| self.letters.get(id as usize).copied())
    }
}

/// Emoji that stand for a char in evasions (`草泥🐴`, `你个🐷头`).
fn emoji_char(c: char) -> Option<char> {
    Some(match c {
        '🐴' | '🐎' => '马',
        '🐶' | '🐕' | '🐩' => '狗',
        '🐷' | '🐖' | '🐽' => '猪',
        '💩' => '屎',
        '🐔' | '🐓' => '鸡',
        '🌿' | '🌱' | '☘' | '🍀' => '草',
        '🐢' => '龟',
        '👴' => '爷',
        '🐭' | '🐀' => '鼠',
        '🐮' | '🐄' => '牛',
        '🐍' => '蛇',
        '🐺' => '狼',
        '💀' | '☠' => '死',
        '🈚' => '无',
        _ => return None,
    })
}

/// Separators that end a clause (aims are read inside one clause).
fn is_clause_break(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '！' | '？' | ',' | '!' | '?' | ';' | '；' | '\n' | '\r' | '、' | '…'
    )
}

/// Fold a text into units.
fn fold(text: &str, syllables: &Syllables, units: &mut Vec<Unit>) {
    units.clear();
    let options = crate::normalize::NormalizeOptions::default();
    let mut clause = 0u32;
    let mut skipped = Skipped::Nothing;
    for (char_start, (byte_start, c)) in text.char_indices().enumerate() {
        let byte_end = byte_start + c.len_utf8();
        let (folded, emoji) = match emoji_char(c) {
            Some(e) => (e, true),
            None => match crate::normalize::fold_char(c, &options) {
                crate::normalize::Folded::Char(f) if f.is_alphanumeric() => (f, false),
                _ => {
                    // Two spaces in a row part sentences in pasted chats.
                    let second_space = c.is_whitespace()
                        && text[..byte_start]
                            .chars()
                            .next_back()
                            .is_some_and(char::is_whitespace);
                    if is_clause_break(c) || second_space {
                        clause += 1;
                    }
                    skipped = if c.is_whitespace() && skipped != Skipped::Symbols {
                        Skipped::Space
                    } else {
                        Skipped::Symbols
                    };
                    continue;
                }
            },
        };
        let folded = folded.to_ascii_lowercase();
        units.push(Unit {
            key: syllables.key(folded),
            folded,
            byte_start,
            byte_end,
            char_start,
            clause,
            skipped_before: std::mem::replace(&mut skipped, Skipped::Nothing),
            emoji,
        });
    }
}

/// Keys of a word (no clause or span bookkeeping).
fn keys_of(word: &str, syllables: &Syllables) -> Vec<char> {
    let mut units = Vec::new();
    fold(word, syllables, &mut units);
    units.iter().map(|u| u.key).collect()
}

/// Small word lists read around a hit, over folded chars (homophones
/// would confuse 有 with 又; the pinyin of `你` is listed).
struct Words(Vec<Vec<char>>);

impl Words {
    fn new(words: &[&str], syllables: &Syllables) -> Words {
        let mut all: Vec<Vec<char>> = words
            .iter()
            .map(|w| {
                let mut units = Vec::new();
                fold(w, syllables, &mut units);
                units.iter().map(|u| u.folded).collect()
            })
            .collect();
        all.retain(|w| !w.is_empty());
        // Longest first, so the longest match wins.
        all.sort_by_key(|w| std::cmp::Reverse(w.len()));
        Words(all)
    }

    /// Length of the longest word ending at `chars[..end]`, not before `start`.
    fn ends_at(&self, chars: &[char], start: usize, end: usize) -> Option<usize> {
        let keys = chars;
        self.0
            .iter()
            .find(|w| end >= start + w.len() && keys[end - w.len()..end] == w[..])
            .map(Vec::len)
    }

    /// Length of the longest word starting at `chars[start..]`, not after `end`.
    fn starts_at(&self, chars: &[char], start: usize, end: usize) -> Option<usize> {
        let keys = chars;
        self.0
            .iter()
            .find(|w| start + w.len() <= end && keys[start..start + w.len()] == w[..])
            .map(Vec::len)
    }
}

/// People an insult can be aimed at.
const PERSONS: &[&str] = &[
    "你",
    "您",
    "妳",
    "你们",
    "您们",
    "他",
    "她",
    "他们",
    "她们",
    "客服",
    "卖家",
    "商家",
    "店家",
    "老板",
    "掌柜",
    "小二",
    "店主",
    "快递员",
    "师傅",
    "这人",
    "那人",
    "这种人",
    "什么人",
    "这些人",
    "你丫",
    "ni",
    "nimen",
    "kefu",
];

/// Person nouns that an insult may stand before (`垃圾客服`).
const PERSON_NOUNS: &[&str] = &[
    "客服",
    "卖家",
    "商家",
    "店家",
    "老板",
    "掌柜",
    "小二",
    "店主",
    "快递员",
];

/// Words between a person and an insult aimed at them (`你就是个…`,
/// `客服是不是…`, `你给我…`).
const FILLERS: &[&str] = &[
    "是",
    "就",
    "真",
    "都",
    "也",
    "还",
    "这",
    "那",
    "个",
    "种",
    "样",
    "么",
    "简直",
    "纯",
    "完全",
    "太",
    "好",
    "大",
    "一",
    "不",
    "像",
    "才",
    "怎么",
    "全",
    "些",
    "又",
    "老",
    "死",
    "臭",
    "蠢",
    "小",
    "根本",
    "本来",
    "确实",
    "实在",
    "他妈",
    "他妈的",
    "特么",
    "给我",
    "给老子",
    "群",
    "帮",
    "伙",
    "条",
    "只",
    "有点",
    "一直",
    "天生",
    "这么",
    "那么",
    "很",
    "挺",
    "超",
    "真的",
    "简直就是",
    "根本就是",
    "分明",
    "明明",
    "活脱脱",
    "妥妥",
    "彻头彻尾",
    "十足",
    "地道",
    "啊",
    "呀",
    "吧",
    "sb",
    "全店",
    "全家",
    "一家子",
    "店里",
    "上下",
    "所有人",
    "个个",
    "统统",
];

/// Fillers after which an insult for a named person is still aimed (the
/// measure word of `你个…`, `真是个…`).
const MEASURE: &[&str] = &["个", "条", "只", "群", "帮", "伙"];
/// Demonstratives that turn `个` to goods (`这个垃圾`).
const DEMONSTRATIVES: &[&str] = &["这", "那", "哪"];

/// Adjectives that make a noun an insult of whoever it names (`死骗子`).
const INSULTING_ADJECTIVES: &[char] = &['死', '臭', '烂', '贱', '蠢', '狗', '傻'];

/// Body parts: `打爆你的头` is aimed at you.
const BODY_PARTS: &[&str] = &[
    "头", "狗头", "脑袋", "腿", "狗腿", "手", "脸", "嘴", "牙", "眼", "狗眼", "皮", "命", "狗命",
];

/// What is theirs in `把你家砸了`.
const HOMES: &[&str] = &[
    "家",
    "店",
    "全家",
    "家人",
    "祖坟",
    "的店",
    "的家",
    "的车",
    "们",
    "们的店",
];

/// Goods after a term turn it into a verdict on goods (`垃圾质量`).
const GOODS: &[&str] = &[
    "东西", "玩意", "货", "产品", "商品", "质量", "服务", "快递", "物流", "店", "平台", "软件",
    "系统", "袋", "桶", "衣服", "鞋", "手机", "包装", "品质", "做工", "材料", "面料", "售后",
    "态度", "公司", "品牌", "网站", "东东", "破烂", "短信", "信息", "邮件", "食品", "app",
];

/// Particles that may follow a term that must end its clause.
const PARTICLES: &[&str] = &[
    "啊", "吧", "呀", "啦", "呢", "哦", "吗", "嘛", "了", "的", "瞧", "哈", "噢", "么",
];

/// Words before a family term that make it a possessive (`给他妈的`).
const POSSESSIVE_VERBS: &[&str] = &[
    "给", "帮", "替", "跟", "和", "为", "是", "到", "送", "让", "叫", "请", "找", "问", "陪", "向",
    "对", "把", "孩子", "子",
];

/// Possessors and kin before a bare family term (`我妈的`, `姨妈的`).
const POSSESSORS: &[&str] = &[
    "我", "你", "他", "她", "俺", "咱", "姨", "舅", "姑", "伯", "叔", "婶", "大", "老", "后", "干",
    "亲", "奶", "爷", "岳", "继", "养", "爸", "儿", "的", "们",
];

/// Pronouns a family term may start with (`他妈的`).
const PRONOUN_STARTS: &[char] = &['你', '他', '她', '我', '尼'];

/// The abuse terms, compiled.
pub struct AbuseTerms {
    path: String,
    terms: Vec<Term>,
    automaton: daachorse::CharwiseDoubleArrayAhoCorasick<u32>,
    /// Per pattern: the terms it spells and how.
    patterns: Vec<Vec<(u32, Form)>>,
    syllables: Syllables,
    persons: Words,
    person_nouns: Words,
    fillers: Words,
    measures: Words,
    demonstratives: Words,
    goods: Words,
    particles: Words,
    possessive_verbs: Words,
    possessors: Words,
    body_parts: Words,
    homes: Words,
    /// Default-dictionary jieba for homophone and possessive checks, built
    /// on the first hit that needs it (most texts never do).
    jieba: OnceLock<jieba_rs::Jieba>,
}

impl fmt::Debug for AbuseTerms {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AbuseTerms")
            .field("path", &self.path)
            .field("terms", &self.terms.len())
            .field("patterns", &self.patterns.len())
            .finish()
    }
}

const KEYS: &[&str] = &[
    "severity",
    "aim",
    "sound",
    "possessive",
    "abbr",
    "except",
    "note",
];

impl AbuseTerms {
    /// The bundled `lexicons/abuse_terms.txt`.
    ///
    /// # Errors
    /// A defect in the bundled file (a test loads it).
    pub fn bundled() -> Result<AbuseTerms, TermsError> {
        AbuseTerms::parse("lexicons/abuse_terms.txt", BUNDLED)
    }

    /// Load a file.
    ///
    /// # Errors
    /// An unreadable file, or any problem in it, located `path:line:col`.
    pub fn load(path: &std::path::Path) -> Result<AbuseTerms, TermsError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            TermsError(vec![Diagnostic {
                location: shown.clone(),
                message: format!("cannot read: {e}"),
            }])
        })?;
        AbuseTerms::parse(&shown, &text)
    }

    /// Parse the text of a file named `path` (for diagnostics).
    ///
    /// # Errors
    /// Every problem, located `path:line:col`: unknown sections, keys,
    /// severities or aims (with the nearest name), empty or duplicate
    /// terms, allow-contexts that do not hold their term.
    pub fn parse(path: &str, text: &str) -> Result<AbuseTerms, TermsError> {
        AbuseTerms::parse_all(&[(path, text)], &[])
    }

    /// Parse several files as one list (the bundled file and a shop's
    /// own, from its configuration), binding every term that lies inside
    /// one of `allow` (the shop's own names) with that name as an
    /// allow-context. `path` of the list is the first file's.
    ///
    /// # Errors
    /// As [`AbuseTerms::parse`]; a term listed in two files is a duplicate.
    pub fn parse_all(sources: &[(&str, &str)], allow: &[String]) -> Result<AbuseTerms, TermsError> {
        let syllables = Syllables::new();
        let mut errors = Vec::new();
        let mut terms: Vec<Term> = Vec::new();
        let mut seen: HashMap<Vec<char>, String> = HashMap::new();
        let path = sources.first().map_or("", |(p, _)| *p);
        for &(path, text) in sources {
            let mut kind: Option<AbuseKind> = None;
            for (n, raw) in text.lines().enumerate() {
                let line = n + 1;
                let mut err = |col: usize, message: String| {
                    errors.push(Diagnostic {
                        location: format!("{path}:{line}:{col}"),
                        message,
                    });
                };
                let content = match raw.find(" #") {
                    Some(at) => &raw[..at],
                    None if raw.trim_start().starts_with('#') => "",
                    None => raw,
                };
                let col_of = |part: &str| {
                    raw[..(part.as_ptr() as usize - raw.as_ptr() as usize)]
                        .chars()
                        .count()
                        + 1
                };
                let trimmed = content.trim();
                if trimmed.is_empty() {
                    continue;
                }
                if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                    kind = AbuseKind::parse(name.trim());
                    if kind.is_none() {
                        let names = AbuseKind::ALL.map(AbuseKind::as_str);
                        err(
                            col_of(trimmed),
                            format!(
                                "unknown section `[{name}]`{}",
                                suggestion(name, names.into_iter())
                            ),
                        );
                    }
                    continue;
                }
                let mut fields = trimmed.split('|');
                let term_text = fields.next().unwrap_or("").trim();
                let Some(kind) = kind else {
                    err(
                        col_of(trimmed),
                        format!(
                        "`{term_text}` is under no section: put it below `[insult]`, `[threat]` …"
                    ),
                    );
                    continue;
                };
                let mut term = Term {
                    term: term_text.to_string(),
                    kind,
                    severity: kind.default_severity(),
                    aim: Aim::Any,
                    sound: true,
                    possessive: false,
                    abbreviations: Vec::new(),
                    except: Vec::new(),
                    line,
                    except_keys: Vec::new(),
                    folded: Vec::new(),
                    starts_with_pronoun: false,
                };
                for field in fields {
                    let col = col_of(field.trim_start()).max(1);
                    let (key, value) = match field.split_once('=') {
                        Some((k, v)) => (k.trim(), Some(v.trim())),
                        None => (field.trim(), None),
                    };
                    match (key, value) {
                        ("severity", Some(v)) => match Severity::parse(v) {
                            Some(s) => term.severity = s,
                            None => err(
                                col,
                                format!(
                                    "bad severity `{v}`{}",
                                    suggestion(v, ["info", "low", "medium", "high"].into_iter())
                                ),
                            ),
                        },
                        ("aim", Some(v)) => match Aim::parse(v) {
                            Some(a) => term.aim = a,
                            None => err(
                                col,
                                format!(
                                    "bad aim `{v}`{}",
                                    suggestion(
                                        v,
                                        [
                                            "any", "person", "explicit", "named", "object",
                                            "final", "alone"
                                        ]
                                        .into_iter()
                                    )
                                ),
                            ),
                        },
                        ("sound", v) => match v.unwrap_or("yes") {
                            "yes" => term.sound = true,
                            "no" => term.sound = false,
                            other => err(col, format!("bad sound `{other}`: use yes or no")),
                        },
                        ("possessive", None) => term.possessive = true,
                        ("abbr", None) => term.abbreviations.push(String::new()),
                        ("abbr", Some(v)) => term.abbreviations.extend(
                            v.split([',', '，'])
                                .map(|a| a.trim().to_ascii_lowercase())
                                .filter(|a| !a.is_empty()),
                        ),
                        ("except", Some(v)) => term.except.extend(
                            v.split([',', '，'])
                                .map(|a| a.trim().to_string())
                                .filter(|a| !a.is_empty()),
                        ),
                        ("note", _) => {}
                        (k, _) if KEYS.contains(&k) => {
                            err(col, format!("`{k}` needs a value here"));
                        }
                        (k, _) => err(
                            col,
                            format!("unknown key `{k}`{}", suggestion(k, KEYS.iter().copied())),
                        ),
                    }
                }
                let mut units = Vec::new();
                fold(&term.term, &syllables, &mut units);
                term.folded = units.iter().map(|u| u.folded).collect();
                if term.folded.is_empty() {
                    err(
                        col_of(trimmed),
                        format!("`{term_text}` is empty once folded"),
                    );
                    continue;
                }
                term.starts_with_pronoun = PRONOUN_STARTS.contains(&term.folded[0]);
                let term_keys: Vec<char> = units.iter().map(|u| u.key).collect();
                for context in &term.except {
                    let keys = keys_of(context, &syllables);
                    if !contains(&keys, &term_keys)
                        && !term
                            .abbreviations
                            .iter()
                            .any(|a| contains(&keys, &a.chars().collect::<Vec<_>>()))
                    {
                        err(
                            col_of(trimmed),
                            format!("allow-context `{context}` does not contain `{term_text}`"),
                        );
                    }
                    term.except_keys.push(keys);
                }
                if let Some(first) = seen.get(&term.folded) {
                    err(
                        col_of(trimmed),
                        format!("duplicate term `{term_text}`: like {first}"),
                    );
                    continue;
                }
                let at = if sources.len() == 1 {
                    format!("line {line}")
                } else {
                    format!("{path}:{line}")
                };
                seen.insert(term.folded.clone(), at);
                terms.push(term);
            }
        }
        for name in allow {
            let keys = keys_of(name, &syllables);
            for term in &mut terms {
                let term_keys = keys_of(&term.term, &syllables);
                if !term_keys.is_empty()
                    && contains(&keys, &term_keys)
                    && !term.except.contains(name)
                {
                    term.except.push(name.clone());
                    term.except_keys.push(keys.clone());
                }
            }
        }
        if !errors.is_empty() {
            return Err(TermsError(errors));
        }
        let (automaton, patterns) = compile(&terms, &syllables).map_err(|message| {
            TermsError(vec![Diagnostic {
                location: path.to_string(),
                message,
            }])
        })?;
        let words = |list: &[&str]| Words::new(list, &syllables);
        Ok(AbuseTerms {
            path: path.to_string(),
            persons: words(PERSONS),
            person_nouns: words(PERSON_NOUNS),
            fillers: words(FILLERS),
            measures: words(MEASURE),
            demonstratives: words(DEMONSTRATIVES),
            goods: words(GOODS),
            particles: words(PARTICLES),
            possessive_verbs: words(POSSESSIVE_VERBS),
            possessors: words(POSSESSORS),
            body_parts: words(BODY_PARTS),
            homes: words(HOMES),
            terms,
            automaton,
            patterns,
            syllables,
            jieba: OnceLock::new(),
        })
    }

    /// The entries.
    pub fn terms(&self) -> &[Term] {
        &self.terms
    }

    /// Where the list came from.
    pub fn path(&self) -> &str {
        &self.path
    }

    /// Every hit in `text`, in text order, non-overlapping.
    pub fn find(&self, text: &str) -> Vec<AbuseHit> {
        let mut out = Vec::new();
        self.find_into(text, &mut out);
        out
    }

    /// [`AbuseTerms::find`] into a buffer (cleared first).
    pub fn find_into(&self, text: &str, out: &mut Vec<AbuseHit>) {
        out.clear();
        // Most texts hold no term: fold and search over reused buffers,
        // and only build the rest when the automaton finds something.
        thread_local! {
            static BUFFERS: std::cell::RefCell<(Vec<Unit>, String)> = const {
                std::cell::RefCell::new((Vec::new(), String::new()))
            };
        }
        BUFFERS.with(|cell| match cell.try_borrow_mut() {
            Ok(mut buffers) => {
                let (units, keys) = &mut *buffers;
                self.find_in(text, units, keys, out);
            }
            // Re-entered on this thread (never today): fresh buffers.
            Err(_) => self.find_in(text, &mut Vec::new(), &mut String::new(), out),
        });
    }

    fn find_in(
        &self,
        text: &str,
        units: &mut Vec<Unit>,
        keys: &mut String,
        out: &mut Vec<AbuseHit>,
    ) {
        fold(text, &self.syllables, units);
        keys.clear();
        keys.extend(units.iter().map(|u| u.key));
        let units = &units[..];
        let keys = &keys[..];
        let mut matches = self.automaton.find_overlapping_iter(keys).peekable();
        if matches.peek().is_none() {
            return;
        }
        let folded: Vec<char> = units.iter().map(|u| u.folded).collect();
        let key_chars: Vec<char> = units.iter().map(|u| u.key).collect();
        // Byte offset in `keys` of each unit, to turn match offsets into units.
        let offsets: Vec<usize> = keys.char_indices().map(|(b, _)| b).collect();
        let unit_at = |byte: usize| {
            if byte == keys.len() {
                Some(units.len())
            } else {
                offsets.binary_search(&byte).ok()
            }
        };
        let folded_text = Folded {
            units,
            keys: &key_chars,
            chars: &folded,
        };
        let mut candidates: Vec<(usize, usize, AbuseHit)> = Vec::new();
        for m in matches {
            let (Some(a), Some(b)) = (unit_at(m.start()), unit_at(m.end())) else {
                continue;
            };
            let Some(spellings) = self.patterns.get(m.value() as usize) else {
                continue;
            };
            for &(t, form) in spellings {
                if let Some(hit) = self.verify(&folded_text, a, b, t, form) {
                    candidates.push((a, b, hit));
                }
            }
        }
        // Leftmost-longest, non-overlapping; on a tie the term as written
        // wins over a sound-alike (`收拾你` is 收拾, not 收尸), then a threat,
        // then the first listed.
        candidates.sort_by_key(|&(a, b, h)| {
            (
                a,
                std::cmp::Reverse(b),
                h.evasion == Evasion::Homophone,
                !h.kind.is_threat(),
                h.term,
            )
        });
        let mut end = 0;
        for (a, b, hit) in candidates {
            if a >= end {
                out.push(hit);
                end = b;
            }
        }
    }

    /// The hit of term `t` spelt `form` over units `a..b`, if it holds.
    fn verify(
        &self,
        text: &Folded<'_>,
        a: usize,
        b: usize,
        t: u32,
        form: Form,
    ) -> Option<AbuseHit> {
        let term = &self.terms[t as usize];
        let units = text.units;
        // One clause only: a hit never spans a clause break.
        if units[a].clause != units[b - 1].clause {
            return None;
        }
        // Letters and digits at an edge must not touch others (`usb`,
        // `SB-2`); a space apart is another word (`fuck you`).
        let touches = |neighbour: &Unit, gap: Skipped| {
            neighbour.key.is_ascii_alphanumeric() && gap != Skipped::Space
        };
        if (units[a].key.is_ascii_alphanumeric()
            && a > 0
            && touches(&units[a - 1], units[a].skipped_before))
            || (units[b - 1].key.is_ascii_alphanumeric()
                && b < units.len()
                && touches(&units[b], units[b].skipped_before))
        {
            return None;
        }
        let exact = form == Form::Chars && text.chars[a..b] == term.folded[..];
        // Homophones of one char are everywhere (`操心` for 艹).
        if !exact && form == Form::Chars && (!term.sound || term.folded.len() < 2) {
            return None;
        }
        // Pinyin mixed with chars keeps at least one char of the term
        // (`傻b`, `草你ma`), so a letter and a homophone (`S码`) do not pass.
        if form == Form::Pinyin
            && units[a..b].iter().any(|u| !u.key.is_ascii())
            && !text.chars[a..b]
                .iter()
                .any(|c| !c.is_ascii() && term.folded.contains(c))
        {
            return None;
        }
        // Symbols inside the hit (not mere spaces) mark an evasion.
        let skipped = units[a + 1..b]
            .iter()
            .any(|u| u.skipped_before == Skipped::Symbols);
        let spaced = skipped
            || units[a + 1..b]
                .iter()
                .any(|u| u.skipped_before == Skipped::Space);
        let emoji = units[a..b].iter().any(|u| u.emoji);
        let evasion = match form {
            Form::Abbreviation => Evasion::Abbreviation,
            Form::Pinyin => Evasion::Pinyin,
            Form::Chars if !exact && !emoji => Evasion::Homophone,
            Form::Chars if emoji => Evasion::Emoji,
            Form::Chars if spaced => Evasion::Symbols,
            Form::Chars => Evasion::None,
        };
        if term
            .except_keys
            .iter()
            .any(|c| inside_context(text.keys, a, b, c))
        {
            return None;
        }
        let clause = text.clause(a, b);
        // A homophone is only read as abuse where it is aimed at someone:
        // sound-alikes are often common words (`拣货` for 贱货, `只拿` for
        // 支那). Two-char ones need a named person (`你是制杖吗`): alone in
        // a clause they are as often a word (`，拣货，`).
        let sound_alike = evasion == Evasion::Homophone && !skipped;
        let aim = match (evasion, term.aim) {
            // Verbs, exclamations and clause-enders are read as written
            // (`看了你` is not 砍了你).
            (Evasion::Homophone, Aim::Object | Aim::Final | Aim::Alone) => return None,
            (_, Aim::Any | Aim::Person | Aim::Explicit) if sound_alike && b - a <= 2 => Aim::Named,
            (_, Aim::Any) if sound_alike => Aim::Person,
            (_, aim) => aim,
        };
        // The cheap test first: jieba costs microseconds.
        if !self.aimed(aim, text, clause, a, b) {
            return None;
        }
        if sound_alike {
            match self.plausible_homophone(text, a, b) {
                Plausible::No => return None,
                // A word of its own (`沙雕`) only when aimed at a named person.
                Plausible::IfNamed if !self.aimed(Aim::Named, text, clause, a, b) => return None,
                _ => {}
            }
        }
        // A short term that ends inside a word is that word (`帮我操作`).
        if exact
            && b - a <= 2
            && b < clause.1
            && !units[b].key.is_ascii()
            && !self.ends_on_word_edge(text, clause, a, b)
        {
            return None;
        }
        if term.possessive && self.possessive(term, text, clause, a, b) {
            return None;
        }
        let last = &units[b - 1];
        Some(AbuseHit {
            term: t,
            kind: term.kind,
            severity: term.severity,
            evasion,
            span: Span {
                char_start: units[a].char_start,
                char_end: last.char_start + 1,
                byte_start: units[a].byte_start,
                byte_end: last.byte_end,
            },
        })
    }

    fn jieba(&self) -> &jieba_rs::Jieba {
        self.jieba.get_or_init(jieba_rs::Jieba::new)
    }

    /// Can a homophone be the term? Not when it cuts across a word
    /// (`尺码的`); only aimed at a named person when it is a word of its
    /// own (`这个沙雕摆件` vs `你个沙雕`).
    fn plausible_homophone(&self, text: &Folded<'_>, a: usize, b: usize) -> Plausible {
        let word: String = text.chars[a..b].iter().collect();
        let jieba = self.jieba();
        if jieba.has_word(&word) {
            return Plausible::IfNamed;
        }
        let (cs, ce) = text.clause(a, b);
        let clause: String = text.chars[cs..ce].iter().collect();
        let start: usize = text.chars[cs..a].iter().map(|c| c.len_utf8()).sum();
        let end = start + word.len();
        let edges: Vec<usize> = jieba
            .cut(&clause, false)
            .iter()
            .map(|t| t.byte_start)
            .chain(std::iter::once(clause.len()))
            .collect();
        if edges.contains(&start) && edges.contains(&end) {
            Plausible::Yes
        } else {
            Plausible::No
        }
    }

    /// Does jieba's cut of the clause have a token edge where the hit ends?
    fn ends_on_word_edge(
        &self,
        text: &Folded<'_>,
        clause: (usize, usize),
        a: usize,
        b: usize,
    ) -> bool {
        let (cs, ce) = clause;
        let clause_text: String = text.chars[cs..ce].iter().collect();
        let end: usize = text.chars[cs..b].iter().map(|c| c.len_utf8()).sum();
        let _ = a;
        self.jieba()
            .cut(&clause_text, false)
            .iter()
            .any(|t| t.byte_start == end)
    }

    /// Does the term point where its entry needs it to? `clause` is the
    /// unit range of the clause around `a..b`.
    fn aimed(
        &self,
        aim: Aim,
        text: &Folded<'_>,
        clause: (usize, usize),
        a: usize,
        b: usize,
    ) -> bool {
        let (cs, ce) = clause;
        let chars = text.chars;
        // Particles after the hit, up to `ce`: where they stop.
        let past_particles = |mut at: usize| {
            while at < ce {
                match self.particles.starts_at(chars, at, ce) {
                    Some(n) => at += n,
                    None => break,
                }
            }
            at
        };
        match aim {
            Aim::Any => true,
            Aim::Object => {
                let mut at = b;
                // 杀了你: the particle 了 before the object.
                if chars.get(at) == Some(&'了') {
                    at += 1;
                }
                if let Some(n) = self.persons.starts_at(chars, at, ce) {
                    // `弄你的订单` is about the order, `打爆你的头` about you.
                    let after = at + n;
                    return chars.get(after) != Some(&'的')
                        || self.body_parts.starts_at(chars, after + 1, ce).is_some();
                }
                // `把你家砸了`: the person (or their home) put before the
                // verb by 把; not `把她戏份砍了`.
                (cs..a).rev().take(6).any(|i| {
                    chars[i] == '把'
                        && self.persons.starts_at(chars, i + 1, a).is_some_and(|n| {
                            let gap = i + 1 + n;
                            gap == a || self.homes.starts_at(chars, gap, a) == Some(a - gap)
                        })
                })
            }
            Aim::Final => {
                let after = past_particles(b);
                after == ce
                    || self
                        .persons
                        .starts_at(chars, after, ce)
                        .is_some_and(|n| after + n == ce)
            }
            Aim::Alone => a == cs && past_particles(b) == ce,
            Aim::Person | Aim::Explicit | Aim::Named => {
                if self.goods.starts_at(chars, b, ce).is_some()
                    && self.person_nouns.starts_at(chars, b, ce).is_none()
                {
                    return false;
                }
                let before = self.before(chars, cs, a);
                if before.person || self.person_nouns.starts_at(chars, b, ce).is_some() {
                    return true;
                }
                // An address after the term: `闭嘴吧你`, `滚吧你`.
                let after = past_particles(b);
                if self
                    .persons
                    .starts_at(chars, after, ce)
                    .is_some_and(|n| after + n == ce)
                {
                    return true;
                }
                let alone_after = after == ce;
                match aim {
                    Aim::Person => before.filler_only && (alone_after || before.measure),
                    Aim::Explicit => {
                        before.measure || before.adjective || (before.bare && alone_after)
                    }
                    _ => before.measure || before.adjective,
                }
            }
        }
    }

    /// Read back from a hit at `a` through filler.
    fn before(&self, chars: &[char], cs: usize, a: usize) -> Before {
        let mut at = a;
        let mut measure = false;
        let mut demonstrative = false;
        let mut adjective = false;
        for _ in 0..12 {
            if self.persons.ends_at(chars, cs, at).is_some() {
                return Before {
                    person: true,
                    ..Before::default()
                };
            }
            if at == cs {
                return Before {
                    person: false,
                    filler_only: true,
                    bare: at == a,
                    measure: measure && !demonstrative,
                    adjective,
                };
            }
            if self.demonstratives.ends_at(chars, cs, at).is_some() {
                demonstrative = true;
            }
            if self.measures.ends_at(chars, cs, at).is_some() {
                measure = true;
            }
            if at > cs && INSULTING_ADJECTIVES.contains(&chars[at - 1]) {
                adjective = true;
            }
            match self.fillers.ends_at(chars, cs, at) {
                Some(n) => at -= n,
                None => break,
            }
        }
        Before::default()
    }

    /// Is a family term used as a possessive (`给他妈的`, `我妈的订单`,
    /// `他妈的腿`)?
    fn possessive(
        &self,
        term: &Term,
        text: &Folded<'_>,
        clause: (usize, usize),
        a: usize,
        b: usize,
    ) -> bool {
        let (cs, ce) = clause;
        let chars = text.chars;
        if self.possessive_verbs.ends_at(chars, cs, a).is_some() {
            return true;
        }
        if !term.starts_with_pronoun && self.possessors.ends_at(chars, cs, a).is_some() {
            return true;
        }
        // A noun right after it, or after a 的 (`他妈的腿`, `他妈 的衣服`);
        // not a person (`他妈的客服` is an expletive).
        let mut at = b;
        if term.folded.last() != Some(&'的') && chars.get(at) == Some(&'的') {
            at += 1;
        }
        if at >= ce || self.person_nouns.starts_at(chars, at, ce).is_some() {
            return false;
        }
        // Nouns, time words (`生日`) and places, read on the words after it
        // and on their first two chars (`生日礼物` is tagged as a phrase).
        let nominal = |text: &str| {
            self.jieba()
                .tag(text, false)
                .first()
                .is_some_and(|t| t.tag.starts_with(['n', 't', 's']))
        };
        let after: String = chars[at..ce.min(at + 12)].iter().collect();
        let first_two: String = chars[at..ce.min(at + 2)].iter().collect();
        nominal(&after) || nominal(&first_two)
    }
}

/// Whether a homophone can stand for its term.
enum Plausible {
    Yes,
    IfNamed,
    No,
}

/// What stands before a hit in its clause.
#[derive(Debug, Clone, Copy, Default)]
struct Before {
    /// A person, through filler (`你就是个`).
    person: bool,
    /// Only filler (`真是个`), or nothing.
    filler_only: bool,
    /// Nothing at all: the hit starts its clause.
    bare: bool,
    /// A measure word (`个`) without a demonstrative (`这个`).
    measure: bool,
    /// An insulting adjective (`死骗子`, `臭流氓`).
    adjective: bool,
}

/// A folded text: units, their keys and folded chars.
struct Folded<'a> {
    units: &'a [Unit],
    keys: &'a [char],
    chars: &'a [char],
}

impl Folded<'_> {
    /// The unit range of the clause around `a..b`.
    fn clause(&self, a: usize, b: usize) -> (usize, usize) {
        let clause = self.units[a].clause;
        let cs = self.units[..a]
            .iter()
            .rposition(|u| u.clause != clause)
            .map_or(0, |i| i + 1);
        let ce = self.units[b..]
            .iter()
            .position(|u| u.clause != clause)
            .map_or(self.units.len(), |i| b + i);
        (cs, ce)
    }
}

/// Does `hay` contain `needle`?
fn contains(hay: &[char], needle: &[char]) -> bool {
    !needle.is_empty() && hay.windows(needle.len()).any(|w| w == needle)
}

/// Is the hit `keys[a..b]` inside an occurrence of `context` in `keys`?
fn inside_context(keys: &[char], a: usize, b: usize, context: &[char]) -> bool {
    let hit = &keys[a..b];
    (0..context.len().saturating_sub(hit.len()) + 1)
        .filter(|&o| context[o..].starts_with(hit))
        .any(|o| {
            a >= o
                && a - o + context.len() <= keys.len()
                && keys[a - o..a - o + context.len()] == *context
        })
}

/// The automaton over every spelling of every term.
#[allow(clippy::type_complexity)]
fn compile(
    terms: &[Term],
    syllables: &Syllables,
) -> Result<
    (
        daachorse::CharwiseDoubleArrayAhoCorasick<u32>,
        Vec<Vec<(u32, Form)>>,
    ),
    String,
> {
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut patterns: Vec<Vec<(u32, Form)>> = Vec::new();
    let mut spelled: Vec<String> = Vec::new();
    let mut add = |pattern: String, t: u32, form: Form| {
        if pattern.is_empty() {
            return;
        }
        let at = *index.entry(pattern.clone()).or_insert_with(|| {
            spelled.push(pattern);
            patterns.push(Vec::new());
            patterns.len() - 1
        });
        if !patterns[at].contains(&(t, form)) {
            patterns[at].push((t, form));
        }
    };
    for (t, term) in terms.iter().enumerate() {
        let t = t as u32;
        let keys: Vec<char> = term.folded.iter().map(|&c| syllables.key(c)).collect();
        add(keys.iter().collect(), t, Form::Chars);
        for abbr in &term.abbreviations {
            if abbr.is_empty() {
                let initials: String = keys
                    .iter()
                    .filter_map(|&k| syllables.letters(k).and_then(|l| l.chars().next()))
                    .collect();
                // Three letters collide with model numbers (`NMB-3`).
                if initials.len() >= 4 && initials.len() == keys.len() {
                    add(initials, t, Form::Abbreviation);
                }
            } else {
                add(abbr.clone(), t, Form::Abbreviation);
            }
        }
        let letters: Vec<Option<&str>> = keys.iter().map(|&k| syllables.letters(k)).collect();
        if !term.sound || keys.len() < 2 || letters.iter().any(Option::is_none) {
            continue;
        }
        let letters: Vec<&str> = letters.into_iter().flatten().collect();
        // Short spellings read as English or names (`sima`, `tama`).
        let whole: String = letters.concat();
        if whole.len() >= 5 || (keys.len() > 2 && whole.len() >= 4) {
            add(whole, t, Form::Pinyin);
        }
        // Two chars: a syllable and an initial (`shab`, `sbi`).
        if keys.len() == 2 {
            for p in [
                format!("{}{}", letters[0], &letters[1][..1]),
                format!("{}{}", &letters[0][..1], letters[1]),
            ] {
                if p.len() >= 4 {
                    add(p, t, Form::Pinyin);
                }
            }
        }
        // Pinyin for some chars (`傻b`, `草你ma`): up to two positions of
        // a term of up to five chars, by whole syllable or initial.
        let n = keys.len();
        if n > 5 {
            continue;
        }
        for mask in 1u32..(1 << n) - 1 {
            let replaced = mask.count_ones() as usize;
            if replaced > 2 {
                continue;
            }
            let positions: Vec<usize> = (0..n).filter(|i| mask & (1 << i) != 0).collect();
            for style in 0u32..(1 << replaced) {
                let mut p = String::new();
                let mut r = 0;
                for (i, &k) in keys.iter().enumerate() {
                    if positions.contains(&i) {
                        if style & (1 << r) != 0 {
                            p.push_str(&letters[i][..1]);
                        } else {
                            p.push_str(letters[i]);
                        }
                        r += 1;
                    } else {
                        p.push(k);
                    }
                }
                add(p, t, Form::Pinyin);
            }
        }
    }
    let automaton = daachorse::CharwiseDoubleArrayAhoCorasick::with_values(
        spelled
            .iter()
            .enumerate()
            .map(|(i, p)| (p.as_str(), i as u32)),
    )
    .map_err(|e| format!("abuse terms: {e}"))?;
    Ok((automaton, patterns))
}

/// ` (did you mean `x`?)` for the nearest candidate, or nothing.
fn suggestion<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    candidates
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|&(d, c)| d <= 2.max(c.len() / 3))
        .min()
        .map(|(_, c)| format!(" (did you mean `{c}`?)"))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms() -> AbuseTerms {
        AbuseTerms::bundled().unwrap()
    }

    /// (kind, quoted span) of every hit.
    fn hits(t: &AbuseTerms, text: &str) -> Vec<(&'static str, String)> {
        t.find(text)
            .iter()
            .map(|h| (h.kind.as_str(), h.span.slice(text).to_string()))
            .collect()
    }

    #[test]
    fn every_unconditional_term_finds_itself_whole() {
        let t = terms();
        for term in t.terms().iter().filter(|x| x.aim == Aim::Any) {
            let found = t.find(&term.term);
            assert!(
                found.iter().any(|h| h.span.slice(&term.term) == term.term),
                "line {}: `{}` does not find itself: {found:?}",
                term.line,
                term.term
            );
        }
    }

    #[test]
    fn spans_quote_the_original_with_what_was_inserted() {
        let t = terms();
        assert_eq!(
            hits(&t, "你是不是傻*逼，还不发货"),
            vec![("insult", "傻*逼".into())]
        );
        assert_eq!(
            hits(&t, "草泥🐴，还不发货"),
            vec![("insult", "草泥🐴".into())]
        );
        assert_eq!(
            hits(&t, "你就是个 Sha Bi 吧"),
            vec![("insult", "Sha Bi".into())]
        );
        assert_eq!(hits(&t, "客服ＳＢ吧"), vec![("insult", "ＳＢ".into())]);
        let found = t.find("你是个傻鼻吧");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].evasion, Evasion::Homophone);
        assert_eq!((found[0].span.char_start, found[0].span.char_end), (3, 5));
    }

    #[test]
    fn goods_are_not_people() {
        let t = terms();
        assert!(hits(&t, "发的什么垃圾，质量太差了").is_empty());
        assert!(hits(&t, "你们这垃圾产品谁买谁后悔").is_empty());
        assert!(hits(&t, "垃圾袋有没有加厚的").is_empty());
        assert_eq!(hits(&t, "你就是个垃圾"), vec![("insult", "垃圾".into())]);
        assert_eq!(
            hits(&t, "垃圾客服，什么都不会"),
            vec![("insult", "垃圾".into())]
        );
        assert!(hits(&t, "狗粮是哪个牌子的").is_empty());
        assert_eq!(hits(&t, "你就是条狗"), vec![("insult", "狗".into())]);
    }

    #[test]
    fn family_possessives_are_not_expletives() {
        let t = terms();
        assert!(hits(&t, "帮我妈的订单改个地址").is_empty());
        assert!(hits(&t, "他妈的腿不好，有没有防滑的鞋").is_empty());
        assert!(hits(&t, "给你妹买的也可以一起发").is_empty());
        assert_eq!(
            hits(&t, "妈的，怎么还不到"),
            vec![("expletive", "妈的".into())]
        );
        assert_eq!(
            hits(&t, "你他妈的什么态度"),
            vec![("expletive", "他妈的".into())]
        );
    }

    #[test]
    fn threats_need_a_person_and_rights_are_no_threats() {
        let t = terms();
        assert!(hits(&t, "这个药能弄死蟑螂吗").is_empty());
        assert!(hits(&t, "你等一下我看看").is_empty());
        assert!(hits(&t, "可以上门安装吗").is_empty());
        assert!(hits(&t, "我要投诉你们，给差评，去12315曝光").is_empty());
        assert!(hits(&t, "男人就是看了你这种洗脑文").is_empty());
        assert_eq!(
            hits(&t, "再不退款我弄死你"),
            vec![("threat", "弄死".into())]
        );
        assert_eq!(hits(&t, "我叫人把你家砸了"), vec![("threat", "砸".into())]);
        assert!(hits(&t, "把她戏份砍了").is_empty());
    }

    #[test]
    fn letters_keep_to_their_own_words() {
        let t = terms();
        for quiet in [
            "USB线是几米的",
            "SB-2型号还有货吗",
            "2B铅笔一盒几支",
            "您插入sim卡就可以了",
        ] {
            assert!(hits(&t, quiet).is_empty(), "{quiet}");
        }
        assert_eq!(hits(&t, "fuck you"), vec![("expletive", "fuck".into())]);
        assert_eq!(hits(&t, "客服nmsl"), vec![("insult", "nmsl".into())]);
    }

    #[test]
    fn short_terms_end_on_word_edges() {
        let t = terms();
        assert!(hits(&t, "帮我操作一下").is_empty());
        assert!(hits(&t, "你靠谱吗").is_empty());
        assert_eq!(hits(&t, "我操，又坏了"), vec![("expletive", "我操".into())]);
    }

    #[test]
    fn errors_are_located_with_a_suggestion() {
        let err = AbuseTerms::parse(
            "a.lex",
            "[insullt]\n傻逼\n[insult]\n废物 | aimm=person\n垃圾 | aim=persn\n滚 | except=滚筒,打球\n傻  逼\n傻逼\n",
        )
        .unwrap_err();
        let messages: Vec<String> = err.0.iter().map(ToString::to_string).collect();
        assert_eq!(
            messages,
            vec![
                "a.lex:1:1: unknown section `[insullt]` (did you mean `insult`?)",
                "a.lex:2:1: `傻逼` is under no section: put it below `[insult]`, `[threat]` …",
                "a.lex:4:6: unknown key `aimm` (did you mean `aim`?)",
                "a.lex:5:6: bad aim `persn` (did you mean `person`?)",
                "a.lex:6:1: allow-context `打球` does not contain `滚`",
                "a.lex:8:1: duplicate term `傻逼`: like line 7",
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_spans_are_char_boundaries(text in "[a-zA-Z0-9 傻逼草泥马你妈的垃圾滚🐴*，。!？\\u{200b}]{0,40}") {
            let t = bundled_once();
            for h in t.find(&text) {
                proptest::prop_assert!(text.is_char_boundary(h.span.byte_start));
                proptest::prop_assert!(text.is_char_boundary(h.span.byte_end));
                proptest::prop_assert!(h.span.byte_start < h.span.byte_end);
                proptest::prop_assert_eq!(
                    h.span.char_end - h.span.char_start,
                    h.span.slice(&text).chars().count()
                );
            }
        }
    }

    fn bundled_once() -> &'static AbuseTerms {
        static TERMS: OnceLock<AbuseTerms> = OnceLock::new();
        TERMS.get_or_init(terms)
    }
}
