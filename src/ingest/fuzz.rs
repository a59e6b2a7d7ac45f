//! Property tests: no input panics any parser, and every line is accounted
//! for, whatever the bytes and whatever format is forced.

use super::*;
use proptest::prelude::*;

fn fragments() -> impl Strategy<Value = Vec<u8>> {
    let pieces = prop::sample::select(vec![
        "tb_a 2024-3-5 9:03:07\n".as_bytes().to_vec(),
        "店:小美 2024-3-5 9:03:09\n".as_bytes().to_vec(),
        "2024-3-5 9:03:07\n".as_bytes().to_vec(),
        "20:57:11\n".as_bytes().to_vec(),
        "2024-03-09\n".as_bytes().to_vec(),
        "消息对象:tb_x\n".as_bytes().to_vec(),
        "2024-03-08 9:05:01 AM tb_x\n".as_bytes().to_vec(),
        "由 A 转交给 B\n".as_bytes().to_vec(),
        "你好，在吗\r\n".as_bytes().to_vec(),
        "{\"from_id\":\"cntaobao店:a\",\"to_id\":\"b\",\"msgs\":[{\"direction\":1,\"time\":\"2024-03-11 09:00:05\",\"content\":\"x\"}]}\n".as_bytes().to_vec(),
        "{\"shop\":\"s\",\"buyer\":\"b\",\"sender\":\"b\",\"text\":\"t\"}\n".as_bytes().to_vec(),
        "a\tb\t1\t0\t0\tnan\t内容\n".as_bytes().to_vec(),
        "shop,buyer,sender,text\n".as_bytes().to_vec(),
        vec![0xff, 0xfe],
        vec![0xe4, 0xbd],
        vec![0x00, b'\n'],
        b"\"".to_vec(),
        b"[".to_vec(),
    ]);
    prop::collection::vec(pieces, 0..30).prop_map(|v| v.concat())
}

fn check(bytes: &[u8], format: Option<Format>) {
    let opts = IngestOptions {
        format,
        ..IngestOptions::default()
    };
    let p = ingest_bytes("fuzz", bytes, &opts);
    let r = &p.report;
    assert_eq!(
        r.lines_read,
        r.lines_used + r.lines_noise + r.lines_rejected
    );
    assert_eq!(r.lines_rejected as usize, p.rejects.len());
    let _ = crate::session::sessionize(p.messages, &crate::session::SessionOptions::default());
}

const FORMATS: [Option<Format>; 7] = [
    None,
    Some(Format::QianniuText),
    Some(Format::QianniuWeb),
    Some(Format::ApiJson),
    Some(Format::Jsonl),
    Some(Format::Csv),
    Some(Format::Jddc),
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), f in 0usize..7) {
        check(&bytes, FORMATS[f]);
    }

    #[test]
    fn transcript_like_fragments_never_panic(bytes in fragments(), f in 0usize..7) {
        check(&bytes, FORMATS[f]);
    }
}
