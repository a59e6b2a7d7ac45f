//! The text rules: every script rule and abuse detector over one session,
//! with one lexicon pass per message shared by all of them.

use super::options::RuleOptions;
use super::Selection;
use crate::abuse::terms::{AbuseHit, AbuseTerms};
use crate::abuse::{AbuseItem, AbuseModel, SessionAbuse};
use crate::finding::{Finding, RuleMeta, Span};
use crate::lexicon::{Category, Hit, Matcher};
use crate::model::{RobotMode, Role, Session};
use crate::normalize::{NormalizeOptions, Normalized};
use std::borrow::Cow;

/// What every text rule sees of a session.
pub struct Ctx<'a> {
    /// The session.
    pub session: &'a Session,
    /// Lexicon hits per message (role filters applied).
    pub hits: &'a [Vec<Hit>],
    /// The matcher the hits came from ([`Ctx::term`] reads its entries).
    pub matcher: &'a Matcher,
    /// Rule options.
    pub opts: &'a RuleOptions,
    /// The offensiveness model.
    pub model: &'a AbuseModel,
    /// Every message normalised once with the matcher's options (the text
    /// the hits were found in).
    pub normalized: &'a [Normalized],
    /// Whether the matcher's options are the defaults, so `normalized`
    /// also serves rules that need the default normalisation.
    pub default_options: bool,
    /// Per message, the [`phrase`] lists it holds a word of (bits; shop
    /// messages only, 0 for others): one search serves every rule that
    /// looks for fixed phrases.
    pub phrases: &'a [u32],
    /// Messages written by people of the shop, without spaces, punctuation,
    /// symbols and emoji ([`bare`](super::script::bare)); empty for others.
    pub bare: &'a [String],
    /// Abuse-term hits per message ([`AbuseTerms`]; none for system
    /// messages): insults, expletives, curses, slurs and threats.
    pub abuse: &'a [Vec<AbuseHit>],
    /// The abuse terms the hits index into.
    pub abuse_terms: &'a AbuseTerms,
}

impl<'a> Ctx<'a> {
    /// Hits of one category in message `i`.
    pub fn hits_of(&self, i: usize, category: Category) -> impl Iterator<Item = &Hit> {
        self.hits[i].iter().filter(move |h| h.category == category)
    }

    /// The term of `hit` as written in its lexicon.
    pub fn term(&self, hit: &Hit) -> &'a str {
        self.matcher
            .entries()
            .get(hit.entry)
            .map_or("", |e| e.term.as_str())
    }

    /// Was message `i` sent by the shop side (agent or robot)?
    pub fn is_shop(&self, i: usize) -> bool {
        matches!(self.session.messages[i].role, Role::Agent | Role::Robot)
    }

    /// Was message `i` written by a person of the shop (an agent, or a robot
    /// in assist mode, whose words an agent chose)?
    pub fn is_agent_words(&self, i: usize) -> bool {
        let m = &self.session.messages[i];
        m.role == Role::Agent || (m.role == Role::Robot && m.robot_mode == Some(RobotMode::Assist))
    }

    /// Message `i` normalised with the default options (the matcher's
    /// own normalisation when its options are the defaults).
    pub fn normalized_default(&self, i: usize) -> Cow<'_, Normalized> {
        if self.default_options {
            Cow::Borrowed(&self.normalized[i])
        } else {
            Cow::Owned(crate::normalize::normalize(&self.session.messages[i].text))
        }
    }

    /// A finding quoting `span` of message `i`.
    pub fn finding(&self, meta: &RuleMeta, i: usize, span: Span, message: String) -> Finding {
        Finding::new(meta, self.session, i, span, message)
    }

    /// One finding per hit of `category` in shop messages written by people:
    /// the shape shared by the lexicon rules.
    pub fn lexicon_findings(
        &self,
        meta: &RuleMeta,
        category: Category,
        what: &str,
        out: &mut Vec<Finding>,
    ) {
        for i in 0..self.session.messages.len() {
            if !self.is_shop(i) {
                continue;
            }
            for h in self.hits_of(i, category) {
                out.push(self.finding(
                    meta,
                    i,
                    h.span,
                    format!(
                        "{what}: 「{}」",
                        h.span.slice(&self.session.messages[i].text)
                    ),
                ));
            }
        }
    }
}

/// Bits of [`Ctx::phrases`]: which fixed phrase lists a shop message
/// holds a word of (in its original text).
pub mod phrase {
    /// A payment-reminder phrase (`[payment_reminder] phrases`, SCR013).
    pub const PAYMENT: u32 = 1;
    /// A word that puts an address on a third party (ABU006).
    pub const THIRD_PARTY: u32 = 1 << 1;

    /// A word that commitment pattern `pattern` requires
    /// ([`crate::abuse::commitments`]).
    pub const fn commitment(pattern: usize) -> u32 {
        1 << (2 + pattern)
    }
}

/// Every phrase list of [`phrase`] in one automaton whose values are the
/// lists that hold each (distinct) word.
struct PhraseLists {
    automaton: daachorse::DoubleArrayAhoCorasick<u32>,
}

impl PhraseLists {
    fn new(options: &RuleOptions) -> Result<PhraseLists, String> {
        let mut words: Vec<(&str, u32)> = Vec::new();
        words.extend(
            options
                .payment_reminder
                .phrases
                .iter()
                .map(|w| (w.as_str(), phrase::PAYMENT)),
        );
        words.extend(
            super::abuse::privacy_leak::THIRD_PARTY
                .iter()
                .map(|w| (*w, phrase::THIRD_PARTY)),
        );
        for (p, required) in crate::abuse::commitments::REQUIRED.iter().enumerate() {
            words.extend(required.iter().map(|w| (*w, phrase::commitment(p))));
        }
        // One pattern per distinct word, carrying every list it is in.
        words.sort_unstable();
        let mut patterns: Vec<&str> = Vec::new();
        let mut masks: Vec<u32> = Vec::new();
        for (word, bit) in words {
            if word.is_empty() {
                continue;
            }
            match (patterns.last(), masks.last_mut()) {
                (Some(&last), Some(mask)) if last == word => *mask |= bit,
                _ => {
                    patterns.push(word);
                    masks.push(bit);
                }
            }
        }
        let automaton =
            daachorse::DoubleArrayAhoCorasick::with_values(patterns.into_iter().zip(masks))
                .map_err(|e| format!("phrase lists: {e}"))?;
        Ok(PhraseLists { automaton })
    }

    /// The lists `text` holds a word of (overlapping, so no word hides
    /// another).
    fn of(&self, text: &str) -> u32 {
        self.automaton
            .find_overlapping_iter(text)
            .fold(0, |all, m| all | m.value())
    }
}

/// Per-thread buffers of [`TextRules::check_session`], kept from session
/// to session so that a message costs no allocation unless it grows one.
#[derive(Default)]
struct Scratch {
    normalized: Vec<Normalized>,
    hits: Vec<Vec<Hit>>,
    phrases: Vec<u32>,
    bare: Vec<String>,
    abuse: Vec<Vec<AbuseHit>>,
    seen: Seen,
}

/// What [`TextRules::check_session`] derives from a text and its sender's
/// role alone.
struct Matched {
    /// The text and role it was derived from (keys are digests).
    text: Box<str>,
    role: Role,
    normalized: Normalized,
    hits: Vec<Hit>,
    /// [`Ctx::phrases`] bits.
    phrases: u32,
    /// [`Ctx::bare`], when the message was a person's (a robot's words
    /// count only in assist mode, which the text does not tell).
    bare: Option<String>,
    /// [`Ctx::abuse`].
    abuse: Vec<AbuseHit>,
}

/// Texts whose derived values a thread keeps (most are canned replies and
/// stock questions).
const SEEN_TEXTS: usize = 1 << 13;

/// What this thread derived from texts it met before (keyed by
/// [`seen_digest`]), owned by the matcher the hits came from.
type Seen = super::Recurring<Matched, SEEN_TEXTS>;

fn seen_digest(role: Role, text: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64_with_seed(text.as_bytes(), role as u64)
}

impl Scratch {
    /// At least `n` buffers of each kind.
    fn grow(&mut self, n: usize) {
        if self.normalized.len() < n {
            self.normalized.resize_with(n, Normalized::default);
            self.hits.resize_with(n, Vec::new);
            self.phrases.resize(n, 0);
            self.bare.resize_with(n, String::new);
            self.abuse.resize_with(n, Vec::new);
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

/// The matcher of a [`TextRules`]: the bundled one, built once per
/// process (it shares the process's jieba), or one built from a
/// configuration's lexicons.
enum MatcherHandle {
    Bundled(&'static Matcher),
    Own(Box<Matcher>),
}

impl std::ops::Deref for MatcherHandle {
    type Target = Matcher;
    fn deref(&self) -> &Matcher {
        match self {
            MatcherHandle::Bundled(m) => m,
            MatcherHandle::Own(m) => m,
        }
    }
}

/// The text rules over bundled or configured lexicons, built once per scan.
pub struct TextRules {
    matcher: MatcherHandle,
    model: &'static AbuseModel,
    options: RuleOptions,
    phrases: PhraseLists,
    abuse_terms: AbuseTerms,
    custom: crate::config::CustomRules,
    /// Tells this thread's memo of derived values whose they are: two
    /// engines in one process may match the same text differently.
    id: usize,
}

/// A new [`TextRules::id`].
fn next_id() -> usize {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

impl TextRules {
    /// The rules over the bundled lexicons, options and model.
    ///
    /// # Errors
    /// A bundled file that does not load (a build defect; tests load them).
    pub fn bundled() -> Result<TextRules, String> {
        let options = RuleOptions::bundled()?;
        Ok(TextRules {
            matcher: MatcherHandle::Bundled(Matcher::bundled()),
            model: AbuseModel::bundled()?,
            phrases: PhraseLists::new(&options)?,
            abuse_terms: AbuseTerms::bundled().map_err(|e| e.to_string())?,
            options,
            custom: crate::config::CustomRules::default(),
            id: next_id(),
        })
    }

    /// The rules over a configuration's lexicons (`None`: the bundled
    /// ones), options and custom rules.
    ///
    /// # Errors
    /// Lexicons that do not combine, or a bundled file that does not load.
    pub fn configured(
        lexicons: Option<&[crate::lexicon::Lexicon]>,
        abuse_terms: Option<AbuseTerms>,
        options: RuleOptions,
        custom: crate::config::CustomRules,
    ) -> Result<TextRules, String> {
        let matcher = match lexicons {
            None => MatcherHandle::Bundled(Matcher::bundled()),
            Some(lexicons) => {
                MatcherHandle::Own(Box::new(Matcher::new(lexicons).map_err(|e| e.to_string())?))
            }
        };
        Ok(TextRules {
            matcher,
            model: AbuseModel::bundled()?,
            phrases: PhraseLists::new(&options)?,
            abuse_terms: match abuse_terms {
                Some(terms) => terms,
                None => AbuseTerms::bundled().map_err(|e| e.to_string())?,
            },
            options,
            custom,
            id: next_id(),
        })
    }

    /// The custom rules.
    pub fn custom(&self) -> &crate::config::CustomRules {
        &self.custom
    }

    /// The abuse terms ABU001/ABU002 read.
    pub fn abuse_terms(&self) -> &AbuseTerms {
        &self.abuse_terms
    }

    /// The matcher the rules read hits from.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Version of the rule options.
    pub fn version(&self) -> String {
        self.options.version.clone()
    }

    /// SCR004's tally keys of `messages` (see
    /// [`DailyTally::key_of`](super::script::quick_reply_overuse::DailyTally::key_of)):
    /// (index, key) of the messages that count. Pure, so workers compute it.
    pub fn daily_keys<'m>(
        &self,
        messages: impl IntoIterator<Item = &'m crate::model::Message>,
        selection: &Selection,
    ) -> Vec<(usize, u64)> {
        if !selection.enabled(super::script::quick_reply_overuse::META.code) {
            return Vec::new();
        }
        messages
            .into_iter()
            .enumerate()
            .filter_map(|(i, m)| {
                super::script::quick_reply_overuse::DailyTally::key_of(m, &self.options)
                    .map(|k| (i, k))
            })
            .collect()
    }

    /// Count messages (in file order) for SCR004's per-day repetitions,
    /// given their [`TextRules::daily_keys`].
    pub fn tally_daily(
        &self,
        messages: &[&crate::model::Message],
        keys: &[(usize, u64)],
        tally: &mut super::script::quick_reply_overuse::DailyTally,
    ) {
        let courtesy = |text: &str| -> usize {
            self.matcher
                .find(text, Some(Role::Agent))
                .iter()
                .filter(|h| matches!(h.category, Category::Greeting | Category::Closing))
                .map(|h| h.span.char_end - h.span.char_start)
                .sum()
        };
        for &(i, key) in keys {
            if let Some(m) = messages.get(i) {
                tally.count(m, key, &self.options, &courtesy);
            }
        }
    }

    /// SCR004's per-day findings that sit in `sessions`: (session index,
    /// finding) pairs.
    pub fn daily_findings(
        &self,
        sessions: &[Session],
        tally: &mut super::script::quick_reply_overuse::DailyTally,
    ) -> Vec<(usize, Finding)> {
        tally.findings(sessions, &self.options)
    }

    /// Run every enabled text rule over a session; abuse findings also
    /// become abuse items, and commitments are collected.
    pub fn check_session(
        &self,
        session: &Session,
        selection: &Selection,
        findings: &mut Vec<Finding>,
        abuse: &mut SessionAbuse,
    ) {
        self.check_session_in_stage(session, None, selection, findings, abuse);
    }

    /// [`TextRules::check_session`] for a session whose stage is known
    /// (custom rules may apply to some stages only).
    pub fn check_session_in_stage(
        &self,
        session: &Session,
        stage: Option<crate::stage::Stage>,
        selection: &Selection,
        findings: &mut Vec<Finding>,
        abuse: &mut SessionAbuse,
    ) {
        SCRATCH.with(|cell| {
            // A nested call on this thread (none today) gets fresh buffers.
            let mut scratch = cell.take();
            self.check_with(&mut scratch, session, stage, selection, findings, abuse);
            cell.set(scratch);
        });
    }

    /// [`TextRules::check_session`] over reused per-message buffers.
    fn check_with(
        &self,
        scratch: &mut Scratch,
        session: &Session,
        stage: Option<crate::stage::Stage>,
        selection: &Selection,
        findings: &mut Vec<Finding>,
        abuse: &mut SessionAbuse,
    ) {
        let options = self.matcher.options();
        let n = session.messages.len();
        scratch.grow(n);
        // One normalisation per message, shared by the matcher and the
        // rules that read normalised text; buffers are refilled, not
        // reallocated, and most messages have no hit and no bare text.
        // Abuse terms are read only for the rules that use them.
        let abuse_on = [
            super::abuse::insult::META.code,
            super::abuse::threat::META.code,
            super::abuse::offensive_candidate::META.code,
        ]
        .iter()
        .any(|code| selection.enabled(code));
        // The memo's values depend on the engine and on whether abuse terms
        // were searched.
        scratch.seen.own(self.id << 1 | usize::from(abuse_on));
        for (i, m) in session.messages.iter().enumerate() {
            let normalized = &mut scratch.normalized[i];
            let hits = &mut scratch.hits[i];
            let bare = &mut scratch.bare[i];
            let abuse_hits = &mut scratch.abuse[i];
            hits.clear();
            bare.clear();
            abuse_hits.clear();
            let human = m.role == Role::Agent
                || (m.role == Role::Robot && m.robot_mode == Some(RobotMode::Assist));
            let digest = seen_digest(m.role, &m.text);
            let seen = scratch.seen.get(digest);
            if let Some(seen) = seen.filter(|s| s.role == m.role && *s.text == *m.text) {
                normalized.clone_from(&seen.normalized);
                hits.extend_from_slice(&seen.hits);
                abuse_hits.extend_from_slice(&seen.abuse);
                scratch.phrases[i] = seen.phrases;
                match (&seen.bare, human) {
                    (Some(seen_bare), true) => bare.push_str(seen_bare),
                    (None, true) => {
                        super::script::bare_into(&m.text, bare);
                    }
                    (_, false) => {}
                }
            } else {
                normalized.refill(&m.text, options);
                self.matcher
                    .find_in(&m.text, normalized, Some(m.role), hits);
                if abuse_on && m.role != Role::System {
                    self.abuse_terms.find_into(&m.text, abuse_hits);
                }
                let phrases = match m.role {
                    Role::Agent | Role::Robot => self.phrases.of(&m.text),
                    Role::Buyer | Role::System => 0,
                };
                scratch.phrases[i] = phrases;
                if human {
                    super::script::bare_into(&m.text, bare);
                }
                scratch.seen.met(digest, || Matched {
                    text: m.text.as_str().into(),
                    role: m.role,
                    normalized: normalized.clone(),
                    hits: hits.clone(),
                    phrases,
                    bare: human.then(|| bare.clone()),
                    abuse: abuse_hits.clone(),
                });
            }
        }
        let ctx = Ctx {
            session,
            hits: &scratch.hits[..n],
            matcher: &self.matcher,
            opts: &self.options,
            model: self.model,
            normalized: &scratch.normalized[..n],
            default_options: *options == NormalizeOptions::default(),
            phrases: &scratch.phrases[..n],
            bare: &scratch.bare[..n],
            abuse: &scratch.abuse[..n],
            abuse_terms: &self.abuse_terms,
        };
        let first = findings.len();
        for (rule, check) in super::registry::text_rules() {
            if selection.enabled(rule.meta.code) {
                check(&ctx, findings);
            }
        }
        for rule in self.custom.iter() {
            if selection.enabled(rule.meta.code) {
                rule.check(&ctx, stage, findings);
            }
        }
        for f in &findings[first..] {
            let (category, evidence) = match super::registry::rule(&f.code).map(|r| r.evidence) {
                Some(super::Evidence::Evidence(category)) => (category, true),
                Some(super::Evidence::Candidate(category)) => (category, false),
                _ => continue,
            };
            {
                abuse.items.push(AbuseItem {
                    code: f.code.clone(),
                    category: category.to_string(),
                    shop_side: matches!(f.role, Role::Agent | Role::Robot),
                    evidence,
                    account: f.account.clone(),
                    message_id: f.message_id.clone(),
                    span: f.span,
                });
            }
        }
        crate::abuse::commitments::collect(&ctx, &mut abuse.commitments);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{ingest_bytes, Format, IngestOptions};
    use crate::session::{sessionize, SessionOptions};

    /// Every rule fixture, as sessions: their texts recur across sessions
    /// and roles, which exercises the memo of texts seen before.
    fn fixture_sessions() -> Vec<Session> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/rules");
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        let opts = IngestOptions {
            format: Some(Format::Jsonl),
            ..IngestOptions::default()
        };
        let mut messages = Vec::new();
        for path in paths {
            let bytes = std::fs::read(&path).unwrap();
            messages.extend(ingest_bytes(&path.to_string_lossy(), &bytes, &opts).messages);
        }
        sessionize(messages, &SessionOptions::default())
    }

    fn check_all(rules: &TextRules, sessions: &[Session]) -> Vec<(Vec<Finding>, SessionAbuse)> {
        sessions
            .iter()
            .map(|s| {
                let (mut findings, mut abuse) = (Vec::new(), SessionAbuse::default());
                rules.check_session(s, &Selection::default(), &mut findings, &mut abuse);
                (findings, abuse)
            })
            .collect()
    }

    #[test]
    fn remembered_texts_give_what_fresh_ones_give() {
        let rules = TextRules::bundled().unwrap();
        let sessions = fixture_sessions();
        // A new thread starts with nothing remembered.
        let fresh =
            std::thread::scope(|s| s.spawn(|| check_all(&rules, &sessions)).join()).unwrap();
        assert!(fresh.iter().any(|(findings, _)| !findings.is_empty()));
        // Twice more on this thread: the second run meets every text again.
        assert_eq!(check_all(&rules, &sessions), fresh);
        assert_eq!(check_all(&rules, &sessions), fresh);
    }
}
