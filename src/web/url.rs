//! URL checks: relative URLs resolved against the page, http(s) mapped to ws(s).

use wasm_bindgen::JsValue;

use crate::Error;

/// The page's (or worker's) `location.href`, if there is one.
fn base_href() -> Option<String> {
    let global = js_sys::global();
    let location = js_sys::Reflect::get(&global, &JsValue::from_str("location")).ok()?;
    if !location.is_object() {
        return None;
    }
    js_sys::Reflect::get(&location, &JsValue::from_str("href"))
        .ok()?
        .as_string()
}

/// Resolve and check a WebSocket URL the way the `WebSocket` constructor would.
///
/// # Errors
/// [`Error::InvalidUrl`] when it does not parse, has another scheme, or has a fragment.
pub(crate) fn resolve(url: &str) -> Result<String, Error> {
    let invalid = |reason: &str| Error::InvalidUrl {
        url: crate::core::redact_url(url),
        reason: reason.to_owned(),
    };
    let parsed = match base_href() {
        Some(base) => web_sys::Url::new_with_base(url, &base),
        None => web_sys::Url::new(url),
    }
    .map_err(|_| invalid("not a valid URL"))?;
    match parsed.protocol().as_str() {
        "ws:" | "wss:" => {}
        "http:" => parsed.set_protocol("ws:"),
        "https:" => parsed.set_protocol("wss:"),
        _ => return Err(invalid("the scheme must be ws:, wss:, http: or https:")),
    }
    if !parsed.hash().is_empty() || url.contains('#') {
        return Err(invalid("a WebSocket URL cannot have a fragment"));
    }
    Ok(parsed.href())
}

/// [`resolve`], with the error as its text ("invalid URL …: …"), put together without
/// `core::fmt`.
pub(crate) fn resolve_or_text(url: &str) -> Result<String, String> {
    resolve(url).map_err(|e| match e {
        Error::InvalidUrl { url, reason } => {
            let mut text = String::from("invalid URL ");
            text.push_str(&url);
            text.push_str(": ");
            text.push_str(&reason);
            text
        }
        _ => String::from("invalid URL"),
    })
}
