//! The crate's one error type.

use crate::core::message::Message;

/// Everything that can go wrong in resocket.
///
/// Errors that refuse a message hand it back ([`Error::into_unsent`]), so nothing given
/// to the SDK is lost silently. The type is `Clone + PartialEq` so tests can compare
/// errors, and JavaScript exceptions are kept as strings so it builds natively.
///
/// At the JavaScript boundary an `Error` becomes a JS `Error` whose `name` is
/// `"ResocketError"` and whose `code` property is [`Error::code`].
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The URL cannot be parsed, or its scheme is not `ws:`/`wss:` (`http:`/`https:` are
    /// mapped to them), or it has a fragment.
    #[error("invalid URL {url:?}: {reason}")]
    InvalidUrl {
        /// The URL as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// A client may only close with 1000 or a code in 3000–4999
    /// ([MDN](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/close)).
    #[error("invalid close code {0}: a client may only send 1000 or 3000-4999")]
    InvalidCloseCode(u16),
    /// A close reason may be at most 123 bytes of UTF-8.
    #[error("close reason is {0} bytes of UTF-8; at most 123 are allowed")]
    InvalidCloseReason(usize),
    /// A configuration value is out of range (the option is named).
    #[error("invalid option `{option}`: {reason}")]
    InvalidOption {
        /// The option's name, as the API spells it.
        option: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The connection could not be established (refused, handshake failed, timed out)
    /// and reconnection is disabled.
    #[error("could not connect to {url}")]
    ConnectFailed {
        /// The URL of the failed attempt.
        url: String,
    },
    /// Reconnection gave up: the attempt or time limit of the policy was reached.
    #[error("gave up reconnecting after {attempts} attempt(s): {reason}")]
    GaveUp {
        /// Failed attempts in the last outage.
        attempts: u32,
        /// Which limit ended it.
        reason: String,
    },
    /// The socket is closed (or closing) for good; the refused message, if any, is handed back.
    #[error("the socket is closed")]
    Closed {
        /// The message that was not sent.
        unsent: Option<Message>,
    },
    /// Backpressure: the buffered plus queued bytes are above the high-water mark, or
    /// other senders are already waiting. The message is handed back.
    #[error("send buffer is full (above the high-water mark)")]
    Full(Message),
    /// The outbound queue (used while the link is down) is full and its overflow policy
    /// is `Reject`. The message is handed back.
    #[error("outbound queue is full")]
    QueueFull(Message),
    /// Messages were evicted from the outbound queue under the `DropOldest` policy.
    #[error("{} queued message(s) dropped by the overflow policy", .0.len())]
    Dropped(Vec<Message>),
    /// Messages still queued when the socket was closed; they were never sent.
    #[error("{} queued message(s) not sent before close", .0.len())]
    Unsent(Vec<Message>),
    /// An inbound frame could not be decoded by the codec. The connection stays open.
    #[error("cannot decode message: {error}")]
    Decode {
        /// The decoder's message.
        error: String,
        /// The raw frame, unchanged.
        frame: Message,
    },
    /// A value could not be encoded by the codec. Nothing was sent.
    #[error("cannot encode message: {0}")]
    Encode(String),
    /// The URL provider failed (the attempt counts as failed and is retried under the policy).
    #[error("URL provider failed: {0}")]
    UrlProvider(String),
    /// An exception from the browser, as text.
    #[error("JavaScript error: {0}")]
    Js(String),
}

impl Error {
    /// A stable, machine-readable code for this error (also the `code` property of the JS
    /// error): `invalid_url`, `invalid_close_code`, `invalid_close_reason`,
    /// `invalid_option`, `connect_failed`, `gave_up`, `closed`, `full`, `queue_full`,
    /// `dropped`, `unsent`, `decode`, `encode`, `url_provider`, `js`.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidUrl { .. } => "invalid_url",
            Error::InvalidCloseCode(_) => "invalid_close_code",
            Error::InvalidCloseReason(_) => "invalid_close_reason",
            Error::InvalidOption { .. } => "invalid_option",
            Error::ConnectFailed { .. } => "connect_failed",
            Error::GaveUp { .. } => "gave_up",
            Error::Closed { .. } => "closed",
            Error::Full(_) => "full",
            Error::QueueFull(_) => "queue_full",
            Error::Dropped(_) => "dropped",
            Error::Unsent(_) => "unsent",
            Error::Decode { .. } => "decode",
            Error::Encode(_) => "encode",
            Error::UrlProvider(_) => "url_provider",
            Error::Js(_) => "js",
        }
    }

    /// The messages this error hands back to the caller (empty when it carries none).
    pub fn into_unsent(self) -> Vec<Message> {
        match self {
            Error::Closed { unsent } => unsent.into_iter().collect(),
            Error::Full(m) | Error::QueueFull(m) => vec![m],
            Error::Decode { frame, .. } => vec![frame],
            Error::Dropped(v) | Error::Unsent(v) => v,
            _ => Vec::new(),
        }
    }

    pub(crate) fn option(option: &str, reason: impl Into<String>) -> Self {
        Error::InvalidOption {
            option: option.to_owned(),
            reason: reason.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(Error::InvalidCloseCode(5).code(), "invalid_close_code");
        assert_eq!(Error::Full(Message::from("x")).code(), "full");
        assert_eq!(Error::Closed { unsent: None }.code(), "closed");
    }

    #[test]
    fn refused_messages_come_back() {
        let m = Message::from("payload");
        assert_eq!(Error::Full(m.clone()).into_unsent(), vec![m.clone()]);
        assert_eq!(
            Error::Closed {
                unsent: Some(m.clone())
            }
            .into_unsent(),
            vec![m.clone()]
        );
        assert!(Error::Js("x".into()).into_unsent().is_empty());
    }

    #[test]
    fn display_names_the_option() {
        let e = Error::option("reconnect.factor", "must be >= 1");
        assert_eq!(
            e.to_string(),
            "invalid option `reconnect.factor`: must be >= 1"
        );
    }
}
