//! Print the abuse-term hits of each argument (or each stdin line):
//! kind, severity, evasion, the quoted span and the term it matched.
//!
//! `cargo run --example abuse_terms_find -- 你是不是傻*逼 帮我妈的订单改个地址`

use wwqa::abuse::terms::AbuseTerms;

fn main() {
    let terms = AbuseTerms::bundled().expect("bundled abuse terms");
    let mut texts: Vec<String> = std::env::args().skip(1).collect();
    if texts.is_empty() {
        texts = std::io::stdin().lines().map_while(Result::ok).collect();
    }
    for text in texts {
        let hits = terms.find(&text);
        println!("{text}");
        for h in hits {
            let term = &terms.terms()[h.term as usize];
            println!(
                "    {} {} {} 「{}」 ← {} (line {})",
                h.kind.as_str(),
                h.severity.as_str(),
                h.evasion.as_str(),
                h.span.slice(&text),
                term.term,
                term.line
            );
        }
    }
}
