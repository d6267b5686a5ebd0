//! What the framework hooks (`crate::leptos`, `crate::yew`) share on every target: the
//! [`Glue`] a hook hands to its bridge, the polled [`Metrics`], and the first render.
//!
//! Every hook renders [`INITIAL_STATE`] and [`Metrics::INITIAL`] first, in the browser and
//! on the server alike, so that a server-rendered page and its hydration produce the same
//! markup. In the browser the socket's own state and counts follow from the hook's task
//! (a microtask later, after hydration); on the server nothing follows.
//!
//! [`Opened`] and [`Bridge`] are `crate::web::hook`'s in the browser; elsewhere they come
//! from `ssr.rs`, which opens nothing.

#[cfg(not(target_arch = "wasm32"))]
mod ssr;

#[cfg(target_arch = "wasm32")]
pub(crate) use crate::web::hook::{Bridge, Opened};
#[cfg(not(target_arch = "wasm32"))]
pub(crate) use ssr::{Bridge, Opened};

use std::rc::Rc;

use crate::{Codec, ConnectionState, Error, ReadyState};

/// How often `bufferedAmount` and the queued bytes are re-read while they are non-zero or a
/// send waits, in milliseconds. Nothing is polled while the socket is idle.
pub const POLL_MS: u32 = 100;

/// The state every hook renders first: a first attempt being made.
pub(crate) const INITIAL_STATE: ConnectionState = ConnectionState::Connecting { attempt: 0 };

/// The application's `on_message` callback.
pub(crate) type Handler<C> = Rc<dyn Fn(Result<<C as Codec>::In, Error>)>;

/// The framework side of a hook: where the task publishes what it reads.
///
/// Called with no borrow of the bridge held, and never after `Bridge::stop` (never at all
/// on the server).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) trait Glue {
    /// A state transition; every one, in order, before the items that follow it.
    fn state(&self, state: ConnectionState);
    /// The counts, read after each wake-up's states and items.
    fn metrics(&self, metrics: Metrics);
}

/// The polled numbers.
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct Metrics {
    pub(crate) ready_state: ReadyState,
    pub(crate) buffered: usize,
    pub(crate) queued: usize,
    pub(crate) retry: u32,
    pub(crate) open: bool,
    /// Tracked messages not yet acknowledged (acknowledged delivery).
    pub(crate) unacked: usize,
}

impl Metrics {
    /// The counts every hook renders first, with [`INITIAL_STATE`].
    pub(crate) const INITIAL: Metrics = Metrics {
        ready_state: ReadyState::Connecting,
        buffered: 0,
        queued: 0,
        retry: 0,
        open: false,
        unacked: 0,
    };
}

impl Default for Metrics {
    /// The counts of a socket that is not there: `Closed`, all zero.
    fn default() -> Self {
        Metrics {
            ready_state: ReadyState::Closed,
            ..Metrics::INITIAL
        }
    }
}
