//! Everything a connection is configured with, validated in one place.

use super::backoff::ReconnectPolicy;
use super::message::Message;
use super::outbox::QueueConfig;
use super::pressure::WaterMarks;
use crate::Error;

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

/// The configuration of one resocket connection.
#[derive(Debug, Clone, Default)]
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
}

impl Config {
    /// Defaults, with the close timeout set.
    pub fn new() -> Self {
        Config {
            close_timeout_ms: 5_000,
            ..Default::default()
        }
    }

    /// Check every field.
    ///
    /// # Errors
    /// [`Error::InvalidOption`] naming the first bad field.
    pub fn validate(&self) -> Result<(), Error> {
        validate_protocols(&self.protocols)?;
        self.reconnect
            .validate()
            .map_err(|r| Error::option("reconnect", r))?;
        self.queue
            .validate()
            .map_err(|r| Error::option("queue", r))?;
        self.water_marks
            .validate()
            .map_err(|r| Error::option("waterMarks", r))?;
        if let Some(h) = &self.heartbeat {
            if h.interval_ms == 0 {
                return Err(Error::option("heartbeat.interval", "must be > 0"));
            }
            if h.timeout_ms == 0 {
                return Err(Error::option("heartbeat.timeout", "must be > 0"));
            }
        }
        if self.close_timeout_ms == 0 {
            return Err(Error::option("closeTimeout", "must be > 0"));
        }
        Ok(())
    }
}

/// Subprotocol names must be RFC 6455 tokens and unique, or the browser throws.
fn validate_protocols(protocols: &[String]) -> Result<(), Error> {
    for (i, p) in protocols.iter().enumerate() {
        let token = !p.is_empty()
            && p.bytes()
                .all(|b| (0x21..0x7f).contains(&b) && !b"()<>@,;:\\\"/[]?={}".contains(&b));
        if !token {
            return Err(Error::option("protocols", format!("{p:?} is not a token")));
        }
        if protocols[..i].contains(p) {
            return Err(Error::option("protocols", format!("{p:?} is repeated")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_validate() {
        assert_eq!(Config::new().validate(), Ok(()));
        assert_eq!(Config::new().close_timeout_ms, 5_000);
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
