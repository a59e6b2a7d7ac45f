//! ABU001/ABU002 on real chats: every abuse-term hit (and, for the
//! before/after comparison, every `[insult]`/`[threat]` hit of the generic
//! lexicon matcher) over the JDDC sample and the ECD excerpts, against the
//! hand labels in `../shared/data/labels`.
//!
//! `cargo run --release --example abuse_real_chats [-- SHARED_DATA_DIR]`
//! (default `../shared/data`; prints "skipped: …" when it is absent).

use std::collections::BTreeSet;
use wwqa::abuse::terms::AbuseTerms;
use wwqa::lexicon::{Category, Matcher};
use wwqa::model::Role;

/// (session id, message index, role, text).
type Msg = (String, usize, Role, String);

fn jddc(path: &std::path::Path) -> Vec<Msg> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out: Vec<Msg> = Vec::new();
    let mut last = String::new();
    let mut index = 0;
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 7 {
            continue;
        }
        if cols[0] != last {
            last = cols[0].to_string();
            index = 0;
        }
        let role = if cols[2] == "1" {
            Role::Agent
        } else {
            Role::Buyer
        };
        out.push((cols[0].to_string(), index, role, cols[6..].join("\t")));
        index += 1;
    }
    out
}

fn ecd(path: &std::path::Path) -> Vec<Msg> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let id = format!("ecd-train-{:03}", i + 1);
        for (k, m) in line.split('\t').skip(1).enumerate() {
            let role = if k % 2 == 0 { Role::Buyer } else { Role::Agent };
            out.push((id.clone(), k, role, m.replace(' ', "")));
        }
    }
    out
}

/// Labelled (session, index, code) of ABU001/ABU002.
fn labels(path: &std::path::Path) -> BTreeSet<(String, usize, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .skip(1)
        .filter_map(|l| {
            let c: Vec<&str> = l.split('\t').collect();
            (c.len() >= 4 && (c[3] == "ABU001" || c[3] == "ABU002")).then(|| {
                (
                    c[0].to_string(),
                    c[1].parse().unwrap_or(usize::MAX),
                    c[3].to_string(),
                )
            })
        })
        .collect()
}

fn main() {
    let root = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "../shared/data".into()),
    );
    if !root.join("labels").is_dir() {
        println!("skipped: {} not found", root.display());
        return;
    }
    let terms = AbuseTerms::bundled().expect("bundled abuse terms");
    let matcher = Matcher::bundled();
    let sets = [
        (
            "JDDC",
            jddc(&root.join("dialogue_jddc/jddc_chat_sample.tsv")),
            root.join("labels/jddc_violations.tsv"),
            root.join("labels/jddc_violations_sessions.txt"),
        ),
        (
            "ECD",
            ecd(&root.join("dialogue_ecd_taobao/ecd_sample_train_positive.tsv")),
            root.join("labels/ecd_train_violations.tsv"),
            root.join("labels/ecd_train_violations_sessions.txt"),
        ),
    ];
    for (name, messages, label_path, sessions_path) in sets {
        let gold = labels(&label_path);
        let labelled: BTreeSet<String> = std::fs::read_to_string(&sessions_path)
            .unwrap_or_default()
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty())
            .collect();
        let chars: usize = messages.iter().map(|m| m.3.chars().count()).sum();
        println!(
            "== {name}: {} messages, {chars} chars, {} labelled sessions, {} ABU001/002 labels",
            messages.len(),
            labelled.len(),
            gold.len()
        );
        for (which, after) in [
            ("before (abuse.lex [insult]/[threat])", false),
            ("after (abuse_terms.txt)", true),
        ] {
            let mut fired: BTreeSet<(String, usize, String)> = BTreeSet::new();
            let mut lines = Vec::new();
            for (id, k, role, text) in &messages {
                let found: Vec<(String, String)> = if after {
                    terms
                        .find(text)
                        .iter()
                        .map(|h| {
                            let code = if h.kind.is_threat() {
                                "ABU002"
                            } else {
                                "ABU001"
                            };
                            (
                                code.to_string(),
                                format!("{} {}", h.kind.as_str(), h.span.slice(text)),
                            )
                        })
                        .collect()
                } else {
                    matcher
                        .find(text, Some(*role))
                        .iter()
                        .filter_map(|h| match h.category {
                            Category::Insult => {
                                Some(("ABU001".to_string(), h.span.slice(text).to_string()))
                            }
                            Category::Threat => {
                                Some(("ABU002".to_string(), h.span.slice(text).to_string()))
                            }
                            _ => None,
                        })
                        .collect()
                };
                for (code, what) in found {
                    let key = (id.clone(), *k, code.clone());
                    let verdict = if gold.contains(&key) {
                        "TP"
                    } else if labelled.contains(id) {
                        "FP"
                    } else {
                        "unlabelled"
                    };
                    lines.push(format!("    {verdict:<10} {code} {id}#{k} {what} | {text}"));
                    fired.insert(key);
                }
            }
            let in_labelled: Vec<_> = fired.iter().filter(|f| labelled.contains(&f.0)).collect();
            let tp = in_labelled.iter().filter(|f| gold.contains(f)).count();
            println!(
                "  {which}: {} firings ({} in labelled sessions: {tp} true, {} false); recall {tp}/{}",
                fired.len(),
                in_labelled.len(),
                in_labelled.len() - tp,
                gold.len()
            );
            for l in lines {
                println!("{l}");
            }
        }
    }
}
