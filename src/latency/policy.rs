//! The latency policy: every threshold, window and switch the round and
//! metric code uses, read from a versioned TOML file.
//!
//! The platform's numbers change between rule versions (domain.md §0), so
//! none of them is a constant here. A policy file has a `[base]` table with
//! every field and `[preset.NAME]` tables that override some of them; the
//! resolved [`LatencyPolicy`] carries the preset name and the version, and
//! both appear in every output built from it.
//!
//! Parsing is strict: an unknown key, a wrong type or an impossible value is
//! an error located as `path:line:col: message`, with a "did you mean"
//! suggestion for misspelt keys and values.

use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Name the bundled file is reported under in errors.
pub const BUNDLED_PATH: &str = "lexicons/latency_policy.toml";

/// The policy file shipped with the crate.
const BUNDLED_TEXT: &str = include_str!("../../lexicons/latency_policy.toml");

/// A local clock time as seconds since midnight, written `HH:MM`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct ClockTime(pub u32);

impl ClockTime {
    /// Parse `HH:MM` (00:00 to 24:00; 24:00 exists so a window can run to
    /// midnight).
    pub fn parse(text: &str) -> Result<ClockTime, String> {
        let bad = || format!("expected a time as `HH:MM` (00:00 to 24:00), found `{text}`");
        let (hours, minutes) = text.split_once(':').ok_or_else(bad)?;
        if hours.len() != 2 || minutes.len() != 2 {
            return Err(bad());
        }
        let hours: u32 = hours.parse().map_err(|_| bad())?;
        let minutes: u32 = minutes.parse().map_err(|_| bad())?;
        if minutes > 59 || hours > 24 || (hours == 24 && minutes != 0) {
            return Err(bad());
        }
        Ok(ClockTime(hours * 3600 + minutes * 60))
    }
}

impl fmt::Display for ClockTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 3600, self.0 % 3600 / 60)
    }
}

impl From<ClockTime> for String {
    fn from(time: ClockTime) -> String {
        time.to_string()
    }
}

impl<'de> Deserialize<'de> for ClockTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ClockTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        ClockTime::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Which time decides whether a round lies inside the business window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WindowBasis {
    /// The round's first buyer message (Taobao).
    RoundOpen,
    /// The session's first message (JD: "judged by session start").
    SessionStart,
}

/// How an unreplied round enters 平响.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnrepliedTreatment {
    /// Counts as `cap_secs` (diantuoyi 2022, "Dur4").
    Cap,
    /// Left out of 平响 (musicheng 2022); still counts against the 3-minute rate.
    Exclude,
}

/// What to do with a round answered on a later local day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CrossDay {
    /// Left out of every rate (the platform default).
    Exclude,
    /// Counted like any replied round.
    Include,
}

/// Words of a policy list, with one Aho-Corasick automaton built on first
/// use: every agent message is searched for them, and one pass beats a
/// substring search per word.
#[derive(Debug, Clone, Default)]
pub struct WordList {
    words: Vec<String>,
    matcher: std::sync::OnceLock<Option<aho_corasick::AhoCorasick>>,
}

impl WordList {
    /// A list of words.
    pub fn new(words: Vec<String>) -> Self {
        WordList {
            words,
            matcher: std::sync::OnceLock::new(),
        }
    }

    /// The words.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The earliest word in `text` (the shortest at that position): its
    /// byte range.
    pub fn first_in(&self, text: &str) -> Option<(usize, usize)> {
        let matcher = self
            .matcher
            .get_or_init(|| aho_corasick::AhoCorasick::new(&self.words).ok())
            .as_ref()?;
        matcher
            .find_overlapping_iter(text)
            .map(|m| (m.start(), m.end()))
            .min()
    }
}

impl PartialEq for WordList {
    fn eq(&self, other: &Self) -> bool {
        self.words == other.words
    }
}

impl Serialize for WordList {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.words.serialize(serializer)
    }
}

/// A resolved latency policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LatencyPolicy {
    /// Preset name (`taobao_2025`, …); appears in every output.
    pub name: String,
    /// Policy version; appears in every output.
    pub version: String,
    /// What the preset stands for and where its numbers come from.
    pub description: String,
    /// Business window start (inclusive), local time.
    pub window_start: ClockTime,
    /// Business window end (exclusive), local time.
    pub window_end: ClockTime,
    /// Which time is tested against the window.
    pub window_basis: WindowBasis,
    /// Cap applied to each round in 平响.
    pub cap_secs: i64,
    /// A reply within this many seconds (inclusive) counts for the 3-minute rate.
    pub three_min_secs: i64,
    /// A wait of at least this many seconds is a slow-response warning.
    pub slow_warn_secs: i64,
    /// How unreplied rounds enter 平响.
    pub unreplied: UnrepliedTreatment,
    /// What to do with rounds answered on a later day.
    pub cross_day: CrossDay,
    /// A reply in the same second as the buyer message is automatic.
    pub zero_second_is_auto: bool,
    /// Prefixes that mark a shop message as an automatic reply.
    pub auto_reply_markers: Vec<String>,
    /// Apology words looked for after a long wait (LAT004).
    pub apology_words: WordList,
    /// How many of the agent's messages, starting at the reply, LAT004 reads.
    pub apology_lookahead: usize,
    /// "Please wait" phrases that promise a return (LAT005).
    pub follow_up_words: WordList,
    /// How long an agent may stay away after such a phrase (LAT005).
    pub follow_up_secs: i64,
    /// Fewer counted rounds than this: "not assessed".
    pub min_rounds_assessed: u64,
}

/// A policy file error, located in the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}:{line}:{column}: {message}")]
pub struct PolicyError {
    /// File the error is in.
    pub path: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in chars.
    pub column: usize,
    /// What is wrong, with a suggestion when one is close.
    pub message: String,
}

/// Every field, optional so a preset can override a subset of `[base]`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFields {
    version: Option<String>,
    description: Option<String>,
    window_start: Option<ClockTime>,
    window_end: Option<ClockTime>,
    window_basis: Option<WindowBasis>,
    cap_secs: Option<i64>,
    three_min_secs: Option<i64>,
    slow_warn_secs: Option<i64>,
    unreplied: Option<UnrepliedTreatment>,
    cross_day: Option<CrossDay>,
    zero_second_is_auto: Option<bool>,
    auto_reply_markers: Option<Vec<String>>,
    apology_words: Option<Vec<String>>,
    apology_lookahead: Option<usize>,
    follow_up_words: Option<Vec<String>>,
    follow_up_secs: Option<i64>,
    min_rounds_assessed: Option<u64>,
}

/// Every value a preset, or a configuration's `[latency]` table, may set.
pub const FIELDS: [&str; 17] = [
    "version",
    "description",
    "window_start",
    "window_end",
    "window_basis",
    "cap_secs",
    "three_min_secs",
    "slow_warn_secs",
    "unreplied",
    "cross_day",
    "zero_second_is_auto",
    "auto_reply_markers",
    "apology_words",
    "apology_lookahead",
    "follow_up_words",
    "follow_up_secs",
    "min_rounds_assessed",
];

impl PolicyFields {
    /// Every field of a resolved policy.
    fn of(policy: &LatencyPolicy) -> PolicyFields {
        PolicyFields {
            version: Some(policy.version.clone()),
            description: Some(policy.description.clone()),
            window_start: Some(policy.window_start),
            window_end: Some(policy.window_end),
            window_basis: Some(policy.window_basis),
            cap_secs: Some(policy.cap_secs),
            three_min_secs: Some(policy.three_min_secs),
            slow_warn_secs: Some(policy.slow_warn_secs),
            unreplied: Some(policy.unreplied),
            cross_day: Some(policy.cross_day),
            zero_second_is_auto: Some(policy.zero_second_is_auto),
            auto_reply_markers: Some(policy.auto_reply_markers.clone()),
            apology_words: Some(policy.apology_words.words().to_vec()),
            apology_lookahead: Some(policy.apology_lookahead),
            follow_up_words: Some(policy.follow_up_words.words().to_vec()),
            follow_up_secs: Some(policy.follow_up_secs),
            min_rounds_assessed: Some(policy.min_rounds_assessed),
        }
    }

    /// `self` with every field `over` sets replaced.
    fn overlaid(&self, over: &PolicyFields) -> PolicyFields {
        macro_rules! pick {
            ($($field:ident),*) => {
                PolicyFields { $($field: over.$field.clone().or_else(|| self.$field.clone())),* }
            };
        }
        pick!(
            version,
            description,
            window_start,
            window_end,
            window_basis,
            cap_secs,
            three_min_secs,
            slow_warn_secs,
            unreplied,
            cross_day,
            zero_second_is_auto,
            auto_reply_markers,
            apology_words,
            apology_lookahead,
            follow_up_words,
            follow_up_secs,
            min_rounds_assessed
        )
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    schema: u32,
    default: toml::Spanned<String>,
    base: toml::Spanned<PolicyFields>,
    preset: BTreeMap<String, toml::Spanned<PolicyFields>>,
}

/// The only schema this code reads.
const SCHEMA: u32 = 1;

/// A parsed policy file: the presets it offers and the default one.
#[derive(Debug, Clone)]
pub struct PolicySet {
    default: LatencyPolicy,
    presets: BTreeMap<String, LatencyPolicy>,
}

impl PolicySet {
    /// Parse and validate a policy file; every preset is resolved now, so a
    /// bad value is reported even in a preset nobody selects.
    pub fn parse(path: &str, text: &str) -> Result<PolicySet, PolicyError> {
        let file: PolicyFile = toml::from_str(text).map_err(|err| {
            let offset = err.span().map_or(0, |span| span.start);
            located(path, text, offset, with_suggestion(err.message()))
        })?;
        if file.schema != SCHEMA {
            return Err(located(
                path,
                text,
                0,
                format!(
                    "schema {} is not supported (expected {SCHEMA})",
                    file.schema
                ),
            ));
        }
        let mut presets = BTreeMap::new();
        for (name, fields) in &file.preset {
            let merged = file.base.get_ref().overlaid(fields.get_ref());
            let policy = resolve(name, merged)
                .map_err(|message| located(path, text, fields.span().start, message))?;
            presets.insert(name.clone(), policy);
        }
        let default = match presets.get(file.default.get_ref()) {
            Some(policy) => policy.clone(),
            None => {
                let message = unknown_preset_message(file.default.get_ref(), presets.keys());
                return Err(located(path, text, file.default.span().start, message));
            }
        };
        Ok(PolicySet { default, presets })
    }

    /// The preset the file names as `default`.
    pub fn default_policy(&self) -> &LatencyPolicy {
        &self.default
    }

    /// A preset by name; the error suggests the nearest name.
    pub fn preset(&self, name: &str) -> Result<&LatencyPolicy, String> {
        self.presets
            .get(name)
            .ok_or_else(|| unknown_preset_message(name, self.presets.keys()))
    }

    /// Preset names, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.presets.keys().map(String::as_str)
    }
}

impl LatencyPolicy {
    /// The default preset of the bundled `lexicons/latency_policy.toml`.
    pub fn bundled() -> LatencyPolicy {
        bundled_set().default_policy().clone()
    }

    /// A preset of the bundled file by name (`taobao_2025`, `taobao_2023`, `jd`).
    pub fn bundled_preset(name: &str) -> Result<LatencyPolicy, String> {
        bundled_set().preset(name).cloned()
    }

    /// This policy with some values replaced (a configuration's
    /// `[latency]` table). The version gains `+custom`, so that figures
    /// computed under changed values never pass for the preset's.
    ///
    /// # Errors
    /// `(key, message)`: an unknown key (with a suggestion), a value of the
    /// wrong type, or values that do not fit together (key `""`).
    pub fn with_overrides<'a>(
        &self,
        overrides: impl IntoIterator<Item = (&'a str, &'a toml::Value)>,
    ) -> Result<LatencyPolicy, (String, String)> {
        let mut fields = PolicyFields::of(self);
        let mut changed = false;
        for (key, value) in overrides {
            if !FIELDS.contains(&key) {
                let mut message = format!("unknown latency value `{key}`");
                if let Some(best) = nearest(key, FIELDS.iter().copied()) {
                    message.push_str(&format!("; did you mean `{best}`?"));
                }
                return Err((key.to_string(), message));
            }
            let mut one = toml::Table::new();
            one.insert(key.to_string(), value.clone());
            let over = PolicyFields::deserialize(toml::Value::Table(one)).map_err(|e| {
                let message = e.to_string();
                let first = message.lines().next().unwrap_or_default();
                (
                    key.to_string(),
                    format!("{key}: {}", with_suggestion(first)),
                )
            })?;
            fields = fields.overlaid(&over);
            changed = true;
        }
        if !changed {
            return Ok(self.clone());
        }
        let mut policy = resolve(&self.name, fields).map_err(|m| (String::new(), m))?;
        if !policy.version.ends_with("+custom") {
            policy.version.push_str("+custom");
        }
        Ok(policy)
    }

    /// `name@version`, the tag written next to every metric.
    pub fn tag(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }

    /// True when `seconds_of_day` lies in `[window_start, window_end)`.
    pub fn in_window(&self, seconds_of_day: u32) -> bool {
        self.window_start.0 <= seconds_of_day && seconds_of_day < self.window_end.0
    }
}

/// The bundled file, parsed once. A test proves it parses, so a failure
/// here is a build defect, not an input error.
fn bundled_set() -> &'static PolicySet {
    static SET: std::sync::OnceLock<PolicySet> = std::sync::OnceLock::new();
    SET.get_or_init(|| {
        PolicySet::parse(BUNDLED_PATH, BUNDLED_TEXT).expect("bundled latency policy is valid")
    })
}

/// Turn merged fields into a policy, naming the first missing or invalid one.
fn resolve(name: &str, fields: PolicyFields) -> Result<LatencyPolicy, String> {
    fn need<T>(preset: &str, field: &str, value: Option<T>) -> Result<T, String> {
        value.ok_or_else(|| {
            format!("preset `{preset}`: missing field `{field}` (set it in [base] or [preset.{preset}])")
        })
    }
    let policy = LatencyPolicy {
        name: name.to_string(),
        version: need(name, "version", fields.version)?,
        description: fields.description.unwrap_or_default(),
        window_start: need(name, "window_start", fields.window_start)?,
        window_end: need(name, "window_end", fields.window_end)?,
        window_basis: need(name, "window_basis", fields.window_basis)?,
        cap_secs: need(name, "cap_secs", fields.cap_secs)?,
        three_min_secs: need(name, "three_min_secs", fields.three_min_secs)?,
        slow_warn_secs: need(name, "slow_warn_secs", fields.slow_warn_secs)?,
        unreplied: need(name, "unreplied", fields.unreplied)?,
        cross_day: need(name, "cross_day", fields.cross_day)?,
        zero_second_is_auto: need(name, "zero_second_is_auto", fields.zero_second_is_auto)?,
        auto_reply_markers: need(name, "auto_reply_markers", fields.auto_reply_markers)?,
        apology_words: WordList::new(need(name, "apology_words", fields.apology_words)?),
        apology_lookahead: need(name, "apology_lookahead", fields.apology_lookahead)?,
        follow_up_words: WordList::new(need(name, "follow_up_words", fields.follow_up_words)?),
        follow_up_secs: need(name, "follow_up_secs", fields.follow_up_secs)?,
        min_rounds_assessed: need(name, "min_rounds_assessed", fields.min_rounds_assessed)?,
    };
    let fail = |what: String| Err(format!("preset `{name}`: {what}"));
    if policy.window_start >= policy.window_end {
        return fail(format!(
            "window_start {} must be before window_end {}",
            policy.window_start, policy.window_end
        ));
    }
    if policy.cap_secs <= 0 || policy.follow_up_secs <= 0 {
        return fail("cap_secs and follow_up_secs must be positive".to_string());
    }
    if !(0 < policy.slow_warn_secs
        && policy.slow_warn_secs <= policy.three_min_secs
        && policy.three_min_secs <= policy.cap_secs)
    {
        return fail(format!(
            "thresholds must satisfy 0 < slow_warn_secs ({}) <= three_min_secs ({}) <= cap_secs ({})",
            policy.slow_warn_secs, policy.three_min_secs, policy.cap_secs
        ));
    }
    if policy.apology_lookahead == 0 {
        return fail("apology_lookahead must be at least 1".to_string());
    }
    let lists = [
        ("auto_reply_markers", &policy.auto_reply_markers[..]),
        ("apology_words", policy.apology_words.words()),
        ("follow_up_words", policy.follow_up_words.words()),
    ];
    for (field, list) in lists {
        if list.iter().any(|word| word.trim().is_empty()) {
            return fail(format!("{field} holds an empty word"));
        }
    }
    Ok(policy)
}

fn unknown_preset_message<'a>(name: &str, known: impl Iterator<Item = &'a String>) -> String {
    let known: Vec<&str> = known.map(String::as_str).collect();
    let mut message = format!("unknown latency preset `{name}`");
    if let Some(best) = nearest(name, known.iter().copied()) {
        message.push_str(&format!("; did you mean `{best}`?"));
    }
    message.push_str(&format!(" (known: {})", known.join(", ")));
    message
}

/// Add "did you mean" to serde's `unknown field`/`unknown variant` messages,
/// whose first backquoted word is the bad one and the rest the candidates.
fn with_suggestion(message: &str) -> String {
    let message = message.trim_end();
    if !message.starts_with("unknown field") && !message.starts_with("unknown variant") {
        return message.to_string();
    }
    let quoted: Vec<&str> = message.split('`').skip(1).step_by(2).collect();
    match quoted.split_first() {
        Some((bad, candidates)) => match nearest(bad, candidates.iter().copied()) {
            Some(best) => format!("{message}; did you mean `{best}`?"),
            None => message.to_string(),
        },
        None => message.to_string(),
    }
}

/// The candidate closest to `word`, if close enough to be a plausible
/// typo ([`crate::diag::did_you_mean`]).
fn nearest<'a>(word: &str, candidates: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    crate::diag::did_you_mean(word, candidates)
}

fn located(path: &str, text: &str, offset: usize, message: String) -> PolicyError {
    let offset = offset.min(text.len());
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    PolicyError {
        path: path.to_string(),
        line,
        column,
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_presets_differ_only_where_the_sources_do() {
        let set = PolicySet::parse(BUNDLED_PATH, BUNDLED_TEXT).unwrap();
        assert_eq!(
            set.names().collect::<Vec<_>>(),
            ["jd", "taobao_2023", "taobao_2025"]
        );
        let default = LatencyPolicy::bundled();
        assert_eq!(default.name, "taobao_2025");
        assert_eq!(default.tag(), "taobao_2025@2026.11.1");
        assert_eq!(
            (default.window_start.0, default.window_end.0),
            (8 * 3600, 23 * 3600)
        );
        assert_eq!(
            (
                default.cap_secs,
                default.three_min_secs,
                default.slow_warn_secs
            ),
            (600, 180, 100)
        );
        assert_eq!(default.unreplied, UnrepliedTreatment::Cap);
        assert_eq!(default.cross_day, CrossDay::Exclude);
        assert!(default.apology_words.words().iter().any(|w| w == "久等"));
        let jd = LatencyPolicy::bundled_preset("jd").unwrap();
        assert_eq!(jd.window_start.to_string(), "09:00");
        assert_eq!(jd.window_basis, WindowBasis::SessionStart);
        assert_eq!(jd.apology_words, default.apology_words);
        let t2023 = LatencyPolicy::bundled_preset("taobao_2023").unwrap();
        assert_eq!(
            (t2023.window_start.0, t2023.window_basis),
            (9 * 3600, WindowBasis::RoundOpen)
        );
    }

    #[test]
    fn window_edges_are_start_inclusive_end_exclusive() {
        let policy = LatencyPolicy::bundled();
        let at = |h: u32, m: u32, s: u32| h * 3600 + m * 60 + s;
        assert!(!policy.in_window(at(7, 59, 59)));
        assert!(policy.in_window(at(8, 0, 0)));
        assert!(policy.in_window(at(22, 59, 59)));
        assert!(!policy.in_window(at(23, 0, 0)));
    }

    #[test]
    fn unknown_preset_suggests_the_nearest() {
        let err = LatencyPolicy::bundled_preset("taobao_2024").unwrap_err();
        assert!(
            err.contains("did you mean `taobao_2023`?")
                || err.contains("did you mean `taobao_2025`?"),
            "{err}"
        );
        let err = LatencyPolicy::bundled_preset("jdd").unwrap_err();
        assert!(err.contains("did you mean `jd`?"), "{err}");
    }

    #[test]
    fn misspelt_key_is_located_with_a_suggestion() {
        let text = BUNDLED_TEXT.replacen("cap_secs = 600", "cap_sec = 600", 1);
        let line = text
            .lines()
            .position(|l| l.starts_with("cap_sec ="))
            .unwrap()
            + 1;
        let err = PolicySet::parse("p.toml", &text).unwrap_err();
        assert_eq!(
            (err.path.as_str(), err.line, err.column),
            ("p.toml", line, 1)
        );
        assert!(err.message.contains("did you mean `cap_secs`?"), "{err}");
        assert!(err
            .to_string()
            .starts_with(&format!("p.toml:{line}:1: unknown field `cap_sec`")));
    }

    #[test]
    fn misspelt_variant_and_bad_clock_are_located() {
        let text = BUNDLED_TEXT.replacen("unreplied = \"cap\"", "unreplied = \"capp\"", 1);
        let err = PolicySet::parse("p.toml", &text).unwrap_err();
        assert!(err.message.contains("did you mean `cap`?"), "{err}");
        let line = text
            .lines()
            .position(|l| l.starts_with("unreplied ="))
            .unwrap()
            + 1;
        assert_eq!(err.line, line);

        let text = BUNDLED_TEXT.replacen("window_start = \"09:00\"", "window_start = \"9:00\"", 1);
        let err = PolicySet::parse("p.toml", &text).unwrap_err();
        assert!(err.message.contains("`HH:MM`"), "{err}");
        let line = text
            .lines()
            .position(|l| l.starts_with("window_start = \"9:00\""))
            .unwrap()
            + 1;
        assert_eq!(err.line, line);
    }

    #[test]
    fn impossible_values_are_rejected_per_preset() {
        let text = BUNDLED_TEXT.replacen(
            "window_end = \"23:00\"\nwindow_basis = \"session_start\"",
            "window_end = \"08:00\"\nwindow_basis = \"session_start\"",
            1,
        );
        let err = PolicySet::parse("p.toml", &text).unwrap_err();
        assert!(
            err.message
                .contains("preset `jd`: window_start 09:00 must be before window_end 08:00"),
            "{err}"
        );
        assert_eq!(
            err.line,
            text.lines().position(|l| l == "[preset.jd]").unwrap() + 1
        );

        let text = BUNDLED_TEXT.replacen("three_min_secs = 180", "three_min_secs = 60", 1);
        let err = PolicySet::parse("p.toml", &text).unwrap_err();
        assert!(
            err.message
                .contains("slow_warn_secs (100) <= three_min_secs (60)"),
            "{err}"
        );

        let text = BUNDLED_TEXT.replacen("default = \"taobao_2025\"", "default = \"taobao\"", 1);
        let err = PolicySet::parse("p.toml", &text).unwrap_err();
        assert!(
            err.message.starts_with("unknown latency preset `taobao`"),
            "{err}"
        );
    }

    #[test]
    fn clock_times_parse_strictly() {
        assert_eq!(ClockTime::parse("24:00"), Ok(ClockTime(86_400)));
        assert_eq!(ClockTime::parse("08:30"), Ok(ClockTime(30_600)));
        for bad in ["8:00", "24:01", "12:60", "1200", "ab:cd", ""] {
            assert!(ClockTime::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(crate::diag::edit_distance("cap_sec", "cap_secs"), 1);
        assert_eq!(crate::diag::edit_distance("稍等", "稍后"), 1);
    }
}
