//! Options of the text rules (`lexicons/rules.toml`), strictly validated.

use serde::Deserialize;

/// `HH:MM`, read into seconds of the day.
fn clock(s: &str) -> Result<u32, String> {
    let (h, m) = s
        .split_once(':')
        .ok_or_else(|| format!("expected HH:MM, got `{s}`"))?;
    let (h, m): (u32, u32) = (
        h.parse().map_err(|_| format!("bad hour in `{s}`"))?,
        m.parse().map_err(|_| format!("bad minute in `{s}`"))?,
    );
    if h > 24 || m > 59 || (h == 24 && m > 0) {
        return Err(format!("`{s}` is not a time of day"));
    }
    Ok(h * 3600 + m * 60)
}

/// Is `second_of_day` inside `[start, end)`, where the window may wrap midnight?
pub fn in_window(second_of_day: u32, start: u32, end: u32) -> bool {
    if start <= end {
        (start..end).contains(&second_of_day)
    } else {
        second_of_day >= start || second_of_day < end
    }
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OneCharacterReply {
    pub chars: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickReplyOveruse {
    pub per_session: usize,
    pub per_day: usize,
    pub min_chars: usize,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingGreeting {
    pub first_messages: usize,
    /// Starts of a first buyer message that continues an earlier exchange
    /// (好的, 那…, 对 就是这个): the excerpt starts mid-conversation.
    #[serde(default)]
    pub continued_openers: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MissingClosing {
    pub last_messages: usize,
    pub min_agent_messages: usize,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompetitorDisparagement {
    pub disparaging: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffPlatformContact {
    pub bare_terms: Vec<String>,
    pub contact_cues: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewInvitation {
    pub max_per_session: usize,
    /// Words that make a trade-fraud hit an ask for a review too.
    #[serde(default)]
    pub fraud_asks: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DirectRefusal {
    pub alternatives: Vec<String>,
    /// Words of an estimate (一般, 预计, 左右): a way forward only after a
    /// refusal to guarantee (`guarantee_words`).
    #[serde(default)]
    pub estimates: Vec<String>,
    /// A refusal term holding one of these refuses a guarantee (不能保证).
    #[serde(default)]
    pub guarantee_words: Vec<String>,
    /// Words of a reason (因为, 根据): a refusal that explains itself.
    #[serde(default)]
    pub reasons: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DismissivePhrase {
    /// Dismissive terms that are dismissive only when said flatly: quiet
    /// when a next step follows in their message or the next shop message
    /// (`next_steps`).
    pub flat: Vec<String>,
    /// Words of a next step (我帮您问一下, 不过 …) that, after a flat term,
    /// make it a "let me find out" rather than a brush-off.
    #[serde(default)]
    pub next_steps: Vec<String>,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentReminder {
    pub phrases: Vec<String>,
    /// Words that, earlier in a phrase's clause, turn it around: telling
    /// the buyer not to pay is no reminder.
    #[serde(default)]
    pub negations: Vec<String>,
    pub max_per_order: usize,
    pub quiet_start: String,
    pub quiet_end: String,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Harassment {
    pub burst_messages: usize,
    pub window_secs: i64,
    pub night_start: String,
    pub night_end: String,
    pub reply_grace_secs: i64,
}

#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OffensiveModel {
    pub threshold: f32,
    pub min_chars: usize,
}

/// All rule options.
#[allow(missing_docs)]
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOptions {
    pub version: String,
    pub one_character_reply: OneCharacterReply,
    pub quick_reply_overuse: QuickReplyOveruse,
    pub missing_greeting: MissingGreeting,
    pub missing_closing: MissingClosing,
    pub competitor_disparagement: CompetitorDisparagement,
    pub off_platform_contact: OffPlatformContact,
    pub review_invitation: ReviewInvitation,
    pub direct_refusal: DirectRefusal,
    #[serde(default)]
    pub dismissive_phrase: DismissivePhrase,
    pub payment_reminder: PaymentReminder,
    pub harassment: Harassment,
    pub offensive_model: OffensiveModel,
    /// Parsed clock times (seconds of day): quiet start/end, night start/end.
    #[serde(skip)]
    pub clocks: [u32; 4],
    /// `payment_reminder.phrases` in one automaton (every match, so the
    /// earliest phrase can be chosen as before).
    #[serde(skip)]
    pub payment_phrases: Option<aho_corasick::AhoCorasick>,
}

impl RuleOptions {
    /// Parse and validate; errors are `path:line:col: message`.
    ///
    /// # Errors
    /// Unknown keys (with "did you mean"), wrong types, bad clock times.
    pub fn parse(text: &str, path: &str) -> Result<RuleOptions, String> {
        let o: RuleOptions =
            toml::from_str(text).map_err(|e| crate::diag::toml_error(path, text, &e))?;
        o.finish().map_err(|(key, e)| {
            let offset = text.find(key).unwrap_or(0);
            let (line, col) = crate::diag::line_col(text, offset);
            format!("{path}:{line}:{col}: {key}: {e}")
        })
    }

    /// Options from a TOML table (the bundled file with a configuration's
    /// `[rules.options]` laid over it).
    ///
    /// # Errors
    /// `(key, message)` as [`RuleOptions::parse`] finds them, unlocated.
    pub fn from_table(table: toml::Table) -> Result<RuleOptions, (String, String)> {
        let o = RuleOptions::deserialize(toml::Value::Table(table))
            .map_err(|e| (String::new(), e.to_string()))?;
        o.finish()
            .map_err(|(key, message)| (key.to_string(), message))
    }

    /// Derived values and cross-field checks: `(key, message)` on error.
    fn finish(mut self) -> Result<RuleOptions, (&'static str, String)> {
        self.clocks = [
            clock(&self.payment_reminder.quiet_start).map_err(|e| ("quiet_start", e))?,
            clock(&self.payment_reminder.quiet_end).map_err(|e| ("quiet_end", e))?,
            clock(&self.harassment.night_start).map_err(|e| ("night_start", e))?,
            clock(&self.harassment.night_end).map_err(|e| ("night_end", e))?,
        ];
        self.payment_phrases = Some(
            aho_corasick::AhoCorasick::new(&self.payment_reminder.phrases)
                .map_err(|e| ("phrases", e.to_string()))?,
        );
        if !(0.0..=1.0).contains(&self.offensive_model.threshold) {
            return Err(("threshold", "must be between 0 and 1".into()));
        }
        if self.quick_reply_overuse.per_session < 2 || self.harassment.burst_messages < 2 {
            return Err((
                "per_session",
                "repetition thresholds must be at least 2".into(),
            ));
        }
        Ok(self)
    }

    /// The bundled file's text, for laying a configuration over it.
    pub const BUNDLED_TEXT: &'static str = include_str!("../../lexicons/rules.toml");

    /// The bundled `lexicons/rules.toml`.
    ///
    /// # Errors
    /// Never for the bundled file (a test checks it).
    pub fn bundled() -> Result<RuleOptions, String> {
        Self::parse(Self::BUNDLED_TEXT, "lexicons/rules.toml")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_options_load_and_bad_keys_are_located() {
        let o = RuleOptions::bundled().unwrap();
        assert_eq!(o.clocks[0], 23 * 3600);
        assert!(in_window(23 * 3600 + 5, o.clocks[2], o.clocks[3]));
        assert!(in_window(7 * 3600, o.clocks[2], o.clocks[3]));
        assert!(!in_window(8 * 3600, o.clocks[2], o.clocks[3]));
        let bad =
            include_str!("../../lexicons/rules.toml").replace("per_session = 3", "per_sesion = 3");
        let err = RuleOptions::parse(&bad, "rules.toml").unwrap_err();
        assert!(err.contains("did you mean `per_session`"), "{err}");
        assert!(err.starts_with("rules.toml:"), "{err}");
        let bad = include_str!("../../lexicons/rules.toml").replace("\"23:00\"", "\"25:00\"");
        let err = RuleOptions::parse(&bad, "rules.toml").unwrap_err();
        assert!(err.contains("not a time of day"), "{err}");
    }
}
