//! The server: axum renders the chat page with Leptos (`leptos_axum`), serves the hydrate
//! bundle and the stylesheet from the site directory, and hosts the chat room at `/ws`
//! with axum's WebSocket support: every text frame `{"text": ...}` from a link is
//! broadcast to every link as `{"from": "guest-N", "text": ...}`.
//!
//! ```text
//! leptos-ssr [--addr 127.0.0.1:3000] [--site DIR] [--port-file FILE] [--test-hooks]
//! ```
//! `--addr` with port 0 picks a free port (written to `--port-file`); `--site` is where
//! `pkg/` and `style.css` are (default: `dist/` next to this crate's Cargo.toml);
//! `--test-hooks` adds a script to `<head>` that records console messages for the browser
//! test (scripts/test-ssr.sh).

#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    if let Err(e) = server::run().await {
        eprintln!("leptos-ssr: {e}");
        std::process::exit(1);
    }
}

#[cfg(not(feature = "ssr"))]
fn main() {
    eprintln!("build the server with --features ssr");
}

#[cfg(feature = "ssr")]
mod server {
    use std::net::SocketAddr;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Arc;

    use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
    use axum::response::Response;
    use axum::routing::get;
    use axum::Router;
    use leptos::prelude::LeptosOptions;
    use leptos_axum::{generate_route_list, LeptosRoutes};
    use leptos_ssr::app::{shell, App, Chat, Say};
    use tokio::sync::broadcast;

    /// Records console output and errors, and what the server rendered, before any module
    /// runs (`--test-hooks`).
    const CONSOLE_RECORDER: &str = r#"(() => {
  const seen = (window.__consoleLog = []);
  for (const level of ["log", "info", "warn", "error", "debug"]) {
    const real = console[level].bind(console);
    console[level] = (...args) => { seen.push({ level, text: args.map(String).join(" ") }); real(...args); };
  }
  addEventListener("error", (e) => seen.push({ level: "uncaught", text: String(e.message) }));
  addEventListener("unhandledrejection", (e) => seen.push({ level: "uncaught", text: String(e.reason) }));
  // "interactive": parsed, before any module script (so before hydration) runs.
  document.addEventListener("readystatechange", () => {
    if (document.readyState !== "interactive") return;
    window.__ssrMain = document.querySelector("main");
    window.__ssrState = document.querySelector(".state")?.textContent;
  });
})();"#;

    /// The longest chat text relayed, in characters; longer texts are cut.
    const MAX_TEXT: usize = 2_000;
    /// The largest frame accepted from a link, in bytes.
    const MAX_FRAME: usize = 16 * 1024;

    struct Args {
        addr: Option<SocketAddr>,
        site: Option<String>,
        port_file: Option<String>,
        test_hooks: bool,
    }

    fn args() -> Result<Args, String> {
        let mut out = Args {
            addr: None,
            site: None,
            port_file: None,
            test_hooks: false,
        };
        let mut it = std::env::args().skip(1);
        while let Some(a) = it.next() {
            let mut value = || it.next().ok_or(format!("{a} needs a value"));
            match a.as_str() {
                "--addr" => out.addr = Some(value()?.parse().map_err(|e| format!("--addr: {e}"))?),
                "--site" => out.site = Some(value()?),
                "--port-file" => out.port_file = Some(value()?),
                "--test-hooks" => out.test_hooks = true,
                _ => return Err(format!("unknown argument {a}")),
            }
        }
        Ok(out)
    }

    pub async fn run() -> Result<(), String> {
        let args = args()?;
        // The `[package.metadata.leptos]` of Cargo.toml, as cargo-leptos would read it;
        // `LEPTOS_*` environment variables override it.
        let manifest = concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml");
        let mut options: LeptosOptions = leptos::config::get_configuration(Some(manifest))
            .map_err(|e| format!("{manifest}: {e}"))?
            .leptos_options;
        options.site_root = match args.site {
            Some(site) => site.into(),
            None => concat!(env!("CARGO_MANIFEST_DIR"), "/dist").into(),
        };
        if let Some(addr) = args.addr {
            options.site_addr = addr;
        }
        let head_script = args.test_hooks.then_some(CONSOLE_RECORDER);

        let (room, _) = broadcast::channel::<String>(256);
        let names = Arc::new(AtomicU64::new(0));
        let page = {
            let options = options.clone();
            move || shell(options.clone(), head_script)
        };
        // The Leptos docs' setup: the routes of `App` (it has no router, so just "/"),
        // rendered into the shell; `leptos_routes` also starts Leptos' executor on tokio.
        let routes = generate_route_list(App);
        let app = Router::new()
            .leptos_routes(&options, routes, page)
            .route(
                "/ws",
                get(move |ws: WebSocketUpgrade| {
                    let name = format!("guest-{}", names.fetch_add(1, Ordering::Relaxed) + 1);
                    let room = room.clone();
                    async move { chat(ws, room, name) }
                }),
            )
            // `/pkg/*` and `/style.css` from the site directory; anything else renders the
            // page with a 404 status (the Leptos docs' fallback).
            .fallback(leptos_axum::file_and_error_handler(move |o| {
                shell(o, head_script)
            }))
            .with_state(options.clone());

        let listener = tokio::net::TcpListener::bind(options.site_addr)
            .await
            .map_err(|e| format!("bind {}: {e}", options.site_addr))?;
        let addr = listener.local_addr().map_err(|e| e.to_string())?;
        if let Some(file) = args.port_file {
            std::fs::write(&file, addr.port().to_string()).map_err(|e| format!("{file}: {e}"))?;
        }
        println!("listening on http://{addr}/ (site {})", options.site_root);
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| e.to_string())
    }

    /// Upgrade one link and relay it to and from the room until either side ends.
    fn chat(ws: WebSocketUpgrade, room: broadcast::Sender<String>, name: String) -> Response {
        ws.max_message_size(MAX_FRAME)
            .on_upgrade(move |socket| relay(socket, room, name))
    }

    async fn relay(mut socket: WebSocket, room: broadcast::Sender<String>, name: String) {
        let mut inbox = room.subscribe();
        loop {
            tokio::select! {
                frame = socket.recv() => match frame {
                    Some(Ok(Message::Text(text))) => {
                        // Anything that is not a `Say` is ignored, not echoed.
                        let Ok(say) = serde_json::from_str::<Say>(&text) else { continue };
                        let text: String = say.text.chars().take(MAX_TEXT).collect();
                        let chat = Chat { from: name.clone(), text };
                        if let Ok(json) = serde_json::to_string(&chat) {
                            let _ = room.send(json); // fails only when nobody listens
                        }
                    }
                    Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                    Some(Ok(_)) => {} // binary, ping, pong: axum answers pings itself
                },
                out = inbox.recv() => match out {
                    Ok(json) => {
                        if socket.send(Message::Text(json.into())).await.is_err() {
                            break;
                        }
                    }
                    // A link too slow for the room skips what it missed.
                    Err(broadcast::error::RecvError::Lagged(_)) => {}
                    Err(broadcast::error::RecvError::Closed) => break,
                },
            }
        }
    }
}
