// resocket-wasm/reconnecting-websocket: reconnecting-websocket 4.4.0, observably.
//
//   import ReconnectingWebSocket from "resocket-wasm/reconnecting-websocket";
//
// The class follows reconnecting-websocket 4.4.0 step for step (its retry count, delays,
// connection timeout, queue, events and their order within a call, debug messages), so
// that an application and its tests written against it run unchanged. Every socket it
// opens is made by a `ReSocket` (with reconnection off: this class decides when to
// reconnect, as the original does), which checks the URL and carries the sends; the
// socket's own events are listened to directly, so that each is handled inside the
// socket's event as the original handles it. The few differences (bad input is a typed
// error at once, the original's dead ends are not kept, no URL secret in a debug line)
// are listed in the README with their reasons. A plain `import "resocket-wasm"` loads
// none of this; importing it draws no random value and starts no timer or I/O.

import { ReSocket, ReSocketError } from "./index.js";
import { closeArgs, describe, optionError, wasmError } from "./options.js";
import { redact } from "./core.js";
import { invalidUrl, resolveUrl } from "./shell.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

// reconnecting-websocket draws its minReconnectionDelay once, when its module loads; here
// it is drawn when the first socket needs it (no random value at import).
let randomMinDelay;
const RWS_DEFAULTS = Object.freeze({
  maxReconnectionDelay: 10000,
  get minReconnectionDelay() {
    return (randomMinDelay ??= 1000 + Math.random() * 4000);
  },
  minUptime: 5000,
  reconnectionDelayGrowFactor: 1.3,
  connectionTimeout: 4000,
  maxRetries: Infinity,
  maxEnqueuedMessages: Infinity,
  startClosed: false,
  debug: false,
});

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
/** resocket's options that each socket may take (`resocket: { ... }`). */
const RESOCKET_OPTIONS = ["maxMessageSize"];
/** The largest maxMessageSize ReSocket takes: the originals have no limit. */
const NO_SIZE_LIMIT = 4294967295;

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

/** What send() takes: a string, a Blob, an ArrayBuffer or a view (a typed error otherwise). */
function checkData(data) {
  if (typeof data === "string" || isBlob(data) || ArrayBuffer.isView(data) || isArrayBuffer(data)) return;
  throw new ReSocketError(
    "encode",
    `send() takes a string, a Blob, an ArrayBuffer or an ArrayBufferView, not ${describe(data)}`,
  );
}

/** A URL as the core redacts it (no user info, query or fragment), for logs and errors. */
function redactUrl(url) {
  let text;
  try {
    text = String(url instanceof URL ? url.href : url);
  } catch {
    return "(unprintable URL)";
  }
  return redact(text);
}

/** A string or URL the `WebSocket` constructor can take, by the rule every socket of the package keeps (shell.js). */
function checkUrl(url) {
  let text;
  try {
    text = String(url instanceof URL ? url.href : url);
  } catch (e) {
    throw new ReSocketError("invalid_url", "invalid URL: reading it threw", { cause: e });
  }
  try {
    resolveUrl(text);
  } catch (e) {
    throw Array.isArray(e) ? wasmError(invalidUrl(e)) : e;
  }
}

/** A number option: a number of at least `min` (Infinity where `infinite`), or undefined. */
function numberOption(o, name, { min = 0, infinite = false, integer = false } = {}) {
  const v = o[name];
  if (v === undefined) return undefined;
  const ok = typeof v === "number" && !Number.isNaN(v) && v >= min &&
    (Number.isFinite(v) ? !integer || Number.isInteger(v) : infinite && v === Infinity);
  if (!ok) {
    const kind = integer ? "an integer" : "a number";
    throw optionError(name, `must be ${kind} >= ${min}${infinite ? " or Infinity" : ""}, not ${describe(v)}`);
  }
  return v;
}

/**
 * Checks the options (a wrong type or an unknown name is a typed error at once); returns
 * a null-prototype copy of the ones given, with `core`, the options of each socket's
 * ReSocket.
 */
function readOptions(options, names = OPTION_NAMES) {
  if (options === undefined || options === null) options = {};
  if (typeof options !== "object" || Array.isArray(options)) {
    throw new ReSocketError("invalid_option", `invalid options: must be an object, not ${describe(options)}`);
  }
  const o = Object.create(null);
  try {
    for (const key of Object.keys(options)) {
      if (!names.includes(key)) throw optionError(key, "unknown option");
      if (options[key] !== undefined) o[key] = options[key];
    }
  } catch (e) {
    throw e instanceof ReSocketError ? e : new ReSocketError("invalid_option", "invalid options: reading them threw", { cause: e });
  }
  numberOption(o, "maxReconnectionDelay");
  numberOption(o, "minReconnectionDelay");
  numberOption(o, "reconnectionDelayGrowFactor", { min: 1 });
  numberOption(o, "minUptime");
  numberOption(o, "connectionTimeout");
  numberOption(o, "maxRetries", { infinite: true, integer: true });
  numberOption(o, "maxEnqueuedMessages", { infinite: true, integer: true });
  for (const name of ["startClosed", "debug"]) {
    if (o[name] !== undefined && typeof o[name] !== "boolean") throw optionError(name, `must be a boolean, not ${describe(o[name])}`);
  }
  for (const name of ["debugLogger", "shouldReconnectOnClose"]) {
    if (o[name] !== undefined && typeof o[name] !== "function") throw optionError(name, `must be a function, not ${describe(o[name])}`);
  }
  if (o.WebSocket !== undefined && typeof o.WebSocket !== "function") {
    throw optionError("WebSocket", "must be a class (constructor function)");
  }
  if (o.WebSocket === undefined && typeof globalThis.WebSocket !== "function") {
    throw new ReSocketError(
      "js",
      "there is no global WebSocket (pass the `WebSocket` option, e.g. the `ws` package's, or set globalThis.WebSocket)",
    );
  }
  const extra = o.resocket ?? {};
  if (extra === null || typeof extra !== "object" || Array.isArray(extra)) {
    throw optionError("resocket", "must be an object of ReSocket options");
  }
  for (const key of Object.keys(extra)) {
    if (!RESOCKET_OPTIONS.includes(key)) {
      throw optionError(
        `resocket.${key}`,
        `not an option here (this class takes ${RESOCKET_OPTIONS.join(", ")}; it reconnects and queues as the original does: use ReSocket for resocket's policy)`,
      );
    }
  }
  // Each socket's ReSocket: no reconnection, no backpressure (send() cannot wait).
  o.core = { maxMessageSize: NO_SIZE_LIMIT, ...extra, reconnect: false, highWaterMark: Number.MAX_SAFE_INTEGER };
  return o;
}

function readProtocols(protocols, providers) {
  if (protocols === undefined || protocols === null || typeof protocols === "string") return protocols;
  if (Array.isArray(protocols) && protocols.every((p) => typeof p === "string")) return [...protocols];
  if (providers && typeof protocols === "function") return protocols;
  const what = typeof protocols === "function" ? "a protocols provider function is partysocket's" : `not ${describe(protocols)}`;
  throw new ReSocketError("invalid_option", `invalid option \`protocols\`: must be a string or an array of strings (${what})`);
}

/** An `error` event: `message` and `error` as the original's (`message` "TIMEOUT" for a timeout). */
export class ErrorEvent extends Event {
  message;
  error;
  /** @param {Error} error @param {unknown} [target] */
  constructor(error, target) {
    super("error", target);
    this.message = error.message;
    this.error = error;
  }
}

/** A `close` event made by the class itself (close(), reconnect(), an error): `wasClean` is true. */
export class CloseEvent extends Event {
  code;
  reason;
  wasClean = true;
  /** @param {number} [code] @param {string} [reason] @param {unknown} [target] */
  constructor(code = 1000, reason = "", target) {
    super("close", target);
    this.code = code;
    this.reason = reason;
  }
}

/**
 * A WebSocket that reconnects: reconnecting-websocket 4.4.0's API and behaviour.
 *
 * ```js
 * import ReconnectingWebSocket from "resocket-wasm/reconnecting-websocket";
 * const rws = new ReconnectingWebSocket("wss://example.com/chat", [], { maxRetries: 10 });
 * rws.addEventListener("message", (e) => console.log(e.data));
 * rws.send("hello"); // queued until the link is open
 * ```
 */
export class ReconnectingWebSocket extends EventTarget {
  /**
   * @param {string | URL | (() => string | URL | Promise<string | URL>)} url the URL, or a
   *   function called before every attempt that returns it (or a promise of it).
   * @param {string | string[] | null} [protocols] subprotocols to offer.
   * @param {object} [options] reconnecting-websocket's options (see the README).
   * @throws {ReSocketError} `invalid_url` or `invalid_option`.
   */
  constructor(url, protocols, options) {
    super();
    const flavor = new.target.flavor ?? ReconnectingWebSocket.flavor;
    if (!(typeof url === "string" || typeof url === "function" || url instanceof URL)) {
      throw new ReSocketError("invalid_url", `invalid URL ${describe(url)}: the URL must be a string or a function`);
    }
    if (typeof url !== "function") checkUrl(url);
    this._protocols = readProtocols(protocols, flavor.protocolProviders);
    /** Each socket's ReSocket options (from `resocket`), read and checked once. */
    this._resocket = readOptions(options, flavor.options).core;
    // The options themselves are read at each use, as the original reads them (checked
    // here; a later change to the object takes effect as it does in the original).
    this._options = options == null ? {} : options;
    this._defaults = flavor.defaults;
    this._listeners = { error: [], message: [], open: [], close: [] };
    this._retryCount = -1;
    this._shouldReconnect = true;
    this._connectLock = false;
    this._binaryType = "blob";
    this._closeCalled = false;
    this._messageQueue = [];
    /** The ReSocket of the current socket. */
    this._rs = null;
    this._ws = undefined;
    this.onclose = null;
    this.onerror = null;
    this.onmessage = null;
    this.onopen = null;
    this._handleOpen = (event) => this._onOpen(event);
    this._handleMessage = (event) => this._onMessage(event);
    this._handleError = (event) => this._onError(event);
    this._handleClose = (event) => this._onClose(event);
    this._url = url;
    if (this._options.startClosed) this._shouldReconnect = false;
    this._connect();
  }

  /** What differs between reconnecting-websocket and partysocket (see partysocket.js). */
  static flavor = Object.freeze({ defaults: RWS_DEFAULTS, options: OPTION_NAMES, protocolProviders: false });

  static get CONNECTING() { return CONNECTING; }
  static get OPEN() { return OPEN; }
  static get CLOSING() { return CLOSING; }
  static get CLOSED() { return CLOSED; }
  get CONNECTING() { return CONNECTING; }
  get OPEN() { return OPEN; }
  get CLOSING() { return CLOSING; }
  get CLOSED() { return CLOSED; }

  /** The socket's binaryType (set on every socket; in Node, what `ws` takes, e.g. "nodebuffer"). */
  get binaryType() {
    return this._ws ? this._ws.binaryType : this._binaryType;
  }
  set binaryType(value) {
    this._binaryType = value;
    if (this._ws) this._ws.binaryType = value;
  }

  /** Retries made since the link was last up for minUptime (0 before the first retry). */
  get retryCount() {
    return Math.max(this._retryCount, 0);
  }

  /**
   * The queued messages' size (a string counts its length, as the original counts it) plus
   * the socket's bufferedAmount.
   */
  get bufferedAmount() {
    const bytes = this._messageQueue.reduce((acc, message) => {
      if (typeof message === "string") acc += message.length;
      else if (isBlob(message)) acc += message.size;
      else acc += message.byteLength;
      return acc;
    }, 0);
    return bytes + (this._ws ? this._ws.bufferedAmount : 0);
  }

  /** The extensions the server selected on the current socket ("" before the first). */
  get extensions() {
    return this._ws ? this._ws.extensions : "";
  }

  /** The subprotocol the server selected ("" before the first socket). */
  get protocol() {
    return this._ws ? this._ws.protocol : "";
  }

  /** The current socket's readyState; before the first, CONNECTING (CLOSED with startClosed). */
  get readyState() {
    if (this._ws) return this._ws.readyState;
    return this._options.startClosed ? CLOSED : CONNECTING;
  }

  /** The current socket's `url`, as the socket reports it ("" before the first socket). */
  get url() {
    return this._ws ? this._ws.url : "";
  }

  get [Symbol.toStringTag]() {
    return "ReconnectingWebSocket";
  }

  /**
   * Closes the socket or the attempt, if any, and reconnects no more. The `close` event
   * comes from the socket.
   * @param {number} [code] 1000 (default) or 3000–4999.
   * @param {string} [reason] at most 123 bytes of UTF-8.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  close(code = 1000, reason) {
    if (this._ws && this._ws.readyState !== CLOSED) closeArgs(code, reason);
    this._closeCalled = true;
    this._shouldReconnect = false;
    this._clearTimeouts();
    if (!this._ws) {
      this._debug("close enqueued: no ws instance");
      return;
    }
    if (this._ws.readyState === CLOSED) {
      this._debug("close: already closed");
      return;
    }
    this._ws.close(code, reason);
  }

  /**
   * Closes the current socket, if any (its `close` event, with `code` and `reason`, fires
   * before this returns), and connects again; resets the retry count.
   * @param {number} [code] 1000 (default) or 3000–4999.
   * @param {string} [reason] at most 123 bytes of UTF-8.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  reconnect(code, reason) {
    if (this._ws && this._ws.readyState !== CLOSED) closeArgs(code, reason);
    this._shouldReconnect = true;
    this._closeCalled = false;
    this._retryCount = -1;
    if (!this._ws || this._ws.readyState === CLOSED) {
      this._connect();
    } else {
      this._disconnect(code, reason);
      this._connect();
    }
  }

  /**
   * Sends now if the socket is open; otherwise queues the message for the next open
   * (up to maxEnqueuedMessages; beyond, it is dropped, as the original drops it).
   * @param {string | ArrayBuffer | ArrayBufferView | Blob} data
   * @throws {ReSocketError} `encode` (not a message) or `too_large` (over maxMessageSize).
   */
  send(data) {
    checkData(data);
    if (this._ws && this._ws.readyState === OPEN) {
      this._debug("send", data);
      this._sendNow(data);
    } else {
      const { maxEnqueuedMessages = this._defaults.maxEnqueuedMessages } = this._options;
      if (this._messageQueue.length < maxEnqueuedMessages) {
        this._debug("enqueue", data);
        this._messageQueue.push(data);
      }
    }
  }

  /** Adds a listener for `open`, `message`, `error` or `close` (other types are ignored, as in the original). */
  addEventListener(type, listener) {
    if (this._listeners[type]) this._listeners[type].push(listener);
  }

  removeEventListener(type, listener) {
    if (this._listeners[type]) this._listeners[type] = this._listeners[type].filter((l) => l !== listener);
  }

  /** Calls the listeners of `event.type` (not the `on...` handler), as the original does. */
  dispatchEvent(event) {
    const listeners = this._listeners[event.type];
    if (listeners) {
      for (const listener of listeners) this._callEventListener(event, listener);
    }
    return true;
  }

  // --- the original's steps ---------------------------------------------------------

  /** Throws `encode` for what send() does not take (for partysocket's send()). */
  _checkData(data) {
    checkData(data);
  }

  _debug(...args) {
    if (this._options.debug) (this._options.debugLogger ?? console.log.bind(console))("RWS>", ...args);
  }

  _getNextDelay() {
    const {
      reconnectionDelayGrowFactor = this._defaults.reconnectionDelayGrowFactor,
      minReconnectionDelay = this._defaults.minReconnectionDelay,
      maxReconnectionDelay = this._defaults.maxReconnectionDelay,
    } = this._options;
    let delay = 0;
    if (this._retryCount > 0) {
      delay = minReconnectionDelay * reconnectionDelayGrowFactor ** (this._retryCount - 1);
      if (delay > maxReconnectionDelay) delay = maxReconnectionDelay;
    }
    this._debug("next delay", delay);
    return delay;
  }

  _wait() {
    return new Promise((resolve) => {
      setTimeout(resolve, this._getNextDelay());
    });
  }

  _getNextUrl(urlProvider) {
    if (typeof urlProvider === "string" || urlProvider instanceof URL) return Promise.resolve(urlProvider);
    if (typeof urlProvider === "function") {
      const url = urlProvider();
      if (typeof url === "string" || url instanceof URL) return Promise.resolve(url);
      if (url && typeof url.then === "function") return url;
    }
    throw new ReSocketError("url_provider", "Invalid URL");
  }

  _connect() {
    if (this._connectLock || !this._shouldReconnect) return;
    this._connectLock = true;
    const {
      maxRetries = this._defaults.maxRetries,
      connectionTimeout = this._defaults.connectionTimeout,
    } = this._options;
    if (this._retryCount >= maxRetries) {
      this._debug("max retries reached", this._retryCount, ">=", maxRetries);
      // The original keeps its lock here, so that reconnect() never connects again.
      this._connectLock = false;
      return;
    }
    this._retryCount++;
    this._debug("connect", this._retryCount);
    this._removeListeners();
    this._wait()
      .then(() => this._nextTarget())
      .then((target) => {
        // close could be called before creating the ws
        if (this._closeCalled) {
          this._connectLock = false;
          return;
        }
        const [url, protocols] = this._target(target);
        this._debug("connect", { url: redactUrl(url), protocols });
        this._ws = this._open(url, protocols);
        this._ws.binaryType = this._binaryType;
        this._connectLock = false;
        this._addListeners();
        this._connectTimeout = setTimeout(() => this._handleTimeout(), connectionTimeout);
      })
      .catch((err) => this._connectFailed(err));
  }

  /** What the next attempt connects to, as the original resolves it: the URL (provider). */
  _nextTarget() {
    return this._getNextUrl(this._url);
  }

  /** `[url, protocols]` of what `_nextTarget()` resolved to. */
  _target(url) {
    return [url, this._protocols];
  }

  /**
   * A URL provider that threw or rejected, or a URL or socket the constructor refused:
   * an `error` event with its message, then the next attempt (the original leaves an
   * unhandled rejection and never connects again).
   */
  _connectFailed(err) {
    this._connectLock = false;
    this._handleError(this._made(new ErrorEvent(new Error(messageOf(err)), this._eventTarget())));
  }

  /**
   * Opens a socket through a ReSocket (no reconnection of its own): the socket is made of
   * the `WebSocket` class with the URL and protocols exactly as given, so that its `url`,
   * `binaryType` and events are the class's own.
   */
  _open(url, protocols) {
    checkUrl(url);
    const Base = this._options.WebSocket ?? globalThis.WebSocket;
    let raw = null;
    let initialBinaryType;
    let refused = null;
    function TrackedWebSocket() {
      try {
        raw = protocols ? new Base(url, protocols) : new Base(url);
      } catch (e) {
        refused = { error: e };
        throw e;
      }
      try {
        initialBinaryType = raw.binaryType;
      } catch {
        // left as it is
      }
      return raw;
    }
    let rs;
    try {
      rs = new ReSocket(url, { ...this._resocket, WebSocket: TrackedWebSocket });
    } catch (e) {
      // The WebSocket class's own error may quote the URL: it reaches an `error` event
      // with the URL as redactUrl() shows it.
      throw withoutUrl(e, url);
    }
    if (raw === null) {
      // The WebSocket class threw (the ReSocket reports it as a failed attempt of its own,
      // which this class does not use): as the original, the attempt fails with its error.
      rs.free();
      throw withoutUrl(refused?.error ?? new Error("the WebSocket class made no socket"), url);
    }
    // ReSocket asks for ArrayBuffers; the original leaves the socket's default until it
    // sets its own binaryType (which `ws` 6, say, may refuse).
    if (initialBinaryType !== undefined) {
      try {
        raw.binaryType = initialBinaryType;
      } catch {
        // left as it is
      }
    }
    this._rs = rs;
    return raw;
  }

  /** Hands a message to the open socket: through its ReSocket, a Blob to the socket itself. */
  _sendNow(data) {
    const rs = this._rs;
    if (!isBlob(data) && rs && rs.readyState === OPEN && rs.trySend(data)) return;
    this._ws.send(data);
  }

  _handleTimeout() {
    this._debug("timeout event");
    this._handleError(this._made(new ErrorEvent(new Error("TIMEOUT"), this._eventTarget())));
  }

  _disconnect(code = 1000, reason) {
    this._clearTimeouts();
    if (!this._ws) return;
    this._removeListeners();
    try {
      this._ws.close(code, reason);
      this._handleClose(this._made(new CloseEvent(code, reason, this._eventTarget())));
    } catch {
      // ignore (as the original does)
    }
  }

  _acceptOpen() {
    this._debug("accept open");
    this._retryCount = 0;
  }

  _onOpen(event) {
    this._debug("open event");
    const { minUptime = this._defaults.minUptime } = this._options;
    clearTimeout(this._connectTimeout);
    this._uptimeTimeout = setTimeout(() => this._acceptOpen(), minUptime);
    this._ws.binaryType = this._binaryType;
    // send enqueued messages (messages sent before websocket open event)
    const queue = this._messageQueue;
    this._messageQueue = [];
    for (const message of queue) this._sendNow(message);
    if (this.onopen) this.onopen(event);
    this._emit(event);
  }

  _onMessage(event) {
    this._debug("message event");
    if (this.onmessage) this.onmessage(event);
    this._emit(event);
  }

  _onError(event) {
    this._debug("error event", event.message);
    this._disconnect(undefined, event.message === "TIMEOUT" ? "timeout" : undefined);
    if (this.onerror) this.onerror(event);
    this._debug("exec error listeners");
    this._emit(event);
    this._connect();
  }

  _onClose(event) {
    this._debug("close event");
    this._clearTimeouts();
    if (this._shouldReconnect) this._connect();
    if (this.onclose) this.onclose(event);
    this._emit(event);
  }

  /** The listeners get the event itself, as the original passes it. */
  _emit(event) {
    for (const listener of this._listeners[event.type]) this._callEventListener(event, listener);
  }

  /** What the original passes as the `target` of the events it makes. */
  _eventTarget() {
    return this;
  }

  /** An event the class makes: reconnecting-websocket's own events carry `target` (itself). */
  _made(event) {
    Object.defineProperty(event, "target", { value: this, enumerable: true });
    return event;
  }

  _callEventListener(event, listener) {
    if ("handleEvent" in listener) listener.handleEvent(event);
    else listener(event);
  }

  _removeListeners() {
    if (!this._ws) return;
    this._debug("removeListeners");
    this._ws.removeEventListener("open", this._handleOpen);
    this._ws.removeEventListener("close", this._handleClose);
    this._ws.removeEventListener("message", this._handleMessage);
    this._ws.removeEventListener("error", this._handleError);
  }

  _addListeners() {
    if (!this._ws) return;
    this._debug("addListeners");
    this._ws.addEventListener("open", this._handleOpen);
    this._ws.addEventListener("close", this._handleClose);
    this._ws.addEventListener("message", this._handleMessage);
    this._ws.addEventListener("error", this._handleError);
  }

  _clearTimeouts() {
    clearTimeout(this._connectTimeout);
    clearTimeout(this._uptimeTimeout);
  }
}

/** `e` with every copy of `url` in its message replaced by the redacted URL. */
function withoutUrl(e, url) {
  let message = messageOf(e);
  if (typeof message !== "string") return e;
  for (const text of new Set([String(url instanceof URL ? url.href : url), String(url)])) {
    if (text) message = message.split(text).join(redactUrl(url));
  }
  const error = new Error(message);
  if (typeof e?.code === "string") error.code = e.code;
  return error;
}

/** The message of what a URL provider threw (partysocket's `Error(err.message)`; a URL in it is redacted by the thrower). */
function messageOf(err) {
  try {
    return err?.message;
  } catch {
    return undefined;
  }
}

export default ReconnectingWebSocket;
