//! Live-resource counters, for leak checks in tests and in applications.

use std::cell::Cell;

thread_local! {
    static LISTENERS: Cell<i64> = const { Cell::new(0) };
    static TIMERS: Cell<i64> = const { Cell::new(0) };
    static SOCKETS: Cell<i64> = const { Cell::new(0) };
    static CALLBACKS: Cell<u64> = const { Cell::new(0) };
}

/// A snapshot of the browser resources resocket holds right now.
///
/// Every listener, timer and socket is owned by a Rust value and released on drop; these
/// counters make that checkable. They are per thread (per page or worker).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Diagnostics {
    /// Event listeners / `on*` handlers currently attached.
    pub live_listeners: i64,
    /// Timers currently armed.
    pub live_timers: i64,
    /// Browser `WebSocket` objects currently owned.
    pub live_sockets: i64,
    /// Callbacks run since the page loaded (socket events, timers, online/offline).
    pub callbacks_run: u64,
}

/// Read the counters.
///
/// ```no_run
/// let before = resocket::diagnostics();
/// // ... open and drop sockets ...
/// assert_eq!(resocket::diagnostics().live_listeners, before.live_listeners);
/// ```
pub fn diagnostics() -> Diagnostics {
    // Shared connections count the channels, listeners and timers of their module.
    #[cfg(feature = "share")]
    let (listeners, timers) = super::share::live();
    #[cfg(not(feature = "share"))]
    let (listeners, timers) = (0, 0);
    Diagnostics {
        live_listeners: LISTENERS.with(Cell::get) + listeners,
        live_timers: TIMERS.with(Cell::get) + timers,
        live_sockets: SOCKETS.with(Cell::get),
        callbacks_run: CALLBACKS.with(Cell::get),
    }
}

pub(crate) fn listeners(delta: i64) {
    LISTENERS.with(|c| c.set(c.get() + delta));
}

pub(crate) fn timers(delta: i64) {
    TIMERS.with(|c| c.set(c.get() + delta));
}

pub(crate) fn sockets(delta: i64) {
    SOCKETS.with(|c| c.set(c.get() + delta));
}

pub(crate) fn callback_ran() {
    CALLBACKS.with(|c| c.set(c.get() + 1));
}
