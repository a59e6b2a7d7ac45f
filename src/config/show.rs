//! `wwqa config show`: the effective configuration, every value with where
//! it came from (bundled, a file and line, or a flag), written as TOML a
//! user can copy into `wwqa.toml`.

use super::{Config, Origin};
use crate::analyze::Analyzers;
use std::fmt::Write;

/// One `key = value  # origin` line, values aligned for reading.
fn line(out: &mut String, key: &str, value: &str, origin: &Origin) {
    let left = format!("{key} = {value}");
    let pad = 44usize.saturating_sub(left.chars().count()).max(1);
    let _ = writeln!(out, "{left}{}# {origin}", " ".repeat(pad));
}

fn toml_value(value: &toml::Value) -> String {
    match value {
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(toml_value).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

fn list(items: &[String]) -> String {
    toml_value(&toml::Value::Array(
        items.iter().cloned().map(toml::Value::String).collect(),
    ))
}

/// The effective configuration of an engine built from `config`.
pub fn render(config: &Config, analyzers: &Analyzers) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# wwqa effective configuration: {} (hash {})",
        config.path.as_ref().map_or_else(
            || "bundled defaults".to_string(),
            |p| p.display().to_string()
        ),
        analyzers.record.hash
    );

    out.push_str("\n[latency]\n");
    let policy = &analyzers.latency;
    let preset_origin = config
        .latency_preset
        .as_ref()
        .map_or(Origin::Bundled, |p| config.origin_at(&p.span));
    line(
        &mut out,
        "preset",
        &format!("\"{}\"", policy.name),
        &preset_origin,
    );
    if let Ok(toml::Value::Table(values)) = toml::Value::try_from(policy) {
        for field in crate::latency::policy::FIELDS {
            let Some(value) = values.get(field) else {
                continue;
            };
            let origin = match (config.latency_overrides.get(field), &config.latency_preset) {
                (Some(v), _) => config.origin_at(&v.span),
                (None, Some(_)) => Origin::Preset(policy.name.clone()),
                (None, None) => Origin::Bundled,
            };
            line(&mut out, field, &toml_value(value), &origin);
        }
    }

    out.push_str("\n[lexicons]\n");
    for lexicon in &analyzers.record.lexicons {
        let origin = config
            .lexicon_extend
            .iter()
            .chain(&config.lexicon_replace)
            .find(|(_, f)| f.path.ends_with(&lexicon.file))
            .map_or(Origin::Bundled, |(name, _)| config.origin_at(&name.span));
        let _ = writeln!(
            out,
            "# {}: {} entries, sha256 {}  ({origin})",
            lexicon.file, lexicon.entries, lexicon.sha256
        );
    }
    let allow = config.allow_list();
    let allow_origin = config
        .allow
        .first()
        .map_or(Origin::Bundled, |a| config.origin_at(&a.span));
    line(&mut out, "allow", &list(&allow), &allow_origin);

    out.push_str("\n[rules]\n");
    let select_origin = match (&config.flag_select, &config.select) {
        (Some(_), _) => Origin::Flag("--select"),
        (None, Some(list)) => list
            .first()
            .map_or(Origin::Bundled, |c| config.origin_at(&c.span)),
        (None, None) => Origin::Bundled,
    };
    line(
        &mut out,
        "select",
        &list(&analyzers.selection.select),
        &select_origin,
    );
    let ignore_origin = if !config.flag_ignore.is_empty() {
        Origin::Flag("--ignore")
    } else {
        config
            .ignore
            .first()
            .map_or(Origin::Bundled, |c| config.origin_at(&c.span))
    };
    line(
        &mut out,
        "ignore",
        &list(&analyzers.selection.ignore),
        &ignore_origin,
    );
    out.push_str("\n[rules.severity]\n");
    for meta in analyzers.rules() {
        let enabled = analyzers.selection.enabled(meta.code);
        let origin = match config
            .severity
            .iter()
            .find(|(c, _)| c.eq_ignore_ascii_case(meta.code))
        {
            Some((_, v)) => config.origin_at(&v.span),
            None if meta.family == "custom" => Origin::File {
                path: config.shown_path(),
                line: 0,
            },
            None => Origin::Bundled,
        };
        let key = if enabled {
            meta.code.to_string()
        } else {
            format!("# {} (not selected)", meta.code)
        };
        line(
            &mut out,
            &key,
            &format!("\"{}\"", analyzers.severity_of(meta).as_str()),
            &origin,
        );
    }

    if let Ok(toml::Value::Table(bundled)) =
        toml::from_str::<toml::Value>(crate::rules::RuleOptions::BUNDLED_TEXT)
    {
        for (table, values) in &bundled {
            let toml::Value::Table(values) = values else {
                continue;
            };
            let _ = writeln!(out, "\n[rules.options.{table}]");
            let changed = config.rule_options.iter().find(|(t, _)| t.value == *table);
            for (key, value) in values {
                let over = changed.and_then(|(_, keys)| keys.iter().find(|(k, _)| k == key));
                match over {
                    Some((_, v)) => line(
                        &mut out,
                        key,
                        &toml_value(&v.value),
                        &config.origin_at(&v.span),
                    ),
                    None => line(&mut out, key, &toml_value(value), &Origin::Bundled),
                }
            }
        }
    }

    for rule in analyzers.text.custom().iter() {
        let meta = rule.meta;
        let _ = writeln!(out, "\n[[rules.custom]]  # {}", meta.options);
        let _ = writeln!(out, "code = \"{}\"", meta.code);
        let _ = writeln!(out, "name = \"{}\"", meta.name);
        let _ = writeln!(
            out,
            "severity = \"{}\"",
            analyzers.severity_of(meta).as_str()
        );
    }

    out.push_str("\n[roles]\n");
    let roles_origin = match &config.roles_file {
        Some((name, _)) => config.origin_at(&name.span),
        None => Origin::Bundled,
    };
    line(
        &mut out,
        "version",
        &format!("\"{}\"", analyzers.record.roles),
        &roles_origin,
    );
    if !config.roles_extend.is_empty() {
        let extra = &config.roles_extend;
        let origin = Origin::File {
            path: config.shown_path(),
            line: 0,
        };
        line(
            &mut out,
            "shop_nicks (added)",
            &list(&extra.shop_nicks),
            &origin,
        );
        line(
            &mut out,
            "robot_nicks (added)",
            &list(&extra.robot_nicks),
            &origin,
        );
    }

    out.push_str("\n[stage]\n");
    let stage_origin = match config.stage_model.as_ref().or(config.stage_cues.as_ref()) {
        Some((name, _)) => config.origin_at(&name.span),
        None => Origin::Bundled,
    };
    line(
        &mut out,
        "model and cues",
        &format!("\"{}\"", analyzers.record.stage),
        &stage_origin,
    );

    out.push_str("\n[report]\n");
    line(
        &mut out,
        "redact",
        &config.redact().to_string(),
        &if config.redact.is_some() {
            Origin::File {
                path: config.shown_path(),
                line: 0,
            }
        } else {
            Origin::Bundled
        },
    );
    let key_env = config
        .key_env
        .as_ref()
        .map_or("WWQA_REDACT_KEY".to_string(), |k| k.value.clone());
    line(
        &mut out,
        "key_env",
        &format!("\"{key_env}\""),
        &config
            .key_env
            .as_ref()
            .map_or(Origin::Bundled, |k| config.origin_at(&k.span)),
    );
    out
}
