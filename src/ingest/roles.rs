//! Telling agents, robots, the platform and buyers apart (`lexicons/roles.toml`).

use crate::model::{RobotMode, Role};
use serde::Deserialize;

/// The role configuration, loaded from TOML.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoleConfig {
    /// Version of the file, echoed in the summary.
    pub version: String,
    /// Main-account nicks of the shops in the dump.
    #[serde(default)]
    pub shop_nicks: Vec<String>,
    /// Nicks that are robots.
    #[serde(default)]
    pub robot_nicks: Vec<String>,
    /// Prefixes of fully automatic replies.
    #[serde(default)]
    pub auto_reply_markers: Vec<String>,
    /// Prefixes of assist-mode robot replies.
    #[serde(default)]
    pub assist_markers: Vec<String>,
    /// Nick keywords that mark an agent without a `:`.
    #[serde(default)]
    pub agent_nick_keywords: Vec<String>,
    /// Shop name for conversations without any agent.
    pub unknown_shop: String,
    /// `agent_nick_keywords` in one automaton: every buyer message's nick
    /// is tested against all of them.
    #[serde(skip)]
    keyword_matcher: Option<aho_corasick::AhoCorasick>,
}

/// The role of a sender as far as its nick and text tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SenderRole {
    /// Role.
    pub role: Role,
    /// Shop (main account) for agents and robots.
    pub shop: Option<String>,
    /// Robot mode for robots.
    pub robot_mode: Option<RobotMode>,
}

impl RoleConfig {
    /// The bundled `lexicons/roles.toml`.
    pub fn bundled() -> RoleConfig {
        Self::parse(
            include_str!("../../lexicons/roles.toml"),
            "lexicons/roles.toml",
        )
        .expect("bundled roles.toml is valid")
    }

    /// Parse a roles file; errors are `path:line:col: message`.
    ///
    /// # Errors
    /// Unknown keys, missing keys and wrong types, located in the file.
    pub fn parse(text: &str, path: &str) -> Result<RoleConfig, String> {
        let mut config: RoleConfig =
            toml::from_str(text).map_err(|e| crate::diag::toml_error(path, text, &e))?;
        config.keyword_matcher = Some(
            aho_corasick::AhoCorasick::new(&config.agent_nick_keywords)
                .map_err(|e| format!("{path}: agent_nick_keywords: {e}"))?,
        );
        Ok(config)
    }

    /// The same configuration with its derived matcher built again, after
    /// its lists were changed (a configuration's `[roles]` lists).
    ///
    /// # Errors
    /// Keywords the automaton cannot hold.
    pub fn rebuilt(mut self) -> Result<RoleConfig, String> {
        self.keyword_matcher = Some(
            aho_corasick::AhoCorasick::new(&self.agent_nick_keywords)
                .map_err(|e| format!("agent_nick_keywords: {e}"))?,
        );
        Ok(self)
    }

    /// Is this nick an agent or robot account of a shop, and which shop?
    pub fn shop_of(&self, nick: &str) -> Option<String> {
        let nick = nick.trim();
        if let Some((main, _sub)) = split_sub_account(nick) {
            return Some(main.to_string());
        }
        let has_keyword = match &self.keyword_matcher {
            Some(ac) => ac.is_match(nick),
            None => self
                .agent_nick_keywords
                .iter()
                .any(|k| nick.contains(k.as_str())),
        };
        if has_keyword || self.shop_nicks.iter().any(|s| s == nick) {
            return Some(nick.to_string());
        }
        None
    }

    /// Is this nick a robot?
    pub fn is_robot_nick(&self, nick: &str) -> bool {
        let sub = split_sub_account(nick).map_or(nick, |(_, s)| s);
        self.robot_nicks.iter().any(|r| r == nick || r == sub)
    }

    /// Classify a sender from its nick and message text.
    pub fn classify(&self, nick: &str, text: &str) -> SenderRole {
        let nick = self.nick_role(nick);
        let (role, robot_mode) = self.role_of(&nick, text);
        SenderRole {
            role,
            shop: nick.shop,
            robot_mode,
        }
    }

    /// What the nick alone tells: worked out once per nick by callers that
    /// see the same few nicks over and over.
    pub(crate) fn nick_role(&self, nick: &str) -> NickRole {
        NickRole {
            shop: self.shop_of(nick),
            robot_nick: self.is_robot_nick(nick),
        }
    }

    /// Role and robot mode of a message from its sender's [`NickRole`] and
    /// its text (reply markers only mark shop accounts and robots).
    pub(crate) fn role_of(&self, nick: &NickRole, text: &str) -> (Role, Option<RobotMode>) {
        if !nick.robot_nick && nick.shop.is_none() {
            return (Role::Buyer, None);
        }
        let trimmed = text.trim_start();
        // The first byte decides most comparisons without a memcmp call.
        let first = trimmed.as_bytes().first();
        let marks = |m: &String| {
            m.is_empty() || (m.as_bytes().first() == first && trimmed.starts_with(m.as_str()))
        };
        let auto_marker = self.auto_reply_markers.iter().any(marks);
        let assist_marker = self.assist_markers.iter().any(marks);
        if nick.robot_nick || auto_marker || assist_marker {
            let mode = if assist_marker {
                RobotMode::Assist
            } else {
                RobotMode::Auto
            };
            return (Role::Robot, Some(mode));
        }
        (Role::Agent, None)
    }
}

/// The part of a sender's role its nick decides.
#[derive(Debug, Clone)]
pub(crate) struct NickRole {
    /// [`RoleConfig::shop_of`] the nick.
    pub(crate) shop: Option<String>,
    /// [`RoleConfig::is_robot_nick`] the nick.
    robot_nick: bool,
}

/// Split `主账号:子账号` (ASCII or full-width colon).
pub fn split_sub_account(nick: &str) -> Option<(&str, &str)> {
    let (i, c) = nick.char_indices().find(|&(_, c)| c == ':' || c == '：')?;
    let main = nick[..i].trim();
    let sub = nick[i + c.len_utf8()..].trim();
    (!main.is_empty() && !sub.is_empty()).then_some((main, sub))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sub_accounts_robots_and_buyers() {
        let cfg = RoleConfig::bundled();
        let agent = cfg.classify("得力广州专卖店:小迪", "亲，在的");
        assert_eq!(agent.role, Role::Agent);
        assert_eq!(agent.shop.as_deref(), Some("得力广州专卖店"));
        let auto = cfg.classify("得力广州专卖店:小迪", "[自动回复]您好，欢迎光临");
        assert_eq!(auto.role, Role::Robot);
        assert_eq!(auto.robot_mode, Some(RobotMode::Auto));
        let assist = cfg.classify("得力广州专卖店:店小蜜", "[智能辅助]亲，这款有货");
        assert_eq!(assist.robot_mode, Some(RobotMode::Assist));
        assert_eq!(cfg.classify("tb8946567", "在吗").role, Role::Buyer);
        // A buyer typing the marker is still a buyer: markers only mark shop accounts.
        assert_eq!(
            cfg.classify("tb8946567", "[自动回复]哈哈").role,
            Role::Buyer
        );
    }

    #[test]
    fn unknown_key_is_located_with_suggestion() {
        let err = RoleConfig::parse(
            "version = \"1\"\nunknown_shop = \"x\"\nrobot_nick = []\n",
            "roles.toml",
        )
        .unwrap_err();
        assert!(err.starts_with("roles.toml:3:1:"), "{err}");
        assert!(err.contains("did you mean `robot_nicks`"), "{err}");
    }
}
