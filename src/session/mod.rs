//! Sessions: the messages of one conversation (shop, buyer) between two
//! inactivity gaps.
//!
//! Messages are grouped by conversation key, put in time order (a stable
//! sort, so messages without a time and messages with equal times keep their
//! file order), and split where the gap between consecutive timed messages
//! exceeds the configured gap (default 30 min, the V5/industry convention of
//! domain.md §1.4; JD uses 10 min). A conversation crossing midnight stays one
//! session: day boundaries matter to the latency rules, not to sessions.
//! Formats that carry explicit session ids (JDDC, the `session` field of
//! wwqa's own formats) keep them instead.
//!
//! Sessions never span files: a dump is processed file by file, which keeps
//! memory bounded by the largest file.

use crate::ingest::Parsed;
use crate::model::{ConversationKey, Message, MessageKind, Role, Session, Transfer};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Session splitting options.
#[derive(Debug, Clone, Copy)]
pub struct SessionOptions {
    /// Inactivity gap in seconds that starts a new session.
    pub gap_secs: i64,
}

impl Default for SessionOptions {
    fn default() -> Self {
        SessionOptions { gap_secs: 30 * 60 }
    }
}

/// Build the sessions of one file's messages, in order of first message.
pub fn sessionize(parsed: Vec<Parsed>, options: &SessionOptions) -> Vec<Session> {
    let mut sessions: Vec<Session> = split(parsed, options)
        .into_iter()
        .map(|(hint, messages)| build(messages, hint))
        .collect();
    sort_sessions(&mut sessions);
    sessions
}

/// File order: by first message.
fn sort_sessions(sessions: &mut [Session]) {
    sessions.sort_by(|a, b| {
        let ka = (&*a.messages[0].source.path, a.messages[0].source.line_start);
        let kb = (&*b.messages[0].source.path, b.messages[0].source.line_start);
        ka.cmp(&kb).then_with(|| a.id.cmp(&b.id))
    });
}

/// The messages of each session, with the explicit session id if any;
/// the sessions of one group are in time order.
fn split(parsed: Vec<Parsed>, options: &SessionOptions) -> Vec<(Option<Arc<str>>, Vec<Message>)> {
    // Group by explicit session id when present, else by conversation key;
    // the BTreeMap is keyed by first appearance so output order is file order.
    let mut order: BTreeMap<(Option<Arc<str>>, ConversationKey), usize> = BTreeMap::new();
    let mut groups: Vec<Vec<(Message, Option<Arc<str>>)>> = Vec::new();
    // Messages of one conversation mostly come in a run: the group of the
    // previous message is tried before the map (no key clone, no lookup).
    let mut previous: Option<usize> = None;
    for p in parsed {
        let same_as_previous = previous.is_some_and(|i| {
            groups[i].first().is_some_and(|(m, hint)| {
                *hint == p.session_hint && m.conversation == p.message.conversation
            })
        });
        let idx = match previous {
            Some(i) if same_as_previous => i,
            _ => {
                let key = (p.session_hint.clone(), p.message.conversation.clone());
                *order.entry(key).or_insert_with(|| {
                    groups.push(Vec::new());
                    groups.len() - 1
                })
            }
        };
        previous = Some(idx);
        groups[idx].push((p.message, p.session_hint));
    }
    let mut sessions = Vec::new();
    for mut group in groups {
        let hint = group[0].1.clone();
        if hint.is_some() {
            let messages: Vec<Message> = group.into_iter().map(|(m, _)| m).collect();
            sessions.push((hint, messages));
            continue;
        }
        sort_by_time(&mut group);
        let mut current: Vec<Message> = Vec::new();
        let mut last_time: Option<i64> = None;
        for (m, _) in group {
            if let (Some(prev), Some(t)) = (last_time, m.time) {
                if t - prev > options.gap_secs && !current.is_empty() {
                    sessions.push((None, std::mem::take(&mut current)));
                }
            }
            if m.time.is_some() {
                last_time = m.time;
            }
            current.push(m);
        }
        if !current.is_empty() {
            sessions.push((None, current));
        }
    }
    sessions
}

/// Sessions of a file read in pieces ([`crate::ingest::stream`]): each
/// piece's messages are pushed in file order, and the sessions that cannot
/// grow any more come out. A session is held back while it may continue in
/// the next piece: the latest session of the conversation the piece ended
/// in, and any session that ended less than one gap before the latest time
/// seen so far. The result equals [`sessionize`] of the whole file whenever
/// a conversation that pauses in the file resumes only after more than one
/// gap of time (true of per-conversation exports and of time-ordered dumps).
#[derive(Debug, Default)]
pub struct Sessionizer {
    options: SessionOptions,
    held: Vec<Parsed>,
    watermark: Option<i64>,
}

impl Sessionizer {
    /// A sessioniser for one file.
    pub fn new(options: SessionOptions) -> Self {
        Sessionizer {
            options,
            held: Vec::new(),
            watermark: None,
        }
    }

    /// Messages held back for the next piece.
    pub fn held_messages(&self) -> usize {
        self.held.len()
    }

    /// Push one piece's messages; `more_follows` is false for the last
    /// piece, which releases everything. Returns the finished sessions in
    /// file order.
    pub fn push(&mut self, parsed: Vec<Parsed>, more_follows: bool) -> Vec<Session> {
        let last_key = parsed
            .last()
            .map(|p| (p.session_hint.clone(), p.message.conversation.clone()));
        if let Some(t) = parsed.iter().filter_map(|p| p.message.time).max() {
            self.watermark = Some(self.watermark.map_or(t, |w| w.max(t)));
        }
        let mut all = std::mem::take(&mut self.held);
        all.extend(parsed);
        let groups = split(all, &self.options);
        let mut done = Vec::with_capacity(groups.len());
        // The latest session of the last conversation: `split` yields a
        // group's sessions in time order, so it is the last one with the key.
        let last_of_key = last_key.as_ref().and_then(|(hint, conv)| {
            groups
                .iter()
                .rposition(|(h, m)| h == hint && m.first().is_some_and(|m| &m.conversation == conv))
        });
        for (index, (hint, messages)) in groups.into_iter().enumerate() {
            let recent = match (self.watermark, messages.iter().rev().find_map(|m| m.time)) {
                (Some(w), Some(end)) => end >= w - self.options.gap_secs,
                _ => false,
            };
            if more_follows && (Some(index) == last_of_key || (hint.is_none() && recent)) {
                self.held.extend(messages.into_iter().map(|message| Parsed {
                    message,
                    session_hint: hint.clone(),
                }));
            } else {
                done.push(build(messages, hint));
            }
        }
        sort_sessions(&mut done);
        done
    }
}

/// Time order where untimed messages (system lines) stay right after the
/// message they followed in the file.
fn sort_by_time(group: &mut [(Message, Option<Arc<str>>)]) {
    let mut effective = Vec::with_capacity(group.len());
    let mut last = i64::MIN;
    for (m, _) in group.iter() {
        if let Some(t) = m.time {
            last = t;
        }
        effective.push(last);
    }
    let mut idx: Vec<usize> = (0..group.len()).collect();
    idx.sort_by_key(|&i| effective[i]);
    if idx.windows(2).all(|w| w[0] < w[1]) {
        return;
    }
    let sorted: Vec<(Message, Option<Arc<str>>)> = idx.iter().map(|&i| group[i].clone()).collect();
    group.clone_from_slice(&sorted);
}

fn build(messages: Vec<Message>, hint: Option<Arc<str>>) -> Session {
    let first = &messages[0];
    let id = match &hint {
        Some(h) => h.to_string(),
        None => crate::model::stable_id(&[
            first.source.path.as_bytes(),
            &first.source.line_start.to_le_bytes(),
            first.id.as_bytes(),
        ]),
    };
    let mut agents: Vec<String> = Vec::new();
    let mut transfers = Vec::new();
    for m in &messages {
        if matches!(m.role, Role::Agent | Role::Robot) {
            if let Some(a) = &m.account {
                if !agents.contains(a) {
                    agents.push(a.clone());
                }
            }
        }
        if let MessageKind::Transfer { from, to } = &m.kind {
            transfers.push(Transfer {
                from: from.clone(),
                to: to.clone(),
                message_id: m.id.clone(),
                time: m.time,
            });
        }
    }
    Session {
        id,
        conversation: first.conversation.clone(),
        start: messages.iter().find_map(|m| m.time),
        end: messages.iter().rev().find_map(|m| m.time),
        agents,
        transfers,
        messages,
    }
}
