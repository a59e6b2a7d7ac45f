//! Throughput of the offensiveness score (wwqa issue 6: ≥ 100 MB/s per core).
//!
//! Scores every `TEXT` of COLD `dev.csv` (real short social-media comments,
//! read from `../shared/data`, never copied into the repo) with the bundled
//! model, one call per message as the scan does. When the data is absent it
//! falls back to a built-in customer-service paragraph cut into sentences,
//! so the bench still runs anywhere.

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use wwqa::abuse::model::{read_cold_csv, AbuseModel};

const DEV_CSV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/data/offensive_cold/dev.csv"
);

/// Used only when COLD is absent: typical 千牛 messages, both sides.
const FALLBACK_PARAGRAPH: &str = "亲，您好，欢迎光临本店，请问有什么可以帮您的吗？\
这款连衣裙是纯棉的，M码适合身高一米六左右、体重一百斤上下的亲穿着。\
您的快递已经发出了，单号稍后会同步到订单里，预计后天送达，请注意查收哦。\
我都等了三天了还没发货，你们到底怎么回事，再不发货我就投诉了！\
非常抱歉给您带来不便，我这边马上帮您催一下仓库，今天下午之前一定安排发出。\
退款申请已经收到，审核通过后原路退回，一般一到三个工作日到账。\
你是不是傻，说了多少遍了还听不懂，什么破店。\
好的亲，已经帮您备注了，有其他问题随时联系我们，祝您生活愉快。";

fn messages() -> (Vec<String>, &'static str) {
    if Path::new(DEV_CSV).exists() {
        if let Ok(rows) = read_cold_csv(DEV_CSV) {
            return (rows.into_iter().map(|(text, _)| text).collect(), "cold_dev");
        }
    }
    let sentences = FALLBACK_PARAGRAPH
        .split_inclusive(['。', '！', '？'])
        .map(str::to_owned)
        .collect();
    (sentences, "builtin_paragraph")
}

fn bench_score(c: &mut Criterion) {
    let model = match AbuseModel::bundled() {
        Ok(model) => model,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let (messages, corpus) = messages();
    let bytes: usize = messages.iter().map(String::len).sum();
    let mut group = c.benchmark_group("abuse_score");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(corpus, |b| {
        b.iter(|| {
            let mut flagged = 0usize;
            for message in &messages {
                flagged += usize::from(model.score(black_box(message)) >= model.threshold());
            }
            flagged
        })
    });
    group.finish();
}

/// The abuse terms (ABU001/ABU002) over the same messages, and over the
/// customer-service paragraph (chat text: few hits, the fast path).
fn bench_terms(c: &mut Criterion) {
    let terms = match wwqa::abuse::terms::AbuseTerms::bundled() {
        Ok(terms) => terms,
        Err(e) => {
            eprintln!("skipped: {e}");
            return;
        }
    };
    let (messages, corpus) = messages();
    let chat: Vec<String> = FALLBACK_PARAGRAPH
        .split_inclusive(['。', '！', '？'])
        .map(str::to_owned)
        .collect();
    let mut group = c.benchmark_group("abuse_terms");
    for (name, texts) in [(corpus, &messages), ("builtin_paragraph_chat", &chat)] {
        let bytes: usize = texts.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(name, |b| {
            let mut hits = Vec::new();
            b.iter(|| {
                let mut found = 0usize;
                for text in texts.iter() {
                    terms.find_into(black_box(text), &mut hits);
                    found += hits.len();
                }
                found
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_score, bench_terms);
criterion_main!(benches);
