//! The connection life cycle: attempts, failures under the policy, the end, timers.

use super::{Phase, Supervisor};
use crate::core::backoff::Decision;
use crate::core::event::{Action, Timer};
use crate::core::message::Payload;
use crate::core::state::{Cause, CloseInfo, ClosedBy, ConnectionState};
use crate::Error;
use alloc::{borrow::ToOwned, string::String};

impl<P: Payload + Clone> Supervisor<P> {
    pub(super) fn begin_attempt(&mut self) {
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

    pub(super) fn connect(&mut self, id: u64, url: String) {
        self.phase = Phase::Connecting(id);
        self.url = Some(url.clone());
        self.actions.push_back(Action::Connect { id, url });
    }

    pub(super) fn cancel_link_timers(&mut self) {
        for t in [
            Timer::ConnectTimeout,
            Timer::Stable,
            Timer::Ping,
            Timer::PongTimeout,
        ] {
            self.cancel(t);
        }
        self.ping_sent_at = None;
    }

    /// Socket `id`, open until now, closed with `cause` (a [`Cause::Closed`]). A custom
    /// classifier is application code: it is asked through [`Action::Classify`], so the
    /// driver can run it outside any borrow. The built-in rules apply at once.
    pub(super) fn link_closed(&mut self, now: u64, id: u64, cause: Cause) {
        let policy = &self.config.reconnect;
        if policy.enabled && policy.classifier.is_custom() {
            if let Cause::Closed { code, reason, .. } = &cause {
                let (code, reason) = (*code, reason.clone());
                self.cancel_link_timers();
                self.phase = Phase::Classifying(id);
                self.classifying = Some(cause);
                self.actions
                    .push_back(Action::Classify { id, code, reason });
                return;
            }
        }
        self.fail(now, cause);
    }

    /// Socket `id` received a message over `max_message_size`: report it, drop the link
    /// and treat it as a close with 1009 ("message too big").
    pub(super) fn on_oversized(&mut self, now: u64, id: u64, size: u64) {
        let limit = self.config.max_message_size as u64;
        let reason = "message too big";
        let report = Action::Report(Error::TooLarge {
            size,
            limit,
            message: None,
        });
        match self.phase {
            Phase::Open(cur) if cur == id => {
                self.actions.push_back(report);
                self.abandon(id, reason);
                let cause = Cause::Closed {
                    code: 1009,
                    reason: reason.into(),
                    was_clean: false,
                };
                self.link_closed(now, id, cause);
            }
            Phase::Closing(cur) if cur == id => {
                self.actions.push_back(report);
                self.abandon(id, reason);
                self.finish(1009, reason.into(), false, ClosedBy::Client, None);
            }
            _ => {}
        }
    }

    /// The link failed: reconnect under the policy, or end.
    pub(super) fn fail(&mut self, now: u64, cause: Cause) {
        self.fail_with(now, cause, None);
    }

    /// As [`fail`](Self::fail), with the classifier's answer when it was asked already.
    pub(super) fn fail_with(&mut self, now: u64, cause: Cause, decision: Option<Decision>) {
        self.cancel_link_timers();
        let policy = &self.config.reconnect;
        if let Cause::Closed {
            code,
            reason,
            was_clean,
        } = &cause
        {
            let decision = decision.unwrap_or_else(|| policy.classifier.classify_builtin(*code));
            if decision == Decision::Stop {
                let (code, reason, clean) = (*code, reason.clone(), *was_clean);
                return self.finish(code, reason, clean, ClosedBy::Remote, None);
            }
        }
        if !policy.enabled {
            return self.end_without_retry(cause);
        }
        if !self.online {
            // No attempt is burnt while offline; `online` retries at once, and a probe
            // after the longest delay covers an `online` event that never comes.
            self.phase = Phase::Backoff;
            let (attempt, probe) = (self.failures, policy.max_delay_ms);
            let state = ConnectionState::Reconnecting {
                attempt,
                delay_ms: probe,
                cause,
            };
            self.set_state(state);
            return self.arm(Timer::Backoff, probe);
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

    pub(super) fn end_without_retry(&mut self, cause: Cause) {
        let error = match &cause {
            Cause::ConnectFailed | Cause::ConnectTimeout => Some(Error::ConnectFailed {
                url: crate::core::redact_url(self.url.as_deref().unwrap_or_default()),
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

    pub(super) fn finish(
        &mut self,
        code: u16,
        reason: String,
        clean: bool,
        by: ClosedBy,
        error: Option<Error>,
    ) {
        self.cancel_all_timers();
        self.phase = Phase::Closed;
        self.hand_back_all();
        self.set_state(ConnectionState::Closed(CloseInfo {
            code,
            reason,
            was_clean: clean,
            by,
            error,
        }));
    }

    /// Hands back the queue and the tracked messages not acknowledged (the end).
    fn hand_back_all(&mut self) {
        let unacked = self.window.drain_all();
        if !unacked.is_empty() {
            self.actions
                .push_back(Action::Unacked(super::pairs(unacked)));
        }
        self.ack_due = None;
        self.hand_back_queue();
    }

    pub(super) fn hand_back_queue(&mut self) {
        let unsent = self.outbox.drain_all();
        if !unsent.is_empty() {
            self.actions.push_back(Action::Unsent(unsent));
        }
    }

    pub(super) fn push_send(&mut self, id: u64, message: P) {
        self.stats.messages_out += 1;
        self.stats.bytes_out += message.len() as u64;
        let tracked = false;
        self.actions.push_back(Action::Send {
            id,
            message,
            tracked,
        });
    }

    /// Sends a tracked message (a copy: the window keeps it until it is acknowledged).
    pub(super) fn push_tracked(&mut self, id: u64, message: P) {
        self.stats.messages_out += 1;
        self.stats.bytes_out += message.len() as u64;
        self.actions.push_back(Action::Send {
            id,
            message,
            tracked: true,
        });
    }

    /// Sends on socket `id` every tracked message not yet handed to it, in order (after a
    /// drop: the messages not acknowledged, again).
    pub(super) fn send_window(&mut self, id: u64) {
        let pending: alloc::vec::Vec<(P, bool)> = self
            .window
            .unsent_on(id)
            .map(|(m, again)| (m.clone(), again))
            .collect();
        for (m, again) in pending {
            self.stats.replayed += u64::from(again);
            self.push_tracked(id, m);
        }
    }

    /// Arms [`Timer::AckTimeout`] for the window's earliest deadline (or disarms it).
    /// Not while suspended: no timer runs then, and resuming arms it.
    pub(super) fn arm_ack_timeout(&mut self, now: u64) {
        if self.phase == Phase::Suspended {
            return;
        }
        let due = self.window.next_deadline();
        if due == self.ack_due && (due.is_none() || self.armed[Timer::AckTimeout.index()]) {
            return;
        }
        self.ack_due = due;
        match due {
            Some(at) => self.arm(Timer::AckTimeout, at.saturating_sub(now)),
            None => self.cancel(Timer::AckTimeout),
        }
    }

    pub(super) fn abandon(&mut self, id: u64, reason: &str) {
        self.actions.push_back(Action::Abandon {
            id,
            code: 1000,
            reason: reason.to_owned(),
        });
    }

    pub(super) fn set_state(&mut self, next: ConnectionState) {
        debug_assert!(
            self.phase == Phase::Idle || self.state.can_become(&next),
            "illegal transition {:?} -> {:?}",
            self.state,
            next
        );
        self.state = next.clone();
        self.actions.push_back(Action::State(next));
    }

    pub(super) fn arm(&mut self, timer: Timer, after_ms: u64) {
        self.armed[timer.index()] = true;
        self.actions.push_back(Action::SetTimer { timer, after_ms });
    }

    pub(super) fn cancel(&mut self, timer: Timer) {
        if ::core::mem::take(&mut self.armed[timer.index()]) {
            self.actions.push_back(Action::CancelTimer(timer));
        }
    }

    pub(super) fn cancel_all_timers(&mut self) {
        for t in Timer::ALL {
            self.cancel(t);
        }
    }

    /// SplitMix64, mapped to [0, 1).
    pub(super) fn next_random(&mut self) -> f64 {
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
