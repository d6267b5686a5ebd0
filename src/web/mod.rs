//! The browser layer: the only code that touches `web-sys`, `js-sys` and `Closure`.

pub(crate) mod diagnostics;
pub(crate) mod driver;
#[cfg(any(feature = "leptos", feature = "yew"))]
pub(crate) mod hook;
mod listener;
#[cfg(feature = "share")]
pub(crate) mod share;
pub(crate) mod socket;
mod timer;
pub(crate) mod url;

use wasm_bindgen::prelude::*;

use crate::Error;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

/// Milliseconds on a monotonic clock (`performance.now()`), in a page and in a worker.
pub(crate) fn now_ms() -> u64 {
    let t = performance_now();
    if t.is_finite() && t > 0.0 {
        t as u64
    } else {
        0
    }
}

/// The text of a JS exception, without panicking on odd values.
pub(crate) fn js_text(value: &JsValue) -> String {
    if let Some(s) = value.as_string() {
        return s;
    }
    match value.dyn_ref::<js_sys::Error>() {
        Some(e) => String::from(e.message()),
        None => String::from("unknown JavaScript error"),
    }
}

impl From<Error> for JsValue {
    /// A real JS `Error` with `name = "ReSocketError"` and a `code` property.
    fn from(error: Error) -> JsValue {
        let js = js_sys::Error::new(&error.to_string());
        js.set_name("ReSocketError");
        let _ = js_sys::Reflect::set(&js, &"code".into(), &error.code().into());
        js.into()
    }
}
