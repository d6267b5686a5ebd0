//! The server side of the hook, natively (`cargo test --features ssr`): the README's Leptos
//! example, verbatim (`tests/readme/leptos.rs`, checked against README.md), and this app
//! render their initial state, and the hook's handles do nothing or fail without panicking.
#![cfg(feature = "ssr")]

use leptos::prelude::*;
use resocket::{leptos::use_socket, Error, Message, Socket};

/// The README's message type.
#[derive(Clone, serde::Serialize, serde::Deserialize)]
struct Chat {
    from: String,
    text: String,
}

mod readme {
    use super::Chat;
    include!("readme/leptos.rs");

    pub fn render() -> String {
        view! { <Room /> }.to_html()
    }
}

const NO_BROWSER: &str = "js: JavaScript error: no browser WebSocket on this target";

fn code(r: Result<(), Error>) -> String {
    match r {
        Ok(()) => "ok".into(),
        Err(e) => format!("{}: {e}", e.code()),
    }
}

/// What a future gives at its first poll (the hook's futures are ready at once on the server).
fn now(f: impl std::future::Future<Output = Result<(), Error>>) -> Result<(), Error> {
    let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
    match std::pin::pin!(f).poll(&mut cx) {
        std::task::Poll::Ready(r) => r,
        std::task::Poll::Pending => Err(Error::Js("still pending".into())),
    }
}

#[test]
fn the_readme_example_is_this_one() {
    let readme = include_str!("../../../README.md");
    let ours = include_str!("readme/leptos.rs");
    assert!(
        readme.contains(&format!("```rust\n{ours}```")),
        "README.md's Leptos example differs from examples/leptos-ssr/tests/readme/leptos.rs"
    );
}

#[test]
fn the_readme_example_renders_its_initial_state() {
    let html = Owner::new().with(readme::render);
    assert!(html.contains("<b>connecting</b>"), "{html}");
    assert!(html.contains(" retries "), "{html}");
    assert!(html.contains("<button>Say hi</button>"), "{html}");
}

#[test]
fn the_app_renders_connecting_and_an_empty_list() {
    let html = Owner::new().with(|| view! { <leptos_ssr::app::App /> }.to_html());
    assert!(
        html.contains(r#"<span class="badge state connecting">connecting</span>"#),
        "{html}"
    );
    assert!(
        html.contains(r#"<span class="value retries">0</span>"#),
        "{html}"
    );
    assert!(html.contains(r#"<ul class="messages">"#), "{html}");
    assert!(html.contains("No messages yet. Say hi!"), "{html}");
}

#[test]
fn handles_do_nothing_and_fail_without_panicking_on_the_server() {
    Owner::new().with(|| {
        let ws = use_socket(Socket::builder("/chat"), |_| {
            panic!("on_message is never called on the server")
        });
        ws.sender.send(Message::from("x"));
        ws.sender.send_message(Message::from("x"));
        ws.sender.send_json(&"x");
        assert_eq!(code(ws.sender.try_send(Message::from("x"))), NO_BROWSER);
        assert_eq!(
            code(now(ws.sender.send_async(Message::from("x")))),
            NO_BROWSER
        );
        assert_eq!(code(now(ws.sender.flush())), NO_BROWSER);
        assert_eq!(code(ws.close(1000, "")), NO_BROWSER);
        assert_eq!(code(ws.reconnect()), NO_BROWSER);
        assert_eq!(ws.stats(), Some(Default::default()));
        assert!(ws.sender.sender().is_none());
        assert_eq!(ws.state.get_untracked().name(), "connecting");
        assert_eq!(
            ws.ready_state.get_untracked(),
            resocket::ReadyState::Connecting
        );
        assert_eq!(
            (
                ws.buffered_amount.get_untracked(),
                ws.queued_amount.get_untracked(),
                ws.retry_count.get_untracked()
            ),
            (0, 0, 0)
        );
    });
}

#[test]
fn open_and_connect_fail_with_a_typed_error_off_the_browser() {
    let open = Socket::builder("ws://127.0.0.1:1/").open().map(|_| ());
    assert_eq!(code(open), NO_BROWSER);
    let connect = now(async { Socket::connect("ws://127.0.0.1:1/").await.map(|_| ()) });
    assert_eq!(code(connect), NO_BROWSER);
    // The configuration is still checked.
    let bad = Socket::builder("/x").max_message_size(0).open().map(|_| ());
    assert!(code(bad).starts_with("invalid_option"));
}
