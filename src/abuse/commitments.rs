//! Commitments (承诺) made by the shop side, recorded with time and quote so
//! that a 违背承诺 complaint can be checked (domain.md §2.2): delivery times,
//! prices and discounts, gifts, free shipping, guarantees to resolve.

use super::Commitment;
use crate::finding::Span;
use crate::rules::Ctx;
use regex::Regex;
use std::sync::OnceLock;

/// Kind and regex of each commitment pattern.
const SOURCES: [(&str, &str); 5] = [
    (
        "delivery_time",
        r"(?:今天|今日|明天|明早|后天|[0-9一二三四五六七]+(?:个工作日|天|小时)内?)[^，。！？,!?]{0,6}(?:发货|发出|寄出|送达|到货|能到|安排发)",
    ),
    (
        "price",
        r"(?:给您|帮您|为您)?(?:优惠|便宜|减|改价|让利)[0-9一二三四五六七八九十]+(?:元|块)?|(?:给您|帮您)改(?:个)?价",
    ),
    (
        "gift",
        r"(?:送您|赠送|赠品|送一(?:个|份|支|件)|另外送|额外送)[^，。！？,!?]{0,10}",
    ),
    (
        "free_shipping",
        r"(?:给您|帮您)?(?:包邮|免运费|运费我们(?:出|承担))",
    ),
    (
        "guarantee",
        r"(?:保证|一定会|一定给您|一定帮您|肯定给您|负责到底|会解决|给您解决|帮您解决|给您补发|为您补发|马上补发|给您退款|为您退款)[^，。！？,!?]{0,10}",
    ),
];

/// Pattern `p` of [`SOURCES`], compiled on its first candidate message
/// (a regex costs about a million instructions to build).
fn pattern(p: usize) -> &'static Regex {
    static COMPILED: [OnceLock<Regex>; 5] = [const { OnceLock::new() }; 5];
    COMPILED[p].get_or_init(|| Regex::new(SOURCES[p].1).expect("valid regex"))
}

/// Per pattern of [`SOURCES`] (same order), words of which every match
/// holds at least one: a message holding none of a pattern's words cannot
/// match it, and most messages hold none at all. The text rules look for
/// them in their shared phrase pass ([`crate::rules::Ctx::phrases`]).
pub(crate) const REQUIRED: [&[&str]; 5] = [
    &["发货", "发出", "寄出", "送达", "到货", "能到", "安排发"],
    &["优惠", "便宜", "减", "改价", "让利", "改个价"],
    &["送您", "赠送", "赠品", "送一", "另外送", "额外送"],
    &["包邮", "免运费", "运费我们"],
    &[
        "保证",
        "一定会",
        "一定给您",
        "一定帮您",
        "肯定给您",
        "负责到底",
        "会解决",
        "给您解决",
        "帮您解决",
        "给您补发",
        "为您补发",
        "马上补发",
        "给您退款",
        "为您退款",
    ],
];

/// Every commitment in the words of the shop's people (not automatic replies).
pub fn collect(ctx: &Ctx<'_>, out: &mut Vec<Commitment>) {
    for (i, m) in ctx.session.messages.iter().enumerate() {
        if !ctx.is_agent_words(i) {
            continue;
        }
        let candidates = ctx.phrases[i];
        for (p, (kind, _)) in SOURCES.iter().enumerate() {
            if candidates & crate::rules::phrase::commitment(p) == 0 {
                continue;
            }
            for hit in pattern(p).find_iter(&m.text) {
                let span = Span::from_bytes(&m.text, hit.start(), hit.end());
                out.push(Commitment {
                    kind: (*kind).to_string(),
                    account: m.account.clone(),
                    time: m.time.map(crate::model::format_time),
                    message_id: m.id.clone(),
                    location: m.source.location(),
                    quote: hit.as_str().to_string(),
                    span,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pattern's matches hold one of its required words, so the
    /// prefilter never hides a commitment.
    #[test]
    fn required_words_cover_every_match() {
        let texts = [
            "今天给您发货",
            "3天内能到",
            "三个工作日内安排发货",
            "给您优惠20元",
            "帮您改个价",
            "减5块",
            "送您一个小礼品",
            "另外送一份",
            "包邮哦",
            "运费我们承担",
            "保证正品",
            "一定帮您处理好",
            "马上补发",
            "为您退款",
            "明天寄出",
            "便宜十元",
            "让利3",
        ];
        for text in texts {
            let mut matched = false;
            for (p, (kind, _)) in SOURCES.iter().enumerate() {
                if pattern(p).is_match(text) {
                    matched = true;
                    assert!(
                        REQUIRED[p].iter().any(|w| text.contains(w)),
                        "{kind} in {text}"
                    );
                }
            }
            assert!(matched, "{text} matches some pattern");
        }
    }
}
