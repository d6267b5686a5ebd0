//! Raw WebSocket frames written past tungstenite (which would refuse or split them), and a
//! minimal reader of client frames that only looks for a close frame.

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Opcode byte (with FIN) of a text frame.
pub const TEXT: u8 = 0x81;
/// Opcode byte (with FIN) of a binary frame.
pub const BINARY: u8 = 0x82;
/// Opcode byte (with FIN) of a close frame.
pub const CLOSE: u8 = 0x88;

/// Bytes per write of a large payload; a multiple of 256 so every binary chunk is the same.
const CHUNK: usize = 64 * 1024;
/// Largest client close payload kept whole (longer ones only yield their code).
const MAX_CONTROL: u64 = 125;

/// The unmasked header of a single-frame message: `first` byte, then a 7, 7+16 or 7+64-bit
/// length, each the shortest that fits.
pub fn frame_head(first: u8, len: usize) -> Vec<u8> {
    let mut head = vec![first];
    match len {
        0..=125 => head.push(len as u8),
        126..=0xFFFF => {
            head.push(126);
            head.extend_from_slice(&(len as u16).to_be_bytes());
        }
        _ => {
            head.push(127);
            head.extend_from_slice(&(len as u64).to_be_bytes());
        }
    }
    head
}

/// Writes one message of `len` bytes in one frame: text is all `x`, binary byte `i` is `i & 255`.
/// Memory stays at one chunk whatever `len` is.
pub async fn write_big(tcp: &mut TcpStream, len: usize, binary: bool) -> io::Result<()> {
    let (first, chunk): (u8, Vec<u8>) = if binary {
        (BINARY, (0..CHUNK).map(|i| i as u8).collect())
    } else {
        (TEXT, vec![b'x'; CHUNK])
    };
    tcp.write_all(&frame_head(first, len)).await?;
    let mut left = len;
    while left > 0 {
        let n = left.min(CHUNK);
        tcp.write_all(&chunk[..n]).await?;
        left -= n;
    }
    tcp.flush().await
}

/// A close frame as `/badclose` sends it, valid or not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadClose {
    /// The 2-byte code, verbatim; `None` sends an empty payload (and no reason).
    pub code: Option<u16>,
    /// Reason length in bytes (`r`, or `0xff` when `bad_utf8`).
    pub reason_len: usize,
    /// Make the reason invalid UTF-8.
    pub bad_utf8: bool,
}

impl BadClose {
    /// The whole frame: header, code and reason, with no length limit applied.
    pub fn encode(&self) -> Vec<u8> {
        let mut payload = Vec::new();
        if let Some(code) = self.code {
            payload.extend_from_slice(&code.to_be_bytes());
            let fill = if self.bad_utf8 { 0xFF } else { b'r' };
            payload.resize(2 + self.reason_len, fill);
        }
        let mut frame = frame_head(CLOSE, payload.len());
        frame.extend_from_slice(&payload);
        frame
    }
}

/// What the client's first close frame said: its code (if any) and reason.
pub type ClientClose = (Option<u16>, String);

/// One parsed step of the client's byte stream.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// Need more bytes.
    More,
    /// A non-close frame: header length, then payload length to skip.
    Skip(usize, u64),
    /// A close frame.
    Close(ClientClose),
}

/// Parses the frame at the start of `buf` (client frames are masked; unmasked ones are read
/// as is).
fn step(buf: &[u8]) -> Step {
    let [b0, b1, ..] = *buf else {
        return Step::More;
    };
    let masked = b1 & 0x80 != 0;
    let (len, at) = match b1 & 0x7F {
        126 if buf.len() >= 4 => (u16::from_be_bytes([buf[2], buf[3]]) as u64, 4),
        127 if buf.len() >= 10 => (u64::from_be_bytes(buf[2..10].try_into().unwrap()), 10),
        126 | 127 => return Step::More,
        n => (n as u64, 2),
    };
    let head = at + if masked { 4 } else { 0 };
    if b0 & 0x0F != 0x08 {
        return if buf.len() >= head {
            Step::Skip(head, len)
        } else {
            Step::More
        };
    }
    let keep = if len <= MAX_CONTROL { len } else { 2 };
    let want = head + keep as usize;
    if buf.len() < want {
        return Step::More;
    }
    let mask = if masked {
        &buf[at..head]
    } else {
        &[0u8; 4][..]
    };
    let payload: Vec<u8> = (head..want)
        .map(|i| buf[i] ^ mask[(i - head) % 4])
        .collect();
    let code = (payload.len() >= 2).then(|| u16::from_be_bytes([payload[0], payload[1]]));
    let reason = String::from_utf8_lossy(payload.get(2..).unwrap_or_default()).into_owned();
    Step::Close((code, reason))
}

/// Reads client frames until a close frame (returned) or the end of the stream (`None`).
/// Payloads of other frames are skipped, so memory stays small whatever the client sends.
pub async fn await_close(tcp: &mut TcpStream) -> Option<ClientClose> {
    let mut buf = Vec::new();
    let mut skip = 0u64;
    let mut tmp = [0u8; 4096];
    loop {
        let k = skip.min(buf.len() as u64) as usize;
        buf.drain(..k);
        skip -= k as u64;
        if skip == 0 {
            match step(&buf) {
                Step::Close(close) => return Some(close),
                Step::Skip(head, len) => {
                    buf.drain(..head);
                    skip = len;
                    continue;
                }
                Step::More => {}
            }
        }
        match tcp.read(&mut tmp).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => buf.extend_from_slice(&tmp[..n]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heads_use_the_shortest_length() {
        assert_eq!(frame_head(TEXT, 125), [0x81, 125]);
        assert_eq!(frame_head(CLOSE, 126), [0x88, 126, 0, 126]);
        assert_eq!(
            frame_head(BINARY, 0x10000),
            [0x82, 127, 0, 0, 0, 0, 0, 1, 0, 0]
        );
    }

    #[test]
    fn bad_close_frames() {
        let none = BadClose {
            code: None,
            reason_len: 9,
            bad_utf8: false,
        };
        assert_eq!(none.encode(), [0x88, 0]);
        let long = BadClose {
            code: Some(999),
            reason_len: 124,
            bad_utf8: false,
        };
        let frame = long.encode();
        assert_eq!(frame[..6], [0x88, 126, 0, 126, 0x03, 0xE7]);
        assert_eq!((frame.len(), frame[6]), (130, b'r'));
        let bad = BadClose {
            code: Some(5000),
            reason_len: 2,
            bad_utf8: true,
        };
        assert_eq!(bad.encode(), [0x88, 4, 0x13, 0x88, 0xFF, 0xFF]);
    }

    #[test]
    fn steps_over_client_frames() {
        assert_eq!(step(&[0x81]), Step::More);
        assert_eq!(step(&[0x82, 0xFE, 1, 0, 9, 9, 9, 9]), Step::Skip(8, 256));
        let close = [
            0x88,
            0x84,
            1,
            2,
            3,
            4,
            0x03 ^ 1,
            0xE8 ^ 2,
            b'o' ^ 3,
            b'k' ^ 4,
        ];
        assert_eq!(step(&close[..9]), Step::More);
        assert_eq!(step(&close), Step::Close((Some(1000), "ok".into())));
        assert_eq!(step(&[0x88, 0]), Step::Close((None, String::new())));
    }
}
