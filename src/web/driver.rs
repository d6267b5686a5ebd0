//! Runs the core [`Supervisor`] against the browser: feeds it events, executes its actions.
//!
//! Borrow discipline: `Inner` is borrowed only for short, callback-free sections, so an
//! observer (the JS facade's listeners) may call back into the socket at any point.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::Waker;

use super::listener::OnlineWatch;
use super::socket::{BrowserSocket, SocketEvent};
use super::timer::Timeout;
use super::{now_ms, url};
use crate::core::event::{Action, Event, Timer};
use crate::core::pressure::{Gate, Ticket};
use crate::core::supervisor::Supervisor;
use crate::{Config, ConnectionState, Error, Message, ReadyState};

/// An async URL provider, asked before every attempt.
pub(crate) type Provider = Rc<dyn Fn() -> Pin<Box<dyn Future<Output = Result<String, String>>>>>;

/// What the driver tells an observer, synchronously, as it happens.
#[cfg_attr(not(feature = "js"), allow(dead_code))] // read by the JS facade
pub(crate) enum Notice<'a> {
    State(&'a ConnectionState),
    Message(&'a Message),
    /// The browser fired `error` on the current socket (a `close` follows).
    SocketError,
    /// Messages handed back (dropped by the overflow policy, or unsent at close).
    Returned(&'a Error),
}

pub(crate) type Observer = Rc<dyn Fn(Notice<'_>)>;

/// How often buffered bytes are re-read while a sender or `flush` waits (never when idle).
pub(crate) const POLL_MS: u64 = 4;

/// A subscriber's queue of state transitions.
#[derive(Default)]
pub(crate) struct StateQueue {
    pub(crate) items: VecDeque<ConnectionState>,
    pub(crate) waker: Option<Waker>,
}

pub(crate) struct Inner {
    pub(crate) sup: Supervisor,
    socket: Option<(u64, BrowserSocket)>,
    timers: [Option<Timeout>; 6],
    provider: Option<Provider>,
    pub(crate) gate: Gate,
    pub(crate) waiters: VecDeque<(Ticket, Option<Waker>)>,
    pub(crate) flushers: Vec<Waker>,
    poll_timer: Option<Timeout>,
    inbound: VecDeque<Result<Message, Error>>,
    inbound_waker: Option<Waker>,
    buffer_inbound: bool,
    subscribers: Vec<Weak<RefCell<StateQueue>>>,
    observer: Option<Observer>,
    online: Option<OnlineWatch>,
}

/// Shared handle to a running connection.
pub(crate) type Shared = Rc<RefCell<Inner>>;

/// Build and start a connection. `buffer_inbound` keeps delivered messages for a `Stream`.
pub(crate) fn start(
    config: Config,
    fixed_url: Option<String>,
    provider: Option<Provider>,
    observer: Option<Observer>,
    buffer_inbound: bool,
) -> Shared {
    let seed = (js_sys::Math::random() * (u64::MAX as f64)) as u64;
    let gate = Gate::new(config.water_marks);
    let shared = Rc::new(RefCell::new(Inner {
        sup: Supervisor::new(config, fixed_url, seed),
        socket: None,
        timers: Default::default(),
        provider,
        gate,
        waiters: VecDeque::new(),
        flushers: Vec::new(),
        poll_timer: None,
        inbound: VecDeque::new(),
        inbound_waker: None,
        buffer_inbound,
        subscribers: Vec::new(),
        observer,
        online: None,
    }));
    let weak = Rc::downgrade(&shared);
    let watch = OnlineWatch::new(move |up| {
        let ev = if up { Event::Online } else { Event::Offline };
        dispatch_weak(&weak, ev);
    });
    let online = OnlineWatch::is_online();
    {
        let mut inner = shared.borrow_mut();
        inner.online = watch;
        inner.sup.start(online);
    }
    pump(&shared);
    shared
}

/// Force a fresh attempt now.
///
/// # Errors
/// [`Error::Closed`] after the application closed the socket.
pub(crate) fn reconnect(shared: &Shared) -> Result<(), Error> {
    let r = shared.borrow_mut().sup.reconnect();
    pump(shared);
    r
}

/// The owner went away: close (1000) and release every browser resource at once.
pub(crate) fn close_and_release(shared: &Shared) {
    let _ = shared.borrow_mut().sup.close(1000, "");
    pump(shared);
    shared.borrow_mut().shutdown();
}

/// Feed an event and run the resulting actions.
pub(crate) fn dispatch(shared: &Shared, event: Event) {
    shared.borrow_mut().sup.handle(now_ms(), event);
    pump(shared);
}

fn dispatch_weak(weak: &Weak<RefCell<Inner>>, event: Event) {
    if let Some(shared) = weak.upgrade() {
        dispatch(&shared, event);
    }
}

/// Execute queued actions in order until there are none.
pub(crate) fn pump(shared: &Shared) {
    loop {
        let next = shared.borrow_mut().sup.poll_action();
        match next {
            Some(action) => execute(shared, action),
            None => break,
        }
    }
    wake_head_sender(shared);
    ensure_polling(shared);
}

fn execute(shared: &Shared, action: Action) {
    match action {
        Action::ResolveUrl { id } => resolve_url(shared, id),
        Action::Connect { id, url } => connect(shared, id, &url),
        Action::Send { id, message } => {
            if !try_send_on(shared, id, &message) {
                dispatch(shared, Event::Bounced { id, message });
            }
        }
        Action::Ping { id, message } => {
            try_send_on(shared, id, &message);
        }
        Action::Close { id, code, reason } => {
            if let Some((_, s)) = shared.borrow().socket.as_ref().filter(|(s, _)| *s == id) {
                s.close(code, &reason);
            }
        }
        Action::Abandon { id, code, reason } => {
            let mut inner = shared.borrow_mut();
            if inner.socket.as_ref().is_some_and(|(s, _)| *s == id) {
                if let Some((_, s)) = inner.socket.take() {
                    s.close(code, &reason);
                }
            }
        }
        Action::SetTimer { timer, after_ms } => set_timer(shared, timer, after_ms),
        Action::CancelTimer(timer) => shared.borrow_mut().timers[timer.index()] = None,
        Action::Deliver(message) => inbound(shared, Ok(message)),
        Action::State(state) => on_state(shared, state),
        Action::Dropped(v) => inbound(shared, Err(Error::Dropped(v))),
        Action::Unsent(v) => inbound(shared, Err(Error::Unsent(v))),
    }
}

fn resolve_url(shared: &Shared, id: u64) {
    let Some(provider) = shared.borrow().provider.clone() else {
        return;
    };
    let weak = Rc::downgrade(shared);
    wasm_bindgen_futures::spawn_local(async move {
        let result = provider()
            .await
            .and_then(|u| url::resolve(&u).map_err(|e| e.to_string()));
        dispatch_weak(&weak, Event::UrlResolved { id, result });
    });
}

fn connect(shared: &Shared, id: u64, url: &str) {
    let weak = Rc::downgrade(shared);
    let sink: Rc<dyn Fn(SocketEvent)> = Rc::new(move |ev| {
        let Some(shared) = weak.upgrade() else { return };
        let event = match ev {
            SocketEvent::Open => Event::Opened { id },
            SocketEvent::Message(message) => Event::Message { id, message },
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
            SocketEvent::Error => return notify(&shared, Notice::SocketError),
        };
        dispatch(&shared, event);
    });
    let protocols = shared.borrow().sup.config().protocols.clone();
    match BrowserSocket::open(url, &protocols, sink) {
        Ok(socket) => {
            let old = shared.borrow_mut().socket.replace((id, socket));
            drop(old);
        }
        Err(e) => dispatch(
            shared,
            Event::Refused {
                id,
                error: e.to_string(),
            },
        ),
    }
}

/// Send on socket `id` if it is current and open; `false` if the message did not go.
fn try_send_on(shared: &Shared, id: u64, message: &Message) -> bool {
    let inner = shared.borrow();
    match inner.socket.as_ref() {
        Some((sid, s)) if *sid == id && s.ready_state() == ReadyState::Open => {
            s.send(message).is_ok()
        }
        _ => false,
    }
}

fn set_timer(shared: &Shared, timer: Timer, after_ms: u64) {
    let weak = Rc::downgrade(shared);
    let t = Timeout::new(after_ms, move || dispatch_weak(&weak, Event::Timer(timer)));
    shared.borrow_mut().timers[timer.index()] = Some(t);
}

/// Tell the observer, then keep the item for the `Stream` if there is one.
fn inbound(shared: &Shared, item: Result<Message, Error>) {
    match &item {
        Ok(message) => notify(shared, Notice::Message(message)),
        Err(error) => notify(shared, Notice::Returned(error)),
    }
    let mut inner = shared.borrow_mut();
    if inner.buffer_inbound {
        inner.inbound.push_back(item);
        if let Some(w) = inner.inbound_waker.take() {
            w.wake();
        }
    }
}

fn on_state(shared: &Shared, state: ConnectionState) {
    {
        let mut inner = shared.borrow_mut();
        if state.is_closed() {
            inner.socket = None;
            inner.poll_timer = None;
            for (_, w) in inner.waiters.drain(..) {
                w.into_iter().for_each(Waker::wake);
            }
            for w in inner.flushers.drain(..) {
                w.wake();
            }
            if let Some(w) = inner.inbound_waker.take() {
                w.wake();
            }
        }
        inner.subscribers.retain(|s| s.strong_count() > 0);
        for sub in inner.subscribers.iter().filter_map(Weak::upgrade) {
            let mut q = sub.borrow_mut();
            q.items.push_back(state.clone());
            if let Some(w) = q.waker.take() {
                w.wake();
            }
        }
    }
    notify(shared, Notice::State(&state));
}

fn notify(shared: &Shared, notice: Notice<'_>) {
    let observer = shared.borrow().observer.clone();
    if let Some(o) = observer {
        o(notice);
    }
}

/// Wake the sender at the head of the backpressure FIFO.
pub(crate) fn wake_head_sender(shared: &Shared) {
    if let Some((_, Some(w))) = shared.borrow().waiters.front() {
        w.wake_by_ref();
    }
}

/// Re-read buffered bytes every [`POLL_MS`] while a sender or `flush` waits; never when idle.
pub(crate) fn ensure_polling(shared: &Shared) {
    let mut inner = shared.borrow_mut();
    let waiting = !inner.waiters.is_empty() || !inner.flushers.is_empty();
    if waiting && inner.poll_timer.is_none() && !inner.sup.state().is_closed() {
        let weak = Rc::downgrade(shared);
        inner.poll_timer = Some(Timeout::new(POLL_MS, move || {
            if let Some(shared) = weak.upgrade() {
                let flushers = {
                    let mut inner = shared.borrow_mut();
                    inner.poll_timer = None;
                    std::mem::take(&mut inner.flushers)
                };
                flushers.into_iter().for_each(Waker::wake);
                wake_head_sender(&shared);
                ensure_polling(&shared);
            }
        }));
    }
}

impl Inner {
    /// Bytes in flight: the browser's `bufferedAmount` plus the outbound queue.
    pub(crate) fn level(&self) -> usize {
        self.buffered_amount() + self.sup.queued_bytes()
    }

    pub(crate) fn buffered_amount(&self) -> usize {
        self.socket.as_ref().map_or(0, |(_, s)| s.buffered_amount())
    }

    pub(crate) fn ready_state(&self) -> ReadyState {
        match (&self.socket, self.sup.state()) {
            (Some((_, s)), _) => s.ready_state(),
            (None, ConnectionState::Connecting { .. }) => ReadyState::Connecting,
            (None, _) => ReadyState::Closed,
        }
    }

    /// The URL of the latest attempt ("" before the first).
    pub(crate) fn url(&self) -> String {
        self.sup.url().unwrap_or_default().to_owned()
    }

    pub(crate) fn protocol(&self) -> String {
        self.socket
            .as_ref()
            .map_or_else(String::new, |(_, s)| s.protocol())
    }

    pub(crate) fn subscribe(&mut self) -> Rc<RefCell<StateQueue>> {
        let q = Rc::new(RefCell::new(StateQueue::default()));
        q.borrow_mut().items.push_back(self.sup.state().clone());
        self.subscribers.push(Rc::downgrade(&q));
        q
    }

    /// Next buffered inbound item, or register for a wake-up.
    pub(crate) fn next_inbound(&mut self, waker: &Waker) -> Option<Result<Message, Error>> {
        let item = self.inbound.pop_front();
        if item.is_none() {
            self.inbound_waker = Some(waker.clone());
        }
        item
    }

    /// Release every browser resource at once (the owner went away).
    /// Waiting sends, flushes and streams are woken: they see the socket closed.
    pub(crate) fn shutdown(&mut self) {
        self.socket = None;
        self.timers = Default::default();
        self.poll_timer = None;
        self.online = None;
        self.observer = None;
        for (_, w) in self.waiters.drain(..) {
            w.into_iter().for_each(Waker::wake);
        }
        self.flushers.drain(..).for_each(Waker::wake);
        if let Some(w) = self.inbound_waker.take() {
            w.wake();
        }
        for sub in self.subscribers.drain(..).filter_map(|s| s.upgrade()) {
            if let Some(w) = sub.borrow_mut().waker.take() {
                w.wake();
            }
        }
    }
}
