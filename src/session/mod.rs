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

/// The sessions of a whole file, or the first rejected line as
/// `path:line: reason (N lines rejected in all)`: for evaluations, whose
/// message positions count every line and so must not lose one.
///
/// # Errors
/// Any rejected line.
pub fn sessions_of_file(
    path: &str,
    bytes: &[u8],
    options: &crate::ingest::IngestOptions,
) -> Result<Vec<Session>, String> {
    let parsed = crate::ingest::ingest_bytes(path, bytes, options);
    if let Some(r) = parsed.rejects.first() {
        return Err(format!(
            "{}:{}: {} ({} lines rejected in all)",
            r.path,
            r.line,
            r.reason,
            parsed.rejects.len()
        ));
    }
    Ok(sessionize(parsed.messages, &SessionOptions::default()))
}

/// Build the sessions of one file's messages, in order of first message.
pub fn sessionize(parsed: Vec<Parsed>, options: &SessionOptions) -> Vec<Session> {
    let mut sessions: Vec<Session> = split(Vec::new(), parsed, options)
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
///
/// Sessions are worked out on indices first, so each message is moved
/// once, into its session (a message is a few hundred bytes, and moving
/// them group by group showed up in profiles).
///
/// The messages are `earlier` followed by `later` (held messages and a new
/// piece), read in place rather than moved into one vector first.
fn split(
    earlier: Vec<Parsed>,
    later: Vec<Parsed>,
    options: &SessionOptions,
) -> Vec<(Option<Arc<str>>, Vec<Message>)> {
    let n = earlier.len() + later.len();
    let at = |i: usize| match earlier.get(i) {
        Some(p) => p,
        None => &later[i - earlier.len()],
    };
    // Group by explicit session id when present, else by conversation key;
    // groups are numbered by first appearance so output order is file order.
    let mut order: BTreeMap<(Option<Arc<str>>, ConversationKey), usize> = BTreeMap::new();
    let mut group_first: Vec<usize> = Vec::new();
    let mut group_of: Vec<usize> = Vec::with_capacity(n);
    // Messages of one conversation mostly come in a run: the group of the
    // previous message is tried before the map (no key clone, no lookup).
    let mut previous: Option<usize> = None;
    for (i, p) in earlier.iter().chain(&later).enumerate() {
        let same_as_previous = previous.is_some_and(|g| {
            let first = at(group_first[g]);
            first.session_hint == p.session_hint
                && first.message.conversation == p.message.conversation
        });
        let g = match previous {
            Some(g) if same_as_previous => g,
            _ => {
                let key = (p.session_hint.clone(), p.message.conversation.clone());
                *order.entry(key).or_insert_with(|| {
                    group_first.push(i);
                    group_first.len() - 1
                })
            }
        };
        previous = Some(g);
        group_of.push(g);
    }
    // The members of each group in file order, one slice per group.
    let mut bounds = vec![0usize; group_first.len() + 1];
    for &g in &group_of {
        bounds[g + 1] += 1;
    }
    for g in 0..group_first.len() {
        bounds[g + 1] += bounds[g];
    }
    let mut members = vec![0usize; n];
    let mut fill = bounds.clone();
    for (i, &g) in group_of.iter().enumerate() {
        members[fill[g]] = i;
        fill[g] += 1;
    }
    // Each message's session, and each session's id hint, size and whether
    // its messages need reordering by time; `rank` is a message's place in
    // time order within its group.
    let mut session_of = vec![0usize; n];
    let mut rank = vec![0usize; n];
    let mut sessions: Vec<(Option<Arc<str>>, usize, bool)> = Vec::new();
    let mut effective = vec![i64::MIN; n];
    for g in 0..group_first.len() {
        let group = &members[bounds[g]..bounds[g + 1]];
        let hint = at(group_first[g]).session_hint.clone();
        if hint.is_some() {
            for &i in group {
                session_of[i] = sessions.len();
            }
            sessions.push((hint, group.len(), false));
            continue;
        }
        // Time order where untimed messages (system lines) stay right
        // after the message they followed in the file: a stable sort on
        // the latest time seen, needed only when that goes backwards.
        let mut last = i64::MIN;
        let mut in_order = true;
        for &i in group {
            if let Some(t) = at(i).message.time {
                in_order &= t >= last;
                last = t;
            }
            effective[i] = last;
        }
        let sorted;
        let by_time: &[usize] = if in_order {
            group
        } else {
            let mut o = group.to_vec();
            o.sort_by_key(|&i| effective[i]);
            sorted = o;
            &sorted
        };
        let mut current = 0;
        let mut last_time: Option<i64> = None;
        for (place, &i) in by_time.iter().enumerate() {
            let time = at(i).message.time;
            if let (Some(prev), Some(t)) = (last_time, time) {
                if t - prev > options.gap_secs && current > 0 {
                    sessions.push((None, current, !in_order));
                    current = 0;
                }
            }
            if time.is_some() {
                last_time = time;
            }
            session_of[i] = sessions.len();
            rank[i] = place;
            current += 1;
        }
        if current > 0 {
            sessions.push((None, current, !in_order));
        }
    }
    let mut out: Vec<(Option<Arc<str>>, Vec<Message>)> = sessions
        .iter()
        .map(|(hint, len, _)| (hint.clone(), Vec::with_capacity(*len)))
        .collect();
    let mut ranks: Vec<Vec<usize>> = vec![Vec::new(); out.len()];
    for (i, p) in earlier.into_iter().chain(later).enumerate() {
        let s = session_of[i];
        if sessions[s].2 {
            ranks[s].push(rank[i]);
        }
        out[s].1.push(p.message);
    }
    for (s, (_, messages)) in out.iter_mut().enumerate() {
        if sessions[s].2 {
            let mut ranked: Vec<(usize, Message)> = std::mem::take(&mut ranks[s])
                .into_iter()
                .zip(messages.drain(..))
                .collect();
            ranked.sort_by_key(|(r, _)| *r);
            messages.extend(ranked.into_iter().map(|(_, m)| m));
        }
    }
    out
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
        let groups = split(std::mem::take(&mut self.held), parsed, &self.options);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceRef;

    /// The grouping and time order as first written (a clone-and-sort per
    /// group), which `split` must reproduce.
    fn reference(parsed: Vec<Parsed>, options: &SessionOptions) -> Vec<Session> {
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
        for group in groups {
            let hint = group[0].1.clone();
            if hint.is_some() {
                sessions.push(build(group.into_iter().map(|(m, _)| m).collect(), hint));
                continue;
            }
            let mut effective = Vec::new();
            let mut last = i64::MIN;
            for (m, _) in &group {
                if let Some(t) = m.time {
                    last = t;
                }
                effective.push(last);
            }
            let mut idx: Vec<usize> = (0..group.len()).collect();
            idx.sort_by_key(|&i| effective[i]);
            let mut current: Vec<Message> = Vec::new();
            let mut last_time: Option<i64> = None;
            for i in idx {
                let m = group[i].0.clone();
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
        sort_sessions(&mut sessions);
        sessions
    }

    fn message(line: u32, buyer: &str, time: Option<i64>) -> Parsed {
        Parsed {
            message: Message {
                id: format!("m{line}"),
                conversation: ConversationKey {
                    shop: "店".into(),
                    buyer: buyer.into(),
                },
                time,
                sender: buyer.into(),
                role: Role::Buyer,
                account: None,
                robot_mode: None,
                kind: MessageKind::Text,
                text: format!("t{line}"),
                source: SourceRef {
                    path: Arc::from("a.txt"),
                    line_start: line,
                    line_end: line,
                    byte_start: 0,
                    byte_end: 0,
                },
            },
            session_hint: None,
        }
    }

    #[test]
    fn split_matches_the_clone_and_sort_reading() {
        let options = SessionOptions::default();
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            (seed >> 33) % n
        };
        for round in 0..200 {
            let mut time = 1_700_000_000i64;
            let parsed: Vec<Parsed> = (0..40)
                .map(|line| {
                    // Forward mostly, sometimes a gap, sometimes backwards,
                    // sometimes untimed; three buyers; a few explicit ids.
                    time += match next(10) {
                        0 => 3_600,
                        1 => -900,
                        _ => next(300) as i64,
                    };
                    let t = (next(8) != 0).then_some(time);
                    let mut p = message(line + 1, ["a", "b", "c"][next(3) as usize], t);
                    if round % 4 == 0 && next(5) == 0 {
                        p.session_hint = Some(Arc::from("s1"));
                    }
                    p
                })
                .collect();
            assert_eq!(
                sessionize(parsed.clone(), &options),
                reference(parsed, &options),
                "round {round}"
            );
        }
    }
}
