//! SCR004 `quick-reply-overuse`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::rules::Ctx;
use std::collections::HashMap;

/// The same canned text sent again and again in one session.
pub static META: RuleMeta = RuleMeta {
    code: "SCR004",
    name: "quick-reply-overuse",
    family: "script",
    severity: Severity::Low,
    summary: "An agent sends the same text (spaces and punctuation aside) at least N times in one session: a quick reply (快捷短语) used instead of answering.",
    rationale: "Repeating a canned phrase to a buyer who asks different questions is 机械回复; QC vendors flag repetition. Greetings and closings are expected to repeat across sessions and are not counted.",
    options: "`[quick_reply_overuse] per_session`, `per_day`, `min_chars` in lexicons/rules.toml. `per_day` counts one account's identical texts on one local day across the sessions of a file.",
    fires: "客服 sends 「亲，这个问题已经为您反馈了，请耐心等待」 three times in one session",
    quiet: "客服 sends 「您好，欢迎光临」 in every session (a greeting)",
    file: file!(),
};

/// The Nth and later copies of the same text within the session. Agents
/// send canned sentences glued to other words (「还请您稍等，正在为您查询~ 审核
/// 通过了就会发货了呢」), so each sentence of a message counts on its own:
/// pieces between spaces and sentence-final marks (。！？~ …), of at least
/// `min_chars` chars once punctuation is dropped.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.quick_reply_overuse;
    // Keyed by the xxh3 digest of (account, sentence): SipHash over whole
    // texts cost more than the rest of the rule, and a 64-bit collision
    // between two sentences of one session is not a practical concern.
    let mut seen: HashMap<u64, usize, crate::model::DigestBuild> = HashMap::default();
    let mut piece = String::new();
    for (i, m) in ctx.session.messages.iter().enumerate() {
        if !ctx.is_agent_words(i) || ctx.bare[i].chars().count() < o.min_chars {
            continue;
        }
        let account = m.account.as_deref().unwrap_or("");
        let mut repeated = None;
        // A sentence pasted twice into one message was sent once.
        let mut in_message: Vec<u64> = Vec::new();
        for (start, end) in sentences(&m.text) {
            piece.clear();
            piece.push_str(account);
            piece.push('\u{1f}');
            if super::bare_into(&m.text[start..end], &mut piece) < o.min_chars {
                continue;
            }
            let key = xxhash_rust::xxh3::xxh3_64(piece.as_bytes());
            if in_message.contains(&key) {
                continue;
            }
            in_message.push(key);
            let n = seen.entry(key).or_insert(0);
            *n += 1;
            if *n >= o.per_session && repeated.is_none() {
                repeated = Some((start, end, *n));
            }
        }
        if let Some((start, end, n)) = repeated {
            out.push(ctx.finding(
                &META,
                i,
                Span::from_bytes(&m.text, start, end),
                format!("the same reply sent {n} times in this session"),
            ));
        }
    }
}

/// Byte ranges of the sentences of `text`: split at whitespace and
/// sentence-final marks, trimmed of them.
fn sentences(text: &str) -> Vec<(usize, usize)> {
    let is_end = |c: char| c.is_whitespace() || "。！!？?~～…".contains(c);
    let mut out = Vec::new();
    let mut start = None;
    for (at, c) in text.char_indices() {
        match (is_end(c), start) {
            (true, Some(s)) => {
                out.push((s, at));
                start = None;
            }
            (false, None) => start = Some(at),
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, text.len()));
    }
    out
}

/// The per-day half of the rule: the same text sent `per_day` times by one
/// account on one local day, across one file, counted in file order (a
/// large file read in pieces keeps its tally from piece to piece). Keys are
/// hashed (account, text, day), so memory grows by a few bytes per distinct
/// agent text, not by the texts.
#[derive(Debug, Default)]
pub struct DailyTally {
    counts: HashMap<u64, u32>,
    /// Messages that reached the count, waiting for their session.
    reached: std::collections::HashSet<String>,
}

impl DailyTally {
    /// The tally key of a message — (account, text without spaces and
    /// punctuation, local day), hashed — or `None` when the message does not
    /// count (not an agent's, untimed, too short). Independent of the
    /// tally, so it can be computed in parallel.
    pub fn key_of(m: &crate::model::Message, opts: &crate::rules::RuleOptions) -> Option<u64> {
        let human = m.role == crate::model::Role::Agent
            || (m.role == crate::model::Role::Robot
                && m.robot_mode == Some(crate::model::RobotMode::Assist));
        let (Some(account), Some(t), true) = (m.account.as_deref(), m.time, human) else {
            return None;
        };
        thread_local! {
            // The hashed bytes, reused from message to message.
            static KEY: std::cell::Cell<Vec<u8>> = const { std::cell::Cell::new(Vec::new()) };
        }
        KEY.with(|cell| {
            // One contiguous buffer hashed in one call: the same bytes (so
            // the same key) as streaming account, 0x1f, bare text and day.
            // The buffer is stored empty, so turning it back into a String
            // checks nothing.
            let mut buffer = cell.take();
            buffer.clear();
            let mut key = String::from_utf8(buffer).unwrap_or_default();
            key.push_str(account);
            key.push('\u{1f}');
            let chars = super::bare_into(&m.text, &mut key);
            let mut bytes = key.into_bytes();
            let digest = (chars >= opts.quick_reply_overuse.min_chars).then(|| {
                bytes.extend_from_slice(&crate::model::day_number(t).to_le_bytes());
                xxhash_rust::xxh3::xxh3_64(&bytes)
            });
            bytes.clear();
            cell.set(bytes);
            digest
        })
    }

    /// Count one message (in file order) under its [`DailyTally::key_of`].
    pub fn count(
        &mut self,
        m: &crate::model::Message,
        key: u64,
        opts: &crate::rules::RuleOptions,
        courtesy_share: &dyn Fn(&str) -> usize,
    ) {
        let n = self.counts.entry(key).or_insert(0);
        *n += 1;
        if *n as usize == opts.quick_reply_overuse.per_day {
            // Mostly a greeting or closing: expected to repeat.
            let len = super::bare(&m.text).chars().count();
            if courtesy_share(&m.text) * 2 < len {
                self.reached.insert(m.id.clone());
            }
        }
    }

    /// The findings of the counted messages that sit in `sessions`:
    /// (session index, finding) pairs.
    pub fn findings(
        &mut self,
        sessions: &[crate::model::Session],
        opts: &crate::rules::RuleOptions,
    ) -> Vec<(usize, Finding)> {
        let mut out = Vec::new();
        if self.reached.is_empty() {
            return out;
        }
        for (si, session) in sessions.iter().enumerate() {
            for (mi, m) in session.messages.iter().enumerate() {
                if self.reached.remove(&m.id) {
                    out.push((
                        si,
                        Finding::new(
                            &META,
                            session,
                            mi,
                            Span::whole(&m.text),
                            format!(
                                "the same reply sent {} times by this account today",
                                opts.quick_reply_overuse.per_day
                            ),
                        ),
                    ));
                }
            }
        }
        out
    }
}
