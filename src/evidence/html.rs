//! The printable page of a bundle: one self-contained HTML file (inline CSS,
//! no script, no network) that a complaint reviewer can open or print.

use super::{Bundle, BundleHighlight, HighlightKind};
use std::fmt::Write;

const STYLE: &str = r#"
body{font-family:"PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC",sans-serif;margin:2em auto;max-width:60em;color:#111;line-height:1.5}
h1{font-size:1.4em;margin-bottom:.2em}
.notice{border:2px solid #b00;background:#fff4f4;padding:.6em .8em;margin:1em 0}
table{border-collapse:collapse;width:100%}
th,td{border:1px solid #999;padding:.25em .45em;vertical-align:top;text-align:left}
th{background:#eee}
.meta td:first-child{white-space:nowrap;font-weight:bold;width:11em}
.msg td.text{white-space:pre-wrap;word-break:break-all}
.msg td.n,.msg td.time,.msg td.loc{white-space:nowrap;font-size:.9em}
.role-buyer{background:#f7fbff}.role-agent{background:#fff}.role-robot{background:#f8f8f0}.role-system{background:#f2f2f2;color:#444}
.session td{background:#ddd;font-weight:bold;font-size:.9em}
mark.evidence{background:#ffd24d;border-bottom:2px solid #b00}
mark.candidate{background:#cfe8ff;border-bottom:2px dashed #036}
.legend span{display:inline-block;margin-right:1.5em}
.hash,code{font-family:"SFMono-Regular",Consolas,"Liberation Mono",monospace;font-size:.78em;word-break:break-all}
footer{margin-top:2em;border-top:2px solid #333;padding-top:.5em}
@media print{
 body{margin:0;max-width:none;font-size:10pt}
 tr{page-break-inside:avoid}
 thead{display:table-header-group}
 mark.evidence{background:none;border:1.5pt solid #000;font-weight:bold}
 mark.candidate{background:none;border:1pt dashed #000}
 .notice{border-width:1.5pt}
 footer{page-break-before:always}
}
"#;

/// Escape text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    crate::report::html::escape(text).into_owned()
}

/// The message text with its highlights wrapped in `<mark>`. Overlapping
/// highlights are cut at every boundary so marks never nest; a piece covered
/// by any evidence highlight is marked as evidence.
fn marked_text(text: &str, highlights: &[&BundleHighlight]) -> String {
    let mut cuts: Vec<usize> = vec![0, text.len()];
    for h in highlights {
        cuts.push(h.span.byte_start);
        cuts.push(h.span.byte_end);
    }
    cuts.retain(|&c| c <= text.len() && text.is_char_boundary(c));
    cuts.sort_unstable();
    cuts.dedup();
    let mut out = String::new();
    for w in cuts.windows(2) {
        let (a, b) = (w[0], w[1]);
        let Some(piece) = text.get(a..b) else {
            continue;
        };
        let covering: Vec<&&BundleHighlight> = highlights
            .iter()
            .filter(|h| h.span.byte_start <= a && b <= h.span.byte_end)
            .collect();
        if covering.is_empty() {
            out.push_str(&escape(piece));
            continue;
        }
        let class = if covering.iter().any(|h| h.kind == HighlightKind::Evidence) {
            "evidence"
        } else {
            "candidate"
        };
        let title: Vec<String> = covering
            .iter()
            .map(|h| format!("{} {} ({})", h.code, h.label, h.status))
            .collect();
        let _ = write!(
            out,
            "<mark class=\"{class}\" title=\"{}\">{}</mark>",
            escape(&title.join("; ")),
            escape(piece)
        );
    }
    out
}

/// Render the bundle as one printable, self-contained HTML page.
pub fn render_html(bundle: &Bundle) -> String {
    let mut h = String::with_capacity(4096 + bundle.messages.len() * 400);
    let title = format!(
        "聊天记录证据包 {} · {} ↔ {}",
        bundle.case_id, bundle.shop, bundle.buyer
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        escape(&title),
        escape(&title)
    );
    let _ = writeln!(
        h,
        "<p class=\"notice\"><strong>原文未脱敏 / Unredacted original text.</strong> {}</p>",
        escape(&bundle.notice)
    );
    let window = match (&bundle.request.from_local, &bundle.request.to_local) {
        (None, None) => "全部 (whole conversation)".to_string(),
        (f, t) => format!(
            "{} — {}",
            f.as_deref().unwrap_or("…"),
            t.as_deref().unwrap_or("…")
        ),
    };
    let within = match bundle.platform_window.within_90_days {
        Some(true) => "是 (yes)",
        Some(false) => "否 (no): older than 90 days",
        None => "未知 (no timestamps)",
    };
    let rows: [(&str, String); 9] = [
        ("案件编号 Case", bundle.case_id.clone()),
        ("店铺 Shop", bundle.shop.clone()),
        ("买家 Buyer", bundle.buyer.clone()),
        ("请求时段 Window", window),
        (
            "记录时段 Range",
            format!(
                "{} — {}",
                bundle.first_time.as_deref().unwrap_or("?"),
                bundle.last_time.as_deref().unwrap_or("?")
            ),
        ),
        (
            "消息 / 会话 Messages / sessions",
            format!("{} / {}", bundle.messages.len(), bundle.sessions.len()),
        ),
        ("90天内 Within 90 days", within.to_string()),
        (
            "生成 Generated",
            format!("{} ({})", bundle.generated_at, bundle.generator),
        ),
        ("说明 Note", bundle.platform_window.note.clone()),
    ];
    h.push_str("<table class=\"meta\">\n");
    for (k, v) in rows {
        let _ = writeln!(h, "<tr><td>{}</td><td>{}</td></tr>", escape(k), escape(&v));
    }
    h.push_str("</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"legend\"><strong>图例 Legend:</strong> <span><mark class=\"evidence\">证据 evidence</mark> rule hit quoting the text</span><span><mark class=\"candidate\">待复核 candidate</mark> {}</span></p>",
        escape(super::CANDIDATE_STATUS)
    );

    h.push_str("<table class=\"msg\">\n<thead><tr><th>#</th><th>时间 Time</th><th>发送人 Sender</th><th>角色 Role</th><th>内容 Text</th><th>来源 Source</th></tr></thead>\n<tbody>\n");
    let mut next_session = 0;
    for m in &bundle.messages {
        while let Some(s) = bundle.sessions.get(next_session) {
            if s.first_index > m.index {
                break;
            }
            next_session += 1;
            if s.first_index == m.index {
                let _ = writeln!(
                    h,
                    "<tr class=\"session\"><td colspan=\"6\">会话 Session {} · {} — {}</td></tr>",
                    escape(&s.id),
                    escape(s.start.as_deref().unwrap_or("?")),
                    escape(s.end.as_deref().unwrap_or("?"))
                );
            }
        }
        let marks: Vec<&BundleHighlight> = bundle
            .highlights
            .iter()
            .filter(|x| x.message_index == m.index)
            .collect();
        let _ = writeln!(
            h,
            "<tr class=\"role-{role}\" id=\"m{n}\"><td class=\"n\">{n}</td><td class=\"time\">{time}</td><td>{sender}</td><td>{role}</td><td class=\"text\">{text}</td><td class=\"loc\"><code>{loc}</code></td></tr>",
            role = m.role.as_str(),
            n = m.index,
            time = escape(m.time.as_deref().unwrap_or("—")),
            sender = escape(&m.sender),
            text = marked_text(&m.text, &marks),
            loc = escape(&m.location),
        );
    }
    h.push_str("</tbody>\n</table>\n");

    if !bundle.highlights.is_empty() {
        h.push_str("<h2>标注 Highlights</h2>\n<table>\n<thead><tr><th>#</th><th>规则 Code</th><th>标签 Label</th><th>状态 Status</th><th>引文 Quote</th><th>来源 Source</th></tr></thead>\n<tbody>\n");
        for x in &bundle.highlights {
            let _ = writeln!(
                h,
                "<tr><td><a href=\"#m{i}\">{i}</a></td><td>{}</td><td>{}</td><td>{}</td><td><mark class=\"{}\">{}</mark></td><td><code>{}</code></td></tr>",
                escape(&x.code),
                escape(&x.label),
                escape(&x.status),
                match x.kind {
                    HighlightKind::Evidence => "evidence",
                    HighlightKind::Candidate => "candidate",
                },
                escape(&x.quote),
                escape(&x.location),
                i = x.message_index,
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }

    h.push_str("<footer>\n<h2>校验值 Hashes (SHA-256)</h2>\n");
    let _ = write!(
        h,
        "<p>{}</p>\n<p>Range hash: <span class=\"hash\">{}</span><br>Header hash h<sub>0</sub>: <span class=\"hash\">{}</span></p>\n",
        escape(&bundle.hash_scheme),
        escape(&bundle.range_hash),
        escape(&bundle.header_hash)
    );
    h.push_str("<table>\n<thead><tr><th>源文件 File</th><th>Bytes</th><th>SHA-256</th></tr></thead>\n<tbody>\n");
    for f in &bundle.files {
        let _ = writeln!(
            h,
            "<tr><td><code>{}</code></td><td>{}</td><td class=\"hash\">{}</td></tr>",
            escape(&f.path),
            f.bytes,
            escape(&f.sha256)
        );
    }
    h.push_str("</tbody>\n</table>\n<table>\n<thead><tr><th>#</th><th>Message SHA-256</th><th>Chain h<sub>i</sub></th></tr></thead>\n<tbody>\n");
    for m in &bundle.messages {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"hash\">{}</td><td class=\"hash\">{}</td></tr>",
            m.index,
            escape(&m.sha256),
            escape(&m.chain)
        );
    }
    h.push_str("</tbody>\n</table>\n<p>Check with <code>wwqa verify bundle.json --against DUMP…</code>.</p>\n</footer>\n</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Span;

    fn hl(text: &str, a: usize, b: usize, kind: HighlightKind) -> BundleHighlight {
        BundleHighlight {
            message_index: 0,
            message_id: "m".into(),
            location: "x:1".into(),
            code: "ABU001".into(),
            label: "辱骂".into(),
            kind,
            status: kind.status().into(),
            span: Span::from_bytes(text, a, b),
            quote: text[a..b].into(),
        }
    }

    #[test]
    fn overlapping_marks_are_cut_not_nested_and_escaped() {
        let text = "你<b>是不是傻";
        // "是不是傻" candidate; "傻" evidence.
        let s = text.find('是').unwrap();
        let e = text.len();
        let fool = text.find('傻').unwrap();
        let a = hl(text, s, e, HighlightKind::Candidate);
        let b = hl(text, fool, e, HighlightKind::Evidence);
        let out = marked_text(text, &[&a, &b]);
        assert_eq!(
            out,
            "你&lt;b&gt;<mark class=\"candidate\" title=\"ABU001 辱骂 (candidate for review, not evidence)\">是不是</mark>\
<mark class=\"evidence\" title=\"ABU001 辱骂 (candidate for review, not evidence); ABU001 辱骂 (evidence)\">傻</mark>"
        );
    }

    #[test]
    fn a_span_off_char_boundaries_is_ignored_not_a_panic() {
        let text = "亲，稍等";
        let mut bad = hl(text, 0, 3, HighlightKind::Evidence);
        bad.span.byte_start = 1;
        bad.span.byte_end = 200;
        assert_eq!(marked_text(text, &[&bad]), "亲，稍等");
    }
}
