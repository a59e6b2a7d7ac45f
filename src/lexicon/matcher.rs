//! The one-pass matcher: every term of every lexicon in one automaton,
//! run once per message over the normalised text (leftmost-longest).

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
    Daachorse(CharwiseDoubleArrayAhoCorasick<u32>),
    AhoCorasick(aho_corasick::AhoCorasick),
}

/// Where boundary checks get their jieba from: the process-wide one for
/// the bundled lexicons, or one built on first need with this matcher's
/// terms.
enum SegmenterSource {
    Shared,
    Own(Box<OnceLock<Segmenter>>),
}

/// One accepted lexicon hit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit<'m> {
    /// Index into [`Matcher::entries`].
    pub entry: usize,
    /// The term as written in the lexicon.
    pub term: &'m str,
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

/// All lexicons compiled into one automaton. Build it once and share it
/// (it is `Send + Sync`).
pub struct Matcher {
    entries: Vec<Entry>,
    lexicon_of: Vec<usize>,
    lexicon_names: Vec<String>,
    automaton: Automaton,
    options: NormalizeOptions,
    segmenter: SegmenterSource,
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
        let patterns: Vec<&str> = entries.iter().map(|e| e.normalized.as_str()).collect();
        let build_error = |message: String| {
            LexiconError(vec![super::Diagnostic {
                path: "<matcher>".to_string(),
                line: 0,
                message,
            }])
        };
        let automaton = match engine {
            Engine::Daachorse => {
                let with_ids = patterns.iter().enumerate().map(|(i, p)| (*p, i as u32));
                CharwiseDoubleArrayAhoCorasickBuilder::new()
                    .match_kind(daachorse::MatchKind::LeftmostLongest)
                    .build_with_values(with_ids)
                    .map(Automaton::Daachorse)
                    .map_err(|e| build_error(e.to_string()))?
            }
            Engine::AhoCorasick => aho_corasick::AhoCorasick::builder()
                .match_kind(aho_corasick::MatchKind::LeftmostLongest)
                .build(&patterns)
                .map(Automaton::AhoCorasick)
                .map_err(|e| build_error(e.to_string()))?,
        };
        Ok(Matcher {
            entries,
            lexicon_of,
            lexicon_names: lexicons.iter().map(|l| l.name.clone()).collect(),
            automaton,
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
    pub fn find(&self, text: &str, role: Option<Role>) -> Vec<Hit<'_>> {
        let normalized = normalize_with(text, &self.options);
        let mut hits = Vec::new();
        self.find_into(&normalized, role, &mut hits);
        hits
    }

    /// Hits in an already normalised text (normalised with
    /// [`Matcher::options`]), appended to `hits` in text order.
    ///
    /// Non-overlapping, leftmost-longest. When the longest candidate is
    /// rejected (role, allow-context, word boundary), the search resumes one
    /// char after its start so that a shorter term inside it can still
    /// fire (`京东垃圾` rejected for a buyer still yields `垃圾`).
    pub fn find_into<'m>(
        &'m self,
        normalized: &Normalized,
        role: Option<Role>,
        hits: &mut Vec<Hit<'m>>,
    ) {
        let text = normalized.text.as_str();
        let mut pos = 0;
        'search: while pos < text.len() {
            match &self.automaton {
                Automaton::Daachorse(pma) => {
                    for m in pma.leftmost_find_iter(&text[pos..]) {
                        let (start, end) = (pos + m.start(), pos + m.end());
                        match self.judge(normalized, start, end, m.value() as usize, role) {
                            Some(hit) => hits.push(hit),
                            None => {
                                pos = next_char(text, start);
                                continue 'search;
                            }
                        }
                    }
                }
                Automaton::AhoCorasick(ac) => {
                    let input = aho_corasick::Input::new(text).span(pos..text.len());
                    for m in ac.find_iter(input) {
                        let id = m.pattern().as_usize();
                        match self.judge(normalized, m.start(), m.end(), id, role) {
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
        normalized: &Normalized,
        start: usize,
        end: usize,
        index: usize,
        role: Option<Role>,
    ) -> Option<Hit<'_>> {
        let entry = self.entries.get(index)?;
        if role.is_some_and(|r| !entry.role.allows(r)) {
            return None;
        }
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
        if !entry.allow_folded.is_empty() && inside_allow_context(normalized, entry, start, end) {
            return None;
        }
        if entry.boundary && !self.whole_words(normalized, start, end) {
            return None;
        }
        Some(Hit {
            entry: index,
            term: &entry.term,
            category: entry.category,
            severity: entry.severity,
            span: normalized.original_span(start, end),
            norm_start: start,
            norm_end: end,
        })
    }

    /// Jieba's verdict on the hit, read in the uncollapsed folded text
    /// around it (`财源滚滚` must be cut as written, not as `财源滚`).
    fn whole_words(&self, normalized: &Normalized, start: usize, end: usize) -> bool {
        let first = normalized.char_index_at(start);
        let last_end = normalized.char_index_at(end.saturating_sub(1)) + 1;
        let lo = first.saturating_sub(segment::CONTEXT_CHARS);
        let hi = last_end + segment::CONTEXT_CHARS;
        let (window, at_start, at_end) = normalized.expanded(lo, hi, first, last_end);
        self.segmenter()
            .is_word_boundary_hit(&window, at_start, at_end)
    }

    fn segmenter(&self) -> &Segmenter {
        match &self.segmenter {
            SegmenterSource::Shared => segment::shared(),
            SegmenterSource::Own(cell) => cell
                .get_or_init(|| Segmenter::new(self.entries.iter().map(|e| e.normalized.as_str()))),
        }
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

/// True when an allow-context occurrence covers the hit's first char, read
/// in the folded text with collapsed repeats expanded (so `你妈妈` is told
/// apart from `你妈`).
fn inside_allow_context(normalized: &Normalized, entry: &Entry, start: usize, end: usize) -> bool {
    let widest = entry
        .allow_folded
        .iter()
        .map(|c| c.chars().count())
        .max()
        .unwrap_or(0);
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
        // Rejected for a buyer, the shorter insult inside still fires.
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
        assert_eq!((hit.term, hit.severity), ("sb", Severity::High));
        assert_eq!(m.entries()[hit.entry].term, "sb");
        assert_eq!(m.lexicon_of(hit.entry), Some("t"));
        assert_eq!((hit.span.char_start, hit.span.char_end), (0, 2));
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
            pairs(&[("沙比", "insult"), ("ｖ 信", "off_platform")])
        );
        assert_eq!(
            categories("好評返現5元，加薇信", Some(Role::Agent)),
            pairs(&[("好評返現", "trade_fraud"), ("薇信", "off_platform")])
        );
        // Leftmost wins first: 给个好评 starts before 好评返现, and 返现
        // still fires on what is left.
        assert_eq!(
            categories("給個好評返現", Some(Role::Agent)),
            pairs(&[("給個好評", "review_invite"), ("返現", "trade_fraud")])
        );
        assert_eq!(
            categories("S B，等着瞧", Some(Role::Buyer)),
            pairs(&[("S B", "insult"), ("等着瞧", "threat")])
        );
        assert_eq!(
            categories("我们是全网最低价，绝对正品", Some(Role::Agent)),
            pairs(&[
                ("全网最低价", "absolute_claim"),
                ("绝对正品", "over_promise")
            ])
        );
        assert_eq!(
            categories("再发我就打12315投诉你们", Some(Role::Buyer)),
            pairs(&[("12315", "complaint"), ("投诉", "complaint")])
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

    /// Every hit on real chat text quotes a span whose normalised form is
    /// the matched normalised text, and the shipped lexicons find the
    /// service phrases a real agent uses.
    #[test]
    fn jddc_sample_hits_are_consistent() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/dialogue_jddc/jddc_chat_sample.tsv"
        );
        let Ok(data) = std::fs::read_to_string(path) else {
            eprintln!("skipped: {path} absent");
            return;
        };
        let matcher = Matcher::bundled();
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
        for category in [
            "greeting",
            "closing",
            "apology",
            "follow_up",
            "review_invite",
        ] {
            assert!(
                by_category.get(category).copied().unwrap_or(0) > 20,
                "{category}: {by_category:?}"
            );
        }
        // The sample is polite JD service chat: insults are near absent.
        assert!(
            by_category.get("insult").copied().unwrap_or(0) <= 2,
            "{by_category:?}"
        );
    }
}
