//! LAT002 three-minute-breach: a replied round slower than the 3-minute limit.

use super::{on_round_open, wait, RuleContext};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::latency::rounds::RoundStatus;

/// Rule metadata.
pub static META: RuleMeta = RuleMeta {
    code: "LAT002",
    name: "three-minute-breach",
    family: "latency",
    severity: Severity::Medium,
    summary: "A buyer waited more than three_min_secs (180 s) for the first valid reply of a round.",
    rationale: "The platform assesses 3分钟人工响应率 over rounds opened in the business window (≥ 90% target; a \
                daily rate < 40% brings 流量降权); every such round lowers it (domain.md §1.2).",
    options: "three_min_secs, cap_secs, window_start/window_end/window_basis in lexicons/latency_policy.toml; \
              cross-day rounds are judged only with cross_day = \"include\".",
    fires: "10:10:15 买家: 在吗 / 10:15:20 买家: 发什么快递 / 10:18:10 客服: 中通哦 (475 s from the first message)",
    quiet: "10:18:30 买家: 几天到 / 10:19:00 客服: 一般两三天 (30 s)",
    file: file!(),
};

/// Flag assessed replied rounds with latency > three_min_secs.
pub fn check(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    let policy = ctx.policy;
    for round in ctx.rounds {
        if !round.is_assessed() || round.status != RoundStatus::Replied {
            continue;
        }
        let Some(secs) = round.latency_secs else {
            continue;
        };
        if secs > policy.three_min_secs {
            let capped = if round.capped {
                format!(", counted as {} s in 平响", policy.cap_secs)
            } else {
                String::new()
            };
            let message = format!(
                "buyer waited {} for {} over {} message(s); limit {} s{capped}",
                wait(secs),
                round.account,
                round.buyer_msgs,
                policy.three_min_secs
            );
            out.extend(on_round_open(&META, ctx, round, message));
        }
    }
}
