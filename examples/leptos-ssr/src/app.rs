//! The chat page: one component crate for both builds. The server (`ssr`) renders it to
//! HTML; the browser (`hydrate`) hydrates that HTML. `use_socket` needs no `cfg`: on the
//! server it renders the initial state (`connecting`, zero counters) and opens nothing; in
//! the browser the same first render hydrates the server's markup, then the socket
//! connects to this server's `/ws` and the state becomes `open`.

use leptos::prelude::*;
use resocket::codec::Json;
use resocket::leptos::use_socket;
use resocket::{ConnectionState, ReconnectPolicy, Socket};
use serde::{Deserialize, Serialize};

/// What the server broadcasts: a message and who sent it (the server names each link).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Chat {
    pub from: String,
    pub text: String,
}

/// What the page sends.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Say {
    pub text: String,
}

/// The whole document, rendered on the server only (`hydrate_body` hydrates `<body>`).
/// `head_script`, if any, runs before the page's module scripts (the browser test uses it
/// to record console messages).
pub fn shell(options: LeptosOptions, head_script: Option<&'static str>) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <title>"resocket · Leptos SSR chat"</title>
                <link rel="icon" href="data:," />
                <link rel="stylesheet" href="/style.css" />
                {head_script.map(|js| view! { <script inner_html=js></script> })}
                <HydrationScripts options />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// A row of the message list.
#[derive(Clone, Debug)]
enum Line {
    Chat(Chat),
    Notice(String),
}

#[component]
pub fn App() -> impl IntoView {
    let (lines, set_lines) = signal(Vec::<Line>::new());
    let ws = use_socket(
        Socket::builder("/ws") // relative to the page: ws://<this server>/ws
            .reconnect(ReconnectPolicy::default().max_delay_ms(5_000))
            .codec(Json::<Chat, Say>::new()),
        move |item| {
            let line = match item {
                Ok(chat) => Line::Chat(chat),
                Err(e) => Line::Notice(e.to_string()),
            };
            set_lines.update(|l| l.push(line));
        },
    );

    let (draft, set_draft) = signal(String::new());
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = draft.get_untracked().trim().to_string();
        if !text.is_empty() {
            ws.sender.send(Say { text }); // queued until open; a no-op on the server
            set_draft.set(String::new());
        }
    };

    view! {
        <main class="chat">
            <header class="top">
                <div>
                    <h1>"#lobby"</h1>
                    <div class="sub">
                        "rendered by axum, hydrated in the browser · "
                        <span class="framework">"leptos 0.8 ssr"</span>
                    </div>
                </div>
                <span class=move || format!("badge state {}", ws.state.get().name())>
                    {move || ws.state.get().name()}
                </span>
            </header>
            <section class="meters">
                <div class="meter">
                    <span class="label">"retries"</span>
                    <span class="value retries">{ws.retry_count}</span>
                </div>
                <div class="meter">
                    <span class="label">"buffered"</span>
                    <span class="value buffered">{ws.buffered_amount}</span>
                </div>
                <div class="meter">
                    <span class="label">"queued"</span>
                    <span class="value queued">{ws.queued_amount}</span>
                </div>
                <span class="detail">{move || detail(&ws.state.get())}</span>
                // Markup that depends on the state: the server and the hydrating browser
                // both start from `connecting`, so both leave it out.
                <Show when=move || ws.state.with(ConnectionState::is_closed)>
                    <button class="ghost" on:click=move |_| { let _ = ws.reconnect(); }>
                        "Reconnect"
                    </button>
                </Show>
            </section>
            <ul class="messages">
                {move || lines.get().into_iter().map(line_view).collect_view()}
                <Show when=move || lines.with(Vec::is_empty)>
                    <li class="empty">"No messages yet. Say hi!"</li>
                </Show>
            </ul>
            <form class="composer" on:submit=submit>
                <input
                    placeholder="Write a message…"
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

fn line_view(line: Line) -> AnyView {
    match line {
        Line::Chat(chat) => view! {
            <li class="msg">
                <span class="from">{chat.from}</span>
                <span class="text">{chat.text}</span>
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
