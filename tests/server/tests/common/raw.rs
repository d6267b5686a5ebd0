//! A raw TCP WebSocket client, for what tungstenite would hide or refuse on the wire.

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::{timeout, Duration};

use super::{parse_reply, Reply, Server, WAIT};

/// The mask this client puts on its frames.
const MASK: [u8; 4] = [0x11, 0x22, 0x33, 0x44];

/// A TCP connection that has sent an upgrade request; bytes read past the response head wait
/// in `buf`.
pub struct Raw {
    pub tcp: TcpStream,
    pub buf: Vec<u8>,
}

impl Server {
    /// Connects and sends an upgrade request for `target`, offering `protocol` if given.
    pub async fn upgrade(&self, target: &str, protocol: Option<&str>) -> Raw {
        let mut tcp = TcpStream::connect(self.addr).await.unwrap();
        let offer = protocol.map_or(String::new(), |p| {
            format!("Sec-WebSocket-Protocol: {p}\r\n")
        });
        let req = format!(
            "GET {target} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\
             Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\
             {offer}\r\n"
        );
        tcp.write_all(req.as_bytes()).await.unwrap();
        Raw {
            tcp,
            buf: Vec::new(),
        }
    }

    /// [`Server::upgrade`], then reads the response head.
    pub async fn raw_ws(&self, target: &str, protocol: Option<&str>) -> (Raw, Reply) {
        let mut raw = self.upgrade(target, protocol).await;
        let reply = raw.response().await;
        (raw, reply)
    }
}

impl Raw {
    /// Reads the response head (status and headers; the body stays in `buf`).
    pub async fn response(&mut self) -> Reply {
        let end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            assert!(self.fill().await > 0, "closed before the response head");
        };
        let reply = parse_reply(&self.buf[..end]);
        self.buf.drain(..end);
        reply
    }

    /// Reads more bytes into `buf` (bounded by WAIT); 0 at the end of the stream or an error.
    async fn fill(&mut self) -> usize {
        let mut tmp = [0u8; 64 * 1024];
        let read = timeout(WAIT, self.tcp.read(&mut tmp)).await;
        let n = read.expect("read timed out").unwrap_or(0);
        self.buf.extend_from_slice(&tmp[..n]);
        n
    }

    /// The next `n` bytes from the server.
    pub async fn read_exact(&mut self, n: usize) -> Vec<u8> {
        while self.buf.len() < n {
            assert!(
                self.fill().await > 0,
                "closed after {} bytes",
                self.buf.len()
            );
        }
        self.buf.drain(..n).collect()
    }

    /// Everything the server sends until it closes the connection (FIN or reset).
    pub async fn rest(&mut self) -> Vec<u8> {
        while self.fill().await > 0 {}
        std::mem::take(&mut self.buf)
    }

    /// Asserts that nothing arrives within `ms` (and the connection stays up).
    pub async fn quiet(&mut self, ms: u64) {
        let mut tmp = [0u8; 1];
        let read = timeout(Duration::from_millis(ms), self.tcp.read(&mut tmp)).await;
        assert!(read.is_err(), "expected silence, got {read:?}");
    }

    /// Sends one masked frame with the `first` byte (FIN and opcode); payload ≤ 125 bytes.
    pub async fn send_frame(&mut self, first: u8, payload: &[u8]) {
        assert!(payload.len() <= 125);
        let mut frame = vec![first, 0x80 | payload.len() as u8];
        frame.extend_from_slice(&MASK);
        frame.extend(payload.iter().enumerate().map(|(i, b)| b ^ MASK[i % 4]));
        self.tcp.write_all(&frame).await.unwrap();
    }

    /// Sends a close frame with `code` and no reason.
    pub async fn send_close(&mut self, code: u16) {
        self.send_frame(0x88, &code.to_be_bytes()).await;
    }
}
