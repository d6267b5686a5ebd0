//! Shared connections ([`Builder::share`](crate::Builder::share)): the Rust face's member
//! of `pkg-template/share.js`, the module the npm package uses too.
//!
//! Every `Socket` of a share is a *member*: its own core (queue, limits, backpressure,
//! acknowledged delivery) over a WebSocket class that share.js gives it, a *view* of the
//! one real socket. The leading context holds that socket in a *host*: a `Socket` of its
//! own, with a member's options (its acknowledged delivery aside), whose WebSocket class
//! is a Tap (`src/web/share_host.js`) that hands every event to the share as well.
//!
//! JavaScript reaches the crate through one function, made once per thread and never
//! dropped ([`call`]): it makes, closes and frees hosts, which live in a table here, by
//! number. A member's options stay in a table too, until the member is dropped; a host
//! asked of a member that is gone is not made (the share asks the next member).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use wasm_bindgen::prelude::*;

use super::driver::{self, Provider, Shared};
use crate::{Config, InboundLimits};

#[wasm_bindgen(module = "/pkg-template/share.js")]
extern "C" {
    /// A member of share.js.
    #[derive(Clone)]
    pub(crate) type Member;

    #[wasm_bindgen(catch)]
    fn join(name: &str, spec: &JsValue) -> Result<Member, JsValue>;

    /// The WebSocket class of the member's core: `new` gives its next view.
    #[wasm_bindgen(method, getter, js_name = Socket)]
    pub(crate) fn socket_class(this: &Member) -> js_sys::Function;

    #[wasm_bindgen(method, catch)]
    fn leave(this: &Member) -> Result<(), JsValue>;

    #[wasm_bindgen(method, getter)]
    fn role(this: &Member) -> JsValue;

    #[wasm_bindgen(method, getter)]
    fn rtt(this: &Member) -> JsValue;

    #[wasm_bindgen(thread_local_v2, js_name = live)]
    static LIVE: Live;

    type Live;

    #[wasm_bindgen(method, getter)]
    fn listeners(this: &Live) -> f64;

    #[wasm_bindgen(method, getter)]
    fn timers(this: &Live) -> f64;
}

#[wasm_bindgen(module = "/src/web/share_host.js")]
extern "C" {
    fn spec(key: &str, call: &JsValue, id: u32) -> JsValue;
}

/// Listeners (channels included) and timers held by the shares of this thread.
pub(crate) fn live() -> (i64, i64) {
    LIVE.with(|l| (l.listeners() as i64, l.timers() as i64))
}

/// A context's place in a shared connection ([`Socket::share_role`](crate::Socket::share_role)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ShareRole {
    /// This context holds the connection's WebSocket.
    Leader,
    /// Another context holds it; this one's messages go through it.
    Follower,
    /// No leader is known yet (one is being chosen).
    Electing,
    /// This socket left the share (closed).
    Closed,
}

/// What a host is made from: a member's options.
struct HostSpec {
    config: Config,
    fixed: Option<String>,
    provider: Option<Provider>,
}

const MAKE: u32 = 0;
const CLOSE: u32 = 1;
const FREE: u32 = 2;
const CLOSED: u32 = 3;
const RTT: u32 = 4;

#[derive(Default)]
struct Tables {
    specs: HashMap<u32, Rc<HostSpec>>,
    hosts: HashMap<u32, Shared>,
    next: u32,
}

impl Tables {
    fn id(&mut self) -> u32 {
        self.next = self.next.wrapping_add(1) & 0x3fff_ffff;
        self.next
    }
}

thread_local! {
    static TABLES: RefCell<Tables> = RefCell::default();
    /// The function share_host.js calls: one per thread, for as long as the thread lives.
    static CALL: JsValue = Closure::<dyn Fn(u32, u32, JsValue) -> JsValue>::new(call).into_js_value();
}

/// The crate's side of share_host.js. Nothing here runs under a borrow of the tables
/// while a host's driver runs (its socket may be the Tap, whose events re-enter).
fn call(op: u32, id: u32, arg: JsValue) -> JsValue {
    match op {
        MAKE => {
            let Some(spec) = TABLES.with(|t| t.borrow().specs.get(&id).cloned()) else {
                return JsValue::from(-1);
            };
            let Ok(class) = arg.dyn_into::<js_sys::Function>() else {
                return JsValue::from(-1);
            };
            let mut config = spec.config.clone();
            // Acknowledged delivery is each member's; the host's own core reads the
            // messages only for its heartbeat, and keeps none of them.
            config.delivery = None;
            config.inbound = InboundLimits::new(1, config.max_message_size);
            let host = driver::start_via(
                config,
                spec.fixed.clone(),
                spec.provider.clone(),
                None,
                driver::Via::Host(class),
            );
            let h = TABLES.with(|t| {
                let mut t = t.borrow_mut();
                let h = t.id();
                t.hosts.insert(h, host);
                h
            });
            JsValue::from(h)
        }
        CLOSE => {
            if let Some(host) = host(id) {
                let code = js_sys::Reflect::get_u32(&arg, 0)
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(1000.0);
                let reason = js_sys::Reflect::get_u32(&arg, 1)
                    .ok()
                    .and_then(|v| v.as_string())
                    .unwrap_or_default();
                // share.js gives 1000 or an application code; anything else closes with 1000.
                if crate::client::send::close(&host, code as u16, &reason).is_err() {
                    let _ = crate::client::send::close(&host, 1000, "");
                }
            }
            JsValue::UNDEFINED
        }
        FREE => {
            let host = TABLES.with(|t| t.borrow_mut().hosts.remove(&id));
            if let Some(host) = host {
                driver::close_and_release(&host);
            }
            JsValue::UNDEFINED
        }
        CLOSED => JsValue::from(host(id).is_none_or(|h| h.borrow().sup.state().is_closed())),
        RTT => match host(id).and_then(|h| h.borrow().sup.stats().last_rtt_ms) {
            Some(ms) => JsValue::from(ms as f64),
            None => JsValue::NULL,
        },
        _ => JsValue::UNDEFINED,
    }
}

/// A host's core closed for good: its Tap class tells the share (`Tap.closed`).
pub(crate) fn host_closed(class: &js_sys::Function, code: u16, reason: &str) {
    if let Ok(f) = js_sys::Reflect::get(class, &JsValue::from_str("closed")) {
        if let Some(f) = f.dyn_ref::<js_sys::Function>() {
            let _ = f.call2(
                &JsValue::UNDEFINED,
                &JsValue::from(code),
                &JsValue::from_str(reason),
            );
        }
    }
}

/// `member` leaves its share (nothing if it already left).
pub(crate) fn leave(member: &Member) {
    let _ = member.leave();
}

fn host(id: u32) -> Option<Shared> {
    TABLES.with(|t| t.borrow().hosts.get(&id).cloned())
}

/// A `Socket`'s membership of a share: it leaves the share, and its options leave the
/// table, when the socket's connection is dropped.
pub(crate) struct Membership {
    member: Member,
    spec: u32,
}

impl Membership {
    /// Join the share `name` of the URL `fixed` (or of a URL provider's connection).
    ///
    /// # Errors
    /// The text of what share.js threw.
    pub(crate) fn join(
        name: &str,
        config: &Config,
        fixed: Option<String>,
        provider: Option<Provider>,
    ) -> Result<Membership, String> {
        let key = fixed.clone().unwrap_or_default();
        let id = TABLES.with(|t| {
            let mut t = t.borrow_mut();
            let id = t.id();
            t.specs.insert(
                id,
                Rc::new(HostSpec {
                    config: config.clone(),
                    fixed,
                    provider,
                }),
            );
            id
        });
        let spec = CALL.with(|call| spec(&key, call, id));
        match join(name, &spec) {
            Ok(member) => Ok(Membership { member, spec: id }),
            Err(e) => {
                TABLES.with(|t| t.borrow_mut().specs.remove(&id));
                Err(super::js_text(&e))
            }
        }
    }

    pub(crate) fn member(&self) -> &Member {
        &self.member
    }

    /// Closed for good: out of the share (a later `reconnect()` joins again).
    pub(crate) fn leave(&self) {
        leave(&self.member);
    }
}

/// `member`'s place in its share.
pub(crate) fn role(member: &Member) -> ShareRole {
    match member.role().as_string().as_deref() {
        Some("leader") => ShareRole::Leader,
        Some("follower") => ShareRole::Follower,
        Some("electing") => ShareRole::Electing,
        _ => ShareRole::Closed,
    }
}

/// The connection's last heartbeat round trip (the host's), in ms.
pub(crate) fn rtt(member: &Member) -> Option<u64> {
    member
        .rtt()
        .as_f64()
        .filter(|v| v.is_finite() && *v >= 0.0)
        .map(|v| v as u64)
}

impl Drop for Membership {
    fn drop(&mut self) {
        self.leave();
        TABLES.with(|t| t.borrow_mut().specs.remove(&self.spec));
    }
}
