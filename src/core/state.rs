//! Connection state: the browser's `readyState` and resocket's richer [`ConnectionState`].

use crate::Error;
use alloc::string::String;

/// The [`readyState`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/readyState)
/// of one browser WebSocket, with the spec's numeric values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(u16)]
pub enum ReadyState {
    /// 0: the connection is not yet open.
    Connecting = 0,
    /// 1: open and ready to communicate.
    Open = 1,
    /// 2: the closing handshake is under way.
    Closing = 2,
    /// 3: closed, or could not be opened.
    Closed = 3,
}

impl ReadyState {
    /// Map the spec's number to the enum; unknown numbers read as `Closed`.
    pub fn from_u16(n: u16) -> Self {
        match n {
            0 => ReadyState::Connecting,
            1 => ReadyState::Open,
            2 => ReadyState::Closing,
            _ => ReadyState::Closed,
        }
    }

    /// The spec's number.
    pub fn as_u16(self) -> u16 {
        self as u16
    }
}

/// Who ended a connection for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ClosedBy {
    /// The application called `close()` (or dropped the socket).
    Client,
    /// The server or the network, and the policy does not reconnect (reconnection
    /// disabled, or the close code is classified as "stop").
    Remote,
    /// The reconnection policy gave up (attempt or time limit), or the browser refused
    /// to create a socket at all.
    Policy,
}

/// How a connection ended for good.
#[derive(Debug, Clone, PartialEq)]
pub struct CloseInfo {
    /// The close code ([`CloseEvent.code`](https://developer.mozilla.org/en-US/docs/Web/API/CloseEvent/code));
    /// 1006 when the link dropped without a close frame.
    pub code: u16,
    /// The close reason sent with the code (may be empty).
    pub reason: String,
    /// Whether the closing handshake completed
    /// ([`CloseEvent.wasClean`](https://developer.mozilla.org/en-US/docs/Web/API/CloseEvent/wasClean)).
    pub was_clean: bool,
    /// Who ended it.
    pub by: ClosedBy,
    /// Why the policy stopped, when it was not a normal close.
    pub error: Option<Error>,
}

/// Why a link is being re-established.
#[derive(Debug, Clone, PartialEq)]
pub enum Cause {
    /// The open link closed (server close frame or network drop, code 1006).
    Closed {
        /// Close code.
        code: u16,
        /// Close reason.
        reason: String,
        /// Whether the closing handshake completed.
        was_clean: bool,
    },
    /// The socket closed before it ever opened (refused, handshake failed).
    ConnectFailed,
    /// The socket stayed in CONNECTING longer than the connect timeout.
    ConnectTimeout,
    /// The heartbeat got no answer in time: the link was presumed dead.
    HeartbeatTimeout,
    /// The URL provider failed with this message.
    UrlProvider(String),
    /// The application asked for a reconnect.
    Manual,
    /// The page went into the browser's back/forward cache
    /// ([`pagehide`](https://developer.mozilla.org/en-US/docs/Web/API/Window/pagehide_event)
    /// with `persisted`): the link was closed (code 1000, reason `"going away"`), the queue and the
    /// tracked messages are kept, and the next attempt starts at once when the page is
    /// shown again. Not a failure: no retry is counted.
    Suspended,
}

/// The life cycle of a resocket connection, across reconnects.
///
/// Transitions: `Connecting → Open | Reconnecting | Closing | Closed`,
/// `Open → Reconnecting | Closing | Closed`, `Reconnecting → Connecting | Closed`,
/// `Closing → Closed`, and `Closed → Connecting` only through `reconnect()` after the
/// policy (not the application) ended it. See [`ConnectionState::can_become`].
#[derive(Debug, Clone, PartialEq)]
pub enum ConnectionState {
    /// A socket is being opened. `attempt` is 0 for the first connection and k for the
    /// k-th retry since the link was last stable.
    Connecting {
        /// Retry number (0 = first try).
        attempt: u32,
    },
    /// The link is open.
    Open,
    /// Waiting `delay_ms` before the next attempt.
    Reconnecting {
        /// The retry number the next `Connecting` will carry: k for the k-th failure in
        /// this outage; unchanged (possibly 0) when no failure is counted — a manual
        /// `reconnect()`, or a drop while the browser is offline.
        attempt: u32,
        /// The backoff delay chosen: 0 for a manual `reconnect()` (the attempt starts at
        /// once). While the browser is offline, `max_delay_ms`: the next attempt waits for
        /// `online` (then it starts at once), and is made after this delay if none comes.
        delay_ms: u64,
        /// Why the link went down.
        cause: Cause,
    },
    /// The application's close is under way.
    Closing,
    /// Closed for good.
    Closed(CloseInfo),
}

impl ConnectionState {
    /// Lower-case name: `connecting`, `open`, `reconnecting`, `closing`, `closed`.
    pub fn name(&self) -> &'static str {
        match self {
            ConnectionState::Connecting { .. } => "connecting",
            ConnectionState::Open => "open",
            ConnectionState::Reconnecting { .. } => "reconnecting",
            ConnectionState::Closing => "closing",
            ConnectionState::Closed(_) => "closed",
        }
    }

    /// `true` when open.
    pub fn is_open(&self) -> bool {
        matches!(self, ConnectionState::Open)
    }

    /// `true` when closed for good.
    pub fn is_closed(&self) -> bool {
        matches!(self, ConnectionState::Closed(_))
    }

    /// `true` when the application closed it (closing or closed by the client).
    pub fn is_closed_by_client(&self) -> bool {
        match self {
            ConnectionState::Closing => true,
            ConnectionState::Closed(info) => info.by == ClosedBy::Client,
            _ => false,
        }
    }

    /// Whether `next` may follow `self`.
    pub fn can_become(&self, next: &ConnectionState) -> bool {
        use ConnectionState as S;
        match (self, next) {
            (S::Connecting { .. }, S::Connecting { .. }) => false,
            (S::Connecting { .. }, _) => true,
            (S::Open, S::Reconnecting { .. } | S::Closing | S::Closed(_)) => true,
            (S::Reconnecting { .. }, S::Connecting { .. } | S::Closed(_)) => true,
            (S::Closing, S::Closed(_)) => true,
            (S::Closed(info), S::Connecting { .. }) => info.by != ClosedBy::Client,
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closed(by: ClosedBy) -> ConnectionState {
        ConnectionState::Closed(CloseInfo {
            code: 1000,
            reason: String::new(),
            was_clean: true,
            by,
            error: None,
        })
    }

    #[test]
    fn ready_state_numbers_match_the_spec() {
        for (n, s) in [
            (0, ReadyState::Connecting),
            (1, ReadyState::Open),
            (2, ReadyState::Closing),
            (3, ReadyState::Closed),
        ] {
            assert_eq!(ReadyState::from_u16(n), s);
            assert_eq!(s.as_u16(), n);
        }
        assert_eq!(ReadyState::from_u16(99), ReadyState::Closed);
    }

    #[test]
    fn legal_transitions() {
        let c = ConnectionState::Connecting { attempt: 0 };
        let r = ConnectionState::Reconnecting {
            attempt: 1,
            delay_ms: 10,
            cause: Cause::ConnectFailed,
        };
        assert!(c.can_become(&ConnectionState::Open));
        assert!(c.can_become(&r));
        assert!(ConnectionState::Open.can_become(&r));
        assert!(r.can_become(&ConnectionState::Connecting { attempt: 1 }));
        assert!(!r.can_become(&ConnectionState::Open));
        assert!(!ConnectionState::Open.can_become(&ConnectionState::Open));
        assert!(!ConnectionState::Closing.can_become(&ConnectionState::Open));
        assert!(ConnectionState::Closing.can_become(&closed(ClosedBy::Client)));
        assert!(!closed(ClosedBy::Client).can_become(&c));
        assert!(closed(ClosedBy::Policy).can_become(&c));
    }

    #[test]
    fn names_and_predicates() {
        assert_eq!(ConnectionState::Open.name(), "open");
        assert!(ConnectionState::Open.is_open());
        assert!(closed(ClosedBy::Remote).is_closed());
        assert!(closed(ClosedBy::Client).is_closed_by_client());
        assert!(!closed(ClosedBy::Remote).is_closed_by_client());
    }
}
