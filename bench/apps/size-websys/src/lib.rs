//! The minimal program of size-resocket on a raw web-sys `WebSocket`: open, resolve on
//! `open`, send one greeting, hand every message to `on_message`. No reconnection, queue
//! or backpressure.
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, WebSocket};

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
pub fn start(url: String, on_message: Function) -> Result<Promise, JsValue> {
    let ws = WebSocket::new(&url)?;
    let onmessage = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        if let Some(text) = e.data().as_string().and_then(text_of) {
            let _ = on_message.call1(&JsValue::NULL, &JsValue::from_str(&text));
        }
    });
    ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
    onmessage.forget();
    Ok(Promise::new(&mut |resolve, _reject| {
        let socket = ws.clone();
        let onopen = Closure::once_into_js(move || {
            let _ = socket.send_with_str(&greeting());
            let _ = resolve.call0(&JsValue::NULL);
        });
        ws.set_onopen(Some(onopen.unchecked_ref()));
    }))
}
