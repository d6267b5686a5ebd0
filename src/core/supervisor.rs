//! The sans-IO connection supervisor: events in, actions out, time and randomness passed in.
//!
//! The driver (`src/web/driver.rs` in the browser, a simulation in tests) feeds every
//! socket event, timer expiry and application request to [`Supervisor`] with the current
//! time in milliseconds, then executes the [`Action`]s it returns, in order, through
//! [`Supervisor::poll_action`]. Nothing here touches the browser.

use std::collections::VecDeque;

use super::backoff::Decision;
use super::close;
use super::config::Config;
use super::event::{Action, Event, Stats, Timer};
use super::message::Message;
use super::outbox::{Outbox, Push};
use super::state::{Cause, CloseInfo, ClosedBy, ConnectionState};
use crate::Error;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    Idle,
    Resolving(u64),
    Connecting(u64),
    Open(u64),
    Backoff,
    Closing(u64),
    Closed,
}

/// The connection state machine. See the module docs.
#[derive(Debug)]
pub struct Supervisor {
    config: Config,
    fixed_url: Option<String>,
    phase: Phase,
    state: ConnectionState,
    outbox: Outbox,
    next_id: u64,
    failures: u32,
    outage_since: Option<u64>,
    online: bool,
    /// The application called `close()`: `reconnect()` is refused from then on, even
    /// when the policy had already ended the connection.
    app_closed: bool,
    opened_once: bool,
    armed: [bool; 6],
    ping_sent_at: Option<u64>,
    url: Option<String>,
    rng: u64,
    stats: Stats,
    actions: VecDeque<Action>,
}

impl Supervisor {
    /// A supervisor for `config`. `fixed_url` is the URL when it never changes (`None`
    /// when a provider is asked before every attempt, see [`Action::ResolveUrl`]).
    /// `seed` feeds the backoff jitter.
    pub fn new(config: Config, fixed_url: Option<String>, seed: u64) -> Self {
        let outbox = Outbox::new(config.queue.clone());
        Supervisor {
            config,
            fixed_url,
            phase: Phase::Idle,
            state: ConnectionState::Connecting { attempt: 0 },
            outbox,
            next_id: 0,
            failures: 0,
            outage_since: None,
            online: true,
            app_closed: false,
            opened_once: false,
            armed: [false; 6],
            ping_sent_at: None,
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
    pub fn poll_action(&mut self) -> Option<Action> {
        self.actions.pop_front()
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
    pub fn send(&mut self, message: Message) -> Result<(), Error> {
        match self.phase {
            Phase::Open(id) => {
                self.push_send(id, message);
                Ok(())
            }
            Phase::Closing(_) | Phase::Closed => Err(Error::Closed {
                unsent: Some(message),
            }),
            Phase::Idle | Phase::Resolving(_) | Phase::Connecting(_) | Phase::Backoff => {
                match self.outbox.push(message) {
                    Ok(Push::Queued) => Ok(()),
                    Ok(Push::QueuedDropping(dropped)) => {
                        self.stats.dropped += dropped.len() as u64;
                        self.actions.push_back(Action::Dropped(dropped));
                        Ok(())
                    }
                    Err(m) => Err(Error::QueueFull(m)),
                }
            }
        }
    }

    /// The application closes the connection: no retry ever follows.
    ///
    /// # Errors
    /// [`Error::InvalidCloseCode`] / [`Error::InvalidCloseReason`]; nothing changes then.
    pub fn close(&mut self, code: u16, reason: &str) -> Result<(), Error> {
        close::validate(code, reason)?;
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
            Phase::Idle | Phase::Resolving(_) | Phase::Backoff => {
                self.finish(code, reason.to_owned(), true, ClosedBy::Client, None);
            }
        }
        Ok(())
    }

    /// Force a fresh attempt now (also revives a connection the policy gave up on).
    ///
    /// # Errors
    /// [`Error::Closed`] after the application closed it.
    pub fn reconnect(&mut self) -> Result<(), Error> {
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
            Phase::Backoff => self.begin_attempt(),
            Phase::Idle | Phase::Resolving(_) => {}
        }
        Ok(())
    }

    /// Feed one event observed at time `now` (milliseconds, monotonic).
    pub fn handle(&mut self, now: u64, event: Event) {
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
            Event::Bounced { id, message } => self.on_bounce(now, id, message),
            Event::Timer(t) => self.on_timer(now, t),
            Event::Online => {
                self.online = true;
                if self.phase == Phase::Backoff {
                    self.begin_attempt();
                }
            }
            Event::Offline => {
                self.online = false;
                if self.phase == Phase::Backoff {
                    self.cancel(Timer::Backoff);
                }
            }
        }
    }

    fn on_url(&mut self, now: u64, id: u64, result: Result<String, String>) {
        if self.phase != Phase::Resolving(id) {
            return;
        }
        match result {
            Ok(url) => self.connect(id, url),
            Err(e) => self.fail(now, Cause::UrlProvider(e)),
        }
    }

    fn on_open(&mut self, id: u64) {
        if self.phase != Phase::Connecting(id) {
            return;
        }
        self.cancel(Timer::ConnectTimeout);
        self.phase = Phase::Open(id);
        if self.opened_once {
            self.stats.reconnects += 1;
        }
        self.opened_once = true;
        while let Some(m) = self.outbox.pop_front() {
            self.push_send(id, m);
        }
        let stable = self.config.reconnect.stable_after_ms;
        self.arm(Timer::Stable, stable);
        if let Some(h) = &self.config.heartbeat {
            let interval = h.interval_ms;
            self.arm(Timer::Ping, interval);
        }
        self.set_state(ConnectionState::Open);
    }

    fn on_close(&mut self, now: u64, id: u64, code: u16, reason: String, was_clean: bool) {
        match self.phase {
            Phase::Connecting(cur) if cur == id => self.fail(now, Cause::ConnectFailed),
            Phase::Open(cur) if cur == id => self.fail(
                now,
                Cause::Closed {
                    code,
                    reason,
                    was_clean,
                },
            ),
            Phase::Closing(cur) if cur == id => {
                self.finish(code, reason, was_clean, ClosedBy::Client, None)
            }
            _ => {}
        }
    }

    fn on_message(&mut self, now: u64, id: u64, message: Message) {
        if !matches!(self.phase, Phase::Open(cur) | Phase::Closing(cur) if cur == id) {
            return;
        }
        self.cancel(Timer::PongTimeout);
        if let Some(h) = &self.config.heartbeat {
            if h.pong.as_ref() == Some(&message) {
                if let Some(sent) = self.ping_sent_at.take() {
                    self.stats.last_rtt_ms = Some(now.saturating_sub(sent));
                }
                return;
            }
        }
        self.stats.messages_in += 1;
        self.stats.bytes_in += message.len() as u64;
        self.actions.push_back(Action::Deliver(message));
    }

    /// A send found its socket no longer open: the link is gone. The message and every
    /// later send still waiting for that socket go back to the head of the queue, in order.
    fn on_bounce(&mut self, now: u64, id: u64, message: Message) {
        let mut back = vec![message];
        let mut kept = VecDeque::with_capacity(self.actions.len());
        for action in self.actions.drain(..) {
            match action {
                Action::Send { id: sid, message } if sid == id => back.push(message),
                Action::Ping { id: sid, .. } if sid == id => {}
                other => kept.push_back(other),
            }
        }
        self.actions = kept;
        for m in back.into_iter().rev() {
            self.stats.messages_out -= 1;
            self.stats.bytes_out -= m.len() as u64;
            self.outbox.push_front(m);
        }
        if self.phase == Phase::Open(id) {
            self.abandon(id, "link lost");
            let cause = Cause::Closed {
                code: 1006,
                reason: String::new(),
                was_clean: false,
            };
            self.fail(now, cause);
        }
    }

    fn on_timer(&mut self, now: u64, timer: Timer) {
        if !self.armed[timer.index()] {
            return;
        }
        self.armed[timer.index()] = false;
        match (timer, self.phase) {
            (Timer::Backoff, Phase::Backoff) if self.online => self.begin_attempt(),
            (Timer::ConnectTimeout, Phase::Connecting(id)) => {
                self.abandon(id, "connect timeout");
                self.fail(now, Cause::ConnectTimeout);
            }
            (Timer::ConnectTimeout, Phase::Resolving(_)) => self.fail(now, Cause::ConnectTimeout),
            (Timer::Stable, Phase::Open(_)) => {
                self.failures = 0;
                self.outage_since = None;
            }
            (Timer::Ping, Phase::Open(id)) => self.ping(now, id),
            (Timer::PongTimeout, Phase::Open(id)) => {
                self.abandon(id, "heartbeat timeout");
                self.fail(now, Cause::HeartbeatTimeout);
            }
            (Timer::CloseTimeout, Phase::Closing(id)) => {
                self.abandon(id, "close timeout");
                let (code, reason) = (1006, String::from("close timeout"));
                self.finish(code, reason, false, ClosedBy::Client, None);
            }
            _ => {}
        }
    }

    fn ping(&mut self, now: u64, id: u64) {
        let Some(h) = &self.config.heartbeat else {
            return;
        };
        let (message, interval, timeout) = (h.ping.clone(), h.interval_ms, h.timeout_ms);
        self.actions.push_back(Action::Ping { id, message });
        self.ping_sent_at = Some(now);
        if !self.armed[Timer::PongTimeout.index()] {
            self.arm(Timer::PongTimeout, timeout);
        }
        self.arm(Timer::Ping, interval);
    }

    fn begin_attempt(&mut self) {
        self.cancel(Timer::Backoff);
        self.next_id += 1;
        let id = self.next_id;
        self.set_state(ConnectionState::Connecting {
            attempt: self.failures,
        });
        let timeout = self.config.reconnect.connect_timeout_ms;
        self.arm(Timer::ConnectTimeout, timeout);
        match self.fixed_url.clone() {
            Some(url) => self.connect(id, url),
            None => {
                self.phase = Phase::Resolving(id);
                self.actions.push_back(Action::ResolveUrl { id });
            }
        }
    }

    fn connect(&mut self, id: u64, url: String) {
        self.phase = Phase::Connecting(id);
        self.url = Some(url.clone());
        self.actions.push_back(Action::Connect { id, url });
    }

    /// The link failed: reconnect under the policy, or end.
    fn fail(&mut self, now: u64, cause: Cause) {
        for t in [
            Timer::ConnectTimeout,
            Timer::Stable,
            Timer::Ping,
            Timer::PongTimeout,
        ] {
            self.cancel(t);
        }
        self.ping_sent_at = None;
        let policy = &self.config.reconnect;
        if let Cause::Closed {
            code,
            reason,
            was_clean,
        } = &cause
        {
            if policy.classifier.classify(*code, reason) == Decision::Stop {
                let (code, reason, clean) = (*code, reason.clone(), *was_clean);
                return self.finish(code, reason, clean, ClosedBy::Remote, None);
            }
        }
        if !policy.enabled {
            return self.end_without_retry(cause);
        }
        if !self.online {
            self.phase = Phase::Backoff;
            let attempt = self.failures;
            let state = ConnectionState::Reconnecting {
                attempt,
                delay_ms: 0,
                cause,
            };
            return self.set_state(state);
        }
        self.failures = self.failures.saturating_add(1);
        let since = *self.outage_since.get_or_insert(now);
        let limit = if policy.max_attempts.is_some_and(|n| self.failures > n) {
            Some("attempt limit reached")
        } else if policy
            .max_elapsed_ms
            .is_some_and(|max| now.saturating_sub(since) >= max)
        {
            Some("time limit reached")
        } else {
            None
        };
        if let Some(reason) = limit {
            let error = Error::GaveUp {
                attempts: self.failures,
                reason: reason.into(),
            };
            let (code, why) = close_of(&cause);
            return self.finish(code, why, false, ClosedBy::Policy, Some(error));
        }
        let rand01 = self.next_random();
        let delay_ms = self.config.reconnect.delay_ms(self.failures, rand01);
        self.phase = Phase::Backoff;
        self.set_state(ConnectionState::Reconnecting {
            attempt: self.failures,
            delay_ms,
            cause,
        });
        self.arm(Timer::Backoff, delay_ms);
    }

    fn end_without_retry(&mut self, cause: Cause) {
        let error = match &cause {
            Cause::ConnectFailed | Cause::ConnectTimeout => Some(Error::ConnectFailed {
                url: self.url.clone().unwrap_or_default(),
            }),
            Cause::UrlProvider(e) => Some(Error::UrlProvider(e.clone())),
            _ => None,
        };
        let was_clean = matches!(
            cause,
            Cause::Closed {
                was_clean: true,
                ..
            }
        );
        let (code, reason) = close_of(&cause);
        self.finish(code, reason, was_clean, ClosedBy::Remote, error);
    }

    fn finish(
        &mut self,
        code: u16,
        reason: String,
        clean: bool,
        by: ClosedBy,
        error: Option<Error>,
    ) {
        self.cancel_all_timers();
        self.phase = Phase::Closed;
        self.hand_back_queue();
        self.set_state(ConnectionState::Closed(CloseInfo {
            code,
            reason,
            was_clean: clean,
            by,
            error,
        }));
    }

    fn hand_back_queue(&mut self) {
        let unsent = self.outbox.drain_all();
        if !unsent.is_empty() {
            self.actions.push_back(Action::Unsent(unsent));
        }
    }

    fn push_send(&mut self, id: u64, message: Message) {
        self.stats.messages_out += 1;
        self.stats.bytes_out += message.len() as u64;
        self.actions.push_back(Action::Send { id, message });
    }

    fn abandon(&mut self, id: u64, reason: &str) {
        self.actions.push_back(Action::Abandon {
            id,
            code: 1000,
            reason: reason.to_owned(),
        });
    }

    fn set_state(&mut self, next: ConnectionState) {
        debug_assert!(
            self.phase == Phase::Idle || self.state.can_become(&next),
            "illegal transition {:?} -> {:?}",
            self.state,
            next
        );
        self.state = next.clone();
        self.actions.push_back(Action::State(next));
    }

    fn arm(&mut self, timer: Timer, after_ms: u64) {
        self.armed[timer.index()] = true;
        self.actions.push_back(Action::SetTimer { timer, after_ms });
    }

    fn cancel(&mut self, timer: Timer) {
        if std::mem::take(&mut self.armed[timer.index()]) {
            self.actions.push_back(Action::CancelTimer(timer));
        }
    }

    fn cancel_all_timers(&mut self) {
        for t in Timer::ALL {
            self.cancel(t);
        }
    }

    /// SplitMix64, mapped to [0, 1).
    fn next_random(&mut self) -> f64 {
        self.rng = self.rng.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.rng;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// The close code and reason to report when a failure ends the connection.
fn close_of(cause: &Cause) -> (u16, String) {
    match cause {
        Cause::Closed { code, reason, .. } => (*code, reason.clone()),
        _ => (1006, String::new()),
    }
}
