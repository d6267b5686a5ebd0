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
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use ::yew::functional::{hook, use_effect_with, use_force_update, use_memo, UseForceUpdateHandle};
use ::yew::Callback;
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
            .finish_non_exhaustive()
    }
}

impl<C: Codec + 'static> UseSocketHandle<C> {
    /// Drop the current link (if any) and connect again now, as [`Socket::reconnect`].
    ///
    /// # Errors
    /// [`Error::Closed`] after a close or once the component is unmounted.
    pub fn reconnect(&self) -> Result<(), Error> {
        let socket = self.sender.bridge.socket.borrow();
        match socket.as_ref() {
            Some(s) => s.reconnect(),
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

    /// Counters of the socket ([`Socket::stats`]); `None` once the component is unmounted.
    pub fn stats(&self) -> Option<Stats> {
        let socket = self.sender.bridge.socket.borrow();
        socket.as_ref().map(Socket::stats)
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
        let b = &self.bridge;
        match &b.sender {
            Some(s) => Bridge::spawn_send(b, s.send(item)),
            None => b.report(Error::Closed { unsent: None }),
        }
    }

    /// Send a raw frame without waiting, bypassing the codec; as [`SocketSender::send`].
    pub fn send_message(&self, message: Message) {
        let b = &self.bridge;
        match &b.sender {
            Some(s) => Bridge::spawn_send(b, s.send_message(message)),
            None => b.report(Error::Closed {
                unsent: Some(message),
            }),
        }
    }

    /// Serialize any value as a JSON text frame and send it without waiting; as
    /// [`SocketSender::send`].
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) {
        let b = &self.bridge;
        match &b.sender {
            Some(s) => Bridge::spawn_send(b, s.send_json(value)),
            None => b.report(Error::Closed { unsent: None }),
        }
    }

    /// Encode and send `item`; the future resolves as [`Socket::send`]'s does (handed to
    /// the browser or queued), waiting under backpressure. Dropping it withdraws the item.
    pub fn send_async(&self, item: C::Out) -> impl Future<Output = Result<(), Error>> + 'static {
        let b = &self.bridge;
        let started = b.sender.as_ref().map(|s| (Waiting::new(b), s.send(item)));
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
    /// otherwise as [`Socket::send`].
    pub fn try_send(&self, item: C::Out) -> Result<(), Error> {
        let b = &self.bridge;
        let s = b.sender.as_ref().ok_or(Error::Closed { unsent: None })?;
        let r = s.try_send(item);
        b.kick();
        r
    }

    /// Wait until nothing is queued or buffered, as [`Socket::flush`].
    pub fn flush(&self) -> impl Future<Output = Result<(), Error>> + 'static {
        let b = &self.bridge;
        let started = b.sender.as_ref().map(|s| (Waiting::new(b), s.flush()));
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
    /// See [`Socket::close`].
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        let b = &self.bridge;
        let s = b.sender.as_ref().ok_or(Error::Closed { unsent: None })?;
        let r = s.close(code, reason);
        b.kick();
        r
    }

    /// The core [`Sender`] (for example to hand to code that is not Yew-aware); `None` if
    /// the socket could not be opened.
    pub fn sender(&self) -> Option<Sender<C>> {
        self.bridge.sender.clone()
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
/// If the builder is invalid (bad URL or option), nothing is opened: `state` is `Closed`
/// with the error in [`CloseInfo::error`] and sends fail with [`Error::Closed`].
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
    let guard = use_memo((), move |_| Guard(Bridge::open(init(), rerender)));
    let bridge = guard.0.clone();
    {
        let b = bridge.clone();
        use_effect_with((), move |_| move || b.stop());
    }
    if !bridge.stopped.get() {
        *bridge.on_message.borrow_mut() = Some(on_message);
    }
    let view = bridge.view.borrow().clone();
    UseSocketHandle {
        state: view.state,
        ready_state: view.metrics.ready_state,
        buffered_amount: view.metrics.buffered,
        queued_amount: view.metrics.queued,
        retry_count: view.metrics.retry,
        sender: SocketSender { bridge },
    }
}

/// Lives in the hook's state: stops the socket if the component goes away without its
/// effect's destructor having run.
struct Guard<C: Codec + 'static>(Rc<Bridge<C>>);

impl<C: Codec + 'static> Drop for Guard<C> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

/// What the component renders: the latest state and counts.
#[derive(Clone)]
struct View {
    state: ConnectionState,
    metrics: Metrics,
}

/// The application's `on_message` callback.
type Handler<C> = Callback<Result<<C as Codec>::In, Error>>;

/// What the hook's handles and its task share.
struct Bridge<C: Codec> {
    /// `None` once stopped (or if the builder was invalid).
    socket: RefCell<Option<Socket<C>>>,
    sender: Option<Sender<C>>,
    on_message: RefCell<Option<Handler<C>>>,
    view: RefCell<View>,
    rerender: RefCell<Option<UseForceUpdateHandle>>,
    /// Sends made through the hook that are still waiting.
    pending: Cell<usize>,
    /// Wakes the task that pumps states, messages and byte counts.
    waker: RefCell<Option<Waker>>,
    stopped: Cell<bool>,
}

impl<C: Codec + 'static> Bridge<C> {
    fn open(builder: Builder<C>, rerender: UseForceUpdateHandle) -> Rc<Self> {
        let (socket, view) = match builder.open() {
            Ok(socket) => {
                let view = View {
                    state: socket.state(),
                    metrics: Metrics::read(&socket),
                };
                (Some(socket), view)
            }
            Err(error) => {
                let state = ConnectionState::Closed(CloseInfo {
                    code: 1006,
                    reason: error.to_string(),
                    was_clean: false,
                    by: ClosedBy::Client,
                    error: Some(error),
                });
                let metrics = Metrics::default();
                (None, View { state, metrics })
            }
        };
        let states = socket.as_ref().map(Socket::states);
        let bridge = Rc::new(Bridge {
            sender: socket.as_ref().map(Socket::sender),
            socket: RefCell::new(socket),
            on_message: RefCell::new(None),
            view: RefCell::new(view),
            rerender: RefCell::new(Some(rerender)),
            pending: Cell::new(0),
            waker: RefCell::new(None),
            stopped: Cell::new(false),
        });
        if let Some(states) = states {
            wasm_bindgen_futures::spawn_local(Pump {
                bridge: bridge.clone(),
                states: Some(states),
                timer: None,
            });
        }
        bridge
    }

    /// Hand an item to the application (never while a borrow is held, never after stop).
    fn deliver(&self, item: Result<C::In, Error>) {
        if self.stopped.get() {
            return;
        }
        let handler = self.on_message.borrow().clone();
        if let Some(handler) = handler {
            handler.emit(item);
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

    /// Re-render the component (not after stop).
    fn rerender(&self) {
        if self.stopped.get() {
            return;
        }
        let handle = self.rerender.borrow().clone();
        if let Some(h) = handle {
            h.force_update();
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
        let rerender = self.rerender.borrow_mut().take();
        drop(rerender);
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

/// The polled numbers.
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

/// The hook's task: state transitions, inbound items and byte counts.
struct Pump<C: Codec + 'static> {
    bridge: Rc<Bridge<C>>,
    states: Option<StateStream>,
    timer: Option<Timeout>,
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

        let mut changed = false;
        while let Some(states) = this.states.as_mut() {
            match Pin::new(states).poll_next(cx) {
                Poll::Ready(Some(state)) => {
                    bridge.view.borrow_mut().state = state;
                    changed = true;
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

        let now = {
            let socket = bridge.socket.borrow();
            match socket.as_ref() {
                Some(s) => Metrics::read(s),
                None => return Poll::Ready(()),
            }
        };
        {
            let mut view = bridge.view.borrow_mut();
            if view.metrics != now {
                view.metrics = now;
                changed = true;
            }
        }
        if changed {
            bridge.rerender();
        }

        if now.draining() || bridge.pending.get() > 0 {
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
