//! The unit of data on a WebSocket: one text or binary frame.

use alloc::{borrow::ToOwned, string::String, vec::Vec};
/// One WebSocket message, as the [WebSocket API] delivers it.
///
/// [WebSocket API]: https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/message_event
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// A text frame (UTF-8).
    Text(String),
    /// A binary frame.
    Binary(Vec<u8>),
}

impl Message {
    /// Payload length in bytes: what this message adds to `bufferedAmount` when sent.
    pub fn len(&self) -> usize {
        match self {
            Message::Text(s) => s.len(),
            Message::Binary(b) => b.len(),
        }
    }

    /// `true` when the payload is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The text payload, if this is a text message.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Message::Text(s) => Some(s),
            Message::Binary(_) => None,
        }
    }

    /// The binary payload, if this is a binary message.
    pub fn as_binary(&self) -> Option<&[u8]> {
        match self {
            Message::Binary(b) => Some(b),
            Message::Text(_) => None,
        }
    }
}

/// What the core carries from `send()` to the socket and from the socket to the
/// application: anything that knows its length.
///
/// The core decides *when* and *whether* a payload is sent, queued, handed back or
/// delivered; for that it needs only the payload's length in bytes (and, for the
/// heartbeat, whether an inbound payload is the configured pong). So the payload itself
/// stays whatever the layer around the core holds: a [`Message`] for the Rust API, the
/// caller's own JavaScript value for the npm package, a plain test value in the
/// simulation.
///
/// ```
/// use resocket::core::message::{Message, Payload};
///
/// /// A payload that is only a length, as a simulation might use.
/// #[derive(Debug)]
/// struct Len(usize);
///
/// impl Payload for Len {
///     fn len(&self) -> usize {
///         self.0
///     }
///     fn is(&self, _: &Message) -> bool {
///         false
///     }
/// }
///
/// assert_eq!(Len(3).len(), Message::from("abc").len());
/// ```
pub trait Payload {
    /// Length in bytes: what the payload adds to `bufferedAmount` when sent (UTF-8 bytes
    /// for text).
    fn len(&self) -> usize;

    /// `true` when the payload is empty.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `true` when this inbound payload is exactly `message` (the heartbeat's pong).
    fn is(&self, message: &Message) -> bool;

    /// The payload is about to be kept past the call that handed it over (queued while
    /// the link is down, or put back at the head of the queue; not while a `send()` that
    /// the caller waits for waits for room). A payload that borrows
    /// the caller's memory takes its own copy here, so that the caller may reuse its
    /// buffer as it may after `WebSocket.send()`. Nothing by default.
    fn hold(&mut self) {}
}

impl Payload for Message {
    fn len(&self) -> usize {
        Message::len(self)
    }

    fn is(&self, message: &Message) -> bool {
        self == message
    }
}

impl From<String> for Message {
    fn from(s: String) -> Self {
        Message::Text(s)
    }
}

impl From<&str> for Message {
    fn from(s: &str) -> Self {
        Message::Text(s.to_owned())
    }
}

impl From<Vec<u8>> for Message {
    fn from(b: Vec<u8>) -> Self {
        Message::Binary(b)
    }
}

impl From<&[u8]> for Message {
    fn from(b: &[u8]) -> Self {
        Message::Binary(b.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn len_counts_utf8_bytes_not_chars() {
        assert_eq!(Message::from("héllo").len(), 6);
        assert_eq!(Message::from(vec![0u8, 255]).len(), 2);
        assert!(Message::from("").is_empty());
    }

    #[test]
    fn accessors_match_variant() {
        let t = Message::from("a");
        assert_eq!(t.as_text(), Some("a"));
        assert_eq!(t.as_binary(), None);
        let b = Message::from(&[1u8, 2][..]);
        assert_eq!(b.as_binary(), Some(&[1u8, 2][..]));
        assert_eq!(b.as_text(), None);
    }
}
