//! Behaviour tests for rounds, metrics and rules on hand-made sessions.

use super::policy::{CrossDay, UnrepliedTreatment};
use super::testkit::{account, SessionBuilder};
use super::*;
use crate::model::{ConversationKey, Message, MessageKind, RobotMode, Role, Session, SourceRef};

fn policy() -> LatencyPolicy {
    LatencyPolicy::bundled()
}

fn agg_of(sessions: &[Session], policy: &LatencyPolicy) -> LatencyAgg {
    let latencies: Vec<SessionLatency> = sessions
        .iter()
        .map(|s| analyze_session(s, policy))
        .collect();
    aggregate_all(&latencies, policy)
}

fn codes(latency: &SessionLatency) -> Vec<&str> {
    latency.findings.iter().map(|f| f.code.as_str()).collect()
}

/// domain.md §1.1 example 1: two questions, reply at 10:18:10 → 0/1.
fn example_one() -> SessionBuilder {
    SessionBuilder::new("tb_lily")
        .buyer("10:10:15", "这件羽绒服有M码吗")
        .buyer("10:15:20", "在吗？")
        .agent("10:18:10", "小王", "有的亲，M码有现货")
}

#[test]
fn worked_example_one_is_zero_of_one() {
    let policy = policy();
    let latency = analyze_session(&example_one().build(), &policy);
    assert_eq!(latency.rounds.len(), 1);
    let round = &latency.rounds[0];
    assert_eq!(
        (round.open_msg_index, round.buyer_msgs, round.reply_index),
        (0, 2, Some(2))
    );
    assert_eq!(round.latency_secs, Some(475));
    assert_eq!(round.account, account("小王"));
    assert!(round.is_assessed() && !round.within_three_min(&policy));
    assert_eq!(round.avg_response_secs(&policy), Some(475));
    let agg = agg_of(&[example_one().build()], &policy);
    assert_eq!((agg.rounds_within_three_min, agg.rounds_assessed), (0, 1));
    assert_eq!(agg.three_min_rate(), Some(0.0));
    // Findings quote the first buyer message, where the clock started.
    assert_eq!(codes(&latency), ["LAT002", "LAT004"]);
    assert_eq!(latency.findings[0].quote, "这件羽绒服有M码吗");
    assert_eq!(
        latency.findings[0].account,
        Some(account("小王")),
        "the charged sub-account"
    );
    assert_eq!(latency.findings[0].location, "fixture.txt:1");
    assert!(
        latency.findings[0].message.contains("475 s (7m55s)"),
        "{}",
        latency.findings[0].message
    );
}

#[test]
fn worked_example_two_is_one_of_two() {
    let policy = policy();
    let session = example_one()
        .buyer("10:18:30", "发什么快递？")
        .agent("10:19:00", "小王", "默认中通哦")
        .build();
    let agg = agg_of(&[session], &policy);
    assert_eq!((agg.rounds_within_three_min, agg.rounds_assessed), (1, 2));
    assert_eq!(agg.three_min_rate(), Some(0.5));
    // 平响 = (475 + 30) / 2.
    assert_eq!(agg.avg_response_secs(), Some(252.5));
}

#[test]
fn worked_example_three_is_zero_of_one() {
    let policy = policy();
    let mut builder = SessionBuilder::new("tb_mike");
    for (i, second) in [
        "20:00:00", "20:00:20", "20:00:40", "20:01:00", "20:01:20", "20:01:40", "20:02:00",
        "20:02:20", "20:02:40", "20:02:59",
    ]
    .iter()
    .enumerate()
    {
        builder = builder.buyer(second, &format!("第{}个问题：能开发票吗", i + 1));
    }
    let latency = analyze_session(&builder.build(), &policy);
    assert_eq!(latency.rounds.len(), 1);
    assert_eq!(latency.rounds[0].buyer_msgs, 10);
    assert_eq!(latency.rounds[0].status, RoundStatus::Unreplied);
    assert_eq!(
        latency.rounds[0].account,
        testkit::SHOP,
        "nobody touched it: the main account"
    );
    assert_eq!(latency.rounds[0].avg_response_secs(&policy), Some(600));
    let mut excluding = policy.clone();
    excluding.unreplied = UnrepliedTreatment::Exclude;
    assert_eq!(latency.rounds[0].avg_response_secs(&excluding), None);
    let agg = aggregate_all([&latency], &policy);
    assert_eq!((agg.rounds_within_three_min, agg.rounds_assessed), (0, 1));
    assert_eq!(
        agg.avg_response_secs(),
        Some(600.0),
        "unreplied counts as the cap"
    );
    assert_eq!((agg.unreplied_rounds(), agg.unreplied_buyers()), (1, 1));
    assert_eq!(agg.reply_rate(), Some(0.0));
    assert_eq!(codes(&latency), ["LAT003"]);
    assert_eq!(latency.findings[0].quote, "第1个问题：能开发票吗");
}

#[test]
fn unreplied_exclude_leaves_avg_but_not_three_minute_rate() {
    let mut policy = policy();
    policy.unreplied = UnrepliedTreatment::Exclude;
    let session = SessionBuilder::new("tb_a")
        .buyer("10:00:00", "有赠品吗")
        .agent("10:00:40", "小王", "有的，送收纳袋")
        .buyer("10:01:00", "好的那我拍了")
        .build();
    let agg = agg_of(&[session], &policy);
    assert_eq!((agg.rounds_within_three_min, agg.rounds_assessed), (1, 2));
    assert_eq!(agg.avg_response_secs(), Some(40.0));
}

#[test]
fn transfer_charges_the_unreplied_round_to_the_transferring_account() {
    let policy = policy();
    let session = SessionBuilder::new("tb_bob")
        .agent("14:00:00", "小王", "亲，在的")
        .buyer("14:00:30", "我要退货，怎么操作")
        .transfer("14:02:00", "小王", "售后小李")
        .agent("14:02:30", "售后小李", "您好，我是售后，这边帮您处理")
        .buyer("14:03:00", "衣服起球了")
        .agent("14:03:20", "售后小李", "抱歉给您带来不便，申请退货即可")
        .build();
    let latency = analyze_session(&session, &policy);
    let summary: Vec<(String, RoundStatus, bool)> = latency
        .rounds
        .iter()
        .map(|r| (r.account.clone(), r.status, r.transferred))
        .collect();
    assert_eq!(
        summary,
        [
            (account("小王"), RoundStatus::Unreplied, true),
            (account("售后小李"), RoundStatus::Replied, false),
        ]
    );
    assert_eq!(latency.rounds[1].latency_secs, Some(20));
    assert_eq!(codes(&latency), ["LAT003"]);
    assert_eq!(latency.findings[0].quote, "我要退货，怎么操作");
    assert!(latency.findings[0]
        .message
        .contains("transferred without a reply; charged to 小棉袄旗舰店:小王"));

    let by_agent = aggregate_by_agent([&latency], &policy);
    let wang = &by_agent[&account("小王")];
    let li = &by_agent[&account("售后小李")];
    assert_eq!(
        (
            wang.rounds_assessed,
            wang.unreplied_rounds(),
            wang.received_buyers()
        ),
        (1, 1, 0)
    );
    assert_eq!(
        (
            li.rounds_assessed,
            li.rounds_within_three_min,
            li.received_buyers()
        ),
        (1, 1, 1)
    );
    assert_eq!((wang.agent_messages, li.agent_messages), (1, 2));
    assert_eq!((wang.buyer_messages, li.buyer_messages), (1, 1));
    assert_eq!(
        li.first_response_sessions, 1,
        "first valid reply after the first question came from 小李"
    );
    assert_eq!(latency.first_response.as_ref().map(|f| f.secs), Some(120));
}

#[test]
fn recalls_and_notices_are_neither_question_nor_answer() {
    let policy = policy();
    let mut session = SessionBuilder::new("tb_r")
        .buyer("10:00:00", "tb_r 撤回了一条消息")
        .agent("10:00:05", "小王", "小王 撤回了一条消息")
        .buyer("10:01:00", "这个颜色有色差吗")
        .agent("10:01:40", "小王", "实物拍摄，没有色差")
        .build();
    session.messages[0].kind = MessageKind::Recall;
    session.messages[1].kind = MessageKind::Recall;
    let latency = analyze_session(&session, &policy);
    assert_eq!(latency.rounds.len(), 1);
    assert_eq!(
        (
            latency.rounds[0].open_msg_index,
            latency.rounds[0].latency_secs
        ),
        (2, Some(40))
    );
    assert_eq!(
        (latency.buyer_messages, latency.agent_message_total()),
        (1, 1)
    );
}

#[test]
fn a_different_account_answering_without_transfer_is_charged() {
    let policy = policy();
    let session = SessionBuilder::new("tb_c")
        .agent("09:00:00", "小王", "早上好")
        .buyer("09:00:10", "尺码怎么选")
        .agent("09:00:50", "小张", "身高体重发一下哦")
        .build();
    let latency = analyze_session(&session, &policy);
    assert_eq!(latency.rounds[0].account, account("小张"));
}

#[test]
fn automatic_robot_replies_do_not_stop_the_clock() {
    let policy = policy();
    let session = SessionBuilder::new("tb_d")
        .buyer("11:00:00", "什么时候发货")
        .robot("11:00:02", RobotMode::Auto, "亲，付款后48小时内发货哦")
        .agent("11:03:20", "小王", "亲，今天下午就发")
        .build();
    let latency = analyze_session(&session, &policy);
    let round = &latency.rounds[0];
    assert_eq!(
        (round.status, round.latency_secs, round.auto_replied),
        (RoundStatus::Replied, Some(200), true)
    );
    assert_eq!(
        (latency.auto_messages, latency.agent_message_total()),
        (1, 1)
    );
}

#[test]
fn auto_only_rounds_leave_numerator_and_denominator() {
    let policy = policy();
    let auto_only = SessionBuilder::new("tb_e")
        .buyer("11:00:00", "包邮吗")
        .robot("11:00:01", RobotMode::Auto, "全场包邮哦")
        .build();
    let human = SessionBuilder::new("tb_f")
        .buyer("11:00:00", "包邮吗")
        .agent("11:00:30", "小王", "包邮的亲")
        .build();
    let latency = analyze_session(&auto_only, &policy);
    assert_eq!(latency.rounds[0].status, RoundStatus::AutoOnly);
    assert!(latency.findings.is_empty());
    let agg = agg_of(&[auto_only, human], &policy);
    assert_eq!(
        (
            agg.rounds_within_three_min,
            agg.rounds_assessed,
            agg.rounds_auto_only
        ),
        (1, 1, 1)
    );
    assert_eq!(agg.consulted_buyers(), 2);
    assert_eq!(agg.received_buyers(), 1);
}

#[test]
fn zero_second_and_marked_replies_are_automatic() {
    let policy = policy();
    let session = SessionBuilder::new("tb_g")
        .buyer("15:00:00", "在吗")
        .agent("15:00:00", "小王", "您好，欢迎光临小棉袄旗舰店~")
        .agent("15:00:05", "小王", "[自动回复]您好，客服正在赶来，请稍等")
        .agent("15:01:10", "小王", "在的亲，请问有什么可以帮您")
        .build();
    let latency = analyze_session(&session, &policy);
    let round = &latency.rounds[0];
    assert_eq!((round.reply_index, round.latency_secs), (Some(3), Some(70)));
    assert_eq!(latency.auto_messages, 2);
    assert_eq!(latency.first_response.as_ref().map(|f| f.secs), Some(70));
    // The auto-reply's 请稍等 is no agent promise.
    assert!(!codes(&latency).contains(&"LAT005"));

    let mut lenient = policy.clone();
    lenient.zero_second_is_auto = false;
    let latency = analyze_session(&session, &lenient);
    assert_eq!(latency.rounds[0].latency_secs, Some(0));
}

#[test]
fn assist_mode_robot_reply_is_valid() {
    let policy = policy();
    let session = SessionBuilder::new("tb_h")
        .buyer("16:00:00", "这个能机洗吗")
        .robot("16:00:20", RobotMode::Assist, "可以机洗的亲，建议30度以下")
        .build();
    let latency = analyze_session(&session, &policy);
    let round = &latency.rounds[0];
    assert_eq!(
        (round.status, round.latency_secs),
        (RoundStatus::Replied, Some(20))
    );
    assert_eq!(round.account, account("店小蜜"));
    let agg = aggregate_all([&latency], &policy);
    assert_eq!(agg.three_min_rate(), Some(1.0));
    assert_eq!(agg.answer_ratio(), Some(1.0));
}

#[test]
fn window_edges() {
    let policy = policy();
    let opened_at = |hms: &str| {
        let session = SessionBuilder::new("tb_w")
            .buyer(hms, "还在营业吗")
            .agent(&next_second(hms, 30), "小王", "在的")
            .build();
        analyze_session(&session, &policy).rounds[0].in_window
    };
    assert!(!opened_at("07:59:59"));
    assert!(opened_at("08:00:00"));
    assert!(opened_at("22:59:59"));
    assert!(!opened_at("23:00:00"));

    let sessions: Vec<Session> = ["07:59:59", "08:00:00", "22:59:59", "23:00:00"]
        .iter()
        .map(|hms| {
            SessionBuilder::new(&format!("tb_{hms}"))
                .buyer(hms, "还在营业吗")
                .agent(&next_second(hms, 300), "小王", "在的")
                .build()
        })
        .collect();
    let agg = agg_of(&sessions, &policy);
    assert_eq!(
        (
            agg.rounds_assessed,
            agg.rounds_out_of_window,
            agg.slow_breach
        ),
        (2, 2, 2)
    );
    let latencies: Vec<_> = sessions
        .iter()
        .map(|s| analyze_session(s, &policy))
        .collect();
    let breaches = latencies
        .iter()
        .filter(|l| codes(l).contains(&"LAT002"))
        .count();
    assert_eq!(breaches, 2, "rules judge only rounds inside the window");
}

#[test]
fn jd_window_is_judged_by_session_start() {
    let jd = LatencyPolicy::bundled_preset("jd").unwrap();
    // JD's own example: enters at 08:56, reply at 09:01 → not counted.
    let session = SessionBuilder::new("tb_jd")
        .buyer("08:56:00", "你好")
        .agent("08:56:30", "小王", "您好")
        .buyer("09:01:00", "我的快递到哪了")
        .agent("09:01:20", "小王", "我帮您查一下")
        .build();
    let latency = analyze_session(&session, &jd);
    assert!(latency.rounds.iter().all(|r| !r.in_window));
    assert_eq!(latency.policy, "jd@2026.11.1");
    let taobao = analyze_session(&session, &policy());
    assert_eq!(
        taobao
            .rounds
            .iter()
            .map(|r| r.in_window)
            .collect::<Vec<_>>(),
        [true, true]
    );
}

#[test]
fn cross_day_rounds_are_excluded_by_default() {
    let mut policy = policy();
    let session = SessionBuilder::new("tb_night")
        .buyer("22:58:00", "明天能发货吗")
        .next_day()
        .agent("00:01:00", "小王", "可以的")
        .build();
    let latency = analyze_session(&session, &policy);
    let round = &latency.rounds[0];
    assert!(round.cross_day && round.in_window);
    assert_eq!(
        (round.status, round.latency_secs),
        (RoundStatus::CrossDay, Some(3780))
    );
    assert!(latency.findings.is_empty());
    let agg = aggregate_all([&latency], &policy);
    assert_eq!((agg.rounds_assessed, agg.rounds_cross_day), (0, 1));

    policy.cross_day = CrossDay::Include;
    let latency = analyze_session(&session, &policy);
    assert_eq!(latency.rounds[0].status, RoundStatus::Replied);
    assert_eq!(codes(&latency), ["LAT002", "LAT004"]);
    let agg = aggregate_all([&latency], &policy);
    assert_eq!(
        (
            agg.rounds_assessed,
            agg.rounds_within_three_min,
            agg.avg_response_sum_secs
        ),
        (1, 0, 600)
    );
}

#[test]
fn each_round_is_capped_at_600_seconds() {
    let policy = policy();
    let session = SessionBuilder::new("tb_cap")
        .buyer("13:00:00", "退款什么时候到")
        .agent("13:15:00", "小王", "抱歉久等了，已经退了")
        .buyer("13:16:00", "好的")
        .agent("13:17:00", "小王", "还有其他问题吗")
        .build();
    let latency = analyze_session(&session, &policy);
    assert_eq!(latency.rounds[0].latency_secs, Some(900));
    assert!(latency.rounds[0].capped && !latency.rounds[1].capped);
    assert_eq!(latency.rounds[0].avg_response_secs(&policy), Some(600));
    assert!(latency.rounds[1].within_three_min(&policy));
    let agg = aggregate_all([&latency], &policy);
    assert_eq!(agg.avg_response_secs(), Some((600.0 + 60.0) / 2.0));
    assert_eq!(agg.histogram[7], 1, "the histogram keeps the raw 900 s");
    assert_eq!(agg.histogram[3], 1);
    // Apology present: LAT002 only.
    assert_eq!(codes(&latency), ["LAT002"]);
    assert!(latency.findings[0]
        .message
        .contains("counted as 600 s in 平响"));
}

#[test]
fn slow_response_warning_between_100_and_180_seconds() {
    let policy = policy();
    let reply_after = |secs: u32| {
        let session = SessionBuilder::new("tb_slow")
            .buyer("10:00:00", "这款有现货吗")
            .agent(&next_second("10:00:00", secs), "小王", "有的亲")
            .build();
        codes(&analyze_session(&session, &policy)).join(",")
    };
    assert_eq!(reply_after(99), "");
    assert_eq!(reply_after(100), "LAT001");
    assert_eq!(reply_after(180), "LAT001");
    assert_eq!(reply_after(181), "LAT002,LAT004");
}

#[test]
fn long_wait_apology_is_looked_for_in_the_next_five_agent_messages() {
    let policy = policy();
    let build = |apology_at: usize| {
        let mut builder = SessionBuilder::new("tb_apo").buyer("10:00:00", "发货了吗");
        for i in 0..6 {
            let text = if i == apology_at {
                "不好意思让您久等了"
            } else {
                "在的"
            };
            builder = builder.agent(&next_second("10:05:00", i as u32), "小王", text);
        }
        codes(&analyze_session(&builder.build(), &policy)).join(",")
    };
    assert_eq!(build(0), "LAT002");
    assert_eq!(build(4), "LAT002");
    assert_eq!(build(5), "LAT002,LAT004");
}

#[test]
fn missed_follow_up_after_fifteen_minutes() {
    let policy = policy();
    let build = |back_after: u32| {
        let session = SessionBuilder::new("tb_fu")
            .buyer("14:00:00", "我的快递到哪了")
            .agent("14:00:30", "小王", "亲稍等，我去查一下物流")
            .buyer("14:05:00", "好了吗")
            .agent(
                &next_second("14:00:30", back_after),
                "小王",
                "查到了，已经到杭州了",
            )
            .build();
        analyze_session(&session, &policy)
    };
    assert!(build(900).findings.iter().all(|f| f.code != "LAT005"));
    let late = build(901);
    let finding = late.findings.iter().find(|f| f.code == "LAT005").unwrap();
    assert_eq!(finding.quote, "稍等");
    assert_eq!((finding.span.char_start, finding.span.char_end), (1, 3));
    assert_eq!(finding.account.as_deref(), Some(account("小王").as_str()));

    let abandoned = SessionBuilder::new("tb_fu2")
        .buyer("14:00:00", "能改地址吗")
        .agent("14:00:30", "小王", "我去问一下仓库")
        .build();
    let latency = analyze_session(&abandoned, &policy);
    assert_eq!(codes(&latency), ["LAT005"]);
    assert!(latency.findings[0].message.contains("never came back"));
}

#[test]
fn offline_assignment_moves_the_round_to_leave_messages() {
    let policy = policy();
    let session = SessionBuilder::new("tb_night2")
        .buyer("02:10:00", "还有货吗")
        .buyer("02:10:30", "急用")
        .offline_assignment("02:10:31")
        .agent("09:05:00", "小王", "抱歉回复晚了，有货的")
        .buyer("09:06:00", "那我拍了")
        .agent("09:06:30", "小王", "好的")
        .build();
    let latency = analyze_session(&session, &policy);
    let round = &latency.rounds[0];
    assert!(round.leave_message);
    assert_eq!(
        (round.status, round.buyer_msgs),
        (RoundStatus::LeaveMessage, 2)
    );
    assert_eq!(latency.rounds[1].status, RoundStatus::Replied);
    let agg = aggregate_all([&latency], &policy);
    assert_eq!(
        (agg.leave_message_rounds(), agg.leave_message_buyer_msgs),
        (1, 2)
    );
    assert_eq!((agg.rounds_assessed, agg.rounds_within_three_min), (1, 1));
    assert!(latency.findings.is_empty());
}

#[test]
fn counts_reply_rate_and_answer_ratio() {
    let policy = policy();
    let served = SessionBuilder::new("tb_1")
        .buyer("10:00:00", "有优惠券吗")
        .agent("10:00:20", "小王", "有的")
        .agent("10:00:25", "小王", "领券链接发您")
        .agent("10:00:30", "小王", "满200减20")
        .build();
    let half = SessionBuilder::new("tb_2")
        .buyer("10:00:00", "能开发票吗")
        .agent("10:00:40", "小王", "可以的")
        .buyer("10:02:00", "专票呢")
        .build();
    let agg = agg_of(&[served, half], &policy);
    assert_eq!((agg.consulted_buyers(), agg.received_buyers()), (2, 2));
    assert_eq!((agg.unreplied_buyers(), agg.reply_rate()), (1, Some(0.5)));
    assert_eq!((agg.agent_messages, agg.buyer_messages), (4, 3));
    assert_eq!(agg.answer_ratio(), Some(4.0 / 3.0));
    assert_eq!(agg.first_response_avg_secs(), Some(30.0));
    assert!(!agg.assessed(), "3 rounds < 100");
    let row = agg.row();
    assert_eq!(
        (row.policy.as_str(), row.rounds, row.unreplied_rounds),
        ("taobao_2025@2026.11.1", 3, 1)
    );
}

#[test]
fn untimed_sessions_are_not_available_and_invent_nothing() {
    let policy = policy();
    let session = example_one()
        .agent("10:30:00", "小王", "亲稍等，我去查一下")
        .untimed()
        .build();
    let latency = analyze_session(&session, &policy);
    assert!(!latency.is_available());
    assert!(
        matches!(&latency.availability, Availability::NotAvailable(r) if r.starts_with("4 of 4 messages"))
    );
    assert!(latency.rounds.is_empty() && latency.findings.is_empty());
    assert_eq!(
        (latency.first_response.clone(), latency.day.clone()),
        (None, None)
    );
    assert_eq!(
        (latency.buyer_messages, latency.agent_message_total()),
        (2, 2)
    );
    let agg = aggregate_all([&latency], &policy);
    assert_eq!((agg.sessions_not_available, agg.rounds_assessed), (1, 0));
    assert_eq!(
        (agg.three_min_rate(), agg.avg_response_secs()),
        (None, None)
    );
    assert_eq!(agg.answer_ratio(), Some(1.0));
    assert_eq!(
        aggregate_by_day([&latency], &policy)
            .keys()
            .collect::<Vec<_>>(),
        ["n/a"]
    );
}

#[test]
#[cfg_attr(not(wwqa_shared_data), ignore = "needs ../shared/data")]
fn jddc_sample_has_no_latency() {
    let path = crate::shared_data::shared_data("dialogue_jddc/jddc_chat_sample.tsv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut sessions: Vec<Session> = Vec::new();
    let mut lines = 0usize;
    for (line_no, line) in text.lines().enumerate() {
        let cols: Vec<&str> = line.splitn(7, '\t').collect();
        let [session_id, user, waiter, _, _, _, content] = cols[..] else {
            continue;
        };
        lines += 1;
        let role = if waiter == "1" {
            Role::Agent
        } else {
            Role::Buyer
        };
        let conversation = ConversationKey {
            shop: "京东".into(),
            buyer: user.into(),
        };
        if sessions.last().is_none_or(|s| s.id != session_id) {
            sessions.push(Session {
                id: session_id.into(),
                conversation: conversation.clone(),
                start: None,
                end: None,
                agents: Vec::new(),
                transfers: Vec::new(),
                messages: Vec::new(),
            });
        }
        let sender = if role == Role::Agent { "客服" } else { user };
        sessions.last_mut().unwrap().messages.push(Message {
            id: format!("j{line_no}"),
            conversation,
            time: None,
            sender: sender.into(),
            role,
            account: (role == Role::Agent).then(|| "京东:客服".to_string()),
            robot_mode: None,
            kind: MessageKind::Text,
            text: content.into(),
            source: SourceRef {
                path: path.to_string_lossy().as_ref().into(),
                line_start: line_no as u32 + 1,
                line_end: line_no as u32 + 1,
                byte_start: 0,
                byte_end: 0,
            },
        });
    }
    let policy = policy();
    let latencies: Vec<SessionLatency> = sessions
        .iter()
        .map(|s| analyze_session(s, &policy))
        .collect();
    assert!(latencies.len() > 700, "{} sessions", latencies.len());
    assert!(latencies
        .iter()
        .all(|l| !l.is_available() && l.rounds.is_empty() && l.findings.is_empty()));
    assert!(latencies.iter().all(|l| l.first_response.is_none()));
    let agg = aggregate_all(&latencies, &policy);
    assert_eq!(agg.sessions_not_available, latencies.len() as u64);
    assert_eq!((agg.buyer_messages + agg.agent_messages) as usize, lines);
    assert_eq!(
        (
            agg.three_min_rate(),
            agg.avg_response_secs(),
            agg.first_response_avg_secs()
        ),
        (None, None, None)
    );
}

#[test]
fn merge_of_parts_equals_whole() {
    let policy = policy();
    let sessions = [
        example_one().build(),
        example_one()
            .buyer("10:18:30", "发什么快递？")
            .agent("10:19:00", "小王", "默认中通哦")
            .build(),
        SessionBuilder::new("tb_bob")
            .buyer("14:00:30", "我要退货")
            .transfer("14:02:00", "小王", "售后小李")
            .buyer("14:03:00", "衣服起球了")
            .agent("14:03:20", "售后小李", "抱歉，申请退货即可")
            .build(),
        SessionBuilder::new("tb_night")
            .buyer("22:58:00", "明天能发货吗")
            .next_day()
            .agent("00:01:00", "小王", "可以的")
            .buyer("10:00:00", "发了吗")
            .agent("10:00:10", "小王", "发了")
            .build(),
        example_one().untimed().build(),
    ];
    let latencies: Vec<SessionLatency> = sessions
        .iter()
        .map(|s| analyze_session(s, &policy))
        .collect();
    let whole = aggregate_all(&latencies, &policy);
    for split in 0..=latencies.len() {
        let mut left = aggregate_all(&latencies[..split], &policy);
        let right = aggregate_all(&latencies[split..], &policy);
        left.merge(&right).unwrap();
        assert_eq!(left, whole, "split at {split}");
    }
    // Per-day parts merge back to the whole too (a session crossing midnight
    // is divided between its days, not counted twice) …
    let mut days = LatencyAgg::new(&policy);
    for agg in aggregate_by_day(&latencies, &policy).values() {
        days.merge(agg).unwrap();
    }
    assert_eq!(
        (
            days.rounds_assessed,
            days.buyer_messages,
            days.agent_messages,
            days.avg_response_sum_secs
        ),
        (
            whole.rounds_assessed,
            whole.buyer_messages,
            whole.agent_messages,
            whole.avg_response_sum_secs
        )
    );
    // … and so do per-agent parts for everything charged to an account.
    let mut agents = LatencyAgg::new(&policy);
    for agg in aggregate_by_agent(&latencies, &policy).values() {
        agents.merge(agg).unwrap();
    }
    assert_eq!(
        (
            agents.rounds_assessed,
            agents.rounds_within_three_min,
            agents.buyer_messages,
            agents.agent_messages
        ),
        (
            whole.rounds_assessed,
            whole.rounds_within_three_min,
            whole.buyer_messages,
            whole.agent_messages
        )
    );
    let other = LatencyAgg::new(&LatencyPolicy::bundled_preset("jd").unwrap());
    assert!(whole.clone().merge(&other).is_err());
}

#[test]
fn rule_metadata_is_complete() {
    let mut seen = std::collections::BTreeSet::new();
    for (rule, _) in crate::rules::registry::round_rules() {
        let meta = rule.meta;
        assert!(seen.insert(meta.code), "duplicate {}", meta.code);
        assert_eq!(meta.family, "latency");
        let stem = meta.name.replace('-', "_");
        assert!(
            meta.file.ends_with(&format!("{stem}.rs")),
            "{} declared in {}",
            meta.code,
            meta.file
        );
        assert!(!meta.fires.is_empty() && !meta.quiet.is_empty() && !meta.rationale.is_empty());
    }
    assert_eq!(
        seen.into_iter().collect::<Vec<_>>(),
        ["LAT001", "LAT002", "LAT003", "LAT004", "LAT005"]
    );
}

#[test]
fn histogram_buckets() {
    use metrics::{histogram_bucket, histogram_label};
    assert_eq!(
        [0, 9, 10, 99, 100, 179, 180, 599, 600, 5000].map(histogram_bucket),
        [0, 0, 1, 3, 4, 4, 5, 6, 7, 7]
    );
    assert_eq!(
        (histogram_label(0), histogram_label(7)),
        ("0-10s".to_string(), "600s+".to_string())
    );
}

/// Cost per message of `analyze_session`; run in release:
/// `cargo test --release --lib latency::tests::analyze_cost -- --ignored --nocapture`.
#[test]
#[ignore = "timing; run in release with --ignored"]
fn analyze_cost() {
    let policy = policy();
    let mut builder = SessionBuilder::new("tb_bench");
    for minute in 0..30u32 {
        let hms = format!("10:{minute:02}:00");
        builder = builder
            .buyer(&hms, "亲，这件衣服有现货吗？什么时候发货")
            .robot(
                &next_second(&hms, 1),
                RobotMode::Auto,
                "亲，付款后48小时内发货哦",
            )
            .agent(&next_second(&hms, 40), "小王", "亲稍等，我帮您查一下库存")
            .agent(&next_second(&hms, 50), "小王", "有现货的，今天下单今天发");
    }
    let session = builder.build();
    let messages = session.messages.len();
    let runs = 20_000;
    let started = std::time::Instant::now();
    let mut findings = 0usize;
    for _ in 0..runs {
        findings += std::hint::black_box(analyze_session(std::hint::black_box(&session), &policy))
            .findings
            .len();
    }
    let elapsed = started.elapsed();
    let per_message_ns = elapsed.as_nanos() as f64 / (runs * messages) as f64;
    eprintln!(
        "analyze_session: {messages} messages x {runs} runs in {elapsed:?}: {per_message_ns:.0} ns/message ({findings} findings)"
    );
    assert_eq!(findings, 0);
}

/// `hms` plus `secs` seconds, as `HH:MM:SS` (same day).
fn next_second(hms: &str, secs: u32) -> String {
    let time = chrono::NaiveTime::parse_from_str(hms, "%H:%M:%S").unwrap();
    (time + chrono::Duration::seconds(i64::from(secs)))
        .format("%H:%M:%S")
        .to_string()
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    /// One generated event: what happens and how many seconds after the last.
    #[derive(Debug, Clone)]
    enum Event {
        Buyer,
        Agent(u8),
        Robot(bool),
        Transfer(u8, u8),
        Offline,
    }

    fn event() -> impl Strategy<Value = (Event, u32)> {
        let kind = prop_oneof![
            4 => Just(Event::Buyer),
            4 => (0u8..3).prop_map(Event::Agent),
            1 => any::<bool>().prop_map(Event::Robot),
            1 => (0u8..3, 0u8..3).prop_map(|(a, b)| Event::Transfer(a, b)),
            1 => Just(Event::Offline),
        ];
        (kind, prop_oneof![0u32..5, 0u32..400, 0u32..4000])
    }

    fn build(buyer: &str, start: u32, events: &[(Event, u32)], untimed: bool) -> Session {
        let subs = ["小王", "小李", "售后小张"];
        let mut builder = SessionBuilder::new(buyer);
        let mut clock = start;
        for (event, gap) in events {
            clock += gap;
            if clock >= 86_400 {
                clock -= 86_400;
                builder = builder.next_day();
            }
            let hms = format!(
                "{:02}:{:02}:{:02}",
                clock / 3600,
                clock % 3600 / 60,
                clock % 60
            );
            builder = match event {
                Event::Buyer => builder.buyer(&hms, "亲，在吗？这个还有货吗"),
                Event::Agent(i) => builder.agent(&hms, subs[*i as usize], "亲稍等，不好意思久等了"),
                Event::Robot(assist) => {
                    let mode = if *assist {
                        RobotMode::Assist
                    } else {
                        RobotMode::Auto
                    };
                    builder.robot(&hms, mode, "您好，我是智能助手")
                }
                Event::Transfer(a, b) => {
                    builder.transfer(&hms, subs[*a as usize], subs[*b as usize])
                }
                Event::Offline => builder.offline_assignment(&hms),
            };
        }
        if untimed {
            builder = builder.untimed();
        }
        builder.build()
    }

    fn sessions() -> impl Strategy<Value = Vec<Session>> {
        let one = (
            0u32..86_400,
            proptest::collection::vec(event(), 0..30),
            proptest::bool::weighted(0.1),
        );
        proptest::collection::vec(one, 1..8).prop_map(|specs| {
            specs
                .iter()
                .enumerate()
                .map(|(i, (start, events, untimed))| {
                    build(&format!("tb_{}", i % 3), *start, events, *untimed)
                })
                .collect()
        })
    }

    proptest! {
        #[test]
        fn invariants_hold_on_any_session(sessions in sessions(), split in 0usize..8) {
            let policy = LatencyPolicy::bundled();
            let latencies: Vec<SessionLatency> = sessions.iter().map(|s| analyze_session(s, &policy)).collect();
            for (session, latency) in sessions.iter().zip(&latencies) {
                if latency.is_available() {
                    let in_rounds: u64 = latency.rounds.iter().map(|r| u64::from(r.buyer_msgs)).sum();
                    prop_assert_eq!(in_rounds, latency.buyer_messages);
                    for round in &latency.rounds {
                        prop_assert_eq!(session.messages[round.open_msg_index].role, Role::Buyer);
                        prop_assert!(round.latency_secs.is_none_or(|s| s >= 0));
                        prop_assert_eq!(round.reply_index.is_some(), round.latency_secs.is_some());
                    }
                } else {
                    prop_assert!(latency.rounds.is_empty() && latency.findings.is_empty());
                }
                for finding in &latency.findings {
                    let message = session.messages.iter().find(|m| m.id == finding.message_id).unwrap();
                    prop_assert_eq!(finding.span.slice(&message.text), finding.quote.as_str());
                }
            }
            let whole = aggregate_all(&latencies, &policy);
            let split = split.min(latencies.len());
            let mut left = aggregate_all(&latencies[..split], &policy);
            left.merge(&aggregate_all(&latencies[split..], &policy)).unwrap();
            prop_assert_eq!(&left, &whole);
            let mut shops = LatencyAgg::new(&policy);
            for agg in aggregate_by_shop(&latencies, &policy).values() {
                shops.merge(agg).unwrap();
            }
            prop_assert_eq!(&shops, &whole);
            let mut days = LatencyAgg::new(&policy);
            for agg in aggregate_by_day(&latencies, &policy).values() {
                days.merge(agg).unwrap();
            }
            prop_assert_eq!(
                (days.rounds_assessed, days.rounds_within_three_min, days.avg_response_sum_secs, days.buyer_messages, days.agent_messages),
                (whole.rounds_assessed, whole.rounds_within_three_min, whole.avg_response_sum_secs, whole.buyer_messages, whole.agent_messages)
            );
            let mut agents = LatencyAgg::new(&policy);
            for agg in aggregate_by_agent(&latencies, &policy).values() {
                agents.merge(agg).unwrap();
            }
            prop_assert_eq!(
                (agents.rounds_assessed, agents.rounds_unreplied, agents.slow_breach, agents.agent_messages),
                (whole.rounds_assessed, whole.rounds_unreplied, whole.slow_breach, whole.agent_messages)
            );
            prop_assert!(whole.three_min_rate().is_none_or(|r| (0.0..=1.0).contains(&r)));
        }
    }
}
