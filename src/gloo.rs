//! gloo-net interop (feature `gloo`, wasm32 only): [`Message`] converts to and from
//! [`gloo_net::websocket::Message`] (`Text` ↔ `Text`, `Binary` ↔ `Bytes`, no copy), so a
//! program written against gloo-net's `WebSocket` can move to [`Socket`](crate::Socket)
//! one call site at a time.
//!
//! # Migrating from gloo-net's `WebSocket`
//!
//! A typical gloo-net program: open, split, send, read until the socket fails.
//!
//! ```no_run
//! # async fn before() -> Result<(), Box<dyn std::error::Error>> {
//! use futures::{SinkExt, StreamExt};
//! use gloo_net::websocket::{futures::WebSocket, Message};
//!
//! let ws = WebSocket::open("wss://example.com/chat")?;   // fails on a bad URL only
//! let (mut tx, mut rx) = ws.split();
//! tx.send(Message::Text("hi".into())).await?;             // error once the socket is gone
//! while let Some(msg) = rx.next().await {
//!     match msg {
//!         Ok(Message::Text(t)) => println!("text {t}"),
//!         Ok(Message::Bytes(b)) => println!("{} bytes", b.len()),
//!         Err(e) => { eprintln!("{e}"); break } // the link dropped: reconnecting is up to you
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! The same program on resocket, keeping gloo-net's `Message` at the edges:
//!
//! ```no_run
//! # async fn after() -> Result<(), resocket::Error> {
//! use futures::StreamExt;
//! use gloo_net::websocket::Message;
//! use resocket::{ReconnectPolicy, Socket};
//!
//! let mut socket = Socket::builder("wss://example.com/chat")
//!     .reconnect(ReconnectPolicy::default()) // the default: retry with jittered backoff
//!     .connect()
//!     .await?;                               // waits until open (or the policy gives up)
//! socket.send(Message::Text("hi".into()).into()).await?; // queued while reconnecting,
//!                                                        // waits under backpressure
//! let sender = socket.sender();              // instead of `split()`: a cloneable sender
//! # drop(sender);
//! while let Some(item) = socket.next().await {
//!     match item.map(Message::from) {
//!         Ok(Message::Text(t)) => println!("text {t}"),
//!         Ok(Message::Bytes(b)) => println!("{} bytes", b.len()),
//!         Err(e) => eprintln!("{e}"),        // a notice (lagged, dropped, unsent…): the
//!                                            // stream goes on across reconnects
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! What maps to what:
//!
//! | gloo-net | resocket |
//! |---|---|
//! | `WebSocket::open(url)` | `Socket::connect(url).await` or `Socket::builder(url)…connect().await` (relative and `http(s):` URLs work) |
//! | `WebSocket::open_with_protocols(url, &["p"])` | `Socket::builder(url).protocols(["p"])` |
//! | `ws.split()` → `(tx, rx)` | `socket.sender()` (cloneable, `Sender::send`), the socket is the stream; `Socket` is also a `Sink`, so `split()` works too |
//! | `tx.send(msg).await` (never waits for the network) | `socket.send(msg.into()).await` (waits at the high-water mark), `try_send` to fail fast |
//! | `rx.next()` → `Err` ends the socket | `socket.next()` → `Err` is a notice; `None` only after `close()` or when the policy gives up |
//! | `Message::Bytes` | `Message::Binary` (`From` both ways) |
//! | `ws.close(Some(1000), Some("bye"))` | `socket.close(1000, "bye")` (final: no reconnect) |
//! | `ws.state()` | `socket.state()` / `socket.states()` (every transition) / `socket.ready_state()` |
//! | JSON by hand (`serde_json::to_string` + `Message::Text`) | `.codec(codec::Json::<T>::new())` (or `codec::JsJson`, feature `js-json`), then send and receive `T` |

use gloo_net::websocket::Message as GlooMessage;

use crate::Message;

impl From<GlooMessage> for Message {
    /// `Text` stays text, `Bytes` becomes `Binary`.
    fn from(m: GlooMessage) -> Self {
        match m {
            GlooMessage::Text(s) => Message::Text(s),
            GlooMessage::Bytes(b) => Message::Binary(b),
        }
    }
}

impl From<Message> for GlooMessage {
    /// `Text` stays text, `Binary` becomes `Bytes`.
    fn from(m: Message) -> Self {
        match m {
            Message::Text(s) => GlooMessage::Text(s),
            Message::Binary(b) => GlooMessage::Bytes(b),
        }
    }
}
