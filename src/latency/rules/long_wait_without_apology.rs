//! LAT004 long-wait-without-apology: after a wait beyond the 3-minute limit
//! the agent answered without acknowledging it.

use super::{first_word, on_round_open, wait, RuleContext};
use crate::finding::{Finding, RuleMeta, Severity};
use crate::latency::rounds::{is_valid_replier, speaker_account, RoundStatus};

/// Rule metadata.
pub static META: RuleMeta = RuleMeta {
    code: "LAT004",
    name: "long-wait-without-apology",
    family: "latency",
    severity: Severity::Low,
    summary: "A buyer waited more than three_min_secs and none of the apology words appears in the replying agent's \
              next apology_lookahead messages (the reply included).",
    rationale: "QA templates expect 抱歉/久等了 after a slow reply (domain.md §3.2); a silent resumption reads as \
                indifference and invites a poor 满意度 rating.",
    options: "apology_words, apology_lookahead (5), three_min_secs in lexicons/latency_policy.toml.",
    fires: "10:00:00 买家: 发货了吗 / 10:05:00 客服: 今天发",
    quiet: "10:00:00 买家: 发货了吗 / 10:05:00 客服: 不好意思久等了，今天发",
    file: file!(),
};

/// Flag assessed replied rounds over the limit with no apology from the
/// replier in its next messages.
pub fn check(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    let policy = ctx.policy;
    let messages = &ctx.session.messages;
    for round in ctx.rounds {
        if !round.is_assessed() || round.status != RoundStatus::Replied {
            continue;
        }
        let (Some(secs), Some(reply_index)) = (round.latency_secs, round.reply_index) else {
            continue;
        };
        if secs <= policy.three_min_secs {
            continue;
        }
        let apologised = messages
            .iter()
            .enumerate()
            .skip(reply_index)
            .filter(|&(i, m)| {
                is_valid_replier(m)
                    && !ctx.automatic.get(i).copied().unwrap_or(false)
                    && speaker_account(m) == round.account
            })
            .take(policy.apology_lookahead)
            .any(|(_, m)| first_word(&m.text, &policy.apology_words).is_some());
        if !apologised {
            let message = format!(
                "buyer waited {}; no apology from {} in its next {} message(s)",
                wait(secs),
                round.account,
                policy.apology_lookahead
            );
            out.extend(on_round_open(&META, ctx, round, message));
        }
    }
}
