// resocket-wasm/partysocket/react: the React hooks of `partysocket/react` (partysocket
// 1.3.0), built on this package's partysocket class (the default export of
// resocket-wasm/partysocket) and used as partysocket's are:
//
//   import usePartySocket, { useWebSocket } from "resocket-wasm/partysocket/react"; // was: "partysocket/react"
//
// The socket is made with `startClosed: true` on the first render (never connected
// there, so never during server rendering) and connected by an effect; the effect's
// cleanup closes it, so unmounting closes what the hook opened. A change of the URL, the
// protocols or a reconnection option replaces the socket, as partysocket's hooks do; a
// change of an event handler option does not (the latest one is called). usePartySocket
// builds the PartyKit URL from `host`, `room`, `party`, ... by partysocket's rules; its
// socket has PartySocket's `id`, `roomUrl`, `name`, `room`, `host`, `path` and `basePath`,
// not `updateProperties()` (the hook replaces the socket when they change). React is a peer
// dependency, imported by its bare name; nothing here runs at import.

import { useEffect, useMemo, useRef, useState } from "react";
import ReconnectingWebSocket from "./partysocket.js";

/** The hooks' own options: not passed on to the socket's constructor. */
const HOOK_OPTIONS = ["enabled", "transferEnqueuedMessages", "onOpen", "onMessage", "onClose", "onError"];
/** usePartySocket's options that make the URL (and the protocols): not passed on either. */
const PARTY_OPTIONS = [
  "id",
  "host",
  "room",
  "party",
  "basePath",
  "prefix",
  "protocol",
  "protocols",
  "path",
  "query",
  "disableNameValidation",
];

/** The options whose change replaces the socket (partysocket's list). */
const restartOptions = (options) => [
  options.startClosed,
  options.minUptime,
  options.maxRetries,
  options.connectionTimeout,
  options.maxEnqueuedMessages,
  options.maxReconnectionDelay,
  options.minReconnectionDelay,
  options.reconnectionDelayGrowFactor,
  options.debug,
];

/**
 * Where there is no global WebSocket (server rendering in Node 20, say) and no `WebSocket`
 * option, the socket of the first render gets this class, so that making it (closed)
 * works as partysocket's does; connecting with it fails, as connecting without a
 * WebSocket class does in partysocket.
 */
class NoWebSocket {
  constructor() {
    throw new Error("there is no global WebSocket: pass the `WebSocket` option (e.g. the `ws` package's)");
  }
}

/** The socket's own options: those given, less the hook's, closed at first. */
function constructorOptions(options, skip = HOOK_OPTIONS) {
  const out = {};
  for (const key of Object.keys(options)) {
    if (!skip.includes(key)) out[key] = options[key];
  }
  out.startClosed = true;
  if (out.WebSocket === undefined && typeof globalThis.WebSocket !== "function") out.WebSocket = NoWebSocket;
  return out;
}

/** The messages `socket` queued and never sent (partysocket's drainQueuedMessages). */
function drain(socket) {
  return typeof socket.drainQueuedMessages === "function" ? socket.drainQueuedMessages() : [];
}

/** Calls the latest `onOpen` / `onMessage` / `onClose` / `onError` of `options` for `socket`'s events. */
function useAttachWebSocketEventHandlers(socket, options) {
  const handlersRef = useRef(options);
  handlersRef.current = options;
  useEffect(() => {
    const onOpen = (event) => handlersRef.current?.onOpen?.(event);
    const onMessage = (event) => handlersRef.current?.onMessage?.(event);
    const onClose = (event) => handlersRef.current?.onClose?.(event);
    const onError = (event) => handlersRef.current?.onError?.(event);
    socket.addEventListener("open", onOpen);
    socket.addEventListener("close", onClose);
    socket.addEventListener("error", onError);
    socket.addEventListener("message", onMessage);
    return () => {
      socket.removeEventListener("open", onOpen);
      socket.removeEventListener("close", onClose);
      socket.removeEventListener("error", onError);
      socket.removeEventListener("message", onMessage);
    };
  }, [socket]);
}

/**
 * A socket kept across renders: made closed on the first render, connected by an effect
 * (unless `startClosed` or `enabled: false`), closed by the effect's cleanup, and replaced
 * by a new one when `memoKey(options)` changes. The messages the replaced socket still
 * held are sent on the new one when `transferEnqueuedMessages` says so (by default: when
 * `destinationKey` is unchanged), otherwise discarded with a warning.
 */
function useStableSocket({ options, createSocket, memoKey, destinationKey }) {
  const { enabled = true } = options;
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const socketOptions = useMemo(() => options, [memoKey(options)]);
  const [socket, setSocket] = useState(() => createSocket(socketOptions));
  const socketInitializedRef = useRef(null);
  const createSocketRef = useRef(createSocket);
  createSocketRef.current = createSocket;
  const prevEnabledRef = useRef(enabled);
  const prevSocketOptionsRef = useRef(socketOptions);
  const optionsChangedWhileDisabledRef = useRef(false);
  const socketCreatedWithOptionsRef = useRef(socketOptions);

  const createReplacementSocket = (oldSocket) => {
    const newSocket = createSocketRef.current(socketOptions);
    const queued = drain(oldSocket);
    if (queued.length > 0) {
      const sameDestination = destinationKey(socketCreatedWithOptionsRef.current) === destinationKey(socketOptions);
      if (socketOptions.transferEnqueuedMessages ?? sameDestination) {
        for (const message of queued) newSocket.send(message);
      } else {
        console.warn(
          `PartySocket: discarded ${queued.length} buffered message(s) while replacing the socket, because the connection destination changed. Pass transferEnqueuedMessages: true to deliver buffered messages to the new destination instead.`,
        );
      }
    }
    socketCreatedWithOptionsRef.current = socketOptions;
    return newSocket;
  };
  const createReplacementSocketRef = useRef(createReplacementSocket);
  createReplacementSocketRef.current = createReplacementSocket;

  useEffect(() => {
    const optionsChanged = prevSocketOptionsRef.current !== socketOptions;
    prevSocketOptionsRef.current = socketOptions;
    if (!enabled) {
      socket.close();
      prevEnabledRef.current = enabled;
      if (optionsChanged) optionsChangedWhileDisabledRef.current = true;
      return () => socket.close();
    }
    if (!prevEnabledRef.current && enabled) {
      // Enabled again: the same socket reconnects, unless the options changed meanwhile.
      prevEnabledRef.current = enabled;
      const needsNewSocket = optionsChanged || optionsChangedWhileDisabledRef.current;
      optionsChangedWhileDisabledRef.current = false;
      if (!needsNewSocket) {
        socket.reconnect();
        return () => socket.close();
      }
      const newSocket = createReplacementSocketRef.current(socket);
      setSocket(newSocket);
      return () => newSocket.close();
    }
    prevEnabledRef.current = enabled;
    if (socketInitializedRef.current === socket) {
      if (optionsChanged) {
        const newSocket = createReplacementSocketRef.current(socket);
        setSocket(newSocket);
        return () => newSocket.close();
      }
      // The same socket again (StrictMode's second mount): connect it again.
      if (socketOptions.startClosed !== true) socket.reconnect();
      return () => socket.close();
    }
    if (!socketInitializedRef.current) {
      if (socketOptions.startClosed !== true) socket.reconnect();
    } else {
      socket.reconnect();
    }
    socketInitializedRef.current = socket;
    return () => socket.close();
  }, [socket, socketOptions, enabled]);
  return socket;
}

/**
 * partysocket's `useWebSocket(url, protocols, options)`: a reconnecting WebSocket for the
 * life of the component. `options` are the socket's, and `enabled` (false: closed, true
 * again: reconnected), `transferEnqueuedMessages`, and `onOpen` / `onMessage` / `onClose` /
 * `onError`. Returns the socket (the same object until the url, protocols or a
 * reconnection option changes).
 */
export function useWebSocket(url, protocols, options = {}) {
  const socket = useStableSocket({
    options,
    createSocket: (o) => new ReconnectingWebSocket(url, protocols, constructorOptions(o)),
    memoKey: (o) => JSON.stringify([url, protocols, ...restartOptions(o)]),
    // As partysocket's: the same for both sockets compared, so by default the messages
    // queued on a replaced socket are sent on the new one.
    destinationKey: () => JSON.stringify([url, protocols]),
  });
  useAttachWebSocketEventHandlers(socket, options);
  return socket;
}

// --- usePartySocket ------------------------------------------------------------------------

const notNil = ([, value]) => value !== null && value !== undefined;

/** crypto.randomUUID(), or partysocket's fallback where it is missing. */
function generateUUID() {
  if (globalThis.crypto?.randomUUID) return globalThis.crypto.randomUUID();
  let d = Date.now();
  let d2 = (globalThis.performance?.now && globalThis.performance.now() * 1000) || 0;
  return "xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx".replace(/[xy]/g, (c) => {
    let r = Math.random() * 16;
    if (d > 0) {
      r = (d + r) % 16 | 0;
      d = Math.floor(d / 16);
    } else {
      r = (d2 + r) % 16 | 0;
      d2 = Math.floor(d2 / 16);
    }
    return (c === "x" ? r : (r & 3) | 8).toString(16);
  });
}

/** A local or private-network host connects with ws:, any other with wss: (partysocket's rule). */
function isLocal(host) {
  const second = host.split(".")[1];
  return (
    host.startsWith("localhost:") ||
    host.startsWith("127.0.0.1:") ||
    host.startsWith("192.168.") ||
    host.startsWith("10.") ||
    (host.startsWith("172.") && second >= "16" && second <= "31") ||
    host.startsWith("[::ffff:7f00:1]:")
  );
}

/**
 * The PartyKit URL of partysocket 1.3's PartySocket:
 * `ws[s]://HOST/(BASEPATH | PREFIX/PARTY/ROOM)[/PATH]?_pk=ID&QUERY...`, with PREFIX
 * "parties" and PARTY "main" by default; a `query` function makes it a URL provider.
 */
function partyInfo(options) {
  const { host: rawHost, path: rawPath, protocol: rawProtocol, room, party, basePath, prefix, query } = options;
  let host = String(rawHost).replace(/^(http|https|ws|wss):\/\//, "");
  if (host.endsWith("/")) host = host.slice(0, -1);
  if (rawPath?.startsWith("/")) throw new Error("path must not start with a slash");
  const name = party ?? "main";
  const path = rawPath ? `/${rawPath}` : "";
  const protocol = rawProtocol || (isLocal(host) ? "ws" : "wss");
  const id = options.id || generateUUID();
  const roomUrl = `${protocol}://${host}/${basePath || `${prefix || "parties"}/${name}/${room}`}${path}`;
  const makeUrl = (q = {}) =>
    `${roomUrl}?${new URLSearchParams([["_pk", id], ...Object.entries(q).filter(notNil)])}`;
  const url = typeof query === "function" ? async () => makeUrl(await query()) : makeUrl(query);
  return { id, host, path, room, name, basePath, roomUrl, url };
}

/** The socket of usePartySocket: partysocket's WebSocket on a PartyKit URL. */
class PartySocket extends ReconnectingWebSocket {
  #info;
  #options;
  constructor(options) {
    const info = partyInfo(options);
    super(info.url, options.protocols, constructorOptions(options, [...HOOK_OPTIONS, ...PARTY_OPTIONS]));
    this.#info = info;
    this.#options = options;
    if (!options.disableNameValidation) {
      for (const key of ["party", "room"]) {
        if (options[key]?.includes("/")) {
          console.warn(
            `PartySocket: ${key} name "${options[key]}" contains forward slash which may cause routing issues. Consider using a name without forward slashes or set disableNameValidation: true to bypass this warning.`,
          );
        }
      }
    }
  }
  /** The options it was made with. */
  get partySocketOptions() {
    return this.#options;
  }
  /** The connection id (`_pk` of the URL): the `id` option, or a random UUID. */
  get id() {
    return this.#info.id;
  }
  /** The room's URL, without the query. */
  get roomUrl() {
    return this.#info.roomUrl;
  }
  get name() {
    return this.#info.name;
  }
  get room() {
    return this.#info.room;
  }
  get host() {
    return this.#info.host;
  }
  get path() {
    return this.#info.path;
  }
  get basePath() {
    return this.#info.basePath;
  }
  reconnect(code, reason) {
    if (!this.#info.host) {
      throw new Error("The host must be set before connecting, pass it to the hook.");
    }
    if (!this.#info.room && !this.#info.basePath) {
      throw new Error("The room (or basePath) must be set before connecting, pass it to the hook.");
    }
    super.reconnect(code, reason);
  }
}

/**
 * partysocket's `usePartySocket(options)`: a socket to a PartyKit room (`host`, defaulting
 * to the page's host, `room`, `party`, `id`, `query`, ...) for the life of the component,
 * with the options and semantics of {@link useWebSocket}. Returns the socket.
 */
export function usePartySocket(options) {
  const { host, ...otherOptions } = options;
  const socket = useStableSocket({
    options: {
      host: host || (typeof window !== "undefined" ? window.location.host : "dummy-domain.com"),
      ...otherOptions,
    },
    createSocket: (o) => new PartySocket({ ...o, startClosed: true }),
    memoKey: (o) =>
      JSON.stringify([
        o.query,
        o.id,
        o.host,
        o.room,
        o.party,
        o.path,
        o.protocol,
        o.protocols,
        o.basePath,
        o.prefix,
        ...restartOptions(o),
      ]),
    destinationKey: (o) =>
      JSON.stringify([o.host, o.room, o.party, o.path, o.protocol, o.protocols, o.basePath, o.prefix]),
  });
  useAttachWebSocketEventHandlers(socket, options);
  return socket;
}

export default usePartySocket;
