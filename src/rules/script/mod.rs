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
    let mut chars = 0;
    // Kept chars come in long runs (skipped ones are the odd punctuation
    // mark): each run is copied at once.
    let mut run_start = 0;
    for (at, c) in text.char_indices() {
        if is_bare_char(c) {
            chars += 1;
        } else {
            out.push_str(&text[run_start..at]);
            run_start = at + c.len_utf8();
        }
    }
    out.push_str(&text[run_start..]);
    chars
}

/// `char::is_alphanumeric`, with the CJK Unified Ideographs (all
/// alphabetic) answered without the Unicode table search most chat chars
/// would otherwise go through.
fn is_bare_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
        true
    } else {
        c.is_alphanumeric()
    }
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
    fn bare_char_fast_paths_agree_with_is_alphanumeric() {
        for c in ('\0'..='\u{FFFF}').chain('\u{20000}'..='\u{20100}') {
            assert_eq!(super::is_bare_char(c), c.is_alphanumeric(), "{c:?}");
        }
    }
}
