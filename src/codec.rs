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
