//! Deterministic simulation of the sans-IO supervisor.
//!
//! Thousands of seeded runs, each with a random policy and a random fault schedule:
//! sockets that open, fail, hang or flap; drops and server closes with assorted codes;
//! silent and half-open links under a heartbeat; sends that bounce off a socket the world
//! already closed; inbound messages over the size limit (copied, or reported by length
//! only); a flaky URL provider; online/offline toggles (repeated ones too, and offline
//! long enough for the probe); user sends (some too large), closes (valid and invalid),
//! reconnects and terminations, also from inside notifications as a JS observer would.
//! A custom classifier is application code: the driver runs it when the supervisor asks
//! (`Action::Classify`), at once, after the pump or later, and the callback may itself
//! send, close or reconnect; the classifier panics if the supervisor calls it directly.
//! `sim/world.rs` checks every emitted action against the rules after every step; at
//! the end of a run every message the application sent must be accounted for.
//!
//! Replay one seed with a step trace:
//! `SIM_SEED=N cargo test --test simulation -- --nocapture`
//! (`SIM_SEEDS=N` changes how many seeds the normal run covers.)
#![cfg(not(target_arch = "wasm32"))]

#[path = "sim/world.rs"]
mod world;

use std::collections::BTreeMap;
use std::panic::{self, AssertUnwindSafe};
use std::time::Instant;

use resocket::{
    CloseClassifier, Config, Decision, Heartbeat, Message, Overflow, QueueConfig, ReconnectPolicy,
};
use world::{Rng, Sim};

const SEEDS: u64 = 10_000;
const STEPS: usize = 400;

/// Paths every full run must take at least once.
const COVERED: [&str; 52] = [
    "Bounced",
    "Deliver",
    "Dropped",
    "Open after failures",
    "Report",
    "Unsent",
    "Unsent after the final close",
    "at server",
    "attempt limit reached",
    "classify: answered after the pump",
    "classify: answered at once",
    "classify: answered later",
    "classify: call from a notice",
    "classify: close while asked",
    "classify: custom asked",
    "classify: re-entrant close",
    "classify: re-entrant reconnect",
    "classify: re-entrant send",
    "classify: re-entrant terminate",
    "classify: reconnect while asked",
    "classify: stale answer ignored",
    "classify: wrong id ignored",
    "close reported inside send()",
    "close: invalid",
    "closed: by client",
    "closed: classifier stop",
    "closed: reconnect disabled",
    "closed: too big",
    "fail while offline",
    "fail: 1006",
    "fail: 1009 retried",
    "fail: connect timeout",
    "fail: heartbeat timeout",
    "fail: refused",
    "fail: server close",
    "fail: url provider",
    "lost in a half-open link",
    "manual",
    "offline probe",
    "offline re-arms the probe",
    "online/offline repeated",
    "oversized inbound",
    "oversized inbound: closing",
    "oversized inbound: stale",
    "revived after Closed",
    "rtt measured",
    "send: queue full",
    "send: queued while classifying",
    "send: too large",
    "stable reset",
    "terminate",
    "time limit reached",
];

/// A custom classifier that panics when the supervisor calls it itself: only the driver
/// may run application code, when asked through `Action::Classify`.
fn guarded(f: fn(u16, &str) -> Decision) -> CloseClassifier {
    CloseClassifier::custom(move |code, reason| {
        assert!(world::in_driver(), "the supervisor called the classifier");
        f(code, reason)
    })
}

/// A random but valid configuration; `true` when the URL is fixed (no provider).
fn random_config(rng: &mut Rng) -> (Config, bool) {
    let initial = rng.range(0, 400);
    let factors = [1.0, 1.5, 2.0, 3.0];
    let mut policy = ReconnectPolicy::default()
        .enabled(rng.pct(92))
        .initial_delay_ms(initial)
        .max_delay_ms(initial + rng.range(0, 2500))
        .factor(factors[rng.below(4) as usize])
        .jitter(rng.pct(70))
        .max_attempts(rng.pct(50).then(|| rng.range(1, 5) as u32))
        .max_elapsed_ms(rng.pct(30).then(|| rng.range(200, 20_000)))
        .connect_timeout_ms(rng.range(50, 1500))
        .stable_after_ms(rng.range(0, 2000));
    policy = match rng.below(6) {
        0 => policy.classifier(guarded(|code, _| {
            if code == 4500 || code == 1006 {
                Decision::Stop
            } else {
                Decision::Retry
            }
        })),
        // Retries everything, even 1009 (message too big).
        1 => policy.classifier(guarded(|_, _| Decision::Retry)),
        2 => policy.classifier(CloseClassifier::new().with_stop_range(4400..=4499)),
        _ => policy,
    };
    let overflow = if rng.pct(50) {
        Overflow::Reject
    } else {
        Overflow::DropOldest
    };
    let mut cfg = Config::new();
    cfg.reconnect = policy;
    cfg.queue = QueueConfig::default()
        .max_messages(rng.range(1, 8) as usize)
        .max_bytes(rng.range(6, 60) as usize)
        .overflow(overflow);
    if rng.pct(50) {
        let pong = rng.pct(85).then(|| Message::Text("pong".into()));
        let hb = Heartbeat::default()
            .interval_ms(rng.range(50, 1500))
            .timeout_ms(rng.range(30, 800))
            .pong(pong);
        cfg.heartbeat = Some(hb);
    }
    cfg.close_timeout_ms = rng.range(50, 1500);
    if rng.pct(30) {
        // Small enough for user and server messages to cross it.
        cfg.max_message_size = rng.range(8, 24) as usize;
    }
    assert_eq!(cfg.validate(), Ok(()));
    (cfg, rng.pct(60))
}

/// One seeded run.
fn run(sim: &mut Sim, step: &mut usize) {
    sim.start();
    while *step < STEPS {
        *step += 1;
        if sim.trace {
            println!("-- step {step}");
        }
        match sim.rng.below(1000) {
            0..=349 => {
                sim.advance_next();
            }
            350..=549 => sim.user_send_top(),
            550..=649 => {
                let ms = sim.rng.below(300);
                sim.advance_by(ms);
            }
            650..=719 => sim.kill_current(),
            720..=729 => sim.silence_current(),
            730..=799 => sim.server_message(),
            800..=835 => sim.toggle_online(true),
            836..=839 => sim.toggle_online(false),
            840..=859 => {
                sim.user_reconnect(true);
            }
            860..=863 => {
                sim.user_close_random(true);
            }
            864 => sim.user_terminate(true),
            _ => {
                sim.advance_next();
            }
        }
        if sim.user_closed && sim.sup.state().is_closed() && sim.rng.pct(20) {
            break;
        }
    }
    sim.finish();
}

/// Build and run seed `seed`; on failure, name the seed and how to replay it.
fn run_seed(seed: u64, trace: bool) -> BTreeMap<&'static str, u64> {
    let mut rng = Rng(seed);
    let (cfg, fixed) = random_config(&mut rng);
    let online = rng.pct(90);
    if trace {
        println!("seed {seed}: fixed_url={fixed} online={online}\n{cfg:#?}");
    }
    let mut sim = Sim::new(seed, cfg, fixed, online);
    sim.trace = trace;
    let mut step = 0;
    let result = panic::catch_unwind(AssertUnwindSafe(|| run(&mut sim, &mut step)));
    sim.cov.insert("steps", step as u64);
    if let Err(e) = result {
        let msg = e
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| e.downcast_ref::<&str>().copied())
            .unwrap_or("?");
        panic!(
            "simulation failed: seed {seed}, step {step}, t={} ms: {msg}\n\
             replay: SIM_SEED={seed} cargo test --test simulation -- --nocapture",
            sim.now
        );
    }
    sim.cov
}

#[test]
fn seeded_fault_schedules() {
    if let Some(seed) = std::env::var("SIM_SEED").ok().and_then(|s| s.parse().ok()) {
        run_seed(seed, true);
        return;
    }
    let seeds = std::env::var("SIM_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEEDS);
    let t0 = Instant::now();
    let mut cov = BTreeMap::new();
    for seed in 0..seeds {
        for (k, n) in run_seed(seed, false) {
            *cov.entry(k).or_insert(0) += n;
        }
    }
    println!("{seeds} seeds in {:?}; paths taken:", t0.elapsed());
    for (k, n) in &cov {
        println!("  {n:>8}  {k}");
    }
    // Guard against a simulation that silently stopped exercising something.
    if seeds >= SEEDS {
        for k in COVERED {
            assert!(cov.get(k).is_some_and(|n| *n > 0), "no run took path {k:?}");
        }
    }
}
