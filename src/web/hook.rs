//! What the framework hooks (`crate::leptos`, `crate::yew`) share, whatever the framework.
//!
//! A hook opens its socket with [`Opened::new`], shows the first state and counts
//! (`crate::hook`'s initial ones, as on the server), then hands a [`Glue`] (the framework's
//! signals or render state) to [`Opened::bridge`]. That starts the task that feeds the glue
//! the socket's state and every transition after it in order, passes every inbound item to
//! the application's handler, and re-reads the byte counts every [`POLL_MS`] ms only while
//! they can change without an event. The counts are read on every wake-up; the retry
//! count's reset once the link is stable (no transition) wakes the task too, as the driver
//! wakes state subscribers when the count changes. The [`Bridge`] it returns is what the
//! hook's handles share: each framework's `SocketSender` is a thin wrapper over its send
//! functions.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use futures_core::Stream;

use super::timer::Timeout;
use crate::hook::{Glue, Handler, Metrics, POLL_MS};
use crate::{
    Acked, Builder, CloseInfo, ClosedBy, Codec, ConnectionState, Error, Message, Sender, Socket,
    StateStream, Stats,
};

/// Inbound items handled per wake-up before yielding to the browser.
const BATCH: usize = 256;

impl Metrics {
    fn read<C: Codec>(socket: &Socket<C>) -> Self {
        Metrics {
            ready_state: socket.ready_state(),
            buffered: socket.buffered_amount(),
            queued: socket.queued_amount(),
            retry: socket.retry_count(),
            open: socket.state().is_open(),
            unacked: socket.unacked(),
        }
    }

    /// Whether the counts can change without an event: bytes draining from the browser's
    /// buffer or the queue of an open link. While the link is down the queue only changes
    /// on a send or a state transition, both of which wake the task.
    fn draining(&self) -> bool {
        self.buffered > 0 || (self.open && self.queued > 0)
    }
}

/// A socket opened from a builder, before its task starts.
pub(crate) struct Opened<C: Codec> {
    /// `None` if the builder was invalid.
    socket: Option<Socket<C>>,
    /// Why the builder was invalid: `Closed` with the error in [`CloseInfo::error`].
    failed: Option<ConnectionState>,
}

impl<C: Codec + 'static> Opened<C> {
    /// Open the socket configured by `builder`.
    pub(crate) fn new(builder: Builder<C>) -> Self {
        match builder.open() {
            Ok(socket) => Opened {
                socket: Some(socket),
                failed: None,
            },
            Err(error) => Opened {
                socket: None,
                failed: Some(ConnectionState::Closed(CloseInfo {
                    code: 1006,
                    reason: error.to_string(),
                    was_clean: false,
                    by: ClosedBy::Client,
                    error: Some(error),
                })),
            },
        }
    }

    /// Start the task that feeds `glue`: the socket's state (first the one it has now, which
    /// replaces the hook's initial render) and every transition after it, and its counts;
    /// or, once, the `Closed` state of an invalid builder and zero counts. Either comes
    /// after the current task, so after hydration. Inbound items go to the handler set with
    /// [`Bridge::set_handler`].
    pub(crate) fn bridge(self, glue: Rc<dyn Glue>) -> Rc<Bridge<C>> {
        let states = self.socket.as_ref().map(Socket::states);
        let bridge = Rc::new(Bridge {
            sender: self.socket.as_ref().map(Socket::sender),
            socket: RefCell::new(self.socket),
            on_message: RefCell::new(None),
            glue: RefCell::new(Some(glue)),
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
        } else if let Some(failed) = self.failed {
            let b = bridge.clone();
            wasm_bindgen_futures::spawn_local(async move {
                if let Some(glue) = b.glue() {
                    glue.state(failed);
                    glue.metrics(Metrics::default());
                }
            });
        }
        bridge
    }
}

/// What the hook's handles and its task share.
///
/// The send functions take `None` for a hook whose bridge is gone (a Leptos owner that was
/// cleaned up): the fire-and-forget sends then do nothing and the others fail with
/// [`Error::Closed`].
pub(crate) struct Bridge<C: Codec> {
    /// `None` once stopped (or if the builder was invalid).
    socket: RefCell<Option<Socket<C>>>,
    sender: Option<Sender<C>>,
    on_message: RefCell<Option<Handler<C>>>,
    /// `None` once stopped.
    glue: RefCell<Option<Rc<dyn Glue>>>,
    /// Sends made through the hook that are still waiting.
    pending: Cell<usize>,
    /// Wakes the task that pumps states, messages and byte counts.
    waker: RefCell<Option<Waker>>,
    stopped: Cell<bool>,
}

impl<C: Codec + 'static> Bridge<C> {
    /// Pass the inbound items to `handler` from now on (not after stop).
    pub(crate) fn set_handler(&self, handler: Handler<C>) {
        if !self.stopped.get() {
            *self.on_message.borrow_mut() = Some(handler);
        }
    }

    /// Close the socket (code 1000) and release everything; idempotent.
    pub(crate) fn stop(&self) {
        if self.stopped.replace(true) {
            return;
        }
        let socket = self.socket.borrow_mut().take();
        drop(socket);
        let handler = self.on_message.borrow_mut().take();
        drop(handler);
        let glue = self.glue.borrow_mut().take();
        drop(glue);
        let waker = self.waker.borrow_mut().take();
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// As [`Socket::reconnect`].
    pub(crate) fn reconnect(this: Option<&Rc<Self>>) -> Result<(), Error> {
        let b = this.ok_or(Error::Closed { unsent: None })?;
        let socket = b.socket.borrow();
        match socket.as_ref() {
            Some(s) => s.reconnect(),
            None => Err(Error::Closed { unsent: None }),
        }
    }

    /// As [`Socket::stats`]; `None` once stopped.
    pub(crate) fn stats(this: Option<&Rc<Self>>) -> Option<Stats> {
        let socket = this?.socket.borrow();
        socket.as_ref().map(Socket::stats)
    }

    /// The core sender; `None` if the socket could not be opened.
    pub(crate) fn sender(this: Option<&Rc<Self>>) -> Option<Sender<C>> {
        this.and_then(|b| b.sender.clone())
    }

    /// Send `item` without waiting; a failure goes to `on_message`.
    pub(crate) fn send(this: Option<&Rc<Self>>, item: C::Out) {
        if let Some(b) = this {
            match &b.sender {
                Some(s) => Bridge::spawn_send(b, s.send(item)),
                None => b.report(Error::Closed { unsent: None }),
            }
        }
    }

    /// Send a raw frame without waiting; a failure goes to `on_message`.
    pub(crate) fn send_message(this: Option<&Rc<Self>>, message: Message) {
        if let Some(b) = this {
            match &b.sender {
                Some(s) => Bridge::spawn_send(b, s.send_message(message)),
                None => b.report(Error::Closed {
                    unsent: Some(message),
                }),
            }
        }
    }

    /// Send a value as JSON without waiting; a failure goes to `on_message`.
    #[cfg(feature = "json")]
    pub(crate) fn send_json<T: serde::Serialize + ?Sized>(this: Option<&Rc<Self>>, value: &T) {
        if let Some(b) = this {
            match &b.sender {
                Some(s) => Bridge::spawn_send(b, s.send_json(value)),
                None => b.report(Error::Closed { unsent: None }),
            }
        }
    }

    /// Send `item`, resolving as [`Socket::send`]'s future does.
    pub(crate) fn send_async(
        this: Option<&Rc<Self>>,
        item: C::Out,
    ) -> impl Future<Output = Result<(), Error>> + 'static {
        Bridge::waiting(this, |s| s.send(item))
    }

    /// As [`Socket::send_acked`]: resolves when the peer acknowledges `item`.
    pub(crate) fn send_acked(
        this: Option<&Rc<Self>>,
        item: C::Out,
    ) -> impl Future<Output = Result<Acked, Error>> + 'static {
        Bridge::acked(this, |s| s.send_acked(item))
    }

    /// As [`Socket::request`]: resolves with the peer's answer.
    pub(crate) fn request(
        this: Option<&Rc<Self>>,
        item: C::Out,
    ) -> impl Future<Output = Result<C::In, Error>> + 'static {
        Bridge::acked(this, |s| s.request(item))
    }

    /// Start a tracked send now (it takes its place in the send order, and the unacked
    /// count is re-read at once); the future waits for its acknowledgement.
    fn acked<T, F>(
        this: Option<&Rc<Self>>,
        start: impl FnOnce(&Sender<C>) -> F,
    ) -> impl Future<Output = Result<T, Error>> + 'static
    where
        F: Future<Output = Result<T, Error>> + 'static,
    {
        let started = this.and_then(|b| b.sender.as_ref().map(|s| (b.clone(), start(s))));
        if let Some((b, _)) = &started {
            b.kick();
        }
        async move {
            match started {
                Some((b, fut)) => {
                    let r = fut.await;
                    b.kick();
                    r
                }
                None => Err(Error::Closed { unsent: None }),
            }
        }
    }

    /// As [`Socket::try_send`].
    pub(crate) fn try_send(this: Option<&Rc<Self>>, item: C::Out) -> Result<(), Error> {
        let b = this.ok_or(Error::Closed { unsent: None })?;
        let s = b.sender.as_ref().ok_or(Error::Closed { unsent: None })?;
        let r = s.try_send(item);
        b.kick();
        r
    }

    /// As [`Socket::flush`].
    pub(crate) fn flush(
        this: Option<&Rc<Self>>,
    ) -> impl Future<Output = Result<(), Error>> + 'static {
        Bridge::waiting(this, Sender::flush)
    }

    /// As [`Socket::close`].
    pub(crate) fn close(this: Option<&Rc<Self>>, code: u16, reason: &str) -> Result<(), Error> {
        let b = this.ok_or(Error::Closed { unsent: None })?;
        let s = b.sender.as_ref().ok_or(Error::Closed { unsent: None })?;
        let r = s.close(code, reason);
        b.kick();
        r
    }

    /// Start a future on the sender now and count it as a waiting send until it ends.
    fn waiting<F>(
        this: Option<&Rc<Self>>,
        start: impl FnOnce(&Sender<C>) -> F,
    ) -> impl Future<Output = Result<(), Error>> + 'static
    where
        F: Future<Output = Result<(), Error>> + 'static,
    {
        let started = this.and_then(|b| b.sender.as_ref().map(|s| (Waiting::new(b), start(s))));
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

    /// The framework side, while not stopped (never while a borrow is held).
    fn glue(&self) -> Option<Rc<dyn Glue>> {
        if self.stopped.get() {
            return None;
        }
        self.glue.borrow().clone()
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

/// The hook's poll timer: a [`Timeout`] of [`POLL_MS`] that wakes the task.
struct Tick {
    _timeout: Timeout,
    fired: Rc<Cell<bool>>,
}

impl Tick {
    fn new(waker: Waker) -> Self {
        let fired = Rc::new(Cell::new(false));
        let flag = fired.clone();
        let timeout = Timeout::new(u64::from(POLL_MS), move || {
            flag.set(true);
            waker.wake();
        });
        Tick {
            _timeout: timeout,
            fired,
        }
    }

    fn fired(&self) -> bool {
        self.fired.get()
    }
}

/// The hook's task: state transitions, inbound items and byte counts.
struct Pump<C: Codec + 'static> {
    bridge: Rc<Bridge<C>>,
    states: Option<StateStream>,
    timer: Option<Tick>,
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
                    if let Some(glue) = bridge.glue() {
                        glue.state(state);
                    }
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
        if let Some(glue) = bridge.glue() {
            glue.metrics(now);
        }

        if now.draining() || bridge.pending.get() > 0 {
            if this.timer.as_ref().is_none_or(Tick::fired) {
                this.timer = Some(Tick::new(cx.waker().clone()));
            }
        } else {
            this.timer = None;
        }
        Poll::Pending
    }
}
