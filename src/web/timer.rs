//! RAII timeouts on the global scope (window or worker): cleared on drop.

use wasm_bindgen::prelude::*;

use super::diagnostics;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &js_sys::Function, timeout: i32) -> JsValue;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: &JsValue);
}

/// A pending `setTimeout`. Dropping it clears the timeout and frees the closure.
#[must_use = "a Timeout is cleared when dropped"]
pub(crate) struct Timeout {
    handle: JsValue,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Run `f` once after `ms` milliseconds (clamped to the browser's i32 range).
    pub(crate) fn new(ms: u64, f: impl FnOnce() + 'static) -> Timeout {
        let mut f = Some(f);
        let closure = Closure::<dyn FnMut()>::new(move || {
            diagnostics::callback_ran();
            if let Some(f) = f.take() {
                f();
            }
        });
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let handle = set_timeout(closure.as_ref().unchecked_ref(), ms);
        diagnostics::timers(1);
        Timeout {
            handle,
            _closure: closure,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(&self.handle);
        diagnostics::timers(-1);
    }
}
