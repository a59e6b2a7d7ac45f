//! SCR005 `missing-greeting`.

use crate::finding::{Finding, RuleMeta, Severity, Span};
use crate::lexicon::Category;
use crate::model::Role;
use crate::rules::Ctx;

/// The agent's first words in a session greet nobody.
pub static META: RuleMeta = RuleMeta {
    code: "SCR005",
    name: "missing-greeting",
    family: "script",
    severity: Severity::Low,
    summary: "None of the first human agent messages of a session holds a greeting (您好, 亲, 欢迎光临 …), and no automatic greeting came before them.",
    rationale: "接待无欢迎语 is a standard QC item (晓多 template, −3 points).",
    options: "`[missing_greeting] first_messages`, `continued_openers` (first buyer words that show the chat started before the excerpt: 好的, 那…, 对) in lexicons/rules.toml; greeting terms and offers of help (JD's routing opener 请问您是咨询之前的问题还是…) in `lexicons/script.lex`, section `[greeting]`.",
    fires: "买家: 在吗 / 客服: 什么事",
    quiet: "买家: 在吗 / 客服: 亲，您好，在的",
    file: file!(),
};

/// Flags the first agent message when neither it nor the next few greet.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    let messages = &ctx.session.messages;
    let is_agent = |i: usize| messages[i].role == Role::Agent;
    let shop = || (0..messages.len()).filter(|&i| ctx.is_shop(i));
    let Some(first_human) = shop().find(|&i| is_agent(i)) else {
        return;
    };
    // An excerpt that starts mid-conversation: no greeting is expected.
    let openers = &ctx.opts.missing_greeting.continued_openers;
    if let Some(first_buyer) = (0..first_human).find(|&i| messages[i].role == Role::Buyer) {
        let bare = super::bare(&messages[first_buyer].text).to_lowercase();
        if openers.iter().any(|o| bare.starts_with(o.as_str())) {
            return;
        }
    }
    let greets = |i: usize| ctx.hits_of(i, Category::Greeting).next().is_some();
    // An automatic greeting before the agent spoke counts as the shop's greeting.
    if shop().take_while(|&i| i < first_human).any(greets) {
        return;
    }
    let n = ctx.opts.missing_greeting.first_messages.max(1);
    let mut window = shop()
        .skip_while(|&i| i < first_human)
        .filter(|&i| is_agent(i))
        .take(n);
    if window.any(greets) {
        return;
    }
    out.push(ctx.finding(
        &META,
        first_human,
        Span::whole(&messages[first_human].text),
        "the agent's first messages carry no greeting".into(),
    ));
}
