//! The page's life cycle: it goes into the back/forward cache and comes back.

use super::{Phase, Supervisor};
use crate::core::event::{Action, Timer};
use crate::core::message::Payload;
use crate::core::state::{Cause, ConnectionState};
use alloc::borrow::ToOwned;

/// The close code and reason a socket gets when its page goes into the back/forward
/// cache. RFC 6455 has 1001 ("going away") for it, but a page may close a `WebSocket`
/// only with 1000 or 3000-4999 (`close(1001)` throws; the browser sends 1001 itself only
/// when it tears a page's sockets down), so the reason says it.
const GOING_AWAY: (u16, &str) = (1000, "going away");

impl<P: Payload + Clone> Supervisor<P> {
    /// See [`Event::Suspended`](crate::core::event::Event::Suspended).
    pub(super) fn on_suspended(&mut self) {
        match self.phase {
            Phase::Connecting(id) | Phase::Open(id) => self.actions.push_back(Action::Abandon {
                id,
                code: GOING_AWAY.0,
                reason: GOING_AWAY.1.to_owned(),
            }),
            Phase::Resolving(_) | Phase::Backoff => {}
            // A classifier's answer must stand (a stop stays a stop): it comes when the
            // page runs again, and `Resumed` then retries at once.
            Phase::Idle
            | Phase::Classifying(_)
            | Phase::Suspended
            | Phase::Closing(_)
            | Phase::Closed => return,
        }
        self.cancel_link_timers();
        self.cancel(Timer::Backoff);
        self.cancel(Timer::AckTimeout);
        self.ack_due = None;
        self.phase = Phase::Suspended;
        // A connection already waiting to retry keeps its state (and its cause).
        if !matches!(self.state, ConnectionState::Reconnecting { .. }) {
            self.set_state(ConnectionState::Reconnecting {
                attempt: self.failures,
                delay_ms: 0,
                cause: Cause::Suspended,
            });
        }
    }

    /// See [`Event::Resumed`](crate::core::event::Event::Resumed).
    pub(super) fn on_resumed(&mut self, now: u64) {
        match self.phase {
            // Probe the link now, unless a probe is already out: then its timeout
            // probes again, since the answer may be queued behind it.
            Phase::Open(_) if self.armed[Timer::PongTimeout.index()] => {
                self.resumed_while_probing = true;
            }
            Phase::Open(id) => self.ping(now, id),
            Phase::Backoff if self.online => self.begin_attempt(),
            Phase::Suspended => {
                // The time in the cache is no outage: the policy's time limit is measured
                // again from the page's return.
                self.outage_since = None;
                self.phase = Phase::Backoff;
                self.arm_ack_timeout(now);
                if self.online {
                    self.begin_attempt();
                } else {
                    // As after a drop while offline: `online` retries at once, and a
                    // probe after the longest delay covers an `online` that never comes.
                    let probe = self.config.reconnect.max_delay_ms;
                    self.arm(Timer::Backoff, probe);
                }
            }
            _ => {}
        }
    }
}
