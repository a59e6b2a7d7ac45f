//! `jddc`: the JDDC corpus TSV (JD.com customer service, Chen et al. 2020):
//! `session_id user_id waiter_send is_transfer is_repeat sku content`, no
//! header, no timestamps. `waiter_send` 1 = agent, 0 = customer. The corpus
//! names no shop or agent: the shop is `JDDC` and the agent account
//! `JDDC:客服`. Sessions are the corpus's own session ids.

use super::{Ledger, Parsed};
use crate::model::{ConversationKey, Message, MessageKind, Role};
use std::sync::Arc;

/// Shop name given to JDDC conversations.
pub const JDDC_SHOP: &str = "JDDC";
/// Account name given to JDDC agents.
pub const JDDC_AGENT: &str = "JDDC:客服";

pub(crate) fn looks_like(sample: &[&str]) -> bool {
    let fits = |l: &&str| {
        let cols: Vec<&str> = l.split('\t').collect();
        cols.len() == 7 && matches!(cols[2], "0" | "1") && matches!(cols[3], "0" | "1")
    };
    !sample.is_empty() && sample.iter().filter(|l| fits(l)).count() * 10 >= sample.len() * 9
}

pub(crate) fn parse(ledger: &mut Ledger<'_>, out: &mut Vec<Parsed>) {
    let lines = ledger.lines();
    for (i, line) in lines.iter().enumerate() {
        let Ok(t) = line.text.as_deref() else {
            continue;
        };
        if t.trim().is_empty() {
            ledger.noise(i);
            continue;
        }
        let cols: Vec<&str> = t.split('\t').collect();
        if cols.len() != 7 {
            ledger.reject(
                i,
                format!("expected 7 tab-separated columns, found {}", cols.len()),
            );
            continue;
        }
        let role = match cols[2] {
            "1" => Role::Agent,
            "0" => Role::Buyer,
            other => {
                ledger.reject(i, format!("waiter_send must be 0 or 1, found `{other}`"));
                continue;
            }
        };
        if cols[0].is_empty() || cols[1].is_empty() {
            ledger.reject(i, "empty session_id or user_id");
            continue;
        }
        let text = cols[6].to_string();
        let source = ledger.source(i, i);
        let id =
            crate::model::stable_id(&[source.path.as_bytes(), &source.line_start.to_le_bytes()]);
        ledger.used(i);
        out.push(Parsed {
            message: Message {
                id,
                conversation: ConversationKey {
                    shop: JDDC_SHOP.to_string(),
                    buyer: cols[1].to_string(),
                },
                time: None,
                sender: if role == Role::Agent {
                    JDDC_AGENT.to_string()
                } else {
                    cols[1].to_string()
                },
                role,
                account: (role == Role::Agent).then(|| JDDC_AGENT.to_string()),
                robot_mode: None,
                kind: if text.starts_with("[订单编号") {
                    MessageKind::OrderCard
                } else {
                    super::kind_of_text(&text)
                },
                text,
                source,
            },
            session_hint: Some(Arc::from(cols[0])),
        });
    }
}
