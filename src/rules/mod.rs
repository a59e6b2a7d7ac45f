//! The rule registry: every rule's metadata in one table, selection by code
//! or prefix (`--select LAT,SCR0 --ignore SCR003`), and the text rules.
//!
//! Families and code prefixes: `LAT` latency ([`crate::latency::rules`]),
//! `SCR` service script ([`script`]), `ABU` abuse ([`abuse`]). One rule per
//! file; each declares a `pub static META: RuleMeta` and a `check` function.

use crate::finding::RuleMeta;

pub mod abuse;
pub mod eval;
pub mod options;
pub mod registry;
pub mod script;
mod text;

pub use options::RuleOptions;
pub use registry::{Evidence, Phase, Rule, RULES};
pub use text::{phrase, Ctx, TextRules};

/// Values a thread derived from texts it met before, by xxh3 digest, so
/// that a text met again (canned replies and stock questions recur all
/// through a dump) is copied rather than worked out again. A text is kept
/// on its second meeting only (the first leaves its digest, and digests are
/// kept for eight times as many texts), so a dump of distinct texts pays a
/// hash per message, not a copy. Everything is forgotten at once when full,
/// or when another owner (the matcher or model the values came from) asks.
/// Values hold their text: callers confirm a hit against it.
pub(crate) struct Recurring<V, const CAPACITY: usize> {
    owner: usize,
    kept: std::collections::HashMap<u64, V, crate::model::DigestBuild>,
    once: std::collections::HashSet<u64, crate::model::DigestBuild>,
}

impl<V, const CAPACITY: usize> Default for Recurring<V, CAPACITY> {
    fn default() -> Self {
        Recurring {
            owner: 0,
            kept: Default::default(),
            once: Default::default(),
        }
    }
}

impl<V, const CAPACITY: usize> Recurring<V, CAPACITY> {
    /// Forget what another owner's values were derived by.
    pub(crate) fn own(&mut self, owner: usize) {
        if self.owner != owner {
            *self = Recurring {
                owner,
                ..Recurring::default()
            };
        }
    }

    /// The value kept for `digest`, if any.
    pub(crate) fn get(&self, digest: u64) -> Option<&V> {
        self.kept.get(&digest)
    }

    /// Notes a text met: `derive` builds what to keep on its second meeting.
    pub(crate) fn met(&mut self, digest: u64, derive: impl FnOnce() -> V) {
        if !self.once.contains(&digest) {
            if self.once.len() >= 8 * CAPACITY {
                self.once.clear();
            }
            self.once.insert(digest);
            return;
        }
        if self.kept.len() >= CAPACITY {
            self.kept.clear();
        }
        self.kept.insert(digest, derive());
    }
}

/// Every rule, in code order.
pub fn registry() -> Vec<&'static RuleMeta> {
    sorted_registry().to_vec()
}

/// The registry, built and sorted once: [`find`] runs for every finding.
fn sorted_registry() -> &'static [&'static RuleMeta] {
    static ALL: std::sync::LazyLock<Vec<&'static RuleMeta>> = std::sync::LazyLock::new(|| {
        let mut all: Vec<&'static RuleMeta> = RULES.iter().map(|r| r.meta).collect();
        all.sort_by_key(|m| m.code);
        all
    });
    &ALL
}

/// Look a rule up by code (case-insensitive).
pub fn find(code: &str) -> Option<&'static RuleMeta> {
    // Codes are short and upper case (a test checks both), so a binary
    // search on the upper-cased query finds what a case-insensitive scan
    // would; a query longer than the buffer is no code.
    let mut upper = [0u8; 16];
    let query = upper.get_mut(..code.len())?;
    query.copy_from_slice(code.as_bytes());
    query.make_ascii_uppercase();
    let all = sorted_registry();
    all.binary_search_by(|m| m.code.as_bytes().cmp(query))
        .ok()
        .map(|at| all[at])
}

/// The family of a rule code: the registry's for a built-in rule, else
/// the one its prefix stands for (`USR` codes are a configuration's custom
/// rules, which a scan directory's readers do not have at hand).
pub fn family_of(code: &str) -> &'static str {
    if let Some(m) = find(code) {
        return m.family;
    }
    match code.get(..3) {
        Some("LAT") => "latency",
        Some("SCR") => "script",
        Some("ABU") => "abuse",
        Some(crate::config::CUSTOM_PREFIX) => "custom",
        _ => "other",
    }
}

/// Which rule codes are enabled.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Codes or prefixes to enable (empty = all).
    pub select: Vec<String>,
    /// Codes or prefixes to disable (wins over `select`).
    pub ignore: Vec<String>,
}

impl Selection {
    /// Is this code enabled? The longest matching prefix decides, so
    /// `--select LAT --ignore LAT00` and `--select LAT001` compose as users
    /// expect; on equal length `ignore` wins.
    pub fn enabled(&self, code: &str) -> bool {
        let best = |list: &[String]| {
            list.iter()
                .filter(|p| {
                    code.to_ascii_uppercase()
                        .starts_with(&p.to_ascii_uppercase())
                })
                .map(String::len)
                .max()
        };
        let sel = if self.select.is_empty() {
            Some(0)
        } else {
            best(&self.select)
        };
        match (sel, best(&self.ignore)) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(s), Some(i)) => s > i,
        }
    }
}

/// The text `wwqa explain CODE` prints.
pub fn explain(m: &RuleMeta) -> String {
    let (phase, evidence) = match registry::rule(m.code) {
        Some(r) => (
            r.phase.as_str(),
            match r.evidence {
                Evidence::None => "no".to_string(),
                Evidence::Evidence(c) => format!("yes ({c})"),
                Evidence::Candidate(c) => format!("candidate for review only ({c})"),
            },
        ),
        None => ("per session", "no".to_string()),
    };
    format!(
        "{code} {name}\n\nFamily:   {family}\nSeverity: {sev}\nJudges:   {phase}\nAbuse evidence: {evidence}\nSource:   {file}\n\n## What it does\n{summary}\n\n## Why it matters\n{rationale}\n\n## Options\n{options}\n\n## Example (fires)\n{fires}\n\n## Example (does not fire)\n{quiet}\n",
        code = m.code,
        name = m.name,
        family = m.family,
        sev = m.severity.as_str(),
        file = m.file,
        summary = m.summary,
        rationale = m.rationale,
        options = m.options,
        fires = m.fires,
        quiet = m.quiet,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selection_by_prefix() {
        let s = Selection {
            select: vec!["LAT".into()],
            ignore: vec!["LAT00".into()],
        };
        assert!(!s.enabled("LAT001"));
        assert!(!s.enabled("SCR001"));
        let s = Selection {
            select: vec!["LAT001".into()],
            ignore: vec!["LAT".into()],
        };
        assert!(s.enabled("LAT001"));
        assert!(!s.enabled("LAT002"));
        assert!(Selection::default().enabled("ABU001"));
    }

    /// One rule per file: every file of the rule folders declares a rule
    /// the registry holds, and every registered rule lives in one of them.
    #[test]
    fn every_rule_file_is_registered() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files: Vec<String> = Vec::new();
        for dir in ["src/latency/rules", "src/rules/script", "src/rules/abuse"] {
            for entry in std::fs::read_dir(format!("{root}/{dir}")).unwrap() {
                let name = entry.unwrap().file_name().to_string_lossy().into_owned();
                if name.ends_with(".rs") && name != "mod.rs" {
                    files.push(format!("{dir}/{name}"));
                }
            }
        }
        files.sort();
        let mut registered: Vec<String> = registry().iter().map(|m| m.file.to_string()).collect();
        registered.sort();
        assert_eq!(files, registered, "rule files and the registry differ");
    }

    #[test]
    fn find_is_case_insensitive_over_upper_case_codes() {
        for m in registry() {
            assert_eq!(m.code, m.code.to_ascii_uppercase());
            assert!(
                m.code.len() <= 16,
                "{} is longer than find's buffer",
                m.code
            );
            assert_eq!(find(m.code).map(|f| f.code), Some(m.code));
            assert_eq!(
                find(&m.code.to_ascii_lowercase()).map(|f| f.code),
                Some(m.code)
            );
        }
        assert!(find("SCR").is_none());
        assert!(find("").is_none());
        assert!(find("ZZZ999").is_none());
        assert!(find("SCR0011111111111111111").is_none());
    }
}
