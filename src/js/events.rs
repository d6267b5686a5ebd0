//! Turn driver notices into `emit(type, detail)` calls for the JS class.

use js_sys::{Array, Function, Object};
use wasm_bindgen::JsValue;

use super::frame::JsFrame;
use super::set;
use crate::web::driver::Notice;
use crate::{Cause, ClosedBy, ConnectionState, Error};

fn cause_name(cause: &Cause) -> &'static str {
    match cause {
        Cause::Closed { .. } => "closed",
        Cause::ConnectFailed => "connect_failed",
        Cause::ConnectTimeout => "connect_timeout",
        Cause::HeartbeatTimeout => "heartbeat_timeout",
        Cause::UrlProvider(_) => "url_provider",
        Cause::Manual => "manual",
    }
}

/// `error` as plain data for the wrapper, with the values it hands back (the
/// application's own) as `messages`: the wrapper makes the `ReSocketError`, and its
/// message, in JavaScript (`wasmError` in the package's options.js), so no error text is
/// formatted in wasm.
pub(super) fn error_value(error: &Error<JsFrame>) -> JsValue {
    let messages: Array = error
        .clone()
        .into_unsent()
        .into_iter()
        .map(|f| f.data)
        .collect();
    error_data(error, messages)
}

/// [`error_value`] of an error that hands nothing back (the core's, in a state).
pub(super) fn plain_error_value(error: &Error) -> JsValue {
    error_data(error, Array::new())
}

/// `{ code, messages, ...fields }`: the fields `wasmError` puts in the message.
fn error_data<M>(error: &Error<M>, messages: Array) -> JsValue {
    let o = Object::new();
    set(&o, "code", error.code());
    let text = |key: &str, s: &String| set(&o, key, s.as_str());
    match error {
        Error::InvalidUrl { url, reason } => {
            text("url", url);
            text("reason", reason);
        }
        Error::InvalidCloseCode(code) => set(&o, "value", *code),
        Error::InvalidCloseReason(len) => set(&o, "value", *len as f64),
        Error::InvalidOption { option, reason } => {
            text("option", option);
            text("reason", reason);
        }
        Error::ConnectFailed { url } => text("url", url),
        Error::GaveUp { attempts, reason } => {
            set(&o, "attempts", *attempts);
            text("reason", reason);
        }
        Error::Decode { error, .. } => text("reason", error),
        Error::Encode(e) | Error::UrlProvider(e) | Error::Js(e) => text("reason", e),
        Error::TooLarge { size, limit, .. } => {
            set(&o, "size", *size as f64);
            set(&o, "limit", *limit as f64);
        }
        Error::Lagged(n) => set(&o, "count", *n as f64),
        _ => {}
    }
    set(&o, "messages", messages);
    o.into()
}

fn state_detail(state: &ConnectionState) -> Object {
    let o = Object::new();
    set(&o, "state", state.name());
    match state {
        ConnectionState::Connecting { attempt } => set(&o, "attempt", *attempt),
        ConnectionState::Reconnecting {
            attempt,
            delay_ms,
            cause,
        } => {
            set(&o, "attempt", *attempt);
            set(&o, "delayMs", *delay_ms as f64);
            set(&o, "cause", cause_name(cause));
            if let Cause::Closed { code, reason, .. } = cause {
                set(&o, "code", *code);
                set(&o, "reason", reason.as_str());
            }
            if let Cause::UrlProvider(e) = cause {
                set(&o, "error", e.as_str());
            }
        }
        _ => {}
    }
    o
}

fn close_detail(state: &ConnectionState) -> Option<Object> {
    let ConnectionState::Closed(info) = state else {
        return None;
    };
    let o = Object::new();
    set(&o, "code", info.code);
    set(&o, "reason", info.reason.as_str());
    set(&o, "wasClean", info.was_clean);
    let by = match info.by {
        ClosedBy::Client => "client",
        ClosedBy::Remote => "remote",
        ClosedBy::Policy => "policy",
    };
    set(&o, "by", by);
    set(
        &o,
        "error",
        info.error.as_ref().map_or(JsValue::NULL, plain_error_value),
    );
    Some(o)
}

/// The event types, as numbers: the wrapper maps them to names (`EVENT_TYPES` in the
/// package's index.js), so no string crosses the boundary per event.
#[derive(Clone, Copy)]
enum Kind {
    Message = 0,
    Error = 1,
    StateChange = 2,
    Open = 3,
    Reconnecting = 4,
    Close = 5,
}

fn call(emit: &Function, kind: Kind, detail: &JsValue) {
    // A throwing listener must not break the socket; the wrapper's dispatchEvent reports it.
    let _ = emit.call2(&JsValue::NULL, &JsValue::from(kind as u32), detail);
}

/// Forward one notice; state changes also fire `open`, `reconnecting` or `close`.
pub(super) fn emit(emit: &Function, notice: Notice<'_, JsFrame>) {
    match notice {
        // The data itself: the wrapper makes the event (no object built here per message).
        Notice::Message(f) => call(emit, Kind::Message, &f.data),
        Notice::SocketError => {
            let o = Object::new();
            set(&o, "error", JsValue::NULL);
            call(emit, Kind::Error, &o);
        }
        Notice::Returned(error) => {
            let o = Object::new();
            set(&o, "error", error_value(error));
            call(emit, Kind::Error, &o);
        }
        Notice::State(state) => {
            let detail = state_detail(state);
            call(emit, Kind::StateChange, &detail);
            match state {
                ConnectionState::Open => call(emit, Kind::Open, &JsValue::UNDEFINED),
                ConnectionState::Reconnecting { .. } => call(emit, Kind::Reconnecting, &detail),
                ConnectionState::Closed(_) => {
                    if let Some(d) = close_detail(state) {
                        call(emit, Kind::Close, &d);
                    }
                }
                _ => {}
            }
        }
    }
}
