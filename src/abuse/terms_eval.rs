//! `wwqa eval abuse-lexicon`: recall on planted insults and threats (by
//! sentence shape), recall on evasions (by kind) and false positives on
//! innocent look-alikes (by kind), over the test set in `fixtures/abuse`.
//!
//! The set was written for the test, apart from the lexicon: insults are
//! planted into sentence templates (`insult_words.tsv` × `templates.tsv`),
//! threats and other shapes are whole sentences (`planted_sentences.tsv`),
//! evasions (`evasions.tsv`) and look-alikes (`innocent.tsv`) are listed.

use super::terms::AbuseTerms;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// Hits and totals of one group.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Tally {
    /// Sentences that behaved as expected (caught, or quiet for innocents).
    pub hits: usize,
    /// Sentences.
    pub total: usize,
    /// The sentences that did not (up to a few per group).
    pub failures: Vec<String>,
}

impl Tally {
    fn add(&mut self, ok: bool, sentence: &str) {
        self.total += 1;
        if ok {
            self.hits += 1;
        } else if self.failures.len() < 40 {
            self.failures.push(sentence.to_string());
        }
    }

    /// hits / total (1 when empty).
    pub fn rate(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.hits as f64 / self.total as f64
        }
    }
}

/// The figures of one run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct LexiconEval {
    /// Planted insults and threats caught, by sentence shape.
    pub planted: BTreeMap<String, Tally>,
    /// Evasions caught, by kind.
    pub evasions: BTreeMap<String, Tally>,
    /// Innocent sentences with an ABU001/ABU002 hit, by kind (`hits` counts
    /// the quiet ones; the false-positive rate is `1 - rate`).
    pub innocent: BTreeMap<String, Tally>,
}

impl LexiconEval {
    fn sum(groups: &BTreeMap<String, Tally>) -> Tally {
        let mut all = Tally::default();
        for t in groups.values() {
            all.hits += t.hits;
            all.total += t.total;
        }
        all
    }

    /// Recall over every planted sentence.
    pub fn planted_recall(&self) -> f64 {
        Self::sum(&self.planted).rate()
    }

    /// Recall over every evasion.
    pub fn evasion_recall(&self) -> f64 {
        Self::sum(&self.evasions).rate()
    }

    /// Share of innocent sentences with a hit.
    pub fn false_positive_rate(&self) -> f64 {
        1.0 - Self::sum(&self.innocent).rate()
    }

    /// The text report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let mut section = |title: &str, groups: &BTreeMap<String, Tally>, fp: bool| {
            let all = Self::sum(groups);
            let (n, what) = if fp {
                (all.total - all.hits, "false positives")
            } else {
                (all.hits, "caught")
            };
            s.push_str(&format!(
                "{title}: {what} {n}/{} = {:.3}\n",
                all.total,
                n as f64 / all.total.max(1) as f64
            ));
            for (k, t) in groups {
                let n = if fp { t.total - t.hits } else { t.hits };
                s.push_str(&format!("  {k:<14} {n:>4}/{:<4}\n", t.total));
                for f in &t.failures {
                    s.push_str(&format!(
                        "      {} {f}\n",
                        if fp { "fired:" } else { "missed:" }
                    ));
                }
            }
        };
        section("planted insults and threats", &self.planted, false);
        section("evasions", &self.evasions, false);
        section("innocent look-alikes", &self.innocent, true);
        s
    }
}

/// Rows of a TSV fixture (comments and blank lines skipped).
fn rows(dir: &Path, name: &str) -> Result<Vec<Vec<String>>, String> {
    let path = dir.join(name);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.split('\t').map(str::to_string).collect())
        .collect())
}

/// Hits of a detector in a sentence: (is a threat, quoted text).
pub type Detect<'a> = dyn Fn(&str) -> Vec<(bool, String)> + 'a;

/// Does `detect` find what `expect` (`insult` = ABU001, `threat` =
/// ABU002) asks in `sentence`?
fn caught(detect: &Detect<'_>, sentence: &str, expect: &str) -> bool {
    detect(sentence)
        .iter()
        .any(|(threat, _)| *threat == (expect == "threat"))
}

/// Run the test set in `dir` (`fixtures/abuse`) with the abuse terms.
///
/// # Errors
/// A missing or malformed fixture file.
pub fn evaluate(terms: &AbuseTerms, dir: &Path) -> Result<LexiconEval, String> {
    evaluate_with(
        &|text: &str| {
            terms
                .find(text)
                .iter()
                .map(|h| (h.kind.is_threat(), h.span.slice(text).to_string()))
                .collect()
        },
        dir,
    )
}

/// Run the test set in `dir` with any detector (for before/after
/// comparisons).
///
/// # Errors
/// A missing or malformed fixture file.
pub fn evaluate_with(terms: &Detect<'_>, dir: &Path) -> Result<LexiconEval, String> {
    let mut eval = LexiconEval::default();
    let words = rows(dir, "insult_words.tsv")?;
    let templates = rows(dir, "templates.tsv")?;
    for t in &templates {
        let [class, shape, template] = &t[..] else {
            return Err(format!("templates.tsv: bad row {t:?}"));
        };
        for w in words.iter().filter(|w| w.first() == Some(class)) {
            let word = w.get(1).ok_or("insult_words.tsv: a row without a word")?;
            let sentence = template.replace("{X}", word);
            let ok = caught(terms, &sentence, "insult");
            eval.planted
                .entry(shape.clone())
                .or_default()
                .add(ok, &sentence);
        }
    }
    for r in rows(dir, "planted_sentences.tsv")? {
        let [shape, expect, sentence] = &r[..] else {
            return Err(format!("planted_sentences.tsv: bad row {r:?}"));
        };
        let ok = caught(terms, sentence, expect);
        eval.planted
            .entry(shape.clone())
            .or_default()
            .add(ok, sentence);
    }
    for r in rows(dir, "evasions.tsv")? {
        let [kind, expect, sentence] = &r[..] else {
            return Err(format!("evasions.tsv: bad row {r:?}"));
        };
        let ok = caught(terms, sentence, expect);
        eval.evasions
            .entry(kind.clone())
            .or_default()
            .add(ok, sentence);
    }
    for r in rows(dir, "innocent.tsv")? {
        let [kind, sentence] = &r[..] else {
            return Err(format!("innocent.tsv: bad row {r:?}"));
        };
        let hits = terms(sentence);
        let shown = match hits.first() {
            Some((_, quote)) => format!("{sentence}  「{quote}」"),
            None => sentence.clone(),
        };
        eval.innocent
            .entry(kind.clone())
            .or_default()
            .add(hits.is_empty(), &shown);
    }
    Ok(eval)
}
