//! A small builder for hand-made sessions in tests.

use crate::model::{
    unix_from_local, ConversationKey, Message, MessageKind, RobotMode, Role, Session, SourceRef,
};
use std::sync::Arc;

pub const SHOP: &str = "小棉袄旗舰店";

/// Builds one session; times are `HH:MM:SS` on the current day.
pub struct SessionBuilder {
    buyer: String,
    date: chrono::NaiveDate,
    messages: Vec<Message>,
}

impl SessionBuilder {
    pub fn new(buyer: &str) -> SessionBuilder {
        SessionBuilder {
            buyer: buyer.to_string(),
            date: chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
            messages: Vec::new(),
        }
    }

    /// Later messages fall on the next day.
    pub fn next_day(mut self) -> SessionBuilder {
        self.date = self.date.succ_opt().unwrap();
        self
    }

    fn at(&self, hms: &str) -> i64 {
        let time = chrono::NaiveTime::parse_from_str(hms, "%H:%M:%S").unwrap();
        unix_from_local(self.date.and_time(time))
    }

    fn push(
        mut self,
        hms: &str,
        role: Role,
        sender: &str,
        account: Option<String>,
        kind: MessageKind,
        text: &str,
    ) -> SessionBuilder {
        let line = self.messages.len() as u32 + 1;
        let time = self.at(hms);
        self.messages.push(Message {
            id: format!("m{line}"),
            conversation: ConversationKey {
                shop: SHOP.to_string(),
                buyer: self.buyer.clone(),
            },
            time: Some(time),
            sender: sender.to_string(),
            role,
            account,
            robot_mode: None,
            kind,
            text: text.to_string(),
            source: SourceRef {
                path: Arc::from("fixture.txt"),
                line_start: line,
                line_end: line,
                byte_start: 0,
                byte_end: 0,
            },
        });
        self
    }

    pub fn buyer(self, hms: &str, text: &str) -> SessionBuilder {
        let nick = self.buyer.clone();
        self.push(hms, Role::Buyer, &nick, None, MessageKind::Text, text)
    }

    /// A message from sub-account `sub` (`小棉袄旗舰店:sub`).
    pub fn agent(self, hms: &str, sub: &str, text: &str) -> SessionBuilder {
        let account = account(sub);
        self.push(
            hms,
            Role::Agent,
            &account.clone(),
            Some(account),
            MessageKind::Text,
            text,
        )
    }

    pub fn robot(self, hms: &str, mode: RobotMode, text: &str) -> SessionBuilder {
        let account = account("店小蜜");
        let mut builder = self.push(
            hms,
            Role::Robot,
            "店小蜜",
            Some(account),
            MessageKind::Text,
            text,
        );
        if let Some(last) = builder.messages.last_mut() {
            last.robot_mode = Some(mode);
        }
        builder
    }

    pub fn transfer(self, hms: &str, from: &str, to: &str) -> SessionBuilder {
        let kind = MessageKind::Transfer {
            from: account(from),
            to: account(to),
        };
        let text = format!("由 {} 转交给 {}", account(from), account(to));
        self.push(hms, Role::System, "系统", None, kind, &text)
    }

    pub fn offline_assignment(self, hms: &str) -> SessionBuilder {
        self.push(
            hms,
            Role::System,
            "系统",
            None,
            MessageKind::OfflineAssignment,
            "原因：【离线留言自动分配】",
        )
    }

    /// Drop every time, as a JDDC-like format would have none.
    pub fn untimed(mut self) -> SessionBuilder {
        for message in &mut self.messages {
            message.time = None;
        }
        self
    }

    pub fn build(self) -> Session {
        Session {
            id: format!("s-{}-{}", self.buyer, self.messages.len()),
            conversation: ConversationKey {
                shop: SHOP.to_string(),
                buyer: self.buyer.clone(),
            },
            start: self.messages.first().and_then(|m| m.time),
            end: self.messages.last().and_then(|m| m.time),
            agents: Vec::new(),
            transfers: Vec::new(),
            messages: self.messages,
        }
    }
}

/// `小棉袄旗舰店:sub`.
pub fn account(sub: &str) -> String {
    format!("{SHOP}:{sub}")
}
