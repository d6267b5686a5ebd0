//! The unit of data on a WebSocket: one text or binary frame.

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
