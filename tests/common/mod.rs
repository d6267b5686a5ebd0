//! Shared helpers for the browser suites: the test server's address, control calls, sleeps.
#![allow(dead_code)]

use std::future::Future;

use futures::StreamExt;
use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use resocket::{ConnectionState, Socket};

pub mod hooks;

/// `127.0.0.1:PORT` of the project's test server, fixed at compile time by `make test`.
pub fn server() -> &'static str {
    match option_env!("RESOCKET_TEST_SERVER") {
        Some(s) => s,
        None => "RESOCKET_TEST_SERVER-not-set:0",
    }
}

/// `ws://127.0.0.1:PORT/` where PORT had a listener a moment before the run and has none
/// now (a real refused connection, not a port the browser blocks).
pub fn closed_url() -> String {
    let port = option_env!("RESOCKET_CLOSED_PORT").unwrap_or("RESOCKET_CLOSED_PORT-not-set");
    format!("ws://127.0.0.1:{port}/")
}

/// `ws://SERVER/PATH` (PATH includes its query).
pub fn ws_url(path: &str) -> String {
    format!("ws://{}{}", server(), path)
}

/// A fresh tag so control actions and stats touch only this test's connections.
pub fn tag(name: &str) -> String {
    format!("{name}-{}", (js_sys::Math::random() * 1e9) as u64)
}

/// Sleep on the global `setTimeout` (page or worker).
pub async fn sleep(ms: u32) {
    let promise = Promise::new(&mut |resolve, _| {
        let global = js_sys::global();
        let set_timeout = js_sys::Reflect::get(&global, &"setTimeout".into()).unwrap();
        let set_timeout: js_sys::Function = set_timeout.unchecked_into();
        set_timeout
            .call2(&global, &resolve, &JsValue::from(ms))
            .unwrap();
    });
    JsFuture::from(promise).await.unwrap();
}

/// GET `http://SERVER/control/...` and parse the JSON reply. gloo-net's `Request` calls the
/// global `fetch`, so this works in a page and in a dedicated worker alike.
pub async fn control(path_and_query: &str) -> serde_json::Value {
    let url = format!("http://{}/control/{}", server(), path_and_query);
    let resp = gloo_net::http::Request::get(&url)
        .send()
        .await
        .unwrap_or_else(|e| panic!("control call {url} failed: {e}"));
    assert!(resp.ok(), "control call {url} failed: {}", resp.status());
    resp.json()
        .await
        .unwrap_or_else(|e| panic!("control call {url}: not JSON: {e}"))
}

/// Await `fut`, failing the test after `ms` milliseconds instead of hanging the suite.
pub async fn within<T>(ms: u32, what: &str, fut: impl Future<Output = T>) -> T {
    let timeout = sleep(ms);
    futures::pin_mut!(fut);
    futures::pin_mut!(timeout);
    match futures::future::select(fut, timeout).await {
        futures::future::Either::Left((v, _)) => v,
        futures::future::Either::Right(_) => panic!("timed out after {ms} ms: {what}"),
    }
}

/// Wait until the socket's state satisfies `pred`; returns that state.
pub async fn wait_state<C: resocket::Codec>(
    socket: &Socket<C>,
    ms: u32,
    what: &str,
    pred: impl Fn(&ConnectionState) -> bool,
) -> ConnectionState {
    let mut states = socket.states();
    within(ms, what, async {
        while let Some(s) = states.next().await {
            if pred(&s) {
                return s;
            }
        }
        panic!("state stream ended before: {what}");
    })
    .await
}

/// Dispatch a page-lifecycle event of `kind` on `target`, with `persisted` when given
/// (`pagehide`/`pageshow`: whether the page goes into, or comes from, the back/forward
/// cache).
pub fn page_event(target: &web_sys::EventTarget, kind: &str, persisted: Option<bool>) {
    let e = web_sys::Event::new(kind).unwrap();
    if let Some(p) = persisted {
        js_sys::Reflect::set(&e, &"persisted".into(), &p.into()).unwrap();
    }
    target.dispatch_event(&e).unwrap();
}
