//! Loopback WebSocket/HTTP test server with fault injection for resocket's browser tests.
//!
//! One listener serves static files, `/control/*` JSON endpoints and WebSocket
//! endpoints (`/echo`, `/greet`, `/push`, `/burst`, `/close`, `/chat`, `/sink`, `/silent`).

use std::future::Future;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::net::{TcpListener, TcpStream};
use tokio::time::{sleep, timeout, Duration};

mod control;
mod endpoint;
mod faults;
mod http;
mod query;
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
