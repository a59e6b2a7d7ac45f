//! ABU006 `privacy-leak`.

use crate::finding::{Finding, RuleMeta, Severity};
use crate::rules::Ctx;
use regex::Regex;
use std::sync::LazyLock;

/// 18-digit resident ID numbers (last char may be X).
static ID_CARD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:^|[^0-9])([1-9][0-9]{16}[0-9xX])(?:[^0-9]|$)").expect("valid regex")
});
/// 16–19-digit card numbers.
static CARD: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|[^0-9])([0-9]{16,19})(?:[^0-9]|$)").expect("valid regex"));

/// A street address: an administrative part (省/市/区/县) followed by a
/// street-level part with a number (路/街/道/巷/村 … 号/栋/室).
static ADDRESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[\p{Han}]{2,}(?:省|市|区|县|镇)[\p{Han}0-9]{0,20}?(?:路|街|道|巷|村|小区|大厦)[\p{Han}0-9]{0,12}?[0-9]+(?:号|栋|幢|室|楼|弄)").expect("valid regex")
});

/// Words that put an address on someone other than the buyer in the chat.
/// The text rules look for them in their shared phrase pass
/// ([`Ctx::phrases`]).
pub(crate) const THIRD_PARTY: [&str; 9] = [
    "他的",
    "她的",
    "那个买家",
    "那位买家",
    "别的客户",
    "其他客户",
    "其他顾客",
    "另一个买家",
    "上一个客户",
];

/// An agent sends someone's ID-card or bank-card number.
pub static META: RuleMeta = RuleMeta {
    code: "ABU006",
    name: "privacy-leak",
    family: "abuse",
    severity: Severity::High,
    summary: "The shop side sends an ID-card number (valid checksum), a bank-card number (valid Luhn digit, issuer prefix, not an order or waybill number), or a street address said to be someone else's (他的/那个买家/其他客户 … in the same message). Asking a buyer for their own phone number, or confirming their own address, does not fire.",
    rationale: "Passing on personal information without permission is 不当获取使用信息 (B类 −2 to −48; domain.md §2.5).",
    options: "None. (Mobile numbers sent by the shop are SCR011. Another buyer's address is recognised only when the message says whose it is: without order data an address cannot otherwise be told from the buyer's own.)",
    fires: "客服: 他的身份证号是 110105199003072316",
    quiet: "客服: 您的订单号 3456789012345678901 已发货 (an order number)",
    file: file!(),
};

fn id_checksum_ok(id: &str) -> bool {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let b = id.as_bytes();
    let sum: u32 = b[..17]
        .iter()
        .zip(W)
        .map(|(&c, w)| u32::from(c - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize] == b[17].to_ascii_uppercase()
}

fn luhn_ok(num: &str) -> bool {
    let mut sum = 0;
    for (i, c) in num.bytes().rev().enumerate() {
        let mut d = u32::from(c - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum % 10 == 0
}

/// Numbers and privacy terms in shop messages.
pub fn check(ctx: &Ctx<'_>, out: &mut Vec<Finding>) {
    for i in 0..ctx.session.messages.len() {
        if !ctx.is_shop(i) {
            continue;
        }
        let text = &ctx.session.messages[i].text;
        if ctx.phrases[i] & crate::rules::phrase::THIRD_PARTY != 0 {
            if let Some(m) = ADDRESS.find(text) {
                let span = crate::finding::Span::from_bytes(text, m.start(), m.end());
                out.push(ctx.finding(&META, i, span, "another person's address sent".into()));
            }
        }
        let normalized = ctx.normalized_default(i);
        let n = normalized.text.as_str();
        // Both numbers have at least 16 digits: most messages have none.
        if normalized.ascii_digit_count() < 16 {
            continue;
        }
        for c in ID_CARD.captures_iter(n) {
            let Some(m) = c.get(1) else { continue };
            if id_checksum_ok(m.as_str()) {
                let span = normalized.original_span(m.start(), m.end());
                out.push(ctx.finding(&META, i, span, "ID-card number sent".into()));
            }
        }
        for c in CARD.captures_iter(n) {
            let Some(m) = c.get(1) else { continue };
            let before = &n[..m.start()];
            let order_context = ["订单", "单号", "运单", "快递"]
                .iter()
                .any(|w| before.rfind(w).is_some_and(|p| m.start() - p <= 12));
            let issuer = m.as_str().starts_with("62")
                || m.as_str().starts_with('4')
                || m.as_str().starts_with('5');
            let is_id = m.as_str().len() == 18 && id_checksum_ok(m.as_str());
            if issuer && !order_context && !is_id && luhn_ok(m.as_str()) {
                let span = normalized.original_span(m.start(), m.end());
                out.push(ctx.finding(&META, i, span, "bank-card number sent".into()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn checksums() {
        assert!(super::id_checksum_ok("11010519491231002X"));
        assert!(!super::id_checksum_ok("110105194912310021"));
        assert!(super::luhn_ok("6222020200112233447") || !super::luhn_ok("6222020200112233448"));
        assert!(super::luhn_ok("4111111111111111"));
        assert!(!super::luhn_ok("4111111111111112"));
    }
}
