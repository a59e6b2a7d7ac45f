//! The cue lexicon on its own (a component of the learned model, and the
//! baseline `wwqa eval stage --baseline` measures).

use super::cues::{group_stage, CueClassifier as StageClassifier};
use super::*;
use crate::model::{ConversationKey, Message, MessageKind, Role, Session, SourceRef};
use std::sync::Arc;

/// A session from (role, account, text) triples, ids `m0`, `m1`, …
pub(super) fn session(lines: &[(Role, Option<&str>, &str)]) -> Session {
    let conversation = ConversationKey {
        shop: "测试旗舰店".to_string(),
        buyer: "买家小李".to_string(),
    };
    let messages = lines
        .iter()
        .enumerate()
        .map(|(i, (role, account, text))| Message {
            id: format!("m{i}"),
            conversation: conversation.clone(),
            time: None,
            sender: account.unwrap_or("买家小李").to_string(),
            role: *role,
            account: account.map(str::to_string),
            robot_mode: None,
            kind: if text.starts_with("[订单编号:") {
                MessageKind::OrderCard
            } else {
                MessageKind::Text
            },
            text: text.to_string(),
            source: SourceRef {
                path: Arc::from("test.txt"),
                line_start: i as u32 + 1,
                line_end: i as u32 + 1,
                byte_start: 0,
                byte_end: 0,
            },
        })
        .collect();
    Session {
        id: "s".to_string(),
        conversation,
        start: None,
        end: None,
        agents: Vec::new(),
        transfers: Vec::new(),
        messages,
    }
}

pub(super) fn buyer(text: &str) -> (Role, Option<&str>, &str) {
    (Role::Buyer, None, text)
}

pub(super) fn agent(text: &str) -> (Role, Option<&'static str>, &str) {
    (Role::Agent, Some("测试旗舰店:小美"), text)
}

/// The quoted text of every reason, checked against its message.
pub(super) fn quotes(session: &Session, result: &StageResult) -> Vec<(String, String)> {
    result
        .reasons
        .iter()
        .map(|reason| {
            let message = session
                .messages
                .iter()
                .find(|m| m.id == reason.message_id)
                .expect("reason message exists");
            (
                reason.message_id.clone(),
                reason.span.slice(&message.text).to_string(),
            )
        })
        .collect()
}

#[test]
fn product_questions_before_buying_are_pre_sale() {
    let s = session(&[
        buyer("[链接x] 你好，这两款有什么区别？"),
        agent("亲，主要是容量不一样哦"),
        buyer("黑色有货吗 能用优惠券吗"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::PreSale);
    let quotes = quotes(&s, &result);
    assert!(
        quotes.contains(&("m0".to_string(), "区别".to_string())),
        "{quotes:?}"
    );
    assert!(
        quotes.contains(&("m2".to_string(), "优惠券".to_string())),
        "{quotes:?}"
    );
    assert!((0.0..=1.0).contains(&result.confidence));
}

#[test]
fn order_card_and_shipping_question_is_in_sale() {
    let s = session(&[
        buyer("[订单编号:[订单x]，订单金额:[金额x]，下单时间:[日期x] [时间x]]"),
        agent("有什么问题我可以帮您处理或解决呢?"),
        buyer("昨天拍的，什么时候发货啊"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::InSale);
    assert!(
        result.scores.pre_sale < 0.0,
        "an order card argues against 售前: {:?}",
        result.scores
    );
    let top = &result.reasons[0];
    assert_eq!(top.message_id, "m2");
    assert_eq!(top.cue, "什么时候发货");
    assert_eq!(top.span.slice(&s.messages[2].text), "什么时候发货");
    assert_eq!((top.span.char_start, top.span.char_end), (5, 11));
}

#[test]
fn damaged_goods_are_after_sale_with_high_confidence() {
    let s = session(&[
        buyer("刚收到货，屏幕是碎的，我要退货"),
        agent("非常抱歉，麻烦提供一下照片"),
        buyer("[图片]"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::AfterSale);
    assert!(result.high_confidence);
    assert!(result.confidence > 0.9, "{}", result.confidence);
    let quotes = quotes(&s, &result);
    for cue in ["刚收到", "碎", "退货"] {
        assert!(
            quotes.contains(&("m0".to_string(), cue.to_string())),
            "{cue} missing from {quotes:?}"
        );
    }
}

#[test]
fn session_turning_from_pre_sale_to_a_repair_is_after_sale() {
    let s = session(&[
        buyer("这款有白色吗 多少钱"),
        agent("有的亲，现在活动价"),
        buyer("另外我上个月在你家买的那台坏了，不能开机，要维修还是退货？"),
        agent("亲，可以申请售后哦"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::AfterSale);
    assert!(
        result.scores.pre_sale > 0.0,
        "the opening question still counts for 售前"
    );
    assert!(result
        .reasons
        .iter()
        .all(|r| r.message_id == "m2" || r.message_id == "m3"));
}

#[test]
fn explicit_not_bought_outweighs_policy_words() {
    let s = session(&[buyer("我还没买，想问下这个保价吗？")]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::PreSale, "{:?}", result.scores);
    assert_eq!(result.reasons[0].cue, "还没买");
}

#[test]
fn account_questions_and_empty_sessions_are_other() {
    let classifier = StageClassifier::builtin();
    let account = session(&[
        buyer("我的账号密码忘记了，手机号也换了"),
        agent("亲，请提供一下实名信息"),
    ]);
    let result = classifier.classify(&account);
    assert_eq!(result.stage, Stage::Other);
    assert!(result.reasons.iter().any(|r| r.cue == "密码"));

    let greetings = session(&[buyer("在吗"), agent("在的亲"), buyer("好的 谢谢")]);
    let result = classifier.classify(&greetings);
    assert_eq!(result.stage, Stage::Other);
    assert!(result.reasons.is_empty());

    let empty = session(&[]);
    let result = classifier.classify(&empty);
    assert_eq!(result.stage, Stage::Other);
    assert!(result.confidence.is_finite());
}

#[test]
fn agent_words_count_less_than_the_buyer_request() {
    let s = session(&[
        buyer("我的快递到哪了，怎么还没发货"),
        agent("亲，如需退货退款或换货请在订单页申请售后"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::InSale, "{:?}", result.scores);
}

#[test]
fn agent_group_name_decides_a_session_without_cues() {
    let s = session(&[
        buyer("你好 在吗"),
        (
            Role::Agent,
            Some("测试旗舰店:售后小王"),
            "您好，请问有什么可以帮您",
        ),
        buyer("就是上次那个，麻烦看一下"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::AfterSale);
    assert_eq!(result.reasons[0].cue, "account:测试旗舰店:售后小王");
    assert_eq!(result.reasons[0].span.slice(&s.messages[1].text), "");
    assert_eq!(
        group_stage("售前旗舰店:小美"),
        None,
        "only the sub-account names a group"
    );
}

#[test]
fn word_cues_need_jieba_boundaries() {
    let classifier = StageClassifier::builtin();
    let closing = session(&[buyer("不用了，谢谢")]);
    let evidence = classifier.extract(&closing);
    assert!(evidence.is_empty(), "用了 inside 不用了 is not a cue");
    let used = session(&[buyer("用了几天就不亮了")]);
    let result = classifier.classify(&used);
    assert!(result
        .reasons
        .iter()
        .any(|r| r.cue == "用了" && r.span.slice(&used.messages[0].text) == "用了"));
}

#[test]
fn odd_input_does_not_panic() {
    let classifier = StageClassifier::builtin();
    let s = session(&[
        buyer(""),
        buyer("😀😀[订单x"),
        (Role::System, None, "由 a 转交给 b"),
        buyer("ＰＬＵＳ会员 PLUS plus\u{0}\t"),
        agent("[链接x][链接x][链接x]"),
    ]);
    let result = classifier.classify(&s);
    assert!((0.0..=1.0).contains(&result.confidence));
    for reason in &result.reasons {
        let message = s
            .messages
            .iter()
            .find(|m| m.id == reason.message_id)
            .expect("message");
        assert!(message
            .text
            .get(reason.span.byte_start..reason.span.byte_end)
            .is_some());
    }
}

#[test]
fn lexicon_errors_name_the_line() {
    let err =
        StageClassifier::from_lexicon_str("# c\ncue\t退货\tafter\t3.0\n", "x.tsv").unwrap_err();
    assert_eq!(err, "x.tsv:2: unknown stage `after`");
    let err = StageClassifier::from_lexicon_str("cue\t退货\tafter_sale\t3.0\tfast\n", "x.tsv")
        .unwrap_err();
    assert_eq!(
        err,
        "x.tsv:1: unknown flag `fast` (word, state, once, pre_unless_order)"
    );
    let err = StageClassifier::from_lexicon_str("param\tspeed\t1\n", "x.tsv").unwrap_err();
    assert_eq!(err, "x.tsv:1: unknown param `speed`");
    let err =
        StageClassifier::from_lexicon_str("cue\t退货\tafter_sale\tNaN\n", "x.tsv").unwrap_err();
    assert_eq!(err, "x.tsv:1: bad weight `NaN`");
    let err = StageClassifier::from_lexicon_str("cue\ta\tother\t1\ncue\ta\tother\t2\n", "x.tsv")
        .unwrap_err();
    assert_eq!(err, "x.tsv:2: duplicate cue `a` for other");
}

#[test]
fn builtin_lexicon_loads_with_its_params() {
    let classifier = StageClassifier::builtin();
    assert!(classifier.patterns.len() > 200);
    assert_eq!(classifier.params().agent_factor, 0.2);
    fn shareable<T: Send + Sync>() {}
    shareable::<StageClassifier>();
}

#[test]
fn stage_names_round_trip_and_serialize_snake_case() {
    for stage in Stage::ALL {
        assert_eq!(Stage::parse(stage.as_str()), Some(stage));
        assert_eq!(
            serde_json::to_string(&stage).expect("json"),
            format!("\"{}\"", stage.as_str())
        );
    }
    assert_eq!(Stage::InSale.is_bought(), Some(true));
    assert_eq!(Stage::Other.is_bought(), None);
}

#[test]
fn delivery_question_with_no_order_shown_is_pre_sale() {
    let s = session(&[
        buyer("湖北恩施可以送到吗？用什么快递"),
        agent("亲，可以送到的，默认京东快递"),
        buyer("好的"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::PreSale, "{:?}", result.scores);
    let quotes = quotes(&s, &result);
    // 送到 is written as an in_sale cue; with no order shown it argues for
    // 售前, and the reason still quotes the buyer's words.
    for cue in ["送到", "快递"] {
        assert!(
            quotes.contains(&("m0".to_string(), cue.to_string())),
            "{cue} missing from {quotes:?}"
        );
    }
    let kuaidi = result
        .reasons
        .iter()
        .find(|r| r.message_id == "m0" && r.cue == "快递")
        .expect("快递 reason");
    assert_eq!((kuaidi.span.char_start, kuaidi.span.char_end), (13, 15));
}

#[test]
fn the_same_delivery_question_after_an_order_card_is_in_sale() {
    let s = session(&[
        buyer("[订单编号:[订单x]，订单金额:[金额x]，下单时间:[日期x] [时间x]]"),
        buyer("湖北恩施可以送到吗？用什么快递"),
        agent("亲，已经在配送了"),
    ]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::InSale, "{:?}", result.scores);
    assert!(result.scores.pre_sale < 0.0, "{:?}", result.scores);
    assert!(result
        .reasons
        .iter()
        .any(|r| r.cue == "送到" && r.message_id == "m1"));
}

#[test]
fn saying_the_order_is_still_to_be_placed_turns_delivery_questions_pre_sale() {
    let classifier = StageClassifier::builtin();
    let in_transit = session(&[buyer("明天能到吗"), agent("亲，请提供一下订单号")]);
    assert_eq!(classifier.classify(&in_transit).stage, Stage::InSale);

    let before_buying = session(&[
        buyer("明天能到吗"),
        agent("亲，请提供一下订单号"),
        buyer("现在下单的话 明天能到吗 江苏"),
    ]);
    let result = classifier.classify(&before_buying);
    assert_eq!(result.stage, Stage::PreSale, "{:?}", result.scores);
    let quotes = quotes(&before_buying, &result);
    assert!(
        quotes.contains(&("m2".to_string(), "现在下单".to_string())),
        "{quotes:?}"
    );
    assert!(
        quotes.contains(&("m0".to_string(), "能到".to_string())),
        "the first question counts for 售前 too: {quotes:?}"
    );
}

#[test]
fn courier_complaint_is_not_a_pre_sale_delivery_question() {
    let s = session(&[buyer("你们快递员怎么还不来送货")]);
    let result = StageClassifier::builtin().classify(&s);
    assert_eq!(result.stage, Stage::InSale, "{:?}", result.scores);
    // jieba splits 快递员 into 快递 + 员, so the courier cue itself must
    // outweigh the 快递 it contains.
    assert!(
        result.reasons.iter().any(|r| r.cue == "快递员"),
        "{:?}",
        result.reasons
    );
}

#[test]
fn payment_method_question_is_pre_sale_until_an_order_shows() {
    let classifier = StageClassifier::builtin();
    let asking = session(&[buyer("请问支持哪些付款方式？可以分期付款吗")]);
    assert_eq!(classifier.classify(&asking).stage, Stage::PreSale);
    let stuck = session(&[buyer("我的订单付款一直失败，付不了")]);
    assert_eq!(classifier.classify(&stuck).stage, Stage::InSale);
}

#[test]
fn word_boundary_check_segments_only_around_the_match() {
    let classifier = StageClassifier::builtin();
    let text = "不用了，谢谢";
    let at = text.find("用了").expect("present");
    assert!(!classifier.on_word_boundaries(text, at, at + "用了".len()));
    let long = format!("{}，用了几天就不亮了", "很长的前文".repeat(50));
    let at = long.find("用了").expect("present");
    assert!(classifier.on_word_boundaries(&long, at, at + "用了".len()));
    // The window gives the answer a whole-message segmentation gives.
    for (text, cue) in [
        ("快递什么时候到，我的快递员电话打不通", "快递"),
        ("昨天打开包装发现用了一次就坏了，单号是多少", "用了"),
        ("请问发什么快递呀", "快递"),
        ("这个单号查不到物流", "单号"),
    ] {
        let cuts = crate::segment::shared().token_boundaries(text);
        for (at, _) in text.match_indices(cue) {
            let end = at + cue.len();
            assert_eq!(
                classifier.on_word_boundaries(text, at, end),
                cuts.contains(&at) && cuts.contains(&end),
                "{text} at {at}"
            );
        }
    }
    let edge = "用了";
    assert!(classifier.on_word_boundaries(edge, 0, edge.len()));
}

#[test]
fn money_that_should_arrive_is_a_refund_not_a_delivery() {
    let classifier = StageClassifier::builtin();
    let s = session(&[
        buyer("退款申请通过了，钱几天能到账？"),
        agent("您好，这边帮您查询"),
    ]);
    let result = classifier.classify(&s);
    assert_eq!(result.stage, Stage::AfterSale);
    let cues: Vec<&str> = result.reasons.iter().map(|r| r.cue.as_str()).collect();
    assert!(cues.contains(&"到账"), "{cues:?}");
}

#[test]
fn any_named_order_is_order_evidence() {
    let classifier = StageClassifier::builtin();
    // 送到 is a pre-sale delivery question until an order shows; "两个订单"
    // shows one.
    let s = session(&[buyer("昨天那两个订单能一起送到吗")]);
    let result = classifier.classify(&s);
    assert_eq!(result.stage, Stage::InSale);
    assert!(result.scores.pre_sale < 0.0, "{:?}", result.scores);
}

#[test]
fn reissued_invoice_is_after_sale_but_a_first_invoice_change_is_in_sale() {
    let classifier = StageClassifier::builtin();
    // Re-issuing means it was issued, which JD does once the order is done.
    let reissue = session(&[buyer("发票开错了，能重开吗")]);
    assert_eq!(classifier.classify(&reissue).stage, Stage::AfterSale);
    let change = session(&[buyer("我的订单发票信息填错了，能修改发票吗")]);
    assert_eq!(classifier.classify(&change).stage, Stage::InSale);
}

#[test]
fn written_negation_of_an_order_is_pre_sale() {
    let classifier = StageClassifier::builtin();
    // 发票 alone leans to 售中; "还未下单" says nothing is bought yet.
    let s = session(&[
        buyer("开公司抬头的发票找哪位客服？"),
        agent("麻烦您提供一下订单号"),
        buyer("我还未下单，想先问清楚发票能不能写公司的税号"),
    ]);
    let result = classifier.classify(&s);
    assert_eq!(result.stage, Stage::PreSale);
    assert!(result.reasons.iter().any(|r| r.cue == "还未下单"));
}
