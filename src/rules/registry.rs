//! The one rule registry: every built-in rule once, in the order rules run,
//! with its check, the phase it judges and what its findings are as abuse
//! evidence. `wwqa rules`, `wwqa explain`, selection, the latency pass and
//! the text pass all read this table; custom rules of a configuration join
//! it at run time ([`crate::config::CustomRules`]).

use super::Ctx;
use crate::finding::{Finding, RuleMeta};
use crate::latency::rules::RuleContext;

/// What unit of a conversation a rule judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// One response round (首问首答): a buyer's question and its reply.
    Round,
    /// One session (its messages, lexicon hits and context).
    Session,
    /// One session, and one account's messages of one day across sessions
    /// (SCR004's daily count).
    AccountDay,
}

impl Phase {
    /// The name `wwqa explain` prints.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Round => "per round",
            Phase::Session => "per session",
            Phase::AccountDay => "per session and per account-day",
        }
    }
}

/// What a rule's findings are in an abuse case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Not abuse.
    None,
    /// Evidence of this category (`insult`, `threat`, `harassment`,
    /// `leak`, `fraud`): lexicon or pattern hits a reviewer can verify.
    Evidence(&'static str),
    /// A model-only candidate of this category, for review; never evidence.
    Candidate(&'static str),
}

/// How a rule is run.
#[derive(Clone, Copy)]
pub enum Check {
    /// Over a session's response rounds, cut by the latency policy.
    Rounds(fn(&RuleContext<'_>, &mut Vec<Finding>)),
    /// Over a session's messages with their lexicon hits.
    Text(fn(&Ctx<'_>, &mut Vec<Finding>)),
}

/// One registered rule.
#[derive(Clone, Copy)]
pub struct Rule {
    /// Metadata, printed by `wwqa explain`.
    pub meta: &'static RuleMeta,
    /// Its check.
    pub check: Check,
    /// What it judges.
    pub phase: Phase,
    /// What its findings are in an abuse case.
    pub evidence: Evidence,
}

macro_rules! rule {
    ($path:path, $kind:ident, $phase:ident, $evidence:expr) => {{
        use $path as r;
        Rule {
            meta: &r::META,
            check: Check::$kind(r::check),
            phase: Phase::$phase,
            evidence: $evidence,
        }
    }};
}

use super::abuse as abu;
use super::script as scr;
use crate::latency::rules as lat;

/// Every built-in rule in run order: latency rules, then the text rules
/// (script before abuse, so abuse items keep their order).
pub static RULES: &[Rule] = &[
    rule!(lat::slow_response, Rounds, Round, Evidence::None),
    rule!(lat::three_minute_breach, Rounds, Round, Evidence::None),
    rule!(lat::unanswered_round, Rounds, Round, Evidence::None),
    rule!(
        lat::long_wait_without_apology,
        Rounds,
        Round,
        Evidence::None
    ),
    rule!(lat::missed_follow_up, Rounds, Session, Evidence::None),
    rule!(scr::dismissive_phrase, Text, Session, Evidence::None),
    rule!(scr::direct_refusal, Text, Session, Evidence::None),
    rule!(scr::one_character_reply, Text, Session, Evidence::None),
    rule!(scr::quick_reply_overuse, Text, AccountDay, Evidence::None),
    rule!(scr::missing_greeting, Text, Session, Evidence::None),
    rule!(scr::missing_closing, Text, Session, Evidence::None),
    rule!(
        scr::repeated_review_invitation,
        Text,
        Session,
        Evidence::None
    ),
    rule!(scr::competitor_disparagement, Text, Session, Evidence::None),
    rule!(scr::absolute_claim, Text, Session, Evidence::None),
    rule!(scr::over_promise, Text, Session, Evidence::None),
    rule!(
        scr::off_platform_contact,
        Text,
        Session,
        Evidence::Evidence("fraud")
    ),
    rule!(scr::trade_fraud, Text, Session, Evidence::Evidence("fraud")),
    rule!(scr::payment_reminder, Text, Session, Evidence::None),
    rule!(abu::insult, Text, Session, Evidence::Evidence("insult")),
    rule!(abu::threat, Text, Session, Evidence::Evidence("threat")),
    rule!(
        abu::harassment_burst,
        Text,
        Session,
        Evidence::Evidence("harassment")
    ),
    rule!(
        abu::night_contact,
        Text,
        Session,
        Evidence::Evidence("harassment")
    ),
    rule!(
        abu::contact_after_stop_request,
        Text,
        Session,
        Evidence::Evidence("harassment")
    ),
    rule!(abu::privacy_leak, Text, Session, Evidence::Evidence("leak")),
    rule!(
        abu::offensive_candidate,
        Text,
        Session,
        Evidence::Candidate("offensive")
    ),
];

/// The registered rule of `code` (exact, upper case).
pub fn rule(code: &str) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.meta.code == code)
}

/// The text rules, in run order.
pub fn text_rules() -> impl Iterator<Item = (&'static Rule, fn(&Ctx<'_>, &mut Vec<Finding>))> {
    RULES.iter().filter_map(|r| match r.check {
        Check::Text(check) => Some((r, check)),
        Check::Rounds(_) => None,
    })
}

/// The round rules, in run order.
pub fn round_rules(
) -> impl Iterator<Item = (&'static Rule, fn(&RuleContext<'_>, &mut Vec<Finding>))> {
    RULES.iter().filter_map(|r| match r.check {
        Check::Rounds(check) => Some((r, check)),
        Check::Text(_) => None,
    })
}
