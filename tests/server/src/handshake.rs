//! The WebSocket opening handshake: path check, subprotocol answer and read limits.

use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::http::{self, header, HeaderValue};
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::WebSocketStream;

use crate::endpoint::{Kind, MAX_BIG};

/// A WebSocket over a plain TCP stream.
pub type Ws = WebSocketStream<TcpStream>;

/// Completes the handshake, capturing the request target; unknown paths get a 404.
#[allow(clippy::result_large_err)] // the callback's error type is fixed by tungstenite
pub async fn accept(stream: TcpStream) -> Option<(Ws, String)> {
    let mut target = None;
    let callback = |req: &Request, mut resp: Response| -> Result<Response, ErrorResponse> {
        let t = req.uri().path_and_query().map_or("/", |p| p.as_str());
        let Some(kind) = Kind::parse(t) else {
            return Err(not_found());
        };
        if let Some(p) = answer(&kind, req) {
            resp.headers_mut().insert(header::SEC_WEBSOCKET_PROTOCOL, p);
        }
        target = Some(t.to_string());
        Ok(resp)
    };
    // Large enough for `/big` messages echoed back; tungstenite's own defaults are smaller.
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_BIG))
        .max_frame_size(Some(MAX_BIG));
    let ws = tokio_tungstenite::accept_hdr_async_with_config(stream, callback, Some(config))
        .await
        .ok()?;
    Some((ws, target?))
}

/// The `Sec-WebSocket-Protocol` answer: `/subprotocol`'s fixed value whatever was offered,
/// else the first offered one (browsers fail the connection unless an offered one is chosen).
fn answer(kind: &Kind, req: &Request) -> Option<HeaderValue> {
    if let Kind::Subprotocol { proto } = kind {
        return HeaderValue::from_str(proto).ok();
    }
    let offered = req.headers().get(header::SEC_WEBSOCKET_PROTOCOL)?;
    let first = offered.to_str().ok()?.split(',').next()?;
    HeaderValue::from_str(first.trim()).ok()
}

fn not_found() -> ErrorResponse {
    let body = "404 Not Found\n".to_string();
    http::Response::builder()
        .status(http::StatusCode::NOT_FOUND)
        .header("Content-Type", "text/plain; charset=utf-8")
        .header("Content-Length", body.len())
        .header("Access-Control-Allow-Origin", "*")
        .header("Cache-Control", "no-store")
        .header("Connection", "close")
        .body(Some(body))
        .unwrap_or_default()
}
