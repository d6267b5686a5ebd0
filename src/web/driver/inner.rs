//! Reads of a connection's state, subscriptions, and the release of its resources.

use std::cell::RefCell;
use std::rc::{Rc, Weak};
use std::task::Waker;

use super::{Inner, Shared, StateQueue};
use crate::core::inbound::Next;
use crate::web::socket::{BrowserSocket, Frame};
use crate::{ConnectionState, Error, ReadyState};

// The socket's properties are read with no borrow of `Inner` held: the socket may be the
// application's own `WebSocket` class, whose getters are application code that may
// dispatch events (and so call back into the driver) at once.

/// The current socket, cloned out of the borrow.
fn current<P>(shared: &Shared<P>) -> Option<Rc<BrowserSocket>> {
    shared.borrow().socket.as_ref().map(|(_, s)| s.clone())
}

/// `bufferedAmount` of the current socket (0 between attempts).
pub(crate) fn buffered_amount<P>(shared: &Shared<P>) -> usize {
    current(shared).map_or(0, |s| s.buffered_amount())
}

/// `readyState` of the current socket (`Connecting` or `Closed` between attempts).
pub(crate) fn ready_state<P: Frame>(shared: &Shared<P>) -> ReadyState {
    if let Some(s) = current(shared) {
        return s.ready_state();
    }
    match shared.borrow().sup.state() {
        ConnectionState::Connecting { .. } => ReadyState::Connecting,
        _ => ReadyState::Closed,
    }
}

/// The subprotocol the current socket's server selected ("" if none).
pub(crate) fn protocol<P>(shared: &Shared<P>) -> String {
    current(shared).map_or_else(String::new, |s| s.protocol())
}

impl<P: Frame> Inner<P> {
    /// Bytes in flight: `buffered` (the socket's `bufferedAmount`, read beforehand with
    /// [`buffered_amount`], outside the borrow) plus the outbound queue.
    pub(crate) fn level(&self, buffered: usize) -> usize {
        buffered + self.sup.queued_bytes()
    }

    /// The URL of the latest attempt ("" before the first).
    pub(crate) fn url(&self) -> String {
        self.sup.url().unwrap_or_default().to_owned()
    }

    /// The current socket if it is `id`, to be called once the borrow is released.
    pub(crate) fn socket_of(&self, id: u64) -> Option<Rc<BrowserSocket>> {
        match self.socket.as_ref() {
            Some((sid, s)) if *sid == id => Some(s.clone()),
            _ => None,
        }
    }

    /// Wake the state subscribers (once the borrow is released) without a new state.
    pub(super) fn wake_subscribers(&mut self) {
        for sub in self.subscribers.iter().filter_map(Weak::upgrade) {
            self.wakes.extend(sub.borrow_mut().waker.take());
        }
    }

    pub(crate) fn subscribe(&mut self) -> Rc<RefCell<StateQueue>> {
        let q = Rc::new(RefCell::new(StateQueue::default()));
        q.borrow_mut().items.push_back(self.sup.state().clone());
        self.subscribers.push(Rc::downgrade(&q));
        q
    }

    /// Next buffered inbound item (a lag report first, if messages were discarded), or
    /// register for a wake-up.
    pub(crate) fn next_inbound(&mut self, waker: &Waker) -> Option<Result<P, Error<P>>> {
        match self.inbound.pop() {
            Some(Next::Item(item)) => Some(item),
            Some(Next::Lagged(n)) => Some(Err(Error::Lagged(n))),
            None => {
                self.inbound_waker = Some(waker.clone());
                None
            }
        }
    }

    /// Release every browser resource at once (the owner went away; the socket was taken
    /// and dropped outside the borrow before, see `close_and_release`). Waiting sends are
    /// refused (their messages handed back); returns the wakers of everything waiting,
    /// to be woken once the borrow is released.
    pub(crate) fn shutdown(&mut self) -> Vec<Waker> {
        self.socket = None;
        self.timers = Default::default();
        self.poll_timer = None;
        self.online = None;
        let mut wakes = std::mem::take(&mut self.wakes);
        for w in self.waiters.drain(..) {
            self.gate.cancel(w.ticket);
            let unsent = Some(w.message);
            self.finished
                .push((w.ticket, Err(Error::Closed { unsent })));
            wakes.extend(w.waker);
        }
        self.close_slots();
        wakes.append(&mut self.wakes);
        wakes.append(&mut self.flushers);
        wakes.extend(self.inbound_waker.take());
        for sub in self.subscribers.drain(..).filter_map(|s| s.upgrade()) {
            wakes.extend(sub.borrow_mut().waker.take());
        }
        wakes
    }
}
