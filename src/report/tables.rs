//! `agents.csv` and `shops.csv`: one row per card (agent or shop, period),
//! UTF-8 with a BOM so that Excel shows Chinese correctly.
//!
//! Columns, in order (rates are fractions 0–1 rounded to 4 decimals; an empty
//! cell means "not measurable", e.g. no timed rounds):
//!
//! | column | meaning |
//! |---|---|
//! | `period` | `all`, `YYYY-MM` or `YYYY-MM-DD` (session start, Asia/Shanghai) |
//! | `shop`, `name` | shop, and the shop or agent account |
//! | `sessions` | sessions involving it |
//! | `rounds_assessed` | rounds inside the business window, replied or not (首问首答) |
//! | `assessed` | `true` when rounds ≥ the policy minimum (100 by default) |
//! | `three_min_rate` | 3分钟响应率: rounds replied within 180 s / assessed rounds |
//! | `avg_response_secs` | 平响: mean round latency, each capped at 600 s |
//! | `first_response_avg_secs` | mean first response per session |
//! | `slow_warn`, `slow_breach` | waits ≥ 100 s, and > 180 s |
//! | `unreplied_rounds`, `unreplied_buyers` | 未回复 rounds and buyers |
//! | `reply_rate` | 回复率: buyers with every round replied / consulting buyers |
//! | `answer_ratio` | 答问比: agent messages / buyer messages |
//! | `consulted_buyers`, `received_buyers` | 咨询人数, 接待人数 |
//! | `buyers_exact` | `false` when a card has over 8,192 buyers and the buyer counts are sketch estimates (±2 %) |
//! | `leave_message_rounds` | rounds that went to the 留言 bucket |
//! | `findings_high`, `findings_medium`, `findings_low`, `findings_info` | findings by severity |
//! | `violations_per_100_sessions` | findings of medium or high severity per 100 sessions |
//! | `abuse_evidence_by_agent`, `abuse_evidence_by_buyer` | lexicon/pattern abuse hits by direction |
//! | `abuse_candidates_by_agent`, `abuse_candidates_by_buyer` | model-only candidates for review |
//! | `commitments` | commitments (承诺) made by the shop side |
//! | `stage_pre_sale`, `stage_in_sale`, `stage_after_sale`, `stage_other` | sessions by stage |
//! | `inquiry_sessions`, `inquiry_converted`, `inquiry_conversion` | 询单, 询单转化 (an order card follows in the transcript) |
//! | `latency_policy` | `name@version` of the latency policy |

use crate::finding::Severity;
use crate::scores::{Card, CardKey, Scope, Scores};
use anyhow::Result;
use serde::Serialize;
use std::borrow::Cow;
use std::path::Path;

/// Whether `c` is a bidirectional control that reorders the text shown
/// around it (U+202A–U+202E embeddings and overrides, U+2066–U+2069
/// isolates, U+200E/U+200F marks).
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// `text` as a terminal or spreadsheet may show it: control characters
/// (other than tab and line feed) and bidirectional controls become the
/// visible `<U+XXXX>`, so that they can neither drive a terminal nor
/// reorder what a reader sees. Borrowed when there is nothing to change.
pub fn visible(text: &str) -> Cow<'_, str> {
    let hidden = |c: char| (c.is_control() && c != '\t' && c != '\n') || is_bidi_control(c);
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            out.push_str(&format!("<U+{:04X}>", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// A text cell of any CSV wwqa writes: [`visible`], and, as OWASP
/// recommends against formula injection, a leading `'` when the cell
/// (after any leading whitespace) starts with `=`, `+`, `-`, `@`, tab or
/// carriage return, so that a spreadsheet shows it as text instead of
/// evaluating it (a buyer's `=HYPERLINK(…)`).
pub fn spreadsheet_cell(text: &str) -> Cow<'_, str> {
    let trigger = |c: char| matches!(c, '=' | '+' | '-' | '@' | '\t' | '\r');
    let first = text
        .trim_start_matches([' ', '\u{3000}', '\u{A0}', '\n'])
        .chars()
        .next();
    let formula = text.starts_with(trigger) || first.is_some_and(trigger);
    match (formula, visible(text)) {
        (false, shown) => shown,
        (true, shown) => Cow::Owned(format!("'{shown}")),
    }
}

fn round4(x: Option<f64>) -> Option<f64> {
    x.map(|v| (v * 10_000.0).round() / 10_000.0)
}

/// One row of `agents.csv` / `shops.csv`.
#[derive(Debug, Clone, Serialize)]
#[allow(missing_docs)]
pub struct CardRow {
    pub period: String,
    pub shop: String,
    pub name: String,
    pub sessions: u64,
    pub rounds_assessed: u64,
    pub assessed: bool,
    pub three_min_rate: Option<f64>,
    pub avg_response_secs: Option<f64>,
    pub first_response_avg_secs: Option<f64>,
    pub slow_warn: u64,
    pub slow_breach: u64,
    pub unreplied_rounds: u64,
    pub unreplied_buyers: u64,
    pub reply_rate: Option<f64>,
    pub answer_ratio: Option<f64>,
    pub consulted_buyers: u64,
    pub received_buyers: u64,
    pub buyers_exact: bool,
    pub leave_message_rounds: u64,
    pub findings_high: u64,
    pub findings_medium: u64,
    pub findings_low: u64,
    pub findings_info: u64,
    pub violations_per_100_sessions: f64,
    pub abuse_evidence_by_agent: u64,
    pub abuse_evidence_by_buyer: u64,
    pub abuse_candidates_by_agent: u64,
    pub abuse_candidates_by_buyer: u64,
    pub commitments: u64,
    pub stage_pre_sale: u64,
    pub stage_in_sale: u64,
    pub stage_after_sale: u64,
    pub stage_other: u64,
    pub inquiry_sessions: u64,
    pub inquiry_converted: u64,
    pub inquiry_conversion: Option<f64>,
    pub latency_policy: String,
}

impl CardRow {
    /// The row of one card.
    pub fn of(key: &CardKey, card: &Card) -> CardRow {
        // The latency columns come from the aggregate's own row, so the
        // metric definitions live in one place.
        let l = card.latency.row();
        CardRow {
            period: key.period.clone(),
            shop: key.shop.clone(),
            name: key.name.clone(),
            sessions: card.sessions,
            rounds_assessed: l.rounds,
            assessed: l.assessed,
            three_min_rate: round4(l.three_min_rate),
            avg_response_secs: round4(l.avg_response_secs),
            first_response_avg_secs: round4(l.first_response_avg_secs),
            slow_warn: l.slow_warn,
            slow_breach: l.slow_breach,
            unreplied_rounds: l.unreplied_rounds,
            unreplied_buyers: l.unreplied_buyers,
            reply_rate: round4(l.reply_rate),
            answer_ratio: round4(l.answer_ratio),
            consulted_buyers: l.consulted_buyers,
            received_buyers: l.received_buyers,
            buyers_exact: l.buyers_exact,
            leave_message_rounds: l.leave_message_rounds,
            findings_high: card.findings_by_severity[3],
            findings_medium: card.findings_by_severity[2],
            findings_low: card.findings_by_severity[1],
            findings_info: card.findings_by_severity[0],
            violations_per_100_sessions: round4(Some(card.violations_per_100(Severity::Medium)))
                .unwrap_or(0.0),
            abuse_evidence_by_agent: card.abuse_evidence_by_agent,
            abuse_evidence_by_buyer: card.abuse_evidence_by_buyer,
            abuse_candidates_by_agent: card.abuse_candidates_by_agent,
            abuse_candidates_by_buyer: card.abuse_candidates_by_buyer,
            commitments: card.commitments,
            stage_pre_sale: card.stage_mix[0],
            stage_in_sale: card.stage_mix[1],
            stage_after_sale: card.stage_mix[2],
            stage_other: card.stage_mix[3],
            inquiry_sessions: card.inquiry_sessions,
            inquiry_converted: card.inquiry_converted,
            inquiry_conversion: round4(card.inquiry_conversion()),
            latency_policy: l.policy,
        }
    }
}

/// Write the rows of one scope, ordered by shop, name, then period (`all`
/// first, then months and days in order).
///
/// # Errors
/// The file cannot be written.
pub fn write_cards_csv(path: &Path, scores: &Scores, scope: Scope) -> Result<()> {
    let mut file = super::partial_file(path)?;
    write_cards(&mut file, path, scores, scope)?;
    super::persist(file, path)
}

/// The rows of [`write_cards_csv`] into `out`; every error names `path`.
fn write_cards(
    mut out: impl std::io::Write,
    path: &Path,
    scores: &Scores,
    scope: Scope,
) -> Result<()> {
    let named =
        |e: &dyn std::fmt::Display| anyhow::anyhow!("{}: cannot write: {e}", path.display());
    out.write_all(b"\xEF\xBB\xBF").map_err(|e| named(&e))?;
    let mut w = csv::Writer::from_writer(std::io::BufWriter::new(out));
    let mut keys: Vec<(&CardKey, &Card)> = scores
        .cards
        .iter()
        .filter(|(k, _)| k.scope == scope)
        .collect();
    keys.sort_by(|(a, _), (b, _)| {
        (&a.shop, &a.name, a.period != crate::scores::ALL, &a.period).cmp(&(
            &b.shop,
            &b.name,
            b.period != crate::scores::ALL,
            &b.period,
        ))
    });
    for (k, c) in keys {
        let mut row = CardRow::of(k, c);
        for cell in [
            &mut row.period,
            &mut row.shop,
            &mut row.name,
            &mut row.latency_policy,
        ] {
            if let Cow::Owned(safe) = spreadsheet_cell(cell) {
                *cell = safe;
            }
        }
        w.serialize(row).map_err(|e| named(&e))?;
    }
    w.flush().map_err(|e| named(&e))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_plain_ones_kept() {
        assert_eq!(
            spreadsheet_cell("=HYPERLINK(\"http://x\",\"退款\")"),
            "'=HYPERLINK(\"http://x\",\"退款\")"
        );
        assert_eq!(spreadsheet_cell("+86 138"), "'+86 138");
        assert_eq!(spreadsheet_cell("-1"), "'-1");
        assert_eq!(spreadsheet_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_cell("  =1+1"), "'  =1+1");
        assert_eq!(spreadsheet_cell("\t=1"), "'\t=1");
        assert!(matches!(
            spreadsheet_cell("花花旗舰店:小美"),
            Cow::Borrowed(_)
        ));
        assert_eq!(spreadsheet_cell("a=b"), "a=b");
    }

    #[test]
    fn a_write_error_names_the_file() {
        struct Full;
        impl std::io::Write for Full {
            fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
                Err(std::io::ErrorKind::StorageFull.into())
            }
            fn flush(&mut self) -> std::io::Result<()> {
                Ok(())
            }
        }
        let scores = Scores::new(&crate::latency::LatencyPolicy::bundled());
        let e = write_cards(Full, Path::new("out/agents.csv"), &scores, Scope::Agent)
            .expect_err("the disk is full");
        assert!(
            e.to_string().starts_with("out/agents.csv: cannot write: "),
            "{e}"
        );
    }

    #[test]
    fn controls_and_bidi_overrides_become_visible() {
        assert_eq!(visible("a\u{1b}[31mb\u{7}"), "a<U+001B>[31mb<U+0007>");
        assert_eq!(visible("店\u{202E}lmth.exe"), "店<U+202E>lmth.exe");
        assert_eq!(visible("两行\n文字\t"), "两行\n文字\t");
    }
}
