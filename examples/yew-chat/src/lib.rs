//! A chat room on resocket's Yew hook, against the test server's `/chat` endpoint.
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

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use resocket::codec::Json;
use resocket::yew::use_socket;
use resocket::{ConnectionState, Delivery, Error, ReconnectPolicy, Sequence, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use web_sys::HtmlInputElement;
use yew::prelude::*;

/// One chat message, as JSON on the wire.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Chat {
    /// Set on the messages of tabs with acknowledged delivery.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    id: Option<String>,
    from: String,
    text: String,
}

/// A row of the message list.
#[derive(Clone, Debug, PartialEq)]
enum Line {
    Chat(Chat),
    /// A message of this tab, with its delivery status.
    Mine(Chat, Status),
    Notice(String),
}

/// Where a message of this tab is.
#[derive(Clone, Debug, PartialEq)]
enum Status {
    Sending,
    Delivered,
    Failed(String),
}

/// Every row received, in order.
#[derive(Default, PartialEq)]
struct Lines(Vec<Line>);

enum Change {
    Add(Line),
    /// The message of this tab with this id is now here.
    Settle(String, Status),
}

impl Reducible for Lines {
    type Action = Change;

    fn reduce(self: Rc<Self>, change: Change) -> Rc<Self> {
        let mut lines = self.0.clone();
        match change {
            Change::Add(line) => lines.push(line),
            Change::Settle(id, now) => {
                for line in lines.iter_mut().rev() {
                    if let Line::Mine(chat, status) = line {
                        if chat.id.as_deref() == Some(id.as_str()) {
                            *status = now;
                            break;
                        }
                    }
                }
            }
        }
        Rc::new(Lines(lines))
    }
}

/// Most ids remembered to drop duplicates.
const SEEN: usize = 512;

/// The ids shown (or sent) lately: a message sent again after a drop is shown once.
#[derive(Default)]
struct Seen(VecDeque<String>);

impl Seen {
    /// `true` the first time `id` is seen.
    fn first_time(&mut self, id: &str) -> bool {
        if self.0.iter().any(|x| x == id) {
            return false;
        }
        if self.0.len() == SEEN {
            self.0.pop_front();
        }
        self.0.push_back(id.to_string());
        true
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    yew::Renderer::<App>::new().render();
}

#[function_component]
fn App() -> Html {
    // Fixed for the life of the page.
    let me = use_memo((), |_| {
        param("name").unwrap_or_else(|| format!("guest-{}", random(10_000)))
    });
    let room = use_memo((), |_| param("room").unwrap_or_else(|| "lobby".into()));
    let tag = use_memo((), |_| format!("yew-chat-{}", random(1_000_000_000)));

    let lines = use_reducer(Lines::default);
    let seen = use_mut_ref(Seen::default);
    let seq = use_memo((), |_| Sequence::new());
    let on_message = {
        let (lines, seen) = (lines.dispatcher(), seen.clone());
        Callback::from(move |item: Result<Chat, Error>| {
            let line = match item {
                Ok(chat) if chat.id.as_deref().is_some_and(|id| !first(&seen, id)) => return,
                Ok(chat) => Line::Chat(chat),
                Err(e) => Line::Notice(e.to_string()),
            };
            lines.dispatch(Change::Add(line));
        })
    };
    let url = format!("/chat?room={}&tag={}", encode(&room), tag);
    let ws = use_socket(
        move || {
            Socket::builder(url)
                .reconnect(ReconnectPolicy::default().max_delay_ms(5_000))
                .delivery(Delivery::json())
                .codec(Json::<Chat>::new())
        },
        on_message,
    );

    let draft = use_state(String::new);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            draft.set(e.target_unchecked_into::<HtmlInputElement>().value())
        })
    };
    let onsubmit = {
        let (draft, sender, me) = (draft.clone(), ws.sender.clone(), me.clone());
        let (lines, seen, tag) = (lines.dispatcher(), seen.clone(), tag.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let text = draft.trim().to_string();
            if !text.is_empty() {
                let id = format!("{}-{}", tag, seq.next());
                first(&seen, &id);
                let chat = Chat {
                    id: Some(id.clone()),
                    from: (*me).clone(),
                    text,
                };
                lines.dispatch(Change::Add(Line::Mine(chat.clone(), Status::Sending)));
                let acked = sender.send_acked(chat);
                let lines = lines.clone();
                yew::platform::spawn_local(async move {
                    let now = match acked.await {
                        Ok(_) => Status::Delivered,
                        Err(e) => Status::Failed(e.to_string()),
                    };
                    lines.dispatch(Change::Settle(id, now));
                });
                draft.set(String::new());
            }
        })
    };
    let ondrop = {
        let tag = tag.clone();
        Callback::from(move |_: MouseEvent| drop_link(&tag))
    };

    let name = ws.state.name();
    html! {
        <main class="chat">
            <header class="top">
                <div>
                    <h1>{ "#" }{ (*room).clone() }</h1>
                    <div class="sub">
                        { "you are " }<strong>{ (*me).clone() }</strong>{ " · " }
                        <span class="framework">{ "yew 0.23" }</span>
                    </div>
                </div>
                <span class={classes!("badge", name)}>{ name }</span>
            </header>
            <section class="meters">
                <div class="meter">
                    <span class="label">{ "retries" }</span>
                    <span class="value">{ ws.retry_count }</span>
                </div>
                <div class="meter">
                    <span class="label">{ "buffered" }</span>
                    <span class="value">{ bytes(ws.buffered_amount) }</span>
                </div>
                <div class="meter">
                    <span class="label">{ "queued" }</span>
                    <span class="value">{ bytes(ws.queued_amount) }</span>
                </div>
                <div class="meter">
                    <span class="label">{ "unacked" }</span>
                    <span class="value">{ ws.unacked }</span>
                </div>
                <span class="detail">{ detail(&ws.state) }</span>
                <button class="ghost" onclick={ondrop}>{ "Drop link" }</button>
            </section>
            <ul class="messages">
                { for lines.0.iter().enumerate().rev().map(|(i, line)| line_view(i, line, &me)) }
                if lines.0.is_empty() {
                    <li class="empty">{ "No messages yet. Say hi!" }</li>
                }
            </ul>
            <form class="composer" {onsubmit}>
                <input placeholder="Write a message…" autofocus=true value={(*draft).clone()} {oninput} />
                <button class="primary" type="submit" disabled={draft.trim().is_empty()}>
                    { "Send" }
                </button>
            </form>
        </main>
    }
}

fn line_view(key: usize, line: &Line, me: &str) -> Html {
    match line {
        Line::Chat(chat) => html! {
            <li {key} class={classes!("msg", (chat.from == me).then_some("mine"))}>
                <span class="from">{ chat.from.clone() }</span>
                <span class="text">{ chat.text.clone() }</span>
            </li>
        },
        Line::Mine(chat, status) => html! {
            <li {key} class="msg mine">
                <span class="from">{ chat.from.clone() }</span>
                <span class="text">{ chat.text.clone() }</span>
                <span class="from status">
                    { match status {
                        Status::Sending => "sending…".to_string(),
                        Status::Delivered => "delivered".to_string(),
                        Status::Failed(e) => format!("not delivered: {e}"),
                    } }
                </span>
            </li>
        },
        Line::Notice(text) => html! {
            <li {key} class="msg notice"><span class="text">{ text.clone() }</span></li>
        },
    }
}

/// `true` the first time this tab sees `id`.
fn first(seen: &RefCell<Seen>, id: &str) -> bool {
    seen.borrow_mut().first_time(id)
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
