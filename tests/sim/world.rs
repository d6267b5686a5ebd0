//! The simulated world of `tests/simulation.rs`: a fake clock, a timer wheel, sockets, a
//! server that records what it receives, a URL provider, and an oracle that checks every
//! action the supervisor emits against the rules in the crate's docs.

use std::collections::BTreeMap;

use resocket::core::event::{Action, Event, Timer};
use resocket::core::supervisor::Supervisor;
use resocket::{Cause, Config, ConnectionState, Error, Message, Overflow};

#[path = "driver.rs"]
mod driver;
#[path = "oracle.rs"]
mod oracle;

pub const FIXED_URL: &str = "ws://sim/fixed";
const TIMERS: [Timer; 6] = [
    Timer::Backoff,
    Timer::ConnectTimeout,
    Timer::Stable,
    Timer::Ping,
    Timer::PongTimeout,
    Timer::CloseTimeout,
];

fn ix(t: Timer) -> usize {
    TIMERS.iter().position(|x| *x == t).unwrap_or(0)
}

/// SplitMix64: tiny, seeded, good enough for fault schedules.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (0 when `n == 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next() % n
        }
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }
    /// `true` with probability `p` percent.
    pub fn pct(&mut self, p: u64) -> bool {
        self.below(100) < p
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Link {
    Connecting,
    Open,
    Closed,
}

/// A socket as the world sees it.
#[derive(Debug)]
struct Sock {
    link: Link,
    opened: bool,    // Opened was delivered
    detached: bool,  // Abandon: the driver forgot it, no more events
    reported: bool,  // Closed was delivered
    silent: bool,    // the server sends nothing (no pongs, no messages)
    hole: bool,      // half-open: what the client sends never arrives
    fragile: bool,   // the link fails under the first send (the driver's send errors)
    sent_k: u32,     // server messages scheduled
    got_k: u32,      // server messages delivered to the application
    msg_at: u64,     // inbound is FIFO: the latest scheduled arrival
    pings: Vec<u64>, // pings since the last inbound message
    all_pings: Vec<u64>,
}

impl Sock {
    fn alive(&self) -> bool {
        !self.detached && !self.reported
    }
}

#[derive(Debug)]
enum Ev {
    Open(u64),
    Fail(u64),
    Kill(u64),
    Report(u64, u16, String, bool),
    Msg(u64, Message),
    Url(u64, Result<String, String>),
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fate {
    Held,
    Server,
    Back,
    Lost,
}

pub struct Sim {
    /// How often each interesting path was taken (summed over seeds by the caller).
    pub cov: BTreeMap<&'static str, u64>,
    pub rng: Rng,
    pub sup: Supervisor,
    cfg: Config,
    fixed: bool,
    pub now: u64,
    seq: u64,
    agenda: BTreeMap<(u64, u64), Ev>,
    timers: [Option<(u64, u64)>; 6],
    socks: BTreeMap<u64, Sock>,
    attempt_id: Option<u64>,
    pub online: bool,
    pub trace: bool,
    // ledger of user messages, indexed by N in "m<N>:..."
    fates: Vec<Fate>,
    held: usize,
    held_bytes: usize,
    last_at_server: Option<usize>,
    server: BTreeMap<u64, Vec<usize>>,
    overfull: bool,
    // oracle
    state: Option<ConnectionState>,
    fails: u32,
    outage: Option<u64>,
    attempt_at: u64,
    // when the state's timers were armed: Open (Stable), last ping or open (Ping),
    // Reconnecting (Backoff, with its delay), Closing (CloseTimeout)
    open_at: u64,
    stable_fired: bool,
    ping_base: u64,
    recon: (u64, u64),
    closing_at: u64,
    expect_backoff: Option<u64>,
    expect_cause: Option<Cause>,
    /// `close()` returned `Ok` at least once.
    pub user_closed: bool,
    /// ... and every action emitted before that call has been executed: from here on
    /// nothing may connect, send or arm a timer (other than CloseTimeout).
    after_close: bool,
    closed_before_user_close: bool,
    unsent_pending: bool,
}

impl Sim {
    pub fn new(seed: u64, cfg: Config, fixed: bool, online: bool) -> Self {
        let sup = Supervisor::new(cfg.clone(), fixed.then(|| FIXED_URL.to_owned()), seed);
        Sim {
            cov: BTreeMap::new(),
            rng: Rng(seed ^ 0x5EED),
            sup,
            cfg,
            fixed,
            now: 0,
            seq: 0,
            agenda: BTreeMap::new(),
            timers: [None; 6],
            socks: BTreeMap::new(),
            attempt_id: None,
            online,
            trace: false,
            fates: Vec::new(),
            held: 0,
            held_bytes: 0,
            last_at_server: None,
            server: BTreeMap::new(),
            overfull: false,
            state: None,
            fails: 0,
            outage: None,
            attempt_at: 0,
            open_at: 0,
            stable_fired: false,
            ping_base: 0,
            recon: (0, 0),
            closing_at: 0,
            expect_backoff: None,
            expect_cause: None,
            user_closed: false,
            after_close: false,
            closed_before_user_close: false,
            unsent_pending: false,
        }
    }

    fn tr(&self, what: std::fmt::Arguments<'_>) {
        if self.trace {
            println!("{:>7} {what}", self.now);
        }
    }

    pub fn hit(&mut self, what: &'static str) {
        *self.cov.entry(what).or_default() += 1;
    }

    fn schedule(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.agenda.insert((at, self.seq), ev);
    }

    pub fn start(&mut self) {
        self.sup.start(self.online);
        self.pump();
    }

    /// Feed one event, then run every action it produced.
    fn dispatch(&mut self, ev: Event) {
        self.tr(format_args!("<- {ev:?}"));
        self.sup.handle(self.now, ev);
        self.pump();
    }

    /// Execute actions in order until there are none, then check the quiet state.
    fn pump(&mut self) {
        while let Some(a) = self.sup.poll_action() {
            self.exec(a);
        }
        self.after_close = self.user_closed;
        self.check_quiet();
    }

    // ---------------------------------------------------------------- time

    /// Process the earliest due item (event or timer); `false` when nothing is due ever.
    pub fn advance_next(&mut self) -> bool {
        self.advance_until(u64::MAX)
    }

    fn advance_until(&mut self, limit: u64) -> bool {
        let ev = self.agenda.keys().next().copied();
        let tm = (0..6).filter_map(|i| self.timers[i].map(|k| (k, i))).min();
        let take_timer = match (ev, tm) {
            (None, None) => return false,
            (Some(e), Some((t, _))) => t < e,
            (None, Some(_)) => true,
            (Some(_), None) => false,
        };
        if take_timer {
            let ((at, _), i) = tm.unwrap_or(((0, 0), 0));
            if at > limit {
                return false;
            }
            self.now = self.now.max(at);
            self.timers[i] = None;
            self.fire(TIMERS[i]);
        } else {
            let key = ev.unwrap_or((0, 0));
            if key.0 > limit {
                return false;
            }
            self.now = self.now.max(key.0);
            if let Some(e) = self.agenda.remove(&key) {
                self.world_event(e);
            }
        }
        true
    }

    pub fn advance_by(&mut self, ms: u64) {
        let until = self.now + ms;
        while self.advance_until(until) {}
        self.now = until;
    }

    fn fire(&mut self, t: Timer) {
        let open = self.sup.state().is_open();
        self.expect_cause = match t {
            Timer::ConnectTimeout => Some(Cause::ConnectTimeout),
            Timer::PongTimeout => Some(Cause::HeartbeatTimeout),
            _ => None,
        };
        self.stable_fired |= t == Timer::Stable;
        if t == Timer::Stable && open {
            self.hit("stable reset");
            // The link stayed open for stable_after_ms: the attempt counter resets
            // (check_quiet compares it with the supervisor's).
            self.fails = 0;
            self.outage = None;
        }
        self.dispatch(Event::Timer(t));
    }

    fn world_event(&mut self, e: Ev) {
        match e {
            Ev::Open(id) => {
                let fragile = self.rng.pct(10);
                let s = self.sock(id);
                if s.detached || s.link != Link::Connecting {
                    return;
                }
                s.link = Link::Open;
                s.opened = true;
                // Sometimes the link fails while the queue is being flushed: every
                // flushed send bounces, in one pump.
                s.fragile = fragile;
                self.dispatch(Event::Opened { id });
            }
            Ev::Fail(id) => {
                if self.sock(id).link == Link::Connecting {
                    self.report(id, 1006, String::new(), false);
                }
            }
            Ev::Kill(id) => self.kill(id),
            Ev::Report(id, code, reason, clean) => self.report(id, code, reason, clean),
            Ev::Msg(id, message) => {
                let late = self.rng.pct(30);
                let s = self.sock(id);
                if s.detached || (s.reported && !late) {
                    return; // sometimes a late event of a closed socket still comes in
                }
                s.pings.clear();
                let all = s.all_pings.clone();
                let before = self.sup.stats().last_rtt_ms;
                let pong = self.cfg.heartbeat.as_ref().and_then(|h| h.pong.clone());
                let is_pong = pong.as_ref() == Some(&message);
                self.dispatch(Event::Message { id, message });
                let after = self.sup.stats().last_rtt_ms;
                if after != before {
                    let rtt = after.unwrap_or(u64::MAX);
                    assert!(is_pong, "RTT changed on a non-pong message");
                    assert!(
                        all.contains(&self.now.wrapping_sub(rtt)),
                        "RTT {rtt} matches no ping"
                    );
                    self.hit("rtt measured");
                }
            }
            Ev::Url(id, result) => {
                if let Err(e) = &result {
                    self.expect_cause = Some(Cause::UrlProvider(e.clone()));
                }
                self.dispatch(Event::UrlResolved { id, result });
            }
        }
    }

    fn sock(&mut self, id: u64) -> &mut Sock {
        self.socks.get_mut(&id).expect("unknown socket")
    }

    /// Deliver `Closed` for socket `id` (unless the driver detached it).
    fn report(&mut self, id: u64, code: u16, reason: String, was_clean: bool) {
        let s = self.sock(id);
        if !s.alive() {
            return;
        }
        s.reported = true;
        s.link = Link::Closed;
        self.expect_cause = Some(if s.opened {
            Cause::Closed {
                code,
                reason: reason.clone(),
                was_clean,
            }
        } else {
            Cause::ConnectFailed
        });
        let ev = Event::Closed {
            id,
            code,
            reason,
            was_clean,
        };
        self.dispatch(ev);
        assert_ne!(
            self.sup.socket_id(),
            Some(id),
            "socket closed but still current"
        );
    }

    // ---------------------------------------------------------------- faults and users

    fn current_open(&mut self) -> Option<u64> {
        let id = self.attempt_id?;
        let s = self.socks.get(&id)?;
        (s.link == Link::Open && !s.detached).then_some(id)
    }

    /// The world closes the current socket now; the driver hears about it a bit later.
    pub fn kill_current(&mut self) {
        if let Some(id) = self.current_open() {
            self.kill(id);
        }
    }

    fn kill(&mut self, id: u64) {
        let s = self.sock(id);
        if s.link != Link::Open || s.detached {
            return;
        }
        s.link = Link::Closed;
        let (code, reason, clean) = match self.rng.below(9) {
            0..=2 => (1006, String::new(), false),
            n => {
                // A close frame whose handshake did not complete is unclean.
                let codes = [1000, 1001, 1008, 1011, 4000, 4500];
                (
                    codes[n as usize - 3],
                    format!("server {n}"),
                    self.rng.pct(80),
                )
            }
        };
        let at = self.now + self.rng.below(40);
        self.tr(format_args!("kill #{id}: {code}"));
        self.schedule(at, Ev::Report(id, code, reason, clean));
    }

    pub fn silence_current(&mut self) {
        if let Some(id) = self.current_open() {
            let hole = self.rng.pct(50);
            let s = self.sock(id);
            s.silent = true;
            s.hole |= hole;
        }
    }

    pub fn server_message(&mut self) {
        let Some(id) = self.current_open() else {
            return;
        };
        let d = self.rng.below(30);
        let s = self.sock(id);
        if s.silent {
            return;
        }
        let m = Message::Text(format!("s{id}:{}", s.sent_k));
        s.sent_k += 1;
        self.inbound(id, d, m);
    }

    fn inbound(&mut self, id: u64, delay: u64, m: Message) {
        let now = self.now;
        let s = self.sock(id);
        let at = s.msg_at.max(now + delay);
        s.msg_at = at;
        self.schedule(at, Ev::Msg(id, m));
    }

    pub fn toggle_online(&mut self) {
        self.online = !self.online;
        self.dispatch(if self.online {
            Event::Online
        } else {
            Event::Offline
        });
    }

    /// The application sends "m<N>:pad". Does not pump: also called from inside a pump,
    /// as an observer of the JS facade would.
    pub fn user_send(&mut self) {
        let n = self.fates.len();
        let pad = "x".repeat(self.rng.below(14) as usize);
        let m = Message::Text(format!("m{n}:{pad}"));
        let (open, closed) = match self.sup.state() {
            ConnectionState::Open => (true, false),
            ConnectionState::Closing | ConnectionState::Closed(_) => (false, true),
            _ => (false, false),
        };
        self.tr(format_args!("user send m{n} ({} bytes)", m.len()));
        match self.sup.send(m.clone()) {
            Ok(()) => {
                assert!(!closed, "send accepted after close");
                self.fates.push(Fate::Held);
                self.held += 1;
                self.held_bytes += m.len();
                if !open {
                    self.check_bounds("after an accepted send");
                }
            }
            Err(e) => {
                self.fates.push(Fate::Back);
                match &e {
                    Error::QueueFull(_) => {
                        assert!(!open && !closed, "QueueFull while open");
                        self.hit("send: queue full");
                    }
                    Error::Closed { .. } => assert!(closed, "Closed error while not closed"),
                    other => panic!("unexpected send error {other:?}"),
                }
                assert_eq!(
                    e.into_unsent(),
                    vec![m],
                    "the refused message must come back"
                );
            }
        }
    }

    pub fn user_send_top(&mut self) {
        self.user_send();
        self.pump();
    }

    /// The application closes with a random code: valid, or one the API refuses.
    /// `top`: called from the application's code, not from inside a notification.
    pub fn user_close_random(&mut self, top: bool) {
        let long = "é".repeat(62); // 124 bytes
        let (code, reason) = match self.rng.below(10) {
            0 => (1005, ""),
            1 => (1001, ""),
            2 => (2999, ""),
            3 => (5000, ""),
            4 => (1000, long.as_str()),
            5..=7 => (1000, "bye"),
            _ => (3000 + self.rng.below(2000) as u16, "app"),
        };
        self.user_close(code, reason, top);
    }

    pub fn user_close(&mut self, code: u16, reason: &str, top: bool) {
        let before = self.sup.state().clone();
        let valid = (code == 1000 || (3000..=4999).contains(&code)) && reason.len() <= 123;
        self.tr(format_args!("user close({code}, {} bytes)", reason.len()));
        match self.sup.close(code, reason) {
            Ok(()) => {
                assert!(valid, "close({code}) accepted");
                if !self.user_closed {
                    self.user_closed = true;
                    self.closed_before_user_close = before.is_closed();
                }
            }
            Err(e) => {
                assert!(!valid, "valid close refused: {e:?}");
                let want = if code == 1000 || (3000..=4999).contains(&code) {
                    Error::InvalidCloseReason(reason.len())
                } else {
                    Error::InvalidCloseCode(code)
                };
                assert_eq!(e, want);
                if top {
                    assert_eq!(self.sup.poll_action(), None, "a refused close acted");
                }
                self.hit("close: invalid");
                assert_eq!(self.sup.state(), &before, "a refused close changed state");
            }
        }
        if top {
            self.pump();
        }
    }

    pub fn user_reconnect(&mut self, top: bool) {
        let before = self.sup.state().clone();
        self.tr(format_args!("user reconnect()"));
        match self.sup.reconnect() {
            Ok(()) => assert!(!self.user_closed, "reconnect() accepted after close()"),
            Err(e) => {
                assert_eq!(e, Error::Closed { unsent: None });
                assert!(self.user_closed, "reconnect() refused in {before:?}");
            }
        }
        if top {
            self.pump();
        }
    }
}

fn msg_no(m: &Message) -> usize {
    let t = m.as_text().expect("text message");
    t[1..t.find(':').expect("m<N>:")].parse().expect("m<N>")
}
