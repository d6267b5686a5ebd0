//! Loopback WebSocket/HTTP test server with fault injection for resocket's browser tests.
//!
//! One listener serves static files, `/control/*` JSON endpoints and WebSocket
//! endpoints (`/echo`, `/greet`, `/push`, `/burst`, `/close`, `/chat`, `/sink`, `/silent`,
//! `/ack`).
//! `/burst?count=N&size=S` (N ≤ 1,000,000, S ≤ 1 MiB) also serves as a flood: 100,000
//! small messages go out in well under a second, batched into large writes.
//!
//! Hostile endpoints, for testing how clients cope with a misbehaving server:
//!
//! - `/big?bytes=N&kind=text|binary`: one message of exactly N bytes (default 1 MiB, at most
//!   100 MiB) in a single frame right after the handshake (text: all `x`; binary: byte `i` is
//!   `i & 255`), then echoes like `/echo` (messages up to 100 MiB are read).
//! - `/badclose?code=N&reason_len=L&utf8=bad`: a raw close frame right after the handshake,
//!   with the 2-byte code N verbatim (0..=65535, default 1005; `code=none` sends an empty
//!   payload) and L bytes of `r` (`0xff` with `utf8=bad`; L ≤ 200, so the payload may break
//!   the 125-byte control-frame limit). Then waits up to 2 s for the client's close frame
//!   (recorded in `closes`) or hangup, and drops the TCP connection.
//! - `/accept_close?mode=close|drop`: right after the handshake, a normal close 1000
//!   (default) or a TCP drop with no close frame.
//! - `/hang?ms=N`: reads the upgrade request and never answers; closes the TCP connection
//!   after N ms (default 60000, at most 120000), or earlier on `/control/drop` or `kill`.
//! - `/subprotocol?proto=P`: answers `Sec-WebSocket-Protocol: P` (default `unrequested`)
//!   whatever the client offered, then echoes.
//!
//! Every WebSocket endpoint takes `tag=T`; `/control/stats?tag=T` then reports that tag's
//! `accepted` (connections, `/hang` included), `accepted_at_ms` (ms since the tag's first
//! connection, first 1000 only), `open`, `refused`, `messages_in`, `bytes_in`, `pings` and
//! `closes` (`{code, reason}` of close frames received from clients).
//!
//! Acknowledged delivery: a text message holding a JSON object whose `"id"` is a non-negative
//! integer or a string is *tracked*.
//!
//! - `/chat` sends `{"ack":id}` to the sender of a tracked message, right after the sender's
//!   own broadcast copy; other members only get the broadcast, as for any message.
//! - `/ack?mode=each|through&every=K&delay_ms=D&silent=1&hostile=1&drops=N&seed=S&span=P`
//!   answers `{"ack":id}` per tracked message, or `{"ack":id,"response":R}` when it carries
//!   `"request":R`. `mode=through` answers numeric ids with `{"ackThrough":n}` instead (n: the
//!   highest numeric id received on this connection) after every K (1..=10,000, default 1) of
//!   them and after 20 ms without any; string ids and requests still get their own reply.
//!   `delay_ms` (≤ 60,000) holds each reply without pausing reads; `silent=1` never replies;
//!   `hostile=1` sends ten garbage frames (see `ack::HOSTILE`) before every real reply.
//!   `drops=N` (≤ 10,000) drops the TCP link (no close frame) N times, on the tracked message
//!   whose tag-wide count is `p_k = p_(k-1) + gap`, each gap drawn in `1..=P` (P ≤ 1,000,000,
//!   default 500) from a generator seeded with S (default 1). That message is recorded but
//!   never acknowledged. The schedule belongs to the tag: the first `/ack` connection asking
//!   for drops since the tag's last reset sets it.
//!
//! `/control/stats` adds `ack_connections`, `ack_received` (tracked messages, duplicates
//! included), `ack_ids` (distinct ids), `ack_duplicates`, `ack_drops`, `ack_drop_at` (the
//! tag-wide counts the drops happened at, first 1000) and `ack_ids_full` (true once an id could
//! not be remembered: at most 1,000,000 distinct ids and 64 MiB of string ids per tag; later
//! duplicates of unremembered ids are not detected). `/control/ackstats?tag=T&expect=N`
//! (N ≤ 1,000,000) reports which of ids `1..=N` were never received: `missing_count`,
//! `missing` (the first 100), `unexpected` (other ids), and the same counts.

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout, Duration};

mod ack;
mod control;
mod endpoint;
mod faults;
mod handshake;
mod hang;
mod http;
mod query;
mod raw;
mod ws;

/// Largest accepted request head.
const MAX_HEAD: usize = 16 * 1024;
/// How long a client may take to send its request head.
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);

/// Server settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Directory served for plain GET requests.
    pub www: PathBuf,
    /// Log connections to stderr.
    pub verbose: bool,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            www: PathBuf::from("www"),
            verbose: false,
        }
    }
}

/// State shared by all connections.
pub(crate) struct Shared {
    pub(crate) www: PathBuf,
    pub(crate) verbose: bool,
    pub(crate) registry: faults::Registry,
}

/// Serves `listener` forever.
pub async fn serve(listener: TcpListener, config: Config) -> io::Result<()> {
    serve_until(listener, config, std::future::pending()).await
}

/// Serves `listener` until `shutdown` resolves; live connections are not awaited.
pub async fn serve_until(
    listener: TcpListener,
    config: Config,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let shared = Arc::new(Shared {
        www: config.www,
        verbose: config.verbose,
        registry: faults::Registry::default(),
    });
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return Ok(()),
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    if shared.verbose {
                        eprintln!("connection from {peer}");
                    }
                    tokio::spawn(dispatch(stream, shared.clone()));
                }
                Err(e) => {
                    // Usually transient (e.g. out of file descriptors).
                    eprintln!("accept failed: {e}");
                    sleep(Duration::from_millis(50)).await;
                }
            },
        }
    }
}

/// Result of peeking at a new connection.
enum Peeked {
    Head(http::Head),
    TooLarge,
    Malformed,
    Closed,
}

/// Routes one TCP connection to the WebSocket or plain HTTP handler.
async fn dispatch(stream: TcpStream, shared: Arc<Shared>) {
    let _ = stream.set_nodelay(true);
    let peeked = timeout(HEAD_TIMEOUT, peek_head(&stream))
        .await
        .unwrap_or(Peeked::Closed);
    match peeked {
        Peeked::Head(head) if head.is_upgrade() => ws::handle(stream, head, shared).await,
        Peeked::Head(head) => http::handle(stream, head, shared).await,
        Peeked::TooLarge => {
            let resp = http::Response::status(431);
            http::send_and_close(stream, &resp, false).await;
        }
        Peeked::Malformed => {
            let resp = http::Response::status(400);
            http::send_and_close(stream, &resp, false).await;
        }
        Peeked::Closed => {}
    }
}

/// Peeks (without consuming) until the request head is complete.
async fn peek_head(stream: &TcpStream) -> Peeked {
    let mut buf = vec![0u8; MAX_HEAD];
    let mut seen = 0;
    loop {
        let n = match stream.peek(&mut buf).await {
            Ok(0) | Err(_) => return Peeked::Closed,
            Ok(n) => n,
        };
        if http::find_head_end(&buf[..n]).is_some() {
            return match http::Head::parse(&buf[..n]) {
                Some(head) => Peeked::Head(head),
                None => Peeked::Malformed,
            };
        }
        if n == buf.len() {
            return Peeked::TooLarge;
        }
        if n == seen {
            // peek returns buffered bytes at once; wait for more to arrive.
            sleep(Duration::from_millis(5)).await;
        }
        seen = n;
    }
}
