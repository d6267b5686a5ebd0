//! [Leptos](https://leptos.dev) 0.8 integration: the [`use_socket`] hook (feature `leptos`).
//!
//! [`use_socket`] opens a [`Socket`] from a [`Builder`] — the same configuration as the Rust
//! API (URL or URL provider, [`Config`](crate::Config) setters, codec) — and gives back a
//! `Copy` [`UseSocket`] with:
//!
//! - signals for the [`ConnectionState`], `readyState`, `bufferedAmount`, the queued bytes
//!   and the retry count. States come from [`Socket::states`] (every transition is set in
//!   order); the byte counts are re-read every [`POLL_MS`] ms only while they are non-zero
//!   or a send waits — an idle socket has no timer;
//! - with acknowledged delivery ([`Builder::delivery`]), the count of messages not yet
//!   acknowledged (`unacked`), and [`SocketSender::send_acked`] / [`SocketSender::request`]
//!   futures that resolve on the peer's acknowledgement ("sent", then "delivered");
//! - a `Copy` [`SocketSender`] whose sends are queued and backpressured like the core's;
//! - every inbound item, in order, passed to the `on_message` callback (decode errors,
//!   dropped or unsent messages and failed fire-and-forget sends arrive as `Err`).
//!
//! When the owner of the hook is cleaned up (the component unmounts), the socket is closed
//! with code 1000 and every listener, timer and task it used is released.
//!
//! The feature pulls `leptos` with no rendering mode: the application enables `csr`,
//! `hydrate` or `ssr` on its own `leptos` dependency.
//!
//! # Server-side rendering
//!
//! The hook builds on every target, so one component crate serves both the server (`ssr`)
//! and the browser (`hydrate`) without `cfg`. Its first render is always the same: state
//! `Connecting { attempt: 0 }`, `readyState` `Connecting` and zero counts. On the server
//! (not wasm32) that is all: nothing is opened, `on_message` is never called, the
//! fire-and-forget sends do nothing and the others (`try_send`, `send_async`, `flush`,
//! `close`, `reconnect`) fail with `Error::Js("no browser WebSocket on this target")`;
//! `stats()` gives zero counters. In the browser the hydrated component renders the same
//! markup (no hydration mismatch); the socket opens during that render and its own state
//! and counts replace the first ones a microtask later, after hydration. An invalid builder
//! shows up there too: `Closed`, with the error.
//!
//! ```no_run
//! use leptos::prelude::*;
//! use resocket::{codec::Json, leptos::use_socket, Socket};
//!
//! #[derive(Clone, serde::Serialize, serde::Deserialize)]
//! struct Chat { text: String }
//!
//! #[component]
//! fn Room() -> impl IntoView {
//!     let (log, set_log) = signal(Vec::<String>::new());
//!     let ws = use_socket(
//!         Socket::builder("/chat?room=lobby").codec(Json::<Chat>::new()),
//!         move |item| match item {
//!             Ok(chat) => set_log.update(|l| l.push(chat.text)),
//!             Err(e) => set_log.update(|l| l.push(format!("error: {e}"))),
//!         },
//!     );
//!     let hello = move |_| ws.sender.send(Chat { text: "hello".into() });
//!     view! {
//!         <p>{move || ws.state.get().name()} ", queued " {ws.queued_amount}</p>
//!         <button on:click=hello>"Say hello"</button>
//!         <ul>{move || log.get().into_iter().map(|t| view! { <li>{t}</li> }).collect_view()}</ul>
//!     }
//! }
//! # fn main() {}
//! ```

use std::cell::Cell;
use std::future::Future;
use std::rc::Rc;

#[cfg(target_arch = "wasm32")]
use ::leptos::prelude::{on_cleanup, GetValue, LocalStorage, StoredValue};
use ::leptos::prelude::{signal, ReadSignal, Set, WriteSignal};

use crate::hook::{Bridge, Glue, Metrics, Opened, INITIAL_STATE};
use crate::{Acked, Builder, Codec, ConnectionState, Error, Message, ReadyState, Sender, Stats};
#[cfg(doc)]
use crate::{CloseInfo, Socket};

pub use crate::hook::POLL_MS;

/// What [`use_socket`] returns: reactive connection data and the handles to act on it.
///
/// It is `Copy`: move it into as many closures as needed. Its signals belong to the owner
/// that called the hook and are disposed with it.
pub struct UseSocket<C: Codec + 'static> {
    /// The connection state; set on every transition, in order.
    pub state: ReadSignal<ConnectionState>,
    /// `readyState` of the current browser socket (`Closed` between attempts).
    pub ready_state: ReadSignal<ReadyState>,
    /// `bufferedAmount` of the current browser socket, in bytes.
    pub buffered_amount: ReadSignal<usize>,
    /// Bytes waiting in the outbound queue for the next connection.
    pub queued_amount: ReadSignal<usize>,
    /// Retries made in the current outage.
    pub retry_count: ReadSignal<u32>,
    /// Tracked messages not yet acknowledged ([`Socket::unacked`]; 0 unless
    /// [`Builder::delivery`] is set). Set when a tracked send is made and when
    /// acknowledgements arrive.
    pub unacked: ReadSignal<usize>,
    /// Sends on this socket.
    pub sender: SocketSender<C>,
}

impl<C: Codec + 'static> Clone for UseSocket<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Codec + 'static> Copy for UseSocket<C> {}

impl<C: Codec + 'static> UseSocket<C> {
    /// Drop the current link (if any) and connect again now, as [`Socket::reconnect`].
    ///
    /// # Errors
    /// [`Error::Closed`] after a close or once the owner is cleaned up.
    pub fn reconnect(&self) -> Result<(), Error> {
        Bridge::reconnect(self.sender.bridge().as_ref())
    }

    /// Close with `code` and `reason`; no reconnection follows (as [`Socket::close`]).
    ///
    /// # Errors
    /// See [`Socket::close`].
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.sender.close(code, reason)
    }

    /// Counters of the socket ([`Socket::stats`]); `None` once the owner is cleaned up.
    pub fn stats(&self) -> Option<Stats> {
        Bridge::stats(self.sender.bridge().as_ref())
    }
}

/// A `Copy` handle that sends on the socket of a [`use_socket`] hook.
///
/// It wraps a [`resocket::Sender`](crate::Sender): sends are queued while the link is down
/// and wait under backpressure, in the order they were made. Once the owner is cleaned up,
/// the fire-and-forget sends do nothing and the others fail with [`Error::Closed`]. On the
/// server nothing is sent (see [the module's docs](self#server-side-rendering)).
pub struct SocketSender<C: Codec + 'static> {
    bridge: Slot<C>,
}

/// Where a [`SocketSender`] finds its bridge: in the browser, an arena slot of the owner
/// that called the hook. On the server, nothing: there is no socket, and an `Rc` in the
/// arena would be dropped on whichever thread a multi-threaded server disposes the owner.
#[cfg(target_arch = "wasm32")]
type Slot<C> = StoredValue<Rc<Bridge<C>>, LocalStorage>;
#[cfg(not(target_arch = "wasm32"))]
type Slot<C> = std::marker::PhantomData<fn() -> C>;

impl<C: Codec + 'static> Clone for SocketSender<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Codec + 'static> Copy for SocketSender<C> {}

impl<C: Codec + 'static> SocketSender<C> {
    /// Keep `bridge` for as long as the current owner lives; stop it when it is cleaned up.
    #[cfg(target_arch = "wasm32")]
    fn keep(bridge: Rc<Bridge<C>>) -> Self {
        let stored = StoredValue::new_local(bridge);
        on_cleanup(move || {
            if let Some(b) = stored.try_get_value() {
                b.stop();
            }
        });
        SocketSender { bridge: stored }
    }

    /// On the server the bridge holds nothing: it is stopped (a no-op) and dropped at once.
    #[cfg(not(target_arch = "wasm32"))]
    fn keep(bridge: Rc<Bridge<C>>) -> Self {
        bridge.stop();
        SocketSender {
            bridge: std::marker::PhantomData,
        }
    }

    /// `None` once the owner is cleaned up.
    #[cfg(target_arch = "wasm32")]
    fn bridge(&self) -> Option<Rc<Bridge<C>>> {
        self.bridge.try_get_value()
    }

    /// Always `None` on the server.
    #[cfg(not(target_arch = "wasm32"))]
    fn bridge(&self) -> Option<Rc<Bridge<C>>> {
        None
    }

    /// Encode and send `item` without waiting: it takes its place in the send order now and
    /// goes out as soon as backpressure allows (queued while the link is down). A failure
    /// (encoding, a full queue, a closed socket) is passed to `on_message` as an `Err`.
    pub fn send(&self, item: C::Out) {
        Bridge::send(self.bridge().as_ref(), item);
    }

    /// Send a raw frame without waiting, bypassing the codec; as [`SocketSender::send`].
    pub fn send_message(&self, message: Message) {
        Bridge::send_message(self.bridge().as_ref(), message);
    }

    /// Serialize any value as a JSON text frame and send it without waiting; as
    /// [`SocketSender::send`].
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) {
        Bridge::send_json(self.bridge().as_ref(), value);
    }

    /// Encode and send `item`; the future resolves as [`Socket::send`]'s does (handed to
    /// the browser or queued), waiting under backpressure. Dropping it withdraws the item.
    pub fn send_async(&self, item: C::Out) -> impl Future<Output = Result<(), Error>> + 'static {
        Bridge::send_async(self.bridge().as_ref(), item)
    }

    /// Encode and send `item`, tracked (acknowledged delivery, see
    /// [`Builder::delivery`]); the future resolves when the peer acknowledges it, as
    /// [`Socket::send_acked`]'s does. The message counts in [`UseSocket::unacked`] from
    /// now until then. A chat shows "sent" at once and "delivered" when this resolves:
    ///
    /// ```no_run
    /// use leptos::{prelude::*, task::spawn_local};
    /// use resocket::{codec::Json, leptos::use_socket, Delivery, Sequence, Socket};
    ///
    /// #[derive(Clone, serde::Serialize, serde::Deserialize)]
    /// struct Chat { id: u64, text: String }
    ///
    /// #[component]
    /// fn Room() -> impl IntoView {
    ///     let (delivered, set_delivered) = signal(Vec::<u64>::new());
    ///     let builder = Socket::builder("/chat").delivery(Delivery::json()).codec(Json::<Chat>::new());
    ///     let ws = use_socket(builder, |_| {});
    ///     let seq = StoredValue::new_local(Sequence::new());
    ///     let say = move |_| {
    ///         let chat = Chat { id: seq.with_value(Sequence::next), text: "hi".into() };
    ///         let acked = ws.sender.send_acked(chat);
    ///         spawn_local(async move {
    ///             if let Ok(a) = acked.await {
    ///                 if let resocket::Id::Num(n) = a.id {
    ///                     set_delivered.update(|d| d.push(n));
    ///                 }
    ///             }
    ///         });
    ///     };
    ///     view! {
    ///         <button on:click=say>"Say hi"</button>
    ///         <p>{move || ws.unacked.get()} " on the way, " {move || delivered.get().len()} " delivered"</p>
    ///     }
    /// }
    /// # fn main() {}
    /// ```
    pub fn send_acked(&self, item: C::Out) -> impl Future<Output = Result<Acked, Error>> + 'static {
        Bridge::send_acked(self.bridge().as_ref(), item)
    }

    /// Send a request and wait for the answer, as [`Socket::request`].
    pub fn request(&self, item: C::Out) -> impl Future<Output = Result<C::In, Error>> + 'static {
        Bridge::request(self.bridge().as_ref(), item)
    }

    /// Send without waiting, as [`Socket::try_send`].
    ///
    /// # Errors
    /// [`Error::Full`] (with the message) when backpressure applies or other sends wait;
    /// otherwise as [`Socket::send`]. [`Error::Closed`] once the owner is cleaned up.
    pub fn try_send(&self, item: C::Out) -> Result<(), Error> {
        Bridge::try_send(self.bridge().as_ref(), item)
    }

    /// Wait until nothing is queued or buffered, as [`Socket::flush`].
    pub fn flush(&self) -> impl Future<Output = Result<(), Error>> + 'static {
        Bridge::flush(self.bridge().as_ref())
    }

    /// Close with `code` and `reason`, as [`Socket::close`].
    ///
    /// # Errors
    /// See [`Socket::close`]; [`Error::Closed`] once the owner is cleaned up.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        Bridge::close(self.bridge().as_ref(), code, reason)
    }

    /// The core [`Sender`] (for example to hand to code that is not Leptos-aware); `None`
    /// if the socket could not be opened or the owner is cleaned up.
    pub fn sender(&self) -> Option<Sender<C>> {
        Bridge::sender(self.bridge().as_ref())
    }
}

/// Open a socket for the lifetime of the current reactive owner (the component).
///
/// `builder` is configured exactly as for [`Builder::open`]: URL (or
/// [`Socket::builder_with_provider`]), reconnection, queue, water marks, heartbeat, codec.
/// `on_message` is called for every inbound item, in order: `Ok` values decoded by the
/// codec, and `Err` for decode errors, messages dropped or unsent, and fire-and-forget sends
/// that failed. When the owner is cleaned up, the socket is closed (code 1000), every
/// listener and timer is freed, and `on_message` is not called again.
///
/// The first render shows `Connecting { attempt: 0 }` and zero counts, on the server too
/// (see [server-side rendering](self#server-side-rendering)); the socket's own state follows
/// at once. If the builder is invalid (bad URL or option), nothing is opened: `state`
/// becomes `Closed` with the error in [`CloseInfo::error`] and sends fail with
/// [`Error::Closed`].
///
/// Call it inside a component (or another reactive owner): the cleanup is registered
/// with `on_cleanup`.
///
/// ```no_run
/// use leptos::prelude::*;
/// use resocket::{leptos::use_socket, Message, Socket};
///
/// #[component]
/// fn Echo() -> impl IntoView {
///     let (last, set_last) = signal(Vec::<String>::new());
///     let ws = use_socket(Socket::builder("/echo"), move |item| {
///         if let Ok(Message::Text(t)) = item {
///             set_last.update(|v| v.push(t));
///         }
///     });
///     view! {
///         <span class="state">{move || ws.state.get().name()}</span>
///         <button on:click=move |_| ws.sender.send(Message::from("ping"))>"ping"</button>
///         <p>{move || last.get().join(", ")}</p>
///     }
/// }
/// # fn main() {}
/// ```
pub fn use_socket<C>(
    builder: Builder<C>,
    on_message: impl Fn(Result<C::In, Error>) + 'static,
) -> UseSocket<C>
where
    C: Codec + 'static,
    C::In: 'static,
    C::Out: 'static,
{
    let opened = Opened::new(builder);
    let snapshot = Metrics::INITIAL;
    let (state, set_state) = signal(INITIAL_STATE);
    let (ready_state, set_ready_state) = signal(snapshot.ready_state);
    let (buffered_amount, set_buffered) = signal(snapshot.buffered);
    let (queued_amount, set_queued) = signal(snapshot.queued);
    let (retry_count, set_retry) = signal(snapshot.retry);
    let (unacked, set_unacked) = signal(snapshot.unacked);
    let writers = Writers {
        state: set_state,
        ready_state: set_ready_state,
        buffered: set_buffered,
        queued: set_queued,
        retry: set_retry,
        unacked: set_unacked,
        last: Cell::new(snapshot),
    };

    let bridge = opened.bridge(Rc::new(writers));
    bridge.set_handler(Rc::new(on_message));
    let sender = SocketSender::keep(bridge);
    UseSocket {
        state,
        ready_state,
        buffered_amount,
        queued_amount,
        retry_count,
        unacked,
        sender,
    }
}

/// The write ends of the hook's signals, and the counts they hold.
struct Writers {
    state: WriteSignal<ConnectionState>,
    ready_state: WriteSignal<ReadyState>,
    buffered: WriteSignal<usize>,
    queued: WriteSignal<usize>,
    retry: WriteSignal<u32>,
    unacked: WriteSignal<usize>,
    /// Compared before each count's signal is written.
    last: Cell<Metrics>,
}

impl Glue for Writers {
    fn state(&self, state: ConnectionState) {
        self.state.try_set(state);
    }

    fn metrics(&self, now: Metrics) {
        let last = self.last.replace(now);
        if now.ready_state != last.ready_state {
            self.ready_state.try_set(now.ready_state);
        }
        if now.buffered != last.buffered {
            self.buffered.try_set(now.buffered);
        }
        if now.queued != last.queued {
            self.queued.try_set(now.queued);
        }
        if now.retry != last.retry {
            self.retry.try_set(now.retry);
        }
        if now.unacked != last.unacked {
            self.unacked.try_set(now.unacked);
        }
    }
}
