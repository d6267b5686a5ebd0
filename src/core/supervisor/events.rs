//! What the supervisor does with each browser event: open, close, message, bounce, timer.

use alloc::collections::VecDeque;
use alloc::{string::String, vec};

use super::{Phase, Supervisor};
use crate::core::event::{Action, Timer};
use crate::core::message::Payload;
use crate::core::state::{Cause, ClosedBy, ConnectionState};

/// How late a [`Timer::PongTimeout`] may fire and still declare the link dead. Later
/// than this, the page was frozen or throttled (hidden tabs' timers may run once a
/// minute), and the heartbeat probes again instead. It probes again too when the page
/// came back ([`Event::Resumed`](crate::core::event::Event::Resumed)) while the ping
/// waited: a frozen page runs its queued tasks in no set order, so the answer may wait
/// behind a timeout that is barely late.
pub const LATE_TIMER_MS: u64 = 1_000;

impl<P: Payload + Clone> Supervisor<P> {
    pub(super) fn on_url(&mut self, now: u64, id: u64, result: Result<String, String>) {
        if self.phase != Phase::Resolving(id) {
            return;
        }
        match result {
            Ok(url) => self.connect(id, url),
            Err(e) => self.fail(now, Cause::UrlProvider(e)),
        }
    }

    pub(super) fn on_open(&mut self, id: u64) {
        if self.phase != Phase::Connecting(id) {
            return;
        }
        self.cancel(Timer::ConnectTimeout);
        self.phase = Phase::Open(id);
        if self.opened_once {
            self.stats.reconnects += 1;
        }
        self.opened_once = true;
        // Tracked messages not yet acknowledged go first, in order, then the queue.
        self.send_window(id);
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

    pub(super) fn on_close(
        &mut self,
        now: u64,
        id: u64,
        code: u16,
        reason: String,
        was_clean: bool,
    ) {
        match self.phase {
            Phase::Connecting(cur) if cur == id => self.fail(now, Cause::ConnectFailed),
            Phase::Open(cur) if cur == id => {
                let cause = Cause::Closed {
                    code,
                    reason,
                    was_clean,
                };
                self.link_closed(now, id, cause);
            }
            Phase::Closing(cur) if cur == id => {
                self.finish(code, reason, was_clean, ClosedBy::Client, None)
            }
            _ => {}
        }
    }

    pub(super) fn on_message(&mut self, now: u64, id: u64, message: P) {
        if !matches!(self.phase, Phase::Open(cur) | Phase::Closing(cur) if cur == id) {
            return;
        }
        if message.len() > self.config.max_message_size {
            return self.on_oversized(now, id, message.len() as u64);
        }
        self.cancel(Timer::PongTimeout);
        if let Some(h) = &self.config.heartbeat {
            if h.pong.as_ref().is_some_and(|pong| message.is(pong)) {
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
    pub(super) fn on_bounce(&mut self, now: u64, id: u64, message: P, tracked: bool) {
        let mut back = vec![(message, tracked)];
        let mut kept = VecDeque::with_capacity(self.actions.len());
        for action in self.actions.drain(..) {
            match action {
                Action::Send {
                    id: sid,
                    message,
                    tracked,
                } if sid == id => back.push((message, tracked)),
                Action::Ping { id: sid, .. } if sid == id => {}
                other => kept.push_back(other),
            }
        }
        self.actions = kept;
        for (m, tracked) in back.into_iter().rev() {
            self.stats.messages_out = self.stats.messages_out.saturating_sub(1);
            self.stats.bytes_out = self.stats.bytes_out.saturating_sub(m.len() as u64);
            // A tracked message is still in the window, which sends it on the next socket.
            if !tracked {
                self.outbox.push_front(m);
            }
        }
        match self.phase {
            Phase::Open(current) if current == id => {
                self.abandon(id, "link lost");
                let cause = Cause::Closed {
                    code: 1006,
                    reason: String::new(),
                    was_clean: false,
                };
                self.link_closed(now, id, cause);
            }
            // A late bounce from a socket that is no longer current: the queue is
            // flushed only on open, so send it on the open socket now.
            Phase::Open(current) => {
                self.send_window(current);
                while let Some(m) = self.outbox.pop_front() {
                    self.push_send(current, m);
                }
            }
            // Closed for good before the bounce came (the socket's own send() ended the
            // connection): the queue was handed back already; hand these back too.
            Phase::Closed => self.hand_back_queue(),
            _ => {}
        }
    }

    pub(super) fn on_timer(&mut self, now: u64, timer: Timer) {
        if !self.armed[timer.index()] {
            return;
        }
        self.armed[timer.index()] = false;
        match (timer, self.phase) {
            (Timer::AckTimeout, _) => {
                self.ack_due = None;
                let expired = self.window.expire(now);
                if !expired.is_empty() {
                    self.actions
                        .push_back(Action::Expired(super::pairs(expired)));
                }
                self.arm_ack_timeout(now);
            }
            (Timer::Backoff, Phase::Backoff) => self.begin_attempt(),
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
                let due = self.pong_due.take().unwrap_or(now);
                let resumed = ::core::mem::take(&mut self.resumed_while_probing);
                if resumed || now.saturating_sub(due) > LATE_TIMER_MS {
                    // The timer ran late, or the page was frozen while it ran: what
                    // proves the link alive may be queued behind this timer. Only a
                    // timeout the page lived through counts: probe again from now.
                    self.ping(now, id);
                } else {
                    self.abandon(id, "heartbeat timeout");
                    self.fail(now, Cause::HeartbeatTimeout);
                }
            }
            (Timer::CloseTimeout, Phase::Closing(id)) => {
                self.abandon(id, "close timeout");
                let (code, reason) = (1006, String::from("close timeout"));
                self.finish(code, reason, false, ClosedBy::Client, None);
            }
            _ => {}
        }
    }

    pub(super) fn ping(&mut self, now: u64, id: u64) {
        let Some(h) = &self.config.heartbeat else {
            return;
        };
        let (message, interval, timeout) = (h.ping.clone(), h.interval_ms, h.timeout_ms);
        self.actions.push_back(Action::Ping { id, message });
        self.ping_sent_at = Some(now);
        if !self.armed[Timer::PongTimeout.index()] {
            self.resumed_while_probing = false;
            self.pong_due = Some(now.saturating_add(timeout));
            self.arm(Timer::PongTimeout, timeout);
        }
        self.arm(Timer::Ping, interval);
    }
}
