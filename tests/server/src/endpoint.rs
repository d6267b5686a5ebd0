//! WebSocket endpoint behaviours: parameters, replies and server-initiated frames.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{interval_at, sleep_until, Duration, Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::Message;

use crate::query::{split_target, Query};

/// Longest stall honoured (a "forever" stall).
const MAX_STALL: Duration = Duration::from_secs(86_400 * 30);

/// An endpoint and its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    Echo,
    Greet,
    Push {
        interval: Duration,
        count: Option<u64>,
    },
    Burst {
        count: u64,
        size: usize,
    },
    Close {
        code: u16,
        reason: String,
        after: Duration,
    },
    Chat {
        room: String,
    },
    Sink {
        stall: Duration,
    },
    Silent,
}

impl Kind {
    /// Parses a request target (`/path?query`); `None` for an unknown path.
    pub fn parse(target: &str) -> Option<Kind> {
        let (path, raw) = split_target(target);
        let q = Query::parse(raw);
        let ms = |key: &str, default: u64| Duration::from_millis(q.num(key, default));
        Some(match path.trim_end_matches('/') {
            "/echo" => Kind::Echo,
            "/greet" => Kind::Greet,
            "/push" => Kind::Push {
                interval: ms("interval_ms", 1000).max(Duration::from_millis(1)),
                count: q.opt_num("count"),
            },
            "/burst" => Kind::Burst {
                count: q.num("count", 100),
                size: q.num("size", 0),
            },
            "/close" => Kind::Close {
                code: q.num("code", 1000),
                reason: q.get("reason").unwrap_or("").to_string(),
                after: ms("after_ms", 0),
            },
            "/chat" => Kind::Chat {
                room: q.get("room").unwrap_or("lobby").to_string(),
            },
            "/sink" => Kind::Sink {
                stall: ms("stall_ms", 0).min(MAX_STALL),
            },
            "/silent" => Kind::Silent,
            _ => return None,
        })
    }

    /// Frames sent right after the handshake.
    pub fn greeting(&self) -> Vec<Message> {
        match self {
            Kind::Greet => vec![Message::text("Hello")],
            Kind::Burst { count, size } => {
                let pad = "x".repeat(*size);
                (1..=*count)
                    .map(|i| Message::text(format!(r#"{{"seq":{i},"pad":"{pad}"}}"#)))
                    .collect()
            }
            _ => Vec::new(),
        }
    }

    /// Replies to one data message (the `ping` heartbeat is handled by the caller).
    pub fn reply(&self, msg: Message) -> Option<Message> {
        match (self, msg) {
            (Kind::Echo | Kind::Burst { .. } | Kind::Close { .. }, m) => Some(m),
            (Kind::Greet, Message::Text(t)) => Some(Message::text(format!("You said: {t}"))),
            (Kind::Greet, m) => Some(m),
            (Kind::Sink { .. }, m) => Some(Message::text(ack(&m))),
            _ => None,
        }
    }
}

/// The `ack:<id>` reply of `/sink`.
fn ack(msg: &Message) -> String {
    match msg {
        Message::Text(t) => {
            let id = t.as_str().split('|').next().unwrap_or("");
            format!("ack:{id}")
        }
        Message::Binary(b) if b.len() >= 4 => {
            let id = u32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            format!("ack:{id}")
        }
        _ => "ack:short".to_string(),
    }
}

/// What a [`Source`] wants done next.
#[derive(Debug)]
pub enum Out {
    /// Send this frame.
    Send(Message),
    /// Close with this code and reason.
    Close(u16, String),
}

/// Server-initiated frames of a connection.
pub enum Source {
    /// Nothing to send.
    Idle,
    /// `/push` timer.
    Push {
        timer: Interval,
        seq: u64,
        left: Option<u64>,
    },
    /// `/chat` broadcasts for this member.
    Chat(UnboundedReceiver<Message>),
    /// `/close` deadline.
    CloseAt {
        at: Instant,
        code: u16,
        reason: String,
    },
}

impl Source {
    /// The source for `kind` (chat sources are built by the caller).
    pub fn for_kind(kind: &Kind) -> Source {
        match kind {
            Kind::Push { interval, count } => {
                let mut timer = interval_at(Instant::now() + *interval, *interval);
                timer.set_missed_tick_behavior(MissedTickBehavior::Delay);
                Source::Push {
                    timer,
                    seq: 0,
                    left: *count,
                }
            }
            Kind::Close {
                code,
                reason,
                after,
            } => Source::CloseAt {
                at: Instant::now() + *after,
                code: *code,
                reason: reason.clone(),
            },
            _ => Source::Idle,
        }
    }

    /// Waits for the next frame or action. Cancel-safe: state changes only after the wait.
    pub async fn next(&mut self) -> Out {
        match self {
            Source::Idle | Source::Push { left: Some(0), .. } => std::future::pending().await,
            Source::Push { timer, seq, left } => {
                timer.tick().await;
                *seq += 1;
                if let Some(n) = left {
                    *n -= 1;
                }
                let ts = SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(0, |d| d.as_millis());
                Out::Send(Message::text(format!(r#"{{"seq":{seq},"ts":{ts}}}"#)))
            }
            Source::Chat(rx) => match rx.recv().await {
                Some(m) => Out::Send(m),
                None => std::future::pending().await,
            },
            Source::CloseAt { at, code, reason } => {
                sleep_until(*at).await;
                let out = Out::Close(*code, std::mem::take(reason));
                *self = Source::Idle;
                out
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_endpoints() {
        assert_eq!(Kind::parse("/echo?tag=a"), Some(Kind::Echo));
        assert_eq!(Kind::parse("/nope"), None);
        let k = Kind::parse("/close?code=4000&reason=a%20b&after_ms=5");
        let want = Kind::Close {
            code: 4000,
            reason: "a b".into(),
            after: Duration::from_millis(5),
        };
        assert_eq!(k, Some(want));
    }

    #[test]
    fn sink_ack_ids() {
        assert_eq!(ack(&Message::text("7|payload")), "ack:7");
        assert_eq!(ack(&Message::text("whole")), "ack:whole");
        assert_eq!(ack(&Message::binary(vec![1, 1, 0, 0, 9])), "ack:257");
        assert_eq!(ack(&Message::binary(vec![1, 2])), "ack:short");
    }
}
