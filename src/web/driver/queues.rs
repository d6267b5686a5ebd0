//! What the driver keeps for waiting senders and state subscribers.

use std::collections::VecDeque;
use std::task::Waker;

use crate::core::pressure::Ticket;
use crate::{ConnectionState, Message};

/// Most unread transitions a [`StateQueue`] keeps; older ones are skipped (and counted).
pub(crate) const STATE_QUEUE_MAX: usize = 64;

/// A subscriber's queue of state transitions, bounded by [`STATE_QUEUE_MAX`].
#[derive(Default)]
pub(crate) struct StateQueue {
    pub(crate) items: VecDeque<ConnectionState>,
    pub(crate) waker: Option<Waker>,
    pub(crate) skipped: u64,
}

impl StateQueue {
    pub(super) fn push(&mut self, state: ConnectionState) -> Option<Waker> {
        if self.items.len() >= STATE_QUEUE_MAX {
            self.items.pop_front();
            self.skipped += 1;
        }
        self.items.push_back(state);
        self.waker.take()
    }
}

/// A `send().await` waiting under backpressure. The driver hands its message on as soon
/// as there is room, whether or not the future is being polled.
pub(crate) struct Waiting<P = Message> {
    pub(crate) ticket: Ticket,
    pub(crate) message: P,
    /// A tracked message: it waits for room in the credit window too.
    pub(crate) track: Option<super::Track>,
    pub(crate) waker: Option<Waker>,
}
