//! Browser suite: the Leptos `use_socket` hook, mounted into a fresh DOM element.
//!
//! Proves:
//! - a burst of 100 JSON messages from the server is rendered complete and in order
//!   (typed codec, `on_message` called for every item);
//! - the rendered state goes open → reconnecting → open when the server drops the link,
//!   and the retry count goes 0 → 1;
//! - the retry count shown goes back to 0 once the link has stayed open `stable_after_ms`
//!   after a few failed attempts (a reset that is no state transition);
//! - a send made with the hook's sender while the link is down is shown as queued bytes,
//!   arrives after the reconnect (echoed) and is rendered exactly once;
//! - `bufferedAmount` is polled while 12 MiB drain to a stalled server: it is rendered
//!   non-zero with poll timers armed (not checked in WebKit, which reports 0 at once), then
//!   0, and the polling stops;
//! - an idle hook arms no poll timer: none while open and idle, none while the link is down
//!   with bytes queued (only sends and state transitions refresh the counts then);
//! - unmounting the component closes the socket: the server sees no open connection and a
//!   close with code 1000, and resocket's live listeners, timers and sockets are back at
//!   their values before mounting;
//! - with acknowledged delivery, the unacknowledged count is rendered as tracked messages
//!   go out and back to 0 when the acknowledgement arrives, and each `send_acked` resolves;
//! - two components whose builders share one name (`Builder::share`) use one connection;
//!   each one's message reaches the server once and is rendered by both, in order;
//! - the first render is the initial state (`connecting`, `readyState` 0), as a server
//!   renders it, so hydration matches; the socket's own state follows (here an invalid
//!   URL's `closed`).
//!
//! Needs the hook's feature and Leptos' browser renderer:
//! `cargo test -p resocket --target wasm32-unknown-unknown --features leptos,leptos/csr,share --test web_leptos`.
#![cfg(all(target_arch = "wasm32", feature = "leptos"))]

mod common;

use common::hooks::*;
use common::*;
use leptos::mount::mount_to;
use leptos::prelude::*;
use resocket::codec::Json;
use resocket::leptos::use_socket;
use resocket::{Delivery, Message, ReconnectPolicy, Sequence, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Fixed 300 ms retry delay: long enough to see "reconnecting" in the DOM.
fn policy(stable_ms: u64) -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_delay_ms(300)
        .jitter(false)
        .stable_after_ms(stable_ms)
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
fn Probe(
    url: String,
    outgoing: String,
    #[prop(default = 5_000)] stable_ms: u64,
    #[prop(optional)] share: Option<String>,
) -> impl IntoView {
    let (log, set_log) = signal(Vec::<String>::new());
    let builder = Socket::builder(url).reconnect(policy(stable_ms));
    let builder = match share {
        Some(name) => builder.share(name),
        None => builder,
    };
    let ws = use_socket(builder, move |item| set_log.update(|l| l.push(line(item))));
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

/// Sends tracked messages with `send_acked` and shows the unacknowledged count; see
/// `unacked_then_delivered`.
#[component]
fn Delivered(url: String) -> impl IntoView {
    let (log, set_log) = signal(Vec::<String>::new());
    let builder = Socket::builder(url).delivery(Delivery::json());
    let ws = use_socket(builder, move |item| set_log.update(|l| l.push(line(item))));
    let seq = StoredValue::new_local(Sequence::new());
    let track = move |_| {
        let n = seq.with_value(Sequence::next);
        let acked = ws
            .sender
            .send_acked(Message::Text(format!(r#"{{"id":{n}}}"#)));
        leptos::task::spawn_local(async move {
            let text = match acked.await {
                Ok(a) => format!("delivered:{}", a.id),
                Err(e) => format!("error:{}", e.code()),
            };
            set_log.update(|l| l.push(text));
        });
    };
    let ack_all = move |_| ws.sender.send(Message::from(r#"{"ackThrough":1000}"#));
    view! {
        <div class="probe">
            <span class="state">{move || ws.state.get().name()}</span>
            <span class="unacked">{ws.unacked}</span>
            <button class="track" on:click=track>"track"</button>
            <button class="ackall" on:click=ack_all>"ack all"</button>
            <ul class="log">
                {move || log.get().into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
            </ul>
        </div>
    }
}

#[wasm_bindgen_test]
async fn unacked_count_goes_up_then_down_as_acknowledgements_arrive() {
    let root = Root::new(HINT);
    let url = ws_url(&format!("/echo?tag={}", tag("leptos-acked")));
    let app = mount_to(
        root.0.clone(),
        move || view! { <Delivered url=url.clone()/> },
    );
    unacked_then_delivered(&root).await;
    drop(app);
}

/// Added to the message of a DOM wait that times out.
const HINT: &str = "the DOM never updated? run with --features leptos,leptos/csr";

#[wasm_bindgen_test]
async fn burst_renders_complete_and_in_order() {
    let root = Root::new(HINT);
    let t = tag("leptos-burst");
    let url = ws_url(&format!("/burst?count=100&tag={t}"));
    let app = mount_to(root.0.clone(), move || view! { <Burst url=url.clone()/> });
    burst_rendered_in_order(&root).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn two_components_sharing_a_name_use_one_connection() {
    let (a, b) = (Root::new(HINT), Root::new(HINT));
    let t = tag("leptos-share");
    let url = ws_url(&format!("/echo?tag={t}"));
    let name = format!("leptos-{t}");
    let (u, n) = (url.clone(), name.clone());
    let app_a = mount_to(a.0.clone(), move || {
        view! { <Probe url=u.clone() outgoing="from a".to_string() share=n.clone()/> }
    });
    let app_b = mount_to(b.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing="from b".to_string() share=name.clone()/> }
    });
    shared_probes_use_one_connection(&a, &b, &t).await;
    drop((app_a, app_b));
}

#[wasm_bindgen_test]
async fn state_goes_open_reconnecting_open_on_a_drop() {
    let root = Root::new(HINT);
    let t = tag("leptos-drop");
    let url = ws_url(&format!("/echo?tag={t}"));
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing="x".to_string()/> }
    });
    open_reconnecting_open(&root, &t).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn retry_count_shows_the_reset_once_the_link_is_stable() {
    let root = Root::new(HINT);
    let t = tag("leptos-stable");
    let url = ws_url(&format!("/echo?tag={t}"));
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing="x".to_string() stable_ms=500/> }
    });
    retry_count_resets_once_stable(&root, &t, 500).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn send_while_down_arrives_once_after_reconnect() {
    let root = Root::new(HINT);
    let t = tag("leptos-down");
    let url = ws_url(&format!("/echo?tag={t}"));
    let outgoing = format!("while-down-{t}");
    let out = outgoing.clone();
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing=out.clone()/> }
    });
    sent_while_down_arrives_once(&root, &t, &outgoing).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn buffered_amount_is_polled_while_it_drains() {
    let root = Root::new(HINT);
    let t = tag("leptos-buffered");
    let url = ws_url(&format!("/sink?stall_ms=1500&tag={t}"));
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing=big()/> }
    });
    buffered_amount_polled_while_draining(&root, resocket::leptos::POLL_MS).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn an_idle_hook_arms_no_poll_timer() {
    let root = Root::new(HINT);
    let t = tag("leptos-idle");
    let url = ws_url(&format!("/echo?tag={t}"));
    let outgoing = format!("queued-{t}");
    let out = outgoing.clone();
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url=url.clone() outgoing=out.clone()/> }
    });
    idle_hook_arms_no_poll_timer(&root, &t, &outgoing, resocket::leptos::POLL_MS).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn unmount_closes_the_socket_and_frees_everything() {
    let before = resocket::diagnostics();
    let root = Root::new(HINT);
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
    open_with_a_socket(&root, &before).await;

    show.set(false);
    unmounted_and_freed(&root, &t, &before).await;
    drop(app);
}

#[wasm_bindgen_test]
async fn first_render_is_the_initial_state_then_the_sockets_own() {
    let root = Root::new(HINT);
    let app = mount_to(root.0.clone(), move || {
        view! { <Probe url="ftp://nowhere.invalid/".to_string() outgoing="x".to_string()/> }
    });
    // `mount_to` renders synchronously: nothing else has run yet.
    assert_eq!(root.text(".state").as_deref(), Some("connecting"));
    assert_eq!(root.text(".ready").as_deref(), Some("0"));
    root.until(2000, "the invalid URL's closed state", || {
        root.text(".state").as_deref() == Some("closed")
    })
    .await;
    assert_eq!(root.text(".ready").as_deref(), Some("3"));
    drop(app);
}
