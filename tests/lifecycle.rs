//! Deterministic simulations of the page life cycle in the sans-IO core.
//!
//! - `a_late_or_frozen_timer_never_fails_a_live_link`: seeded worlds where the page runs,
//!   is throttled (timers run only at wake-ups every 1 s or every minute; network tasks
//!   on time) or frozen (nothing runs; on unfreezing, `resume` first, then every queued
//!   task in a random order), while the peer answers every ping within the heartbeat
//!   timeout measured from when the ping really went out. Never a `HeartbeatTimeout`.
//!   A peer that falls silent while the page runs is still found dead, in bounded time.
//! - `suspend_and_resume_keep_the_queue_and_reconnect_at_once`: seeded sequences of
//!   sends (queued and tracked), connection outcomes, timers, acknowledgements,
//!   online/offline, and `pagehide`/`pageshow` with `persisted`. Suspending closes the
//!   socket (1000, "going away"), disarms every timer, counts no failure, drops or hands back
//!   nothing; while suspended no timer is armed and no socket opened; resuming connects
//!   at once (online); every queued message reaches the server exactly once and in
//!   order, and each new socket gets the unacknowledged tracked messages first, in order.
//!
//! Replay one seed with a trace: `LIFECYCLE_SEED=N cargo test --test lifecycle -- --nocapture`.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeMap;

use resocket::core::delivery::{Ack, Id, WindowConfig};
use resocket::core::event::{Action, Event, Timer};
use resocket::core::supervisor::Supervisor;
use resocket::{Cause, Config, ConnectionState, Heartbeat, Message, ReconnectPolicy};

const SEEDS: u64 = 2_000;

#[path = "sim/rng.rs"]
mod rng;
use rng::Rng;

fn seeds() -> Vec<u64> {
    match std::env::var("LIFECYCLE_SEED") {
        Ok(s) => vec![s.parse().expect("LIFECYCLE_SEED is a number")],
        Err(_) => (0..SEEDS).collect(),
    }
}

fn trace() -> bool {
    std::env::var("LIFECYCLE_SEED").is_ok()
}

// --- a: late and frozen timers against a live peer ------------------------------------

const INTERVAL: u64 = 30_000;
const TIMEOUT: u64 = 10_000;

/// How the page runs from `start` on.
#[derive(Debug, Clone, Copy)]
enum Mode {
    Running,
    /// Timers run only at wake-ups every `wake` ms; network tasks run on time.
    Throttled {
        wake: u64,
    },
    /// Nothing runs until the next segment.
    Frozen,
}

/// The page's schedule: segments `(start, mode)`, in order; the last one runs forever.
struct Page {
    segments: Vec<(u64, Mode)>,
}

impl Page {
    fn random(rng: &mut Rng) -> Page {
        let (mut t, mut segments) = (0, vec![]);
        for _ in 0..rng.below(40) + 5 {
            let (mode, len) = match rng.below(4) {
                0 => (Mode::Running, rng.below(120_000)),
                1 => {
                    let wake = if rng.pct(50) { 1_000 } else { 60_000 };
                    (Mode::Throttled { wake }, rng.below(600_000))
                }
                // Short freezes end near a timeout's due time; long ones far past it.
                2 => (Mode::Frozen, rng.below(3 * TIMEOUT)),
                _ => (Mode::Frozen, rng.below(1_200_000)),
            };
            segments.push((t, mode));
            t += len + 1;
        }
        segments.push((t, Mode::Running));
        Page { segments }
    }

    fn end(&self) -> u64 {
        self.segments.last().map_or(0, |s| s.0)
    }

    /// The segment holding `t`, and when it ends.
    fn at(&self, t: u64) -> (u64, Mode, u64) {
        let i = self.segments.partition_point(|s| s.0 <= t) - 1;
        let end = self.segments.get(i + 1).map_or(u64::MAX, |s| s.0);
        (self.segments[i].0, self.segments[i].1, end)
    }

    /// When a task ready at `ready` runs (`timer`: a timer task, else a network task).
    fn runs_at(&self, ready: u64, timer: bool) -> u64 {
        let (start, mode, end) = self.at(ready);
        match mode {
            Mode::Running => ready,
            Mode::Throttled { .. } if !timer => ready,
            Mode::Throttled { wake } => {
                let woken = start + (ready - start).div_ceil(wake) * wake;
                if woken < end {
                    woken
                } else {
                    self.runs_at(end, timer)
                }
            }
            Mode::Frozen => self.runs_at(end, timer),
        }
    }

    /// The ends of the freezes (where `resume` fires).
    fn resumes(&self) -> Vec<u64> {
        let s = &self.segments;
        (1..s.len())
            .filter(|&i| matches!(s[i - 1].1, Mode::Frozen))
            .map(|i| s[i].0)
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Task {
    Resume,
    Timer(Timer),
    /// The pong for the ping sent at this time.
    Pong(u64),
}

/// One run; `Err` describes the broken rule.
fn heartbeat_world(seed: u64) -> Result<(), String> {
    let mut rng = Rng(seed);
    let page = Page::random(&mut rng);
    let silent_from = page.end() + rng.below(INTERVAL);
    let hb = Heartbeat::default()
        .interval_ms(INTERVAL)
        .timeout_ms(TIMEOUT);
    let mut config = Config::new();
    config.heartbeat = Some(hb);
    let mut sup: Supervisor = Supervisor::new(config, Some("ws://t/".into()), seed);
    sup.start(true);
    sup.handle(0, Event::Opened { id: 1 });
    // Ready tasks: (ready time, task); timers by kind (re-arming replaces).
    let mut timers: BTreeMap<usize, (u64, Timer)> = BTreeMap::new();
    let mut network: Vec<(u64, Task)> = page
        .resumes()
        .into_iter()
        .map(|t| (t, Task::Resume))
        .collect();
    let mut now = 0;
    let horizon = silent_from + INTERVAL + 2 * TIMEOUT + 1;
    loop {
        while let Some(a) = sup.poll_action() {
            match a {
                Action::SetTimer { timer, after_ms } => {
                    timers.insert(timer.index(), (now + after_ms, timer));
                }
                Action::CancelTimer(timer) => {
                    timers.remove(&timer.index());
                }
                Action::Ping { .. } if now < silent_from => {
                    // The peer answers within the timeout, measured from now.
                    network.push((now + rng.below(TIMEOUT), Task::Pong(now)));
                }
                Action::State(ConnectionState::Reconnecting { cause, .. }) => {
                    return match cause {
                        Cause::HeartbeatTimeout if now >= silent_from => Ok(()),
                        Cause::HeartbeatTimeout => Err(format!(
                            "a live link was declared dead at {now} (the peer answered every ping in time)"
                        )),
                        other => Err(format!("unexpected reconnect at {now}: {other:?}")),
                    };
                }
                _ => {}
            }
        }
        // The next task to run; ties (a freeze's end) in a random order, `resume` first.
        let mut next: Vec<(u64, Task)> = timers
            .values()
            .map(|&(due, t)| (page.runs_at(due, true), Task::Timer(t)))
            .chain(network.iter().map(|&(ready, t)| {
                let at = page.runs_at(ready, false);
                (at, t)
            }))
            .collect();
        let Some(first) = next.iter().map(|n| n.0).min() else {
            return Err("nothing left to run".into());
        };
        if first > horizon {
            return Err(format!(
                "a silent peer (from {silent_from}) was not found dead by {horizon}"
            ));
        }
        next.retain(|n| n.0 == first);
        let pick = match next.iter().position(|n| n.1 == Task::Resume) {
            Some(i) => next[i],
            None => next[rng.below(next.len() as u64) as usize],
        };
        now = first;
        if trace() {
            println!("{now:>9} {:?}", pick.1);
        }
        match pick.1 {
            Task::Timer(t) => {
                timers.remove(&t.index());
                sup.handle(now, Event::Timer(t));
            }
            task => {
                let i = network
                    .iter()
                    .position(|n| n.1 == task)
                    .expect("queued task");
                network.remove(i);
                let event = match task {
                    Task::Resume => Event::Resumed,
                    _ => Event::Message {
                        id: 1,
                        message: Message::Text("pong".into()),
                    },
                };
                sup.handle(now, event);
            }
        }
    }
}

#[test]
fn a_late_or_frozen_timer_never_fails_a_live_link() {
    for seed in seeds() {
        if let Err(e) = heartbeat_world(seed) {
            panic!("seed {seed}: {e} (replay: LIFECYCLE_SEED={seed})");
        }
    }
}

// --- b: suspend and resume ------------------------------------------------------------

/// The driver's view of one run.
struct World {
    sup: Supervisor,
    rng: Rng,
    now: u64,
    armed: BTreeMap<usize, (u64, Timer)>,
    /// The socket being opened, and the open one.
    connecting: Option<u64>,
    open: Option<u64>,
    online: bool,
    suspended: bool,
    /// Untracked messages sent by the application, and received by the server, in order.
    sent: Vec<u64>,
    received: Vec<u64>,
    /// Tracked messages not yet acknowledged (per the application), in send order.
    unacked: Vec<u64>,
    /// Tracked messages received per socket, in order.
    tracked_on: BTreeMap<u64, Vec<u64>>,
    next_msg: u64,
}

fn parse(m: &Message) -> (bool, u64) {
    let Message::Text(s) = m else {
        panic!("a binary message")
    };
    let tracked = s.starts_with('t');
    (tracked, s[1..].parse().expect("a numbered message"))
}

impl World {
    fn new(seed: u64) -> World {
        let mut config = Config::new();
        config.heartbeat = Some(Heartbeat::default());
        config.delivery = Some(WindowConfig::default());
        config.reconnect = ReconnectPolicy::default();
        let mut sup = Supervisor::new(config, Some("ws://t/".into()), seed);
        sup.start(true);
        let mut w = World {
            sup,
            rng: Rng(seed),
            now: 0,
            armed: BTreeMap::new(),
            connecting: None,
            open: None,
            online: true,
            suspended: false,
            sent: vec![],
            received: vec![],
            unacked: vec![],
            tracked_on: BTreeMap::new(),
            next_msg: 0,
        };
        w.run(vec![]).expect("start");
        w
    }

    /// Runs the pending actions; returns them.
    fn run(&mut self, mut seen: Vec<Action>) -> Result<Vec<Action>, String> {
        while let Some(a) = self.sup.poll_action() {
            match &a {
                Action::SetTimer { timer, after_ms } => {
                    let due = self.now + after_ms;
                    self.armed.insert(timer.index(), (due, *timer));
                }
                Action::CancelTimer(t) => {
                    self.armed.remove(&t.index());
                }
                Action::Connect { id, .. } => self.connecting = Some(*id),
                Action::Abandon { id, .. } => {
                    if self.open == Some(*id) {
                        self.open = None;
                    }
                    if self.connecting == Some(*id) {
                        self.connecting = None;
                    }
                }
                Action::Send { id, message, .. } => {
                    if self.open != Some(*id) {
                        return Err(format!("a send on socket {id}, which is not open"));
                    }
                    match parse(message) {
                        (true, n) => self.tracked_on.entry(*id).or_default().push(n),
                        (false, n) => self.received.push(n),
                    }
                }
                Action::Acked(done) => {
                    for (id, _) in done {
                        self.unacked.retain(|n| Id::int(*n).as_ref() != Some(id));
                    }
                }
                Action::Dropped(_)
                | Action::Unsent(_)
                | Action::Unacked(_)
                | Action::Expired(_) => {
                    return Err(format!("messages given up: {a:?}"));
                }
                _ => {}
            }
            seen.push(a);
        }
        Ok(seen)
    }

    fn handle(&mut self, ev: Event) -> Result<Vec<Action>, String> {
        if trace() {
            println!("{:>9} {ev:?}", self.now);
        }
        self.sup.handle(self.now, ev);
        self.run(vec![])
    }

    fn suspend(&mut self) -> Result<(), String> {
        let before = self.sup.state().clone();
        let (queued, unacked, retries) = (
            self.sup.queued_len(),
            self.sup.unacked_len(),
            self.sup.retry_count(),
        );
        let socket = self.open.or(self.connecting);
        let acts = self.handle(Event::Suspended)?;
        if before.is_closed() || matches!(before, ConnectionState::Closing) {
            return Ok(());
        }
        self.suspended = true;
        if let Some(id) = socket {
            let going_away = Action::Abandon {
                id,
                code: 1000,
                reason: "going away".into(),
            };
            if !acts.contains(&going_away) {
                return Err(format!("socket {id} not closed as going away: {acts:?}"));
            }
        }
        if !self.armed.is_empty() {
            return Err(format!("timers armed while suspended: {:?}", self.armed));
        }
        let kept = (
            self.sup.queued_len(),
            self.sup.unacked_len(),
            self.sup.retry_count(),
        );
        if kept != (queued, unacked, retries) {
            return Err(format!(
                "suspending changed (queued, unacked, retries): {kept:?}"
            ));
        }
        let want_cause = !matches!(before, ConnectionState::Reconnecting { .. });
        let cause = match self.sup.state() {
            ConnectionState::Reconnecting { cause, .. } => cause.clone(),
            other => return Err(format!("suspended, state {other:?}")),
        };
        if want_cause && cause != Cause::Suspended {
            return Err(format!("suspended, cause {cause:?}"));
        }
        Ok(())
    }

    fn resume(&mut self) -> Result<(), String> {
        let acts = self.handle(Event::Resumed)?;
        if !std::mem::take(&mut self.suspended) || !self.online {
            return Ok(());
        }
        let connects = acts.iter().any(|a| matches!(a, Action::Connect { .. }));
        let waits = self.armed.values().any(|(_, t)| *t == Timer::Backoff);
        if !connects || waits {
            return Err(format!(
                "resumed online without connecting at once: {acts:?}"
            ));
        }
        Ok(())
    }

    fn open_socket(&mut self, id: u64) -> Result<(), String> {
        self.connecting = None;
        self.open = Some(id);
        let unacked = self.unacked.clone();
        self.handle(Event::Opened { id })?;
        // The tracked messages not acknowledged go first, in order.
        let got = self.tracked_on.get(&id).cloned().unwrap_or_default();
        if got != unacked {
            return Err(format!("socket {id} got tracked {got:?}, want {unacked:?}"));
        }
        Ok(())
    }

    fn step(&mut self) -> Result<(), String> {
        self.now += self.rng.below(2_000);
        let suspended_before = self.suspended;
        match self.rng.below(12) {
            0 | 1 => {
                self.next_msg += 1;
                let n = self.next_msg;
                self.sup
                    .send(Message::Text(format!("u{n}")))
                    .map_err(|e| format!("send: {e:?}"))?;
                self.sent.push(n);
                self.run(vec![])?;
            }
            2 if self.sup.has_room_tracked(8) => {
                self.next_msg += 1;
                let n = self.next_msg;
                let id = Id::int(n).expect("an id");
                let deadline = Some(3_600_000_000);
                let m = Message::Text(format!("t{n}"));
                self.sup
                    .send_tracked(self.now, m, id, deadline)
                    .map_err(|e| format!("send_tracked: {e:?}"))?;
                self.unacked.push(n);
                self.run(vec![])?;
            }
            3 => self.suspend()?,
            4 => self.resume()?,
            5 | 6 => {
                if let Some(id) = self.connecting {
                    if self.rng.pct(75) {
                        self.open_socket(id)?;
                    } else {
                        self.connecting = None;
                        let (code, reason, was_clean) = (1006, String::new(), false);
                        let ev = Event::Closed {
                            id,
                            code,
                            reason,
                            was_clean,
                        };
                        self.handle(ev)?;
                    }
                }
            }
            7 => {
                // The earliest armed timer fires.
                if let Some(&(due, t)) = self.armed.values().min_by_key(|x| x.0) {
                    self.now = self.now.max(due);
                    self.armed.remove(&t.index());
                    self.handle(Event::Timer(t))?;
                }
            }
            8 => {
                let received: Vec<u64> = self.tracked_on.values().flatten().copied().collect();
                if let (Some(id), Some(&n)) = (self.open, received.last()) {
                    self.sup
                        .ack(self.now, &Ack::through(n as f64).expect("ack"));
                    self.run(vec![])?;
                    // The server answers a ping too.
                    let message = Message::Text("pong".into());
                    self.handle(Event::Message { id, message })?;
                }
            }
            9 => {
                self.online = !self.online;
                self.handle(if self.online {
                    Event::Online
                } else {
                    Event::Offline
                })?;
            }
            10 => {
                // A late close of a socket already left (ignored), or of the current one.
                let id = self.rng.below(self.sup.socket_id().unwrap_or(1) + 1);
                if Some(id) != self.open && Some(id) != self.connecting {
                    let (code, reason, was_clean) = (1001, String::new(), true);
                    self.handle(Event::Closed {
                        id,
                        code,
                        reason,
                        was_clean,
                    })?;
                }
            }
            _ => {}
        }
        let busy = !self.armed.is_empty() || self.connecting.is_some();
        if suspended_before && self.suspended && busy {
            let armed = &self.armed;
            let socket = self.connecting;
            return Err(format!(
                "while suspended: timers {armed:?}, socket {socket:?}"
            ));
        }
        check_order(&self.sent, &self.received)
    }

    /// The page comes back, online, and the link opens: everything arrives.
    fn settle(&mut self) -> Result<(), String> {
        if !self.online {
            self.online = true;
            self.handle(Event::Online)?;
        }
        if self.suspended {
            self.resume()?;
        }
        for _ in 0..100 {
            if self.open.is_some() {
                break;
            }
            match self.connecting {
                Some(id) => self.open_socket(id)?,
                None => {
                    let (due, t) = *self.armed.values().min_by_key(|x| x.0).ok_or("stuck")?;
                    self.now = self.now.max(due);
                    self.armed.remove(&t.index());
                    self.handle(Event::Timer(t))?;
                }
            }
        }
        if self.received != self.sent {
            return Err(format!(
                "received {:?}, sent {:?}",
                self.received, self.sent
            ));
        }
        Ok(())
    }
}

/// What the server received is what was sent, in order, each once (a prefix of it).
fn check_order(sent: &[u64], received: &[u64]) -> Result<(), String> {
    if received.len() > sent.len() || sent[..received.len()] != *received {
        return Err(format!("received {received:?} of {sent:?}"));
    }
    Ok(())
}

fn suspend_world(seed: u64) -> Result<(), String> {
    let mut w = World::new(seed);
    let steps = 300;
    for _ in 0..steps {
        w.step()?;
    }
    w.settle()?;
    Ok(())
}

#[test]
fn suspend_and_resume_keep_the_queue_and_reconnect_at_once() {
    for seed in seeds() {
        if let Err(e) = suspend_world(seed) {
            panic!("seed {seed}: {e} (replay: LIFECYCLE_SEED={seed})");
        }
    }
}
