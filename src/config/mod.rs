//! The user's configuration: `wwqa.toml`, found in the working directory or
//! its parents (like `ruff.toml`), or named with `--config FILE`.
//!
//! Every table is optional; what a file does not set keeps the bundled
//! default (the files in `lexicons/`, embedded in the binary). The format
//! is documented in `docs/config.md`; in short:
//!
//! ```toml
//! [latency]                 # preset, then any policy value
//! preset = "jd"
//! three_min_secs = 180
//!
//! [lexicons]
//! extend = ["shop.lex"]     # entries added to the bundled lexicons
//! replace = ["greet.lex"]   # each section these hold replaces the bundled one
//! allow = ["第一分仓"]       # no lexicon term fires inside these
//!
//! [rules]
//! select = ["SCR", "LAT"]   # codes or prefixes (default: every rule)
//! extend-select = ["USR"]
//! ignore = ["SCR003"]
//! [rules.severity]
//! SCR003 = "medium"
//! [rules.options.direct_refusal]      # any table of lexicons/rules.toml
//! alternatives = ["可以", "建议"]
//! [[rules.custom]]                    # a phrase rule of the shop's own
//! code = "USR001"
//! name = "competitor-shop-named"
//! terms = ["某某旗舰店"]
//! fires = ["客服: 某某旗舰店的东西不行"]
//! quiet = ["客服: 我们店的东西都是正品"]
//!
//! [roles]                   # lexicons/roles.toml, replaced or extended
//! shop_nicks = ["某某旗舰店"]
//! [stage]
//! cues = "stage_cues.tsv"
//! [report]
//! redact = true
//! key_env = "SHOP_REDACT_KEY"
//! ```
//!
//! Loading is strict: an unknown key, a value of the wrong type, a broken
//! lexicon line, an unknown rule code or a custom rule whose examples do
//! not behave is an error located as `path:line:col: message`, with a
//! "did you mean" where a name is close, before any input is read.

pub mod custom;
pub mod examples;
pub mod record;
pub mod show;

use crate::diag::{did_you_mean, line_col};
use crate::finding::Severity;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use toml::Spanned;

pub use custom::{CustomRule, CustomRules};

/// The file name looked for in the working directory and its parents.
pub const FILE_NAME: &str = "wwqa.toml";

/// Codes of user-defined rules start with this prefix (`USR001`); no
/// built-in rule ever will.
pub const CUSTOM_PREFIX: &str = "USR";

/// A configuration problem, located in the file that holds it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ConfigError {
    /// The file (as given or found).
    pub path: String,
    /// 1-based line (0 when the file as a whole is concerned).
    pub line: usize,
    /// 1-based column in chars (0 with line 0).
    pub column: usize,
    /// What is wrong, with a suggestion when one is close.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path, self.line, self.column, self.message
            )
        }
    }
}

impl ConfigError {
    /// An error about a whole file.
    pub fn file(path: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            path: path.to_string(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }

    /// An error at byte `offset` of `text`.
    pub fn at(path: &str, text: &str, offset: usize, message: impl Into<String>) -> ConfigError {
        let (line, column) = line_col(text, offset);
        ConfigError {
            path: path.to_string(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Turn an already rendered `path:line[:col]: message` (the lexicon,
    /// policy and options loaders' format) back into an error.
    pub fn parse_rendered(rendered: &str, fallback_path: &str) -> ConfigError {
        let mut parts = rendered.splitn(4, ':');
        let path = parts.next().unwrap_or_default();
        let line = parts.next().and_then(|l| l.trim().parse::<usize>().ok());
        let column = parts.next().and_then(|c| c.trim().parse::<usize>().ok());
        match (line, column) {
            (Some(line), Some(column)) => ConfigError {
                path: path.to_string(),
                line,
                column,
                message: parts.next().unwrap_or_default().trim().to_string(),
            },
            (Some(line), None) => {
                // `path:line: message`: the third part was the message.
                let message = rendered
                    .splitn(3, ':')
                    .nth(2)
                    .unwrap_or_default()
                    .trim()
                    .to_string();
                ConfigError {
                    path: path.to_string(),
                    line,
                    column: 1,
                    message,
                }
            }
            _ => ConfigError::file(fallback_path, rendered),
        }
    }
}

/// Where a value of the effective configuration came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Origin {
    /// The bundled defaults in `lexicons/`.
    Bundled,
    /// A configuration file, at a line.
    File {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
    },
    /// A command-line flag.
    Flag(&'static str),
    /// A bundled latency preset the configuration chose.
    Preset(String),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Bundled => f.write_str("bundled"),
            Origin::File { path, line: 0 } => f.write_str(path),
            Origin::File { path, line } => write!(f, "{path}:{line}"),
            Origin::Flag(flag) => write!(f, "flag {flag}"),
            Origin::Preset(name) => write!(f, "bundled preset {name}"),
        }
    }
}

/// A value as written in the file, with where it stands.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// The value.
    pub value: T,
    /// Byte range in the file.
    pub span: std::ops::Range<usize>,
}

impl<T> From<Spanned<T>> for Located<T> {
    fn from(s: Spanned<T>) -> Located<T> {
        let span = s.span();
        Located {
            value: s.into_inner(),
            span,
        }
    }
}

/// `[lexicons]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconsFile {
    #[serde(default)]
    extend: Vec<Spanned<String>>,
    #[serde(default)]
    replace: Vec<Spanned<String>>,
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    abuse_terms: Vec<Spanned<String>>,
}

/// `[rules]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RulesFile {
    select: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    extend_select: Vec<Spanned<String>>,
    #[serde(default)]
    ignore: Vec<Spanned<String>>,
    #[serde(default)]
    severity: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    options: BTreeMap<String, Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    #[serde(default)]
    custom: Vec<Spanned<custom::CustomRuleFile>>,
}

/// `[roles]` as written: a file replacing the bundled roles, and lists
/// extending it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RolesFile {
    file: Option<Spanned<String>>,
    #[serde(default)]
    shop_nicks: Vec<String>,
    #[serde(default)]
    robot_nicks: Vec<String>,
    #[serde(default)]
    auto_reply_markers: Vec<String>,
    #[serde(default)]
    assist_markers: Vec<String>,
    #[serde(default)]
    agent_nick_keywords: Vec<String>,
}

/// `[stage]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StageFile {
    cues: Option<Spanned<String>>,
    model: Option<Spanned<String>>,
}

/// `[report]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ReportFile {
    redact: Option<bool>,
    key_env: Option<Spanned<String>>,
}

/// The whole file as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile {
    /// `[latency]`: `preset` and policy values, checked when the policy
    /// is resolved.
    #[serde(default)]
    latency: BTreeMap<String, Spanned<toml::Value>>,
    #[serde(default)]
    lexicons: LexiconsFile,
    #[serde(default)]
    rules: RulesFile,
    #[serde(default)]
    roles: RolesFile,
    #[serde(default)]
    stage: StageFile,
    #[serde(default)]
    report: ReportFile,
}

/// A lexicon file named by the configuration, read.
#[derive(Debug, Clone)]
pub struct LexiconFile {
    /// Path as shown in errors (relative to the working directory when
    /// the configuration named it relative to itself).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// The configuration: what the file said, resolved against its directory,
/// plus the flags that override it. Building the engine from it
/// ([`crate::analyze::Analyzers::from_config`]) validates the rest.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// The file it came from (`None`: bundled defaults only).
    pub path: Option<PathBuf>,
    /// The file's text (for locating errors found later).
    pub text: String,
    /// `[latency] preset`.
    pub latency_preset: Option<Located<String>>,
    /// `[latency]` policy values, by key.
    pub latency_overrides: BTreeMap<String, Located<toml::Value>>,
    /// `[lexicons] extend`: files whose entries are added.
    pub lexicon_extend: Vec<(Located<String>, LexiconFile)>,
    /// `[lexicons] replace`: files whose sections replace the bundled ones.
    pub lexicon_replace: Vec<(Located<String>, LexiconFile)>,
    /// `[lexicons] allow`: no term fires inside these.
    pub allow: Vec<Located<String>>,
    /// `[lexicons] abuse_terms`: files of insult and threat terms added
    /// to `lexicons/abuse_terms.txt`.
    pub abuse_extend: Vec<(Located<String>, LexiconFile)>,
    /// `[rules] select` (`None`: every rule).
    pub select: Option<Vec<Located<String>>>,
    /// `[rules] extend-select`.
    pub extend_select: Vec<Located<String>>,
    /// `[rules] ignore`.
    pub ignore: Vec<Located<String>>,
    /// `[rules.severity]`: code → severity.
    pub severity: Vec<(String, Located<String>)>,
    /// `[rules.options.TABLE]`: table → (key → value).
    pub rule_options: Vec<(Located<String>, OptionValues)>,
    /// `[[rules.custom]]`.
    pub custom: Vec<Located<custom::CustomRuleFile>>,
    /// `[roles] file`, read.
    pub roles_file: Option<(Located<String>, LexiconFile)>,
    /// `[roles]` lists that extend the roles.
    pub roles_extend: RolesExtend,
    /// `[stage] cues`, read.
    pub stage_cues: Option<(Located<String>, LexiconFile)>,
    /// `[stage] model`, read.
    pub stage_model: Option<(Located<String>, LexiconFile)>,
    /// `[report] redact`.
    pub redact: Option<bool>,
    /// `[report] key_env`.
    pub key_env: Option<Located<String>>,
    /// `--select` given on the command line (replaces `[rules] select`).
    pub flag_select: Option<Vec<String>>,
    /// `--ignore` given on the command line (adds to `[rules] ignore`).
    pub flag_ignore: Vec<String>,
}

/// The values a configuration sets in one `[rules.options.TABLE]`, by key.
pub type OptionValues = Vec<(String, Located<toml::Value>)>;

/// Lists of `[roles]` that are added to the roles in force.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RolesExtend {
    /// Shop main-account nicks.
    pub shop_nicks: Vec<String>,
    /// Robot nicks.
    pub robot_nicks: Vec<String>,
    /// Auto-reply markers.
    pub auto_reply_markers: Vec<String>,
    /// Assist-mode markers.
    pub assist_markers: Vec<String>,
    /// Agent nick keywords.
    pub agent_nick_keywords: Vec<String>,
}

impl RolesExtend {
    /// True when `[roles]` adds nothing.
    pub fn is_empty(&self) -> bool {
        *self == RolesExtend::default()
    }
}

impl Config {
    /// The bundled defaults alone (`--no-config`).
    pub fn bundled() -> Config {
        Config::default()
    }

    /// `wwqa.toml` in `dir` or the nearest parent that has one; relative
    /// to `dir` when it is in `dir` itself, so that errors read
    /// `wwqa.toml:3:1` as the user would type it.
    pub fn discover(dir: &Path) -> Option<PathBuf> {
        let found = dir
            .ancestors()
            .map(|d| d.join(FILE_NAME))
            .find(|candidate| candidate.is_file())?;
        Some(match found.strip_prefix(dir) {
            Ok(relative) => relative.to_path_buf(),
            Err(_) => found,
        })
    }

    /// Read and parse a configuration file. Files it names are read now,
    /// relative to the file's directory.
    ///
    /// # Errors
    /// An unreadable file, bad TOML, an unknown key or a wrong type.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::file(&shown, format!("cannot read: {e}")))?;
        let base = path.parent().unwrap_or(Path::new(""));
        Config::parse(&shown, &text, base)
    }

    /// Parse configuration text; `base` is the directory relative paths in
    /// it are read from.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(path: &str, text: &str, base: &Path) -> Result<Config, ConfigError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| {
            ConfigError::parse_rendered(&crate::diag::toml_error(path, text, &e), path)
        })?;
        let read = |name: &Spanned<String>| -> Result<(Located<String>, LexiconFile), ConfigError> {
            let joined = base.join(name.get_ref());
            let shown = joined.display().to_string();
            let text = std::fs::read_to_string(&joined).map_err(|e| {
                ConfigError::at(
                    path,
                    text,
                    name.span().start,
                    format!("cannot read `{shown}`: {e}"),
                )
            })?;
            Ok((name.clone().into(), LexiconFile { path: shown, text }))
        };
        let lexicons = &file.lexicons;
        let roles = &file.roles;
        Ok(Config {
            path: Some(PathBuf::from(path)),
            text: text.to_string(),
            latency_preset: match file.latency.get("preset") {
                Some(v) => match v.get_ref().as_str() {
                    Some(name) => Some(Located {
                        value: name.to_string(),
                        span: v.span(),
                    }),
                    None => {
                        return Err(ConfigError::at(
                            path,
                            text,
                            v.span().start,
                            "`preset` must be a string: taobao_2025, taobao_2023 or jd",
                        ))
                    }
                },
                None => None,
            },
            latency_overrides: file
                .latency
                .iter()
                .filter(|(k, _)| k.as_str() != "preset")
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect(),
            lexicon_extend: lexicons.extend.iter().map(read).collect::<Result<_, _>>()?,
            lexicon_replace: lexicons
                .replace
                .iter()
                .map(read)
                .collect::<Result<_, _>>()?,
            allow: lexicons.allow.iter().cloned().map(Into::into).collect(),
            abuse_extend: lexicons
                .abuse_terms
                .iter()
                .map(read)
                .collect::<Result<_, _>>()?,
            select: file
                .rules
                .select
                .clone()
                .map(|s| s.into_iter().map(Into::into).collect()),
            extend_select: file
                .rules
                .extend_select
                .iter()
                .cloned()
                .map(Into::into)
                .collect(),
            ignore: file.rules.ignore.iter().cloned().map(Into::into).collect(),
            severity: file
                .rules
                .severity
                .iter()
                .map(|(k, v)| (k.clone(), v.clone().into()))
                .collect(),
            rule_options: file
                .rules
                .options
                .iter()
                .map(|(table, keys)| {
                    let located = Located {
                        value: table.clone(),
                        span: keys.span(),
                    };
                    let keys = keys
                        .get_ref()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone().into()))
                        .collect();
                    (located, keys)
                })
                .collect(),
            custom: file.rules.custom.iter().cloned().map(Into::into).collect(),
            roles_file: roles.file.as_ref().map(read).transpose()?,
            roles_extend: RolesExtend {
                shop_nicks: roles.shop_nicks.clone(),
                robot_nicks: roles.robot_nicks.clone(),
                auto_reply_markers: roles.auto_reply_markers.clone(),
                assist_markers: roles.assist_markers.clone(),
                agent_nick_keywords: roles.agent_nick_keywords.clone(),
            },
            stage_cues: file.stage.cues.as_ref().map(read).transpose()?,
            stage_model: file.stage.model.as_ref().map(read).transpose()?,
            redact: file.report.redact,
            key_env: file.report.key_env.clone().map(Into::into),
            flag_select: None,
            flag_ignore: Vec::new(),
        })
    }

    /// The path shown in errors located in the configuration file.
    pub fn shown_path(&self) -> String {
        self.path
            .as_ref()
            .map_or_else(|| "wwqa.toml".to_string(), |p| p.display().to_string())
    }

    /// An error at `span` of the configuration file.
    pub fn error_at(
        &self,
        span: &std::ops::Range<usize>,
        message: impl Into<String>,
    ) -> ConfigError {
        ConfigError::at(&self.shown_path(), &self.text, span.start, message)
    }

    /// Where a value at `span` of the file came from.
    pub fn origin_at(&self, span: &std::ops::Range<usize>) -> Origin {
        Origin::File {
            path: self.shown_path(),
            line: line_col(&self.text, span.start).0,
        }
    }

    /// The role configuration: the bundled `lexicons/roles.toml` (or
    /// `[roles] file`) with the `[roles]` lists added.
    ///
    /// # Errors
    /// A roles file that does not parse.
    pub fn roles(&self) -> Result<crate::ingest::RoleConfig, ConfigError> {
        let mut roles = match &self.roles_file {
            Some((_, file)) => crate::ingest::RoleConfig::parse(&file.text, &file.path)
                .map_err(|e| ConfigError::parse_rendered(&e, &file.path))?,
            None => crate::ingest::RoleConfig::bundled(),
        };
        if !self.roles_extend.is_empty() {
            let extra = &self.roles_extend;
            roles.shop_nicks.extend(extra.shop_nicks.iter().cloned());
            roles.robot_nicks.extend(extra.robot_nicks.iter().cloned());
            roles
                .auto_reply_markers
                .extend(extra.auto_reply_markers.iter().cloned());
            roles
                .assist_markers
                .extend(extra.assist_markers.iter().cloned());
            roles
                .agent_nick_keywords
                .extend(extra.agent_nick_keywords.iter().cloned());
            roles = roles
                .rebuilt()
                .map_err(|e| ConfigError::file(&self.shown_path(), e))?;
        }
        Ok(roles)
    }

    /// `[report] redact` (default on).
    pub fn redact(&self) -> bool {
        self.redact.unwrap_or(true)
    }

    /// Check a severity name at `span`.
    pub(crate) fn severity_at(&self, value: &Located<String>) -> Result<Severity, ConfigError> {
        Severity::parse(&value.value).ok_or_else(|| {
            let names = ["info", "low", "medium", "high"];
            let hint = hint(&value.value, names);
            self.error_at(
                &value.span,
                format!(
                    "bad severity `{}`: expected info, low, medium or high{hint}",
                    value.value
                ),
            )
        })
    }
}

/// ` (did you mean `x`?)` for the nearest candidate, or nothing.
pub(crate) fn hint<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    did_you_mean(word, candidates)
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// Give every entry of `lexicons` whose term lies inside one of `allow`
/// that term as an allow-context: the matcher then drops any hit inside
/// an occurrence of it, exactly as for a line's own `except=`.
pub fn allow_terms(lexicons: &mut [crate::lexicon::Lexicon], allow: &[String]) {
    use crate::normalize::{normalize_with, NormalizeOptions};
    if allow.is_empty() {
        return;
    }
    let options = NormalizeOptions::default();
    let unfolded = NormalizeOptions {
        collapse_repeats: false,
        ..options
    };
    let prepared: Vec<(&String, String, String)> = allow
        .iter()
        .map(|a| {
            (
                a,
                normalize_with(a, &options).text,
                normalize_with(a, &unfolded).text,
            )
        })
        .filter(|(_, normalized, _)| !normalized.is_empty())
        .collect();
    for entry in lexicons.iter_mut().flat_map(|l| l.entries.iter_mut()) {
        for (term, normalized, folded) in &prepared {
            if normalized.contains(&entry.normalized) && !entry.allow.contains(term) {
                entry.allow.push((*term).clone());
                entry.allow_normalized.push(normalized.clone());
                entry.allow_folded.push(folded.clone());
            }
        }
    }
}

impl Config {
    /// True when the configuration changes no lexicon (the engine can use
    /// the bundled matcher, built once per process).
    pub fn lexicons_are_bundled(&self) -> bool {
        self.lexicon_extend.is_empty() && self.lexicon_replace.is_empty() && self.allow.is_empty()
    }

    /// True when the configuration changes no abuse term.
    pub fn abuse_terms_are_bundled(&self) -> bool {
        self.abuse_extend.is_empty() && self.allow.is_empty()
    }

    /// The abuse terms in force: `lexicons/abuse_terms.txt` with the
    /// `[lexicons] abuse_terms` files, the allow-list applied.
    ///
    /// # Errors
    /// A line of an added file that does not hold (located in that file).
    pub fn abuse_terms(&self) -> Result<crate::abuse::terms::AbuseTerms, ConfigError> {
        let mut sources: Vec<(&str, &str)> =
            vec![("lexicons/abuse_terms.txt", crate::abuse::terms::BUNDLED)];
        sources.extend(
            self.abuse_extend
                .iter()
                .map(|(_, f)| (f.path.as_str(), f.text.as_str())),
        );
        crate::abuse::terms::AbuseTerms::parse_all(&sources, &self.allow_list()).map_err(|e| {
            let first = e.0.first();
            let rendered = first.map_or_else(
                || e.to_string(),
                |d| format!("{}: {}", d.location, d.message),
            );
            ConfigError::parse_rendered(&rendered, "lexicons/abuse_terms.txt")
        })
    }

    /// `[lexicons] allow`, as written.
    pub fn allow_list(&self) -> Vec<String> {
        self.allow.iter().map(|a| a.value.clone()).collect()
    }

    /// The lexicons in force: the bundled ones, each section of a `replace`
    /// file taking the place of the bundled section, then the `extend`
    /// files, with the allow-list applied to every entry.
    ///
    /// # Errors
    /// A lexicon file with a bad line (located in that file).
    pub fn lexicons(&self) -> Result<Vec<crate::lexicon::Lexicon>, ConfigError> {
        let parse = |file: &LexiconFile| {
            let lexicon = crate::lexicon::parse(&file.path, &file.text)
                .map_err(|e| ConfigError::parse_rendered(&e.to_string(), &file.path))?;
            // ABU001/ABU002 read the abuse terms, not `.lex` sections: a
            // shop's insult in a `.lex` file would silently never fire.
            use crate::lexicon::Category;
            if let Some(e) = lexicon
                .entries
                .iter()
                .find(|e| matches!(e.category, Category::Insult | Category::Threat))
            {
                return Err(ConfigError {
                    path: file.path.clone(),
                    line: e.line,
                    column: 1,
                    message: format!(
                        "`{}`: insult and threat terms belong in an abuse terms file (`[lexicons] abuse_terms`, format of lexicons/abuse_terms.txt), which ABU001/ABU002 read",
                        e.term
                    ),
                });
            }
            Ok(lexicon)
        };
        let mut lexicons = crate::lexicon::bundled()
            .map_err(|e| ConfigError::parse_rendered(&e.to_string(), "lexicons"))?;
        for (_, file) in &self.lexicon_replace {
            let replacing = parse(file)?;
            let sections: std::collections::BTreeSet<_> =
                replacing.entries.iter().map(|e| e.category).collect();
            for lexicon in &mut lexicons {
                lexicon.entries.retain(|e| !sections.contains(&e.category));
            }
            lexicons.push(replacing);
        }
        for (_, file) in &self.lexicon_extend {
            lexicons.push(parse(file)?);
        }
        allow_terms(&mut lexicons, &self.allow_list());
        Ok(lexicons)
    }

    /// The latency policy: the preset (default `taobao_2025`) with the
    /// `[latency]` values laid over it.
    ///
    /// # Errors
    /// An unknown preset or key, a bad value, values that do not fit.
    pub fn latency_policy(&self) -> Result<crate::latency::LatencyPolicy, ConfigError> {
        let preset = match &self.latency_preset {
            Some(name) => crate::latency::LatencyPolicy::bundled_preset(&name.value)
                .map_err(|m| self.error_at(&name.span, m))?,
            None => crate::latency::LatencyPolicy::bundled(),
        };
        preset
            .with_overrides(
                self.latency_overrides
                    .iter()
                    .map(|(k, v)| (k.as_str(), &v.value)),
            )
            .map_err(|(key, message)| {
                let span = self
                    .latency_overrides
                    .get(&key)
                    .or_else(|| self.latency_overrides.values().next())
                    .map_or(0..0, |v| v.span.clone());
                self.error_at(&span, message)
            })
    }

    /// The rule options: `lexicons/rules.toml` with `[rules.options.*]`
    /// laid over it, key by key, so an error names the key at fault.
    ///
    /// # Errors
    /// An unknown table or key (with a suggestion), a bad value.
    pub fn rule_options(&self) -> Result<crate::rules::RuleOptions, ConfigError> {
        use crate::rules::RuleOptions;
        if self.rule_options.is_empty() {
            return RuleOptions::bundled().map_err(|e| ConfigError::file("lexicons/rules.toml", e));
        }
        let mut table: toml::Table = toml::from_str(RuleOptions::BUNDLED_TEXT)
            .map_err(|e| ConfigError::file("lexicons/rules.toml", e.to_string()))?;
        let tables: Vec<String> = table
            .iter()
            .filter(|(_, v)| v.is_table())
            .map(|(k, _)| k.clone())
            .collect();
        for (name, keys) in &self.rule_options {
            let Some(toml::Value::Table(rule_table)) = table.get_mut(&name.value) else {
                // The table's own span starts at its first key; its header
                // is where a misspelt name stands.
                let header = self
                    .text
                    .find(&format!("options.{}", name.value))
                    .map_or(name.span.clone(), |at| at + "options.".len()..at);
                return Err(self.error_at(
                    &header,
                    format!(
                        "unknown rule options table `{}`{}",
                        name.value,
                        hint(&name.value, tables.iter().map(String::as_str))
                    ),
                ));
            };
            for (key, value) in keys {
                if !rule_table.contains_key(key) {
                    let known: Vec<&str> = rule_table.keys().map(String::as_str).collect();
                    return Err(self.error_at(
                        &value.span,
                        format!(
                            "unknown key `{key}` in [rules.options.{}]{}",
                            name.value,
                            hint(key, known)
                        ),
                    ));
                }
                rule_table.insert(key.clone(), value.value.clone());
            }
        }
        // Each key once more alone, so that an error is located at the key
        // that causes it.
        RuleOptions::from_table(table).map_err(|(key, message)| {
            let message = if key.is_empty() {
                message
            } else {
                format!("{key}: {message}")
            };
            let at = self
                .rule_options
                .iter()
                .flat_map(|(name, keys)| keys.iter().map(move |(k, v)| (name, k, v)))
                .find(|(_, k, _)| **k == key || message.contains(k.as_str()))
                .map_or(0..0, |(_, _, v)| v.span.clone());
            self.error_at(&at, message)
        })
    }

    /// The stage classifier: `[stage] model` (a file `wwqa train stage`
    /// wrote) over `[stage] cues` (its cue features), each bundled unless
    /// set.
    ///
    /// # Errors
    /// A model or cue file with a bad line.
    pub fn stage(&self) -> Result<crate::stage::StageClassifier, ConfigError> {
        use crate::stage::{CueClassifier, StageClassifier, StageModel};
        if self.stage_cues.is_none() && self.stage_model.is_none() {
            return Ok(StageClassifier::builtin());
        }
        let located = |e: String, path: &str| ConfigError::parse_rendered(&e, path);
        let cues = match &self.stage_cues {
            Some((_, f)) => CueClassifier::from_lexicon_str(&f.text, &f.path)
                .map_err(|e| located(e, &f.path))?,
            None => StageClassifier::builtin().cues().clone(),
        };
        let model = match &self.stage_model {
            Some((_, f)) => StageModel::parse(&f.path, &f.text).map_err(|e| located(e, &f.path))?,
            None => StageModel::bundled().map_err(|e| located(e, "lexicons/stage_model.tsv"))?,
        };
        Ok(StageClassifier::from_parts(cues, model))
    }

    /// The rule selection: `--select` (else `[rules] select`) with
    /// `extend-select`, and `[rules] ignore` with `--ignore`. Every code or
    /// prefix must name at least one rule of `codes`.
    ///
    /// # Errors
    /// A code or prefix that matches no rule (with a suggestion).
    pub fn selection(&self, codes: &[&str]) -> Result<crate::rules::Selection, ConfigError> {
        let check = |code: &str| -> Result<(), String> {
            let upper = code.trim().to_ascii_uppercase();
            if !upper.is_empty() && codes.iter().any(|c| c.starts_with(&upper)) {
                return Ok(());
            }
            Err(format!(
                "no rule code starts with `{code}`{}; `wwqa rules` lists them",
                hint(&upper, codes.iter().copied())
            ))
        };
        let from_file = |list: &[Located<String>]| -> Result<Vec<String>, ConfigError> {
            list.iter()
                .map(|c| {
                    check(&c.value)
                        .map(|()| c.value.trim().to_string())
                        .map_err(|m| self.error_at(&c.span, m))
                })
                .collect()
        };
        let from_flag = |flag: &str, list: &[String]| -> Result<Vec<String>, ConfigError> {
            list.iter()
                .map(|c| {
                    check(c)
                        .map(|()| c.trim().to_string())
                        .map_err(|m| ConfigError::file(flag, m))
                })
                .collect()
        };
        let mut select = match (&self.flag_select, &self.select) {
            (Some(flag), _) => from_flag("--select", flag)?,
            (None, Some(list)) => from_file(list)?,
            (None, None) => Vec::new(),
        };
        let extend = from_file(&self.extend_select)?;
        if !select.is_empty() {
            select.extend(extend);
        }
        let mut ignore = from_file(&self.ignore)?;
        ignore.extend(from_flag("--ignore", &self.flag_ignore)?);
        Ok(crate::rules::Selection { select, ignore })
    }

    /// `[rules.severity]`: code → severity. Codes must name a rule.
    ///
    /// # Errors
    /// An unknown code or a bad severity.
    pub fn severities(&self, codes: &[&str]) -> Result<BTreeMap<String, Severity>, ConfigError> {
        let mut out = BTreeMap::new();
        for (code, value) in &self.severity {
            let upper = code.to_ascii_uppercase();
            if !codes.contains(&upper.as_str()) {
                return Err(self.error_at(
                    &value.span,
                    format!(
                        "unknown rule code `{code}` in [rules.severity]{}",
                        hint(&upper, codes.iter().copied())
                    ),
                ));
            }
            out.insert(upper, self.severity_at(value)?);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Analyzers;
    use crate::ingest::{ingest_bytes, Format, IngestOptions};
    use crate::session::{sessionize, SessionOptions};

    fn session(text: &str) -> crate::model::Session {
        let jsonl = format!(
            "{{\"shop\":\"小店\",\"buyer\":\"tb_1\",\"sender\":\"tb_1\",\"text\":\"在吗\"}}\n\
             {{\"shop\":\"小店\",\"buyer\":\"tb_1\",\"sender\":\"小店:阿花\",\"text\":\"{text}\"}}\n"
        );
        let options = IngestOptions {
            format: Some(Format::Jsonl),
            ..IngestOptions::default()
        };
        let parsed = ingest_bytes("t.jsonl", jsonl.as_bytes(), &options);
        sessionize(parsed.messages, &SessionOptions::default())
            .pop()
            .unwrap()
    }

    fn quotes(engine: &Analyzers, s: &crate::model::Session, code: &str) -> Vec<String> {
        engine
            .analyze_session(s)
            .findings
            .into_iter()
            .filter(|f| f.code == code)
            .map(|f| f.quote)
            .collect()
    }

    /// Two engines in one process, on one thread, one with a shop's term
    /// and allow-list: each judges by its own lexicons, whatever the other
    /// met before (the per-thread memo of matched texts is per engine).
    #[test]
    fn engines_with_and_without_a_configuration_share_a_process() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("shop.lex"),
            "[absolute_claim]\n宇宙级爆款\n",
        )
        .unwrap();
        let config = Config::parse(
            "wwqa.toml",
            "[lexicons]\nextend = [\"shop.lex\"]\nallow = [\"顶级鹅绒\"]\n",
            dir.path(),
        )
        .unwrap();
        let shop = Analyzers::from_config(&config).unwrap();
        let bundled = Analyzers::bundled().unwrap();
        let s = session("亲，宇宙级爆款，顶级鹅绒，品质顶级");
        for _ in 0..3 {
            assert_eq!(quotes(&bundled, &s, "SCR009"), vec!["顶级", "顶级"]);
            assert_eq!(quotes(&shop, &s, "SCR009"), vec!["宇宙级爆款", "顶级"]);
        }
    }

    #[test]
    fn allow_terms_bind_only_the_terms_they_contain() {
        let mut lexicons =
            vec![crate::lexicon::parse("t.lex", "[absolute_claim]\n顶级\n最\n").unwrap()];
        allow_terms(&mut lexicons, &["顶级鹅绒".to_string()]);
        assert_eq!(lexicons[0].entries[0].allow, vec!["顶级鹅绒"]);
        assert!(lexicons[0].entries[1].allow.is_empty());
    }

    #[test]
    fn rendered_errors_keep_their_location() {
        let e = ConfigError::parse_rendered("shop.lex:3: unknown category `x`", "f");
        assert_eq!((e.path.as_str(), e.line, e.column), ("shop.lex", 3, 1));
        assert_eq!(e.message, "unknown category `x`");
        let e = ConfigError::parse_rendered("a.toml:2:7: bad", "f");
        assert_eq!((e.line, e.column, e.message.as_str()), (2, 7, "bad"));
        assert_eq!(
            ConfigError::parse_rendered("no location", "f").to_string(),
            "f: no location"
        );
    }
}
