//! ABU007 `offensive-candidate`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::rules::Ctx;

/// A message the offensiveness model scores high, with no lexicon hit.
pub static META: RuleMeta = RuleMeta {
    code: "ABU007",
    name: "offensive-candidate",
    family: "abuse",
    severity: Severity::Info,
    summary: "A message the offensiveness model (char n-grams, trained on COLD) scores at or above the threshold, with no abuse-term hit (ABU001/ABU002): a CANDIDATE FOR REVIEW, never evidence.",
    rationale: "Lexicons miss new wordings; the model ranks messages for a reviewer. It was trained on social-media comments that mostly attack groups, so it is triage, not proof (lexicons/abuse_model.md).",
    options: "`[offensive_model] threshold`, `min_chars` in lexicons/rules.toml.",
    fires: "买家: 你们这种人就是社会的垃圾，活该倒闭",
    quiet: "买家: 亲，快递什么时候到呀",
    file: file!(),
};

/// Model-only candidates, both directions.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let o = &ctx.opts.offensive_model;
    for (i, m) in ctx.session.messages.iter().enumerate() {
        // Fewer than `min_chars` chars, counting no further than that.
        let short = o.min_chars > 0 && m.text.chars().nth(o.min_chars - 1).is_none();
        if matches!(m.role, crate::model::Role::System) || short {
            continue;
        }
        if !ctx.abuse[i].is_empty() {
            continue;
        }
        let score = memo_score(ctx, &m.text);
        if score >= o.threshold {
            out.push(ctx.finding(
                &META,
                i,
                Span::whole(&m.text),
                format!(
                    "candidate for review, not evidence: offensiveness score {score:.2}, {}",
                    super::direction(m.role)
                ),
            ));
        }
    }
}

/// Most texts a thread scores are canned replies and stock questions it
/// has scored before: it keeps the scores of up to this many texts (and
/// digests of eight times as many texts met once), forgotten at once.
const MEMO_TEXTS: usize = 1 << 14;

/// Scores of texts met before (with the text), owned by the model.
type Memo = crate::rules::Recurring<(Box<str>, f32), MEMO_TEXTS>;

/// `ctx.model.score(text)`, remembered for texts met before.
fn memo_score(ctx: &Ctx<'_>, text: &str) -> f32 {
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::new(Memo::default());
    }
    MEMO.with(|cell| {
        let mut memo = cell.borrow_mut();
        memo.own(std::ptr::from_ref(ctx.model) as usize);
        let digest = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
        if let Some((_, score)) = memo.get(digest).filter(|(t, _)| **t == *text) {
            return *score;
        }
        let score = ctx.model.score(text);
        memo.met(digest, || (text.into(), score));
        score
    })
}
