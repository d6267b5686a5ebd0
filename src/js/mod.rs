//! The JavaScript facade: `WasmSocket`, wrapped by the npm package's `ReSocket` class.
//!
//! Everything here converts between JS values and the Rust API; the logic is the same
//! core and driver the Rust [`Socket`](crate::Socket) uses.

mod events;
mod frame;
mod options;

use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::client::send::{self, FlushWait};
use crate::web::driver::{self, Observer, Provider, Shared};
use crate::web::{js_text, url};
use crate::Error;
use frame::JsFrame;

/// The socket behind the npm package's `ReSocket` class. See the package's README.
#[wasm_bindgen]
pub struct WasmSocket {
    shared: Shared<JsFrame>,
}

fn set(obj: &Object, key: &str, value: impl Into<JsValue>) {
    let _ = Reflect::set(obj, &JsValue::from_str(key), &value.into());
}

/// A URL provider from a JS function returning a string or a promise of one.
fn provider_of(f: Function) -> Provider {
    let f = Rc::new(f);
    Rc::new(move || {
        let f = Rc::clone(&f);
        Box::pin(async move {
            let value = f.call0(&JsValue::NULL).map_err(|e| js_text(&e))?;
            let value = match value.dyn_into::<Promise>() {
                Ok(p) => JsFuture::from(p).await.map_err(|e| js_text(&e))?,
                Err(v) => v,
            };
            value
                .as_string()
                .ok_or_else(|| String::from("the URL provider did not return a string"))
        })
    })
}

fn js_close_code(code: Option<f64>) -> Result<u16, Error> {
    match code {
        None => Ok(1000),
        Some(n) if n.fract() == 0.0 && (0.0..=65535.0).contains(&n) => Ok(n as u16),
        Some(n) => Err(Error::InvalidCloseCode(if n > 0.0 { u16::MAX } else { 0 })),
    }
}

#[wasm_bindgen]
impl WasmSocket {
    /// Open a socket. `url` is a string or a function returning a string or a promise of
    /// one (called before every attempt); `nums`, `strs` and `should` are the options the
    /// wrapper checked (see `options::config`); `emit(type, detail)` receives every
    /// event; `constructor`, if a function, is the `WebSocket` class to open sockets with;
    /// `measure(data, max)` is the length of a message's data, `hold(frame)` a copy of binary
    /// data that is kept past the `send()` call.
    #[wasm_bindgen(constructor)]
    #[allow(clippy::too_many_arguments)] // one call, from the package's own wrapper
    pub fn new(
        url: JsValue,
        nums: &[f64],
        strs: Array,
        should: JsValue,
        emit: Function,
        constructor: JsValue,
        measure: Function,
        hold: Function,
    ) -> Result<WasmSocket, JsValue> {
        frame::set_helpers(measure, hold);
        let config =
            options::config(nums, &strs, should).map_err(|e| options::invalid_value(&e))?;
        let (fixed, provider) = match url.dyn_into::<Function>() {
            Ok(f) => (None, Some(provider_of(f))),
            Err(v) => {
                let invalid = |e: Error| events::plain_error_value(&e);
                let s = v.as_string().ok_or_else(|| {
                    invalid(Error::InvalidUrl {
                        url: String::new(),
                        reason: "the URL must be a string or a function".into(),
                    })
                })?;
                (Some(url::resolve(&s).map_err(invalid)?), None)
            }
        };
        let observer: Observer<JsFrame> = Rc::new(move |notice| events::emit(&emit, notice));
        let constructor = constructor.dyn_into::<Function>().ok();
        let shared =
            driver::start_with(config, fixed, provider, Some(observer), false, constructor);
        Ok(WasmSocket { shared })
    }

    fn shared(&self) -> &Shared<JsFrame> {
        &self.shared
    }

    /// `readyState` of the current browser socket (0..3).
    #[wasm_bindgen(getter, js_name = readyState)]
    pub fn ready_state(&self) -> u16 {
        driver::ready_state(self.shared()).as_u16()
    }

    /// "connecting" | "open" | "reconnecting" | "closing" | "closed".
    #[wasm_bindgen(getter)]
    pub fn state(&self) -> String {
        self.shared().borrow().sup.state().name().to_owned()
    }

    /// `bufferedAmount` of the current browser socket.
    #[wasm_bindgen(getter, js_name = bufferedAmount)]
    pub fn buffered_amount(&self) -> f64 {
        driver::buffered_amount(self.shared()) as f64
    }

    /// Bytes in the outbound queue.
    #[wasm_bindgen(getter, js_name = queuedAmount)]
    pub fn queued_amount(&self) -> f64 {
        self.shared().borrow().sup.queued_bytes() as f64
    }

    /// Retries in the current outage.
    #[wasm_bindgen(getter, js_name = retryCount)]
    pub fn retry_count(&self) -> u32 {
        self.shared().borrow().sup.retry_count()
    }

    /// URL of the latest attempt.
    #[wasm_bindgen(getter)]
    pub fn url(&self) -> String {
        self.shared().borrow().url()
    }

    /// The configured `maxMessageSize`, in bytes.
    #[wasm_bindgen(getter, js_name = maxMessageSize)]
    pub fn max_message_size(&self) -> f64 {
        self.shared().borrow().sup.config().max_message_size as f64
    }

    /// Negotiated subprotocol.
    #[wasm_bindgen(getter)]
    pub fn protocol(&self) -> String {
        driver::protocol(self.shared())
    }

    /// Counters.
    pub fn stats(&self) -> JsValue {
        let s = self.shared().borrow().sup.stats();
        let o = Object::new();
        set(&o, "reconnects", s.reconnects as f64);
        set(&o, "messagesIn", s.messages_in as f64);
        set(&o, "bytesIn", s.bytes_in as f64);
        set(&o, "messagesOut", s.messages_out as f64);
        set(&o, "bytesOut", s.bytes_out as f64);
        set(&o, "dropped", s.dropped as f64);
        let rtt = s
            .last_rtt_ms
            .map_or(JsValue::NULL, |r| JsValue::from(r as f64));
        set(&o, "lastRttMs", rtt);
        o.into()
    }

    /// Send `data` (a string, or an `ArrayBuffer` or typed array the wrapper checked)
    /// of `len` bytes, waiting under backpressure. The value itself is handed to the
    /// browser: nothing of it is copied into wasm memory.
    pub fn send(&self, data: JsValue, len: f64) -> Promise {
        let fut = send::send_future(self.shared(), JsFrame::outbound(data, len));
        future_to_promise(async move {
            fut.await.map_err(|e| events::error_value(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Send without waiting: `false` when backpressure applies or the queue is full.
    #[wasm_bindgen(js_name = trySend)]
    pub fn try_send(&self, data: JsValue, len: f64) -> Result<bool, JsValue> {
        match send::try_submit(self.shared(), JsFrame::outbound(data, len)) {
            Ok(()) => Ok(true),
            Err(Error::Full(_) | Error::QueueFull(_)) => Ok(false),
            Err(e) => Err(events::error_value(&e)),
        }
    }

    /// Resolves when nothing is queued or buffered.
    pub fn flush(&self) -> Promise {
        let fut = FlushWait::new(self.shared());
        future_to_promise(async move {
            fut.await.map_err(|e| events::error_value(&e))?;
            Ok(JsValue::UNDEFINED)
        })
    }

    /// Close for good (default 1000, "").
    pub fn close(&self, code: Option<f64>, reason: Option<String>) -> Result<(), JsValue> {
        let code = js_close_code(code)?;
        send::close(self.shared(), code, reason.as_deref().unwrap_or(""))
            .map_err(|e| events::error_value(&e))
    }

    /// Reconnect now.
    pub fn reconnect(&self) -> Result<(), JsValue> {
        driver::reconnect(self.shared()).map_err(|e| events::error_value(&e))
    }
}

impl Drop for WasmSocket {
    fn drop(&mut self) {
        driver::close_and_release(self.shared());
    }
}

/// The core's rule for close arguments (`code` as a number: NaN for a value of another
/// type): `null` when they may be sent, else the error as plain data (see
/// [`events::plain_error_value`]). The package's compat classes check with it before they
/// change any state.
#[wasm_bindgen]
pub fn check_close(code: f64, reason: &str) -> JsValue {
    match js_close_code(Some(code)).and_then(|c| crate::core::close::validate(c, reason)) {
        Ok(()) => JsValue::NULL,
        Err(e) => events::plain_error_value(&e),
    }
}

/// The core's queue admission ([`admission`](crate::core::outbox::admission)) for a list
/// of sends the package holds in JavaScript (before a socket exists, or behind a `Blob`
/// being read): `sizes` of the held messages, oldest first, and a new one of `len` bytes,
/// under `max_messages` / `max_bytes` (NaN: the queue's defaults) and `drop_oldest`.
/// -1 when it is refused, else how many of the oldest to evict first.
#[wasm_bindgen]
pub fn queue_admission(
    sizes: &[f64],
    len: f64,
    max_messages: f64,
    max_bytes: f64,
    drop_oldest: bool,
) -> i32 {
    use crate::core::outbox::{admission, Overflow, QueueConfig};
    let mut q = QueueConfig::default();
    if !max_messages.is_nan() {
        q.max_messages = max_messages as usize;
    }
    if !max_bytes.is_nan() {
        q.max_bytes = max_bytes as usize;
    }
    if drop_oldest {
        q.overflow = Overflow::DropOldest;
    }
    let bytes = sizes
        .iter()
        .map(|&s| s as usize)
        .fold(0, usize::saturating_add);
    let sizes = sizes.iter().map(|&s| s as usize);
    admission(&q, bytes, sizes, len as usize).map_or(-1, |n| i32::try_from(n).unwrap_or(i32::MAX))
}

/// Live browser resources held by resocket (for leak checks).
#[wasm_bindgen]
pub fn diagnostics() -> JsValue {
    let d = crate::diagnostics();
    let o = Object::new();
    set(&o, "liveListeners", d.live_listeners as f64);
    set(&o, "liveTimers", d.live_timers as f64);
    set(&o, "liveSockets", d.live_sockets as f64);
    set(&o, "callbacksRun", d.callbacks_run as f64);
    let pages = core::arch::wasm32::memory_size(0);
    set(&o, "wasmMemory", (pages as f64) * 65536.0);
    o.into()
}
