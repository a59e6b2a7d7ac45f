//! Word-boundary checks with jieba, for lexicon hits that need them.
//!
//! A one-char term like `滚` is an insult in `你给我滚` and a product in
//! `滚筒洗衣机`; `不行` is a refusal in `这样不行` and a question in
//! `行不行`. Entries flagged `boundary` only count when jieba cuts the hit
//! out as a whole word (or a run of whole words).
//!
//! Building a `Jieba` costs 150–250 ms, so the shared one is built lazily,
//! once, and every lexicon term is added to it as a user word so that
//! jieba cuts terms like `傻逼` or `好评返现` as units.

use jieba_rs::Jieba;
use std::sync::OnceLock;

/// Chars of context cut on each side of a hit: enough for jieba to see the
/// words around it, bounded so a huge message costs no more than a short one.
const CONTEXT_CHARS: usize = 24;

/// A jieba segmenter that knows the lexicon terms.
pub struct Segmenter {
    jieba: Jieba,
}

impl std::fmt::Debug for Segmenter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Segmenter")
    }
}

impl Segmenter {
    /// Jieba's default dictionary plus `user_words` (normalised lexicon
    /// terms). Single chars and words jieba already knows are left alone:
    /// re-adding a known word would overwrite its corpus frequency.
    pub fn new<'a>(user_words: impl IntoIterator<Item = &'a str>) -> Segmenter {
        let mut jieba = Jieba::new();
        for word in user_words {
            if word.chars().count() >= 2 && !jieba.has_word(word) {
                jieba.add_word(word, None, None);
            }
        }
        Segmenter { jieba }
    }

    /// The tokens of `text` (no HMM: only dictionary words and single
    /// chars, which keeps the cut stable and predictable).
    pub fn cut<'a>(&self, text: &'a str) -> Vec<&'a str> {
        self.jieba
            .cut(text, false)
            .into_iter()
            .map(|t| t.word)
            .collect()
    }

    /// Byte offsets where jieba's tokens of `text` start, plus `text.len()`:
    /// a span is a run of whole tokens exactly when both its ends are in
    /// this sorted list. Cutting once serves every hit in a message.
    pub fn token_boundaries(&self, text: &str) -> Vec<usize> {
        let mut edges: Vec<usize> = self
            .jieba
            .cut(text, false)
            .iter()
            .map(|t| t.byte_start)
            .collect();
        edges.push(text.len());
        edges
    }

    /// True when `text[byte_start..byte_end]` is a whole token or a run of
    /// whole tokens in jieba's cut of the text around it. Offsets off a
    /// char boundary, out of range or empty give `false`.
    pub fn is_word_boundary_hit(&self, text: &str, byte_start: usize, byte_end: usize) -> bool {
        if byte_start >= byte_end
            || byte_end > text.len()
            || !text.is_char_boundary(byte_start)
            || !text.is_char_boundary(byte_end)
        {
            return false;
        }
        let lo = text[..byte_start]
            .char_indices()
            .rev()
            .take(CONTEXT_CHARS)
            .last()
            .map_or(byte_start, |(i, _)| i);
        let hi = text[byte_end..]
            .char_indices()
            .nth(CONTEXT_CHARS)
            .map_or(text.len(), |(i, _)| byte_end + i);
        let edges = self.token_boundaries(&text[lo..hi]);
        edges.binary_search(&(byte_start - lo)).is_ok()
            && edges.binary_search(&(byte_end - lo)).is_ok()
    }
}

/// The process-wide segmenter: jieba plus every term of the bundled
/// lexicons (normalised), built on first use.
pub fn shared() -> &'static Segmenter {
    static SHARED: OnceLock<Segmenter> = OnceLock::new();
    SHARED.get_or_init(|| {
        let lexicons = crate::lexicon::bundled().unwrap_or_default();
        Segmenter::new(
            lexicons
                .iter()
                .flat_map(|l| l.entries.iter().map(|e| e.normalized.as_str())),
        )
    })
}

/// [`Segmenter::is_word_boundary_hit`] with the [`shared`] segmenter.
pub fn is_word_boundary_hit(text: &str, byte_start: usize, byte_end: usize) -> bool {
    shared().is_word_boundary_hit(text, byte_start, byte_end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(text: &str, term: &str) -> bool {
        let start = text.find(term).expect("term in text");
        is_word_boundary_hit(text, start, start + term.len())
    }

    #[test]
    fn single_char_insult_only_as_a_word() {
        assert!(hit("你给我滚", "滚"));
        assert!(hit("滚，别来烦我", "滚"));
        assert!(!hit("滚筒洗衣机", "滚"));
        assert!(!hit("这款滚筒洗衣机很好", "滚"));
    }

    #[test]
    fn refusal_only_as_a_word() {
        assert!(hit("这样不行", "不行"));
        assert!(!hit("行不行", "不行"));
    }

    #[test]
    fn runs_of_tokens_count_and_bad_offsets_do_not() {
        // `给我滚` spans three whole tokens.
        assert!(hit("你给我滚", "给我滚"));
        // Half of `洗衣机` is not a run of whole tokens.
        assert!(!hit("滚筒洗衣机", "筒洗"));
        let text = "你给我滚";
        assert!(!is_word_boundary_hit(text, 1, 3));
        assert!(!is_word_boundary_hit(text, 3, 3));
        assert!(!is_word_boundary_hit(text, 3, 100));
    }

    #[test]
    fn lexicon_terms_are_user_words() {
        assert!(shared().cut("亲，这是全网最低价").contains(&"全网最低价"));
        assert!(shared().cut("好评返现五元").contains(&"好评返现"));
        assert_eq!(shared().token_boundaries("这样不行"), vec![0, 6, 12]);
    }
}
