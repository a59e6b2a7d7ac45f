//! SCR011 `off-platform-contact`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;
use regex::Regex;
use std::sync::LazyLock;

/// An 11-digit mainland mobile number in the normalised text (digit variants
/// folded, separators between digits skipped by the normaliser).
static MOBILE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^0-9])(1[3-9][0-9]{9})(?:[^0-9]|$)").expect("valid regex"));

/// An e-mail address in the original text.
static EMAIL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
        .expect("valid regex")
});

/// Steering a buyer to WeChat, QQ, a phone number or a private transfer.
pub static META: RuleMeta = RuleMeta {
    code: "SCR011",
    name: "off-platform-contact",
    family: "offplatform",
    severity: Severity::High,
    summary: "The shop side gives or asks for off-platform contact: 微信 / VX / V信 / 薇信, QQ / 扣扣, a mobile number (also split with spaces or symbols, or written with digit variants), a QR code, an agent's own mailbox (我的邮箱, an e-mail address), or a private transfer.",
    rationale: "诱导线下交易 / 站外引流 is a high-risk violation that can close a shop. Homophones, pinyin and split digits are the usual evasions, so terms are matched on normalised text.",
    options: "Terms and allow-contexts: `lexicons/offplatform.lex`, section `[off_platform]`; `[off_platform_contact] bare_terms`, `contact_cues` in lexicons/rules.toml (微信, QQ, 二维码 alone fire only with a contact cue such as 加我, 私聊, 微信号).",
    fires: "客服: 加我薇信 abc123，给您便宜 / 客服: 有事打我电话 138 1234 5678",
    quiet: "客服: 退款会原路退回微信零钱哦 (微信 as a payment channel, no contact cue)",
    file: file!(),
};

/// Lexicon hits and mobile numbers in shop messages.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for i in 0..ctx.session.messages.len() {
        if !ctx.is_shop(i) {
            continue;
        }
        let text = &ctx.session.messages[i].text;
        let o = &ctx.opts.off_platform_contact;
        // Looked for only when a bare term needs it.
        let mut cue = None;
        for h in ctx.hits_of(i, Category::OffPlatform) {
            let bare = o
                .bare_terms
                .iter()
                .any(|t| t.eq_ignore_ascii_case(ctx.term(h)));
            if bare
                && !*cue.get_or_insert_with(|| {
                    let folded = text.to_lowercase();
                    o.contact_cues.iter().any(|c| folded.contains(c.as_str()))
                })
            {
                continue;
            }
            out.push(ctx.finding(
                &META,
                i,
                h.span,
                format!("off-platform contact: 「{}」", h.span.slice(text)),
            ));
        }
        // An address the shop side writes out (the buyer's own is theirs to give).
        let mailbox_hit = ctx
            .hits_of(i, Category::OffPlatform)
            .any(|h| ctx.term(h).contains("邮箱"));
        if !mailbox_hit && text.contains('@') {
            if let Some(m) = EMAIL.find(text) {
                let span = crate::finding::Span::from_bytes(text, m.start(), m.end());
                out.push(ctx.finding(
                    &META,
                    i,
                    span,
                    format!("e-mail address sent: 「{}」", span.slice(text)),
                ));
            }
        }
        let normalized = ctx.normalized_default(i);
        // A mobile number has 11 digits: most messages have none to search.
        if normalized.ascii_digit_count() < 11 {
            continue;
        }
        for c in MOBILE.captures_iter(&normalized.text) {
            let Some(m) = c.get(1) else { continue };
            let span = normalized.original_span(m.start(), m.end());
            out.push(ctx.finding(
                &META,
                i,
                span,
                format!("mobile number sent: 「{}」", span.slice(text)),
            ));
        }
    }
}
