//! Browser suite: acknowledged delivery (`Builder::delivery`, `send_acked`, `request`).
//!
//! Proves:
//! - 1,000 tracked messages sent through seeded link drops (`/ack?drops=`) are all
//!   acknowledged; the server recorded every id, with duplicates bounded by drops × window;
//!   acknowledgements never reach the stream; cumulative acknowledgements release what
//!   they cover;
//! - a hostile server (malformed and out-of-range acknowledgements before every real one)
//!   releases nothing it should not: every `send_acked` resolves with its own;
//! - a silent server: the window bounds what is in flight (`try_send` fails fast with
//!   `Full`, `send().await` and `send_acked` wait, with no polling, `unacked()` stays at
//!   the window);
//! - a `send_acked` whose link is dropped before the acknowledgement resolves after the
//!   replay on the next link; dropping the socket hands back what waits (`Unacked`);
//! - a deadline hands the message back (`AckTimeout`); a close for good hands back the
//!   unacknowledged (`Unacked`) to their futures and, for plain sends, on the stream;
//! - request/response: a slow answer resolves the request; a silent peer times it out;
//! - hostile acknowledgements (unknown, wrong type, out of range, text for a number)
//!   release nothing; invalid and duplicate ids are refused with the message.
#![cfg(target_arch = "wasm32")]

mod common;

use std::time::Duration;

use common::*;
use futures::StreamExt;
use resocket::{Ack, Delivery, Error, Id, Message, ReconnectPolicy, Socket, WindowConfig};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_delay_ms(20)
        .max_delay_ms(100)
}

/// `{"id":n,"ack":n}`: `/echo` sends it back, which acknowledges it (a peer without
/// acknowledgements of its own).
fn echoed(n: u64) -> Message {
    Message::Text(format!(r#"{{"id":{n},"ack":{n}}}"#))
}

fn tracked(n: u64) -> Message {
    Message::Text(format!(r#"{{"id":{n},"text":"m{n}"}}"#))
}

async fn next_item(s: &mut Socket) -> Result<Message, Error> {
    within(10_000, "next item", s.next())
        .await
        .expect("stream ended")
}

/// Send `1..=n` as `{"id":k}` with plain `send()` (tracked by their id), then wait until
/// every one is acknowledged.
async fn send_all_tracked(s: &Socket, n: u64, window: usize) {
    let sender = s.sender();
    within(60_000, "sends", async {
        for k in 1..=n {
            sender.send_message(numbered(k)).await.unwrap();
            assert!(sender.unacked() <= window, "the window holds");
        }
    })
    .await;
    within(30_000, "every message acknowledged", async {
        while s.unacked() > 0 {
            sleep(10).await;
        }
    })
    .await;
}

fn numbered(k: u64) -> Message {
    Message::Text(format!(r#"{{"id":{k}}}"#))
}

#[wasm_bindgen_test]
async fn a_burst_through_drops_reaches_the_server_in_full_with_bounded_duplicates() {
    const N: u64 = 1_000;
    const WINDOW: usize = 64;
    const DROPS: u64 = 5;
    let t = tag("burst");
    let seed = (js_sys::Math::random() * 1e6) as u64;
    let url = ws_url(&format!("/ack?drops={DROPS}&seed={seed}&span=150&tag={t}"));
    let mut s = Socket::builder(url)
        .reconnect(fast_policy())
        .delivery(Delivery::json().window(WindowConfig::default().max_messages(WINDOW)))
        .connect()
        .await
        .unwrap();
    send_all_tracked(&s, N, WINDOW).await;
    let stats = s.stats();
    assert_eq!(stats.acked, N, "{stats:?}");
    let server = control(&format!("ackstats?tag={t}&expect={N}")).await;
    assert_eq!(server["missing_count"], 0, "seed {seed}: {server}");
    assert_eq!(server["unexpected"], 0, "seed {seed}: {server}");
    assert_eq!(server["drops"], DROPS, "seed {seed}: {server}");
    assert_eq!(stats.reconnects, DROPS, "seed {seed}: {stats:?}");
    let duplicates = server["duplicates"].as_u64().unwrap();
    assert!(
        duplicates <= DROPS * WINDOW as u64,
        "seed {seed}: {duplicates} duplicates > drops × window"
    );
    assert!(
        stats.replayed >= duplicates,
        "a duplicate is a replay: {stats:?}"
    );
    // No acknowledgement reached the stream: the first item is this one's.
    s.send(Message::from(r#"{"not":"tracked"}"#)).await.unwrap();
    s.send(Message::from(r#"{"id":"last"}"#)).await.unwrap();
    within(5_000, "last acked", async {
        while s.unacked() > 0 {
            sleep(10).await;
        }
    })
    .await;
    let quiet = futures::poll!(s.next());
    assert!(quiet.is_pending(), "nothing on the stream: {quiet:?}");
}

#[wasm_bindgen_test]
async fn cumulative_acknowledgements_release_everything_they_cover() {
    const N: u64 = 300;
    let t = tag("through");
    let s = Socket::builder(ws_url(&format!("/ack?mode=through&every=16&tag={t}")))
        .delivery(Delivery::json().window(WindowConfig::default().max_messages(32)))
        .connect()
        .await
        .unwrap();
    send_all_tracked(&s, N, 32).await;
    assert_eq!(s.stats().acked, N);
    let server = control(&format!("ackstats?tag={t}&expect={N}")).await;
    assert_eq!(server["missing_count"], 0, "{server}");
}

#[wasm_bindgen_test]
async fn a_hostile_server_cannot_release_or_break_anything() {
    const N: u64 = 50;
    let mut s = Socket::builder(ws_url(&format!("/ack?hostile=1&tag={}", tag("hostile"))))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    // The server sends its hostile frames before every real acknowledgement: each
    // `send_acked` still resolves with its own, exactly.
    for k in 1..=N {
        let acked = within(5_000, "acked", s.send_acked(numbered(k)))
            .await
            .unwrap();
        assert_eq!(acked.id, Id::Num(k));
        assert_eq!(acked.message, Message::Text(format!(r#"{{"ack":{k}}}"#)));
    }
    assert_eq!((s.unacked(), s.stats().acked), (0, N));
    // What is no acknowledgement at all reaches the stream, as any message would.
    let first = next_item(&mut s).await.unwrap();
    assert_eq!(first, Message::from("not json {"));
}

#[wasm_bindgen_test]
async fn a_slow_request_is_answered_and_a_silent_one_times_out() {
    let s = Socket::builder(ws_url(&format!("/ack?delay_ms=300&tag={}", tag("slow"))))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let started = js_sys::Date::now();
    let ask = Message::from(r#"{"id":"q1","request":{"sum":[1,2]}}"#);
    let answer = within(5_000, "answer", s.request(ask)).await.unwrap();
    assert_eq!(
        answer,
        Message::from(r#"{"ack":"q1","response":{"sum":[1,2]}}"#)
    );
    assert!(
        js_sys::Date::now() - started >= 250.0,
        "it waited for the slow answer"
    );

    let silent = Socket::builder(ws_url(&format!("/ack?silent=1&tag={}", tag("mute"))))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let ask = Message::from(r#"{"id":7,"request":"anyone?"}"#);
    let r = within(
        5_000,
        "timeout",
        silent.request_within(ask.clone(), Duration::from_millis(200)),
    )
    .await;
    match r {
        Err(e @ Error::AckTimeout(_)) => assert_eq!(e.into_unsent(), vec![ask]),
        other => panic!("expected AckTimeout, got {other:?}"),
    }
    assert_eq!(silent.unacked(), 0);
}

#[wasm_bindgen_test]
async fn the_window_bounds_what_a_silent_server_holds() {
    let s = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json().window(WindowConfig::default().max_messages(4)))
        .connect()
        .await
        .unwrap();
    for n in 1..=4 {
        s.sender().try_send_message(tracked(n)).unwrap();
    }
    assert_eq!(s.unacked(), 4);
    match s.sender().try_send_message(tracked(5)) {
        Err(Error::Full(m)) => assert_eq!(m, tracked(5)),
        other => panic!("expected Full, got {other:?}"),
    }
    // Untracked messages are not held up by the window.
    s.send(Message::from("plain")).await.unwrap();
    let waiting = s.send_message(tracked(5));
    let acked = s.send_message_acked(tracked(6));
    futures::pin_mut!(waiting);
    futures::pin_mut!(acked);
    // Waiting for acknowledgements polls nothing: they arrive as events.
    let callbacks = resocket::diagnostics().callbacks_run;
    sleep(200).await;
    let ran = resocket::diagnostics().callbacks_run - callbacks;
    assert!(
        ran < 5,
        "{ran} callbacks while waiting for room in the window"
    );
    assert!(
        futures::poll!(waiting.as_mut()).is_pending(),
        "send().await waits for room"
    );
    assert!(
        futures::poll!(acked.as_mut()).is_pending(),
        "send_acked waits for room"
    );
    assert_eq!(s.unacked(), 4, "never more than the window");
    assert_eq!(s.stats().messages_out, 5, "4 tracked + 1 plain");
}

#[wasm_bindgen_test]
async fn a_deadline_hands_the_message_back() {
    let s = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let r = within(
        5_000,
        "ack timeout",
        s.send_acked_within(tracked(1), Duration::from_millis(200)),
    )
    .await;
    match r {
        Err(e @ Error::AckTimeout(_)) => assert_eq!(e.into_unsent(), vec![tracked(1)]),
        other => panic!("expected AckTimeout, got {other:?}"),
    }
    assert_eq!(s.unacked(), 0, "given up: no longer tracked");
}

#[wasm_bindgen_test]
async fn a_builder_default_timeout_reports_plain_sends_on_the_stream() {
    let mut s = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json().timeout_ms(150))
        .connect()
        .await
        .unwrap();
    s.send_message(tracked(7)).await.unwrap();
    match next_item(&mut s).await {
        Err(Error::AckTimeout(m)) => assert_eq!(m, tracked(7)),
        other => panic!("expected AckTimeout on the stream, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn closing_for_good_hands_back_the_unacknowledged() {
    let mut s = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let a = s.send_acked(tracked(1));
    let b = s.send_acked(tracked(2));
    s.send_message(tracked(3)).await.unwrap();
    assert_eq!(s.unacked(), 3);
    s.close(1000, "bye").unwrap();
    let (a, b) = within(5_000, "unacked", futures::future::join(a, b)).await;
    match (a, b) {
        (Err(Error::Unacked(a)), Err(Error::Unacked(b))) => {
            assert_eq!((a, b), (vec![tracked(1)], vec![tracked(2)]));
        }
        other => panic!("expected Unacked twice, got {other:?}"),
    }
    match next_item(&mut s).await {
        Err(Error::Unacked(v)) => assert_eq!(v, vec![tracked(3)], "the plain send's"),
        other => panic!("expected Unacked on the stream, got {other:?}"),
    }
    assert_eq!(s.unacked(), 0);
    match s.send_acked(tracked(4)).await {
        Err(e @ Error::Closed { .. }) => assert_eq!(e.into_unsent(), vec![tracked(4)]),
        other => panic!("expected Closed, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_request_resolves_with_its_answer_or_times_out_on_a_silent_peer() {
    let s = Socket::builder(ws_url("/echo"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    // /echo answers with the request itself, which carries "ack": a request/response.
    let ask = Message::from(r#"{"id":"q1","ack":"q1","response":42}"#);
    let answer = within(5_000, "answer", s.request(ask.clone()))
        .await
        .unwrap();
    assert_eq!(answer, ask);
    let acked = within(5_000, "acked", s.send_acked(echoed(9)))
        .await
        .unwrap();
    assert_eq!((acked.id, acked.message), (Id::Num(9), echoed(9)));

    let silent = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let r = within(
        5_000,
        "request timeout",
        silent.request_within(tracked(1), Duration::from_millis(150)),
    )
    .await;
    assert!(
        matches!(r, Err(Error::AckTimeout(ref m)) if *m == tracked(1)),
        "{r:?}"
    );
}

#[wasm_bindgen_test]
async fn hostile_acknowledgements_release_nothing() {
    let mut s = Socket::builder(ws_url("/echo"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    // Tracked; its echo has no "ack", so it is an ordinary message.
    let m = tracked(5);
    let acked = s.send_message_acked(m.clone());
    futures::pin_mut!(acked);
    assert_eq!(next_item(&mut s).await.unwrap(), m);
    let hostile = [
        r#"{"ack":6}"#,
        r#"{"ackThrough":4}"#,
        r#"{"ack":"5"}"#,
        r#"{"ack":-5}"#,
        r#"{"ack":5.5}"#,
        r#"{"ack":1e300}"#,
        r#"{"ackThrough":"9"}"#,
        r#"{"ack":null}"#,
        r#"[{"ack":5}]"#,
        r#"{"nested":{"ack":5}}"#,
        r#"{"ack":5"#,
    ];
    for h in hostile {
        s.send(Message::from(h)).await.unwrap();
    }
    // Each echo is handled in order; the marker comes back after all of them.
    s.send(Message::from("marker")).await.unwrap();
    let mut delivered = Vec::new();
    loop {
        match next_item(&mut s).await.unwrap() {
            Message::Text(t) if t == "marker" => break,
            other => delivered.push(other),
        }
    }
    assert_eq!(s.unacked(), 1, "nothing released it");
    assert_eq!(s.stats().acked, 0);
    // Those that parse as acknowledgements (of other ids) were consumed; the rest, which
    // are not acknowledgements at all, were delivered.
    let texts: Vec<String> = delivered
        .into_iter()
        .map(|m| match m {
            Message::Text(t) => t,
            Message::Binary(_) => "binary".into(),
        })
        .collect();
    assert_eq!(
        texts,
        [
            r#"{"ack":-5}"#,
            r#"{"ack":5.5}"#,
            r#"{"ack":1e300}"#,
            r#"{"ackThrough":"9"}"#,
            r#"{"ack":null}"#,
            r#"[{"ack":5}]"#,
            r#"{"nested":{"ack":5}}"#,
            r#"{"ack":5"#,
        ]
    );
    // The real one does.
    s.send(Message::from(r#"{"ack":5}"#)).await.unwrap();
    let done = within(5_000, "acked", acked).await.unwrap();
    assert_eq!(done.id, Id::Num(5));
    assert_eq!(s.unacked(), 0);
}

#[wasm_bindgen_test]
async fn invalid_and_duplicate_ids_are_refused_with_the_message() {
    let s = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let bad = Message::from(r#"{"id":-1}"#);
    match s.send_message(bad.clone()).await {
        Err(e @ Error::InvalidId { .. }) => assert_eq!(e.into_unsent(), vec![bad]),
        other => panic!("expected InvalidId, got {other:?}"),
    }
    let none = Message::from(r#"{"text":"no id"}"#);
    match s.send_message_acked(none.clone()).await {
        Err(e @ Error::InvalidId { .. }) => assert_eq!(e.into_unsent(), vec![none]),
        other => panic!("expected InvalidId, got {other:?}"),
    }
    s.send_message(tracked(1)).await.unwrap();
    match s.send_message(tracked(1)).await {
        Err(Error::DuplicateId { id, message }) => {
            assert_eq!((id, message), (resocket::Id::Num(1), tracked(1)));
        }
        other => panic!("expected DuplicateId, got {other:?}"),
    }
    assert_eq!(s.unacked(), 1);

    // Delivery off: send_acked has nothing to track.
    let off = Socket::builder(ws_url("/silent")).connect().await.unwrap();
    assert!(matches!(
        off.send_message_acked(tracked(1)).await,
        Err(Error::InvalidId {
            message: Some(_),
            ..
        })
    ));
    // A custom reader: ids read from "<id>|text", acks "ack:<id>" (the /sink format).
    let custom = Delivery::new(
        |m: &Message| match m {
            Message::Text(t) => Id::number(t.split_once('|')?.0.parse().ok()?),
            Message::Binary(_) => None,
        },
        |m: &Message| match m {
            Message::Text(t) => Some(Ack::Id(Id::number(t.strip_prefix("ack:")?.parse().ok()?)?)),
            Message::Binary(_) => None,
        },
    );
    let sink = Socket::builder(ws_url("/sink"))
        .delivery(custom)
        .connect()
        .await
        .unwrap();
    let r = within(
        5_000,
        "sink ack",
        sink.send_message_acked(Message::from("12|hello")),
    )
    .await
    .unwrap();
    assert_eq!((r.id, r.message), (Id::Num(12), Message::from("ack:12")));
}

#[wasm_bindgen_test]
async fn a_send_acked_survives_a_drop_and_resolves_after_the_replay() {
    let t = tag("replay");
    // The server drops the link on the first tracked message, without acknowledging it.
    let s = Socket::builder(ws_url(&format!("/ack?drops=1&span=1&tag={t}")))
        .reconnect(fast_policy())
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let acked = within(10_000, "acked after the replay", s.send_acked(numbered(1)))
        .await
        .unwrap();
    assert_eq!(acked.id, Id::Num(1));
    let stats = s.stats();
    assert_eq!(
        (stats.reconnects, stats.replayed, stats.acked),
        (1, 1, 1),
        "{stats:?}"
    );
    let server = control(&format!("ackstats?tag={t}&expect=1")).await;
    assert_eq!(
        (server["drops"].as_u64(), server["duplicates"].as_u64()),
        (Some(1), Some(1)),
        "{server}"
    );
}

#[wasm_bindgen_test]
async fn dropping_the_socket_hands_back_what_waits_for_an_acknowledgement() {
    let s = Socket::builder(ws_url("/silent"))
        .delivery(Delivery::json())
        .connect()
        .await
        .unwrap();
    let sender = s.sender();
    let waiting = sender.send_message_acked(tracked(1));
    drop(s);
    match within(5_000, "handed back", waiting).await {
        Err(Error::Unacked(v)) => assert_eq!(v, vec![tracked(1)]),
        other => panic!("expected Unacked, got {other:?}"),
    }
    assert_eq!(sender.unacked(), 0);
    assert!(matches!(
        sender.send_message_acked(tracked(2)).await,
        Err(Error::Closed { unsent: Some(_) })
    ));
}
