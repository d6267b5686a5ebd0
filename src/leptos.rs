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
//! - a `Copy` [`SocketSender`] whose sends are queued and backpressured like the core's;
//! - every inbound item, in order, passed to the `on_message` callback (decode errors,
//!   dropped or unsent messages and failed fire-and-forget sends arrive as `Err`).
//!
//! When the owner of the hook is cleaned up (the component unmounts), the socket is closed
//! with code 1000 and every listener, timer and task it used is released.
//!
//! The feature pulls `leptos` with no rendering mode: the application enables `csr` or
//! `hydrate` on its own `leptos` dependency. The module exists on `wasm32` only; in an
//! SSR application, call the hook from code compiled for the browser
//! (`#[cfg(target_arch = "wasm32")]`).
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

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use ::leptos::prelude::{
    on_cleanup, signal, GetValue, LocalStorage, ReadSignal, Set, StoredValue, WriteSignal,
};
use futures_core::Stream;
use wasm_bindgen::prelude::*;

use crate::{
    Builder, CloseInfo, ClosedBy, Codec, ConnectionState, Error, Message, ReadyState, Sender,
    Socket, StateStream, Stats,
};

/// How often `bufferedAmount` and the queued bytes are re-read while they are non-zero or a
/// send waits, in milliseconds. Nothing is polled while the socket is idle.
pub const POLL_MS: u32 = 100;

/// Inbound items handled per wake-up before yielding to the browser.
const BATCH: usize = 256;

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
        match self.sender.bridge() {
            Some(b) => b.with_socket(Socket::reconnect),
            None => Err(Error::Closed { unsent: None }),
        }
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
        let b = self.sender.bridge()?;
        let socket = b.socket.borrow();
        socket.as_ref().map(Socket::stats)
    }
}

/// A `Copy` handle that sends on the socket of a [`use_socket`] hook.
///
/// It wraps a [`resocket::Sender`](crate::Sender): sends are queued while the link is down
/// and wait under backpressure, in the order they were made. Once the owner is cleaned up,
/// the fire-and-forget sends do nothing and the others fail with [`Error::Closed`].
pub struct SocketSender<C: Codec + 'static> {
    bridge: StoredValue<Rc<Bridge<C>>, LocalStorage>,
}

impl<C: Codec + 'static> Clone for SocketSender<C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<C: Codec + 'static> Copy for SocketSender<C> {}

impl<C: Codec + 'static> SocketSender<C> {
    fn bridge(&self) -> Option<Rc<Bridge<C>>> {
        self.bridge.try_get_value()
    }

    /// Encode and send `item` without waiting: it takes its place in the send order now and
    /// goes out as soon as backpressure allows (queued while the link is down). A failure
    /// (encoding, a full queue, a closed socket) is passed to `on_message` as an `Err`.
    pub fn send(&self, item: C::Out) {
        if let Some(b) = self.bridge() {
            match &b.sender {
                Some(s) => Bridge::spawn_send(&b, s.send(item)),
                None => b.report(Error::Closed { unsent: None }),
            }
        }
    }

    /// Send a raw frame without waiting, bypassing the codec; as [`SocketSender::send`].
    pub fn send_message(&self, message: Message) {
        if let Some(b) = self.bridge() {
            match &b.sender {
                Some(s) => Bridge::spawn_send(&b, s.send_message(message)),
                None => b.report(Error::Closed {
                    unsent: Some(message),
                }),
            }
        }
    }

    /// Serialize any value as a JSON text frame and send it without waiting; as
    /// [`SocketSender::send`].
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) {
        if let Some(b) = self.bridge() {
            match &b.sender {
                Some(s) => Bridge::spawn_send(&b, s.send_json(value)),
                None => b.report(Error::Closed { unsent: None }),
            }
        }
    }

    /// Encode and send `item`; the future resolves as [`Socket::send`]'s does (handed to
    /// the browser or queued), waiting under backpressure. Dropping it withdraws the item.
    pub fn send_async(&self, item: C::Out) -> impl Future<Output = Result<(), Error>> + 'static {
        let started = self
            .bridge()
            .and_then(|b| b.sender.as_ref().map(|s| (Waiting::new(&b), s.send(item))));
        async move {
            match started {
                Some((waiting, fut)) => {
                    let r = fut.await;
                    drop(waiting);
                    r
                }
                None => Err(Error::Closed { unsent: None }),
            }
        }
    }

    /// Send without waiting, as [`Socket::try_send`].
    ///
    /// # Errors
    /// [`Error::Full`] (with the message) when backpressure applies or other sends wait;
    /// otherwise as [`Socket::send`]. [`Error::Closed`] once the owner is cleaned up.
    pub fn try_send(&self, item: C::Out) -> Result<(), Error> {
        let b = self.bridge().ok_or(Error::Closed { unsent: None })?;
        let s = b.sender.as_ref().ok_or(Error::Closed { unsent: None })?;
        let r = s.try_send(item);
        b.kick();
        r
    }

    /// Wait until nothing is queued or buffered, as [`Socket::flush`].
    pub fn flush(&self) -> impl Future<Output = Result<(), Error>> + 'static {
        let started = self
            .bridge()
            .and_then(|b| b.sender.as_ref().map(|s| (Waiting::new(&b), s.flush())));
        async move {
            match started {
                Some((waiting, fut)) => {
                    let r = fut.await;
                    drop(waiting);
                    r
                }
                None => Err(Error::Closed { unsent: None }),
            }
        }
    }

    /// Close with `code` and `reason`, as [`Socket::close`].
    ///
    /// # Errors
    /// See [`Socket::close`]; [`Error::Closed`] once the owner is cleaned up.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        let b = self.bridge().ok_or(Error::Closed { unsent: None })?;
        let s = b.sender.as_ref().ok_or(Error::Closed { unsent: None })?;
        let r = s.close(code, reason);
        b.kick();
        r
    }

    /// The core [`Sender`] (for example to hand to code that is not Leptos-aware); `None`
    /// if the socket could not be opened or the owner is cleaned up.
    pub fn sender(&self) -> Option<Sender<C>> {
        self.bridge().and_then(|b| b.sender.clone())
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
/// If the builder is invalid (bad URL or option), nothing is opened: `state` is
/// `Closed` with the error in [`CloseInfo::error`] and sends fail with [`Error::Closed`].
///
/// Call it inside a component (or another reactive owner): the cleanup is registered
/// with [`on_cleanup`].
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
    let opened = builder.open();
    let snapshot = match &opened {
        Ok(socket) => Metrics::read(socket),
        Err(_) => Metrics::default(),
    };
    let initial = match &opened {
        Ok(socket) => socket.state(),
        Err(error) => ConnectionState::Closed(CloseInfo {
            code: 1006,
            reason: error.to_string(),
            was_clean: false,
            by: ClosedBy::Client,
            error: Some(error.clone()),
        }),
    };
    let (state, set_state) = signal(initial);
    let (ready_state, set_ready_state) = signal(snapshot.ready_state);
    let (buffered_amount, set_buffered) = signal(snapshot.buffered);
    let (queued_amount, set_queued) = signal(snapshot.queued);
    let (retry_count, set_retry) = signal(snapshot.retry);
    let writers = Writers {
        state: set_state,
        ready_state: set_ready_state,
        buffered: set_buffered,
        queued: set_queued,
        retry: set_retry,
    };

    let (socket, states) = match opened {
        Ok(socket) => {
            let states = socket.states();
            (Some(socket), Some(states))
        }
        Err(_) => (None, None),
    };
    let bridge = Rc::new(Bridge {
        sender: socket.as_ref().map(Socket::sender),
        socket: RefCell::new(socket),
        on_message: RefCell::new(Some(Rc::new(on_message))),
        writers,
        pending: Cell::new(0),
        waker: RefCell::new(None),
        stopped: Cell::new(false),
    });
    if let Some(states) = states {
        wasm_bindgen_futures::spawn_local(Pump {
            bridge: bridge.clone(),
            states: Some(states),
            timer: None,
            last: snapshot,
        });
    }
    let stored = StoredValue::new_local(bridge);
    on_cleanup(move || {
        if let Some(b) = stored.try_get_value() {
            b.stop();
        }
    });
    UseSocket {
        state,
        ready_state,
        buffered_amount,
        queued_amount,
        retry_count,
        sender: SocketSender { bridge: stored },
    }
}

/// The write ends of the hook's signals.
struct Writers {
    state: WriteSignal<ConnectionState>,
    ready_state: WriteSignal<ReadyState>,
    buffered: WriteSignal<usize>,
    queued: WriteSignal<usize>,
    retry: WriteSignal<u32>,
}

/// The application's `on_message` callback.
type Handler<C> = Rc<dyn Fn(Result<<C as Codec>::In, Error>)>;

/// What the hook's handles and its task share.
struct Bridge<C: Codec> {
    /// `None` once stopped (or if the builder was invalid).
    socket: RefCell<Option<Socket<C>>>,
    sender: Option<Sender<C>>,
    on_message: RefCell<Option<Handler<C>>>,
    writers: Writers,
    /// Sends made through the hook that are still waiting.
    pending: Cell<usize>,
    /// Wakes the task that pumps states, messages and byte counts.
    waker: RefCell<Option<Waker>>,
    stopped: Cell<bool>,
}

impl<C: Codec + 'static> Bridge<C> {
    fn with_socket<T>(&self, f: impl FnOnce(&Socket<C>) -> Result<T, Error>) -> Result<T, Error> {
        let socket = self.socket.borrow();
        match socket.as_ref() {
            Some(s) => f(s),
            None => Err(Error::Closed { unsent: None }),
        }
    }

    /// Hand an item to the application (never while a borrow is held, never after stop).
    fn deliver(&self, item: Result<C::In, Error>) {
        if self.stopped.get() {
            return;
        }
        let handler = self.on_message.borrow().clone();
        if let Some(handler) = handler {
            handler(item);
        }
    }

    fn report(&self, error: Error) {
        self.deliver(Err(error));
    }

    /// Let the task re-read the byte counts soon.
    fn kick(&self) {
        if let Some(w) = self.waker.borrow().as_ref() {
            w.wake_by_ref();
        }
    }

    /// Poll a send once now (so it takes its place in the send order), then finish it in a
    /// task; a failure goes to `on_message`.
    fn spawn_send<F>(this: &Rc<Self>, fut: F)
    where
        F: Future<Output = Result<(), Error>> + 'static,
    {
        let mut fut = Box::pin(fut);
        let mut cx = Context::from_waker(Waker::noop());
        match fut.as_mut().poll(&mut cx) {
            Poll::Ready(r) => {
                if let Err(e) = r {
                    this.report(e);
                }
                this.kick();
            }
            Poll::Pending => {
                let waiting = Waiting::new(this);
                let b = this.clone();
                wasm_bindgen_futures::spawn_local(async move {
                    let r = fut.await;
                    drop(waiting);
                    if let Err(e) = r {
                        b.report(e);
                    }
                });
            }
        }
    }

    /// Close the socket (code 1000) and release everything; idempotent.
    fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        let socket = self.socket.borrow_mut().take();
        drop(socket);
        let handler = self.on_message.borrow_mut().take();
        drop(handler);
        let waker = self.waker.borrow_mut().take();
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// Counts a waiting send for as long as it lives (the byte counts are polled meanwhile).
struct Waiting<C: Codec + 'static>(Rc<Bridge<C>>);

impl<C: Codec + 'static> Waiting<C> {
    fn new(bridge: &Rc<Bridge<C>>) -> Self {
        bridge.pending.set(bridge.pending.get() + 1);
        bridge.kick();
        Waiting(bridge.clone())
    }
}

impl<C: Codec + 'static> Drop for Waiting<C> {
    fn drop(&mut self) {
        self.0.pending.set(self.0.pending.get().saturating_sub(1));
        self.0.kick();
    }
}

/// The polled numbers, compared before each signal write.
#[derive(Clone, Copy, PartialEq)]
struct Metrics {
    ready_state: ReadyState,
    buffered: usize,
    queued: usize,
    retry: u32,
    open: bool,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            ready_state: ReadyState::Closed,
            buffered: 0,
            queued: 0,
            retry: 0,
            open: false,
        }
    }
}

impl Metrics {
    fn read<C: Codec>(socket: &Socket<C>) -> Self {
        Metrics {
            ready_state: socket.ready_state(),
            buffered: socket.buffered_amount(),
            queued: socket.queued_amount(),
            retry: socket.retry_count(),
            open: socket.state().is_open(),
        }
    }

    /// Whether the counts can change without an event: bytes draining from the browser's
    /// buffer or the queue of an open link. While the link is down the queue only changes
    /// on a send or a state transition, both of which wake the task.
    fn draining(&self) -> bool {
        self.buffered > 0 || (self.open && self.queued > 0)
    }
}

/// The hook's task: state transitions, inbound items and byte counts into the signals.
struct Pump<C: Codec + 'static> {
    bridge: Rc<Bridge<C>>,
    states: Option<StateStream>,
    timer: Option<Timeout>,
    last: Metrics,
}

impl<C: Codec + 'static> Pump<C> {
    fn publish(&mut self) -> bool {
        let now = {
            let socket = self.bridge.socket.borrow();
            match socket.as_ref() {
                Some(s) => Metrics::read(s),
                None => return false,
            }
        };
        let w = &self.bridge.writers;
        if now.ready_state != self.last.ready_state {
            w.ready_state.try_set(now.ready_state);
        }
        if now.buffered != self.last.buffered {
            w.buffered.try_set(now.buffered);
        }
        if now.queued != self.last.queued {
            w.queued.try_set(now.queued);
        }
        if now.retry != self.last.retry {
            w.retry.try_set(now.retry);
        }
        self.last = now;
        now.draining() || self.bridge.pending.get() > 0
    }
}

impl<C: Codec + 'static> Future for Pump<C> {
    type Output = ();

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let this = &mut *self;
        let bridge = this.bridge.clone();
        if bridge.stopped.get() {
            return Poll::Ready(());
        }
        *bridge.waker.borrow_mut() = Some(cx.waker().clone());

        while let Some(states) = this.states.as_mut() {
            match Pin::new(states).poll_next(cx) {
                Poll::Ready(Some(state)) => {
                    bridge.writers.state.try_set(state);
                }
                Poll::Ready(None) => this.states = None,
                Poll::Pending => break,
            }
        }

        let mut handled = 0;
        loop {
            let next = {
                let mut socket = bridge.socket.borrow_mut();
                match socket.as_mut() {
                    Some(s) => Pin::new(s).poll_next(cx),
                    None => return Poll::Ready(()),
                }
            };
            match next {
                Poll::Ready(Some(item)) => bridge.deliver(item),
                Poll::Ready(None) | Poll::Pending => break,
            }
            if bridge.stopped.get() {
                return Poll::Ready(());
            }
            handled += 1;
            if handled == BATCH {
                cx.waker().wake_by_ref();
                break;
            }
        }

        if this.publish() {
            if this.timer.as_ref().is_none_or(Timeout::fired) {
                this.timer = Some(Timeout::new(POLL_MS, cx.waker().clone()));
            }
        } else {
            this.timer = None;
        }
        Poll::Pending
    }
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, timeout: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// A `setTimeout` that wakes a task; cleared (and its closure freed) on drop.
struct Timeout {
    handle: JsValue,
    fired: Rc<Cell<bool>>,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    fn new(ms: u32, waker: Waker) -> Self {
        let fired = Rc::new(Cell::new(false));
        let flag = fired.clone();
        let closure = Closure::<dyn FnMut()>::new(move || {
            flag.set(true);
            waker.wake_by_ref();
        });
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let handle = set_timeout(closure.as_ref().unchecked_ref(), ms);
        Timeout {
            handle,
            fired,
            _closure: closure,
        }
    }

    fn fired(&self) -> bool {
        self.fired.get()
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
    }
}
