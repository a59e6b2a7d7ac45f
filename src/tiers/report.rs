//! Outputs of the tier engine: the `--explain` text, `tiers.csv`, and the
//! `tiers` section of `summary.json`.

use super::decide::{AgentDecision, ShopDecision, Tier};
use super::policy::TierPolicy;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write;

/// The explanation `wwqa tier --explain SHOP` prints: the outcome, the rule
/// that settled it, the flags, then every rule checked with the values
/// compared (`PASS`/`FAIL`, actual, expected, note).
pub fn render_explain(decision: &ShopDecision) -> String {
    let mut out = String::new();
    let d = decision;
    out.push_str(&format!(
        "{} {}  ({}, {}, 规模 {})  [{}]\n",
        d.shop,
        d.month,
        d.platform.label(),
        d.industry,
        d.scale_band,
        d.source
    ));
    out.push_str(&format!("tier: {} ({})", d.tier.label(), d.tier.as_str()));
    if d.computed_tier != d.tier {
        out.push_str(&format!(", would have been {} ({})", d.computed_tier.label(), d.computed_tier.as_str()));
    }
    out.push_str(&format!("\ndecided by: {}\npolicy: {}\n", d.decided_by, d.policy));
    if let Some(rank) = &d.rank {
        out.push_str(&format!(
            "rank: {} of {} by 满意度 (top {}%; ties share the better rank)\n",
            rank.rank, rank.peers, rank.percentile
        ));
    }
    if !d.flags.is_empty() {
        out.push_str(&format!("flags: {}\n", d.flags.join(", ")));
    }
    out.push_str("checks:\n");
    for c in &d.checks {
        out.push_str(&format!(
            "  {} {}: {} (expected {})",
            if c.passed { "PASS" } else { "FAIL" },
            c.rule,
            c.actual,
            c.expected
        ));
        if !c.note.is_empty() {
            out.push_str(&format!("  — {}", c.note));
        }
        out.push('\n');
    }
    out
}

/// Write `tiers.csv`: a UTF-8 BOM (so Excel shows Chinese), a header row,
/// then one row per decision in the given order. Columns:
///
/// | column | content |
/// |---|---|
/// | `month` | `YYYY-MM` |
/// | `shop` | shop nick |
/// | `platform` | `淘宝` / `天猫` |
/// | `industry` | industry |
/// | `scale_band` | scale band |
/// | `tier` | `gold`, `silver`, `black`, `none`, `not_rated`, `cancelled`, `disqualified` |
/// | `tier_label` | `金牌`, `银牌`, `黑牌`, `无`, `不参评`, `已取消`, `取消资格` |
/// | `computed_tier` | tier before a cancellation |
/// | `decided_by` | policy key of the rule that settled it |
/// | `rank` | competition rank by 满意度 in the peer group (empty if unranked) |
/// | `peers` | peer group size (empty if unranked) |
/// | `percentile` | `rank / peers × 100` (empty if unranked) |
/// | `failed_rules` | policy keys of every failed check, `;`-separated |
/// | `flags` | declared flags, derived fraud signals, cancelling complaints, `;`-separated |
/// | `policy` | policy name and version |
///
/// # Errors
/// Any error of the writer.
pub fn write_tiers_csv<W: Write>(mut writer: W, decisions: &[ShopDecision]) -> std::io::Result<()> {
    writer.write_all("\u{feff}".as_bytes())?;
    let mut csv = csv::Writer::from_writer(writer);
    let header = [
        "month",
        "shop",
        "platform",
        "industry",
        "scale_band",
        "tier",
        "tier_label",
        "computed_tier",
        "decided_by",
        "rank",
        "peers",
        "percentile",
        "failed_rules",
        "flags",
        "policy",
    ];
    csv.write_record(header).map_err(std::io::Error::from)?;
    for d in decisions {
        let failed: Vec<&str> = d.checks.iter().filter(|c| !c.passed).map(|c| c.rule.as_str()).collect();
        let (rank, peers, percentile) = match &d.rank {
            Some(r) => (r.rank.to_string(), r.peers.to_string(), r.percentile.to_string()),
            None => Default::default(),
        };
        csv.write_record([
            d.month.as_str(),
            d.shop.as_str(),
            d.platform.label(),
            d.industry.as_str(),
            d.scale_band.as_str(),
            d.tier.as_str(),
            d.tier.label(),
            d.computed_tier.as_str(),
            d.decided_by.as_str(),
            rank.as_str(),
            peers.as_str(),
            percentile.as_str(),
            failed.join(";").as_str(),
            d.flags.join(";").as_str(),
            d.policy.as_str(),
        ])
        .map_err(std::io::Error::from)?;
    }
    csv.flush()
}

/// The `tiers` section of `summary.json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TierSummary {
    /// Policy name.
    pub policy_name: String,
    /// Policy version.
    pub policy_version: String,
    /// Where the policy came from.
    pub policy_source: String,
    /// Shop-months per tier (machine names), in name order.
    pub shop_tiers: BTreeMap<&'static str, usize>,
    /// Agent-months per level, in name order.
    pub agent_levels: BTreeMap<&'static str, usize>,
    /// Every shop decision.
    pub shops: Vec<ShopDecision>,
    /// Every agent decision.
    pub agents: Vec<AgentDecision>,
}

impl TierSummary {
    /// Gather decisions under the policy that made them.
    pub fn new(policy: &TierPolicy, shops: Vec<ShopDecision>, agents: Vec<AgentDecision>) -> TierSummary {
        let mut shop_tiers = BTreeMap::new();
        for tier in [
            Tier::Gold,
            Tier::Silver,
            Tier::Black,
            Tier::None,
            Tier::NotRated,
            Tier::Cancelled,
            Tier::Disqualified,
        ] {
            shop_tiers.insert(tier.as_str(), shops.iter().filter(|d| d.tier == tier).count());
        }
        let mut agent_levels = BTreeMap::new();
        for a in &agents {
            *agent_levels.entry(a.level.label()).or_insert(0) += 1;
        }
        TierSummary {
            policy_name: policy.name.clone(),
            policy_version: policy.version.clone(),
            policy_source: policy.source.clone(),
            shop_tiers,
            agent_levels,
            shops,
            agents,
        }
    }
}
