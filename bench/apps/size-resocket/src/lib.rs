//! The minimal program every B1 size variant implements: open a socket, resolve when it is
//! open, send one greeting and hand every message received to `on_message` (the decoded
//! `text` field with `--features json` (Json codec) or `--features js-json` (JsJson codec),
//! the raw text otherwise).
use futures_util::StreamExt;
use js_sys::Function;
use resocket::Socket;
use wasm_bindgen::prelude::*;

#[cfg(any(feature = "json", feature = "js-json"))]
#[derive(serde::Serialize, serde::Deserialize)]
struct Chat {
    from: String,
    text: String,
}

#[cfg(feature = "json")]
type ChatCodec = resocket::codec::Json<Chat>;
#[cfg(all(feature = "js-json", not(feature = "json")))]
type ChatCodec = resocket::codec::JsJson<Chat>;

fn err(e: resocket::Error) -> JsValue {
    JsValue::from_str(&e.to_string())
}

#[cfg(not(any(feature = "json", feature = "js-json")))]
#[wasm_bindgen]
pub async fn start(url: String, on_message: Function) -> Result<(), JsValue> {
    use resocket::Message;
    let mut socket = Socket::connect(&url).await.map_err(err)?;
    socket
        .send(Message::Text("hello".into()))
        .await
        .map_err(err)?;
    wasm_bindgen_futures::spawn_local(async move {
        while let Some(item) = socket.next().await {
            if let Ok(Message::Text(t)) = item {
                let _ = on_message.call1(&JsValue::NULL, &JsValue::from_str(&t));
            }
        }
    });
    Ok(())
}

#[cfg(any(feature = "json", feature = "js-json"))]
#[wasm_bindgen]
pub async fn start(url: String, on_message: Function) -> Result<(), JsValue> {
    let mut socket = Socket::builder(url)
        .codec(ChatCodec::new())
        .connect()
        .await
        .map_err(err)?;
    let hello = Chat {
        from: "bench".into(),
        text: "hello".into(),
    };
    socket.send(hello).await.map_err(err)?;
    wasm_bindgen_futures::spawn_local(async move {
        while let Some(item) = socket.next().await {
            if let Ok(chat) = item {
                let _ = on_message.call1(&JsValue::NULL, &JsValue::from_str(&chat.text));
            }
        }
    });
    Ok(())
}
