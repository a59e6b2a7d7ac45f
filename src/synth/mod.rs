//! A seeded synthetic dump generator with ground truth, for end-to-end tests
//! and benchmarks (`wwqa generate`).
//!
//! It writes realistic Taobao service conversations (pre-sale, in-sale and
//! after-sale openings, bursts of buyer messages, automatic replies, agent
//! replies after planted delays, transfers, planted script violations and
//! insults) as `qianniu-text` (one file per shop, chat-window headers) or
//! `api-json` (JSON Lines, one chatlog record per session) under `dump/`, plus
//! `truth.jsonl`: one line per session with its file, shop, buyer, message
//! count, every round's planted delay and every planted phrase.
//!
//! The generator uses its own SplitMix64 so that a seed gives the same dump
//! on every platform and every version of the dependencies (general-purpose
//! RNG crates do not promise value stability across versions).

use crate::ingest::Format;
use crate::model::{format_time, unix_from_local};
use anyhow::{Context, Result};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

/// Generator options.
#[derive(Debug, Clone)]
pub struct SynthOptions {
    /// Output directory.
    pub out_dir: PathBuf,
    /// Approximate total size of the transcript files.
    pub target_bytes: u64,
    /// `QianniuText` or `ApiJson`.
    pub format: Format,
    /// Seed.
    pub seed: u64,
    /// Number of transcript files.
    pub files: usize,
}

/// What was written.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SynthReport {
    /// Transcript bytes written.
    pub bytes: u64,
    /// Files written (without truth.jsonl).
    pub files: usize,
    /// Sessions.
    pub sessions: u64,
    /// Messages.
    pub messages: u64,
}

/// One planted round in the truth file.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct TruthRound {
    /// Local time of the first buyer message of the round.
    pub open: String,
    /// Buyer messages in the burst.
    pub buyer_messages: u32,
    /// Whether an automatic reply came first (0 s, not a valid reply).
    pub auto_reply: bool,
    /// Planted delay from the first buyer message to the agent's reply, in
    /// seconds; `None` when the round was left unreplied.
    pub delay: Option<i64>,
    /// The account charged with the round: the one that replied, or the
    /// one that transferred the buyer without replying.
    pub account: String,
    /// The buyer was transferred while waiting: the platform charges the
    /// round, unreplied, to the transferring account.
    pub transferred: bool,
    /// Only an automatic reply came: the round is excluded from the rates.
    pub auto_only: bool,
}

/// One planted phrase.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct TruthPhrase {
    /// Role of the sender: `agent` or `buyer`.
    pub role: String,
    /// What was planted.
    pub phrase: String,
    /// Family: `script`, `offplatform`, `abuse`.
    pub family: String,
}

/// One session of the truth file.
#[derive(Debug, Clone, Serialize, serde::Deserialize, PartialEq)]
pub struct TruthSession {
    /// File it was written to (relative to the output directory).
    pub file: String,
    /// Shop.
    pub shop: String,
    /// Buyer.
    pub buyer: String,
    /// Stage of the opening request.
    pub stage: String,
    /// Messages written (including automatic replies and transfer lines).
    pub messages: u32,
    /// Rounds.
    pub rounds: Vec<TruthRound>,
    /// Whether the session contains a transfer.
    pub transfer: bool,
    /// Planted phrases.
    pub planted: Vec<TruthPhrase>,
}

/// SplitMix64: tiny, fast, and stable forever.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1) as u64) as i64
    }
    fn chance(&mut self, p: f64) -> bool {
        ((self.next() >> 11) as f64 / (1u64 << 53) as f64) < p
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const SHOPS: [(&str, [&str; 4]); 3] = [
    ("花花旗舰店", ["小美", "阿强", "售后小王", "小林"]),
    ("得力广州专卖店", ["小迪", "小周", "售后阿杰", "小陈"]),
    ("数码小铺", ["客服一号", "客服二号", "售后三号", "客服四号"]),
];

const PRE_SALE: [&str; 8] = [
    "你好，这款还有货吗",
    "请问这个有没有大一点的尺码",
    "这个和那款有什么区别",
    "现在下单有优惠券吗",
    "身高165体重110穿什么码",
    "这个是正品吗，有发票吗",
    "今天拍什么时候能发货",
    "能便宜点吗，买两件",
];
const IN_SALE: [&str; 6] = [
    "我昨天拍的怎么还没发货",
    "地址填错了能改一下吗",
    "订单能取消吗，不想要了",
    "快递到哪了，单号是多少",
    "付款一直失败怎么办",
    "帮我备注一下要白色的",
];
const AFTER_SALE: [&str; 6] = [
    "收到货了，屏幕有划痕",
    "衣服洗了一次就掉色，能退吗",
    "少发了一件，怎么处理",
    "我要申请退货退款",
    "用了两天就坏了，能保修吗",
    "尺码不合适想换一个",
];
const FOLLOW_UPS: [&str; 6] = [
    "好的",
    "那什么时候能到",
    "还有别的颜色吗",
    "行吧",
    "可以包邮吗",
    "谢谢",
];
const AGENT_REPLIES: [&str; 8] = [
    "亲，您好，这款现货充足的哦",
    "亲，已经帮您查询了，今天下午就发出",
    "好的亲，已经给您备注了",
    "亲，非常抱歉给您带来不便，这边马上为您处理",
    "亲，您可以申请退货，运费险会赔付的",
    "亲，建议您拍M码哦",
    "亲，快递已经到您所在城市了",
    "感谢您的耐心等待，祝您生活愉快",
];
const AUTO_REPLY: &str = "[自动回复]您好，欢迎光临，客服马上为您服务～";
const PLANTED_AGENT: [(&str, &str); 6] = [
    ("加我微信", "offplatform"),
    ("不知道", "script"),
    ("随便你", "script"),
    ("全网最低", "script"),
    ("好评返现", "offplatform"),
    ("你是不是傻", "abuse"),
];
const PLANTED_BUYER: [(&str, &str); 2] = [("傻逼", "abuse"), ("我要投诉你们", "abuse")];

struct Msg {
    time: i64,
    sender: String,
    text: String,
    /// Direction for api-json: true when the shop side wrote.
    shop_side: bool,
    system: bool,
}

/// Generate a dump.
///
/// # Errors
/// The output directory or a file cannot be written.
pub fn generate(opts: &SynthOptions) -> Result<SynthReport> {
    std::fs::create_dir_all(&opts.out_dir)
        .with_context(|| format!("{}: cannot create", opts.out_dir.display()))?;
    let mut rng = Rng(opts.seed);
    let files = opts.files.max(1);
    let ext = if opts.format == Format::ApiJson {
        "jsonl"
    } else {
        "txt"
    };
    let names: Vec<String> = (0..files).map(|i| format!("dump_{i:03}.{ext}")).collect();
    // Transcripts go under dump/ so that scanning them never picks up the truth file.
    let dump_dir = opts.out_dir.join("dump");
    std::fs::create_dir_all(&dump_dir)
        .with_context(|| format!("{}: cannot create", dump_dir.display()))?;
    let mut writers = names
        .iter()
        .map(|n| std::fs::File::create(dump_dir.join(n)).map(std::io::BufWriter::new))
        .collect::<std::io::Result<Vec<_>>>()
        .context("cannot create dump files")?;
    let mut truth = std::io::BufWriter::new(
        std::fs::File::create(opts.out_dir.join("truth.jsonl"))
            .context("cannot create truth.jsonl")?,
    );
    let mut report = SynthReport {
        files,
        ..SynthReport::default()
    };
    let base = unix_from_local(
        chrono::NaiveDate::from_ymd_opt(2026, 10, 1)
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .unwrap_or_default(),
    );
    // Each file belongs to one shop (a 千牛 export is one shop's). Every
    // session has a fresh buyer, so sessions may overlap in time: they are
    // written one after another, as the export lists conversations.
    let mut buyer_serial = 0u64;
    while report.bytes < opts.target_bytes {
        let f = rng.below(files as u64) as usize;
        let (shop, subs) = SHOPS[f % SHOPS.len()];
        buyer_serial += 1;
        let buyer = format!("tb_{:x}{}", rng.below(1 << 24), buyer_serial);
        // A day of October 2026; most buyers write in the daytime (07:30 to
        // 23:00), one in ten at night.
        let day = rng.range(0, 30);
        let second = if rng.chance(0.1) {
            rng.range(0, 86_399)
        } else {
            rng.range(7 * 3600 + 1800, 23 * 3600)
        };
        let start = base + day * 86_400 + second;
        let (mut session, msgs) = one_session(&mut rng, shop, &subs, &buyer, start, &names[f]);
        let (rendered, written) = render(opts.format, shop, &buyer, &msgs);
        session.messages = written;
        writers[f].write_all(rendered.as_bytes())?;
        report.bytes += rendered.len() as u64;
        report.sessions += 1;
        report.messages += u64::from(written);
        serde_json::to_writer(&mut truth, &session)?;
        truth.write_all(b"\n")?;
    }
    for mut w in writers {
        w.flush()?;
    }
    truth.flush()?;
    Ok(report)
}

fn one_session(
    rng: &mut Rng,
    shop: &str,
    subs: &[&str; 4],
    buyer: &str,
    start: i64,
    file: &str,
) -> (TruthSession, Vec<Msg>) {
    let stage_pick = rng.below(3);
    let (stage, openings): (&str, &[&str]) = match stage_pick {
        0 => ("pre_sale", &PRE_SALE),
        1 => ("in_sale", &IN_SALE),
        _ => ("after_sale", &AFTER_SALE),
    };
    let mut account = format!("{shop}:{}", subs[rng.below(2) as usize]);
    let mut msgs = Vec::new();
    let mut rounds = Vec::new();
    let mut planted = Vec::new();
    let mut transfer = false;
    let mut t = start;
    let n_rounds = rng.range(1, 4);
    for r in 0..n_rounds {
        let burst = rng.range(1, 3) as u32;
        let open = t;
        for b in 0..burst {
            let mut text = if r == 0 && b == 0 {
                rng.pick(openings).to_string()
            } else {
                rng.pick(&FOLLOW_UPS).to_string()
            };
            if rng.chance(0.02) {
                let (p, fam) = PLANTED_BUYER[rng.below(PLANTED_BUYER.len() as u64) as usize];
                text = format!("{text}，{p}");
                planted.push(TruthPhrase {
                    role: "buyer".into(),
                    phrase: p.into(),
                    family: fam.into(),
                });
            }
            if b > 0 {
                t += rng.range(2, 20);
            }
            msgs.push(Msg {
                time: t,
                sender: buyer.to_string(),
                text,
                shop_side: false,
                system: false,
            });
        }
        let auto_reply = r == 0 && rng.chance(0.3);
        if auto_reply {
            msgs.push(Msg {
                time: t,
                sender: account.clone(),
                text: AUTO_REPLY.to_string(),
                shop_side: true,
                system: false,
            });
        }
        // Planted delays: mostly quick, some slow, a few over the cap.
        let bucket = rng.below(100);
        let delay = match bucket {
            0..=69 => rng.range(5, 95),
            70..=84 => rng.range(100, 180),
            85..=94 => rng.range(181, 600),
            _ => rng.range(601, 1500),
        };
        // The reply comes after the whole burst (the delay is still counted
        // from its first message, as the platform does).
        let delay = if delay <= t - open {
            t - open + rng.range(1, 30)
        } else {
            delay
        };
        let unreplied = r == n_rounds - 1 && rng.chance(0.04);
        // A first round nobody from the shop touched shows no account in the
        // transcript: it is charged to the shop's main account.
        let charged = if unreplied && !auto_reply && r == 0 {
            shop.to_string()
        } else {
            account.clone()
        };
        let mut transferred = false;
        if !unreplied && r > 0 && rng.chance(0.05) {
            let to = format!("{shop}:{}", subs[2 + rng.below(2) as usize]);
            if to != account {
                msgs.push(Msg {
                    time: t,
                    sender: "(system)".into(),
                    text: format!("由 {account} 转交给 {to}"),
                    shop_side: true,
                    system: true,
                });
                account = to;
                transfer = true;
                transferred = true;
            }
        }
        rounds.push(TruthRound {
            open: format_time(open),
            buyer_messages: burst,
            auto_reply,
            delay: (!unreplied && !transferred).then_some(delay),
            account: charged,
            transferred,
            auto_only: unreplied && auto_reply,
        });
        if unreplied {
            break;
        }
        t = open + delay;
        let mut reply = rng.pick(&AGENT_REPLIES).to_string();
        if rng.chance(0.05) {
            let (p, fam) = PLANTED_AGENT[rng.below(PLANTED_AGENT.len() as u64) as usize];
            reply = format!("{p}，{reply}");
            planted.push(TruthPhrase {
                role: "agent".into(),
                phrase: p.into(),
                family: fam.into(),
            });
        }
        msgs.push(Msg {
            time: t,
            sender: account.clone(),
            text: reply,
            shop_side: true,
            system: false,
        });
        t += rng.range(10, 240);
    }
    let session = TruthSession {
        file: file.to_string(),
        shop: shop.to_string(),
        buyer: buyer.to_string(),
        stage: stage.to_string(),
        messages: msgs.len() as u32,
        rounds,
        transfer,
        planted,
    };
    (session, msgs)
}

/// Render a session; returns the text and the number of messages written.
fn render(format: Format, shop: &str, buyer: &str, msgs: &[Msg]) -> (String, u32) {
    let mut s = String::new();
    let mut written = 0u32;
    match format {
        Format::ApiJson => {
            // A chatlog record is one account's view: a transfer starts a new
            // record from the receiving account (the API has no transfer lines).
            let mut from = msgs
                .iter()
                .find(|m| m.shop_side && !m.system)
                .map_or_else(|| shop.to_string(), |m| m.sender.clone());
            let mut items: Vec<serde_json::Value> = Vec::new();
            let flush = |from: &str, items: &mut Vec<serde_json::Value>, s: &mut String| {
                if items.is_empty() {
                    return;
                }
                let rec = serde_json::json!({
                    "from_id": format!("cntaobao{from}"),
                    "to_id": format!("cntaobao{buyer}"),
                    "msgs": std::mem::take(items),
                    "ret": 10000,
                });
                s.push_str(&rec.to_string());
                s.push('\n');
            };
            for m in msgs {
                if m.system {
                    flush(&from, &mut items, &mut s);
                    if let Some((_, to)) = m.text.split_once(" 转交给 ") {
                        from = to.to_string();
                    }
                    continue;
                }
                written += 1;
                items.push(serde_json::json!({
                    "direction": if m.shop_side { 0 } else { 1 },
                    "time": format_time(m.time),
                    "content": m.text,
                }));
            }
            flush(&from, &mut items, &mut s);
        }
        _ => {
            for m in msgs {
                written += 1;
                if m.system {
                    s.push_str(&m.text);
                    s.push('\n');
                    continue;
                }
                let dt = crate::model::local_datetime(m.time);
                s.push_str(&format!(
                    "{} {}\n{}\n",
                    m.sender,
                    dt.format("%Y-%-m-%-d %-H:%M:%S"),
                    m.text
                ));
            }
        }
    }
    (s, written)
}
