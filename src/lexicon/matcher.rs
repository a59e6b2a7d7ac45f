//! The one-pass matcher: every term of every lexicon in one automaton,
//! run once per message over the normalised text (leftmost-longest).
//!
//! There is one such automaton per sender scope (agent/robot, buyer,
//! system, any), each holding the terms whose role allows that sender; a
//! message still gets exactly one pass, through its sender's automaton.

use super::{duplicates_across, Category, Entry, Lexicon, LexiconError};
use crate::finding::{Severity, Span};
use crate::model::Role;
use crate::normalize::{normalize_with, NormalizeOptions, Normalized};
use crate::segment::{self, Segmenter};
use daachorse::{CharwiseDoubleArrayAhoCorasick, CharwiseDoubleArrayAhoCorasickBuilder};
use std::sync::OnceLock;

/// Which automaton runs the pass. Both give the same hits; they differ in
/// speed only (see `benches/textmatch.rs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Engine {
    /// `daachorse::CharwiseDoubleArrayAhoCorasick`: transitions on code
    /// points, the faster one on Chinese text (the default).
    #[default]
    Daachorse,
    /// `aho_corasick::AhoCorasick` (auto-selected NFA/DFA).
    AhoCorasick,
}

enum Automaton {
    /// Values are entry indices.
    Daachorse(CharwiseDoubleArrayAhoCorasick<u32>),
    /// Pattern ids index the scope's `entry_of`.
    AhoCorasick(aho_corasick::AhoCorasick, Vec<u32>),
}

/// The sender scopes, each with its own automaton holding only the entries
/// that apply to it: a buyer's message never meets agent-only terms, so a
/// role never hides a shorter term under a longer one it cannot use.
const SCOPES: usize = 4;

fn scope_of(role: Option<Role>) -> usize {
    match role {
        Some(Role::Agent | Role::Robot) => 0,
        Some(Role::Buyer) => 1,
        Some(Role::System) => 2,
        None => 3,
    }
}

/// An allow-context prepared for the hot path.
struct AllowContext {
    /// Normalised like the text (repeats collapsed).
    normalized: String,
    /// Byte offsets in `normalized` where the term occurs.
    term_offsets: Vec<usize>,
}

/// Where boundary checks get their jieba from: the process-wide one for
/// the bundled lexicons, or one built on first need with this matcher's
/// terms.
enum SegmenterSource {
    Shared,
    Own(Box<OnceLock<Segmenter>>),
}

/// One message's jieba cut: token edges in the expanded text, and where
/// each normalised char starts in it.
struct Words {
    edges: Vec<usize>,
    offsets: Vec<usize>,
}

/// One accepted lexicon hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`Matcher::entries`].
    pub entry: usize,
    /// The entry's category.
    pub category: Category,
    /// The entry's severity.
    pub severity: Severity,
    /// The matched quote in the ORIGINAL text.
    pub span: Span,
    /// Byte range of the match in the normalised text (start).
    pub norm_start: usize,
    /// Byte range of the match in the normalised text (end).
    pub norm_end: usize,
}

/// All lexicons compiled into one automaton per sender scope. Build it
/// once and share it (it is `Send + Sync`).
pub struct Matcher {
    entries: Vec<Entry>,
    lexicon_of: Vec<usize>,
    lexicon_names: Vec<String>,
    /// One automaton per scope (`None` when no entry applies to it).
    automata: [Option<Automaton>; SCOPES],
    /// Per entry: its allow-contexts, and the widest one in chars.
    allow: Vec<(Vec<AllowContext>, usize)>,
    options: NormalizeOptions,
    segmenter: SegmenterSource,
    /// The gap patterns, found by their anchors in a second, overlapping
    /// pass (they may overlap plain hits: `好评` is an invitation, `好评 …
    /// 返` inducement).
    gaps: GapPatterns,
}

/// Anchors of the gap patterns in one automaton; values index `entries`
/// (several patterns may share an anchor).
struct GapPatterns {
    automaton: Option<CharwiseDoubleArrayAhoCorasick<u32>>,
    entries: Vec<Vec<u32>>,
}

impl GapPatterns {
    fn new(entries: &[Entry]) -> Result<GapPatterns, String> {
        let mut anchors: Vec<(&str, Vec<u32>)> = Vec::new();
        for (i, entry) in entries.iter().enumerate() {
            let Some(anchor) = entry.anchor.as_deref() else {
                continue;
            };
            match anchors.iter_mut().find(|(a, _)| *a == anchor) {
                Some((_, list)) => list.push(i as u32),
                None => anchors.push((anchor, vec![i as u32])),
            }
        }
        if anchors.is_empty() {
            return Ok(GapPatterns {
                automaton: None,
                entries: Vec::new(),
            });
        }
        let automaton = CharwiseDoubleArrayAhoCorasickBuilder::new()
            .match_kind(daachorse::MatchKind::Standard)
            .build_with_values(anchors.iter().enumerate().map(|(k, (a, _))| (*a, k as u32)))
            .map_err(|e| e.to_string())?;
        Ok(GapPatterns {
            automaton: Some(automaton),
            entries: anchors.into_iter().map(|(_, list)| list).collect(),
        })
    }
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("entries", &self.entries.len())
            .field("lexicons", &self.lexicon_names)
            .finish_non_exhaustive()
    }
}

impl Matcher {
    /// Compile `lexicons` with the default engine. Fails when two lexicons
    /// hold the same normalised term.
    pub fn new(lexicons: &[Lexicon]) -> Result<Matcher, LexiconError> {
        Matcher::with_engine(lexicons, Engine::default())
    }

    /// Compile `lexicons` with the given engine.
    pub fn with_engine(lexicons: &[Lexicon], engine: Engine) -> Result<Matcher, LexiconError> {
        let duplicates = duplicates_across(lexicons);
        if !duplicates.is_empty() {
            return Err(LexiconError(duplicates));
        }
        let mut entries = Vec::new();
        let mut lexicon_of = Vec::new();
        for (index, lexicon) in lexicons.iter().enumerate() {
            entries.extend(lexicon.entries.iter().cloned());
            lexicon_of.extend(std::iter::repeat_n(index, lexicon.entries.len()));
        }
        let build_error = |message: String| {
            LexiconError(vec![super::Diagnostic {
                path: "<matcher>".to_string(),
                line: 0,
                message,
            }])
        };
        let roles = [
            Some(Role::Agent),
            Some(Role::Buyer),
            Some(Role::System),
            None,
        ];
        let mut automata: [Option<Automaton>; SCOPES] = Default::default();
        for (slot, role) in automata.iter_mut().zip(roles) {
            let in_scope: Vec<u32> = (0..entries.len() as u32)
                .filter(|&i| entries[i as usize].anchor.is_none())
                .filter(|&i| role.is_none_or(|r| entries[i as usize].role.allows(r)))
                .collect();
            if in_scope.is_empty() {
                continue;
            }
            let patterns = in_scope
                .iter()
                .map(|&i| entries[i as usize].normalized.as_str());
            *slot = Some(match engine {
                Engine::Daachorse => CharwiseDoubleArrayAhoCorasickBuilder::new()
                    .match_kind(daachorse::MatchKind::LeftmostLongest)
                    .build_with_values(patterns.zip(in_scope.iter().copied()))
                    .map(Automaton::Daachorse)
                    .map_err(|e| build_error(e.to_string()))?,
                Engine::AhoCorasick => aho_corasick::AhoCorasick::builder()
                    .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                    .build(patterns)
                    .map(|ac| Automaton::AhoCorasick(ac, in_scope))
                    .map_err(|e| build_error(e.to_string()))?,
            });
        }
        let allow = entries
            .iter()
            .map(|entry| {
                let contexts: Vec<AllowContext> = entry
                    .allow_normalized
                    .iter()
                    .map(|context| AllowContext {
                        term_offsets: context
                            .match_indices(entry.normalized.as_str())
                            .map(|(at, _)| at)
                            .collect(),
                        normalized: context.clone(),
                    })
                    .collect();
                let widest = entry.allow_folded.iter().map(|c| c.chars().count()).max();
                (contexts, widest.unwrap_or(0))
            })
            .collect();
        let gaps = GapPatterns::new(&entries).map_err(build_error)?;
        Ok(Matcher {
            gaps,
            entries,
            lexicon_of,
            lexicon_names: lexicons.iter().map(|l| l.name.clone()).collect(),
            automata,
            allow,
            options: NormalizeOptions::default(),
            segmenter: SegmenterSource::Own(Box::default()),
        })
    }

    /// The matcher over the bundled lexicons, built once per process.
    pub fn bundled() -> &'static Matcher {
        static BUNDLED: OnceLock<Matcher> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // Embedded data, not input: the test suite proves it loads.
            let lexicons = super::bundled().expect("bundled lexicons are valid");
            let mut matcher = Matcher::new(&lexicons).expect("bundled lexicons are disjoint");
            matcher.segmenter = SegmenterSource::Shared;
            matcher
        })
    }

    /// Every entry, lexicon after lexicon; [`Hit::entry`] indexes this.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// Name of the lexicon (file stem) entry `index` came from.
    pub fn lexicon_of(&self, index: usize) -> Option<&str> {
        self.lexicon_of
            .get(index)
            .and_then(|&l| self.lexicon_names.get(l))
            .map(String::as_str)
    }

    /// The options texts are normalised with (the same as the terms).
    pub fn options(&self) -> &NormalizeOptions {
        &self.options
    }

    /// Normalise `text` and return its hits for a message sent by `role`
    /// (`None`: ignore role filters).
    pub fn find(&self, text: &str, role: Option<Role>) -> Vec<Hit> {
        let normalized = normalize_with(text, &self.options);
        let mut hits = Vec::new();
        self.find_in(text, &normalized, role, &mut hits);
        hits
    }

    /// [`Matcher::find_into`] with the original text at hand, so that
    /// clause edges (for `scope_not`, `question`, `clause_final`) are read
    /// from its punctuation rather than from any skipped char.
    pub fn find_in(
        &self,
        original: &str,
        normalized: &Normalized,
        role: Option<Role>,
        hits: &mut Vec<Hit>,
    ) {
        self.find_with(Some(original), normalized, role, hits);
    }

    /// Hits in an already normalised text (normalised with
    /// [`Matcher::options`]), appended to `hits` in text order.
    ///
    /// Non-overlapping, leftmost-longest. When the longest candidate is
    /// rejected (role, allow-context, word boundary), the search resumes one
    /// char after its start so that a shorter term inside it can still
    /// fire (`京东垃圾` rejected for a buyer still yields `垃圾`).
    pub fn find_into(&self, normalized: &Normalized, role: Option<Role>, hits: &mut Vec<Hit>) {
        self.find_with(None, normalized, role, hits);
    }

    fn find_with(
        &self,
        original: Option<&str>,
        normalized: &Normalized,
        role: Option<Role>,
        hits: &mut Vec<Hit>,
    ) {
        let first = hits.len();
        let mut words = None;
        let clauses = Clauses {
            original,
            normalized,
        };
        self.plain_hits(&clauses, role, &mut words, hits);
        let plain_end = hits.len();
        self.gap_hits(&clauses, role, &mut words, hits);
        if hits.len() > plain_end {
            hits[first..].sort_by_key(|h| (h.norm_start, h.norm_end));
        }
    }

    /// The gap patterns whose anchor occurs in the text, each completed by
    /// its nearest pieces (fewest chars skipped).
    fn gap_hits(
        &self,
        clauses: &Clauses<'_>,
        role: Option<Role>,
        words: &mut Option<Words>,
        hits: &mut Vec<Hit>,
    ) {
        let Some(automaton) = &self.gaps.automaton else {
            return;
        };
        let normalized = clauses.normalized;
        let text = normalized.text.as_str();
        for m in automaton.find_overlapping_iter(text) {
            for &index in &self.gaps.entries[m.value() as usize] {
                let entry = &self.entries[index as usize];
                if role.is_some_and(|r| !entry.role.allows(r)) {
                    continue;
                }
                let Some(end) = complete_gaps(text, m.end(), &entry.gaps) else {
                    continue;
                };
                // A plain hit of the category that covers it says it all.
                let covered = |h: &Hit| {
                    h.category == entry.category && h.norm_start <= m.start() && end <= h.norm_end
                };
                if hits.iter().any(covered) {
                    continue;
                }
                if let Some(hit) = self.judge(clauses, words, m.start(), end, index as usize) {
                    hits.push(hit);
                }
            }
        }
    }

    fn plain_hits(
        &self,
        clauses: &Clauses<'_>,
        role: Option<Role>,
        words: &mut Option<Words>,
        hits: &mut Vec<Hit>,
    ) {
        let normalized = clauses.normalized;
        let text = normalized.text.as_str();
        let Some(automaton) = &self.automata[scope_of(role)] else {
            return;
        };
        let mut pos = 0;
        'search: while pos < text.len() {
            match automaton {
                Automaton::Daachorse(pma) => {
                    for m in pma.leftmost_find_iter(&text[pos..]) {
                        let (start, end) = (pos + m.start(), pos + m.end());
                        let index = m.value() as usize;
                        match self.judge(clauses, words, start, end, index) {
                            Some(hit) => hits.push(hit),
                            None => {
                                pos = next_char(text, start);
                                continue 'search;
                            }
                        }
                    }
                }
                Automaton::AhoCorasick(ac, entry_of) => {
                    let input = aho_corasick::Input::new(text).span(pos..text.len());
                    for m in ac.find_iter(input) {
                        let Some(&index) = entry_of.get(m.pattern().as_usize()) else {
                            continue;
                        };
                        match self.judge(clauses, words, m.start(), m.end(), index as usize) {
                            Some(hit) => hits.push(hit),
                            None => {
                                pos = next_char(text, m.start());
                                continue 'search;
                            }
                        }
                    }
                }
            }
            break;
        }
    }

    /// Accept or reject one automaton match.
    fn judge(
        &self,
        clauses: &Clauses<'_>,
        words: &mut Option<Words>,
        start: usize,
        end: usize,
        index: usize,
    ) -> Option<Hit> {
        let normalized = clauses.normalized;
        let entry = self.entries.get(index)?;
        if !ascii_edges_ok(normalized, start, end) {
            return None;
        }
        if !entry.min_runs.is_empty() {
            let first = normalized.char_index_at(start);
            let repeated_enough = entry
                .min_runs
                .iter()
                .enumerate()
                .all(|(i, &need)| normalized.run_len(first + i) >= need);
            if !repeated_enough {
                return None;
            }
        }
        let (contexts, widest) = self.allow.get(index)?;
        if !contexts.is_empty()
            && inside_allow_context(normalized, entry, contexts, *widest, start, end)
        {
            return None;
        }
        if entry.boundary && !self.whole_words(normalized, words, start, end) {
            return None;
        }
        if !entry.context.is_empty() && !clauses.context_ok(&entry.context, start, end) {
            return None;
        }
        Some(Hit {
            entry: index,
            category: entry.category,
            severity: entry.severity,
            span: normalized.original_span(start, end),
            norm_start: start,
            norm_end: end,
        })
    }

    /// Jieba's verdict on the hit, read in the uncollapsed folded text
    /// (`财源滚滚` must be cut as written, not as `财源滚`). The message is
    /// cut once, on its first boundary hit.
    fn whole_words(
        &self,
        normalized: &Normalized,
        words: &mut Option<Words>,
        start: usize,
        end: usize,
    ) -> bool {
        let words = words.get_or_insert_with(|| {
            let (expanded, offsets) = normalized.expand_all();
            Words {
                edges: self.segmenter().token_boundaries(&expanded),
                offsets,
            }
        });
        let first = normalized.char_index_at(start);
        let last_end = normalized.char_index_at(end.saturating_sub(1)) + 1;
        match (words.offsets.get(first), words.offsets.get(last_end)) {
            (Some(s), Some(e)) => {
                words.edges.binary_search(s).is_ok() && words.edges.binary_search(e).is_ok()
            }
            _ => false,
        }
    }

    fn segmenter(&self) -> &Segmenter {
        match &self.segmenter {
            SegmenterSource::Shared => segment::shared(),
            SegmenterSource::Own(cell) => cell
                .get_or_init(|| Segmenter::new(self.entries.iter().map(|e| e.normalized.as_str()))),
        }
    }
}

/// The end (normalised byte) of a gap pattern whose anchor ends at
/// `anchor_end`: each piece at the fewest chars skipped that fit.
fn complete_gaps(text: &str, anchor_end: usize, gaps: &[super::Gap]) -> Option<usize> {
    let mut at = anchor_end;
    'gaps: for gap in gaps {
        let mut from = at;
        for skipped in 0..=gap.max {
            if skipped >= gap.min && text[from..].starts_with(gap.piece.as_str()) {
                at = from + gap.piece.len();
                continue 'gaps;
            }
            from = next_char(text, from);
            if from > text.len() {
                return None;
            }
        }
        return None;
    }
    Some(at)
}

/// How many chars before a hit a `scope_not` word may stand.
const SCOPE_CHARS: usize = 10;

/// Interrogatives that make a clause a question even without a `?`
/// (无法绑定有什么提示的呢).
const QUESTION_WORDS: [&str; 8] = [
    "什么",
    "怎么",
    "为什么",
    "哪",
    "是否",
    "多少",
    "几时",
    "能不能",
];

/// Sentence particles that may follow a `clause_final` hit.
const PARTICLES: &str = "了呢哦啊吧的哈呀啦嘛亲滴哟喔噢么咯哇";

/// Clause edges of one message: read from the original's punctuation
/// when it is at hand, else from any char the normaliser skipped.
struct Clauses<'a> {
    original: Option<&'a str>,
    normalized: &'a Normalized,
}

impl Clauses<'_> {
    /// Does a clause end between normalised chars `index - 1` and `index`?
    fn breaks_before(&self, index: usize) -> bool {
        let n = self.normalized;
        if index == 0 || index >= n.char_len() {
            return true;
        }
        if n.glued_to_previous(index) {
            return false;
        }
        let Some(original) = self.original else {
            return true;
        };
        self.between(original, index)
            .chars()
            .any(|c| c.is_whitespace() || "，,。.！!？?；;：:、~～…".contains(c))
    }

    /// The original text skipped between normalised chars `index - 1` and
    /// `index`.
    fn between<'o>(&self, original: &'o str, index: usize) -> &'o str {
        let n = self.normalized;
        let before = n.original_span(n.byte_of_char(index - 1), n.byte_of_char(index));
        let after = n.original_span(n.byte_of_char(index), n.byte_of_char(index + 1));
        original
            .get(before.byte_end..after.byte_start.max(before.byte_end))
            .unwrap_or("")
    }

    /// The clause (normalised char range) holding chars `first..last_end`.
    fn clause(&self, first: usize, last_end: usize) -> (usize, usize) {
        let mut start = first;
        while !self.breaks_before(start) {
            start -= 1;
        }
        let mut end = last_end.max(first + 1);
        while !self.breaks_before(end) {
            end += 1;
        }
        (start, end.min(self.normalized.char_len()))
    }

    fn context_ok(&self, rules: &super::ContextRules, start: usize, end: usize) -> bool {
        let n = self.normalized;
        let text = n.text.as_str();
        if rules
            .not_before
            .iter()
            .any(|w| text[end..].starts_with(w.as_str()))
            || rules
                .not_after
                .iter()
                .any(|w| text[..start].ends_with(w.as_str()))
        {
            return false;
        }
        let needs_clause =
            !rules.scope_not.is_empty() || rules.not_in_question || rules.clause_final;
        if !needs_clause {
            return true;
        }
        let first = n.char_index_at(start);
        let last_end = n.char_index_at(end.saturating_sub(1)) + 1;
        let (clause_start, clause_end) = self.clause(first, last_end);
        let (from, to) = (n.byte_of_char(clause_start), n.byte_of_char(clause_end));
        // A scope reaches a few words, not across a whole unpunctuated
        // message (ECD excerpts have no punctuation at all).
        let reach = n.byte_of_char(first.saturating_sub(SCOPE_CHARS).max(clause_start));
        let before = &text[reach..start.max(reach)];
        if rules.scope_not.iter().any(|w| before.contains(w.as_str())) {
            return false;
        }
        let after = &text[end.min(to)..to];
        if rules.clause_final && !after.chars().all(|c| PARTICLES.contains(c)) {
            return false;
        }
        if rules.not_in_question {
            let clause = &text[from..to];
            let asks = clause
                .chars()
                .next_back()
                .is_some_and(|c| "吗么".contains(c))
                || QUESTION_WORDS.iter().any(|w| clause.contains(w))
                || self.original.is_some_and(|original| {
                    let tail = if clause_end < n.char_len() {
                        self.between(original, clause_end)
                    } else {
                        let last = n.original_span(n.byte_of_char(clause_end - 1), text.len());
                        &original[last.byte_end..]
                    };
                    tail.contains(['?', '？'])
                });
            if asks {
                return false;
            }
        }
        true
    }
}

fn next_char(text: &str, at: usize) -> usize {
    at + text[at..].chars().next().map_or(1, char::len_utf8)
}

/// ASCII terms need ASCII word edges: `sb` must not fire inside `usb`, nor
/// `12315` inside a longer digit run. Letters only clash with letters and
/// digits with digits (`vx123456` still matches `vx`), and only when the
/// neighbour touches the hit in the original (`VX：abc` still matches).
fn ascii_edges_ok(normalized: &Normalized, start: usize, end: usize) -> bool {
    let text = normalized.text.as_str();
    let bytes = text.as_bytes();
    let edge_is_ascii = |at: usize| bytes.get(at).is_some_and(u8::is_ascii_alphanumeric);
    if !edge_is_ascii(start) && !edge_is_ascii(end.wrapping_sub(1)) {
        return true;
    }
    let same_class = |a: char, b: char| {
        (a.is_ascii_alphabetic() && b.is_ascii_alphabetic())
            || (a.is_ascii_digit() && b.is_ascii_digit())
    };
    let clash = |edge: Option<char>, neighbour: Option<char>| match (edge, neighbour) {
        (Some(e), Some(n)) => same_class(e, n),
        _ => false,
    };
    let first = normalized.char_index_at(start);
    let after = normalized.char_index_at(end);
    let before_clash = normalized.glued_to_previous(first)
        && clash(
            text[start..].chars().next(),
            text[..start].chars().next_back(),
        );
    let after_clash = end < text.len()
        && normalized.glued_to_previous(after)
        && clash(text[..end].chars().next_back(), text[end..].chars().next());
    !before_clash && !after_clash
}

/// True when the hit sits inside an allow-context: the context occurs in
/// the normalised text with the hit at one of the places where the context
/// holds the term (a cheap anchored comparison), and, read in the folded
/// text with collapsed repeats expanded, an occurrence of the context covers
/// the hit's first char (so `你妈妈` is told apart from `你妈`).
fn inside_allow_context(
    normalized: &Normalized,
    entry: &Entry,
    contexts: &[AllowContext],
    widest: usize,
    start: usize,
    end: usize,
) -> bool {
    // Byte comparisons (a context starts on a char, so it never matches
    // off one), last byte first: entries like 亲 have dozens of contexts
    // that mostly differ there.
    let bytes = normalized.text.as_bytes();
    let anchored = contexts.iter().any(|context| {
        let wanted = context.normalized.as_bytes();
        context.term_offsets.iter().any(|&offset| {
            start
                .checked_sub(offset)
                .and_then(|from| bytes.get(from..from + wanted.len()))
                .is_some_and(|found| found.last() == wanted.last() && found == wanted)
        })
    });
    if !anchored {
        return false;
    }
    let first = normalized.char_index_at(start);
    let last_end = normalized.char_index_at(end.saturating_sub(1)) + 1;
    let lo = first.saturating_sub(widest);
    let (window, mark, _) = normalized.expanded(lo, last_end + widest, first, last_end);
    entry.allow_folded.iter().any(|context| {
        window
            .match_indices(context.as_str())
            .any(|(at, found)| at <= mark && mark < at + found.len())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lexicon::parse;

    fn quotes(matcher: &Matcher, text: &str, role: Option<Role>) -> Vec<String> {
        matcher
            .find(text, role)
            .iter()
            .map(|h| format!("{}:{}", h.span.slice(text), h.category))
            .collect()
    }

    fn small(engine: Engine) -> Matcher {
        let lex = parse(
            "t.lex",
            "[insult]\n傻逼\n滚 | boundary | except=滚筒\n你妈 | except=你妈妈\nsb\n垃圾 | except=垃圾袋\n\
             [competitor]\n京东垃圾 | role=agent\n[absolute_claim]\n最 | except=最近,最快\n100%\n\
             [off_platform]\nvx\n[refusal]\n不行 | boundary\n[closing]\n谢谢\n",
        )
        .unwrap();
        Matcher::with_engine(&[lex], engine).unwrap()
    }

    #[test]
    fn finds_folded_evasions_with_original_quotes() {
        for engine in [Engine::Daachorse, Engine::AhoCorasick] {
            let m = small(engine);
            assert_eq!(
                quotes(&m, "你个傻@逼，加ＶＸ：abc123", None),
                vec!["傻@逼:insult", "ＶＸ:off_platform"],
                "{engine:?}"
            );
            assert_eq!(quotes(&m, "傻傻傻逼", None), vec!["傻傻傻逼:insult"]);
            assert_eq!(
                quotes(&m, "謝謝親", Some(Role::Agent)),
                vec!["謝謝:closing"]
            );
            // The term doubles 谢, so a lone 谢 is not 谢谢.
            assert_eq!(quotes(&m, "多谢", Some(Role::Agent)), Vec::<String>::new());
        }
    }

    #[test]
    fn look_alikes_stay_quiet() {
        for engine in [Engine::Daachorse, Engine::AhoCorasick] {
            let m = small(engine);
            for quiet in [
                "滚筒洗衣机",
                "你妈妈也可以用",
                "最近发货",
                "最快明天到",
                "USB接口",
                "打10%折",
                "1100%",
                "ＵＳＢ",
            ] {
                assert_eq!(
                    quotes(&m, quiet, None),
                    Vec::<String>::new(),
                    "{quiet} {engine:?}"
                );
            }
            assert_eq!(quotes(&m, "你给我滚", None), vec!["滚:insult"]);
            // jieba reads the uncollapsed text: 财源滚滚 is one word.
            assert_eq!(quotes(&m, "祝您财源滚滚", None), Vec::<String>::new());
            assert_eq!(quotes(&m, "你妈的", None), vec!["你妈:insult"]);
            assert_eq!(
                quotes(&m, "这是最好的", Some(Role::Agent)),
                vec!["最:absolute_claim"]
            );
        }
    }

    #[test]
    fn role_filters_and_resume_after_rejection() {
        let m = small(Engine::Daachorse);
        assert_eq!(
            quotes(&m, "京东垃圾", Some(Role::Agent)),
            vec!["京东垃圾:competitor"]
        );
        // Agent-only terms are not in the buyer's automaton: the insult fires.
        assert_eq!(
            quotes(&m, "京东垃圾", Some(Role::Buyer)),
            vec!["垃圾:insult"]
        );
        assert_eq!(
            quotes(&m, "这样不行", Some(Role::Robot)),
            vec!["不行:refusal"]
        );
        assert_eq!(
            quotes(&m, "这样不行", Some(Role::Buyer)),
            Vec::<String>::new()
        );
        assert_eq!(
            quotes(&m, "行不行啊", Some(Role::Agent)),
            Vec::<String>::new()
        );
    }

    #[test]
    fn hits_carry_entry_metadata() {
        let m = small(Engine::Daachorse);
        let hits = m.find("sb吧", None);
        assert_eq!(hits.len(), 1);
        let hit = hits[0];
        assert_eq!(hit.severity, Severity::High);
        assert_eq!(m.entries()[hit.entry].term, "sb");
        assert_eq!(m.lexicon_of(hit.entry), Some("t"));
        assert_eq!((hit.span.char_start, hit.span.char_end), (0, 2));
    }

    fn contextual() -> Matcher {
        let lex = parse(
            "t.lex",
            "[trade_fraud]\n好评 ~{0,8} 返 | scope_not=不支持,防止\n刷单 | question=no | scope_not=防止\n\
             [absolute_claim]\n第一 | not_before=车队,盒\n[greeting]\n有什么 ~{0,4} 可以帮 | not_after=还\n\
             [dismissive]\n也没办法 | clause_final\n[review_invite]\n好评\n",
        )
        .unwrap();
        Matcher::new(&[lex]).unwrap()
    }

    fn found(m: &Matcher, text: &str) -> Vec<String> {
        quotes(m, text, Some(Role::Agent))
    }

    #[test]
    fn gap_patterns_fire_across_inserted_words_within_their_reach() {
        let m = contextual();
        assert_eq!(
            found(&m, "好评后返您5元"),
            vec!["好评:review_invite", "好评后返:trade_fraud"]
        );
        assert_eq!(
            found(&m, "五星好评截图给我返3元"),
            vec!["好评:review_invite", "好评截图给我返:trade_fraud"]
        );
        // Nine chars between the pieces: out of reach.
        assert_eq!(
            found(&m, "好评一二三四五六七八九返"),
            vec!["好评:review_invite"]
        );
        assert_eq!(
            found(&m, "请问有什么问题可以帮到您"),
            vec!["有什么问题可以帮:greeting"]
        );
        assert_eq!(found(&m, "请问还有什么可以帮您"), Vec::<String>::new());
    }

    #[test]
    fn scopes_questions_neighbours_and_clause_ends_drop_hits() {
        let m = contextual();
        assert_eq!(
            found(&m, "为了防止刷单，我们不支持好评返现"),
            vec!["好评:review_invite"]
        );
        assert_eq!(found(&m, "是有人联系您刷单的吗?"), Vec::<String>::new());
        // The question mark closes another clause: this one states.
        assert_eq!(found(&m, "有人找您刷单，请注意?"), vec!["刷单:trade_fraud"]);
        assert_eq!(found(&m, "第一车队，第一盒"), Vec::<String>::new());
        assert_eq!(found(&m, "销量第一"), vec!["第一:absolute_claim"]);
        assert_eq!(found(&m, "这边也没办法了亲"), vec!["也没办法:dismissive"]);
        assert_eq!(found(&m, "这边也没办法修改呢"), Vec::<String>::new());
        // Without the original at hand, any skipped char ends a clause.
        let normalized = crate::normalize::normalize("这边也没办法，修改呢");
        let mut hits = Vec::new();
        m.find_into(&normalized, Some(Role::Agent), &mut hits);
        assert_eq!(hits.len(), 1);
    }

    #[test]
    fn matcher_is_send_and_sync() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Matcher>();
    }

    #[test]
    fn duplicate_terms_across_lexicons_are_refused() {
        let a = parse("a.lex", "[insult]\n傻逼\n").unwrap();
        let b = parse("b.lex", "[insult]\n傻 @逼\n").unwrap();
        let err = Matcher::new(&[a, b]).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("b.lex:2: duplicate term `傻 @逼`"),
            "{err}"
        );
    }
}

#[cfg(test)]
mod bundled_tests {
    use super::*;
    use crate::normalize::normalize;

    fn categories(text: &str, role: Option<Role>) -> Vec<(String, &'static str)> {
        Matcher::bundled()
            .find(text, role)
            .iter()
            .map(|h| (h.span.slice(text).to_string(), h.category.as_str()))
            .collect()
    }

    fn pairs(expected: &[(&str, &'static str)]) -> Vec<(String, &'static str)> {
        expected.iter().map(|(q, c)| (q.to_string(), *c)).collect()
    }

    #[test]
    fn brief_look_alikes_stay_quiet_for_every_role() {
        let quiet = [
            "滚筒洗衣机",
            "傻傻分不清",
            "杀价",
            "你妈妈也可以用",
            "打死不退色",
            "最近",
            "第一次",
            "客服",
            "提示",
            "消息",
            "祝您财源滚滚",
            "USB接口",
            "这个扣子掉了",
            "V领毛衣",
        ];
        for text in quiet {
            for role in [None, Some(Role::Agent), Some(Role::Buyer)] {
                let found: Vec<_> = categories(text, role)
                    .into_iter()
                    .filter(|(_, c)| *c != "closing" && *c != "greeting")
                    .collect();
                assert_eq!(found, Vec::new(), "{text} {role:?}");
            }
        }
    }

    #[test]
    fn evasions_fire_with_original_quotes() {
        assert_eq!(
            categories("你个沙比，加我ｖ 信 聊", Some(Role::Buyer)),
            pairs(&[("ｖ 信", "off_platform")])
        );
        assert_eq!(
            categories("好評返現5元，加薇信", Some(Role::Agent)),
            pairs(&[("好評返現", "trade_fraud"), ("薇信", "off_platform")])
        );
        // Leftmost wins first: 给个好评 starts before 好评返现, and 返现
        // still fires on what is left; the gap pattern `好评 ~{0,8} 返`
        // runs in its own pass and sees the inducement across both.
        assert_eq!(
            categories("給個好評返現", Some(Role::Agent)),
            pairs(&[
                ("給個好評", "review_invite"),
                ("好評返", "trade_fraud"),
                ("返現", "trade_fraud")
            ])
        );
        // Insults and threats are abuse terms (`abuse::terms`), not
        // lexicon entries.
        assert_eq!(categories("S B，等着瞧", Some(Role::Buyer)), pairs(&[]));
        assert_eq!(
            categories("我们是全网最低价，绝对正品", Some(Role::Agent)),
            pairs(&[
                ("全网最低价", "absolute_claim"),
                ("绝对正品", "over_promise")
            ])
        );
        assert_eq!(
            categories("加扣扣123456，别发了", Some(Role::Buyer)),
            pairs(&[("扣扣", "off_platform"), ("别发了", "stop_request")])
        );
    }

    #[test]
    fn allow_contexts_and_roles_apply() {
        assert_eq!(
            categories("最快明天发货，这是最好的", Some(Role::Agent)),
            pairs(&[("最好", "absolute_claim")])
        );
        assert_eq!(
            categories("我不知道您要哪款", Some(Role::Agent)),
            Vec::new()
        );
        assert_eq!(
            categories("这个我不知道", Some(Role::Agent)),
            pairs(&[("不知道", "dismissive")])
        );
        // Dismissive phrases are an agent-side problem.
        assert_eq!(categories("这个我不知道", Some(Role::Buyer)), Vec::new());
    }

    fn arbitrary_chat() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let pieces = prop::sample::select(vec![
            "傻", "逼", "滚", "筒", "最", "近", "亲", "你", "妈", "微", "信", "ＶＸ", "扣", "不",
            "行", "1", "2315", "@", " ", "😀", "，", "S", "b", "谢",
        ]);
        prop::collection::vec(
            prop_oneof![
                pieces.prop_map(String::from),
                any::<char>().prop_map(String::from)
            ],
            0..30,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest::proptest! {
        /// Any text, any role: no panic, and every hit quotes original text
        /// that normalises back to the matched normalised text.
        #[test]
        fn hits_on_arbitrary_text_are_consistent(
            text in arbitrary_chat(),
            role in proptest::sample::select(vec![None, Some(Role::Agent), Some(Role::Buyer), Some(Role::System)]),
        ) {
            let normalized = normalize(&text);
            for hit in Matcher::bundled().find(&text, role) {
                proptest::prop_assert!(text.is_char_boundary(hit.span.byte_start));
                proptest::prop_assert!(text.is_char_boundary(hit.span.byte_end));
                let quote = hit.span.slice(&text);
                proptest::prop_assert_eq!(normalize(quote).text, &normalized.text[hit.norm_start..hit.norm_end]);
            }
        }
    }

    /// Every hit on real chat text quotes a span whose normalised form is
    /// the matched normalised text, and the shipped lexicons find the
    /// service phrases a real agent uses.
    #[test]
    #[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
    fn jddc_sample_hits_are_consistent() {
        let path = crate::shared_data::shared_data("dialogue_jddc/jddc_chat_sample.tsv");
        let data = std::fs::read_to_string(path).unwrap();
        let matcher = Matcher::bundled();
        let lexicons = crate::lexicon::bundled().unwrap();
        let other_engine = Matcher::with_engine(&lexicons, Engine::AhoCorasick).unwrap();
        let mut by_category = std::collections::BTreeMap::new();
        for line in data.lines() {
            let columns: Vec<&str> = line.split('\t').collect();
            let [_, _, sender, _, _, _, text] = columns[..] else {
                continue;
            };
            let role = if sender == "1" {
                Role::Agent
            } else {
                Role::Buyer
            };
            let normalized = normalize(text);
            assert_eq!(
                matcher.find(text, Some(role)),
                other_engine.find(text, Some(role))
            );
            for hit in matcher.find(text, Some(role)) {
                let quote = hit.span.slice(text);
                assert_eq!(
                    normalize(quote).text,
                    &normalized.text[hit.norm_start..hit.norm_end]
                );
                let by_chars: String = text
                    .chars()
                    .skip(hit.span.char_start)
                    .take(hit.span.char_end - hit.span.char_start)
                    .collect();
                assert_eq!(quote, by_chars);
                *by_category.entry(hit.category.as_str()).or_insert(0usize) += 1;
            }
        }
        for category in ["greeting", "closing", "review_invite"] {
            assert!(
                by_category.get(category).copied().unwrap_or(0) > 20,
                "{category}: {by_category:?}"
            );
        }
    }
}
