// resocket-wasm/partysocket: partysocket 1.3.0's `partysocket/ws`, observably.
//
//   import WebSocket from "resocket-wasm/partysocket"; // was: from "partysocket/ws"
//
// partysocket/ws is a fork of reconnecting-websocket; this class is
// resocket-wasm/reconnecting-websocket's with what partysocket changed: send() returns
// whether the message went out, drainQueuedMessages(), a synchronous `close` event from
// close(), a warning for send() after close(), `shouldReconnectOnClose`, protocols
// providers, URL provider errors as `error` events, `debugLogger`, readyState CLOSED after
// close(), events dispatched through EventTarget (copies of the socket's, as partysocket
// makes them), and its defaults (minReconnectionDelay 3000).

import { ReconnectingWebSocket as Base, CloseEvent, ErrorEvent } from "./reconnecting-websocket.js";
import { closeArgs } from "./options.js";

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

const DEFAULTS = Object.freeze({
  maxReconnectionDelay: 10000,
  minReconnectionDelay: 3000,
  minUptime: 5000,
  reconnectionDelayGrowFactor: 1.3,
  connectionTimeout: 4000,
  maxRetries: Number.POSITIVE_INFINITY,
  maxEnqueuedMessages: Number.POSITIVE_INFINITY,
  startClosed: false,
  debug: false,
});

const OPTIONS = [
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
  "shouldReconnectOnClose",
  "resocket",
];

const CLOSED_SEND_WARNING =
  "ReconnectingWebSocket: send() was called after close(). The message has been buffered, but it will only be delivered if reconnect() is called on this socket. If this socket has been discarded, the message is lost — this usually means a stale socket reference is being used.";

// partysocket copies each event before dispatching it: in Node (and React Native) by
// its fields, in a browser with the event's own constructor. Decided per call (nothing
// is read when the module loads).
function cloneEventBrowser(e) {
  return new e.constructor(e.type, e);
}

function cloneEventNode(e) {
  if ("data" in e) return new MessageEvent(e.type, e);
  if ("code" in e || "reason" in e) return new CloseEvent(e.code || 1999, e.reason || "unknown reason", e);
  if ("error" in e) return new ErrorEvent(e.error, e);
  return new Event(e.type, e);
}

function cloneEvent(e) {
  const isNode = typeof process !== "undefined" && typeof process.versions?.node !== "undefined";
  const isReactNative = typeof navigator !== "undefined" && navigator.product === "ReactNative";
  return isNode || isReactNative ? cloneEventNode(e) : cloneEventBrowser(e);
}

function absorbError() {}

/**
 * partysocket/ws's reconnecting WebSocket (partysocket 1.3.0).
 *
 * ```js
 * import WebSocket from "resocket-wasm/partysocket";
 * const ws = new WebSocket("wss://example.com/chat");
 * if (!ws.send("hello")) console.log("buffered until the socket opens");
 * ```
 */
export class ReconnectingWebSocket extends Base {
  static flavor = Object.freeze({ defaults: DEFAULTS, options: OPTIONS, protocolProviders: true });

  _didWarnAboutClosedSend = false;

  /** CLOSED once close() was called; otherwise the current socket's readyState. */
  get readyState() {
    if (this._closeCalled) return CLOSED;
    return super.readyState;
  }

  /** Whether the socket is in a state where it reconnects. */
  get shouldReconnect() {
    return this._shouldReconnect;
  }

  get [Symbol.toStringTag]() {
    return "ReconnectingWebSocket";
  }

  /**
   * Closes the socket or the attempt, if any, and reconnects no more; its `close` event
   * is dispatched before this returns (nothing happens if it is closing or closed).
   */
  close(code = 1000, reason) {
    if (this._ws && [OPEN, CONNECTING].includes(this._ws.readyState)) closeArgs(code, reason);
    this._closeCalled = true;
    this._shouldReconnect = false;
    this._clearTimeouts();
    if (!this._ws) {
      this._debug("close enqueued: no ws instance");
      return;
    }
    if (this._ws.readyState === CLOSED || this._ws.readyState === CLOSING) {
      this._debug("close: already closing or closed");
      return;
    }
    this._disconnect(code, reason);
  }

  /** Closes the current socket (its `close` event before this returns) and connects again. */
  reconnect(code, reason) {
    if (this._ws && [OPEN, CONNECTING].includes(this._ws.readyState)) closeArgs(code, reason);
    this._shouldReconnect = true;
    this._closeCalled = false;
    this._didWarnAboutClosedSend = false;
    this._retryCount = -1;
    if (!this._ws || this._ws.readyState === CLOSED || this._ws.readyState === CLOSING) {
      this._connect();
    } else {
      this._disconnect(code, reason);
      this._connect();
    }
  }

  /**
   * @returns `true` if the message went out on the open socket; `false` if it was
   *   buffered (sent when the socket next opens, before its `open` event) or dropped
   *   because `maxEnqueuedMessages` was reached.
   */
  send(data) {
    this._checkData(data);
    if (this._ws && this._ws.readyState === OPEN) {
      super.send(data);
      return true;
    }
    if (this._closeCalled && !this._didWarnAboutClosedSend) {
      this._didWarnAboutClosedSend = true;
      console.warn(CLOSED_SEND_WARNING);
    }
    super.send(data);
    return false;
  }

  /** Removes and returns the messages buffered and not sent yet. */
  drainQueuedMessages() {
    const queue = this._messageQueue;
    this._messageQueue = [];
    return queue;
  }

  addEventListener(type, listener, options) {
    EventTarget.prototype.addEventListener.call(this, type, listener, options);
  }

  removeEventListener(type, listener, options) {
    EventTarget.prototype.removeEventListener.call(this, type, listener, options);
  }

  dispatchEvent(event) {
    return EventTarget.prototype.dispatchEvent.call(this, event);
  }

  /** The logger is chosen once, as partysocket binds it in its constructor. */
  _debug(...args) {
    if (!this._options.debug) return;
    this._debugLogger ??= this._options.debugLogger ?? console.log.bind(console);
    this._debugLogger("RWS>", ...args);
  }

  _getNextProtocols(protocolsProvider) {
    if (!protocolsProvider) return Promise.resolve(null);
    if (typeof protocolsProvider === "string" || Array.isArray(protocolsProvider)) return Promise.resolve(protocolsProvider);
    if (typeof protocolsProvider === "function") {
      const protocols = protocolsProvider();
      if (!protocols) return Promise.resolve(null);
      if (typeof protocols === "string" || Array.isArray(protocols)) return Promise.resolve(protocols);
      if (protocols.then) return protocols;
    }
    throw Error("Invalid protocols");
  }

  /** partysocket resolves the URL and the protocols (each may be a provider) together. */
  _nextTarget() {
    return Promise.all([this._getNextUrl(this._url), this._getNextProtocols(this._protocols || null)]);
  }

  _target(target) {
    return target;
  }

  _disconnect(code = 1000, reason) {
    this._clearTimeouts();
    if (!this._ws) return;
    this._removeListeners();
    try {
      if (this._ws.readyState === OPEN || this._ws.readyState === CONNECTING) this._ws.close(code, reason);
      this._handleClose(new CloseEvent(code, reason, this));
    } catch {
      // ignore (as partysocket does)
    }
  }

  _onClose(event) {
    this._debug("close event");
    this._clearTimeouts();
    const should = this._options.shouldReconnectOnClose;
    if (should && !should(event)) this._shouldReconnect = false;
    if (this._shouldReconnect) this._connect();
    if (this.onclose) this.onclose(event);
    this.dispatchEvent(cloneEvent(event));
  }

  _emit(event) {
    this.dispatchEvent(cloneEvent(event));
  }

  _made(event) {
    return event;
  }

  _removeListeners() {
    if (!this._ws) return;
    super._removeListeners();
    this._ws.addEventListener("error", absorbError);
  }
}

export { CloseEvent, ErrorEvent };
export { ReconnectingWebSocket as WebSocket };
export default ReconnectingWebSocket;
