//! The crate's one error type.

use crate::core::message::{Message, Payload};
use alloc::{borrow::ToOwned, string::String, vec, vec::Vec};

/// Everything that can go wrong in resocket.
///
/// Errors that refuse a message hand it back ([`Error::into_unsent`]), so nothing given
/// to the SDK is lost silently. The type is `Clone + PartialEq` so tests can compare
/// errors, and JavaScript exceptions are kept as strings so it builds natively.
///
/// At the JavaScript boundary an `Error` becomes a JS `Error` whose `name` is
/// `"ReSocketError"` and whose `code` property is [`Error::code`].
///
/// `M` is what a refused send hands back: a [`Message`] everywhere in the Rust API. (The
/// sans-IO core is generic over its [`Payload`], and so are the errors it returns.)
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error<M = Message> {
    /// The URL cannot be parsed, or its scheme is not `ws:`/`wss:` (`http:`/`https:` are
    /// mapped to them), or it has a fragment.
    #[error("invalid URL {url}: {reason}")]
    InvalidUrl {
        /// The URL as given, [redacted](redact_url): without user name, password, query
        /// and fragment, so that a token in it does not reach logs.
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
        /// The URL of the failed attempt, [redacted](redact_url) (scheme, host, port and
        /// path). The full URL of the latest attempt is `Socket::url()`.
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
        unsent: Option<M>,
    },
    /// Backpressure: the buffered plus queued bytes are above the high-water mark, or
    /// other senders are already waiting. The message is handed back.
    #[error("send buffer is full (above the high-water mark)")]
    Full(M),
    /// The outbound queue (used while the link is down) is full and its overflow policy
    /// is `Reject`. The message is handed back.
    #[error("outbound queue is full")]
    QueueFull(M),
    /// Messages were evicted from the outbound queue under the `DropOldest` policy.
    #[error("{} queued message(s) dropped by the overflow policy", .0.len())]
    Dropped(Vec<M>),
    /// Messages still queued when the socket was closed; they were never sent.
    #[error("{} queued message(s) not sent before close", .0.len())]
    Unsent(Vec<M>),
    /// Tracked messages (acknowledged delivery) not acknowledged when the socket was
    /// closed for good. They may or may not have arrived.
    #[error("{} message(s) not acknowledged before close", .0.len())]
    Unacked(Vec<M>),
    /// A tracked message was not acknowledged before its deadline. It is no longer
    /// tracked nor sent again; it may or may not have arrived. The message is handed back.
    #[error("no acknowledgement before the deadline")]
    AckTimeout(M),
    /// A tracked message's id is the id of another message not yet acknowledged. Nothing
    /// was sent; the message is handed back.
    #[error("id {id} is already in flight")]
    DuplicateId {
        /// The id.
        id: crate::core::delivery::Id,
        /// The refused message.
        message: M,
    },
    /// The application's id for a tracked message is not one (a number from 0 to
    /// 2^53 - 1, or a text of 1 to 256 bytes), or acknowledged delivery is off. Nothing
    /// was sent; the message is handed back.
    #[error("invalid message id: {reason}")]
    InvalidId {
        /// What is wrong.
        reason: String,
        /// The refused message.
        message: Option<M>,
    },
    /// An inbound frame could not be decoded by the codec. The connection stays open.
    #[error("cannot decode message: {error}")]
    Decode {
        /// The decoder's message.
        error: String,
        /// The raw frame, unchanged.
        frame: M,
    },
    /// A value could not be encoded by the codec. Nothing was sent.
    #[error("cannot encode message: {0}")]
    Encode(String),
    /// The URL provider failed (the attempt counts as failed and is retried under the policy).
    #[error("URL provider failed: {0}")]
    UrlProvider(String),
    /// A message is larger than the configured limit
    /// ([`Config::max_message_size`](crate::Config::max_message_size)), or too large to
    /// copy into WebAssembly memory. Outbound, nothing was sent and the message is handed
    /// back; inbound, the message was not copied and the link was closed (code 1009).
    #[error("message of {size} bytes is over the limit of {limit} bytes")]
    TooLarge {
        /// The message's length in bytes.
        size: u64,
        /// The limit it exceeds; 0 when WebAssembly memory could not hold it.
        limit: u64,
        /// The refused outbound message (`None` for an inbound one).
        message: Option<M>,
    },
    /// The application did not read the [`Socket`](crate::Socket)'s stream fast enough:
    /// its buffer (bounded by [`Config::inbound`](crate::Config::inbound)) was full and
    /// this many of the oldest messages were discarded. The stream goes on.
    #[error("{0} inbound message(s) discarded: the stream was not read fast enough")]
    Lagged(u64),
    /// An exception from the browser, as text. Off wasm32 (on a server rendering Leptos or
    /// Yew), `"no browser WebSocket on this target"`: `Builder::open` and the hooks'
    /// sends cannot run there.
    #[error("JavaScript error: {0}")]
    Js(String),
}

/// `url` without user name, password, query and fragment: the scheme, host, port and path
/// only, so that credentials or tokens in it stay out of errors and logs.
///
/// ```
/// use resocket::core::redact_url;
/// assert_eq!(redact_url("wss://ann:pw@example.com:8443/chat?token=s3cret#x"), "wss://example.com:8443/chat");
/// assert_eq!(redact_url("/chat?token=s3cret"), "/chat");
/// ```
pub fn redact_url(url: &str) -> String {
    // Every cut is at an ASCII delimiter, so at a char boundary; `sub` never panics (and
    // keeps str slicing's panic path, with its formatting, out of the wasm).
    fn sub(s: &str, from: usize, to: usize) -> &str {
        s.get(from..to).unwrap_or_default()
    }
    let cut = |s: &str| s.find(['?', '#']).unwrap_or(s.len());
    // A byte search: a `&str` pattern would bring in the two-way searcher.
    let Some(i) = url.as_bytes().windows(3).position(|w| w == b"://") else {
        return sub(url, 0, cut(url)).to_owned();
    };
    let (scheme, rest) = (sub(url, 0, i), sub(url, i + 3, url.len()));
    let authority = sub(rest, 0, rest.find('/').unwrap_or(rest.len()));
    let (host, path) = match authority.rfind('@') {
        // Userinfo may hold anything: the host starts after its last `@`.
        Some(at) => {
            let host = sub(authority, at + 1, authority.len());
            let host = sub(host, 0, cut(host));
            let tail = sub(rest, authority.len(), rest.len());
            let host_cut = host.len() + at + 1 < authority.len();
            (host, if host_cut { "" } else { tail })
        }
        // Without userinfo, a `?` or `#` ends everything that can be shown.
        None => {
            let end = cut(rest);
            let host_end = authority.len().min(end);
            (sub(rest, 0, host_end), sub(rest, host_end, end))
        }
    };
    let path = sub(path, 0, cut(path));
    let mut out = String::with_capacity(scheme.len() + 3 + host.len() + path.len());
    out.push_str(scheme);
    out.push_str("://");
    out.push_str(host);
    out.push_str(path);
    out
}

impl<M> Error<M> {
    /// A stable, machine-readable code for this error (also the `code` property of the JS
    /// error): `invalid_url`, `invalid_close_code`, `invalid_close_reason`,
    /// `invalid_option`, `connect_failed`, `gave_up`, `closed`, `full`, `queue_full`,
    /// `dropped`, `unsent`, `unacked`, `ack_timeout`, `duplicate_id`, `invalid_id`, `decode`,
    /// `encode`, `url_provider`, `too_large`, `lagged`, `js`.
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
            Error::Unacked(_) => "unacked",
            Error::AckTimeout(_) => "ack_timeout",
            Error::DuplicateId { .. } => "duplicate_id",
            Error::InvalidId { .. } => "invalid_id",
            Error::Decode { .. } => "decode",
            Error::Encode(_) => "encode",
            Error::UrlProvider(_) => "url_provider",
            Error::TooLarge { .. } => "too_large",
            Error::Lagged(_) => "lagged",
            Error::Js(_) => "js",
        }
    }

    /// The messages this error hands back to the caller (empty when it carries none).
    pub fn into_unsent(self) -> Vec<M> {
        match self {
            Error::Closed { unsent } => unsent.into_iter().collect(),
            Error::Full(m) | Error::QueueFull(m) | Error::AckTimeout(m) => vec![m],
            Error::DuplicateId { message, .. } => vec![message],
            Error::Decode { frame, .. } => vec![frame],
            Error::Dropped(v) | Error::Unsent(v) | Error::Unacked(v) => v,
            Error::TooLarge { message, .. } | Error::InvalidId { message, .. } => {
                message.into_iter().collect()
            }
            _ => Vec::new(),
        }
    }

    /// Payload bytes of the messages this error hands back (0 when it carries none).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))] // read by the browser driver
    pub(crate) fn unsent_bytes(&self) -> usize
    where
        M: Payload,
    {
        let len = |m: &Option<M>| m.as_ref().map_or(0, M::len);
        match self {
            Error::Closed { unsent } => len(unsent),
            Error::TooLarge { message, .. } | Error::InvalidId { message, .. } => len(message),
            Error::Full(m)
            | Error::QueueFull(m)
            | Error::AckTimeout(m)
            | Error::DuplicateId { message: m, .. }
            | Error::Decode { frame: m, .. } => m.len(),
            Error::Dropped(v) | Error::Unsent(v) | Error::Unacked(v) => v.iter().map(M::len).sum(),
            _ => 0,
        }
    }

    /// The same error handing back `f(m)` for every message `m` it carries.
    pub fn map_unsent<N>(self, mut f: impl FnMut(M) -> N) -> Error<N> {
        match self {
            Error::InvalidUrl { url, reason } => Error::InvalidUrl { url, reason },
            Error::InvalidCloseCode(c) => Error::InvalidCloseCode(c),
            Error::InvalidCloseReason(n) => Error::InvalidCloseReason(n),
            Error::InvalidOption { option, reason } => Error::InvalidOption { option, reason },
            Error::ConnectFailed { url } => Error::ConnectFailed { url },
            Error::GaveUp { attempts, reason } => Error::GaveUp { attempts, reason },
            Error::Closed { unsent } => Error::Closed {
                unsent: unsent.map(f),
            },
            Error::Full(m) => Error::Full(f(m)),
            Error::QueueFull(m) => Error::QueueFull(f(m)),
            Error::Dropped(v) => Error::Dropped(v.into_iter().map(f).collect()),
            Error::Unsent(v) => Error::Unsent(v.into_iter().map(f).collect()),
            Error::Unacked(v) => Error::Unacked(v.into_iter().map(f).collect()),
            Error::AckTimeout(m) => Error::AckTimeout(f(m)),
            Error::DuplicateId { id, message } => Error::DuplicateId {
                id,
                message: f(message),
            },
            Error::InvalidId { reason, message } => Error::InvalidId {
                reason,
                message: message.map(f),
            },
            Error::Decode { error, frame } => Error::Decode {
                error,
                frame: f(frame),
            },
            Error::Encode(e) => Error::Encode(e),
            Error::UrlProvider(e) => Error::UrlProvider(e),
            Error::TooLarge {
                size,
                limit,
                message,
            } => Error::TooLarge {
                size,
                limit,
                message: message.map(f),
            },
            Error::Lagged(n) => Error::Lagged(n),
            Error::Js(e) => Error::Js(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable() {
        assert_eq!(
            Error::<Message>::InvalidCloseCode(5).code(),
            "invalid_close_code"
        );
        assert_eq!(Error::Full(Message::from("x")).code(), "full");
        assert_eq!(Error::<Message>::Closed { unsent: None }.code(), "closed");
    }

    #[test]
    fn unsent_bytes_agree_with_into_unsent() {
        let m = Message::from("payload");
        for e in [
            Error::Full(m.clone()),
            Error::Unsent(vec![m.clone(), m.clone()]),
            Error::Closed { unsent: None },
            Error::Js("x".into()),
        ] {
            let want: usize = e.clone().into_unsent().iter().map(Message::len).sum();
            assert_eq!(e.unsent_bytes(), want, "{e:?}");
        }
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
        assert!(Error::<Message>::Js("x".into()).into_unsent().is_empty());
    }

    #[test]
    fn urls_in_errors_are_redacted() {
        let cases = [
            ("wss://u:p@h.example:1/a/b?t=1#f", "wss://h.example:1/a/b"),
            ("ws://h/?token=x", "ws://h/"),
            ("ws://h", "ws://h"),
            ("ws://a@b@h/p", "ws://h/p"),
            ("/rel?x=1", "/rel"),
            ("", ""),
            ("ws://h#frag", "ws://h"),
            ("ws://u:p?w@h/x?y", "ws://h/x"),
            ("ws://u:p#w@h/x", "ws://h/x"),
            ("ws://h?a=b/c", "ws://h"),
            ("ws://u@h?q/p", "ws://h"),
            ("not a url?token=1", "not a url"),
        ];
        for (url, want) in cases {
            assert_eq!(redact_url(url), want, "{url}");
        }
    }

    #[test]
    fn display_names_the_option() {
        let e: Error = Error::InvalidOption {
            option: "reconnect.factor".into(),
            reason: "must be >= 1".into(),
        };
        assert_eq!(
            e.to_string(),
            "invalid option `reconnect.factor`: must be >= 1"
        );
    }
}
