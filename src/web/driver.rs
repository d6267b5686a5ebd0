//! Runs the core [`Supervisor`] against the browser: feeds it events, executes its actions.
//!
//! Borrow discipline: `Inner` is borrowed only for short sections that run no application
//! code. The application's close classifier, codecs and wakers all run with no borrow
//! held, so any of them may call back into the socket. Wakers are collected under the
//! borrow and woken after it. The socket's `send()` and `close()`, and its getters
//! (`readyState`, `bufferedAmount`, `protocol`), are called with no borrow held too (a
//! socket may dispatch its events from inside them, and those re-enter the driver): the
//! socket is taken out of the borrow (an `Rc`), the borrow released, then called; it is
//! dropped (its handlers detached, `close()` called if it is still open) with no borrow
//! held as well.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::Waker;

use super::listener::{OnlineWatch, Signal};
use super::socket::{BrowserSocket, Frame, SocketEvent};
use super::timer::Timeout;
use super::{now_ms, url};
use crate::client::delivery::Readers;
use crate::core::event::{Action, Event, Timer};
use crate::core::inbound::Inbound;
use crate::core::pressure::{Gate, Ticket};
use crate::core::supervisor::Supervisor;
use crate::{Config, ConnectionState, Error, Message, ReadyState};

/// An async URL provider, asked before every attempt.
pub(crate) type Provider = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>>>>>;

pub(crate) mod acks;
mod inner;
mod queues;

pub(crate) use acks::{AckSlot, Track};

pub(crate) use inner::{buffered_amount, protocol, ready_state};
pub(crate) use queues::{StateQueue, Waiting};

/// How often buffered bytes are re-read while a sender or `flush` waits on an open
/// socket (never when idle, never while disconnected: then only events change the level).
pub(crate) const POLL_MS: u64 = 4;

pub(crate) struct Inner<P = Message> {
    pub(crate) sup: Supervisor<P>,
    /// An `Rc` so that it can be called, and dropped, outside the borrow.
    socket: Option<(u64, Rc<BrowserSocket>)>,
    timers: [Option<Timeout>; Timer::ALL.len()],
    provider: Option<Provider>,
    pub(crate) gate: Gate,
    pub(crate) waiters: VecDeque<Waiting<P>>,
    /// Results of waiting sends the driver handed on, until their future collects them.
    pub(crate) finished: Vec<(Ticket, Result<(), Error<P>>)>,
    pub(crate) flushers: Vec<Waker>,
    poll_timer: Option<Timeout>,
    inbound: Inbound<Result<P, Error<P>>>,
    inbound_waker: Option<Waker>,
    subscribers: Vec<Weak<RefCell<StateQueue>>>,
    online: Option<OnlineWatch>,
    /// Wakers to wake once the borrow is released (see [`flush_wakes`]).
    wakes: Vec<Waker>,
    /// The application's id and ack readers (acknowledged delivery), if set.
    pub(crate) readers: Option<Readers<P>>,
    /// Sends waiting for their acknowledgement (`send_acked`), and their outcome until
    /// their future collects it.
    pub(crate) acks: Vec<AckSlot<P>>,
    /// The next [`AckSlot`] key.
    pub(crate) next_slot: u64,
    /// The inbound acknowledgements that released messages, in the order of the
    /// [`Action::Acked`] they caused.
    ack_messages: VecDeque<P>,
    /// Whose WebSocket class this connection uses, if not the browser's.
    #[cfg(feature = "share")]
    pub(crate) via: Option<Via>,
}

/// A connection whose sockets are not the browser's own `WebSocket`.
#[cfg(feature = "share")]
pub(crate) enum Via {
    /// A member of a shared connection: its sockets are views of the share's.
    Member(super::share::Membership),
    /// A shared connection's host: its sockets are the share's Taps.
    Host(js_sys::Function),
}

/// Shared handle to a running connection.
pub(crate) type Shared<P = Message> = Rc<RefCell<Inner<P>>>;

/// Build and start a connection; delivered messages are kept for the `Stream`.
pub(crate) fn start<P: Frame>(
    config: Config,
    fixed_url: Option<String>,
    provider: Option<Provider>,
    readers: Option<Readers<P>>,
) -> Shared<P> {
    start_with(config, fixed_url, provider, readers, |_| {})
}

/// [`start`] a connection whose sockets are made by `via`.
#[cfg(feature = "share")]
pub(crate) fn start_via<P: Frame>(
    config: Config,
    fixed_url: Option<String>,
    provider: Option<Provider>,
    readers: Option<Readers<P>>,
    via: Via,
) -> Shared<P> {
    start_with(config, fixed_url, provider, readers, |inner| {
        inner.via = Some(via)
    })
}

fn start_with<P: Frame>(
    config: Config,
    fixed_url: Option<String>,
    provider: Option<Provider>,
    readers: Option<Readers<P>>,
    setup: impl FnOnce(&mut Inner<P>),
) -> Shared<P> {
    let seed = (js_sys::Math::random() * (u64::MAX as f64)) as u64;
    let gate = Gate::new(config.water_marks);
    let inbound = Inbound::new(config.inbound);
    let shared = Rc::new(RefCell::new(Inner {
        sup: Supervisor::new(config, fixed_url, seed),
        socket: None,
        timers: Default::default(),
        provider,
        gate,
        waiters: VecDeque::new(),
        finished: Vec::new(),
        flushers: Vec::new(),
        poll_timer: None,
        inbound,
        inbound_waker: None,
        subscribers: Vec::new(),
        online: None,
        wakes: Vec::new(),
        readers,
        acks: Vec::new(),
        next_slot: 0,
        ack_messages: VecDeque::new(),
        #[cfg(feature = "share")]
        via: None,
    }));
    setup(&mut shared.borrow_mut());
    watch_online(&shared);
    let online = OnlineWatch::is_online();
    shared.borrow_mut().sup.start(online);
    pump(&shared);
    shared
}

/// Listen for `online`/`offline` (and, in a page, for it coming back: see [`Signal`]) on
/// the global scope while the connection lives (the
/// watch is dropped when it closes, and made again if `reconnect()` revives it).
fn watch_online<P: Frame>(shared: &Shared<P>) {
    if shared.borrow().online.is_some() {
        return;
    }
    let weak = Rc::downgrade(shared);
    let watch = OnlineWatch::new(move |signal| {
        let ev = match signal {
            Signal::Online => Event::Online,
            Signal::Offline => Event::Offline,
            Signal::Resumed => Event::Resumed,
            Signal::Suspended => Event::Suspended,
        };
        dispatch_weak(&weak, ev);
    });
    shared.borrow_mut().online = watch;
}

/// Force a fresh attempt now.
///
/// # Errors
/// [`Error::Closed`] after the application closed the socket.
pub(crate) fn reconnect<P: Frame>(shared: &Shared<P>) -> Result<(), Error<P>> {
    let r = shared.borrow_mut().sup.reconnect();
    if r.is_ok() {
        watch_online(shared);
    }
    pump(shared);
    r
}

/// The owner went away: end the connection at once (`Closed` by the client, code 1000,
/// observers told, queued and waiting messages handed back) and release every browser
/// resource.
pub(crate) fn close_and_release<P: Frame>(shared: &Shared<P>) {
    shared.borrow_mut().sup.terminate();
    pump(shared);
    // Dropped with the borrow released: dropping it calls the socket's `close()`.
    let socket = shared.borrow_mut().socket.take();
    drop(socket);
    let wakes = shared.borrow_mut().shutdown();
    wakes.into_iter().for_each(Waker::wake);
}

/// Feed an event and run the resulting actions.
///
/// A retry count that changes with no transition (the Stable timer resets it once the link
/// has stayed open `stable_after_ms`) wakes the state subscribers without a new state, so
/// that whoever reads the counts on each wake-up (the hooks' task) sees it.
pub(crate) fn dispatch<P: Frame>(shared: &Shared<P>, event: Event<P>) {
    {
        let mut inner = shared.borrow_mut();
        // No clock read per message unless the core needs the time (a pong's round trip).
        let now = if inner.sup.needs_time(&event) {
            now_ms()
        } else {
            inner.sup.last_now()
        };
        let retries = inner.sup.retry_count();
        inner.sup.handle(now, event);
        if inner.sup.retry_count() != retries {
            inner.wake_subscribers();
        }
    }
    pump(shared);
}

fn dispatch_weak<P: Frame>(weak: &Weak<RefCell<Inner<P>>>, event: Event<P>) {
    if let Some(shared) = weak.upgrade() {
        dispatch(&shared, event);
    }
}

/// Execute queued actions in order until there are none, hand waiting sends on while
/// there is room, then wake whoever must be woken.
pub(crate) fn pump<P: Frame>(shared: &Shared<P>) {
    loop {
        let next = shared.borrow_mut().sup.poll_action();
        match next {
            Some(action) => execute(shared, action),
            None if admit_head(shared) => {}
            None => break,
        }
    }
    ensure_polling(shared);
    flush_wakes(shared);
}

/// Wake the wakers collected under a borrow, with the borrow released.
pub(crate) fn flush_wakes<P>(shared: &Shared<P>) {
    let wakes = std::mem::take(&mut shared.borrow_mut().wakes);
    wakes.into_iter().for_each(Waker::wake);
}

/// Hand the head waiting send on if the gate and the queue let it go now (or the socket
/// is closed: then it is refused and handed back). `true` if one was handed on.
fn admit_head<P: Frame>(shared: &Shared<P>) -> bool {
    if shared.borrow().waiters.is_empty() {
        return false;
    }
    let buffered = inner::buffered_amount(shared);
    let mut inner = shared.borrow_mut();
    let inner = &mut *inner;
    let Some(head) = inner.waiters.front() else {
        return false;
    };
    let (ticket, len) = (head.ticket, head.message.len());
    let state = inner.sup.state();
    if state.is_closed() || state.is_closed_by_client() {
        inner.gate.cancel(ticket);
    } else {
        let level = inner.level(buffered);
        let tracked = head.track.is_some();
        if !inner.admits_waiting(len, tracked) || !inner.gate.poll(ticket, level) {
            return false;
        }
    }
    let Some(w) = inner.waiters.pop_front() else {
        return false;
    };
    let result = inner.hand_on(w.message, w.track);
    inner.finished.push((ticket, result));
    inner.wakes.extend(w.waker);
    true
}

fn execute<P: Frame>(shared: &Shared<P>, action: Action<P>) {
    match action {
        Action::ResolveUrl { id } => resolve_url(shared, id),
        Action::Connect { id, url } => connect(shared, id, &url),
        Action::Send {
            id,
            message,
            tracked,
        } => {
            if !try_send_on(shared, id, &message) {
                let bounced = Event::Bounced {
                    id,
                    message,
                    tracked,
                };
                dispatch(shared, bounced);
            }
        }
        Action::Ping { id, message } => {
            let _ = try_send_on(shared, id, &message);
        }
        Action::Close { id, code, reason } => {
            if let Some(s) = socket_of(shared, id) {
                s.close(code, &reason);
            }
        }
        Action::Abandon { id, code, reason } => {
            let old = {
                let mut inner = shared.borrow_mut();
                let current = inner.socket.as_ref().is_some_and(|(s, _)| *s == id);
                if current {
                    inner.socket.take()
                } else {
                    None
                }
            };
            if let Some((_, s)) = old {
                s.close(code, &reason);
            }
        }
        Action::Classify { id, code, reason } => classify(shared, id, code, reason),
        Action::SetTimer { timer, after_ms } => set_timer(shared, timer, after_ms),
        Action::CancelTimer(timer) => {
            let old = shared.borrow_mut().timers[timer.index()].take();
            drop(old);
        }
        Action::Deliver(message) => {
            if !acks::consumed(shared, &message) {
                inbound(shared, Ok(message));
            }
        }
        Action::State(state) => on_state(shared, state),
        Action::Dropped(v) => inbound(shared, Err(Error::Dropped(v))),
        Action::Unsent(v) => inbound(shared, Err(Error::Unsent(v))),
        Action::Report(e) => inbound(shared, Err(e)),
        Action::Acked(v) => acks::acked(shared, v),
        Action::Expired(v) => {
            let rest = acks::settle(shared, v, Error::AckTimeout);
            for m in rest {
                inbound(shared, Err(Error::AckTimeout(m)));
            }
        }
        Action::Unacked(v) => {
            let rest = acks::settle(shared, v, |m| Error::Unacked(vec![m]));
            if !rest.is_empty() {
                inbound(shared, Err(Error::Unacked(rest)));
            }
        }
    }
}

/// Ask the application's classifier from a task of its own: it is application code and
/// must never run inside a call the application made (nor under a borrow).
fn classify<P: Frame>(shared: &Shared<P>, id: u64, code: u16, reason: String) {
    let classifier = shared.borrow().sup.config().reconnect.classifier.clone();
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let decision = classifier.classify(code, &reason);
        dispatch_weak(&weak, Event::Classified { id, decision });
    });
}

fn resolve_url<P: Frame>(shared: &Shared<P>, id: u64) {
    let Some(provider) = shared.borrow().provider.clone() else {
        return;
    };
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let result = provider().await.and_then(|u| url::resolve_or_text(&u));
        dispatch_weak(&weak, Event::UrlResolved { id, result });
    });
}

fn connect<P: Frame>(shared: &Shared<P>, id: u64, url: &str) {
    let weak = Rc::downgrade(shared);
    let sink: Rc<dyn Fn(SocketEvent<P>)> = Rc::new(move |ev| {
        let Some(shared) = weak.upgrade() else { return };
        let event = match ev {
            SocketEvent::Open => Event::Opened { id },
            SocketEvent::Message(message) => Event::Message { id, message },
            SocketEvent::Oversized(size) => Event::Oversized { id, size },
            SocketEvent::Close {
                code,
                reason,
                was_clean,
            } => Event::Closed {
                id,
                code,
                reason,
                was_clean,
            },
            // The `close` that follows says what the core needs.
            SocketEvent::Error => return,
        };
        dispatch(&shared, event);
    });
    let (protocols, max, class) = {
        let inner = shared.borrow();
        let config = inner.sup.config();
        (
            config.protocols.clone(),
            config.max_message_size,
            inner.class(),
        )
    };
    match BrowserSocket::open(url, &protocols, max, sink, class.as_ref()) {
        Ok(socket) => {
            let old = shared.borrow_mut().socket.replace((id, Rc::new(socket)));
            drop(old);
        }
        Err(e) => {
            // The exception's own text: the core reports it as `Error::Js`.
            let error = match e {
                Error::Js(text) => text,
                _ => String::from("the WebSocket constructor threw"),
            };
            dispatch(shared, Event::Refused { id, error });
        }
    }
}

impl<P> Inner<P> {
    /// The WebSocket class of the next socket: `None` for the browser's own.
    fn class(&self) -> Option<js_sys::Function> {
        #[cfg(feature = "share")]
        match &self.via {
            Some(Via::Member(m)) => return Some(m.member().socket_class()),
            Some(Via::Host(class)) => return Some(class.clone()),
            None => {}
        }
        None
    }
}

/// Socket `id` if it is the current one, out of the borrow: whatever is called on it
/// (its `readyState`, `send()`, `close()`) may be the application's code, and that may
/// re-enter the driver.
fn socket_of<P: Frame>(shared: &Shared<P>, id: u64) -> Option<Rc<BrowserSocket>> {
    shared.borrow().socket_of(id)
}

/// Send on socket `id` if it is current and open; `false` if the message did not go.
fn try_send_on<P: Frame, M: Frame>(shared: &Shared<P>, id: u64, message: &M) -> bool {
    socket_of(shared, id)
        .is_some_and(|s| s.ready_state() == ReadyState::Open && s.send(message).is_ok())
}

fn set_timer<P: Frame>(shared: &Shared<P>, timer: Timer, after_ms: u64) {
    let weak = Rc::downgrade(shared);
    let t = Timeout::new(after_ms, move || dispatch_weak(&weak, Event::Timer(timer)));
    let old = shared.borrow_mut().timers[timer.index()].replace(t);
    drop(old);
}

/// Keep the item for the `Stream`.
fn inbound<P: Frame>(shared: &Shared<P>, item: Result<P, Error<P>>) {
    let mut inner = shared.borrow_mut();
    let len = match &item {
        Ok(m) => m.len(),
        Err(e) => e.unsent_bytes(),
    };
    inner.inbound.push(item, len);
    if let Some(w) = inner.inbound_waker.take() {
        inner.wakes.push(w);
    }
}

fn on_state<P: Frame>(shared: &Shared<P>, state: ConnectionState) {
    let dead = {
        let mut inner = shared.borrow_mut();
        let inner = &mut *inner;
        // Between attempts there is no socket: its unsent bytes are gone with the link
        // and must not count as backpressure through the outage.
        let dead = if state.is_closed() || matches!(state, ConnectionState::Reconnecting { .. }) {
            inner.socket.take()
        } else {
            None
        };
        if state.is_closed() {
            // Closed means released: no listener, timer or socket outlives the connection.
            inner.poll_timer = None;
            drop(inner.online.take());
            inner.wakes.append(&mut inner.flushers);
            inner.wakes.extend(inner.inbound_waker.take());
        }
        inner.subscribers.retain(|s| s.strong_count() > 0);
        for sub in inner.subscribers.iter().filter_map(Weak::upgrade) {
            inner.wakes.extend(sub.borrow_mut().push(state.clone()));
        }
        dead
    };
    drop(dead);
    // Closed for good: a member leaves its share (a `reconnect()` joins it again); a host
    // tells its share, whose members then end their views and try again.
    #[cfg(feature = "share")]
    if let ConnectionState::Closed(info) = &state {
        let via = match &shared.borrow().via {
            Some(Via::Member(m)) => Some(Err(m.member().clone())),
            Some(Via::Host(class)) => Some(Ok(class.clone())),
            None => None,
        };
        match via {
            Some(Err(member)) => super::share::leave(&member),
            Some(Ok(class)) => super::share::host_closed(&class, info.code, &info.reason),
            None => {}
        }
    }
}

/// Re-read buffered bytes every [`POLL_MS`] while a sender or `flush` waits on an open
/// socket; never when idle or disconnected, nor while the head sender waits for room in
/// the credit window only.
pub(crate) fn ensure_polling<P: Frame>(shared: &Shared<P>) {
    let mut inner = shared.borrow_mut();
    // A head that waits for room in the credit window waits for acknowledgements, which
    // arrive as events (each pumps and re-checks it): no polling for it.
    let head_polls = inner
        .waiters
        .front()
        .is_some_and(|w| w.track.is_none() || inner.sup.has_room_tracked(w.message.len()));
    let waiting = head_polls || !inner.flushers.is_empty();
    let open = matches!(inner.sup.state(), ConnectionState::Open) && inner.socket.is_some();
    if !(waiting && open) {
        inner.poll_timer = None;
        return;
    }
    if inner.poll_timer.is_none() {
        let weak = Rc::downgrade(shared);
        inner.poll_timer = Some(Timeout::new(POLL_MS, move || {
            if let Some(shared) = weak.upgrade() {
                {
                    let mut inner = shared.borrow_mut();
                    let inner = &mut *inner;
                    inner.poll_timer = None;
                    inner.wakes.append(&mut inner.flushers);
                }
                pump(&shared);
            }
        }));
    }
}
