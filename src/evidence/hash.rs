//! The hashes of an evidence bundle, defined byte for byte so a reviewer can
//! recompute them with any SHA-256 tool and no wwqa.
//!
//! **Field encoding.** Every field is written as its length in bytes as an
//! unsigned 64-bit big-endian integer, followed by the bytes themselves.
//! Strings are their UTF-8 bytes. Integers are their shortest decimal ASCII
//! form (`-` for negatives), so `1709653812` is the 10 bytes `"1709653812"`.
//! A missing time is the empty string (length 0), which no decimal can be.
//! Length prefixes make the encoding injective: no two different field lists
//! give the same bytes, so a text cannot borrow characters from the sender.
//!
//! **Message hash** = SHA-256 of the encoded fields, in this order:
//!
//! 1. the domain tag [`MESSAGE_DOMAIN`] (`wwqa-evidence-message-v1`);
//! 2. `path`: the source path as recorded in the bundle;
//! 3. `line_start`, 4. `line_end`: 1-based, inclusive;
//! 5. `byte_start`, 6. `byte_end`: the raw byte range of those lines;
//! 7. `time`: Unix seconds (read in Asia/Shanghai), or empty when the format
//!    has no time;
//! 8. `sender`: the nick as written;
//! 9. `role`: `buyer`, `agent`, `robot` or `system`;
//! 10. `text`: the original decoded text (lines joined by `\n`, line endings
//!     removed), unredacted.
//!
//! **Chain.** `h_0` = SHA-256 of the encoded fields [`CHAIN_DOMAIN`]
//! (`wwqa-evidence-chain-v1`), `case_id`, `shop`, `buyer`. Then for message
//! `i` (1-based) `h_i` = SHA-256(`h_{i-1}` ‖ `message_hash_i`), both as raw
//! 32-byte digests (64 bytes in, no length prefixes). The **range hash** is the
//! last chain value: it changes if any message is edited, removed, inserted
//! or reordered.
//!
//! **File hash** = SHA-256 of the raw bytes of the source file, undecoded.
//!
//! Every digest is written as 64 lower-case hex digits.
//!
//! A reviewer can recheck a `bundle.json` without wwqa (file hashes with
//! `sha256sum`); this Python is checked against real bundles:
//!
//! ```text
//! import hashlib, json, struct, sys
//! def field(s): b = s.encode(); return struct.pack('>Q', len(b)) + b
//! def sha(parts): return hashlib.sha256(b''.join(field(p) for p in parts)).digest()
//! b = json.load(open(sys.argv[1]))
//! h = sha(['wwqa-evidence-chain-v1', b['case_id'], b['shop'], b['buyer']])
//! for m in b['messages']:
//!     s = m['source']
//!     t = '' if m['time_unix'] is None else str(m['time_unix'])
//!     d = sha(['wwqa-evidence-message-v1', s['path'], str(s['line_start']), str(s['line_end']),
//!              str(s['byte_start']), str(s['byte_end']), t, m['sender'], m['role'], m['text']])
//!     assert d.hex() == m['sha256'], m['location']
//!     h = hashlib.sha256(h + d).digest()
//!     assert h.hex() == m['chain'], m['location']
//! assert h.hex() == b['range_hash']
//! ```

use crate::model::Role;
use sha2::{Digest, Sha256};

/// Domain tag that starts every message hash input.
pub const MESSAGE_DOMAIN: &str = "wwqa-evidence-message-v1";

/// Domain tag that starts the chain header.
pub const CHAIN_DOMAIN: &str = "wwqa-evidence-chain-v1";

/// A SHA-256 digest.
pub type Digest32 = [u8; 32];

/// The hashed fields of one message, borrowed from wherever they live (a
/// parsed [`crate::model::Message`] or a bundle read back from JSON).
#[derive(Debug, Clone, Copy)]
pub struct MessageFields<'a> {
    /// Source path as recorded.
    pub path: &'a str,
    /// First line, 1-based.
    pub line_start: u32,
    /// Last line, 1-based, inclusive.
    pub line_end: u32,
    /// First byte of the lines in the raw file.
    pub byte_start: u64,
    /// One past the last byte.
    pub byte_end: u64,
    /// Unix seconds, if the format has times.
    pub time: Option<i64>,
    /// Sender nick.
    pub sender: &'a str,
    /// Sender role.
    pub role: Role,
    /// Original text.
    pub text: &'a str,
}

impl<'a> MessageFields<'a> {
    /// The hashed fields of a parsed message.
    pub fn of(message: &'a crate::model::Message) -> Self {
        MessageFields {
            path: &message.source.path,
            line_start: message.source.line_start,
            line_end: message.source.line_end,
            byte_start: message.source.byte_start,
            byte_end: message.source.byte_end,
            time: message.time,
            sender: &message.sender,
            role: message.role,
            text: &message.text,
        }
    }
}

/// Append one length-prefixed field.
fn put(hasher: &mut Sha256, bytes: &[u8]) {
    hasher.update((bytes.len() as u64).to_be_bytes());
    hasher.update(bytes);
}

/// The message hash (see the module documentation for the exact input).
pub fn message_hash(fields: &MessageFields<'_>) -> Digest32 {
    let mut h = Sha256::new();
    put(&mut h, MESSAGE_DOMAIN.as_bytes());
    put(&mut h, fields.path.as_bytes());
    put(&mut h, fields.line_start.to_string().as_bytes());
    put(&mut h, fields.line_end.to_string().as_bytes());
    put(&mut h, fields.byte_start.to_string().as_bytes());
    put(&mut h, fields.byte_end.to_string().as_bytes());
    put(
        &mut h,
        fields
            .time
            .map(|t| t.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    put(&mut h, fields.sender.as_bytes());
    put(&mut h, fields.role.as_str().as_bytes());
    put(&mut h, fields.text.as_bytes());
    h.finalize().into()
}

/// `h_0`, the chain value before the first message.
pub fn header_hash(case_id: &str, shop: &str, buyer: &str) -> Digest32 {
    let mut h = Sha256::new();
    put(&mut h, CHAIN_DOMAIN.as_bytes());
    put(&mut h, case_id.as_bytes());
    put(&mut h, shop.as_bytes());
    put(&mut h, buyer.as_bytes());
    h.finalize().into()
}

/// `h_i = SHA-256(h_{i-1} ‖ message_hash_i)`.
pub fn chain_next(previous: &Digest32, message: &Digest32) -> Digest32 {
    let mut h = Sha256::new();
    h.update(previous);
    h.update(message);
    h.finalize().into()
}

/// SHA-256 of a file's raw bytes.
pub fn file_hash(bytes: &[u8]) -> Digest32 {
    Sha256::digest(bytes).into()
}

/// Lower-case hex of a digest.
pub fn to_hex(digest: &Digest32) -> String {
    hex::encode(digest)
}

/// Parse 64 hex digits back into a digest; `None` for anything else, so a
/// mangled bundle is reported rather than panicking.
pub fn from_hex(text: &str) -> Option<Digest32> {
    let bytes = hex::decode(text).ok()?;
    bytes.try_into().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> MessageFields<'static> {
        MessageFields {
            path: "fixtures/ingest/chat_window.txt",
            line_start: 2,
            line_end: 4,
            byte_start: 51,
            byte_end: 168,
            time: Some(1_709_653_812),
            sender: "tb_lily2024",
            role: Role::Buyer,
            text: "你好，这款保温杯还有货吗？",
        }
    }

    #[test]
    fn message_hash_matches_the_documented_encoding_built_by_hand() {
        // Rebuild the documented byte string independently of `put`.
        let fields: [&[u8]; 10] = [
            b"wwqa-evidence-message-v1",
            b"fixtures/ingest/chat_window.txt",
            b"2",
            b"4",
            b"51",
            b"168",
            b"1709653812",
            b"tb_lily2024",
            b"buyer",
            "你好，这款保温杯还有货吗？".as_bytes(),
        ];
        let mut input = Vec::new();
        for f in fields {
            input.extend_from_slice(&(f.len() as u64).to_be_bytes());
            input.extend_from_slice(f);
        }
        let expected: Digest32 = Sha256::digest(&input).into();
        assert_eq!(message_hash(&sample()), expected);
    }

    #[test]
    fn every_field_changes_the_message_hash() {
        let base = message_hash(&sample());
        let mut variants = Vec::new();
        let mut f = sample();
        f.text = "你好，这款保温杯还有货吗?";
        variants.push(f);
        let mut f = sample();
        f.time = None;
        variants.push(f);
        let mut f = sample();
        f.role = Role::Agent;
        variants.push(f);
        let mut f = sample();
        f.line_end = 3;
        variants.push(f);
        let mut f = sample();
        f.byte_start = 52;
        variants.push(f);
        let mut f = sample();
        f.sender = "tb_lily2025";
        variants.push(f);
        for v in variants {
            assert_ne!(message_hash(&v), base, "{v:?}");
        }
    }

    #[test]
    fn length_prefixes_keep_sender_and_text_apart() {
        let mut a = sample();
        a.sender = "tb_lily2024你";
        a.text = "好";
        let mut b = sample();
        b.sender = "tb_lily2024";
        b.text = "你好";
        assert_ne!(message_hash(&a), message_hash(&b));
    }

    #[test]
    fn chain_depends_on_order_and_hex_round_trips() {
        let h0 = header_hash("20240305-00", "得力广州专卖店", "tb_lily2024");
        let a = file_hash("亲，500ml白色现货有的哦".as_bytes());
        let b = file_hash("谢谢".as_bytes());
        let ab = chain_next(&chain_next(&h0, &a), &b);
        let ba = chain_next(&chain_next(&h0, &b), &a);
        assert_ne!(ab, ba);
        assert_eq!(from_hex(&to_hex(&ab)), Some(ab));
        assert_eq!(from_hex("abc"), None);
        assert_eq!(from_hex(&"zz".repeat(32)), None);
        // SHA-256 of the empty string, the well-known constant.
        assert_eq!(
            to_hex(&file_hash(b"")),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }
}
