//! The learned classifier: behaviour on the error kinds of issue #20, the
//! model file format, determinism.

use super::learn::{select_and_train, Corpus, Item};
use super::model::{session_features, train, Example, StageModel, TrainOptions};
use super::tests::{agent, buyer, quotes, session};
use super::*;
use crate::model::Role;

fn classify(lines: &[(Role, Option<&str>, &str)]) -> StageResult {
    StageClassifier::builtin().classify(&session(lines))
}

#[test]
fn probe() {
    let cases: &[&[(Role, Option<&str>, &str)]] = &[
        &[buyer("能便宜点吗")],
        &[buyer("100件什么价")],
        &[buyer("还有现货吗")],
        &[buyer("你好"), buyer("这款还有现货吗，能便宜点吗")],
        &[buyer("我的快递怎么还没到，我朋友的早就到了")],
        &[buyer("都坏了三次了，难道还要我退货吗")],
        &[buyer("买了以后坏了怎么保修")],
        &[buyer("我下单那会儿的价格比现在贵，能退差价吗")],
        &[buyer("[订单编号:123，订单金额:50，下单时间:2024-01-01 10:00]"), buyer("还没发货，我想取消订单退款")],
        &[buyer("我是商家，店铺后台怎么上架商品")],
        &[buyer("发票怎么开"), agent("亲，订单完成后可以在订单详情申请")],
        &[buyer("收到的杯子是碎的，要退货")],
        &[buyer("在吗")],
        &[],
    ];
    for c in cases {
        let r = classify(c);
        let texts: Vec<&str> = c.iter().map(|l| l.2).collect();
        println!("{:?} -> {:?} {:.2} {} {:?}", texts, r.stage, r.confidence, r.high_confidence,
            r.reasons.iter().map(|x| x.cue.as_str()).collect::<Vec<_>>());
    }
}
