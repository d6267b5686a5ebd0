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

    /// The decision the supervisor must have taken on a close with `code`: the driver's
    /// answer to `Classify` for a custom classifier (reconnection enabled), which is
    /// used up here; the built-in rules otherwise.
    fn decision_for(&mut self, code: u16) -> Decision {
        let p = &self.cfg.reconnect;
        if !(p.enabled && p.classifier.is_custom()) {
            return p.classifier.classify_builtin(code);
        }
        let (id, d) = self
            .answered
            .take()
            .expect("a custom classifier's decision taken without Classify/Classified");
        assert_eq!(Some(id), self.attempt_id, "decision about another socket");
        d
    }

    pub(super) fn on_state(&mut self, s: ConnectionState) {
        use ConnectionState as S;
        // Any state change ends a classification (it was answered, or made moot).
        self.classifying = None;
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
                if let Cause::Closed { code, .. } = &cause {
                    let code = *code;
                    let d = self.decision_for(code);
                    assert_eq!(d, Decision::Retry, "retried a close classified Stop");
                }
                self.hit(match cause {
                    Cause::Closed { code: 1006, .. } => "fail: 1006",
                    Cause::Closed { code: 1009, .. } => "fail: 1009 retried",
                    Cause::Closed { .. } => "fail: server close",
                    Cause::ConnectFailed => "fail: refused",
                    Cause::ConnectTimeout => "fail: connect timeout",
                    Cause::HeartbeatTimeout => "fail: heartbeat timeout",
                    Cause::UrlProvider(_) => "fail: url provider",
                    Cause::Manual => "manual",
                    Cause::Suspended => panic!("suspended, and this world has no pagehide"),
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
                    // No failure counted; the Backoff timer probes after the longest delay
                    // in case `online` never comes.
                    self.hit("fail while offline");
                    assert_eq!(
                        (attempt, delay_ms),
                        (self.fails, p.max_delay_ms),
                        "offline: no failure counted, probe after max_delay_ms"
                    );
                    self.expect_backoff = Some(delay_ms);
                    self.recon = (self.now, delay_ms);
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
                    if let Some((code, reason, clean)) = self.expect_closed.take() {
                        let got = (info.code, info.reason.as_str(), info.was_clean);
                        assert_eq!(got, (code, reason, clean), "Closed by client");
                        assert_eq!(info.error, None);
                    }
                }
                ClosedBy::Policy => {
                    assert!(self.online && p.enabled, "policy gave up offline/disabled");
                    assert!(!info.was_clean, "gave up on a clean close");
                    match self.expect_cause.clone() {
                        Some(Cause::Closed { code, reason, .. }) => {
                            assert_eq!((info.code, &info.reason), (code, &reason));
                            let d = self.decision_for(code);
                            assert_eq!(d, Decision::Retry, "gave up on a Stop close");
                        }
                        _ => assert_eq!((info.code, info.reason.as_str()), (1006, "")),
                    }
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
                    self.hit(if info.code == 1009 {
                        "closed: too big"
                    } else {
                        "closed: classifier stop"
                    });
                    let d = self.decision_for(info.code);
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
                            let url = self.url_redacted.clone();
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
        assert_eq!(
            self.answered, None,
            "Classified answered, no decision taken"
        );
        assert_eq!(
            self.expect_report, None,
            "oversized inbound message not reported"
        );
        assert_eq!(
            self.expect_abandon, None,
            "oversized inbound: socket not abandoned"
        );
        assert_eq!(self.expect_closed, None, "the expected Closed did not come");
        assert!(self.after_pump.is_none());
        assert_eq!(self.sup.retry_count(), self.fails, "retry count");
        assert_eq!(
            self.sup.url(),
            self.url.as_deref(),
            "url() is the latest full URL"
        );
        self.check_room();
        // Exactly the timers the state calls for, each due exactly when the docs say.
        let mut want: [Option<u64>; 6] = [None; 6];
        let (rc, hb) = (&self.cfg.reconnect, self.cfg.heartbeat.as_ref());
        match self.sup.state() {
            ConnectionState::Connecting { .. } => {
                want[ix(Timer::ConnectTimeout)] = Some(self.attempt_at + rc.connect_timeout_ms);
            }
            // Waiting for the classifier: no socket and no timer (the link's are cancelled).
            ConnectionState::Open if self.classifying.is_some() => {
                assert_eq!(self.sup.socket_id(), None, "a socket while classifying");
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
            // Online: the backoff delay; offline: the probe.
            ConnectionState::Reconnecting { .. } => {
                want[ix(Timer::Backoff)] = Some(self.recon.0 + self.recon.1);
            }
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

    /// `has_room` against the model of the queue, for a few lengths.
    fn check_room(&self) {
        let q = &self.cfg.queue;
        let open = self.sup.state().is_open() && self.classifying.is_none();
        let ends = matches!(
            self.sup.state(),
            ConnectionState::Closing | ConnectionState::Closed(_)
        );
        for len in [0, 5, 17, 40] {
            let fits = self.held < q.max_messages && self.held_bytes + len <= q.max_bytes;
            let alone = len <= q.max_bytes;
            let want = open
                || ends
                || len > self.cfg.max_message_size
                || (alone && (fits || q.overflow == Overflow::DropOldest));
            assert_eq!(self.sup.has_room(len), want, "has_room({len})");
        }
    }

    /// End of a run: close (or the owner goes away), let the world run dry, and account
    /// for every message.
    pub fn finish(&mut self) {
        if !self.sup.state().is_closed() {
            if self.rng.pct(25) {
                self.user_terminate(true);
            } else {
                self.user_close(1000, "end of run", true);
            }
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
