//! The categories of mistakes seen on real chats, each as firing and quiet
//! hand-written sessions, with the rendered findings snapshotted inline
//! (expect-test: `UPDATE_EXPECT=1 cargo test --test rule_cases` rewrites
//! them). A snapshot shows every message of the session and, under the one
//! that fires, the finding: code, quote and message, so a reviewer reads
//! which message fires and why, not only how many findings there are.
//!
//! expect-test rather than insta: snapshots live next to the session they
//! render (no `.snap` files to cross-reference), and it adds two small
//! crates (expect-test, dissimilar) to the cold build instead of insta's
//! dozen.

use expect_test::{expect, Expect};
use wwqa::analyze::Analyzers;
use wwqa::ingest::{ingest_bytes, Format, IngestOptions};
use wwqa::rules::Selection;
use wwqa::session::{sessionize, SessionOptions};

/// Run the rules whose codes start with `select` on one session whose
/// turns are `b:` (buyer) or `a:` (agent) lines, and render it.
fn render(select: &str, turns: &str) -> String {
    let mut jsonl = String::new();
    for (i, turn) in turns
        .lines()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .enumerate()
    {
        let (role, text) = match turn.split_once(':') {
            Some(("b", text)) => ("buyer", text.trim()),
            Some(("a", text)) => ("agent", text.trim()),
            _ => panic!("turn `{turn}` must start with `b:` or `a:`"),
        };
        let sender = if role == "agent" {
            "花花旗舰店:小美"
        } else {
            "tb_case"
        };
        let line = serde_json::json!({
            "shop": "花花旗舰店", "buyer": "tb_case", "sender": sender, "role": role,
            "time": format!("2026-10-12 10:{:02}:{:02}", i / 2, (i % 2) * 30),
            "text": text, "session": "case",
        });
        jsonl.push_str(&line.to_string());
        jsonl.push('\n');
    }
    let opts = IngestOptions {
        format: Some(Format::Jsonl),
        ..IngestOptions::default()
    };
    let parsed = ingest_bytes("case.jsonl", jsonl.as_bytes(), &opts);
    assert!(parsed.rejects.is_empty(), "{:?}", parsed.rejects);
    let mut analyzers = Analyzers::bundled().unwrap();
    analyzers.selection = Selection {
        select: vec![select.to_string()],
        ignore: vec![],
    };
    let sessions = sessionize(parsed.messages, &SessionOptions::default());
    assert_eq!(sessions.len(), 1);
    let session = &sessions[0];
    let findings = analyzers.analyze_session(session).findings;
    let mut out = String::new();
    for (i, m) in session.messages.iter().enumerate() {
        let who = if m.is_shop_side() { "a" } else { "b" };
        out.push_str(&format!("{i} {who}: {}\n", m.text));
        for f in findings.iter().filter(|f| f.message_id == m.id) {
            // The quote is the span sliced out of the original text.
            assert_eq!(&m.text[f.span.byte_start..f.span.byte_end], f.quote);
            out.push_str(&format!("  ^ {} 「{}」 {}\n", f.code, f.quote, f.message));
        }
    }
    out
}

fn check(select: &str, turns: &str, expected: Expect) {
    expected.assert_eq(&render(select, turns));
}

// ---------------------------------------------------------------------------
// A refusal whose "alternative" is inside the refusal itself.

#[test]
fn scr002_bu_keyi_does_not_offer_its_own_keyi() {
    check(
        "SCR002",
        "b: 要不不退差价 能送个赠品吗
         a: 不可以的哦亲",
        expect![[r#"
            0 b: 要不不退差价 能送个赠品吗
            1 a: 不可以的哦亲
              ^ SCR002 「不可以」 refusal with no alternative offered: 「不可以」
        "#]],
    );
}

#[test]
fn scr002_refusal_with_a_way_forward_is_quiet() {
    check(
        "SCR002",
        "b: 能改地址吗
         a: 不行哦亲，不过可以帮您申请拦截后重新下单
         b: 能便宜点吗
         a: 价格是不能改的呢
         b: 为什么
         a: 您可以领取店铺优惠券后再下单哦",
        expect![[r#"
            0 b: 能改地址吗
            1 a: 不行哦亲，不过可以帮您申请拦截后重新下单
            2 b: 能便宜点吗
            3 a: 价格是不能改的呢
            4 b: 为什么
            5 a: 您可以领取店铺优惠券后再下单哦
        "#]],
    );
}

#[test]
fn scr002_alternatives_before_the_refusal_are_about_something_else() {
    check(
        "SCR002",
        "b: 发票能改成纸质的吗
         a: 税号抬头可以更改  不可以换开纸质发票",
        expect![[r#"
            0 b: 发票能改成纸质的吗
            1 a: 税号抬头可以更改  不可以换开纸质发票
              ^ SCR002 「不可以」 refusal with no alternative offered: 「不可以」
        "#]],
    );
}

// A polite "not possible" with an estimate, a question, a hypothetical.
#[test]
fn scr002_estimates_questions_and_hypotheticals_are_quiet() {
    check(
        "SCR002",
        "b: 明天能到吗
         a: 不能保证哦，一般三天左右到
         b: 主机要拆吗
         a: 主机也不行吗
         b: 我试试
         a: 如您尝试后不行 那就是不可以的呢",
        expect![[r#"
            0 b: 明天能到吗
            1 a: 不能保证哦，一般三天左右到
            2 b: 主机要拆吗
            3 a: 主机也不行吗
            4 b: 我试试
            5 a: 如您尝试后不行 那就是不可以的呢
        "#]],
    );
    check(
        "SCR002",
        "b: 明天能到吗
         a: 这个妹子也没办法保证呢亲",
        expect![[r#"
            0 b: 明天能到吗
            1 a: 这个妹子也没办法保证呢亲
              ^ SCR002 「没办法保证」 refusal with no alternative offered: 「没办法保证」
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Apologetic explanations with a way forward are not dismissive.

#[test]
fn scr001_flat_dont_know_fires_and_a_next_step_quiets_it() {
    check(
        "SCR001",
        "b: 这个什么时候补货
         a: 这个不清楚哦
         b: 那赠品呢
         a: 不清楚呢，我帮您问一下仓库哦
         b: 物流呢
         a: 很抱歉，这个没办法查询，您可以在订单页查看物流详情
         b: 好吧
         a: 不送的话这边也没办法了亲",
        expect![[r#"
            0 b: 这个什么时候补货
            1 a: 这个不清楚哦
              ^ SCR001 「不清楚」 dismissive phrase: 「不清楚」
            2 b: 那赠品呢
            3 a: 不清楚呢，我帮您问一下仓库哦
            4 b: 物流呢
            5 a: 很抱歉，这个没办法查询，您可以在订单页查看物流详情
            6 b: 好吧
            7 a: 不送的话这边也没办法了亲
              ^ SCR001 「也没办法」 dismissive phrase: 「也没办法」
        "#]],
    );
}

#[test]
fn scr001_dont_know_you_is_a_question() {
    check(
        "SCR001",
        "b: 有黑色吗
         a: 不知道您要哪款呢？",
        expect![[r#"
            0 b: 有黑色吗
            1 a: 不知道您要哪款呢？
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Terms inside longer words; JD's routing opener is an offer of help.

#[test]
fn scr005_nin_hao_inside_nin_haoping_is_no_greeting() {
    check(
        "SCR005",
        "b: 东西收到了
         a: 麻烦您好评一下哦
         b: 嗯
         a: 您亲自去取件吧",
        expect![[r#"
            0 b: 东西收到了
            1 a: 麻烦您好评一下哦
              ^ SCR005 「麻烦您好评一下哦」 the agent's first messages carry no greeting
            2 b: 嗯
            3 a: 您亲自去取件吧
        "#]],
    );
}

#[test]
fn scr005_offers_of_help_and_mid_conversation_starts_are_quiet() {
    for turns in [
        "b: 我的快递到哪了
         a: 请问您是咨询之前的问题还是有其他的问题需要处理呢?",
        "b: 你好 是人工客服吗
         a: 在的 您说",
        "b: 你好
         a: 请问有什么问题可以帮到您的嘛",
        // The buyer's first words answer an earlier exchange.
        "b: 好的
         a: 已经帮您备注了",
        "b: 那我这批海苔还能退货吗
         a: 您已经签收了哦",
    ] {
        let rendered = render("SCR005", turns);
        assert!(!rendered.contains("  ^ "), "{rendered}");
    }
}

// ---------------------------------------------------------------------------
// Ordinary shop operations and anti-fraud explanations are not fraud;
// split and reordered inducements are.

#[test]
fn scr012_shop_operations_and_policy_are_quiet() {
    check(
        "SCR012",
        "b: 能便宜点吗
         a: 可以的亲，您先拍下，我给您改价
         b: 运费呢
         a: 帮您改运费了，补差价的链接发您了
         b: 好评有返现吗
         a: 为了防止刷单，我们不支持好评返现哦
         b: 有人加我微信说刷单
         a: 是有其他人员通过微信联系您刷单的吗?",
        expect![[r#"
            0 b: 能便宜点吗
            1 a: 可以的亲，您先拍下，我给您改价
            2 b: 运费呢
            3 a: 帮您改运费了，补差价的链接发您了
            4 b: 好评有返现吗
            5 a: 为了防止刷单，我们不支持好评返现哦
            6 b: 有人加我微信说刷单
            7 a: 是有其他人员通过微信联系您刷单的吗?
        "#]],
    );
}

#[test]
fn scr012_split_and_reordered_inducements_fire() {
    check(
        "SCR012",
        "b: 收到了
         a: 亲，好评后返您5元哦
         b: 真的吗
         a: 五星好评截图给我返3元
         b: 好
         a: 好平返现2元哦",
        expect![[r#"
            0 b: 收到了
            1 a: 亲，好评后返您5元哦
              ^ SCR012 「好评后返」 trade fraud or review inducement: 「好评后返」
            2 b: 真的吗
            3 a: 五星好评截图给我返3元
              ^ SCR012 「五星好评截图给我返」 trade fraud or review inducement: 「五星好评截图给我返」
            4 b: 好
            5 a: 好平返现2元哦
              ^ SCR012 「好平返」 trade fraud or review inducement: 「好平返」
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Contact phrases split with symbols or spaces; a mailbox.

#[test]
fn scr011_split_contact_terms_fire() {
    check(
        "SCR011",
        "b: 怎么联系你
         a: 加我微-信 abc123
         b: 还有呢
         a: V 信也行
         b: 好
         a: 我的工作邮箱是kefu@example.com
         b: 退款去哪了
         a: 退款会原路退回微信零钱哦",
        expect![[r#"
            0 b: 怎么联系你
            1 a: 加我微-信 abc123
              ^ SCR011 「加我微-信」 off-platform contact: 「加我微-信」
            2 b: 还有呢
            3 a: V 信也行
              ^ SCR011 「V 信」 off-platform contact: 「V 信」
            4 b: 好
            5 a: 我的工作邮箱是kefu@example.com
              ^ SCR011 「工作邮箱」 off-platform contact: 「工作邮箱」
            6 b: 退款去哪了
            7 a: 退款会原路退回微信零钱哦
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Guarantees and absolute words: promises, names, ordinals.

#[test]
fn scr010_guarantee_slogans_and_promises_fire_hedges_do_not() {
    check(
        "SCR010",
        "b: 是正品吗
         a: 正品保证哦亲
         b: 会坏吗
         a: 放心，绝对不会坏的
         b: 什么时候到
         a: 预计三天左右，帮您催促一下
         b: 能到吗
         a: 百分之百过两天有物流",
        expect![[r#"
            0 b: 是正品吗
            1 a: 正品保证哦亲
              ^ SCR010 「正品保证」 over-promise: 「正品保证」
            2 b: 会坏吗
            3 a: 放心，绝对不会坏的
              ^ SCR010 「绝对不会」 over-promise: 「绝对不会」
            4 b: 什么时候到
            5 a: 预计三天左右，帮您催促一下
            6 b: 能到吗
            7 a: 百分之百过两天有物流
              ^ SCR010 「百分之百过两天有」 over-promise: 「百分之百过两天有」
        "#]],
    );
}

#[test]
fn scr009_names_ordinals_and_promises_are_not_claims() {
    check(
        "SCR009",
        "b: 从哪发货
         a: 广州番禺第一车队配送，第一分仓发货
         b: 这是第几盒
         a: 亲第一盒是不是用了几张
         b: 会坏吗
         a: 绝对不会坏的
         b: 力气小能剥开吗
         a: 我是我们公司力气最小的都能吃的很轻松呢，最美服饰旗舰店出品
         b: 贵吗
         a: 价格最低了，全网第一",
        expect![[r#"
            0 b: 从哪发货
            1 a: 广州番禺第一车队配送，第一分仓发货
            2 b: 这是第几盒
            3 a: 亲第一盒是不是用了几张
            4 b: 会坏吗
            5 a: 绝对不会坏的
            6 b: 力气小能剥开吗
            7 a: 我是我们公司力气最小的都能吃的很轻松呢，最美服饰旗舰店出品
            8 b: 贵吗
            9 a: 价格最低了，全网第一
              ^ SCR009 「最低」 absolute claim banned by the advertising law: 「最低」
              ^ SCR009 「全网第一」 absolute claim banned by the advertising law: 「全网第一」
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Meaning that depends on the object: telling the buyer not to pay.

#[test]
fn scr013_not_to_pay_is_no_reminder() {
    check(
        "SCR013",
        "b: 我拍下了
         a: 您先不要付款哦，我给您改价
         b: 好
         a: 亲，记得付款哦
         b: 嗯
         a: 亲，还没付款哦",
        expect![[r#"
            0 b: 我拍下了
            1 a: 您先不要付款哦，我给您改价
            2 b: 好
            3 a: 亲，记得付款哦
            4 b: 嗯
            5 a: 亲，还没付款哦
              ^ SCR013 「还没付款」 payment reminder #2 for one order (allowed: 1)
        "#]],
    );
}

// ---------------------------------------------------------------------------
// Asks and quick replies are counted by sentence.

#[test]
fn scr007_two_asks_in_one_message_and_one_ask_with_instructions() {
    check(
        "SCR007",
        "b: 好的谢谢
         a: 希望您对我的服务做个评价哦，在左下角点开里面的满意度，点开评价哦~
         b: 嗯
         a: 辛苦您给我一个评价哦，期待再次为您服务  别忘了对我的服务做出评价哦",
        expect![[r#"
            0 b: 好的谢谢
            1 a: 希望您对我的服务做个评价哦，在左下角点开里面的满意度，点开评价哦~
            2 b: 嗯
            3 a: 辛苦您给我一个评价哦，期待再次为您服务  别忘了对我的服务做出评价哦
              ^ SCR007 「评价」 review invitation #2 in this session
        "#]],
    );
}

#[test]
fn scr004_a_canned_sentence_glued_to_other_words_counts() {
    check(
        "SCR004",
        "b: 到哪了
         a: 还请您稍等，正在为您查询~
         b: 快点
         a: 还请您稍等，正在为您查询~ 审核通过了就会发货了呢
         b: 然后呢
         a: 还请您稍等，正在为您查询~ 这个您还得找销售经理催下哦
         b: ？
         a: 还请您稍等，正在为您查询~",
        expect![[r#"
            0 b: 到哪了
            1 a: 还请您稍等，正在为您查询~
            2 b: 快点
            3 a: 还请您稍等，正在为您查询~ 审核通过了就会发货了呢
            4 b: 然后呢
            5 a: 还请您稍等，正在为您查询~ 这个您还得找销售经理催下哦
              ^ SCR004 「还请您稍等，正在为您查询」 the same reply sent 3 times in this session
            6 b: ？
            7 a: 还请您稍等，正在为您查询~
              ^ SCR004 「还请您稍等，正在为您查询」 the same reply sent 4 times in this session
        "#]],
    );
}

#[test]
fn scr003_one_character_answers_and_two_letters() {
    check(
        "SCR003",
        "b: 有货吗
         a: 有
         b: 好的
         a: ok",
        expect![[r#"
            0 b: 有货吗
            1 a: 有
              ^ SCR003 「有」 one-character reply 「有」
            2 b: 好的
            3 a: ok
        "#]],
    );
}
