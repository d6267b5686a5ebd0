//! The WebAssembly module of the npm package `resocket-wasm`: resocket's sans-IO core
//! (`src/core`, the same files as the crate's) behind a numeric API, and nothing else.
//!
//! No socket, timer, closure, future, event object or error text lives here. The
//! package's JavaScript shell (`pkg-template/shell.js`) owns the `WebSocket`, the timers,
//! `online`/`offline` and event dispatch; it calls in once per browser event or
//! application call, with numbers, then reads the actions the core queued, one by one,
//! from [`rs_poll`]. Payloads never enter: a message is a key the shell chose and its
//! length in bytes. Strings cross only at connection events (a URL, a close reason, an
//! error's text): the shell writes them as UTF-8 into [`rs_text`] and pushes them with
//! [`rs_arg`]; the core writes its own into an output buffer whose offsets are in
//! [`rs_out`].
//!
//! The exports never panic on any input (a handle is a pointer the shell got from
//! [`rs_new`]; the shell is the package's own code).

// no_std in the module; natively (its tests) it links std.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![allow(clippy::missing_safety_doc)] // every export is called by the package's own shell

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::cell::UnsafeCell;

use resocket_core_nostd::core::backoff::{CloseClassifier, Decision};
use resocket_core_nostd::core::delivery::{Ack, Id};
use resocket_core_nostd::core::event::{Action, Event, Timer};
use resocket_core_nostd::core::message::{Message, Payload};
use resocket_core_nostd::core::outbox::{admission, Overflow, QueueConfig};
use resocket_core_nostd::core::pressure::{Gate, Ticket};
use resocket_core_nostd::core::rules;
use resocket_core_nostd::core::state::{Cause, ClosedBy, ConnectionState};
use resocket_core_nostd::core::supervisor::Supervisor;
use resocket_core_nostd::core::{close, redact_url};
use resocket_core_nostd::Error;

// A small free-list allocator: the core allocates when a connection is made, when a
// message is queued and at connection events, never per message on an open link.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: a wasm module instance without threads.
static ALLOC: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

#[cfg(all(target_arch = "wasm32", not(test)))]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    core::arch::wasm32::unreachable()
}

/// A message as the core sees it: the shell's key for the value it keeps, its length in
/// bytes, and whether the shell found it equal to the heartbeat's pong.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    key: u32,
    len: usize,
    pong: bool,
}

impl Frame {
    /// An outbound message: the shell's `key` and its length `len` in bytes.
    fn outbound(key: u32, len: f64) -> Frame {
        Frame {
            key,
            len: usize_of(len),
            pong: false,
        }
    }
}

impl Payload for Frame {
    fn len(&self) -> usize {
        self.len
    }

    fn is(&self, _pong: &Message) -> bool {
        self.pong
    }
}

/// One connection: the supervisor and the backpressure gate of its senders.
pub struct Engine {
    sup: Supervisor<Frame>,
    gate: Gate,
}

/// Single-threaded statics (a wasm module instance has one thread).
struct Cell<T>(UnsafeCell<T>);
// SAFETY: wasm32 without threads; nothing here is shared across threads.
unsafe impl<T> Sync for Cell<T> {}
impl<T> Cell<T> {
    #[allow(clippy::mut_from_ref)]
    fn get(&self) -> &mut T {
        // SAFETY: single-threaded, and no export keeps a reference across a call.
        unsafe { &mut *self.0.get() }
    }
}

/// Numbers out (and the option slots in): see each export for the layout.
const OUT_LEN: usize = 40;
static OUT: Cell<[f64; OUT_LEN]> = Cell(UnsafeCell::new([0.0; OUT_LEN]));
/// UTF-8 the shell writes before [`rs_arg`].
static TEXT_IN: Cell<Vec<u8>> = Cell(UnsafeCell::new(Vec::new()));
/// Strings pushed by the shell, taken in order by the next call.
static ARGS: Cell<Vec<String>> = Cell(UnsafeCell::new(Vec::new()));
/// UTF-8 the core writes; `OUT` holds offsets and lengths into it.
static TEXT_OUT: Cell<Vec<u8>> = Cell(UnsafeCell::new(Vec::new()));
/// Sizes of messages the shell holds itself, for [`rs_admission`].
static SIZES: Cell<Vec<f64>> = Cell(UnsafeCell::new(Vec::new()));
/// Message keys the core hands back (dropped, unsent, refused).
static KEYS: Cell<Vec<u32>> = Cell(UnsafeCell::new(Vec::new()));

fn out() -> &'static mut [f64; OUT_LEN] {
    OUT.get()
}

fn take_arg() -> String {
    let args = ARGS.get();
    if args.is_empty() {
        String::new()
    } else {
        args.remove(0)
    }
}

/// Writes `s` to the text output; its offset and length go to `OUT[at]`, `OUT[at + 1]`.
fn put_str(at: usize, s: &str) {
    let buf = TEXT_OUT.get();
    out()[at] = buf.len() as f64;
    out()[at + 1] = s.len() as f64;
    buf.extend_from_slice(s.as_bytes());
}

fn clear_out() {
    TEXT_OUT.get().clear();
    KEYS.get().clear();
}

fn engine<'a>(h: *mut Engine) -> &'a mut Engine {
    // SAFETY: `h` came from `rs_new` and is freed only by `rs_free`.
    unsafe { &mut *h }
}

fn usize_of(n: f64) -> usize {
    if n.is_nan() || n <= 0.0 {
        0
    } else if n >= usize::MAX as f64 {
        usize::MAX
    } else {
        n as usize
    }
}

/// The address of the numeric output (`OUT_LEN` f64s).
#[no_mangle]
pub extern "C" fn rs_out() -> *const f64 {
    OUT.get().as_ptr()
}

/// A buffer of at least `len` bytes for the shell to write UTF-8 into, before [`rs_arg`].
#[no_mangle]
pub extern "C" fn rs_text(len: usize) -> *mut u8 {
    room(TEXT_IN.get(), len)
}

/// `v` cleared to `n` default values, for the shell to write into.
fn room<T: Clone + Default>(v: &mut Vec<T>, n: usize) -> *mut T {
    v.clear();
    v.resize(n, T::default());
    v.as_mut_ptr()
}

/// Pushes the first `len` bytes written at [`rs_text`] as a string argument.
#[no_mangle]
pub extern "C" fn rs_arg(len: usize) {
    let buf = TEXT_IN.get();
    let bytes = &buf[..len.min(buf.len())];
    let s = match core::str::from_utf8(bytes) {
        Ok(s) => String::from(s),
        Err(_) => String::new(),
    };
    ARGS.get().push(s);
}

/// The address of the text output.
#[no_mangle]
pub extern "C" fn rs_text_out() -> *const u8 {
    TEXT_OUT.get().as_ptr()
}

/// The address of the keys output (`u32`s; their count is where the export says).
#[no_mangle]
pub extern "C" fn rs_keys() -> *const u32 {
    KEYS.get().as_ptr()
}

/// A connection for the options in `OUT[0..SLOTS]` (`core::rules::Field` order) and the
/// string arguments pushed before: `[url if fixed == 1], ping if has_ping, pong if
/// has_pong, then `protocols` protocols. `custom == 1`: the shell has a close classifier
/// (the core then asks it through `Classify`). Returns the handle, or 0 when an option is
/// refused: then `OUT[0..4]` = field, rule, and the rule's two values.
#[no_mangle]
pub extern "C" fn rs_new(
    fixed: u32,
    has_ping: u32,
    has_pong: u32,
    protocols: u32,
    custom: u32,
    seed_hi: f64,
    seed_lo: f64,
) -> *mut Engine {
    let nums: Vec<f64> = out()[..rules::SLOTS].to_vec();
    let url = (fixed == 1).then(take_arg);
    let ping = (has_ping == 1).then(take_arg);
    let pong = (has_pong == 1).then(take_arg);
    let protos = (0..protocols).map(|_| take_arg()).collect();
    ARGS.get().clear();
    let mut config = match rules::from_slots(&nums, ping, pong, protos) {
        Ok(c) => c,
        Err(invalid) => {
            let (a, b) = invalid.rule.values();
            let o = out();
            o[0] = invalid.field as u8 as f64;
            o[1] = invalid.rule.code() as f64;
            o[2] = a;
            o[3] = b;
            return core::ptr::null_mut();
        }
    };
    if custom == 1 {
        // Never called: a custom classifier makes the core emit `Classify` instead.
        config.reconnect.classifier = CloseClassifier::custom(|_, _| Decision::Retry);
    }
    let seed = ((seed_hi as u64) << 32) | (seed_lo as u64 & 0xffff_ffff);
    let gate = Gate::new(config.water_marks);
    let sup = Supervisor::new(config, url, seed);
    Box::into_raw(Box::new(Engine { sup, gate }))
}

/// Releases a connection (the shell ends it first with [`rs_terminate`]).
#[no_mangle]
pub unsafe extern "C" fn rs_free(h: *mut Engine) {
    if !h.is_null() {
        // SAFETY: `h` came from `rs_new` and the shell frees it once.
        drop(unsafe { Box::from_raw(h) });
    }
}

/// The heartbeat's ping (`which` 0) or pong (1) text: 1 and the string at `OUT[0..2]`,
/// or 0 when there is none (no heartbeat, no pong, or a binary one).
#[no_mangle]
pub extern "C" fn rs_heartbeat_text(h: *mut Engine, which: u32) -> u32 {
    clear_out();
    let e = engine(h);
    let Some(hb) = e.sup.config().heartbeat.as_ref() else {
        return 0;
    };
    let m = if which == 0 {
        Some(&hb.ping)
    } else {
        hb.pong.as_ref()
    };
    match m.and_then(Message::as_text) {
        Some(t) => {
            put_str(0, t);
            1
        }
        None => 0,
    }
}

/// The heartbeat interval in ms (0: none), the configured maximum message size.
#[no_mangle]
pub extern "C" fn rs_limits(h: *mut Engine) {
    let e = engine(h);
    let c = e.sup.config();
    let o = out();
    o[0] = c.heartbeat.as_ref().map_or(0.0, |hb| hb.interval_ms as f64);
    o[1] = c.max_message_size as f64;
}

/// Starts the first attempt (`online`: `navigator.onLine`).
#[no_mangle]
pub extern "C" fn rs_start(h: *mut Engine, online: u32, now: f64) {
    let e = engine(h);
    let _ = now;
    e.sup.start(online != 0);
}

// Event kinds for `rs_event`.
const EV_URL_OK: u32 = 0;
const EV_URL_ERR: u32 = 1;
const EV_OPENED: u32 = 2;
const EV_CLOSED: u32 = 3;
const EV_REFUSED: u32 = 4;
const EV_OVERSIZED: u32 = 5;
const EV_CLASSIFIED: u32 = 6;
const EV_TIMER: u32 = 7;
const EV_ONLINE: u32 = 8;
const EV_OFFLINE: u32 = 9;
const EV_BOUNCED: u32 = 10;
const EV_BOUNCED_TRACKED: u32 = 11;
const EV_RESUMED: u32 = 12;
const EV_SUSPENDED: u32 = 13;

/// An event: `kind` (see the constants), the socket or attempt `id`, two numbers `a`
/// and `b` (a close code and wasClean, a size, a decision, a timer, a bounced key and
/// its length; a bounced *tracked* message is `EV_BOUNCED_TRACKED`), strings pushed before (a URL, an error, a close reason), and the time.
#[no_mangle]
pub extern "C" fn rs_event(h: *mut Engine, kind: u32, id: f64, a: f64, b: f64, now: f64) {
    let e = engine(h);
    let id = id as u64;
    let event = match kind {
        EV_URL_OK => Event::UrlResolved {
            id,
            result: Ok(take_arg()),
        },
        EV_URL_ERR => Event::UrlResolved {
            id,
            result: Err(take_arg()),
        },
        EV_OPENED => Event::Opened { id },
        EV_CLOSED => Event::Closed {
            id,
            code: a as u16,
            reason: take_arg(),
            was_clean: b != 0.0,
        },
        EV_REFUSED => Event::Refused {
            id,
            error: take_arg(),
        },
        EV_OVERSIZED => Event::Oversized { id, size: a as u64 },
        EV_CLASSIFIED => Event::Classified {
            id,
            decision: if a != 0.0 {
                Decision::Retry
            } else {
                Decision::Stop
            },
        },
        EV_TIMER => match Timer::ALL.get(a as usize) {
            Some(t) => Event::Timer(*t),
            None => return,
        },
        EV_ONLINE => Event::Online,
        EV_OFFLINE => Event::Offline,
        EV_RESUMED => Event::Resumed,
        EV_SUSPENDED => Event::Suspended,
        EV_BOUNCED | EV_BOUNCED_TRACKED => Event::Bounced {
            id,
            message: Frame {
                key: a as u32,
                len: usize_of(b),
                pong: false,
            },
            tracked: kind == EV_BOUNCED_TRACKED,
        },
        _ => return,
    };
    ARGS.get().clear();
    e.sup.handle(now as u64, event);
}

/// A message of `len` bytes on socket `id` (`pong`: it equals the heartbeat's pong).
/// Returns 1 when its only effect is its delivery (the shell dispatches it, nothing to
/// poll), 0 when the shell must poll the actions (or it was ignored: a stale socket).
#[no_mangle]
pub extern "C" fn rs_message(h: *mut Engine, id: f64, len: f64, pong: u32, now: f64) -> u32 {
    let e = engine(h);
    let message = Frame {
        key: 0,
        len: usize_of(len),
        pong: pong != 0,
    };
    let event = Event::Message {
        id: id as u64,
        message,
    };
    let now = if e.sup.needs_time(&event) {
        now as u64
    } else {
        e.sup.last_now()
    };
    e.sup.handle(now, event);
    // The common case, a delivery and nothing else, needs no poll.
    if e.sup.pending_actions() == 1 && matches!(e.sup.peek_action(), Some(Action::Deliver(_))) {
        e.sup.poll_action();
        1
    } else {
        0
    }
}

fn level(e: &Engine, buffered: f64) -> usize {
    usize_of(buffered).saturating_add(e.sup.queued_bytes())
}

fn closed(e: &Engine) -> bool {
    let s = e.sup.state();
    s.is_closed() || s.is_closed_by_client()
}

/// `send()`: the message `key` of `len` bytes, with `buffered` the socket's
/// `bufferedAmount`. 1: accepted (sent or queued; poll the actions); 0: it must wait
/// under backpressure (its ticket at `OUT[0]`); -1: refused (the error at `OUT`, see
/// [`rs_poll`]'s error layout at 0).
#[no_mangle]
pub extern "C" fn rs_send(h: *mut Engine, key: u32, len: f64, buffered: f64) -> i32 {
    clear_out();
    let e = engine(h);
    let frame = Frame::outbound(key, len);
    let lvl = level(e, buffered);
    let go = closed(e)
        || (!e.gate.has_waiters() && e.sup.has_room(frame.len) && e.gate.try_acquire(lvl));
    if !go {
        out()[0] = e.gate.enqueue().number() as f64;
        return 0;
    }
    result(e.sup.send(frame))
}

/// `trySend()`: 1 accepted, 0 not now (backpressure or a full queue), -1 refused.
#[no_mangle]
pub extern "C" fn rs_try_send(h: *mut Engine, key: u32, len: f64, buffered: f64) -> i32 {
    clear_out();
    let e = engine(h);
    let frame = Frame::outbound(key, len);
    let lvl = level(e, buffered);
    if e.gate.has_waiters() || !e.gate.try_acquire(lvl) {
        return 0;
    }
    match e.sup.send(frame) {
        Ok(()) => 1,
        Err(Error::Full(_) | Error::QueueFull(_)) => 0,
        Err(err) => {
            write_error(0, &err.map_unsent(|f| f.key));
            -1
        }
    }
}

/// The head waiting send (`ticket`, message `key` of `len` bytes): 1 handed on now (its
/// result at `OUT[0]`: 1 accepted, -1 refused with the error at `OUT[1..]`), 0 not yet
/// (`OUT[0]`: 1 when it waits for room in the queue or the credit window, which only an
/// event can make, 0 when it waits for the backpressure gate, which the shell polls).
/// A connection that is closed refuses it at once. A tracked message (acknowledged
/// delivery) also gives its id (`id_kind` 1: the number `id_num`; 2: a text pushed before;
/// 0: untracked), its deadline `timeout` in ms (NaN: none) and the time, as to
/// [`rs_track`]; it waits while the credit window has no room for it.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn rs_admit(
    h: *mut Engine,
    ticket: f64,
    key: u32,
    len: f64,
    buffered: f64,
    id_kind: u32,
    id_num: f64,
    timeout: f64,
    now: f64,
) -> u32 {
    clear_out();
    let e = engine(h);
    let ticket = Ticket::from_number(ticket as u64);
    let frame = Frame::outbound(key, len);
    let tracked = (id_kind != ID_NONE).then(|| id_of(id_kind, id_num));
    ARGS.get().clear();
    if closed(e) {
        e.gate.cancel(ticket);
    } else {
        let lvl = level(e, buffered);
        let room = match tracked {
            None => e.sup.has_room(frame.len),
            Some(_) => e.sup.admits_waiting_tracked(frame.len),
        };
        // Waiting for room (in the queue or the credit window) ends with an event the
        // shell passes on (open, an acknowledgement, a deadline, the end): nothing to
        // poll. Waiting for the gate ends when `bufferedAmount` falls: polled.
        out()[0] = f64::from(u8::from(!room));
        if !room || !e.gate.poll(ticket, lvl) {
            return 0;
        }
    }
    let r = match tracked {
        None => e.sup.send(frame),
        Some(id) => send_tracked(e, frame, id, timeout, now),
    };
    out()[0] = match r {
        Ok(()) => 1.0,
        Err(err) => {
            write_error(1, &err.map_unsent(|f| f.key));
            -1.0
        }
    };
    1
}

// Id kinds of `rs_track`, `rs_admit` and `rs_ack`.
const ID_NONE: u32 = 0;
const ID_NUM: u32 = 1;
const ID_TEXT: u32 = 2;
/// The application's id was neither a number nor a string.
const ID_WRONG_TYPE: u32 = 3;

/// The id of kind `kind` (`ID_NUM`: `n`; `ID_TEXT`: the next string argument), or why it is
/// not one.
fn id_of(kind: u32, n: f64) -> Result<Id, &'static str> {
    match kind {
        ID_NUM => Id::number(n).ok_or("a numeric id must be an integer from 0 to 2^53 - 1"),
        ID_TEXT => Id::text(&take_arg()).ok_or("a text id must be 1 to 256 bytes of UTF-8"),
        ID_WRONG_TYPE => Err("an id must be a number or a string"),
        _ => Err("the message has no id"),
    }
}

/// A deadline in ms: NaN is none; else an integer from 0 to 2^53 - 1.
fn timeout_of(t: f64) -> Result<Option<u64>, Error<Frame>> {
    if t.is_nan() {
        Ok(None)
    } else if (0.0..=9_007_199_254_740_991.0).contains(&t) && t == (t as u64) as f64 {
        Ok(Some(t as u64))
    } else {
        Err(Error::InvalidOption {
            option: String::from("timeout"),
            reason: String::from("must be an integer number of ms from 0 to 2^53 - 1"),
        })
    }
}

/// `send_tracked` with the id and deadline as the shell gave them; the core refuses first
/// when acknowledged delivery is off.
fn send_tracked(
    e: &mut Engine,
    frame: Frame,
    id: Result<Id, &'static str>,
    timeout: f64,
    now: f64,
) -> Result<(), Error<Frame>> {
    if e.sup.config().delivery.is_none() {
        // The core's own refusal (delivery off), whatever the id.
        return e.sup.send_tracked(now as u64, frame, Id::Num(0), None);
    }
    let id = match id {
        Ok(id) => id,
        Err(reason) => {
            return Err(Error::InvalidId {
                reason: String::from(reason),
                message: Some(frame),
            })
        }
    };
    let timeout = timeout_of(timeout)?;
    e.sup.send_tracked(now as u64, frame, id, timeout)
}

/// `send()` (`mode` 0) or `trySend()` (`mode` 1) of a *tracked* message (acknowledged
/// delivery): the message `key` of `len` bytes, `buffered` the socket's `bufferedAmount`,
/// its id (`id_kind` 1: the number `id_num`; 2: a text pushed before; 0: none; 3: not a
/// number nor a string), its deadline `timeout` in ms (NaN: none) and the time. As
/// [`rs_send`] and [`rs_try_send`]: 1 accepted, 0 it must wait (its ticket at `OUT[0]`; a
/// `trySend()`: not now, backpressure or a full window), -1 refused (the error at `OUT`).
/// The id is checked first (`invalid_id`), unless acknowledged delivery is off (that
/// `invalid_id`); a duplicate id is refused when the message is handed on.
#[no_mangle]
#[allow(clippy::too_many_arguments)]
pub extern "C" fn rs_track(
    h: *mut Engine,
    mode: u32,
    key: u32,
    len: f64,
    buffered: f64,
    id_kind: u32,
    id_num: f64,
    timeout: f64,
    now: f64,
) -> i32 {
    clear_out();
    let e = engine(h);
    let frame = Frame::outbound(key, len);
    let id = id_of(id_kind, id_num);
    ARGS.get().clear();
    let refused = e.sup.config().delivery.is_none() || id.is_err() || timeout_of(timeout).is_err();
    let lvl = level(e, buffered);
    if mode == 1 {
        if !refused && (e.gate.has_waiters() || !e.gate.try_acquire(lvl)) {
            return 0;
        }
        return match send_tracked(e, frame, id, timeout, now) {
            Ok(()) => 1,
            Err(Error::Full(_)) => 0,
            Err(err) => {
                write_error(0, &err.map_unsent(|f| f.key));
                -1
            }
        };
    }
    let go = refused
        || closed(e)
        || (!e.gate.has_waiters() && e.sup.has_room_tracked(frame.len) && e.gate.try_acquire(lvl));
    if !go {
        out()[0] = e.gate.enqueue().number() as f64;
        return 0;
    }
    result(send_tracked(e, frame, id, timeout, now))
}

/// An acknowledgement read from an inbound message: `kind` 1 the numeric id `n`, 2 a text
/// id pushed before, 4 every numeric id up to `n` (cumulative). Returns how many tracked
/// messages it released (their keys come as an acked action; one that acknowledges
/// nothing in flight changes nothing), or -1 when it is not an id (then the message is
/// not an acknowledgement: tests/cases/acks.json).
#[no_mangle]
pub extern "C" fn rs_ack(h: *mut Engine, kind: u32, n: f64, now: f64) -> i32 {
    let e = engine(h);
    let ack = match kind {
        ACK_THROUGH => Ack::through(n),
        _ => id_of(kind, n).ok().map(Ack::Id),
    };
    ARGS.get().clear();
    match ack {
        Some(ack) => e.sup.ack(now as u64, &ack) as i32,
        None => -1,
    }
}

/// `rs_ack`'s cumulative kind.
const ACK_THROUGH: u32 = 4;

/// The deadline rule for a default `timeout`: 0, or -1 with the error at `OUT`.
#[no_mangle]
pub extern "C" fn rs_check_timeout(t: f64) -> i32 {
    clear_out();
    match timeout_of(t) {
        Ok(_) => 0,
        Err(err) => {
            write_error(0, &err.map_unsent(|f| f.key));
            -1
        }
    }
}

/// A waiting send withdrawn (its promise settled otherwise).
#[no_mangle]
pub extern "C" fn rs_cancel(h: *mut Engine, ticket: f64) {
    engine(h).gate.cancel(Ticket::from_number(ticket as u64));
}

/// What `flush()` waits for: 0 while it must wait, 1 when nothing is queued or buffered
/// and no send waits, -1 when the connection is closed.
#[no_mangle]
pub extern "C" fn rs_flushed(h: *mut Engine, buffered: f64) -> i32 {
    let e = engine(h);
    if closed(e) {
        -1
    } else if level(e, buffered) == 0 && !e.gate.has_waiters() {
        1
    } else {
        0
    }
}

/// `close(code, reason)` (the reason pushed before): 0, or -1 with the error at `OUT`.
#[no_mangle]
pub extern "C" fn rs_close(h: *mut Engine, code: f64, now: f64) -> i32 {
    clear_out();
    let e = engine(h);
    let reason = take_arg();
    let _ = now;
    match close_code(code)
        .and_then(|c| e.sup.close(c, &reason).map_err(|e| e.map_unsent(|f| f.key)))
    {
        Ok(()) => 0,
        Err(err) => {
            write_error(0, &err);
            -1
        }
    }
}

/// `reconnect()`: 0, or -1 with the error at `OUT`.
#[no_mangle]
pub extern "C" fn rs_reconnect(h: *mut Engine) -> i32 {
    clear_out();
    result(engine(h).sup.reconnect())
}

/// Ends the connection at once (the owner went away or `free()`).
#[no_mangle]
pub extern "C" fn rs_terminate(h: *mut Engine) {
    engine(h).sup.terminate();
}

/// The close rule for the compat classes and `close()`: 0 when `code` (NaN: not a
/// number) and the reason pushed before may be sent, else -1 with the error at `OUT`.
#[no_mangle]
pub extern "C" fn rs_check_close(code: f64) -> i32 {
    clear_out();
    let reason = take_arg();
    match close_code(code)
        .and_then(|c| close::validate(c, &reason).map_err(|e| e.map_unsent(|_| 0)))
    {
        Ok(()) => 0,
        Err(err) => {
            write_error(0, &err);
            -1
        }
    }
}

fn close_code(n: f64) -> Result<u16, Error<u32>> {
    if (0.0..=65535.0).contains(&n) && n == f64::from(n as u16) {
        Ok(n as u16)
    } else {
        Err(Error::InvalidCloseCode(if n > 0.0 { u16::MAX } else { 0 }))
    }
}

/// The URL pushed before, with its credentials, query and fragment removed, at `OUT[0..2]`.
#[no_mangle]
pub extern "C" fn rs_redact() {
    clear_out();
    let url = take_arg();
    put_str(0, &redact_url(&url));
}

/// Room for `n` sizes (f64s) for [`rs_admission`].
#[no_mangle]
pub extern "C" fn rs_sizes(n: usize) -> *mut f64 {
    room(SIZES.get(), n)
}

/// Queue admission for messages the shell holds itself: `n` sizes written at
/// [`rs_sizes`] (oldest first), a new message of `len` bytes, the bounds (NaN: the queue's default)
/// and the overflow policy. -1 refused, else how many of the oldest to evict first.
#[no_mangle]
pub extern "C" fn rs_admission(
    n: u32,
    len: f64,
    max_messages: f64,
    max_bytes: f64,
    drop_oldest: u32,
) -> i32 {
    let mut q = QueueConfig::default();
    if !max_messages.is_nan() {
        q.max_messages = usize_of(max_messages);
    }
    if !max_bytes.is_nan() {
        q.max_bytes = usize_of(max_bytes);
    }
    if drop_oldest != 0 {
        q.overflow = Overflow::DropOldest;
    }
    let all = SIZES.get();
    let sizes = &all[..(n as usize).min(all.len())];
    let bytes = sizes
        .iter()
        .map(|&s| usize_of(s))
        .fold(0, usize::saturating_add);
    admission(&q, bytes, sizes.iter().map(|&s| usize_of(s)), usize_of(len))
        .map_or(-1, |k| i32::try_from(k).unwrap_or(i32::MAX))
}

/// Connection state and counters into `OUT`: state (0 connecting, 1 open, 2
/// reconnecting, 3 closing, 4 closed), retry count, queued bytes, queued messages,
/// current socket id (-1: none), reconnects, messages in, bytes in, messages out,
/// bytes out, dropped, last heartbeat RTT (-1: none), acknowledged, replayed, tracked
/// messages not yet acknowledged and their bytes.
#[no_mangle]
pub extern "C" fn rs_status(h: *mut Engine) {
    let e = engine(h);
    let s = e.sup.stats();
    let o = out();
    o[0] = state_number(e.sup.state());
    o[1] = e.sup.retry_count() as f64;
    o[2] = e.sup.queued_bytes() as f64;
    o[3] = e.sup.queued_len() as f64;
    o[4] = e.sup.socket_id().map_or(-1.0, |id| id as f64);
    o[5] = s.reconnects as f64;
    o[6] = s.messages_in as f64;
    o[7] = s.bytes_in as f64;
    o[8] = s.messages_out as f64;
    o[9] = s.bytes_out as f64;
    o[10] = s.dropped as f64;
    o[11] = s.last_rtt_ms.map_or(-1.0, |r| r as f64);
    o[12] = s.acked as f64;
    o[13] = s.replayed as f64;
    o[14] = e.sup.unacked_len() as f64;
    o[15] = e.sup.unacked_bytes() as f64;
}

/// The URL of the latest attempt at `OUT[0..2]`.
#[no_mangle]
pub extern "C" fn rs_url(h: *mut Engine) {
    clear_out();
    let url = engine(h).sup.url().unwrap_or_default();
    put_str(0, url);
}

fn state_number(s: &ConnectionState) -> f64 {
    match s {
        ConnectionState::Connecting { .. } => 0.0,
        ConnectionState::Open => 1.0,
        ConnectionState::Reconnecting { .. } => 2.0,
        ConnectionState::Closing => 3.0,
        ConnectionState::Closed(_) => 4.0,
    }
}

fn result(r: Result<(), Error<Frame>>) -> i32 {
    match r {
        Ok(()) => 1,
        Err(err) => {
            write_error(0, &err.map_unsent(|f| f.key));
            -1
        }
    }
}

/// An error at `OUT[at..]`: its code (a string at `at`, `at + 1`), two numbers (a value,
/// attempts, a size, a count; a limit) at `at + 2`, `at + 3`, a URL and a reason (strings
/// at `at + 4` and `at + 6`), and the count of the keys it hands back at `at + 8` (in
/// [`rs_keys`]).
fn write_error(at: usize, err: &Error<u32>) {
    put_str(at, err.code());
    let o = out();
    let (a, b) = match err {
        Error::InvalidCloseCode(c) => (f64::from(*c), 0.0),
        Error::InvalidCloseReason(n) => (*n as f64, 0.0),
        Error::GaveUp { attempts, .. } => (f64::from(*attempts), 0.0),
        Error::TooLarge { size, limit, .. } => (*size as f64, *limit as f64),
        // A numeric id as a number (1 at `at + 3`); a text id as the string below.
        Error::DuplicateId { id: Id::Num(n), .. } => (*n as f64, 1.0),
        Error::Lagged(n) => (*n as f64, 0.0),
        _ => (0.0, 0.0),
    };
    o[at + 2] = a;
    o[at + 3] = b;
    let (url, reason): (&str, &str) = match err {
        Error::InvalidUrl { url, reason } => (url, reason),
        Error::InvalidOption { option, reason } => (option, reason),
        Error::DuplicateId {
            id: Id::Text(id), ..
        } => (id.as_str(), ""),
        Error::InvalidId { reason, .. } => ("", reason),
        Error::ConnectFailed { url } => (url, ""),
        Error::GaveUp { reason, .. } => ("", reason),
        Error::Decode { error, .. } => ("", error),
        Error::Encode(r) | Error::UrlProvider(r) | Error::Js(r) => ("", r),
        _ => ("", ""),
    };
    put_str(at + 4, url);
    put_str(at + 6, reason);
    let keys = KEYS.get();
    keys.extend(err.clone().into_unsent());
    o[at + 8] = keys.len() as f64;
}

// Action kinds from `rs_poll`.
const A_RESOLVE: u32 = 1;
const A_CONNECT: u32 = 2;
const A_SEND: u32 = 3;
const A_PING: u32 = 4;
const A_CLOSE: u32 = 5;
const A_ABANDON: u32 = 6;
const A_CLASSIFY: u32 = 7;
const A_REPORT: u32 = 8;
const A_SET_TIMER: u32 = 9;
const A_CANCEL_TIMER: u32 = 10;
const A_DELIVER: u32 = 11;
const A_STATE: u32 = 12;
const A_DROPPED: u32 = 13;
const A_UNSENT: u32 = 14;
const A_ACKED: u32 = 15;
const A_EXPIRED: u32 = 16;
const A_UNACKED: u32 = 17;

/// The next action (0: none), its fields in `OUT`:
/// - resolve URL: `[1]` attempt id; connect: `[1]` id, URL at `[2..4]`;
/// - send: `[1]` socket id, `[2]` key, `[3]` length, `[4]` 1 when it is tracked (the core
///   keeps it until it is acknowledged: the shell keeps its value); ping: `[1]` id;
/// - close / abandon / classify: `[1]` id, `[2]` code, reason at `[3..5]`;
/// - report: the error at `[1..]` (see `write_error`);
/// - set timer: `[1]` timer (`Timer` order), `[2]` delay ms; cancel timer: `[1]` timer;
/// - deliver: `[1]` key (0: the message just given to [`rs_message`]);
/// - state: `[1]` state (as [`rs_status`]), `[2]` attempt, `[3]` delay ms, `[4]` cause
///   (0 closed, 1 connect failed, 2 connect timeout, 3 heartbeat timeout, 4 URL
///   provider, 5 manual), `[5]` close code, `[6]` wasClean, reason at `[7..9]`, provider
///   error at `[9..11]`; when closed: `[11]` by (0 client, 1 remote, 2 policy), `[12]` 1
///   when an error follows at `[13..]`;
/// - dropped / unsent / acked / expired / unacked: `[1]` the count of keys in [`rs_keys`].
#[no_mangle]
pub extern "C" fn rs_poll(h: *mut Engine) -> u32 {
    clear_out();
    let e = engine(h);
    let Some(action) = e.sup.poll_action() else {
        return 0;
    };
    let o = out();
    match action {
        Action::ResolveUrl { id } => {
            o[1] = id as f64;
            A_RESOLVE
        }
        Action::Connect { id, url } => {
            o[1] = id as f64;
            put_str(2, &url);
            A_CONNECT
        }
        Action::Send {
            id,
            message,
            tracked,
        } => {
            o[1] = id as f64;
            o[2] = f64::from(message.key);
            o[3] = message.len as f64;
            o[4] = f64::from(u8::from(tracked));
            A_SEND
        }
        Action::Ping { id, .. } => {
            o[1] = id as f64;
            A_PING
        }
        Action::Close { id, code, reason } => closing(A_CLOSE, id, code, &reason),
        Action::Abandon { id, code, reason } => closing(A_ABANDON, id, code, &reason),
        Action::Classify { id, code, reason } => closing(A_CLASSIFY, id, code, &reason),
        Action::Report(err) => {
            write_error(1, &err.map_unsent(|f| f.key));
            A_REPORT
        }
        Action::SetTimer { timer, after_ms } => {
            o[1] = timer_number(timer);
            o[2] = after_ms as f64;
            A_SET_TIMER
        }
        Action::CancelTimer(timer) => {
            o[1] = timer_number(timer);
            A_CANCEL_TIMER
        }
        Action::Deliver(f) => {
            o[1] = f64::from(f.key);
            A_DELIVER
        }
        Action::State(state) => {
            write_state(&state);
            A_STATE
        }
        Action::Dropped(v) => keys(A_DROPPED, v),
        Action::Unsent(v) => keys(A_UNSENT, v),
        Action::Acked(v) => keys(A_ACKED, v.into_iter().map(|(_, f)| f).collect()),
        Action::Expired(v) => keys(A_EXPIRED, v.into_iter().map(|(_, f)| f).collect()),
        Action::Unacked(v) => keys(A_UNACKED, v.into_iter().map(|(_, f)| f).collect()),
    }
}

fn closing(kind: u32, id: u64, code: u16, reason: &str) -> u32 {
    let o = out();
    o[1] = id as f64;
    o[2] = f64::from(code);
    put_str(3, reason);
    kind
}

fn keys(kind: u32, v: Vec<Frame>) -> u32 {
    let n = v.len();
    KEYS.get().extend(v.into_iter().map(|f| f.key));
    out()[1] = n as f64;
    kind
}

fn timer_number(t: Timer) -> f64 {
    t.index() as f64
}

fn write_state(state: &ConnectionState) {
    let o = out();
    o[1] = state_number(state);
    match state {
        ConnectionState::Connecting { attempt } => o[2] = f64::from(*attempt),
        ConnectionState::Reconnecting {
            attempt,
            delay_ms,
            cause,
        } => {
            o[2] = f64::from(*attempt);
            o[3] = *delay_ms as f64;
            o[4] = match cause {
                Cause::Closed {
                    code,
                    reason,
                    was_clean,
                } => {
                    o[5] = f64::from(*code);
                    o[6] = f64::from(u8::from(*was_clean));
                    put_str(7, reason);
                    0.0
                }
                Cause::ConnectFailed => 1.0,
                Cause::ConnectTimeout => 2.0,
                Cause::HeartbeatTimeout => 3.0,
                Cause::UrlProvider(err) => {
                    put_str(9, err);
                    4.0
                }
                Cause::Manual => 5.0,
                Cause::Suspended => 6.0,
            };
        }
        ConnectionState::Closed(info) => {
            o[5] = f64::from(info.code);
            o[6] = f64::from(u8::from(info.was_clean));
            put_str(7, &info.reason);
            o[11] = match info.by {
                ClosedBy::Client => 0.0,
                ClosedBy::Remote => 1.0,
                ClosedBy::Policy => 2.0,
            };
            o[12] = 0.0;
            if let Some(err) = &info.error {
                o[12] = 1.0;
                write_error(13, &err.clone().map_unsent(|_| 0u32));
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    //! The numeric API as the shell drives it (natively: the same code as the module).
    use super::*;
    use std::sync::Mutex;

    /// The exports share their statics, as in one module instance: one test at a time.
    static ONE: Mutex<()> = Mutex::new(());

    fn free(h: *mut Engine) {
        // SAFETY: made by `rs_new`, freed once.
        unsafe { rs_free(h) }
    }

    fn text_at(i: usize) -> String {
        let (at, len) = (out()[i] as usize, out()[i + 1] as usize);
        String::from_utf8(TEXT_OUT.get()[at..at + len].to_vec()).unwrap()
    }

    fn push(s: &str) {
        let p = rs_text(s.len());
        // SAFETY: `rs_text` made room for `s.len()` bytes.
        unsafe { core::ptr::copy_nonoverlapping(s.as_ptr(), p, s.len()) };
        rs_arg(s.len());
    }

    /// A connection to a fixed URL with the given option slots (NaN: default).
    fn open(slots: &[(rules::Field, f64)]) -> *mut Engine {
        out()[..rules::SLOTS].fill(f64::NAN);
        for (f, v) in slots {
            out()[*f as usize] = *v;
        }
        push("ws://h/x");
        let h = rs_new(1, 0, 0, 0, 0, 1.0, 2.0);
        assert!(!h.is_null());
        rs_start(h, 1, 0.0);
        h
    }

    /// Every action queued, as (kind, OUT[1], OUT[2]).
    fn drain(h: *mut Engine) -> Vec<(u32, f64, f64)> {
        core::iter::from_fn(|| match rs_poll(h) {
            0 => None,
            k => Some((k, out()[1], out()[2])),
        })
        .collect()
    }

    fn connected(h: *mut Engine) -> f64 {
        let acts = drain(h);
        let id = acts
            .iter()
            .find(|a| a.0 == A_CONNECT)
            .expect("a connect action")
            .1;
        rs_event(h, EV_OPENED, id, 0.0, 0.0, 1.0);
        assert!(
            drain(h).iter().any(|a| a.0 == A_STATE && a.1 == 1.0),
            "open announced"
        );
        id
    }

    #[test]
    fn a_plain_message_is_delivered_without_a_poll() {
        let _one = ONE.lock().unwrap();
        let h = open(&[]);
        let id = connected(h);
        assert_eq!(rs_message(h, id, 5.0, 0, 2.0), 1);
        assert_eq!(rs_poll(h), 0, "nothing left to poll");
        // A stale socket's message is ignored: nothing to deliver.
        assert_eq!(rs_message(h, id + 7.0, 5.0, 0, 2.0), 0);
        assert!(drain(h).is_empty());
        free(h);
    }

    #[test]
    fn a_message_with_more_to_do_is_delivered_through_the_poll_in_order() {
        let _one = ONE.lock().unwrap();
        let h = open(&[
            (rules::Field::Heartbeat, 1.0),
            (rules::Field::Interval, 1000.0),
            (rules::Field::Timeout, 500.0),
        ]);
        let id = connected(h);
        rs_event(h, EV_TIMER, 0.0, timer_number(Timer::Ping), 0.0, 1000.0);
        assert!(drain(h).iter().any(|a| a.0 == A_PING), "a ping goes out");
        // The pong ends the wait for it: more than a delivery happens.
        assert_eq!(rs_message(h, id, 4.0, 1, 1010.0), 0);
        let acts = drain(h);
        assert!(acts.iter().any(|a| a.0 == A_CANCEL_TIMER), "{acts:?}");
        rs_status(h);
        assert_eq!(out()[11], 10.0, "round trip measured");
        free(h);
    }

    #[test]
    fn sends_queue_before_open_and_go_out_in_order() {
        let _one = ONE.lock().unwrap();
        let h = open(&[]);
        assert_eq!(rs_send(h, 7, 3.0, 0.0), 1);
        assert_eq!(rs_try_send(h, 8, 4.0, 0.0), 1);
        let sends: Vec<f64> = {
            let acts = drain(h);
            let id = acts.iter().find(|a| a.0 == A_CONNECT).unwrap().1;
            assert!(
                !acts.iter().any(|a| a.0 == A_SEND),
                "nothing sent before open"
            );
            rs_event(h, EV_OPENED, id, 0.0, 0.0, 1.0);
            drain(h)
                .iter()
                .filter(|a| a.0 == A_SEND)
                .map(|a| a.2)
                .collect()
        };
        assert_eq!(sends, [7.0, 8.0]);
        free(h);
    }

    #[test]
    fn backpressure_makes_a_send_wait_for_its_ticket() {
        let _one = ONE.lock().unwrap();
        let h = open(&[(rules::Field::High, 100.0), (rules::Field::Low, 10.0)]);
        connected(h);
        assert_eq!(rs_send(h, 1, 50.0, 500.0), 0, "over the high mark: wait");
        let ticket = out()[0];
        assert_eq!(
            rs_try_send(h, 2, 1.0, 0.0),
            0,
            "trySend never overtakes a waiting send"
        );
        assert_eq!(rs_flushed(h, 0.0), 0, "flush waits for the waiting send");
        assert_eq!(
            rs_admit(h, ticket, 1, 50.0, 50.0, 0, 0.0, f64::NAN, 2.0),
            0,
            "above the low mark: still closed"
        );
        assert_eq!(out()[0], 0.0, "waiting for the gate: polled");
        assert_eq!(rs_admit(h, ticket, 1, 50.0, 5.0, 0, 0.0, f64::NAN, 2.0), 1);
        assert_eq!(out()[0], 1.0, "accepted");
        assert_eq!(
            drain(h)
                .iter()
                .filter(|a| a.0 == A_SEND)
                .map(|a| a.2)
                .collect::<Vec<_>>(),
            [1.0]
        );
        free(h);
    }

    #[test]
    fn refusals_are_codes_and_fields() {
        let _one = ONE.lock().unwrap();
        out()[..rules::SLOTS].fill(f64::NAN);
        out()[rules::Field::InitialDelay as usize] = 40_000.0;
        let h = rs_new(0, 0, 0, 0, 0, 0.0, 0.0);
        assert!(h.is_null());
        assert_eq!(
            out()[..4],
            [
                rules::Field::InitialDelay as u8 as f64,
                3.0,
                40_000.0,
                30_000.0
            ]
        );

        let h = open(&[]);
        push("");
        assert_eq!(rs_close(h, 1001.0, 0.0), -1);
        assert_eq!(text_at(0), "invalid_close_code");
        assert_eq!(out()[2], 1001.0);
        push("ws://user:secret@h/x?token=1");
        rs_redact();
        assert_eq!(text_at(0), "ws://h/x");
        rs_terminate(h);
        assert_eq!(rs_send(h, 3, 1.0, 0.0), -1);
        assert_eq!(text_at(0), "closed");
        assert_eq!(out()[8], 1.0, "the message is handed back");
        // SAFETY: `rs_keys` holds `out()[8]` keys.
        assert_eq!(unsafe { *rs_keys() }, 3);
        free(h);
    }

    /// The keys of the last action that handed keys back.
    fn handed(n: f64) -> Vec<u32> {
        // SAFETY: `rs_keys` holds `n` keys after the action.
        unsafe { core::slice::from_raw_parts(rs_keys(), n as usize) }.to_vec()
    }

    /// Every action queued, as (kind, OUT[1..5], the keys it hands back).
    fn drain_keys(h: *mut Engine) -> Vec<(u32, [f64; 4], Vec<u32>)> {
        core::iter::from_fn(|| match rs_poll(h) {
            0 => None,
            k => {
                let o = [out()[1], out()[2], out()[3], out()[4]];
                let keys = match k {
                    A_DROPPED | A_UNSENT | A_ACKED | A_EXPIRED | A_UNACKED => handed(out()[1]),
                    _ => Vec::new(),
                };
                Some((k, o, keys))
            }
        })
        .collect()
    }

    fn delivery(window: f64) -> *mut Engine {
        open(&[
            (rules::Field::Delivery, 1.0),
            (rules::Field::WindowMessages, window),
        ])
    }

    #[test]
    fn a_tracked_send_is_marked_kept_and_released_by_its_ack() {
        let _one = ONE.lock().unwrap();
        let h = delivery(4.0);
        let id = connected(h);
        assert_eq!(rs_track(h, 0, 5, 3.0, 0.0, ID_NUM, 7.0, f64::NAN, 2.0), 1);
        push("m-1");
        assert_eq!(
            rs_track(h, 0, 6, 3.0, 0.0, ID_TEXT, f64::NAN, 100.0, 2.0),
            1
        );
        assert_eq!(rs_send(h, 8, 1.0, 0.0), 1, "an untracked send beside them");
        let sends: Vec<_> = drain_keys(h)
            .into_iter()
            .filter(|a| a.0 == A_SEND)
            .map(|a| (a.1[0], a.1[1], a.1[3]))
            .collect();
        assert_eq!(
            sends,
            [(id, 5.0, 1.0), (id, 6.0, 1.0), (id, 8.0, 0.0)],
            "tracked at OUT[4]"
        );
        rs_status(h);
        assert_eq!(
            (out()[14], out()[15]),
            (2.0, 6.0),
            "two unacknowledged, 6 bytes"
        );
        // Garbage is not an acknowledgement (-1): a fraction, a negative, a huge number,
        // an empty text, a wrong kind; an unknown id acknowledges nothing (0).
        for (kind, n) in [
            (ID_NUM, 7.5),
            (ID_NUM, -1.0),
            (ID_NUM, 1e300),
            (ACK_THROUGH, 1e300),
            (ID_WRONG_TYPE, 7.0),
            (ID_NONE, 7.0),
        ] {
            assert_eq!(rs_ack(h, kind, n, 3.0), -1, "{kind} {n}");
        }
        assert_eq!(rs_ack(h, ID_NUM, 999.0, 3.0), 0);
        push("");
        assert_eq!(rs_ack(h, ID_TEXT, f64::NAN, 3.0), -1);
        assert!(drain_keys(h).is_empty(), "nothing released");
        push("m-1");
        assert_eq!(rs_ack(h, ID_TEXT, f64::NAN, 3.0), 1);
        assert_eq!(rs_ack(h, ACK_THROUGH, 7.0, 3.0), 1);
        let acked: Vec<_> = drain_keys(h)
            .into_iter()
            .filter(|a| a.0 == A_ACKED)
            .map(|a| a.2)
            .collect();
        assert_eq!(acked, [vec![6], vec![5]]);
        rs_status(h);
        assert_eq!(
            (out()[12], out()[14], out()[15]),
            (2.0, 0.0, 0.0),
            "acked 2, none left"
        );
        free(h);
    }

    #[test]
    fn a_full_window_makes_a_tracked_send_wait_and_try_send_decline() {
        let _one = ONE.lock().unwrap();
        let h = delivery(1.0);
        connected(h);
        assert_eq!(rs_track(h, 0, 1, 1.0, 0.0, ID_NUM, 1.0, f64::NAN, 2.0), 1);
        assert_eq!(
            rs_track(h, 1, 2, 1.0, 0.0, ID_NUM, 2.0, f64::NAN, 2.0),
            0,
            "trySend: not now"
        );
        assert_eq!(
            rs_track(h, 0, 3, 1.0, 0.0, ID_NUM, 3.0, f64::NAN, 2.0),
            0,
            "send: waits"
        );
        let ticket = out()[0];
        assert_eq!(
            rs_send(h, 4, 1.0, 0.0),
            0,
            "an untracked send waits behind it (FIFO)"
        );
        let untracked = out()[0];
        assert_eq!(
            rs_admit(h, ticket, 3, 1.0, 0.0, ID_NUM, 3.0, f64::NAN, 3.0),
            0,
            "still full"
        );
        assert_eq!(out()[0], 1.0, "waiting for the window: nothing to poll");
        drain(h);
        assert_eq!(rs_ack(h, ID_NUM, 1.0, 4.0), 1);
        assert_eq!(
            rs_admit(h, ticket, 3, 1.0, 0.0, ID_NUM, 3.0, f64::NAN, 5.0),
            1
        );
        assert_eq!(out()[0], 1.0, "accepted");
        assert_eq!(
            rs_admit(h, untracked, 4, 1.0, 0.0, ID_NONE, 0.0, f64::NAN, 5.0),
            1
        );
        let sends: Vec<f64> = drain_keys(h)
            .into_iter()
            .filter(|a| a.0 == A_SEND)
            .map(|a| a.1[1])
            .collect();
        assert_eq!(sends, [3.0, 4.0]);
        free(h);
    }

    #[test]
    fn ids_timeouts_and_delivery_off_are_refused_with_the_message() {
        let _one = ONE.lock().unwrap();
        let h = open(&[]);
        connected(h);
        assert_eq!(rs_track(h, 0, 9, 1.0, 0.0, ID_NUM, 1.0, f64::NAN, 2.0), -1);
        assert_eq!(text_at(0), "invalid_id");
        assert_eq!(text_at(6), "acknowledged delivery is off");
        assert_eq!(handed(out()[8]), [9]);
        free(h);

        let h = delivery(8.0);
        connected(h);
        for (kind, n, why) in [
            (
                ID_NUM,
                0.5,
                "a numeric id must be an integer from 0 to 2^53 - 1",
            ),
            (
                ID_NUM,
                9_007_199_254_740_992.0,
                "a numeric id must be an integer from 0 to 2^53 - 1",
            ),
            (ID_NONE, 0.0, "the message has no id"),
            (ID_WRONG_TYPE, 0.0, "an id must be a number or a string"),
        ] {
            assert_eq!(rs_track(h, 0, 9, 1.0, 0.0, kind, n, f64::NAN, 2.0), -1);
            assert_eq!((text_at(0), text_at(6)), ("invalid_id".into(), why.into()));
            assert_eq!(handed(out()[8]), [9], "handed back");
        }
        push(&"x".repeat(257));
        assert_eq!(
            rs_track(h, 1, 9, 1.0, 0.0, ID_TEXT, f64::NAN, f64::NAN, 2.0),
            -1,
            "trySend too"
        );
        assert_eq!(text_at(0), "invalid_id");
        assert_eq!(rs_track(h, 0, 9, 1.0, 0.0, ID_NUM, 1.0, -5.0, 2.0), -1);
        assert_eq!(
            (text_at(0), text_at(4)),
            ("invalid_option".into(), "timeout".into())
        );
        assert_eq!(rs_check_timeout(1.5), -1);
        assert_eq!(rs_check_timeout(f64::NAN), 0);
        assert_eq!(rs_check_timeout(0.0), 0);
        push("a");
        assert_eq!(
            rs_track(h, 0, 10, 1.0, 0.0, ID_TEXT, f64::NAN, f64::NAN, 2.0),
            1
        );
        push("a");
        assert_eq!(
            rs_track(h, 0, 11, 1.0, 0.0, ID_TEXT, f64::NAN, f64::NAN, 2.0),
            -1
        );
        assert_eq!(
            (text_at(0), text_at(4)),
            ("duplicate_id".into(), "a".into())
        );
        assert_eq!(handed(out()[8]), [11]);
        free(h);
    }

    #[test]
    fn deadlines_expire_bounces_replay_and_a_close_hands_back_the_unacknowledged() {
        let _one = ONE.lock().unwrap();
        let h = delivery(8.0);
        let id = connected(h);
        assert_eq!(rs_track(h, 0, 1, 2.0, 0.0, ID_NUM, 1.0, 50.0, 10.0), 1);
        assert_eq!(rs_track(h, 0, 2, 2.0, 0.0, ID_NUM, 2.0, f64::NAN, 10.0), 1);
        let acts = drain_keys(h);
        let timer = acts
            .iter()
            .find(|a| a.0 == A_SET_TIMER)
            .expect("a deadline timer");
        assert_eq!(timer.1[0], timer_number(Timer::AckTimeout));
        rs_event(h, EV_TIMER, 0.0, timer_number(Timer::AckTimeout), 0.0, 60.0);
        let expired: Vec<_> = drain_keys(h)
            .into_iter()
            .filter(|a| a.0 == A_EXPIRED)
            .map(|a| a.2)
            .collect();
        assert_eq!(expired, [vec![1]]);
        // The socket refused message 2 after all: the window sends it again on the next socket.
        rs_event(h, EV_BOUNCED_TRACKED, id, 2.0, 2.0, 70.0);
        let acts = drain(h);
        let next = acts.iter().find(|a| a.0 == A_CONNECT).or(None);
        let next = match next {
            Some(a) => a.1,
            None => {
                let t = acts
                    .iter()
                    .find(|a| a.0 == A_SET_TIMER)
                    .expect("a backoff timer");
                rs_event(h, EV_TIMER, 0.0, t.1, 0.0, 5000.0);
                drain(h)
                    .iter()
                    .find(|a| a.0 == A_CONNECT)
                    .expect("a connect")
                    .1
            }
        };
        rs_event(h, EV_OPENED, next, 0.0, 0.0, 5001.0);
        let sends: Vec<_> = drain_keys(h)
            .into_iter()
            .filter(|a| a.0 == A_SEND)
            .map(|a| (a.1[1], a.1[3]))
            .collect();
        assert_eq!(sends, [(2.0, 1.0)], "replayed, still tracked");
        rs_status(h);
        assert_eq!(out()[13], 1.0, "one replayed");
        push("");
        assert_eq!(rs_close(h, 1000.0, 5002.0), 0);
        rs_event(h, EV_CLOSED, next, 1000.0, 1.0, 5003.0);
        let unacked: Vec<_> = drain_keys(h)
            .into_iter()
            .filter(|a| a.0 == A_UNACKED)
            .map(|a| a.2)
            .collect();
        assert_eq!(unacked, [vec![2]]);
        free(h);
    }
}
