//! Typed messages: a [`Codec`] turns values into frames and frames into values.

use crate::{Error, Message};

/// Encodes outbound values into frames and decodes inbound frames into values.
///
/// A frame that does not decode is reported as [`Error::Decode`] carrying the raw frame;
/// the connection stays open and later frames keep arriving.
pub trait Codec {
    /// What the socket yields for each inbound frame.
    type In;
    /// What the socket accepts for sending.
    type Out;

    /// Turn a value into a frame.
    ///
    /// # Errors
    /// [`Error::Encode`] when the value cannot be represented.
    fn encode(&self, item: &Self::Out) -> Result<Message, Error>;

    /// Turn a frame into a value.
    ///
    /// # Errors
    /// [`Error::Decode`] with the frame handed back unchanged.
    fn decode(&self, frame: Message) -> Result<Self::In, Error>;
}

/// The identity codec: frames in, frames out.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Raw;

impl Codec for Raw {
    type In = Message;
    type Out = Message;

    fn encode(&self, item: &Message) -> Result<Message, Error> {
        Ok(item.clone())
    }

    fn decode(&self, frame: Message) -> Result<Message, Error> {
        Ok(frame)
    }
}

/// JSON over text frames (serde_json). Binary frames holding UTF-8 JSON decode too.
///
/// `In` is the type received, `Out` the type sent (the same by default).
///
/// ```
/// use resocket::{codec::Json, Codec, Message};
/// #[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
/// struct Chat { from: String, text: String }
///
/// let codec = Json::<Chat>::new();
/// let frame = codec.encode(&Chat { from: "ann".into(), text: "hi".into() }).unwrap();
/// assert_eq!(frame, Message::Text(r#"{"from":"ann","text":"hi"}"#.into()));
/// assert_eq!(codec.decode(frame).unwrap().text, "hi");
/// assert!(codec.decode(Message::Text("not json".into())).is_err());
/// ```
#[cfg(feature = "json")]
pub struct Json<In, Out = In>(core::marker::PhantomData<fn(Out) -> In>);

#[cfg(feature = "json")]
impl<In, Out> Json<In, Out> {
    /// A JSON codec.
    pub const fn new() -> Self {
        Json(core::marker::PhantomData)
    }
}

#[cfg(feature = "json")]
impl<In, Out> Default for Json<In, Out> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(feature = "json")]
impl<In, Out> Clone for Json<In, Out> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

#[cfg(feature = "json")]
impl<In, Out> core::fmt::Debug for Json<In, Out> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("Json")
    }
}

#[cfg(feature = "json")]
impl<In, Out> Codec for Json<In, Out>
where
    In: serde::de::DeserializeOwned,
    Out: serde::Serialize,
{
    type In = In;
    type Out = Out;

    fn encode(&self, item: &Out) -> Result<Message, Error> {
        serde_json::to_string(item)
            .map(Message::Text)
            .map_err(|e| Error::Encode(e.to_string()))
    }

    fn decode(&self, frame: Message) -> Result<In, Error> {
        let parsed = match &frame {
            Message::Text(s) => serde_json::from_str(s),
            Message::Binary(b) => serde_json::from_slice(b),
        };
        parsed.map_err(|e| Error::Decode {
            error: e.to_string(),
            frame,
        })
    }
}

/// JSON over text frames, parsed and written by the browser: `JSON.parse` /
/// `JSON.stringify` (`js_sys::JSON`) with [serde-wasm-bindgen] between the JS value and
/// the Rust type. Binary frames holding UTF-8 JSON decode too. wasm32 only (feature
/// `js-json`).
///
/// **Json or JsJson?** Both take the same serde types and give the same errors
/// ([`Error::Decode`] with the frame, [`Error::Encode`]). `JsJson` is a little smaller,
/// [`Json`] is much faster. Measured in Chromium (docs/BENCHMARKS.md, "Json or JsJson"):
///
/// | | `Json` | `JsJson` |
/// |---|---:|---:|
/// | minimal app, wasm + glue, gzip (B1) | 57.4 KiB | 54.5 KiB (no serde_json) |
/// | decode 31 B / 124 B, per message (B6) | 0.5 / 1.6 µs | 1.7 / 3.5 µs |
/// | encode 31 B / 124 B, per message (B6) | 0.7 / 1.1 µs | 1.4 / 4.8 µs |
///
/// serde-wasm-bindgen crosses the wasm boundary once per field and per string, and its
/// error messages link `core`'s float formatting, so the saving is ~3 KiB, not the
/// ~15 KiB serde_json costs (an unused `Json` links nothing, so the default `json` feature
/// may stay on). Pick `JsJson` only when those KiB matter more than 1–4 µs per message;
/// `Json` otherwise.
///
/// Differences from [`Json`]: numbers are JS doubles, so an integer outside ±(2⁵³ − 1)
/// does not encode (an [`Error::Encode`]) and is not decoded exactly; maps become objects.
///
/// ```no_run
/// # #[cfg(target_arch = "wasm32")]
/// # async fn demo() -> Result<(), resocket::Error> {
/// use futures::StreamExt;
/// use resocket::{codec::JsJson, Socket};
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// struct Chat { from: String, text: String }
///
/// let mut socket = Socket::builder("/chat").codec(JsJson::<Chat>::new()).connect().await?;
/// socket.send(Chat { from: "ann".into(), text: "hi".into() }).await?;
/// while let Some(item) = socket.next().await {
///     match item {
///         Ok(chat) => println!("{}: {}", chat.from, chat.text),
///         // a frame that JSON.parse refuses, or of the wrong shape, never panics:
///         Err(resocket::Error::Decode { error, frame }) => eprintln!("{error}: {frame:?}"),
///         Err(e) => eprintln!("{e}"),
///     }
/// }
/// # Ok(()) }
/// # fn main() {}
/// ```
///
/// [serde-wasm-bindgen]: https://docs.rs/serde-wasm-bindgen
#[cfg(all(target_arch = "wasm32", feature = "js-json"))]
pub struct JsJson<In, Out = In>(core::marker::PhantomData<fn(Out) -> In>);

#[cfg(all(target_arch = "wasm32", feature = "js-json"))]
impl<In, Out> JsJson<In, Out> {
    /// A JSON codec on the browser's `JSON` object.
    pub const fn new() -> Self {
        JsJson(core::marker::PhantomData)
    }
}

#[cfg(all(target_arch = "wasm32", feature = "js-json"))]
impl<In, Out> Default for JsJson<In, Out> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(all(target_arch = "wasm32", feature = "js-json"))]
impl<In, Out> Clone for JsJson<In, Out> {
    fn clone(&self) -> Self {
        Self::new()
    }
}

#[cfg(all(target_arch = "wasm32", feature = "js-json"))]
impl<In, Out> core::fmt::Debug for JsJson<In, Out> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("JsJson")
    }
}

#[cfg(all(target_arch = "wasm32", feature = "js-json"))]
impl<In, Out> Codec for JsJson<In, Out>
where
    In: serde::de::DeserializeOwned,
    Out: serde::Serialize,
{
    type In = In;
    type Out = Out;

    fn encode(&self, item: &Out) -> Result<Message, Error> {
        // Plain objects for maps, `null` for `None`/`()`: what serde_json would write.
        let serializer = serde_wasm_bindgen::Serializer::json_compatible();
        let value = item
            .serialize(&serializer)
            .map_err(|e| Error::Encode(e.to_string()))?;
        let text =
            js_sys::JSON::stringify(&value).map_err(|e| Error::Encode(crate::web::js_text(&e)))?;
        text.as_string()
            .map(Message::Text)
            .ok_or_else(|| Error::Encode("value has no JSON form".into()))
    }

    fn decode(&self, frame: Message) -> Result<In, Error> {
        let text = match &frame {
            Message::Text(s) => Ok(s.as_str()),
            Message::Binary(b) => core::str::from_utf8(b).map_err(|e| e.to_string()),
        };
        // JSON.parse throws a SyntaxError on bad input: js_sys hands it back as `Err`.
        let parsed = text.and_then(|t| js_sys::JSON::parse(t).map_err(|e| crate::web::js_text(&e)));
        let value =
            parsed.and_then(|v| serde_wasm_bindgen::from_value(v).map_err(|e| e.to_string()));
        value.map_err(|error| Error::Decode { error, frame })
    }
}

/// Encode a value as a JSON text frame.
#[cfg(feature = "json")]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn json_frame<T: serde::Serialize + ?Sized>(value: &T) -> Result<Message, Error> {
    serde_json::to_string(value)
        .map(Message::Text)
        .map_err(|e| Error::Encode(e.to_string()))
}

#[cfg(all(test, feature = "json"))]
mod tests {
    use super::*;
    use serde::{Deserialize, Serialize};

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(tag = "type", rename_all = "snake_case")]
    enum Event {
        Joined { room: String, members: Vec<u32> },
        Left { id: u32 },
    }

    #[test]
    fn round_trips_tagged_enum() {
        let c = Json::<Event>::new();
        let v = Event::Joined {
            room: "a".into(),
            members: vec![1, 2],
        };
        let frame = c.encode(&v).unwrap();
        assert!(matches!(frame, Message::Text(_)));
        assert_eq!(c.decode(frame).unwrap(), v);
    }

    #[test]
    fn decodes_binary_utf8_json() {
        let c = Json::<Event>::new();
        let f = Message::Binary(br#"{"type":"left","id":7}"#.to_vec());
        assert_eq!(c.decode(f).unwrap(), Event::Left { id: 7 });
    }

    #[test]
    fn decode_error_carries_raw_frame() {
        let c = Json::<Event>::new();
        let bad = Message::Text("{oops".into());
        let result = c.decode(bad.clone());
        assert!(
            matches!(&result, Err(Error::Decode { frame, error }) if *frame == bad && !error.is_empty()),
            "expected a decode error carrying the frame, got {result:?}"
        );
    }

    #[test]
    fn wrong_shape_is_a_decode_error_too() {
        let c = Json::<Event>::new();
        let f = Message::Text(r#"{"type":"left","id":"seven"}"#.into());
        assert_eq!(c.decode(f).unwrap_err().code(), "decode");
    }

    #[test]
    fn encode_error_is_typed() {
        use std::collections::HashMap;
        let mut m = HashMap::new();
        m.insert((1, 2), 3); // tuple keys are not JSON object keys
        assert_eq!(json_frame(&m).unwrap_err().code(), "encode");
    }

    #[test]
    fn raw_is_identity() {
        let m = Message::Binary(vec![0, 255]);
        assert_eq!(Raw.decode(Raw.encode(&m).unwrap()).unwrap(), m);
    }
}
