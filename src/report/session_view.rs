//! One session rendered as a chat (buyer, agent, robot, system; times and
//! waits between messages) with every finding marked at its exact span and
//! its rule explained on hover and in a card; optionally with the 抽检
//! verdict form, which saves a JSON file in the browser (no server).
//!
//! The text is the original re-read from the dump
//! ([`crate::review::source`]); redaction, when on, masks each marked or
//! unmarked piece separately after the spans are cut, so the marks stay on
//! exactly the quoted characters.

use crate::finding::{Finding, Span};
use crate::model::{format_time, Message, Role};
use crate::report::html::escape;
use crate::report::redact::Redactor;
use crate::review::SessionRecord;
use std::fmt::Write;

/// Format of the verdict files the review page saves.
pub const VERDICT_FORMAT: &str = "wwqa-verdicts/1";

/// What to render.
pub struct SessionView<'a> {
    /// The session record from sessions.jsonl.
    pub session: &'a SessionRecord,
    /// Its messages, re-read from the dump.
    pub messages: &'a [Message],
    /// Its findings with their ids.
    pub findings: &'a [&'a (String, Finding)],
    /// Mask buyers' personal data.
    pub redactor: Option<&'a Redactor>,
    /// Add the verdict form.
    pub review: bool,
    /// Scan directory name, recorded in saved verdicts.
    pub scan_label: &'a str,
}

/// A piece of a message's text and the findings that cover it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Byte range in the text.
    pub start: usize,
    /// End of the byte range (exclusive).
    pub end: usize,
    /// Indexes (into the spans given) of the findings covering it.
    pub covered_by: Vec<usize>,
}

/// Cut `text` at every span boundary so overlapping spans become runs of
/// pieces, each with the spans covering it. Spans off a char boundary or
/// past the end are ignored (never panic on a stale finding).
pub fn segments(text: &str, spans: &[Span]) -> Vec<Segment> {
    let valid = |s: &Span| {
        s.byte_start <= s.byte_end
            && s.byte_end <= text.len()
            && text.is_char_boundary(s.byte_start)
            && text.is_char_boundary(s.byte_end)
    };
    let mut cuts = vec![0, text.len()];
    for s in spans.iter().filter(|s| valid(s)) {
        cuts.push(s.byte_start);
        cuts.push(s.byte_end);
    }
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .map(|w| Segment {
            start: w[0],
            end: w[1],
            covered_by: spans
                .iter()
                .enumerate()
                .filter(|(_, s)| valid(s) && s.byte_start <= w[0] && w[1] <= s.byte_end)
                .map(|(i, _)| i)
                .collect(),
        })
        .collect()
}

/// `3m13s`, `45s`, `1h02m`.
pub fn format_wait(secs: i64) -> String {
    let s = secs.max(0);
    if s < 60 {
        format!("{s}s")
    } else if s < 3600 {
        format!("{}m{:02}s", s / 60, s % 60)
    } else {
        format!("{}h{:02}m", s / 3600, (s % 3600) / 60)
    }
}

fn role_class(role: Role) -> &'static str {
    match role {
        Role::Buyer => "buyer",
        Role::Agent => "agent",
        Role::Robot => "robot",
        Role::System => "system",
    }
}

/// Rule title and explanation shown on hover and in the card.
fn rule_text(code: &str) -> (String, String) {
    match crate::rules::find(code) {
        Some(m) => (
            format!("{} {}", m.code, m.name),
            format!("{} — {}", m.summary, m.rationale),
        ),
        None => (code.to_string(), String::new()),
    }
}

/// The page.
pub fn render(view: &SessionView<'_>) -> String {
    let s = view.session;
    let buyer = &s.conversation.buyer;
    let red = |text: &str| -> String {
        match view.redactor {
            Some(r) => r.redact_message(text, &[buyer.as_str()]),
            None => text.to_string(),
        }
    };
    let nick = |m: &Message| -> String {
        match (view.redactor, m.role) {
            (Some(r), Role::Buyer) => r.mask_nick(&m.sender),
            (Some(r), _) => r.redact_message(&m.sender, &[buyer.as_str()]),
            _ => m.sender.clone(),
        }
    };
    let buyer_shown = view.redactor.map_or(buyer.clone(), |r| r.mask_nick(buyer));

    // Which message each finding marks.
    let located: Vec<Option<usize>> = view
        .findings
        .iter()
        .map(|f| crate::review::source::locate(view.messages, &f.1))
        .collect();

    let mut h = String::with_capacity(16 * 1024);
    let title = format!("会话 {} · {} / {}", s.id, s.conversation.shop, buyer_shown);
    let _ = write!(
        h,
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>{}</title><style>{CSS}</style></head><body>",
        escape(&title)
    );
    let _ = write!(
        h,
        "<header><h1>{}</h1><p class=\"meta\">店铺 shop <b>{}</b> · 买家 buyer <b>{}</b> · 客服 agents {} · 阶段 stage <b>{}</b> · {} · <code>{}:{}-{}</code></p><p class=\"meta\">{}</p></header>",
        escape(&format!("会话 session {}", s.id)),
        escape(&s.conversation.shop),
        escape(&buyer_shown),
        escape(&s.agents.iter().map(|a| red(a)).collect::<Vec<_>>().join("、")),
        escape(s.stage_name()),
        escape(&match (s.start, s.end) {
            (Some(a), Some(b)) => format!("{} – {}", format_time(a), format_time(b)),
            _ => "untimed".to_string(),
        }),
        escape(&s.path),
        s.lines[0],
        s.lines[1],
        if view.redactor.is_some() {
            "买家昵称与个人信息已脱敏 · buyers' personal data masked"
        } else {
            "未脱敏 · UNREDACTED: contains buyers' personal data"
        }
    );
    if view.review {
        let _ = write!(
            h,
            "<section class=\"form\"><label>审核人 reviewer <input id=\"reviewer\" autocomplete=\"name\"></label> \
<button id=\"save\" type=\"button\">保存判定 Save verdicts (JSON)</button> <span id=\"status\"></span>\
<p class=\"hint\">每条发现选 确认 / 误报 / 存疑，保存后用 <code>wwqa review import FILE --scan DIR</code> 导入。 \
Mark each finding confirmed / false positive / unsure, save, then import the file.</p></section>"
        );
    }
    h.push_str("<main><section class=\"chat\">");
    let mut previous: Option<i64> = None;
    for (mi, m) in view.messages.iter().enumerate() {
        let mine: Vec<usize> = (0..view.findings.len())
            .filter(|&i| located[i] == Some(mi))
            .collect();
        let spans: Vec<Span> = mine.iter().map(|&i| view.findings[i].1.span).collect();
        let wait = match (previous, m.time) {
            (Some(p), Some(t)) if t > p => {
                format!(
                    " <span class=\"wait\" title=\"since the previous message\">+{}</span>",
                    format_wait(t - p)
                )
            }
            _ => String::new(),
        };
        if m.time.is_some() {
            previous = m.time;
        }
        let _ = write!(
            h,
            "<div class=\"msg {}\" id=\"m-{}\"><div class=\"who\">{} <span class=\"role\">{}</span> <time>{}</time>{wait} <code>{}</code></div><div class=\"text\">",
            role_class(m.role),
            escape(&m.id),
            escape(&nick(m)),
            role_class(m.role),
            escape(&m.time.map(format_time).unwrap_or_default()),
            escape(&m.source.location()),
        );
        let mut opened: Vec<usize> = Vec::new();
        for seg in segments(&m.text, &spans) {
            let piece = escape(&red(&m.text[seg.start..seg.end])).into_owned();
            if seg.covered_by.is_empty() {
                h.push_str(&piece);
                continue;
            }
            let fids: Vec<&str> = seg
                .covered_by
                .iter()
                .map(|&k| view.findings[mine[k]].0.as_str())
                .collect();
            let tip: Vec<String> = seg
                .covered_by
                .iter()
                .map(|&k| {
                    let (t, e) = rule_text(&view.findings[mine[k]].1.code);
                    format!("{t}: {e}")
                })
                .collect();
            // Each finding's anchor sits before its first piece (several
            // findings may share one piece).
            for &k in &seg.covered_by {
                if !opened.contains(&k) {
                    opened.push(k);
                    let _ = write!(
                        h,
                        "<a class=\"anchor\" id=\"f-{}\"></a>",
                        view.findings[mine[k]].0
                    );
                }
            }
            let sev = seg
                .covered_by
                .iter()
                .map(|&k| view.findings[mine[k]].1.severity)
                .max()
                .map_or("low", |s| s.as_str());
            let _ = write!(
                h,
                "<mark class=\"{sev}\" data-f=\"{}\" title=\"{}\" tabindex=\"0\">{piece}</mark>",
                fids.join(" "),
                escape(&tip.join("\n"))
            );
        }
        h.push_str("</div></div>");
    }
    h.push_str("</section><aside><h2>发现 Findings</h2>");
    if view.findings.is_empty() {
        h.push_str("<p>本会话无机器发现。No machine findings in this session.</p>");
    }
    for (i, (fid, f)) in view.findings.iter().map(|p| (&p.0, &p.1)).enumerate() {
        let (t, e) = rule_text(&f.code);
        let where_ = match located[i] {
            Some(_) => format!("<a href=\"#f-{fid}\">{}</a>", escape(&f.location)),
            None => format!(
                "{} <b class=\"warn\">未在原文中找到 not found in the re-read text</b>",
                escape(&f.location)
            ),
        };
        let _ = write!(
            h,
            "<div class=\"card {}\" id=\"c-{fid}\" data-fid=\"{fid}\" data-code=\"{}\"><div><b>{}</b> <span class=\"sev\">{}</span> · {where_}</div><div>{}</div><div class=\"quote\">「{}」</div><details><summary>规则说明 rule</summary>{}</details>",
            f.severity.as_str(),
            escape(&f.code),
            escape(&t),
            f.severity.as_str(),
            escape(&red(&f.message)),
            escape(&red(&f.quote)),
            escape(&e),
        );
        if view.review {
            let _ = write!(
                h,
                "<fieldset class=\"verdict\"><label><input type=\"radio\" name=\"v-{fid}\" value=\"confirmed\">确认 confirmed</label>\
<label><input type=\"radio\" name=\"v-{fid}\" value=\"false_positive\">误报 false positive</label>\
<label><input type=\"radio\" name=\"v-{fid}\" value=\"unsure\">存疑 unsure</label>\
<input class=\"note\" placeholder=\"备注 note\"></fieldset>"
            );
        }
        h.push_str("</div>");
    }
    h.push_str("</aside></main>");
    let meta = serde_json::json!({
        "format": VERDICT_FORMAT,
        "session_id": s.id,
        "scan": view.scan_label,
    });
    // `<` escaped so the JSON cannot close the script element.
    let _ = write!(
        h,
        "<script type=\"application/json\" id=\"wwqa-meta\">{}</script><script>{JS}</script></body></html>",
        meta.to_string().replace('<', "\\u003c")
    );
    h
}

const CSS: &str = "body{font:14px/1.5 system-ui,'PingFang SC','Noto Sans CJK SC',sans-serif;margin:0;color:#222;background:#f6f7f9}\
header,.form{padding:8px 16px;background:#fff;border-bottom:1px solid #ddd}h1{font-size:18px;margin:4px 0}.meta{margin:2px 0;color:#555}\
main{display:flex;gap:16px;padding:16px;align-items:flex-start}.chat{flex:3;min-width:0}aside{flex:2;min-width:260px;position:sticky;top:0;max-height:100vh;overflow:auto}\
.msg{max-width:80%;margin:6px 0;padding:6px 10px;border-radius:8px;background:#fff;border:1px solid #e3e3e3}\
.msg.buyer{margin-right:auto}.msg.agent{margin-left:auto;background:#e8f3ff}.msg.robot{margin-left:auto;background:#eef7ee}\
.msg.system{margin:6px auto;background:#f0f0f0;color:#666;font-size:12px}.who{font-size:12px;color:#666}.role{text-transform:uppercase;font-size:10px}\
.wait{color:#b35900;font-weight:600}.text{white-space:pre-wrap;word-break:break-word}\
mark{cursor:pointer;border-radius:3px;padding:0 1px}mark.low{background:#fff2a8}mark.medium{background:#ffc98a}mark.high{background:#ff9b9b}\
mark.focus,.card.focus{outline:2px solid #0066cc}.card{background:#fff;border:1px solid #ddd;border-left:4px solid #ccc;border-radius:6px;padding:6px 8px;margin:6px 0}\
.card.medium{border-left-color:#f08c00}.card.high{border-left-color:#d00}.sev{font-size:12px;color:#666}.quote{color:#444}.warn{color:#b00}\
fieldset.verdict{border:0;padding:4px 0;margin:0}fieldset label{margin-right:8px}.note{width:100%;box-sizing:border-box}.hint{color:#666;font-size:12px;margin:4px 0}";

const JS: &str = r#"(function(){
var meta=JSON.parse(document.getElementById('wwqa-meta').textContent);
function focusCard(fid){document.querySelectorAll('.focus').forEach(function(e){e.classList.remove('focus')});
var c=document.getElementById('c-'+fid);if(c){c.classList.add('focus');c.scrollIntoView({block:'nearest'});}
document.querySelectorAll('mark[data-f~="'+fid+'"]').forEach(function(m){m.classList.add('focus');});}
document.querySelectorAll('mark[data-f]').forEach(function(m){m.addEventListener('click',function(){focusCard(m.getAttribute('data-f').split(' ')[0]);});});
function fromHash(){var h=location.hash;if(h.indexOf('#f-')===0){focusCard(h.slice(3));}}
window.addEventListener('hashchange',fromHash);fromHash();
var save=document.getElementById('save');if(!save)return;
save.addEventListener('click',function(){
var reviewer=document.getElementById('reviewer').value.trim();var out=[];
document.querySelectorAll('.card[data-fid]').forEach(function(c){var fid=c.getAttribute('data-fid');
var r=c.querySelector('input[type=radio]:checked');if(!r)return;
out.push({finding_id:fid,code:c.getAttribute('data-code'),verdict:r.value,note:c.querySelector('.note').value});});
var st=document.getElementById('status');
if(!reviewer){st.textContent='请填写审核人 enter a reviewer name';return;}
var doc={format:meta.format,scan:meta.scan,session_id:meta.session_id,reviewer:reviewer,saved_at:new Date().toISOString(),verdicts:out};
var blob=new Blob([JSON.stringify(doc,null,1)],{type:'application/json'});
var a=document.createElement('a');a.href=URL.createObjectURL(blob);a.download='verdicts-'+meta.session_id+'.json';
document.body.appendChild(a);a.click();setTimeout(function(){URL.revokeObjectURL(a.href);a.remove();},1000);
st.textContent='已保存 '+out.length+' 条 saved '+out.length+' verdict(s)';});
})();"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlapping_spans_become_pieces_that_rebuild_each_quote() {
        let text = "全网最低，亲，绝对正品";
        // 「全网最低」 and 「全网最低，亲」 overlap; 「绝对」 stands alone.
        let spans = [
            Span::from_bytes(text, 0, "全网最低".len()),
            Span::from_bytes(text, 0, "全网最低，亲".len()),
            Span::from_bytes(text, "全网最低，亲，".len(), "全网最低，亲，绝对".len()),
        ];
        let segs = segments(text, &spans);
        let rebuilt = |i: usize| -> String {
            segs.iter()
                .filter(|s| s.covered_by.contains(&i))
                .map(|s| &text[s.start..s.end])
                .collect()
        };
        assert_eq!(rebuilt(0), "全网最低");
        assert_eq!(rebuilt(1), "全网最低，亲");
        assert_eq!(rebuilt(2), "绝对");
        let all: String = segs.iter().map(|s| &text[s.start..s.end]).collect();
        assert_eq!(all, text);
        assert_eq!(segs[0].covered_by, vec![0, 1]);
        assert!(
            segs.last().unwrap().covered_by.is_empty(),
            "「正品」 is unmarked"
        );
    }

    #[test]
    fn spans_off_a_char_boundary_are_ignored_not_a_panic() {
        let text = "亲，在的";
        let bad = Span {
            char_start: 0,
            char_end: 1,
            byte_start: 1,
            byte_end: 3,
        };
        let segs = segments(text, &[bad]);
        assert_eq!(segs.len(), 1);
        assert!(segs[0].covered_by.is_empty());
    }

    #[test]
    fn waits_read_as_minutes_and_seconds() {
        assert_eq!(format_wait(45), "45s");
        assert_eq!(format_wait(193), "3m13s");
        assert_eq!(format_wait(3720), "1h02m");
    }
}
