//! RAII event listeners: removed from their target on drop.

use wasm_bindgen::prelude::*;
use web_sys::EventTarget;

use super::diagnostics;

/// An `addEventListener` registration that removes itself when dropped.
#[must_use = "a Listener is removed when dropped"]
pub(crate) struct Listener {
    target: EventTarget,
    kind: &'static str,
    closure: Closure<dyn FnMut(web_sys::Event)>,
}

impl Listener {
    /// Listen for `kind` events on `target`; `None` if the target refuses.
    pub(crate) fn new(
        target: &EventTarget,
        kind: &'static str,
        mut f: impl FnMut(web_sys::Event) + 'static,
    ) -> Option<Listener> {
        let closure = Closure::<dyn FnMut(web_sys::Event)>::new(move |e| {
            diagnostics::callback_ran();
            f(e)
        });
        target
            .add_event_listener_with_callback(kind, closure.as_ref().unchecked_ref())
            .ok()?;
        diagnostics::listeners(1);
        Some(Listener {
            target: target.clone(),
            kind,
            closure,
        })
    }
}

impl Drop for Listener {
    fn drop(&mut self) {
        let f = self.closure.as_ref().unchecked_ref();
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, f);
        diagnostics::listeners(-1);
    }
}

/// `online`/`offline` listeners on the global scope (window or worker), if it has them.
pub(crate) struct OnlineWatch {
    _online: Listener,
    _offline: Listener,
}

impl OnlineWatch {
    pub(crate) fn new(on_change: impl Fn(bool) + Clone + 'static) -> Option<OnlineWatch> {
        let target = js_sys::global().dyn_into::<EventTarget>().ok()?;
        let up = on_change.clone();
        let online = Listener::new(&target, "online", move |_| up(true))?;
        let offline = Listener::new(&target, "offline", move |_| on_change(false))?;
        Some(OnlineWatch {
            _online: online,
            _offline: offline,
        })
    }

    /// `navigator.onLine`, or `true` where there is no navigator.
    pub(crate) fn is_online() -> bool {
        let global = js_sys::global();
        js_sys::Reflect::get(&global, &"navigator".into())
            .ok()
            .filter(|n| n.is_object())
            .and_then(|n| js_sys::Reflect::get(&n, &"onLine".into()).ok())
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
    }
}
