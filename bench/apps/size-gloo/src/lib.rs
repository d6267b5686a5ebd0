//! The minimal program of size-resocket on gloo-net's `WebSocket`: open, resolve once the
//! greeting is sent (gloo's sink waits for `open`), hand every message to `on_message`.
use futures_util::{SinkExt, StreamExt};
use gloo_net::websocket::{futures::WebSocket, Message};
use js_sys::Function;
use wasm_bindgen::prelude::*;

#[cfg(feature = "json")]
#[derive(serde::Serialize, serde::Deserialize)]
struct Chat {
    from: String,
    text: String,
}

#[cfg(not(feature = "json"))]
fn greeting() -> String {
    "hello".into()
}

#[cfg(feature = "json")]
fn greeting() -> String {
    let hello = Chat {
        from: "bench".into(),
        text: "hello".into(),
    };
    serde_json::to_string(&hello).unwrap_or_default()
}

#[cfg(not(feature = "json"))]
fn text_of(s: String) -> Option<String> {
    Some(s)
}

#[cfg(feature = "json")]
fn text_of(s: String) -> Option<String> {
    serde_json::from_str::<Chat>(&s).ok().map(|c| c.text)
}

#[wasm_bindgen]
pub async fn start(url: String, on_message: Function) -> Result<(), JsValue> {
    let ws = WebSocket::open(&url).map_err(|e| JsValue::from_str(&e.to_string()))?;
    let (mut tx, mut rx) = ws.split();
    tx.send(Message::Text(greeting()))
        .await
        .map_err(|e| JsValue::from_str(&e.to_string()))?;
    wasm_bindgen_futures::spawn_local(async move {
        let _keep = tx;
        while let Some(Ok(Message::Text(t))) = rx.next().await {
            if let Some(text) = text_of(t) {
                let _ = on_message.call1(&JsValue::NULL, &JsValue::from_str(&text));
            }
        }
    });
    Ok(())
}
