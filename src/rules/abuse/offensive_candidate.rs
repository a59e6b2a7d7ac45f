//! ABU007 `offensive-candidate`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::lexicon::Category;
use crate::rules::Ctx;

/// A message the offensiveness model scores high, with no lexicon hit.
pub static META: RuleMeta = RuleMeta {
    code: "ABU007",
    name: "offensive-candidate",
    family: "abuse",
    severity: Severity::Info,
    summary: "A message the offensiveness model (char n-grams, trained on COLD) scores at or above the threshold, with no insult or threat hit: a CANDIDATE FOR REVIEW, never evidence.",
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
        if ctx.hits_of(i, Category::Insult).next().is_some()
            || ctx.hits_of(i, Category::Threat).next().is_some()
        {
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

/// Most texts a shop thread scores are canned replies and stock questions
/// it has scored before: their scores are kept, per thread, up to this many
/// texts (then forgotten all at once).
const MEMO_TEXTS: usize = 1 << 14;

/// `ctx.model.score(text)`, remembered for texts seen before.
fn memo_score(ctx: &Ctx<'_>, text: &str) -> f32 {
    thread_local! {
        static SCORES: std::cell::RefCell<std::collections::HashMap<Box<str>, f32>> =
            std::cell::RefCell::new(std::collections::HashMap::new());
    }
    SCORES.with(|cell| {
        let mut scores = cell.borrow_mut();
        if let Some(&score) = scores.get(text) {
            return score;
        }
        let score = ctx.model.score(text);
        if scores.len() >= MEMO_TEXTS {
            scores.clear();
        }
        scores.insert(text.into(), score);
        score
    })
}
