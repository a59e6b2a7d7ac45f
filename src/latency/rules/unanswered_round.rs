//! LAT003 unanswered-round: a buyer question that never got a valid reply.

use super::{on_round_open, RuleContext};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::latency::rounds::RoundStatus;

/// Rule metadata.
pub static META: RuleMeta = RuleMeta {
    code: "LAT003",
    name: "unanswered-round",
    family: "latency",
    severity: Severity::Medium,
    summary: "A round opened inside the business window ended without a valid reply (human or assist-mode robot).",
    rationale: "An unreplied round counts 0 in the 3-minute rate, 600 s in 平响 (diantuoyi 2022) and lowers 旺旺回复率; \
                when the buyer was transferred without a reply, the transferring sub-account is charged (domain.md §1.3).",
    options: "unreplied (cap | exclude, for 平响 only) and the window in lexicons/latency_policy.toml. Rounds answered \
              only by a fully automatic robot, and 留言 rounds, are not judged.",
    fires: "10:00:00 买家: 能便宜点吗 / (no reply) / 由 店:小王 转交给 店:小李",
    quiet: "10:00:00 买家: 能便宜点吗 / 10:00:40 客服: 亲已经是活动价啦",
    file: file!(),
};

/// Flag assessed unreplied rounds.
pub fn check(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    for round in ctx.rounds {
        if !round.is_assessed() || round.status != RoundStatus::Unreplied {
            continue;
        }
        let how = if round.transferred {
            "transferred without a reply"
        } else {
            "never answered"
        };
        let message = format!(
            "round of {} buyer message(s) {how}; charged to {}",
            round.buyer_msgs, round.account
        );
        out.extend(on_round_open(&META, ctx, round, message));
    }
}
