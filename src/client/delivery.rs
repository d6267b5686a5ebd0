//! Acknowledged delivery for the Rust API: [`Delivery`] (how ids and acknowledgements are
//! read), [`Sequence`] (ids for applications with none of their own) and [`Acked`].

use std::cell::Cell;
use std::fmt;
use std::rc::Rc;

use crate::core::delivery::{Ack, Id, WindowConfig};
use crate::Message;

/// Reads the id of an outbound message: `Ok(None)` for a message without one (sent as
/// usual, untracked), `Err(reason)` for an id that is there but is not a valid one.
pub(crate) type IdReader<P = Message> = Rc<dyn Fn(&P) -> Result<Option<Id>, String>>;
/// Reads an acknowledgement from an inbound message.
pub(crate) type AckReader<P = Message> = Rc<dyn Fn(&P) -> Option<Ack>>;

/// The application's two readers, as the driver keeps them.
pub(crate) struct Readers<P = Message> {
    pub(crate) id: IdReader<P>,
    pub(crate) ack: AckReader<P>,
    /// The timeout of a tracked message sent without one of its own.
    pub(crate) timeout_ms: Option<u64>,
}

impl<P> Clone for Readers<P> {
    fn clone(&self) -> Self {
        Readers {
            id: self.id.clone(),
            ack: self.ack.clone(),
            timeout_ms: self.timeout_ms,
        }
    }
}

/// Acknowledged delivery: messages with an id are kept until the peer acknowledges them,
/// and sent again on every new connection until then (at-least-once across drops).
///
/// Set it with [`Builder::delivery`](crate::Builder::delivery). It holds:
///
/// - the bounds of the credit window ([`WindowConfig`]: at most 256 unacknowledged
///   messages and 1 MiB by default). While the window is full, `send().await` waits,
///   `try_send` fails with [`Error::Full`](crate::Error::Full);
/// - an optional default timeout: a tracked message not acknowledged in time is given up
///   and handed back as [`Error::AckTimeout`](crate::Error::AckTimeout);
/// - the **id reader**, `Fn(&Message) -> Option<Id>`, run on every outbound message once
///   it is encoded: a message with an id is tracked, one without is sent as usual;
/// - the **ack reader**, `Fn(&Message) -> Option<Ack>`, run on every inbound message: an
///   acknowledgement is consumed (the socket's stream does not yield it) and releases the
///   tracked messages it covers; `None` leaves it an ordinary message.
///
/// Both readers work on the encoded [`Message`], not on the codec's typed value: one
/// reader then serves every send path (`send`, `send_message`, `send_json`, the hooks'
/// senders) and every codec, and [`Delivery::json`] needs no access to the application's
/// types. They are application code: the socket runs them with none of its state
/// borrowed, so they may call back into it, but they **must not panic** (a panic aborts
/// the WebAssembly module, with every socket of the page).
///
/// Every message with an id is tracked, whatever sends it; [`Socket::send_acked`] and
/// [`Socket::request`] additionally wait for its acknowledgement.
///
/// ```
/// use resocket::{Ack, Delivery, Id, Message, WindowConfig};
///
/// // Messages of the form "<id>|<text>", acknowledgements "ack:<id>".
/// let delivery = Delivery::new(
///     |m: &Message| match m {
///         Message::Text(t) => t.split_once('|').and_then(|(id, _)| Id::number(id.parse().ok()?)),
///         _ => None,
///     },
///     |m: &Message| match m {
///         Message::Text(t) => Some(Ack::Id(Id::number(t.strip_prefix("ack:")?.parse().ok()?)?)),
///         _ => None,
///     },
/// )
/// .window(WindowConfig::default().max_messages(64))
/// .timeout_ms(30_000);
/// # let _ = delivery;
/// ```
///
/// # The server's side
///
/// The server acknowledges every id it has processed, and drops a message whose id it
/// has already processed (a message sent again after a drop may arrive twice) but still
/// acknowledges it. With [`Delivery::json`], in a few lines of Rust (any server will do):
///
/// ```
/// use std::collections::HashSet;
/// use serde_json::{json, Value};
///
/// /// Handle one text frame of a client; the answer to send back, if any.
/// fn on_text(seen: &mut HashSet<String>, text: &str) -> Option<String> {
///     let msg: Value = serde_json::from_str(text).ok()?;
///     let id = msg.get("id")?.clone();
///     if seen.insert(id.to_string()) {
///         // First time: process `msg` here (a request's answer goes in "response").
///     }
///     Some(json!({ "ack": id }).to_string())
/// }
///
/// let mut seen = HashSet::new();
/// assert_eq!(on_text(&mut seen, r#"{"id":7,"text":"hi"}"#).as_deref(), Some(r#"{"ack":7}"#));
/// assert_eq!(on_text(&mut seen, r#"{"id":7,"text":"hi"}"#).as_deref(), Some(r#"{"ack":7}"#));
/// assert_eq!(seen.len(), 1, "the duplicate was acknowledged, not processed again");
/// ```
///
/// (`seen` grows with every id: a real server keeps the ids of a session, or with
/// [`Sequence`] ids, only the highest one processed, and may answer
/// `{"ackThrough": n}` for all of them at once.)
///
/// [`Socket::send_acked`]: crate::Socket::send_acked
/// [`Socket::request`]: crate::Socket::request
#[derive(Clone)]
pub struct Delivery {
    pub(crate) window: WindowConfig,
    pub(crate) readers: Readers,
}

impl fmt::Debug for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Delivery")
            .field("window", &self.window)
            .field("timeout_ms", &self.readers.timeout_ms)
            .finish_non_exhaustive()
    }
}

impl Delivery {
    /// Acknowledged delivery with the application's id reader and ack reader (see the
    /// type's docs; neither may panic), the default window and no timeout.
    pub fn new(
        id: impl Fn(&Message) -> Option<Id> + 'static,
        ack: impl Fn(&Message) -> Option<Ack> + 'static,
    ) -> Delivery {
        Delivery {
            window: WindowConfig::default(),
            readers: Readers {
                id: Rc::new(move |m| Ok(id(m))),
                ack: Rc::new(ack),
                timeout_ms: None,
            },
        }
    }

    /// The bounds of the credit window. Default: [`WindowConfig::default`] (256
    /// messages, 1 MiB).
    #[must_use]
    pub fn window(mut self, window: WindowConfig) -> Delivery {
        self.window = window;
        self
    }

    /// Give up a tracked message sent without a timeout of its own when it is not
    /// acknowledged within `ms` milliseconds ([`Error::AckTimeout`](crate::Error::AckTimeout)).
    /// Default: none (wait until the socket closes for good).
    #[must_use]
    pub fn timeout_ms(mut self, ms: u64) -> Delivery {
        self.readers.timeout_ms = Some(ms);
        self
    }

    /// JSON messages (text frames, or binary frames holding UTF-8 JSON): the id is the
    /// top-level field `"id"` of an outbound object (an integer from 0 to 2^53 - 1, or a
    /// string of 1 to 256 bytes), an acknowledgement is an inbound object with a field
    /// `"ack"` (one id) or `"ackThrough"` (every numeric id up to it). Rename the fields
    /// with [`JsonDelivery::id_field`], [`ack_field`](JsonDelivery::ack_field) and
    /// [`through_field`](JsonDelivery::through_field), then turn it into a [`Delivery`]
    /// with `into()` (or pass it to [`Builder::delivery`](crate::Builder::delivery) as
    /// it is).
    ///
    /// Each reader parses the message once more, skipping every value but the fields it
    /// reads; an application with large messages and ids of its own (a typed codec, a
    /// binary header) reads them cheaper with [`Delivery::new`].
    ///
    /// Only a text message that starts with `{` is read (binary frames never are). An
    /// outbound object whose `"id"` is there but is not a valid id (`-1`, `1.5`, `""`,
    /// `true`, …) is refused with [`Error::InvalidId`](crate::Error::InvalidId): it is
    /// not sent untracked (`"id": null` is no id). An inbound object is an
    /// acknowledgement when its `"ack"` is a valid id or, without one, its
    /// `"ackThrough"` a valid bound; anything else is an ordinary message. The npm
    /// package reads the same shape: both follow `tests/cases/acks.json`.
    ///
    /// ```
    /// use resocket::{Ack, Delivery, Id, Message};
    ///
    /// let d = Delivery::json().ack_field("re");
    /// assert_eq!(d.read_id(&Message::from(r#"{"id":3,"text":"hi"}"#)), Ok(Some(Id::Num(3))));
    /// assert_eq!(d.read_id(&Message::from(r#"{"text":"hi"}"#)), Ok(None));
    /// assert!(d.read_id(&Message::from(r#"{"id":-1}"#)).is_err());
    /// assert_eq!(d.read_ack(&Message::from(r#"{"re":"a7"}"#)), Some(Ack::Id(Id::Text("a7".into()))));
    /// assert_eq!(d.read_ack(&Message::from(r#"{"ackThrough":9}"#)), Some(Ack::Through(9)));
    /// assert_eq!(d.read_ack(&Message::from(r#"{"id":3}"#)), None);
    /// ```
    #[cfg(feature = "json")]
    pub fn json() -> JsonDelivery {
        JsonDelivery {
            id: "id".into(),
            ack: "ack".into(),
            through: "ackThrough".into(),
            window: WindowConfig::default(),
            timeout_ms: None,
        }
    }

    /// What the id reader says of `message` (for tests of a reader): `Err` for an id
    /// that is there but invalid.
    ///
    /// # Errors
    /// Why the id is not a valid one.
    pub fn read_id(&self, message: &Message) -> Result<Option<Id>, String> {
        (self.readers.id)(message)
    }

    /// What the ack reader says of `message` (for tests of a reader).
    pub fn read_ack(&self, message: &Message) -> Option<Ack> {
        (self.readers.ack)(message)
    }
}

/// [`Delivery::json`] before it is turned into a [`Delivery`]: the field names.
#[cfg(feature = "json")]
#[derive(Debug, Clone)]
pub struct JsonDelivery {
    id: String,
    ack: String,
    through: String,
    window: WindowConfig,
    timeout_ms: Option<u64>,
}

#[cfg(feature = "json")]
impl JsonDelivery {
    /// The outbound id's field. Default: `"id"`.
    #[must_use]
    pub fn id_field(mut self, name: &str) -> Self {
        self.id = name.into();
        self
    }

    /// The field of an acknowledgement of one id. Default: `"ack"`.
    #[must_use]
    pub fn ack_field(mut self, name: &str) -> Self {
        self.ack = name.into();
        self
    }

    /// The field of a cumulative acknowledgement. Default: `"ackThrough"`.
    #[must_use]
    pub fn through_field(mut self, name: &str) -> Self {
        self.through = name.into();
        self
    }

    /// As [`Delivery::window`].
    #[must_use]
    pub fn window(mut self, window: WindowConfig) -> Self {
        self.window = window;
        self
    }

    /// As [`Delivery::timeout_ms`].
    #[must_use]
    pub fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// As [`Delivery::read_id`].
    ///
    /// # Errors
    /// Why the id is not a valid one.
    pub fn read_id(&self, message: &Message) -> Result<Option<Id>, String> {
        Delivery::from(self.clone()).read_id(message)
    }

    /// As [`Delivery::read_ack`].
    pub fn read_ack(&self, message: &Message) -> Option<Ack> {
        Delivery::from(self.clone()).read_ack(message)
    }
}

#[cfg(feature = "json")]
impl From<JsonDelivery> for Delivery {
    fn from(j: JsonDelivery) -> Delivery {
        let id_name: Rc<str> = j.id.into();
        let (ack_name, through_name): (Rc<str>, Rc<str>) = (j.ack.into(), j.through.into());
        let id: IdReader = Rc::new(move |m| {
            let Some(v) = json::field(m, &id_name).filter(|v| !v.is_null()) else {
                return Ok(None);
            };
            json::id(&v)
                .map(Some)
                .ok_or_else(|| format!("field `{id_name}` is not an integer from 0 to 2^53 - 1 or a string of 1 to 256 bytes"))
        });
        let ack: AckReader = Rc::new(move |m| {
            let (one, all) = json::fields(m, &ack_name, &through_name)?;
            if let Some(v) = one.filter(|v| !v.is_null()) {
                return json::id(&v).map(Ack::Id);
            }
            match json::id(&all?)? {
                Id::Num(n) => Some(Ack::Through(n)),
                Id::Text(_) => None,
            }
        });
        Delivery {
            window: j.window,
            readers: Readers {
                id,
                ack,
                timeout_ms: j.timeout_ms,
            },
        }
    }
}

/// Reading top-level fields of a JSON object without building the whole value.
#[cfg(feature = "json")]
mod json {
    use std::fmt;

    use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};
    use serde_json::Value;

    use crate::core::delivery::Id;
    use crate::Message;

    /// The values of fields `a` and `b` of a top-level object (`None` when `m` is not
    /// one).
    pub(super) fn fields(m: &Message, a: &str, b: &str) -> Option<(Option<Value>, Option<Value>)> {
        let seed = Fields { a, b };
        // Only a text frame that starts with '{' is read (tests/cases/acks.json).
        match m {
            Message::Text(t) if t.starts_with('{') => seed
                .deserialize(&mut serde_json::Deserializer::from_str(t))
                .ok(),
            _ => None,
        }
    }

    /// The value of field `name` of a top-level object.
    pub(super) fn field(m: &Message, name: &str) -> Option<Value> {
        fields(m, name, name)?.0
    }

    /// An id from a JSON number or string.
    pub(super) fn id(v: &Value) -> Option<Id> {
        match v {
            Value::Number(n) => match n.as_u64() {
                Some(u) => Id::int(u),
                None => Id::number(n.as_f64()?),
            },
            Value::String(s) => Id::text(s),
            _ => None,
        }
    }

    struct Fields<'n> {
        a: &'n str,
        b: &'n str,
    }

    impl<'de> DeserializeSeed<'de> for Fields<'_> {
        type Value = (Option<Value>, Option<Value>);

        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_map(self)
        }
    }

    impl<'de> Visitor<'de> for Fields<'_> {
        type Value = (Option<Value>, Option<Value>);

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let (mut a, mut b) = (None, None);
            while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                if key == self.a && a.is_none() {
                    a = Some(map.next_value::<Value>()?);
                } else if key == self.b && b.is_none() {
                    b = Some(map.next_value::<Value>()?);
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
            }
            Ok((a, b))
        }
    }
}

/// Ids 1, 2, 3, … for applications whose messages have none of their own.
///
/// Give each message the next number before sending it, in a field the id reader reads
/// (`"id"` for [`Delivery::json`]); one sequence per socket, so that the ids of a
/// connection only grow and the server may acknowledge cumulatively (`{"ackThrough": n}`)
/// or drop duplicates by remembering the highest id it processed. With a typed message:
///
/// ```
/// use resocket::Sequence;
///
/// #[derive(serde::Serialize)]
/// struct Chat { id: u64, text: String }
///
/// let seq = Sequence::new();
/// let first = Chat { id: seq.next(), text: "hi".into() };
/// let second = Chat { id: seq.next(), text: "there".into() };
/// assert_eq!((first.id, second.id), (1, 2));
/// // socket.send_acked(first).await? with `.delivery(Delivery::json())` and `Json::<_, Chat>`.
/// ```
///
/// It is a `Cell`: share it with an `Rc`, or keep it next to the socket's sender.
#[derive(Debug, Default)]
pub struct Sequence(Cell<u64>);

impl Sequence {
    /// A sequence whose first number is 1.
    pub fn new() -> Sequence {
        Sequence(Cell::new(0))
    }

    /// A sequence whose first number is `last + 1`: for ids that must not meet another
    /// sequence's, such as those of sockets sharing a connection
    /// (`Builder::share`, with the `share` feature), where every member reads every
    /// acknowledgement. Start each at a random offset:
    ///
    /// ```
    /// use resocket::Sequence;
    ///
    /// let offset = 7 << 20; // e.g. (js_sys::Math::random() * 2f64.powi(31)) as u64 << 20
    /// let seq = Sequence::starting_after(offset);
    /// assert_eq!(seq.next(), offset + 1);
    /// ```
    pub fn starting_after(last: u64) -> Sequence {
        Sequence(Cell::new(last.min(crate::core::delivery::MAX_NUMERIC_ID)))
    }

    /// The next number (1 first). After 2^53 - 1 (never reached in practice: 2^53 ids at
    /// a million a second take 285 years) it stays there: a second message with that id
    /// is refused with [`Error::DuplicateId`](crate::Error::DuplicateId) while the first
    /// is in flight.
    #[allow(clippy::should_implement_trait)] // not an iterator: it never ends
    pub fn next(&self) -> u64 {
        let n = (self.0.get() + 1).min(crate::core::delivery::MAX_NUMERIC_ID);
        self.0.set(n);
        n
    }

    /// The last number given (0 before the first).
    pub fn last(&self) -> u64 {
        self.0.get()
    }
}

/// What [`Socket::send_acked`](crate::Socket::send_acked) resolves with: the peer
/// acknowledged the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acked {
    /// The message's id.
    pub id: Id,
    /// The inbound message that acknowledged it (for a cumulative acknowledgement, the
    /// one that covered it).
    pub message: Message,
}
