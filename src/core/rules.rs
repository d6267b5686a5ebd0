//! Every rule an option must follow, once, as codes.
//!
//! [`Config::check`](super::config::Config::check) applies the rules and answers with an
//! [`Invalid`]: which option ([`Field`]) broke which [`Rule`], with the numbers involved,
//! and no text. Each face writes the message in its own words: the Rust API through
//! [`Error::InvalidOption`] (`Display`, with the Rust names
//! of the fields), the npm package in JavaScript (with the option names of its
//! `ReSocket` constructor). The npm package hands its options to the core as numbers in
//! fixed slots ([`from_slots`]), so the conversion rules (a number of milliseconds must
//! be a non-negative integer) live here too.

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use super::config::{Config, Heartbeat};
use super::delivery::WindowConfig;
use super::message::Message;
use super::outbox::Overflow;
use crate::Error;

/// An option, by the place the npm package gives it among the numbers it hands over
/// (its `ReSocket` options, in this order), then the options only the Rust API has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[repr(u8)]
#[non_exhaustive]
pub enum Field {
    /// `reconnect` (0 = off).
    Reconnect = 0,
    /// `reconnect.initialDelay` / `initial_delay_ms`.
    InitialDelay = 1,
    /// `reconnect.factor`.
    Factor = 2,
    /// `reconnect.maxDelay` / `max_delay_ms`.
    MaxDelay = 3,
    /// `reconnect.jitter` (0/1).
    Jitter = 4,
    /// `reconnect.maxAttempts` (-1 = no limit).
    MaxAttempts = 5,
    /// `reconnect.maxElapsed` (-1 = no limit).
    MaxElapsed = 6,
    /// `reconnect.connectTimeout`.
    ConnectTimeout = 7,
    /// `reconnect.stableAfter`.
    StableAfter = 8,
    /// `reconnect.stopCodes[0]`.
    StopFrom = 9,
    /// `reconnect.stopCodes[1]`.
    StopTo = 10,
    /// `queue.maxMessages`.
    MaxMessages = 11,
    /// `queue.maxBytes`.
    MaxBytes = 12,
    /// `queue.overflow` (0 = reject, 1 = drop the oldest).
    Overflow = 13,
    /// `highWaterMark`.
    High = 14,
    /// `lowWaterMark`.
    Low = 15,
    /// `heartbeat` (0 = off, 1 = on).
    Heartbeat = 16,
    /// `heartbeat.interval`.
    Interval = 17,
    /// `heartbeat.timeout`.
    Timeout = 18,
    /// `heartbeat.pong` (0 = none, 1 = the text given).
    Pong = 19,
    /// `closeTimeout`.
    CloseTimeout = 20,
    /// `maxMessageSize`.
    MaxMessageSize = 21,
    /// `delivery` (0 = off, 1 = on: acknowledged delivery).
    Delivery = 22,
    /// `delivery.maxMessages`: the credit window's bound in messages.
    WindowMessages = 23,
    /// `delivery.maxBytes`: the credit window's bound in bytes.
    WindowBytes = 24,
    /// `protocols` (strings, not a numeric slot).
    Protocols = 25,
    /// The Rust API's `inbound.max_messages`.
    InboundMessages = 26,
}

/// How many numeric slots [`from_slots`] takes: the fields before [`Field::Protocols`].
pub const SLOTS: usize = Field::Protocols as usize;

const FIELDS: [Field; SLOTS] = [
    Field::Reconnect,
    Field::InitialDelay,
    Field::Factor,
    Field::MaxDelay,
    Field::Jitter,
    Field::MaxAttempts,
    Field::MaxElapsed,
    Field::ConnectTimeout,
    Field::StableAfter,
    Field::StopFrom,
    Field::StopTo,
    Field::MaxMessages,
    Field::MaxBytes,
    Field::Overflow,
    Field::High,
    Field::Low,
    Field::Heartbeat,
    Field::Interval,
    Field::Timeout,
    Field::Pong,
    Field::CloseTimeout,
    Field::MaxMessageSize,
    Field::Delivery,
    Field::WindowMessages,
    Field::WindowBytes,
];

/// What is wrong with an option. The numbers are the values involved.
#[derive(Debug, Clone, Copy, PartialEq)]
#[non_exhaustive]
pub enum Rule {
    /// Not a finite number at or above 0.
    NotNonNegative,
    /// Not an integer.
    NotInteger,
    /// 0 where at least 1 is needed.
    Zero,
    /// The value (first) exceeds the option it is bounded by (second): `initialDelay` by
    /// `maxDelay`, `lowWaterMark` by `highWaterMark`.
    Exceeds(u64, u64),
    /// `factor` below 1 (or not finite).
    FactorBelowOne,
    /// `maxAttempts` 0 (no limit is spelt `null` / `None`).
    NoAttempts,
    /// `maxMessageSize` outside 1..=4294967295.
    SizeRange,
    /// A close code outside 0..=65535, or not an integer.
    NotACode,
    /// Subprotocol number `n` (from 0) is not an RFC 6455 token.
    NotAToken(usize),
    /// Subprotocol number `n` repeats an earlier one.
    Repeated(usize),
    /// The slots handed over are not [`SLOTS`] numbers (a broken caller, not a user error).
    Slots,
}

impl Rule {
    /// The rule's number, for a face that writes its own texts (the npm package's
    /// `RULES` table, in this order).
    pub fn code(&self) -> u8 {
        match self {
            Rule::NotNonNegative => 0,
            Rule::NotInteger => 1,
            Rule::Zero => 2,
            Rule::Exceeds(..) => 3,
            Rule::FactorBelowOne => 4,
            Rule::NoAttempts => 5,
            Rule::SizeRange => 6,
            Rule::NotACode => 7,
            Rule::NotAToken(_) => 8,
            Rule::Repeated(_) => 9,
            Rule::Slots => 10,
        }
    }

    /// The numbers the rule's text needs (the values, or the subprotocol's index).
    pub fn values(&self) -> (f64, f64) {
        match *self {
            Rule::Exceeds(a, b) => (a as f64, b as f64),
            Rule::NotAToken(i) | Rule::Repeated(i) => (i as f64, 0.0),
            _ => (0.0, 0.0),
        }
    }
}

/// An option that breaks a rule: the answer of [`Config::check`](super::config::Config::check).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Invalid {
    /// Which option.
    pub field: Field,
    /// Which rule.
    pub rule: Rule,
}

pub(crate) const fn invalid(field: Field, rule: Rule) -> Invalid {
    Invalid { field, rule }
}

/// `Err(field is 0)` when `value` is 0.
pub(crate) fn positive(field: Field, value: u64) -> Result<(), Invalid> {
    if value == 0 {
        Err(invalid(field, Rule::Zero))
    } else {
        Ok(())
    }
}

/// The subprotocols must be distinct RFC 6455 tokens.
pub(crate) fn protocols(protocols: &[String]) -> Result<(), Invalid> {
    for (i, p) in protocols.iter().enumerate() {
        let token = !p.is_empty()
            && p.bytes()
                .all(|b| (0x21..0x7f).contains(&b) && !b"()<>@,;:\\\"/[]?={}".contains(&b));
        if !token {
            return Err(invalid(Field::Protocols, Rule::NotAToken(i)));
        }
        if protocols.iter().take(i).any(|q| q == p) {
            return Err(invalid(Field::Protocols, Rule::Repeated(i)));
        }
    }
    Ok(())
}

impl Invalid {
    /// The option as the Rust API names it in [`Error::InvalidOption`].
    pub fn option(&self) -> &'static str {
        match self.field {
            Field::Reconnect
            | Field::InitialDelay
            | Field::Factor
            | Field::MaxDelay
            | Field::Jitter
            | Field::MaxAttempts
            | Field::MaxElapsed
            | Field::ConnectTimeout
            | Field::StableAfter
            | Field::StopFrom
            | Field::StopTo => "reconnect",
            Field::MaxMessages | Field::MaxBytes | Field::Overflow => "queue",
            Field::High | Field::Low => "waterMarks",
            Field::Heartbeat | Field::Pong => "heartbeat",
            Field::Interval => "heartbeat.interval",
            Field::Timeout => "heartbeat.timeout",
            Field::CloseTimeout => "closeTimeout",
            Field::MaxMessageSize => "maxMessageSize",
            Field::Protocols => "protocols",
            Field::InboundMessages => "inbound",
            Field::Delivery | Field::WindowMessages | Field::WindowBytes => "delivery",
        }
    }

    /// The Rust name of the field inside its group (`initial_delay_ms`), for the reason.
    fn member(&self) -> &'static str {
        match self.field {
            Field::InitialDelay => "initial_delay_ms",
            Field::Factor => "factor",
            Field::MaxDelay => "max_delay_ms",
            Field::MaxAttempts => "max_attempts",
            Field::MaxElapsed => "max_elapsed_ms",
            Field::ConnectTimeout => "connect_timeout_ms",
            Field::StableAfter => "stable_after_ms",
            Field::MaxMessages | Field::InboundMessages | Field::WindowMessages => "max_messages",
            Field::MaxBytes | Field::WindowBytes => "max_bytes",
            Field::High => "high",
            Field::Low => "low",
            _ => "",
        }
    }

    /// What is wrong, in the Rust API's words (`protocols` names the subprotocol given).
    pub fn reason(&self, protocols: &[String]) -> String {
        let member = self.member();
        let quoted = |i: usize| {
            let p = protocols.get(i).map_or("", String::as_str);
            let mut s = String::with_capacity(p.len() + 2);
            s.push('"');
            s.push_str(p);
            s.push('"');
            s
        };
        let prefixed = |text: &str| {
            if member.is_empty() {
                text.to_owned()
            } else {
                let mut s = String::from(member);
                s.push(' ');
                s.push_str(text);
                s
            }
        };
        match self.rule {
            Rule::NotNonNegative => prefixed("must be a non-negative number"),
            Rule::NotInteger => prefixed("must be an integer"),
            Rule::Zero if member.is_empty() => "must be > 0".to_owned(),
            Rule::Zero => prefixed("must be greater than 0"),
            Rule::Exceeds(a, b) => {
                let other = match self.field {
                    Field::Low => "high",
                    _ => "max_delay_ms",
                };
                let mut s = String::from(member);
                for part in [
                    " (",
                    &number(a),
                    ") must not exceed ",
                    other,
                    " (",
                    &number(b),
                    ")",
                ] {
                    s.push_str(part);
                }
                s
            }
            Rule::FactorBelowOne => "factor must be finite and >= 1.0".to_owned(),
            Rule::NoAttempts => {
                "max_attempts must be at least 1 (use None for unlimited)".to_owned()
            }
            Rule::SizeRange => "must be between 1 and 4294967295 bytes".to_owned(),
            Rule::NotACode => "stop codes must be close codes (0-65535)".to_owned(),
            Rule::NotAToken(i) => {
                let mut s = quoted(i);
                s.push_str(" is not a token");
                s
            }
            Rule::Repeated(i) => {
                let mut s = quoted(i);
                s.push_str(" is repeated");
                s
            }
            Rule::Slots => "the options were not handed over whole".to_owned(),
        }
    }

    /// The Rust API's error: the option and the reason in its words.
    pub fn to_error<M>(&self, protocols: &[String]) -> Error<M> {
        Error::InvalidOption {
            option: self.option().to_owned(),
            reason: self.reason(protocols),
        }
    }
}

/// `n` in decimal, without `core::fmt`.
fn number(mut n: u64) -> String {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    digits[i..].iter().map(|&d| char::from(d)).collect()
}

/// The [`Config`] of the npm package's options: `nums` holds one number per slot (see
/// [`Field`]; NaN is "not given", booleans are 0/1, a `null` limit is -1), `ping` and
/// `pong` the heartbeat's texts and `protocols` the subprotocols. The conversion rules
/// (milliseconds, counts and sizes are non-negative integers; stop codes are close codes)
/// are checked here, then every rule of [`Config::check`].
///
/// ```
/// use resocket::core::rules::{from_slots, Field, Rule, SLOTS};
///
/// let mut nums = [f64::NAN; SLOTS];
/// nums[Field::InitialDelay as usize] = 100.0;
/// let config = from_slots(&nums, None, None, Vec::new()).unwrap();
/// assert_eq!(config.reconnect.initial_delay_ms, 100);
///
/// nums[Field::InitialDelay as usize] = 1.5;
/// let e = from_slots(&nums, None, None, Vec::new()).unwrap_err();
/// assert_eq!((e.field, e.rule), (Field::InitialDelay, Rule::NotInteger));
/// ```
///
/// # Errors
/// The first option that breaks a rule.
pub fn from_slots(
    nums: &[f64],
    ping: Option<String>,
    pong: Option<String>,
    protocols: Vec<String>,
) -> Result<Config, Invalid> {
    if nums.len() != SLOTS {
        return Err(invalid(Field::Reconnect, Rule::Slots));
    }
    let given = |f: Field| Some(nums[f as usize]).filter(|n| !n.is_nan());
    // A non-negative number (any, for `factor`), then an integer where one is needed.
    let number = |f: Field| -> Result<Option<f64>, Invalid> {
        match given(f) {
            None => Ok(None),
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            Some(_) => Err(invalid(f, Rule::NotNonNegative)),
        }
    };
    let int = |f: Field| -> Result<Option<u64>, Invalid> {
        match number(f)? {
            Some(n) if n != (n as u64) as f64 => Err(invalid(f, Rule::NotInteger)),
            n => Ok(n.map(|n| n as u64)),
        }
    };
    // A limit: -1 is "none".
    let limit = |f: Field| -> Result<Option<Option<u64>>, Invalid> {
        if given(f) == Some(-1.0) {
            Ok(Some(None))
        } else {
            int(f).map(|n| n.map(Some))
        }
    };
    let flag = |f: Field| given(f).map(|n| n != 0.0);
    let size = |f: Field| int(f).map(|n| n.map(|n| usize::try_from(n).unwrap_or(usize::MAX)));
    let code = |f: Field| -> Result<Option<u16>, Invalid> {
        match given(f) {
            None => Ok(None),
            Some(n) if (0.0..=65535.0).contains(&n) && n == (n as u16) as f64 => Ok(Some(n as u16)),
            Some(_) => Err(invalid(f, Rule::NotACode)),
        }
    };

    let mut c = Config::new();
    let p = &mut c.reconnect;
    p.enabled = flag(Field::Reconnect) != Some(false);
    p.initial_delay_ms = int(Field::InitialDelay)?.unwrap_or(p.initial_delay_ms);
    p.factor = number(Field::Factor)?.unwrap_or(p.factor);
    p.max_delay_ms = int(Field::MaxDelay)?.unwrap_or(p.max_delay_ms);
    p.jitter = flag(Field::Jitter).unwrap_or(p.jitter);
    if let Some(n) = limit(Field::MaxAttempts)? {
        p.max_attempts = n.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    }
    p.max_elapsed_ms = limit(Field::MaxElapsed)?.unwrap_or(p.max_elapsed_ms);
    p.connect_timeout_ms = int(Field::ConnectTimeout)?.unwrap_or(p.connect_timeout_ms);
    p.stable_after_ms = int(Field::StableAfter)?.unwrap_or(p.stable_after_ms);
    if let (Some(from), Some(to)) = (code(Field::StopFrom)?, code(Field::StopTo)?) {
        p.classifier = p.classifier.clone().with_stop_range(from..=to);
    }

    let q = &mut c.queue;
    q.max_messages = size(Field::MaxMessages)?.unwrap_or(q.max_messages);
    q.max_bytes = size(Field::MaxBytes)?.unwrap_or(q.max_bytes);
    if flag(Field::Overflow) == Some(true) {
        q.overflow = Overflow::DropOldest;
    }
    c.water_marks.high = size(Field::High)?.unwrap_or(c.water_marks.high);
    c.water_marks.low = size(Field::Low)?.unwrap_or(c.water_marks.low);

    match flag(Field::Heartbeat) {
        Some(false) => c.heartbeat = None,
        Some(true) => {
            let mut h = Heartbeat::default();
            h.interval_ms = int(Field::Interval)?.unwrap_or(h.interval_ms);
            h.timeout_ms = int(Field::Timeout)?.unwrap_or(h.timeout_ms);
            if let Some(ping) = ping {
                h.ping = Message::Text(ping);
            }
            match flag(Field::Pong) {
                Some(false) => h.pong = None,
                Some(true) => h.pong = pong.map(Message::Text),
                None => {}
            }
            c.heartbeat = Some(h);
        }
        None => {}
    }
    c.close_timeout_ms = int(Field::CloseTimeout)?.unwrap_or(c.close_timeout_ms);
    match int(Field::MaxMessageSize)? {
        Some(n) if n > u64::from(u32::MAX) => {
            return Err(invalid(Field::MaxMessageSize, Rule::SizeRange))
        }
        Some(n) => c.max_message_size = n as usize,
        None => {}
    }
    if flag(Field::Delivery) == Some(true) {
        let mut w = WindowConfig::default();
        w.max_messages = size(Field::WindowMessages)?.unwrap_or(w.max_messages);
        w.max_bytes = size(Field::WindowBytes)?.unwrap_or(w.max_bytes);
        c.delivery = Some(w);
    }
    c.protocols = protocols;
    c.check()?;
    Ok(c)
}

/// The field of slot `i` (for a face that names slots).
pub fn field(i: usize) -> Option<Field> {
    FIELDS.get(i).copied()
}
