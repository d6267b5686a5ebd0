// The browser's half of a ReSocket: the WebSocket, the timers, `online`/`offline`, and the
// values of the messages. It has no policy: every decision (when to connect, send, queue,
// retry, give up; backpressure; the heartbeat) is the core's (core.js). The shell tells
// the core what happened, with numbers, then does what the core asks, action by action.
//
// Rules it keeps:
// - Nothing of the application runs inside a call the application made: while one is in
//   progress (`inCall`), the owner queues every event for a microtask.
// - Everything the browser or the application's WebSocket class can throw is caught here.
// - Closed means released: once the connection is closed for good, no socket, timer or
//   listener of it remains, and nothing global holds it.

import { live as shared } from "./share.js";
import { W, arg, core, errorAt, keys, memoryBytes, out, redact, text } from "./core.js";
import { utf8Length, wasmError } from "./options.js";

/** Calls the application made into a ReSocket, in progress (see the owner's `#event`). */
export const calls = { depth: 0 };

/** Listeners, timers and sockets held in this realm (share.js counts its own). */
export const live = { listeners: 0, timers: 0, sockets: 0, callbacksRun: 0 };

/** Live counts of the listeners, timers and sockets held by every ReSocket in this realm. */
export function diagnostics() {
  return {
    liveListeners: live.listeners + shared.listeners,
    liveTimers: live.timers + shared.timers,
    liveSockets: live.sockets,
    callbacksRun: live.callbacksRun,
    wasmMemory: memoryBytes(),
  };
}

// Event kinds of rs_event, action kinds of rs_poll (crates/resocket-wasm).
const EV_URL_OK = 0;
const EV_URL_ERR = 1;
const EV_OPENED = 2;
const EV_CLOSED = 3;
const EV_REFUSED = 4;
const EV_OVERSIZED = 5;
const EV_CLASSIFIED = 6;
const EV_TIMER = 7;
const EV_ONLINE = 8;
const EV_OFFLINE = 9;
const EV_RESUMED = 12;
const EV_SUSPENDED = 13;
const EV_BOUNCED = 10;
const EV_BOUNCED_TRACKED = 11;

const STATES = ["connecting", "open", "reconnecting", "closing", "closed"];
const CAUSES = ["closed", "connect_failed", "connect_timeout", "heartbeat_timeout", "url_provider", "manual", "suspended"];
const BY = ["client", "remote", "policy"];

/** How often bufferedAmount is re-read while a sender or flush() waits on an open link. */
const POLL_MS = 4;

/** A monotonic clock in ms (share.js's too). */
export const now = typeof performance === "object" && typeof performance.now === "function"
  ? () => performance.now()
  : () => Date.now();

const abLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;

/** The text of something a JS call threw (the core's `Error::Js` text). */
export function jsText(e) {
  if (typeof e === "string") return e;
  if (e instanceof Error) {
    try {
      return String(e.message);
    } catch {
      // fall through
    }
  }
  return "unknown JavaScript error";
}

/** The page's URL, the base of relative socket URLs (none in Node). */
function baseHref() {
  try {
    const l = globalThis.location;
    return l !== null && typeof l === "object" && typeof l.href === "string" ? l.href : undefined;
  } catch {
    return undefined;
  }
}

/** `navigator.onLine`, or true where there is no navigator. */
function isOnline() {
  try {
    const v = globalThis.navigator?.onLine;
    return typeof v === "boolean" ? v : true;
  } catch {
    return true;
  }
}

/**
 * A socket URL: resolved against the page, http(s) mapped to ws(s), no fragment. Returns
 * the absolute URL, or throws `[url, reason]` (the caller redacts the URL with the core).
 * The rule is tests/cases/urls.json's, as the Rust API's `web::url`.
 */
export function resolveUrl(url) {
  let parsed;
  try {
    const base = baseHref();
    parsed = base === undefined ? new URL(url) : new URL(url, base);
  } catch {
    throw [url, "not a valid URL"];
  }
  switch (parsed.protocol) {
    case "ws:":
    case "wss:":
      break;
    case "http:":
      parsed.protocol = "ws:";
      break;
    case "https:":
      parsed.protocol = "wss:";
      break;
    default:
      throw [url, "the scheme must be ws:, wss:, http: or https:"];
  }
  if (parsed.hash !== "" || url.includes("#")) throw [url, "a WebSocket URL cannot have a fragment"];
  return parsed.href;
}

/** A URL the shell refused (`[url, reason]` from resolveUrl), as plain error data, the URL redacted by the core. */
export function invalidUrl([url, reason]) {
  return { code: "invalid_url", url: redact(url), reason, messages: [] };
}

/**
 * A first-in first-out queue whose shift() takes constant time (an array's moves every
 * element: thousands of sends waiting for the credit window made each admission slow).
 */
class Fifo {
  #items = [];
  #head = 0;

  get length() {
    return this.#items.length - this.#head;
  }

  push(x) {
    this.#items.push(x);
    return this.length;
  }

  peek() {
    return this.#items[this.#head];
  }

  shift() {
    if (this.#head >= this.#items.length) return undefined;
    const x = this.#items[this.#head];
    this.#items[this.#head++] = undefined;
    if (this.#head === this.#items.length) {
      this.#items = [];
      this.#head = 0;
    } else if (this.#head >= 1024 && this.#head * 2 >= this.#items.length) {
      this.#items = this.#items.slice(this.#head);
      this.#head = 0;
    }
    return x;
  }

  /** Everything, in order; the queue is left empty. */
  drain() {
    const all = this.#items.slice(this.#head);
    this.#items = [];
    this.#head = 0;
    return all;
  }
}

/**
 * One connection. `emit(type, detail)` receives every event for the owner (type 0: a
 * message's data; else a name and its detail); `hold(value)` copies binary data the
 * queue keeps past the call that handed it over.
 */
export class Link {
  #h;
  #emit;
  #hold;
  #Ctor;
  #protocols;
  #provider;
  #should;
  #ping;
  #pong;
  #heartbeat;
  #max;
  /** The current socket: [id, ws], or null. */
  #socket = null;
  #timers = [null, null, null, null, null, null, null];
  /** The application's values by key, while the core holds their messages. */
  #values = new Map();
  #key = 0;
  /** Sends waiting for room, in call order. */
  #waiters = new Fifo();
  #flushers = [];
  #poll = null;
  #online = null;
  /**
   * Whether the head waiting send waits for room in the queue or the credit window (an
   * event makes it: nothing to poll) rather than for the backpressure gate.
   */
  #roomWait = false;
  /** Keys of waiting sends handed on in this pump: kept (copied) if the core queued them. */
  #handed = [];
  /** The data of the message being handed to the core. */
  #inbound;
  /**
   * Tracked messages (acknowledged delivery) by key, while the core keeps them: how the
   * outcome is told (`{ id, wantAck, resolve, reject, map }`).
   */
  #tracked = new Map();
  /** The acknowledgement being handed to the core: its data and parsed JSON. */
  #ackData;
  #ackParsed;
  #ended = false;

  /**
   * `h` is the core's handle (rs_new); `url` a fixed URL (already resolved) or null,
   * `provider` the URL function otherwise.
   */
  constructor(h, { emit, hold, Ctor, protocols, provider, should }) {
    this.#h = h;
    this.#emit = emit;
    this.#hold = hold;
    this.#Ctor = Ctor;
    this.#protocols = protocols;
    this.#provider = provider;
    this.#should = should;
    W.rs_limits(h);
    const o = out();
    this.#heartbeat = o[0] > 0;
    this.#max = o[1];
    this.#ping = W.rs_heartbeat_text(h, 0) === 1 ? text(0) : undefined;
    this.#pong = W.rs_heartbeat_text(h, 1) === 1 ? text(0) : undefined;
    this.#watchOnline();
    W.rs_start(h, isOnline() ? 1 : 0, now());
    this.#pump();
  }

  get handle() {
    return this.#h;
  }

  get maxMessageSize() {
    return this.#max;
  }

  // --- reading ------------------------------------------------------------------------

  #read(f, fallback) {
    try {
      return f();
    } catch {
      return fallback;
    }
  }

  #buffered() {
    const s = this.#socket;
    if (s === null) return 0;
    const n = this.#read(() => s[1].bufferedAmount, 0);
    return typeof n === "number" && Number.isFinite(n) ? n : 0;
  }

  /** State, retries, queued bytes and messages, socket id, counters (see rs_status). */
  #status() {
    if (this.#ended) return null;
    W.rs_status(this.#h);
    return out();
  }

  get state() {
    const o = this.#status();
    return o === null ? "closed" : STATES[o[0]];
  }

  get readyState() {
    const s = this.#socket;
    if (s !== null) {
      const n = this.#read(() => s[1].readyState, 3);
      return typeof n === "number" && n >= 0 && n <= 3 ? n : 3;
    }
    const o = this.#status();
    return o !== null && o[0] === 0 ? 0 : 3;
  }

  get bufferedAmount() {
    return this.#buffered();
  }

  get queuedAmount() {
    const o = this.#status();
    return o === null ? 0 : o[2];
  }

  get retryCount() {
    const o = this.#status();
    return o === null ? 0 : o[1];
  }

  get url() {
    if (this.#ended) return "";
    W.rs_url(this.#h);
    return text(0);
  }

  get protocol() {
    const s = this.#socket;
    if (s === null) return "";
    const p = this.#read(() => s[1].protocol, "");
    return typeof p === "string" ? p : "";
  }

  stats() {
    const o = this.#status();
    if (o === null) return null;
    return {
      reconnects: o[5],
      messagesIn: o[6],
      bytesIn: o[7],
      messagesOut: o[8],
      bytesOut: o[9],
      dropped: o[10],
      lastRttMs: o[11] < 0 ? null : o[11],
      acked: o[12],
      replayed: o[13],
      unacked: o[14],
      unackedBytes: o[15],
    };
  }

  // --- the application's calls -----------------------------------------------------

  #nextKey(value) {
    this.#key = this.#key >= 0xfffffffe ? 1 : this.#key + 1;
    this.#values.set(this.#key, value);
    return this.#key;
  }

  /** The application's value of `key`, which the core no longer holds. */
  #take(key) {
    const v = this.#values.get(key);
    this.#values.delete(key);
    return v;
  }

  #error(at) {
    return wasmError(errorAt(at, (k) => this.#take(k)));
  }

  /** A value the core kept past the call (queued): binary data gets its own copy. */
  #keep(key) {
    if (this.#values.has(key)) this.#values.set(key, this.#hold(this.#values.get(key)));
  }

  /** send(): resolves once the message is handed over or queued; waits under backpressure. */
  send(data, len) {
    if (this.#ended) return Promise.reject(this.#closedError(data));
    const key = this.#nextKey(data);
    const r = W.rs_send(this.#h, key, len, this.#buffered());
    if (r === 0) {
      const ticket = out()[0];
      return new Promise((resolve, reject) => {
        this.#wait({ ticket, key, len, resolve, reject });
      });
    }
    if (r < 0) return Promise.reject(this.#error(0));
    this.#pump();
    this.#keep(key);
    return Promise.resolve();
  }

  /** trySend(): true when handed over or queued, false under backpressure or a full queue. */
  trySend(data, len) {
    if (this.#ended) throw this.#closedError(data);
    const key = this.#nextKey(data);
    const r = W.rs_try_send(this.#h, key, len, this.#buffered());
    if (r < 0) throw this.#error(0);
    if (r === 0) {
      this.#values.delete(key);
      this.#pump();
      return false;
    }
    this.#pump();
    this.#keep(key);
    return true;
  }

  /**
   * send() of a tracked message (acknowledged delivery): `t` is its id (`kind` 1 the
   * number `num`, 2 the text `text`, 0 none, 3 not a number nor a string, as rs_track
   * takes it), `timeout` (NaN: none), the application's `id`, and `wantAck` (the promise
   * waits for the acknowledgement; else it resolves when the message is handed on).
   */
  track(data, len, t) {
    if (this.#ended) return Promise.reject(this.#closedError(data));
    const key = this.#nextKey(data);
    if (t.kind === 2) arg(t.text);
    const r = W.rs_track(this.#h, 0, key, len, this.#buffered(), t.kind, t.num, t.timeout, now());
    if (r < 0) return Promise.reject(this.#error(0));
    const ticket = out()[0];
    const promise = new Promise((resolve, reject) => {
      t.resolve = resolve;
      t.reject = reject;
    });
    if (r === 0) {
      this.#wait({ ticket, key, len, resolve: t.resolve, reject: t.reject, t });
      return promise;
    }
    this.#tracked.set(key, t);
    if (!t.wantAck) t.resolve();
    this.#pump();
    this.#keep(key);
    return promise;
  }

  /** trySend() of a tracked message (see track()): true when handed on, false when not now. */
  tryTrack(data, len, t) {
    if (this.#ended) throw this.#closedError(data);
    const key = this.#nextKey(data);
    if (t.kind === 2) arg(t.text);
    const r = W.rs_track(this.#h, 1, key, len, this.#buffered(), t.kind, t.num, t.timeout, now());
    if (r < 0) throw this.#error(0);
    if (r === 0) {
      this.#values.delete(key);
      this.#pump();
      return false;
    }
    this.#tracked.set(key, t);
    this.#pump();
    this.#keep(key);
    return true;
  }

  /**
   * An acknowledgement read from a message (`data`, `parsed` its JSON when it was read as
   * JSON): `kind` 1 the numeric id `num`, 2 the text id `text`, 4 every numeric id up to
   * `num`. What it covers is released (the acked action, below); anything else changes nothing.
   */
  ack(kind, num, text, data, parsed) {
    if (this.#ended) return true;
    if (kind === 2) arg(text);
    const released = W.rs_ack(this.#h, kind, num, now());
    if (released <= 0) return released === 0;
    const before = [this.#ackData, this.#ackParsed];
    this.#ackData = data;
    this.#ackParsed = parsed;
    try {
      this.#pump();
    } finally {
      [this.#ackData, this.#ackParsed] = before;
    }
    return true;
  }

  /** Acked (15), expired (16) or unacknowledged at the end (17): the core let these keys go. */
  #settle(kind, n) {
    const back = [];
    const code = kind === 16 ? "ack_timeout" : "unacked";
    const data = this.#ackData;
    for (const key of keys(n)) {
      const value = this.#take(key);
      const t = this.#tracked.get(key);
      this.#tracked.delete(key);
      if (t === undefined) continue;
      if (kind === 15) {
        const info = { id: t.id, data };
        if (t.wantAck) {
          try {
            t.resolve(t.map === undefined ? info : t.map(info, this.#ackParsed));
          } catch (e) {
            t.reject(e);
          }
        }
        this.#emit("delivered", info);
      } else if (t.wantAck) t.reject(wasmError({ code, messages: [value] }));
      else back.push(value);
    }
    if (back.length > 0) this.#emit("error", { error: wasmError({ code, messages: back }) });
  }

  #closedError(data) {
    return wasmError({ code: "closed", messages: data === undefined ? [] : [data] });
  }

  /** Resolves when nothing is queued or buffered (and no send waits). */
  flush() {
    if (this.#ended) return Promise.reject(this.#closedError());
    return new Promise((resolve, reject) => {
      this.#flushers.push({ resolve, reject });
      this.#checkFlushers();
      this.#ensurePolling();
    });
  }

  /** close(): null, or the error. */
  close(code, reason) {
    if (this.#ended) return null;
    arg(reason);
    const r = W.rs_close(this.#h, code, now());
    const error = r < 0 ? this.#error(0) : null;
    this.#pump();
    return error;
  }

  /** reconnect(): null, or the error. */
  reconnect() {
    if (this.#ended) return this.#closedError();
    const r = W.rs_reconnect(this.#h);
    const error = r < 0 ? this.#error(0) : null;
    if (error === null) this.#watchOnline();
    this.#pump();
    return error;
  }

  /**
   * Ends the connection at once (closed by the client, 1000; queued and waiting messages
   * handed back) and releases everything; the core's half is freed.
   */
  free() {
    if (this.#ended) return;
    W.rs_terminate(this.#h);
    this.#pump();
    this.#release();
    this.#ended = true;
    for (const w of this.#waiters.drain()) w.reject(this.#closedError(this.#take(w.key)));
    for (const f of this.#flushers.splice(0)) f.reject(this.#closedError());
    W.rs_free(this.#h);
  }

  // --- the browser's events ---------------------------------------------------------

  #event(kind, id, a = 0, b = 0) {
    if (this.#ended) return;
    W.rs_event(this.#h, kind, id, a, b, now());
    this.#pump();
  }

  #onMessage(id, data) {
    live.callbacksRun++;
    if (this.#ended) return;
    let len;
    if (typeof data === "string") len = data.length > this.#max ? data.length : utf8Length(data);
    else {
      try {
        len = abLength.call(data);
      } catch {
        return; // neither text nor an ArrayBuffer: not a message the core knows
      }
    }
    if (len > this.#max) return this.#event(EV_OVERSIZED, id, len);
    const pong = this.#pong !== undefined && data === this.#pong ? 1 : 0;
    if (W.rs_message(this.#h, id, len, pong, this.#heartbeat ? now() : 0) === 1) this.#emit(0, data);
    else {
      const before = this.#inbound;
      this.#inbound = data;
      try {
        this.#pump();
      } finally {
        this.#inbound = before;
      }
    }
  }

  #open(id, url) {
    let ws;
    try {
      const Ctor = this.#Ctor;
      ws = this.#protocols.length === 0 ? new Ctor(url) : new Ctor(url, this.#protocols);
    } catch (e) {
      arg(jsText(e));
      return this.#event(EV_REFUSED, id);
    }
    try {
      ws.binaryType = "arraybuffer";
    } catch {
      // a class without it: its messages are read as they come
    }
    const link = this;
    const handlers = {
      onopen() {
        live.callbacksRun++;
        link.#event(EV_OPENED, id);
      },
      onmessage(e) {
        let data;
        try {
          data = e.data;
        } catch {
          return;
        }
        link.#onMessage(id, data);
      },
      onclose(e) {
        live.callbacksRun++;
        const read = (k, fallback) => link.#read(() => e[k], fallback);
        let code = read("code", 1005);
        if (typeof code !== "number" || !(code >= 0 && code <= 65535)) code = 1005;
        let reason = read("reason", "");
        if (typeof reason !== "string") reason = "";
        arg(reason);
        link.#event(EV_CLOSED, id, code | 0, read("wasClean", false) ? 1 : 0);
      },
      onerror() {
        live.callbacksRun++;
        if (link.#socket !== null && link.#socket[0] === id) link.#emit("error", { error: null });
      },
    };
    for (const k of ["onopen", "onmessage", "onclose", "onerror"]) {
      try {
        ws[k] = handlers[k];
      } catch {
        // a class that refuses a handler: its events do not reach the core
      }
    }
    live.listeners += 4;
    live.sockets++;
    this.#drop();
    this.#socket = [id, ws];
  }

  /** Detach and close the current socket (if it is still open) and forget it. */
  #drop(code = 1000, reason) {
    const s = this.#socket;
    if (s === null) return;
    this.#socket = null;
    const ws = s[1];
    for (const k of ["onopen", "onmessage", "onclose", "onerror"]) {
      try {
        ws[k] = null;
      } catch {
        // ignored
      }
    }
    live.listeners -= 4;
    live.sockets--;
    const state = this.#read(() => ws.readyState, 3);
    if (state === 0 || state === 1) {
      try {
        if (reason === undefined) ws.close(code);
        else ws.close(code, reason);
      } catch {
        // ignored: the socket is forgotten either way
      }
    }
  }

  #socketOf(id) {
    const s = this.#socket;
    return s !== null && s[0] === id ? s[1] : null;
  }

  /** Sends on socket `id` if it is current and open; false if the data did not go. */
  #sendOn(id, data) {
    const ws = this.#socketOf(id);
    if (ws === null || this.#read(() => ws.readyState, 3) !== 1) return false;
    try {
      ws.send(data);
      return true;
    } catch {
      return false;
    }
  }

  #setTimer(timer, ms) {
    this.#clearTimer(timer);
    live.timers++;
    this.#timers[timer] = setTimeout(() => {
      live.timers--;
      live.callbacksRun++;
      this.#timers[timer] = null;
      this.#event(EV_TIMER, 0, timer);
    }, ms);
  }

  #clearTimer(timer) {
    const t = this.#timers[timer];
    if (t !== null) {
      clearTimeout(t);
      live.timers--;
      this.#timers[timer] = null;
    }
  }

  /**
   * `online`/`offline` on the global scope and, in a page, what says it left or came
   * back: a `pagehide` into the back/forward cache (the core closes the link, keeping
   * the queue), a `pageshow` from it, `resume` after a freeze, `visibilitychange` to
   * visible. Their timers were stopped or throttled: the core checks the link at once.
   */
  #watchOnline() {
    if (this.#online !== null) return;
    const g = globalThis;
    if (typeof g.addEventListener !== "function") return;
    const on = (kind) => () => {
      live.callbacksRun++;
      this.#event(kind, 0);
    };
    const resumed = on(EV_RESUMED);
    const suspended = on(EV_SUSPENDED);
    const regs = [
      [g, "online", on(EV_ONLINE)],
      [g, "offline", on(EV_OFFLINE)],
    ];
    const doc = g.document;
    if (doc != null && typeof doc.addEventListener === "function") {
      regs.push(
        [g, "pagehide", (e) => e.persisted === true && suspended()],
        [g, "pageshow", (e) => e.persisted === true && resumed()],
        [doc, "resume", resumed],
        [doc, "visibilitychange", () => doc.visibilityState === "visible" && resumed()],
      );
    }
    const added = [];
    for (const r of regs) {
      try {
        r[0].addEventListener(r[1], r[2]);
        added.push(r);
      } catch {
        // a target that refuses: that signal is not watched
      }
    }
    live.listeners += added.length;
    this.#online = added;
  }

  #unwatchOnline() {
    const o = this.#online;
    if (o === null) return;
    this.#online = null;
    live.listeners -= o.length;
    for (const [target, type, f] of o) {
      try {
        target.removeEventListener(type, f);
      } catch {
        // ignored
      }
    }
  }

  /** Closed for good: no socket, timer or listener remains. */
  #release() {
    this.#drop();
    for (let t = 0; t < this.#timers.length; t++) this.#clearTimer(t);
    this.#stopPolling();
    this.#unwatchOnline();
  }

  // --- the core's actions ----------------------------------------------------------

  /** Runs the core's actions in order until there are none; hands waiting sends on. */
  #pump() {
    for (;;) {
      if (this.#ended) return;
      const kind = W.rs_poll(this.#h);
      if (kind === 0) {
        if (this.#admitHead()) continue;
        break;
      }
      this.#execute(kind);
    }
    while (this.#handed.length > 0) this.#keep(this.#handed.pop());
    this.#checkFlushers();
    this.#ensurePolling();
  }

  #execute(kind) {
    // Every field is read from the output area before anything else is called: a call
    // made below (the application's socket may re-enter) overwrites it.
    const o = out();
    switch (kind) {
      case 1: // resolve URL
        return this.#resolve(o[1]);
      case 2: // connect
        return this.#open(o[1], text(2));
      case 3: {
        // send
        const [id, key, len, tracked] = [o[1], o[2], o[3], o[4]];
        // A tracked message stays with the core (it may be sent again): its value stays here.
        if (tracked === 1) {
          if (!this.#sendOn(id, this.#values.get(key))) this.#event(EV_BOUNCED_TRACKED, id, key, len);
          return;
        }
        const data = this.#take(key);
        if (!this.#sendOn(id, data)) {
          this.#values.set(key, this.#hold(data));
          this.#event(EV_BOUNCED, id, key, len);
        }
        return;
      }
      case 4: // ping
        if (this.#ping !== undefined) this.#sendOn(o[1], this.#ping);
        return;
      case 5: {
        // close
        const [id, code, reason] = [o[1], o[2], text(3)];
        const ws = this.#socketOf(id);
        if (ws !== null) {
          try {
            ws.close(code, reason);
          } catch {
            // the close event follows, or the close timeout
          }
        }
        return;
      }
      case 6: {
        // abandon
        const [id, code, reason] = [o[1], o[2], text(3)];
        if (this.#socketOf(id) !== null) this.#drop(code, reason);
        return;
      }
      case 7: // classify
        return this.#classify(o[1], o[2], text(3));
      case 8: // report
        return this.#emit("error", { error: this.#error(1) });
      case 9:
        return this.#setTimer(o[1], o[2]);
      case 10:
        return this.#clearTimer(o[1]);
      case 11: {
        // deliver
        const key = o[1];
        return this.#emit(0, key === 0 ? this.#inbound : this.#take(key));
      }
      case 12:
        return this.#state(o);
      case 13:
      case 14: {
        const messages = keys(o[1]).map((k) => this.#take(k));
        const code = kind === 13 ? "dropped" : "unsent";
        return this.#emit("error", { error: wasmError({ code, messages }) });
      }
      case 15:
      case 16:
      case 17:
        return this.#settle(kind, o[1]);
    }
  }

  #state(o) {
    const state = STATES[o[1]];
    const detail = { state };
    let close = null;
    if (state === "connecting") detail.attempt = o[2];
    else if (state === "reconnecting") {
      detail.attempt = o[2];
      detail.delayMs = o[3];
      detail.cause = CAUSES[o[4]];
      if (o[4] === 0) {
        detail.code = o[5];
        detail.reason = text(7);
      }
      if (o[4] === 4) detail.error = text(9);
    } else if (state === "closed") {
      close = { code: o[5], reason: text(7), wasClean: o[6] === 1, by: BY[o[11]], error: o[12] === 1 ? wasmError(errorAt(13, () => undefined)) : null };
    }
    // Between attempts there is no socket: its unsent bytes are gone with the link.
    if (state === "reconnecting" || state === "closed") this.#drop();
    if (state === "closed") this.#release();
    this.#emit("statechange", detail);
    if (state === "open") this.#emit("open");
    else if (state === "reconnecting") this.#emit("reconnecting", detail);
    else if (close !== null) this.#emit("close", close);
  }

  /** The URL provider, from a task of its own (it is application code). */
  #resolve(id) {
    const provider = this.#provider;
    if (provider === null) return;
    queueMicrotask(async () => {
      let kind = EV_URL_ERR;
      let value;
      try {
        const raw = await provider();
        if (typeof raw !== "string") value = "the URL provider did not return a string";
        else {
          try {
            value = resolveUrl(raw);
            kind = EV_URL_OK;
          } catch (e) {
            const d = invalidUrl(e);
            value = `invalid URL ${d.url}: ${d.reason}`;
          }
        }
      } catch (e) {
        value = jsText(e);
      }
      if (this.#ended) return;
      arg(value);
      this.#event(kind, id);
    });
  }

  /** The application's close classifier, from a task of its own. */
  #classify(id, code, reason) {
    const should = this.#should;
    queueMicrotask(() => {
      let retry = 1;
      try {
        retry = should(code, reason) ? 1 : 0;
      } catch {
        retry = 1;
      }
      this.#event(EV_CLASSIFIED, id, retry);
    });
  }

  // --- backpressure -----------------------------------------------------------------

  /**
   * A send that waits. At the head, the core is asked at once what it waits for: room in
   * the queue or the window (an event ends the wait: nothing to poll, no timer per send)
   * or the backpressure gate (bufferedAmount is polled).
   */
  #wait(w) {
    if (this.#waiters.push(w) === 1) this.#pump();
    else this.#ensurePolling();
  }

  /** Hands the head waiting send on if the core lets it go now; true if it did. */
  #admitHead() {
    const w = this.#waiters.peek();
    if (w === undefined) return false;
    const t = w.t;
    if (t === undefined) {
      if (W.rs_admit(this.#h, w.ticket, w.key, w.len, this.#buffered(), 0, 0, NaN, 0) === 0) {
        this.#roomWait = out()[0] === 1;
        return false;
      }
    } else {
      if (t.kind === 2) arg(t.text);
      if (W.rs_admit(this.#h, w.ticket, w.key, w.len, this.#buffered(), t.kind, t.num, t.timeout, now()) === 0) {
        this.#roomWait = out()[0] === 1;
        return false;
      }
    }
    this.#waiters.shift();
    const o = out();
    if (o[0] === 1) {
      this.#handed.push(w.key);
      if (t === undefined) w.resolve();
      else {
        this.#tracked.set(w.key, t);
        if (!t.wantAck) w.resolve();
      }
    } else w.reject(this.#error(1));
    return true;
  }

  #checkFlushers() {
    if (this.#flushers.length === 0 || this.#ended) return;
    const r = W.rs_flushed(this.#h, this.#buffered());
    if (r === 0) return;
    const done = this.#flushers.splice(0);
    for (const f of done) {
      if (r === 1) f.resolve();
      else f.reject(this.#closedError());
    }
  }

  #ensurePolling() {
    const waiting = (this.#waiters.length > 0 && !this.#roomWait) || this.#flushers.length > 0;
    const o = waiting && !this.#ended ? this.#status() : null;
    if (o === null || o[0] !== 1 || this.#socket === null) return this.#stopPolling();
    if (this.#poll !== null) return;
    live.timers++;
    this.#poll = setTimeout(() => {
      live.timers--;
      live.callbacksRun++;
      this.#poll = null;
      this.#pump();
    }, POLL_MS);
  }

  #stopPolling() {
    if (this.#poll !== null) {
      clearTimeout(this.#poll);
      live.timers--;
      this.#poll = null;
    }
  }

  /**
   * Sends `data` on the open socket now, beside the core's queue: a frame of a shared
   * connection's member (share.js), whose own core queued, admitted and gated it. False
   * when there is no open socket or it refused.
   */
  sendNow(data) {
    const s = this.#socket;
    return s !== null && this.#sendOn(s[0], data);
  }
}

/** Opens the core's half: the handle, or throws the refused option as plain data. */
export function engine(nums, strs, fixed, custom) {
  const x = core();
  const [ping, pong, ...protocols] = strs;
  if (fixed !== null) arg(fixed);
  if (ping !== undefined) arg(ping);
  if (pong !== undefined) arg(pong);
  for (const p of protocols) arg(p);
  out().set(nums);
  const seed = () => Math.floor(Math.random() * 4294967296);
  const h = x.rs_new(fixed !== null ? 1 : 0, ping !== undefined ? 1 : 0, pong !== undefined ? 1 : 0, protocols.length, custom ? 1 : 0, seed(), seed());
  if (h === 0) {
    const o = out();
    throw { code: "invalid_option", field: o[0], rule: o[1], a: o[2], b: o[3] };
  }
  return h;
}

