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
