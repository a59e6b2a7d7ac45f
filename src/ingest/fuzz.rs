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

/// Read `bytes` as a file in pieces of about `target` bytes: no panic, and
/// the pieces account for exactly the lines of the whole file.
fn check_pieces(bytes: &[u8], format: Option<Format>, target: usize) {
    let opts = IngestOptions {
        format,
        ..IngestOptions::default()
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("fuzz.txt");
    std::fs::write(&path, bytes).expect("write");
    let whole = ingest_bytes("fuzz", bytes, &opts).report;
    let mut reader = stream::PieceReader::open(&path, target, &opts).expect("open");
    let (mut read, mut used, mut noise, mut rejected) = (0, 0, 0, 0);
    let mut sessions = crate::session::Sessionizer::new(Default::default());
    while let Some(piece) = reader.next_piece().expect("read") {
        let p = ingest_piece("fuzz", &piece.bytes, &piece.context, &opts);
        let r = &p.report;
        assert_eq!(
            r.lines_read,
            r.lines_used + r.lines_noise + r.lines_rejected
        );
        (read, used, noise, rejected) = (
            read + r.lines_read,
            used + r.lines_used,
            noise + r.lines_noise,
            rejected + r.lines_rejected,
        );
        let _ = sessions.push(p.messages, piece.context.more_follows);
    }
    assert_eq!(read, whole.lines_read);
    assert_eq!(read, used + noise + rejected);
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

    #[test]
    fn pieces_never_panic_and_lose_no_line(bytes in fragments(), f in 0usize..7, target in 1usize..64) {
        check_pieces(&bytes, FORMATS[f], target);
    }
}
