//! `wwqa eval rules`: the script and abuse rules measured against hand
//! labels of real chats (`VIOLATIONS_GUIDE.md` labels: one row per
//! violation, plus the list of sessions read).
//!
//! Matching: a message-level code matches on (session, position of the
//! message in its session, code); the session-level codes SCR005 and SCR006
//! match on (session, code), since where a missing greeting "is" is a
//! convention. Several findings of one code on one message count once.
//! Only sessions of the sessions list are judged, and only the codes the
//! labels use ([`LABEL_CODES`]); a corpus of excerpts (ECD) leaves out the
//! session-level codes, which cannot be judged on a fragment.

pub mod corpus;

use super::{Selection, TextRules};
use crate::abuse::SessionAbuse;
use crate::model::{Role, Session};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;

/// The codes the violation labels use, in report order.
pub const LABEL_CODES: [&str; 17] = [
    "SCR001", "SCR002", "SCR003", "SCR004", "SCR005", "SCR006", "SCR007", "SCR008", "SCR009",
    "SCR010", "SCR011", "SCR012", "SCR013", "ABU001", "ABU002", "ABU005", "ABU006",
];

/// Codes judged per session (greeting and closing); every other code is
/// "substantive".
pub const SESSION_CODES: [&str; 2] = ["SCR005", "SCR006"];

/// Header the labels TSV must start with.
pub const GOLD_HEADER: &str = "session_id\tmsg_index\trole\tcode\tquote\tnote";

/// One hand-labelled violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GoldRow {
    /// Session.
    pub session_id: String,
    /// 0-based position of the message in its session.
    pub msg_index: usize,
    /// `buyer` or `agent`.
    pub role: String,
    /// Rule code.
    pub code: String,
    /// Exact substring of the message showing the violation.
    pub quote: String,
    /// The labeller's note.
    pub note: String,
    /// 1-based line in the labels file.
    pub line: usize,
}

/// Parse a labels TSV (header [`GOLD_HEADER`]); `origin` names it in
/// errors. Strict: a bad row is an error `origin:line: …`.
pub fn parse_gold(origin: &str, text: &str) -> Result<Vec<GoldRow>, String> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end_matches('\r') == GOLD_HEADER => {}
        _ => {
            return Err(format!(
                "{origin}:1: expected header `{}`",
                GOLD_HEADER.replace('\t', " ")
            ))
        }
    }
    let mut rows = Vec::new();
    for (index, line) in lines {
        let line_no = index + 1;
        let line = line.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != 6 {
            return Err(format!(
                "{origin}:{line_no}: expected 6 tab-separated fields, found {}",
                fields.len()
            ));
        }
        let msg_index = fields[1].parse().map_err(|_| {
            format!(
                "{origin}:{line_no}: msg_index `{}` is not a number",
                fields[1]
            )
        })?;
        if !matches!(fields[2], "buyer" | "agent") {
            return Err(format!(
                "{origin}:{line_no}: role must be buyer or agent, found `{}`",
                fields[2]
            ));
        }
        if !LABEL_CODES.contains(&fields[3]) {
            let hint = LABEL_CODES
                .iter()
                .map(|c| (crate::lexicon::edit_distance(fields[3], c), *c))
                .min()
                .filter(|(d, _)| *d <= 2)
                .map(|(_, c)| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            return Err(format!(
                "{origin}:{line_no}: unknown code `{}`{hint}",
                fields[3]
            ));
        }
        rows.push(GoldRow {
            session_id: fields[0].to_string(),
            msg_index,
            role: fields[2].to_string(),
            code: fields[3].to_string(),
            quote: fields[4].to_string(),
            note: fields[5].to_string(),
            line: line_no,
        });
    }
    Ok(rows)
}

/// Parse a sessions list (one id per line; blank lines skipped).
pub fn parse_session_list(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

/// One finding, reduced to what is matched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Predicted {
    /// Session.
    pub session_id: String,
    /// Position of the message in its session.
    pub msg_index: usize,
    /// Rule code.
    pub code: String,
    /// The finding's quote.
    pub quote: String,
    /// The finding's message.
    pub message: String,
}

/// The findings of the label codes on `sessions` (text rules only: every
/// labelled code is one).
pub fn predict(rules: &TextRules, sessions: &[Session]) -> Vec<Predicted> {
    let mut out = Vec::new();
    for session in sessions {
        let mut findings = Vec::new();
        let mut abuse = SessionAbuse::default();
        rules.check_session(session, &Selection::default(), &mut findings, &mut abuse);
        let position: HashMap<&str, usize> = session
            .messages
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        for f in findings {
            if !LABEL_CODES.contains(&f.code.as_str()) {
                continue;
            }
            let Some(&msg_index) = position.get(f.message_id.as_str()) else {
                continue;
            };
            out.push(Predicted {
                session_id: session.id.clone(),
                msg_index,
                code: f.code,
                quote: f.quote,
                message: f.message,
            });
        }
    }
    out
}

/// Counts of one code (or a group of codes).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Counts {
    /// Code or group name.
    pub code: String,
    /// Findings that match a label.
    pub true_positives: usize,
    /// Findings with no label.
    pub false_positives: usize,
    /// Labels with no finding.
    pub misses: usize,
    /// tp / (tp + fp), `None` with no finding.
    pub precision: Option<f64>,
    /// tp / (tp + misses), `None` with no label.
    pub recall: Option<f64>,
}

impl Counts {
    fn finish(mut self) -> Counts {
        let (tp, fp, fn_) = (self.true_positives, self.false_positives, self.misses);
        self.precision = (tp + fp > 0).then(|| tp as f64 / (tp + fp) as f64);
        self.recall = (tp + fn_ > 0).then(|| tp as f64 / (tp + fn_) as f64);
        self
    }

    fn add(&mut self, other: &Counts) {
        self.true_positives += other.true_positives;
        self.false_positives += other.false_positives;
        self.misses += other.misses;
    }
}

/// Whether a disagreement is a finding nobody labelled or a label no
/// finding matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Disagreement {
    /// A finding with no label.
    FalsePositive,
    /// A label with no finding.
    Miss,
}

/// One disagreement, with the message so a developer can read why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Case {
    /// Which side is unmatched.
    pub kind: Disagreement,
    /// Rule code.
    pub code: String,
    /// Session.
    pub session_id: String,
    /// Position of the message in its session.
    pub msg_index: usize,
    /// Sender role of the message (`buyer`, `agent`, …), when it exists.
    pub role: String,
    /// The finding's or the label's quote.
    pub quote: String,
    /// The finding's message, or the label's note.
    pub why: String,
    /// The whole message text (empty when the session or message is absent).
    pub text: String,
}

/// The result of one evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RulesEval {
    /// Sessions judged (listed and found in the data).
    pub sessions: usize,
    /// Listed sessions absent from the data.
    pub missing_sessions: Vec<String>,
    /// Labels whose quote is not in the message at their position (a sign
    /// that positions are counted differently).
    pub misplaced_labels: Vec<String>,
    /// Codes left out (session-level codes on excerpts).
    pub skipped_codes: Vec<String>,
    /// Per code, in [`LABEL_CODES`] order.
    pub codes: Vec<Counts>,
    /// Every code but SCR005/SCR006.
    pub substantive: Counts,
    /// SCR005 and SCR006.
    pub greeting_closing: Counts,
    /// Every disagreement, by code then session and position.
    pub disagreements: Vec<Case>,
}

/// Compare `predicted` with `gold` on the listed sessions.
pub fn evaluate(
    sessions: &[Session],
    listed: &[String],
    gold: &[GoldRow],
    predicted: &[Predicted],
    whole_sessions: bool,
) -> RulesEval {
    let by_id: HashMap<&str, &Session> = sessions.iter().map(|s| (s.id.as_str(), s)).collect();
    let judged: BTreeSet<&str> = listed
        .iter()
        .map(String::as_str)
        .filter(|id| by_id.contains_key(id))
        .collect();
    let missing_sessions = listed
        .iter()
        .filter(|id| !by_id.contains_key(id.as_str()))
        .cloned()
        .collect();
    let skipped: Vec<&str> = if whole_sessions {
        Vec::new()
    } else {
        SESSION_CODES.to_vec()
    };
    // (code, session, position or None for session-level codes).
    type Key<'k> = (&'k str, &'k str, Option<usize>);
    let position = |code: &str, at: usize| (!SESSION_CODES.contains(&code)).then_some(at);
    let mut gold_keys: BTreeMap<Key<'_>, &GoldRow> = BTreeMap::new();
    let mut misplaced_labels = Vec::new();
    for row in gold {
        if !judged.contains(row.session_id.as_str()) || skipped.contains(&row.code.as_str()) {
            continue;
        }
        let text = message_text(&by_id, &row.session_id, row.msg_index);
        if !text.contains(&row.quote) {
            misplaced_labels.push(format!(
                "line {}: {}#{} {} 「{}」",
                row.line, row.session_id, row.msg_index, row.code, row.quote
            ));
        }
        gold_keys
            .entry((
                row.code.as_str(),
                row.session_id.as_str(),
                position(&row.code, row.msg_index),
            ))
            .or_insert(row);
    }
    let mut predicted_keys: BTreeMap<Key<'_>, &Predicted> = BTreeMap::new();
    for p in predicted {
        if !judged.contains(p.session_id.as_str()) || skipped.contains(&p.code.as_str()) {
            continue;
        }
        predicted_keys
            .entry((
                p.code.as_str(),
                p.session_id.as_str(),
                position(&p.code, p.msg_index),
            ))
            .or_insert(p);
    }
    let mut per_code: BTreeMap<&str, Counts> = BTreeMap::new();
    let mut disagreements = Vec::new();
    for (k, p) in &predicted_keys {
        let counts = per_code.entry(k.0).or_default();
        if gold_keys.contains_key(k) {
            counts.true_positives += 1;
        } else {
            counts.false_positives += 1;
            disagreements.push(Case {
                kind: Disagreement::FalsePositive,
                code: p.code.clone(),
                session_id: p.session_id.clone(),
                msg_index: p.msg_index,
                role: message_role(&by_id, &p.session_id, p.msg_index),
                quote: p.quote.clone(),
                why: p.message.clone(),
                text: message_text(&by_id, &p.session_id, p.msg_index).to_string(),
            });
        }
    }
    for (k, g) in &gold_keys {
        if !predicted_keys.contains_key(k) {
            per_code.entry(k.0).or_default().misses += 1;
            disagreements.push(Case {
                kind: Disagreement::Miss,
                code: g.code.clone(),
                session_id: g.session_id.clone(),
                msg_index: g.msg_index,
                role: g.role.clone(),
                quote: g.quote.clone(),
                why: g.note.clone(),
                text: message_text(&by_id, &g.session_id, g.msg_index).to_string(),
            });
        }
    }
    disagreements.sort_by(|a, b| {
        (&a.code, a.kind, &a.session_id, a.msg_index).cmp(&(
            &b.code,
            b.kind,
            &b.session_id,
            b.msg_index,
        ))
    });
    let mut substantive = Counts {
        code: "substantive".into(),
        ..Counts::default()
    };
    let mut greeting_closing = Counts {
        code: "greeting+closing".into(),
        ..Counts::default()
    };
    let codes = LABEL_CODES
        .iter()
        .filter(|c| !skipped.contains(c))
        .map(|&code| {
            let counts = Counts {
                code: code.to_string(),
                ..per_code.get(code).cloned().unwrap_or_default()
            };
            if SESSION_CODES.contains(&code) {
                greeting_closing.add(&counts);
            } else {
                substantive.add(&counts);
            }
            counts.finish()
        })
        .collect();
    RulesEval {
        sessions: judged.len(),
        missing_sessions,
        misplaced_labels,
        skipped_codes: skipped.iter().map(|c| c.to_string()).collect(),
        codes,
        substantive: substantive.finish(),
        greeting_closing: greeting_closing.finish(),
        disagreements,
    }
}

/// Load `data` (in `format`), the labels and the sessions list, run the
/// bundled rules and compare. `ecd_prefix` names ECD sessions.
///
/// # Errors
/// Any file that does not read or parse, as `path:line: …`.
pub fn run(
    data: &std::path::Path,
    format: corpus::CorpusFormat,
    gold: &std::path::Path,
    listed: &std::path::Path,
    ecd_prefix: &str,
) -> Result<RulesEval, String> {
    let read = |p: &std::path::Path| {
        std::fs::read_to_string(p).map_err(|e| format!("{}: cannot read: {e}", p.display()))
    };
    let sessions = corpus::load(data, format, ecd_prefix)?;
    let gold = parse_gold(&gold.display().to_string(), &read(gold)?)?;
    let listed = parse_session_list(&read(listed)?);
    let rules = TextRules::bundled()?;
    let predicted = predict(&rules, &sessions);
    Ok(evaluate(
        &sessions,
        &listed,
        &gold,
        &predicted,
        format.whole_sessions(),
    ))
}

fn message_text<'s>(by_id: &HashMap<&str, &'s Session>, session: &str, at: usize) -> &'s str {
    by_id
        .get(session)
        .and_then(|s| s.messages.get(at))
        .map_or("", |m| m.text.as_str())
}

fn message_role(by_id: &HashMap<&str, &Session>, session: &str, at: usize) -> String {
    by_id
        .get(session)
        .and_then(|s| s.messages.get(at))
        .map_or("", |m| match m.role {
            Role::Agent => "agent",
            Role::Robot => "robot",
            Role::Buyer => "buyer",
            Role::System => "system",
        })
        .to_string()
}

fn ratio(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

impl RulesEval {
    /// The table, the totals and every disagreement, as plain text.
    pub fn render_text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "sessions judged {}", self.sessions);
        if !self.missing_sessions.is_empty() {
            let _ = writeln!(
                out,
                "listed sessions absent from the data {}",
                self.missing_sessions.len()
            );
        }
        if !self.skipped_codes.is_empty() {
            let _ = writeln!(
                out,
                "not judged on excerpts: {}",
                self.skipped_codes.join(", ")
            );
        }
        for m in &self.misplaced_labels {
            let _ = writeln!(out, "label quote not in its message: {m}");
        }
        let _ = writeln!(
            out,
            "\n{:<18} {:>4} {:>4} {:>4} {:>9} {:>6}",
            "code", "tp", "fp", "miss", "precision", "recall"
        );
        let row = |out: &mut String, c: &Counts| {
            let _ = writeln!(
                out,
                "{:<18} {:>4} {:>4} {:>4} {:>9} {:>6}",
                c.code,
                c.true_positives,
                c.false_positives,
                c.misses,
                ratio(c.precision),
                ratio(c.recall)
            );
        };
        for c in &self.codes {
            row(&mut out, c);
        }
        let _ = writeln!(out);
        row(&mut out, &self.substantive);
        if self.skipped_codes.is_empty() {
            row(&mut out, &self.greeting_closing);
        }
        if !self.disagreements.is_empty() {
            let _ = writeln!(out, "\ndisagreements");
        }
        for d in &self.disagreements {
            let kind = match d.kind {
                Disagreement::FalsePositive => "FP  ",
                Disagreement::Miss => "MISS",
            };
            let _ = writeln!(
                out,
                "{kind} {} {}#{} {} 「{}」 {}\n     | {}",
                d.code, d.session_id, d.msg_index, d.role, d.quote, d.why, d.text
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sessions() -> Vec<Session> {
        corpus::ecd_sessions(
            "e.tsv",
            "1\t能 改 地址 吗\t不行\t为什么\t嗯\n1\t在 吗\t什么 事\n",
            "t",
        )
        .unwrap()
    }

    fn gold(rows: &str) -> Vec<GoldRow> {
        parse_gold("g.tsv", &format!("{GOLD_HEADER}\n{rows}")).unwrap()
    }

    fn predicted(session: &str, at: usize, code: &str) -> Predicted {
        Predicted {
            session_id: session.into(),
            msg_index: at,
            code: code.into(),
            quote: "q".into(),
            message: "m".into(),
        }
    }

    #[test]
    fn counts_by_message_and_by_session() {
        let sessions = sessions();
        let listed = vec!["t-001".to_string(), "t-002".to_string(), "t-009".into()];
        let gold = gold(
            "t-001\t1\tagent\tSCR002\t不行\tbare refusal\n\
             t-001\t3\tagent\tSCR003\t嗯\tone char\n\
             t-002\t1\tagent\tSCR005\t什么事\tno greeting\n\
             t-003\t1\tagent\tSCR001\tx\tunlisted session\n",
        );
        let predicted = vec![
            predicted("t-001", 1, "SCR002"),
            predicted("t-001", 1, "SCR002"),
            predicted("t-001", 0, "SCR001"),
            // Session-level: any position in the right session matches.
            predicted("t-002", 0, "SCR005"),
            predicted("t-003", 1, "SCR001"),
        ];
        let r = evaluate(&sessions, &listed, &gold, &predicted, true);
        assert_eq!(r.sessions, 2);
        assert_eq!(r.missing_sessions, vec!["t-009"]);
        let of = |code: &str| {
            let c = r.codes.iter().find(|c| c.code == code).unwrap();
            (c.true_positives, c.false_positives, c.misses)
        };
        assert_eq!(of("SCR002"), (1, 0, 0));
        assert_eq!(of("SCR001"), (0, 1, 0));
        assert_eq!(of("SCR003"), (0, 0, 1));
        assert_eq!(of("SCR005"), (1, 0, 0));
        assert_eq!(
            (r.substantive.precision, r.substantive.recall),
            (Some(0.5), Some(0.5))
        );
        assert_eq!(r.greeting_closing.precision, Some(1.0));
        let cases: Vec<_> = r
            .disagreements
            .iter()
            .map(|d| (d.kind, d.code.as_str(), d.msg_index, d.text.as_str()))
            .collect();
        assert_eq!(
            cases,
            vec![
                (Disagreement::FalsePositive, "SCR001", 0, "能改地址吗"),
                (Disagreement::Miss, "SCR003", 3, "嗯"),
            ]
        );
        let text = r.render_text();
        assert!(
            text.contains("MISS SCR003 t-001#3 agent 「嗯」 one char\n     | 嗯"),
            "{text}"
        );
    }

    #[test]
    fn excerpts_leave_out_session_codes_and_misplaced_quotes_are_reported() {
        let sessions = sessions();
        let listed = vec!["t-001".to_string()];
        let gold = gold("t-001\t2\tagent\tSCR002\t不行\twrong position\n");
        let r = evaluate(
            &sessions,
            &listed,
            &gold,
            &[predicted("t-001", 1, "SCR006")],
            false,
        );
        assert_eq!(r.skipped_codes, vec!["SCR005", "SCR006"]);
        assert!(r.codes.iter().all(|c| c.code != "SCR006"));
        assert_eq!(r.misplaced_labels, vec!["line 2: t-001#2 SCR002 「不行」"]);
    }

    /// The figures of the bundled rules on the shared labels stay at least
    /// where this branch left them (docs/rules-eval.md has the full table),
    /// and every label quote sits in the message its position names.
    #[test]
    #[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
    fn bundled_rules_on_the_shared_labels() {
        let data = crate::shared_data::shared_data("labels")
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default();
        let jddc = run(
            &data.join("dialogue_jddc/jddc_chat_sample.tsv"),
            corpus::CorpusFormat::Ingest(Some(crate::ingest::Format::Jddc)),
            &data.join("labels/jddc_violations.tsv"),
            &data.join("labels/jddc_violations_sessions.txt"),
            "ecd-train",
        )
        .unwrap();
        assert_eq!((jddc.sessions, jddc.missing_sessions.len()), (483, 0));
        assert_eq!(jddc.misplaced_labels, Vec::<String>::new());
        let at_least = |c: &Counts, p: f64, r: f64| {
            assert!(
                c.precision.unwrap_or(0.0) >= p && c.recall.unwrap_or(0.0) >= r,
                "{c:?}"
            );
        };
        at_least(&jddc.greeting_closing, 0.95, 0.98);
        at_least(&jddc.substantive, 0.65, 0.75);
        let ecd = run(
            &data.join("dialogue_ecd_taobao/ecd_sample_train_positive.tsv"),
            corpus::CorpusFormat::Ecd,
            &data.join("labels/ecd_train_violations.tsv"),
            &data.join("labels/ecd_train_violations_sessions.txt"),
            "ecd-train",
        )
        .unwrap();
        assert_eq!((ecd.sessions, ecd.missing_sessions.len()), (77, 0));
        assert_eq!(ecd.misplaced_labels, Vec::<String>::new());
        at_least(&ecd.substantive, 0.85, 0.8);
    }

    #[test]
    fn gold_errors_are_located() {
        let bad = |rows: &str| parse_gold("g.tsv", &format!("{GOLD_HEADER}\n{rows}")).unwrap_err();
        assert_eq!(
            bad("s\t1\tagent\tSCR02\tq\tn\n"),
            "g.tsv:2: unknown code `SCR02`; did you mean `SCR002`?"
        );
        assert_eq!(
            bad("s\tx\tagent\tSCR002\tq\tn\n"),
            "g.tsv:2: msg_index `x` is not a number"
        );
        assert_eq!(
            parse_gold("g.tsv", "session\n").unwrap_err(),
            "g.tsv:1: expected header `session_id msg_index role code quote note`"
        );
    }
}
