//! Browser suite: the same client inside a dedicated Web Worker (no `window`).
//!
//! Proves:
//! - connect, send and receive work in a worker;
//! - the online/offline listeners attach to the worker's global scope;
//! - a server drop is followed by a reconnect that replays the queue, in a worker too;
//! - dropping the socket releases every listener, timer and socket.
#![cfg(target_arch = "wasm32")]

mod common;

use common::*;
use futures::StreamExt;
use resocket::{ConnectionState, Message, ReconnectPolicy, Socket};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn echo_and_reconnect_in_a_worker() {
    assert!(
        web_sys::window().is_none(),
        "this suite must run in a worker"
    );
    let before = resocket::diagnostics();
    let t = tag("worker");
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(20)
                .max_delay_ms(100),
        )
        .connect()
        .await
        .unwrap();
    // 4 socket handlers + online/offline on the worker scope.
    assert_eq!(
        resocket::diagnostics().live_listeners - before.live_listeners,
        6
    );
    s.send(Message::Text("from a worker".into())).await.unwrap();
    let got = within(5_000, "echo", s.next()).await.unwrap().unwrap();
    assert_eq!(got, Message::Text("from a worker".into()));

    control(&format!("down?ms=300&tag={t}")).await;
    wait_state(&s, 5_000, "reconnecting", |st| !st.is_open()).await;
    s.send(Message::Text("queued".into())).await.unwrap();
    wait_state(&s, 5_000, "open again", ConnectionState::is_open).await;
    let got = within(5_000, "replayed", s.next()).await.unwrap().unwrap();
    assert_eq!(got, Message::Text("queued".into()));

    drop(s);
    let after = resocket::diagnostics();
    assert_eq!(after.live_listeners, before.live_listeners);
    assert_eq!(after.live_timers, before.live_timers);
    assert_eq!(after.live_sockets, before.live_sockets);
}
