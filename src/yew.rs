//! [Yew](https://yew.rs) 0.23 integration: the [`use_socket`] hook (feature `yew`).
//!
//! [`use_socket`] opens a [`Socket`] from a [`Builder`] — the same configuration as the Rust
//! API (URL or URL provider, [`Config`](crate::Config) setters, codec) — on the component's
//! first render, and returns a [`UseSocketHandle`] with:
//!
//! - the [`ConnectionState`], `readyState`, `bufferedAmount`, queued bytes and retry count
//!   as of this render; the component re-renders when any of them changes. States come
//!   from [`Socket::states`]; the byte counts are re-read every [`POLL_MS`] ms only while
//!   they are non-zero or a send waits — an idle socket has no timer;
//! - with acknowledged delivery ([`Builder::delivery`]), the count of messages not yet
//!   acknowledged (`unacked`), and [`SocketSender::send_acked`] / [`SocketSender::request`]
//!   futures that resolve on the peer's acknowledgement ("sent", then "delivered");
//! - a cheap, cloneable [`SocketSender`] whose sends are queued and backpressured like the
//!   core's;
//! - every inbound item, in order, emitted to the `on_message` [`Callback`] (decode errors,
//!   dropped or unsent messages and failed fire-and-forget sends arrive as `Err`). The
//!   callback of the latest render is the one called.
//!
//! When the component unmounts (the effect's destructor runs, or its hook state is
//! dropped), the socket is closed with code 1000 and every listener, timer and task it used
//! is released.
//!
//! # Server-side rendering
//!
//! The hook builds on every target, so one component crate serves both the server (Yew's
//! `ssr`) and the browser (`hydration`) without `cfg`. Its first render is always the
//! same: state `Connecting { attempt: 0 }`, `readyState` `Connecting` and zero counts. On
//! the server (not wasm32) that is all: nothing is opened, `on_message` is never emitted,
//! the fire-and-forget sends do nothing and the others (`try_send`, `send_async`, `flush`,
//! `close`, `reconnect`) fail with `Error::Js("no browser WebSocket on this target")`;
//! `stats()` gives zero counters. In the browser the hydrating render is the same markup;
//! the socket opens during it and the component re-renders with the socket's own state
//! right after. An invalid builder shows up there too: `Closed`, with the error.
//!
//! ```no_run
//! use yew::prelude::*;
//! use resocket::{codec::Json, yew::use_socket, Socket};
//!
//! #[derive(Clone, PartialEq, serde::Serialize, serde::Deserialize)]
//! struct Chat { text: String }
//!
//! #[function_component]
//! fn Room() -> Html {
//!     let log = use_reducer(Log::default);
//!     let on_message = {
//!         let log = log.dispatcher();
//!         Callback::from(move |item: Result<Chat, resocket::Error>| match item {
//!             Ok(chat) => log.dispatch(chat.text),
//!             Err(e) => log.dispatch(format!("error: {e}")),
//!         })
//!     };
//!     let ws = use_socket(|| Socket::builder("/chat?room=lobby").codec(Json::new()), on_message);
//!     let hello = {
//!         let sender = ws.sender.clone();
//!         Callback::from(move |_| sender.send(Chat { text: "hello".into() }))
//!     };
//!     html! {
//!         <>
//!             <p>{ ws.state.name() }{ ", queued " }{ ws.queued_amount }</p>
//!             <button onclick={hello}>{ "Say hello" }</button>
//!             <ul>{ for log.0.iter().map(|t| html! { <li>{ t }</li> }) }</ul>
//!         </>
//!     }
//! }
//!
//! #[derive(Default, PartialEq)]
//! struct Log(Vec<String>);
//! impl Reducible for Log {
//!     type Action = String;
//!     fn reduce(self: std::rc::Rc<Self>, line: String) -> std::rc::Rc<Self> {
//!         let mut lines = self.0.clone();
//!         lines.push(line);
//!         std::rc::Rc::new(Log(lines))
//!     }
//! }
//! # fn main() {}
//! ```

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::rc::Rc;

use ::yew::functional::{hook, use_effect_with, use_force_update, use_memo, UseForceUpdateHandle};
use ::yew::Callback;

use crate::hook::{Bridge, Glue, Metrics, Opened, INITIAL_STATE};
use crate::{Acked, Builder, Codec, ConnectionState, Error, Message, ReadyState, Sender, Stats};
#[cfg(doc)]
use crate::{CloseInfo, Socket};

pub use crate::hook::POLL_MS;

/// What [`use_socket`] returns: the connection data as of this render, and a sender.
pub struct UseSocketHandle<C: Codec + 'static> {
    /// The connection state.
    pub state: ConnectionState,
    /// `readyState` of the current browser socket (`Closed` between attempts).
    pub ready_state: ReadyState,
    /// `bufferedAmount` of the current browser socket, in bytes.
    pub buffered_amount: usize,
    /// Bytes waiting in the outbound queue for the next connection.
    pub queued_amount: usize,
    /// Retries made in the current outage.
    pub retry_count: u32,
    /// Tracked messages not yet acknowledged ([`Socket::unacked`]; 0 unless
    /// [`Builder::delivery`] is set). The component re-renders when a tracked send is
    /// made and when acknowledgements arrive.
    pub unacked: usize,
    /// Sends on this socket.
    pub sender: SocketSender<C>,
}

impl<C: Codec + 'static> Clone for UseSocketHandle<C> {
    fn clone(&self) -> Self {
        UseSocketHandle {
            state: self.state.clone(),
            ready_state: self.ready_state,
            buffered_amount: self.buffered_amount,
            queued_amount: self.queued_amount,
            retry_count: self.retry_count,
            unacked: self.unacked,
            sender: self.sender.clone(),
        }
    }
}

impl<C: Codec + 'static> PartialEq for UseSocketHandle<C> {
    fn eq(&self, other: &Self) -> bool {
        self.sender == other.sender
            && self.state == other.state
            && self.ready_state == other.ready_state
            && self.buffered_amount == other.buffered_amount
            && self.queued_amount == other.queued_amount
            && self.retry_count == other.retry_count
            && self.unacked == other.unacked
    }
}

impl<C: Codec + 'static> std::fmt::Debug for UseSocketHandle<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UseSocketHandle")
            .field("state", &self.state)
            .field("ready_state", &self.ready_state)
            .field("buffered_amount", &self.buffered_amount)
            .field("queued_amount", &self.queued_amount)
            .field("retry_count", &self.retry_count)
            .field("unacked", &self.unacked)
            .finish_non_exhaustive()
    }
}

impl<C: Codec + 'static> UseSocketHandle<C> {
    /// Drop the current link (if any) and connect again now, as [`Socket::reconnect`].
    ///
    /// # Errors
    /// [`Error::Closed`] after a close or once the component is unmounted.
    pub fn reconnect(&self) -> Result<(), Error> {
        Bridge::reconnect(Some(&self.sender.bridge))
    }

    /// Close with `code` and `reason`; no reconnection follows (as [`Socket::close`]).
    ///
    /// # Errors
    /// See [`Socket::close`].
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.sender.close(code, reason)
    }

    /// Counters of the socket ([`Socket::stats`]); `None` once the component is unmounted.
    pub fn stats(&self) -> Option<Stats> {
        Bridge::stats(Some(&self.sender.bridge))
    }
}

/// A cheap, cloneable handle that sends on the socket of a [`use_socket`] hook.
///
/// It wraps a [`resocket::Sender`](crate::Sender): sends are queued while the link is down
/// and wait under backpressure, in the order they were made. Once the component is
/// unmounted, the fire-and-forget sends do nothing and the others fail with
/// [`Error::Closed`]. Two handles are equal when they send on the same socket, so a handle
/// can be passed as a property.
pub struct SocketSender<C: Codec + 'static> {
    bridge: Rc<Bridge<C>>,
}

impl<C: Codec + 'static> Clone for SocketSender<C> {
    fn clone(&self) -> Self {
        SocketSender {
            bridge: self.bridge.clone(),
        }
    }
}

impl<C: Codec + 'static> PartialEq for SocketSender<C> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.bridge, &other.bridge)
    }
}

impl<C: Codec + 'static> std::fmt::Debug for SocketSender<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SocketSender")
    }
}

impl<C: Codec + 'static> SocketSender<C> {
    /// Encode and send `item` without waiting: it takes its place in the send order now and
    /// goes out as soon as backpressure allows (queued while the link is down). A failure
    /// (encoding, a full queue, a closed socket) is emitted to `on_message` as an `Err`.
    pub fn send(&self, item: C::Out) {
        Bridge::send(Some(&self.bridge), item);
    }

    /// Send a raw frame without waiting, bypassing the codec; as [`SocketSender::send`].
    pub fn send_message(&self, message: Message) {
        Bridge::send_message(Some(&self.bridge), message);
    }

    /// Serialize any value as a JSON text frame and send it without waiting; as
    /// [`SocketSender::send`].
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) {
        Bridge::send_json(Some(&self.bridge), value);
    }

    /// Encode and send `item`; the future resolves as [`Socket::send`]'s does (handed to
    /// the browser or queued), waiting under backpressure. Dropping it withdraws the item.
    pub fn send_async(&self, item: C::Out) -> impl Future<Output = Result<(), Error>> + 'static {
        Bridge::send_async(Some(&self.bridge), item)
    }

    /// Encode and send `item`, tracked (acknowledged delivery, see
    /// [`Builder::delivery`]); the future resolves when the peer acknowledges it, as
    /// [`Socket::send_acked`]'s does. The message counts in [`UseSocketHandle::unacked`]
    /// from now until then. A chat shows "sent" at once and "delivered" when this
    /// resolves (spawn it with `yew::platform::spawn_local`).
    pub fn send_acked(&self, item: C::Out) -> impl Future<Output = Result<Acked, Error>> + 'static {
        Bridge::send_acked(Some(&self.bridge), item)
    }

    /// Send a request and wait for the answer, as [`Socket::request`].
    pub fn request(&self, item: C::Out) -> impl Future<Output = Result<C::In, Error>> + 'static {
        Bridge::request(Some(&self.bridge), item)
    }

    /// Send without waiting, as [`Socket::try_send`].
    ///
    /// # Errors
    /// [`Error::Full`] (with the message) when backpressure applies or other sends wait;
    /// otherwise as [`Socket::send`].
    pub fn try_send(&self, item: C::Out) -> Result<(), Error> {
        Bridge::try_send(Some(&self.bridge), item)
    }

    /// Wait until nothing is queued or buffered, as [`Socket::flush`].
    pub fn flush(&self) -> impl Future<Output = Result<(), Error>> + 'static {
        Bridge::flush(Some(&self.bridge))
    }

    /// Close with `code` and `reason`, as [`Socket::close`].
    ///
    /// # Errors
    /// See [`Socket::close`].
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        Bridge::close(Some(&self.bridge), code, reason)
    }

    /// The core [`Sender`] (for example to hand to code that is not Yew-aware); `None` if
    /// the socket could not be opened.
    pub fn sender(&self) -> Option<Sender<C>> {
        Bridge::sender(Some(&self.bridge))
    }
}

/// Open a socket for the lifetime of the component.
///
/// `init` is called once, on the first render, and returns the [`Builder`] — configured
/// exactly as for [`Builder::open`]: URL (or [`Socket::builder_with_provider`]),
/// reconnection, queue, water marks, heartbeat, codec. `on_message` is emitted for every
/// inbound item, in order: `Ok` values decoded by the codec, and `Err` for decode errors,
/// messages dropped or unsent, and fire-and-forget sends that failed; each render replaces
/// it, so it may capture fresh state. When the component unmounts, the socket is closed
/// (code 1000), every listener and timer is freed, and `on_message` is not emitted again.
///
/// The first render shows `Connecting { attempt: 0 }` and zero counts, on the server too
/// (see [server-side rendering](self#server-side-rendering)); the socket's own state follows
/// at once. If the builder is invalid (bad URL or option), nothing is opened: `state`
/// becomes `Closed` with the error in [`CloseInfo::error`] and sends fail with
/// [`Error::Closed`].
///
/// ```no_run
/// use yew::prelude::*;
/// use resocket::{yew::use_socket, Message, Socket};
///
/// #[function_component]
/// fn Echo() -> Html {
///     let count = use_mut_ref(|| 0usize);
///     let on_message = {
///         let count = count.clone();
///         Callback::from(move |_item: Result<Message, resocket::Error>| *count.borrow_mut() += 1)
///     };
///     let ws = use_socket(|| Socket::builder("/echo"), on_message);
///     let ping = {
///         let sender = ws.sender.clone();
///         Callback::from(move |_| sender.send(Message::from("ping")))
///     };
///     html! {
///         <>
///             <span class="state">{ ws.state.name() }</span>
///             <button onclick={ping}>{ "ping" }</button>
///         </>
///     }
/// }
/// # fn main() {}
/// ```
#[hook]
pub fn use_socket<C, F>(init: F, on_message: Callback<Result<C::In, Error>>) -> UseSocketHandle<C>
where
    C: Codec + 'static,
    C::In: 'static,
    C::Out: 'static,
    F: FnOnce() -> Builder<C>,
{
    let rerender = use_force_update();
    let guard = use_memo((), move |_| Guard::open(init(), rerender));
    let bridge = guard.bridge.clone();
    {
        let b = bridge.clone();
        use_effect_with((), move |_| move || b.stop());
    }
    bridge.set_handler(Rc::new(move |item| on_message.emit(item)));
    let view = guard.view.borrow().clone();
    UseSocketHandle {
        state: view.state,
        ready_state: view.metrics.ready_state,
        buffered_amount: view.metrics.buffered,
        queued_amount: view.metrics.queued,
        retry_count: view.metrics.retry,
        unacked: view.metrics.unacked,
        sender: SocketSender { bridge },
    }
}

/// Lives in the hook's state: stops the socket if the component goes away without its
/// effect's destructor having run.
struct Guard<C: Codec + 'static> {
    bridge: Rc<Bridge<C>>,
    /// What the component renders.
    view: Rc<RefCell<View>>,
}

impl<C: Codec + 'static> Guard<C> {
    fn open(builder: Builder<C>, rerender: UseForceUpdateHandle) -> Self {
        let opened = Opened::new(builder);
        let view = Rc::new(RefCell::new(View {
            state: INITIAL_STATE,
            metrics: Metrics::INITIAL,
        }));
        let screen = Screen {
            view: view.clone(),
            changed: Cell::new(false),
            rerender,
        };
        Guard {
            bridge: opened.bridge(Rc::new(screen)),
            view,
        }
    }
}

impl<C: Codec + 'static> Drop for Guard<C> {
    fn drop(&mut self) {
        self.bridge.stop();
    }
}

/// What the component renders: the latest state and counts.
#[derive(Clone)]
struct View {
    state: ConnectionState,
    metrics: Metrics,
}

/// The bridge's view of the component (dropped when the bridge stops).
struct Screen {
    view: Rc<RefCell<View>>,
    /// Whether the view changed since the last re-render.
    changed: Cell<bool>,
    rerender: UseForceUpdateHandle,
}

impl Glue for Screen {
    fn state(&self, state: ConnectionState) {
        self.view.borrow_mut().state = state;
        self.changed.set(true);
    }

    fn metrics(&self, now: Metrics) {
        {
            let mut view = self.view.borrow_mut();
            if view.metrics != now {
                view.metrics = now;
                self.changed.set(true);
            }
        }
        if self.changed.replace(false) {
            self.rerender.force_update();
        }
    }
}
