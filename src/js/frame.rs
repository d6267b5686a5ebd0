//! The npm face's payload: the application's own JavaScript value, never copied into
//! wasm memory.
//!
//! `send(data)` hands the caller's string, `ArrayBuffer` or typed array to
//! `WebSocket.send()` as it is, and a `message` event's `data` reaches the listeners as
//! the browser delivered it. The core sees only the length (UTF-8 bytes for text, which
//! the wrapper measures in JavaScript).

use std::cell::RefCell;

use js_sys::Function;
use wasm_bindgen::prelude::*;
use web_sys::WebSocket;

use crate::core::message::Payload;
use crate::web::socket::Frame;
use crate::Message;

#[wasm_bindgen]
extern "C" {
    /// A `WebSocket` (or the application's adapter) seen through a `send` that takes any
    /// value.
    type Sink;
    #[wasm_bindgen(method, catch, js_name = send)]
    fn send_value(this: &Sink, data: &JsValue) -> Result<(), JsValue>;
}

/// The wrapper's helpers, given with every socket (they are the same ones): the length of
/// a message's data, and the copy of a binary frame that is kept (both pure JS of the
/// package's own, which cannot call back into wasm).
struct Helpers {
    measure: Function,
    hold: Function,
}

thread_local! {
    static HELPERS: RefCell<Option<Helpers>> = const { RefCell::new(None) };
}

/// Keep the wrapper's `measure(data, max)` and `held(frame)`.
pub(super) fn set_helpers(measure: Function, hold: Function) {
    HELPERS.with(|h| *h.borrow_mut() = Some(Helpers { measure, hold }));
}

/// `f(value)`, or `f(value, arg)`, for one of the helpers; `None` if it is missing or
/// throws.
fn call_helper(
    pick: fn(&Helpers) -> &Function,
    value: &JsValue,
    arg: Option<f64>,
) -> Option<JsValue> {
    let f = HELPERS.with(|h| h.borrow().as_ref().map(|h| pick(h).clone()))?;
    match arg {
        Some(a) => f.call2(&JsValue::NULL, value, &JsValue::from(a)).ok(),
        None => f.call1(&JsValue::NULL, value).ok(),
    }
}

/// A string, `ArrayBuffer` or typed array with its length in bytes.
#[derive(Debug, Clone)]
pub(crate) struct JsFrame {
    pub(crate) data: JsValue,
    len: usize,
    text: bool,
    /// It is the application's buffer, not yet copied (see [`Payload::hold`]).
    borrowed: bool,
}

impl JsFrame {
    /// What the wrapper's `send()` hands over: a string, or an `ArrayBuffer` or typed
    /// array it has checked with the intrinsic getters, and its length in bytes.
    pub(crate) fn outbound(data: JsValue, len: f64) -> JsFrame {
        let text = data.is_string();
        JsFrame {
            data,
            len: len as usize,
            text,
            borrowed: !text,
        }
    }
}

impl Payload for JsFrame {
    fn len(&self) -> usize {
        self.len
    }

    fn is(&self, message: &Message) -> bool {
        match message {
            Message::Text(t) => {
                self.text && self.len == t.len() && self.data.as_string().as_deref() == Some(t)
            }
            // The package's pong is always text (its options take strings only), and
            // `new Uint8Array()` of a detached buffer from a custom socket would throw in
            // wasm: a binary pong is never matched on this face.
            Message::Binary(_) => false,
        }
    }

    /// A queued binary send takes its own copy (in JavaScript memory, made by the
    /// wrapper), so that the application may reuse its buffer once `send()` returns, as
    /// after `WebSocket.send()`. Strings are immutable and never copied.
    fn hold(&mut self) {
        if !self.borrowed {
            return;
        }
        self.borrowed = false;
        if let Some(copy) = call_helper(|h| &h.hold, &self.data, None) {
            self.data = copy;
        }
    }
}

impl Frame for JsFrame {
    /// One call to the wrapper's `measure(data, max)`: a string's UTF-8 length (or its
    /// UTF-16 length when that is over `max` already), -1 - byteLength for an
    /// `ArrayBuffer`, NaN for anything else.
    fn read(data: JsValue, max: usize) -> Option<Result<Self, u64>> {
        let n = call_helper(|h| &h.measure, &data, Some(max as f64))?.as_f64()?;
        if n.is_nan() {
            return None;
        }
        let (text, len) = if n >= 0.0 {
            (true, n)
        } else {
            (false, -1.0 - n)
        };
        if len > max as f64 {
            return Some(Err(len as u64));
        }
        Some(Ok(JsFrame {
            data,
            len: len as usize,
            text,
            borrowed: false,
        }))
    }

    fn send_on(&self, ws: &WebSocket) -> Result<(), JsValue> {
        ws.unchecked_ref::<Sink>().send_value(&self.data)
    }
}
