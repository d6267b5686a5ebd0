//! Parse the JS options object into a [`Config`], naming the option on any error.

use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::{
    CloseClassifier, Config, Decision, Error, Heartbeat, Message, Overflow, QueueConfig, WaterMarks,
};

const TOP: &[&str] = &[
    "protocols",
    "reconnect",
    "queue",
    "highWaterMark",
    "lowWaterMark",
    "heartbeat",
    "closeTimeout",
    "maxMessageSize",
];
const RECONNECT: &[&str] = &[
    "initialDelay",
    "factor",
    "maxDelay",
    "jitter",
    "maxAttempts",
    "maxElapsed",
    "connectTimeout",
    "stableAfter",
    "stopCodes",
    "shouldReconnect",
];
const QUEUE: &[&str] = &["maxMessages", "maxBytes", "overflow"];
const HEARTBEAT: &[&str] = &["interval", "timeout", "ping", "pong"];

/// One level of the options object, with its path for error messages.
struct Obj<'a> {
    value: JsValue,
    path: &'a str,
}

impl<'a> Obj<'a> {
    fn new(value: JsValue, path: &'a str, known: &[&str]) -> Result<Self, Error> {
        if !value.is_object() || value.is_function() || Array::is_array(&value) {
            return Err(Error::option(path, "must be an object"));
        }
        for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if !known.contains(&key.as_str()) {
                return Err(Error::option(&join(path, &key), "unknown option"));
            }
        }
        Ok(Obj { value, path })
    }

    fn get(&self, key: &str) -> Option<JsValue> {
        let v = Reflect::get(&self.value, &JsValue::from_str(key)).ok()?;
        (!v.is_undefined()).then_some(v)
    }

    fn name(&self, key: &str) -> String {
        join(self.path, key)
    }

    /// A finite, non-negative number.
    fn number(&self, key: &str) -> Result<Option<f64>, Error> {
        let Some(v) = self.get(key) else {
            return Ok(None);
        };
        match v.as_f64() {
            Some(n) if n.is_finite() && n >= 0.0 => Ok(Some(n)),
            _ => Err(Error::option(
                &self.name(key),
                "must be a non-negative number",
            )),
        }
    }

    /// Milliseconds or a byte count: a non-negative integer.
    fn uint(&self, key: &str) -> Result<Option<u64>, Error> {
        match self.number(key)? {
            Some(n) if n.fract() == 0.0 => Ok(Some(n as u64)),
            Some(_) => Err(Error::option(&self.name(key), "must be an integer")),
            None => Ok(None),
        }
    }

    /// `null` means "no limit".
    fn optional_uint(&self, key: &str) -> Result<Option<Option<u64>>, Error> {
        match self.get(key) {
            Some(v) if v.is_null() => Ok(Some(None)),
            _ => Ok(self.uint(key)?.map(Some)),
        }
    }

    fn boolean(&self, key: &str) -> Result<Option<bool>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_bool()
                .map(Some)
                .ok_or_else(|| Error::option(&self.name(key), "must be a boolean")),
        }
    }

    fn string(&self, key: &str) -> Result<Option<String>, Error> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .as_string()
                .map(Some)
                .ok_or_else(|| Error::option(&self.name(key), "must be a string")),
        }
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_owned()
    } else {
        format!("{path}.{key}")
    }
}

fn usize_of(n: u64) -> usize {
    usize::try_from(n).unwrap_or(usize::MAX)
}

/// Parse `options` (undefined or null = defaults).
///
/// # Errors
/// [`Error::InvalidOption`] naming the first bad option.
pub(crate) fn parse(options: JsValue) -> Result<Config, Error> {
    let mut config = Config::new();
    if options.is_undefined() || options.is_null() {
        return Ok(config);
    }
    let o = Obj::new(options, "", TOP)?;
    if let Some(p) = o.get("protocols") {
        config.protocols = protocols(&p)?;
    }
    if let Some(r) = o.get("reconnect") {
        reconnect(&mut config, r)?;
    }
    if let Some(q) = o.get("queue") {
        config.queue = queue(Obj::new(q, "queue", QUEUE)?)?;
    }
    let mut marks = WaterMarks::default();
    if let Some(high) = o.uint("highWaterMark")? {
        marks.high = usize_of(high);
    }
    if let Some(low) = o.uint("lowWaterMark")? {
        marks.low = usize_of(low);
    }
    marks
        .validate()
        .map_err(|r| Error::option("highWaterMark", r))?;
    config.water_marks = marks;
    if let Some(h) = o.get("heartbeat") {
        config.heartbeat = heartbeat(h)?;
    }
    if let Some(ms) = o.uint("closeTimeout")? {
        config.close_timeout_ms = ms;
    }
    if let Some(n) = o.uint("maxMessageSize")? {
        if n == 0 || n > u64::from(u32::MAX) {
            return Err(Error::option(
                "maxMessageSize",
                "must be between 1 and 4294967295 bytes",
            ));
        }
        config.max_message_size = usize_of(n);
    }
    config.validate()?;
    Ok(config)
}

fn protocols(value: &JsValue) -> Result<Vec<String>, Error> {
    if let Some(one) = value.as_string() {
        return Ok(vec![one]);
    }
    let bad = || Error::option("protocols", "must be a string or an array of strings");
    if !Array::is_array(value) {
        return Err(bad());
    }
    let list: &Array = value.unchecked_ref();
    list.iter().map(|p| p.as_string().ok_or_else(bad)).collect()
}

fn reconnect(config: &mut Config, value: JsValue) -> Result<(), Error> {
    if value.as_bool() == Some(false) {
        config.reconnect.enabled = false;
        return Ok(());
    }
    let o = Obj::new(value, "reconnect", RECONNECT)?;
    let p = &mut config.reconnect;
    if let Some(v) = o.uint("initialDelay")? {
        p.initial_delay_ms = v;
    }
    if let Some(v) = o.number("factor")? {
        p.factor = v;
    }
    if let Some(v) = o.uint("maxDelay")? {
        p.max_delay_ms = v;
    }
    if let Some(v) = o.boolean("jitter")? {
        p.jitter = v;
    }
    if let Some(v) = o.optional_uint("maxAttempts")? {
        p.max_attempts = v.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    }
    if let Some(v) = o.optional_uint("maxElapsed")? {
        p.max_elapsed_ms = v;
    }
    if let Some(v) = o.uint("connectTimeout")? {
        p.connect_timeout_ms = v;
    }
    if let Some(v) = o.uint("stableAfter")? {
        p.stable_after_ms = v;
    }
    if let Some(range) = o.get("stopCodes") {
        p.classifier = p.classifier.clone().with_stop_range(stop_codes(&range)?);
    }
    if let Some(f) = o.get("shouldReconnect") {
        let f: Function = f
            .dyn_into()
            .map_err(|_| Error::option("reconnect.shouldReconnect", "must be a function"))?;
        p.classifier = js_classifier(Rc::new(f));
    }
    p.validate().map_err(|r| Error::option("reconnect", r))
}

fn stop_codes(value: &JsValue) -> Result<std::ops::RangeInclusive<u16>, Error> {
    let bad = || Error::option("reconnect.stopCodes", "must be [from, to] close codes");
    let list: &Array = value.dyn_ref().ok_or_else(bad)?;
    let code = |i: u32| {
        list.get(i)
            .as_f64()
            .filter(|n| n.fract() == 0.0 && (0.0..=65535.0).contains(n))
            .map(|n| n as u16)
    };
    match (list.length(), code(0), code(1)) {
        (2, Some(from), Some(to)) => Ok(from..=to),
        _ => Err(bad()),
    }
}

/// `shouldReconnect(code, reason)`: truthy = retry. A throwing function means retry.
fn js_classifier(f: Rc<Function>) -> CloseClassifier {
    CloseClassifier::custom(move |code, reason| {
        match f.call2(&JsValue::NULL, &code.into(), &reason.into()) {
            Ok(v) if !v.is_truthy() => Decision::Stop,
            _ => Decision::Retry,
        }
    })
}

fn queue(o: Obj<'_>) -> Result<QueueConfig, Error> {
    let mut q = QueueConfig::default();
    if let Some(v) = o.uint("maxMessages")? {
        q.max_messages = usize_of(v);
    }
    if let Some(v) = o.uint("maxBytes")? {
        q.max_bytes = usize_of(v);
    }
    match o.string("overflow")?.as_deref() {
        None => {}
        Some("reject") => q.overflow = Overflow::Reject,
        Some("drop-oldest") => q.overflow = Overflow::DropOldest,
        Some(_) => {
            return Err(Error::option(
                "queue.overflow",
                "must be \"reject\" or \"drop-oldest\"",
            ))
        }
    }
    Ok(q)
}

fn heartbeat(value: JsValue) -> Result<Option<Heartbeat>, Error> {
    if value.as_bool() == Some(false) {
        return Ok(None);
    }
    let o = Obj::new(value, "heartbeat", HEARTBEAT)?;
    let mut h = Heartbeat::default();
    if let Some(v) = o.uint("interval")? {
        h.interval_ms = v;
    }
    if let Some(v) = o.uint("timeout")? {
        h.timeout_ms = v;
    }
    if let Some(v) = o.string("ping")? {
        h.ping = Message::Text(v);
    }
    match o.get("pong") {
        Some(v) if v.is_null() => h.pong = None,
        Some(_) => h.pong = o.string("pong")?.map(Message::Text),
        None => {}
    }
    Ok(Some(h))
}
