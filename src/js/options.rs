//! The options as the package's wrapper hands them over: already checked in JavaScript
//! (`check()` in the package's options.js, which names the option on any error), as
//! numbers in fixed places, the strings, and the `shouldReconnect` function. Nothing here
//! can fail, and no option name or error text is in the wasm.

use std::rc::Rc;

use js_sys::{Array, Function};
use wasm_bindgen::{JsCast, JsValue};

use crate::{CloseClassifier, Config, Decision, Heartbeat, Message, Overflow};

// The places of the numbers: `AT` in options.js, in the same order.
const RECONNECT: usize = 0;
const INITIAL_DELAY: usize = 1;
const FACTOR: usize = 2;
const MAX_DELAY: usize = 3;
const JITTER: usize = 4;
const MAX_ATTEMPTS: usize = 5;
const MAX_ELAPSED: usize = 6;
const CONNECT_TIMEOUT: usize = 7;
const STABLE_AFTER: usize = 8;
const STOP_FROM: usize = 9;
const STOP_TO: usize = 10;
const MAX_MESSAGES: usize = 11;
const MAX_BYTES: usize = 12;
const OVERFLOW: usize = 13;
const HIGH: usize = 14;
const LOW: usize = 15;
const HEARTBEAT: usize = 16;
const INTERVAL: usize = 17;
const TIMEOUT: usize = 18;
const PONG: usize = 19;
const CLOSE_TIMEOUT: usize = 20;
const MAX_MESSAGE_SIZE: usize = 21;

// The places of the strings.
const PING_TEXT: u32 = 0;
const PONG_TEXT: u32 = 1;
const PROTOCOLS: u32 = 2;

/// The [`Config`] of checked options: `nums` (NaN = the default; booleans 0/1; -1 = no
/// limit), `strs` (`[ping, pong, ...protocols]`) and `should` (`shouldReconnect`).
pub(crate) fn config(nums: &[f64], strs: &Array, should: JsValue) -> Config {
    let at = |i: usize| nums.get(i).copied().filter(|n| !n.is_nan());
    // `as` saturates: a checked option is a non-negative integer anyway.
    let int = |i: usize| at(i).map(|n| n as u64);
    let size = |i: usize| at(i).map(|n| n as usize);
    let limit = |i: usize| at(i).map(|n| (n >= 0.0).then_some(n as u64));
    let text = |i: u32| strs.get(i).as_string();
    let mut c = Config::new();

    let p = &mut c.reconnect;
    p.enabled = at(RECONNECT) != Some(0.0);
    p.initial_delay_ms = int(INITIAL_DELAY).unwrap_or(p.initial_delay_ms);
    p.factor = at(FACTOR).unwrap_or(p.factor);
    p.max_delay_ms = int(MAX_DELAY).unwrap_or(p.max_delay_ms);
    p.jitter = at(JITTER).map_or(p.jitter, |j| j != 0.0);
    if let Some(n) = limit(MAX_ATTEMPTS) {
        p.max_attempts = n.map(|n| u32::try_from(n).unwrap_or(u32::MAX));
    }
    p.max_elapsed_ms = limit(MAX_ELAPSED).unwrap_or(p.max_elapsed_ms);
    p.connect_timeout_ms = int(CONNECT_TIMEOUT).unwrap_or(p.connect_timeout_ms);
    p.stable_after_ms = int(STABLE_AFTER).unwrap_or(p.stable_after_ms);
    if let (Some(from), Some(to)) = (at(STOP_FROM), at(STOP_TO)) {
        p.classifier = p
            .classifier
            .clone()
            .with_stop_range(from as u16..=to as u16);
    }
    if let Ok(f) = should.dyn_into::<Function>() {
        p.classifier = js_classifier(Rc::new(f));
    }

    let q = &mut c.queue;
    q.max_messages = size(MAX_MESSAGES).unwrap_or(q.max_messages);
    q.max_bytes = size(MAX_BYTES).unwrap_or(q.max_bytes);
    if at(OVERFLOW) == Some(1.0) {
        q.overflow = Overflow::DropOldest;
    }
    c.water_marks.high = size(HIGH).unwrap_or(c.water_marks.high);
    c.water_marks.low = size(LOW).unwrap_or(c.water_marks.low);

    match at(HEARTBEAT) {
        Some(0.0) => c.heartbeat = None,
        Some(_) => {
            let mut h = Heartbeat::default();
            h.interval_ms = int(INTERVAL).unwrap_or(h.interval_ms);
            h.timeout_ms = int(TIMEOUT).unwrap_or(h.timeout_ms);
            if let Some(ping) = text(PING_TEXT) {
                h.ping = Message::Text(ping);
            }
            match at(PONG) {
                Some(0.0) => h.pong = None,
                Some(_) => h.pong = text(PONG_TEXT).map(Message::Text),
                None => {}
            }
            c.heartbeat = Some(h);
        }
        None => {}
    }
    c.close_timeout_ms = int(CLOSE_TIMEOUT).unwrap_or(c.close_timeout_ms);
    c.max_message_size = size(MAX_MESSAGE_SIZE).unwrap_or(c.max_message_size);
    c.protocols = (PROTOCOLS..strs.length())
        .filter_map(|i| strs.get(i).as_string())
        .collect();
    c
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
