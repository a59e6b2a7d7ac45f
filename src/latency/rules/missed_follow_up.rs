//! LAT005 missed-follow-up: the agent asked the buyer to wait (稍等, 我去查一下
//! …) and did not come back in time.

use super::{first_word, wait, RuleContext};
use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::latency::rounds::is_valid_replier;

/// Rule metadata.
pub static META: RuleMeta = RuleMeta {
    code: "LAT005",
    name: "missed-follow-up",
    family: "latency",
    severity: Severity::Medium,
    summary: "An agent message holds a follow-up phrase (稍等, 我去查一下 …) and no agent message follows within \
              follow_up_secs (15 min), or none follows at all in the session.",
    rationale: "A promise to come back is a commitment the buyer waits on; the platform's 违背承诺 rules and every QA \
                template treat an abandoned 稍等 as a service failure (domain.md §2.2, §3.2).",
    options: "follow_up_words and follow_up_secs (900) in lexicons/latency_policy.toml. Automatic messages (robot \
              auto mode, auto-reply markers, 0-second replies) are not read: an auto-reply saying 请稍等 is no \
              agent promise. Judged at any hour, since a promise made is kept or not regardless of the window.",
    fires: "14:00:00 客服: 亲稍等，我去查一下物流 / (next agent message 14:20:00)",
    quiet: "14:00:00 客服: 亲稍等，我去查一下物流 / 14:03:00 客服: 查到了，已经到杭州了",
    file: file!(),
};

/// Flag agent follow-up phrases not followed by an agent message in time.
pub fn check(ctx: &RuleContext<'_>, out: &mut Vec<Finding>) {
    let policy = ctx.policy;
    let messages = &ctx.session.messages;
    let is_agent_turn = |i: usize| {
        is_valid_replier(&messages[i]) && !ctx.automatic.get(i).copied().unwrap_or(false)
    };
    for (index, promise) in messages.iter().enumerate() {
        if !is_agent_turn(index) {
            continue;
        }
        let Some((start, end)) = first_word(&promise.text, &policy.follow_up_words) else {
            continue;
        };
        let Some(promised_at) = promise.time else {
            continue;
        };
        let next = (index + 1..messages.len()).find(|&i| is_agent_turn(i));
        let gap = next.and_then(|i| messages[i].time).map(|t| t - promised_at);
        let message = match gap {
            Some(gap) if gap <= policy.follow_up_secs => continue,
            Some(gap) => format!(
                "said `{}` and came back only after {} (limit {} s)",
                &promise.text[start..end],
                wait(gap),
                policy.follow_up_secs
            ),
            None if next.is_none() => format!(
                "said `{}` and never came back in this session",
                &promise.text[start..end]
            ),
            None => continue,
        };
        let span = Span::from_bytes(&promise.text, start, end);
        out.push(Finding::new(&META, ctx.session, index, span, message));
    }
}
