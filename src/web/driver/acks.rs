//! Acknowledged delivery in the driver: tracked sends, inbound acknowledgements, and the
//! sends waiting for theirs (`send_acked`).
//!
//! The application's readers run with no borrow held: the id reader before a send
//! borrows the state ([`read_id`]), the ack reader on a delivered message before the
//! acknowledgement is handed to the core in a fresh borrow ([`consumed`]).

use std::task::Waker;

use super::{now_ms, Inner, Shared};
use crate::core::delivery::Id;
use crate::web::socket::Frame;
use crate::Error;

/// How a send is tracked (its id was read from the message).
pub(crate) struct Track {
    pub(crate) id: Id,
    pub(crate) timeout_ms: Option<u64>,
    /// The [`AckSlot`] waiting for its acknowledgement (`send_acked`), if any.
    pub(crate) slot: Option<u64>,
}

/// A send waiting for its acknowledgement.
pub(crate) struct AckSlot<P> {
    pub(crate) key: u64,
    pub(crate) id: Id,
    /// `Ok` with the acknowledging message, or why it will never come.
    pub(crate) result: Option<Result<P, Error<P>>>,
    pub(crate) waker: Option<Waker>,
}

/// Read the id of `message` with the application's reader, with no borrow held.
///
/// `Ok(None)`: not tracked (acknowledged delivery off, or a message without an id).
///
/// # Errors
/// [`Error::InvalidId`] with the message when the reader finds an invalid id.
pub(crate) fn read_id<P: Frame>(
    shared: &Shared<P>,
    message: P,
    timeout_ms: Option<u64>,
) -> Result<(P, Option<Track>), Error<P>> {
    let Some(readers) = shared.borrow().readers.clone() else {
        return Ok((message, None));
    };
    match (readers.id)(&message) {
        Ok(None) => Ok((message, None)),
        Ok(Some(id)) => {
            let timeout_ms = timeout_ms.or(readers.timeout_ms);
            let track = Track {
                id,
                timeout_ms,
                slot: None,
            };
            Ok((message, Some(track)))
        }
        Err(reason) => Err(Error::InvalidId {
            reason,
            message: Some(message),
        }),
    }
}

impl<P: Frame> Inner<P> {
    /// Whether a send of `len` bytes (tracked or not) has room now.
    pub(crate) fn has_room(&self, len: usize, tracked: bool) -> bool {
        if tracked {
            self.sup.has_room_tracked(len)
        } else {
            self.sup.has_room(len)
        }
    }

    /// [`has_room`](Self::has_room) for a send that waited (a tracked one enters a window
    /// that was full again from its low mark on).
    pub(crate) fn admits_waiting(&mut self, len: usize, tracked: bool) -> bool {
        if tracked {
            self.sup.admits_waiting_tracked(len)
        } else {
            self.sup.has_room(len)
        }
    }

    /// Hand a message to the core: tracked if it has an id, and then waited for by its
    /// slot, if it has one.
    pub(crate) fn hand_on(&mut self, message: P, track: Option<Track>) -> Result<(), Error<P>> {
        let Some(track) = track else {
            return self.sup.send(message);
        };
        let id = track.id.clone();
        self.sup
            .send_tracked(now_ms(), message, track.id, track.timeout_ms)?;
        if let Some(key) = track.slot {
            self.acks.push(AckSlot {
                key,
                id,
                result: None,
                waker: None,
            });
        }
        Ok(())
    }

    /// A fresh slot key.
    pub(crate) fn slot_key(&mut self) -> u64 {
        self.next_slot += 1;
        self.next_slot
    }

    /// Settle the waiting slot of `id` with `result`; `Err(result)` when none waits.
    fn settle(&mut self, id: &Id, result: Result<P, Error<P>>) -> Result<(), Result<P, Error<P>>> {
        match self
            .acks
            .iter_mut()
            .find(|s| s.result.is_none() && &s.id == id)
        {
            Some(slot) => {
                slot.result = Some(result);
                self.wakes.extend(slot.waker.take());
                Ok(())
            }
            None => Err(result),
        }
    }

    /// Whether a `send_acked` waits for `id`.
    fn waits(&self, id: &Id) -> bool {
        self.acks.iter().any(|s| s.result.is_none() && &s.id == id)
    }

    /// Every waiting slot ends with [`Error::Closed`] (the socket is gone).
    pub(crate) fn close_slots(&mut self) {
        for slot in self.acks.iter_mut().filter(|s| s.result.is_none()) {
            slot.result = Some(Err(Error::Closed { unsent: None }));
            self.wakes.extend(slot.waker.take());
        }
    }
}

/// If `message` is an acknowledgement (the application's ack reader, run with no borrow
/// held, says so), hand it to the core and return `true`: it is consumed, not delivered.
pub(super) fn consumed<P: Frame>(shared: &Shared<P>, message: &P) -> bool {
    let Some(reader) = shared.borrow().readers.as_ref().map(|r| r.ack.clone()) else {
        return false;
    };
    let Some(ack) = reader(message) else {
        return false;
    };
    let mut inner = shared.borrow_mut();
    if inner.sup.ack(now_ms(), &ack) > 0 {
        inner.ack_messages.push_back(message.clone());
    }
    true
}

/// Tracked messages were acknowledged: their `send_acked` futures resolve with the
/// acknowledging message. Plain sends need nothing.
pub(super) fn acked<P: Frame>(shared: &Shared<P>, done: Vec<(Id, P)>) {
    let mut inner = shared.borrow_mut();
    let Some(ack) = inner.ack_messages.pop_front() else {
        return;
    };
    for (id, _) in done {
        let _ = inner.settle(&id, Ok(ack.clone()));
    }
    inner.wake_subscribers();
}

/// Tracked messages ended without an acknowledgement: a waiting `send_acked` gets
/// `error(message)`; the messages nobody waits for are returned, in order, for the stream.
pub(super) fn settle<P: Frame>(
    shared: &Shared<P>,
    ended: Vec<(Id, P)>,
    error: impl Fn(P) -> Error<P>,
) -> Vec<P> {
    let mut rest = Vec::new();
    let mut inner = shared.borrow_mut();
    for (id, m) in ended {
        if inner.waits(&id) {
            let _ = inner.settle(&id, Err(error(m)));
        } else {
            rest.push(m);
        }
    }
    inner.wake_subscribers();
    rest
}
