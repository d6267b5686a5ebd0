//! A component crate as a Yew SSR application has it: the README's Yew example, verbatim
//! (`src/readme_yew.rs`, checked against README.md below), and a probe of what the hook's
//! handles do on the server. Built natively with Yew's `ssr` feature; `cargo test` renders
//! both with `ServerRenderer`.

use resocket::codec::Json;
use resocket::yew::use_socket;
use resocket::{Error, Message, Socket};
use serde::{Deserialize, Serialize};
use yew::prelude::*;

/// The README's message type.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Chat {
    pub from: String,
    pub text: String,
}

/// The README's `Room`.
pub mod readme {
    use super::Chat;
    include!("readme_yew.rs");

    /// The README's component, for the renderer.
    #[function_component]
    pub fn ReadmeRoom() -> Html {
        html! { <Room /> }
    }
}

/// Uses every handle of the hook during the server render and shows what came back.
#[function_component]
pub fn Probe() -> Html {
    let ws = use_socket(
        || Socket::builder("/chat").codec(Json::<Chat>::new()),
        Callback::from(|_: Result<Chat, Error>| panic!("on_message is never called on the server")),
    );
    let s = &ws.sender;
    // Fire-and-forget sends: nothing happens, nothing panics.
    s.send(Chat {
        from: "ssr".into(),
        text: "hi".into(),
    });
    s.send_message(Message::from("raw"));
    s.send_json(&"json");
    let code = |r: Result<(), Error>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{}: {e}", e.code()),
    };
    let try_send = code(s.try_send(Chat {
        from: "ssr".into(),
        text: "hi".into(),
    }));
    let close = code(ws.close(1000, ""));
    let reconnect = code(ws.reconnect());
    let send_async = code(now(s.send_async(Chat {
        from: "ssr".into(),
        text: "hi".into(),
    })));
    let flush = code(now(s.flush()));
    let stats = ws.stats().map(|s| s.messages_in);
    html! {
        <dl>
            <dt>{ "state" }</dt><dd class="state">{ ws.state.name() }</dd>
            <dt>{ "ready" }</dt><dd class="ready">{ format!("{:?}", ws.ready_state) }</dd>
            <dt>{ "counts" }</dt>
            <dd class="counts">{ format!("{} {} {}", ws.buffered_amount, ws.queued_amount, ws.retry_count) }</dd>
            <dt>{ "try_send" }</dt><dd class="try-send">{ try_send }</dd>
            <dt>{ "send_async" }</dt><dd class="send-async">{ send_async }</dd>
            <dt>{ "flush" }</dt><dd class="flush">{ flush }</dd>
            <dt>{ "close" }</dt><dd class="close">{ close }</dd>
            <dt>{ "reconnect" }</dt><dd class="reconnect">{ reconnect }</dd>
            <dt>{ "stats" }</dt><dd class="stats">{ format!("{stats:?}") }</dd>
            <dt>{ "sender" }</dt><dd class="sender">{ s.sender().is_some() }</dd>
        </dl>
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

#[cfg(test)]
mod tests {
    use super::*;

    const NO_BROWSER: &str = "js: JavaScript error: no browser WebSocket on this target";

    #[test]
    fn the_readme_example_is_this_one() {
        let readme = include_str!("../../../README.md");
        let ours = include_str!("readme_yew.rs");
        assert!(
            readme.contains(&format!("```rust\n{ours}```")),
            "README.md's Yew example differs from tests/yew-ssr/src/readme_yew.rs"
        );
    }

    #[tokio::test]
    async fn the_readme_example_renders_its_initial_state() {
        let html = yew::ServerRenderer::<readme::ReadmeRoom>::new()
            .render()
            .await;
        assert!(html.contains("<b>connecting</b>"), "{html}");
        assert!(html.contains(" retries 0 queued 0"), "{html}");
        assert!(html.contains("<button>Say hi</button>"), "{html}");
    }

    #[tokio::test]
    async fn handles_do_nothing_and_fail_without_panicking_on_the_server() {
        let html = yew::ServerRenderer::<Probe>::new()
            .hydratable(false)
            .render()
            .await;
        for (class, want) in [
            ("state", "connecting"),
            ("ready", "Connecting"),
            ("counts", "0 0 0"),
            ("try-send", NO_BROWSER),
            ("send-async", NO_BROWSER),
            ("flush", NO_BROWSER),
            ("close", NO_BROWSER),
            ("reconnect", NO_BROWSER),
            ("stats", "Some(0)"),
            ("sender", "false"),
        ] {
            let tag = format!("<dd class=\"{class}\">{want}</dd>");
            assert!(html.contains(&tag), "want {tag} in {html}");
        }
    }
}
