//! Fixed, readable scenarios for the sans-IO supervisor: one behaviour per test, driven
//! by hand (events in, actions out). The randomized counterpart is `tests/simulation.rs`.
#![cfg(not(target_arch = "wasm32"))]

use resocket::core::event::{Action, Event, Timer};
use resocket::core::supervisor::Supervisor;
use resocket::{
    Cause, CloseClassifier, CloseInfo, ClosedBy, Config, ConnectionState, Decision, Error,
    Heartbeat, Message, Overflow, QueueConfig, ReconnectPolicy,
};

const URL: &str = "ws://test/";

/// A supervisor plus a clock; every call drains the actions it produced.
struct H {
    sup: Supervisor,
    now: u64,
}

impl H {
    fn new(cfg: Config) -> Self {
        Self::with_url(cfg, Some(URL))
    }

    fn with_url(cfg: Config, url: Option<&str>) -> Self {
        H {
            sup: Supervisor::new(cfg, url.map(str::to_owned), 7),
            now: 0,
        }
    }

    fn drain(&mut self) -> Vec<Action> {
        std::iter::from_fn(|| self.sup.poll_action()).collect()
    }

    fn start(&mut self) -> Vec<Action> {
        self.sup.start(true);
        self.drain()
    }

    /// Feed `ev` at time `at`.
    fn at(&mut self, at: u64, ev: Event) -> Vec<Action> {
        self.now = at;
        self.sup.handle(at, ev);
        self.drain()
    }

    fn fire(&mut self, at: u64, t: Timer) -> Vec<Action> {
        self.at(at, Event::Timer(t))
    }

    fn open(&mut self, at: u64, id: u64) -> Vec<Action> {
        self.at(at, Event::Opened { id })
    }

    fn drop_link(&mut self, at: u64, id: u64) -> Vec<Action> {
        let ev = Event::Closed {
            id,
            code: 1006,
            reason: String::new(),
            was_clean: false,
        };
        self.at(at, ev)
    }

    /// Run one backoff: fire the Backoff timer and return the new socket id.
    fn retry(&mut self, at: u64) -> u64 {
        connect_id(&self.fire(at, Timer::Backoff)).expect("a new Connect")
    }
}

fn policy() -> ReconnectPolicy {
    ReconnectPolicy::default().jitter(false)
}

fn config(p: ReconnectPolicy) -> Config {
    let mut c = Config::new();
    c.reconnect = p;
    c
}

fn m(s: &str) -> Message {
    Message::from(s)
}

fn connect_id(a: &[Action]) -> Option<u64> {
    a.iter().find_map(|a| match a {
        Action::Connect { id, .. } => Some(*id),
        _ => None,
    })
}

fn timer(a: &[Action], t: Timer) -> Option<u64> {
    a.iter().find_map(|a| match a {
        Action::SetTimer { timer, after_ms } if *timer == t => Some(*after_ms),
        _ => None,
    })
}

fn states(a: &[Action]) -> Vec<ConnectionState> {
    a.iter()
        .filter_map(|a| match a {
            Action::State(s) => Some(s.clone()),
            _ => None,
        })
        .collect()
}

fn sends(a: &[Action]) -> Vec<Message> {
    a.iter()
        .filter_map(|a| match a {
            Action::Send { message, .. } => Some(message.clone()),
            _ => None,
        })
        .collect()
}

fn closed_info(a: &[Action]) -> CloseInfo {
    match states(a).last() {
        Some(ConnectionState::Closed(info)) => info.clone(),
        other => panic!("expected Closed, got {other:?} in {a:?}"),
    }
}

/// A link that dropped without a close frame.
fn dropped() -> Cause {
    Cause::Closed {
        code: 1006,
        reason: String::new(),
        was_clean: false,
    }
}

fn server_close(code: u16, reason: &str) -> Event {
    Event::Closed {
        id: 1,
        code,
        reason: reason.into(),
        was_clean: true,
    }
}

/// A custom classifier that must never run: the supervisor asks the driver instead.
fn never_called() -> CloseClassifier {
    CloseClassifier::custom(|code, reason| {
        panic!("the supervisor called the classifier itself ({code}, {reason:?})")
    })
}

fn classify(id: u64, code: u16, reason: &str) -> Action {
    Action::Classify {
        id,
        code,
        reason: reason.into(),
    }
}

fn classified(id: u64, decision: Decision) -> Event {
    Event::Classified { id, decision }
}

fn closed(code: u16, reason: &str, was_clean: bool, by: ClosedBy) -> Action {
    Action::State(ConnectionState::Closed(CloseInfo {
        code,
        reason: reason.into(),
        was_clean,
        by,
        error: None,
    }))
}

fn reconnecting(a: &[Action]) -> (u32, u64, Cause) {
    states(a)
        .into_iter()
        .find_map(|s| match s {
            ConnectionState::Reconnecting {
                attempt,
                delay_ms,
                cause,
            } => Some((attempt, delay_ms, cause)),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no Reconnecting in {a:?}"))
}

// The very first retry waits at most initial_delay_ms, whatever the jitter draws.
#[test]
fn first_retry_delay_is_within_initial_delay() {
    for seed in 0..200 {
        let cfg = config(ReconnectPolicy::default().initial_delay_ms(300));
        let mut h = H {
            sup: Supervisor::new(cfg, Some(URL.into()), seed),
            now: 0,
        };
        h.start();
        let a = h.drop_link(10, 1);
        let (attempt, delay, _) = reconnecting(&a);
        assert_eq!(attempt, 1);
        assert!(delay <= 300, "seed {seed}: {delay}");
        assert_eq!(timer(&a, Timer::Backoff), Some(delay));
    }
}

// Without jitter the delays double from initial_delay_ms and stop at max_delay_ms.
#[test]
fn backoff_caps_at_max_delay() {
    let p = policy().initial_delay_ms(100).max_delay_ms(1000);
    let mut h = H::new(config(p));
    h.start();
    let (mut id, mut t, mut delays) = (1, 0, Vec::new());
    for _ in 0..7 {
        t += 10;
        let a = h.drop_link(t, id);
        delays.push(timer(&a, Timer::Backoff).expect("backoff"));
        t += delays.last().copied().unwrap_or(0);
        id = h.retry(t);
    }
    assert_eq!(delays, [100, 200, 400, 800, 1000, 1000, 1000]);
}

// A link that opens but drops before stable_after_ms does not reset the counter;
// one that stays up that long does.
#[test]
fn attempt_counter_resets_only_after_stable() {
    let mut h = H::new(config(policy().stable_after_ms(5000)));
    h.start();
    h.drop_link(10, 1); // attempt 1
    let id = h.retry(1000);
    let a = h.open(1100, id);
    assert_eq!(timer(&a, Timer::Stable), Some(5000));
    let a = h.drop_link(6099, id); // up 4999 ms: not stable
    assert_eq!(reconnecting(&a).0, 2);
    let id = h.retry(8000);
    h.open(8100, id);
    assert_eq!(h.sup.retry_count(), 2);
    h.fire(13_100, Timer::Stable);
    assert_eq!(h.sup.retry_count(), 0);
    let a = h.drop_link(14_000, id);
    assert_eq!(reconnecting(&a).0, 1);
}

// A server that accepts and immediately drops keeps counting up: no tight loop.
#[test]
fn flapping_link_keeps_counting() {
    let mut h = H::new(config(policy()));
    h.start();
    let (mut id, mut t) = (1, 0);
    for want in 1..=5 {
        h.open(t + 5, id);
        let a = h.drop_link(t + 10, id);
        let (attempt, delay, _) = reconnecting(&a);
        assert_eq!(attempt, want);
        t += 10 + delay;
        id = h.retry(t);
    }
}

// max_attempts = 2: the third consecutive failure ends it, by the policy.
#[test]
fn max_attempts_gives_up() {
    let mut h = H::new(config(policy().max_attempts(Some(2))));
    h.start();
    h.drop_link(10, 1);
    let id = h.retry(1000);
    h.drop_link(1010, id);
    let id = h.retry(3000);
    let a = h.drop_link(3010, id);
    let info = closed_info(&a);
    assert_eq!(info.by, ClosedBy::Policy);
    let reason = "attempt limit reached".to_owned();
    assert_eq!(
        info.error,
        Some(Error::GaveUp {
            attempts: 3,
            reason
        })
    );
    assert_eq!(timer(&a, Timer::Backoff), None);
}

// max_elapsed_ms: a failure once the outage has lasted that long ends it.
#[test]
fn max_elapsed_gives_up() {
    let p = policy().initial_delay_ms(100).max_elapsed_ms(Some(1000));
    let mut h = H::new(config(p));
    h.start();
    h.drop_link(0, 1); // the outage starts
    let id = h.retry(100);
    let a = h.drop_link(999, id);
    assert_eq!(reconnecting(&a).0, 2);
    let id = h.retry(1199);
    let info = closed_info(&h.drop_link(1200, id));
    assert_eq!(info.by, ClosedBy::Policy);
    let reason = "time limit reached".to_owned();
    assert_eq!(
        info.error,
        Some(Error::GaveUp {
            attempts: 3,
            reason
        })
    );
}

// The default classifier stops on 1008 (policy violation): closed by the remote, for
// good, with the server's code, reason and cleanliness.
#[test]
fn classifier_stop_on_1008_closes_by_remote() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    let ev = Event::Closed {
        id: 1,
        code: 1008,
        reason: "auth".into(),
        was_clean: false,
    };
    let a = h.at(10, ev);
    let info = closed_info(&a);
    assert_eq!(
        (info.by, info.code, info.reason.as_str()),
        (ClosedBy::Remote, 1008, "auth")
    );
    assert!(!info.was_clean, "the close handshake did not complete");
    assert!(connect_id(&a).is_none() && timer(&a, Timer::Backoff).is_none());
    let asked = a.iter().any(|x| matches!(x, Action::Classify { .. }));
    assert!(!asked, "a built-in classifier is applied at once: {a:?}");
}

// Reconnection disabled and the server refuses: closed with ConnectFailed naming the URL.
#[test]
fn disabled_and_refused_is_connect_failed() {
    let mut h = H::new(config(ReconnectPolicy::disabled()));
    h.start();
    let info = closed_info(&h.drop_link(10, 1));
    assert_eq!(info.by, ClosedBy::Remote);
    assert_eq!(info.error, Some(Error::ConnectFailed { url: URL.into() }));
}

// A socket stuck in CONNECTING is abandoned at the connect timeout and retried.
#[test]
fn connect_timeout_abandons_and_retries() {
    let mut h = H::new(config(policy().connect_timeout_ms(2000)));
    let a = h.start();
    assert_eq!(timer(&a, Timer::ConnectTimeout), Some(2000));
    let a = h.fire(2000, Timer::ConnectTimeout);
    assert!(matches!(a[0], Action::Abandon { id: 1, .. }), "{a:?}");
    let (attempt, delay, cause) = reconnecting(&a);
    assert_eq!((attempt, cause), (1, Cause::ConnectTimeout));
    assert_eq!(h.retry(2000 + delay), 2);
}

// The URL provider fails twice, then succeeds: the socket opens on retry 2.
#[test]
fn url_provider_fails_twice_then_succeeds() {
    let mut h = H::with_url(config(policy()), None);
    let mut a = h.start();
    let mut t = 0;
    for n in 1..=2 {
        assert!(a.contains(&Action::ResolveUrl { id: n }), "{a:?}");
        let result = Err(format!("down ({n})"));
        a = h.at(t + 5, Event::UrlResolved { id: n, result });
        let (attempt, delay, cause) = reconnecting(&a);
        assert_eq!(
            (attempt, cause),
            (n as u32, Cause::UrlProvider(format!("down ({n})")))
        );
        t += 5 + delay;
        a = h.fire(t, Timer::Backoff);
    }
    assert!(states(&a).contains(&ConnectionState::Connecting { attempt: 2 }));
    let result = Ok("ws://third/".to_owned());
    let a = h.at(t + 5, Event::UrlResolved { id: 3, result });
    assert!(a.contains(&Action::Connect {
        id: 3,
        url: "ws://third/".into()
    }));
    assert_eq!(states(&h.open(t + 10, 3)), [ConnectionState::Open]);
}

// Offline during the backoff: the Backoff timer is re-armed for max_delay_ms, a probe in
// case `online` never comes (it used to be cancelled); back online, the attempt starts at
// once.
#[test]
fn offline_during_backoff_rearms_the_probe_and_online_attempts_at_once() {
    let mut h = H::new(config(policy().max_delay_ms(8000)));
    h.start();
    let a = h.drop_link(10, 1);
    assert_eq!(timer(&a, Timer::Backoff), Some(250));
    let a = h.at(20, Event::Offline);
    let probe = Action::SetTimer {
        timer: Timer::Backoff,
        after_ms: 8000,
    };
    assert_eq!(
        a,
        std::slice::from_ref(&probe),
        "no state change, only the probe"
    );
    let waiting = matches!(
        h.sup.state(),
        ConnectionState::Reconnecting { attempt: 1, .. }
    );
    assert!(waiting, "{:?}", h.sup.state());
    // A repeated offline event pushes the probe back again.
    assert_eq!(h.at(30, Event::Offline), [probe]);
    let a = h.at(3000, Event::Online);
    assert_eq!(a[0], Action::CancelTimer(Timer::Backoff));
    assert_eq!(states(&a), [ConnectionState::Connecting { attempt: 1 }]);
    assert_eq!(connect_id(&a), Some(2));
}

// The probe fires while still offline: the attempt starts anyway.
#[test]
fn offline_probe_attempts_without_an_online_event() {
    let mut h = H::new(config(policy().max_delay_ms(8000)));
    h.start();
    h.drop_link(10, 1);
    h.at(20, Event::Offline);
    let a = h.fire(8020, Timer::Backoff);
    assert_eq!(states(&a), [ConnectionState::Connecting { attempt: 1 }]);
    assert_eq!(connect_id(&a), Some(2));
}

// A failure while offline burns no attempt and, instead of waiting for `online` alone,
// goes Reconnecting with delay max_delay_ms and arms the Backoff timer for it: when the
// online event is missed, the probe still reconnects.
#[test]
fn failure_while_offline_arms_a_probe_that_reconnects_without_online() {
    let mut h = H::new(config(policy().max_delay_ms(8000)));
    h.start();
    h.open(5, 1);
    assert!(h.at(10, Event::Offline).is_empty());
    let a = h.drop_link(20, 1);
    assert_eq!(reconnecting(&a), (0, 8000, dropped()));
    assert_eq!(timer(&a, Timer::Backoff), Some(8000));
    assert_eq!(h.sup.retry_count(), 0, "no attempt burnt offline");
    // No online event ever comes: the probe attempts anyway.
    let a = h.fire(8020, Timer::Backoff);
    assert_eq!(states(&a), [ConnectionState::Connecting { attempt: 0 }]);
    let id = connect_id(&a).expect("the probe connects");
    // It fails, still offline: again no attempt burnt, and another probe.
    let a = h.drop_link(8030, id);
    assert_eq!(reconnecting(&a), (0, 8000, Cause::ConnectFailed));
    assert_eq!(timer(&a, Timer::Backoff), Some(8000));
    let id = h.retry(16_030);
    assert_eq!(states(&h.open(16_040, id)), [ConnectionState::Open]);
    assert_eq!(h.sup.retry_count(), 0);
}

// close() during the backoff: closed by the client at once, queued messages handed
// back as Unsent, and nothing ever happens again.
#[test]
fn user_close_during_backoff() {
    let mut h = H::new(config(policy()));
    h.start();
    h.drop_link(10, 1);
    h.sup.send(m("a")).unwrap();
    h.sup.send(m("b")).unwrap();
    h.sup.close(4000, "bye").unwrap();
    let a = h.drain();
    assert_eq!(a[0], Action::CancelTimer(Timer::Backoff));
    assert_eq!(a[1], Action::Unsent(vec![m("a"), m("b")]));
    let info = closed_info(&a);
    assert_eq!(
        (info.by, info.code, info.reason.as_str()),
        (ClosedBy::Client, 4000, "bye")
    );
    assert!(h.fire(600, Timer::Backoff).is_empty());
    assert!(h.at(700, Event::Online).is_empty());
    assert!(h.drop_link(800, 1).is_empty());
    assert_eq!(h.sup.reconnect(), Err(Error::Closed { unsent: None }));
    assert_eq!(
        h.sup.send(m("c")),
        Err(Error::Closed {
            unsent: Some(m("c"))
        })
    );
    assert!(h.drain().is_empty());
}

// close() with a code or reason the browser would throw on is a typed error, and the
// connection carries on untouched.
#[test]
fn invalid_close_is_a_typed_error_and_changes_nothing() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    let long = "x".repeat(124);
    let cases = [
        (1005, "", Error::InvalidCloseCode(1005)),
        (1001, "", Error::InvalidCloseCode(1001)),
        (2999, "", Error::InvalidCloseCode(2999)),
        (5000, "", Error::InvalidCloseCode(5000)),
        (1000, long.as_str(), Error::InvalidCloseReason(124)),
    ];
    for (code, reason, want) in cases {
        assert_eq!(h.sup.close(code, reason), Err(want));
        assert!(h.drain().is_empty());
        assert_eq!(h.sup.state(), &ConnectionState::Open);
    }
    h.sup.send(m("still open")).unwrap();
    assert_eq!(sends(&h.drain()), [m("still open")]);
}

// reconnect() on an open link abandons it and starts a fresh attempt at once.
#[test]
fn reconnect_from_open_abandons_and_reconnects() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    h.sup.reconnect().unwrap();
    let a = h.drain();
    assert!(matches!(a[0], Action::Abandon { id: 1, .. }), "{a:?}");
    let s = states(&a);
    assert!(matches!(
        s[0],
        ConnectionState::Reconnecting {
            cause: Cause::Manual,
            delay_ms: 0,
            ..
        }
    ));
    assert_eq!(s[1], ConnectionState::Connecting { attempt: 0 });
    assert_eq!(connect_id(&a), Some(2));
}

// Regression: reconnect() with a ping outstanding used to leave the old link's
// PongTimeout armed, and it then killed the healthy new link.
#[test]
fn reconnect_from_open_cancels_the_old_heartbeat() {
    let mut cfg = config(policy());
    cfg.heartbeat = Some(Heartbeat::default().interval_ms(1000).timeout_ms(500));
    let mut h = H::new(cfg);
    h.start();
    h.open(0, 1);
    h.fire(1000, Timer::Ping); // ping out, PongTimeout due at 1500
    h.sup.reconnect().unwrap();
    let a = h.drain();
    assert!(
        a.contains(&Action::CancelTimer(Timer::PongTimeout)),
        "{a:?}"
    );
    h.open(1100, 2);
    // Even a stale expiry (the driver lost the cancel) must not touch the new link.
    assert!(h.fire(1500, Timer::PongTimeout).is_empty());
    assert_eq!(h.sup.state(), &ConnectionState::Open);
}

// reconnect() revives a connection the policy gave up on, with a fresh counter.
#[test]
fn reconnect_after_the_policy_gave_up_revives() {
    let mut h = H::new(config(policy().max_attempts(Some(1))));
    h.start();
    h.drop_link(10, 1);
    let id = h.retry(600);
    assert_eq!(closed_info(&h.drop_link(610, id)).by, ClosedBy::Policy);
    h.sup.reconnect().unwrap();
    let a = h.drain();
    assert_eq!(states(&a), [ConnectionState::Connecting { attempt: 0 }]);
    assert_eq!(connect_id(&a), Some(3));
}

// Regression: close() after the policy gave up used to be forgotten, and a later
// reconnect() connected again although the application had closed the socket.
#[test]
fn reconnect_after_close_is_refused_even_when_the_policy_ended_it() {
    let mut h = H::new(config(policy().max_attempts(Some(1))));
    h.start();
    h.drop_link(10, 1);
    let id = h.retry(600);
    h.drop_link(610, id);
    assert_eq!(h.sup.close(1000, ""), Ok(()));
    assert_eq!(h.sup.reconnect(), Err(Error::Closed { unsent: None }));
    assert!(h.drain().is_empty());
}

// Heartbeat: a silent link is abandoned interval + timeout after it opened; a pong
// records the round-trip time and is not delivered.
#[test]
fn heartbeat_finds_a_silent_link_and_measures_rtt() {
    let mut cfg = config(policy());
    cfg.heartbeat = Some(Heartbeat::default().interval_ms(1000).timeout_ms(300));
    let mut h = H::new(cfg.clone());
    h.start();
    let a = h.open(0, 1);
    assert_eq!(timer(&a, Timer::Ping), Some(1000));
    let a = h.fire(1000, Timer::Ping);
    assert!(a.contains(&Action::Ping {
        id: 1,
        message: m("ping")
    }));
    assert_eq!(timer(&a, Timer::PongTimeout), Some(300));
    let a = h.fire(1300, Timer::PongTimeout);
    assert!(matches!(a[0], Action::Abandon { id: 1, .. }), "{a:?}");
    assert_eq!(reconnecting(&a).2, Cause::HeartbeatTimeout);

    let mut h = H::new(cfg);
    h.start();
    h.open(0, 1);
    h.fire(1000, Timer::Ping);
    let a = h.at(
        1040,
        Event::Message {
            id: 1,
            message: m("pong"),
        },
    );
    assert_eq!(
        a,
        [Action::CancelTimer(Timer::PongTimeout)],
        "pong not delivered"
    );
    assert_eq!(h.sup.stats().last_rtt_ms, Some(40));
    let a = h.at(
        1050,
        Event::Message {
            id: 1,
            message: m("data"),
        },
    );
    assert_eq!(a, [Action::Deliver(m("data"))]);
}

// A heartbeat timer that fires late (a frozen page, a hidden tab's throttled timers)
// does not declare the link dead: what proves it alive may be queued behind the timer.
// It probes again from now; only a timeout the page lived through counts.
#[test]
fn a_late_heartbeat_timer_probes_again_instead_of_failing_the_link() {
    use resocket::core::supervisor::LATE_TIMER_MS;
    let mut cfg = config(policy());
    cfg.heartbeat = Some(Heartbeat::default().interval_ms(1000).timeout_ms(300));
    let mut h = H::new(cfg);
    h.start();
    h.open(0, 1);
    h.fire(1000, Timer::Ping); // PongTimeout due at 1300
                               // Frozen for a minute: the timer fires at resume.
    let a = h.fire(61_300, Timer::PongTimeout);
    assert!(
        !a.iter().any(|x| matches!(x, Action::Abandon { .. })),
        "{a:?}"
    );
    assert!(a.contains(&Action::Ping {
        id: 1,
        message: m("ping")
    }));
    assert_eq!(timer(&a, Timer::PongTimeout), Some(300));
    // The pong that was queued behind the timer arrives: the link lives.
    let pong = Event::Message {
        id: 1,
        message: m("pong"),
    };
    assert_eq!(
        h.at(61_301, pong),
        [Action::CancelTimer(Timer::PongTimeout)]
    );
    assert!(h.sup.state().is_open());

    // A probe the page lived through, unanswered: dead. Exactly at the slack: still on time.
    h.fire(62_000, Timer::Ping);
    let a = h.fire(62_300 + LATE_TIMER_MS, Timer::PongTimeout);
    assert!(matches!(a[0], Action::Abandon { id: 1, .. }), "{a:?}");
    assert_eq!(reconnecting(&a).2, Cause::HeartbeatTimeout);
}

/// Socket 1 open at 0, with heartbeat `hb`.
fn open_with(hb: Heartbeat) -> H {
    let mut cfg = config(policy());
    cfg.heartbeat = Some(hb);
    let mut h = H::new(cfg);
    h.start();
    h.open(0, 1);
    h
}

// The page came back (resumed, restored from the back/forward cache, visible again):
// an open link is probed at once, a connection waiting to retry retries at once.
#[test]
fn resumed_probes_an_open_link_and_retries_a_waiting_one() {
    let mut h = open_with(Heartbeat::default().interval_ms(30_000).timeout_ms(300));
    let a = h.at(500, Event::Resumed);
    assert!(a.contains(&Action::Ping {
        id: 1,
        message: m("ping")
    }));
    assert_eq!(timer(&a, Timer::PongTimeout), Some(300));
    // A probe is already out: no second one now, but its answer may be queued behind
    // its timeout, which probes again instead of failing the link.
    assert!(h.at(510, Event::Resumed).is_empty());
    let a = h.fire(800, Timer::PongTimeout);
    assert!(states(&a).is_empty(), "{a:?}");
    assert_eq!(timer(&a, Timer::PongTimeout), Some(300));
    let a = h.fire(1100, Timer::PongTimeout);
    assert_eq!(reconnecting(&a).2, Cause::HeartbeatTimeout);
    // Waiting out a backoff: retry now.
    let a = h.at(1101, Event::Resumed);
    assert!(
        a.iter().any(|x| matches!(x, Action::Connect { id: 2, .. })),
        "{a:?}"
    );
}

// Into the back/forward cache and back: the open link closes ("going away"), the queue and
// every other rule wait, nothing counts as a failure, and the page's return reconnects
// at once and sends the queue.
#[test]
fn suspended_closes_going_away_keeps_the_queue_and_resumes_at_once() {
    let mut h = open_with(Heartbeat::default());
    let a = h.at(100, Event::Suspended);
    assert!(a.contains(&Action::Abandon {
        id: 1,
        code: 1000,
        reason: "going away".into()
    }));
    assert!(a.contains(&Action::CancelTimer(Timer::Ping)));
    let cause = Cause::Suspended;
    assert_eq!(reconnecting(&a), (0, 0, cause));
    h.sup.send(m("a")).unwrap();
    h.sup.send(m("b")).unwrap();
    // Still suspended: a second pagehide, `online`, the old socket's close change nothing.
    assert!(h.at(150, Event::Suspended).is_empty());
    assert!(h.at(160, Event::Online).is_empty());
    assert!(h.drop_link(170, 1).is_empty());
    assert_eq!(h.sup.retry_count(), 0);
    let a = h.at(60_000, Event::Resumed);
    assert_eq!(connect_id(&a), Some(2));
    assert_eq!(timer(&a, Timer::Backoff), None);
    let a = h.open(60_010, 2);
    assert_eq!(sends(&a), vec![m("a"), m("b")]);
    assert_eq!(states(&a), vec![ConnectionState::Open]);
}

// The time spent in the back/forward cache does not count against the policy's time
// limit: it is measured again from the page's return.
#[test]
fn time_in_the_cache_is_no_outage() {
    let mut h = H::new(config(policy().max_elapsed_ms(Some(5_000))));
    h.start();
    h.drop_link(0, 1);
    h.at(100, Event::Suspended);
    let a = h.at(3_600_000, Event::Resumed);
    assert_eq!(connect_id(&a), Some(2));
    let a = h.drop_link(3_600_010, 2);
    assert_eq!(reconnecting(&a).2, Cause::ConnectFailed);
}

// Resumed while offline: the attempt waits for `online`, as after a drop offline.
#[test]
fn resumed_offline_waits_for_online_then_connects() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(0, 1);
    h.at(10, Event::Suspended);
    h.at(20, Event::Offline);
    let a = h.at(30, Event::Resumed);
    assert_eq!(connect_id(&a), None);
    assert_eq!(timer(&a, Timer::Backoff), Some(policy().max_delay_ms));
    let a = h.at(40, Event::Online);
    assert_eq!(connect_id(&a), Some(2));
}

// The classifier's answer must stand (a stop stays a stop); a closing or closed
// connection has nothing to suspend.
#[test]
fn suspended_leaves_classifying_closing_and_closed_alone() {
    let mut h = classifying();
    assert!(h.at(5_000, Event::Suspended).is_empty());
    let mut h = H::new(config(policy()));
    h.start();
    h.open(0, 1);
    h.sup.close(1000, "").unwrap();
    h.drain();
    assert!(h.at(10, Event::Suspended).is_empty());
    h.drop_link(20, 1);
    assert!(h.at(30, Event::Suspended).is_empty());
    assert!(h.at(40, Event::Resumed).is_empty());
}

// A message needs the time only while a ping waits for its pong: a driver reads no clock
// per message otherwise, and the RTT is still measured from the time it is given.
#[test]
fn a_message_needs_the_time_only_while_a_pong_is_awaited() {
    let mut cfg = config(policy());
    cfg.heartbeat = Some(Heartbeat::default().interval_ms(1000).timeout_ms(300));
    let mut h = H::new(cfg);
    h.start();
    h.open(10, 1);
    let msg = |text: &str| Event::Message {
        id: 1,
        message: m(text),
    };
    assert!(!h.sup.needs_time(&msg("data")), "no ping outstanding");
    assert!(
        h.sup.needs_time(&Event::Timer(Timer::Ping)),
        "timers always need it"
    );
    assert_eq!(h.sup.last_now(), 10);
    h.fire(1000, Timer::Ping);
    assert!(h.sup.needs_time(&msg("pong")), "a ping waits for its pong");
    h.at(1025, msg("pong"));
    assert_eq!(h.sup.stats().last_rtt_ms, Some(25));
    assert!(!h.sup.needs_time(&msg("data")), "answered");
    let big = Event::Message {
        id: 1,
        message: Message::Binary(vec![0; 17 * 1024 * 1024]),
    };
    assert!(
        h.sup.needs_time(&big),
        "a message over the limit fails the link"
    );
}

fn small_queue(overflow: Overflow) -> H {
    let mut cfg = config(policy());
    cfg.queue = QueueConfig::default().max_messages(2).overflow(overflow);
    let mut h = H::new(cfg);
    h.start();
    h
}

// A full queue under Reject hands the new message back.
#[test]
fn queue_overflow_reject_returns_the_message() {
    let mut h = small_queue(Overflow::Reject);
    h.sup.send(m("1")).unwrap();
    h.sup.send(m("2")).unwrap();
    assert_eq!(h.sup.send(m("3")), Err(Error::QueueFull(m("3"))));
    assert!(h.drain().is_empty());
    assert_eq!(sends(&h.open(5, 1)), [m("1"), m("2")]);
}

// A full queue under DropOldest evicts the oldest and says so.
#[test]
fn queue_overflow_drop_oldest_reports_dropped() {
    let mut h = small_queue(Overflow::DropOldest);
    h.sup.send(m("1")).unwrap();
    h.sup.send(m("2")).unwrap();
    h.sup.send(m("3")).unwrap();
    assert_eq!(h.drain(), [Action::Dropped(vec![m("1")])]);
    assert_eq!(h.sup.stats().dropped, 1);
    assert_eq!(sends(&h.open(5, 1)), [m("2"), m("3")]);
}

// On open the queue is flushed in order, before the Open state is announced.
#[test]
fn queue_flushes_in_order_before_open_state() {
    let mut h = H::new(config(policy()));
    h.start();
    for s in ["a", "b", "c"] {
        h.sup.send(m(s)).unwrap();
    }
    let a = h.open(5, 1);
    assert_eq!(sends(&a), [m("a"), m("b"), m("c")]);
    let last_send = a.iter().rposition(|x| matches!(x, Action::Send { .. }));
    let open = a
        .iter()
        .position(|x| x == &Action::State(ConnectionState::Open));
    assert!(last_send < open, "{a:?}");
    assert_eq!(h.sup.queued_len(), 0);
}

// A Send that bounces (the socket closed under it) takes every later Send for that
// socket back to the head of the queue, in order; they go out first after reconnecting.
#[test]
fn bounced_send_requeues_in_order_and_goes_first() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    for s in ["a", "b", "c"] {
        h.sup.send(m(s)).unwrap();
    }
    // The driver executes the first Send, finds the socket closed, reports it.
    let first = h.sup.poll_action();
    assert_eq!(
        first,
        Some(Action::Send {
            id: 1,
            message: m("a"),
            tracked: false,
        })
    );
    let a = h.at(
        6,
        Event::Bounced {
            id: 1,
            message: m("a"),
            tracked: false,
        },
    );
    assert!(
        sends(&a).is_empty(),
        "later sends for socket 1 were withdrawn: {a:?}"
    );
    assert!(matches!(a[0], Action::Abandon { id: 1, .. }), "{a:?}");
    let (_, delay, cause) = reconnecting(&a);
    let dropped = Cause::Closed {
        code: 1006,
        reason: String::new(),
        was_clean: false,
    };
    assert_eq!(cause, dropped);
    assert_eq!(h.sup.queued_len(), 3);
    assert_eq!(h.sup.stats().messages_out, 0);
    h.sup.send(m("d")).unwrap();
    let id = h.retry(6 + delay);
    assert_eq!(
        sends(&h.open(7 + delay, id)),
        [m("a"), m("b"), m("c"), m("d")]
    );
}

/// Socket 1 open, and the driver executing the Send of "a" on it (taken from the actions).
fn send_in_flight() -> H {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    h.sup.send(m("a")).unwrap();
    let first = h.sup.poll_action();
    assert!(
        matches!(first, Some(Action::Send { id: 1, .. })),
        "{first:?}"
    );
    h
}

// A socket whose send() ends the connection for good from inside the call (a server
// close with a stop code, dispatched synchronously by an application's WebSocket class)
// and then refuses the message: the bounce arrives after the queue was handed back at the
// final close, so the message must be handed back too, never kept in a queue that no
// socket will flush.
#[test]
fn a_bounce_after_the_final_close_hands_the_message_back() {
    let mut h = send_in_flight();
    // Inside that send(): the server's close with a stop code ends the connection.
    let a = h.at(6, server_close(4000, "stop"));
    assert!(h.sup.state().is_closed(), "{a:?}");
    // Then send() throws: the driver reports the bounce.
    let b = h.at(
        6,
        Event::Bounced {
            id: 1,
            message: m("a"),
            tracked: false,
        },
    );
    assert_eq!(b, vec![Action::Unsent(vec![m("a")])]);
    assert_eq!(h.sup.queued_len(), 0);
    assert_eq!(h.sup.stats().messages_out, 0);
}

// A bounce from a socket that is no longer current while a newer one is open (its
// events came late): the message goes out on the open socket at once instead of waiting
// in the queue for a reconnect that may never come.
#[test]
fn a_late_bounce_while_another_socket_is_open_goes_out_on_it() {
    let mut h = send_in_flight();
    let a = h.sup.reconnect();
    assert!(a.is_ok());
    let id = connect_id(&h.drain()).expect("a new Connect");
    h.open(6, id);
    let b = h.at(
        7,
        Event::Bounced {
            id: 1,
            message: m("a"),
            tracked: false,
        },
    );
    assert_eq!(sends(&b), [m("a")], "{b:?}");
    assert!(
        b.iter()
            .all(|x| matches!(x, Action::Send { id: s, .. } if *s == id)),
        "{b:?}"
    );
    assert_eq!(h.sup.queued_len(), 0);
}

// The browser refuses to create a socket (no WebSocket, CSP): the connection ends at
// once with the exception, queued messages come back, and nothing is retried.
#[test]
fn refused_socket_ends_without_retry() {
    let mut h = H::new(config(policy()));
    let a = h.start();
    let id = connect_id(&a).unwrap();
    h.sup.send(m("queued")).unwrap();
    let a = h.at(
        5,
        Event::Refused {
            id,
            error: "WebSocket is not defined".into(),
        },
    );
    let info = closed_info(&a);
    assert_eq!(info.by, ClosedBy::Policy);
    assert_eq!(
        info.error,
        Some(Error::Js("WebSocket is not defined".into()))
    );
    assert!(a.contains(&Action::Unsent(vec![m("queued")])));
    assert_eq!(connect_id(&a), None);
    assert_eq!(timer(&a, Timer::Backoff), None);
}

// Config::default() is the documented defaults, the same as Config::new(), and valid (a
// derived Default used to leave close_timeout_ms at 0, which validate() refuses).
#[test]
fn config_default_is_new_and_validates() {
    let d = Config::default();
    assert_eq!(d.validate(), Ok(()));
    assert_eq!(format!("{d:?}"), format!("{:?}", Config::new()));
    assert_eq!(d.close_timeout_ms, 5_000);
    assert_eq!(d.max_message_size, 16 * 1024 * 1024);
    let mut h = H::new(Config::default());
    h.start();
    h.open(5, 1);
    h.sup.close(1000, "").unwrap();
    assert_eq!(timer(&h.drain(), Timer::CloseTimeout), Some(5_000));
}

// A custom classifier is application code: the supervisor never calls it inside handle
// (this one panics if called). It asks the driver with Action::Classify and waits, Open,
// with the link's timers cancelled and sends queued; the answer arrives as
// Event::Classified. Answers for another socket, and a second answer, are ignored.
#[test]
fn custom_classifier_is_asked_through_the_driver_never_inside_handle() {
    let mut cfg = config(policy().classifier(never_called()));
    cfg.heartbeat = Some(Heartbeat::default().interval_ms(1000).timeout_ms(300));
    let mut h = H::new(cfg);
    h.start();
    h.open(5, 1);
    let a = h.at(10, server_close(4001, "bye"));
    let stop_timers = [
        Action::CancelTimer(Timer::Stable),
        Action::CancelTimer(Timer::Ping),
    ];
    assert_eq!(a[..2], stop_timers);
    assert_eq!(a[2..], [classify(1, 4001, "bye")]);
    assert_eq!(
        h.sup.state(),
        &ConnectionState::Open,
        "no state until the answer"
    );
    assert_eq!(h.sup.socket_id(), None);
    h.sup.send(m("queued")).unwrap();
    assert!(h.drain().is_empty(), "a send waits, as during a backoff");
    assert_eq!(h.sup.queued_len(), 1);
    assert!(
        h.fire(1005, Timer::Ping).is_empty(),
        "a stale timer is ignored"
    );
    assert!(h.at(1010, classified(2, Decision::Stop)).is_empty());
    let a = h.at(1020, classified(1, Decision::Retry));
    let cause = Cause::Closed {
        code: 4001,
        reason: "bye".into(),
        was_clean: true,
    };
    assert_eq!(reconnecting(&a), (1, 250, cause));
    assert_eq!(timer(&a, Timer::Backoff), Some(250));
    assert!(h.at(1030, classified(1, Decision::Stop)).is_empty());
    let id = h.retry(1520);
    assert_eq!(sends(&h.open(1530, id)), [m("queued")]);

    // Stop: closed by the remote, with the server's close; the queue comes back.
    let mut h = H::new(config(policy().classifier(never_called())));
    h.start();
    h.open(5, 1);
    assert_eq!(
        h.at(10, server_close(4001, "bye"))[1..],
        [classify(1, 4001, "bye")]
    );
    h.sup.send(m("queued")).unwrap();
    let a = h.at(20, classified(1, Decision::Stop));
    assert_eq!(
        a,
        [
            Action::Unsent(vec![m("queued")]),
            closed(4001, "bye", true, ClosedBy::Remote)
        ]
    );
}

// A bounced send (1006) and an oversized inbound message (1009) close the link the same
// way: the custom classifier is asked, never called.
#[test]
fn bounce_and_oversized_inbound_ask_the_custom_classifier() {
    let mut cfg = config(policy().classifier(never_called()));
    cfg.max_message_size = 8;
    let mut h = H::new(cfg.clone());
    h.start();
    h.open(5, 1);
    h.sup.send(m("a")).unwrap();
    let message = match h.sup.poll_action() {
        Some(Action::Send { message, .. }) => message,
        other => panic!("expected the Send, got {other:?}"),
    };
    let a = h.at(
        6,
        Event::Bounced {
            id: 1,
            message,
            tracked: false,
        },
    );
    let abandon = Action::Abandon {
        id: 1,
        code: 1000,
        reason: "link lost".into(),
    };
    let stable = Action::CancelTimer(Timer::Stable);
    assert_eq!(a, [abandon, stable.clone(), classify(1, 1006, "")]);
    let a = h.at(7, classified(1, Decision::Retry));
    assert_eq!(reconnecting(&a).2, dropped());

    let mut h = H::new(cfg);
    h.start();
    h.open(5, 1);
    let a = h.at(6, Event::Oversized { id: 1, size: 9 });
    let report = Action::Report(Error::TooLarge {
        size: 9,
        limit: 8,
        message: None,
    });
    let abandon = Action::Abandon {
        id: 1,
        code: 1000,
        reason: "message too big".into(),
    };
    let ask = classify(1, 1009, "message too big");
    assert_eq!(a, [report, abandon, stable, ask]);
    // This application retries even 1009.
    let a = h.at(7, classified(1, Decision::Retry));
    let cause = Cause::Closed {
        code: 1009,
        reason: "message too big".into(),
        was_clean: false,
    };
    assert_eq!(reconnecting(&a), (1, 250, cause));
}

/// A supervisor with a custom classifier, open on socket 1, then closed by the server
/// with 4001: the classifier is being asked. One message is queued meanwhile.
fn classifying() -> H {
    let mut h = H::new(config(policy().classifier(never_called())));
    h.start();
    h.open(5, 1);
    assert_eq!(
        h.at(10, server_close(4001, "bye"))[1..],
        [classify(1, 4001, "bye")]
    );
    h.sup.send(m("a")).unwrap();
    h
}

// close() while the classifier is asked ends at once, closed by the client; the answer
// that comes later is stale and ignored, and reconnect() stays refused.
#[test]
fn close_during_classification_ends_at_once() {
    let mut h = classifying();
    h.sup.close(4000, "done").unwrap();
    let a = h.drain();
    let unsent = Action::Unsent(vec![m("a")]);
    assert_eq!(a, [unsent, closed(4000, "done", true, ClosedBy::Client)]);
    assert!(h.at(20, classified(1, Decision::Retry)).is_empty());
    assert!(h.sup.state().is_closed_by_client());
    assert_eq!(h.sup.reconnect(), Err(Error::Closed { unsent: None }));
}

// reconnect() while the classifier is asked goes Reconnecting (manual) and connects at
// once; the late answer is stale, even a Stop.
#[test]
fn reconnect_during_classification_connects_now() {
    let mut h = classifying();
    h.sup.reconnect().unwrap();
    let a = h.drain();
    let manual = ConnectionState::Reconnecting {
        attempt: 0,
        delay_ms: 0,
        cause: Cause::Manual,
    };
    let want = [
        Action::State(manual),
        Action::State(ConnectionState::Connecting { attempt: 0 }),
        Action::SetTimer {
            timer: Timer::ConnectTimeout,
            after_ms: 10_000,
        },
        Action::Connect {
            id: 2,
            url: URL.into(),
        },
    ];
    assert_eq!(a, want);
    assert!(h.at(20, classified(1, Decision::Stop)).is_empty());
    assert_eq!(h.sup.state(), &ConnectionState::Connecting { attempt: 0 });
    assert_eq!(sends(&h.open(30, 2)), [m("a")]);
}

// An inbound message over max_message_size is reported (TooLarge, nothing copied), its
// socket abandoned, and the link handled as a server close 1009 "message too big": a stop
// code for the default classifier, so closed by the remote. One at the limit is fine.
#[test]
fn oversized_inbound_reports_abandons_and_closes_1009_by_remote() {
    let mut cfg = config(policy());
    cfg.max_message_size = 8;
    let mut h = H::new(cfg);
    h.start();
    h.open(5, 1);
    let fits = Event::Message {
        id: 1,
        message: m("12345678"),
    };
    assert_eq!(h.at(6, fits), [Action::Deliver(m("12345678"))]);
    let big = Event::Message {
        id: 1,
        message: m("123456789"),
    };
    let a = h.at(10, big);
    let want = [
        Action::Report(Error::TooLarge {
            size: 9,
            limit: 8,
            message: None,
        }),
        Action::Abandon {
            id: 1,
            code: 1000,
            reason: "message too big".into(),
        },
        Action::CancelTimer(Timer::Stable),
        closed(1009, "message too big", false, ClosedBy::Remote),
    ];
    assert_eq!(a, want);
    assert_eq!(h.sup.stats().messages_in, 1);

    // Reported by length only (the browser layer does not copy it), at the default limit.
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    assert!(h
        .at(
            6,
            Event::Oversized {
                id: 7,
                size: 1 << 30
            }
        )
        .is_empty());
    let a = h.at(
        10,
        Event::Oversized {
            id: 1,
            size: 1 << 30,
        },
    );
    let report = Action::Report(Error::TooLarge {
        size: 1 << 30,
        limit: 16 << 20,
        message: None,
    });
    assert_eq!(a[0], report);
    let info = closed_info(&a);
    assert_eq!((info.code, info.by), (1009, ClosedBy::Remote));
}

// While the application's close is under way, an oversized message ends it at once:
// closed by the client, code 1009.
#[test]
fn oversized_inbound_while_closing_ends_closed_1009_by_client() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    h.sup.close(1000, "bye").unwrap();
    h.drain();
    let a = h.at(
        10,
        Event::Oversized {
            id: 1,
            size: 1 << 30,
        },
    );
    assert!(
        matches!(a[0], Action::Report(Error::TooLarge { .. })),
        "{a:?}"
    );
    let abandon = Action::Abandon {
        id: 1,
        code: 1000,
        reason: "message too big".into(),
    };
    let want = [
        abandon,
        Action::CancelTimer(Timer::CloseTimeout),
        closed(1009, "message too big", false, ClosedBy::Client),
    ];
    assert_eq!(a[1..], want);
}

// A send over max_message_size is refused with TooLarge and the message handed back, in
// every state (nothing is queued or sent); has_room() says so, so a waiting send fails
// instead of waiting for room that will never help.
#[test]
fn too_large_send_is_handed_back_in_every_state() {
    let mut cfg = config(policy());
    cfg.max_message_size = 4;
    let mut h = H::new(cfg);
    let big = m("12345");
    let refused = Error::TooLarge {
        size: 5,
        limit: 4,
        message: Some(big.clone()),
    };
    h.start();
    assert_eq!(h.sup.send(big.clone()), Err(refused.clone()));
    assert!(h.sup.has_room(5));
    h.sup.send(m("1234")).unwrap();
    assert_eq!(h.sup.queued_len(), 1);
    assert_eq!(sends(&h.open(5, 1)), [m("1234")]);
    assert_eq!(h.sup.send(big.clone()), Err(refused.clone()));
    assert!(h.drain().is_empty());
    assert_eq!(h.sup.stats().messages_out, 1);
    h.sup.close(1000, "").unwrap();
    h.drain();
    h.at(10, server_close(1000, ""));
    assert!(h.sup.state().is_closed());
    assert_eq!(h.sup.send(big.clone()), Err(refused.clone()));
    assert_eq!(refused.code(), "too_large");
    assert_eq!(refused.into_unsent(), vec![big]);
}

// has_room: while the link is down it follows the queue's bounds and policy; open,
// closed or over the size limit it is true (the send does not wait: it goes, or fails).
#[test]
fn has_room_follows_the_queue_while_the_link_is_down() {
    let mut cfg = config(policy());
    cfg.queue = QueueConfig::default().max_messages(2).max_bytes(10);
    cfg.max_message_size = 100;
    let mut h = H::new(cfg.clone());
    h.start();
    assert!(h.sup.has_room(10) && !h.sup.has_room(11));
    h.sup.send(m("aaaa")).unwrap();
    assert!(h.sup.has_room(6) && !h.sup.has_room(7));
    h.sup.send(m("b")).unwrap();
    assert!(!h.sup.has_room(0), "the count bound");
    assert_eq!(h.sup.send(m("")), Err(Error::QueueFull(m(""))));
    assert!(h.sup.has_room(101), "too large fails anyway");
    h.open(5, 1);
    assert!(h.sup.has_room(50), "open: sent at once");

    cfg.queue = cfg.queue.overflow(Overflow::DropOldest);
    let mut h = H::new(cfg);
    h.start();
    for s in ["aaaa", "bbbb"] {
        h.sup.send(m(s)).unwrap();
    }
    assert!(h.sup.has_room(10), "DropOldest makes room");
    assert!(!h.sup.has_room(11), "but never for one over max_bytes");
    h.sup.terminate();
    assert!(h.sup.has_room(11), "closed: the send fails anyway");
}

// terminate() (the owner is gone) on an open link: the socket is abandoned, no close
// handshake, closed by the client with 1000 at once; reconnect() is refused after it.
#[test]
fn terminate_from_open_abandons_and_closes_by_client() {
    let mut h = H::new(config(policy()));
    h.start();
    h.open(5, 1);
    h.sup.terminate();
    let a = h.drain();
    let abandon = Action::Abandon {
        id: 1,
        code: 1000,
        reason: String::new(),
    };
    let want = [
        abandon,
        Action::CancelTimer(Timer::Stable),
        closed(1000, "", false, ClosedBy::Client),
    ];
    assert_eq!(a, want);
    assert!(h.drop_link(10, 1).is_empty());
    assert_eq!(h.sup.reconnect(), Err(Error::Closed { unsent: None }));
    h.sup.terminate();
    assert!(h.drain().is_empty(), "a second terminate() does nothing");
    let refused = Error::Closed {
        unsent: Some(m("x")),
    };
    assert_eq!(h.sup.send(m("x")), Err(refused));
}

// terminate() during a backoff: no socket to abandon; the queue comes back as Unsent,
// closed by the client, and the backoff never fires.
#[test]
fn terminate_from_backoff_hands_back_the_queue() {
    let mut h = H::new(config(policy()));
    h.start();
    h.drop_link(10, 1);
    h.sup.send(m("a")).unwrap();
    h.sup.send(m("b")).unwrap();
    h.sup.terminate();
    let a = h.drain();
    let want = [
        Action::CancelTimer(Timer::Backoff),
        Action::Unsent(vec![m("a"), m("b")]),
        closed(1000, "", false, ClosedBy::Client),
    ];
    assert_eq!(a, want);
    assert!(h.fire(510, Timer::Backoff).is_empty());
    assert!(h.at(600, Event::Online).is_empty());
    assert_eq!(h.sup.reconnect(), Err(Error::Closed { unsent: None }));
}

// terminate() after the policy ended the connection changes nothing, but the
// application is gone: reconnect() is refused from then on.
#[test]
fn terminate_after_closed_refuses_reconnect() {
    let mut h = H::new(config(ReconnectPolicy::disabled()));
    h.start();
    let info = closed_info(&h.drop_link(10, 1));
    assert_eq!(info.by, ClosedBy::Remote);
    h.sup.terminate();
    assert!(h.drain().is_empty());
    assert_eq!(h.sup.state(), &ConnectionState::Closed(info));
    assert_eq!(h.sup.reconnect(), Err(Error::Closed { unsent: None }));
}

// ConnectFailed names the URL redacted (no credentials, query or fragment), so a token
// in it stays out of logs; the socket itself, and url(), get the full URL.
#[test]
fn connect_failed_names_the_url_redacted() {
    const SECRET: &str = "wss://ann:pw@example.com:8443/chat?token=s3cret";
    let mut h = H::with_url(config(ReconnectPolicy::disabled()), Some(SECRET));
    let a = h.start();
    let connect = Action::Connect {
        id: 1,
        url: SECRET.into(),
    };
    assert!(a.contains(&connect), "{a:?}");
    let info = closed_info(&h.drop_link(10, 1));
    let url = "wss://example.com:8443/chat".to_owned();
    assert_eq!(info.error, Some(Error::ConnectFailed { url }));
    assert_eq!(h.sup.url(), Some(SECRET));

    // The connect timeout, with a URL from the provider.
    let mut h = H::with_url(config(ReconnectPolicy::disabled()), None);
    h.start();
    let result = Ok("ws://u@h.example/p?x=1#f".to_owned());
    h.at(5, Event::UrlResolved { id: 1, result });
    let info = closed_info(&h.fire(10_000, Timer::ConnectTimeout));
    let url = "ws://h.example/p".to_owned();
    assert_eq!(info.error, Some(Error::ConnectFailed { url }));
}
