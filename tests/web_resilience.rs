//! Browser suite: reconnection, queue, backpressure and heartbeat against the faulting server.
//!
//! Proves:
//! - server drop → reconnect → messages queued during the outage arrive once, in order;
//! - server down for 2 s → retries follow the policy (delays within the cap) and the link
//!   comes back;
//! - stalled server → (Chromium, Firefox) `send().await` blocks, `bufferedAmount` never
//!   exceeds the high mark by more than one message, `try_send` returns `Full` and never
//!   overtakes a waiting send; (all engines) after the stall everything arrives in order;
//! - the heartbeat finds a silent server and measures RTT on a live one, without
//!   delivering pongs;
//! - max attempts → `Closed` with `GaveUp`; the application's close during backoff stops
//!   everything; a URL provider that fails twice connects on the third attempt;
//! - the `online` event retries at once instead of waiting out the delay;
//! - 200 reconnect cycles leave listeners, timers and sockets unchanged and memory flat;
//! - dropping the socket ends waiting sends (message handed back) and flushes.
#![cfg(target_arch = "wasm32")]

mod common;

use std::cell::Cell;
use std::rc::Rc;

use common::*;
use futures::StreamExt;
use resocket::{
    Cause, ClosedBy, ConnectionState, Error, Heartbeat, Message, ReconnectPolicy, Socket,
    WaterMarks,
};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn fast_policy() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_delay_ms(50)
        .max_delay_ms(200)
}

async fn next_msg(s: &mut Socket) -> Message {
    within(10_000, "next message", s.next())
        .await
        .expect("stream ended")
        .expect("an ok message")
}

fn is_reconnecting(s: &ConnectionState) -> bool {
    matches!(s, ConnectionState::Reconnecting { .. })
}

#[wasm_bindgen_test]
async fn queued_messages_survive_a_drop_once_and_in_order() {
    let t = tag("drop");
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    control(&format!("down?ms=600&tag={t}")).await;
    wait_state(&s, 5_000, "reconnecting", is_reconnecting).await;
    for i in 0..20 {
        s.send(Message::Text(format!("m{i}"))).await.unwrap();
    }
    assert!(s.queued_amount() > 0, "sends made while down are queued");
    wait_state(&s, 10_000, "open again", ConnectionState::is_open).await;
    for i in 0..20 {
        assert_eq!(next_msg(&mut s).await, Message::Text(format!("m{i}")));
    }
    assert_eq!(s.queued_amount(), 0);
    assert_eq!(s.stats().reconnects, 1);
    // Exactly once at the server: nothing else was sent on this tag.
    assert_eq!(control(&format!("stats?tag={t}")).await["messages_in"], 20);
}

#[wasm_bindgen_test]
async fn server_down_for_two_seconds_then_back() {
    let t = tag("down");
    let policy = ReconnectPolicy::default()
        .initial_delay_ms(100)
        .max_delay_ms(400);
    let s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(policy.clone())
        .connect()
        .await
        .unwrap();
    let mut states = s.states();
    assert_eq!(states.next().await, Some(ConnectionState::Open)); // the current state
    control(&format!("down?ms=2000&tag={t}")).await;
    let mut retries = 0;
    within(15_000, "back after the outage", async {
        while let Some(state) = states.next().await {
            match state {
                ConnectionState::Reconnecting {
                    attempt, delay_ms, ..
                } => {
                    retries += 1;
                    assert_eq!(attempt, retries, "attempts count up");
                    assert!(delay_ms <= policy.cap_ms(attempt), "{delay_ms} > cap");
                }
                ConnectionState::Open => break,
                ConnectionState::Connecting { .. } => {}
                other => panic!("unexpected {other:?}"),
            }
        }
    })
    .await;
    assert!(retries >= 2, "the outage took several attempts ({retries})");
    let stats = control(&format!("stats?tag={t}")).await;
    assert!(stats["refused"].as_u64().unwrap() >= 1, "{stats}");
    assert!(s.state().is_open());
}

fn is_webkit() -> bool {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap();
    !ua.contains("Chrome") && !ua.contains("Firefox")
}

/// 64 KiB binary frame whose first 4 bytes are `seq` (little-endian), as /sink acks it.
fn frame(seq: u32) -> Message {
    let mut b = vec![0xA5; 64 * 1024];
    b[..4].copy_from_slice(&seq.to_le_bytes());
    Message::Binary(b)
}

#[wasm_bindgen_test]
async fn stalled_server_applies_backpressure_and_order_holds() {
    const HIGH: usize = 256 * 1024;
    const N: u32 = 160; // 10 MiB: more than the network stack absorbs on loopback
    let t = tag("stall");
    let mut s = Socket::builder(ws_url(&format!("/sink?stall_ms=1500&tag={t}")))
        .water_marks(WaterMarks::new(HIGH, 64 * 1024))
        .connect()
        .await
        .unwrap();
    let (mut blocked, mut full_seen, mut peak) = (0, 0, 0);
    for seq in 0..N {
        let mut send = s.send(frame(seq));
        if futures::poll!(&mut send).is_pending() {
            blocked += 1;
            // While a send waits, try_send must not overtake it.
            let probe = Message::Text("probe".into());
            match s.try_send(probe.clone()) {
                Err(Error::Full(m)) => assert_eq!(m, probe),
                other => panic!("try_send overtook a waiting send: {other:?}"),
            }
            full_seen += 1;
            within(20_000, "blocked send resumes", send).await.unwrap();
        }
        peak = peak.max(s.buffered_amount());
        assert!(
            s.buffered_amount() <= HIGH + 64 * 1024,
            "bufferedAmount {} above high mark + one message",
            s.buffered_amount()
        );
    }
    if !is_webkit() {
        assert!(blocked > 0, "no send ever waited (peak {peak})");
        assert_eq!(full_seen, blocked);
    }
    within(20_000, "flush", s.flush()).await.unwrap();
    for seq in 0..N {
        assert_eq!(next_msg(&mut s).await, Message::Text(format!("ack:{seq}")));
    }
    web_sys::console::log_1(&format!("stall: {blocked} sends waited, peak buffered {peak}").into());
}

#[wasm_bindgen_test]
async fn heartbeat_finds_a_silent_server() {
    let s = Socket::builder(ws_url("/silent"))
        .heartbeat(Heartbeat::default().interval_ms(200).timeout_ms(200))
        .reconnect(ReconnectPolicy::default().initial_delay_ms(5_000))
        .connect()
        .await
        .unwrap();
    let state = wait_state(&s, 5_000, "dead link found", is_reconnecting).await;
    match state {
        ConnectionState::Reconnecting { cause, .. } => assert_eq!(cause, Cause::HeartbeatTimeout),
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
async fn heartbeat_measures_rtt_and_hides_pongs() {
    let mut s = Socket::builder(ws_url("/echo"))
        .heartbeat(Heartbeat::default().interval_ms(50).timeout_ms(2_000))
        .connect()
        .await
        .unwrap();
    sleep(400).await;
    assert!(s.stats().last_rtt_ms.is_some(), "no RTT measured");
    s.send(Message::Text("after pings".into())).await.unwrap();
    // The first thing delivered is our echo: no pong was delivered before it.
    assert_eq!(next_msg(&mut s).await, Message::Text("after pings".into()));
    assert!(s.state().is_open());
}

/// A socket whose heartbeat pings once a minute, against /echo (which answers `ping`
/// with `pong`, so an answered probe shows as an RTT).
async fn probing_socket() -> Socket {
    let hb = Heartbeat::default().interval_ms(60_000).timeout_ms(5_000);
    let s = Socket::builder(ws_url("/echo"))
        .heartbeat(hb)
        .connect()
        .await
        .unwrap();
    sleep(100).await;
    assert_eq!(s.stats().last_rtt_ms, None, "no ping yet");
    s
}

// A page restored from the back/forward cache, resumed, or visible again had its timers
// stopped or throttled: the link is probed at once, not at the next minute's ping.
#[wasm_bindgen_test]
async fn a_page_coming_back_probes_the_link_at_once() {
    let window = web_sys::window().unwrap();
    let s = probing_socket().await;
    page_event(&window, "pageshow", Some(false)); // a plain load: nothing to check
    sleep(200).await;
    assert_eq!(s.stats().last_rtt_ms, None, "probed on a plain pageshow");
    page_event(&window, "pageshow", Some(true));
    within(2_000, "probe after pageshow", async {
        while s.stats().last_rtt_ms.is_none() {
            sleep(10).await;
        }
    })
    .await;

    let s = probing_socket().await;
    let document: web_sys::EventTarget = window.document().unwrap().into();
    page_event(&document, "visibilitychange", None); // headless pages are visible
    within(2_000, "probe after visibilitychange", async {
        while s.stats().last_rtt_ms.is_none() {
            sleep(10).await;
        }
    })
    .await;
}

#[wasm_bindgen_test]
async fn max_attempts_gives_up_with_the_error() {
    let r = Socket::builder(closed_url())
        .reconnect(fast_policy().initial_delay_ms(10).max_attempts(Some(2)))
        .connect()
        .await;
    match r {
        Err(Error::GaveUp { attempts, .. }) => assert_eq!(attempts, 3),
        Err(other) => panic!("expected GaveUp, got {other:?}"),
        Ok(_) => panic!("connected to a closed port"),
    }
}

#[wasm_bindgen_test]
async fn close_during_backoff_stops_everything() {
    let before = resocket::diagnostics();
    let t = tag("backoff");
    control(&format!("down?ms=10000&tag={t}")).await;
    let s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(400)
                .jitter(false),
        )
        .open()
        .unwrap();
    wait_state(&s, 5_000, "backoff", is_reconnecting).await;
    s.send(Message::Text("queued".into())).await.unwrap();
    s.close(1000, "bye").unwrap();
    match s.state() {
        ConnectionState::Closed(info) => assert_eq!(info.by, ClosedBy::Client),
        other => panic!("{other:?}"),
    }
    let d = resocket::diagnostics();
    assert_eq!(d.live_timers, before.live_timers, "no timer left armed");
    assert_eq!(d.live_sockets, before.live_sockets, "no socket left");
    sleep(600).await; // past the backoff delay: nothing fires, nothing connects
    assert!(s.state().is_closed());
    assert_eq!(resocket::diagnostics().live_sockets, before.live_sockets);
}

#[wasm_bindgen_test]
async fn url_provider_failing_twice_connects_on_the_third_attempt() {
    let calls = Rc::new(Cell::new(0u32));
    let c = calls.clone();
    let url = ws_url("/echo");
    let s = Socket::builder_with_provider(move || {
        let n = c.get() + 1;
        c.set(n);
        let url = url.clone();
        async move {
            if n <= 2 {
                Err(format!("token service unavailable ({n})"))
            } else {
                Ok(url)
            }
        }
    })
    .reconnect(fast_policy())
    .open()
    .unwrap();
    let mut seen = Vec::new();
    let mut states = s.states();
    within(10_000, "open via provider", async {
        while let Some(state) = states.next().await {
            let open = state.is_open();
            seen.push(state);
            if open {
                break;
            }
        }
    })
    .await;
    assert_eq!(calls.get(), 3);
    assert!(
        seen.contains(&ConnectionState::Connecting { attempt: 2 }),
        "{seen:?}"
    );
    assert!(
        seen.iter().any(|s| matches!(s, ConnectionState::Reconnecting { cause: Cause::UrlProvider(e), .. } if e.contains("(2)"))),
        "{seen:?}"
    );
}

#[wasm_bindgen_test]
async fn online_event_retries_at_once() {
    let t = tag("online");
    let s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(60_000)
                .max_delay_ms(60_000)
                .jitter(false),
        )
        .connect()
        .await
        .unwrap();
    control(&format!("down?ms=200&tag={t}")).await;
    wait_state(&s, 5_000, "reconnecting", is_reconnecting).await;
    sleep(300).await; // the server is back, but the backoff is a minute long
    assert!(matches!(s.state(), ConnectionState::Reconnecting { .. }));
    let online = web_sys::Event::new("online").unwrap();
    web_sys::window().unwrap().dispatch_event(&online).unwrap();
    wait_state(&s, 5_000, "open after online", ConnectionState::is_open).await;
}

fn wasm_memory_bytes() -> f64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().into();
    buffer.byte_length() as f64
}

/// The link goes down, then opens again, read from `states` taken before the drop: with
/// 1–5 ms delays the reconnect can be over before the control call that dropped it returns.
async fn down_then_open(mut states: resocket::StateStream) {
    for (what, down) in [("link down", true), ("reopen", false)] {
        within(5_000, what, async {
            while let Some(st) = states.next().await {
                if st.is_open() != down {
                    return;
                }
            }
            panic!("state stream ended before: {what}");
        })
        .await;
    }
}

#[wasm_bindgen_test]
async fn reconnect_cycles_do_not_leak() {
    let t = tag("leak");
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(1)
                .max_delay_ms(5),
        )
        .connect()
        .await
        .unwrap();
    let cycle = |i: u32, s: &Socket| {
        let t = t.clone();
        let forced = i % 2 == 0;
        let manual = (!forced).then(|| s.reconnect());
        async move {
            if forced {
                control(&format!("drop?tag={t}")).await;
            }
            if let Some(r) = manual {
                r.unwrap();
            }
        }
    };
    for i in 0..20 {
        let states = s.states();
        cycle(i, &s).await;
        down_then_open(states).await;
    }
    let (d20, m20) = (resocket::diagnostics(), wasm_memory_bytes());
    for i in 20..200 {
        let states = s.states();
        cycle(i, &s).await;
        down_then_open(states).await;
    }
    s.send(Message::Text("alive".into())).await.unwrap();
    assert_eq!(next_msg(&mut s).await, Message::Text("alive".into()));
    let (d200, m200) = (resocket::diagnostics(), wasm_memory_bytes());
    web_sys::console::log_1(
        &format!("leak check: after 20 cycles {d20:?} {m20} B; after 200 {d200:?} {m200} B").into(),
    );
    assert_eq!(d200.live_listeners, d20.live_listeners);
    assert_eq!(d200.live_timers, d20.live_timers);
    assert_eq!(d200.live_sockets, d20.live_sockets);
    assert!(m200 - m20 <= 65_536.0, "wasm memory grew {} B", m200 - m20);
    assert!(s.stats().reconnects >= 200);
}

#[wasm_bindgen_test]
async fn dropping_the_socket_fails_waiting_sends_and_flushes() {
    let t = tag("dropwait");
    let s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .water_marks(WaterMarks::new(64 * 1024, 16 * 1024))
        .reconnect(fast_policy())
        .connect()
        .await
        .unwrap();
    // While the link is down, queued bytes count toward the high mark: sends must wait.
    control(&format!("down?ms=5000&tag={t}")).await;
    wait_state(&s, 5_000, "reconnecting", is_reconnecting).await;
    let mut waiting = None;
    for seq in 0..4 {
        let mut send = s.send(frame(seq));
        if futures::poll!(&mut send).is_pending() {
            waiting = Some((seq, send));
            break;
        }
    }
    let (seq, send) = waiting.expect("a send waited above the high mark");
    let flush = s.flush();
    drop(s);
    match within(2_000, "waiting send ends", send).await {
        Err(Error::Closed { unsent: Some(m) }) => assert!(m == frame(seq), "another message"),
        Err(other) => panic!("expected Closed with the message, got {}", other.code()),
        Ok(()) => panic!("a send succeeded after the socket was dropped"),
    }
    assert_eq!(
        within(2_000, "flush ends", flush).await,
        Err(Error::Closed { unsent: None })
    );
}
