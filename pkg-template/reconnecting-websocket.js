// resocket-wasm/reconnecting-websocket: a class with the public API of the
// reconnecting-websocket package (and of partysocket/ws), running on resocket's core.
//
//   import ReconnectingWebSocket from "resocket-wasm/reconnecting-websocket";
//
// It is built only on the public `ReSocket` class: every connection is a `ReSocket`, so
// the bounded outbound queue, jittered backoff and close-code rules apply. The events
// are those of reconnecting-websocket: `open`, `message`, `error`, and `close` on every
// drop as well as on the final close. A plain `import "resocket-wasm"` loads none of this.

import { ReSocket, ReSocketError } from "./index.js";
import { admit, closeArgs, describe, optionError, sizeOf, tooLarge } from "./options.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

// reconnecting-websocket's defaults. Its minReconnectionDelay is one random value that
// every socket of a page shares; it is drawn when the first socket needs it, not when the
// module loads (no random value, timer or I/O at import).
let minReconnectionDelay;
const DEFAULTS = Object.freeze({
  maxReconnectionDelay: 10000,
  reconnectionDelayGrowFactor: 1.3,
  minUptime: 5000,
  connectionTimeout: 4000,
  maxRetries: Infinity,
  maxEnqueuedMessages: Infinity,
  startClosed: false,
  debug: false,
});

// resocket's own defaults, used while no ReSocket exists (startClosed) and for messages.
const QUEUE_DEFAULTS = { maxMessages: 1024, maxBytes: 1048576, overflow: "reject" };
const MAX_MESSAGE_SIZE = 16777216;

const OPTION_NAMES = [
  "WebSocket",
  "maxReconnectionDelay",
  "minReconnectionDelay",
  "reconnectionDelayGrowFactor",
  "minUptime",
  "connectionTimeout",
  "maxRetries",
  "maxEnqueuedMessages",
  "startClosed",
  "debug",
  "debugLogger",
  "resocket",
];
// Options of ReSocket that this class sets itself.
const OWN_RESOCKET_OPTIONS = ["protocols", "WebSocket", "highWaterMark", "lowWaterMark"];

const report = typeof globalThis.reportError === "function"
  ? (e) => globalThis.reportError(e)
  : (e) => setTimeout(() => {
      throw e;
    });

function withMessages(error, messages) {
  error.messages = messages;
  return error;
}

const isBlob = (v) => typeof Blob === "function" && v instanceof Blob;
const abLength = Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, "byteLength").get;

/** An ArrayBuffer of any realm (a brand check, not instanceof). */
function isArrayBuffer(v) {
  try {
    abLength.call(v);
    return true;
  } catch {
    return false;
  }
}

/** A copy of the bytes of an ArrayBuffer or view (the caller may reuse its buffer). */
function copyBytes(data) {
  try {
    if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
    return new Uint8Array(data).slice();
  } catch (e) {
    throw new ReSocketError("encode", "cannot send the bytes of a detached ArrayBuffer", { cause: e });
  }
}

function checkData(data) {
  if (typeof data === "string" || isBlob(data) || ArrayBuffer.isView(data) || isArrayBuffer(data)) return;
  throw new ReSocketError(
    "encode",
    `send() takes a string, a Blob, an ArrayBuffer or an ArrayBufferView, not ${describe(data)}`,
  );
}

/** A number option: finite and at least `min`; `Infinity` only where `infinite`. */
function numberOption(options, name, { min = 0, infinite = false, integer = false } = {}) {
  const v = options[name];
  if (v === undefined) {
    if (name === "minReconnectionDelay") return (minReconnectionDelay ??= 1000 + Math.random() * 4000);
    return DEFAULTS[name];
  }
  const ok = typeof v === "number" && !Number.isNaN(v) && v >= min &&
    (Number.isFinite(v) ? !integer || Number.isInteger(v) : infinite && v === Infinity);
  if (!ok) {
    const kind = integer ? "an integer" : "a number";
    throw optionError(name, `must be ${kind} >= ${min}${infinite ? " or Infinity" : ""}, not ${describe(v)}`);
  }
  return v;
}

/** Reads reconnecting-websocket's options once; returns the settings of this class. */
function readOptions(options) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new ReSocketError("invalid_option", `invalid options: must be an object, not ${describe(options)}`);
  }
  const o = Object.create(null);
  try {
    for (const key of Object.keys(options)) {
      if (!OPTION_NAMES.includes(key)) throw optionError(key, "unknown option");
      o[key] = options[key];
    }
  } catch (e) {
    throw e instanceof ReSocketError ? e : new ReSocketError("invalid_option", "invalid options: reading them threw", { cause: e });
  }
  const maxDelay = Math.round(numberOption(o, "maxReconnectionDelay", { min: 0 }));
  const minDelay = Math.round(numberOption(o, "minReconnectionDelay", { min: 0 }));
  const factor = numberOption(o, "reconnectionDelayGrowFactor", { min: 1 });
  const minUptime = Math.round(numberOption(o, "minUptime", { min: 0 }));
  const timeout = numberOption(o, "connectionTimeout", { min: 1 });
  const maxRetries = numberOption(o, "maxRetries", { min: 0, infinite: true, integer: true });
  const maxEnqueued = numberOption(o, "maxEnqueuedMessages", { min: 0, infinite: true, integer: true });
  for (const name of ["startClosed", "debug"]) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") throw optionError(name, `must be a boolean, not ${describe(o[name])}`);
  }
  if (o.debugLogger !== undefined && typeof o.debugLogger !== "function") {
    throw optionError("debugLogger", `must be a function, not ${describe(o.debugLogger)}`);
  }
  const Base = o.WebSocket ?? globalThis.WebSocket;
  if (o.WebSocket !== undefined && typeof o.WebSocket !== "function") {
    throw optionError("WebSocket", "must be a class (constructor function)");
  }
  if (typeof Base !== "function") {
    throw new ReSocketError(
      "js",
      "there is no global WebSocket (pass the `WebSocket` option, e.g. the `ws` package's, or set globalThis.WebSocket)",
    );
  }
  const extra = o.resocket ?? {};
  if (typeof extra !== "object" || Array.isArray(extra)) throw optionError("resocket", "must be an object of ReSocket options");
  const own = Object.keys(extra).find((k) => OWN_RESOCKET_OPTIONS.includes(k));
  if (own) {
    throw optionError(
      `resocket.${own}`,
      own === "protocols"
        ? "pass the subprotocols as the constructor's second argument"
        : own === "WebSocket"
          ? "use the `WebSocket` option itself"
          : "send() is synchronous, so backpressure does not apply (use ReSocket's send() for it)",
    );
  }

  // The mapping: retry n waits up to min(max, min · factorⁿ⁻¹), as reconnecting-websocket
  // waits exactly that long; maxRetries n allows n retries after the first attempt.
  let reconnect = maxRetries === 0 ? false : {
    initialDelay: Math.min(minDelay, maxDelay),
    factor,
    maxDelay,
    maxAttempts: maxRetries === Infinity ? null : maxRetries,
    connectTimeout: Math.max(1, Math.round(timeout)),
    stableAfter: minUptime,
  };
  if (extra.reconnect === false) reconnect = false;
  else if (reconnect && extra.reconnect !== undefined) {
    if (extra.reconnect === null || typeof extra.reconnect !== "object") {
      throw optionError("resocket.reconnect", "must be an object or false");
    }
    reconnect = { ...reconnect, ...extra.reconnect };
  }
  const queue = { ...(maxEnqueued === Infinity ? {} : { maxMessages: maxEnqueued }) };
  if (extra.queue !== undefined) {
    if (extra.queue === null || typeof extra.queue !== "object") throw optionError("resocket.queue", "must be an object");
    Object.assign(queue, extra.queue);
  }
  const core = {
    ...extra,
    reconnect,
    queue,
    // send() cannot wait: the browser buffers what the link does not take yet, as it
    // does for a plain WebSocket (bufferedAmount shows it).
    highWaterMark: Number.MAX_SAFE_INTEGER,
  };
  const log = o.debug ? (o.debugLogger ?? console.log.bind(console)) : null;
  return {
    core,
    Base,
    startClosed: o.startClosed === true,
    log,
    timeout: Math.round(timeout),
    maxRetries,
    // The bounds of the queue this class holds itself before the first reconnect() of a
    // socket made with startClosed (resocket's queue holds them otherwise).
    held: {
      maxMessages: typeof queue.maxMessages === "number" ? queue.maxMessages : QUEUE_DEFAULTS.maxMessages,
      maxBytes: typeof queue.maxBytes === "number" ? queue.maxBytes : QUEUE_DEFAULTS.maxBytes,
      overflow: queue.overflow === "drop-oldest" ? "drop-oldest" : "reject",
    },
    maxMessageSize: typeof extra.maxMessageSize === "number" ? extra.maxMessageSize : MAX_MESSAGE_SIZE,
  };
}

function readProtocols(protocols) {
  if (protocols === undefined || protocols === null) return undefined;
  if (typeof protocols === "string") return [protocols];
  if (Array.isArray(protocols) && protocols.every((p) => typeof p === "string")) {
    return protocols.length > 0 ? [...protocols] : undefined;
  }
  const what = typeof protocols === "function" ? "a protocols provider function is not supported" : `not ${describe(protocols)}`;
  throw new ReSocketError("invalid_option", `invalid option \`protocols\`: must be a string or an array of strings (${what})`);
}

/**
 * A `close` event: sent on every drop of the connection and on the final close.
 */
export class CloseEvent extends Event {
  #code;
  #reason;
  #wasClean;
  /** @param {string} type @param {{code?: number, reason?: string, wasClean?: boolean}} [init] */
  constructor(type, init) {
    super(type);
    this.#code = init?.code ?? 1005;
    this.#reason = init?.reason ?? "";
    this.#wasClean = Boolean(init?.wasClean);
  }
  /** The close code (1006 for a link lost or an attempt that failed). */
  get code() {
    return this.#code;
  }
  /** The close reason ("" if none). */
  get reason() {
    return this.#reason;
  }
  /** Whether the closing handshake completed. */
  get wasClean() {
    return this.#wasClean;
  }
}

/**
 * An `error` event: the browser's error on a socket (`error` null), a failed or timed-out
 * attempt, or messages handed back (`error.code` "queue_full", "dropped", "unsent", "closed").
 */
export class ErrorEvent extends Event {
  #error;
  #message;
  /** @param {string} type @param {{error?: Error | null, message?: string}} [init] */
  constructor(type, init) {
    super(type);
    this.#error = init?.error ?? null;
    this.#message = init?.message ?? this.#error?.message ?? "";
  }
  /** What went wrong: a `ReSocketError` with a `code`, or null for the browser's own error event. */
  get error() {
    return this.#error;
  }
  /** "TIMEOUT" for a connection timeout; otherwise the error's message ("" for the browser's). */
  get message() {
    return this.#message;
  }
  /** The messages this error hands back (never sent); empty otherwise. */
  get messages() {
    const m = this.#error?.messages;
    return Array.isArray(m) ? m : [];
  }
}

/**
 * A WebSocket that reconnects, with the API of reconnecting-websocket 4.x.
 *
 * ```js
 * import ReconnectingWebSocket from "resocket-wasm/reconnecting-websocket";
 * const rws = new ReconnectingWebSocket("wss://example.com/chat", [], { maxRetries: 10 });
 * rws.addEventListener("message", (e) => console.log(e.data));
 * rws.send("hello"); // queued until the link is open
 * ```
 *
 * Events are never dispatched from inside a method call (a message comes from the
 * socket's own event, the other events from a microtask).
 */
export class ReconnectingWebSocket extends EventTarget {
  static CONNECTING = CONNECTING;
  static OPEN = OPEN;
  static CLOSING = CLOSING;
  static CLOSED = CLOSED;

  #url;
  #protocols;
  #settings;
  /** The current connection: `{ rs, raw, retired, quiet, manual }`, or null before the first. */
  #cur = null;
  #closed = false;
  #binaryType = "blob";
  #handlers = { open: null, message: null, close: null, error: null };
  /** Messages held while no ReSocket exists (startClosed), with their sizes. */
  #held = [];
  #heldBytes = 0;
  /**
   * Sends waiting behind a Blob being read, in call order: `{ data, blob, size, ready }`.
   * Its head is always a Blob being read; what waits behind it is bounded as the queue is
   * (`maxMessages`, `maxBytes` of `#settings.held`). `#lineBytes` is the size of them all.
   */
  #line = [];
  #lineBytes = 0;
  #origin = { url: "", origin: "" };

  /**
   * @param {string | URL | (() => string | URL | Promise<string | URL>)} url the URL, or a
   *   function called before every attempt that returns it (or a promise of it).
   * @param {string | string[] | null} [protocols] subprotocols to offer.
   * @param {object} [options] reconnecting-websocket's options (see the README).
   * @throws {ReSocketError} `invalid_url` or `invalid_option`.
   */
  constructor(url, protocols, options) {
    super();
    if (!(typeof url === "string" || typeof url === "function" || url instanceof URL)) {
      throw new ReSocketError("invalid_url", `invalid URL ${describe(url)}: the URL must be a string or a function`);
    }
    this.#url = url;
    this.#protocols = readProtocols(protocols);
    this.#settings = readOptions(options);
    if (!this.#settings.startClosed) this.#start();
  }

  get CONNECTING() { return CONNECTING; }
  get OPEN() { return OPEN; }
  get CLOSING() { return CLOSING; }
  get CLOSED() { return CLOSED; }

  /** "blob" (default) or "arraybuffer": the type of binary messages' `data`. */
  get binaryType() {
    return this.#binaryType;
  }
  set binaryType(value) {
    if (value !== "blob" && value !== "arraybuffer") {
      throw new ReSocketError("invalid_option", `invalid binaryType ${describe(value)}: must be "blob" or "arraybuffer"`);
    }
    this.#binaryType = value;
  }

  /** Retries made in the current outage (0 once the link has been up for minUptime). */
  get retryCount() {
    // Once the retries ran out, resocket counts the last failure too; this counts retries.
    return this.#cur ? Math.min(this.#cur.rs.retryCount, this.#settings.maxRetries) : 0;
  }

  /** Bytes sent but not yet on the network: queued for the next connection or buffered by the browser. */
  get bufferedAmount() {
    const rs = this.#cur?.rs;
    return this.#heldBytes + this.#lineBytes + (rs ? rs.queuedAmount + rs.bufferedAmount : 0);
  }

  /** The extensions the server selected on the current socket ("" if none). */
  get extensions() {
    try {
      const e = this.#cur?.raw?.extensions;
      return typeof e === "string" ? e : "";
    } catch {
      return "";
    }
  }

  /** The subprotocol the server selected ("" if none). */
  get protocol() {
    return this.#cur ? this.#cur.rs.protocol : "";
  }

  /** readyState of the current socket: CLOSED between attempts and before the first with startClosed. */
  get readyState() {
    if (!this.#cur) return this.#settings.startClosed || this.#closed ? CLOSED : CONNECTING;
    return this.#cur.rs.readyState;
  }

  /** The absolute URL of the latest attempt ("" before the first). */
  get url() {
    return this.#cur ? this.#cur.rs.url : "";
  }

  /** Whether a drop is followed by a reconnection (false after close() and before reconnect() with startClosed). */
  get shouldReconnect() {
    const state = this.#cur?.rs.state;
    return !this.#closed && state !== undefined && state !== "closed" && state !== "closing";
  }

  get onopen() { return this.#handlers.open; }
  set onopen(fn) { this.#handlers.open = typeof fn === "function" ? fn : null; }
  get onmessage() { return this.#handlers.message; }
  set onmessage(fn) { this.#handlers.message = typeof fn === "function" ? fn : null; }
  get onclose() { return this.#handlers.close; }
  set onclose(fn) { this.#handlers.close = typeof fn === "function" ? fn : null; }
  get onerror() { return this.#handlers.error; }
  set onerror(fn) { this.#handlers.error = typeof fn === "function" ? fn : null; }
  get [Symbol.toStringTag]() {
    return "ReconnectingWebSocket";
  }

  /**
   * Sends a message now if the link is open; otherwise queues it for the next connection.
   * A message the queue cannot take (maxEnqueuedMessages or the byte bound) is not sent:
   * an `error` event hands it back (`error.code` "queue_full"). After close(), messages
   * come back the same way with code "closed". The bytes of a Blob are read first, and the
   * sends made meanwhile wait behind it, in order, within the same bounds as the queue.
   * @param {string | ArrayBuffer | ArrayBufferView | Blob} data
   * @throws {ReSocketError} `encode` (not a message) or `too_large` (over maxMessageSize).
   */
  send(data) {
    checkData(data);
    if (isBlob(data) || this.#line.length > 0) {
      // A Blob's bytes are read asynchronously; later sends wait behind it, in order.
      const blob = isBlob(data) ? data : null;
      const entry = { data: blob ? null : this.#copy(data), blob, size: sizeOf(data), ready: !blob };
      if (this.#line.length > 0 && !this.#makeRoomInLine(entry, data)) return;
      this.#line.push(entry);
      this.#lineBytes += entry.size;
      if (isBlob(data)) {
        data.arrayBuffer().then(
          (buffer) => {
            entry.data = buffer;
            entry.ready = true;
            this.#drainLine();
          },
          (e) => {
            entry.data = data;
            entry.ready = true;
            entry.failed = e;
            this.#drainLine();
          },
        );
      }
      return;
    }
    this.#submit(data, true);
  }

  /**
   * Closes for good: no reconnection follows until reconnect(). A `close` event follows
   * unless the link was already down (between attempts) or never started.
   * @param {number} [code] 1000 (default) or 3000–4999.
   * @param {string} [reason] at most 123 bytes of UTF-8.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  close(code = 1000, reason) {
    const [c, r] = closeArgs(code, reason);
    this.#log("close", c, r);
    this.#closed = true;
    const cur = this.#cur;
    if (!cur) {
      this.#returnHeld("unsent", "the socket was closed with these messages still queued");
      return;
    }
    const state = cur.rs.state;
    if (state === "closed" || state === "closing") return;
    // Between attempts the drop has been reported already: nothing more is.
    const live = cur.raw !== null && [CONNECTING, OPEN].includes(rawState(cur.raw));
    cur.quiet = state === "reconnecting" || (state === "connecting" && !live);
    cur.rs.close(c, r);
  }

  /**
   * Closes the current link, if any, and connects again now; also after close(), after
   * the retries ran out, and the first time with startClosed. The `close` event of the
   * link it drops carries `code` and `reason`.
   * @param {number} [code] 1000 (default) or 3000–4999.
   * @param {string} [reason] at most 123 bytes of UTF-8.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`, or `invalid_url`.
   */
  reconnect(code, reason) {
    const [c, r] = closeArgs(code, reason);
    this.#log("reconnect", c, r);
    const cur = this.#cur;
    const state = cur?.rs.state;
    if (!cur || state === "closed" || state === "closing") {
      // A closed ReSocket stays closed: the next connection is a new one.
      this.#start();
      this.#closed = false;
      if (cur) {
        cur.retired = true;
        if (state === "closing") this.#post(new CloseEvent("close", { code: c, reason: r, wasClean: true }));
      }
      return;
    }
    this.#closed = false;
    if (state === "open" || state === "connecting") cur.manual = { code: c, reason: r };
    cur.rs.reconnect();
  }

  /** Starts a connection (a new ReSocket) and hands it the messages held so far. */
  #start() {
    const s = this.#settings;
    const ctx = { rs: null, raw: null, retired: false, quiet: false, manual: null };
    const Base = s.Base;
    function TrackingWebSocket(url, protocols) {
      const socket = protocols === undefined ? new Base(url) : new Base(url, protocols);
      ctx.raw = socket;
      return socket;
    }
    const options = { ...s.core, WebSocket: TrackingWebSocket };
    if (this.#protocols) options.protocols = this.#protocols;
    this.#log("connect", typeof this.#url === "function" ? "(url provider)" : String(this.#url), this.#protocols ?? []);
    ctx.rs = new ReSocket(this.#url, options);
    this.#cur = ctx;
    this.#listen(ctx);
    const held = this.#held;
    this.#held = [];
    this.#heldBytes = 0;
    for (const { data } of held) this.#submit(data, false);
  }

  #listen(ctx) {
    const { rs } = ctx;
    const ac = new AbortController();
    const on = (type, f) => rs.addEventListener(type, (e) => {
      if (ctx.retired) {
        // A connection replaced by reconnect(): only the messages it hands back still count.
        if (type === "error" && e.messages.length > 0) this.#fire(this.#errorOf(e.error));
        if (type === "close") ac.abort();
        return;
      }
      f(e);
    }, { signal: ac.signal });
    on("open", () => {
      this.#log("open", rs.url);
      this.#fire(new Event("open"));
    });
    on("message", (e) => {
      let data = e.data;
      if (typeof data !== "string" && this.#binaryType === "blob") data = new Blob([data]);
      this.#fire(new MessageEvent("message", { data, origin: this.#originOf(rs.url) }));
    });
    on("error", (e) => {
      this.#log("error", e.error?.code ?? "socket error");
      this.#fire(this.#errorOf(e.error));
    });
    on("reconnecting", (e) => {
      this.#log("retry", e.attempt, "in", e.delayMs, "ms after", e.cause);
      let close;
      switch (e.cause) {
        case "closed":
          close = { code: e.code ?? 1005, reason: e.reason ?? "", wasClean: e.code !== 1006 };
          break;
        case "manual":
          close = { ...(ctx.manual ?? { code: 1000, reason: "" }), wasClean: true };
          ctx.manual = null;
          break;
        case "connect_timeout":
          this.#fire(new ErrorEvent("error", {
            message: "TIMEOUT",
            error: new ReSocketError("connect_failed", `no connection within ${this.#settings.timeout} ms (connectionTimeout)`),
          }));
          close = { code: 1006, reason: "timeout", wasClean: false };
          break;
        case "url_provider":
          this.#fire(this.#errorOf(new ReSocketError("url_provider", `the URL provider failed: ${e.error ?? ""}`)));
          close = { code: 1006, reason: "", wasClean: false };
          break;
        case "heartbeat_timeout":
          close = { code: 1006, reason: "heartbeat timeout", wasClean: false };
          break;
        default:
          close = { code: 1006, reason: "", wasClean: false };
      }
      this.#fire(new CloseEvent("close", close));
    });
    on("close", (e) => {
      this.#log("closed", e.code, e.reason, e.by);
      ac.abort();
      if (ctx.quiet) return;
      this.#fire(new CloseEvent("close", { code: e.code, reason: e.reason, wasClean: e.wasClean }));
    });
  }

  /** Hands `data` to the current ReSocket; what it refuses comes back in an error event. */
  #submit(data, fromCaller) {
    const cur = this.#cur;
    if (!cur) {
      const max = this.#settings.maxMessageSize;
      if (this.#closed) this.#refuse("closed", "the socket is closed", data);
      else if (sizeOf(data) <= max) this.#hold(data);
      else if (fromCaller) throw tooLarge(sizeOf(data), max);
      else this.#post(this.#errorOf(withMessages(tooLarge(sizeOf(data), max), [data])));
      return;
    }
    let sent;
    try {
      sent = cur.rs.trySend(data);
    } catch (e) {
      if (e?.code === "closed") return this.#refuse("closed", "the socket is closed", data);
      if (fromCaller) throw e;
      this.#post(this.#errorOf(withMessages(e, [data])));
      return;
    }
    if (!sent) {
      const q = this.#settings.held;
      this.#refuse("queue_full", `the queue is full (${q.maxMessages} messages, ${q.maxBytes} bytes): message not sent`, data);
    }
  }

  /** Queues `data` while no ReSocket exists, by the core's rule for resocket's queue. */
  #hold(data) {
    const entry = { data: this.#copy(data), size: sizeOf(data) };
    const evict = admit(this.#held.map((x) => x.size), entry.size, this.#bounds());
    if (evict < 0) {
      const { maxMessages, maxBytes } = this.#settings.held;
      this.#refuse("queue_full", `the queue has no room (${maxMessages} messages, ${maxBytes} bytes): message not sent`, data);
      return;
    }
    const evicted = this.#held.splice(0, evict);
    for (const old of evicted) this.#heldBytes -= old.size;
    this.#held.push(entry);
    this.#heldBytes += entry.size;
    if (evicted.length > 0) this.#refuse("dropped", `${evicted.length} queued messages dropped (queue full)`, ...evicted.map((x) => x.data));
  }

  /** The queue bounds as the core's admission takes them. */
  #bounds() {
    const { maxMessages, maxBytes, overflow } = this.#settings.held;
    return { maxMessages, maxBytes, dropOldest: overflow === "drop-oldest" };
  }

  #returnHeld(code, text) {
    const held = this.#held.map((x) => x.data);
    this.#held = [];
    this.#heldBytes = 0;
    if (held.length > 0) this.#refuse(code, text, ...held);
  }

  /**
   * Whether `entry` may wait in the line behind the Blob at its head: the messages behind
   * it are bounded as the queue is. What does not fit comes back in an error event: the
   * message itself ("queue_full"), or with "drop-oldest" the oldest waiting ones ("dropped").
   */
  #makeRoomInLine(entry, data) {
    // The messages behind the Blob at the head, by the core's rule for the queue.
    const evict = admit(this.#line.slice(1).map((x) => x.size), entry.size, this.#bounds());
    if (evict < 0) {
      const { maxMessages, maxBytes } = this.#settings.held;
      this.#refuse(
        "queue_full",
        `the queue has no room (${maxMessages} messages, ${maxBytes} bytes wait behind a Blob being read): message not sent`,
        data,
      );
      return false;
    }
    const evicted = this.#line.splice(1, evict);
    for (const old of evicted) this.#lineBytes -= old.size;
    if (evicted.length > 0) this.#refuse("dropped", `${evicted.length} queued messages dropped (queue full)`, ...evicted.map((x) => x.blob ?? x.data));
    return true;
  }

  #drainLine() {
    while (this.#line.length > 0 && this.#line[0].ready) {
      const entry = this.#line.shift();
      this.#lineBytes -= entry.size;
      if (entry.failed) {
        const e = new ReSocketError("encode", "cannot read the Blob", { cause: entry.failed });
        this.#post(this.#errorOf(withMessages(e, [entry.data])));
      } else {
        this.#submit(entry.data, false);
      }
    }
  }

  #copy(data) {
    return typeof data === "string" || isBlob(data) ? data : copyBytes(data);
  }

  #refuse(code, text, ...messages) {
    this.#log("refused", code, messages.length, "messages");
    this.#post(this.#errorOf(withMessages(new ReSocketError(code, text), messages)));
  }

  #errorOf(error) {
    return new ErrorEvent("error", { error: error ?? null });
  }

  #originOf(url) {
    if (this.#origin.url !== url) {
      let origin = "";
      try {
        origin = new URL(url).origin;
      } catch {
        // keep ""
      }
      this.#origin = { url, origin };
    }
    return this.#origin.origin;
  }

  /** Dispatches from a microtask (events never fire inside a method call). */
  #post(event) {
    queueMicrotask(() => this.#fire(event));
  }

  /** The `on...` handler first, then the listeners, as reconnecting-websocket calls them. */
  #fire(event) {
    const handler = this.#handlers[event.type];
    if (handler) {
      try {
        handler.call(this, event);
      } catch (e) {
        report(e);
      }
    }
    this.dispatchEvent(event);
  }

  #log(...args) {
    const log = this.#settings?.log;
    if (!log) return;
    try {
      log("RWS>", ...args);
    } catch {
      // a logger that throws is ignored
    }
  }
}

function rawState(raw) {
  try {
    const s = raw.readyState;
    return typeof s === "number" ? s : CLOSED;
  } catch {
    return CLOSED;
  }
}

export default ReconnectingWebSocket;
