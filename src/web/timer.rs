//! RAII timeouts on the global scope (window or worker): cleared on drop.

use std::cell::Cell;
use std::rc::Rc;

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
    /// Set when the timeout has fired: it no longer counts as live.
    fired: Rc<Cell<bool>>,
    _closure: Closure<dyn FnMut()>,
}

impl Timeout {
    /// Run `f` once after `ms` milliseconds (clamped to the browser's i32 range).
    pub(crate) fn new(ms: u64, f: impl FnOnce() + 'static) -> Timeout {
        let mut f = Some(f);
        let fired = Rc::new(Cell::new(false));
        let flag = Rc::clone(&fired);
        let closure = Closure::<dyn FnMut()>::new(move || {
            diagnostics::callback_ran();
            if let Some(f) = f.take() {
                flag.set(true);
                diagnostics::timers(-1);
                f();
            }
        });
        let ms = i32::try_from(ms).unwrap_or(i32::MAX);
        let handle = set_timeout(closure.as_ref().unchecked_ref(), ms);
        diagnostics::timers(1);
        Timeout {
            handle,
            fired,
            _closure: closure,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        if !self.fired.get() {
            clear_timeout(&self.handle);
            diagnostics::timers(-1);
        }
    }
}
