//! Browser suite: the Rust face under hostile conditions and re-entrant application code.
//!
//! Proves:
//! - the dead socket is released when the link drops: `bufferedAmount` is 0 and
//!   `readyState` CLOSED through the backoff;
//! - with the default bounds, `send().await` waits for room in a full queue while the link
//!   is down (no `QueueFull`) and its message goes out, in order, after the reconnect;
//! - a `SendFuture` that is never polled blocks no later send: its message still goes;
//! - a missed `online` event does not stall reconnection after an `offline` one;
//! - a custom close classifier and a codec may call back into the socket (they run with
//!   no borrow held), and the classifier's answer is honoured;
//! - an inbound message over `max_message_size` is not copied (wasm memory stays flat), is
//!   reported as `TooLarge` and ends the link with 1009; a too-large send is handed back;
//! - a stream nobody reads is bounded (`Lagged` tells how many were discarded), and so is
//!   a state stream nobody polls (`skipped()`);
//! - a timer that fired no longer counts in `diagnostics()`;
//! - errors do not carry the URL's query (tokens stay out of logs).
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::RefCell;
use std::rc::Rc;

use common::*;
use futures::StreamExt;
use resocket::codec::Codec;
use resocket::{
    ClosedBy, ConnectionState, Decision, Error, InboundLimits, Message, ReadyState,
    ReconnectPolicy, Sender, Socket, WaterMarks,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_delay_ms(50)
        .max_delay_ms(200)
}

fn is_reconnecting(s: &ConnectionState) -> bool {
    matches!(s, ConnectionState::Reconnecting { .. })
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().into();
    buffer.byte_length() as f64
}

async fn next_ok<C: Codec>(s: &mut Socket<C>) -> C::In
where
    C::In: std::fmt::Debug,
{
    within(10_000, "next message", s.next())
        .await
        .expect("stream ended")
        .expect("an ok message")
}

#[wasm_bindgen_test]
async fn the_dead_socket_is_released_through_the_backoff() {
    let t = tag("dead");
    let s = Socket::builder(ws_url(&format!("/sink?stall_ms=3000&tag={t}")))
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(2_000)
                .max_delay_ms(2_000)
                .jitter(false),
        )
        .water_marks(WaterMarks::new(64 << 20, 32 << 20))
        .connect()
        .await
        .unwrap();
    for _ in 0..64 {
        s.try_send(Message::Binary(vec![7; 256 * 1024])).unwrap();
    }
    assert!(
        s.buffered_amount() > 0,
        "nothing buffered by a stalled server"
    );
    control(&format!("drop?tag={t}")).await;
    wait_state(&s, 5_000, "reconnecting", is_reconnecting).await;
    assert_eq!(
        s.buffered_amount(),
        0,
        "the dead socket's bytes count through the outage"
    );
    assert_eq!(s.ready_state(), ReadyState::Closed);
    within(1_000, "flush while down", s.flush())
        .await
        .expect("flush");
}

#[wasm_bindgen_test]
async fn send_waits_for_room_in_a_full_queue_while_down() {
    let t = tag("room");
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    control(&format!("down?ms=800&tag={t}")).await;
    wait_state(&s, 5_000, "reconnecting", is_reconnecting).await;
    // Fill the default queue (1 MiB) with 64 KiB messages.
    let mut queued = 0u8;
    loop {
        match s.try_send(Message::Binary(vec![queued; 64 * 1024])) {
            Ok(()) => queued += 1,
            Err(Error::QueueFull(_)) => break,
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(queued, 16, "the default queue holds 1 MiB");
    let last = Message::Binary(vec![99; 64 * 1024]);
    within(10_000, "send().await for room", s.send(last.clone()))
        .await
        .expect("send().await waited instead of failing");
    for i in 0..queued {
        let echo = next_ok(&mut s).await;
        assert_eq!(echo.as_binary().map(|b| b[0]), Some(i), "order");
    }
    assert_eq!(next_ok(&mut s).await, last);
}

#[wasm_bindgen_test]
async fn a_send_future_never_polled_blocks_no_one() {
    let t = tag("unpolled");
    let s = Socket::builder(ws_url(&format!("/sink?stall_ms=500&tag={t}")))
        .water_marks(WaterMarks::new(64 * 1024, 16 * 1024))
        .connect()
        .await
        .unwrap();
    let frame = |n: u8| Message::Binary(vec![n; 64 * 1024]);
    let mut held = Vec::new();
    for n in 0..32 {
        held.push(s.send_message(frame(n))); // most of these wait; none is polled
    }
    within(15_000, "a later send", s.send_message(frame(200)))
        .await
        .unwrap();
    within(5_000, "flush", s.flush()).await.unwrap();
    for (n, fut) in held.into_iter().enumerate() {
        assert_eq!(fut.await, Ok(()), "held send {n}");
    }
    let mut stats = serde_json::Value::Null;
    for _ in 0..100 {
        stats = control(&format!("stats?tag={t}")).await;
        if stats["messages_in"] == 33 {
            break;
        }
        sleep(50).await;
    }
    assert_eq!(stats["messages_in"], 33, "{stats}");
}

#[wasm_bindgen_test]
async fn a_missed_online_event_does_not_stall_reconnection() {
    let t = tag("offline");
    let s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(fast_policy().max_delay_ms(400))
        .connect()
        .await
        .unwrap();
    let offline = web_sys::Event::new("offline").unwrap();
    web_sys::window().unwrap().dispatch_event(&offline).unwrap();
    control(&format!("drop?tag={t}")).await;
    let r = wait_state(&s, 5_000, "reconnecting", is_reconnecting).await;
    assert!(
        matches!(r, ConnectionState::Reconnecting { attempt: 0, .. }),
        "an offline drop burns no attempt: {r:?}"
    );
    // No `online` event is dispatched: the probe after max_delay reconnects.
    wait_state(&s, 5_000, "open without online", ConnectionState::is_open).await;
    let online = web_sys::Event::new("online").unwrap();
    web_sys::window().unwrap().dispatch_event(&online).unwrap();
}

#[wasm_bindgen_test]
async fn a_custom_classifier_may_call_back_into_the_socket() {
    let t = tag("classifier");
    let handle: Rc<RefCell<Option<Sender<resocket::Raw>>>> = Rc::default();
    let asked = Rc::new(RefCell::new(Vec::new()));
    let (h, a) = (handle.clone(), asked.clone());
    let policy = fast_policy().classifier(resocket::CloseClassifier::custom(move |code, _| {
        a.borrow_mut().push(code);
        if let Some(sender) = h.borrow().as_ref() {
            // Re-entrant calls: queue a message, then close for good.
            let _ = sender.try_send(Message::from("from the classifier"));
            sender.close(4000, "classifier said bye").unwrap();
        }
        Decision::Retry
    }));
    let s = Socket::builder(ws_url(&format!("/close?code=4500&after_ms=100&tag={t}")))
        .reconnect(policy)
        .connect()
        .await
        .unwrap();
    *handle.borrow_mut() = Some(s.sender());
    let end = wait_state(&s, 5_000, "closed", ConnectionState::is_closed).await;
    let ConnectionState::Closed(info) = end else {
        unreachable!()
    };
    assert_eq!((info.code, info.by), (4000, ClosedBy::Client), "{info:?}");
    assert_eq!(*asked.borrow(), vec![4500]);
}

#[wasm_bindgen_test]
async fn a_classifier_saying_stop_is_honoured() {
    let t = tag("stop");
    let policy = fast_policy().classifier(resocket::CloseClassifier::custom(|code, _| {
        if code == 4500 {
            Decision::Stop
        } else {
            Decision::Retry
        }
    }));
    let s = Socket::builder(ws_url(&format!("/close?code=4500&after_ms=50&tag={t}")))
        .reconnect(policy)
        .connect()
        .await
        .unwrap();
    let end = wait_state(&s, 5_000, "closed", ConnectionState::is_closed).await;
    let ConnectionState::Closed(info) = end else {
        unreachable!()
    };
    assert_eq!((info.code, info.by), (4500, ClosedBy::Remote));
}

/// A codec that answers every frame through its own socket from inside `decode`.
#[derive(Default, Clone)]
struct Answering(Rc<RefCell<Option<Sender<Answering>>>>);

impl Codec for Answering {
    type In = Message;
    type Out = Message;
    fn encode(&self, item: &Message) -> Result<Message, Error> {
        Ok(item.clone())
    }
    fn decode(&self, frame: Message) -> Result<Message, Error> {
        let text = frame.as_text().unwrap_or_default().to_owned();
        if !text.starts_with("re:") {
            if let Some(s) = self.0.borrow().as_ref() {
                s.try_send_message(Message::Text(format!("re:{text}")))?;
            }
        }
        Ok(frame)
    }
}

#[wasm_bindgen_test]
async fn a_codec_may_send_from_decode() {
    let codec = Answering::default();
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={}", tag("codec"))))
        .codec(codec.clone())
        .connect()
        .await
        .unwrap();
    *codec.0.borrow_mut() = Some(s.sender());
    s.send_message(Message::from("hello")).await.unwrap();
    assert_eq!(next_ok(&mut s).await, Message::from("hello"));
    assert_eq!(next_ok(&mut s).await, Message::from("re:hello"));
    codec.0.borrow_mut().take();
}

#[wasm_bindgen_test]
async fn an_oversized_message_is_not_copied_and_ends_the_link_with_1009() {
    let t = tag("big");
    let before = wasm_memory_bytes();
    let mut s = Socket::builder(ws_url(&format!("/big?bytes=8000000&kind=binary&tag={t}")))
        .max_message_size(1 << 20)
        .connect()
        .await
        .unwrap();
    let first = within(10_000, "the error", s.next())
        .await
        .expect("an item");
    match first {
        Err(Error::TooLarge { size, limit, .. }) => {
            assert_eq!((size, limit), (8_000_000, 1 << 20));
        }
        other => panic!("expected TooLarge, got {other:?}"),
    }
    let end = wait_state(&s, 5_000, "closed", ConnectionState::is_closed).await;
    let ConnectionState::Closed(info) = end else {
        unreachable!()
    };
    assert_eq!((info.code, info.by), (1009, ClosedBy::Remote), "{info:?}");
    let grown = wasm_memory_bytes() - before;
    assert!(grown < 4_000_000.0, "wasm memory grew by {grown} bytes");
    let big = Message::Binary(vec![0; (1 << 20) + 1]);
    let s2 = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .max_message_size(1 << 20)
        .connect()
        .await
        .unwrap();
    match s2.send_message(big.clone()).await {
        Err(e @ Error::TooLarge { .. }) => assert_eq!(e.into_unsent(), vec![big]),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_stream_nobody_reads_is_bounded_and_says_how_much_it_lost() {
    let t = tag("lag");
    let mut s = Socket::builder(ws_url(&format!("/burst?count=3000&tag={t}")))
        .inbound(InboundLimits::new(100, 1 << 20))
        .connect()
        .await
        .unwrap();
    for _ in 0..200 {
        if s.stats().messages_in >= 3000 {
            break;
        }
        sleep(20).await;
    }
    assert_eq!(s.stats().messages_in, 3000);
    match within(1_000, "lag report", s.next()).await {
        Some(Err(Error::Lagged(n))) => assert_eq!(n, 2900),
        other => panic!("expected Lagged(2900), got {other:?}"),
    }
    let first = next_ok(&mut s).await;
    let seq: serde_json::Value = serde_json::from_str(first.as_text().unwrap()).unwrap();
    assert_eq!(seq["seq"], 2901, "the newest 100 are kept");
}

#[wasm_bindgen_test]
async fn a_state_stream_nobody_polls_is_bounded() {
    let t = tag("states");
    let s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .connect()
        .await
        .unwrap();
    let mut states = s.states();
    for _ in 0..40 {
        s.reconnect().unwrap();
        wait_state(&s, 5_000, "open again", ConnectionState::is_open).await;
    }
    assert!(
        states.skipped() > 0,
        "nothing skipped after 120 transitions"
    );
    let mut seen = 0;
    let mut last = None;
    loop {
        let next = futures::future::select(states.next(), Box::pin(sleep(50))).await;
        match next {
            futures::future::Either::Left((Some(st), _)) => {
                seen += 1;
                last = Some(st);
            }
            _ => break,
        }
    }
    assert!(seen <= 64, "{seen} transitions kept");
    assert_eq!(
        last,
        Some(ConnectionState::Open),
        "the current state is kept"
    );
}

#[wasm_bindgen_test]
async fn a_fired_timer_no_longer_counts_as_live() {
    let base = resocket::diagnostics().live_timers;
    let s = Socket::builder(ws_url(&format!("/echo?tag={}", tag("timers"))))
        .reconnect(ReconnectPolicy::default().stable_after_ms(50))
        .connect()
        .await
        .unwrap();
    assert_eq!(
        resocket::diagnostics().live_timers,
        base + 1,
        "the stable timer"
    );
    sleep(200).await;
    assert_eq!(
        resocket::diagnostics().live_timers,
        base,
        "a fired timer is not live"
    );
    drop(s);
}

#[wasm_bindgen_test]
async fn errors_do_not_carry_the_query() {
    let url = format!("{}chat?token=s3cret", closed_url());
    let err = Socket::builder(url)
        .reconnect(ReconnectPolicy::disabled())
        .connect()
        .await
        .err()
        .expect("a refused connection");
    let Error::ConnectFailed { url } = &err else {
        panic!("expected ConnectFailed, got {err:?}")
    };
    assert_eq!(*url, format!("{}chat", closed_url()));
    assert!(!format!("{err} {err:?}").contains("s3cret"), "{err:?}");
}

/// The URL table the npm face's constructor is checked against (tests/cases/urls.json),
/// run against the Rust face's own resolution (`web::url`): the rule (http(s) to ws(s),
/// other schemes and fragments refused) lives in each face's browser shell, and this table
/// drives both.
#[wasm_bindgen_test]
async fn urls_resolve_and_are_refused_as_the_shared_table_says() {
    let table: serde_json::Value =
        serde_json::from_str(include_str!("cases/urls.json")).expect("a case table is JSON");
    let base = web_sys::window()
        .expect("a page")
        .location()
        .href()
        .expect("href");
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in table["cases"].as_array().expect("cases") {
        if case.get("faces").is_some() {
            continue; // redaction only
        }
        let url = case["url"].as_str().expect("url");
        let want = match case["resolved"].as_str() {
            // Against the page, whose http(s) becomes ws(s), as the npm face's check says.
            Some(r) if case.get("relative").is_some() => Ok(web_sys::Url::new_with_base(r, &base)
                .expect("a resolvable case")
                .href()
                .replacen("http", "ws", 1)),
            Some(r) => Ok(r.to_owned()),
            None => Err(format!(
                "invalid URL {}: {}",
                case["redacted"].as_str().expect("redacted"),
                case["error"].as_str().expect("error")
            )),
        };
        let got = match Socket::builder(url).open() {
            Ok(s) => {
                let u = s.url();
                let _ = s.close(1000, "");
                Ok(u)
            }
            Err(e @ Error::InvalidUrl { .. }) => Err(e.to_string()),
            Err(e) => Err(format!("unexpected error {e}")),
        };
        if got != want {
            failures.push(format!("{url:?}: got {got:?}, want {want:?}"));
        }
        for secret in case["secrets"].as_array().into_iter().flatten() {
            let secret = secret.as_str().expect("secret");
            if got.as_ref().err().is_some_and(|e| e.contains(secret)) {
                failures.push(format!("{url:?}: the error shows {secret:?}"));
            }
        }
        checked += 1;
    }
    assert!(checked >= 20, "only {checked} cases ran");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
