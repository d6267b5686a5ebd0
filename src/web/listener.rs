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

/// What the global scope tells a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Signal {
    /// `online`.
    Online,
    /// `offline`.
    Offline,
    /// The page came back: `pageshow` from the back/forward cache, `resume` after a
    /// freeze, or `visibilitychange` to visible.
    Resumed,
    /// The page is going into the back/forward cache: `pagehide` with `persisted`.
    Suspended,
}

/// `online`/`offline` listeners on the global scope (window or worker), if it has them,
/// and in a page the page-lifecycle events that mean it left for the back/forward cache
/// or came back.
pub(crate) struct OnlineWatch {
    _listeners: Vec<Listener>,
}

/// `true` when `object[key]` is `want` (a string) or `true`.
fn reads(object: &JsValue, key: &str, want: Option<&str>) -> bool {
    let v = js_sys::Reflect::get(object, &key.into()).unwrap_or(JsValue::UNDEFINED);
    match want {
        Some(s) => v.as_string().as_deref() == Some(s),
        None => v.as_bool() == Some(true),
    }
}

impl OnlineWatch {
    pub(crate) fn new(on: impl Fn(Signal) + Clone + 'static) -> Option<OnlineWatch> {
        let target = js_sys::global().dyn_into::<EventTarget>().ok()?;
        let (up, down) = (on.clone(), on.clone());
        let mut listeners = vec![
            Listener::new(&target, "online", move |_| up(Signal::Online))?,
            Listener::new(&target, "offline", move |_| down(Signal::Offline))?,
        ];
        // A page (not a worker): its lifecycle. A restored or resumed page's timers were
        // stopped or throttled, so the connection checks its link at once.
        let document = js_sys::Reflect::get(&target, &"document".into()).ok();
        if let Some(document) = document.and_then(|d| d.dyn_into::<EventTarget>().ok()) {
            let hidden = on.clone();
            let pagehide = move |e: web_sys::Event| {
                if reads(&e, "persisted", None) {
                    hidden(Signal::Suspended)
                }
            };
            let shown = on.clone();
            let pageshow = move |e: web_sys::Event| {
                if reads(&e, "persisted", None) {
                    shown(Signal::Resumed)
                }
            };
            let resumed = on.clone();
            let doc = document.clone();
            let visible = move |_| {
                if reads(&doc, "visibilityState", Some("visible")) {
                    on(Signal::Resumed)
                }
            };
            listeners.extend(Listener::new(&target, "pagehide", pagehide));
            listeners.extend(Listener::new(&target, "pageshow", pageshow));
            listeners.extend(Listener::new(&document, "resume", move |_| {
                resumed(Signal::Resumed)
            }));
            listeners.extend(Listener::new(&document, "visibilitychange", visible));
        }
        Some(OnlineWatch {
            _listeners: listeners,
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
