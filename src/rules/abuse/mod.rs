//! Abuse detectors (`ABU` codes), in both directions, one per file.
//!
//! Lexicon and pattern hits are evidence; [`offensive_candidate`] (the
//! model alone) is a candidate for review, never evidence.

pub mod contact_after_stop_request;
pub mod harassment_burst;
pub mod insult;
pub mod night_contact;
pub mod offensive_candidate;
pub mod privacy_leak;
pub mod threat;

use crate::model::Role;

/// "agent → buyer" or "buyer → agent", for messages.
pub(crate) fn direction(role: Role) -> &'static str {
    match role {
        Role::Buyer => "buyer → shop",
        _ => "shop → buyer",
    }
}
