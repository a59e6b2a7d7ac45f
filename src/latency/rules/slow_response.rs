//! LAT001 slow-response: a reply that came after the 千牛 slow-response
//! reminder (100 s) but still inside the 3-minute limit. Waits beyond the
//! limit are LAT002's, so one wait gives one finding.

use super::{on_round_open, wait, RuleContext};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::latency::rounds::RoundStatus;

/// Rule metadata.
pub static META: RuleMeta = RuleMeta {
    code: "LAT001",
    name: "slow-response",
    family: "latency",
    severity: Severity::Low,
    summary: "A buyer waited at least slow_warn_secs (100 s) but no more than three_min_secs (180 s) for a valid reply.",
    rationale: "千牛 raises its 慢响应提醒 at a 100 s wait, which cannot be changed or switched off; it exists to keep \
                agents inside the platform-assessed 3分钟人工响应率 (domain.md §1.2).",
    options: "slow_warn_secs and three_min_secs in lexicons/latency_policy.toml; only rounds inside the business \
              window that count for the rates are judged.",
    fires: "10:00:00 买家: 这款有现货吗 / 10:02:05 客服: 有的亲 (125 s)",
    quiet: "10:00:00 买家: 这款有现货吗 / 10:01:30 客服: 有的亲 (90 s)",
    file: file!(),
};

/// Flag assessed replied rounds with slow_warn_secs <= latency <= three_min_secs.
pub fn check(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    let policy = ctx.policy;
    for round in ctx.rounds {
        if !round.is_assessed() || round.status != RoundStatus::Replied {
            continue;
        }
        let Some(secs) = round.latency_secs else {
            continue;
        };
        if secs >= policy.slow_warn_secs && secs <= policy.three_min_secs {
            let message = format!(
                "buyer waited {} for {}; the slow-response reminder fires at {} s",
                wait(secs),
                round.account,
                policy.slow_warn_secs
            );
            out.extend(on_round_open(&META, ctx, round, message));
        }
    }
}
