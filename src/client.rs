//! The Rust API: [`Socket`], its [`Builder`], a cloneable [`Sender`] and a [`StateStream`].
//!
//! The [`Builder`] is the same on every target. Off wasm32 (a server rendering Leptos or
//! Yew) the socket types come from `native.rs`: they cannot be constructed, because
//! [`Builder::open`] fails there, so that code written for the browser still type-checks.

use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use futures_core::Stream;

use crate::codec::{Codec, Raw};
use crate::{Config, ConnectionState, Error, Heartbeat, QueueConfig, ReconnectPolicy, WaterMarks};
#[cfg(target_arch = "wasm32")]
use {
    crate::web::driver::{self, Provider, Shared, StateQueue},
    crate::web::url,
    crate::{Message, ReadyState, Stats},
    std::cell::RefCell,
    std::task::{Context, Poll},
};

pub(crate) mod delivery;
#[cfg(target_arch = "wasm32")]
pub(crate) mod send;
#[cfg(feature = "json")]
pub use delivery::JsonDelivery;
pub use delivery::{Acked, Delivery, Sequence};
#[cfg(target_arch = "wasm32")]
pub use send::{AckFuture, FlushFuture, RequestFuture, SendFuture, Sender};

#[cfg(not(target_arch = "wasm32"))]
mod native;
#[cfg(not(target_arch = "wasm32"))]
use native::Provider;
#[cfg(all(not(target_arch = "wasm32"), any(feature = "leptos", feature = "yew")))]
pub(crate) use native::NO_BROWSER;
#[cfg(not(target_arch = "wasm32"))]
pub use native::{AckFuture, FlushFuture, RequestFuture, SendFuture, Sender, Socket, StateStream};

/// A resilient browser WebSocket.
///
/// It reconnects under its [`ReconnectPolicy`], queues sends while the link is down,
/// applies backpressure on `bufferedAmount`, and yields inbound values decoded by its
/// [`Codec`] as a [`Stream`] of `Result<C::In, Error>` (a frame that does not decode is an
/// `Err(Error::Decode)` item; the stream goes on). The stream ends when the socket is
/// closed for good. Dropping the socket closes the connection (code 1000) and releases
/// every listener and timer.
///
/// ```no_run
/// # async fn demo() -> Result<(), resocket::Error> {
/// use futures::StreamExt;
/// use resocket::{codec::Json, ReconnectPolicy, Socket};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Chat { text: String }
///
/// let mut socket = Socket::builder("/chat")
///     .reconnect(ReconnectPolicy::default().max_attempts(Some(10)))
///     .codec(Json::<Chat>::new())
///     .connect()
///     .await?;
/// socket.send(Chat { text: "hi".into() }).await?;
/// while let Some(item) = socket.next().await {
///     match item {
///         Ok(chat) => println!("{}", chat.text),
///         Err(e) => eprintln!("{e}"), // decode errors, dropped or unsent messages
///     }
/// }
/// # Ok(()) }
/// ```
#[cfg(target_arch = "wasm32")]
pub struct Socket<C: Codec = Raw> {
    sender: Sender<C>,
    /// The item `Sink::start_send` handed on that may still wait under backpressure.
    sinking: Option<SendFuture>,
}

/// Where each attempt gets its URL.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // no attempts off the browser
enum UrlSource {
    Fixed(String),
    Provider(Provider),
}

/// Configures and opens a [`Socket`].
pub struct Builder<C: Codec = Raw> {
    url: UrlSource,
    config: Config,
    codec: C,
    delivery: Option<Delivery>,
    /// The shared connection's name ([`Builder::share`]).
    #[cfg(feature = "share")]
    share: Option<String>,
}

impl Socket<Raw> {
    /// Connect to `url` with the default configuration and wait until it is open.
    ///
    /// # Errors
    /// See [`Builder::connect`].
    pub async fn connect(url: &str) -> Result<Socket<Raw>, Error> {
        Socket::builder(url).connect().await
    }

    /// Start configuring a socket for a fixed URL (relative URLs resolve against the page;
    /// `http(s):` becomes `ws(s):`).
    pub fn builder(url: impl Into<String>) -> Builder<Raw> {
        Builder {
            url: UrlSource::Fixed(url.into()),
            config: Config::new(),
            codec: Raw,
            delivery: None,
            #[cfg(feature = "share")]
            share: None,
        }
    }

    /// Start configuring a socket whose URL comes from `provider` before every attempt
    /// (for example to fetch a fresh auth token). A provider error counts as a failed
    /// attempt and is retried under the policy.
    pub fn builder_with_provider<F, Fut>(provider: F) -> Builder<Raw>
    where
        F: Fn() -> Fut + 'static,
        Fut: Future<Output = Result<String, String>> + 'static,
    {
        let provider: Provider = Rc::new(move || Box::pin(provider()));
        Builder {
            url: UrlSource::Provider(provider),
            config: Config::new(),
            codec: Raw,
            delivery: None,
            #[cfg(feature = "share")]
            share: None,
        }
    }
}

impl<C: Codec> Builder<C> {
    /// Subprotocols to offer. Default: none.
    pub fn protocols<I, S>(mut self, protocols: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.config.protocols = protocols.into_iter().map(Into::into).collect();
        self
    }

    /// Reconnection policy. Default: [`ReconnectPolicy::default`].
    pub fn reconnect(mut self, policy: ReconnectPolicy) -> Self {
        self.config.reconnect = policy;
        self
    }

    /// Outbound queue bounds and overflow policy. Default: [`QueueConfig::default`].
    pub fn queue(mut self, queue: QueueConfig) -> Self {
        self.config.queue = queue;
        self
    }

    /// Backpressure water marks. Default: 1 MiB high, 256 KiB low.
    pub fn water_marks(mut self, marks: WaterMarks) -> Self {
        self.config.water_marks = marks;
        self
    }

    /// Enable the heartbeat. Default: off.
    pub fn heartbeat(mut self, heartbeat: Heartbeat) -> Self {
        self.config.heartbeat = Some(heartbeat);
        self
    }

    /// The largest message sent or received, in bytes; see
    /// [`Config::max_message_size`]. Default: 16 MiB.
    pub fn max_message_size(mut self, bytes: usize) -> Self {
        self.config.max_message_size = bytes;
        self
    }

    /// Bounds of the stream's buffer of unread messages; see [`Config::inbound`].
    /// Default: 4096 messages, 16 MiB.
    pub fn inbound(mut self, limits: crate::InboundLimits) -> Self {
        self.config.inbound = limits;
        self
    }

    /// Replace the whole configuration. (Its [`Config::delivery`] window only matters
    /// with [`Builder::delivery`], whose window replaces it: without the application's
    /// readers no message has an id to be tracked by.)
    pub fn config(mut self, config: Config) -> Self {
        self.config = config;
        self
    }

    /// Use another codec for typed messages.
    pub fn codec<D: Codec>(self, codec: D) -> Builder<D> {
        Builder {
            url: self.url,
            config: self.config,
            codec,
            delivery: self.delivery,
            #[cfg(feature = "share")]
            share: self.share,
        }
    }

    /// One connection for every socket of the origin that uses this share name and URL:
    /// sockets of one page (components, hooks), tabs, frames and workers. One context
    /// leads and holds the real WebSocket, with its own options (reconnection, heartbeat,
    /// protocols); every socket of the share keeps its own queue, limits, backpressure and
    /// acknowledged delivery, and its sends go through the leader. Leadership moves when
    /// the leading context closes the socket, unloads, is frozen or hidden into the
    /// back/forward cache, or stops answering; a frame the old leader did not send goes
    /// out through the next one, once. How it works, and its limits per engine: the
    /// project's `docs/sharing.md`.
    ///
    /// Needs Web Locks and BroadcastChannel (secure contexts): without them a share covers
    /// the sockets of one context. The npm package's `share` option runs the same module
    /// and protocol. With acknowledged delivery every member reads every
    /// acknowledgement: give messages ids unique across the share.
    ///
    /// ```
    /// use resocket::Socket;
    ///
    /// let builder = Socket::builder("/live").share("live-feed");
    /// # let _ = builder;
    /// ```
    #[cfg(feature = "share")]
    pub fn share(mut self, name: impl Into<String>) -> Self {
        self.share = Some(name.into());
        self
    }

    /// Acknowledged delivery: messages with an id are kept until the peer acknowledges
    /// them and sent again on every new link until then; see [`Delivery`]. Default: off.
    ///
    /// ```
    /// use resocket::{Delivery, Socket, WindowConfig};
    ///
    /// let builder = Socket::builder("/chat").delivery(
    ///     Delivery::json().window(WindowConfig::default().max_messages(32)).timeout_ms(10_000),
    /// );
    /// # let _ = builder;
    /// ```
    pub fn delivery(mut self, delivery: impl Into<Delivery>) -> Self {
        self.delivery = Some(delivery.into());
        self
    }

    /// Open the socket now and return at once (state `Connecting`); sends are queued until
    /// it opens.
    ///
    /// # Errors
    /// [`Error::InvalidUrl`] for a bad fixed URL, [`Error::InvalidOption`] for a bad
    /// configuration. Off wasm32 (on a server) there is no browser WebSocket: a valid
    /// configuration gives `Error::Js("no browser WebSocket on this target")`.
    pub fn open(mut self) -> Result<Socket<C>, Error> {
        if let Some(d) = &self.delivery {
            self.config.delivery = Some(d.window.clone());
        }
        self.config.validate()?;
        #[cfg(feature = "share")]
        if self.share.as_deref() == Some("") {
            return Err(Error::InvalidOption {
                option: "share".into(),
                reason: "must not be empty (the name of the shared connection)".into(),
            });
        }
        self.start()
    }

    /// Open the socket and wait until it is open.
    ///
    /// # Errors
    /// Those of [`Builder::open`]; then, if the connection is closed for good before it
    /// opens, the reason: [`Error::ConnectFailed`] (reconnection disabled),
    /// [`Error::GaveUp`] (policy limits), or [`Error::Closed`].
    pub async fn connect(self) -> Result<Socket<C>, Error> {
        let socket = self.open()?;
        let mut states = socket.states();
        loop {
            match std::future::poll_fn(|cx| Pin::new(&mut states).poll_next(cx)).await {
                Some(ConnectionState::Open) => return Ok(socket),
                Some(ConnectionState::Closed(info)) => {
                    return Err(info.error.unwrap_or(Error::Closed { unsent: None }))
                }
                Some(_) => {}
                None => return Err(Error::Closed { unsent: None }),
            }
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl<C: Codec> Builder<C> {
    /// [`Builder::open`] once the configuration is valid.
    fn start(self) -> Result<Socket<C>, Error> {
        let (fixed, provider) = match self.url {
            UrlSource::Fixed(u) => (Some(url::resolve(&u)?), None),
            UrlSource::Provider(p) => (None, Some(p)),
        };
        let readers = self.delivery.map(|d| d.readers);
        #[cfg(feature = "share")]
        if let Some(name) = &self.share {
            let member = crate::web::share::Membership::join(
                name,
                &self.config,
                fixed.clone(),
                provider.clone(),
            )
            .map_err(Error::Js)?;
            // A member has no heartbeat of its own: the host's checks the server, and the
            // share checks the leader.
            let mut config = self.config;
            config.heartbeat = None;
            let via = driver::Via::Member(member);
            let shared = driver::start_via(config, fixed, provider, readers, via);
            return Ok(Socket {
                sender: Sender::new(shared, Rc::new(self.codec)),
                sinking: None,
            });
        }
        let shared = driver::start(self.config, fixed, provider, readers);
        Ok(Socket {
            sender: Sender::new(shared, Rc::new(self.codec)),
            sinking: None,
        })
    }
}

#[cfg(target_arch = "wasm32")]
impl<C: Codec> Socket<C> {
    fn shared(&self) -> &Shared {
        self.sender.shared()
    }

    /// Encode and send a value, waiting while backpressure applies (buffered + queued bytes
    /// above the high-water mark, until they fall below the low mark). Resolves when the
    /// message is handed to the browser or queued for the next connection — not when the
    /// server has it: `bufferedAmount == 0` does not mean delivered.
    ///
    /// # Errors
    /// [`Error::Encode`], [`Error::QueueFull`], [`Error::Closed`]; those refusing a message
    /// hand it back.
    pub fn send(&self, item: C::Out) -> SendFuture {
        self.sender.send(item)
    }

    /// Send without waiting.
    ///
    /// # Errors
    /// [`Error::Full`] (with the message) when backpressure applies or other sends are
    /// waiting — a `try_send` never overtakes a waiting `send`; otherwise as [`Socket::send`].
    pub fn try_send(&self, item: C::Out) -> Result<(), Error> {
        self.sender.try_send(item)
    }

    /// Send a raw frame, bypassing the codec (still queued and backpressured).
    pub fn send_message(&self, message: Message) -> SendFuture {
        self.sender.send_message(message)
    }

    /// Serialize any value as a JSON text frame and send it.
    #[cfg(feature = "json")]
    pub fn send_json<T: serde::Serialize + ?Sized>(&self, value: &T) -> SendFuture {
        self.sender.send_json(value)
    }

    /// Send a value and wait until the peer acknowledges it (acknowledged delivery, see
    /// [`Builder::delivery`]). The message's id is read by the [`Delivery`]'s id reader;
    /// it is tracked as every message with an id is: it waits for room in the credit
    /// window (and under backpressure, as [`Socket::send`]), is kept until acknowledged,
    /// and is sent again on every new link until then (the server drops duplicates by
    /// id). The builder's default timeout applies ([`Delivery::timeout_ms`]); see
    /// [`Socket::send_acked_within`] for one of its own.
    ///
    /// The inbound acknowledgement is not yielded by the socket's stream.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), resocket::Error> {
    /// use resocket::{codec::Json, Delivery, Sequence, Socket};
    ///
    /// #[derive(serde::Serialize, serde::Deserialize)]
    /// struct Chat { id: u64, text: String }
    ///
    /// let socket = Socket::builder("/chat")
    ///     .delivery(Delivery::json())
    ///     .codec(Json::<Chat>::new())
    ///     .connect()
    ///     .await?;
    /// let seq = Sequence::new();
    /// let acked = socket.send_acked(Chat { id: seq.next(), text: "hi".into() }).await?;
    /// println!("message {} delivered", acked.id);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Each hands the message back ([`Error::into_unsent`]): [`Error::InvalidId`]
    /// (delivery is off, or the message has no valid id), [`Error::DuplicateId`] (a
    /// message with that id is still in flight), [`Error::AckTimeout`] (not acknowledged
    /// in time; it is no longer sent again, and may or may not have arrived),
    /// [`Error::Unacked`] (the socket closed for good first), [`Error::Closed`],
    /// [`Error::TooLarge`], [`Error::Encode`] (nothing to hand back). If the socket is
    /// dropped meanwhile: [`Error::Closed`].
    pub fn send_acked(&self, item: C::Out) -> AckFuture {
        self.sender.send_acked(item)
    }

    /// [`Socket::send_acked`] with a timeout of its own: not acknowledged within
    /// `timeout` (counted from the call), it fails with [`Error::AckTimeout`].
    pub fn send_acked_within(&self, item: C::Out, timeout: std::time::Duration) -> AckFuture {
        self.sender.send_acked_within(item, timeout)
    }

    /// [`Socket::send_acked`] of a raw frame, bypassing the codec.
    pub fn send_message_acked(&self, message: Message) -> AckFuture {
        self.sender.send_message_acked(message)
    }

    /// Send a request and wait for the answer: the acknowledgement of its id (for
    /// example `{"ack": 7, "response": …}` with [`Delivery::json`]), decoded by the
    /// socket's codec. Delivery is that of [`Socket::send_acked`]: the request is sent
    /// again on a new link until answered, so the server must answer a duplicate id
    /// again rather than process it twice.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), resocket::Error> {
    /// use resocket::{codec::Json, Delivery, Socket};
    ///
    /// #[derive(serde::Serialize)]
    /// struct Ask { id: u64, request: String }
    /// #[derive(serde::Deserialize)]
    /// struct Answer { ack: u64, response: String }
    ///
    /// let socket = Socket::builder("/api")
    ///     .delivery(Delivery::json().timeout_ms(5_000))
    ///     .codec(Json::<Answer, Ask>::new())
    ///     .connect()
    ///     .await?;
    /// let answer = socket.request(Ask { id: 1, request: "time".into() }).await?;
    /// println!("{}: {}", answer.ack, answer.response);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// Those of [`Socket::send_acked`], and [`Error::Decode`] (with the answer) when the
    /// codec cannot decode the answer.
    pub fn request(&self, item: C::Out) -> RequestFuture<C> {
        self.sender.request(item)
    }

    /// [`Socket::request`] with a timeout of its own, as [`Socket::send_acked_within`].
    pub fn request_within(&self, item: C::Out, timeout: std::time::Duration) -> RequestFuture<C> {
        self.sender.request_within(item, timeout)
    }

    /// Tracked messages not yet acknowledged (at most the window's `max_messages`).
    pub fn unacked(&self) -> usize {
        self.shared().borrow().sup.unacked_len()
    }

    /// Bytes of the tracked messages not yet acknowledged.
    pub fn unacked_bytes(&self) -> usize {
        self.shared().borrow().sup.unacked_bytes()
    }

    /// Wait until the queue is empty and `bufferedAmount` is 0.
    ///
    /// `bufferedAmount` 0 means the browser handed the bytes on, not that the server read
    /// them; WebKit reports 0 almost at once whatever the peer does.
    ///
    /// # Errors
    /// [`Error::Closed`] if the socket closes for good first.
    pub fn flush(&self) -> FlushFuture {
        self.sender.flush()
    }

    /// A cheap, cloneable handle that can send on this socket.
    pub fn sender(&self) -> Sender<C> {
        self.sender.clone()
    }

    /// Close with `code` and `reason`; no reconnection follows. Closing twice is a no-op.
    ///
    /// # Errors
    /// [`Error::InvalidCloseCode`] (only 1000 and 3000–4999 are allowed) or
    /// [`Error::InvalidCloseReason`] (over 123 UTF-8 bytes); nothing is sent then and the
    /// socket stays as it was.
    pub fn close(&self, code: u16, reason: &str) -> Result<(), Error> {
        self.sender.close(code, reason)
    }

    /// Drop the current link (if any) and connect again now, also after the policy gave up.
    ///
    /// # Errors
    /// [`Error::Closed`] after [`Socket::close`].
    pub fn reconnect(&self) -> Result<(), Error> {
        driver::reconnect(self.shared())
    }

    /// The connection state.
    pub fn state(&self) -> ConnectionState {
        self.shared().borrow().sup.state().clone()
    }

    /// Every state transition, in order, starting with the current state.
    pub fn states(&self) -> StateStream {
        StateStream {
            queue: self.shared().borrow_mut().subscribe(),
            done: false,
        }
    }

    /// [`readyState`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/readyState)
    /// of the current browser socket (`Closed` between attempts).
    pub fn ready_state(&self) -> ReadyState {
        crate::web::driver::ready_state(self.shared())
    }

    /// [`bufferedAmount`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/bufferedAmount)
    /// of the current browser socket (0 between attempts).
    ///
    /// Engines differ. Chromium and Firefox count bytes not yet passed to the network, so
    /// the value grows while the server is not reading and backpressure bounds the page's
    /// memory. WebKit hands data to a separate network process and may report 0 for bytes
    /// the peer has not read, so there the gate engages only once that process stops
    /// taking data. In no engine does 0 mean "delivered".
    pub fn buffered_amount(&self) -> usize {
        crate::web::driver::buffered_amount(self.shared())
    }

    /// Bytes waiting in the outbound queue for the next connection.
    pub fn queued_amount(&self) -> usize {
        self.shared().borrow().sup.queued_bytes()
    }

    /// The subprotocol the server selected ("" if none or not open).
    pub fn protocol(&self) -> String {
        crate::web::driver::protocol(self.shared())
    }

    /// The absolute URL of the latest attempt.
    pub fn url(&self) -> String {
        self.shared().borrow().url()
    }

    /// Retries made in the current outage.
    pub fn retry_count(&self) -> u32 {
        self.shared().borrow().sup.retry_count()
    }

    /// Counters: reconnects, messages and bytes in and out, last heartbeat RTT, tracked
    /// messages acknowledged and sent again. `messages_in` counts the inbound
    /// acknowledgements too (they arrive as messages), although the stream does not
    /// yield them.
    pub fn stats(&self) -> Stats {
        #[allow(unused_mut)]
        let mut stats = self.shared().borrow().sup.stats();
        // A shared connection's round trip is its host's (a member has no heartbeat),
        // asked of share.js with no borrow held.
        #[cfg(feature = "share")]
        if let Some(member) = self.member() {
            stats.last_rtt_ms = crate::web::share::rtt(&member);
        }
        stats
    }

    /// This socket's member of its shared connection, out of the borrow.
    #[cfg(feature = "share")]
    fn member(&self) -> Option<crate::web::share::Member> {
        match &self.shared().borrow().via {
            Some(driver::Via::Member(m)) => Some(m.member().clone()),
            _ => None,
        }
    }

    /// This socket's place in its shared connection ([`Builder::share`]): `None` when it
    /// is not shared.
    #[cfg(feature = "share")]
    pub fn share_role(&self) -> Option<crate::ShareRole> {
        self.member().map(|m| crate::web::share::role(&m))
    }
}

/// As a [`Sink`](futures_sink::Sink), a socket holds at most one item waiting under
/// backpressure: `poll_ready` is pending while it waits (above the high-water mark), so
/// `SinkExt::send` and `send_all` are backpressured like [`Socket::send`]. `poll_flush`
/// waits until that item is handed on; `poll_close` then closes with 1000.
#[cfg(target_arch = "wasm32")]
impl<C: Codec> futures_sink::Sink<C::Out> for Socket<C> {
    type Error = Error;

    fn poll_ready(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.as_mut().poll_sinking(cx)
    }

    fn start_send(mut self: Pin<&mut Self>, item: C::Out) -> Result<(), Error> {
        let fut = self.sender.send(item);
        self.sinking = Some(fut);
        Ok(())
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        self.as_mut().poll_sinking(cx)
    }

    fn poll_close(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        match self.as_mut().poll_sinking(cx) {
            Poll::Ready(Ok(())) => Poll::Ready(self.close(1000, "")),
            other => other,
        }
    }
}

#[cfg(target_arch = "wasm32")]
impl<C: Codec> Socket<C> {
    /// Drive the item handed to the sink until the browser or the queue has it.
    fn poll_sinking(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Result<(), Error>> {
        let this = self.get_mut();
        let Some(fut) = this.sinking.as_mut() else {
            return Poll::Ready(Ok(()));
        };
        let done = Pin::new(fut).poll(cx);
        if done.is_ready() {
            this.sinking = None;
        }
        done
    }
}

#[cfg(target_arch = "wasm32")]
impl<C: Codec> Stream for Socket<C> {
    type Item = Result<C::In, Error>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let next = {
            let mut inner = self.shared().borrow_mut();
            match inner.next_inbound(cx.waker()) {
                Some(item) => item,
                None if inner.sup.state().is_closed() => return Poll::Ready(None),
                None => return Poll::Pending,
            }
        };
        // The codec is application code: it runs with no borrow held.
        Poll::Ready(Some(
            next.and_then(|frame| self.sender.codec().decode(frame)),
        ))
    }
}

#[cfg(target_arch = "wasm32")]
impl<C: Codec> Drop for Socket<C> {
    fn drop(&mut self) {
        driver::close_and_release(self.shared());
    }
}

/// Every [`ConnectionState`] transition of a socket, in order, starting with the state
/// at subscription. Ends after a `Closed` caused by the application, or when the socket
/// is gone. (A `Closed` from the policy may still be followed by `reconnect()`.)
///
/// The stream is bounded: a stream that falls more than 64 transitions behind (nobody
/// polls it) skips the oldest ones, counted by [`StateStream::skipped`]; the latest
/// transitions, and so the current state, are always kept.
#[cfg(target_arch = "wasm32")]
pub struct StateStream {
    queue: Rc<RefCell<StateQueue>>,
    done: bool,
}

#[cfg(target_arch = "wasm32")]
impl StateStream {
    /// Transitions skipped because this stream was not read fast enough.
    pub fn skipped(&self) -> u64 {
        self.queue.borrow().skipped
    }
}

#[cfg(target_arch = "wasm32")]
impl Stream for StateStream {
    type Item = ConnectionState;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.done {
            return Poll::Ready(None);
        }
        let next = {
            let mut q = self.queue.borrow_mut();
            match q.items.pop_front() {
                Some(s) => Some(s),
                None if Rc::weak_count(&self.queue) == 0 => None,
                None => {
                    q.waker = Some(cx.waker().clone());
                    return Poll::Pending;
                }
            }
        };
        // The application's close is final: nothing can follow it.
        self.done = next
            .as_ref()
            .is_none_or(|s| s.is_closed() && s.is_closed_by_client());
        Poll::Ready(next)
    }
}
