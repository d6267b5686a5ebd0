//! # resocket
//!
//! A resilient WebSocket client for the browser, in Rust compiled to WebAssembly:
//! typed messages, observable connection state, `bufferedAmount` backpressure,
//! automatic reconnection with a bounded outbound queue, a heartbeat for dead links, and
//! acknowledged delivery ([`Delivery`]: messages kept and sent again until the peer
//! acknowledges them, [`Socket::send_acked`], [`Socket::request`]), and, with the
//! `share` feature, one connection for every tab, frame and worker of the origin
//! (`Builder::share`).
//!
//! ```no_run
//! # #[cfg(target_arch = "wasm32")]
//! # async fn demo() -> Result<(), resocket::Error> {
//! use futures::StreamExt;
//! use resocket::{Message, Socket};
//!
//! let mut socket = Socket::connect("ws://127.0.0.1:8080/echo").await?;
//! socket.send(Message::Text("hello".into())).await?;
//! while let Some(msg) = socket.next().await {
//!     println!("{:?}", msg?);
//! }
//! # Ok(()) }
//! # fn main() {}
//! ```
//!
//! The crate is split as a sans-IO [`core`] (pure Rust, tested natively) and a thin
//! browser layer that executes its decisions. The client API works on `wasm32`; on other
//! targets it type-checks (so one crate builds for the server and the browser) but
//! [`Builder::open`] fails with `Error::Js("no browser WebSocket on this target")`, and the
//! Leptos and Yew hooks render their initial state (for server-side rendering).
#![cfg_attr(docsrs, feature(doc_cfg))]
#![deny(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

extern crate alloc;

pub mod codec;
pub mod core;
mod error;
#[cfg(all(target_arch = "wasm32", feature = "gloo"))]
pub mod gloo;
#[cfg(feature = "leptos")]
pub mod leptos;
#[cfg(feature = "yew")]
pub mod yew;

mod client;
#[cfg(target_arch = "wasm32")]
mod web;
// What the hooks share on every target (and, off the browser, their SSR stand-in).
#[cfg(any(feature = "leptos", feature = "yew"))]
mod hook;

pub use crate::codec::{Codec, Raw};
pub use crate::core::backoff::{CloseClassifier, Decision, ReconnectPolicy};
pub use crate::core::config::{Config, Heartbeat};
pub use crate::core::event::Stats;
pub use crate::core::inbound::InboundLimits;
pub use crate::core::message::Message;
pub use crate::core::outbox::{Overflow, QueueConfig};
pub use crate::core::pressure::WaterMarks;
pub use crate::core::state::{Cause, CloseInfo, ClosedBy, ConnectionState, ReadyState};
pub use crate::error::Error;

#[cfg(feature = "json")]
pub use crate::client::JsonDelivery;
pub use crate::client::{
    AckFuture, Acked, Builder, Delivery, FlushFuture, RequestFuture, SendFuture, Sender, Sequence,
    Socket, StateStream,
};
pub use crate::core::delivery::{Ack, Id, WindowConfig};
#[cfg(target_arch = "wasm32")]
pub use crate::web::diagnostics::{diagnostics, Diagnostics};
#[cfg(all(target_arch = "wasm32", feature = "share"))]
pub use crate::web::share::ShareRole;
