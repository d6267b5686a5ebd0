//! Browser suite: shared connections (`Builder::share`), against the test server, which
//! counts the connections of each tag.
//!
//! Proves, for the Rust face:
//! - sockets of one page with the same share name and URL use one connection; each gets
//!   every message, in the same order, and each one's sends reach the server;
//! - `close()` on one leaves the others working; when the last closes, the connection
//!   closes and no socket, timer, listener or channel of the share is left;
//! - a host that gives up before it ever opened ends its members' views at once (a
//!   member without reconnection is then closed with `connect_failed`);
//! - a host whose policy gave up (it had the first member's options) is replaced, with
//!   the options of a member that keeps trying, once the server takes connections again;
//! - every member reads the host's heartbeat round trip; a member has no heartbeat of its
//!   own (the server sees one connection's pings);
//! - a share with another context (a worker that leads): the page's socket follows, and
//!   its messages, text and binary, go out once through the worker's connection; when
//!   the worker is terminated, the page leads on a connection of its own.
#![cfg(all(target_arch = "wasm32", feature = "share"))]

mod common;

use common::*;
use futures::StreamExt;
use resocket::{Heartbeat, Message, ReconnectPolicy, ShareRole, Socket};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// The server's stats for tag `t` once `cond` holds (or the last ones after `ms`).
async fn stats_when(
    t: &str,
    ms: u32,
    what: &str,
    cond: impl Fn(&serde_json::Value) -> bool,
) -> serde_json::Value {
    within(ms, what, async {
        loop {
            let s = control(&format!("stats?tag={t}")).await;
            if cond(&s) {
                return s;
            }
            sleep(20).await;
        }
    })
    .await
}

async fn next_text(s: &mut Socket, what: &str) -> String {
    match within(3_000, what, s.next()).await {
        Some(Ok(Message::Text(t))) => t,
        other => panic!("{what}: {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn sockets_of_one_page_share_one_connection_and_each_gets_every_message_in_order() {
    let before = resocket::diagnostics();
    let t = tag("share-page");
    let url = ws_url(&format!("/echo?tag={t}"));
    let name = format!("page-{t}");
    let mut a = Socket::builder(&url).share(&name).connect().await.unwrap();
    let mut b = Socket::builder(&url).share(&name).connect().await.unwrap();
    let mut c = Socket::builder(&url).share(&name).connect().await.unwrap();
    for s in [&a, &b, &c] {
        assert_eq!(
            s.share_role(),
            Some(ShareRole::Leader),
            "one context: it leads"
        );
        assert!(s.state().is_open());
    }
    let s = stats_when(&t, 2_000, "one connection", |s| s["open"] == 1).await;
    assert_eq!(s["accepted"], 1, "one connection for three sockets: {s}");

    a.send(Message::Text("from a".into())).await.unwrap();
    b.send(Message::Text("from b".into())).await.unwrap();
    c.send(Message::Binary(vec![1, 2, 3])).await.unwrap();
    // The echo of each member's send reaches every member, in the server's order.
    for (s, who) in [(&mut a, "a"), (&mut b, "b"), (&mut c, "c")] {
        assert_eq!(next_text(s, who).await, "from a");
        assert_eq!(next_text(s, who).await, "from b");
        match within(3_000, who, s.next()).await {
            Some(Ok(Message::Binary(bytes))) => assert_eq!(bytes, vec![1, 2, 3]),
            other => panic!("{who}: {other:?}"),
        }
    }

    // close() on one leaves the others on the same connection.
    a.close(1000, "").unwrap();
    wait_state(&a, 2_000, "a closed", |s| s.is_closed()).await;
    assert_eq!(a.share_role(), Some(ShareRole::Closed));
    b.send(Message::Text("after a left".into())).await.unwrap();
    assert_eq!(next_text(&mut b, "b after a left").await, "after a left");
    assert_eq!(next_text(&mut c, "c after a left").await, "after a left");
    let s = control(&format!("stats?tag={t}")).await;
    assert_eq!(
        (s["accepted"].clone(), s["open"].clone()),
        (1.into(), 1.into()),
        "{s}"
    );

    // The last member closes: the connection closes, and nothing of the share is left.
    drop(a);
    b.close(1000, "").unwrap();
    c.close(1000, "").unwrap();
    stats_when(&t, 2_000, "the connection closed", |s| s["open"] == 0).await;
    drop((b, c));
    sleep(50).await;
    let after = resocket::diagnostics();
    assert_eq!(after.live_sockets, before.live_sockets, "sockets released");
    assert_eq!(after.live_timers, before.live_timers, "timers released");
    assert_eq!(
        after.live_listeners, before.live_listeners,
        "listeners and channels released"
    );
}

#[wasm_bindgen_test]
async fn every_member_reads_the_hosts_round_trip_and_has_no_heartbeat_of_its_own() {
    let t = tag("share-rtt");
    let url = ws_url(&format!("/echo?tag={t}"));
    let name = format!("rtt-{t}");
    let hb = Heartbeat::default().interval_ms(100).timeout_ms(2_000);
    // The echo server answers the ping with the same text, so the pong is the ping.
    let hb = hb
        .ping(Message::Text("hb".into()))
        .pong(Some(Message::Text("hb".into())));
    let a = Socket::builder(&url)
        .share(&name)
        .heartbeat(hb.clone())
        .connect()
        .await
        .unwrap();
    let b = Socket::builder(&url)
        .share(&name)
        .heartbeat(hb)
        .connect()
        .await
        .unwrap();
    within(3_000, "a round trip measured", async {
        while a.stats().last_rtt_ms.is_none() || b.stats().last_rtt_ms.is_none() {
            sleep(20).await;
        }
    })
    .await;
    sleep(550).await;
    // One heartbeat (the host's) for two sockets: about five pings in 550 ms, not ten.
    let s = control(&format!("stats?tag={t}")).await;
    let received = s["messages_in"].as_u64().unwrap_or(0);
    assert!(
        received <= 8,
        "one heartbeat, not one per member: {received} pings in ~650 ms ({s})"
    );
    assert_eq!(s["accepted"], 1, "{s}");
}

#[wasm_bindgen_test]
async fn a_host_whose_policy_gave_up_is_replaced_for_the_members_that_keep_trying() {
    let t = tag("share-gave-up");
    let url = ws_url(&format!("/echo?tag={t}"));
    let name = format!("gave-up-{t}");
    // The first member's options make the host: it does not reconnect at all.
    let a = Socket::builder(&url)
        .share(&name)
        .reconnect(ReconnectPolicy::disabled())
        .connect()
        .await
        .unwrap();
    let b = Socket::builder(&url)
        .share(&name)
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(100)
                .max_delay_ms(100)
                .jitter(false),
        )
        .connect()
        .await
        .unwrap();
    control(&format!("down?ms=1500&tag={t}")).await;
    wait_state(&a, 5_000, "a gave up", |s| s.is_closed()).await;
    // b keeps trying: once the server takes connections again, a new host (made with
    // b's options) connects, and b opens on it. (Firefox spaces out connections to a
    // server that refused some: seconds, not ms.)
    wait_state(&b, 20_000, "b open again", |s| s.is_open()).await;
    assert_eq!(b.share_role(), Some(ShareRole::Leader));
    let s = control(&format!("stats?tag={t}")).await;
    assert_eq!(
        (s["accepted"].clone(), s["open"].clone()),
        (2.into(), 1.into()),
        "{s}"
    );
}

#[wasm_bindgen_test]
async fn a_host_that_gives_up_before_it_ever_opened_ends_the_members_views() {
    // A refused port: the host (with a's options: no reconnection) fails its first
    // attempt and is closed for good. a's view must end then, not wait for a's own
    // connect timeout (10 s), so that a is closed with `connect_failed` at once.
    let name = format!("never-{}", tag("share-never"));
    let a = Socket::builder(closed_url())
        .share(&name)
        .reconnect(ReconnectPolicy::disabled())
        .open()
        .unwrap();
    let b = Socket::builder(closed_url())
        .share(&name)
        .reconnect(
            ReconnectPolicy::default()
                .initial_delay_ms(100)
                .jitter(false),
        )
        .open()
        .unwrap();
    let state = wait_state(&a, 3_000, "a closed", |s| s.is_closed()).await;
    match state {
        resocket::ConnectionState::Closed(info) => {
            let code = info.error.as_ref().map(resocket::Error::code);
            assert_eq!(code, Some("connect_failed"), "{info:?}");
        }
        other => panic!("{other:?}"),
    }
    // b keeps trying (through a host made with its own options).
    sleep(300).await;
    assert!(!b.state().is_closed(), "{:?}", b.state());
}

#[wasm_bindgen_test]
async fn an_empty_share_name_is_refused() {
    let e = Socket::builder(ws_url("/echo"))
        .share("")
        .open()
        .err()
        .unwrap();
    assert_eq!(e.code(), "invalid_option", "{e}");
}

/// A dedicated worker of this page (the same origin: a Blob) that joins the share with the
/// module the page's glue loaded (`share.js`): its member's view is used as a WebSocket by
/// hand, and its host is a bare WebSocket. The other context, not the thing tested.
const WORKER: &str = r#"
let share = null, ws = null, view = null;
onmessage = async (e) => {
  const m = e.data;
  if (m.k === "join") {
    share = await import(m.module);
    const host = (emit) => {
      ws = new WebSocket(m.url);
      ws.binaryType = "arraybuffer";
      ws.onopen = () => emit("statechange", { state: "open" });
      ws.onmessage = (ev) => emit(0, ev.data);
      ws.onclose = (ev) => emit("close", { code: ev.code, reason: ev.reason });
      return {
        get state() { return ws.readyState === 3 ? "closed" : "open"; },
        get protocol() { return ws.protocol; },
        get bufferedAmount() { return ws.bufferedAmount; },
        sendNow(d) { if (ws.readyState !== 1) return false; ws.send(d); return true; },
        stats() { return { lastRttMs: null }; },
        close(code, reason) { ws.close(code, reason); },
        free() {},
      };
    };
    const member = share.join(m.name, { key: m.url, size: (d) => typeof d === "string" ? d.length : d.byteLength, host });
    const open = () => {
      view = new member.Socket(m.url);
      view.onopen = () => postMessage({ k: "open", role: member.role });
      view.onclose = () => setTimeout(open, 50);
    };
    open();
  } else if (m.k === "send") {
    view.send(m.d);
    postMessage({ k: "sent" });
  }
};
"#;

fn snippet_url() -> String {
    // The glue imported share.js as a module: its URL is among the page's resources.
    let entries = web_sys::window()
        .unwrap()
        .performance()
        .unwrap()
        .get_entries_by_type("resource");
    entries
        .iter()
        .filter_map(|e| js_sys::Reflect::get(&e, &"name".into()).ok()?.as_string())
        .find(|n| n.ends_with("/pkg-template/share.js"))
        .expect("the share.js snippet among the page's resources")
}

async fn ask(worker: &web_sys::Worker, msg: &serde_json::Value, want: &str) -> serde_json::Value {
    let (tx, rx) = futures::channel::oneshot::channel::<serde_json::Value>();
    let tx = std::cell::RefCell::new(Some(tx));
    let want = want.to_owned();
    let on = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
        move |e: web_sys::MessageEvent| {
            let v: serde_json::Value = serde_json::from_str(
                &js_sys::JSON::stringify(&e.data())
                    .unwrap()
                    .as_string()
                    .unwrap(),
            )
            .unwrap();
            if v["k"] == want.as_str() {
                if let Some(tx) = tx.borrow_mut().take() {
                    let _ = tx.send(v);
                }
            }
        },
    );
    worker.set_onmessage(Some(on.as_ref().unchecked_ref()));
    let js = js_sys::JSON::parse(&msg.to_string()).unwrap();
    worker.post_message(&js).unwrap();
    let v = within(5_000, "the worker's answer", rx).await.unwrap();
    worker.set_onmessage(None);
    v
}

#[wasm_bindgen_test]
async fn with_a_worker_the_page_follows_then_leads_and_every_message_goes_out_once() {
    let t = tag("share-worker");
    let url = ws_url(&format!("/echo?tag={t}"));
    let name = format!("worker-{t}");
    let bag = web_sys::BlobPropertyBag::new();
    bag.set_type("text/javascript");
    let blob = web_sys::Blob::new_with_str_sequence_and_options(
        &js_sys::Array::of1(&JsValue::from_str(WORKER)),
        &bag,
    )
    .unwrap();
    let src = web_sys::Url::create_object_url_with_blob(&blob).unwrap();
    let options = web_sys::WorkerOptions::new();
    options.set_type(web_sys::WorkerType::Module);
    let worker = web_sys::Worker::new_with_options(&src, &options).unwrap();
    let joined = ask(
        &worker,
        &serde_json::json!({ "k": "join", "module": snippet_url(), "url": url, "name": name }),
        "open",
    )
    .await;
    assert_eq!(joined["role"], "leader", "the worker leads: it came first");

    // The page's socket follows: one connection, and its messages go through the worker's.
    let mut s = Socket::builder(&url).share(&name).connect().await.unwrap();
    assert_eq!(s.share_role(), Some(ShareRole::Follower));
    for i in 0..20 {
        s.send(Message::Text(format!("page {i}"))).await.unwrap();
    }
    s.send(Message::Binary(vec![7, 8, 9])).await.unwrap();
    for i in 0..20 {
        assert_eq!(
            next_text(&mut s, "the page's echo").await,
            format!("page {i}")
        );
    }
    match within(3_000, "binary echo", s.next()).await {
        Some(Ok(Message::Binary(b))) => assert_eq!(b, vec![7, 8, 9]),
        other => panic!("binary echo: {other:?}"),
    }
    let st = control(&format!("stats?tag={t}")).await;
    assert_eq!(
        (st["accepted"].clone(), st["open"].clone()),
        (1.into(), 1.into()),
        "{st}"
    );
    assert_eq!(st["messages_in"], 21, "each message once: {st}");

    // The worker goes: the page leads, on a connection of its own, and the worker's
    // messages (it joins again) go out through it.
    worker.terminate();
    let led = within(8_000, "the page leads", async {
        loop {
            if s.share_role() == Some(ShareRole::Leader) && s.state().is_open() {
                return;
            }
            sleep(20).await;
        }
    });
    led.await;
    stats_when(&t, 3_000, "the page's own connection", |s| {
        s["accepted"] == 2 && s["open"] == 1
    })
    .await;
    s.send(Message::Text("page again".into())).await.unwrap();
    assert_eq!(
        next_text(&mut s, "echo through the page's host").await,
        "page again"
    );

    // A new worker follows the page: its message goes out through the page's connection,
    // and its echo reaches the page's socket.
    let worker = web_sys::Worker::new_with_options(&src, &options).unwrap();
    let join =
        serde_json::json!({ "k": "join", "module": snippet_url(), "url": url, "name": name });
    let joined = ask(&worker, &join, "open").await;
    assert_eq!(joined["role"], "follower", "the page leads now");
    let send = serde_json::json!({ "k": "send", "d": "from the worker" });
    ask(&worker, &send, "sent").await;
    assert_eq!(
        next_text(&mut s, "the worker's message, echoed").await,
        "from the worker"
    );
    let st = control(&format!("stats?tag={t}")).await;
    assert_eq!(st["accepted"], 2, "no connection of the worker's own: {st}");
    worker.terminate();
    let _ = web_sys::Url::revoke_object_url(&src);
}
