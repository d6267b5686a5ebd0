//! Browser suite: the Yew `use_socket` hook, mounted into a fresh DOM element.
//!
//! Proves:
//! - a burst of 100 JSON messages from the server is rendered complete and in order
//!   (typed codec, `on_message` emitted for every item);
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
//! - the first render is the initial state (`connecting`), as a server renders it, so
//!   hydration matches; the socket's own state follows (here an invalid URL's `closed`).
//!
//! `cargo test -p resocket --target wasm32-unknown-unknown --features yew,share --test web_yew`.
#![cfg(all(target_arch = "wasm32", feature = "yew"))]

mod common;

use std::rc::Rc;

use common::hooks::*;
use common::*;
use resocket::codec::Json;
use resocket::yew::use_socket;
use resocket::{Delivery, Error, Message, ReconnectPolicy, Sequence, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use yew::prelude::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Fixed 300 ms retry delay: long enough to see "reconnecting" in the DOM.
fn policy(stable_ms: u64) -> ReconnectPolicy {
    ReconnectPolicy::default()
        .initial_delay_ms(300)
        .jitter(false)
        .stable_after_ms(stable_ms)
}

fn line(item: Result<Message, Error>) -> String {
    match item {
        Ok(Message::Text(t)) => t,
        Ok(Message::Binary(b)) => format!("binary:{}", b.len()),
        Err(e) => format!("error:{}", e.code()),
    }
}

/// Every line received, appended in order.
#[derive(Default, PartialEq)]
struct Log(Vec<String>);

impl Reducible for Log {
    type Action = String;

    fn reduce(self: Rc<Self>, line: String) -> Rc<Self> {
        let mut lines = self.0.clone();
        lines.push(line);
        Rc::new(Log(lines))
    }
}

#[derive(Properties, PartialEq)]
struct ProbeProps {
    url: AttrValue,
    outgoing: AttrValue,
    stable_ms: u64,
    /// The shared connection's name, if any (`Builder::share`).
    #[prop_or_default]
    share: Option<AttrValue>,
}

/// Renders the hook's data and every message; the button sends `outgoing`.
#[function_component]
fn Probe(props: &ProbeProps) -> Html {
    let log = use_reducer(Log::default);
    let on_message = {
        let log = log.dispatcher();
        Callback::from(move |item: Result<Message, Error>| log.dispatch(line(item)))
    };
    let url = props.url.to_string();
    let stable_ms = props.stable_ms;
    let share = props.share.clone();
    let ws = use_socket(
        move || {
            let builder = Socket::builder(url).reconnect(policy(stable_ms));
            match share {
                Some(name) => builder.share(name.to_string()),
                None => builder,
            }
        },
        on_message,
    );
    let send = {
        let sender = ws.sender.clone();
        let text = props.outgoing.to_string();
        Callback::from(move |_: MouseEvent| sender.send(Message::Text(text.clone())))
    };
    html! {
        <div class="probe">
            <span class="state">{ ws.state.name() }</span>
            <span class="ready">{ ws.ready_state.as_u16() }</span>
            <span class="retry">{ ws.retry_count }</span>
            <span class="buffered">{ ws.buffered_amount }</span>
            <span class="queued">{ ws.queued_amount }</span>
            <button class="send" onclick={send}>{ "send" }</button>
            <ul class="log">
                { for log.0.iter().map(|l| html! { <li>{ l.clone() }</li> }) }
            </ul>
        </div>
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Seq {
    seq: u32,
    pad: String,
}

#[derive(Properties, PartialEq)]
struct BurstProps {
    url: AttrValue,
}

/// Renders the `seq` of every `/burst` item (typed JSON codec).
#[function_component]
fn Burst(props: &BurstProps) -> Html {
    let log = use_reducer(Log::default);
    let on_message = {
        let log = log.dispatcher();
        Callback::from(move |item: Result<Seq, Error>| {
            log.dispatch(match item {
                Ok(s) if s.pad.is_empty() => s.seq.to_string(),
                Ok(s) => format!("pad:{}", s.seq),
                Err(e) => format!("error:{}", e.code()),
            })
        })
    };
    let url = props.url.to_string();
    let ws = use_socket(
        move || Socket::builder(url).codec(Json::<Seq>::new()),
        on_message,
    );
    html! {
        <div class="probe">
            <span class="state">{ ws.state.name() }</span>
            <ol class="log">
                { for log.0.iter().map(|s| html! { <li>{ s.clone() }</li> }) }
            </ol>
        </div>
    }
}

/// Sends tracked messages with `send_acked` and shows the unacknowledged count; see
/// `unacked_then_delivered`.
#[function_component]
fn Delivered(props: &BurstProps) -> Html {
    let log = use_reducer(Log::default);
    let on_message = {
        let log = log.dispatcher();
        Callback::from(move |item: Result<Message, Error>| log.dispatch(line(item)))
    };
    let url = props.url.to_string();
    let ws = use_socket(
        move || Socket::builder(url).delivery(Delivery::json()),
        on_message,
    );
    let seq = use_memo((), |_| Sequence::new());
    let track = {
        let (sender, log) = (ws.sender.clone(), log.dispatcher());
        Callback::from(move |_: MouseEvent| {
            let n = seq.next();
            let acked = sender.send_acked(Message::Text(format!(r#"{{"id":{n}}}"#)));
            let log = log.clone();
            yew::platform::spawn_local(async move {
                log.dispatch(match acked.await {
                    Ok(a) => format!("delivered:{}", a.id),
                    Err(e) => format!("error:{}", e.code()),
                });
            });
        })
    };
    let ack_all = {
        let sender = ws.sender.clone();
        Callback::from(move |_: MouseEvent| sender.send(Message::from(r#"{"ackThrough":1000}"#)))
    };
    html! {
        <div class="probe">
            <span class="state">{ ws.state.name() }</span>
            <span class="unacked">{ ws.unacked }</span>
            <button class="track" onclick={track}>{ "track" }</button>
            <button class="ackall" onclick={ack_all}>{ "ack all" }</button>
            <ul class="log">
                { for log.0.iter().map(|l| html! { <li>{ l.clone() }</li> }) }
            </ul>
        </div>
    }
}

#[wasm_bindgen_test]
async fn unacked_count_goes_up_then_down_as_acknowledgements_arrive() {
    let root = Root::new(HINT);
    let url = ws_url(&format!("/echo?tag={}", tag("yew-acked")));
    let el: web_sys::Element = root.0.clone().unchecked_into();
    let props = BurstProps { url: url.into() };
    let app = yew::Renderer::<Delivered>::with_root_and_props(el, props).render();
    unacked_then_delivered(&root).await;
    app.destroy();
}

#[derive(Properties, PartialEq, Clone)]
struct AppProps {
    show: bool,
    burst: bool,
    url: AttrValue,
    outgoing: AttrValue,
    stable_ms: u64,
    share: Option<AttrValue>,
}

/// Mounts `Probe` (or `Burst`) while `show` is set.
#[function_component]
fn App(props: &AppProps) -> Html {
    match (props.show, props.burst) {
        (false, _) => html! {},
        (true, true) => html! { <Burst url={props.url.clone()} /> },
        (true, false) => {
            html! {
                <Probe
                    url={props.url.clone()}
                    outgoing={props.outgoing.clone()}
                    stable_ms={props.stable_ms}
                    share={props.share.clone()}
                />
            }
        }
    }
}

fn mount(root: &Root, props: AppProps) -> yew::AppHandle<App> {
    let el: web_sys::Element = root.0.clone().unchecked_into();
    yew::Renderer::<App>::with_root_and_props(el, props).render()
}

fn props(url: String, outgoing: &str) -> AppProps {
    AppProps {
        show: true,
        burst: false,
        url: url.into(),
        outgoing: outgoing.to_string().into(),
        stable_ms: 5_000,
        share: None,
    }
}

/// Added to the message of a DOM wait that times out.
const HINT: &str = "the DOM never updated? is the `yew` feature on?";

#[wasm_bindgen_test]
async fn burst_renders_complete_and_in_order() {
    let root = Root::new(HINT);
    let t = tag("yew-burst");
    let url = ws_url(&format!("/burst?count=100&tag={t}"));
    let app = mount(
        &root,
        AppProps {
            burst: true,
            ..props(url, "")
        },
    );
    burst_rendered_in_order(&root).await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn two_components_sharing_a_name_use_one_connection() {
    let (a, b) = (Root::new(HINT), Root::new(HINT));
    let t = tag("yew-share");
    let url = ws_url(&format!("/echo?tag={t}"));
    let shared = |out: &str| AppProps {
        share: Some(format!("yew-{t}").into()),
        ..props(url.clone(), out)
    };
    let (app_a, app_b) = (mount(&a, shared("from a")), mount(&b, shared("from b")));
    shared_probes_use_one_connection(&a, &b, &t).await;
    app_a.destroy();
    app_b.destroy();
}

#[wasm_bindgen_test]
async fn state_goes_open_reconnecting_open_on_a_drop() {
    let root = Root::new(HINT);
    let t = tag("yew-drop");
    let app = mount(&root, props(ws_url(&format!("/echo?tag={t}")), "x"));
    open_reconnecting_open(&root, &t).await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn retry_count_shows_the_reset_once_the_link_is_stable() {
    let root = Root::new(HINT);
    let t = tag("yew-stable");
    let shown = AppProps {
        stable_ms: 500,
        ..props(ws_url(&format!("/echo?tag={t}")), "x")
    };
    let app = mount(&root, shown);
    retry_count_resets_once_stable(&root, &t, 500).await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn send_while_down_arrives_once_after_reconnect() {
    let root = Root::new(HINT);
    let t = tag("yew-down");
    let outgoing = format!("while-down-{t}");
    let app = mount(&root, props(ws_url(&format!("/echo?tag={t}")), &outgoing));
    sent_while_down_arrives_once(&root, &t, &outgoing).await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn buffered_amount_is_polled_while_it_drains() {
    let root = Root::new(HINT);
    let t = tag("yew-buffered");
    let app = mount(
        &root,
        props(ws_url(&format!("/sink?stall_ms=1500&tag={t}")), &big()),
    );
    buffered_amount_polled_while_draining(&root, resocket::yew::POLL_MS).await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn an_idle_hook_arms_no_poll_timer() {
    let root = Root::new(HINT);
    let t = tag("yew-idle");
    let outgoing = format!("queued-{t}");
    let app = mount(&root, props(ws_url(&format!("/echo?tag={t}")), &outgoing));
    idle_hook_arms_no_poll_timer(&root, &t, &outgoing, resocket::yew::POLL_MS).await;
    app.destroy();
}

#[wasm_bindgen_test]
async fn unmount_closes_the_socket_and_frees_everything() {
    let before = resocket::diagnostics();
    let root = Root::new(HINT);
    let t = tag("yew-unmount");
    let shown = props(ws_url(&format!("/echo?tag={t}")), "bye");
    let mut app = mount(&root, shown.clone());
    open_with_a_socket(&root, &before).await;

    app.update(AppProps {
        show: false,
        ..shown
    });
    unmounted_and_freed(&root, &t, &before).await;
    app.destroy();
}

#[derive(Properties, PartialEq)]
struct RendersProps {
    url: AttrValue,
}

/// Lists the state of every render.
#[function_component]
fn Renders(props: &RendersProps) -> Html {
    let seen = use_mut_ref(Vec::<&'static str>::new);
    let url = props.url.to_string();
    let ws = use_socket(move || Socket::builder(url), Callback::from(|_| ()));
    seen.borrow_mut().push(ws.state.name());
    html! { <span class="renders">{ seen.borrow().join(",") }</span> }
}

#[wasm_bindgen_test]
async fn first_render_is_the_initial_state_then_the_sockets_own() {
    let root = Root::new(HINT);
    let el: web_sys::Element = root.0.clone().unchecked_into();
    let props = RendersProps {
        url: "ftp://nowhere.invalid/".into(),
    };
    let app = yew::Renderer::<Renders>::with_root_and_props(el, props).render();
    root.until(2000, "a render with the invalid URL's closed state", || {
        root.text(".renders").is_some_and(|t| t.ends_with("closed"))
    })
    .await;
    let renders = root.text(".renders").unwrap_or_default();
    assert!(renders.starts_with("connecting,"), "renders: {renders}");
    app.destroy();
}
