//! User-defined phrase rules (`[[rules.custom]]` in `wwqa.toml`).
//!
//! A custom rule fires on a message that holds one of its terms (written
//! as `.lex` entry lines, so `滚 | boundary | except=滚筒` works as in the
//! bundled lexicons) or a hit of a lexicon section (`section =
//! "competitor"`), sent by the role it names, optionally only in sessions
//! of some stages, from human agents or robots, and in the first or last
//! N messages of that role. Its `fires` and `quiet` examples are run when
//! the engine is built: a rule whose examples do not behave is a located
//! configuration error, so a trainer finds out before a scan, not after.

use super::{hint, Config, ConfigError, Located, CUSTOM_PREFIX};
use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::lexicon::{Category, Matcher, RoleFilter};
use crate::model::{RobotMode, Role};
use crate::rules::Ctx;
use crate::stage::Stage;
use serde::Deserialize;
use toml::Spanned;

/// `[[rules.custom]]` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomRuleFile {
    code: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    summary: String,
    #[serde(default)]
    rationale: String,
    severity: Option<Spanned<String>>,
    role: Option<Spanned<String>>,
    sender: Option<Spanned<String>>,
    #[serde(default)]
    terms: Vec<Spanned<String>>,
    section: Option<Spanned<String>>,
    #[serde(default)]
    stage: Vec<Spanned<String>>,
    first: Option<Spanned<usize>>,
    last: Option<Spanned<usize>>,
    message: Option<String>,
    #[serde(default)]
    fires: Vec<Spanned<String>>,
    #[serde(default)]
    quiet: Vec<Spanned<String>>,
}

/// Which shop senders a shop-side custom rule reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    /// Human agents (and robots in assist mode, whose words an agent chose).
    Human,
    /// Robots in automatic mode.
    Robot,
    /// Both.
    Any,
}

/// What a custom rule looks for.
enum Source {
    /// Its own terms, in a matcher of their own.
    Terms(Box<Matcher>),
    /// Hits of a section of the engine's lexicons.
    Section(Category),
}

/// A resolved custom rule.
pub struct CustomRule {
    /// Its metadata (leaked once per configuration load, so that custom
    /// and built-in findings hold their rule the same way).
    pub meta: &'static RuleMeta,
    source: Source,
    role: RoleFilter,
    sender: Sender,
    stages: Vec<Stage>,
    first: Option<usize>,
    last: Option<usize>,
    message: String,
    fires: Vec<Located<String>>,
    quiet: Vec<Located<String>>,
}

impl std::fmt::Debug for CustomRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CustomRule")
            .field("code", &self.meta.code)
            .finish_non_exhaustive()
    }
}

/// Every custom rule of a configuration.
#[derive(Debug, Default)]
pub struct CustomRules {
    rules: Vec<CustomRule>,
}

/// Is `code` a valid custom code: the prefix and three digits?
fn valid_code(code: &str) -> bool {
    code.strip_prefix(CUSTOM_PREFIX)
        .is_some_and(|digits| digits.len() == 3 && digits.bytes().all(|b| b.is_ascii_digit()))
}

fn leak(text: String) -> &'static str {
    Box::leak(text.into_boxed_str())
}

impl CustomRules {
    /// Resolve the custom rules of `config`; `allow` are the
    /// configuration's allow-list terms (they bind custom terms too).
    ///
    /// # Errors
    /// A bad code, name, severity, role, sender, stage, section or term,
    /// located in the configuration file.
    pub fn build(config: &Config, allow: &[String]) -> Result<CustomRules, ConfigError> {
        let mut rules: Vec<CustomRule> = Vec::new();
        for located in &config.custom {
            let rule = &located.value;
            let code = rule.code.get_ref().trim().to_string();
            if !valid_code(&code) {
                return Err(config.error_at(
                    &rule.code.span(),
                    format!(
                        "custom rule code `{code}` must be `{CUSTOM_PREFIX}` and three digits (e.g. {CUSTOM_PREFIX}001), so it never clashes with a built-in rule"
                    ),
                ));
            }
            if rules.iter().any(|r| r.meta.code == code) {
                return Err(config.error_at(
                    &rule.code.span(),
                    format!("custom rule code `{code}` is used twice"),
                ));
            }
            let name = rule.name.get_ref();
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            {
                return Err(config.error_at(
                    &rule.name.span(),
                    format!(
                        "rule name `{name}` must be kebab-case ASCII (e.g. `competitor-named`)"
                    ),
                ));
            }
            let severity = match &rule.severity {
                Some(s) => config.severity_at(&s.clone().into())?,
                None => Severity::Medium,
            };
            let role = match &rule.role {
                Some(r) => RoleFilter::parse(r.get_ref()).ok_or_else(|| {
                    config.error_at(
                        &r.span(),
                        format!(
                            "bad role `{}`: expected agent, buyer or any{}",
                            r.get_ref(),
                            hint(r.get_ref(), ["agent", "buyer", "any"])
                        ),
                    )
                })?,
                None => RoleFilter::Agent,
            };
            let sender = match &rule.sender {
                None => Sender::Any,
                Some(s) => match s.get_ref().as_str() {
                    "human" => Sender::Human,
                    "robot" => Sender::Robot,
                    "any" => Sender::Any,
                    other => {
                        return Err(config.error_at(
                            &s.span(),
                            format!(
                                "bad sender `{other}`: expected human, robot or any{}",
                                hint(other, ["human", "robot", "any"])
                            ),
                        ))
                    }
                },
            };
            if sender != Sender::Any && role == RoleFilter::Buyer {
                return Err(config.error_at(
                    &rule.sender.as_ref().map_or(rule.code.span(), Spanned::span),
                    "`sender` applies to shop messages; this rule reads buyers (`role = \"buyer\"`)",
                ));
            }
            let mut stages = Vec::new();
            for s in &rule.stage {
                let stage = Stage::parse(s.get_ref()).ok_or_else(|| {
                    config.error_at(
                        &s.span(),
                        format!(
                            "unknown stage `{}`: expected pre_sale, in_sale, after_sale or other{}",
                            s.get_ref(),
                            hint(s.get_ref(), Stage::ALL.iter().map(|s| s.as_str()))
                        ),
                    )
                })?;
                stages.push(stage);
            }
            let source = match (&rule.section, rule.terms.is_empty()) {
                (Some(section), true) => {
                    Source::Section(Category::parse(section.get_ref()).ok_or_else(|| {
                        config.error_at(
                            &section.span(),
                            format!(
                                "unknown lexicon section `{}`{}",
                                section.get_ref(),
                                hint(section.get_ref(), Category::ALL.iter().map(|c| c.as_str()))
                            ),
                        )
                    })?)
                }
                (None, false) => {
                    Source::Terms(Box::new(terms_matcher(config, &code, rule, role, allow)?))
                }
                (Some(section), false) => {
                    return Err(config.error_at(
                        &section.span(),
                        "give either `terms` or `section`, not both",
                    ))
                }
                (None, true) => {
                    return Err(config.error_at(
                        &rule.code.span(),
                        format!("custom rule {code} needs `terms` or a lexicon `section`"),
                    ))
                }
            };
            for n in [&rule.first, &rule.last].into_iter().flatten() {
                if *n.get_ref() == 0 {
                    return Err(config.error_at(&n.span(), "must be at least 1"));
                }
            }
            if rule.fires.is_empty() {
                return Err(config.error_at(
                    &rule.code.span(),
                    format!("custom rule {code} needs at least one `fires` example (they are run as tests)"),
                ));
            }
            let what = rule.summary.trim();
            let summary = if what.is_empty() {
                format!("Custom rule of this configuration: {name}.")
            } else {
                what.to_string()
            };
            let terms_text = match &rule.section {
                Some(section) => format!("Lexicon section `[{}]`.", section.get_ref()),
                None => format!(
                    "Terms: {}.",
                    rule.terms
                        .iter()
                        .map(|t| format!("`{}`", t.get_ref()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            let conditions = describe_conditions(role, sender, &stages, &rule.first, &rule.last);
            let meta = RuleMeta {
                code: leak(code.clone()),
                name: leak(name.clone()),
                family: "custom",
                severity,
                summary: leak(summary),
                rationale: leak(if rule.rationale.trim().is_empty() {
                    "Set by the shop's configuration.".to_string()
                } else {
                    rule.rationale.trim().to_string()
                }),
                options: leak(format!(
                    "{terms_text} {conditions} Defined in {}.",
                    config.origin_at(&located.span)
                )),
                fires: leak(
                    rule.fires
                        .iter()
                        .map(|f| f.get_ref().as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                quiet: leak(
                    rule.quiet
                        .iter()
                        .map(|f| f.get_ref().as_str())
                        .collect::<Vec<_>>()
                        .join("\n"),
                ),
                file: "wwqa.toml",
            };
            rules.push(CustomRule {
                meta: Box::leak(Box::new(meta)),
                source,
                role,
                sender,
                stages,
                first: rule.first.as_ref().map(|n| *n.get_ref()),
                last: rule.last.as_ref().map(|n| *n.get_ref()),
                message: rule
                    .message
                    .clone()
                    .unwrap_or_else(|| name.replace('-', " ")),
                fires: rule.fires.iter().cloned().map(Into::into).collect(),
                quiet: rule.quiet.iter().cloned().map(Into::into).collect(),
            });
        }
        rules.sort_by_key(|r| r.meta.code);
        Ok(CustomRules { rules })
    }

    /// The rules, in code order.
    pub fn iter(&self) -> impl Iterator<Item = &CustomRule> {
        self.rules.iter()
    }

    /// Their metadata, in code order.
    pub fn metas(&self) -> Vec<&'static RuleMeta> {
        self.rules.iter().map(|r| r.meta).collect()
    }

    /// True when there is none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

fn describe_conditions(
    role: RoleFilter,
    sender: Sender,
    stages: &[Stage],
    first: &Option<Spanned<usize>>,
    last: &Option<Spanned<usize>>,
) -> String {
    let mut out = format!("Reads {} messages", role.as_str());
    match sender {
        Sender::Human => out.push_str(" from human agents"),
        Sender::Robot => out.push_str(" from robots"),
        Sender::Any => {}
    }
    if let Some(n) = first {
        out.push_str(&format!(", the first {} only", n.get_ref()));
    }
    if let Some(n) = last {
        out.push_str(&format!(", the last {} only", n.get_ref()));
    }
    if !stages.is_empty() {
        let names: Vec<&str> = stages.iter().map(|s| s.as_str()).collect();
        out.push_str(&format!(", in {} sessions", names.join(" / ")));
    }
    out.push('.');
    out
}

/// The rule's terms as a lexicon of their own (`.lex` entry syntax), with
/// the allow-list applied; errors point at the term in the configuration.
fn terms_matcher(
    config: &Config,
    code: &str,
    rule: &CustomRuleFile,
    role: RoleFilter,
    allow: &[String],
) -> Result<Matcher, ConfigError> {
    // The category only carries the role here: the rule's own role is set
    // on every line, and hits are read by entry, not by category.
    let mut text = String::from("[dismissive]\n");
    for term in &rule.terms {
        let line = term.get_ref();
        if line.contains('\n') || line.contains('[') && line.trim_start().starts_with('[') {
            return Err(config.error_at(&term.span(), "a term is one `.lex` entry line"));
        }
        text.push_str(line);
        text.push_str(&format!(" | role={}\n", role.as_str()));
    }
    let mut lexicon = crate::lexicon::parse(code, &text).map_err(|e| {
        let first = e.0.first();
        let (line, message) = first.map_or((0, e.to_string()), |d| (d.line, d.message.clone()));
        let span = line
            .checked_sub(2)
            .and_then(|i| rule.terms.get(i))
            .map_or(rule.code.span(), Spanned::span);
        config.error_at(&span, format!("custom rule {code}: {message}"))
    })?;
    super::allow_terms(std::slice::from_mut(&mut lexicon), allow);
    Matcher::new(&[lexicon]).map_err(|e| {
        config.error_at(
            &rule.code.span(),
            format!("custom rule {code}: {}", e.to_string().replace('\n', "; ")),
        )
    })
}

impl CustomRule {
    /// Does message `i` of the session count for this rule?
    fn reads(&self, ctx: &Ctx<'_>, i: usize) -> bool {
        let m = &ctx.session.messages[i];
        if !self.role.allows(m.role) {
            return false;
        }
        if matches!(m.role, Role::Agent | Role::Robot) {
            let human = m.role == Role::Agent || m.robot_mode == Some(RobotMode::Assist);
            match self.sender {
                Sender::Human if !human => return false,
                Sender::Robot if human => return false,
                _ => {}
            }
        }
        true
    }

    /// Run the rule over a session in `stage`.
    pub fn check(&self, ctx: &Ctx<'_>, stage: Option<Stage>, out: &mut Vec<Finding>) {
        if !self.stages.is_empty() && !stage.is_some_and(|s| self.stages.contains(&s)) {
            return;
        }
        let read: Vec<usize> = (0..ctx.session.messages.len())
            .filter(|&i| self.reads(ctx, i))
            .collect();
        let from = self.last.map_or(0, |n| read.len().saturating_sub(n));
        let to = self.first.map_or(read.len(), |n| n.min(read.len()));
        for &i in read.get(from..to.max(from)).unwrap_or_default() {
            let text = &ctx.session.messages[i].text;
            let mut spans: Vec<Span> = Vec::new();
            match &self.source {
                Source::Terms(matcher) => {
                    let mut hits = Vec::new();
                    matcher.find_in(
                        text,
                        &ctx.normalized[i],
                        Some(ctx.session.messages[i].role),
                        &mut hits,
                    );
                    spans.extend(hits.iter().map(|h| h.span));
                }
                Source::Section(category) => {
                    spans.extend(ctx.hits_of(i, *category).map(|h| h.span));
                }
            }
            for span in spans {
                let quote = span.slice(text);
                let message = if self.message.contains("{quote}") {
                    self.message.replace("{quote}", quote)
                } else {
                    format!("{}: 「{quote}」", self.message)
                };
                out.push(ctx.finding(self.meta, i, span, message));
            }
        }
    }

    /// The `fires` and `quiet` examples.
    pub fn examples(&self) -> (&[Located<String>], &[Located<String>]) {
        (&self.fires, &self.quiet)
    }
}

/// An example chat as wwqa's own JSON lines: one message per line, `客服:`
/// (agent), `机器人:` (robot), `买家:` (buyer) or `stage:` (ignored here)
/// prefixes; a line without one is sent by `default_role`.
pub fn example_jsonl(example: &str, default_role: RoleFilter) -> String {
    let mut out = String::new();
    for line in example.lines().filter(|l| !l.trim().is_empty()) {
        let line = line.trim();
        let split = |prefixes: &[&str]| {
            prefixes.iter().find_map(|p| {
                line.strip_prefix(p)
                    .map(|rest| rest.trim_start_matches([':', '：', ' ']).to_string())
            })
        };
        let (role, sender, text) = if let Some(t) = split(&["客服", "agent"]) {
            ("agent", "示例店:客服", t)
        } else if let Some(t) = split(&["机器人", "robot"]) {
            ("robot", "店小蜜", t)
        } else if let Some(t) = split(&["买家", "buyer"]) {
            ("buyer", "示例买家", t)
        } else if default_role == RoleFilter::Buyer {
            ("buyer", "示例买家", line.to_string())
        } else {
            ("agent", "示例店:客服", line.to_string())
        };
        let record = serde_json::json!({
            "shop": "示例店",
            "buyer": "示例买家",
            "sender": sender,
            "role": role,
            "text": text,
        });
        out.push_str(&record.to_string());
        out.push('\n');
    }
    out
}

/// The role a rule's unprefixed example lines are sent by.
pub fn example_role(rule: &CustomRule) -> RoleFilter {
    rule.role
}
