//! ABU002 `threat`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::Ctx;

/// A threat of harm in either direction: 弄死你, 等着瞧, 砍死你, 让你好看,
/// 找人收拾你, 我知道你住哪 ….
pub static META: RuleMeta = RuleMeta {
    code: "ABU002",
    name: "threat",
    family: "abuse",
    severity: Severity::High,
    summary: "A threat of harm in either direction: 弄死你, 你给我等着, 砍死你, 让你好看, 找人收拾你, 我知道你住哪, 人肉你 ….",
    rationale: "恐吓 is 骚扰他人 (情节严重) on the platform; buyer threats are evidence for the shop. A buyer's rights are not threats: 我要投诉, 差评, 12315, 曝光 to the platform, 报警 and 起诉 stay quiet, and so do verbs of harm aimed at no person (这个药能弄死蟑螂吗, 打死不退色).",
    options: "Terms, aims and allow-contexts: lexicons/abuse_terms.txt, section [threat].",
    fires: "买家: 你等着瞧，我找人弄死你",
    quiet: "客服: 亲，这款打死不退色的，你等一下我看看",
    file: file!(),
};

/// Every hit, with its direction (evidence).
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    super::abuse_findings(ctx, &META, true, out);
}
