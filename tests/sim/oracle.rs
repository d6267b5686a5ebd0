//! The oracle of the simulation: what the supervisor's emitted states and timers must
//! look like given what the world did, and the end-of-run accounting.

use super::*;
use resocket::{ClosedBy, Decision};

impl Sim {
    fn give_up(&self, since: u64) -> Option<&'static str> {
        let p = &self.cfg.reconnect;
        if p.max_attempts.is_some_and(|n| self.fails > n) {
            Some("attempt limit reached")
        } else if p.max_elapsed_ms.is_some_and(|m| self.now - since >= m) {
            Some("time limit reached")
        } else {
            None
        }
    }

    pub(super) fn on_state(&mut self, s: ConnectionState) {
        use ConnectionState as S;
        let prev = self.state.replace(s.clone());
        match &prev {
            None => assert_eq!(s, S::Connecting { attempt: 0 }, "first state"),
            Some(p) => assert!(p.can_become(&s), "illegal transition {p:?} -> {s:?}"),
        }
        let p = self.cfg.reconnect.clone();
        match s {
            S::Connecting { attempt } => {
                assert!(!self.after_close, "Connecting after close()");
                if matches!(prev, Some(S::Closed(_))) {
                    self.hit("revived after Closed");
                    self.fails = 0;
                    self.outage = None;
                }
                assert_eq!(attempt, self.fails, "Connecting attempt number");
                self.attempt_at = self.now;
            }
            S::Open => {
                assert!(!self.after_close, "Open after close()");
                (self.open_at, self.ping_base) = (self.now, self.now);
                self.stable_fired = false;
                self.hit(if self.fails > 0 {
                    "Open after failures"
                } else {
                    "Open"
                });
            }
            S::Reconnecting {
                attempt,
                delay_ms,
                cause: Cause::Manual,
            } => {
                assert_eq!((attempt, delay_ms), (self.fails, 0));
                self.hit("manual");
            }
            S::Reconnecting {
                attempt,
                delay_ms,
                cause,
            } => {
                assert!(!self.after_close, "Reconnecting after close()");
                self.check_cause(&cause);
                self.hit(match cause {
                    Cause::Closed { code: 1006, .. } => "fail: 1006",
                    Cause::Closed { .. } => "fail: server close",
                    Cause::ConnectFailed => "fail: refused",
                    Cause::ConnectTimeout => "fail: connect timeout",
                    Cause::HeartbeatTimeout => "fail: heartbeat timeout",
                    Cause::UrlProvider(_) => "fail: url provider",
                    Cause::Manual => "manual",
                });
                if self.online {
                    self.fails += 1;
                    let since = *self.outage.get_or_insert(self.now);
                    assert_eq!(self.give_up(since), None, "retried past the policy's limit");
                    assert_eq!(attempt, self.fails, "Reconnecting attempt number");
                    let cap = p.cap_ms(attempt);
                    assert!(delay_ms <= cap && cap <= p.max_delay_ms, "delay {delay_ms}");
                    assert!(
                        p.jitter || delay_ms == cap,
                        "no jitter: delay must be the cap"
                    );
                    self.expect_backoff = Some(delay_ms);
                    self.recon = (self.now, delay_ms);
                } else {
                    self.hit("fail while offline");
                    assert_eq!(
                        (attempt, delay_ms),
                        (self.fails, 0),
                        "offline: no failure counted"
                    );
                }
                if let Some(n) = p.max_attempts {
                    assert!(
                        self.fails <= n,
                        "{} failures > max_attempts {n}",
                        self.fails
                    );
                }
            }
            S::Closing => {
                assert!(self.user_closed, "Closing without close()");
                self.closing_at = self.now;
            }
            S::Closed(info) => match info.by {
                ClosedBy::Client => {
                    assert!(self.user_closed, "Closed by client unasked");
                    self.hit("closed: by client");
                }
                ClosedBy::Policy => {
                    assert!(self.online && p.enabled, "policy gave up offline/disabled");
                    self.fails += 1;
                    let since = *self.outage.get_or_insert(self.now);
                    let why = self.give_up(since).expect("gave up before the limit");
                    self.hit(why);
                    let want = Error::GaveUp {
                        attempts: self.fails,
                        reason: why.into(),
                    };
                    assert_eq!(info.error, Some(want));
                    if let Some(n) = p.max_attempts {
                        assert!(self.fails <= n + 1);
                    }
                }
                ClosedBy::Remote if p.enabled => {
                    self.hit("closed: classifier stop");
                    let d = p.classifier.classify(info.code, &info.reason);
                    assert_eq!(d, Decision::Stop, "closed by remote on a retryable code");
                    let (code, reason, was_clean) =
                        (info.code, info.reason.clone(), info.was_clean);
                    let seen = Cause::Closed {
                        code,
                        reason,
                        was_clean,
                    };
                    assert_eq!(Some(seen), self.expect_cause, "CloseInfo vs the close seen");
                }
                ClosedBy::Remote => {
                    self.hit("closed: reconnect disabled");
                    let want = match self.expect_cause.clone() {
                        Some(Cause::ConnectFailed | Cause::ConnectTimeout) => {
                            let url = self.sup.url().unwrap_or_default().to_owned();
                            Some(Error::ConnectFailed { url })
                        }
                        Some(Cause::UrlProvider(e)) => Some(Error::UrlProvider(e)),
                        _ => None,
                    };
                    assert_eq!(info.error, want);
                }
            },
        }
    }

    fn check_cause(&self, cause: &Cause) {
        assert_eq!(Some(cause), self.expect_cause.as_ref(), "cause");
        match cause {
            Cause::ConnectTimeout => {
                let at = self.attempt_at + self.cfg.reconnect.connect_timeout_ms;
                assert_eq!(self.now, at, "connect timeout at the wrong time");
            }
            Cause::HeartbeatTimeout => {
                let hb = self.cfg.heartbeat.as_ref().expect("heartbeat");
                let id = self.attempt_id.unwrap_or_default();
                let first = self.socks.get(&id).and_then(|s| s.pings.first().copied());
                let due = first.map(|p| p + hb.timeout_ms);
                assert_eq!(
                    due,
                    Some(self.now),
                    "heartbeat timeout without a silent ping"
                );
            }
            _ => {}
        }
    }

    pub(super) fn check_bounds(&self, when: &str) {
        let q = &self.cfg.queue;
        let (len, bytes) = (self.sup.queued_len(), self.sup.queued_bytes());
        assert!(
            len <= q.max_messages,
            "{when}: {len} queued > {}",
            q.max_messages
        );
        assert!(
            bytes <= q.max_bytes,
            "{when}: {bytes} B queued > {}",
            q.max_bytes
        );
    }

    /// Checks after every step, when no action is pending.
    pub(super) fn check_quiet(&mut self) {
        assert_eq!(
            self.held,
            self.sup.queued_len(),
            "held messages vs queue length"
        );
        assert_eq!(
            self.held_bytes,
            self.sup.queued_bytes(),
            "held bytes vs queue"
        );
        if self.held == 0 {
            self.overfull = false;
        }
        if !self.overfull {
            self.check_bounds("quiet");
        }
        assert_eq!(
            self.expect_backoff, None,
            "Reconnecting without its Backoff timer"
        );
        assert!(!self.unsent_pending, "Unsent without Closing/Closed");
        assert_eq!(self.sup.retry_count(), self.fails, "retry count");
        // Exactly the timers the state calls for, each due exactly when the docs say.
        let mut want: [Option<u64>; 6] = [None; 6];
        let (rc, hb) = (&self.cfg.reconnect, self.cfg.heartbeat.as_ref());
        match self.sup.state() {
            ConnectionState::Connecting { .. } => {
                want[ix(Timer::ConnectTimeout)] = Some(self.attempt_at + rc.connect_timeout_ms);
            }
            ConnectionState::Open => {
                assert_eq!(self.sup.socket_id(), self.attempt_id);
                if !self.stable_fired {
                    want[ix(Timer::Stable)] = Some(self.open_at + rc.stable_after_ms);
                }
                if let Some(h) = hb {
                    want[ix(Timer::Ping)] = Some(self.ping_base + h.interval_ms);
                    let id = self.attempt_id.unwrap_or_default();
                    let first = self.socks.get(&id).and_then(|s| s.pings.first().copied());
                    want[ix(Timer::PongTimeout)] = first.map(|p| p + h.timeout_ms);
                }
            }
            ConnectionState::Reconnecting { .. } if self.online => {
                want[ix(Timer::Backoff)] = Some(self.recon.0 + self.recon.1);
            }
            ConnectionState::Reconnecting { .. } => {}
            ConnectionState::Closing => {
                want[ix(Timer::CloseTimeout)] = Some(self.closing_at + self.cfg.close_timeout_ms);
                if !self.overfull {
                    assert_eq!(self.held, 0, "queue not handed back on close()");
                }
            }
            ConnectionState::Closed(_) => assert_eq!(self.held, 0, "messages held after close"),
        }
        for t in TIMERS {
            let due = self.timers[ix(t)].map(|(d, _)| d);
            let st = self.sup.state();
            assert_eq!(due, want[ix(t)], "{t:?} timer in {st:?}");
        }
        let live = self.socks.values().filter(|s| s.alive()).count();
        assert!(live <= 1, "{live} live sockets");
    }

    /// End of a run: close, let the world run dry, and account for every message.
    pub fn finish(&mut self) {
        if !self.sup.state().is_closed() {
            self.user_close(1000, "end of run", true);
        }
        let deadline = self.now + self.cfg.close_timeout_ms;
        while !self.sup.state().is_closed() {
            assert!(self.advance_next(), "stuck in {:?}", self.sup.state());
            assert!(self.now <= deadline, "close took longer than close_timeout");
        }
        if let ConnectionState::Closed(info) = self.sup.state() {
            if self.user_closed && !self.closed_before_user_close {
                assert_eq!(
                    info.by,
                    ClosedBy::Client,
                    "close() must end Closed by client"
                );
            }
        }
        for _ in 0..10_000 {
            if !self.advance_next() {
                break;
            }
        }
        assert!(self.agenda.is_empty() && self.timers.iter().all(Option::is_none));
        for (n, f) in self.fates.iter().enumerate() {
            assert_ne!(*f, Fate::Held, "m{n} silently gone");
        }
        for (id, got) in &self.server {
            self.tr(format_args!("server log #{id}: {got:?}"));
        }
        let stats = self.sup.stats();
        let at_server = self.fates.iter().filter(|f| **f != Fate::Back).count();
        assert_eq!(stats.messages_out, at_server as u64, "stats.messages_out");
    }
}
