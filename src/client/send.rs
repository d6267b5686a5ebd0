//! Sending: the cloneable [`Sender`], and the futures that wait on backpressure.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

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
        SendFuture {
            shared: self.shared.clone(),
            frame: Some(frame),
            ticket: None,
        }
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
/// [`Socket::send`](crate::Socket::send). Dropping it before then withdraws the message.
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture {
    shared: Shared,
    frame: Option<Result<Message, Error>>,
    ticket: Option<Ticket>,
}

impl Future for SendFuture {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        let message = match this.frame.take() {
            Some(Ok(m)) => m,
            Some(Err(e)) => return Poll::Ready(Err(e)),
            None => return Poll::Ready(Err(Error::Closed { unsent: None })),
        };
        let result = {
            let mut inner = this.shared.borrow_mut();
            let state = inner.sup.state();
            if state.is_closed() || state.is_closed_by_client() {
                Some(inner.sup.send(message))
            } else {
                let level = inner.level();
                let admitted = match this.ticket {
                    None => inner.gate.try_acquire(level),
                    Some(t) => inner.gate.poll(t, level),
                };
                if admitted {
                    if let Some(t) = this.ticket.take() {
                        inner.waiters.retain(|(w, _)| *w != t);
                    }
                    Some(inner.sup.send(message))
                } else {
                    let t = *this.ticket.get_or_insert_with(|| inner.gate.enqueue());
                    match inner.waiters.iter_mut().find(|(w, _)| *w == t) {
                        Some(slot) => slot.1 = cx.waker().clone(),
                        None => inner.waiters.push_back((t, cx.waker().clone())),
                    }
                    this.frame = Some(Ok(message));
                    None
                }
            }
        };
        match result {
            Some(r) => {
                this.cancel_ticket();
                driver::pump(&this.shared);
                Poll::Ready(r)
            }
            None => {
                driver::ensure_polling(&this.shared);
                Poll::Pending
            }
        }
    }
}

impl SendFuture {
    fn cancel_ticket(&mut self) {
        let Some(t) = self.ticket.take() else { return };
        if let Ok(mut inner) = self.shared.try_borrow_mut() {
            inner.gate.cancel(t);
            inner.waiters.retain(|(w, _)| *w != t);
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
            if inner.sup.state().is_closed() {
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
