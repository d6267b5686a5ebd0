//! The simulated driver: executes the supervisor's actions against the world, as
//! `src/web/driver.rs` does against the browser (a Send to a socket that is not open is
//! reported back as `Bounced` at once, inside the same pump). A `Classify` runs the
//! application's classifier outside the supervisor and answers with `Classified`: at
//! once inside the pump, right after it, or later, after other events; the classifier
//! callback may call back into the socket first.

use super::*;

impl Sim {
    fn new_attempt(&mut self, id: u64) {
        assert!(self.attempt_id.is_none_or(|p| id > p), "ids must grow");
        let live: Vec<_> = self.socks.iter().filter(|(_, s)| s.alive()).collect();
        assert!(live.is_empty(), "new attempt #{id} while {live:?} is live");
        self.attempt_id = Some(id);
    }

    pub(super) fn exec(&mut self, a: Action) {
        self.tr(format_args!("  -> {a:?}"));
        if self.after_close {
            let allowed = match &a {
                Action::Connect { .. }
                | Action::ResolveUrl { .. }
                | Action::Send { .. }
                | Action::Ping { .. }
                | Action::Classify { .. } => false,
                Action::SetTimer { timer, .. } => *timer == Timer::CloseTimeout,
                _ => true,
            };
            assert!(allowed, "{a:?} after the application closed");
        }
        match a {
            Action::ResolveUrl { id } => {
                assert!(!self.fixed, "ResolveUrl with a fixed URL");
                self.new_attempt(id);
                let roll = self.rng.below(100);
                if roll >= 5 {
                    let r = if roll < 30 {
                        Err(format!("provider down {id}"))
                    } else {
                        Ok(format!("wss://sim/{id}?session={id}"))
                    };
                    let at = self.now + self.rng.below(120);
                    self.schedule(at, Ev::Url(id, r));
                }
            }
            Action::Connect { id, url } => self.connect(id, url),
            Action::Send { id, message, .. } => self.send_on(id, message),
            Action::Ping { id, message } => {
                assert_eq!(Some(id), self.attempt_id, "ping to a stale socket");
                let hb = self.cfg.heartbeat.clone().expect("ping without heartbeat");
                assert_eq!(message, hb.ping);
                let now = self.now;
                let d = self.rng.below(hb.timeout_ms + hb.timeout_ms / 4);
                self.ping_base = now;
                let s = self.sock(id);
                s.pings.push(now);
                s.all_pings.push(now);
                if s.link == Link::Open && !s.detached && !s.silent {
                    self.inbound(id, d, Ev::Msg(id, Message::Text("pong".into())));
                }
            }
            Action::Close { id, code, .. } => {
                assert!(self.user_closed, "Close without close()");
                assert_eq!(Some(id), self.attempt_id);
                let d = self.rng.below(self.cfg.close_timeout_ms * 6 / 5 + 1);
                let answer = self.rng.pct(80);
                if self.rng.pct(15) && self.sock(id).link == Link::Open {
                    // The server was sending when the client closed: it still arrives.
                    self.server_message_on(id, 40);
                }
                let s = self.sock(id);
                match s.link {
                    Link::Connecting => {
                        s.link = Link::Closed;
                        self.schedule(self.now + d, Ev::Report(id, 1006, String::new(), false));
                    }
                    Link::Open => {
                        s.link = Link::Closed;
                        if answer {
                            let r = Ev::Report(id, code, "echo".into(), true);
                            self.schedule(self.now + d, r);
                        }
                    }
                    Link::Closed => {}
                }
            }
            Action::Abandon { id, code, reason } => {
                assert_eq!(Some(id), self.attempt_id, "abandon of a stale socket");
                assert_eq!(code, 1000, "abandon code");
                if let Some(want) = self.expect_abandon.take() {
                    assert_eq!(reason, want, "abandon reason");
                }
                let s = self.sock(id);
                assert!(s.alive(), "abandon of a dead socket #{id}");
                s.detached = true;
                s.link = Link::Closed;
            }
            Action::SetTimer { timer, after_ms } => {
                let want = match timer {
                    Timer::Backoff => self.expect_backoff.take(),
                    Timer::ConnectTimeout => Some(self.cfg.reconnect.connect_timeout_ms),
                    Timer::Stable => Some(self.cfg.reconnect.stable_after_ms),
                    Timer::Ping => self.cfg.heartbeat.as_ref().map(|h| h.interval_ms),
                    Timer::PongTimeout => self.cfg.heartbeat.as_ref().map(|h| h.timeout_ms),
                    Timer::CloseTimeout => Some(self.cfg.close_timeout_ms),
                    // Acknowledged delivery is off here (tests/delivery.rs covers it).
                    Timer::AckTimeout => None,
                };
                assert_eq!(Some(after_ms), want, "SetTimer({timer:?})");
                self.seq += 1;
                self.timers[ix(timer)] = Some((self.now + after_ms, self.seq));
            }
            Action::CancelTimer(t) => {
                assert!(self.timers[ix(t)].is_some(), "cancel of an idle {t:?}");
                self.timers[ix(t)] = None;
            }
            Action::Acked(_) | Action::Expired(_) | Action::Unacked(_) => {
                panic!("{a:?} with acknowledged delivery off")
            }
            Action::Deliver(m) => {
                assert!(m.len() <= self.cfg.max_message_size, "oversized Deliver");
                let text = m.as_text().unwrap_or_default();
                if text == "pong" {
                    let hb = self.cfg.heartbeat.as_ref();
                    assert!(hb.is_some_and(|h| h.pong.is_none()), "pong delivered");
                } else {
                    let mut parts = text[1..].splitn(3, ':');
                    let (sid, k) = (parts.next(), parts.next());
                    let sid: u64 = sid.and_then(|x| x.parse().ok()).expect("server message");
                    let k: u32 = k.and_then(|x| x.parse().ok()).expect("server message");
                    assert_eq!(Some(sid), self.attempt_id, "Deliver from a stale socket");
                    let s = self.sock(sid);
                    assert!(s.alive(), "Deliver from an abandoned or closed socket");
                    assert_eq!(k, s.got_k, "server messages out of order");
                    s.got_k += 1;
                    self.hit("Deliver");
                }
                self.observer();
            }
            Action::State(s) => {
                let closing = matches!(s, ConnectionState::Closing | ConnectionState::Closed(_));
                assert!(closing || !self.unsent_pending, "Unsent, then {s:?}");
                self.unsent_pending = false;
                self.on_state(s);
                // A close() made inside a notification takes effect with its own state.
                self.after_close |= self.user_closed && closing;
                self.observer();
            }
            Action::Dropped(v) => {
                self.hit("Dropped");
                assert_eq!(self.cfg.queue.overflow, Overflow::DropOldest);
                self.hand_back(v, "Dropped");
            }
            Action::Unsent(v) => {
                self.hit("Unsent");
                // The next state must be Closing or Closed, unless it is Closed already
                // (a send that bounced after the final close comes back after it).
                let closed = matches!(self.state, Some(ConnectionState::Closed(_)));
                if closed {
                    self.hit("Unsent after the final close");
                }
                self.unsent_pending = !closed;
                self.hand_back(v, "Unsent");
            }
            Action::Report(e) => {
                let size = self.expect_report.take().expect("Report unasked");
                let limit = self.cfg.max_message_size as u64;
                let want = Error::TooLarge {
                    size,
                    limit,
                    message: None,
                };
                assert_eq!(e, want, "Report");
                assert_eq!(self.expect_abandon, Some(TOO_BIG), "Report twice");
                self.hit("Report");
            }
            Action::Classify { id, code, reason } => self.classify(id, code, reason),
        }
    }

    /// The supervisor asks the application's classifier about the close of socket `id`.
    fn classify(&mut self, id: u64, code: u16, reason: String) {
        let p = &self.cfg.reconnect;
        assert!(p.enabled, "Classify with reconnection disabled");
        assert!(
            p.classifier.is_custom(),
            "Classify for a built-in classifier"
        );
        assert_eq!(Some(id), self.attempt_id, "Classify for a stale socket");
        assert!(
            !self.sock(id).alive(),
            "Classify while socket #{id} is alive"
        );
        // The state stays Open until the answer (the last state emitted before it).
        assert_eq!(
            self.state,
            Some(ConnectionState::Open),
            "Classify not from Open"
        );
        assert!(self.classifying.is_none() && self.after_pump.is_none());
        let cause = self.expect_cause.clone();
        match &cause {
            Some(Cause::Closed {
                code: c, reason: r, ..
            }) => {
                assert_eq!(
                    (code, reason.as_str()),
                    (*c, r.as_str()),
                    "Classify vs the close"
                )
            }
            other => panic!("Classify({code}) after {other:?}"),
        }
        self.hit("classify: custom asked");
        let p = Pending {
            id,
            code,
            reason,
            cause,
            dup: false,
        };
        self.classifying = Some(p.clone());
        match self.rng.below(100) {
            0..=34 => {
                self.hit("classify: answered at once");
                self.answer(p, false);
            }
            35..=69 => {
                self.hit("classify: answered after the pump");
                self.after_pump = Some(p);
            }
            _ => {
                self.hit("classify: answered later");
                let at = self.now + self.rng.below(400);
                if self.rng.pct(15) {
                    let dup = Pending {
                        dup: true,
                        ..p.clone()
                    };
                    let later = at + self.rng.below(100);
                    self.schedule(later, Ev::Classify(dup));
                }
                self.schedule(at, Ev::Classify(p));
            }
        }
    }

    /// A JS observer may send, close or reconnect from inside a notification; more
    /// eagerly when the notice is stale because the supervisor already waits for a
    /// classification (the link failed under a send made while the notices are run).
    fn observer(&mut self) {
        if self.sup_classifying() && self.rng.pct(40) {
            match self.rng.below(3) {
                0 => self.user_send(),
                1 => {
                    self.user_close_random(false);
                }
                _ => {
                    self.user_reconnect(false);
                }
            }
            self.hit("classify: call from a notice");
            return;
        }
        match self.rng.below(400) {
            0..=31 => self.user_send(),
            32..=33 => {
                self.user_close_random(false);
            }
            34..=39 => {
                self.user_reconnect(false);
            }
            40 => self.user_terminate(false),
            _ => {}
        }
    }

    fn hand_back(&mut self, v: Vec<Message>, what: &str) {
        assert!(!v.is_empty(), "empty {what}");
        for m in v {
            let n = msg_no(&m);
            assert_eq!(self.fates[n], Fate::Held, "{what} m{n} that is not held");
            self.fates[n] = Fate::Back;
            self.held -= 1;
            self.held_bytes -= m.len();
        }
    }

    fn connect(&mut self, id: u64, url: String) {
        // The socket gets the full URL; errors name it without credentials and query.
        if self.fixed {
            assert_eq!(url, FIXED_URL);
            self.new_attempt(id);
            self.url_redacted = FIXED_URL_REDACTED.into();
        } else {
            assert_eq!(Some(id), self.attempt_id, "Connect without ResolveUrl");
            assert_eq!(url, format!("wss://sim/{id}?session={id}"));
            self.url_redacted = format!("wss://sim/{id}");
        }
        self.url = Some(url);
        let silent = self.rng.pct(12);
        let hole = silent && self.rng.pct(50);
        self.socks.insert(
            id,
            Sock {
                link: Link::Connecting,
                opened: false,
                detached: false,
                reported: false,
                silent,
                hole,
                fragile: false,
                sent_k: 0,
                got_k: 0,
                msg_at: 0,
                pings: Vec::new(),
                all_pings: Vec::new(),
            },
        );
        let d = self.now + self.rng.below(150);
        // Offline, the network is usually really down (sometimes `onLine` is wrong).
        let down = !self.online && self.rng.pct(75);
        match self.rng.below(100) {
            _ if down => self.schedule(d, Ev::Fail(id)),
            0..=54 => self.schedule(d, Ev::Open(id)),
            55..=69 => {
                // Opens, then drops before it is stable: a flapping link.
                self.schedule(d, Ev::Open(id));
                let k = d + self.rng.below(300);
                self.schedule(k, Ev::Kill(id));
            }
            70..=87 => self.schedule(d, Ev::Fail(id)),
            _ => {} // hangs in CONNECTING
        }
    }

    fn send_on(&mut self, id: u64, message: Message) {
        let n = msg_no(&message);
        assert_eq!(Some(id), self.attempt_id, "Send to a stale socket");
        assert_eq!(
            self.fates[n],
            Fate::Held,
            "m{n} sent twice or after hand-back"
        );
        let fails = self.rng.pct(2) || self.sock(id).fragile;
        if fails && self.rng.pct(30) {
            self.kill_now(id);
        } else if fails {
            self.kill(id);
        }
        let s = self.sock(id);
        let hole = s.hole;
        if s.link != Link::Open || s.detached {
            // The driver could not hand it to the socket: report it back synchronously.
            self.overfull = true;
            // The bounce is what ends the link, unless the socket reported its close
            // already (from inside this send() or an earlier one of the same pump).
            if !self.sock(id).reported {
                self.expect_cause = Some(Cause::Closed {
                    code: 1006,
                    reason: String::new(),
                    was_clean: false,
                });
            }
            self.tr(format_args!("<- Bounced m{n}"));
            self.hit("Bounced");
            let tracked = false;
            let event = Event::Bounced {
                id,
                message,
                tracked,
            };
            self.sup.handle(self.now, event);
            return;
        }
        self.held -= 1;
        self.held_bytes -= message.len();
        if hole {
            self.tr(format_args!("m{n} lost in half-open #{id}"));
            self.hit("lost in a half-open link");
            self.fates[n] = Fate::Lost;
            return;
        }
        self.tr(format_args!("server #{id} got m{n}"));
        self.hit("at server");
        self.fates[n] = Fate::Server;
        self.server.entry(id).or_default().push(n);
        assert!(
            self.last_at_server.is_none_or(|last| n > last),
            "m{n} reached the server after m{:?}",
            self.last_at_server
        );
        self.last_at_server = Some(n);
    }
}
