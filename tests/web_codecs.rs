//! Browser suite: the browser-side codec and the gloo-net interop (features `js-json`,
//! `gloo`).
//!
//! Proves:
//! - `JsJson` round-trips a tagged enum and a nested struct, writes the same text as `Json`
//!   (but `1` for a whole float where serde_json writes `1.0`) and decodes what `Json`
//!   writes; binary frames holding UTF-8 JSON decode;
//! - what `JSON.parse` throws on (bad JSON, invalid UTF-8 in a binary frame) and a value of
//!   the wrong shape are `Error::Decode` carrying the frame unchanged, never a panic;
//! - a value JSON cannot carry exactly (u64 over 2^53, a map with tuple keys) is
//!   `Error::Encode`;
//! - through a socket: typed echo with `JsJson`, and a bad frame between good ones is a
//!   decode error while the next good frame still arrives;
//! - `resocket::Message` ↔ `gloo_net::websocket::Message` both ways, and a socket fed and
//!   read through gloo-net's type.
#![cfg(all(target_arch = "wasm32", feature = "js-json", feature = "gloo"))]

mod common;

use std::collections::{BTreeMap, HashMap};

use common::*;
use futures::StreamExt;
use gloo_net::websocket::Message as GlooMessage;
use resocket::codec::{JsJson, Json};
use resocket::{Codec, Error, Message, Socket};
use serde::{Deserialize, Serialize};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Event {
    Joined { room: String, members: Vec<u32> },
    Left { id: u32 },
    Ping,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Chat {
    from: String,
    text: String,
    ts: u64,
    tags: Vec<String>,
    reply_to: Option<u32>,
    meta: BTreeMap<String, f64>,
    event: Event,
}

fn chat() -> Chat {
    Chat {
        from: "ann".into(),
        text: "héllo \"there\" \u{1F600}".into(),
        ts: 1_732_250_000_000,
        tags: vec!["a".into(), "b".into()],
        reply_to: None,
        meta: BTreeMap::from([("score".into(), 0.5), ("weight".into(), -3.25)]),
        event: Event::Joined {
            room: "lobby".into(),
            members: vec![1, 2],
        },
    }
}

#[wasm_bindgen_test]
fn js_json_round_trips_and_matches_json() {
    let js = JsJson::<Chat>::new();
    let frame = js.encode(&chat()).unwrap();
    assert!(matches!(frame, Message::Text(_)));
    assert_eq!(
        frame,
        Json::<Chat>::new().encode(&chat()).unwrap(),
        "same text as serde_json"
    );
    assert_eq!(js.decode(frame.clone()).unwrap(), chat());
    assert_eq!(Json::<Chat>::new().decode(frame).unwrap(), chat());
    // One difference in the text: a whole float is written as JS writes it (`1`, not `1.0`);
    // both codecs read both forms.
    let (whole_js, whole_json) = (
        JsJson::<f64>::new().encode(&1.0).unwrap(),
        Json::<f64>::new().encode(&1.0).unwrap(),
    );
    assert_eq!(
        (whole_js.as_text(), whole_json.as_text()),
        (Some("1"), Some("1.0"))
    );
    assert_eq!(JsJson::<f64>::new().decode(whole_json).unwrap(), 1.0);

    let events = JsJson::<Event>::new();
    for e in [Event::Left { id: 7 }, Event::Ping] {
        assert_eq!(events.decode(events.encode(&e).unwrap()).unwrap(), e);
    }
    let bin = Message::Binary(br#"{"type":"left","id":7}"#.to_vec());
    assert_eq!(events.decode(bin).unwrap(), Event::Left { id: 7 });
}

#[wasm_bindgen_test]
fn js_json_decode_errors_carry_the_frame() {
    let c = JsJson::<Event>::new();
    let bad = [
        Message::Text("{oops".into()), // JSON.parse throws
        Message::Text(String::new()),  // so does the empty string
        Message::Text(r#"{"type":"left","id":"seven"}"#.into()), // wrong shape
        Message::Text(r#"{"type":"nope"}"#.into()), // unknown variant
        Message::Text("null".into()),
        Message::Binary(vec![b'{', 0xff, b'}']), // not UTF-8
    ];
    for frame in bad {
        let result = c.decode(frame.clone());
        assert!(
            matches!(&result, Err(Error::Decode { frame: f, error }) if *f == frame && !error.is_empty()),
            "expected a decode error carrying {frame:?}, got {result:?}"
        );
    }
    // Integers are JS doubles: a fraction is not a u32.
    let n = JsJson::<u32>::new();
    assert_eq!(
        n.decode(Message::Text("1.5".into())).unwrap_err().code(),
        "decode"
    );
    assert_eq!(n.decode(Message::Text("42".into())).unwrap(), 42);
}

#[wasm_bindgen_test]
fn js_json_encode_errors_are_typed() {
    let big = JsJson::<u64>::new().encode(&(1u64 << 60));
    assert_eq!(big.unwrap_err().code(), "encode");
    assert_eq!(
        JsJson::<u64>::new().encode(&((1u64 << 53) - 1)).unwrap(),
        Message::Text("9007199254740991".into())
    );
    let mut m = HashMap::new();
    m.insert((1, 2), 3); // tuple keys are not JSON object keys
    let tuple_keys = JsJson::<HashMap<(i32, i32), i32>>::new().encode(&m);
    assert_eq!(tuple_keys.unwrap_err().code(), "encode");
    // `None` is `null`, as serde_json writes it.
    assert_eq!(
        JsJson::<Option<u8>>::new().encode(&None).unwrap(),
        Message::Text("null".into())
    );
}

#[wasm_bindgen_test]
async fn js_json_through_a_socket() {
    let t = tag("jsjson");
    let mut s = Socket::builder(ws_url(&format!("/echo?tag={t}")))
        .codec(JsJson::<Chat>::new())
        .connect()
        .await
        .unwrap();
    s.send(chat()).await.unwrap();
    let got = within(5_000, "typed echo", s.next()).await.unwrap();
    assert_eq!(got.unwrap(), chat());

    // A bad frame between good ones: a decode error, then the next good frame.
    s.send_message(Message::Text("not json".into()))
        .await
        .unwrap();
    let mut second = chat();
    second.reply_to = Some(1);
    s.send(second.clone()).await.unwrap();
    let bad = within(5_000, "bad frame", s.next()).await.unwrap();
    assert!(
        matches!(&bad, Err(Error::Decode { frame, .. }) if *frame == Message::Text("not json".into())),
        "got {bad:?}"
    );
    let good = within(5_000, "good frame after a bad one", s.next())
        .await
        .unwrap();
    assert_eq!(good.unwrap(), second);
    s.close(1000, "").unwrap();
}

#[wasm_bindgen_test]
fn gloo_messages_convert_both_ways() {
    let text = GlooMessage::Text("hi".into());
    let bytes = GlooMessage::Bytes(vec![0, 255]);
    assert_eq!(Message::from(text), Message::Text("hi".into()));
    assert_eq!(Message::from(bytes), Message::Binary(vec![0, 255]));
    assert!(
        matches!(GlooMessage::from(Message::Text("hi".into())), GlooMessage::Text(t) if t == "hi")
    );
    assert!(
        matches!(GlooMessage::from(Message::Binary(vec![0, 255])), GlooMessage::Bytes(b) if b == [0, 255])
    );
}

#[wasm_bindgen_test]
async fn a_socket_through_gloo_messages() {
    let t = tag("gloo");
    let mut s = Socket::connect(&ws_url(&format!("/echo?tag={t}")))
        .await
        .unwrap();
    s.send(GlooMessage::Text("hi".into()).into()).await.unwrap();
    s.send(GlooMessage::Bytes(vec![0, 255]).into())
        .await
        .unwrap();
    let first = within(5_000, "text echo", s.next()).await.unwrap();
    assert!(matches!(first.map(GlooMessage::from), Ok(GlooMessage::Text(t)) if t == "hi"));
    let second = within(5_000, "binary echo", s.next()).await.unwrap();
    assert!(matches!(second.map(GlooMessage::from), Ok(GlooMessage::Bytes(b)) if b == [0, 255]));
    // The server saw both, read back with the gloo-net control call.
    let stats = control(&format!("stats?tag={t}")).await;
    assert_eq!(stats["messages_in"], 2, "{stats}");
    assert_eq!(stats["bytes_in"], 4, "{stats}");
    s.close(1000, "").unwrap();
}
