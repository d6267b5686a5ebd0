//! WebSocket endpoint behaviours: parameters, replies and server-initiated frames.

use std::time::{SystemTime, UNIX_EPOCH};

use tokio::sync::mpsc::UnboundedReceiver;
use tokio::time::{interval_at, sleep_until, Duration, Instant, Interval, MissedTickBehavior};
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::Message;

use crate::ack::{AckParams, AckQueue};
use crate::query::{split_target, Query};
use crate::raw::BadClose;

/// Longest stall honoured (a "forever" stall).
const MAX_STALL: Duration = Duration::from_secs(86_400 * 30);
/// Largest `/big` message (and the largest message or frame the server reads).
pub const MAX_BIG: usize = 100 << 20;
/// Most `/burst` messages.
const MAX_BURST: u64 = 1_000_000;
/// Largest `/burst` padding.
const MAX_PAD: usize = 1 << 20;
/// Longest `/badclose` reason.
const MAX_REASON: usize = 200;
/// Longest `/hang`.
const MAX_HANG: Duration = Duration::from_secs(120);
/// The `/subprotocol` answer when `proto` is absent or not a valid header value.
const UNREQUESTED: &str = "unrequested";

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
    Big {
        bytes: usize,
        binary: bool,
    },
    BadClose(BadClose),
    AcceptClose {
        drop: bool,
    },
    Hang {
        after: Duration,
    },
    Subprotocol {
        proto: String,
    },
    Ack(AckParams),
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
                count: q.num("count", 100).min(MAX_BURST),
                size: q.num("size", 0).min(MAX_PAD),
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
            "/big" => Kind::Big {
                bytes: q.num("bytes", 1 << 20).min(MAX_BIG),
                binary: q.get("kind") == Some("binary"),
            },
            "/badclose" => Kind::BadClose(bad_close(&q)),
            "/accept_close" => Kind::AcceptClose {
                drop: q.get("mode") == Some("drop"),
            },
            "/hang" => Kind::Hang {
                after: ms("ms", 60_000).min(MAX_HANG),
            },
            "/subprotocol" => Kind::Subprotocol {
                proto: subprotocol(&q),
            },
            "/ack" => Kind::Ack(AckParams::parse(&q)),
            _ => return None,
        })
    }

    /// Frames sent right after the handshake, made one at a time as they are sent.
    pub fn greeting(&self) -> Box<dyn Iterator<Item = Message> + Send> {
        match self {
            Kind::Greet => Box::new(std::iter::once(Message::text("Hello"))),
            Kind::Burst { count, size } => {
                let pad = "x".repeat(*size);
                Box::new(
                    (1..=*count)
                        .map(move |i| Message::text(format!(r#"{{"seq":{i},"pad":"{pad}"}}"#))),
                )
            }
            _ => Box::new(std::iter::empty()),
        }
    }

    /// Replies to one data message (the `ping` heartbeat is handled by the caller).
    pub fn reply(&self, msg: Message) -> Option<Message> {
        match (self, msg) {
            (
                Kind::Echo
                | Kind::Burst { .. }
                | Kind::Close { .. }
                | Kind::Big { .. }
                | Kind::Subprotocol { .. },
                m,
            ) => Some(m),
            (Kind::Greet, Message::Text(t)) => Some(Message::text(format!("You said: {t}"))),
            (Kind::Greet, m) => Some(m),
            (Kind::Sink { .. }, m) => Some(Message::text(ack(&m))),
            _ => None,
        }
    }
}

/// `/badclose` parameters: `code` (`none` or 0..=65535, default 1005), `reason_len`, `utf8`.
fn bad_close(q: &Query) -> BadClose {
    let code = match q.get("code") {
        Some("none") => None,
        _ => Some(q.num("code", 1005)),
    };
    BadClose {
        code,
        reason_len: q.num("reason_len", 0).min(MAX_REASON),
        bad_utf8: q.get("utf8") == Some("bad"),
    }
}

/// The `/subprotocol` answer: `proto` if it is a non-empty header value, else [`UNREQUESTED`].
fn subprotocol(q: &Query) -> String {
    q.get("proto")
        .filter(|p| !p.is_empty() && HeaderValue::from_str(p).is_ok())
        .unwrap_or(UNREQUESTED)
        .to_string()
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
    /// `/ack` acknowledgements.
    Ack(AckQueue),
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
            Kind::Ack(params) => Source::Ack(AckQueue::new(params.clone())),
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
            Source::Ack(queue) => Out::Send(queue.next().await),
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
    fn hostile_parameters_are_capped() {
        let big = Kind::parse("/big?bytes=999999999999&kind=binary");
        let want = Kind::Big {
            bytes: MAX_BIG,
            binary: true,
        };
        assert_eq!(big, Some(want));
        let Some(Kind::BadClose(close)) = Kind::parse("/badclose?code=65535&reason_len=9999")
        else {
            panic!("not a badclose");
        };
        assert_eq!((close.code, close.reason_len), (Some(65535), MAX_REASON));
        let none = Kind::parse("/badclose?code=none&utf8=bad");
        let want = BadClose {
            code: None,
            reason_len: 0,
            bad_utf8: true,
        };
        assert_eq!(none, Some(Kind::BadClose(want)));
        let hang = Kind::parse("/hang?ms=99999999");
        assert_eq!(hang, Some(Kind::Hang { after: MAX_HANG }));
        let burst = Kind::parse("/burst?count=99999999999&size=99999999999");
        let want = Kind::Burst {
            count: MAX_BURST,
            size: MAX_PAD,
        };
        assert_eq!(burst, Some(want));
        let proto = |t| match Kind::parse(t) {
            Some(Kind::Subprotocol { proto }) => proto,
            other => panic!("{other:?}"),
        };
        assert_eq!(proto("/subprotocol"), UNREQUESTED);
        assert_eq!(proto("/subprotocol?proto=%0A"), UNREQUESTED);
        assert_eq!(proto("/subprotocol?proto=a,%20b"), "a, b");
    }

    #[test]
    fn sink_ack_ids() {
        assert_eq!(ack(&Message::text("7|payload")), "ack:7");
        assert_eq!(ack(&Message::text("whole")), "ack:whole");
        assert_eq!(ack(&Message::binary(vec![1, 1, 0, 0, 9])), "ack:257");
        assert_eq!(ack(&Message::binary(vec![1, 2])), "ack:short");
    }
}
