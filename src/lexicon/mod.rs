//! Lexicons: the line-based `.lex` format, a strict loader, and the
//! one-pass [`Matcher`] over every lexicon at once.
//!
//! The format is documented in `lexicons/README.md`. In short:
//!
//! ```text
//! [insult]                                  # category for the lines below
//! 傻逼 | note=the classic
//! 滚 | boundary | except=滚筒,打滚
//! 最 | category=absolute_claim | except=最近,最快
//! ```
//!
//! Loading is strict: every problem is a [`Diagnostic`] printed as
//! `path:line: message`, with a "did you mean" for misspelt keys and
//! categories, so `wwqa lexicon check` can point at the exact line.

mod matcher;

pub use matcher::{Engine, Hit, Matcher};

use crate::finding::Severity;
use crate::model::Role;
use crate::normalize::{normalize_with, NormalizeOptions};
use std::collections::HashMap;
use std::fmt;
use std::path::Path;

/// What a lexicon term signals. Each category belongs to one family
/// (`script`, `abuse`, `offplatform`) and has a default severity and role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Category {
    /// Opening words (您好, 欢迎光临, 亲).
    Greeting,
    /// Closing words (祝您, 再见, 感谢).
    Closing,
    /// Review invitations (好评, 五星, 评价).
    ReviewInvite,
    /// Dismissive or impatient agent phrases (不知道, 不归我管, 急什么).
    Dismissive,
    /// Flat refusals (不行, 不可以).
    Refusal,
    /// Advertising-law absolute claims (最, 第一, 全网最低, 100%).
    AbsoluteClaim,
    /// Over-promising (绝对正品, 肯定能退款).
    OverPromise,
    /// Competitor platforms named or disparaged (京东, 拼多多).
    Competitor,
    /// Insults (傻逼, 滚, 废物).
    Insult,
    /// Threats (弄死你, 等着瞧).
    Threat,
    /// Requests to stop messaging (别发了, 不要再发).
    StopRequest,
    /// Off-platform contact and payment (微信, VX, QQ, 支付宝转账).
    OffPlatform,
    /// Trade fraud and review inducement (好评返现, 刷单).
    TradeFraud,
}

impl Category {
    /// Every category, in declaration order.
    pub const ALL: [Category; 13] = [
        Category::Greeting,
        Category::Closing,
        Category::ReviewInvite,
        Category::Dismissive,
        Category::Refusal,
        Category::AbsoluteClaim,
        Category::OverPromise,
        Category::Competitor,
        Category::Insult,
        Category::Threat,
        Category::StopRequest,
        Category::OffPlatform,
        Category::TradeFraud,
    ];

    /// The snake-case name used in `.lex` files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Greeting => "greeting",
            Category::Closing => "closing",
            Category::ReviewInvite => "review_invite",
            Category::Dismissive => "dismissive",
            Category::Refusal => "refusal",
            Category::AbsoluteClaim => "absolute_claim",
            Category::OverPromise => "over_promise",
            Category::Competitor => "competitor",
            Category::Insult => "insult",
            Category::Threat => "threat",
            Category::StopRequest => "stop_request",
            Category::OffPlatform => "off_platform",
            Category::TradeFraud => "trade_fraud",
        }
    }

    /// Parse a snake-case category name.
    pub fn parse(name: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == name)
    }

    /// The family (`script`, `abuse`, `offplatform`).
    pub fn family(self) -> &'static str {
        match self {
            Category::Insult | Category::Threat | Category::StopRequest => "abuse",
            Category::OffPlatform | Category::TradeFraud => "offplatform",
            _ => "script",
        }
    }

    /// Severity when an entry names none: insults, threats, off-platform
    /// lures, fraud and privacy are hard violations; absolute claims,
    /// over-promising and competitor talk are clear ones; dismissive
    /// phrases and refusals are soft; the rest are signals (info).
    pub fn default_severity(self) -> Severity {
        match self {
            Category::Insult | Category::Threat | Category::OffPlatform | Category::TradeFraud => {
                Severity::High
            }
            Category::AbsoluteClaim | Category::OverPromise | Category::Competitor => {
                Severity::Medium
            }
            Category::Dismissive | Category::Refusal => Severity::Low,
            _ => Severity::Info,
        }
    }

    /// Role when an entry names none: service-script categories concern the
    /// shop side, complaints and stop requests the buyer, the rest anyone.
    pub fn default_role(self) -> RoleFilter {
        match self {
            Category::StopRequest => RoleFilter::Buyer,
            Category::Insult | Category::Threat | Category::OffPlatform | Category::TradeFraud => {
                RoleFilter::Any
            }
            _ => RoleFilter::Agent,
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Whose messages an entry applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RoleFilter {
    /// The shop side: human agents and robots.
    Agent,
    /// Buyers.
    Buyer,
    /// Every sender.
    Any,
}

impl RoleFilter {
    /// The name used in `.lex` files.
    pub fn as_str(self) -> &'static str {
        match self {
            RoleFilter::Agent => "agent",
            RoleFilter::Buyer => "buyer",
            RoleFilter::Any => "any",
        }
    }

    /// Parse `agent`, `buyer` or `any`.
    pub fn parse(name: &str) -> Option<RoleFilter> {
        match name {
            "agent" => Some(RoleFilter::Agent),
            "buyer" => Some(RoleFilter::Buyer),
            "any" => Some(RoleFilter::Any),
            _ => None,
        }
    }

    /// True when a message from `role` is in scope (`agent` covers robots:
    /// a robot's reply is the shop speaking).
    pub fn allows(self, role: Role) -> bool {
        match self {
            RoleFilter::Any => true,
            RoleFilter::Agent => matches!(role, Role::Agent | Role::Robot),
            RoleFilter::Buyer => role == Role::Buyer,
        }
    }
}

/// One lexicon line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The term as written in the file.
    pub term: String,
    /// The term after normalisation: what the automaton searches for.
    pub normalized: String,
    /// What the term signals.
    pub category: Category,
    /// Severity (the category's default unless the line sets one).
    pub severity: Severity,
    /// Whose messages it applies to.
    pub role: RoleFilter,
    /// Allow-contexts as written (`最近` for `最`): a hit inside one of them
    /// is dropped.
    pub allow: Vec<String>,
    /// Allow-contexts folded like the text (without collapsing repeats).
    pub allow_folded: Vec<String>,
    /// Allow-contexts normalised exactly like the text (repeats collapsed):
    /// a cheap first test before the uncollapsed one.
    pub allow_normalized: Vec<String>,
    /// The hit must be a whole jieba word (or run of words).
    pub boundary: bool,
    /// Per normalised char of the term, how often the term repeats it
    /// (`谢谢` → `[2]`, empty when nothing repeats). Repeats collapse in
    /// the text too, so the text must repeat each char at least as often:
    /// `扣扣` (QQ) must not fire on a lone `扣`.
    pub min_runs: Vec<usize>,
    /// Free-text note for lexicon maintainers.
    pub note: String,
    /// 1-based line in the source file.
    pub line: usize,
    /// For a gap pattern (`好评 ~{0,8} 返`): the normalised first piece,
    /// which the automaton finds; `normalized` then names the whole pattern.
    pub anchor: Option<String>,
    /// The pieces after the anchor: (fewest, most) chars skipped before
    /// each, and the normalised piece.
    pub gaps: Vec<Gap>,
    /// Context conditions that drop a hit (`not_before`, `not_after`,
    /// `scope_not`, `question`, `clause_final`).
    pub context: ContextRules,
}

/// One gap of a gap pattern, and the piece after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    /// Fewest chars between the previous piece and this one.
    pub min: usize,
    /// Most chars between the previous piece and this one.
    pub max: usize,
    /// The piece, normalised.
    pub piece: String,
}

/// Where a hit may not stand. Words are normalised like the text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContextRules {
    /// Dropped when one of these immediately follows the hit (`第一` with
    /// `not_before=车队,盒`: 第一车队 is a name, 第一盒 an ordinal).
    pub not_before: Vec<String>,
    /// Dropped when one of these immediately precedes the hit
    /// (`有什么可以帮您` with `not_after=还`: 还有什么… is a closing).
    pub not_after: Vec<String>,
    /// Dropped inside the scope of one of these words: earlier in the same
    /// clause (`绝对不会坏` is a promise, `如果…绝对` a hypothetical).
    pub scope_not: Vec<String>,
    /// Dropped when its clause is a question (ends in 吗, 么, ？).
    pub not_in_question: bool,
    /// Kept only at the end of its clause, followed by sentence particles
    /// at most (`没办法了亲` is a brush-off, `没办法修改` a statement).
    pub clause_final: bool,
}

impl ContextRules {
    /// True when no condition is set.
    pub fn is_empty(&self) -> bool {
        self == &ContextRules::default()
    }
}

/// A parsed lexicon file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lexicon {
    /// File stem (`script`, `abuse`, `offplatform`).
    pub name: String,
    /// Path as given (or `lexicons/NAME.lex` for the bundled ones).
    pub path: String,
    /// Entries in file order.
    pub entries: Vec<Entry>,
}

/// One problem found in a lexicon file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// File path as given.
    pub path: String,
    /// 1-based line (0 when the file itself could not be read).
    pub line: usize,
    /// What is wrong, and how to fix it where that is known.
    pub message: String,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.path, self.line, self.message)
    }
}

/// Lexicons that failed to load or combine.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render(.0))]
pub struct LexiconError(pub Vec<Diagnostic>);

fn render(diagnostics: &[Diagnostic]) -> String {
    diagnostics
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// The keys an entry line may carry.
const KEYS: [&str; 11] = [
    "category",
    "severity",
    "role",
    "except",
    "boundary",
    "note",
    "not_before",
    "not_after",
    "scope_not",
    "question",
    "clause_final",
];

/// The lexicons shipped in `lexicons/`, embedded at build time.
pub const BUNDLED: [(&str, &str); 3] = [
    ("script", include_str!("../../lexicons/script.lex")),
    ("abuse", include_str!("../../lexicons/abuse.lex")),
    (
        "offplatform",
        include_str!("../../lexicons/offplatform.lex"),
    ),
];

/// Parse the bundled lexicons (they are checked by the test suite, so this
/// only fails if the build embedded broken files).
pub fn bundled() -> Result<Vec<Lexicon>, LexiconError> {
    BUNDLED
        .iter()
        .map(|(name, text)| parse(&format!("lexicons/{name}.lex"), text))
        .collect()
}

/// Read and parse one `.lex` file.
pub fn load(path: &Path) -> Result<Lexicon, LexiconError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&shown, &text),
        Err(err) => Err(LexiconError(vec![Diagnostic {
            path: shown,
            line: 0,
            message: format!("cannot read: {err}"),
        }])),
    }
}

/// Check lexicon files, each alone and all together (a term may appear in
/// only one of them): every problem, in file and line order. Empty means
/// the files are good. This backs `wwqa lexicon check`.
pub fn check<P: AsRef<Path>>(paths: &[P]) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    let mut lexicons = Vec::new();
    for path in paths {
        match load(path.as_ref()) {
            Ok(lexicon) => lexicons.push(lexicon),
            Err(LexiconError(found)) => diagnostics.extend(found),
        }
    }
    diagnostics.extend(duplicates_across(&lexicons));
    diagnostics
}

/// Duplicate normalised terms between different lexicons.
pub(crate) fn duplicates_across(lexicons: &[Lexicon]) -> Vec<Diagnostic> {
    let mut seen: HashMap<&str, (&Lexicon, &Entry)> = HashMap::new();
    let mut diagnostics = Vec::new();
    for lexicon in lexicons {
        for entry in &lexicon.entries {
            match seen.get(entry.normalized.as_str()) {
                Some((first_lex, first)) if first_lex.path != lexicon.path => {
                    diagnostics.push(duplicate(&lexicon.path, entry, &first_lex.path, first))
                }
                Some(_) => {}
                None => {
                    seen.insert(&entry.normalized, (lexicon, entry));
                }
            }
        }
    }
    diagnostics
}

fn duplicate(path: &str, entry: &Entry, first_path: &str, first: &Entry) -> Diagnostic {
    Diagnostic {
        path: path.to_string(),
        line: entry.line,
        message: format!(
            "duplicate term `{}`: normalises to `{}` like `{}` at {}:{}",
            entry.term, entry.normalized, first.term, first_path, first.line
        ),
    }
}

/// Parse the text of a `.lex` file; `path` is only used in diagnostics.
/// Returns every problem at once rather than stopping at the first.
pub fn parse(path: &str, text: &str) -> Result<Lexicon, LexiconError> {
    let options = NormalizeOptions::default();
    let unfolded = NormalizeOptions {
        collapse_repeats: false,
        ..options
    };
    let mut entries: Vec<Entry> = Vec::new();
    let mut diagnostics = Vec::new();
    let mut section: Option<Category> = None;
    // Entries under a misspelt section are not reported again one by one.
    let mut section_broken = false;
    let mut by_term: HashMap<String, usize> = HashMap::new();
    for (index, raw) in text.lines().enumerate() {
        let line = index + 1;
        let mut error = |message: String| {
            diagnostics.push(Diagnostic {
                path: path.to_string(),
                line,
                message,
            })
        };
        let content = strip_comment(raw).trim();
        if content.is_empty() {
            continue;
        }
        if let Some(name) = content.strip_prefix('[') {
            match name.strip_suffix(']').map(str::trim) {
                Some(name) => match Category::parse(name) {
                    Some(category) => {
                        section = Some(category);
                        section_broken = false;
                    }
                    None => {
                        section = None;
                        section_broken = true;
                        error(unknown_category(name));
                    }
                },
                None => error(format!("section `{content}` lacks its closing `]`")),
            }
            continue;
        }
        let mut fields = content.split('|').map(str::trim);
        let term = fields.next().unwrap_or_default();
        if term.is_empty() {
            error("empty term before `|`".to_string());
            continue;
        }
        let mut category = section;
        let mut severity = None;
        let mut role = None;
        let mut allow = Vec::new();
        let mut boundary = false;
        let mut note = String::new();
        let mut context = ContextRules::default();
        let mut bad = false;
        let words = |v: &str| -> Vec<String> {
            v.split([',', '，'])
                .map(|w| normalize_with(w.trim(), &options).text)
                .filter(|w| !w.is_empty())
                .collect()
        };
        for field in fields {
            if field.is_empty() {
                continue;
            }
            let (key, value) = match field.split_once('=') {
                Some((key, value)) => (key.trim(), Some(value.trim())),
                None => (field, None),
            };
            match (key, value) {
                ("category", Some(v)) => match Category::parse(v) {
                    Some(c) => category = Some(c),
                    None => {
                        error(unknown_category(v));
                        bad = true;
                    }
                },
                ("severity", Some(v)) => match crate::finding::Severity::parse(v) {
                    Some(s) => severity = Some(s),
                    None => {
                        error(format!(
                            "bad severity `{v}`: expected info, low, medium or high"
                        ));
                        bad = true;
                    }
                },
                ("role", Some(v)) => match RoleFilter::parse(v) {
                    Some(r) => role = Some(r),
                    None => {
                        error(format!("bad role `{v}`: expected agent, buyer or any"));
                        bad = true;
                    }
                },
                ("except", Some(v)) => allow.extend(
                    v.split([',', '，'])
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from),
                ),
                ("boundary", None) => boundary = true,
                ("boundary", Some("yes" | "true")) => boundary = true,
                ("boundary", Some("no" | "false")) => boundary = false,
                ("boundary", Some(v)) => {
                    error(format!(
                        "bad boundary `{v}`: write `boundary` or `boundary=no`"
                    ));
                    bad = true;
                }
                ("note", Some(v)) => note = v.to_string(),
                ("not_before", Some(v)) => context.not_before.extend(words(v)),
                ("not_after", Some(v)) => context.not_after.extend(words(v)),
                ("scope_not", Some(v)) => context.scope_not.extend(words(v)),
                ("question", Some("no")) => context.not_in_question = true,
                ("question", Some("yes")) => context.not_in_question = false,
                ("question", Some(v)) => {
                    error(format!(
                        "bad question `{v}`: write `question=no` (drop hits in questions) or `question=yes`"
                    ));
                    bad = true;
                }
                ("clause_final", None | Some("yes" | "true")) => context.clause_final = true,
                ("clause_final", Some("no" | "false")) => context.clause_final = false,
                ("clause_final", Some(v)) => {
                    error(format!(
                        "bad clause_final `{v}`: write `clause_final` or `clause_final=no`"
                    ));
                    bad = true;
                }
                (known, None) if KEYS.contains(&known) => {
                    error(format!("`{known}` needs a value: `{known}=…`"));
                    bad = true;
                }
                (unknown, _) => {
                    let hint = suggestion(unknown, KEYS.iter().copied());
                    error(format!("unknown key `{unknown}`{hint}"));
                    bad = true;
                }
            }
        }
        let Some(category) = category else {
            if !bad && !section_broken {
                error(format!(
                    "`{term}` has no category: put it under a `[category]` line or add `category=…`"
                ));
            }
            continue;
        };
        let (head, gaps) = match parse_gaps(term, &options) {
            Ok(parsed) => parsed,
            Err(message) => {
                error(message);
                continue;
            }
        };
        if !gaps.is_empty() && !allow.is_empty() {
            error("a gap pattern cannot have allow-contexts (`except=`): use `not_before`, `not_after` or `scope_not`".to_string());
            continue;
        }
        let folded_term = normalize_with(head, &options);
        let min_runs: Vec<usize> = (0..folded_term.char_len())
            .map(|i| folded_term.run_len(i))
            .collect();
        let min_runs = if min_runs.iter().any(|&r| r > 1) {
            min_runs
        } else {
            Vec::new()
        };
        let mut normalized = folded_term.text;
        let anchor = (!gaps.is_empty()).then(|| normalized.clone());
        for gap in &gaps {
            normalized.push_str(&format!("~{{{},{}}}{}", gap.min, gap.max, gap.piece));
        }
        if normalized.is_empty() {
            error(format!(
                "term `{term}` is empty once normalised (only separators)"
            ));
            continue;
        }
        let mut allow_folded = Vec::new();
        let mut allow_normalized = Vec::new();
        for context in &allow {
            // Containment is judged on collapsed forms, so `你妈妈的` is a
            // valid context for `你妈的`; the matcher reads the uncollapsed one.
            let context_normalized = normalize_with(context, &options).text;
            if context_normalized.contains(&normalized) {
                allow_normalized.push(context_normalized);
                allow_folded.push(normalize_with(context, &unfolded).text);
            } else {
                error(format!(
                    "allow-context `{context}` does not contain the term `{term}`"
                ));
                bad = true;
            }
        }
        if bad {
            continue;
        }
        let entry = Entry {
            term: term.to_string(),
            normalized,
            category,
            severity: severity.unwrap_or(category.default_severity()),
            role: role.unwrap_or(category.default_role()),
            allow,
            allow_folded,
            allow_normalized,
            boundary,
            min_runs,
            note,
            line,
            anchor,
            gaps,
            context,
        };
        if let Some(&first) = by_term.get(&entry.normalized) {
            diagnostics.push(duplicate(path, &entry, path, &entries[first]));
            continue;
        }
        by_term.insert(entry.normalized.clone(), entries.len());
        entries.push(entry);
    }
    if !diagnostics.is_empty() {
        return Err(LexiconError(diagnostics));
    }
    let name = Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
    Ok(Lexicon {
        name,
        path: path.to_string(),
        entries,
    })
}

/// Split a gap pattern `好评 ~{0,8} 返` (or `好评 … 返`, which means
/// `~{0,8}`) into its first piece and the gaps after it. A term without
/// `~{` or `…` is one piece. Pieces are normalised like the text.
fn parse_gaps<'t>(
    term: &'t str,
    options: &NormalizeOptions,
) -> Result<(&'t str, Vec<Gap>), String> {
    let marker = |s: &str| -> Option<(usize, usize, usize, usize)> {
        // (start, end, min, max) of the first gap marker in `s`.
        let tilde = s.find("~{");
        let ellipsis = s.find('…');
        match (tilde, ellipsis) {
            (Some(t), e) if e.is_none_or(|e| t < e) => {
                let close = s[t..].find('}')? + t;
                let inner = &s[t + 2..close];
                let (lo, hi) = inner.split_once(',')?;
                Some((
                    t,
                    close + 1,
                    lo.trim().parse().ok()?,
                    hi.trim().parse().ok()?,
                ))
            }
            (_, Some(e)) => Some((e, e + '…'.len_utf8(), 0, 8)),
            _ => None,
        }
    };
    let has_marker = term.contains("~{") || term.contains('…');
    if !has_marker {
        return Ok((term, Vec::new()));
    }
    let Some((start, end, min, max)) = marker(term) else {
        return Err(format!(
            "bad gap in `{term}`: write `~{{MIN,MAX}}` (e.g. `好评 ~{{0,8}} 返`) or `…`"
        ));
    };
    let head = term[..start].trim();
    let mut gaps = Vec::new();
    let mut rest = &term[end..];
    let (mut min, mut max) = (min, max);
    loop {
        if min > max || max > 40 {
            return Err(format!(
                "bad gap in `{term}`: need MIN <= MAX <= 40, found {{{min},{max}}}"
            ));
        }
        let (piece, next) = match marker(rest) {
            Some((s, e, lo, hi)) => (&rest[..s], Some((e, lo, hi))),
            None if rest.contains("~{") => {
                return Err(format!(
                    "bad gap in `{term}`: write `~{{MIN,MAX}}` (e.g. `好评 ~{{0,8}} 返`) or `…`"
                ))
            }
            None => (rest, None),
        };
        let piece = normalize_with(piece.trim(), options).text;
        if piece.is_empty() || head.is_empty() {
            return Err(format!(
                "gap pattern `{term}` has an empty piece: a gap needs text on both sides"
            ));
        }
        gaps.push(Gap { min, max, piece });
        match next {
            Some((e, lo, hi)) => {
                rest = &rest[e..];
                (min, max) = (lo, hi);
            }
            None => break,
        }
    }
    Ok((head, gaps))
}

/// Everything after an unescaped ` #` (or a `#` opening the line) is a
/// comment; `#` inside a term (`#微信#`) needs no escaping when it is not
/// preceded by whitespace.
fn strip_comment(line: &str) -> &str {
    if line.trim_start().starts_with('#') {
        return "";
    }
    match line.find(" #").or_else(|| line.find("\t#")) {
        Some(at) => &line[..at],
        None => line,
    }
}

fn unknown_category(name: &str) -> String {
    let hint = suggestion(name, Category::ALL.iter().map(|c| c.as_str()));
    format!("unknown category `{name}`{hint}")
}

/// `; did you mean `x`?` for the closest candidate within a small edit
/// distance, or nothing.
fn suggestion<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> String {
    let best = candidates
        .map(|candidate| (edit_distance(word, candidate), candidate))
        .min();
    match best {
        Some((distance, candidate)) if distance <= 2.max(word.chars().count() / 3) => {
            format!("; did you mean `{candidate}`?")
        }
        _ => String::new(),
    }
}

/// Levenshtein distance over chars.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn messages(path: &str, text: &str) -> Vec<String> {
        match parse(path, text) {
            Ok(_) => Vec::new(),
            Err(LexiconError(d)) => d.iter().map(ToString::to_string).collect(),
        }
    }

    #[test]
    fn parses_sections_keys_and_defaults() {
        let lex = parse(
            "x/abuse.lex",
            "# insults\n[insult]\n傻逼 | note=classic\n滚 | boundary | except=滚筒，打滚 # roll\n\n\
             [dismissive]\n不知道 | severity=medium | role=any\n",
        )
        .expect("valid lexicon");
        assert_eq!(lex.name, "abuse");
        assert_eq!(lex.entries.len(), 3);
        let gun = &lex.entries[1];
        assert_eq!((gun.term.as_str(), gun.line, gun.boundary), ("滚", 4, true));
        assert_eq!(gun.allow, vec!["滚筒", "打滚"]);
        assert_eq!(gun.severity, Severity::High);
        assert_eq!(gun.role, RoleFilter::Any);
        let dunno = &lex.entries[2];
        assert_eq!(dunno.category, Category::Dismissive);
        assert_eq!(
            (dunno.severity, dunno.role),
            (Severity::Medium, RoleFilter::Any)
        );
        assert_eq!(lex.entries[0].note, "classic");
    }

    #[test]
    fn terms_are_normalised_like_text() {
        let lex = parse("t.lex", "[off_platform]\nＶ信\n加 微 信\n[closing]\n谢谢\n").unwrap();
        let normalized: Vec<_> = lex.entries.iter().map(|e| e.normalized.as_str()).collect();
        assert_eq!(normalized, vec!["v信", "加微信", "谢"]);
        assert_eq!(lex.entries[2].min_runs, vec![2]);
        assert!(lex.entries[1].min_runs.is_empty());
        assert_eq!(lex.entries[2].role, RoleFilter::Agent);
    }

    #[test]
    fn reports_every_error_with_path_line_and_hint() {
        let text = "[insullt]\n傻逼\n[insult]\n滚 | catgory=threat\n废物 | severity=fatal\n\
                    垃圾 | role=seller\n傻逼\n傻 @逼\n最 | except=最近,第一\n*** \n";
        assert_eq!(
            messages("abuse.lex", text),
            vec![
                "abuse.lex:1: unknown category `insullt`; did you mean `insult`?",
                "abuse.lex:4: unknown key `catgory`; did you mean `category`?",
                "abuse.lex:5: bad severity `fatal`: expected info, low, medium or high",
                "abuse.lex:6: bad role `seller`: expected agent, buyer or any",
                "abuse.lex:8: duplicate term `傻 @逼`: normalises to `傻逼` like `傻逼` at abuse.lex:7",
                "abuse.lex:9: allow-context `第一` does not contain the term `最`",
                "abuse.lex:10: term `***` is empty once normalised (only separators)",
            ]
        );
        assert_eq!(
            messages("a.lex", "傻逼\n"),
            vec!["a.lex:1: `傻逼` has no category: put it under a `[category]` line or add `category=…`"]
        );
        assert_eq!(
            messages("a.lex", "[insult]\n滚 | flavour=x\n"),
            vec!["a.lex:2: unknown key `flavour`"]
        );
    }

    #[test]
    fn gap_patterns_and_context_fields_parse() {
        let lex = parse(
            "t.lex",
            "[trade_fraud]\n好评 ~{0,8} 返 | scope_not=不支持,防止\n晒图 … 返现\n\
             [absolute_claim]\n第一 | not_before=车队,盒 | not_after=全网 | question=no\n\
             [dismissive]\n也没办法 | clause_final\n",
        )
        .expect("valid lexicon");
        let gap = &lex.entries[0];
        assert_eq!(gap.anchor.as_deref(), Some("好评"));
        assert_eq!(gap.normalized, "好评~{0,8}返");
        assert_eq!(
            gap.gaps,
            vec![Gap {
                min: 0,
                max: 8,
                piece: "返".into()
            }]
        );
        assert_eq!(gap.context.scope_not, vec!["不支持", "防止"]);
        assert_eq!(lex.entries[1].normalized, "晒图~{0,8}返现");
        let first = &lex.entries[2].context;
        assert_eq!(
            (
                first.not_before.clone(),
                first.not_after.clone(),
                first.not_in_question
            ),
            (
                vec!["车队".to_string(), "盒".into()],
                vec!["全网".to_string()],
                true
            )
        );
        assert!(lex.entries[3].context.clause_final);
        assert!(lex.entries[3].gaps.is_empty() && lex.entries[3].anchor.is_none());
    }

    #[test]
    fn bad_gaps_and_context_values_are_located() {
        let text = "[trade_fraud]\n好评 ~{8,0} 返\n好评 ~{0,x} 返\n~{0,3} 返\n好评 ~{0,3}\n\
                    好评 ~{0,3} 返 | except=好评返\n[refusal]\n不行 | question=maybe\n\
                    不能 | clause_final=perhaps\n不可以 | scop_not=如果\n";
        assert_eq!(
            messages("r.lex", text),
            vec![
                "r.lex:2: bad gap in `好评 ~{8,0} 返`: need MIN <= MAX <= 40, found {8,0}",
                "r.lex:3: bad gap in `好评 ~{0,x} 返`: write `~{MIN,MAX}` (e.g. `好评 ~{0,8} 返`) or `…`",
                "r.lex:4: gap pattern `~{0,3} 返` has an empty piece: a gap needs text on both sides",
                "r.lex:5: gap pattern `好评 ~{0,3}` has an empty piece: a gap needs text on both sides",
                "r.lex:6: a gap pattern cannot have allow-contexts (`except=`): use `not_before`, `not_after` or `scope_not`",
                "r.lex:8: bad question `maybe`: write `question=no` (drop hits in questions) or `question=yes`",
                "r.lex:9: bad clause_final `perhaps`: write `clause_final` or `clause_final=no`",
                "r.lex:10: unknown key `scop_not`; did you mean `scope_not`?",
            ]
        );
    }

    #[test]
    fn check_reads_files_and_finds_duplicates_across_them() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.lex");
        let b = dir.path().join("b.lex");
        std::fs::write(&a, "[insult]\n傻逼\n").unwrap();
        std::fs::write(&b, "[threat]\n弄死你\n[insult]\n傻@逼\n").unwrap();
        let missing = dir.path().join("missing.lex");
        let found = check(&[&a, &b, &missing]);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].to_string().contains("missing.lex:0: cannot read"));
        assert_eq!(found[1].line, 4);
        assert!(found[1]
            .message
            .starts_with("duplicate term `傻@逼`: normalises to `傻逼`"));
    }

    #[test]
    fn bundled_lexicons_are_valid_and_disjoint() {
        let lexicons = bundled().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(duplicates_across(&lexicons), Vec::new());
        let total: usize = lexicons.iter().map(|l| l.entries.len()).sum();
        assert!(total > 300, "only {total} entries");
        let paths: Vec<_> = BUNDLED
            .iter()
            .map(|(name, _)| format!("{}/lexicons/{name}.lex", env!("CARGO_MANIFEST_DIR")))
            .collect();
        assert_eq!(check(&paths), Vec::new());
    }

    #[test]
    fn edit_distance_counts_single_char_edits() {
        assert_eq!(edit_distance("catgory", "category"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("滚蛋", "混蛋"), 1);
    }
}
