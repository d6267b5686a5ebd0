// resocket-wasm: a resilient WebSocket client whose core is compiled from Rust to
// WebAssembly. `ReSocket` is an EventTarget shaped like the browser's WebSocket, with
// reconnection, a bounded outbound queue, backpressure and an optional heartbeat.

import { checkTimeout, core, ready } from "./core.js";
import { Link, calls, diagnostics, engine, invalidUrl, now, resolveUrl } from "./shell.js";
import { ReSocketError, describe, optionError, check, closeArgs, jsonText, sendOptions, sizeOf, split, tooLarge, utf8Length, wasmError } from "./options.js";
import { join } from "./share.js";

export { ReSocketError, diagnostics, ready };

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const href = (u) => (u instanceof URL ? u.href : u);
const providerOf = (url) => async () => href(await url());

const closedError = () => new ReSocketError("closed", "the socket is closed");
/** An exception of a listener, reported as EventTarget reports one (the dispatch goes on). */
const report = typeof globalThis.reportError === "function"
  ? (e) => globalThis.reportError(e)
  : (e) => setTimeout(() => {
      throw e;
    });
const utf8 = new TextDecoder();

// --- Input checks, in JavaScript ----------------------------------------------------
// Everything a caller hands in is read here, once, inside try/catch: a throwing getter,
// a Proxy trap or a detached buffer becomes a typed error before any WebAssembly call,
// so no exception ever unwinds through a wasm frame.

const readError = (path, e) => optionError(path, `reading it threw (${describe(e?.message)})`, e);

/**
 * The options as plain data: own enumerable keys read once into null-prototype objects
 * and real arrays (functions kept as they are), to the depth the options have.
 */
function plainOptions(value, path = "", depth = 0) {
  if (value === null || typeof value !== "object" || depth > 3) return value;
  let entries;
  const name = (k) => (path ? `${path}.${k}` : k);
  try {
    entries = Array.isArray(value) ? Array.from(value) : Object.keys(value);
  } catch (e) {
    throw readError(path, e);
  }
  if (!Array.isArray(value)) {
    entries = entries.map((k) => {
      try {
        return [k, value[k]];
      } catch (e) {
        throw readError(name(k), e);
      }
    });
  }
  if (Array.isArray(value)) return entries.map((v, i) => plainOptions(v, `${path}[${i}]`, depth + 1));
  const out = Object.create(null);
  for (const [k, v] of entries) out[k] = plainOptions(v, name(k), depth + 1);
  return out;
}

// The intrinsic getters: brand checks that a Proxy or an overridden property cannot fool.
const getter = (proto, key) => Object.getOwnPropertyDescriptor(proto, key).get;
const TypedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
// The typed arrays' brand check that never throws: their name for a typed array, else undefined.
const taTag = Object.getOwnPropertyDescriptor(TypedArrayProto, Symbol.toStringTag).get;
const abLength = getter(ArrayBuffer.prototype, "byteLength");
const taBuffer = getter(TypedArrayProto, "buffer");
const taOffset = getter(TypedArrayProto, "byteOffset");
const taLength = getter(TypedArrayProto, "byteLength");
const dvBuffer = getter(DataView.prototype, "buffer");
const dvOffset = getter(DataView.prototype, "byteOffset");
const dvLength = getter(DataView.prototype, "byteLength");

function branded(get, v) {
  try {
    get.call(v);
    return true;
  } catch {
    return false;
  }
}


const abResizable = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "resizable")?.get;

/**
 * Whether WebSocket.send() takes this buffer's bytes in place: not a SharedArrayBuffer,
 * not a resizable ArrayBuffer (WebIDL refuses both for send()).
 */
const sendable = (buffer) => branded(abLength, buffer) && !(abResizable && abResizable.call(buffer));

/** The length in bytes of the frame toFrame() returned last (UTF-8 bytes for text). */
let frameBytes = 0;

/**
 * What send() hands to the wasm core, which passes it on to WebSocket.send() untouched:
 * the caller's own string or ArrayBuffer, or, for a view, a plain Uint8Array over the
 * same bytes (no copy; bytes in a SharedArrayBuffer or a resizable ArrayBuffer, which
 * WebSocket.send() refuses, are copied). Its length in bytes, read with the intrinsic getters (never cut to 32 bits), is
 * left in `frameBytes`. Nothing here runs the caller's code. Throws ReSocketError.
 */
function toFrame(data, max) {
  if (typeof data === "string") {
    // UTF-16 units never exceed UTF-8 bytes: a string that long is over at once.
    const len = data.length > max ? data.length : utf8Length(data);
    if (len > max) throw tooLarge(len, max);
    frameBytes = len;
    return data;
  }
  const view = ArrayBuffer.isView(data);
  if (!view && !branded(abLength, data)) {
    throw new ReSocketError(
      "encode",
      `send() takes a string, an ArrayBuffer or an ArrayBufferView, not ${describe(data)}`,
    );
  }
  let frame = data;
  let buffer, offset, length;
  try {
    if (!view) [buffer, offset, length] = [data, 0, abLength.call(data)];
    else if (taTag.call(data) === undefined) [buffer, offset, length] = [dvBuffer.call(data), dvOffset.call(data), dvLength.call(data)];
    else [buffer, offset, length] = [taBuffer.call(data), taOffset.call(data), taLength.call(data)];
    // A detached buffer reads as empty (or its getters throw); a view of it throws.
    const bytes = view || length === 0 ? new Uint8Array(buffer, offset, length) : null;
    if (!sendable(buffer)) frame = view ? new Uint8Array(bytes) : new Uint8Array(new Uint8Array(buffer, 0, length)).buffer;
    else if (view) frame = bytes;
  } catch (e) {
    throw new ReSocketError("encode", "cannot send the bytes of a detached ArrayBuffer", { cause: e });
  }
  if (length > max) throw tooLarge(length, max);
  frameBytes = length;
  return frame;
}

/**
 * A frame kept past the send() call (queued while the link is down): binary data is
 * copied, as WebSocket.send() copies it, so the caller may reuse its buffer. The
 * copy is made with intrinsics only (no species lookup, no method of the caller's).
 */
function held(frame) {
  if (typeof frame === "string") return frame;
  const isBuffer = !ArrayBuffer.isView(frame);
  const source = isBuffer ? new Uint8Array(frame) : frame;
  const copy = new Uint8Array(taLength.call(source));
  copy.set(source);
  return isBuffer ? copy.buffer : copy;
}

/** Whether a listener called stopImmediatePropagation() on an event (the socket's own delivery). */
let stopped;

/** A message from the server. `data` is a string (text frame) or an ArrayBuffer (binary). */
export class ReSocketMessageEvent extends Event {
  #data;
  #stopped = false;
  constructor(type, init) {
    super(type);
    this.#data = init?.data;
  }
  get data() {
    return this.#data;
  }
  stopImmediatePropagation() {
    this.#stopped = true;
    super.stopImmediatePropagation();
  }
  static {
    stopped = (e) => (#stopped in e ? e.#stopped : e.stop === true);
  }
  /** Parses `data` as JSON (a binary frame is decoded as UTF-8 first). */
  json() {
    const d = this.#data;
    return JSON.parse(typeof d === "string" ? d : utf8.decode(d));
  }
}

// The events of the hot paths (a message received; a tracked message acknowledged) are
// made for every message, so they are built without the DOM: constructing a DOM `Event`
// costs about as much as the browser's whole handling of a small message. By its
// prototype each is its public class and an `Event` (`instanceof` holds), with every
// member of theirs (at target, not cancelable, not trusted); it cannot be dispatched on
// another `EventTarget`. `new ReSocketMessageEvent(type, { data })` (and the delivered
// event's constructor) still make real DOM events.

/** The members of an `Event` that a dispatched event of the socket's own has. */
class Fast {
  get srcElement() {
    return this.target;
  }
  composedPath() {
    return [this.target];
  }
  stopImmediatePropagation() {
    this.stop = true;
  }
  stopPropagation() {}
  preventDefault() {}
  initEvent() {}
  get returnValue() {
    return true;
  }
  set returnValue(_) {}
  get cancelBubble() {
    return false;
  }
  set cancelBubble(_) {}
}
const CONSTANT = { bubbles: false, cancelable: false, composed: false, defaultPrevented: false, isTrusted: false, eventPhase: 2 };

/** Gives `Kind` the members of `Fast` and the prototype of `Public`. */
function fast(Kind, Public) {
  for (const name of Object.getOwnPropertyNames(Fast.prototype)) {
    if (name !== "constructor") Object.defineProperty(Kind.prototype, name, Object.getOwnPropertyDescriptor(Fast.prototype, name));
  }
  for (const [name, value] of Object.entries(CONSTANT)) {
    Object.defineProperty(Kind.prototype, name, { get: () => value, configurable: true });
  }
  Object.setPrototypeOf(Kind.prototype, Public.prototype);
}

/** A message the socket received (a `ReSocketMessageEvent`). */
class Received {
  type = "message";
  data;
  target;
  currentTarget;
  timeStamp = now();
  stop = false;
  constructor(target, data) {
    this.data = data;
    this.target = target;
    this.currentTarget = target;
  }
  json() {
    const d = this.data;
    return JSON.parse(typeof d === "string" ? d : utf8.decode(d));
  }
}
fast(Received, ReSocketMessageEvent);

/** A tracked message acknowledged (a `ReSocketDeliveredEvent`). */
class Acked {
  type = "delivered";
  id;
  data;
  target;
  currentTarget;
  timeStamp = now();
  stop = false;
  constructor(target, detail) {
    this.id = detail?.id;
    this.data = detail?.data;
    this.target = target;
    this.currentTarget = target;
  }
}

/** The socket is closed for good: no reconnection follows. */
export class ReSocketCloseEvent extends Event {
  #d;
  constructor(type, init) {
    super(type);
    this.#d = init ?? {};
  }
  get code() {
    return this.#d.code ?? 1005;
  }
  get reason() {
    return this.#d.reason ?? "";
  }
  get wasClean() {
    return Boolean(this.#d.wasClean);
  }
  /** Who ended it: "client" (close()), "remote" (server/network, not retried) or "policy" (gave up). */
  get by() {
    return this.#d.by ?? "client";
  }
  /** Why the policy stopped (`connect_failed`, `gave_up`, ...), or null after a normal close. */
  get error() {
    return this.#d.error ?? null;
  }
}

/** A browser `error` event on the socket (`error` null), or messages handed back. */
export class ReSocketErrorEvent extends Event {
  #error;
  constructor(type, init) {
    super(type);
    this.#error = init?.error ?? null;
  }
  get error() {
    return this.#error;
  }
  /** Messages the error hands back (`dropped` / `unsent`); empty otherwise. */
  get messages() {
    const m = this.#error?.messages;
    return Array.isArray(m) ? m : [];
  }
}

/** A tracked message was acknowledged by the peer (acknowledged delivery). */
export class ReSocketDeliveredEvent extends Event {
  #d;
  constructor(type, init) {
    super(type);
    this.#d = init ?? {};
  }
  /** The message's id. */
  get id() {
    return this.#d.id;
  }
  /** The data of the message that acknowledged it. */
  get data() {
    return this.#d.data;
  }
}
fast(Acked, ReSocketDeliveredEvent);

/** Fields shared by `statechange` and `reconnecting` events. */
export class ReSocketTransitionEvent extends Event {
  #d;
  constructor(type, init) {
    super(type);
    this.#d = init ?? {};
  }
  /** Retry number: 0 for the first connection, k for the k-th retry. */
  get attempt() {
    return this.#d.attempt;
  }
  /** The backoff delay before the retry, in ms. */
  get delayMs() {
    return this.#d.delayMs;
  }
  /** Why the link is being re-established. */
  get cause() {
    return this.#d.cause;
  }
  /** Close code, when `cause` is "closed". */
  get code() {
    return this.#d.code;
  }
  /** Close reason, when `cause` is "closed". */
  get reason() {
    return this.#d.reason;
  }
  /** The provider's error message, when `cause` is "url_provider". */
  get error() {
    return this.#d.error;
  }
}

/** Every connection state transition, in order. */
export class ReSocketStateChangeEvent extends ReSocketTransitionEvent {
  #state;
  constructor(type, init) {
    super(type, init);
    this.#state = init?.state;
  }
  /** The new state. */
  get state() {
    return this.#state;
  }
}

/** The link went down; retry number `attempt` follows after `delayMs`. */
export class ReSocketReconnectingEvent extends ReSocketTransitionEvent {}

function makeEvent(type, detail) {
  switch (type) {
    case "close":
      if (detail?.error) detail.error = wasmError(detail.error);
      return new ReSocketCloseEvent(type, detail);
    case "error":
      if (detail?.error) detail.error = wasmError(detail.error);
      return new ReSocketErrorEvent(type, detail);
    case "statechange":
      return new ReSocketStateChangeEvent(type, detail);
    case "reconnecting":
      return new ReSocketReconnectingEvent(type, detail);
    default:
      return new Event(type);
  }
}



// --- Acknowledged delivery: ids and acknowledgements, read in JavaScript ------------------
// The core keeps the window, decides what an id or an acknowledgement is and what it
// releases; here they are only read from the application's data (a JSON field, or the
// application's function) and handed over as numbers or text.

const BRACE = 123; // "{"

/** An id as the core takes it: `[kind, num, text]` (kind 0 none, 1 number, 2 text, 3 neither). */
function idParts(id) {
  if (id === undefined || id === null) return [0, 0, ""];
  if (typeof id === "number") return [1, id, ""];
  if (typeof id === "string") return [2, NaN, id];
  return [3, 0, ""];
}

/** A plain object of JSON text that starts with "{", or undefined. */
function jsonObject(text) {
  if (typeof text !== "string" || text.charCodeAt(0) !== BRACE) return undefined;
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

const isRecord = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/**
 * The id of an outgoing message under `d` (the delivery options): the application's
 * function of (data, value), or the field `d.id` of the value given to sendJson() or of a
 * string that parses as a JSON object; undefined when there is none (binary data under
 * a field name). Throws `invalid_id` (the message handed back) when reading it throws.
 */
function readId(d, data, value, json) {
  try {
    if (typeof d.id === "function") return json ? d.id(data, value) : d.id(data);
    if (json) return isRecord(value) ? value[d.id] : undefined;
    const o = jsonObject(data);
    return o === undefined ? undefined : o[d.id];
  } catch (e) {
    const err = wasmError({ code: "invalid_id", reason: `reading it threw (${describe(e?.message)})`, messages: [data] });
    err.cause = e;
    throw err;
  }
}

// A ReSocket closed for good is held by nothing of resocket's: its sockets, timers and
// listeners are gone, and the core's half is a number. Once the application drops it
// and it is collected, the registry frees the core's half, so no one has to call free().
// While it can still deliver events its socket, timers or listeners hold it, as the
// browser holds a WebSocket with listeners.
const collected = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((h) => core().rs_free(h)) : null;

/**
 * A resilient WebSocket.
 *
 * ```js
 * const ws = new ReSocket("wss://example.com/chat", { reconnect: { maxAttempts: 20 } });
 * ws.onmessage = (e) => console.log(e.data);
 * await ws.send("hello"); // waits under backpressure; queued while reconnecting
 * ```
 *
 * Events are dispatched in the order they happened and never from inside a method call,
 * so listeners may call any method: a message from the socket's own `message` event (or a
 * microtask, when other events wait or a call into the socket is in progress), every
 * other event from a microtask.
 */
export class ReSocket extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  #link;
  /**
   * The `message` listeners. Messages are the hot path: they are delivered by the socket
   * itself, calling these with one event object built without the DOM, not through
   * EventTarget's dispatch (a second event dispatch per message costs as much as the
   * browser's whole work for it). So are `delivered` events (#acked); every other event
   * type is EventTarget's. Replaced, never changed in place, so
   * that a delivery in progress sees the list it began with.
   */
  #listeners = [];
  /** The `delivered` listeners, as the `message` ones (one event per acknowledged message). */
  #acked = [];
  #freed = false;
  #final = { url: "", protocol: "", stats: null };
  #pending = [];
  #draining = false;
  #handlers = new Map();
  #closedForGood = false;
  #max = 0;
  /** How ids and acknowledgements are read (acknowledged delivery), or null when it is off. */
  #delivery = null;
  /** The last number `delivery.sequence` stamped. */
  #seq = 0;
  /** This socket's place in a shared connection (the `share` option), or null. */
  #member = null;

  /**
   * @param url a `ws:`/`wss:` URL (`http(s):` and page-relative URLs are accepted), or a
   *   function returning one (or a promise of one), called before every attempt.
   * @param options the options object, or subprotocols as the WebSocket constructor takes
   *   them, in which case the options may follow as a third argument
   *   (`new ReSocket(url, protocols, options)`, as reconnecting-websocket and partysocket take them).
   */
  constructor(url, options, more) {
    super();
    let target;
    try {
      if (typeof options === "string" || Array.isArray(options)) {
        options = { ...(more ?? {}), protocols: options };
      } else if (options == null) {
        options = more; // (url, undefined, options)
      } else if (more !== undefined) {
        throw new ReSocketError("invalid_option", "options given twice: a third argument follows only protocols");
      }
    } catch (e) {
      throw e instanceof ReSocketError ? e : readError("protocols", e);
    }
    options = plainOptions(options ?? undefined);
    // The WebSocket class (for Node without a global, tests, or a wrapped implementation).
    let Ctor = globalThis.WebSocket;
    if (options && typeof options === "object" && "WebSocket" in options) {
      Ctor = options.WebSocket;
      delete options.WebSocket;
      if (typeof Ctor !== "function") {
        throw new ReSocketError("invalid_option", "invalid option `WebSocket`: must be a class (constructor function)");
      }
    } else if (typeof Ctor !== "function") {
      throw new ReSocketError(
        "js",
        "there is no global WebSocket (pass the `WebSocket` option, e.g. the `ws` package's, or set globalThis.WebSocket)",
      );
    }
    try {
      target = typeof url === "function" ? providerOf(url) : href(url);
    } catch (e) {
      throw new ReSocketError("invalid_url", "invalid URL: reading it threw", { cause: e });
    }
    if (typeof target !== "string" && typeof target !== "function") {
      throw new ReSocketError("invalid_url", `invalid URL ${describe(target)}: the URL must be a string or a function`);
    }
    const wasm = check(options);
    core();
    if (wasm.delivery !== null && wasm.delivery.timeout !== undefined) {
      const refused = checkTimeout(wasm.delivery.timeout);
      if (refused !== null) throw wasmError({ ...refused, option: "delivery.timeout" });
    }
    // The option rules come first, then the URL's (both the core's).
    let fixed = null;
    let refused = null;
    if (typeof target === "string") {
      try {
        fixed = resolveUrl(target);
      } catch (e) {
        refused = e;
      }
    }
    let h;
    const custom = typeof wasm.should === "function";
    const shared = wasm.share === undefined ? null : split(wasm.nums);
    try {
      // A member of a shared connection has no heartbeat of its own (see share.js).
      h = shared === null
        ? engine(wasm.nums, wasm.strs, fixed ?? (refused === null ? null : ""), custom)
        : engine(shared.member, [undefined, undefined, ...wasm.protocols], fixed ?? (refused === null ? null : ""), custom);
    } catch (e) {
      throw wasmError(e, { protocols: wasm.protocols });
    }
    if (refused !== null) {
      core().rs_free(h);
      throw wasmError(invalidUrl(refused));
    }
    const provider = typeof target === "function" ? target : null;
    if (shared !== null) {
      const host = { Ctor, protocols: wasm.protocols, provider, should: wasm.should };
      this.#member = join(wasm.share, {
        key: fixed ?? "",
        size: sizeOf,
        // The host: a connection of its own with this socket's options, its acknowledged
        // delivery aside (that is each member's).
        host: (emit) => new Link(engine(shared.host, wasm.strs, fixed, custom), { ...host, emit, hold: (v) => v }),
      });
      Ctor = this.#member.Socket;
      // Ids numbered by `delivery.sequence` start at a random offset: every member of the
      // share reads every acknowledgement, and must not take another's for its own.
      this.#seq = Math.floor(Math.random() * 2 ** 31) * 2 ** 20;
    }
    const member = this.#member;
    calls.depth++;
    try {
      this.#link = new Link(h, {
        emit: (type, detail) => {
          if (member !== null && type === "close") member.leave();
          this.#event(type, detail);
        },
        hold: held,
        Ctor,
        protocols: wasm.protocols,
        provider,
        should: wasm.should,
      });
    } finally {
      calls.depth--;
    }
    this.#max = this.#link.maxMessageSize;
    this.#delivery = wasm.delivery;
    collected?.register(this, h, this);
  }

  /**
   * An event from the shell (`type` 0: a message's data, else a name). A message that
   * comes from the socket's own event is dispatched at once; everything else, and a
   * message while an event waits or a call into the socket is in progress, in order from
   * a microtask.
   */
  #event(type, detail) {
    if (type === 0 && calls.depth === 0 && !this.#draining) this.#deliver(detail);
    else this.#queue(type === 0 ? "message" : type, detail);
  }

  /** A message to the `message` listeners, in order (see #listeners). */
  #deliver(data) {
    if (this.#delivery !== null && this.#acknowledges(data)) return;
    const list = this.#listeners;
    if (list.length === 0) return;
    this.#run(list, new Received(this, data));
  }

  /**
   * Whether `data` is an acknowledgement (then it is consumed, not dispatched): the
   * application's `delivery.ack` function returns a valid id or `{ through }` with a valid
   * bound; under field names, a text that starts with "{" is a JSON object whose `ack`
   * field is a valid id, or else whose `through` field is a valid bound. The core checks
   * the id and decides what it releases (an id not in flight releases nothing).
   */
  #acknowledges(data) {
    const d = this.#delivery;
    let a;
    let through;
    let parsed;
    if (typeof d.ack === "function") {
      try {
        a = d.ack(data);
        if (a === undefined || a === null) return false;
        if (typeof a === "object") {
          through = a.through;
          a = undefined;
        }
      } catch (e) {
        report(e);
        return false;
      }
    } else {
      parsed = jsonObject(data);
      if (parsed === undefined) return false;
      a = parsed[d.ack];
      if (a === undefined || a === null) {
        through = parsed[d.through];
        if (through === undefined || through === null) return false;
      }
    }
    // Only a valid id (or bound) makes it an acknowledgement; anything else is an
    // ordinary message (the core's id rule; tests/cases/acks.json).
    if (a !== undefined && a !== null) {
      const [kind, num, text] = idParts(a);
      if (kind !== 1 && kind !== 2) return false;
      return this.#freed || this.#link.ack(kind, num, text, data, parsed);
    }
    if (typeof through !== "number") return false;
    return this.#freed || this.#link.ack(4, through, "", data, parsed);
  }

  #run(list, event, type = "message") {
    for (const l of list) {
      if (l.removed) continue;
      if (l.once) this.removeEventListener(type, l.fn, l.capture);
      try {
        if (typeof l.fn === "function") l.fn.call(this, event);
        else l.fn.handleEvent(event);
      } catch (e) {
        report(e);
      }
      if (stopped(event)) break;
    }
  }

  /** A tracked message acknowledged, to the `delivered` listeners (see #listeners). */
  #delivered(detail) {
    if (this.#acked.length > 0) this.#run(this.#acked, new Acked(this, detail), "delivered");
  }

  addEventListener(type, listener, options) {
    if (type !== "message" && type !== "delivered") return super.addEventListener(type, listener, options);
    if (listener === null || listener === undefined) return;
    if (typeof listener !== "function" && typeof listener !== "object") {
      throw new TypeError("addEventListener: the listener must be a function or an object");
    }
    const o = options !== null && typeof options === "object" ? options : null;
    const capture = o === null ? Boolean(options) : Boolean(o.capture);
    const once = o !== null && Boolean(o.once);
    const signal = o?.signal;
    if (signal !== undefined && signal?.aborted) return;
    const list = type === "message" ? this.#listeners : this.#acked;
    if (list.some((l) => l.fn === listener && l.capture === capture)) return;
    const next = [...list, { fn: listener, capture, once, removed: false }];
    if (type === "message") this.#listeners = next;
    else this.#acked = next;
    signal?.addEventListener("abort", () => this.removeEventListener(type, listener, capture), { once: true });
  }

  removeEventListener(type, listener, options) {
    if (type !== "message" && type !== "delivered") return super.removeEventListener(type, listener, options);
    const capture = options !== null && typeof options === "object" ? Boolean(options.capture) : Boolean(options);
    const list = type === "message" ? this.#listeners : this.#acked;
    const i = list.findIndex((l) => l.fn === listener && l.capture === capture);
    if (i < 0) return;
    list[i].removed = true;
    const next = list.filter((_, j) => j !== i);
    if (type === "message") this.#listeners = next;
    else this.#acked = next;
  }

  dispatchEvent(event) {
    if (!(event instanceof Event)) return super.dispatchEvent(event);
    if (event.type === "message") this.#run(this.#listeners, event);
    else if (event.type === "delivered") this.#run(this.#acked, event, "delivered");
    else return super.dispatchEvent(event);
    return !event.defaultPrevented;
  }

  #queue(type, detail) {
    this.#pending.push([type, detail]);
    if (!this.#draining) {
      this.#draining = true;
      queueMicrotask(() => this.#drain());
    }
  }

  #drain() {
    try {
      while (this.#pending.length > 0) {
        const [type, detail] = this.#pending.shift();
        if (type === "close") this.#closedForGood = true;
        else if (type === "statechange" && detail?.state !== "closed") this.#closedForGood = false;
        if (type === "message") this.#deliver(detail);
        else if (type === "delivered") this.#delivered(detail);
        else this.dispatchEvent(makeEvent(type, detail));
      }
    } finally {
      this.#draining = this.#pending.length > 0;
      if (this.#draining) queueMicrotask(() => this.#drain());
    }
  }

  #handler(type) {
    return this.#handlers.get(type) ?? null;
  }

  #setHandler(type, fn) {
    if (!this.#handlers.has(type)) {
      this.addEventListener(type, (ev) => {
        const h = this.#handlers.get(type);
        if (typeof h === "function") h.call(this, ev);
      });
    }
    this.#handlers.set(type, typeof fn === "function" ? fn : null);
  }

  get onopen() { return this.#handler("open"); }
  set onopen(fn) { this.#setHandler("open", fn); }
  get onmessage() { return this.#handler("message"); }
  set onmessage(fn) { this.#setHandler("message", fn); }
  get onclose() { return this.#handler("close"); }
  set onclose(fn) { this.#setHandler("close", fn); }
  get onerror() { return this.#handler("error"); }
  set onerror(fn) { this.#setHandler("error", fn); }
  get onstatechange() { return this.#handler("statechange"); }
  set onstatechange(fn) { this.#setHandler("statechange", fn); }
  get onreconnecting() { return this.#handler("reconnecting"); }
  set onreconnecting(fn) { this.#setHandler("reconnecting", fn); }
  get ondelivered() { return this.#handler("delivered"); }
  set ondelivered(fn) { this.#setHandler("delivered", fn); }

  /** `readyState` of the current browser socket (CLOSED between attempts). */
  get readyState() {
    return this.#freed ? CLOSED : this.#link.readyState;
  }
  /** "connecting" | "open" | "reconnecting" | "closing" | "closed". */
  get state() {
    return this.#freed ? "closed" : this.#link.state;
  }
  /** `bufferedAmount` of the current browser socket (0 between attempts). */
  get bufferedAmount() {
    return this.#freed ? 0 : this.#link.bufferedAmount;
  }
  /** Bytes waiting in the outbound queue for the next connection. */
  get queuedAmount() {
    return this.#freed ? 0 : this.#link.queuedAmount;
  }
  /** Retries made in the current outage. */
  get retryCount() {
    return this.#freed ? 0 : this.#link.retryCount;
  }
  /**
   * With the `share` option: "leader" when this context holds the shared connection's
   * socket, "follower" when another context does, "electing" while neither is known;
   * null without the option.
   */
  get shareRole() {
    return this.#member === null ? null : this.#member.role;
  }
  /** The absolute URL of the latest attempt. */
  get url() {
    return this.#freed ? this.#final.url : this.#link.url;
  }
  /** The subprotocol the server selected ("" if none). */
  get protocol() {
    return this.#freed ? this.#final.protocol : this.#link.protocol;
  }
  /** Binary messages arrive as ArrayBuffer. */
  get binaryType() {
    return "arraybuffer";
  }
  get CONNECTING() { return CONNECTING; }
  get OPEN() { return OPEN; }
  get CLOSING() { return CLOSING; }
  get CLOSED() { return CLOSED; }
  get [Symbol.toStringTag]() {
    return "ReSocket";
  }

  /** Counters: reconnects, messages and bytes in and out, dropped messages, last heartbeat RTT. */
  stats() {
    if (this.#freed) return { ...this.#final.stats };
    const s = this.#link.stats();
    // A shared connection's round trip is its host's (a member has no heartbeat of its own).
    if (s !== null && this.#member !== null && this.#member.role !== "closed") s.lastRttMs = this.#member.rtt;
    return s;
  }

  /**
   * Sends a text (string) or binary (ArrayBuffer / typed array / DataView) message. It is
   * handed to the browser (or queued for the next connection) at once, in call order,
   * unless backpressure applies: then the promise waits until there is room.
   */
  send(data, options) {
    if (this.#freed) return Promise.reject(closedError());
    if (options !== undefined || this.#delivery !== null) return this.#track(data, options, "send");
    try {
      const frame = toFrame(data, this.#max);
      const len = frameBytes;
      // The fast path takes effect synchronously, like WebSocket.send(), so a send()
      // followed by close() or trySend() keeps its place; only a message that has to
      // wait goes through the asynchronous path.
      calls.depth++;
      try {
        return this.#link.send(frame, len);
      } finally {
        calls.depth--;
      }
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * A send under acknowledged delivery, or with options (`what`: "send" or "request";
   * `value` and `json` for sendJson()): the message is tracked when it has an id (see
   * `delivery.id`); else it is sent as any message (or refused with `invalid_id` when its
   * acknowledgement is asked for). `map` turns the acknowledgement into the promise's value.
   */
  #track(data, options, what, value, json = false, map = undefined) {
    try {
      let ack = what === "request";
      let timeout;
      if (options !== undefined) [ack, timeout] = sendOptions(plainOptions(options, what), what);
      const frame = toFrame(data, this.#max);
      const len = frameBytes;
      const d = this.#delivery;
      const id = d === null ? undefined : readId(d, data, value, json);
      calls.depth++;
      try {
        if ((id === undefined || id === null) && !ack) return this.#link.send(frame, len);
        const [kind, num, text] = idParts(id);
        timeout ??= d?.timeout;
        const t = { kind, num, text, timeout: timeout === undefined ? NaN : timeout, id, wantAck: ack, map };
        return this.#link.track(frame, len, t);
      } finally {
        calls.depth--;
      }
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /**
   * Sends `data` and resolves with the data of the message that acknowledges it
   * (acknowledged delivery; `timeout` in ms, else `delivery.timeout`). Rejects as
   * `send(data, { ack: true })` does.
   */
  request(data, options) {
    if (this.#freed) return Promise.reject(closedError());
    return this.#track(data, options, "request", undefined, false, (info) => info.data);
  }

  /**
   * `request()` of `JSON.stringify(value)` (stamped with the next number under
   * `delivery.sequence`); resolves with the acknowledging message parsed as JSON.
   */
  requestJson(value, options) {
    if (this.#freed) return Promise.reject(closedError());
    let text;
    let v;
    try {
      [text, v] = this.#json(value);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#track(text, options, "request", v, true, (info, parsed) => {
      if (parsed !== undefined) return parsed;
      try {
        return JSON.parse(typeof info.data === "string" ? info.data : utf8.decode(info.data));
      } catch (e) {
        throw new ReSocketError("decode", `cannot decode message: ${e?.message ?? e}`, { cause: e });
      }
    });
  }

  /** The JSON text of `value` and the value sent (stamped under `delivery.sequence`). */
  #json(value) {
    const d = this.#delivery;
    let v = value;
    if (d !== null && d.sequence && isRecord(value)) {
      let has;
      try {
        has = value[d.id] !== undefined;
      } catch (e) {
        const err = wasmError({ code: "invalid_id", reason: `reading it threw (${describe(e?.message)})`, messages: [value] });
        err.cause = e;
        throw err;
      }
      if (!has) {
        try {
          v = { ...value, [d.id]: this.#seq + 1 };
        } catch (e) {
          throw new ReSocketError("encode", `cannot encode message: ${e?.message ?? e}`, { cause: e });
        }
        this.#seq++;
      }
    }
    return [jsonText(v), v];
  }

  /** Sends without waiting: false when backpressure applies, the queue or the window is full. */
  trySend(data) {
    if (this.#freed) throw closedError();
    const frame = toFrame(data, this.#max);
    const d = this.#delivery;
    if (d !== null) {
      const id = readId(d, data, undefined, false);
      if (id !== undefined && id !== null) {
        const [kind, num, text] = idParts(id);
        const t = { kind, num, text, timeout: d.timeout ?? NaN, id, wantAck: false };
        calls.depth++;
        try {
          return this.#link.tryTrack(frame, frameBytes, t);
        } finally {
          calls.depth--;
        }
      }
    }
    calls.depth++;
    try {
      return this.#link.trySend(frame, frameBytes);
    } finally {
      calls.depth--;
    }
  }

  /**
   * Sends `JSON.stringify(value)` as a text message; otherwise like send(). Under
   * acknowledged delivery its id is `value[delivery.id]` (stamped with the next number
   * under `delivery.sequence` when it has none).
   */
  sendJson(value, options) {
    if (this.#delivery === null && options === undefined) {
      let text;
      try {
        text = jsonText(value);
      } catch (e) {
        return Promise.reject(e);
      }
      return this.send(text);
    }
    if (this.#freed) return Promise.reject(closedError());
    let text;
    let v;
    try {
      [text, v] = this.#json(value);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.#track(text, options, "send", v, true);
  }

  /** Resolves when the queue is empty and bufferedAmount is 0. */
  flush() {
    if (this.#freed) return Promise.reject(closedError());
    try {
      return this.#link.flush();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Closes for good (code 1000 or 3000–4999, reason up to 123 UTF-8 bytes). */
  close(code, reason) {
    if (this.#freed) return;
    const [c, r] = closeArgs(code, reason);
    calls.depth++;
    try {
      const e = this.#link.close(c, r);
      if (e !== null) throw e;
    } finally {
      calls.depth--;
    }
  }

  /** Drops the current link, if any, and connects again now (also after the policy gave up). */
  reconnect() {
    if (this.#freed) throw closedError();
    calls.depth++;
    try {
      const e = this.#link.reconnect();
      if (e !== null) throw e;
    } finally {
      calls.depth--;
    }
  }

  /**
   * Closes at once (a `close` event follows unless it was closed already; waiting sends
   * are refused) and releases everything the socket holds; the object is unusable
   * afterwards.
   */
  free() {
    if (this.#freed) return;
    const link = this.#link;
    this.#final = { url: link.url, protocol: link.protocol, stats: link.stats() };
    this.#freed = true;
    this.#link = null;
    collected?.unregister(this);
    this.#member?.leave();
    calls.depth++;
    try {
      link.free();
    } finally {
      calls.depth--;
    }
  }

  /**
   * The message events, as an async iterator that ends when the socket is closed for good.
   * Messages that arrive while the loop body runs are buffered, in order, up to
   * `maxMessages` (4096) and `maxBytes` (16 MiB of data; a string counts its UTF-16
   * length; one message is always taken). A loop that falls further behind
   * is not fed silently forever, nor does it lose messages silently: the iterator stops
   * listening at the bound, yields what it buffered, then rejects with a `ReSocketError`
   * of code `lagged` (the later messages went to the socket's other listeners only).
   * `break` (or `return()`) stops listening.
   */
  messages(options) {
    let maxMessages = 4096;
    let maxBytes = 16777216;
    if (options !== undefined) {
      const o = plainOptions(options, "messages");
      const bound = (k, v) => {
        if (v === undefined) return undefined;
        if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw optionError(`messages.${k}`, "must be an integer of at least 1");
        return v;
      };
      if (o === null || typeof o !== "object" || Array.isArray(o)) throw optionError("messages", "must be an object");
      for (const k of Object.keys(o)) {
        if (k !== "maxMessages" && k !== "maxBytes") throw optionError(`messages.${k}`, "unknown option");
      }
      maxMessages = bound("maxMessages", o.maxMessages) ?? maxMessages;
      maxBytes = bound("maxBytes", o.maxBytes) ?? maxBytes;
    }
    const buffer = [];
    let bytes = 0;
    let lagged = false;
    // Closed for good, and not revived by a reconnect() whose events are still queued.
    let ended = this.#freed || (this.#closedForGood && this.#link.state === "closed");
    const waiting = [];
    const settle = () => {
      for (const wake of waiting.splice(0)) wake();
    };
    // Bytes of a message's data: an ArrayBuffer's length, a string's UTF-16 length.
    const size = (d) => {
      if (typeof d === "string") return d.length;
      try {
        return abLength.call(d);
      } catch {
        return 0;
      }
    };
    const onMessage = (ev) => {
      const n = size(ev.data);
      if (buffer.length >= maxMessages || (buffer.length > 0 && bytes + n > maxBytes)) {
        lagged = true;
        ended = true;
        detach();
      } else {
        buffer.push(ev);
        bytes += n;
      }
      settle();
    };
    const onClose = () => {
      ended = true;
      detach();
      settle();
    };
    const detach = () => {
      this.removeEventListener("message", onMessage);
      this.removeEventListener("close", onClose);
    };
    if (!ended) {
      this.addEventListener("message", onMessage);
      this.addEventListener("close", onClose);
    }
    const iterator = {
      async next() {
        for (;;) {
          if (buffer.length > 0) {
            const value = buffer.shift();
            bytes -= size(value.data);
            return { value, done: false };
          }
          if (lagged) {
            lagged = false;
            throw new ReSocketError(
              "lagged",
              `the messages() loop fell behind by more than ${maxMessages} messages or ${maxBytes} bytes: ` +
                "it stopped listening there (later messages went to the socket's other listeners only)",
            );
          }
          if (ended) return { value: undefined, done: true };
          await new Promise((resolve) => waiting.push(resolve));
        }
      },
      async return() {
        ended = true;
        lagged = false;
        buffer.length = 0;
        bytes = 0;
        detach();
        settle();
        return { value: undefined, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return iterator;
  }

  /** `for await (const e of socket)` iterates over messages(). */
  [Symbol.asyncIterator]() {
    return this.messages();
  }
}

export default ReSocket;
