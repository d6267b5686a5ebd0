//! Browser suite: the Leptos `use_socket` hook, mounted into a fresh DOM element.
//!
//! Proves:
//! - a burst of 100 JSON messages from the server is rendered complete and in order
//!   (typed codec, `on_message` called for every item);
//! - the rendered state goes open → reconnecting → open when the server drops the link,
//!   and the retry count goes 0 → 1;
//! - a send made with the hook's sender while the link is down is shown as queued bytes,
//!   arrives after the reconnect (echoed) and is rendered exactly once;
//! - `bufferedAmount` is polled while 12 MiB drain to a stalled server: it is rendered
//!   non-zero with poll timers armed (not checked in WebKit, which reports 0 at once), then
//!   0, and the polling stops;
//! - an idle hook arms no poll timer: none while open and idle, none while the link is down
//!   with bytes queued (only sends and state transitions refresh the counts then);
//! - unmounting the component closes the socket: the server sees no open connection and a
//!   close with code 1000, and resocket's live listeners, timers and sockets are back at
//!   their values before mounting.
//!
//! Needs the hook's feature and Leptos' browser renderer:
//! `cargo test -p resocket --target wasm32-unknown-unknown --features leptos,leptos/csr --test web_leptos`.
#![cfg(all(target_arch = "wasm32", feature = "leptos"))]

mod common;

use common::*;
use leptos::mount::mount_to;
use leptos::prelude::*;
use resocket::codec::Json;
use resocket::leptos::use_socket;
use resocket::{Message, ReconnectPolicy, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Fixed 300 ms retry delay: long enough to see "reconnecting" in the DOM.
fn policy() -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_delay_ms(300)
        .jitter(false)
}

fn line(item: Result<Message, resocket::Error>) -> String {
    match item {
        Ok(Message::Text(t)) => t,
        Ok(Message::Binary(b)) => format!("binary:{}", b.len()),
        Err(e) => format!("error:{}", e.code()),
    }
}

/// Renders the hook's data and every message; the button sends `outgoing`.
#[component]
fn Probe(url: String, outgoing: String) -> impl IntoView {
    let (log, set_log) = signal(Vec::<String>::new());
    let ws = use_socket(Socket::builder(url).reconnect(policy()), move |item| {
        set_log.update(|l| l.push(line(item)))
    });
    let send = move |_| ws.sender.send(Message::Text(outgoing.clone()));
    view! {
        <div class="probe">
            <span class="state">{move || ws.state.get().name()}</span>
            <span class="ready">{move || ws.ready_state.get().as_u16()}</span>
            <span class="retry">{ws.retry_count}</span>
            <span class="buffered">{ws.buffered_amount}</span>
            <span class="queued">{ws.queued_amount}</span>
            <button class="send" on:click=send>"send"</button>
            <ul class="log">
                {move || log.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </div>
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Seq {
    seq: u32,
    pad: String,
}

/// Renders the `seq` of every `/burst` item (typed JSON codec).
#[component]
fn Burst(url: String) -> impl IntoView {
    let (seqs, set_seqs) = signal(Vec::<String>::new());
    let ws = use_socket(
        Socket::builder(url).codec(Json::<Seq>::new()),
        move |item| {
            let text = match item {
                Ok(s) if s.pad.is_empty() => s.seq.to_string(),
                Ok(s) => format!("pad:{}", s.seq),
                Err(e) => format!("error:{}", e.code()),
            };
            set_seqs.update(|v| v.push(text));
        },
    );
    view! {
        <div class="probe">
            <span class="state">{move || ws.state.get().name()}</span>
            <ol class="log">
                {move || seqs.get().into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}
            </ol>
        </div>
    }
}

/// A fresh element appended to `<body>`, removed on drop.
struct Root(web_sys::HtmlElement);

impl Root {
    fn new() -> Root {
        let document = web_sys::window().unwrap().document().unwrap();
        let el = document.create_element("div").unwrap();
        document.body().unwrap().append_child(&el).unwrap();
        Root(el.unchecked_into())
    }

    fn text(&self, selector: &str) -> Option<String> {
        self.0
            .query_selector(selector)
            .unwrap()
            .and_then(|e| e.text_content())
    }

    fn items(&self) -> Vec<String> {
        let mut items = Vec::new();
        let list = self.0.query_selector(".log").unwrap();
        let mut next = list.and_then(|l| l.first_element_child());
        while let Some(li) = next {
            items.push(li.text_content().unwrap_or_default());
            next = li.next_element_sibling();
        }
        items
    }

    fn click(&self, selector: &str) {
        let el = self.0.query_selector(selector).unwrap().unwrap();
        el.unchecked_into::<web_sys::HtmlElement>().click();
    }
}

impl Drop for Root {
    fn drop(&mut self) {
        self.0.remove();
    }
}

/// Counts `setTimeout` calls with the hook's poll interval (no other timer uses it) until
/// dropped, when the real `setTimeout` is put back.
struct PollTimers(js_sys::Function);

impl PollTimers {
    fn install() -> PollTimers {
        let install = js_sys::Function::new_with_args(
            "ms",
            "const real = globalThis.setTimeout;
             globalThis.__pollTimers = 0;
             globalThis.setTimeout = function (f, t, ...rest) {
               if (t === ms) globalThis.__pollTimers += 1;
               return real.call(this, f, t, ...rest);
             };
             return () => { globalThis.setTimeout = real; };",
        );
        let ms = wasm_bindgen::JsValue::from(resocket::leptos::POLL_MS);
        let restore = install.call1(&wasm_bindgen::JsValue::NULL, &ms).unwrap();
        PollTimers(restore.unchecked_into())
    }

    fn take(&self) -> u32 {
        let global = js_sys::global();
        let key = wasm_bindgen::JsValue::from("__pollTimers");
        let n = js_sys::Reflect::get(&global, &key)
            .unwrap()
            .as_f64()
            .unwrap_or(0.0) as u32;
        js_sys::Reflect::set(&global, &key, &0.into()).unwrap();
        n
    }
}

impl Drop for PollTimers {
    fn drop(&mut self) {
        let _ = self.0.call0(&wasm_bindgen::JsValue::NULL);
    }
}

/// Poll the DOM every 5 ms until `pred` holds.
async fn until(ms: u32, what: &str, pred: impl Fn() -> bool) {
    let what = format!("{what} (the DOM never updated? run with --features leptos,leptos/csr)");
    within(ms, &what, async {
        while !pred() {
            sleep(5).await;
        }
    })
    .await
}

#[wasm_bindgen_test]
async fn burst_renders_complete_and_in_order() {
    let root = Root::new();
    let t = tag("leptos-burst");
    let url = ws_url(&format!("/burst?count=100&tag={t}"));
    let app = mount_to(root.0.clone(), move || view! { <Burst url=url.clone()/> });
    until(10_000, "100 items rendered", || root.items().len() >= 100).await;
    sleep(100).await; // nothing more may arrive
    let want: Vec<String> = (1..=100).map(|i| i.to_string()).collect();
    assert_eq!(root.items(), want);
    assert_eq!(root.text(".state").as_deref(), Some("open"));
    drop(app);
}

#[wasm_bindgen_test]
async fn state_goes_open_reconnecting_open_on_a_drop() {
    let root = Root::new();
    let t = tag("leptos-drop");
    let url = ws_url(&format!("/echo?tag={t}"));
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing="x".to_string()/> }
    });
    until(5_000, "open", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;
    assert_eq!(root.text(".ready").as_deref(), Some("1"));
    assert_eq!(root.text(".retry").as_deref(), Some("0"));

    control(&format!("drop?tag={t}")).await;
    let mut seen = vec!["open".to_string()];
    within(10_000, "back to open after the drop", async {
        loop {
            let now = root.text(".state").unwrap_or_default();
            if seen.last() != Some(&now) {
                seen.push(now.clone());
            }
            if seen.len() > 1 && now == "open" {
                break;
            }
            sleep(5).await;
        }
    })
    .await;
    let reconnecting = seen.iter().position(|s| s == "reconnecting");
    assert!(
        reconnecting.is_some(),
        "never rendered reconnecting: {seen:?}"
    );
    assert_eq!(seen.last().map(String::as_str), Some("open"), "{seen:?}");
    assert!(
        seen.iter()
            .all(|s| ["open", "reconnecting", "connecting"].contains(&s.as_str())),
        "{seen:?}"
    );
    assert_eq!(root.text(".ready").as_deref(), Some("1"));
    // One retry in this outage (the count resets once the link has been stable for 5 s).
    assert_eq!(root.text(".retry").as_deref(), Some("1"));
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["open"], 1, "{stats}");
    drop(app);
}

#[wasm_bindgen_test]
async fn send_while_down_arrives_once_after_reconnect() {
    let root = Root::new();
    let t = tag("leptos-down");
    let url = ws_url(&format!("/echo?tag={t}"));
    let outgoing = format!("while-down-{t}");
    let out = outgoing.clone();
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing=out.clone()/> }
    });
    until(5_000, "open", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;

    control(&format!("down?ms=500&tag={t}")).await;
    until(5_000, "link down", || {
        root.text(".state").as_deref() == Some("reconnecting")
    })
    .await;
    root.click(".send");
    until(2_000, "queued bytes rendered", || {
        root.text(".queued").as_deref() == Some(&outgoing.len().to_string())
    })
    .await;
    until(10_000, "echo after reconnect", || {
        root.items().contains(&outgoing)
    })
    .await;
    assert_eq!(root.text(".state").as_deref(), Some("open"));
    until(2_000, "queue drained", || {
        root.text(".queued").as_deref() == Some("0")
    })
    .await;
    sleep(300).await;
    let copies = root.items().iter().filter(|l| **l == outgoing).count();
    assert_eq!(copies, 1, "{:?}", root.items());
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["messages_in"], 1, "{stats}");
    drop(app);
}

/// 12 MiB of text that `/sink` acknowledges as `ack:big`.
fn big() -> String {
    format!("big|{}", "x".repeat(12 << 20))
}

fn is_webkit() -> bool {
    let ua = web_sys::window().unwrap().navigator().user_agent().unwrap();
    !ua.contains("Chrome") && !ua.contains("Firefox")
}

#[wasm_bindgen_test]
async fn buffered_amount_is_polled_while_it_drains() {
    let root = Root::new();
    let t = tag("leptos-buffered");
    let url = ws_url(&format!("/sink?stall_ms=1500&tag={t}"));
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing=big()/> }
    });
    until(5_000, "open", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;
    let timers = PollTimers::install();
    root.click(".send");
    let mut peak = 0usize;
    within(20_000, "acked and bufferedAmount back to 0", async {
        loop {
            let buffered: usize = root.text(".buffered").unwrap_or_default().parse().unwrap();
            peak = peak.max(buffered);
            if buffered == 0 && root.items().iter().any(|l| l == "ack:big") {
                break;
            }
            sleep(5).await;
        }
    })
    .await;
    assert_eq!(root.text(".state").as_deref(), Some("open"));
    if !is_webkit() {
        assert!(peak > 0, "bufferedAmount never rendered non-zero");
        assert!(timers.take() > 0, "no poll timer while bytes drained");
    }
    sleep(300).await; // the poll that saw 0 was the last
    timers.take();
    sleep(500).await;
    assert_eq!(timers.take(), 0, "poll timer armed after the bytes drained");
    drop(timers);
    drop(app);
}

#[wasm_bindgen_test]
async fn an_idle_hook_arms_no_poll_timer() {
    let root = Root::new();
    let t = tag("leptos-idle");
    let url = ws_url(&format!("/echo?tag={t}"));
    let outgoing = format!("queued-{t}");
    let out = outgoing.clone();
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing=out.clone()/> }
    });
    until(5_000, "open", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;
    let timers = PollTimers::install();
    sleep(600).await;
    assert_eq!(timers.take(), 0, "poll timer armed while open and idle");

    control(&format!("down?ms=1500&tag={t}")).await;
    until(5_000, "link down", || {
        root.text(".state").as_deref() == Some("reconnecting")
    })
    .await;
    root.click(".send");
    until(2_000, "queued bytes rendered", || {
        root.text(".queued").as_deref() == Some(&outgoing.len().to_string())
    })
    .await;
    timers.take();
    sleep(400).await;
    assert_eq!(
        timers.take(),
        0,
        "poll timer armed while down with bytes queued"
    );

    until(10_000, "echo after reconnect", || {
        root.items().contains(&outgoing)
    })
    .await;
    until(2_000, "queue drained", || {
        root.text(".queued").as_deref() == Some("0")
    })
    .await;
    sleep(300).await; // a last poll may still be pending as the bytes drain
    timers.take();
    sleep(600).await;
    assert_eq!(timers.take(), 0, "poll timer armed after the queue drained");
    drop(timers);
    drop(app);
}

#[wasm_bindgen_test]
async fn unmount_closes_the_socket_and_frees_everything() {
    let before = resocket::diagnostics();
    let root = Root::new();
    let t = tag("leptos-unmount");
    let url = ws_url(&format!("/echo?tag={t}"));
    let show = RwSignal::new(true);
    let app = mount_to(root.0.clone(), move || {
        let url = url.clone();
        view! {
            <Show when=move || show.get()>
                <Probe url=url.clone() outgoing="bye".to_string()/>
            </Show>
        }
    });
    until(5_000, "open", || {
        root.text(".state").as_deref() == Some("open")
    })
    .await;
    assert!(resocket::diagnostics().live_sockets > before.live_sockets);

    show.set(false);
    until(2_000, "component removed", || root.text(".state").is_none()).await;
    within(5_000, "server sees the close", async {
        loop {
            let stats = control(&format!("stats?tag={t}")).await;
            let closes = stats["closes"].as_array().cloned().unwrap_or_default();
            if stats["open"] == 0 && !closes.is_empty() {
                assert_eq!(closes.len(), 1, "{stats}");
                assert_eq!(closes[0]["code"], 1000, "{stats}");
                break;
            }
            sleep(20).await;
        }
    })
    .await;
    sleep(50).await;
    let after = resocket::diagnostics();
    assert_eq!(after.live_listeners, before.live_listeners, "{after:?}");
    assert_eq!(after.live_timers, before.live_timers, "{after:?}");
    assert_eq!(after.live_sockets, before.live_sockets, "{after:?}");
    let quiet = after.callbacks_run;
    sleep(300).await;
    assert_eq!(
        resocket::diagnostics().callbacks_run,
        quiet,
        "a callback ran"
    );
    drop(app);
}
