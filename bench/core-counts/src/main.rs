//! Native workloads of resocket's sans-IO core and Json codec, for instruction counts.
//!
//! `core-counts <workload> <n>` runs one workload `n` times inside a function named
//! `work_<workload>`; scripts/bench.sh runs it under
//! `valgrind --tool=callgrind --toggle-collect='*work_<workload>*'`, so only the work
//! itself is counted (setup and process start are not), and divides by `n`.
//! `core-counts list` prints the workloads. Counts are deterministic for one build.
use std::hint::black_box;

use resocket::codec::Json;
use resocket::core::event::{Action, Event, Timer};
use resocket::core::supervisor::Supervisor;
use resocket::{Codec, Config, Message};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
struct Burst {
    seq: u64,
    pad: String,
}

#[derive(Serialize, Deserialize)]
struct Chat {
    #[serde(rename = "type")]
    kind: String,
    room: String,
    from: String,
    text: String,
    ts: u64,
    tags: Vec<String>,
}

const SMALL: &str = r#"{"seq":12345,"pad":"xxxxxxxxx"}"#;
const CHAT: &str = r#"{"type":"chat","room":"lobby","from":"ann","text":"hello there, how is it going today?","ts":1732250000001,"tags":["a","b"]}"#;

fn burst() -> Burst {
    Burst {
        seq: 12_345,
        pad: "xxxxxxxxx".into(),
    }
}

fn chat() -> Chat {
    Chat {
        kind: "chat".into(),
        room: "lobby".into(),
        from: "ann".into(),
        text: "hello there, how is it going today?".into(),
        ts: 1_732_250_000_001,
        tags: vec!["a".into(), "b".into()],
    }
}

const WORKLOADS: &[(&str, &str)] = &[
    (
        "json_encode_small",
        "Json codec: encode a 31-byte `{seq,pad}` value to a text frame",
    ),
    (
        "json_encode_chat",
        "Json codec: encode a 124-byte chat value (6 fields, array)",
    ),
    (
        "json_decode_small",
        "Json codec: decode a 31-byte text frame to `{seq,pad}`",
    ),
    (
        "json_decode_chat",
        "Json codec: decode a 124-byte chat frame",
    ),
    (
        "send_deliver",
        "supervisor while open: send one message + deliver one inbound, actions drained",
    ),
    (
        "reconnect_cycle",
        "supervisor: link lost → backoff timer → connect → open, 4 queued messages flushed",
    ),
];

#[inline(never)]
fn work_json_encode_small(n: usize) -> usize {
    let (codec, v) = (Json::<Burst>::new(), burst());
    (0..n)
        .map(|_| codec.encode(black_box(&v)).map_or(0, |m| m.len()))
        .sum()
}

#[inline(never)]
fn work_json_encode_chat(n: usize) -> usize {
    let (codec, v) = (Json::<Chat>::new(), chat());
    (0..n)
        .map(|_| codec.encode(black_box(&v)).map_or(0, |m| m.len()))
        .sum()
}

#[inline(never)]
fn work_json_decode_small(frames: Vec<Message>) -> u64 {
    let codec = Json::<Burst>::new();
    frames
        .into_iter()
        .map(|f| codec.decode(f).map_or(0, |b| b.seq + b.pad.len() as u64))
        .sum()
}

#[inline(never)]
fn work_json_decode_chat(frames: Vec<Message>) -> u64 {
    let codec = Json::<Chat>::new();
    frames
        .into_iter()
        .map(|f| codec.decode(f).map_or(0, |c| c.ts + c.tags.len() as u64))
        .sum()
}

/// Drain the supervisor's actions; returns how many there were.
fn drain(sup: &mut Supervisor) -> (usize, Option<u64>) {
    let (mut n, mut connect) = (0, None);
    while let Some(a) = sup.poll_action() {
        if let Action::Connect { id, .. } = &a {
            connect = Some(*id);
        }
        black_box(&a);
        n += 1;
    }
    (n, connect)
}

fn open_supervisor() -> (Supervisor, u64) {
    let mut sup = Supervisor::new(Config::new(), Some("ws://127.0.0.1:1/echo".into()), 42);
    sup.start(true);
    let (_, id) = drain(&mut sup);
    let id = id.expect("the first attempt connects");
    sup.handle(1, Event::Opened { id });
    drain(&mut sup);
    (sup, id)
}

#[inline(never)]
fn work_send_deliver(sup: &mut Supervisor, id: u64, out: Vec<Message>, inb: Vec<Message>) -> usize {
    let mut actions = 0;
    for (o, i) in out.into_iter().zip(inb) {
        let _ = sup.send(o);
        actions += drain(sup).0;
        sup.handle(2, Event::Message { id, message: i });
        actions += drain(sup).0;
    }
    actions
}

#[inline(never)]
fn work_reconnect_cycle(sup: &mut Supervisor, mut id: u64, queued: Vec<Message>) -> usize {
    let mut actions = 0;
    let mut now = 10;
    let mut queued = queued.into_iter();
    while queued.len() >= 4 {
        now += 10_000;
        let closed = Event::Closed {
            id,
            code: 1006,
            reason: String::new(),
            was_clean: false,
        };
        sup.handle(now, closed);
        actions += drain(sup).0;
        for m in queued.by_ref().take(4) {
            let _ = sup.send(m);
        }
        actions += drain(sup).0;
        sup.handle(now + 500, Event::Timer(Timer::Backoff));
        let (n, next) = drain(sup);
        actions += n;
        id = next.unwrap_or(id);
        sup.handle(now + 510, Event::Opened { id });
        actions += drain(sup).0;
        sup.handle(now + 5_510, Event::Timer(Timer::Stable));
        actions += drain(sup).0;
    }
    actions
}

fn frames(text: &str, n: usize) -> Vec<Message> {
    (0..n).map(|_| Message::Text(text.to_owned())).collect()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let name = args.first().map(String::as_str).unwrap_or("list");
    let n: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let check = match name {
        "list" => {
            for (w, what) in WORKLOADS {
                println!("{w}\t{what}");
            }
            return;
        }
        "json_encode_small" => work_json_encode_small(n) as u64,
        "json_encode_chat" => work_json_encode_chat(n) as u64,
        "json_decode_small" => work_json_decode_small(frames(SMALL, n)),
        "json_decode_chat" => work_json_decode_chat(frames(CHAT, n)),
        "send_deliver" => {
            let (mut sup, id) = open_supervisor();
            let out = frames("0123456789abcdef0123456789abcdef", n);
            let inb = frames("fedcba9876543210fedcba9876543210", n);
            work_send_deliver(&mut sup, id, out, inb) as u64
        }
        "reconnect_cycle" => {
            let (mut sup, id) = open_supervisor();
            work_reconnect_cycle(&mut sup, id, frames("queued message 0123456789", 4 * n)) as u64
        }
        other => {
            eprintln!("unknown workload {other}; `core-counts list` names them");
            std::process::exit(2);
        }
    };
    println!("{name} {n} {check}");
}
