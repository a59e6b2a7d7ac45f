//! Declarative tier rules: 金牌 / 银牌 / 黑牌 team tiers per shop and month,
//! and 新手 / 初级 / 中级 / 高级 agent levels.
//!
//! The platform publishes no authoritative thresholds for these tiers
//! (domain.md §0, §2.8), so every number is **project policy** in a strict,
//! versioned TOML file ([`TierPolicy`], bundled as `lexicons/tiers.toml`),
//! and every decision names the policy version it was made under.
//!
//! Inputs: the shop metrics CSV and complaints CSV ([`load_shop_metrics`],
//! [`load_complaints`], formats in [`input`]), plus scores the scan derives
//! from transcripts ([`ShopDerived`], [`AgentDerived`]). Outputs: a
//! [`ShopDecision`] / [`AgentDecision`] listing every rule checked with the
//! values compared, rendered by [`render_explain`], [`write_tiers_csv`] and
//! [`TierSummary`]. Precedence and ranking rules are documented in
//! [`decide`]; exact decimal comparison in [`fixed`].
//!
//! ```
//! use wwqa::tiers::{decide_shops, Tier, TierPolicy};
//! let policy = TierPolicy::bundled().unwrap();
//! let decisions = decide_shops(&policy, &[], &[], &[]);
//! assert!(decisions.is_empty());
//! assert_eq!(Tier::Gold.label(), "金牌");
//! ```

pub mod decide;
pub mod derived;
pub mod fixed;
pub mod input;
pub mod policy;
pub mod report;

pub use decide::{
    decide_agents, decide_shops, AgentDecision, AgentDerived, AgentLevel, Check, PeerRank,
    ShopDecision, ShopDerived, Tier,
};
pub use fixed::Fixed;
pub use input::{load_complaints, load_shop_metrics, Complaint, Platform, ShopMetrics};
pub use policy::{DeclaredFlag, TierPolicy};
pub use report::{render_explain, write_tiers_csv, TierSummary};

use serde::Serialize;
use std::fmt;

/// A problem at a place in an input or policy file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The file as given.
    pub path: String,
    /// 1-based line.
    pub line: u64,
    /// 1-based column in chars, when known (policy files).
    pub column: Option<u64>,
    /// What is wrong, quoting the offending text.
    pub message: String,
}

impl fmt::Display for Located {
    /// `path:line: message` or `path:line:col: message`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(col) => write!(f, "{}:{}:{}: {}", self.path, self.line, col, self.message),
            None => write!(f, "{}:{}: {}", self.path, self.line, self.message),
        }
    }
}

/// Why a policy or input file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TierError {
    /// The file could not be read.
    #[error("{path}: {source}")]
    Io {
        /// The file as given.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// The file was read but is invalid; one entry per problem, in file
    /// order, each displayed on its own line.
    #[error("{}", join_lines(.0))]
    Invalid(Vec<Located>),
}

fn join_lines(problems: &[Located]) -> String {
    problems
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}
