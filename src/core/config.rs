//! Everything a connection is configured with, validated in one place.

use super::backoff::ReconnectPolicy;
use super::delivery::WindowConfig;
use super::inbound::InboundLimits;
use super::message::Message;
use super::outbox::QueueConfig;
use super::pressure::WaterMarks;
use super::rules::{self, invalid, Field, Invalid, Rule};
use crate::Error;
use alloc::{string::String, vec::Vec};

/// Application-level heartbeat: how half-open links are found.
///
/// Browsers cannot send WebSocket ping frames, so resocket sends `ping` as an ordinary
/// message every `interval_ms` while the link is open. If *nothing* arrives within
/// `timeout_ms` after a ping, the link is declared dead, closed and reconnected. When the
/// server answers with exactly `pong`, the round-trip time is measured and the pong is
/// not delivered to the application.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Heartbeat {
    /// Time between pings while open. Default: 30 000 ms.
    pub interval_ms: u64,
    /// How long to wait for any inbound message after a ping. Default: 10 000 ms.
    pub timeout_ms: u64,
    /// The ping message. Default: `Text("ping")`.
    pub ping: Message,
    /// The server's answer, filtered out and used for RTT. `None` = any inbound message
    /// proves liveness and RTT is not measured. Default: `Some(Text("pong"))`.
    pub pong: Option<Message>,
}

impl Default for Heartbeat {
    fn default() -> Self {
        Heartbeat {
            interval_ms: 30_000,
            timeout_ms: 10_000,
            ping: Message::Text("ping".into()),
            pong: Some(Message::Text("pong".into())),
        }
    }
}

impl Heartbeat {
    /// Set [`Heartbeat::interval_ms`].
    pub fn interval_ms(mut self, ms: u64) -> Self {
        self.interval_ms = ms;
        self
    }
    /// Set [`Heartbeat::timeout_ms`].
    pub fn timeout_ms(mut self, ms: u64) -> Self {
        self.timeout_ms = ms;
        self
    }
    /// Set [`Heartbeat::ping`].
    pub fn ping(mut self, ping: impl Into<Message>) -> Self {
        self.ping = ping.into();
        self
    }
    /// Set [`Heartbeat::pong`].
    pub fn pong(mut self, pong: Option<Message>) -> Self {
        self.pong = pong;
        self
    }
}

/// The default [`Config::max_message_size`]: 16 MiB.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 16 * 1024 * 1024;

/// The configuration of one resocket connection.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Config {
    /// Subprotocols offered in the handshake
    /// ([`protocols`](https://developer.mozilla.org/en-US/docs/Web/API/WebSocket/WebSocket#protocols)).
    /// Default: none.
    pub protocols: Vec<String>,
    /// Reconnection policy. Default: [`ReconnectPolicy::default`].
    pub reconnect: ReconnectPolicy,
    /// Outbound queue used while the link is down. Default: [`QueueConfig::default`].
    pub queue: QueueConfig,
    /// Backpressure water marks. Default: [`WaterMarks::default`] (1 MiB / 256 KiB).
    pub water_marks: WaterMarks,
    /// Heartbeat. Default: `None` (off).
    pub heartbeat: Option<Heartbeat>,
    /// How long to wait for the server to answer the application's close before the
    /// socket is abandoned. Default: 5 000 ms.
    pub close_timeout_ms: u64,
    /// The largest message, in bytes, sent or received. An outbound message over it is
    /// refused with [`Error::TooLarge`] (and handed back); an inbound one is not copied:
    /// the link is closed and the close is reported with code 1009 ("message too big",
    /// a stop code by default) after an [`Error::TooLarge`] error. The browser cannot
    /// send 1009 itself, so the close frame on the wire carries 1000 and the reason
    /// "message too big". Default: [`DEFAULT_MAX_MESSAGE_SIZE`] (16 MiB).
    pub max_message_size: usize,
    /// Bounds of the Rust `Socket` stream's buffer of unread messages; see
    /// [`InboundLimits`]. Default: 4096 messages, 16 MiB.
    pub inbound: InboundLimits,
    /// Acknowledged delivery: the bounds of the credit window of tracked messages not
    /// yet acknowledged (see [`delivery`](super::delivery)). Default: `None` (off: no
    /// message is tracked).
    pub delivery: Option<WindowConfig>,
}

impl Default for Config {
    /// The documented default of every field (and it passes [`Config::validate`]).
    fn default() -> Self {
        Config {
            protocols: Vec::new(),
            reconnect: ReconnectPolicy::default(),
            queue: QueueConfig::default(),
            water_marks: WaterMarks::default(),
            heartbeat: None,
            close_timeout_ms: 5_000,
            max_message_size: DEFAULT_MAX_MESSAGE_SIZE,
            inbound: InboundLimits::default(),
            delivery: None,
        }
    }
}

impl Config {
    /// The defaults; the same as [`Config::default`].
    pub fn new() -> Self {
        Config::default()
    }

    /// Check every field.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        self.check().map_err(|i| i.to_error(&self.protocols))
    }

    /// Check every field, answering with codes: which option breaks which rule (see
    /// [`rules`]). [`validate`](Self::validate) words the answer for the
    /// Rust API; the npm package words it in JavaScript.
    ///
    /// # Errors
    /// The first option that breaks a rule.
    pub fn check(&self) -> Result<(), Invalid> {
        rules::protocols(&self.protocols)?;
        self.reconnect.check()?;
        self.queue.check()?;
        self.water_marks.check()?;
        if let Some(h) = &self.heartbeat {
            rules::positive(Field::Interval, h.interval_ms)?;
            rules::positive(Field::Timeout, h.timeout_ms)?;
        }
        rules::positive(Field::CloseTimeout, self.close_timeout_ms)?;
        if self.max_message_size == 0 || self.max_message_size as u64 > u64::from(u32::MAX) {
            return Err(invalid(Field::MaxMessageSize, Rule::SizeRange));
        }
        if let Some(w) = &self.delivery {
            w.check()?;
        }
        rules::positive(Field::InboundMessages, self.inbound.max_messages as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        assert_eq!(Config::new().validate(), Ok(()));
        assert_eq!(Config::default().validate(), Ok(()));
        assert_eq!(Config::default().close_timeout_ms, 5_000);
        assert_eq!(Config::default().max_message_size, 16 * 1024 * 1024);
    }

    #[test]
    fn max_message_size_is_bounded() {
        let mut c = Config::new();
        c.max_message_size = 0;
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("maxMessageSize"));
        c.max_message_size = 1;
        assert!(c.validate().is_ok());
    }

    #[test]
    fn protocols_must_be_unique_tokens() {
        let mut c = Config::new();
        c.protocols = vec!["chat".into(), "v2.json".into()];
        assert!(c.validate().is_ok());
        c.protocols = vec!["chat".into(), "chat".into()];
        assert_eq!(c.validate().unwrap_err().code(), "invalid_option");
        c.protocols = vec!["has space".into()];
        assert!(c.validate().unwrap_err().to_string().contains("protocols"));
        c.protocols = vec![String::new()];
        assert!(c.validate().is_err());
    }

    #[test]
    fn heartbeat_zero_is_named() {
        let mut c = Config::new();
        c.heartbeat = Some(Heartbeat::default().interval_ms(0));
        assert!(c
            .validate()
            .unwrap_err()
            .to_string()
            .contains("heartbeat.interval"));
    }
}
