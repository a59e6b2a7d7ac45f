//! The tier policy: a strict, versioned TOML file (`lexicons/tiers.toml`).
//!
//! Every threshold of the tier engine lives here, because the platform
//! publishes none of them authoritatively (domain.md §0, §2.8): they are
//! **project policy**, and every decision records the policy name and
//! version it was made under.
//!
//! Strictness: an unknown key is an error at its `path:line:col` with a
//! "did you mean" suggestion; a wrong type or an out-of-range value is an
//! error at the value; cross-field rules (gold stricter than silver, agent
//! levels increasing) are errors at the key that breaks the rule. All value
//! errors of a file are reported together.

use super::fixed::Fixed;
use super::{Located, TierError};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use std::path::Path;
use toml::Spanned;

/// The policy shipped with the crate.
const BUNDLED_PATH: &str = "lexicons/tiers.toml";
const BUNDLED_TEXT: &str = include_str!("../../lexicons/tiers.toml");

/// A dishonest-behaviour flag a shop can be declared with in the metrics CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum DeclaredFlag {
    /// D评: a 评价 (review) judged as manipulated by the platform.
    #[serde(rename = "D评")]
    DReview,
    /// SD (刷单/刷单炒信): fake orders.
    #[serde(rename = "SD")]
    Sd,
    /// 数据作假: falsified service data.
    #[serde(rename = "data_fraud")]
    DataFraud,
}

impl DeclaredFlag {
    /// Every flag, in output order.
    pub const ALL: [DeclaredFlag; 3] = [
        DeclaredFlag::DReview,
        DeclaredFlag::Sd,
        DeclaredFlag::DataFraud,
    ];

    /// The canonical spelling used in policy files and outputs.
    pub fn as_str(self) -> &'static str {
        match self {
            DeclaredFlag::DReview => "D评",
            DeclaredFlag::Sd => "SD",
            DeclaredFlag::DataFraud => "data_fraud",
        }
    }

    /// Parse a canonical spelling or an alias (`d评`, `sd`, `刷单`,
    /// `数据作假`, `data-fraud`), case-insensitively for ASCII.
    pub fn parse(text: &str) -> Option<DeclaredFlag> {
        match text.trim().to_ascii_lowercase().as_str() {
            "d评" | "d_review" | "dreview" => Some(DeclaredFlag::DReview),
            "sd" | "刷单" => Some(DeclaredFlag::Sd),
            "data_fraud" | "data-fraud" | "datafraud" | "数据作假" => {
                Some(DeclaredFlag::DataFraud)
            }
            _ => None,
        }
    }
}

/// Eligibility: who is assessed at all.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Eligibility {
    /// Minimum valid reviews (评价量) in the month.
    pub min_reviews: u64,
    /// Minimum 新灯塔综合服务分 for 淘宝 shops.
    pub min_score_taobao: Fixed,
    /// Minimum 新灯塔综合服务分 for 天猫 shops.
    pub min_score_tmall: Fixed,
    /// Industries the project does not rate (exact match on the CSV value).
    pub not_rated_industries: Vec<String>,
}

/// How eligible shops are ranked within their peer group
/// (same month, industry and scale band).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Ranking {
    /// Peer groups smaller than this award no rank-based tier.
    pub min_peers: u32,
    /// Gold goes to the top `ceil(peers × p / 100)` ranks (at least one).
    pub gold_top_percent: Fixed,
    /// Silver goes to the top `ceil(peers × p / 100)` ranks (at least one).
    pub silver_top_percent: Fixed,
}

/// Gates a shop must pass for gold or for silver. `None` disables a gate.
/// A gate on a derived score fails when that score was not measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierGates {
    /// Minimum 满意度 in percent.
    pub min_satisfaction: Fixed,
    /// Minimum 3-minute response rate in percent of rounds.
    pub min_three_min_rate: Option<Fixed>,
    /// Maximum 平响 in seconds.
    pub max_avg_response_secs: Option<Fixed>,
    /// Maximum agent-side abuse evidence items.
    pub max_agent_abuse_evidence: Option<u32>,
    /// Maximum script violations per 100 sessions.
    pub max_violations_per_100_sessions: Option<Fixed>,
    /// Maximum derived fraud findings (刷单, 好评返现 …).
    pub max_fraud_findings: Option<u32>,
}

/// Conditions that make an assessed shop 黑牌 (a negative example); any one
/// suffices. `None` disables a condition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlackConditions {
    /// 满意度 strictly below this percentage.
    pub satisfaction_below: Option<Fixed>,
    /// Ranked in the bottom `ceil(peers × p / 100)` ranks of a peer group of
    /// at least `min_peers`.
    pub bottom_percent: Option<Fixed>,
    /// 3-minute response rate strictly below this percentage.
    pub three_min_rate_below: Option<Fixed>,
    /// At least this many agent-side abuse evidence items.
    pub agent_abuse_evidence_at_least: Option<u32>,
    /// Strictly more violations per 100 sessions than this.
    pub violations_per_100_sessions_above: Option<Fixed>,
}

/// Complaints that cancel a month's tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cancellation {
    /// Complaint types that cancel when upheld (exact match).
    pub complaint_types: Vec<String>,
    /// Only complaints with an evidence reference (举证号) cancel.
    pub require_evidence: bool,
}

/// Dishonest behaviour that disqualifies.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disqualification {
    /// Declared flags that disqualify.
    pub flags: Vec<DeclaredFlag>,
    /// Derived fraud findings that disqualify on their own; `None` means
    /// they are shown beside the declared flags but never decide.
    pub derived_fraud_findings_at_least: Option<u32>,
}

/// Thresholds of one agent level; `None` disables a threshold.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LevelThresholds {
    /// Minimum sessions in the month.
    pub min_sessions: u64,
    /// Minimum 3-minute response rate in percent.
    pub min_three_min_rate: Option<Fixed>,
    /// Maximum 平响 in seconds.
    pub max_avg_response_secs: Option<Fixed>,
    /// Maximum violations per 100 sessions.
    pub max_violations_per_100_sessions: Option<Fixed>,
    /// Maximum abuse evidence items.
    pub max_abuse_evidence: Option<u32>,
}

/// Agent levels above 新手, lowest first.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgentLevels {
    /// 初级.
    pub junior: LevelThresholds,
    /// 中级.
    pub intermediate: LevelThresholds,
    /// 高级.
    pub senior: LevelThresholds,
}

/// A validated tier policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierPolicy {
    /// Policy name.
    pub name: String,
    /// Policy version, shown in every report.
    pub version: String,
    /// Free text from the file (empty when absent).
    pub description: String,
    /// Where it was loaded from (`lexicons/tiers.toml` for the bundled one).
    pub source: String,
    /// Who is assessed.
    pub eligibility: Eligibility,
    /// Peer ranking.
    pub ranking: Ranking,
    /// Gates for 金牌.
    pub gold: TierGates,
    /// Gates for 银牌.
    pub silver: TierGates,
    /// Conditions for 黑牌.
    pub black: BlackConditions,
    /// Complaints that cancel.
    pub cancellation: Cancellation,
    /// Flags that disqualify.
    pub disqualification: Disqualification,
    /// Agent levels.
    pub agent_levels: AgentLevels,
}

impl TierPolicy {
    /// The policy bundled with the crate (`lexicons/tiers.toml`).
    ///
    /// # Errors
    /// Only if the bundled file is invalid, which a unit test rules out.
    pub fn bundled() -> Result<TierPolicy, TierError> {
        TierPolicy::from_toml_str(BUNDLED_TEXT, BUNDLED_PATH)
    }

    /// Load and validate a policy file.
    ///
    /// # Errors
    /// [`TierError::Io`] if it cannot be read; [`TierError::Invalid`] with
    /// every located problem otherwise.
    pub fn load(path: impl AsRef<Path>) -> Result<TierPolicy, TierError> {
        let path = path.as_ref();
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| TierError::Io {
            path: shown.clone(),
            source,
        })?;
        TierPolicy::from_toml_str(&text, &shown)
    }

    /// Parse and validate policy text; `path` is only used in messages.
    ///
    /// # Errors
    /// [`TierError::Invalid`] with every located problem.
    pub fn from_toml_str(text: &str, path: &str) -> Result<TierPolicy, TierError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let raw: RawPolicy = toml::from_str(text).map_err(|err| {
            let span = err.span().unwrap_or(0..0);
            let message = with_suggestion(err.message());
            TierError::Invalid(vec![locate(path, text, span, message)])
        })?;
        let mut check = Checker {
            path,
            text,
            errors: Vec::new(),
        };
        let policy = check.policy(raw);
        if check.errors.is_empty() {
            Ok(policy)
        } else {
            check.errors.sort_by_key(|e| (e.line, e.column));
            Err(TierError::Invalid(check.errors))
        }
    }
}

/// `path:line:col` of a byte span.
fn locate(path: &str, text: &str, span: Range<usize>, message: String) -> Located {
    let start = span.start.min(text.len());
    let before = text.get(..start).unwrap_or("");
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    Located {
        path: path.to_string(),
        line: line as u64,
        column: Some(column as u64),
        message,
    }
}

/// Add "did you mean" to serde's unknown-field message, which names the
/// key and lists the expected ones in backticks.
fn with_suggestion(message: &str) -> String {
    let message = message.trim_end().to_string();
    let Some(rest) = message.strip_prefix("unknown field `") else {
        return message;
    };
    let Some((unknown, expected)) = rest.split_once('`') else {
        return message;
    };
    let candidates: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    match closest(unknown, &candidates) {
        Some(best) => format!("{message}; did you mean `{best}`?"),
        None => message,
    }
}

/// The candidate nearest to `word` by edit distance, if it is close enough
/// to be a plausible typo.
pub(crate) fn closest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .iter()
        .map(|c| (edit_distance(word, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min()
        .map(|(_, c)| c)
}

/// Levenshtein distance over chars (keys and CSV headers may be Chinese).
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

// ---- raw TOML shape: every struct refuses unknown keys ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPolicy {
    policy: RawMeta,
    eligibility: RawEligibility,
    ranking: RawRanking,
    gold: RawGates,
    silver: RawGates,
    black: RawBlack,
    cancellation: RawCancellation,
    disqualification: RawDisqualification,
    agent_levels: RawLevels,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: Spanned<String>,
    version: Spanned<String>,
    description: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEligibility {
    min_reviews: Spanned<i64>,
    min_score_taobao: Spanned<f64>,
    min_score_tmall: Spanned<f64>,
    not_rated_industries: Vec<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRanking {
    min_peers: Spanned<i64>,
    gold_top_percent: Spanned<f64>,
    silver_top_percent: Spanned<f64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGates {
    min_satisfaction: Spanned<f64>,
    min_three_min_rate: Option<Spanned<f64>>,
    max_avg_response_secs: Option<Spanned<f64>>,
    max_agent_abuse_evidence: Option<Spanned<i64>>,
    max_violations_per_100_sessions: Option<Spanned<f64>>,
    max_fraud_findings: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBlack {
    satisfaction_below: Option<Spanned<f64>>,
    bottom_percent: Option<Spanned<f64>>,
    three_min_rate_below: Option<Spanned<f64>>,
    agent_abuse_evidence_at_least: Option<Spanned<i64>>,
    violations_per_100_sessions_above: Option<Spanned<f64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCancellation {
    complaint_types: Vec<Spanned<String>>,
    require_evidence: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDisqualification {
    flags: Vec<Spanned<String>>,
    derived_fraud_findings_at_least: Option<Spanned<i64>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevels {
    junior: RawLevel,
    intermediate: RawLevel,
    senior: RawLevel,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLevel {
    min_sessions: Spanned<i64>,
    min_three_min_rate: Option<Spanned<f64>>,
    max_avg_response_secs: Option<Spanned<f64>>,
    max_violations_per_100_sessions: Option<Spanned<f64>>,
    max_abuse_evidence: Option<Spanned<i64>>,
}

/// Value validation with located errors, collecting all of them.
struct Checker<'a> {
    path: &'a str,
    text: &'a str,
    errors: Vec<Located>,
}

impl Checker<'_> {
    fn error(&mut self, span: Range<usize>, message: String) {
        self.errors
            .push(locate(self.path, self.text, span, message));
    }

    fn text(&mut self, key: &str, value: Spanned<String>) -> String {
        let span = value.span();
        let value = value.into_inner();
        if value.trim().is_empty() {
            self.error(span, format!("`{key}` must not be empty"));
        }
        value
    }

    fn count(&mut self, key: &str, value: &Spanned<i64>) -> u64 {
        match u64::try_from(*value.get_ref()) {
            Ok(n) => n,
            Err(_) => {
                self.error(
                    value.span(),
                    format!("`{key}` must be 0 or more, found {}", value.get_ref()),
                );
                0
            }
        }
    }

    fn small_count(&mut self, key: &str, value: &Spanned<i64>) -> u32 {
        let n = self.count(key, value);
        u32::try_from(n).unwrap_or_else(|_| {
            self.error(value.span(), format!("`{key}` is too large: {n}"));
            0
        })
    }

    fn number(&mut self, key: &str, value: &Spanned<f64>, max: Option<Fixed>) -> Fixed {
        let fixed = match Fixed::from_f64_exact(*value.get_ref()) {
            Ok(f) => f,
            Err(reason) => {
                self.error(value.span(), format!("`{key}`: {reason}"));
                return Fixed::ZERO;
            }
        };
        if fixed < Fixed::ZERO {
            self.error(
                value.span(),
                format!("`{key}` must be 0 or more, found {fixed}"),
            );
        } else if let Some(max) = max.filter(|m| fixed > *m) {
            self.error(
                value.span(),
                format!("`{key}` must be at most {max}, found {fixed}"),
            );
        }
        fixed
    }

    fn percent(&mut self, key: &str, value: &Spanned<f64>) -> Fixed {
        self.number(key, value, Some(Fixed::from_int(100)))
    }

    fn opt_percent(&mut self, key: &str, value: &Option<Spanned<f64>>) -> Option<Fixed> {
        value.as_ref().map(|v| self.percent(key, v))
    }

    fn opt_number(&mut self, key: &str, value: &Option<Spanned<f64>>) -> Option<Fixed> {
        value.as_ref().map(|v| self.number(key, v, None))
    }

    fn opt_count(&mut self, key: &str, value: &Option<Spanned<i64>>) -> Option<u32> {
        value.as_ref().map(|v| self.small_count(key, v))
    }

    fn strings(&mut self, key: &str, values: Vec<Spanned<String>>) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(values.len());
        for value in values {
            let span = value.span();
            let text = self.text(key, value);
            if out.contains(&text) {
                self.error(span, format!("`{key}` lists `{text}` twice"));
            }
            out.push(text);
        }
        out
    }

    fn policy(&mut self, raw: RawPolicy) -> TierPolicy {
        let name = self.text("policy.name", raw.policy.name);
        let version = self.text("policy.version", raw.policy.version);

        let e = raw.eligibility;
        let eligibility = Eligibility {
            min_reviews: self.count("eligibility.min_reviews", &e.min_reviews),
            min_score_taobao: self.number(
                "eligibility.min_score_taobao",
                &e.min_score_taobao,
                Some(Fixed::from_int(5)),
            ),
            min_score_tmall: self.number(
                "eligibility.min_score_tmall",
                &e.min_score_tmall,
                Some(Fixed::from_int(5)),
            ),
            not_rated_industries: self
                .strings("eligibility.not_rated_industries", e.not_rated_industries),
        };

        let r = raw.ranking;
        let ranking = Ranking {
            min_peers: self.small_count("ranking.min_peers", &r.min_peers),
            gold_top_percent: self.percent("ranking.gold_top_percent", &r.gold_top_percent),
            silver_top_percent: self.percent("ranking.silver_top_percent", &r.silver_top_percent),
        };
        if ranking.gold_top_percent > ranking.silver_top_percent {
            self.error(
                r.silver_top_percent.span(),
                format!(
                    "`ranking.silver_top_percent` ({}) must be at least `ranking.gold_top_percent` ({})",
                    ranking.silver_top_percent, ranking.gold_top_percent
                ),
            );
        }

        let gold = self.gates("gold", &raw.gold);
        let silver = self.gates("silver", &raw.silver);
        if gold.min_satisfaction < silver.min_satisfaction {
            self.error(
                raw.gold.min_satisfaction.span(),
                format!(
                    "`gold.min_satisfaction` ({}) must be at least `silver.min_satisfaction` ({})",
                    gold.min_satisfaction, silver.min_satisfaction
                ),
            );
        }

        let b = raw.black;
        let black = BlackConditions {
            satisfaction_below: self.opt_percent("black.satisfaction_below", &b.satisfaction_below),
            bottom_percent: self.opt_percent("black.bottom_percent", &b.bottom_percent),
            three_min_rate_below: self
                .opt_percent("black.three_min_rate_below", &b.three_min_rate_below),
            agent_abuse_evidence_at_least: self.opt_count(
                "black.agent_abuse_evidence_at_least",
                &b.agent_abuse_evidence_at_least,
            ),
            violations_per_100_sessions_above: self.opt_number(
                "black.violations_per_100_sessions_above",
                &b.violations_per_100_sessions_above,
            ),
        };
        if black.agent_abuse_evidence_at_least == Some(0) {
            if let Some(v) = &b.agent_abuse_evidence_at_least {
                self.error(v.span(), "`black.agent_abuse_evidence_at_least` = 0 would make every shop black; remove the key to disable it".to_string());
            }
        }

        let cancellation = Cancellation {
            complaint_types: self.strings(
                "cancellation.complaint_types",
                raw.cancellation.complaint_types,
            ),
            require_evidence: raw.cancellation.require_evidence,
        };

        let mut flags = Vec::new();
        for value in raw.disqualification.flags {
            match DeclaredFlag::parse(value.get_ref()) {
                Some(flag) if !flags.contains(&flag) => flags.push(flag),
                Some(flag) => self.error(
                    value.span(),
                    format!("`disqualification.flags` lists `{}` twice", flag.as_str()),
                ),
                None => {
                    let known: Vec<&str> = DeclaredFlag::ALL.iter().map(|f| f.as_str()).collect();
                    let hint = closest(value.get_ref(), &known)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    self.error(
                        value.span(),
                        format!(
                            "unknown flag `{}`, expected one of `D评`, `SD`, `data_fraud`{hint}",
                            value.get_ref()
                        ),
                    );
                }
            }
        }
        let disqualification = Disqualification {
            flags,
            derived_fraud_findings_at_least: self.opt_count(
                "disqualification.derived_fraud_findings_at_least",
                &raw.disqualification.derived_fraud_findings_at_least,
            ),
        };
        if disqualification.derived_fraud_findings_at_least == Some(0) {
            if let Some(v) = &raw.disqualification.derived_fraud_findings_at_least {
                self.error(v.span(), "`disqualification.derived_fraud_findings_at_least` = 0 would disqualify every shop; remove the key to disable it".to_string());
            }
        }

        let l = raw.agent_levels;
        let junior = self.level("agent_levels.junior", &l.junior);
        let intermediate = self.level("agent_levels.intermediate", &l.intermediate);
        let senior = self.level("agent_levels.senior", &l.senior);
        self.level_order(
            "agent_levels.intermediate",
            &junior,
            &intermediate,
            &l.intermediate,
        );
        self.level_order("agent_levels.senior", &intermediate, &senior, &l.senior);

        TierPolicy {
            name,
            version,
            description: raw.policy.description.unwrap_or_default(),
            source: self.path.to_string(),
            eligibility,
            ranking,
            gold,
            silver,
            black,
            cancellation,
            disqualification,
            agent_levels: AgentLevels {
                junior,
                intermediate,
                senior,
            },
        }
    }

    fn gates(&mut self, table: &str, raw: &RawGates) -> TierGates {
        TierGates {
            min_satisfaction: self
                .percent(&format!("{table}.min_satisfaction"), &raw.min_satisfaction),
            min_three_min_rate: self.opt_percent(
                &format!("{table}.min_three_min_rate"),
                &raw.min_three_min_rate,
            ),
            max_avg_response_secs: self.opt_number(
                &format!("{table}.max_avg_response_secs"),
                &raw.max_avg_response_secs,
            ),
            max_agent_abuse_evidence: self.opt_count(
                &format!("{table}.max_agent_abuse_evidence"),
                &raw.max_agent_abuse_evidence,
            ),
            max_violations_per_100_sessions: self.opt_number(
                &format!("{table}.max_violations_per_100_sessions"),
                &raw.max_violations_per_100_sessions,
            ),
            max_fraud_findings: self.opt_count(
                &format!("{table}.max_fraud_findings"),
                &raw.max_fraud_findings,
            ),
        }
    }

    fn level(&mut self, table: &str, raw: &RawLevel) -> LevelThresholds {
        LevelThresholds {
            min_sessions: self.count(&format!("{table}.min_sessions"), &raw.min_sessions),
            min_three_min_rate: self.opt_percent(
                &format!("{table}.min_three_min_rate"),
                &raw.min_three_min_rate,
            ),
            max_avg_response_secs: self.opt_number(
                &format!("{table}.max_avg_response_secs"),
                &raw.max_avg_response_secs,
            ),
            max_violations_per_100_sessions: self.opt_number(
                &format!("{table}.max_violations_per_100_sessions"),
                &raw.max_violations_per_100_sessions,
            ),
            max_abuse_evidence: self.opt_count(
                &format!("{table}.max_abuse_evidence"),
                &raw.max_abuse_evidence,
            ),
        }
    }

    /// A higher level must be at least as demanding as the one below it, or
    /// an agent could reach it while failing the lower one.
    fn level_order(
        &mut self,
        table: &str,
        lower: &LevelThresholds,
        upper: &LevelThresholds,
        raw: &RawLevel,
    ) {
        let start = raw.min_sessions.span();
        if upper.min_sessions < lower.min_sessions {
            self.error(
                start.clone(),
                format!(
                    "`{table}.min_sessions` ({}) is below the level beneath ({})",
                    upper.min_sessions, lower.min_sessions
                ),
            );
        }
        let pairs_min = [(
            "min_three_min_rate",
            lower.min_three_min_rate,
            upper.min_three_min_rate,
            raw.min_three_min_rate.as_ref(),
        )];
        for (key, low, up, span) in pairs_min {
            let span = span.map_or(start.clone(), |s| s.span());
            match (low, up) {
                (Some(low), Some(up)) if up < low => self.error(
                    span,
                    format!("`{table}.{key}` ({up}) is below the level beneath ({low})"),
                ),
                (Some(low), None) => self.error(
                    span,
                    format!("`{table}.{key}` is missing but the level beneath requires {low}"),
                ),
                _ => {}
            }
        }
        let pairs_max = [
            (
                "max_avg_response_secs",
                lower.max_avg_response_secs,
                upper.max_avg_response_secs,
                raw.max_avg_response_secs.as_ref(),
            ),
            (
                "max_violations_per_100_sessions",
                lower.max_violations_per_100_sessions,
                upper.max_violations_per_100_sessions,
                raw.max_violations_per_100_sessions.as_ref(),
            ),
        ];
        for (key, low, up, span) in pairs_max {
            let span = span.map_or(start.clone(), |s| s.span());
            match (low, up) {
                (Some(low), Some(up)) if up > low => self.error(
                    span,
                    format!("`{table}.{key}` ({up}) is above the level beneath ({low})"),
                ),
                (Some(low), None) => self.error(
                    span,
                    format!(
                        "`{table}.{key}` is missing but the level beneath allows at most {low}"
                    ),
                ),
                _ => {}
            }
        }
        let abuse_span = raw.max_abuse_evidence.as_ref().map_or(start, |s| s.span());
        match (lower.max_abuse_evidence, upper.max_abuse_evidence) {
            (Some(low), Some(up)) if up > low => self.error(abuse_span, format!("`{table}.max_abuse_evidence` ({up}) is above the level beneath ({low})")),
            (Some(low), None) => self.error(abuse_span, format!("`{table}.max_abuse_evidence` is missing but the level beneath allows at most {low}")),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_policy_is_valid_and_holds_the_project_thresholds() {
        let policy = TierPolicy::bundled().unwrap();
        assert_eq!(policy.source, "lexicons/tiers.toml");
        assert_eq!(policy.eligibility.min_reviews, 100);
        assert_eq!(policy.eligibility.min_score_taobao.to_string(), "4.6");
        assert_eq!(policy.eligibility.min_score_tmall.to_string(), "3.6");
        assert_eq!(policy.gold.min_satisfaction.to_string(), "95");
        assert!(policy
            .eligibility
            .not_rated_industries
            .iter()
            .any(|i| i == "医药"));
        assert_eq!(
            policy.cancellation.complaint_types,
            ["辱骂", "恶意骚扰", "欺诈", "不履行承诺"]
        );
        assert_eq!(policy.disqualification.flags, DeclaredFlag::ALL);
    }

    fn error_text(text: &str) -> String {
        TierPolicy::from_toml_str(text, "bad.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn unknown_key_is_located_with_a_suggestion() {
        let text = BUNDLED_TEXT.replacen("min_reviews = 100", "min_review = 100", 1);
        let line = text
            .lines()
            .position(|l| l.starts_with("min_review ="))
            .unwrap()
            + 1;
        let err = error_text(&text);
        assert!(
            err.starts_with(&format!("bad.toml:{line}:1: unknown field `min_review`")),
            "{err}"
        );
        assert!(err.ends_with("did you mean `min_reviews`?"), "{err}");
    }

    #[test]
    fn unknown_table_is_located_with_a_suggestion() {
        let text = BUNDLED_TEXT.replacen("[silver]", "[silvr]", 1);
        let err = error_text(&text);
        assert!(err.contains("unknown field `silvr`"), "{err}");
        assert!(err.contains("did you mean `silver`?"), "{err}");
    }

    #[test]
    fn wrong_type_is_located_at_the_value() {
        let text = BUNDLED_TEXT.replacen("min_reviews = 100", "min_reviews = \"一百\"", 1);
        let line = text
            .lines()
            .position(|l| l.starts_with("min_reviews ="))
            .unwrap()
            + 1;
        let err = error_text(&text);
        assert!(err.starts_with(&format!("bad.toml:{line}:15: ")), "{err}");
    }

    #[test]
    fn out_of_range_values_are_all_reported_at_their_values() {
        let text = BUNDLED_TEXT
            .replacen("gold_top_percent = 10", "gold_top_percent = 120", 1)
            .replacen("min_score_taobao = 4.6", "min_score_taobao = 4.60001", 1);
        let err = error_text(&text);
        let gold_line = text
            .lines()
            .position(|l| l.starts_with("gold_top_percent"))
            .unwrap()
            + 1;
        let score_line = text
            .lines()
            .position(|l| l.starts_with("min_score_taobao"))
            .unwrap()
            + 1;
        assert!(err.contains(&format!("bad.toml:{gold_line}:20: `ranking.gold_top_percent` must be at most 100, found 120")), "{err}");
        assert!(err.contains(&format!("bad.toml:{score_line}:20: `eligibility.min_score_taobao`: 4.60001 has more than 4 decimal places")), "{err}");
    }

    #[test]
    fn unknown_flag_gets_a_suggestion() {
        let text = BUNDLED_TEXT.replacen("\"data_fraud\"]", "\"data_frud\"]", 1);
        let err = error_text(&text);
        assert!(err.contains("unknown flag `data_frud`"), "{err}");
        assert!(err.contains("did you mean `data_fraud`?"), "{err}");
    }

    #[test]
    fn bad_policy_fixtures_give_located_errors() {
        let unknown = TierPolicy::from_toml_str(
            include_str!("../../fixtures/tiers/bad_unknown_key.toml"),
            "fixtures/tiers/bad_unknown_key.toml",
        );
        assert_eq!(
            unknown.unwrap_err().to_string(),
            "fixtures/tiers/bad_unknown_key.toml:20:1: unknown field `min_reveiws`, expected one of \
             `min_reviews`, `min_score_taobao`, `min_score_tmall`, `not_rated_industries`; did you mean `min_reviews`?"
        );
        let bad = TierPolicy::from_toml_str(
            include_str!("../../fixtures/tiers/bad_value.toml"),
            "fixtures/tiers/bad_value.toml",
        );
        assert_eq!(
            bad.unwrap_err().to_string(),
            "fixtures/tiers/bad_value.toml:23:19: `eligibility.min_score_tmall` must be 0 or more, found -3.6\n\
             fixtures/tiers/bad_value.toml:36:22: `ranking.silver_top_percent` (5) must be at least `ranking.gold_top_percent` (10)\n\
             fixtures/tiers/bad_value.toml:90:25: `agent_levels.intermediate.max_avg_response_secs` (150) is above the level beneath (120)"
        );
    }

    #[test]
    fn suggestions_only_for_plausible_typos() {
        assert_eq!(
            closest("min_sesions", &["min_sessions", "max_abuse_evidence"]),
            Some("min_sessions")
        );
        assert_eq!(
            closest("colour", &["min_sessions", "max_abuse_evidence"]),
            None
        );
        assert_eq!(closest("满意", &["满意度", "评价量"]), Some("满意度"));
    }
}
