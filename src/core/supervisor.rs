//! The sans-IO connection supervisor: events in, actions out, time and randomness passed in.
//!
//! The driver (`src/web/driver.rs` in the browser, a simulation in tests) feeds every
//! socket event, timer expiry and application request to [`Supervisor`] with the current
//! time in milliseconds, then executes the [`Action`]s it returns, in order, through
//! [`Supervisor::poll_action`]. Nothing here touches the browser.

use alloc::collections::VecDeque;
use alloc::{borrow::ToOwned, string::String};

use super::close;
use super::config::Config;
use super::delivery::{Ack, Entry, Id, Window};
use super::event::{Action, Event, Stats, Timer};
use super::message::{Message, Payload};
use super::outbox::{Outbox, Push};
use super::state::{Cause, ClosedBy, ConnectionState};
use crate::Error;

mod events;
pub use events::LATE_TIMER_MS;
mod lifecycle;
mod page;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Resolving(u64),
    Connecting(u64),
    Open(u64),
    /// Socket `id` closed; the application's classifier is being asked (see
    /// [`Action::Classify`]). Behaves like `Backoff` for the application's calls.
    Classifying(u64),
    Backoff,
    /// The page went into the back/forward cache ([`Event::Suspended`]): no socket, no
    /// timer; the next attempt starts when it is shown again ([`Event::Resumed`]).
    Suspended,
    Closing(u64),
    Closed,
}

/// The connection state machine. See the module docs. `P` is the [`Payload`] it carries
/// from `send()` to the socket and from the socket to the application.
#[derive(Debug)]
pub struct Supervisor<P = Message> {
    config: Config,
    fixed_url: Option<String>,
    phase: Phase,
    state: ConnectionState,
    outbox: Outbox<P>,
    /// Tracked messages not yet acknowledged (acknowledged delivery).
    window: Window<P>,
    next_id: u64,
    failures: u32,
    outage_since: Option<u64>,
    online: bool,
    /// The application called `close()`: `reconnect()` is refused from then on, even
    /// when the policy had already ended the connection.
    app_closed: bool,
    opened_once: bool,
    armed: [bool; Timer::ALL.len()],
    ping_sent_at: Option<u64>,
    /// When the armed [`Timer::PongTimeout`] is due.
    pong_due: Option<u64>,
    /// The page came back ([`Event::Resumed`]) while a ping waited for its answer: the
    /// answer may be queued behind the timeout, which then probes again.
    resumed_while_probing: bool,
    /// The latest time given to [`handle`](Self::handle).
    last_now: u64,
    /// When the armed [`Timer::AckTimeout`] fires.
    ack_due: Option<u64>,
    /// The cause waiting for the classifier's answer (`Phase::Classifying`).
    classifying: Option<Cause>,
    url: Option<String>,
    rng: u64,
    stats: Stats,
    actions: VecDeque<Action<P>>,
}

impl<P: Payload + Clone> Supervisor<P> {
    /// A supervisor for `config`. `fixed_url` is the URL when it never changes (`None`
    /// when a provider is asked before every attempt, see [`Action::ResolveUrl`]).
    /// `seed` feeds the backoff jitter.
    pub fn new(config: Config, fixed_url: Option<String>, seed: u64) -> Self {
        let outbox = Outbox::new(config.queue.clone());
        let window = Window::new(config.delivery.clone().unwrap_or_default());
        Supervisor {
            config,
            fixed_url,
            phase: Phase::Idle,
            state: ConnectionState::Connecting { attempt: 0 },
            outbox,
            window,
            next_id: 0,
            failures: 0,
            outage_since: None,
            online: true,
            app_closed: false,
            opened_once: false,
            armed: [false; Timer::ALL.len()],
            ping_sent_at: None,
            pong_due: None,
            resumed_while_probing: false,
            last_now: 0,
            ack_due: None,
            classifying: None,
            url: None,
            rng: seed,
            stats: Stats::default(),
            actions: VecDeque::new(),
        }
    }

    /// Begin the first connection attempt. `online` is the browser's `navigator.onLine`.
    pub fn start(&mut self, online: bool) {
        if self.phase == Phase::Idle {
            self.online = online;
            self.begin_attempt();
        }
    }

    /// The next thing the driver must do, in order.
    pub fn poll_action(&mut self) -> Option<Action<P>> {
        self.actions.pop_front()
    }

    /// How many actions wait for [`poll_action`](Self::poll_action).
    pub fn pending_actions(&self) -> usize {
        self.actions.len()
    }

    /// The next action, left in place.
    pub fn peek_action(&self) -> Option<&Action<P>> {
        self.actions.front()
    }

    /// The current connection state.
    pub fn state(&self) -> &ConnectionState {
        &self.state
    }

    /// The id of the socket the supervisor considers current (connecting, open or closing).
    pub fn socket_id(&self) -> Option<u64> {
        match self.phase {
            Phase::Connecting(id) | Phase::Open(id) | Phase::Closing(id) => Some(id),
            _ => None,
        }
    }

    /// The URL of the latest attempt.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// Bytes waiting in the outbound queue.
    pub fn queued_bytes(&self) -> usize {
        self.outbox.bytes()
    }

    /// Messages waiting in the outbound queue.
    pub fn queued_len(&self) -> usize {
        self.outbox.len()
    }

    /// Tracked messages not yet acknowledged (acknowledged delivery).
    pub fn unacked_len(&self) -> usize {
        self.window.len()
    }

    /// Bytes of the tracked messages not yet acknowledged.
    pub fn unacked_bytes(&self) -> usize {
        self.window.bytes()
    }

    /// Retries made in the current outage (0 when the link is stable).
    pub fn retry_count(&self) -> u32 {
        self.failures
    }

    /// Counters.
    pub fn stats(&self) -> Stats {
        self.stats
    }

    /// The configuration.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Send (when open) or queue (while connecting or reconnecting) a message.
    ///
    /// # Errors
    /// [`Error::Closed`] after close, [`Error::QueueFull`] when the queue refuses it;
    /// both hand the message back.
    pub fn send(&mut self, message: P) -> Result<(), Error<P>> {
        let limit = self.config.max_message_size;
        if message.len() > limit {
            return Err(Error::TooLarge {
                size: message.len() as u64,
                limit: limit as u64,
                message: Some(message),
            });
        }
        match self.phase {
            Phase::Open(id) => {
                self.push_send(id, message);
                Ok(())
            }
            Phase::Closing(_) | Phase::Closed => Err(Error::Closed {
                unsent: Some(message),
            }),
            Phase::Idle
            | Phase::Resolving(_)
            | Phase::Connecting(_)
            | Phase::Classifying(_)
            | Phase::Backoff
            | Phase::Suspended => match self.outbox.push(message) {
                Ok(Push::Queued) => Ok(()),
                Ok(Push::QueuedDropping(dropped)) => {
                    self.stats.dropped += dropped.len() as u64;
                    self.actions.push_back(Action::Dropped(dropped));
                    Ok(())
                }
                Err(m) => Err(Error::QueueFull(m)),
            },
        }
    }

    /// `true` when [`send`](Self::send) of a message of `len` bytes would not be refused
    /// for lack of room now: the link is open, the queue has room for it, or the send
    /// would fail for another reason anyway (closed, too large). A waiting
    /// `send().await` waits while this is `false`, instead of failing with
    /// [`Error::QueueFull`].
    pub fn has_room(&self, len: usize) -> bool {
        match self.phase {
            Phase::Open(_) | Phase::Closing(_) | Phase::Closed => true,
            _ => len > self.config.max_message_size || self.outbox.has_room(len),
        }
    }

    /// [`has_room`](Self::has_room) for a tracked message (see
    /// [`send_tracked`](Self::send_tracked)): `false` also while the credit window has no
    /// room for it. A waiting `send().await` of a tracked message waits while this is
    /// `false`: the peer's acknowledgements open the window.
    pub fn has_room_tracked(&self, len: usize) -> bool {
        let refused = self.config.delivery.is_none()
            || len > self.config.max_message_size
            || matches!(self.phase, Phase::Closing(_) | Phase::Closed);
        refused || self.window.has_room(len)
    }

    /// [`has_room_tracked`](Self::has_room_tracked) for a send that waited: once the
    /// window was full, it admits waiting sends again from its low mark on (see
    /// [`delivery`](super::delivery)).
    pub fn admits_waiting_tracked(&mut self, len: usize) -> bool {
        let refused = self.config.delivery.is_none()
            || len > self.config.max_message_size
            || matches!(self.phase, Phase::Closing(_) | Phase::Closed);
        refused || self.window.admits_waiting(len)
    }

    /// Send a *tracked* message (acknowledged delivery, see
    /// [`delivery`](super::delivery)): it is sent now when the link is open (else on the
    /// next open) and kept in the credit window until [`ack`](Self::ack) covers it; every
    /// new socket gets the tracked messages not yet acknowledged again, in order, before
    /// the queue. With `timeout_ms`, it is given up at `now + timeout_ms`
    /// ([`Action::Expired`]). The outcome comes as [`Action::Acked`], [`Action::Expired`]
    /// or, when the connection ends, [`Action::Unacked`].
    ///
    /// # Errors
    /// [`Error::InvalidId`] when acknowledged delivery is off, [`Error::TooLarge`],
    /// [`Error::Closed`] after close, [`Error::DuplicateId`] when `id` is in flight, and
    /// [`Error::Full`] while the window has no room; each hands the message back.
    pub fn send_tracked(
        &mut self,
        now: u64,
        message: P,
        id: Id,
        timeout_ms: Option<u64>,
    ) -> Result<(), Error<P>> {
        self.last_now = self.last_now.max(now);
        if self.config.delivery.is_none() {
            return Err(Error::InvalidId {
                reason: "acknowledged delivery is off".into(),
                message: Some(message),
            });
        }
        let limit = self.config.max_message_size;
        if message.len() > limit {
            let size = message.len() as u64;
            let (limit, message) = (limit as u64, Some(message));
            return Err(Error::TooLarge {
                size,
                limit,
                message,
            });
        }
        if matches!(self.phase, Phase::Closing(_) | Phase::Closed) {
            return Err(Error::Closed {
                unsent: Some(message),
            });
        }
        if self.window.contains(&id) {
            return Err(Error::DuplicateId { id, message });
        }
        if !self.window.has_room(message.len()) {
            return Err(Error::Full(message));
        }
        let deadline = timeout_ms.map(|t| now.saturating_add(t));
        self.window.push(Entry {
            id,
            message,
            sent_on: None,
            deadline,
        });
        if let Phase::Open(socket) = self.phase {
            if let Some(m) = self.window.mark_last(socket).cloned() {
                self.push_tracked(socket, m);
            }
        }
        if deadline.is_some() {
            self.arm_ack_timeout(now);
        }
        Ok(())
    }

    /// The peer acknowledged `ack` (read from an inbound message by the application):
    /// the tracked messages it covers leave the window ([`Action::Acked`], in send
    /// order), which makes room for waiting senders. An acknowledgement of nothing in
    /// flight (an unknown, duplicated or late id) changes nothing. Returns how many
    /// messages it released.
    pub fn ack(&mut self, now: u64, ack: &Ack) -> usize {
        self.last_now = self.last_now.max(now);
        let done = self.window.ack(ack);
        let n = done.len();
        if n > 0 {
            self.stats.acked += n as u64;
            self.actions.push_back(Action::Acked(pairs(done)));
            self.arm_ack_timeout(now);
        }
        n
    }

    /// The owner is gone: end now, whatever the state, without waiting for the server.
    /// The current socket is abandoned (code 1000), queued messages are handed back
    /// ([`Action::Unsent`]) and the state becomes `Closed` (by the client, code 1000),
    /// unless it already was. No retry follows.
    pub fn terminate(&mut self) {
        self.app_closed = true;
        self.classifying = None;
        if self.phase == Phase::Closed {
            return;
        }
        if let Some(id) = self.socket_id() {
            self.abandon(id, "");
        }
        self.finish(1000, String::new(), false, ClosedBy::Client, None);
    }

    /// The application closes the connection: no retry ever follows.
    ///
    /// # Errors
    /// [`Error::InvalidCloseCode`] / [`Error::InvalidCloseReason`]; nothing changes then.
    pub fn close(&mut self, code: u16, reason: &str) -> Result<(), Error<P>> {
        close::check(code, reason)?;
        self.app_closed = true;
        match self.phase {
            Phase::Closing(_) | Phase::Closed => {}
            Phase::Connecting(id) | Phase::Open(id) => {
                self.cancel_all_timers();
                self.phase = Phase::Closing(id);
                self.hand_back_queue();
                self.actions.push_back(Action::Close {
                    id,
                    code,
                    reason: reason.to_owned(),
                });
                let after_ms = self.config.close_timeout_ms;
                self.arm(Timer::CloseTimeout, after_ms);
                self.set_state(ConnectionState::Closing);
            }
            Phase::Idle
            | Phase::Resolving(_)
            | Phase::Classifying(_)
            | Phase::Backoff
            | Phase::Suspended => {
                self.classifying = None;
                self.finish(code, reason.to_owned(), true, ClosedBy::Client, None);
            }
        }
        Ok(())
    }

    /// Force a fresh attempt now (also revives a connection the policy gave up on).
    ///
    /// # Errors
    /// [`Error::Closed`] after the application closed it.
    pub fn reconnect(&mut self) -> Result<(), Error<P>> {
        if self.app_closed {
            return Err(Error::Closed { unsent: None });
        }
        match self.phase {
            Phase::Closing(_) => return Err(Error::Closed { unsent: None }),
            Phase::Closed if self.state.is_closed_by_client() => {
                return Err(Error::Closed { unsent: None })
            }
            Phase::Closed => {
                self.failures = 0;
                self.outage_since = None;
                self.begin_attempt();
            }
            Phase::Connecting(id) | Phase::Open(id) => {
                self.abandon(id, "reconnect");
                // The old link's timers must not fire on the new one: a pending
                // PongTimeout would otherwise abandon the fresh socket.
                for t in [Timer::Stable, Timer::Ping, Timer::PongTimeout] {
                    self.cancel(t);
                }
                self.ping_sent_at = None;
                self.set_state(ConnectionState::Reconnecting {
                    attempt: self.failures,
                    delay_ms: 0,
                    cause: Cause::Manual,
                });
                self.begin_attempt();
            }
            Phase::Classifying(_) => {
                self.classifying = None;
                self.set_state(ConnectionState::Reconnecting {
                    attempt: self.failures,
                    delay_ms: 0,
                    cause: Cause::Manual,
                });
                self.begin_attempt();
            }
            Phase::Backoff | Phase::Suspended => self.begin_attempt(),
            Phase::Idle | Phase::Resolving(_) => {}
        }
        Ok(())
    }

    /// Whether [`handle`](Self::handle) reads `now` for `event`. An inbound message needs
    /// the time only to measure a heartbeat's round trip (or to fail a link on a message
    /// over the limit), so a driver need not read a clock per message: when this is
    /// `false` it may pass [`last_now`](Self::last_now).
    pub fn needs_time(&self, event: &Event<P>) -> bool {
        match event {
            Event::Message { message, .. } => {
                self.ping_sent_at.is_some() || message.len() > self.config.max_message_size
            }
            _ => true,
        }
    }

    /// The latest time given to [`handle`](Self::handle) (0 before the first event).
    pub fn last_now(&self) -> u64 {
        self.last_now
    }

    /// Feed one event observed at time `now` (milliseconds, monotonic).
    pub fn handle(&mut self, now: u64, event: Event<P>) {
        self.last_now = self.last_now.max(now);
        match event {
            Event::UrlResolved { id, result } => self.on_url(now, id, result),
            Event::Opened { id } => self.on_open(id),
            Event::Closed {
                id,
                code,
                reason,
                was_clean,
            } => self.on_close(now, id, code, reason, was_clean),
            Event::Message { id, message } => self.on_message(now, id, message),
            Event::Bounced {
                id,
                message,
                tracked,
            } => self.on_bounce(now, id, message, tracked),
            Event::Refused { id, error } => {
                if self.phase == Phase::Connecting(id) {
                    let reason = String::from("the browser refused to open a socket");
                    self.finish(
                        1006,
                        reason,
                        false,
                        ClosedBy::Policy,
                        Some(Error::Js(error)),
                    );
                }
            }
            Event::Oversized { id, size } => self.on_oversized(now, id, size),
            Event::Classified { id, decision } => {
                if self.phase == Phase::Classifying(id) {
                    if let Some(cause) = self.classifying.take() {
                        self.fail_with(now, cause, Some(decision));
                    }
                }
            }
            Event::Timer(t) => self.on_timer(now, t),
            Event::Online => {
                self.online = true;
                if self.phase == Phase::Backoff {
                    self.begin_attempt();
                }
            }
            Event::Suspended => self.on_suspended(),
            Event::Resumed => self.on_resumed(now),
            Event::Offline => {
                self.online = false;
                if self.phase == Phase::Backoff {
                    // Wait for `online`, but probe now and then in case it never comes.
                    let probe = self.config.reconnect.max_delay_ms;
                    self.arm(Timer::Backoff, probe);
                }
            }
        }
    }
}

/// Window entries as (id, message) pairs, in order.
pub(super) fn pairs<P>(entries: alloc::vec::Vec<Entry<P>>) -> alloc::vec::Vec<(Id, P)> {
    entries.into_iter().map(|e| (e.id, e.message)).collect()
}
