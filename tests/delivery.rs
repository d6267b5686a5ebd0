//! Deterministic simulation of acknowledged delivery in the sans-IO core.
//!
//! Each seeded run drives a `Supervisor` with a credit window through a world of
//! flapping links: the application sends tracked messages (numbered, sometimes with
//! text ids, sometimes with a deadline) and untracked ones; sockets open, drop (the
//! messages in flight on them are lost, and the drop may be seen late, so sends bounce);
//! a server records what arrives and acknowledges it after a delay, per id or
//! cumulatively, with duplicated, stale and unknown acknowledgements mixed in; the acks
//! travel back as inbound messages, which the application reads (outside the core) and
//! hands to `Supervisor::ack`. After every action the run checks:
//!
//! - the window bound (messages and bytes, one oversized message alone);
//! - order: the tracked messages on each socket go out in the order they were sent, and
//!   on open the replays come before the queue;
//! - replay: every socket that opens gets every tracked message not yet acknowledged;
//! - acks: an ack releases exactly what it covers (a cumulative one, exactly the numeric
//!   ids up to n), only messages the server really received, and nothing else;
//! - deadlines: a message expires at its deadline, not before, and not long after;
//! - at the end, every tracked message is accounted for exactly once (acknowledged,
//!   expired or handed back unacknowledged): nothing is lost, nothing reported twice;
//!   duplicates at the server are bounded by the window per drop.
//!
//! `planted_bugs_are_caught` corrupts the core's output in five ways a bug would and
//! shows that the checks catch each.
//!
//! Replay one seed with a trace: `DELIVERY_SEED=N cargo test --test delivery -- --nocapture`.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::panic::{self, AssertUnwindSafe};

use resocket::core::delivery::{Ack, Id, WindowConfig};
use resocket::core::event::{Action, Event, Timer};
use resocket::core::supervisor::Supervisor;
use resocket::{Config, Error, Message, QueueConfig, ReconnectPolicy};

const SEEDS: u64 = 3_000;
const STEPS: usize = 600;

#[path = "sim/rng.rs"]
mod rng;
use rng::Rng;

/// A bug planted in the core's output, to show the checks catch it.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Plant {
    /// A reopened socket misses one tracked message of its replay.
    SkipReplay,
    /// Two tracked sends on a socket swap places.
    Reorder,
    /// An ack releases one message it does not cover.
    OverRelease,
    /// An `Acked` report is lost.
    LoseAcked,
    /// An `Unacked` report hands one message back twice.
    ReportTwice,
}

#[derive(Debug)]
enum Ev {
    /// Socket `id` opens (or fails to).
    Open(u64, bool),
    /// The network drops socket `id`; the client notices after `late` ms.
    Drop(u64),
    /// The client notices the drop of socket `id`.
    Closed(u64),
    /// A message reaches the server over socket `id`.
    Arrive(u64, Message),
    /// An inbound message reaches the client over socket `id`.
    Inbound(u64, Message),
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Mode {
    PerId,
    Through,
    Mixed,
}

/// What the application sent with an id: its index, length and deadline.
#[derive(Debug, Clone)]
struct Sent {
    idx: u64,
    len: usize,
    deadline: Option<u64>,
}

struct Sim {
    rng: Rng,
    sup: Supervisor,
    now: u64,
    seq: u64,
    events: BTreeMap<(u64, u64), Ev>,
    timers: HashMap<Timer, u64>,
    window: WindowConfig,
    mode: Mode,
    text_ids: bool,
    trace: bool,
    plant: Option<Plant>,
    planted: bool,
    // The world.
    current: Option<u64>,
    live: BTreeSet<u64>,
    /// Sockets the client abandoned or closed.
    gone: BTreeSet<u64>,
    server_seen: HashMap<u64, u32>,
    drops: u64,
    // The model of the window: tracked messages the core holds, in send order.
    model: Vec<Sent>,
    next_idx: u64,
    next_untracked: u64,
    /// Tracked messages sent on each socket (indexes), in order.
    on_socket: HashMap<u64, Vec<u64>>,
    /// Inside the open pump of a socket: an untracked send was seen.
    untracked_in_pump: bool,
    /// What the ack being handled covers (None outside `ack`).
    covering: Option<BTreeSet<u64>>,
    // Outcomes.
    acked: HashMap<u64, u32>,
    expired: HashMap<u64, u32>,
    unacked: HashMap<u64, u32>,
    accepted: BTreeSet<u64>,
    closed: bool,
}

fn id_of(idx: u64, text: bool) -> Id {
    if text {
        Id::Text(format!("t{idx}"))
    } else {
        Id::Num(idx)
    }
}

fn idx_of(id: &Id) -> u64 {
    match id {
        Id::Num(n) => *n,
        Id::Text(t) => t[1..].parse().expect("a text id"),
    }
}

/// `T<idx>:<padding>` (tracked) or `U<n>` (untracked).
fn tracked_idx(m: &Message) -> Option<u64> {
    let t = m.as_text()?;
    let rest = t.strip_prefix('T')?;
    rest.split(':').next()?.parse().ok()
}

impl Sim {
    fn new(seed: u64, plant: Option<Plant>, trace: bool) -> Sim {
        let mut rng = Rng(seed);
        let window = WindowConfig::default()
            .max_messages(rng.range(1, 12) as usize)
            .max_bytes(rng.range(8, 120) as usize);
        let mut cfg = Config::new();
        cfg.reconnect = ReconnectPolicy::default()
            .initial_delay_ms(rng.range(0, 50))
            .max_delay_ms(200)
            .max_attempts(None)
            .connect_timeout_ms(rng.range(100, 400));
        cfg.queue = QueueConfig::default().max_messages(64).max_bytes(4096);
        cfg.close_timeout_ms = 300;
        cfg.delivery = Some(window.clone());
        let mode = match rng.below(3) {
            0 => Mode::PerId,
            1 => Mode::Through,
            _ => Mode::Mixed,
        };
        // Cumulative acks cover numeric ids only.
        let text_ids = mode == Mode::PerId && rng.pct(40);
        let sup = Supervisor::new(cfg, Some("wss://sim/".into()), seed);
        Sim {
            rng,
            sup,
            now: 0,
            seq: 0,
            events: BTreeMap::new(),
            timers: HashMap::new(),
            window,
            mode,
            text_ids,
            trace,
            plant,
            planted: false,
            current: None,
            live: BTreeSet::new(),
            gone: BTreeSet::new(),
            server_seen: HashMap::new(),
            drops: 0,
            model: Vec::new(),
            next_idx: 1,
            next_untracked: 0,
            on_socket: HashMap::new(),
            untracked_in_pump: false,
            covering: None,
            acked: HashMap::new(),
            expired: HashMap::new(),
            unacked: HashMap::new(),
            accepted: BTreeSet::new(),
            closed: false,
        }
    }

    fn schedule(&mut self, at: u64, ev: Ev) {
        self.seq += 1;
        self.events.insert((at, self.seq), ev);
    }

    fn tr(&self, s: std::fmt::Arguments) {
        if self.trace {
            println!("[{:>6}] {s}", self.now);
        }
    }

    /// Runs the supervisor's actions (through the planted bug, if any).
    fn pump(&mut self) {
        self.untracked_in_pump = false;
        let mut actions = Vec::new();
        while let Some(a) = self.sup.poll_action() {
            actions.push(a);
        }
        let actions = self.corrupt(actions);
        for a in actions {
            self.exec(a);
        }
        self.check_bounds();
    }

    fn corrupt(&mut self, mut actions: Vec<Action>) -> Vec<Action> {
        let Some(plant) = self.plant else {
            return actions;
        };
        let tracked_sends: Vec<usize> = (0..actions.len())
            .filter(|&i| matches!(&actions[i], Action::Send { tracked: true, .. }))
            .collect();
        match plant {
            Plant::SkipReplay if tracked_sends.len() >= 2 && self.rng.pct(20) => {
                actions.remove(tracked_sends[1]);
                self.planted = true;
            }
            Plant::Reorder if tracked_sends.len() >= 2 && self.rng.pct(20) => {
                actions.swap(tracked_sends[0], tracked_sends[1]);
                self.planted = true;
            }
            Plant::LoseAcked if self.rng.pct(10) => {
                if let Some(i) = actions.iter().position(|a| matches!(a, Action::Acked(_))) {
                    actions.remove(i);
                    self.planted = true;
                }
            }
            Plant::ReportTwice => {
                for a in &mut actions {
                    if let Action::Unacked(v) = a {
                        if let Some(first) = v.first().cloned() {
                            v.push(first);
                            self.planted = true;
                        }
                    }
                }
            }
            Plant::OverRelease if self.rng.pct(20) => {
                let covered = self.covering.clone().unwrap_or_default();
                let extra = self
                    .model
                    .iter()
                    .find(|s| !covered.contains(&s.idx))
                    .cloned();
                let at = actions.iter().position(|a| matches!(a, Action::Acked(_)));
                if let (Some(s), Some(at)) = (extra, at) {
                    if let Action::Acked(v) = &mut actions[at] {
                        let m = Message::Text(format!("T{}:", s.idx));
                        v.push((id_of(s.idx, self.text_ids), m));
                        self.planted = true;
                    }
                }
            }
            _ => {}
        }
        actions
    }

    fn exec(&mut self, a: Action) {
        self.tr(format_args!("  -> {a:?}"));
        match a {
            Action::Connect { id, .. } => {
                self.current = Some(id);
                let ok = self.rng.pct(85);
                let at = self.now + self.rng.range(1, 60);
                self.schedule(at, Ev::Open(id, ok));
            }
            Action::Send {
                id,
                message,
                tracked,
            } => self.send(id, message, tracked),
            Action::Abandon { id, .. } | Action::Close { id, .. } => {
                self.gone.insert(id);
                if self.live.remove(&id) {
                    let at = self.now + self.rng.range(0, 30);
                    self.schedule(at, Ev::Closed(id));
                }
            }
            Action::SetTimer { timer, after_ms } => {
                self.timers.insert(timer, self.now + after_ms);
            }
            Action::CancelTimer(t) => {
                self.timers.remove(&t);
            }
            Action::Deliver(m) => self.read_ack(m),
            Action::Acked(v) => {
                let covered = self.covering.clone().expect("Acked outside ack()");
                for (id, m) in v {
                    let idx = idx_of(&id);
                    assert_eq!(tracked_idx(&m), Some(idx), "Acked pairs id and message");
                    assert!(covered.contains(&idx), "Acked #{idx}, not covered");
                    assert!(self.server_seen.contains_key(&idx), "Acked #{idx} unseen");
                    self.forget(idx);
                    *self.acked.entry(idx).or_default() += 1;
                }
            }
            Action::Expired(v) => {
                for (id, _) in v {
                    let idx = idx_of(&id);
                    let s = self.model.iter().find(|s| s.idx == idx);
                    let due = s
                        .and_then(|s| s.deadline)
                        .expect("Expired without a deadline");
                    assert!(
                        due <= self.now,
                        "#{idx} expired at {} before {due}",
                        self.now
                    );
                    self.forget(idx);
                    *self.expired.entry(idx).or_default() += 1;
                }
            }
            Action::Unacked(v) => {
                let got: Vec<u64> = v.iter().map(|(id, _)| idx_of(id)).collect();
                let want: Vec<u64> = self.model.iter().map(|s| s.idx).collect();
                assert_eq!(got, want, "Unacked hands back the whole window, in order");
                for idx in got {
                    *self.unacked.entry(idx).or_default() += 1;
                }
                self.model.clear();
            }
            Action::State(s) if s.is_closed() => self.closed = true,
            _ => {}
        }
    }

    fn forget(&mut self, idx: u64) {
        let at = self.model.iter().position(|s| s.idx == idx);
        let at = at.unwrap_or_else(|| panic!("#{idx} released but not in the window"));
        self.model.remove(at);
    }

    fn send(&mut self, sock: u64, message: Message, tracked: bool) {
        assert_eq!(Some(sock), self.current, "send on a stale socket");
        assert_eq!(tracked, tracked_idx(&message).is_some(), "tracked flag");
        if let Some(idx) = tracked_idx(&message) {
            assert!(!self.untracked_in_pump, "#{idx} after the queue on open");
            let sent = self.on_socket.entry(sock).or_default();
            if let Some(&last) = sent.last() {
                assert!(idx > last, "#{idx} after #{last} on socket {sock}");
            }
            sent.push(idx);
            assert!(
                self.model.iter().any(|s| s.idx == idx),
                "#{idx} not tracked"
            );
        } else {
            self.untracked_in_pump = true;
        }
        if self.live.contains(&sock) {
            let at = self.now + self.rng.range(1, 40);
            self.schedule(at, Ev::Arrive(sock, message));
        } else {
            self.tr(format_args!("  bounced"));
            let ev = Event::Bounced {
                id: sock,
                message,
                tracked,
            };
            self.sup.handle(self.now, ev);
        }
    }

    /// The application reads an inbound message: an ack, handed to the core.
    fn read_ack(&mut self, m: Message) {
        let text = m.as_text().expect("text").to_owned();
        let ack = if let Some(n) = text.strip_prefix("ack:") {
            Ack::Id(id_of(n.parse().expect("n"), self.text_ids))
        } else if let Some(n) = text.strip_prefix("through:") {
            Ack::Through(n.parse().expect("n"))
        } else {
            panic!("unexpected inbound {text}")
        };
        let covered: BTreeSet<u64> = self
            .model
            .iter()
            .filter(|s| match &ack {
                Ack::Id(id) => idx_of(id) == s.idx,
                Ack::Through(n) => !self.text_ids && s.idx <= *n,
            })
            .map(|s| s.idx)
            .collect();
        self.covering = Some(covered.clone());
        let before = self.model.len();
        let n = self.sup.ack(self.now, &ack);
        self.pump();
        self.covering = None;
        if self.plant.is_none() {
            assert_eq!(n, covered.len(), "{ack:?} released {n}, covers {covered:?}");
            assert_eq!(before - self.model.len(), n, "{ack:?}");
        }
    }

    fn check_bounds(&self) {
        let (len, bytes) = (self.sup.unacked_len(), self.sup.unacked_bytes());
        assert_eq!(len, self.model.len(), "unacked count");
        let model_bytes: usize = self.model.iter().map(|s| s.len).sum();
        assert_eq!(bytes, model_bytes, "unacked bytes");
        assert!(len <= self.window.max_messages, "{len} over the window");
        assert!(len <= 1 || bytes <= self.window.max_bytes, "{bytes} B over");
    }

    fn handle(&mut self, ev: Event) {
        self.sup.handle(self.now, ev);
        self.pump();
    }

    /// The server receives `m` on socket `sock` and acknowledges it, later.
    fn arrive(&mut self, sock: u64, m: Message) {
        let Some(idx) = tracked_idx(&m) else {
            return;
        };
        *self.server_seen.entry(idx).or_default() += 1;
        let text = match self.mode {
            Mode::PerId => format!("ack:{idx}"),
            Mode::Through | Mode::Mixed if self.text_ids => format!("ack:{idx}"),
            Mode::Through => format!("through:{}", self.contiguous()),
            Mode::Mixed if self.rng.pct(50) => format!("through:{}", self.contiguous()),
            Mode::Mixed => format!("ack:{idx}"),
        };
        let at = self.now + self.rng.range(0, 80);
        self.schedule(at, Ev::Inbound(sock, Message::Text(text)));
        // Hostile or confused peers: duplicated, stale and unknown acknowledgements.
        if self.rng.pct(5) {
            let junk = match self.rng.below(3) {
                0 => format!("ack:{idx}"),
                1 => format!("ack:{}", idx + 1_000_000),
                _ if self.text_ids => format!("ack:{}", idx + 2_000_000),
                _ => format!("through:{}", self.contiguous().saturating_sub(3)),
            };
            let at = self.now + self.rng.range(0, 200);
            self.schedule(at, Ev::Inbound(sock, Message::Text(junk)));
        }
    }

    /// The highest n such that the server has seen every tracked index up to n.
    fn contiguous(&self) -> u64 {
        let mut n = 0;
        while self.server_seen.contains_key(&(n + 1)) {
            n += 1;
        }
        n
    }

    fn step_event(&mut self) -> bool {
        if self.plant.is_none() {
            let late = self
                .model
                .iter()
                .find(|s| s.deadline.is_some_and(|d| d < self.now));
            assert!(late.is_none(), "{late:?} outlived its deadline");
        }
        let next_ev = self.events.keys().next().copied();
        let next_timer = self
            .timers
            .iter()
            .map(|(t, at)| (*at, *t))
            .min_by_key(|x| x.0);
        match (next_ev, next_timer) {
            (None, None) => false,
            (Some((at, _)), Some((tat, t))) if tat <= at => self.fire(tat, t),
            (None, Some((tat, t))) => self.fire(tat, t),
            (Some(key), _) => {
                let ev = self.events.remove(&key).expect("event");
                self.now = self.now.max(key.0);
                self.tr(format_args!("{ev:?}"));
                self.event(ev);
                true
            }
        }
    }

    fn fire(&mut self, at: u64, t: Timer) -> bool {
        self.now = self.now.max(at);
        self.timers.remove(&t);
        self.tr(format_args!("timer {t:?}"));
        self.handle(Event::Timer(t));
        if t == Timer::AckTimeout && self.plant.is_none() {
            let late = self
                .model
                .iter()
                .find(|s| s.deadline.is_some_and(|d| d <= self.now));
            assert!(late.is_none(), "{late:?} outlived its deadline");
        }
        true
    }

    fn event(&mut self, ev: Ev) {
        match ev {
            Ev::Open(id, true) if self.current == Some(id) && !self.gone.contains(&id) => {
                self.live.insert(id);
                self.untracked_in_pump = false;
                let window: Vec<u64> = self.model.iter().map(|s| s.idx).collect();
                self.handle(Event::Opened { id });
                self.untracked_in_pump = false;
                if self.sup.socket_id() == Some(id) {
                    let sent = self.on_socket.get(&id).cloned().unwrap_or_default();
                    let missing: Vec<_> = window.iter().filter(|i| !sent.contains(i)).collect();
                    let gone = |i: &&u64| self.model.iter().all(|s| s.idx != **i);
                    let missing: Vec<_> = missing.into_iter().filter(|i| !gone(i)).collect();
                    assert!(missing.is_empty(), "socket {id} opened without {missing:?}");
                    if self.rng.pct(30) {
                        let at = self.now + self.rng.range(1, 300);
                        self.schedule(at, Ev::Drop(id));
                    }
                }
            }
            Ev::Open(id, _) => {
                let ev = Event::Closed {
                    id,
                    code: 1006,
                    reason: String::new(),
                    was_clean: false,
                };
                self.handle(ev);
            }
            Ev::Drop(id) => {
                if self.live.remove(&id) {
                    self.drops += 1;
                    let at = self.now + self.rng.range(0, 30);
                    self.schedule(at, Ev::Closed(id));
                }
            }
            Ev::Closed(id) => {
                self.live.remove(&id);
                let ev = Event::Closed {
                    id,
                    code: 1006,
                    reason: String::new(),
                    was_clean: false,
                };
                self.handle(ev);
            }
            Ev::Arrive(sock, m) => {
                // Lost with the link when it dropped first.
                if self.live.contains(&sock) {
                    self.arrive(sock, m);
                }
            }
            Ev::Inbound(sock, m) => {
                if self.live.contains(&sock) {
                    self.handle(Event::Message {
                        id: sock,
                        message: m,
                    });
                }
            }
        }
    }

    fn app_send(&mut self) {
        if self.closed {
            return;
        }
        if self.rng.pct(15) {
            self.next_untracked += 1;
            let m = Message::Text(format!("U{}", self.next_untracked));
            match self.sup.send(m) {
                Ok(()) | Err(Error::QueueFull(_)) => {}
                Err(e) => panic!("untracked send: {e:?}"),
            }
            self.pump();
            return;
        }
        let idx = self.next_idx;
        let pad = "x".repeat(self.rng.below(20) as usize);
        let m = Message::Text(format!("T{idx}:{pad}"));
        let len = m.len();
        let id = id_of(idx, self.text_ids);
        if self.rng.pct(3) {
            if let Some(s) = self.model.first() {
                // An id already in flight is refused and the message handed back.
                let dup = id_of(s.idx, self.text_ids);
                let r = self.sup.send_tracked(self.now, m.clone(), dup, None);
                assert!(
                    matches!(&r, Err(Error::DuplicateId { message, .. }) if *message == m),
                    "{r:?}"
                );
                return;
            }
        }
        let room = self.sup.has_room_tracked(len);
        let timeout = self.rng.pct(20).then(|| self.rng.range(20, 600));
        let r = self.sup.send_tracked(self.now, m.clone(), id, timeout);
        match r {
            Ok(()) => {
                assert!(room, "accepted without room");
                self.next_idx += 1;
                self.accepted.insert(idx);
                let deadline = timeout.map(|t| self.now + t);
                self.model.push(Sent { idx, len, deadline });
            }
            Err(Error::Full(back)) => {
                assert!(!room, "refused with room");
                assert_eq!(back, m, "handed back");
            }
            Err(e) => panic!("send_tracked: {e:?}"),
        }
        self.pump();
    }

    fn run(&mut self) {
        self.sup.start(true);
        self.pump();
        for _ in 0..STEPS {
            match self.rng.below(100) {
                0..=44 => self.app_send(),
                45..=47 => {
                    if let Some(id) = self.current.filter(|id| self.live.contains(id)) {
                        self.schedule(self.now, Ev::Drop(id));
                    }
                }
                _ => {
                    if !self.step_event() {
                        self.app_send();
                    }
                }
            }
        }
        // Let the world settle without drops, then close.
        for _ in 0..2_000 {
            if self.model.is_empty() || !self.step_event() {
                break;
            }
        }
        if !self.closed {
            let _ = self.sup.close(1000, "");
            self.pump();
        }
        while !self.closed && self.step_event() {}
        assert!(self.closed, "the connection did not end");
        self.account();
    }

    fn account(&self) {
        for idx in &self.accepted {
            let n = |m: &HashMap<u64, u32>| m.get(idx).copied().unwrap_or(0);
            let (a, e, u) = (n(&self.acked), n(&self.expired), n(&self.unacked));
            assert_eq!(a + e + u, 1, "#{idx}: acked {a}, expired {e}, unacked {u}");
        }
        let dups: u64 = self.server_seen.values().map(|n| u64::from(n - 1)).sum();
        let bound =
            (self.drops + self.sup.stats().reconnects + 1) * self.window.max_messages as u64;
        assert!(dups <= bound, "{dups} duplicates over {bound}");
        assert!(self.model.is_empty(), "window left: {:?}", self.model);
    }
}

fn run_seed(seed: u64, plant: Option<Plant>, trace: bool) -> Result<Sim, String> {
    let mut sim = Sim::new(seed, plant, trace);
    let r = panic::catch_unwind(AssertUnwindSafe(|| sim.run()));
    match r {
        Ok(()) => Ok(sim),
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            Err(format!("seed {seed} at t={}: {msg}", sim.now))
        }
    }
}

#[test]
fn seeded_runs_lose_nothing_and_keep_order_and_bounds() {
    if let Some(seed) = std::env::var("DELIVERY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
    {
        run_seed(seed, None, true).unwrap();
        return;
    }
    let (mut acked, mut replayed, mut expired, mut unacked, mut drops) = (0, 0, 0, 0, 0);
    let mut modes = BTreeSet::new();
    for seed in 0..SEEDS {
        let sim = run_seed(seed, None, false).unwrap_or_else(|e| {
            panic!("{e}\nreplay: DELIVERY_SEED={seed} cargo test --test delivery -- --nocapture")
        });
        acked += sim.acked.len();
        expired += sim.expired.len();
        unacked += sim.unacked.len();
        replayed += sim.sup.stats().replayed;
        drops += sim.drops;
        modes.insert(format!("{:?}/{}", sim.mode, sim.text_ids));
    }
    println!("{acked} acked, {expired} expired, {unacked} unacked, {replayed} replays, {drops} drops; {modes:?}");
    // The runs exercised what they claim to.
    assert!(
        acked > 100_000 && replayed > 1_000 && drops > 1_000,
        "too little traffic"
    );
    assert!(
        expired > 100 && unacked > 100,
        "deadlines and ends were not exercised"
    );
    assert_eq!(modes.len(), 4, "{modes:?}");
}

#[test]
fn planted_bugs_are_caught() {
    for plant in [
        Plant::SkipReplay,
        Plant::Reorder,
        Plant::OverRelease,
        Plant::LoseAcked,
        Plant::ReportTwice,
    ] {
        let caught = (0..200).find_map(|seed| match run_seed(seed, Some(plant), false) {
            Err(e) => Some(e),
            Ok(sim) => {
                assert!(
                    !sim.planted,
                    "{plant:?} planted in seed {seed} and not caught"
                );
                None
            }
        });
        let e = caught.unwrap_or_else(|| panic!("{plant:?} was never planted"));
        println!("{plant:?}: {e}");
    }
}
