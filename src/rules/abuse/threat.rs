//! ABU002 `threat`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// A threat in either direction: 弄死你, 等着瞧, 砍死你, 让你好看, 找人收拾你 ….
pub static META: RuleMeta = RuleMeta {
    code: "ABU002",
    name: "threat",
    family: "abuse",
    severity: Severity::High,
    summary: "A threat in either direction: 弄死你, 等着瞧, 砍死你, 让你好看, 找人收拾你 ….",
    rationale: "恐吓 is 骚扰他人 (情节严重) on the platform (domain.md §2.1); buyer threats are evidence for the shop.",
    options: "Terms: lexicons/abuse.lex, section [threat].",
    fires: "买家: 你等着瞧，我找人弄死你",
    quiet: "客服: 打死不退色 is a product claim, not a threat",
    file: file!(),
};

/// Every hit, with its direction (evidence).
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for (i, m) in ctx.session.messages.iter().enumerate() {
        for h in ctx.hits_of(i, Category::Threat) {
            out.push(ctx.finding(
                &META,
                i,
                h.span,
                format!(
                    "恐吓 (threat), {}: 「{}」",
                    super::direction(m.role),
                    h.span.slice(&m.text)
                ),
            ));
        }
    }
}
