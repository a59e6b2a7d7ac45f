//! `qianniu-text`: text copied from the 千牛 chat window or exported from the
//! desktop message manager (technical.md §1.3, §1.5).
//!
//! Three header shapes are recognised:
//! * A: `nick YYYY-M-D H:MM:SS` (not zero-padded, nick possibly glued to the
//!   date), and C: `A --> B YYYY-M-D H:MM:SS`;
//! * B: a nick line followed by a bare `YYYY-M-D H:MM:SS` line;
//! * QQ-style export blocks: `消息对象:buyer` headers, then
//!   `YYYY-MM-DD HH:MM:SS [AM|PM] nick` lines. A file is read in this mode
//!   when it carries the export banner or a `消息对象:` line, so that a
//!   chat line that happens to start with a date is not taken as a header.
//!
//! Content is every line up to the next header or platform line. Platform
//! lines (撤回, 转交, 当前用户来自, 离线留言自动分配, notices) become system
//! messages; read receipts and banners are noise.

use super::text_lines::{self, SystemLine};
use super::{Draft, IngestOptions, Ledger, Parsed};
use crate::model::{MessageKind, Role};

struct Open {
    sender: String,
    time: Result<i64, String>,
    /// The header's lines (one, or a nick line and a time line).
    header: std::ops::Range<usize>,
    /// Content lines (undecodable ones, already rejected, are left out).
    content: Vec<usize>,
}

/// Whether a file is a QQ-style export, judged on its first lines.
pub(crate) fn is_qq_style(lines: &[super::decode::Line<'_>]) -> bool {
    lines.iter().take(400).any(|l| {
        let t = l.text();
        t.starts_with("消息对象") || t.starts_with("消息记录（")
    })
}

/// Where a large file may be cut so that each piece parses as the whole
/// file would: a QQ-style block header, or else a message header from a
/// buyer (the block state, current buyer and open message, restarts there).
pub(crate) fn is_cut_line(line: &str, qq_style: bool, options: &IngestOptions) -> bool {
    if qq_style {
        return line.starts_with("消息对象:") || line.starts_with("消息对象：");
    }
    match text_lines::header_a(line) {
        Some(h) => {
            !h.nick.is_empty()
                && text_lines::system_line(line).is_none()
                && options.roles.shop_of(h.nick).is_none()
                && !options.roles.is_robot_nick(h.nick)
        }
        None => false,
    }
}

pub(crate) fn parse(
    ledger: &mut Ledger<'_>,
    options: &IngestOptions,
    qq_style: bool,
    out: &mut Vec<Parsed>,
) {
    let lines = ledger.lines();
    let text_at = |i: usize| lines.get(i).and_then(|l| l.text.as_deref().ok());
    let mut drafts: Vec<Draft> = Vec::new();
    let mut block_buyer: Option<String> = None;
    let mut open: Option<Open> = None;
    let mut i = 0;
    while i < lines.len() {
        let Some(t) = text_at(i) else {
            i += 1; // undecodable: already rejected
            continue;
        };
        if qq_style {
            if let Some(rest) = t
                .strip_prefix("消息对象:")
                .or_else(|| t.strip_prefix("消息对象："))
            {
                close(ledger, options, &mut open, &mut drafts);
                super::settle_block(
                    std::mem::take(&mut drafts),
                    block_buyer.as_deref(),
                    None,
                    options,
                    out,
                );
                let who = rest.trim();
                block_buyer = (options.roles.shop_of(who).is_none() && !who.is_empty())
                    .then(|| who.to_string());
                ledger.used(i);
                i += 1;
                continue;
            }
        }
        if let Some(sys) = text_lines::system_line(t) {
            close(ledger, options, &mut open, &mut drafts);
            match sys {
                SystemLine::Noise => ledger.noise(i),
                SystemLine::Message { kind, nick } => {
                    ledger.used(i);
                    drafts.push(system_draft(ledger, i, t, kind, nick));
                }
            }
            i += 1;
            continue;
        }
        if qq_style {
            if let Some((date, time, nick)) = text_lines::header_qq(t) {
                close(ledger, options, &mut open, &mut drafts);
                open = Some(Open {
                    sender: nick.to_string(),
                    time: super::parse_local_time(date, &time, options),
                    header: i..i + 1,
                    content: Vec::new(),
                });
                i += 1;
                continue;
            }
        } else {
            // Variant B: a nick line followed by a bare timestamp line.
            let header = text_lines::header_a(t);
            // Only a non-blank line that is no header can be a nick line.
            let next_bare = (header.is_none() && !t.trim().is_empty())
                .then(|| text_at(i + 1).and_then(text_lines::header_a))
                .flatten()
                .filter(|h| h.nick.is_empty());
            if let Some(h) = next_bare {
                close(ledger, options, &mut open, &mut drafts);
                open = Some(Open {
                    sender: t.trim().to_string(),
                    time: super::parse_local_time(h.date, h.time, options),
                    header: i..i + 2,
                    content: Vec::new(),
                });
                i += 2;
                continue;
            }
            if let Some(h) = header {
                if h.nick.is_empty() {
                    ledger.reject(i, "timestamp line without a sender nick before it");
                    i += 1;
                    continue;
                }
                close(ledger, options, &mut open, &mut drafts);
                open = Some(Open {
                    sender: h.nick.to_string(),
                    time: super::parse_local_time(h.date, h.time, options),
                    header: i..i + 1,
                    content: Vec::new(),
                });
                i += 1;
                continue;
            }
        }
        match open.as_mut() {
            Some(o) => o.content.push(i),
            None if t.trim().is_empty() => ledger.noise(i),
            None => ledger.reject(i, "text before the first message header"),
        }
        i += 1;
    }
    close(ledger, options, &mut open, &mut drafts);
    super::settle_block(drafts, block_buyer.as_deref(), None, options, out);
}

fn system_draft(
    ledger: &Ledger<'_>,
    i: usize,
    text: &str,
    kind: MessageKind,
    nick: Option<String>,
) -> Draft {
    Draft {
        sender: nick.unwrap_or_else(|| "(system)".to_string()),
        time: None,
        text: text.to_string(),
        kind,
        source: ledger.source(i, i),
        role: Some(Role::System),
        robot_mode: None,
    }
}

/// Finish the open message: blank lines around the content are noise; a
/// message whose timestamp is impossible is rejected line by line.
fn close(
    ledger: &mut Ledger<'_>,
    _options: &IngestOptions,
    open: &mut Option<Open>,
    drafts: &mut Vec<Draft>,
) {
    let Some(o) = open.take() else { return };
    let lines = ledger.lines();
    let is_blank = |i: &usize| lines[*i].text().trim().is_empty();
    let first = o.content.iter().position(|i| !is_blank(i));
    let last = o.content.iter().rposition(|i| !is_blank(i));
    // Blank lines before and after the body are noise.
    let (f, l) = match (first, last) {
        (Some(f), Some(l)) => (f, l + 1),
        _ => (o.content.len(), o.content.len()),
    };
    let body = &o.content[f..l];
    for &i in o.content[..f].iter().chain(&o.content[l..]) {
        ledger.noise(i);
    }
    let header_line = lines[o.header.start].number;
    let time = match o.time {
        Ok(t) => t,
        Err(reason) => {
            for i in o.header.clone().chain(body.iter().copied()) {
                if o.header.contains(&i) {
                    ledger.reject(i, reason.clone());
                } else {
                    ledger.reject(
                        i,
                        format!("content of the message at line {header_line}, rejected: {reason}"),
                    );
                }
            }
            return;
        }
    };
    for i in o.header.clone().chain(body.iter().copied()) {
        ledger.used(i);
    }
    let text = match body {
        [one] => lines[*one].text().to_string(),
        _ => body
            .iter()
            .map(|&i| lines[i].text())
            .collect::<Vec<_>>()
            .join("\n"),
    };
    let last_line = body.last().copied().unwrap_or(o.header.end - 1);
    drafts.push(Draft {
        sender: o.sender,
        time: Some(time),
        kind: super::kind_of_text(&text),
        text,
        source: ledger.source(o.header.start, last_line),
        role: None,
        robot_mode: None,
    });
}
