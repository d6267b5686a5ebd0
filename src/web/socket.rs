//! One browser `WebSocket` with its handlers owned: detached, then freed, on drop.

use std::rc::Rc;

use wasm_bindgen::prelude::*;
use web_sys::{BinaryType, CloseEvent, MessageEvent, WebSocket};

use super::{diagnostics, js_text};
use crate::core::message::Payload;
use crate::{Error, Message, ReadyState};

/// A payload the browser driver carries: read from a `message` event, handed to
/// `WebSocket.send()`. The Rust API's is [`Message`] (bytes copied into wasm memory);
/// the npm package's is the JavaScript value itself (`crate::js::frame`).
pub(crate) trait Frame: Payload + Sized + 'static {
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

/// A browser WebSocket whose four `on*` handlers live exactly as long as this value.
pub(crate) struct BrowserSocket {
    ws: WebSocket,
    _onopen: Closure<dyn FnMut(web_sys::Event)>,
    _onmessage: Closure<dyn FnMut(MessageEvent)>,
    _onclose: Closure<dyn FnMut(CloseEvent)>,
    _onerror: Closure<dyn FnMut(web_sys::Event)>,
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

fn handler<E: wasm_bindgen::convert::FromWasmAbi + 'static, P: 'static>(
    sink: &Rc<dyn Fn(SocketEvent<P>)>,
    map: impl Fn(E) -> Option<SocketEvent<P>> + 'static,
) -> Closure<dyn FnMut(E)> {
    let sink = Rc::clone(sink);
    Closure::<dyn FnMut(E)>::new(move |e: E| {
        diagnostics::callback_ran();
        if let Some(ev) = map(e) {
            sink(ev);
        }
    })
}

impl BrowserSocket {
    /// Open a socket to an already-checked URL; `sink` receives its events.
    ///
    /// # Errors
    /// [`Error::Js`] when the constructor throws.
    pub(crate) fn open<P: Frame>(
        url: &str,
        protocols: &[String],
        max_message_size: usize,
        constructor: Option<&js_sys::Function>,
        sink: Rc<dyn Fn(SocketEvent<P>)>,
    ) -> Result<BrowserSocket, Error> {
        let list: js_sys::Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
        let ws = match constructor {
            // The application's class: `new C(url)` or `new C(url, protocols)`, caught.
            Some(c) => {
                let args = if protocols.is_empty() {
                    js_sys::Array::of1(&url.into())
                } else {
                    js_sys::Array::of2(&url.into(), &list)
                };
                js_sys::Reflect::construct(c, &args).map(JsCast::unchecked_into)
            }
            None if protocols.is_empty() => WebSocket::new(url),
            None => WebSocket::new_with_str_sequence(url, &list),
        }
        .map_err(|e| Error::Js(js_text(&e)))?;
        ws.set_binary_type(BinaryType::Arraybuffer);
        let onopen = handler(&sink, |_: web_sys::Event| Some(SocketEvent::Open));
        let onmessage = handler(&sink, move |e: MessageEvent| {
            P::read(e.data(), max_message_size).map(|r| match r {
                Ok(p) => SocketEvent::Message(p),
                Err(size) => SocketEvent::Oversized(size),
            })
        });
        let onclose = handler(&sink, |e: CloseEvent| {
            Some(SocketEvent::Close {
                code: e.code(),
                reason: e.reason(),
                was_clean: e.was_clean(),
            })
        });
        let onerror = handler(&sink, |_: web_sys::Event| Some(SocketEvent::Error));
        ws.set_onopen(Some(onopen.as_ref().unchecked_ref()));
        ws.set_onmessage(Some(onmessage.as_ref().unchecked_ref()));
        ws.set_onclose(Some(onclose.as_ref().unchecked_ref()));
        ws.set_onerror(Some(onerror.as_ref().unchecked_ref()));
        diagnostics::listeners(4);
        diagnostics::sockets(1);
        Ok(BrowserSocket {
            ws,
            _onopen: onopen,
            _onmessage: onmessage,
            _onclose: onclose,
            _onerror: onerror,
        })
    }

    /// Hand a payload to the browser.
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
