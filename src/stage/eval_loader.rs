//! EVAL LOADER: a minimal reader of the JDDC chat TSV, used only by the stage
//! tests and evaluation until the real ingest ([`crate::ingest`]) reads
//! this format. It is deliberately small: no format detection, no decoding
//! other than UTF-8, no session splitting beyond the `session_id` column.
//!
//! Format: 7 tab-separated columns, no header: `session_id user_id
//! waiter_send is_transfer is_repeat sku content` (`waiter_send` 1 = agent).
//! JDDC has no timestamps, so every time is `None`.

use crate::model::{ConversationKey, Message, MessageKind, Role, Session, SourceRef};
use std::path::Path;
use std::sync::Arc;

/// The shop name given to JDDC conversations (the corpus has one shop).
pub const JDDC_SHOP: &str = "jd";
/// The sender name of JDDC agent lines (the corpus does not name agents).
pub const JDDC_AGENT: &str = "jd:客服";

/// Read a JDDC TSV file into sessions, in file order.
pub fn load_jddc_sessions(path: &Path) -> Result<Vec<Session>, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
    parse_jddc(&text, &path.display().to_string())
}

/// Parse JDDC TSV text; `origin` is the path used in ids, sources and errors.
pub fn parse_jddc(text: &str, origin: &str) -> Result<Vec<Session>, String> {
    let origin_arc: Arc<str> = Arc::from(origin);
    let mut sessions: Vec<Session> = Vec::new();
    let mut byte_start = 0u64;
    for (index, raw_line) in text.split_inclusive('\n').enumerate() {
        let line_no = index + 1;
        let line_bytes = raw_line.len() as u64;
        let line = raw_line.trim_end_matches(['\n', '\r']);
        let line_start = byte_start;
        byte_start += line_bytes;
        if line.is_empty() {
            continue;
        }
        let fields: Vec<&str> = line.splitn(7, '\t').collect();
        if fields.len() != 7 {
            return Err(format!(
                "{origin}:{line_no}: expected 7 tab-separated columns, found {}",
                fields.len()
            ));
        }
        let (session_id, user_id, waiter_send, content) =
            (fields[0], fields[1], fields[2], fields[6]);
        if session_id.is_empty() {
            return Err(format!("{origin}:{line_no}: empty session_id"));
        }
        let role = match waiter_send {
            "1" => Role::Agent,
            "0" => Role::Buyer,
            other => {
                return Err(format!(
                    "{origin}:{line_no}: waiter_send must be 0 or 1, found `{other}`"
                ))
            }
        };
        let conversation = ConversationKey {
            shop: JDDC_SHOP.to_string(),
            buyer: user_id.to_string(),
        };
        let line_u32 =
            u32::try_from(line_no).map_err(|_| format!("{origin}:{line_no}: too many lines"))?;
        let (sender, account) = match role {
            Role::Agent => (JDDC_AGENT.to_string(), Some(JDDC_AGENT.to_string())),
            _ => (user_id.to_string(), None),
        };
        let message = Message {
            id: crate::model::stable_id(&[origin.as_bytes(), line_no.to_string().as_bytes()]),
            conversation: conversation.clone(),
            time: None,
            sender,
            role,
            account,
            robot_mode: None,
            kind: MessageKind::Text,
            text: content.to_string(),
            source: SourceRef {
                path: origin_arc.clone(),
                line_start: line_u32,
                line_end: line_u32,
                byte_start: line_start,
                byte_end: line_start + line.len() as u64,
            },
        };
        let continues = sessions.last().is_some_and(|s| s.id == session_id);
        if !continues {
            sessions.push(Session {
                id: session_id.to_string(),
                conversation,
                start: None,
                end: None,
                agents: Vec::new(),
                transfers: Vec::new(),
                messages: Vec::new(),
            });
        }
        if let Some(session) = sessions.last_mut() {
            if role == Role::Agent && !session.agents.iter().any(|a| a == JDDC_AGENT) {
                session.agents.push(JDDC_AGENT.to_string());
            }
            session.messages.push(message);
        }
    }
    Ok(sessions)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_roles_sessions_and_sources() {
        let text = "s1\tU1\t0\t0\t0\tnan\t地址可以帮我修改下吗\n\
                    s1\tU1\t1\t0\t0\tnan\t还请您稍等\n\
                    s2\tU2\t0\t0\t0\tnan\t退货\twith tab\n";
        let sessions = parse_jddc(text, "x.tsv").expect("valid");
        assert_eq!(sessions.len(), 2);
        assert_eq!(sessions[0].id, "s1");
        assert_eq!(sessions[0].messages.len(), 2);
        assert_eq!(sessions[0].messages[0].role, Role::Buyer);
        assert_eq!(sessions[0].messages[1].role, Role::Agent);
        assert_eq!(sessions[0].agents, vec![JDDC_AGENT.to_string()]);
        assert_eq!(sessions[1].messages[0].text, "退货\twith tab");
        assert_eq!(sessions[1].messages[0].source.location(), "x.tsv:3");
        let second = &sessions[0].messages[1].source;
        assert_eq!(
            &text[second.byte_start as usize..second.byte_end as usize],
            "s1\tU1\t1\t0\t0\tnan\t还请您稍等"
        );
        assert!(sessions[0].messages.iter().all(|m| m.time.is_none()));
    }

    #[test]
    fn rejects_bad_lines_with_location() {
        let err = parse_jddc("s1\tU1\t0\tonly four\n", "x.tsv").unwrap_err();
        assert_eq!(err, "x.tsv:1: expected 7 tab-separated columns, found 4");
        let err = parse_jddc(
            "s1\tU1\t0\t0\t0\tnan\tok\ns1\tU1\t2\t0\t0\tnan\tx\n",
            "x.tsv",
        )
        .unwrap_err();
        assert_eq!(err, "x.tsv:2: waiter_send must be 0 or 1, found `2`");
    }
}
