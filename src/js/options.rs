//! The options as the package's wrapper hands them over: read from the caller's object in
//! JavaScript (which checks only their JavaScript types and names the option on a wrong
//! one), as numbers in fixed slots, the strings, and the `shouldReconnect` function. Every
//! rule about their values is the core's ([`rules::from_slots`]), which answers with
//! codes; the wrapper words them (no option name or error text is in the wasm).

use std::rc::Rc;

use js_sys::{Array, Function, Object};
use wasm_bindgen::{JsCast, JsValue};

use super::set;
use crate::core::rules::{self, Invalid};
use crate::{CloseClassifier, Config, Decision};

// The places of the strings.
const PING_TEXT: u32 = 0;
const PONG_TEXT: u32 = 1;
const PROTOCOLS: u32 = 2;

/// The [`Config`] of the options: `nums` (one number per slot of [`rules::Field`]),
/// `strs` (`[ping, pong, ...protocols]`) and `should` (`shouldReconnect`).
pub(crate) fn config(nums: &[f64], strs: &Array, should: JsValue) -> Result<Config, Invalid> {
    let text = |i: u32| strs.get(i).as_string();
    let protocols = (PROTOCOLS..strs.length())
        .map(|i| strs.get(i).as_string().unwrap_or_default())
        .collect();
    let mut c = rules::from_slots(nums, text(PING_TEXT), text(PONG_TEXT), protocols)?;
    if let Ok(f) = should.dyn_into::<Function>() {
        c.reconnect.classifier = js_classifier(Rc::new(f));
    }
    Ok(c)
}

/// `{ code: "invalid_option", field, rule, a, b }`: the wrapper's `RULES` and `FIELDS`
/// tables word it.
pub(crate) fn invalid_value(invalid: &Invalid) -> JsValue {
    let o = Object::new();
    let (a, b) = invalid.rule.values();
    set(&o, "code", "invalid_option");
    set(&o, "field", invalid.field as u8);
    set(&o, "rule", invalid.rule.code());
    set(&o, "a", a);
    set(&o, "b", b);
    o.into()
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
