//! Reconnection policy as plain data: which close codes are worth retrying,
//! and how long to wait before each retry.
//!
//! Nothing here reads a clock or a random source: time is passed in as
//! milliseconds and randomness as an `f64` in `[0, 1)`, so the policy is
//! deterministic and testable natively.

use ::core::fmt;
use ::core::ops::RangeInclusive;
use alloc::rc::Rc;
use alloc::string::String;

use super::rules::{self, invalid, Field, Invalid, Rule};

/// A user-supplied close classifier.
type ClassifyFn = Rc<dyn Fn(u16, &str) -> Decision>;

/// What to do after a connection closed with a given code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Reconnect (after the backoff delay).
    Retry,
    /// Give up: the failure will not fix itself by reconnecting.
    Stop,
}

/// Decides retry vs stop from the close code and reason.
///
/// Default rules:
///
/// - **Stop** on codes that mean the client itself is at fault, so
///   reconnecting would fail the same way again: 1002 protocol error,
///   1003 unsupported data, 1007 invalid payload, 1008 policy violation
///   (often an auth failure), 1009 message too big, 1010 mandatory extension;
///   and on the application *stop range* (default `4000..=4099`), which a
///   server uses to say "don't come back" (e.g. banned, session revoked).
/// - **Retry** on everything else: 1000/1001 sent by the server (it is going
///   away, e.g. a deploy), 1005 no status, 1006 abnormal closure (a network
///   drop), 1011–1015 (server error, service restart, try again later, bad
///   gateway, TLS), and any other 3000–4999 code.
///
/// [`CloseClassifier::custom`] replaces these rules entirely.
#[derive(Clone)]
pub struct CloseClassifier {
    stop_range: RangeInclusive<u16>,
    custom: Option<ClassifyFn>,
}

impl CloseClassifier {
    /// The default rules, with application stop range `4000..=4099`.
    pub fn new() -> Self {
        CloseClassifier {
            stop_range: 4000..=4099,
            custom: None,
        }
    }

    /// Replace the application stop range: close codes the server uses to
    /// mean "don't come back". Default: `4000..=4099`. An empty range (e.g.
    /// `1..=0`) disables it. Has no effect on a [`custom`](Self::custom)
    /// classifier.
    #[must_use]
    pub fn with_stop_range(mut self, range: RangeInclusive<u16>) -> Self {
        self.stop_range = range;
        self
    }

    /// A classifier that ignores the default rules and asks `f` instead,
    /// with the close code and reason.
    pub fn custom(f: impl Fn(u16, &str) -> Decision + 'static) -> Self {
        CloseClassifier {
            stop_range: 4000..=4099,
            custom: Some(Rc::new(f)),
        }
    }

    /// Classify a close: [`Decision::Retry`] or [`Decision::Stop`]. A custom classifier
    /// is called here; the supervisor itself never calls it (see
    /// [`Action::Classify`](crate::core::event::Action::Classify)).
    pub fn classify(&self, code: u16, reason: &str) -> Decision {
        match &self.custom {
            Some(f) => f(code, reason),
            None => self.classify_builtin(code),
        }
    }

    /// `true` for a [`custom`](Self::custom) classifier (application code).
    pub fn is_custom(&self) -> bool {
        self.custom.is_some()
    }

    /// The built-in rules with this stop range, ignoring any custom function.
    pub fn classify_builtin(&self, code: u16) -> Decision {
        match code {
            1002 | 1003 | 1007 | 1008 | 1009 | 1010 => Decision::Stop,
            c if self.stop_range.contains(&c) => Decision::Stop,
            _ => Decision::Retry,
        }
    }
}

impl Default for CloseClassifier {
    /// Same as [`CloseClassifier::new`].
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for CloseClassifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.custom.is_some() {
            f.write_str("CloseClassifier(custom)")
        } else {
            write!(
                f,
                "CloseClassifier(default {{ stop_range: {:?} }})",
                self.stop_range
            )
        }
    }
}

/// Builder-style setters, one per field, each consuming and returning `self`.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {$(
        $(#[$doc])*
        #[must_use]
        pub fn $name(mut self, v: $ty) -> Self {
            self.$name = v;
            self
        }
    )*};
}

/// Exponential backoff with full jitter, limits and timeouts.
///
/// Retry number `n` (1-based) waits a uniformly random time in
/// `[0, cap_ms(n)]` (full jitter), where
/// `cap_ms(n) = min(max_delay_ms, initial_delay_ms * factor^(n-1))`.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ReconnectPolicy {
    /// Whether to reconnect at all. Default: `true`.
    pub enabled: bool,
    /// Upper bound of the delay before the first retry. Default: 250 ms (with full jitter
    /// the first retry comes after 125 ms on the median).
    pub initial_delay_ms: u64,
    /// Growth factor of the delay bound per attempt. Default: `2.0`.
    pub factor: f64,
    /// Ceiling of the delay bound. Default: 30 000 ms.
    pub max_delay_ms: u64,
    /// Full jitter: wait a uniform random time in `[0, cap]`; `false` waits
    /// exactly `cap`. Default: `true`.
    pub jitter: bool,
    /// Consecutive failed attempts before giving up; `None` is unlimited.
    /// Default: `None`.
    pub max_attempts: Option<u32>,
    /// Give up once an outage has lasted this long; `None` is unlimited.
    /// Default: `None`.
    pub max_elapsed_ms: Option<u64>,
    /// A socket still CONNECTING after this long is abandoned and counts as
    /// a failed attempt. Default: 10 000 ms.
    pub connect_timeout_ms: u64,
    /// The attempt counter resets only after the link stayed open this long,
    /// so a server that accepts and immediately drops does not cause a
    /// tight reconnect loop. Default: 5 000 ms.
    pub stable_after_ms: u64,
    /// Which close codes are retried. Default: [`CloseClassifier::new`].
    pub classifier: CloseClassifier,
}

impl Default for ReconnectPolicy {
    /// Enabled, 250 ms initial delay, factor 2.0, 30 s ceiling, full jitter,
    /// unlimited attempts and time, 10 s connect timeout, 5 s stability
    /// window, default classifier.
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            initial_delay_ms: 250,
            factor: 2.0,
            max_delay_ms: 30_000,
            jitter: true,
            max_attempts: None,
            max_elapsed_ms: None,
            connect_timeout_ms: 10_000,
            stable_after_ms: 5_000,
            classifier: CloseClassifier::new(),
        }
    }
}

impl ReconnectPolicy {
    /// A policy that never reconnects (`enabled = false`); every other
    /// field keeps its default.
    pub fn disabled() -> Self {
        ReconnectPolicy {
            enabled: false,
            ..Self::default()
        }
    }

    setters! {
        /// Set [`enabled`](Self::enabled). Default: `true`.
        enabled: bool;
        /// Set [`initial_delay_ms`](Self::initial_delay_ms). Default: 250 ms.
        initial_delay_ms: u64;
        /// Set [`factor`](Self::factor). Default: `2.0`.
        factor: f64;
        /// Set [`max_delay_ms`](Self::max_delay_ms). Default: 30 000 ms.
        max_delay_ms: u64;
        /// Set [`jitter`](Self::jitter). Default: `true`.
        jitter: bool;
        /// Set [`max_attempts`](Self::max_attempts). Default: `None` (unlimited).
        max_attempts: Option<u32>;
        /// Set [`max_elapsed_ms`](Self::max_elapsed_ms). Default: `None` (unlimited).
        max_elapsed_ms: Option<u64>;
        /// Set [`connect_timeout_ms`](Self::connect_timeout_ms). Default: 10 000 ms.
        connect_timeout_ms: u64;
        /// Set [`stable_after_ms`](Self::stable_after_ms). Default: 5 000 ms.
        stable_after_ms: u64;
        /// Set [`classifier`](Self::classifier). Default: [`CloseClassifier::new`].
        classifier: CloseClassifier;
    }

    /// Upper bound of the delay before retry number `attempt` (1-based;
    /// 0 is treated as 1): `min(max_delay_ms, initial_delay_ms *
    /// factor^(attempt-1))`.
    ///
    /// Saturating: a factor below 1.0 (or NaN) is treated as 1.0, and huge
    /// attempt numbers simply yield `max_delay_ms`.
    pub fn cap_ms(&self, attempt: u32) -> u64 {
        let max = self.max_delay_ms;
        let initial = self.initial_delay_ms.min(max);
        if initial == 0 {
            return 0;
        }
        // `!(x >= 1.0)` also catches NaN.
        let factor = if self.factor >= 1.0 { self.factor } else { 1.0 };
        // An integer power (repeated squaring): no `pow` from libm in the wasm.
        let exp = attempt.saturating_sub(1).min(i32::MAX as u32);
        let raw = initial as f64 * powi(factor, exp);
        if raw.is_nan() || raw >= max as f64 {
            return max;
        }
        // `as` saturates; `min` guards against rounding just above `max`.
        (raw as u64).min(max)
    }

    /// Delay before retry number `attempt` (1-based), given a random number
    /// `rand01` in `[0, 1)`.
    ///
    /// With [`jitter`](Self::jitter): `floor(rand01 * cap)`, always within
    /// `[0, cap]`; values of `rand01` outside `[0, 1]` are clamped and NaN
    /// counts as 0. Without jitter: exactly [`cap_ms`](Self::cap_ms).
    pub fn delay_ms(&self, attempt: u32, rand01: f64) -> u64 {
        let cap = self.cap_ms(attempt);
        if !self.jitter {
            return cap;
        }
        let r = if rand01.is_nan() {
            0.0
        } else {
            rand01.clamp(0.0, 1.0)
        };
        // `as` truncates toward zero: the floor of this non-negative product.
        ((cap as f64 * r) as u64).min(cap)
    }

    /// Check the policy for nonsensical values.
    ///
    /// Errors (the message names the field) when `initial_delay_ms >
    /// max_delay_ms`, `factor` is not finite or is below 1.0,
    /// `max_attempts` is `Some(0)`, or `connect_timeout_ms` is 0.
    pub fn validate(&self) -> Result<(), String> {
        self.check().map_err(|i| i.reason(&[]))
    }

    /// [`validate`](Self::validate), answering with codes (see [`rules`]).
    ///
    /// # Errors
    /// The first field that breaks a rule.
    pub fn check(&self) -> Result<(), Invalid> {
        if self.initial_delay_ms > self.max_delay_ms {
            let rule = Rule::Exceeds(self.initial_delay_ms, self.max_delay_ms);
            return Err(invalid(Field::InitialDelay, rule));
        }
        if !self.factor.is_finite() || self.factor < 1.0 {
            return Err(invalid(Field::Factor, Rule::FactorBelowOne));
        }
        if self.max_attempts == Some(0) {
            return Err(invalid(Field::MaxAttempts, Rule::NoAttempts));
        }
        rules::positive(Field::ConnectTimeout, self.connect_timeout_ms)
    }
}

/// `base` to the power `exp` by repeated squaring: the algorithm of `f64::powi` (compiler-rt's
/// `__powidf2`, which `powi` calls), written out because `f64::powi` needs `std`.
fn powi(mut base: f64, mut exp: u32) -> f64 {
    let mut result = 1.0;
    loop {
        if exp & 1 == 1 {
            result *= base;
        }
        exp /= 2;
        if exp == 0 {
            return result;
        }
        base *= base;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn powi_is_f64_powi() {
        for base in [1.0, 1.3, 1.5, 2.0, 2.5, 10.0, 1.000_001] {
            for exp in [0u32, 1, 2, 3, 7, 10, 31, 64, 1000, 1 << 30] {
                let want = f64::powi(base, i32::try_from(exp).unwrap());
                assert_eq!(powi(base, exp).to_bits(), want.to_bits(), "{base}^{exp}");
            }
        }
    }

    #[test]
    fn defaults() {
        let p = ReconnectPolicy::default();
        assert!(p.enabled && p.jitter && p.factor == 2.0);
        assert_eq!((p.initial_delay_ms, p.max_delay_ms), (250, 30_000));
        assert_eq!((p.max_attempts, p.max_elapsed_ms), (None, None));
        assert_eq!((p.connect_timeout_ms, p.stable_after_ms), (10_000, 5_000));
        assert_eq!(p.validate(), Ok(()));
        assert!(!ReconnectPolicy::disabled().enabled);
    }

    #[test]
    fn cap_doubles_then_saturates() {
        let p = ReconnectPolicy::default();
        let caps: Vec<u64> = (1..=9).map(|a| p.cap_ms(a)).collect();
        assert_eq!(
            caps,
            [250, 500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]
        );
    }

    #[test]
    fn attempt_zero_is_like_one() {
        let p = ReconnectPolicy::default();
        assert_eq!(p.cap_ms(0), p.cap_ms(1));
    }

    #[test]
    fn huge_attempt_does_not_overflow() {
        let p = ReconnectPolicy::default().max_delay_ms(u64::MAX);
        assert_eq!(p.cap_ms(u32::MAX), u64::MAX);
        let p = ReconnectPolicy::default();
        assert_eq!(p.cap_ms(u32::MAX), 30_000);
        assert!(p.delay_ms(u32::MAX, 0.999_999) <= 30_000);
    }

    #[test]
    fn odd_factors_are_clamped() {
        for f in [0.5, -3.0, f64::NAN, 1.0] {
            let p = ReconnectPolicy::default().factor(f);
            assert_eq!(p.cap_ms(10), 250, "factor {f}");
        }
        let p = ReconnectPolicy::default().factor(f64::INFINITY);
        assert_eq!(p.cap_ms(1), 250);
        assert_eq!(p.cap_ms(2), 30_000);
        let p = ReconnectPolicy::default().initial_delay_ms(0);
        assert_eq!(p.cap_ms(50), 0);
        assert_eq!(p.delay_ms(50, 0.5), 0);
    }

    #[test]
    fn delay_stays_within_cap() {
        let p = ReconnectPolicy::default();
        for attempt in [0, 1, 2, 5, 20, u32::MAX] {
            let cap = p.cap_ms(attempt);
            for r in [0.0, 0.5, 0.999_999, 1.0, -1.0, f64::NAN, f64::INFINITY] {
                let d = p.delay_ms(attempt, r);
                assert!(d <= cap, "attempt {attempt} rand {r}: {d} > {cap}");
            }
        }
        assert_eq!(p.delay_ms(1, 0.0), 0);
        assert_eq!(p.delay_ms(1, 0.5), 125);
        assert_eq!(p.delay_ms(1, 1.0), 250);
        assert_eq!(p.delay_ms(1, f64::NAN), 0);
        assert_eq!(p.delay_ms(1, -1.0), 0);
    }

    #[test]
    fn no_jitter_gives_cap() {
        let p = ReconnectPolicy::default().jitter(false);
        for a in 1..12 {
            assert_eq!(p.delay_ms(a, 0.1), p.cap_ms(a));
        }
    }

    #[test]
    fn classifier_defaults() {
        let stop = [1002, 1003, 1007, 1008, 1009, 1010, 4000, 4050, 4099];
        let retry = [
            1000, 1001, 1005, 1006, 1011, 1012, 1013, 1014, 1015, 3000, 4100, 4999,
        ];
        let c = CloseClassifier::default();
        for code in stop {
            assert_eq!(c.classify(code, ""), Decision::Stop, "code {code}");
        }
        for code in retry {
            assert_eq!(
                c.classify(code, "going away"),
                Decision::Retry,
                "code {code}"
            );
        }
    }

    #[test]
    fn classifier_stop_range() {
        let c = CloseClassifier::new().with_stop_range(4400..=4499);
        assert_eq!(c.classify(4000, ""), Decision::Retry);
        assert_eq!(c.classify(4400, ""), Decision::Stop);
        assert_eq!(c.classify(4499, ""), Decision::Stop);
        assert_eq!(c.classify(4500, ""), Decision::Retry);
        assert_eq!(c.classify(1008, ""), Decision::Stop);
        assert_eq!(
            format!("{c:?}"),
            "CloseClassifier(default { stop_range: 4400..=4499 })"
        );
    }

    #[test]
    fn classifier_custom_overrides() {
        let c = CloseClassifier::custom(|code, reason| {
            if code == 1008 || reason == "bye" {
                Decision::Retry
            } else {
                Decision::Stop
            }
        });
        assert_eq!(c.classify(1008, ""), Decision::Retry);
        assert_eq!(c.classify(1006, ""), Decision::Stop);
        assert_eq!(c.classify(1006, "bye"), Decision::Retry);
        assert_eq!(format!("{c:?}"), "CloseClassifier(custom)");
        let p = ReconnectPolicy::default().classifier(c.clone());
        assert_eq!(p.classifier.classify(1008, ""), Decision::Retry);
    }

    fn fails(p: ReconnectPolicy, field: &str) -> bool {
        p.validate().is_err_and(|e| e.contains(field))
    }

    #[test]
    fn validate_names_field() {
        let d = ReconnectPolicy::default;
        assert!(fails(d().initial_delay_ms(40_000), "initial_delay_ms"));
        for f in [0.5, f64::NAN, f64::INFINITY] {
            assert!(fails(d().factor(f), "factor"));
        }
        assert!(fails(d().max_attempts(Some(0)), "max_attempts"));
        assert!(fails(d().connect_timeout_ms(0), "connect_timeout_ms"));
        assert_eq!(d().max_attempts(Some(1)).validate(), Ok(()));
    }
}
