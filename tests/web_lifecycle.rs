//! Browser suite: the page going into the back/forward cache and coming back.
//!
//! A test page cannot navigate itself away and back (tests/js/bfcache.mjs does that for
//! the npm face, by real navigation), so the page's `pagehide`/`pageshow` events are
//! dispatched here, on a real socket and the real server. Proves:
//! - `pagehide` without `persisted` (a real unload) changes nothing;
//! - `pagehide` with `persisted`: the socket closes at once (the server sees 1000
//!   "going away"), the state is `Reconnecting` with `Cause::Suspended`, no failure is
//!   counted, no socket or timer of the connection is left, and a send is queued;
//! - `pageshow` with `persisted`: the link is opened again at once (not after the 10 s
//!   backoff the policy would wait) and the queued message arrives, once.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use futures::StreamExt;
use resocket::{Cause, ConnectionState, Message, ReconnectPolicy, Socket};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
async fn a_page_put_in_the_back_forward_cache_closes_keeps_the_queue_and_comes_back_at_once() {
    let window: web_sys::EventTarget = web_sys::window().unwrap().into();
    let before = resocket::diagnostics();
    let t = tag("bfcache");
    let policy = ReconnectPolicy::default()
        .initial_delay_ms(10_000)
        .jitter(false);
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(policy)
        .connect()
        .await
        .unwrap();
    page_event(&window, "pagehide", Some(false)); // a real unload: nothing to do
    sleep(100).await;
    assert!(s.state().is_open(), "{:?}", s.state());

    page_event(&window, "pagehide", Some(true));
    match s.state() {
        ConnectionState::Reconnecting {
            attempt: 0,
            cause: Cause::Suspended,
            ..
        } => {}
        other => panic!("suspended, state {other:?}"),
    }
    let d = resocket::diagnostics();
    assert_eq!(
        d.live_sockets, before.live_sockets,
        "the socket is released"
    );
    assert_eq!(
        d.live_timers, before.live_timers,
        "no timer armed while suspended"
    );
    s.send(Message::Text("queued".into())).await.unwrap();
    assert_eq!(s.queued_amount(), "queued".len());
    within(2_000, "the server sees the going-away close", async {
        loop {
            let stats = control(&format!("stats?tag={t}")).await;
            let closes = stats["closes"].as_array().cloned().unwrap_or_default();
            let away = closes
                .iter()
                .any(|c| c["code"] == 1000 && c["reason"] == "going away");
            if away {
                break;
            }
            sleep(20).await;
        }
    })
    .await;

    page_event(&window, "pageshow", Some(true));
    let echoed = within(1_000, "the queue delivered after pageshow", s.next()).await;
    assert_eq!(echoed.unwrap().unwrap(), Message::Text("queued".into()));
    assert!(s.state().is_open());
    assert_eq!(s.retry_count(), 0, "no failure counted");
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["accepted"], 2);
    assert_eq!(stats["messages_in"], 1);
}
