//! The simulated world of `tests/simulation.rs`: a fake clock, a timer wheel, sockets, a
//! server that records what it receives, a URL provider, and an oracle that checks every
//! action the supervisor emits against the rules in the crate's docs.

use std::cell::Cell;
use std::collections::BTreeMap;

use resocket::core::event::{Action, Event, Timer};
use resocket::core::supervisor::Supervisor;
use resocket::{Cause, Config, ConnectionState, Decision, Error, Message, Overflow};

#[path = "driver.rs"]
mod driver;
#[path = "oracle.rs"]
mod oracle;
#[path = "rng.rs"]
mod rng;
pub use rng::Rng;

/// The fixed URL carries credentials and a token: errors must name it redacted.
pub const FIXED_URL: &str = "ws://ann:pw@sim/fixed?token=s3cret";
/// [`FIXED_URL`] without userinfo and query.
const FIXED_URL_REDACTED: &str = "ws://sim/fixed";
/// The reason of the close the supervisor reports for an oversized inbound message.
const TOO_BIG: &str = "message too big";

thread_local! {
    /// Set while the driver runs the application's classifier: the custom classifiers of
    /// the simulation panic when called anywhere else (i.e. by the supervisor itself).
    static IN_DRIVER: Cell<bool> = const { Cell::new(false) };
}

/// `true` while the driver runs the application's classifier.
pub fn in_driver() -> bool {
    IN_DRIVER.with(Cell::get)
}
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
    /// An inbound message over the size limit, reported by length only (`Oversized`).
    Big(u64, u64),
    Url(u64, Result<String, String>),
    /// The driver answers a classification later, after other events.
    Classify(Pending),
}

/// A classification the supervisor asked for (`Action::Classify`).
#[derive(Debug, Clone)]
struct Pending {
    id: u64,
    code: u16,
    reason: String,
    /// The close the world reported (what a `Reconnecting`/`Closed` must name).
    cause: Option<Cause>,
    /// A second answer to an already answered question (must be ignored).
    dup: bool,
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
    /// The classification the supervisor waits for (state `Open`, no socket, no timers).
    classifying: Option<Pending>,
    /// A classification the driver answers once the current pump is done.
    after_pump: Option<Pending>,
    /// Pumps in progress: a socket that reports its close from inside `send()` makes the
    /// driver pump again within the pump that executes the Send (as the browser driver
    /// does); the quiet-state checks run when the outermost pump ends.
    pumps: u32,
    /// The decision fed with a live `Classified` (socket id), until a state uses it.
    answered: Option<(u64, Decision)>,
    /// An oversized inbound message of this size must be reported...
    expect_report: Option<u64>,
    /// ... and its socket abandoned with this reason.
    expect_abandon: Option<&'static str>,
    /// The next `Closed` by the client must carry this code, reason and cleanliness.
    expect_closed: Option<(u16, &'static str, bool)>,
    /// The latest attempt's URL, and the same redacted (what `ConnectFailed` names).
    url: Option<String>,
    url_redacted: String,
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
            classifying: None,
            after_pump: None,
            pumps: 0,
            answered: None,
            expect_report: None,
            expect_abandon: None,
            expect_closed: None,
            url: None,
            url_redacted: String::new(),
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

    /// Execute actions in order until there are none (answering a classification left
    /// for after the pump), then check the quiet state.
    fn pump(&mut self) {
        self.pumps += 1;
        loop {
            while let Some(a) = self.sup.poll_action() {
                self.exec(a);
            }
            match self.after_pump.take() {
                Some(p) => self.answer(p, true),
                None => break,
            }
        }
        self.pumps -= 1;
        if self.pumps == 0 {
            self.after_close = self.user_closed;
            self.check_quiet();
        }
    }

    /// The supervisor waits for a classification: `Open`, yet no current socket.
    fn sup_classifying(&self) -> bool {
        self.sup.state().is_open() && self.sup.socket_id().is_none()
    }

    /// The driver runs the application's classifier for `p`, outside the supervisor
    /// (the callback may call back into the socket first), and reports the decision.
    /// `quiet`: no action is pending.
    fn answer(&mut self, p: Pending, mut quiet: bool) {
        if !p.dup {
            quiet &= !self.in_classifier();
        }
        IN_DRIVER.with(|f| f.set(true));
        let decision = self.cfg.reconnect.classifier.classify(p.code, &p.reason);
        IN_DRIVER.with(|f| f.set(false));
        let id = p.id;
        let live = self.classifying.as_ref().is_some_and(|c| c.id == id) && self.sup_classifying();
        if quiet && !p.dup && self.rng.pct(10) {
            let before = self.sup.state().clone();
            let bogus = Event::Classified {
                id: id + 1000,
                decision,
            };
            self.tr(format_args!("<- {bogus:?}"));
            self.sup.handle(self.now, bogus);
            assert_eq!(
                self.sup.poll_action(),
                None,
                "Classified for another id acted"
            );
            assert_eq!(self.sup.state(), &before);
            self.hit("classify: wrong id ignored");
        }
        if live {
            self.answered = Some((id, decision));
            self.expect_cause = p.cause.clone();
        }
        let before = self.sup.state().clone();
        let ev = Event::Classified { id, decision };
        self.tr(format_args!("<- {ev:?}"));
        self.sup.handle(self.now, ev);
        if live {
            assert_ne!(self.sup.state(), &before, "a live Classified was ignored");
        } else {
            assert_eq!(self.sup.state(), &before, "a stale Classified acted");
            if quiet {
                assert_eq!(self.sup.poll_action(), None, "a stale Classified acted");
            }
            self.hit("classify: stale answer ignored");
        }
    }

    /// Inside the classifier callback the application may call back into the socket.
    /// `true` when it did.
    fn in_classifier(&mut self) -> bool {
        let live = self.sup_classifying();
        match self.rng.below(100) {
            0..=14 => {
                self.user_send();
                if live {
                    self.hit("classify: re-entrant send");
                }
            }
            15..=21 => {
                if self.user_close_random(false) && live {
                    self.hit("classify: re-entrant close");
                }
            }
            22..=31 => {
                if self.user_reconnect(false) && live {
                    self.hit("classify: re-entrant reconnect");
                }
            }
            32 => {
                self.user_terminate(false);
                if live {
                    self.hit("classify: re-entrant terminate");
                }
            }
            _ => return false,
        }
        true
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
        if t == Timer::Backoff && !self.online {
            // The probe: `online` never came, the attempt starts anyway.
            self.hit("offline probe");
        }
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
                let before = self.sup.stats().last_rtt_ms;
                let is_pong = self
                    .cfg
                    .heartbeat
                    .as_ref()
                    .is_some_and(|h| h.pong.as_ref() == Some(&message));
                if message.len() > self.cfg.max_message_size {
                    self.expect_oversized(id, message.len() as u64);
                }
                self.dispatch(Event::Message { id, message });
                let after = self.sup.stats().last_rtt_ms;
                if after != before {
                    let rtt = after.unwrap_or(u64::MAX);
                    assert!(is_pong, "RTT changed on a non-pong message");
                    let ping = self.now.wrapping_sub(rtt);
                    assert!(
                        self.sock(id).all_pings.contains(&ping),
                        "RTT {rtt} matches no ping"
                    );
                    self.hit("rtt measured");
                }
            }
            Ev::Big(id, size) => {
                let late = self.rng.pct(30);
                let s = self.sock(id);
                if s.detached || (s.reported && !late) {
                    return;
                }
                s.pings.clear();
                self.expect_oversized(id, size);
                self.dispatch(Event::Oversized { id, size });
            }
            Ev::Classify(p) => {
                self.answer(p, true);
                self.pump();
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

    /// Socket `id` receives a message of `size` bytes, over the limit. The current socket
    /// (open or closing) must report it, be abandoned and close with 1009; a late one of
    /// a closed socket is ignored.
    fn expect_oversized(&mut self, id: u64, size: u64) {
        if !self.sock(id).alive() {
            self.hit("oversized inbound: stale");
            return;
        }
        self.expect_report = Some(size);
        self.expect_abandon = Some(TOO_BIG);
        self.expect_cause = Some(Cause::Closed {
            code: 1009,
            reason: TOO_BIG.into(),
            was_clean: false,
        });
        if matches!(self.state, Some(ConnectionState::Closing)) {
            self.hit("oversized inbound: closing");
            self.expect_closed = Some((1009, TOO_BIG, false));
        } else {
            self.hit("oversized inbound");
        }
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
        if let Some((code, reason, clean)) = self.close_link(id) {
            let at = self.now + self.rng.below(40);
            self.tr(format_args!("kill #{id}: {code}"));
            self.schedule(at, Ev::Report(id, code, reason, clean));
        }
    }

    /// As [`kill`](Self::kill), but the socket reports its close at once, from inside the
    /// call that closed it (an application's `WebSocket` class whose `send()` dispatches
    /// `close` synchronously), so the driver hears it before that call returns.
    pub(super) fn kill_now(&mut self, id: u64) {
        if let Some((code, reason, clean)) = self.close_link(id) {
            self.tr(format_args!("kill #{id} inside the call: {code}"));
            self.hit("close reported inside send()");
            self.report(id, code, reason, clean);
        }
    }

    /// Closes socket `id`'s link, if open: the close code, reason and cleanness to report.
    fn close_link(&mut self, id: u64) -> Option<(u16, String, bool)> {
        let s = self.sock(id);
        if s.link != Link::Open || s.detached {
            return None;
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
        Some((code, reason, clean))
    }

    pub fn silence_current(&mut self) {
        if let Some(id) = self.current_open() {
            let hole = self.rng.pct(50);
            let s = self.sock(id);
            s.silent = true;
            s.hole |= hole;
        }
    }

    /// The server sends "s<id>:<k>", sometimes padded around the size limit, or one over
    /// it that the browser layer reports by length only.
    pub fn server_message(&mut self) {
        if let Some(id) = self.current_open() {
            self.server_message_on(id, 6);
        }
    }

    /// A server message on socket `id`; `big_pct`: the chance it is near or over the limit.
    fn server_message_on(&mut self, id: u64, big_pct: u64) {
        let d = self.rng.below(30);
        let big = self.rng.pct(big_pct);
        let whole = self.rng.pct(50);
        let extra = self.rng.below(8) as usize;
        let over = self.rng.range(1, 1000);
        let limit = self.cfg.max_message_size;
        let s = self.sock(id);
        if s.silent {
            return;
        }
        let k = s.sent_k;
        s.sent_k += 1;
        if big && !(whole && limit <= 64) {
            return self.inbound(id, d, Ev::Big(id, limit as u64 + over));
        }
        let mut text = format!("s{id}:{k}");
        if big {
            // Around the limit: from two bytes under it to several over.
            let len = (limit + extra).saturating_sub(2);
            if text.len() < len {
                text.push(':');
                text.extend(std::iter::repeat_n('y', len.saturating_sub(text.len())));
            }
            self.hit("server message near the limit");
        }
        self.inbound(id, d, Ev::Msg(id, Message::Text(text)));
    }

    /// Schedule an inbound event of socket `id`; inbound is FIFO.
    fn inbound(&mut self, id: u64, delay: u64, ev: Ev) {
        let now = self.now;
        let s = self.sock(id);
        let at = s.msg_at.max(now + delay);
        s.msg_at = at;
        self.schedule(at, ev);
    }

    /// The browser goes online or offline; `flip: false` repeats the current one (browsers
    /// may fire the same event twice).
    pub fn toggle_online(&mut self, flip: bool) {
        if flip {
            self.online = !self.online;
        } else {
            self.hit("online/offline repeated");
        }
        let backoff = matches!(self.state, Some(ConnectionState::Reconnecting { .. }));
        if !self.online && backoff {
            // Offline during a backoff re-arms the Backoff timer as a probe.
            let probe = self.cfg.reconnect.max_delay_ms;
            self.expect_backoff = Some(probe);
            self.recon = (self.now, probe);
            self.hit("offline re-arms the probe");
        }
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
        let (len, limit) = (m.len(), self.cfg.max_message_size);
        let classifying = self.sup_classifying();
        let (open, closed) = match self.sup.state() {
            // While classifying, sends are queued as during a backoff.
            ConnectionState::Open => (!classifying, false),
            ConnectionState::Closing | ConnectionState::Closed(_) => (false, true),
            _ => (false, false),
        };
        let room = self.sup.has_room(len);
        self.tr(format_args!("user send m{n} ({len} bytes)"));
        let result = self.sup.send(m.clone());
        let full = matches!(result, Err(Error::QueueFull(_)));
        assert_eq!(
            room,
            !full,
            "has_room({len}) vs send in {:?}",
            self.sup.state()
        );
        if classifying && result.is_ok() {
            self.hit("send: queued while classifying");
        }
        match result {
            Ok(()) => {
                assert!(len <= limit, "a message over max_message_size accepted");
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
                    Error::TooLarge {
                        size,
                        limit: l,
                        message: _,
                    } => {
                        assert!(len > limit, "TooLarge for {len} <= {limit} bytes");
                        assert_eq!((*size, *l), (len as u64, limit as u64));
                        self.hit("send: too large");
                    }
                    Error::QueueFull(_) => {
                        assert!(!open && !closed, "QueueFull while open");
                        self.hit("send: queue full");
                    }
                    Error::Closed { .. } => assert!(closed, "Closed error while not closed"),
                    other => panic!("unexpected send error {other:?}"),
                }
                assert!(
                    len <= limit || matches!(e, Error::TooLarge { .. }),
                    "a message over max_message_size refused with {e:?}"
                );
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
    /// `true` when the close was accepted.
    pub fn user_close_random(&mut self, top: bool) -> bool {
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
        self.user_close(code, reason, top)
    }

    pub fn user_close(&mut self, code: u16, reason: &str, top: bool) -> bool {
        let before = self.sup.state().clone();
        let valid = (code == 1000 || (3000..=4999).contains(&code)) && reason.len() <= 123;
        self.tr(format_args!("user close({code}, {} bytes)", reason.len()));
        let classifying = self.sup_classifying();
        let result = self.sup.close(code, reason);
        let accepted = result.is_ok();
        match result {
            Ok(()) => {
                assert!(valid, "close({code}) accepted");
                if classifying {
                    self.hit("classify: close while asked");
                }
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
        accepted
    }

    /// The owner is gone (`Supervisor::terminate`): closed by the client at once.
    pub fn user_terminate(&mut self, top: bool) {
        let before = self.sup.state().clone();
        self.tr(format_args!("user terminate()"));
        self.sup.terminate();
        if before.is_closed() {
            assert_eq!(self.sup.state(), &before, "terminate() after Closed acted");
            if top {
                assert_eq!(
                    self.sup.poll_action(),
                    None,
                    "terminate() after Closed acted"
                );
            }
        } else {
            self.expect_closed = Some((1000, "", false));
            assert!(self.sup.state().is_closed(), "terminate() did not close");
            self.hit("terminate");
        }
        if !self.user_closed {
            self.user_closed = true;
            self.closed_before_user_close = before.is_closed();
        }
        if top {
            self.pump();
        }
    }

    /// `true` when the reconnect was accepted.
    pub fn user_reconnect(&mut self, top: bool) -> bool {
        let before = self.sup.state().clone();
        let classifying = self.sup_classifying();
        self.tr(format_args!("user reconnect()"));
        let ok = match self.sup.reconnect() {
            Ok(()) => {
                assert!(!self.user_closed, "reconnect() accepted after close()");
                if classifying {
                    self.hit("classify: reconnect while asked");
                }
                true
            }
            Err(e) => {
                assert_eq!(e, Error::Closed { unsent: None });
                assert!(self.user_closed, "reconnect() refused in {before:?}");
                false
            }
        };
        if top {
            self.pump();
        }
        ok
    }
}

fn msg_no(m: &Message) -> usize {
    let t = m.as_text().expect("text message");
    t[1..t.find(':').expect("m<N>:")].parse().expect("m<N>")
}
