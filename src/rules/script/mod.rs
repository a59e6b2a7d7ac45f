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
    text.chars().filter(|c| c.is_alphanumeric()).collect()
}
