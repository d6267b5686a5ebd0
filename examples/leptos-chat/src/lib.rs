//! A chat room on resocket's Leptos hook, against the test server's `/chat` endpoint.
//!
//! Open `index.html?room=NAME` (default `lobby`; `&name=YOU` to pick a name) in several
//! tabs: the server broadcasts every message to everyone in the room, the sender included.
//! "Drop link" asks the server to cut this tab's connection (`/control/drop?tag=T`, the tag
//! this tab connects with) so the reconnection can be watched.
//!
//! Delivery is acknowledged: each message this tab sends has an id (the tab's tag and a
//! [`Sequence`] number), the server answers its sender with `{"ack": id}`, and the line
//! shows "sending…" until then and "delivered" after. A message the link lost is sent
//! again on the next connection, so a line may arrive twice: every tab drops ids it has
//! already shown.

use std::collections::VecDeque;

use leptos::prelude::*;
use resocket::codec::Json;
use resocket::leptos::use_socket;
use resocket::{ConnectionState, Delivery, ReconnectPolicy, Sequence, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;

/// One chat message, as JSON on the wire.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Chat {
    /// Set on the messages of tabs with acknowledged delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    from: String,
    text: String,
}

/// A row of the message list.
#[derive(Clone, Debug)]
enum Line {
    Chat(Chat),
    /// A message of this tab, with its delivery status.
    Mine(Chat, RwSignal<Status>),
    Notice(String),
}

/// Where a message of this tab is.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Sending,
    Delivered,
    Failed(String),
}

/// Most ids remembered to drop duplicates.
const SEEN: usize = 512;

#[wasm_bindgen(start)]
pub fn start() {
    leptos::mount::mount_to_body(App);
}

#[component]
fn App() -> impl IntoView {
    let room = param("room").unwrap_or_else(|| "lobby".into());
    let me = param("name").unwrap_or_else(|| format!("guest-{}", random(10_000)));
    let tag = format!("leptos-chat-{}", random(1_000_000_000));
    let url = format!("/chat?room={}&tag={tag}", encode(&room));

    let (lines, set_lines) = signal(Vec::<Line>::new());
    // The ids shown (or sent) lately: a message sent again after a drop is shown once.
    let seen = StoredValue::new_local(VecDeque::<String>::new());
    let first_time = move |id: &str| {
        seen.try_update_value(|s| {
            if s.iter().any(|x| x == id) {
                return false;
            }
            if s.len() == SEEN {
                s.pop_front();
            }
            s.push_back(id.to_string());
            true
        })
        .unwrap_or(true)
    };
    let ws = use_socket(
        Socket::builder(url)
            .reconnect(ReconnectPolicy::default().max_delay_ms(5_000))
            .delivery(Delivery::json())
            .codec(Json::<Chat>::new()),
        move |item| {
            let line = match item {
                Ok(chat) if chat.id.as_deref().is_some_and(|id| !first_time(id)) => return,
                Ok(chat) => Line::Chat(chat),
                Err(e) => Line::Notice(e.to_string()),
            };
            set_lines.update(|l| l.push(line));
        },
    );
    let seq = StoredValue::new_local(Sequence::new());

    let (draft, set_draft) = signal(String::new());
    let author = me.clone();
    let sender_tag = tag.clone();
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked().trim().to_string();
        if !text.is_empty() {
            let id = format!("{}-{}", sender_tag, seq.with_value(Sequence::next));
            first_time(&id);
            let chat = Chat {
                id: Some(id),
                from: author.clone(),
                text,
            };
            let status = RwSignal::new(Status::Sending);
            set_lines.update(|l| l.push(Line::Mine(chat.clone(), status)));
            let acked = ws.sender.send_acked(chat);
            leptos::task::spawn_local(async move {
                let now = match acked.await {
                    Ok(_) => Status::Delivered,
                    Err(e) => Status::Failed(e.to_string()),
                };
                status.try_set(now);
            });
            set_draft.set(String::new());
        }
    };
    let reader = me.clone();
    let rows = move || {
        let rows: Vec<_> = lines.get().into_iter().enumerate().rev().collect();
        rows
    };

    view! {
        <main class="chat">
            <header class="top">
                <div>
                    <h1>"#" {room}</h1>
                    <div class="sub">
                        "you are " <strong>{me}</strong> " · "
                        <span class="framework">"leptos 0.8"</span>
                    </div>
                </div>
                <span class=move || format!("badge {}", ws.state.get().name())>
                    {move || ws.state.get().name()}
                </span>
            </header>
            <section class="meters">
                <div class="meter">
                    <span class="label">"retries"</span>
                    <span class="value">{ws.retry_count}</span>
                </div>
                <div class="meter">
                    <span class="label">"buffered"</span>
                    <span class="value">{move || bytes(ws.buffered_amount.get())}</span>
                </div>
                <div class="meter">
                    <span class="label">"queued"</span>
                    <span class="value">{move || bytes(ws.queued_amount.get())}</span>
                </div>
                <div class="meter">
                    <span class="label">"unacked"</span>
                    <span class="value">{ws.unacked}</span>
                </div>
                <span class="detail">{move || detail(&ws.state.get())}</span>
                <button class="ghost" on:click=move |_| drop_link(&tag)>"Drop link"</button>
            </section>
            <ul class="messages">
                <For each=rows key=|(i, _)| *i let:row>
                    {line_view(row.1, &reader)}
                </For>
                <Show when=move || lines.with(Vec::is_empty)>
                    <li class="empty">"No messages yet. Say hi!"</li>
                </Show>
            </ul>
            <form class="composer" on:submit=submit>
                <input
                    placeholder="Write a message…"
                    autofocus
                    prop:value=draft
                    on:input=move |ev| set_draft.set(event_target_value(&ev))
                />
                <button
                    class="primary"
                    type="submit"
                    disabled=move || draft.with(|d| d.trim().is_empty())
                >
                    "Send"
                </button>
            </form>
        </main>
    }
}

fn line_view(line: Line, me: &str) -> AnyView {
    match line {
        Line::Chat(chat) => {
            let class = if chat.from == me { "msg mine" } else { "msg" };
            view! {
                <li class=class>
                    <span class="from">{chat.from}</span>
                    <span class="text">{chat.text}</span>
                </li>
            }
            .into_any()
        }
        Line::Mine(chat, status) => view! {
            <li class="msg mine">
                <span class="from">{chat.from}</span>
                <span class="text">{chat.text}</span>
                <span class="from status">
                    {move || match status.get() {
                        Status::Sending => "sending…".to_string(),
                        Status::Delivered => "delivered".to_string(),
                        Status::Failed(e) => format!("not delivered: {e}"),
                    }}
                </span>
            </li>
        }
        .into_any(),
        Line::Notice(text) => view! {
            <li class="msg notice">
                <span class="text">{text}</span>
            </li>
        }
        .into_any(),
    }
}

/// What the badge does not say.
fn detail(state: &ConnectionState) -> String {
    match state {
        ConnectionState::Connecting { attempt: 0 } => "connecting…".into(),
        ConnectionState::Connecting { attempt } => format!("retry #{attempt}…"),
        ConnectionState::Open => "connected".into(),
        ConnectionState::Reconnecting {
            attempt, delay_ms, ..
        } => format!("link lost · retry #{attempt} in {delay_ms} ms"),
        ConnectionState::Closing => "closing…".into(),
        ConnectionState::Closed(info) => format!("closed ({}) {}", info.code, info.reason),
    }
}

/// Ask the test server to cut this tab's link (its fault-injection endpoint).
fn drop_link(tag: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let done = wasm_bindgen_futures::JsFuture::from(
        window.fetch_with_str(&format!("/control/drop?tag={}", encode(tag))),
    );
    wasm_bindgen_futures::spawn_local(async move {
        let _ = done.await;
    });
}

fn bytes(n: usize) -> String {
    match n {
        0..1024 => format!("{n} B"),
        1024..1_048_576 => format!("{:.1} KiB", n as f64 / 1024.0),
        _ => format!("{:.1} MiB", n as f64 / 1_048_576.0),
    }
}

/// A query parameter of the page URL.
fn param(name: &str) -> Option<String> {
    let search = web_sys::window()?.location().search().ok()?;
    search.trim_start_matches('?').split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        let value = js_sys::decode_uri_component(&value.replace('+', " ")).ok()?;
        let value = String::from(value);
        (key == name && !value.is_empty()).then_some(value)
    })
}

fn encode(s: &str) -> String {
    js_sys::encode_uri_component(s).into()
}

fn random(below: u64) -> u64 {
    (js_sys::Math::random() * below as f64) as u64
}
