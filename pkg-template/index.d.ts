// Types of resocket-wasm. They need no DOM lib: where the program has the DOM's (or
// Node's) Event, EventTarget and URL, resocket's events extend Event and ReSocket extends
// EventTarget; in a program without them, the minimal shapes below stand in.

/** The members of an Event that resocket's events have everywhere. */
export interface BasicEvent {
  readonly type: string;
  readonly timeStamp: number;
  readonly defaultPrevented: boolean;
  preventDefault(): void;
  stopPropagation(): void;
  stopImmediatePropagation(): void;
}

/** A listener: a function or an object with `handleEvent`. */
export type BasicListener = ((ev: never) => unknown) | { handleEvent(ev: never): unknown };

/** Listener options, as `addEventListener` takes them. */
export interface BasicListenerOptions {
  capture?: boolean;
  once?: boolean;
  passive?: boolean;
  signal?: unknown;
}

/** The members of an EventTarget that ReSocket has everywhere. */
export interface BasicEventTarget {
  addEventListener(type: string, listener: BasicListener | null, options?: boolean | BasicListenerOptions): void;
  removeEventListener(type: string, listener: BasicListener | null, options?: boolean | BasicListenerOptions): void;
  dispatchEvent(event: BasicEvent): boolean;
}

type Ctor = abstract new (...args: any[]) => any;
// The program's own Event / EventTarget classes if it has them (DOM lib, @types/node).
declare const EventBase: typeof globalThis extends { Event: infer E extends Ctor } ? E : new (type: string) => BasicEvent;
declare const EventTargetBase: typeof globalThis extends { EventTarget: infer T extends Ctor }
  ? T
  : new () => BasicEventTarget;
/** An event without data (`open`): the program's Event, or a {@link BasicEvent}. */
export type ReSocketEvent = InstanceType<typeof EventBase>;
/** The program's URL class instances, if it has one. */
type URLObject = typeof globalThis extends { URL: abstract new (...args: any[]) => infer U } ? U : never;

/** The connection life cycle, across reconnects. */
export type ReSocketState = "connecting" | "open" | "reconnecting" | "closing" | "closed";

/** The browser's readyState of the current underlying socket. */
export type ReadyState = 0 | 1 | 2 | 3;

/** Why a link is being re-established. */
export type ReconnectCause =
  | "closed"
  | "connect_failed"
  | "connect_timeout"
  | "heartbeat_timeout"
  | "url_provider"
  | "manual"
  | "suspended";

/** Who ended a connection for good. */
export type ClosedBy = "client" | "remote" | "policy";

/** Every `code` a {@link ReSocketError} can have. */
export type ReSocketErrorCode =
  | "invalid_url"
  | "invalid_close_code"
  | "invalid_close_reason"
  | "invalid_option"
  | "connect_failed"
  | "gave_up"
  | "closed"
  | "full"
  | "queue_full"
  | "dropped"
  | "unsent"
  | "unacked"
  | "ack_timeout"
  | "duplicate_id"
  | "invalid_id"
  | "decode"
  | "encode"
  | "url_provider"
  | "too_large"
  | "lagged"
  | "load"
  | "js";

/** What `send()` and `trySend()` take: a string is a text frame, bytes a binary frame. */
export type SendData = string | ArrayBuffer | ArrayBufferView;

/** A received message: a string for a text frame, an ArrayBuffer for a binary frame. */
export type MessageData = string | ArrayBuffer;

/** A fixed URL, or a function called before every attempt (e.g. to add a fresh token). */
export type UrlSource = string | URLObject | (() => string | URLObject | Promise<string | URLObject>);

/** When and how to reconnect. Retry n waits a random time in [0, min(maxDelay, initialDelay·factorⁿ⁻¹)]. */
export interface ReconnectOptions {
  /** Upper bound of the delay before the first retry, in ms. @default 250 */
  initialDelay?: number;
  /** Growth of the delay bound per attempt. @default 2 */
  factor?: number;
  /** Ceiling of the delay bound, in ms. @default 30000 */
  maxDelay?: number;
  /** Full jitter: wait a uniform random time up to the bound; `false` waits the bound. @default true */
  jitter?: boolean;
  /** Consecutive failed attempts before giving up; `null` is unlimited. @default null */
  maxAttempts?: number | null;
  /** Time in ms an outage may last before giving up; `null` is unlimited. @default null */
  maxElapsed?: number | null;
  /** A socket still connecting after this many ms counts as a failed attempt. @default 10000 */
  connectTimeout?: number;
  /** A link open this long (ms) resets the attempt count. @default 5000 */
  stableAfter?: number;
  /**
   * Close codes (inclusive range) a server sends to say "don't come back"; closing with
   * one of them ends the socket. 1002, 1003 and 1007–1010 are never retried either.
   * @default [4000, 4099]
   */
  stopCodes?: [from: number, to: number];
  /**
   * Replaces the close-code rules: return true to reconnect after the server closed
   * with `code` and `reason`, false to stop. A function that throws means reconnect.
   */
  shouldReconnect?: (code: number, reason: string) => boolean;
}

/** The outbound queue that holds messages while the link is down. */
export interface QueueOptions {
  /** Most messages held. @default 1024 */
  maxMessages?: number;
  /** Most bytes held. @default 1048576 */
  maxBytes?: number;
  /**
   * When full: "reject" makes `send()` wait for room (and `trySend()` return false);
   * "drop-oldest" evicts
   * the oldest messages and hands them back in an `error` event (code `dropped`).
   * @default "reject"
   */
  overflow?: "reject" | "drop-oldest";
}

/**
 * An application-level heartbeat (browsers cannot send ping frames): `ping` is sent as an
 * ordinary text message every `interval` ms; if nothing arrives within `timeout` ms the
 * link is presumed dead and reconnected.
 */
export interface HeartbeatOptions {
  /** Time between pings while open, in ms. @default 30000 */
  interval?: number;
  /** How long to wait for any message after a ping, in ms. @default 10000 */
  timeout?: number;
  /** The ping message. @default "ping" */
  ping?: string;
  /**
   * The server's answer: filtered out and used to measure `stats().lastRttMs`. `null`:
   * any message proves liveness and nothing is filtered. @default "pong"
   */
  pong?: string | null;
}

/** A tracked message's id: an integer from 0 to 2^53 - 1, or a string of 1 to 256 bytes of UTF-8. */
export type MessageId = string | number;

/**
 * Acknowledged delivery: messages with an id are *tracked*: kept from `send()` until the
 * peer acknowledges them, sent again in order on every new connection (at least once
 * across drops: the ids let the server drop duplicates), and bounded by a credit window
 * (`send()` waits while it is full, `trySend()` returns false).
 *
 * Messages recognised as acknowledgements are consumed: they are not dispatched as
 * `message` events. Each acknowledged message is told by a `delivered` event (and
 * resolves the promise of `send(data, { ack: true })`, `request()` or `requestJson()`).
 */
export interface DeliveryOptions {
  /** Most tracked messages not yet acknowledged. @default 256 */
  maxMessages?: number;
  /** Most bytes of tracked messages not yet acknowledged (one message always fits alone). @default 1048576 */
  maxBytes?: number;
  /**
   * How an outgoing message's id is read: a JSON field name (read from the value given to
   * `sendJson()`, or from a string given to `send()` that starts with `{`; binary data is
   * untracked), or a function of the data given to `send()` (for `sendJson()`: the JSON
   * text and the value). No id (`null`/`undefined`): the message is sent untracked. A
   * reader that throws, or an id that is not one, refuses the send with `invalid_id`.
   * @default "id"
   */
  id?: string | ((data: SendData, value?: unknown) => MessageId | null | undefined);
  /**
   * How an acknowledgement is recognised: a JSON field name (of a text message that
   * starts with `{`) holding the acknowledged id, or a function returning the id, or
   * `{ through: n }` for every numeric id up to `n`, or `null`/`undefined` for an
   * ordinary message. A function that throws is reported (`reportError`) and the message
   * is dispatched as an ordinary one. @default "ack"
   */
  ack?: string | ((data: MessageData) => MessageId | { through: number } | null | undefined);
  /** The JSON field of a cumulative acknowledgement (every numeric id up to it). @default "ackThrough" */
  through?: string;
  /**
   * `sendJson()`/`requestJson()` stamp objects without an id with the next number
   * (1, 2, 3, …) in the `id` field (which must be a field name). @default false
   */
  sequence?: boolean;
  /**
   * Deadline in ms of every tracked message, from when it enters the window: unacknowledged
   * by then, it is no longer tracked and is handed back (`ack_timeout`). @default none
   */
  timeout?: number;
}

/** Options of `send(data, options)` and `sendJson(value, options)`. */
export interface SendOptions {
  /**
   * Resolve when the peer acknowledges the message (acknowledged delivery), with a
   * {@link ReSocketAck}, instead of when it is handed on. The message must have an id.
   */
  ack?: boolean;
  /** This message's deadline in ms (see {@link DeliveryOptions.timeout}). */
  timeout?: number;
}

/** Options of `request()` and `requestJson()`. */
export interface RequestOptions {
  /** Deadline in ms (see {@link DeliveryOptions.timeout}). */
  timeout?: number;
}

/** The acknowledgement of a tracked message. */
export interface ReSocketAck {
  /** The message's id. */
  id: MessageId;
  /** The data of the message that acknowledged it. */
  data: MessageData;
}

/** Options of a {@link ReSocket}. Unknown keys and wrong types throw `invalid_option`. */
export interface ReSocketOptions {
  /** Subprotocols to offer. @default none */
  protocols?: string | string[];
  /** Reconnection policy, or `false` for none. @default {} (all defaults) */
  reconnect?: false | ReconnectOptions;
  /** Outbound queue bounds. @default {} (all defaults) */
  queue?: QueueOptions;
  /** send() waits while buffered + queued bytes are above this. @default 1048576 */
  highWaterMark?: number;
  /** ...until they fall below this. @default 262144 */
  lowWaterMark?: number;
  /** Heartbeat, or `false` (off). @default false */
  heartbeat?: false | HeartbeatOptions;
  /** How long to wait for the server to answer close() before giving up on it, in ms. @default 5000 */
  closeTimeout?: number;
  /**
   * The largest message sent or received, in bytes (1 to 4294967295). A larger send is
   * refused with code `too_large`; a larger message from the server is not copied: an
   * `error` event (code `too_large`) fires and the link is closed, reported with code
   * 1009 (a stop code by default). @default 16777216 (16 MiB)
   */
  maxMessageSize?: number;
  /**
   * The WebSocket class to open sockets with, instead of the global `WebSocket`: for Node
   * without a global (e.g. the `ws` package's), tests, or a wrapped implementation.
   * Called as `new WebSocket(url)` or `new WebSocket(url, protocols)`. @default globalThis.WebSocket
   */
  WebSocket?: new (url: string, protocols?: string | string[]) => object;
  /** Acknowledged delivery (`true`: all defaults), or `false` (off). @default false */
  delivery?: boolean | DeliveryOptions;
  /**
   * Share one WebSocket among every `ReSocket` of this origin made with the same name and
   * URL: in this page, other tabs, frames and workers. One context leads and holds the
   * socket (with its options: reconnect, heartbeat, protocols, timeouts); every other
   * follows over a BroadcastChannel, with its own queue, limits, backpressure and
   * acknowledged delivery. Leadership moves (Web Locks) when the leader closes, leaves,
   * is frozen or hidden into the back/forward cache, or stops answering for 3.5 s. Where
   * Web Locks are missing (insecure contexts, Node), sharing is within the context only.
   */
  share?: string;
}

/** A socket's part in a shared connection (the `share` option). */
export type ShareRole = "leader" | "follower" | "electing" | "closed";

/** Counters of one socket, across reconnects. */
export interface ReSocketStats {
  reconnects: number;
  messagesIn: number;
  bytesIn: number;
  messagesOut: number;
  bytesOut: number;
  /** Messages evicted from the queue by the "drop-oldest" overflow policy. */
  dropped: number;
  /** Round-trip time of the latest heartbeat, in ms (null without a heartbeat pong). */
  lastRttMs: number | null;
  /** Tracked messages acknowledged (acknowledged delivery). */
  acked: number;
  /** Tracked messages sent again on a new connection. */
  replayed: number;
  /** Tracked messages not yet acknowledged. */
  unacked: number;
  /** Bytes of the tracked messages not yet acknowledged. */
  unackedBytes: number;
}

/** Live resources held by every ReSocket in this realm (for leak checks). */
export interface Diagnostics {
  liveListeners: number;
  liveTimers: number;
  liveSockets: number;
  callbacksRun: number;
  /** Size of the WebAssembly memory, in bytes (it never shrinks). */
  wasmMemory: number;
}

/**
 * Every error of the package: a real `Error` with `name === "ReSocketError"` and a `code`.
 * `instanceof ReSocketError` recognises all of them.
 */
export declare class ReSocketError extends Error {
  constructor(code: ReSocketErrorCode, message: string, options?: ErrorOptions);
  readonly name: "ReSocketError";
  readonly code: ReSocketErrorCode;
  /**
   * Messages handed back (`dropped`, `unsent`, `unacked` and `ack_timeout` errors of
   * `error` events; the refused message of a rejected send).
   */
  readonly messages?: SendData[];
}

/** A message from the server. */
export declare class ReSocketMessageEvent extends EventBase {
  constructor(type: string, init: { data: MessageData });
  readonly type: "message";
  readonly data: MessageData;
  /** `JSON.parse(data)` (a binary frame is decoded as UTF-8 first). Throws a SyntaxError. */
  json<T = unknown>(): T;
}

/** The socket is closed for good: no reconnection follows (unless `reconnect()` is called). */
export declare class ReSocketCloseEvent extends EventBase {
  readonly type: "close";
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
  readonly by: ClosedBy;
  /** Why it ended when that was not a normal close (`connect_failed`, `gave_up`, ...). */
  readonly error: ReSocketError | null;
}

/** The browser's error event on the socket (`error` null), or messages handed back. */
export declare class ReSocketErrorEvent extends EventBase {
  readonly type: "error";
  readonly error: ReSocketError | null;
  /**
   * The messages `error` hands back (code `dropped`, `unsent`, `unacked` or
   * `ack_timeout`, in the order they were sent), as they were given to
   * `send()` (a `Uint8Array` for a view or for binary data copied when it was queued);
   * empty otherwise.
   */
  readonly messages: SendData[];
}

/** A tracked message was acknowledged by the peer (acknowledged delivery). */
export declare class ReSocketDeliveredEvent extends EventBase {
  readonly type: "delivered";
  /** The message's id. */
  readonly id: MessageId;
  /** The data of the message that acknowledged it. */
  readonly data: MessageData;
}

/** Fields shared by `statechange` and `reconnecting` events. */
export declare class ReSocketTransitionEvent extends EventBase {
  /** 0 for the first connection, k for the k-th retry (states "connecting" and "reconnecting"). */
  readonly attempt: number | undefined;
  /** The backoff delay before the retry, in ms (state "reconnecting"). */
  readonly delayMs: number | undefined;
  /** Why the link is being re-established (state "reconnecting"). */
  readonly cause: ReconnectCause | undefined;
  /** Close code, when `cause` is "closed". */
  readonly code: number | undefined;
  /** Close reason, when `cause` is "closed". */
  readonly reason: string | undefined;
  /** The provider's error message, when `cause` is "url_provider". */
  readonly error: string | undefined;
}

/** Every state transition, in order. */
export declare class ReSocketStateChangeEvent extends ReSocketTransitionEvent {
  readonly type: "statechange";
  readonly state: ReSocketState;
}

/** The link went down; retry number `attempt` follows after `delayMs` ms. */
export declare class ReSocketReconnectingEvent extends ReSocketTransitionEvent {
  readonly type: "reconnecting";
  readonly attempt: number;
  readonly delayMs: number;
  readonly cause: ReconnectCause;
}

/** The events of a {@link ReSocket}, for typed listeners. */
export interface ReSocketEventMap {
  open: ReSocketEvent;
  message: ReSocketMessageEvent;
  close: ReSocketCloseEvent;
  error: ReSocketErrorEvent;
  statechange: ReSocketStateChangeEvent;
  reconnecting: ReSocketReconnectingEvent;
  delivered: ReSocketDeliveredEvent;
}

/** An `on...` handler property. */
export type ReSocketEventHandler<E> = ((this: ReSocket, ev: E) => unknown) | null;

/**
 * A listener for events of type `E`: a function, or an object with `handleEvent`. Both
 * must take `E` (or a supertype of it): `handleEvent` is a property, not a method, so it
 * is checked as strictly as a function is.
 */
export type ReSocketListener<E> = ((this: ReSocket, ev: E) => unknown) | { handleEvent: (ev: E) => unknown };

/**
 * A resilient WebSocket: reconnects with jittered backoff, queues sends while the link is
 * down, applies backpressure on `bufferedAmount`, and can run a heartbeat.
 *
 * Events are dispatched in order and never from inside a method call: a message from the
 * socket's own event, everything else from a microtask.
 */
export declare class ReSocket extends EventTargetBase implements AsyncIterable<ReSocketMessageEvent> {
  /**
   * Opens at once (state "connecting"); sends are queued until the link is open.
   * @param url `ws:`/`wss:` (`http(s):` and page-relative URLs are mapped), or a function
   *   called before every attempt.
   * @param options options, or subprotocols as the WebSocket constructor takes them.
   * @throws {ReSocketError} `invalid_url` or `invalid_option`.
   */
  constructor(url: UrlSource, options?: ReSocketOptions | string | string[]);
  /** Subprotocols, then the options, as reconnecting-websocket and partysocket take them. */
  constructor(url: UrlSource, protocols: string | string[] | undefined, options?: ReSocketOptions);

  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /** readyState of the current browser socket (CLOSED between attempts). */
  readonly readyState: ReadyState;
  /** The connection state. */
  readonly state: ReSocketState;
  /** bufferedAmount of the current browser socket (0 between attempts; WebKit reports 0 early). */
  readonly bufferedAmount: number;
  /** Bytes waiting in the outbound queue for the next connection. */
  readonly queuedAmount: number;
  /** Retries made in the current outage. */
  readonly retryCount: number;
  /**
   * With the `share` option: "leader" when this context holds the socket, "follower" when
   * another does, "electing" while neither is known, "closed" once this socket closed;
   * null without the option.
   */
  readonly shareRole: ShareRole | null;
  /** The absolute URL of the latest attempt. */
  readonly url: string;
  /** The subprotocol the server selected ("" if none). */
  readonly protocol: string;
  /** Binary messages always arrive as ArrayBuffer. */
  readonly binaryType: "arraybuffer";

  onopen: ReSocketEventHandler<ReSocketEvent>;
  onmessage: ReSocketEventHandler<ReSocketMessageEvent>;
  onclose: ReSocketEventHandler<ReSocketCloseEvent>;
  onerror: ReSocketEventHandler<ReSocketErrorEvent>;
  onstatechange: ReSocketEventHandler<ReSocketStateChangeEvent>;
  onreconnecting: ReSocketEventHandler<ReSocketReconnectingEvent>;
  ondelivered: ReSocketEventHandler<ReSocketDeliveredEvent>;

  /**
   * Sends a message. Resolves once it is handed to the browser or queued for the next
   * connection (not when the server has it); waits while backpressure applies or the
   * queue is full. Never throws: rejects with `closed`, `too_large` or `encode`.
   */
  send(data: SendData, options?: SendOptions & { ack?: false }): Promise<void>;
  /**
   * Sends a tracked message (acknowledged delivery) and resolves when the peer
   * acknowledges it. Rejects with `ack_timeout` (its deadline passed), `unacked` (closed
   * for good first), `closed`, `duplicate_id` (its id is in flight), `invalid_id` (no id,
   * not an id, or acknowledged delivery off), `too_large` or `encode`; each hands the
   * message back in `messages`.
   */
  send(data: SendData, options: SendOptions & { ack: true }): Promise<ReSocketAck>;
  /** `send(data, options)` with `options.ack` known only at run time. */
  send(data: SendData, options?: SendOptions): Promise<void | ReSocketAck>;
  /**
   * Sends `data` as a tracked message and resolves with the data of the message that
   * acknowledges it (the response). Rejects as `send(data, { ack: true })`.
   */
  request(data: SendData, options?: RequestOptions): Promise<MessageData>;
  /**
   * `request(JSON.stringify(value))`; resolves with the acknowledging message parsed as
   * JSON (rejects with `decode` when it is not JSON).
   */
  requestJson<T = unknown>(value: unknown, options?: RequestOptions): Promise<T>;
  /**
   * Sends without waiting. Returns false (nothing sent) when backpressure applies, other
   * sends are waiting, the queue is full, or (a tracked message) the credit window is full.
   * @throws {ReSocketError} `closed` after close(); `too_large`, `encode` as send().
   */
  trySend(data: SendData): boolean;
  /**
   * Sends `JSON.stringify(value)` as a text message; otherwise like send(). Under
   * acknowledged delivery, `value[delivery.id]` is its id.
   */
  sendJson(value: unknown, options?: SendOptions & { ack?: false }): Promise<void>;
  sendJson(value: unknown, options: SendOptions & { ack: true }): Promise<ReSocketAck>;
  sendJson(value: unknown, options?: SendOptions): Promise<void | ReSocketAck>;
  /** Resolves when nothing is queued and bufferedAmount is 0. Rejects `closed` if closed first. */
  flush(): Promise<void>;
  /**
   * Closes for good; no reconnection follows.
   * @param code an integer: 1000 (default) or 3000–4999.
   * @param reason converted with String() as WebSocket.close() does; at most 123 bytes of UTF-8.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason` (the socket stays as it was).
   */
  close(code?: number, reason?: unknown): void;
  /** Drops the current link, if any, and connects again now (also after the policy gave up). */
  reconnect(): void;
  /** Counters across reconnects. */
  stats(): ReSocketStats;
  /**
   * Closes at once (a `close` event follows unless it was closed) and releases everything;
   * the object is unusable afterwards. Optional: a closed ReSocket you drop is collected.
   */
  free(): void;
  /**
   * The message events as an async iterator that ends when the socket is closed for good.
   * Messages are buffered while the loop body runs, up to the bounds of `options`; a loop
   * that falls further behind gets what was buffered, then a {@link ReSocketError} of code
   * `lagged` (the iterator stops listening at the bound). `break` stops listening.
   */
  messages(options?: MessagesOptions): AsyncIterableIterator<ReSocketMessageEvent>;
  [Symbol.asyncIterator](): AsyncIterableIterator<ReSocketMessageEvent>;

  /**
   * A listener for one of the socket's events (see {@link ReSocketEventMap}) receives
   * that event's type. Any other type (an event you dispatch yourself) takes a listener
   * of the plain `Event`, so a listener for `ReSocketMessageEvent` on a misspelt type such
   * as `"mesage"` is a type error. To type events of your own, add them to
   * `ReSocketEventMap` (`declare module "resocket-wasm" { interface ReSocketEventMap { ... } }`).
   */
  addEventListener<K extends keyof ReSocketEventMap>(
    type: K,
    listener: ReSocketListener<ReSocketEventMap[K]>,
    options?: boolean | BasicListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: ReSocketListener<ReSocketEvent> | null,
    options?: boolean | BasicListenerOptions,
  ): void;
  removeEventListener<K extends keyof ReSocketEventMap>(
    type: K,
    listener: ReSocketListener<ReSocketEventMap[K]>,
    options?: boolean | BasicListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: ReSocketListener<ReSocketEvent> | null,
    options?: boolean | BasicListenerOptions,
  ): void;
}

/** Bounds of the buffer of a `messages()` iterator. */
export interface MessagesOptions {
  /** Messages buffered at most while the loop body runs. Default 4096. */
  maxMessages?: number;
  /** Bytes of data buffered at most (a string counts its UTF-16 length; one message always fits). Default 16 MiB. */
  maxBytes?: number;
}

/** Live listeners, timers and sockets held by every ReSocket in this realm. */
export declare function diagnostics(): Diagnostics;

/**
 * Resolves once the WebAssembly module is loaded (loading it if no `ReSocket` did yet);
 * rejects with a {@link ReSocketError} (code `load`) if it cannot be. The module is
 * compiled synchronously when the first `ReSocket` is made, so waiting is needed only
 * where an engine refuses synchronous compilation: there, `new ReSocket()` throws `load`
 * until `await ready`. A thenable: `await ready`, `ready.then()`, `ready.catch()`.
 */
export declare const ready: PromiseLike<void> & {
  catch(onrejected?: (reason: unknown) => unknown): Promise<unknown>;
  finally(onfinally?: () => void): Promise<void>;
};

export default ReSocket;
