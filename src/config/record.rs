//! What judged a scan, written into `summary.json`: the latency policy's
//! values themselves, every lexicon with its digest, the rule selection and
//! severities, the custom rules, and one hash of the whole effective
//! configuration, so two outputs can be told apart (or proved alike)
//! without the files that made them.

use super::Config;
use crate::analyze::Analyzers;
use crate::latency::LatencyPolicy;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One lexicon in force.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LexiconRecord {
    /// File name (`script.lex`): names only, so that the summary is the
    /// same from any working directory.
    pub file: String,
    /// Entries it contributes.
    pub entries: usize,
    /// SHA-256 of its entries as loaded (term, category, severity, role,
    /// allow-contexts, boundary), first 16 hex digits: its version.
    pub sha256: String,
}

/// The rules part of the record.
#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct RulesRecord {
    /// Version of the rule options file.
    pub options_version: String,
    /// Codes or prefixes selected (empty: every rule).
    pub select: Vec<String>,
    /// Codes or prefixes ignored.
    pub ignore: Vec<String>,
    /// Severities set by the configuration.
    pub severity: BTreeMap<String, String>,
    /// Codes of the custom rules.
    pub custom: Vec<String>,
    /// Option values the configuration changed (`table.key`).
    pub changed_options: Vec<String>,
}

/// Everything that judged a scan.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Record {
    /// Name of the configuration file, or `null` for the bundled defaults.
    pub file: Option<String>,
    /// SHA-256 of the effective configuration (first 16 hex digits).
    pub hash: String,
    /// The latency policy in force, every value.
    pub latency: Option<LatencyPolicy>,
    /// The lexicons in force.
    pub lexicons: Vec<LexiconRecord>,
    /// Rule selection, severities, custom rules.
    pub rules: RulesRecord,
    /// Version of the roles file, and whether `[roles]` changed it.
    pub roles: String,
    /// Stage cues: `bundled` or the file's name and digest.
    pub stage: String,
}

fn short_hash(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..8])
}

fn file_name(path: &str) -> String {
    std::path::Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

impl Record {
    /// The record of an engine built from `config`.
    pub fn of(
        config: &Config,
        analyzers: &Analyzers,
        lexicons: &[crate::lexicon::Lexicon],
        roles: &crate::ingest::RoleConfig,
    ) -> Record {
        let lexicons = lexicons
            .iter()
            .map(|l| {
                let mut digest = String::new();
                for e in &l.entries {
                    digest.push_str(&format!(
                        "{}\t{}\t{}\t{}\t{}\t{}\n",
                        e.term,
                        e.category.as_str(),
                        e.severity.as_str(),
                        e.role.as_str(),
                        e.allow.join(","),
                        e.boundary
                    ));
                }
                LexiconRecord {
                    file: format!("{}.lex", l.name),
                    entries: l.entries.len(),
                    sha256: short_hash(digest.as_bytes()),
                }
            })
            .collect::<Vec<_>>();
        let mut lexicons = lexicons;
        let terms = analyzers.text.abuse_terms().terms();
        let mut digest = String::new();
        for t in terms {
            digest.push_str(&format!(
                "{}\t{}\t{}\t{}\n",
                t.term,
                t.kind.as_str(),
                t.severity.as_str(),
                t.except.join(",")
            ));
        }
        lexicons.push(LexiconRecord {
            file: "abuse_terms.txt".to_string(),
            entries: terms.len(),
            sha256: short_hash(digest.as_bytes()),
        });
        let rules = RulesRecord {
            options_version: analyzers.text.version(),
            select: analyzers.selection.select.clone(),
            ignore: analyzers.selection.ignore.clone(),
            severity: analyzers
                .severity
                .iter()
                .map(|(k, v)| (k.clone(), v.as_str().to_string()))
                .collect(),
            custom: analyzers
                .text
                .custom()
                .metas()
                .iter()
                .map(|m| m.code.to_string())
                .collect(),
            changed_options: config
                .rule_options
                .iter()
                .flat_map(|(t, keys)| keys.iter().map(move |(k, _)| format!("{}.{k}", t.value)))
                .collect(),
        };
        let roles_text = format!(
            "{}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
            roles.version,
            roles.shop_nicks,
            roles.robot_nicks,
            roles.auto_reply_markers,
            roles.assist_markers,
            roles.agent_nick_keywords,
            roles.unknown_shop
        );
        let roles_changed = config.roles_file.is_some() || !config.roles_extend.is_empty();
        let stage = [&config.stage_model, &config.stage_cues]
            .into_iter()
            .flatten()
            .map(|(_, file)| {
                format!(
                    "{} {}",
                    file_name(&file.path),
                    short_hash(file.text.as_bytes())
                )
            })
            .collect::<Vec<_>>();
        let stage = if stage.is_empty() {
            "bundled".to_string()
        } else {
            stage.join(", ")
        };
        let mut record = Record {
            file: config
                .path
                .as_ref()
                .map(|p| file_name(&p.display().to_string())),
            hash: String::new(),
            latency: Some(analyzers.latency.clone()),
            lexicons,
            rules,
            roles: if roles_changed {
                format!("{} {}", roles.version, short_hash(roles_text.as_bytes()))
            } else {
                roles.version.clone()
            },
            stage,
        };
        // The hash covers every value in force: the record itself, the
        // option values laid over the bundled ones, the custom rules as
        // resolved, and the roles' lists.
        let mut hashed = serde_json::to_string(&record).unwrap_or_default();
        for (table, keys) in &config.rule_options {
            for (key, value) in keys {
                hashed.push_str(&format!("\n{}.{key}={}", table.value, value.value));
            }
        }
        for meta in analyzers.text.custom().metas() {
            hashed.push_str(&format!(
                "\n{}|{}|{}|{}",
                meta.code,
                meta.name,
                meta.severity.as_str(),
                // Without where it was defined: the same rules from another
                // directory are the same configuration.
                meta.options
                    .split(" Defined in ")
                    .next()
                    .unwrap_or_default()
            ));
        }
        hashed.push('\n');
        hashed.push_str(&roles_text);
        record.hash = short_hash(hashed.as_bytes());
        record
    }
}
