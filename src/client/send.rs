//! Sending: the cloneable [`Sender`], and the futures that wait on backpressure.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use crate::codec::Codec;
use crate::core::pressure::Ticket;
use crate::web::driver::{self, Shared};
use crate::{Error, Message};

/// A cheap, cloneable handle that sends on a [`Socket`](crate::Socket).
///
/// Sends made through any handle share one backpressure FIFO, so they leave in the order
/// they were made. When the socket is dropped, sends fail with [`Error::Closed`].
pub struct Sender<C: Codec> {
    shared: Shared,
    codec: Rc<C>,
}

impl<C: Codec> Clone for Sender<C> {
    fn clone(&self) -> Self {
        Sender {
            shared: self.shared.clone(),
            codec: self.codec.clone(),
        }
    }
}

impl<C: Codec> Sender<C> {
    pub(crate) fn new(shared: Shared, codec: Rc<C>) -> Self {
        Sender { shared, codec }
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }

    pub(crate) fn codec(&self) -> &C {
        &self.codec
    }

    /// As [`Socket::send`](crate::Socket::send).
    pub fn send(&self, item: C::Out) -> SendFuture {
        self.frame_future(self.codec.encode(&item))
    }

    /// As [`Socket::send_message`](crate::Socket::send_message).
    pub fn send_message(&self, message: Message) -> SendFuture {
        self.frame_future(Ok(message))
    }

    /// As [`Socket::send_json`](crate::Socket::send_json).
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> SendFuture {
        self.frame_future(crate::codec::json_frame(value))
    }

    fn frame_future(&self, frame: Result<Message, Error>) -> SendFuture {
        let mut fut = SendFuture {
            shared: self.shared.clone(),
            frame: None,
            ticket: None,
            done: None,
        };
        match frame {
            Ok(message) => fut.done = fut.attempt(message, None),
            Err(e) => fut.done = Some(Err(e)),
        }
        fut
    }

    /// As [`Socket::try_send`](crate::Socket::try_send).
    ///
    /// # Errors
    /// See [`Socket::try_send`](crate::Socket::try_send).
    pub fn try_send(&self, item: C::Out) -> Result<(), Error> {
        self.try_send_message(self.codec.encode(&item)?)
    }

    /// Send a raw frame without waiting.
    ///
    /// # Errors
    /// See [`Socket::try_send`](crate::Socket::try_send).
    pub fn try_send_message(&self, message: Message) -> Result<(), Error> {
        let result = {
            let mut inner = self.shared.borrow_mut();
            let level = inner.level();
            if inner.gate.try_acquire(level) {
                inner.sup.send(message)
            } else {
                Err(Error::Full(message))
            }
        };
        driver::pump(&self.shared);
        result
    }

    /// As [`Socket::flush`](crate::Socket::flush).
    pub fn flush(&self) -> FlushFuture {
        FlushFuture {
            shared: self.shared.clone(),
        }
    }

    /// As [`Socket::close`](crate::Socket::close).
    ///
    /// # Errors
    /// See [`Socket::close`](crate::Socket::close).
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        let r = self.shared.borrow_mut().sup.close(code, reason);
        driver::pump(&self.shared);
        r
    }
}

/// Resolves when a message is handed to the browser or queued; see
/// [`Socket::send`](crate::Socket::send).
///
/// The message takes its place in line when `send` is called, not when the future is
/// first polled: sends (and `try_send`s) leave in the order they were made. Dropping the
/// future while it waits withdraws the message.
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture {
    shared: Shared,
    frame: Option<Message>,
    ticket: Option<Ticket>,
    done: Option<Result<(), Error>>,
}

impl SendFuture {
    /// Try to hand `message` on now. `None` (message kept, ticket held) while it must wait.
    fn attempt(&mut self, message: Message, waker: Option<&Waker>) -> Option<Result<(), Error>> {
        let result = {
            let mut inner = self.shared.borrow_mut();
            let state = inner.sup.state();
            let admitted = if state.is_closed() || state.is_closed_by_client() {
                true // the supervisor refuses it and hands it back
            } else {
                let level = inner.level();
                match self.ticket {
                    None => inner.gate.try_acquire(level),
                    Some(t) => inner.gate.poll(t, level),
                }
            };
            if admitted {
                inner.sup.send(message)
            } else {
                let t = *self.ticket.get_or_insert_with(|| inner.gate.enqueue());
                match inner.waiters.iter_mut().find(|(w, _)| *w == t) {
                    Some(slot) => slot.1 = waker.cloned().or(slot.1.take()),
                    None => inner.waiters.push_back((t, waker.cloned())),
                }
                self.frame = Some(message);
                drop(inner);
                driver::ensure_polling(&self.shared);
                return None;
            }
        };
        self.cancel_ticket();
        driver::pump(&self.shared);
        Some(result)
    }

    fn cancel_ticket(&mut self) {
        let Some(t) = self.ticket.take() else { return };
        if let Ok(mut inner) = self.shared.try_borrow_mut() {
            inner.gate.cancel(t);
            inner.waiters.retain(|(w, _)| *w != t);
        }
    }
}

impl Future for SendFuture {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        if let Some(done) = this.done.take() {
            return Poll::Ready(done);
        }
        let Some(message) = this.frame.take() else {
            return Poll::Ready(Err(Error::Closed { unsent: None }));
        };
        match this.attempt(message, Some(cx.waker())) {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    }
}

impl Drop for SendFuture {
    fn drop(&mut self) {
        if self.ticket.is_some() {
            self.cancel_ticket();
            driver::wake_head_sender(&self.shared);
        }
    }
}

/// Resolves when nothing is queued or buffered; see [`Socket::flush`](crate::Socket::flush).
#[must_use = "futures do nothing unless awaited"]
pub struct FlushFuture {
    shared: Shared,
}

impl Future for FlushFuture {
    type Output = Result<(), Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        {
            let mut inner = self.shared.borrow_mut();
            let state = inner.sup.state();
            if state.is_closed() || state.is_closed_by_client() {
                return Poll::Ready(Err(Error::Closed { unsent: None }));
            }
            if inner.level() == 0 && inner.waiters.is_empty() {
                return Poll::Ready(Ok(()));
            }
            inner.flushers.push(cx.waker().clone());
        }
        driver::ensure_polling(&self.shared);
        Poll::Pending
    }
}
