//! Sending: the cloneable [`Sender`], and the futures that wait on backpressure.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use std::time::Duration;

use crate::client::delivery::Acked;
use crate::codec::Codec;
use crate::core::delivery::Id;
use crate::core::pressure::Ticket;
use crate::web::driver::{self, acks, Shared, Track, Waiting};
use crate::web::socket::Frame;
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
        let tracked = frame.and_then(|m| acks::read_id(&self.shared, m, None));
        let wait = match tracked {
            Ok((message, track)) => send_future(&self.shared, message, track),
            Err(e) => SendWait {
                shared: self.shared.clone(),
                state: SendState::Done(Err(e)),
            },
        };
        SendFuture(wait)
    }

    /// As [`Socket::send_acked`](crate::Socket::send_acked).
    pub fn send_acked(&self, item: C::Out) -> AckFuture {
        AckFuture(ack_future(&self.shared, self.codec.encode(&item), None))
    }

    /// As [`Socket::send_acked_within`](crate::Socket::send_acked_within).
    pub fn send_acked_within(&self, item: C::Out, timeout: Duration) -> AckFuture {
        let ms = Some(duration_ms(timeout));
        AckFuture(ack_future(&self.shared, self.codec.encode(&item), ms))
    }

    /// As [`Socket::send_message_acked`](crate::Socket::send_message_acked).
    pub fn send_message_acked(&self, message: Message) -> AckFuture {
        AckFuture(ack_future(&self.shared, Ok(message), None))
    }

    /// As [`Socket::request`](crate::Socket::request).
    pub fn request(&self, item: C::Out) -> RequestFuture<C> {
        RequestFuture {
            wait: ack_future(&self.shared, self.codec.encode(&item), None),
            codec: self.codec.clone(),
        }
    }

    /// As [`Socket::request_within`](crate::Socket::request_within).
    pub fn request_within(&self, item: C::Out, timeout: Duration) -> RequestFuture<C> {
        let ms = Some(duration_ms(timeout));
        RequestFuture {
            wait: ack_future(&self.shared, self.codec.encode(&item), ms),
            codec: self.codec.clone(),
        }
    }

    /// As [`Socket::unacked`](crate::Socket::unacked).
    pub fn unacked(&self) -> usize {
        self.shared.borrow().sup.unacked_len()
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
        let (message, track) = acks::read_id(&self.shared, message, None)?;
        try_submit(&self.shared, message, track)
    }

    /// As [`Socket::flush`](crate::Socket::flush).
    pub fn flush(&self) -> FlushFuture {
        FlushFuture::new(&self.shared)
    }

    /// As [`Socket::close`](crate::Socket::close).
    ///
    /// # Errors
    /// See [`Socket::close`](crate::Socket::close).
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        close(&self.shared, code, reason)
    }
}

/// Hand `payload` on now, or refuse it ([`Error::Full`]) when others wait or the gate is
/// shut; a closed socket or a full queue refuse it as [`Supervisor::send`] does.
///
/// [`Supervisor::send`]: crate::core::supervisor::Supervisor::send
pub(crate) fn try_submit<P: Frame>(
    shared: &Shared<P>,
    payload: P,
    track: Option<Track>,
) -> Result<(), Error<P>> {
    let buffered = driver::buffered_amount(shared);
    let result = {
        let mut inner = shared.borrow_mut();
        let level = inner.level(buffered);
        if inner.waiters.is_empty() && inner.gate.try_acquire(level) {
            inner.hand_on(payload, track)
        } else {
            Err(Error::Full(payload))
        }
    };
    driver::pump(shared);
    result
}

/// Close for good with `code` and `reason`.
pub(crate) fn close<P: Frame>(shared: &Shared<P>, code: u16, reason: &str) -> Result<(), Error<P>> {
    let r = shared.borrow_mut().sup.close(code, reason);
    driver::pump(shared);
    r
}

/// A send of `payload` that waits under backpressure (see [`SendFuture`]).
pub(crate) fn send_future<P: Frame>(
    shared: &Shared<P>,
    payload: P,
    track: Option<Track>,
) -> SendWait<P> {
    SendWait {
        shared: shared.clone(),
        state: submit(shared, payload, track),
    }
}

/// Hand `message` on now if nothing waits and there is room (in the credit window too,
/// for a tracked message); otherwise join the line.
fn submit<P: Frame>(shared: &Shared<P>, message: P, track: Option<Track>) -> SendState<P> {
    let buffered = driver::buffered_amount(shared);
    let now = {
        let mut inner = shared.borrow_mut();
        let state = inner.sup.state();
        let closed = state.is_closed() || state.is_closed_by_client();
        let level = inner.level(buffered);
        let go = closed
            || (inner.waiters.is_empty()
                && inner.has_room(message.len(), track.is_some())
                && inner.gate.try_acquire(level));
        if go {
            Some(inner.hand_on(message, track))
        } else {
            let ticket = inner.gate.enqueue();
            // Not held: the caller waits for this send, and its buffer is handed to the
            // browser as it is once there is room (it is held if it goes to the queue).
            inner.waiters.push_back(Waiting {
                ticket,
                message,
                track,
                waker: None,
            });
            drop(inner);
            driver::ensure_polling(shared);
            return SendState::Waiting(ticket);
        }
    };
    driver::pump(shared);
    SendState::Done(now.unwrap_or(Ok(())))
}

enum SendState<P> {
    Done(Result<(), Error<P>>),
    Waiting(Ticket),
    Taken,
}

/// Resolves when a message is handed to the browser or queued; see
/// [`Socket::send`](crate::Socket::send).
///
/// The message takes its place in line when `send` is called, not when the future is
/// first polled: sends (and `try_send`s) leave in the order they were made. A waiting
/// message is handed on as soon as there is room, whether or not the future is polled
/// (so a future that is never polled blocks nobody); the future only reports the result.
/// Dropping the future while its message still waits withdraws the message.
#[must_use = "futures do nothing unless awaited"]
pub struct SendFuture(SendWait<Message>);

impl Future for SendFuture {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// [`SendFuture`] for any payload the driver carries.
pub(crate) struct SendWait<P: Frame> {
    shared: Shared<P>,
    state: SendState<P>,
}

impl<P: Frame> Unpin for SendWait<P> {}

impl<P: Frame> Future for SendWait<P> {
    type Output = Result<(), Error<P>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let ticket = match std::mem::replace(&mut self.state, SendState::Taken) {
            SendState::Done(result) => return Poll::Ready(result),
            SendState::Taken => return Poll::Ready(Err(Error::Closed { unsent: None })),
            SendState::Waiting(t) => t,
        };
        let mut inner = self.shared.borrow_mut();
        if let Some(i) = inner.finished.iter().position(|(t, _)| *t == ticket) {
            return Poll::Ready(inner.finished.swap_remove(i).1);
        }
        match inner.waiters.iter_mut().find(|w| w.ticket == ticket) {
            Some(w) => {
                w.waker = Some(cx.waker().clone());
                drop(inner);
                self.state = SendState::Waiting(ticket);
                Poll::Pending
            }
            None => Poll::Ready(Err(Error::Closed { unsent: None })),
        }
    }
}

impl<P: Frame> Drop for SendWait<P> {
    fn drop(&mut self) {
        let SendState::Waiting(ticket) = self.state else {
            return;
        };
        let withdrew_head = {
            let Ok(mut inner) = self.shared.try_borrow_mut() else {
                return;
            };
            inner.finished.retain(|(t, _)| *t != ticket);
            let head = inner.waiters.front().is_some_and(|w| w.ticket == ticket);
            inner.waiters.retain(|w| w.ticket != ticket);
            inner.gate.cancel(ticket);
            head
        };
        if withdrew_head {
            driver::pump(&self.shared);
        }
    }
}

/// Resolves when nothing is queued or buffered; see [`Socket::flush`](crate::Socket::flush).
#[must_use = "futures do nothing unless awaited"]
pub struct FlushFuture(FlushWait<Message>);

impl FlushFuture {
    pub(crate) fn new(shared: &Shared) -> Self {
        FlushFuture(FlushWait::new(shared))
    }
}

impl Future for FlushFuture {
    type Output = Result<(), Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

/// [`FlushFuture`] for any payload the driver carries.
pub(crate) struct FlushWait<P: Frame> {
    shared: Shared<P>,
}

impl<P: Frame> FlushWait<P> {
    pub(crate) fn new(shared: &Shared<P>) -> Self {
        FlushWait {
            shared: shared.clone(),
        }
    }
}

impl<P: Frame> Future for FlushWait<P> {
    type Output = Result<(), Error<P>>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        {
            let buffered = driver::buffered_amount(&self.shared);
            let mut inner = self.shared.borrow_mut();
            let state = inner.sup.state();
            if state.is_closed() || state.is_closed_by_client() {
                return Poll::Ready(Err(Error::Closed { unsent: None }));
            }
            if inner.level(buffered) == 0 && inner.waiters.is_empty() {
                return Poll::Ready(Ok(()));
            }
            inner.flushers.push(cx.waker().clone());
        }
        driver::ensure_polling(&self.shared);
        Poll::Pending
    }
}

/// Milliseconds of `d`, saturated.
fn duration_ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A tracked send of `frame` whose future waits for its acknowledgement.
pub(crate) fn ack_future<P: Frame>(
    shared: &Shared<P>,
    frame: Result<P, Error<P>>,
    timeout_ms: Option<u64>,
) -> AckWait<P> {
    let failed = |e| AckWait {
        shared: shared.clone(),
        state: AckState::Done(Err(e)),
    };
    let (message, track) = match frame.and_then(|m| acks::read_id(shared, m, timeout_ms)) {
        Ok(read) => read,
        Err(e) => return failed(e),
    };
    let Some(mut track) = track else {
        let reason = if shared.borrow().readers.is_some() {
            "the message has no id"
        } else {
            "acknowledged delivery is off (Builder::delivery)"
        };
        return failed(Error::InvalidId {
            reason: reason.into(),
            message: Some(message),
        });
    };
    let key = shared.borrow_mut().slot_key();
    track.slot = Some(key);
    let id = track.id.clone();
    AckWait {
        shared: shared.clone(),
        state: AckState::Sending {
            send: send_future(shared, message, Some(track)),
            key,
            id,
        },
    }
}

enum AckState<P: Frame> {
    Done(Result<(Id, P), Error<P>>),
    /// Waiting to be handed on (as `send().await`).
    Sending {
        send: SendWait<P>,
        key: u64,
        id: Id,
    },
    /// Handed on; waiting for the acknowledgement in slot `key`.
    Acking {
        key: u64,
        id: Id,
    },
    Taken,
}

/// [`AckFuture`] for any payload the driver carries.
pub(crate) struct AckWait<P: Frame> {
    shared: Shared<P>,
    state: AckState<P>,
}

impl<P: Frame> Unpin for AckWait<P> {}

impl<P: Frame> Future for AckWait<P> {
    type Output = Result<(Id, P), Error<P>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let (key, id) = match std::mem::replace(&mut self.state, AckState::Taken) {
            AckState::Done(r) => return Poll::Ready(r),
            AckState::Taken => return Poll::Ready(Err(Error::Closed { unsent: None })),
            AckState::Sending { mut send, key, id } => match Pin::new(&mut send).poll(cx) {
                Poll::Ready(Ok(())) => (key, id),
                Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                Poll::Pending => {
                    self.state = AckState::Sending { send, key, id };
                    return Poll::Pending;
                }
            },
            AckState::Acking { key, id } => (key, id),
        };
        let mut inner = self.shared.borrow_mut();
        let Some(i) = inner.acks.iter().position(|s| s.key == key) else {
            return Poll::Ready(Err(Error::Closed { unsent: None }));
        };
        if inner.acks[i].result.is_some() {
            let slot = inner.acks.swap_remove(i);
            let result = slot.result.unwrap_or(Err(Error::Closed { unsent: None }));
            return Poll::Ready(result.map(|m| (id, m)));
        }
        inner.acks[i].waker = Some(cx.waker().clone());
        drop(inner);
        self.state = AckState::Acking { key, id };
        Poll::Pending
    }
}

impl<P: Frame> Drop for AckWait<P> {
    fn drop(&mut self) {
        let key = match &self.state {
            AckState::Sending { key, .. } | AckState::Acking { key, .. } => *key,
            _ => return,
        };
        // The message stays tracked (sent again on a new link until acknowledged); only
        // the wait for its acknowledgement ends.
        if let Ok(mut inner) = self.shared.try_borrow_mut() {
            inner.acks.retain(|s| s.key != key);
        }
    }
}

/// Resolves when the peer acknowledges the message; see
/// [`Socket::send_acked`](crate::Socket::send_acked).
///
/// Dropping it while the message still waits for room withdraws the message, as with
/// [`SendFuture`]; dropping it once the message was handed on only stops waiting: the
/// message stays tracked, and is sent again on a new link until it is acknowledged.
#[must_use = "futures do nothing unless awaited"]
pub struct AckFuture(AckWait<Message>);

impl Future for AckFuture {
    type Output = Result<Acked, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0)
            .poll(cx)
            .map(|r| r.map(|(id, message)| Acked { id, message }))
    }
}

/// Resolves with the peer's answer, decoded by the codec; see
/// [`Socket::request`](crate::Socket::request).
#[must_use = "futures do nothing unless awaited"]
pub struct RequestFuture<C: Codec> {
    wait: AckWait<Message>,
    codec: Rc<C>,
}

impl<C: Codec> Future for RequestFuture<C> {
    type Output = Result<C::In, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        match Pin::new(&mut this.wait).poll(cx) {
            // The codec is application code: no borrow is held here.
            Poll::Ready(r) => Poll::Ready(r.and_then(|(_, m)| this.codec.decode(m))),
            Poll::Pending => Poll::Pending,
        }
    }
}
