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
    rationale: "Dismissive phrases are on every Taobao service 禁语 list (domain.md §4.1: 否定/推诿, 不耐烦) and are a top cause of 态度差 complaints; QC products score them as soft violations.",
    options: "Terms and their contexts: `lexicons/script.lex`, section `[dismissive]`; `[dismissive_phrase] flat` in lexicons/rules.toml (不知道, 不清楚: quiet when a way forward follows, by the `[direct_refusal] alternatives` words).",
    fires: "客服: 不知道，你自己看详情页吧",
    quiet: "客服: 这个我不太清楚，我帮您问一下仓库哦 (不知道 is absent; 不知道您 is an allow-context)",
    file: file!(),
};

/// One finding per dismissive phrase in a shop message; the `flat` ones
/// (不知道, 不清楚) only when neither their message (before or after:
/// 白天的客服会联系您哦 我这边不清楚呢) nor the next shop message before the
/// buyer speaks again offers a way forward.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let flat = &ctx.opts.dismissive_phrase.flat;
    super::hit_findings(
        ctx,
        &META,
        Category::Dismissive,
        "dismissive phrase",
        |i, h| {
            !flat.iter().any(|t| t == h.term) || !super::offers_way_forward(
                    ctx,
                    i,
                    0,
                    &[h.span],
                    super::Forward {
                        estimates: false,
                        reasons: false,
                        across_buyer: false,
                    },
                )
        },
        out,
    );
}
