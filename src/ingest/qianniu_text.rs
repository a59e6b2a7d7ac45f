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

/// The message being read: its header. Its content lines are collected in
/// a buffer the parser reuses for every message.
struct Open<'a> {
    sender: &'a str,
    time: Result<i64, String>,
    /// The header's lines (one, or a nick line and a time line).
    header: std::ops::Range<usize>,
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
    let mut drafts: Vec<Draft> = Vec::with_capacity(lines.len() / 2);
    let mut block_buyer: Option<String> = None;
    let mut open: Option<Open<'_>> = None;
    // Content lines of the open message (undecodable ones, already
    // rejected, are left out).
    let mut content: Vec<usize> = Vec::new();
    // The header reading of the line after a possible nick line, kept for
    // when the loop reaches that line: every line would be read twice.
    let mut next_header: Option<(usize, Option<text_lines::HeaderA<'_>>)> = None;
    let mut times = super::LocalTimes::default();
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
                close(ledger, &mut open, &mut content, &mut drafts);
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
            close(ledger, &mut open, &mut content, &mut drafts);
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
                close(ledger, &mut open, &mut content, &mut drafts);
                open = Some(Open {
                    sender: nick,
                    time: times.parse(date, &time, options),
                    header: i..i + 1,
                });
                i += 1;
                continue;
            }
        } else {
            let header = match next_header.take() {
                Some((line, header)) if line == i => header,
                _ => text_lines::header_a(t),
            };
            // Variant B: a nick line followed by a bare timestamp line.
            // Only a non-blank line that is no header can be a nick line.
            if header.is_none() && !text_lines::trim(t).is_empty() {
                let next = text_at(i + 1).and_then(text_lines::header_a);
                match next {
                    Some(h) if h.nick.is_empty() => {
                        close(ledger, &mut open, &mut content, &mut drafts);
                        open = Some(Open {
                            sender: text_lines::trim(t),
                            time: times.parse(h.date, h.time, options),
                            header: i..i + 2,
                        });
                        i += 2;
                        continue;
                    }
                    _ => next_header = Some((i + 1, next)),
                }
            }
            if let Some(h) = header {
                if h.nick.is_empty() {
                    ledger.reject(i, "timestamp line without a sender nick before it");
                    i += 1;
                    continue;
                }
                close(ledger, &mut open, &mut content, &mut drafts);
                open = Some(Open {
                    sender: h.nick,
                    time: times.parse(h.date, h.time, options),
                    header: i..i + 1,
                });
                i += 1;
                continue;
            }
        }
        if open.is_some() {
            content.push(i);
        } else if text_lines::trim(t).is_empty() {
            ledger.noise(i);
        } else {
            ledger.reject(i, "text before the first message header");
        }
        i += 1;
    }
    close(ledger, &mut open, &mut content, &mut drafts);
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

/// Finish the open message (its content lines are in `content`, which is
/// left empty): blank lines around the content are noise; a message whose
/// timestamp is impossible is rejected line by line.
fn close(
    ledger: &mut Ledger<'_>,
    open: &mut Option<Open<'_>>,
    content: &mut Vec<usize>,
    drafts: &mut Vec<Draft>,
) {
    let Some(o) = open.take() else {
        content.clear();
        return;
    };
    let lines = ledger.lines();
    let is_blank = |i: usize| text_lines::trim(lines[i].text()).is_empty();
    // Blank lines before and after the body are noise.
    let (f, l) = match content.iter().position(|&i| !is_blank(i)) {
        Some(f) => {
            let l = content.iter().rposition(|&i| !is_blank(i)).unwrap_or(f);
            (f, l + 1)
        }
        None => (content.len(), content.len()),
    };
    let body = &content[f..l];
    for &i in content[..f].iter().chain(&content[l..]) {
        ledger.noise(i);
    }
    let header_line = lines[o.header.start].number;
    let time = match o.time {
        Ok(t) => t,
        Err(reason) => {
            for i in o.header.clone() {
                ledger.reject(i, reason.clone());
            }
            for &i in body {
                ledger.reject(
                    i,
                    format!("content of the message at line {header_line}, rejected: {reason}"),
                );
            }
            content.clear();
            return;
        }
    };
    for i in o.header.clone().chain(body.iter().copied()) {
        ledger.used(i);
    }
    let text = match body {
        [one] => lines[*one].text().to_string(),
        _ => {
            let mut text =
                String::with_capacity(body.iter().map(|&i| lines[i].text().len() + 1).sum());
            for (k, &i) in body.iter().enumerate() {
                if k > 0 {
                    text.push('\n');
                }
                text.push_str(lines[i].text());
            }
            text
        }
    };
    let last_line = body.last().copied().unwrap_or(o.header.end - 1);
    drafts.push(Draft {
        sender: o.sender.to_string(),
        time: Some(time),
        kind: super::kind_of_text(&text),
        text,
        source: ledger.source(o.header.start, last_line),
        role: None,
        robot_mode: None,
    });
    content.clear();
}
