//! One browser `WebSocket` with its handlers owned: detached, then freed, on drop.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::{diagnostics, js_text};
use crate::core::message::Payload;
use crate::{Error, Message, ReadyState};

/// A payload the browser driver carries: read from a `message` event, handed to
/// `WebSocket.send()`: the Rust API's [`Message`] (bytes copied into wasm memory). The
/// npm package has a shell of its own in JavaScript (`pkg-template/shell.js`).
pub(crate) trait Frame: Payload + Clone + Sized + 'static {
    /// `MessageEvent.data` (a string, or an `ArrayBuffer`: binaryType is always
    /// `arraybuffer`) as a payload, or `Err(size)` when it is longer than `max` bytes, in
    /// which case nothing of it was copied. `None` for data of any other type.
    fn read(data: JsValue, max: usize) -> Option<Result<Self, u64>>;

    /// Hand the payload to the browser socket.
    ///
    /// # Errors
    /// The browser's exception.
    fn send_on(&self, ws: &WebSocket) -> Result<(), JsValue>;
}

impl Frame for Message {
    /// The length is checked against `max` before anything is copied into wasm memory
    /// (for text, the UTF-16 length, which never exceeds the UTF-8 one; the exact UTF-8
    /// length is checked after the copy, which is then at most 3 × `max`).
    fn read(data: JsValue, max: usize) -> Option<Result<Self, u64>> {
        if let Some(text) = data.dyn_ref::<js_sys::JsString>() {
            let units = text.length() as usize;
            if units > max {
                return Some(Err(units as u64));
            }
            let text = data.as_string().unwrap_or_default();
            if text.len() > max {
                return Some(Err(text.len() as u64));
            }
            return Some(Ok(Message::Text(text)));
        }
        let buffer = data.dyn_into::<js_sys::ArrayBuffer>().ok()?;
        let size = buffer.unchecked_ref::<Buffer>().byte_length();
        if size > max as f64 {
            return Some(Err(size as u64));
        }
        Some(
            copy_bytes(&js_sys::Uint8Array::new(&buffer))
                .map(Message::Binary)
                .ok_or(size as u64),
        )
    }

    fn send_on(&self, ws: &WebSocket) -> Result<(), JsValue> {
        match self {
            Message::Text(s) => ws.send_with_str(s),
            Message::Binary(b) => ws.send_with_u8_array(b),
        }
    }
}

/// What a browser socket reports.
pub(crate) enum SocketEvent<P> {
    Open,
    Message(P),
    /// A message over the size limit, not copied: its length in bytes.
    Oversized(u64),
    Close {
        code: u16,
        reason: String,
        was_clean: bool,
    },
    Error,
}

/// A browser WebSocket whose `on*` handlers (one closure for all four) live exactly as
/// long as this value.
pub(crate) struct BrowserSocket {
    ws: WebSocket,
    _on_event: Closure<dyn FnMut(web_sys::Event)>,
}

#[wasm_bindgen]
extern "C" {
    /// An `ArrayBuffer` seen through a getter that returns a double.
    type Buffer;
    /// `byteLength` as a double: never cut to 32 bits.
    #[wasm_bindgen(method, getter, js_name = byteLength)]
    fn byte_length(this: &Buffer) -> f64;
}

/// Copy a JS byte array into a new `Vec`, or `None` if memory for it cannot be had
/// (instead of the abort an infallible allocation would end in).
pub(crate) fn copy_bytes(array: &js_sys::Uint8Array) -> Option<Vec<u8>> {
    let len = array.length() as usize;
    let mut bytes = Vec::new();
    bytes.try_reserve_exact(len).ok()?;
    bytes.resize(len, 0);
    array.copy_to(&mut bytes);
    Some(bytes)
}

/// What one of the socket's events reports: a message (told apart without reading its
/// type, by one `instanceof`), or by its `type` a message, an open, a close or an error.
fn read_event<P: Frame>(e: web_sys::Event, max: usize) -> Option<SocketEvent<P>> {
    let message = |m: &MessageEvent| {
        P::read(m.data(), max).map(|r| match r {
            Ok(p) => SocketEvent::Message(p),
            Err(size) => SocketEvent::Oversized(size),
        })
    };
    if let Some(m) = e.dyn_ref::<MessageEvent>() {
        return message(m);
    }
    // Not the global MessageEvent class (an implementation with its own events, such as
    // Node's `ws`): by its type.
    let kind = js_sys::Reflect::get(&e, &JsValue::from_str("type"))
        .ok()?
        .as_string()?;
    match kind.as_str() {
        "message" => message(e.unchecked_ref()),
        "open" => Some(SocketEvent::Open),
        "close" => {
            let c = e.unchecked_ref::<CloseEvent>();
            Some(SocketEvent::Close {
                code: c.code(),
                reason: c.reason(),
                was_clean: c.was_clean(),
            })
        }
        _ => Some(SocketEvent::Error),
    }
}

impl BrowserSocket {
    /// Open a socket to an already-checked URL; `sink` receives its events. `class` is a
    /// WebSocket class to use instead of the browser's (a shared connection's: its
    /// objects are used through the same properties and methods).
    ///
    /// # Errors
    /// [`Error::Js`] when the constructor throws.
    pub(crate) fn open<P: Frame>(
        url: &str,
        protocols: &[String],
        max_message_size: usize,
        sink: Rc<dyn Fn(SocketEvent<P>)>,
        class: Option<&js_sys::Function>,
    ) -> Result<BrowserSocket, Error> {
        let list: js_sys::Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
        let ws = match class {
            Some(class) => {
                let args = if protocols.is_empty() {
                    js_sys::Array::of1(&JsValue::from_str(url))
                } else {
                    js_sys::Array::of2(&JsValue::from_str(url), &list)
                };
                js_sys::Reflect::construct(class, &args).map(JsCast::unchecked_into::<WebSocket>)
            }
            None if protocols.is_empty() => WebSocket::new(url),
            None => WebSocket::new_with_str_sequence(url, &list),
        }
        .map_err(|e| Error::Js(js_text(&e)))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        // One closure for the four handlers (measured against one per handler: smaller,
        // and no slower per message; see docs/BENCHMARKS.md).
        let on_event = Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
            diagnostics::callback_ran();
            if let Some(ev) = read_event(e, max_message_size) {
                sink(ev);
            }
        });
        let f: &js_sys::Function = on_event.as_ref().unchecked_ref();
        ws.set_onopen(Some(f));
        ws.set_onmessage(Some(f));
        ws.set_onclose(Some(f));
        ws.set_onerror(Some(f));
        diagnostics::listeners(4);
        diagnostics::sockets(1);
        Ok(BrowserSocket {
            ws,
            _on_event: on_event,
        })
    }

    /// Hand a payload to the browser.
    ///
    /// An application's `WebSocket` class may run anything here, its own events included
    /// (so may [`close`](Self::close) and the drop): the driver calls these with no borrow
    /// of its state held.
    ///
    /// # Errors
    /// The browser's exception.
    pub(crate) fn send<P: Frame>(&self, payload: &P) -> Result<(), JsValue> {
        payload.send_on(&self.ws)
    }

    /// Start the closing handshake (codes are validated by the core beforehand).
    pub(crate) fn close(&self, code: u16, reason: &str) {
        let _ = self.ws.close_with_code_and_reason(code, reason);
    }

    pub(crate) fn ready_state(&self) -> ReadyState {
        ReadyState::from_u16(self.ws.ready_state())
    }

    pub(crate) fn buffered_amount(&self) -> usize {
        self.ws.buffered_amount() as usize
    }

    pub(crate) fn protocol(&self) -> String {
        self.ws.protocol()
    }
}

impl Drop for BrowserSocket {
    /// Detach the handlers first, then close, then let the closures drop.
    fn drop(&mut self) {
        self.ws.set_onopen(None);
        self.ws.set_onmessage(None);
        self.ws.set_onclose(None);
        self.ws.set_onerror(None);
        if matches!(
            self.ready_state(),
            ReadyState::Connecting | ReadyState::Open
        ) {
            let _ = self.ws.close_with_code(1000);
        }
        diagnostics::listeners(-4);
        diagnostics::sockets(-1);
    }
}
