//! SCR001 `dismissive-phrase`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// An agent message contains a dismissive or impatient phrase (不知道, 不归我管, 你不懂, 随便你, 急什么, 听不懂吗 …).
pub static META: RuleMeta = RuleMeta {
    code: "SCR001",
    name: "dismissive-phrase",
    family: "script",
    severity: Severity::Low,
    summary: "An agent message contains a dismissive or impatient phrase (不知道, 不归我管, 你不懂, 随便你, 急什么, 听不懂吗 …).",
    rationale: "Dismissive phrases are on every Taobao service 禁语 list and are a top cause of 态度差 complaints; QC products score them as soft violations.",
    options: "Terms and their contexts: `lexicons/script.lex`, section `[dismissive]`; `[dismissive_phrase] flat`, `next_steps` in lexicons/rules.toml (不知道, 不清楚: quiet when a next step such as 我帮您问一下 or 不过… follows).",
    fires: "客服: 不知道，你自己看详情页吧",
    quiet: "客服: 这个我不太清楚，我帮您问一下仓库哦 (不知道 is absent; 不知道您 is an allow-context)",
    file: file!(),
};

/// One finding per dismissive phrase in a shop message; the `flat` ones
/// (不知道, 不清楚) only when no next step (`next_steps`: 我帮您问一下, 不过,
/// 会联系您 …) stands in their message or follows in the next shop message
/// before the buyer speaks again (the guide's 不清楚 followed by 我帮您问一下;
/// 白天的客服会联系您哦 我这边不清楚呢).
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.dismissive_phrase;
    let messages = &ctx.session.messages;
    let steps_in = |text: &str| o.next_steps.iter().any(|w| text.contains(w.as_str()));
    let next_step_follows = |i: usize, own: crate::finding::Span| {
        let text = &messages[i].text;
        steps_in(&text[..own.byte_start])
            || steps_in(&text[own.byte_end..])
            || (i + 1..messages.len())
                .take_while(|&j| messages[j].role != crate::model::Role::Buyer)
                .find(|&j| ctx.is_shop(j))
                .is_some_and(|j| steps_in(&messages[j].text))
    };
    super::hit_findings(
        ctx,
        &META,
        Category::Dismissive,
        "dismissive phrase",
        |i, h| !o.flat.iter().any(|t| t == ctx.term(h)) || !next_step_follows(i, h.span),
        out,
    );
}
