// resocket-wasm: a resilient WebSocket client whose core is compiled from Rust to
// WebAssembly. `ReSocket` is an EventTarget shaped like the browser's WebSocket, with
// reconnection, a bounded outbound queue, backpressure and an optional heartbeat.

import { WasmSocket, diagnostics as wasmDiagnostics } from "./resocket_wasm.js";
import { core, loaded, ready } from "./core.js";
import { ReSocketError, describe, optionError, check, closeArgs, jsonText, tooLarge, utf8Length, wasmError } from "./options.js";

export { ReSocketError, ready };

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const href = (u) => (u instanceof URL ? u.href : u);
/** The URL provider the core calls: made out here so that it holds no ReSocket (see #emitter). */
const providerOf = (url) => async () => href(await url());

const closedError = () => new ReSocketError("closed", "the socket is closed");
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
 * What the core needs of a message's data, in one call: the UTF-8 length of a string
 * (its UTF-16 length when that is already over `max`), -1 - byteLength for an
 * ArrayBuffer, NaN for anything else.
 */
function measure(data, max) {
  if (typeof data === "string") return data.length > max ? data.length : utf8Length(data);
  try {
    return -1 - abLength.call(data);
  } catch {
    return NaN;
  }
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

/**
 * The application's WebSocket class behind a plain adapter, so that nothing it does can
 * throw inside a wasm call: its getters and setters are read in try/catch (a safe default
 * on failure), and its events reach the core as plain objects with checked fields (a
 * close reason that is not a string, say, cannot reach wasm). Its send() and close() may
 * throw: the core calls them through `catch` imports.
 */
function guarded(Ctor) {
  return function GuardedWebSocket(url, protocols) {
    const s = protocols === undefined ? new Ctor(url) : new Ctor(url, protocols);
    const safe = (f, fallback) => {
      try {
        return f();
      } catch {
        return fallback;
      }
    };
    const num = (v, fallback) => (typeof v === "number" && Number.isFinite(v) ? v : fallback);
    const str = (v) => (typeof v === "string" ? v : "");
    const handler = (name, wrap) => (f) =>
      safe(() => {
        s[name] = typeof f === "function" ? (e) => f(wrap(e)) : null;
      });
    // Plain events with a `type`, and a real MessageEvent (the core tells a message by it).
    const onopen = handler("onopen", () => ({ type: "open" }));
    const onerror = handler("onerror", () => ({ type: "error" }));
    const onmessage = handler("onmessage", (e) => new MessageEvent("message", { data: safe(() => e.data, null) }));
    const onclose = handler("onclose", (e) => ({
      type: "close",
      code: num(safe(() => e.code), 1005),
      reason: str(safe(() => e.reason)),
      wasClean: Boolean(safe(() => e.wasClean)),
    }));
    return {
      get readyState() {
        return num(safe(() => s.readyState), 3);
      },
      get bufferedAmount() {
        return num(safe(() => s.bufferedAmount), 0);
      },
      get protocol() {
        return str(safe(() => s.protocol));
      },
      set binaryType(v) {
        safe(() => {
          s.binaryType = v;
        });
      },
      set onopen(f) {
        onopen(f);
      },
      set onerror(f) {
        onerror(f);
      },
      set onmessage(f) {
        onmessage(f);
      },
      set onclose(f) {
        onclose(f);
      },
      send: (data) => s.send(data),
      close: (code, reason) => s.close(code, reason),
    };
  };
}

/** A message from the server. `data` is a string (text frame) or an ArrayBuffer (binary). */
export class ReSocketMessageEvent extends Event {
  #data;
  constructor(type, init) {
    super(type);
    this.#data = init?.data;
  }
  get data() {
    return this.#data;
  }
  /** Parses `data` as JSON (a binary frame is decoded as UTF-8 first). */
  json() {
    const d = this.#data;
    return JSON.parse(typeof d === "string" ? d : utf8.decode(d));
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

// The core names event types by number (src/js/events.rs, `Kind`).
const EVENT_TYPES = ["message", "error", "statechange", "open", "reconnecting", "close"];

/**
 * Calls into the core in progress (made by the application, or replayed for it): while
 * one runs, a message is queued behind it instead of dispatched, so that no listener runs
 * inside a call the application made.
 */
let inCall = 0;

// Every call into the core: counted in `inCall`; the core reports its errors as plain
// data, and they become ReSocketErrors (with their messages) here.
for (const name of ["trySend", "close", "reconnect", "free"]) {
  const call = WasmSocket.prototype[name];
  WasmSocket.prototype[name] = function (a, b) {
    inCall++;
    try {
      return call.call(this, a, b);
    } catch (e) {
      throw wasmError(e);
    } finally {
      inCall--;
    }
  };
}
for (const name of ["send", "flush"]) {
  const call = WasmSocket.prototype[name];
  const rethrow = (e) => {
    throw wasmError(e);
  };
  WasmSocket.prototype[name] = function (a, b) {
    inCall++;
    try {
      return call.call(this, a, b).catch(rethrow);
    } finally {
      inCall--;
    }
  };
}

function makeEvent(type, detail) {
  switch (type) {
    case "message":
      return new ReSocketMessageEvent(type, { data: detail });
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



// A ReSocket closed for good is held by nothing of resocket's: its wasm half keeps only
// a weak reference to it, and once the application drops it and it is collected, the
// registry frees the wasm half, so no one has to call free(). While it can still deliver
// events it is held strongly, as the browser holds a WebSocket with listeners.
const collected = typeof FinalizationRegistry === "function" ? new FinalizationRegistry((inner) => inner.free()) : null;

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

  #inner;
  #freed = false;
  #final = { url: "", protocol: "", stats: null };
  #pending = [];
  #draining = false;
  #handlers = new Map();
  #closedForGood = false;
  #max = 0;
  #ref = null;

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
    const ref = { strong: this, weak: typeof WeakRef === "function" ? new WeakRef(this) : null };
    const emit = ReSocket.#emitter(ref);
    const adapter = Ctor === globalThis.WebSocket ? undefined : guarded(Ctor);
    let real;
    inCall++;
    try {
      real = new WasmSocket(target, wasm.nums, wasm.strs, wasm.should, emit, adapter, measure, held);
    } catch (e) {
      throw wasmError(e, { protocols: wasm.protocols });
    } finally {
      inCall--;
    }
    this.#inner = real;
    this.#ref = ref;
    this.#max = real.maxMessageSize;
    collected?.register(this, real, this);
  }

  /**
   * The `emit` callback the core keeps: it reaches the socket only through `ref` (strong
   * while events can follow, weak once closed for good). Made here, not in the
   * constructor, so that its closure holds `ref` alone: a closure made in the constructor
   * shares the constructor's scope, which holds `this` (the arrow functions there use it),
   * and the core would keep every closed socket alive through it.
   */
  static #emitter(ref) {
    return (type, detail) => (ref.strong ?? ref.weak?.deref())?.#event(type, detail);
  }

  /**
   * An event from the core (`type` a number, see EVENT_TYPES, or a name). A message that
   * comes from the socket's own event is dispatched at once; everything else, and a
   * message while an event waits or a call into the core is in progress, in order from a
   * microtask.
   */
  #event(type, detail) {
    if (type === 0 && inCall === 0 && !this.#draining) {
      this.dispatchEvent(new ReSocketMessageEvent("message", { data: detail }));
    } else this.#queue(typeof type === "number" ? EVENT_TYPES[type] : type, detail);
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
        if (type === "close") {
          this.#closedForGood = true;
          if (this.#ref && this.#inner?.state === "closed") this.#ref.strong = null;
        } else if (type === "statechange" && detail?.state !== "closed") this.#closedForGood = false;
        this.dispatchEvent(makeEvent(type, detail));
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

  /** `readyState` of the current browser socket (CLOSED between attempts). */
  get readyState() {
    return this.#freed ? CLOSED : this.#inner.readyState;
  }
  /** "connecting" | "open" | "reconnecting" | "closing" | "closed". */
  get state() {
    return this.#freed ? "closed" : this.#inner.state;
  }
  /** `bufferedAmount` of the current browser socket (0 between attempts). */
  get bufferedAmount() {
    return this.#freed ? 0 : this.#inner.bufferedAmount;
  }
  /** Bytes waiting in the outbound queue for the next connection. */
  get queuedAmount() {
    return this.#freed ? 0 : this.#inner.queuedAmount;
  }
  /** Retries made in the current outage. */
  get retryCount() {
    return this.#freed ? 0 : this.#inner.retryCount;
  }
  /** The absolute URL of the latest attempt. */
  get url() {
    return this.#freed ? this.#final.url : this.#inner.url;
  }
  /** The subprotocol the server selected ("" if none). */
  get protocol() {
    return this.#freed ? this.#final.protocol : this.#inner.protocol;
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
    return this.#freed ? { ...this.#final.stats } : this.#inner.stats();
  }

  /**
   * Sends a text (string) or binary (ArrayBuffer / typed array / DataView) message. It is
   * handed to the browser (or queued for the next connection) at once, in call order,
   * unless backpressure applies: then the promise waits until there is room.
   */
  send(data) {
    if (this.#freed) return Promise.reject(closedError());
    try {
      const frame = toFrame(data, this.#max);
      const len = frameBytes;
      // The fast path takes effect synchronously, like WebSocket.send(), so a send()
      // followed by close() or trySend() keeps its place; only a message that has to
      // wait goes through the asynchronous path.
      if (this.#inner.trySend(frame, len)) return Promise.resolve();
      return this.#inner.send(frame, len);
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Sends without waiting: false when backpressure applies or the queue is full. */
  trySend(data) {
    if (this.#freed) throw closedError();
    const frame = toFrame(data, this.#max);
    return this.#inner.trySend(frame, frameBytes);
  }

  /** Sends `JSON.stringify(value)` as a text message; otherwise like send(). */
  sendJson(value) {
    let text;
    try {
      text = jsonText(value);
    } catch (e) {
      return Promise.reject(e);
    }
    return this.send(text);
  }

  /** Resolves when the queue is empty and bufferedAmount is 0. */
  flush() {
    if (this.#freed) return Promise.reject(closedError());
    try {
      return this.#inner.flush();
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** Closes for good (code 1000 or 3000–4999, reason up to 123 UTF-8 bytes). */
  close(code, reason) {
    if (this.#freed) return;
    const [c, r] = closeArgs(code, reason);
    this.#inner.close(c, r);
  }

  /** Drops the current link, if any, and connects again now (also after the policy gave up). */
  reconnect() {
    if (this.#freed) throw closedError();
    this.#inner.reconnect();
    this.#ref.strong = this; // revived: events follow again
  }

  /**
   * Closes at once (a `close` event follows unless it was closed already; waiting sends
   * are refused) and releases everything the socket holds; the object is unusable
   * afterwards.
   */
  free() {
    if (this.#freed) return;
    const inner = this.#inner;
    this.#final = { url: inner.url, protocol: inner.protocol, stats: inner.stats() };
    this.#freed = true;
    this.#inner = null;
    collected?.unregister(this);
    inner.free();
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
    let ended = this.#freed || (this.#closedForGood && this.#inner.state === "closed");
    const waiting = [];
    const settle = () => {
      for (const wake of waiting.splice(0)) wake();
    };
    // Bytes of a message's data: an ArrayBuffer's length, a string's UTF-16 length.
    const size = (d) => {
      if (typeof d === "string") return d.length;
      const m = measure(d, Infinity);
      return m < 0 ? -1 - m : 0;
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

/** Live counts of the listeners, timers and sockets held by every ReSocket in this realm. */
export function diagnostics() {
  if (!loaded()) return { liveListeners: 0, liveTimers: 0, liveSockets: 0, callbacksRun: 0, wasmMemory: 0 };
  return wasmDiagnostics();
}

export default ReSocket;
