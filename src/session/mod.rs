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
    // Group by explicit session id when present, else by conversation key;
    // the BTreeMap is keyed by first appearance so output order is file order.
    let mut order: BTreeMap<(Option<Arc<str>>, ConversationKey), usize> = BTreeMap::new();
    let mut groups: Vec<Vec<(Message, Option<Arc<str>>)>> = Vec::new();
    for p in parsed {
        let key = (p.session_hint.clone(), p.message.conversation.clone());
        let idx = *order.entry(key).or_insert_with(|| {
            groups.push(Vec::new());
            groups.len() - 1
        });
        groups[idx].push((p.message, p.session_hint));
    }
    let mut sessions = Vec::new();
    for mut group in groups {
        let hint = group[0].1.clone();
        if hint.is_some() {
            let messages: Vec<Message> = group.into_iter().map(|(m, _)| m).collect();
            sessions.push(build(messages, hint));
            continue;
        }
        sort_by_time(&mut group);
        let mut current: Vec<Message> = Vec::new();
        let mut last_time: Option<i64> = None;
        for (m, _) in group {
            if let (Some(prev), Some(t)) = (last_time, m.time) {
                if t - prev > options.gap_secs && !current.is_empty() {
                    sessions.push(build(std::mem::take(&mut current), None));
                }
            }
            if m.time.is_some() {
                last_time = m.time;
            }
            current.push(m);
        }
        if !current.is_empty() {
            sessions.push(build(current, None));
        }
    }
    sessions.sort_by(|a, b| {
        let ka = (&*a.messages[0].source.path, a.messages[0].source.line_start);
        let kb = (&*b.messages[0].source.path, b.messages[0].source.line_start);
        ka.cmp(&kb).then_with(|| a.id.cmp(&b.id))
    });
    sessions
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
