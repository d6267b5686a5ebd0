//! Shared helpers: an in-process server per test and bounded client operations.
#![allow(dead_code)]

mod raw;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::StreamExt;
use resocket_test_server::{serve, Config};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::{timeout, Duration};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{
    connect_async, connect_async_with_config, MaybeTlsStream, WebSocketStream,
};

/// Upper bound for any single wait in the tests.
pub const WAIT: Duration = Duration::from_secs(5);

pub type Client = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// Bytes of the test `.wasm` file.
pub const WASM: &[u8] = b"\0asm\x01\0\0\0";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// A server running in this test's runtime.
pub struct Server {
    pub addr: SocketAddr,
    pub www: PathBuf,
}

/// Creates a www dir with a few files.
pub fn make_www() -> PathBuf {
    let n = NEXT.fetch_add(1, Ordering::SeqCst);
    let dir = std::env::temp_dir().join(format!("rts-www-{}-{n}", std::process::id()));
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("index.html"), "<h1>root</h1>").unwrap();
    std::fs::write(dir.join("sub/index.html"), "<h1>sub</h1>").unwrap();
    std::fs::write(dir.join("app.wasm"), WASM).unwrap();
    std::fs::write(dir.join("app.js"), "export {}").unwrap();
    dir
}

/// Starts a server on an ephemeral loopback port.
pub async fn start() -> Server {
    let www = make_www();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        www: www.clone(),
        verbose: false,
    };
    tokio::spawn(serve(listener, config));
    Server { addr, www }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.www);
    }
}

/// A raw HTTP reply.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        let name = name.to_ascii_lowercase();
        self.headers
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Server {
    pub fn url(&self, path: &str) -> String {
        format!("ws://{}{path}", self.addr)
    }

    /// Opens a WebSocket to `path`.
    pub async fn ws(&self, path: &str) -> Client {
        self.try_ws(path).await.expect("ws connect")
    }

    /// Opens a WebSocket to `path` with no message or frame size limit.
    pub async fn ws_unlimited(&self, path: &str) -> Client {
        let config = WebSocketConfig::default()
            .max_message_size(None)
            .max_frame_size(None);
        let connect = connect_async_with_config(self.url(path), Some(config), false);
        let res = timeout(WAIT, connect).await.expect("connect timed out");
        res.expect("ws connect").0
    }

    pub async fn try_ws(&self, path: &str) -> Result<Client, WsError> {
        let res = timeout(WAIT, connect_async(self.url(path))).await;
        res.expect("connect timed out").map(|(c, _)| c)
    }

    /// Sends a raw request line `METHOD target` and reads the whole reply.
    pub async fn request(&self, method: &str, target: &str) -> Reply {
        let mut s = TcpStream::connect(self.addr).await.unwrap();
        let req = format!("{method} {target} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        s.write_all(req.as_bytes()).await.unwrap();
        let mut raw = Vec::new();
        timeout(WAIT, s.read_to_end(&mut raw))
            .await
            .unwrap()
            .unwrap();
        parse_reply(&raw)
    }

    pub async fn get(&self, target: &str) -> Reply {
        self.request("GET", target).await
    }

    /// GETs a control endpoint and parses its JSON.
    pub async fn control(&self, target: &str) -> Value {
        let r = self.get(&format!("/control/{target}")).await;
        assert_eq!(r.status, 200, "control {target}");
        serde_json::from_slice(&r.body).unwrap()
    }

    /// Polls stats until `pred` holds (bounded by WAIT).
    pub async fn wait_stats(&self, query: &str, pred: impl Fn(&Value) -> bool) -> Value {
        let deadline = tokio::time::Instant::now() + WAIT;
        loop {
            let v = self.control(&format!("stats{query}")).await;
            if pred(&v) {
                return v;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "stats never matched: {v}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

fn parse_reply(raw: &[u8]) -> Reply {
    let end = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let head = String::from_utf8_lossy(&raw[..end]);
    let mut lines = head.split("\r\n");
    let status = lines.next().unwrap().split(' ').nth(1).unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Reply {
        status: status.parse().unwrap(),
        headers,
        body: raw[end..].to_vec(),
    }
}

/// Next data or close message (protocol pings/pongs skipped); panics on timeout or end.
pub async fn recv(c: &mut Client) -> Message {
    loop {
        let next = timeout(WAIT, c.next()).await.expect("recv timed out");
        match next.expect("stream ended").expect("stream error") {
            Message::Ping(_) | Message::Pong(_) => continue,
            m => return m,
        }
    }
}

pub async fn recv_text(c: &mut Client) -> String {
    match recv(c).await {
        Message::Text(t) => t.as_str().to_string(),
        other => panic!("expected text, got {other:?}"),
    }
}

/// Asserts nothing arrives within `ms`.
pub async fn quiet(c: &mut Client, ms: u64) {
    if let Ok(m) = timeout(Duration::from_millis(ms), c.next()).await {
        panic!("expected silence, got {m:?}");
    }
}

/// How a connection ended.
#[derive(Debug)]
pub enum End {
    /// A close frame arrived: (code, reason).
    Close(Option<(u16, String)>),
    /// The stream ended or failed without a close frame.
    Abrupt,
}

/// Reads until the connection ends (bounded by WAIT); data messages are skipped.
/// After a close frame it completes the close handshake.
pub async fn end(c: &mut Client) -> End {
    loop {
        let next = timeout(WAIT, c.next()).await.expect("end timed out");
        match next {
            Some(Ok(Message::Close(f))) => {
                // Keep polling so the client's close reply goes out, like a browser's.
                let _ = timeout(WAIT, async { while c.next().await.is_some() {} }).await;
                return End::Close(f.map(|f| (u16::from(f.code), f.reason.as_str().to_string())));
            }
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return End::Abrupt,
        }
    }
}
