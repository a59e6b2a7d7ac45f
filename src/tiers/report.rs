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
        out.push_str(&format!(
            ", would have been {} ({})",
            d.computed_tier.label(),
            d.computed_tier.as_str()
        ));
    }
    out.push_str(&format!(
        "\ndecided by: {}\npolicy: {}\n",
        d.decided_by, d.policy
    ));
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
        let failed: Vec<&str> = d
            .checks
            .iter()
            .filter(|c| !c.passed)
            .map(|c| c.rule.as_str())
            .collect();
        let (rank, peers, percentile) = match &d.rank {
            Some(r) => (
                r.rank.to_string(),
                r.peers.to_string(),
                r.percentile.to_string(),
            ),
            None => Default::default(),
        };
        // Shop, industry and flags come from the user's CSVs: through the
        // one spreadsheet guard, as in every CSV wwqa writes.
        let cell = crate::report::tables::spreadsheet_cell;
        let flags = d.flags.join(";");
        csv.write_record([
            d.month.as_str(),
            &cell(&d.shop),
            d.platform.label(),
            &cell(&d.industry),
            &cell(&d.scale_band),
            d.tier.as_str(),
            d.tier.label(),
            d.computed_tier.as_str(),
            d.decided_by.as_str(),
            rank.as_str(),
            peers.as_str(),
            percentile.as_str(),
            failed.join(";").as_str(),
            &cell(&flags),
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
    pub fn new(
        policy: &TierPolicy,
        shops: Vec<ShopDecision>,
        agents: Vec<AgentDecision>,
    ) -> TierSummary {
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
            shop_tiers.insert(
                tier.as_str(),
                shops.iter().filter(|d| d.tier == tier).count(),
            );
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tiers::{decide_shops, load_complaints, load_shop_metrics, ShopDerived};
    use std::path::Path;

    fn fixture_decisions() -> (TierPolicy, Vec<ShopDecision>) {
        let policy = TierPolicy::bundled().unwrap();
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tiers");
        let metrics = load_shop_metrics(dir.join("shops.csv")).unwrap();
        let complaints = load_complaints(dir.join("complaints.csv")).unwrap();
        let derived: Vec<ShopDerived> = metrics
            .iter()
            .map(|m| ShopDerived {
                shop: m.shop.clone(),
                month: m.month.clone(),
                rounds: 640,
                three_min_rate: Some(0.93),
                avg_response_secs: Some(41.0),
                agent_abuse_evidence: 0,
                buyer_abuse_evidence: 1,
                fraud_findings: 0,
                violations_per_100_sessions: 3.5,
                sessions: 400,
            })
            .collect();
        let decisions = decide_shops(&policy, &metrics, &derived, &complaints);
        (policy, decisions)
    }

    #[test]
    fn explain_lists_every_rule_with_values() {
        let (_, decisions) = fixture_decisions();
        let sujin = decisions.iter().find(|d| d.shop == "素锦服饰").unwrap();
        let text = render_explain(sujin);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].starts_with("素锦服饰 2026-10  (淘宝, 服饰, 规模 中)  ["),
            "{text}"
        );
        assert_eq!(
            lines[1],
            "tier: 已取消 (cancelled), would have been 银牌 (silver)"
        );
        assert_eq!(lines[2], "decided by: cancellation.complaint_types");
        assert_eq!(lines[3], "policy: wwqa-tiers 2026.11-1");
        assert_eq!(
            lines[4],
            "rank: 2 of 5 by 满意度 (top 40%; ties share the better rank)"
        );
        assert!(
            text.contains("  FAIL cancellation.complaint_types: 辱骂 2026-10-15 ("),
            "{text}"
        );
        assert!(
            text.contains("  PASS eligibility.min_reviews: 180 (expected ≥ 100)\n"),
            "{text}"
        );
        assert!(
            text.contains("  PASS gold.min_three_min_rate: 93% of 640 rounds (expected ≥ 90%)\n"),
            "{text}"
        );
        assert!(text.contains("  FAIL ranking.gold_top_percent: rank 2 of 5 (top 40%) (expected rank in the top 10% (ceil, at least one))  — ranks ≤ 1 qualify\n"), "{text}");
        // Shop, tier, decided by, policy, rank, flags, "checks:", then one line per check.
        assert_eq!(
            lines[5],
            "flags: derived:buyer_abuse_evidence=1, complaint:辱骂 2026-10-15"
        );
        assert_eq!(lines.len(), 7 + sujin.checks.len(), "{text}");
    }

    #[test]
    fn tiers_csv_has_bom_header_and_one_row_per_decision() {
        let (_, decisions) = fixture_decisions();
        let mut out = Vec::new();
        write_tiers_csv(&mut out, &decisions).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with('\u{feff}'));
        let lines: Vec<&str> = text.trim_start_matches('\u{feff}').lines().collect();
        assert_eq!(
            lines[0],
            "month,shop,platform,industry,scale_band,tier,tier_label,computed_tier,decided_by,rank,peers,percentile,failed_rules,flags,policy"
        );
        assert_eq!(lines.len(), decisions.len() + 1);
        let gold = lines
            .iter()
            .find(|l| l.contains(",晨曦女装店,") && l.starts_with("2026-10"))
            .unwrap();
        assert_eq!(
            *gold,
            "2026-10,晨曦女装店,淘宝,服饰,中,gold,金牌,gold,ranking.gold_top_percent,1,5,20,,derived:buyer_abuse_evidence=1,wwqa-tiers 2026.11-1"
        );
        let dq = lines.iter().find(|l| l.contains(",好运数码小铺,")).unwrap();
        assert!(
            dq.contains(",disqualified,取消资格,disqualified,disqualification.flags,,,,"),
            "{dq}"
        );
        assert!(dq.contains("declared:D评;declared:SD"), "{dq}");
    }

    #[test]
    fn summary_counts_tiers_under_the_policy_version() {
        let (policy, decisions) = fixture_decisions();
        let summary = TierSummary::new(&policy, decisions, Vec::new());
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(json["policy_version"], "2026.11-1");
        assert_eq!(json["shop_tiers"]["gold"], 1);
        assert_eq!(json["shop_tiers"]["cancelled"], 2);
        assert_eq!(json["shop_tiers"]["none"], 4);
        assert_eq!(json["shops"][0]["tier"], "cancelled");
        // A lone shop in its peer group is ranked 1 of 1 but wins no rank-based tier.
        assert_eq!(json["shops"][0]["rank"]["peers"], 1);
        assert_eq!(json["shops"][0]["computed_tier"], "none");
        assert_eq!(
            json["shops"][0]["decided_by"],
            "cancellation.complaint_types"
        );
        let sujin = summary
            .shops
            .iter()
            .position(|d| d.shop == "素锦服饰")
            .unwrap();
        assert_eq!(json["shops"][sujin]["rank"]["percentile"], "40");
    }
}
