//! Service-script rules (服务禁语 / 话术规范), `SCR` codes, one per file.

pub mod absolute_claim;
pub mod competitor_disparagement;
pub mod direct_refusal;
pub mod dismissive_phrase;
pub mod missing_closing;
pub mod missing_greeting;
pub mod off_platform_contact;
pub mod one_character_reply;
pub mod over_promise;
pub mod payment_reminder;
pub mod quick_reply_overuse;
pub mod repeated_review_invitation;
pub mod trade_fraud;

use crate::finding::Span;
use crate::lexicon::{Category, Hit};
use crate::rules::Ctx;

/// How far [`offers_way_forward`] looks.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Forward {
    /// Estimates (一般, 预计, 左右) in the next message count too (after a
    /// refusal to guarantee); in the refusal's own message they always do.
    pub estimates: bool,
    /// Reasons (因为, 根据 …) anywhere in the message count: a refusal that
    /// explains itself is not "direct".
    pub reasons: bool,
    /// The agent's next message counts even after the buyer replied (the
    /// guide's reading for SCR002); otherwise only shop messages before the
    /// buyer speaks again.
    pub across_buyer: bool,
}

/// Does message `i` after byte `from` (outside the spans in `own`: a
/// refusal's own words, so that 不可以 does not offer 可以, and closing
/// questions, which offer nothing about the matter) or the agent's next
/// message offer a way forward (`[direct_refusal] alternatives`, and the
/// `estimates` and `reasons` as `how` says)? Shared by SCR002 and the flat
/// SCR001 phrases. Alternatives before the refusal are about something else
/// (税号抬头可以更改  不可以换开纸质发票).
pub(crate) fn offers_way_forward(
    ctx: &Ctx<'_>,
    i: usize,
    from: usize,
    own: &[Span],
    how: Forward,
) -> bool {
    let messages = &ctx.session.messages;
    let o = &ctx.opts.direct_refusal;
    let closings =
        |j: usize| -> Vec<Span> { ctx.hits_of(j, Category::Closing).map(|h| h.span).collect() };
    let offers = |j: usize, from: usize, own: &[Span]| {
        let text = &messages[j].text;
        let closing = closings(j);
        let outside = |at: usize, len: usize| {
            !own.iter()
                .chain(closing.iter())
                .any(|s| at < s.byte_end && s.byte_start < at + len)
        };
        let found = |words: &[String], from: usize| {
            words.iter().any(|a| {
                text.match_indices(a.as_str())
                    .any(|(at, found)| at >= from && outside(at, found.len()))
            })
        };
        // An estimate in the refusal's own message is a way forward (您的订单
        // 预计…送达 今天无法到货的); in the next message only after a refusal
        // to guarantee.
        found(&o.alternatives, from)
            || ((how.estimates || j == i) && found(&o.estimates, 0))
            || (how.reasons && found(&o.reasons, 0))
    };
    if offers(i, from, own) {
        return true;
    }
    let next_shop = (i + 1..messages.len())
        .take_while(|&j| how.across_buyer || messages[j].role != crate::model::Role::Buyer)
        .find(|&j| ctx.is_shop(j));
    next_shop.is_some_and(|j| offers(j, 0, &[]))
}

/// Hits of `category` in message `i`, leaving out any that overlaps an
/// earlier kept one (a gap pattern such as `好评 … 返` may cover a plain
/// hit such as `好评返现`): one finding per stretch of text.
pub(crate) fn distinct_hits<'c, 'a>(
    ctx: &'c Ctx<'a>,
    i: usize,
    category: Category,
) -> Vec<&'c Hit> {
    let mut kept: Vec<&Hit> = Vec::new();
    for h in ctx.hits_of(i, category) {
        if !kept.iter().any(|k| overlaps(k.span, h.span)) {
            kept.push(h);
        }
    }
    kept
}

/// Does `between` (original text between two hits) end a sentence? A
/// sentence-final mark does, and so does a run of two or more spaces or a
/// line break (how chat exports glue several sent messages); a comma or a
/// single space does not (希望您做个评价哦，在…满意度 is one ask).
pub(crate) fn breaks_sentence(between: &str) -> bool {
    between.contains(['。', '！', '!', '？', '?', '~', '～', '…', '\n'])
        || between
            .chars()
            .zip(between.chars().skip(1))
            .any(|(a, b)| a.is_whitespace() && b.is_whitespace())
}

/// Do two spans share a byte?
pub(crate) fn overlaps(a: Span, b: Span) -> bool {
    a.byte_start < b.byte_end && b.byte_start < a.byte_end
}

/// One finding per distinct hit of `category` in shop messages (what
/// [`Ctx::lexicon_findings`] does, without doubles from gap patterns), or
/// only the hits `keep` accepts.
pub(crate) fn hit_findings(
    ctx: &Ctx<'_>,
    meta: &crate::finding::RuleMeta,
    category: Category,
    what: &str,
    keep: impl Fn(usize, &Hit) -> bool,
    out: &mut Vec<crate::finding::Finding>,
) {
    for i in 0..ctx.session.messages.len() {
        if !ctx.is_shop(i) {
            continue;
        }
        let text = &ctx.session.messages[i].text;
        for h in distinct_hits(ctx, i, category) {
            if keep(i, h) {
                out.push(ctx.finding(
                    meta,
                    i,
                    h.span,
                    format!("{what}: 「{}」", h.span.slice(text)),
                ));
            }
        }
    }
}

/// The text with spaces, punctuation, symbols and emoji removed: what two
/// replies must share to be "the same text", and what a one-character reply
/// consists of.
pub(crate) fn bare(text: &str) -> String {
    let mut out = String::new();
    bare_into(text, &mut out);
    out
}

/// [`bare`] appended to `out`; returns how many chars it appended.
pub(crate) fn bare_into(text: &str, out: &mut String) -> usize {
    out.reserve(text.len());
    let bytes = text.as_bytes();
    let mut chars = 0;
    // Kept chars come in long runs (skipped ones are the odd punctuation
    // mark): each run is copied at once.
    let mut run_start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let lead = bytes[at];
        // Most chat chars are CJK ideographs (U+4E00..=U+9FFF: lead byte E4
        // then B8 or above, or lead byte E5..=E9), all kept; they are told
        // from their first bytes instead of being decoded.
        let (len, keep) = if lead < 0x80 {
            (1, lead.is_ascii_alphanumeric())
        } else if (0xE5..=0xE9).contains(&lead)
            || (lead == 0xE4 && bytes.get(at + 1).is_some_and(|&b| b >= 0xB8))
        {
            (3, true)
        } else {
            match text.get(at..).and_then(|rest| rest.chars().next()) {
                Some(c) => (c.len_utf8(), c.is_alphanumeric()),
                None => break,
            }
        };
        if keep {
            chars += 1;
        } else {
            out.push_str(&text[run_start..at]);
            run_start = at + len;
        }
        at += len;
    }
    out.push_str(&text[run_start..]);
    chars
}

#[cfg(test)]
mod tests {
    #[test]
    fn bare_drops_what_is_not_alphanumeric() {
        let mut out = String::from("x");
        assert_eq!(super::bare_into("亲，在的！OK 👍 ②", &mut out), 6);
        assert_eq!(out, "x亲在的OK②");
        assert_eq!(super::bare("，。"), "");
        assert_eq!(super::bare(""), "");
    }

    #[test]
    fn byte_fast_paths_agree_with_is_alphanumeric() {
        let all: String = ('\0'..='\u{FFFF}')
            .chain('\u{10000}'..='\u{10FFFF}')
            .step_by(7)
            .chain("亲，您好！ABC 123 ①②".chars())
            .collect();
        let naive: String = all.chars().filter(|c| c.is_alphanumeric()).collect();
        let mut out = String::new();
        assert_eq!(super::bare_into(&all, &mut out), naive.chars().count());
        assert_eq!(out, naive);
    }
}
