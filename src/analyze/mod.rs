//! Runs every analyzer over a file's sessions and renders the per-file
//! output lines (sessions, findings) plus the mergeable aggregates.
//!
//! Analyzers are built once per scan and shared read-only by all workers.

use crate::abuse::SessionAbuse;
use crate::finding::Finding;
use crate::latency::{LatencyPolicy, SessionLatency};
use crate::model::Session;
pub use crate::rules::script::quick_reply_overuse::DailyTally;
use crate::scores::{Scores, ScoresBuilder, SessionFacts};
use crate::stage::{StageClassifier, StageResult};
use serde::Serialize;

mod json;

/// The analyzers of a scan, built once.
pub struct Analyzers {
    /// Rule selection (`--select` / `--ignore`).
    pub selection: crate::rules::Selection,
    /// Latency policy.
    pub latency: LatencyPolicy,
    /// Stage classifier.
    pub stage: StageClassifier,
    /// Script rules and abuse detectors.
    pub text: crate::rules::TextRules,
    /// Write every message (text, sender, location) into `sessions.jsonl`;
    /// off by default, since the transcript already holds them.
    pub session_messages: bool,
    /// Give every finding its neighbouring messages (`context`) in
    /// `findings.jsonl`; off by default, the location leads to them.
    pub finding_context: bool,
    /// Severities the configuration sets, by code (`[rules.severity]`).
    pub severity: std::collections::BTreeMap<String, crate::finding::Severity>,
    /// What judged this scan, for `summary.json`.
    pub record: crate::config::record::Record,
}

impl Analyzers {
    /// Analyzers with the bundled lexicons and policies.
    ///
    /// # Errors
    /// A bundled file that does not load (a build defect).
    pub fn bundled() -> anyhow::Result<Analyzers> {
        Ok(Analyzers::from_config(&crate::config::Config::bundled())?)
    }

    /// The analyzers a configuration describes: its latency preset and
    /// values, lexicons, rule options, selection, severities, custom rules
    /// and stage cues. With [`crate::config::Config::bundled`] this equals
    /// [`Analyzers::bundled`].
    ///
    /// # Errors
    /// Anything in the configuration that does not hold, located; a custom
    /// rule whose `fires` / `quiet` examples do not behave.
    pub fn from_config(
        config: &crate::config::Config,
    ) -> Result<Analyzers, crate::config::ConfigError> {
        use crate::config::ConfigError;
        let latency = config.latency_policy()?;
        let options = config.rule_options()?;
        let lexicons = config.lexicons()?;
        let custom = crate::config::CustomRules::build(config, &config.allow_list())?;
        let custom_metas = custom.metas();
        let abuse_terms = if config.abuse_terms_are_bundled() {
            None
        } else {
            Some(config.abuse_terms()?)
        };
        let text = crate::rules::TextRules::configured(
            (!config.lexicons_are_bundled()).then_some(&lexicons[..]),
            abuse_terms,
            options,
            custom,
        )
        .map_err(|e| ConfigError::parse_rendered(&e, &config.shown_path()))?;
        let codes: Vec<&str> = crate::rules::registry()
            .into_iter()
            .chain(custom_metas.iter().copied())
            .map(|m| m.code)
            .collect();
        let selection = config.selection(&codes)?;
        let severity = config.severities(&codes)?;
        let stage = config.stage()?;
        let roles = config.roles()?;
        let mut analyzers = Analyzers {
            selection,
            latency,
            stage,
            text,
            session_messages: false,
            finding_context: false,
            severity,
            record: Default::default(),
        };
        analyzers.record = crate::config::record::Record::of(config, &analyzers, &lexicons, &roles);
        crate::config::examples::run(&analyzers, config)?;
        Ok(analyzers)
    }

    /// Every rule this engine knows, built-in and custom, in code order.
    pub fn rules(&self) -> Vec<&'static crate::finding::RuleMeta> {
        let mut all = crate::rules::registry();
        all.extend(self.text.custom().metas());
        all.sort_by_key(|m| m.code);
        all
    }

    /// A rule by code (case-insensitive), built-in or custom.
    pub fn rule(&self, code: &str) -> Option<&'static crate::finding::RuleMeta> {
        crate::rules::find(code).or_else(|| {
            self.text
                .custom()
                .metas()
                .into_iter()
                .find(|m| m.code.eq_ignore_ascii_case(code))
        })
    }

    /// The severity findings of `code` get: the configured one, else the
    /// rule's own.
    pub fn severity_of(&self, meta: &crate::finding::RuleMeta) -> crate::finding::Severity {
        self.severity
            .get(meta.code)
            .copied()
            .unwrap_or(meta.severity)
    }

    /// Apply `[rules.severity]` to findings.
    fn configure_severity(&self, findings: &mut [Finding]) {
        if self.severity.is_empty() {
            return;
        }
        for f in findings {
            if let Some(s) = self.severity.get(&f.code) {
                f.severity = *s;
            }
        }
    }

    /// Policy and lexicon versions, echoed in every output.
    pub fn versions(&self) -> Vec<(&'static str, String)> {
        vec![
            ("latency", self.latency.tag()),
            ("roles", crate::ingest::RoleConfig::bundled().version),
            ("rules", self.text.version()),
        ]
    }

    /// Analyse one file's sessions.
    pub fn analyze_file(&self, sessions: &[Session]) -> FileAnalysis {
        let mut tally = DailyTally::default();
        let mut in_file_order: Vec<&crate::model::Message> =
            sessions.iter().flat_map(|s| &s.messages).collect();
        in_file_order.sort_by_key(|m| m.source.byte_start);
        let keys = self.daily_keys(in_file_order.iter().copied());
        self.tally_daily(&in_file_order, &keys, &mut tally);
        let daily = self.daily_findings(sessions, &mut tally);
        self.analyze_sessions(sessions, daily)
    }

    /// Tally keys of messages for the findings that count across sessions
    /// (one account's repeated texts per day): pure, for the workers.
    pub fn daily_keys<'m>(
        &self,
        messages: impl IntoIterator<Item = &'m crate::model::Message>,
    ) -> Vec<(usize, u64)> {
        self.text.daily_keys(messages, &self.selection)
    }

    /// Count messages, in file order, with their [`Analyzers::daily_keys`];
    /// `tally` carries the counts from one piece of a file to the next.
    pub fn tally_daily(
        &self,
        messages: &[&crate::model::Message],
        keys: &[(usize, u64)],
        tally: &mut DailyTally,
    ) {
        self.text.tally_daily(messages, keys, tally);
    }

    /// The cross-session findings that sit in `sessions` (indexed by
    /// session), for [`Analyzers::analyze_sessions`].
    pub fn daily_findings(
        &self,
        sessions: &[Session],
        tally: &mut DailyTally,
    ) -> Vec<(usize, Finding)> {
        self.text.daily_findings(sessions, tally)
    }

    /// Analyse sessions, given their cross-session findings (indexed by
    /// session, from [`Analyzers::daily_findings`]).
    pub fn analyze_sessions(
        &self,
        sessions: &[Session],
        daily: Vec<(usize, Finding)>,
    ) -> FileAnalysis {
        self.analyze_sessions_with(sessions, daily, &mut |_, _| {})
    }

    /// [`Analyzers::analyze_sessions`], showing every session's results
    /// (findings in output order) to `observe`, with the session's
    /// `findings.jsonl` lines just rendered: later stages, such as the
    /// report, gather from them without reading the output back.
    pub fn analyze_sessions_with(
        &self,
        sessions: &[Session],
        mut daily: Vec<(usize, Finding)>,
        observe: &mut dyn FnMut(&SessionAnalysis, &str),
    ) -> FileAnalysis {
        let (mut sessions_jsonl, mut findings_jsonl, mut findings) =
            (String::new(), String::new(), 0);
        let mut scores = ScoresBuilder::new(&self.latency);
        for (index, session) in sessions.iter().enumerate() {
            let mut a = self.analyze_session(session);
            if daily.iter().any(|(i, _)| *i == index) {
                let (mine, rest): (Vec<_>, Vec<_>) =
                    daily.into_iter().partition(|(i, _)| *i == index);
                daily = rest;
                a.findings.extend(mine.into_iter().map(|(_, f)| f));
                self.configure_severity(&mut a.findings);
                Self::order_findings(session, &mut a.findings);
            }
            scores.add_session(&SessionFacts {
                session,
                latency: &a.latency,
                stage: &a.stage,
                findings: &a.findings,
                abuse: &a.abuse,
            });
            findings += a.findings.len() as u64;
            if self.finding_context {
                for f in &mut a.findings {
                    f.add_context(session);
                }
            }
            let lines_start = findings_jsonl.len();
            for f in &a.findings {
                json::finding(&mut findings_jsonl, f);
                findings_jsonl.push('\n');
            }
            observe(&a, &findings_jsonl[lines_start..]);
            json::session(
                &mut sessions_jsonl,
                &session_line(session, &a, self.session_messages),
            );
            sessions_jsonl.push('\n');
        }
        FileAnalysis {
            sessions_jsonl,
            findings_jsonl,
            findings,
            scores: scores.finish(),
        }
    }

    /// Every analyzer on one session.
    pub fn analyze_session(&self, session: &Session) -> SessionAnalysis {
        let latency = crate::latency::analyze_session(session, &self.latency);
        let stage = self.stage.classify(session);
        let mut findings: Vec<Finding> = latency.findings.clone();
        let mut abuse = SessionAbuse::default();
        self.text.check_session_in_stage(
            session,
            Some(stage.stage),
            &self.selection,
            &mut findings,
            &mut abuse,
        );
        findings.retain(|f| self.selection.enabled(&f.code));
        self.configure_severity(&mut findings);
        abuse.items.retain(|i| self.selection.enabled(&i.code));
        Self::order_findings(session, &mut findings);
        SessionAnalysis {
            latency,
            stage,
            findings,
            abuse,
        }
    }
}

impl Analyzers {
    /// One order for every output: message position, span start, then code.
    fn order_findings(session: &Session, findings: &mut [Finding]) {
        if findings.len() < 2 {
            return;
        }
        // Keys computed once per finding: a message lookup per comparison
        // made this sort quadratic in the session's length.
        findings.sort_by_cached_key(|f| {
            let position = session
                .messages
                .iter()
                .position(|m| m.id == f.message_id)
                .unwrap_or(usize::MAX);
            (position, f.span.byte_start, f.code.clone())
        });
    }
}

/// The results of every analyzer on one session.
pub struct SessionAnalysis {
    /// Latency rounds and metrics.
    pub latency: SessionLatency,
    /// Stage.
    pub stage: StageResult,
    /// Findings of every enabled rule.
    pub findings: Vec<Finding>,
    /// Abuse evidence and commitments.
    pub abuse: SessionAbuse,
}

/// A message in `sessions.jsonl`: `lines` and `bytes` locate it in the
/// session's `path` (1-based inclusive lines, byte range of the raw file).
#[derive(Serialize)]
struct MessageRecord<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    time: Option<i64>,
    sender: &'a str,
    role: crate::model::Role,
    #[serde(skip_serializing_if = "Option::is_none")]
    account: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    robot_mode: Option<crate::model::RobotMode>,
    kind: &'a crate::model::MessageKind,
    text: &'a str,
    lines: [u32; 2],
    bytes: [u64; 2],
}

/// The parts of a session's `sessions.jsonl` line: the session with its
/// messages written compactly (shop, buyer and source path are the
/// session's, not repeated per message), its stage, latency rounds and
/// commitments. `lines` and `bytes` are what the session spans in `path`
/// (other conversations' lines may sit in between).
fn session_line<'a>(
    session: &'a Session,
    a: &'a SessionAnalysis,
    with_messages: bool,
) -> json::SessionLine<'a> {
    // Lines and bytes spanned, in one pass over the messages.
    let (mut lines, mut bytes) = ([u32::MAX, 0], [u64::MAX, 0]);
    for m in &session.messages {
        lines = [
            lines[0].min(m.source.line_start),
            lines[1].max(m.source.line_end),
        ];
        bytes = [
            bytes[0].min(m.source.byte_start),
            bytes[1].max(m.source.byte_end),
        ];
    }
    if session.messages.is_empty() {
        (lines, bytes) = ([0, 0], [0, 0]);
    }
    let messages = with_messages.then(|| {
        let records: Vec<MessageRecord<'_>> = session
            .messages
            .iter()
            .map(|m| MessageRecord {
                id: &m.id,
                time: m.time,
                sender: &m.sender,
                role: m.role,
                account: m.account.as_deref(),
                robot_mode: m.robot_mode,
                kind: &m.kind,
                text: &m.text,
                lines: [m.source.line_start, m.source.line_end],
                bytes: [m.source.byte_start, m.source.byte_end],
            })
            .collect();
        serde_json::to_string(&records).unwrap_or_default()
    });
    json::SessionLine {
        id: &session.id,
        conversation: &session.conversation,
        path: session.messages.first().map_or("", |m| &*m.source.path),
        start: session.start,
        end: session.end,
        agents: &session.agents,
        transfers: &session.transfers,
        lines,
        bytes,
        message_count: session.messages.len(),
        messages,
        stage: &a.stage,
        latency_policy: &a.latency.policy,
        latency_available: a.latency.is_available(),
        first_response_secs: a.latency.first_response.as_ref().map(|f| f.secs),
        rounds: &a.latency.rounds,
        commitments: &a.abuse.commitments,
    }
}

/// A file's analysis results.
pub struct FileAnalysis {
    /// Rendered `sessions.jsonl` lines.
    pub sessions_jsonl: String,
    /// Rendered `findings.jsonl` lines.
    pub findings_jsonl: String,
    /// Number of findings.
    pub findings: u64,
    /// Mergeable aggregates.
    pub scores: Scores,
}
