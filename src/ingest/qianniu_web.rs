//! `qianniu-web`: text of the web 聊天记录查询 page (technical.md §1.2): a
//! date line, then per message a bare `HH:MM:SS` line, the content line(s),
//! and the sender line. The page shows one buyer's conversation.

use super::text_lines::{self, SystemLine};
use super::{Draft, IngestOptions, Ledger, Parsed};
use crate::model::Role;

struct Open {
    time_line: usize,
    date: Option<String>,
    body: Vec<usize>,
}

pub(crate) fn parse(ledger: &mut Ledger<'_>, options: &IngestOptions, out: &mut Vec<Parsed>) {
    let lines = ledger.lines();
    let mut drafts = Vec::new();
    let mut date: Option<String> = None;
    let mut open: Option<Open> = None;
    for (i, line) in lines.iter().enumerate() {
        let Ok(t) = line.text.as_deref() else {
            continue;
        };
        if let Some(d) = text_lines::date_line(t) {
            close(ledger, options, &mut open, &mut drafts);
            date = Some(d);
            ledger.used(i);
            continue;
        }
        if text_lines::is_bare_time(t) {
            close(ledger, options, &mut open, &mut drafts);
            open = Some(Open {
                time_line: i,
                date: date.clone(),
                body: Vec::new(),
            });
            continue;
        }
        {
            if let Some(sys) = text_lines::system_line(t) {
                match sys {
                    SystemLine::Noise => ledger.noise(i),
                    SystemLine::Message { kind, nick } => {
                        close(ledger, options, &mut open, &mut drafts);
                        ledger.used(i);
                        drafts.push(Draft {
                            sender: nick.unwrap_or_else(|| "(system)".to_string()),
                            time: None,
                            text: t.to_string(),
                            kind,
                            source: ledger.source(i, i),
                            role: Some(Role::System),
                            robot_mode: None,
                        });
                    }
                }
                continue;
            }
        }
        match open.as_mut() {
            Some(o) => o.body.push(i),
            None if t.trim().is_empty() => ledger.noise(i),
            None => ledger.reject(i, "text before the first time line"),
        }
    }
    close(ledger, options, &mut open, &mut drafts);
    super::settle_block(drafts, None, None, options, out);
}

/// The last non-blank line is the sender; the lines between are content.
fn close(
    ledger: &mut Ledger<'_>,
    options: &IngestOptions,
    open: &mut Option<Open>,
    drafts: &mut Vec<Draft>,
) {
    let Some(o) = open.take() else { return };
    let lines = ledger.lines();
    let non_blank: Vec<usize> = o
        .body
        .iter()
        .copied()
        .filter(|&i| !lines[i].text().trim().is_empty())
        .collect();
    for &i in &o.body {
        if lines[i].text().trim().is_empty() {
            ledger.noise(i);
        }
    }
    let Some((&sender_line, content)) = non_blank.split_last() else {
        ledger.reject(
            o.time_line,
            "time line with no content and no sender line after it",
        );
        return;
    };
    let time_text = lines[o.time_line].text().trim().to_string();
    let time = match &o.date {
        None => Err("message before any date line: its day is unknown".to_string()),
        Some(d) => super::parse_local_time(d, &time_text, options),
    };
    let all: Vec<usize> = std::iter::once(o.time_line)
        .chain(non_blank.iter().copied())
        .collect();
    let time = match time {
        Ok(t) => t,
        Err(reason) => {
            for i in all {
                ledger.reject(i, reason.clone());
            }
            return;
        }
    };
    for &i in &all {
        ledger.used(i);
    }
    let first = content.first().copied().unwrap_or(sender_line);
    let last = content.last().copied().unwrap_or(first);
    let text = lines_text(lines, content);
    drafts.push(Draft {
        sender: lines[sender_line].text().trim().to_string(),
        time: Some(time),
        kind: super::kind_of_text(&text),
        text,
        // The content lines are the message's text; the source spans them
        // (time and sender lines are its frame).
        source: if content.is_empty() {
            ledger.source(o.time_line, sender_line)
        } else {
            ledger.source(first, last)
        },
        role: None,
        robot_mode: None,
    });
}

fn lines_text(lines: &[super::decode::Line<'_>], idx: &[usize]) -> String {
    idx.iter()
        .map(|&i| lines[i].text())
        .collect::<Vec<_>>()
        .join("\n")
}
