//! The vocabulary between the supervisor and its driver: events, actions, timers.

use super::backoff::Decision;
use super::delivery::Id;
use super::message::Message;
use super::state::ConnectionState;
use crate::Error;
use alloc::{string::String, vec::Vec};

/// The timers the supervisor may arm; at most one of each kind is armed at a time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Timer {
    /// Backoff delay before the next attempt.
    Backoff,
    /// Limit on resolving the URL plus opening the socket.
    ConnectTimeout,
    /// The link stayed open long enough to reset the attempt counter.
    Stable,
    /// Time to send the next heartbeat ping.
    Ping,
    /// No inbound message since the last ping: the link is dead.
    PongTimeout,
    /// The server did not finish the application's close in time.
    CloseTimeout,
    /// The earliest deadline of a tracked message's acknowledgement came.
    AckTimeout,
}

impl Timer {
    /// Every timer, in the order of [`index`](Self::index) (the npm module numbers them so).
    pub const ALL: [Timer; 7] = [
        Timer::Backoff,
        Timer::ConnectTimeout,
        Timer::Stable,
        Timer::Ping,
        Timer::PongTimeout,
        Timer::CloseTimeout,
        Timer::AckTimeout,
    ];

    /// The timer's place in [`ALL`](Self::ALL).
    pub fn index(self) -> usize {
        self as usize
    }
}

/// Something that happened, reported by the driver. `P` is the [`Payload`](super::message::Payload) the driver
/// carries (a [`Message`] for the Rust API).
#[derive(Debug, Clone, PartialEq)]
pub enum Event<P = Message> {
    /// The URL provider finished for attempt `id`.
    UrlResolved {
        /// Attempt id from [`Action::ResolveUrl`].
        id: u64,
        /// The URL, or the provider's error text.
        result: Result<String, String>,
    },
    /// Socket `id` fired `open`.
    Opened {
        /// Socket id.
        id: u64,
    },
    /// Socket `id` fired `close`.
    Closed {
        /// Socket id.
        id: u64,
        /// `CloseEvent.code`.
        code: u16,
        /// `CloseEvent.reason`.
        reason: String,
        /// `CloseEvent.wasClean`.
        was_clean: bool,
    },
    /// Socket `id` received a message.
    Message {
        /// Socket id.
        id: u64,
        /// The message.
        message: P,
    },
    /// A [`Action::Send`] could not be handed to socket `id` (it was no longer open).
    Bounced {
        /// Socket id.
        id: u64,
        /// The message, to be queued again at the head.
        message: P,
        /// The action's `tracked` (a tracked message stays in the credit window, which
        /// sends it again on the next socket).
        tracked: bool,
    },
    /// The browser refused to create socket `id` at all (the `WebSocket` constructor
    /// threw: no `WebSocket` in this environment, or a content security policy). Retrying
    /// cannot help, so the connection ends.
    Refused {
        /// Socket id.
        id: u64,
        /// The exception's text.
        error: String,
    },
    /// Socket `id` received a message longer than [`Config::max_message_size`]
    /// (`size` bytes); the browser layer reports its length without copying it.
    ///
    /// [`Config::max_message_size`]: super::config::Config::max_message_size
    Oversized {
        /// Socket id.
        id: u64,
        /// The message's length in bytes (at least this many for text, whose UTF-8
        /// length is known only after copying).
        size: u64,
    },
    /// The answer to [`Action::Classify`]: the application's classifier, run by the
    /// driver outside any borrow.
    Classified {
        /// Socket id from the action.
        id: u64,
        /// Retry or stop.
        decision: Decision,
    },
    /// An armed timer expired.
    Timer(Timer),
    /// The browser went online.
    Online,
    /// The browser went offline.
    Offline,
    /// The page came back: it was resumed after being frozen, restored from the
    /// back/forward cache, or became visible. Its timers may have been stopped or
    /// throttled, so the link is checked now: with a heartbeat, a ping goes out at once
    /// (unless one is already waiting for its answer: its answer may be queued behind
    /// its timeout, which then probes again instead of failing the link); a connection
    /// waiting to retry (and online) retries at once.
    ///
    /// A connection [suspended](Event::Suspended) reconnects at once (when online; else
    /// it waits for `online` as after a drop).
    Resumed,
    /// The page is going into the back/forward cache
    /// ([`pagehide`](https://developer.mozilla.org/en-US/docs/Web/API/Window/pagehide_event)
    /// with `persisted`). A page there runs nothing, and an open socket may keep it out
    /// of the cache, so the current socket is closed (code 1000, reason `"going away"`:
    /// a page may not send 1001) and every timer is disarmed; the queue and the tracked
    /// messages are kept, nothing counts as a failure, and the state becomes
    /// `Reconnecting` with [`Cause::Suspended`] (a connection already waiting to retry
    /// keeps its state). [`Event::Resumed`] reconnects at once. A connection closing or
    /// closed, or asking the application's classifier (whose answer must stand), is left
    /// as it is.
    ///
    /// ```
    /// use resocket::core::event::Event;
    /// use resocket::core::supervisor::Supervisor;
    /// use resocket::{Cause, Config, ConnectionState, Message};
    ///
    /// let url = Some("wss://example.com/".into());
    /// let mut sup: Supervisor = Supervisor::new(Config::new(), url, 1);
    /// sup.start(true);
    /// sup.handle(0, Event::Opened { id: 1 });
    /// sup.handle(10, Event::Suspended); // pagehide, persisted
    /// assert!(matches!(
    ///     sup.state(),
    ///     ConnectionState::Reconnecting { cause: Cause::Suspended, .. }
    /// ));
    /// sup.send(Message::Text("kept".into())).unwrap(); // queued, not refused
    /// assert_eq!(sup.queued_len(), 1);
    /// sup.handle(60_000, Event::Resumed); // pageshow, persisted: no backoff
    /// assert!(matches!(sup.state(), ConnectionState::Connecting { .. }));
    /// ```
    ///
    /// [`Cause::Suspended`]: super::state::Cause::Suspended
    Suspended,
}

/// Something the driver must do, carrying the driver's [`Payload`](super::message::Payload) `P`.
#[derive(Debug, Clone, PartialEq)]
pub enum Action<P = Message> {
    /// Call the URL provider, then report [`Event::UrlResolved`] with this id.
    ResolveUrl {
        /// Attempt id.
        id: u64,
    },
    /// Open a browser socket for `url`, reporting its events with this id.
    Connect {
        /// Socket id.
        id: u64,
        /// The URL.
        url: String,
    },
    /// Send a message on socket `id` (report [`Event::Bounced`] if it is not open).
    Send {
        /// Socket id.
        id: u64,
        /// The message.
        message: P,
        /// A tracked message (acknowledged delivery): the core keeps it until it is
        /// acknowledged, so a driver that holds the payload elsewhere keeps it too.
        tracked: bool,
    },
    /// Send a heartbeat ping on socket `id` (dropped silently if it is not open).
    Ping {
        /// Socket id.
        id: u64,
        /// The ping message.
        message: Message,
    },
    /// Start the closing handshake of socket `id` and keep reporting its events.
    Close {
        /// Socket id.
        id: u64,
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// Close socket `id`, detach its listeners and forget it.
    Abandon {
        /// Socket id.
        id: u64,
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
    },
    /// Ask the application's [`CloseClassifier::custom`] whether to retry after socket
    /// `id` closed with `code` and `reason`, then report [`Event::Classified`]. Only a
    /// custom classifier is asked this way (it is application code, which the driver
    /// runs outside any borrow, so it may call back into the socket); the built-in
    /// rules are applied at once. Until the answer arrives the connection waits:
    /// sends are queued, and `close()`/`reconnect()` take effect as during a backoff.
    ///
    /// [`CloseClassifier::custom`]: super::backoff::CloseClassifier::custom
    Classify {
        /// Socket id.
        id: u64,
        /// `CloseEvent.code`.
        code: u16,
        /// `CloseEvent.reason`.
        reason: String,
    },
    /// Report an error to the application (an inbound message over the size limit).
    Report(Error<P>),
    /// Arm a timer (replacing one of the same kind).
    SetTimer {
        /// Which timer.
        timer: Timer,
        /// Delay.
        after_ms: u64,
    },
    /// Disarm a timer.
    CancelTimer(Timer),
    /// Hand an inbound message to the application.
    Deliver(P),
    /// The connection state changed.
    State(ConnectionState),
    /// Queued messages were evicted by the `DropOldest` policy.
    Dropped(Vec<P>),
    /// Queued messages that will never be sent (the socket closed for good).
    Unsent(Vec<P>),
    /// Tracked messages the peer acknowledged, in the order they were sent (see
    /// [`Supervisor::ack`](super::supervisor::Supervisor::ack)).
    Acked(Vec<(Id, P)>),
    /// Tracked messages whose acknowledgement was waited for until their deadline: they
    /// are no longer tracked nor sent again. They may or may not have arrived.
    Expired(Vec<(Id, P)>),
    /// Tracked messages not acknowledged when the connection closed for good, in order.
    /// They may or may not have arrived.
    Unacked(Vec<(Id, P)>),
}

/// Counters over the life of a connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Successful re-opens after the first open.
    pub reconnects: u64,
    /// Messages delivered to the application.
    pub messages_in: u64,
    /// Payload bytes delivered to the application.
    pub bytes_in: u64,
    /// Messages handed to the browser socket.
    pub messages_out: u64,
    /// Payload bytes handed to the browser socket.
    pub bytes_out: u64,
    /// Messages evicted from the queue by the overflow policy.
    pub dropped: u64,
    /// Last heartbeat round-trip time.
    pub last_rtt_ms: Option<u64>,
    /// Tracked messages acknowledged by the peer.
    pub acked: u64,
    /// Tracked messages sent again on a new socket (a count of sends, so one message
    /// re-sent after two drops counts twice).
    pub replayed: u64,
}
