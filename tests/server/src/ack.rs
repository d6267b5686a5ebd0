//! Acknowledged delivery: the `/ack` endpoint's parameters, tracked-message parsing, the
//! per-connection ack queue, and the per-tag record of ids and seeded drops.
//!
//! A tracked message is a text frame holding a JSON object whose `"id"` is a non-negative
//! integer (`u64`) or a string. It is answered with `{"ack":<id>}`, or with
//! `{"ack":<id>,"response":<request>}` when it carries `"request"`; in `through` mode numeric
//! ids are answered cumulatively with `{"ackThrough":n}` instead.

use std::collections::{HashSet, VecDeque};

use serde_json::{json, Value};
use tokio::time::{sleep_until, Duration, Instant};
use tokio_tungstenite::tungstenite::Message;

use crate::query::Query;

/// Longest `delay_ms`.
const MAX_DELAY: Duration = Duration::from_secs(60);
/// Largest `every`.
const MAX_EVERY: u64 = 10_000;
/// Most `drops` per tag.
const MAX_DROPS: u32 = 10_000;
/// Largest `span`.
const MAX_SPAN: u64 = 1_000_000;
/// Most distinct ids remembered per tag; later new ids are counted but not remembered.
pub const MAX_IDS: usize = 1_000_000;
/// Most bytes of string ids remembered per tag.
const MAX_ID_BYTES: usize = 64 << 20;
/// Most drop points listed per tag (`ack_drop_at`).
pub const MAX_DROP_LIST: usize = 1000;
/// Most missing ids listed by `/control/ackstats`.
const MAX_MISSING_LIST: usize = 100;
/// Most frames waiting in one connection's ack queue; reading pauses while it is full.
pub const MAX_QUEUED: usize = 100_000;
/// In `through` mode, the tail is acknowledged after this long without tracked messages.
pub const QUIET: Duration = Duration::from_millis(20);

/// Frames sent before every real acknowledgement with `hostile=1`, in this order. A client
/// must ignore each one; tests must not use the id `999999999` or the string id `"nope"`.
pub const HOSTILE: [&str; 10] = [
    "not json {",
    r#"{"ack":"nope"}"#,
    r#"{"ack":-1}"#,
    r#"{"ack":1e300}"#,
    r#"{"ack":1.5}"#,
    r#"{"ack":null}"#,
    r#"{"ack":999999999}"#,
    r#"{"ackThrough":-1}"#,
    r#"{"ackThrough":"nope"}"#,
    r#"{"ackThrough":1e300}"#,
];

/// How numeric ids are acknowledged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `{"ack":id}` per tracked message.
    Each,
    /// `{"ackThrough":n}` every `every` numeric ids and after [`QUIET`].
    Through { every: u64 },
}

/// `/ack` parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AckParams {
    pub mode: Mode,
    pub delay: Duration,
    pub silent: bool,
    pub hostile: bool,
    pub drops: Drops,
}

/// Seeded drop schedule parameters (`drops`, `seed`, `span`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Drops {
    pub count: u32,
    pub seed: u64,
    pub span: u64,
}

impl AckParams {
    /// Reads `mode`, `every`, `delay_ms`, `silent`, `hostile`, `drops`, `seed` and `span`.
    pub fn parse(q: &Query) -> AckParams {
        let mode = match q.get("mode") {
            Some("through") => Mode::Through {
                every: q.num("every", 1u64).clamp(1, MAX_EVERY),
            },
            _ => Mode::Each,
        };
        AckParams {
            mode,
            delay: Duration::from_millis(q.num("delay_ms", 0)).min(MAX_DELAY),
            silent: q.get("silent") == Some("1"),
            hostile: q.get("hostile") == Some("1"),
            drops: Drops {
                count: q.num("drops", 0u32).min(MAX_DROPS),
                seed: q.num("seed", 1),
                span: q.num("span", 500u64).clamp(1, MAX_SPAN),
            },
        }
    }
}

/// A tracked message's id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Id {
    Num(u64),
    Str(String),
}

impl Id {
    fn to_json(&self) -> Value {
        match self {
            Id::Num(n) => json!(n),
            Id::Str(s) => json!(s),
        }
    }
}

/// A tracked message: its id and, for a request, the request value.
#[derive(Debug, PartialEq)]
pub struct Tracked {
    pub id: Id,
    pub request: Option<Value>,
}

/// Parses a text frame as a tracked message; `None` for anything else.
pub fn tracked(msg: &Message) -> Option<Tracked> {
    let Message::Text(t) = msg else { return None };
    if !t.as_str().trim_start().starts_with('{') {
        return None;
    }
    let Value::Object(mut obj) = serde_json::from_str(t.as_str()).ok()? else {
        return None;
    };
    let id = match obj.get("id")? {
        Value::Number(n) => Id::Num(n.as_u64()?),
        Value::String(s) => Id::Str(s.clone()),
        _ => return None,
    };
    let request = obj.remove("request");
    Some(Tracked { id, request })
}

/// `{"ack":id}`.
pub fn plain_ack(id: &Id) -> Message {
    Message::text(json!({ "ack": id.to_json() }).to_string())
}

/// The reply to a tracked message: `{"ack":id}` or `{"ack":id,"response":request}`.
pub fn ack_frame(t: &Tracked) -> Message {
    let v = match &t.request {
        Some(r) => json!({ "ack": t.id.to_json(), "response": r }),
        None => json!({ "ack": t.id.to_json() }),
    };
    Message::text(v.to_string())
}

/// splitmix64: a small, seeded, well-mixed generator.
fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The tag-wide drop schedule: the `k`-th drop happens on the tracked message whose tag-wide
/// count is `p_k = p_(k-1) + gap_k`, each gap uniform in `1..=span` (`p_0 = 0`).
#[derive(Debug, Clone)]
struct DropPlan {
    rng: u64,
    span: u64,
    left: u32,
    next_at: u64,
}

impl DropPlan {
    fn new(d: Drops) -> DropPlan {
        let mut plan = DropPlan {
            rng: d.seed,
            span: d.span,
            left: d.count,
            next_at: 0,
        };
        plan.advance(0);
        plan
    }

    fn advance(&mut self, from: u64) {
        self.next_at = from + 1 + splitmix(&mut self.rng) % self.span;
    }
}

/// The drop points of `d`, in tag-wide tracked-message counts.
#[cfg(test)]
fn drop_points(d: Drops) -> Vec<u64> {
    let mut plan = DropPlan::new(d);
    (0..d.count)
        .map(|_| {
            let at = plan.next_at;
            plan.advance(at);
            at
        })
        .collect()
}

/// Per-tag record of tracked messages on `/ack`.
#[derive(Default)]
pub struct AckStats {
    pub connections: u64,
    pub received: u64,
    pub duplicates: u64,
    pub drops: u64,
    /// Set once a new id could not be remembered ([`MAX_IDS`] or [`MAX_ID_BYTES`]).
    pub full: bool,
    pub drop_at: Vec<u64>,
    nums: HashSet<u64>,
    strs: HashSet<String>,
    str_bytes: usize,
    plan: Option<DropPlan>,
}

impl AckStats {
    /// Records one tracked message; true when the connection must be dropped on it (the
    /// message is recorded, and must not be acknowledged). The schedule is taken from the
    /// first connection of the tag (since its last reset) that asked for drops.
    pub fn record(&mut self, id: &Id, drops: Drops) -> bool {
        self.received += 1;
        let len = self.nums.len() + self.strs.len();
        let new = match id {
            Id::Num(n) if self.nums.contains(n) => false,
            Id::Str(s) if self.strs.contains(s) => false,
            _ if len >= MAX_IDS => {
                self.full = true;
                true
            }
            Id::Num(n) => self.nums.insert(*n),
            Id::Str(s) if self.str_bytes + s.len() > MAX_ID_BYTES => {
                self.full = true;
                true
            }
            Id::Str(s) => {
                self.str_bytes += s.len();
                self.strs.insert(s.clone())
            }
        };
        if !new {
            self.duplicates += 1;
        }
        if self.plan.is_none() && drops.count > 0 {
            self.plan = Some(DropPlan::new(drops));
        }
        let Some(plan) = self.plan.as_mut() else {
            return false;
        };
        if plan.left == 0 || self.received != plan.next_at {
            return false;
        }
        plan.left -= 1;
        plan.advance(self.received);
        self.drops += 1;
        if self.drop_at.len() < MAX_DROP_LIST {
            self.drop_at.push(self.received);
        }
        true
    }

    /// Adds `other`'s counts into `self` (ids are counted, not merged).
    pub fn add_counts(&mut self, other: &AckStats) {
        self.connections += other.connections;
        self.received += other.received;
        self.duplicates += other.duplicates;
        self.drops += other.drops;
        self.full |= other.full;
    }

    /// Distinct ids remembered.
    pub fn ids(&self) -> usize {
        self.nums.len() + self.strs.len()
    }

    pub fn has_num(&self, n: u64) -> bool {
        self.nums.contains(&n)
    }

    /// Numeric ids outside `1..=expect`, and string ids.
    pub fn unexpected(&self, expect: u64) -> usize {
        let out = self.nums.iter().filter(|&&n| n == 0 || n > expect).count();
        out + self.strs.len()
    }
}

/// `/control/ackstats` body: which of `1..=expect` no matching tag has recorded.
pub fn missing_report(tags: &[&AckStats], expect: u64) -> Value {
    let expect = expect.min(MAX_IDS as u64);
    let mut missing = Vec::new();
    let mut count = 0u64;
    for n in 1..=expect {
        if !tags.iter().any(|s| s.has_num(n)) {
            count += 1;
            if missing.len() < MAX_MISSING_LIST {
                missing.push(n);
            }
        }
    }
    let mut total = AckStats::default();
    for s in tags {
        total.add_counts(s);
    }
    let ids: usize = tags.iter().map(|s| s.ids()).sum();
    let unexpected: usize = tags.iter().map(|s| s.unexpected(expect)).sum();
    json!({
        "expect": expect,
        "missing_count": count,
        "missing": missing,
        "unexpected": unexpected,
        "ids": ids,
        "received": total.received,
        "duplicates": total.duplicates,
        "drops": total.drops,
        "full": total.full,
    })
}

/// One connection's outgoing acknowledgements: frames due at a time, plus `through` state.
pub struct AckQueue {
    params: AckParams,
    queue: VecDeque<(Instant, Message)>,
    /// Highest numeric id received on this connection.
    highest: Option<u64>,
    /// Numeric ids received since the last `ackThrough` was queued.
    unacked: u64,
    last_in: Instant,
}

impl AckQueue {
    pub fn new(params: AckParams) -> AckQueue {
        AckQueue {
            params,
            queue: VecDeque::new(),
            highest: None,
            unacked: 0,
            last_in: Instant::now(),
        }
    }

    pub fn params(&self) -> &AckParams {
        &self.params
    }

    pub fn is_full(&self) -> bool {
        self.queue.len() >= MAX_QUEUED
    }

    /// Takes the oldest queued frame and when it is due.
    pub fn pop(&mut self) -> Option<(Instant, Message)> {
        self.queue.pop_front()
    }

    /// Queues the reply to `t`, received now, per the mode (nothing when `silent`).
    pub fn push(&mut self, t: &Tracked) {
        if self.params.silent {
            return;
        }
        let now = Instant::now();
        match (self.params.mode, &t.id) {
            (Mode::Through { every }, Id::Num(n)) => {
                self.highest = Some(self.highest.map_or(*n, |h| h.max(*n)));
                self.unacked += 1;
                self.last_in = now;
                if t.request.is_some() {
                    self.enqueue(now, ack_frame(t));
                }
                if self.unacked >= every {
                    self.through(now);
                }
            }
            _ => self.enqueue(now, ack_frame(t)),
        }
    }

    /// Queues `{"ackThrough":highest}` (after the hostile frames).
    fn through(&mut self, now: Instant) {
        self.unacked = 0;
        if let Some(h) = self.highest {
            self.enqueue(now, Message::text(json!({ "ackThrough": h }).to_string()));
        }
    }

    fn enqueue(&mut self, now: Instant, msg: Message) {
        let due = now + self.params.delay;
        if self.params.hostile {
            for h in HOSTILE {
                self.queue.push_back((due, Message::text(h)));
            }
        }
        self.queue.push_back((due, msg));
    }

    /// Waits for the next frame to send. Cancel-safe: state changes only after the wait.
    pub async fn next(&mut self) -> Message {
        loop {
            let quiet = (self.unacked > 0).then(|| self.last_in + QUIET);
            let front = self.queue.front().map(|(due, _)| *due);
            let at = match (front, quiet) {
                (Some(f), Some(q)) => f.min(q),
                (Some(t), None) | (None, Some(t)) => t,
                (None, None) => std::future::pending().await,
            };
            sleep_until(at).await;
            if front == Some(at) {
                if let Some((_, msg)) = self.queue.pop_front() {
                    return msg;
                }
            }
            self.through(Instant::now());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tracked_messages() {
        let t = tracked(&Message::text(r#"{"id":5,"request":{"a":[1]}}"#)).unwrap();
        assert_eq!(t.id, Id::Num(5));
        assert_eq!(
            ack_frame(&t),
            Message::text(r#"{"ack":5,"response":{"a":[1]}}"#)
        );
        let s = tracked(&Message::text(r#" {"id":"x-1","body":2}"#)).unwrap();
        assert_eq!(ack_frame(&s), Message::text(r#"{"ack":"x-1"}"#));
        for not in [
            r#"{"id":-1}"#,
            r#"{"id":1.5}"#,
            r#"{"id":null}"#,
            r#"{"nid":1}"#,
            r#"[{"id":1}]"#,
            "hello",
        ] {
            assert_eq!(tracked(&Message::text(not)), None, "{not}");
        }
        assert_eq!(tracked(&Message::binary(br#"{"id":1}"#.to_vec())), None);
    }

    #[test]
    fn parameters_are_clamped() {
        let p = AckParams::parse(&Query::parse(
            "mode=through&every=0&delay_ms=99999999&drops=99999999&span=0&seed=7",
        ));
        assert_eq!(p.mode, Mode::Through { every: 1 });
        assert_eq!(p.delay, MAX_DELAY);
        let d = Drops {
            count: MAX_DROPS,
            seed: 7,
            span: 1,
        };
        assert_eq!(p.drops, d);
        let p = AckParams::parse(&Query::parse("every=99999999&mode=through&span=9999999999"));
        assert_eq!(p.mode, Mode::Through { every: MAX_EVERY });
        assert_eq!(p.drops.span, MAX_SPAN);
        assert_eq!(AckParams::parse(&Query::parse("")).mode, Mode::Each);
    }

    #[test]
    fn drop_points_are_seeded_and_within_span() {
        let d = Drops {
            count: 50,
            seed: 42,
            span: 500,
        };
        let points = drop_points(d);
        assert_eq!(points, drop_points(d));
        let mut prev = 0;
        for &p in &points {
            assert!(p > prev && p - prev <= 500, "{prev} -> {p}");
            prev = p;
        }
        assert_ne!(points, drop_points(Drops { seed: 43, ..d }));
        let mut stats = AckStats::default();
        let hits: Vec<u64> = (1..=prev + 1000)
            .filter(|&n| stats.record(&Id::Num(n), d))
            .collect();
        assert_eq!(hits, points);
        assert_eq!(stats.drop_at, points);
    }

    #[test]
    fn counts_duplicates_and_caps_ids() {
        let d = Drops {
            count: 0,
            seed: 1,
            span: 1,
        };
        let mut s = AckStats::default();
        s.record(&Id::Num(1), d);
        s.record(&Id::Num(1), d);
        s.record(&Id::Str("1".into()), d);
        assert_eq!((s.received, s.duplicates, s.ids()), (3, 1, 2));
        s.str_bytes = MAX_ID_BYTES;
        s.record(&Id::Str("more".into()), d);
        assert!(s.full);
        assert_eq!(s.ids(), 2);
        let report = missing_report(&[&s], 3);
        assert_eq!(report["missing"], json!([2, 3]));
        assert_eq!(report["unexpected"], 1);
    }
}
