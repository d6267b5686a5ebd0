// resocket-wasm/react: `useReSocket`, a React hook over the public `ReSocket` class.
// React is a peer dependency, imported by its bare name; nothing of it is bundled here,
// and a plain `import "resocket-wasm"` loads none of this file.

import { useEffect, useLayoutEffect, useMemo, useState, useSyncExternalStore } from "react";
import { ReSocket, ReSocketCloseEvent, ReSocketError } from "./index.js";
import { admit, jsonText, sizeOf } from "./options.js";

/**
 * How often, in ms, `bufferedAmount`, `queuedAmount` and `retryCount` are re-read while
 * they can change without an event: while bytes are buffered, and while the link is open
 * with bytes queued or a retry count still to be reset (`reconnect.stableAfter`). Nothing
 * is polled while the socket is idle.
 */
export const POLL_MS = 100;

/** The hook's own options, by the event each receives; all other options go to `new ReSocket`. */
const CALLBACKS = { message: "onMessage", open: "onOpen", close: "onClose", error: "onError", delivered: "onDelivered" };
/** The events after which the state and counts are re-read. */
const EVENTS = ["statechange", "reconnecting", "open", "message", "close", "error", "delivered"];

const snapshotOf = (socket, state, readyState) => ({
  socket,
  state,
  readyState,
  bufferedAmount: 0,
  queuedAmount: 0,
  retryCount: 0,
  unacked: 0,
});
/** The first render, on the server and in the browser alike: a first attempt being made. */
const CONNECTING = snapshotOf(null, "connecting", 0);
/** No socket: a null url, an invalid url or options. */
const CLOSED = snapshotOf(null, "closed", 3);

const same = (a, b) =>
  a.socket === b.socket &&
  a.state === b.state &&
  a.readyState === b.readyState &&
  a.bufferedAmount === b.bufferedAmount &&
  a.queuedAmount === b.queuedAmount &&
  a.retryCount === b.retryCount &&
  a.unacked === b.unacked;

function closeQuietly(s) {
  try {
    s.close();
  } catch {
    // freed by the application
  }
}

const noSocket = () => new ReSocketError("closed", "no socket: the component is unmounted or its url is null");

/** A ReSocketError that hands `data` back, as the socket's own errors do. */
const handBack = (code, message, data) => Object.assign(new ReSocketError(code, message), { messages: [data] });


/**
 * The bounds of the socket's outbound queue in `options` (`queue.maxMessages`,
 * `queue.maxBytes`, `queue.overflow`), the socket's defaults for what is not a valid value.
 */
function queueBounds(options) {
  let q;
  try {
    q = options?.queue;
    q = q === null || typeof q !== "object" ? {} : { maxMessages: q.maxMessages, maxBytes: q.maxBytes, overflow: q.overflow };
  } catch {
    q = {}; // a throwing getter: the socket refuses these options (invalid_option)
  }
  // What is not a valid bound is left to the core's default (the socket refuses it anyway).
  const count = (v) => (Number.isSafeInteger(v) && v > 0 ? v : undefined);
  return { maxMessages: count(q.maxMessages), maxBytes: count(q.maxBytes), dropOldest: q.overflow === "drop-oldest" };
}

/** Whether `options` turn acknowledged delivery on (the socket refuses anything else). */
function deliveryOn(options) {
  try {
    const d = options?.delivery;
    return d !== undefined && d !== false;
  } catch {
    return false;
  }
}

/** The key of every function url: changing from one function to another never reconnects. */
const FUNCTION_URL = Symbol("function url");

/** What decides whether a new url reconnects: its text, or FUNCTION_URL. */
function urlKey(url) {
  if (url == null) return null;
  if (typeof url === "function") return FUNCTION_URL;
  return typeof URL === "function" && url instanceof URL ? url.href : String(url);
}

/** The options without the hook's callbacks, as `new ReSocket` takes them. */
function socketOptions(options) {
  if (options === null || typeof options !== "object" || Array.isArray(options)) return options;
  const { onMessage, onOpen, onClose, onError, onDelivered, ...rest } = options;
  return rest;
}

// The browser runs layout effects before passive ones; on the server neither runs (and
// React 18 warns about useLayoutEffect there).
const useLayoutEffectInBrowser = typeof document === "undefined" ? useEffect : useLayoutEffect;

/**
 * One per hook instance: the current socket, the snapshot React reads, and the stable
 * functions the hook returns.
 */
function createController(initialUrl, initialOptions) {
  const initial = initialUrl == null ? CLOSED : CONNECTING;
  let snapshot = initial;
  let socket = null;
  let latest = { url: initialUrl, options: initialOptions };
  // Sends made while there is no socket yet (a child's effect runs before the parent's):
  // handed to the next socket, in call order, or refused once it is clear none follows.
  // Bounded as the socket's queue is, which they go to: `queue.maxMessages` messages and
  // `queue.maxBytes` bytes (`heldBytes`). `{ data, size, start, reject }`.
  const held = [];
  let heldBytes = 0;
  let holding = initialUrl != null;
  let connectedKey; // the urlKey of the latest connect()
  // The socket of an effect just cleaned up, closed from a microtask unless an effect for
  // the same url takes it over first: StrictMode's second mount, which runs at once.
  let parked = null;
  let poll = 0;
  /** Whether the current socket has acknowledged delivery (its `unacked` count is read). */
  let delivery = false;
  const subscribers = new Set();

  const publish = (next) => {
    if (same(next, snapshot)) return;
    snapshot = next;
    for (const notify of subscribers) notify();
  };

  const stopPolling = () => {
    if (poll) clearInterval(poll);
    poll = 0;
  };

  const refresh = () => {
    const s = socket;
    if (s === null) return;
    const next = {
      socket: s,
      state: s.state,
      readyState: s.readyState,
      bufferedAmount: s.bufferedAmount,
      queuedAmount: s.queuedAmount,
      retryCount: s.retryCount,
      unacked: delivery ? s.stats().unacked : 0,
    };
    publish(next);
    const open = next.state === "open";
    if (next.bufferedAmount > 0 || (open && (next.queuedAmount > 0 || next.retryCount > 0))) {
      if (!poll) poll = setInterval(refresh, POLL_MS);
    } else {
      stopPolling();
    }
  };

  /** `promise`, with the counts re-read now and when it settles. */
  const tracked = (promise) => {
    refresh();
    promise.then(refresh, refresh);
    return promise;
  };

  /** Takes the held sends out of the list, in call order. */
  const takeHeld = () => {
    heldBytes = 0;
    return held.splice(0);
  };

  const refuseHeld = () => {
    holding = false;
    for (const h of takeHeld()) h.reject(noSocket());
  };

  /**
   * Holds a send of `data` for the socket to come, within the bounds of its queue. What
   * does not fit is refused at once (`queue_full`), or, with `overflow: "drop-oldest"`,
   * the oldest held sends are (`dropped`); either way the error hands the message back.
   */
  const hold = (data, start) => {
    if (!holding) return Promise.reject(noSocket());
    const size = sizeOf(data);
    // The core's rule for its queue, applied to this list.
    const evict = admit(held.map((h) => h.size), size, queueBounds(latest.options));
    if (evict < 0) {
      const message = `the queue for the socket to come has no room for a message of ${size} bytes: message not sent`;
      return Promise.reject(handBack("queue_full", message, data));
    }
    for (const old of held.splice(0, evict)) {
      heldBytes -= old.size;
      old.reject(handBack("dropped", "1 message held for the socket to come dropped by the overflow policy", old.data));
    }
    heldBytes += size;
    return new Promise((resolve, reject) => held.push({ data, size, start: (s) => start(s).then(resolve, reject), reject }));
  };

  const callback = (name) => {
    const f = latest.options?.[name];
    return typeof f === "function" ? f : null;
  };

  /** Opens the socket for the latest url and options; returns the effect's cleanup. */
  const connect = () => {
    const { url, options } = latest;
    connectedKey = urlKey(url);
    const old = parked;
    parked = null;
    if (old && old.key === connectedKey && old.socket.state !== "closing" && old.socket.state !== "closed") {
      return attach(old.socket);
    }
    if (old) closeQuietly(old.socket);
    if (url == null) {
      refuseHeld();
      publish(CLOSED);
      return undefined;
    }
    // A function url is called through the latest one, so a new function each render
    // neither reconnects nor leaves the socket calling a stale one.
    const target = typeof url === "function" ? () => (typeof latest.url === "function" ? latest.url() : latest.url) : url;
    let s;
    try {
      s = new ReSocket(target, socketOptions(options));
    } catch (error) {
      // An invalid url or option: no socket, state "closed", and the error reaches
      // onClose as the close event of a socket that never opened, from a microtask (as
      // the socket's own events are), unless the effect is cleaned up first.
      refuseHeld();
      publish(CLOSED);
      let current = true;
      queueMicrotask(() => {
        const f = current ? callback("onClose") : null;
        if (f) f(new ReSocketCloseEvent("close", { code: 1006, reason: String(error?.message ?? error), wasClean: false, by: "client", error }));
      });
      return () => {
        current = false;
      };
    }
    return attach(s);
  };

  /** Makes `s` the current socket: its events reach React and the callbacks until cleanup. */
  const attach = (s) => {
    const key = connectedKey;
    socket = s;
    holding = true;
    delivery = deliveryOn(latest.options);
    const listeners = EVENTS.map((type) => {
      const name = CALLBACKS[type];
      const listener = (event) => {
        refresh();
        const f = name ? callback(name) : null;
        if (f) f(event);
      };
      s.addEventListener(type, listener);
      return [type, listener];
    });
    for (const h of takeHeld()) h.start(s);
    refresh();
    return () => {
      for (const [type, listener] of listeners) s.removeEventListener(type, listener);
      stopPolling();
      socket = null;
      const mine = { socket: s, key };
      parked = mine;
      // A url change or StrictMode's second mount connects again synchronously; after an
      // unmount (or with a url of null) nothing does: close, and refuse what waits.
      queueMicrotask(() => {
        if (parked === mine) {
          parked = null;
          closeQuietly(s);
        }
        if (socket === null) refuseHeld();
      });
    };
  };

  return {
    subscribe(notify) {
      subscribers.add(notify);
      return () => subscribers.delete(notify);
    },
    getSnapshot: () => snapshot,
    getServerSnapshot: () => initial,
    setLatest(url, options) {
      latest = { url, options };
      // A new url opens a socket in this commit's passive effects: sends made before
      // that (in a child's effect, which runs first) wait for it.
      if (url != null && socket === null && urlKey(url) !== connectedKey) holding = true;
    },
    connect,
    send: (data, options) =>
      socket ? tracked(socket.send(data, options)) : hold(data, (s) => tracked(s.send(data, options))),
    sendJson(value, options) {
      if (socket) return tracked(socket.sendJson(value, options));
      let text;
      try {
        text = jsonText(value);
      } catch (e) {
        return Promise.reject(e);
      }
      // Under acknowledged delivery (or with options) the socket reads the id from the value.
      if (options !== undefined || deliveryOn(latest.options)) return hold(text, (s) => tracked(s.sendJson(value, options)));
      return hold(text, (s) => tracked(s.send(text)));
    },
    request: (data, options) =>
      socket ? tracked(socket.request(data, options)) : hold(data, (s) => tracked(s.request(data, options))),
    requestJson(value, options) {
      if (socket) return tracked(socket.requestJson(value, options));
      let text;
      try {
        text = jsonText(value);
      } catch (e) {
        return Promise.reject(e);
      }
      return hold(text, (s) => tracked(s.requestJson(value, options)));
    },
    trySend(data) {
      if (!socket) {
        if (!holding) throw noSocket();
        return false;
      }
      const sent = socket.trySend(data);
      refresh();
      return sent;
    },
    close(code, reason) {
      if (!socket) return;
      socket.close(code, reason);
      refresh();
    },
  };
}

/**
 * A `ReSocket` for the life of a component, with its state as React state.
 *
 * ```jsx
 * import { useReSocket } from "resocket-wasm/react";
 *
 * function Chat({ room }) {
 *   const [lines, setLines] = useState([]);
 *   const { state, send } = useReSocket(`/chat?room=${room}`, {
 *     reconnect: { maxAttempts: 20 },
 *     onMessage: (e) => setLines((l) => [...l, e.data]),
 *   });
 *   return <Room lines={lines} online={state === "open"} onSay={(text) => send(text)} />;
 * }
 * ```
 *
 * - The socket is opened in an effect (never during rendering, so never on the server)
 *   and closed (code 1000) when the component unmounts or `url` changes. An effect that
 *   runs again at once for the same url (StrictMode's second mount in development) takes
 *   over the live socket instead: one connection, each event delivered once.
 * - A new `url` (compared as text) reconnects. A function `url` never does: the socket
 *   calls the latest function before every attempt. The socket options are read when the
 *   socket is opened; later changes apply to the next socket (a new `url`, or remount with
 *   a new `key`), so an inline options object does not reconnect on every render.
 * - `onMessage`, `onOpen`, `onClose` and `onError` receive the socket's events, every one,
 *   in order; the latest callbacks are used, without reconnecting. The events of a socket
 *   the hook closes itself (unmount, `url` change) are not delivered.
 * - With acknowledged delivery (option `delivery`), `unacked` is the count of tracked
 *   messages not yet acknowledged, re-read after every send and event (`delivered`,
 *   `close`, `error`), never polled; `send(data, { ack: true })`, `request()` and
 *   `requestJson()` return the socket's promises, and `onDelivered` receives each
 *   `delivered` event (a chat can show "sent", then "delivered", per message).
 * - `state`, `readyState` and `retryCount` follow the socket's events; `bufferedAmount`
 *   and `queuedAmount` are re-read after every event and send, and every {@link POLL_MS} ms
 *   while they can change without one.
 * - `send`, `sendJson`, `trySend` and `close` keep their identity for the life of the
 *   component and act on the current socket. A send made before the socket exists (from a
 *   child's effect, say) goes to it once it is opened, in call order. Such sends are held
 *   within the bounds of the socket's queue (`queue.maxMessages`, `queue.maxBytes`): one
 *   that does not fit is rejected at once with code `queue_full`, or with
 *   `overflow: "drop-oldest"` the oldest held ones are rejected with code `dropped`; the
 *   error's `messages` hands the message back.
 *
 * @param {import("./index.js").UrlSource | null | undefined} url where to connect; `null` or
 *   `undefined` opens nothing (state "closed").
 * @param {import("./react.js").UseReSocketOptions} [options] the `ReSocket` options and the callbacks.
 * @returns {import("./react.js").UseReSocketResult}
 */
export function useReSocket(url, options) {
  const [controller] = useState(() => createController(url, options));
  const snapshot = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getServerSnapshot);
  useLayoutEffectInBrowser(() => {
    controller.setLatest(url, options);
  });
  const key = urlKey(url);
  useEffect(() => controller.connect(), [controller, key]);
  return useMemo(
    () => ({
      ...snapshot,
      send: controller.send,
      sendJson: controller.sendJson,
      request: controller.request,
      requestJson: controller.requestJson,
      trySend: controller.trySend,
      close: controller.close,
    }),
    [controller, snapshot],
  );
}
