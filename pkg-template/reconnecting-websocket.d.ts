// Types of resocket-wasm/reconnecting-websocket: reconnecting-websocket's API on resocket's core.

import type { ReSocketError, ReSocketOptions } from "./index.js";

/** The URL, or a function called before every attempt that returns it (or a promise of it). */
export type UrlProvider = string | URL | (() => string | URL) | (() => Promise<string | URL>);

/** Subprotocols to offer (`null`: none). */
export type ProtocolsProvider = null | string | string[];

/** What `send()` takes. */
export type Message = string | ArrayBuffer | Blob | ArrayBufferView;

/** The options of reconnecting-websocket (and partysocket), with their defaults. */
export interface Options {
  /** The WebSocket class to open sockets with. @default globalThis.WebSocket */
  WebSocket?: new (url: string, protocols?: string | string[]) => object;
  /** Ceiling of the delay between reconnections, in ms. @default 10000 */
  maxReconnectionDelay?: number;
  /** Delay bound before the first retry, in ms. @default 1000 + Math.random() * 4000 (drawn once per page) */
  minReconnectionDelay?: number;
  /** Growth of the delay bound per retry (at least 1). @default 1.3 */
  reconnectionDelayGrowFactor?: number;
  /** Time in ms a connection must stay open to reset `retryCount`. @default 5000 */
  minUptime?: number;
  /** An attempt not open after this many ms is given up and retried. @default 4000 */
  connectionTimeout?: number;
  /** Retries after the first attempt before giving up (0: none). @default Infinity */
  maxRetries?: number;
  /**
   * Most messages queued while the link is down, and most sends waiting behind a Blob
   * being read; `Infinity` keeps resocket's bounds (1024 messages, 1 MiB). A message the
   * queue cannot take comes back in an `error` event.
   * @default Infinity
   */
  maxEnqueuedMessages?: number;
  /** Do not connect until `reconnect()` is called. @default false */
  startClosed?: boolean;
  /** Log what happens (prefix "RWS>"). @default false */
  debug?: boolean;
  /** The logger used when `debug` is true. @default console.log */
  debugLogger?: (...args: unknown[]) => void;
  /**
   * resocket's own options, over the ones mapped from the above (`reconnect` and `queue`
   * are merged field by field), e.g. `{ reconnect: { jitter: false, stopCodes: [4000, 4009] } }`.
   */
  resocket?: Omit<ReSocketOptions, "protocols" | "WebSocket" | "highWaterMark" | "lowWaterMark">;
}

/** Sent on every drop of the connection and on the final close. */
export declare class CloseEvent extends Event {
  constructor(type: string, init?: { code?: number; reason?: string; wasClean?: boolean });
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/**
 * The browser's error on a socket (`error` null), a failed or timed-out attempt, or
 * messages handed back (`error.code` "queue_full", "dropped", "unsent", "closed").
 */
export declare class ErrorEvent extends Event {
  constructor(type: string, init?: { error?: Error | null; message?: string });
  readonly error: ReSocketError | null;
  /** "TIMEOUT" for a connection timeout; otherwise the error's message. */
  readonly message: string;
  /** The messages this error hands back (never sent). */
  readonly messages: Message[];
}

/** The events of a {@link ReconnectingWebSocket}. */
export interface WebSocketEventMap {
  open: Event;
  message: MessageEvent<string | ArrayBuffer | Blob>;
  close: CloseEvent;
  error: ErrorEvent;
}

/** An `on...` handler property. */
export type EventHandler<E> = ((this: ReconnectingWebSocket, event: E) => unknown) | null;

/**
 * A listener for events of type `E`: a function, or an object with `handleEvent`. Both
 * must take `E` (or a supertype of it): `handleEvent` is a property, not a method, so it
 * is checked as strictly as a function is.
 */
export type Listener<E> = ((this: ReconnectingWebSocket, event: E) => unknown) | { handleEvent: (event: E) => unknown };

/** A WebSocket that reconnects, with the API of reconnecting-websocket 4.x. */
export declare class ReconnectingWebSocket extends EventTarget {
  /**
   * Connects at once, unless `options.startClosed`.
   * @throws {ReSocketError} `invalid_url` or `invalid_option`.
   */
  constructor(url: UrlProvider, protocols?: ProtocolsProvider, options?: Options);

  static readonly CONNECTING: 0;
  static readonly OPEN: 1;
  static readonly CLOSING: 2;
  static readonly CLOSED: 3;
  readonly CONNECTING: 0;
  readonly OPEN: 1;
  readonly CLOSING: 2;
  readonly CLOSED: 3;

  /** The type of binary messages' `data`. @default "blob" */
  binaryType: "blob" | "arraybuffer";
  /** Retries made in the current outage. */
  readonly retryCount: number;
  /** Bytes queued for the next connection plus those the browser has not sent yet. */
  readonly bufferedAmount: number;
  /** Extensions the server selected. */
  readonly extensions: string;
  /** Subprotocol the server selected. */
  readonly protocol: string;
  /** readyState of the current socket. */
  readonly readyState: 0 | 1 | 2 | 3;
  /** URL of the latest attempt ("" before the first). */
  readonly url: string;
  /** Whether a drop is followed by a reconnection. */
  readonly shouldReconnect: boolean;

  onopen: EventHandler<Event>;
  onmessage: EventHandler<MessageEvent<string | ArrayBuffer | Blob>>;
  onclose: EventHandler<CloseEvent>;
  onerror: EventHandler<ErrorEvent>;

  /**
   * Sends now, or queues the message for the next connection. A message the queue cannot
   * take is handed back in an `error` event. A Blob's bytes are read first; the sends made
   * meanwhile wait behind it, in order, within the queue's bounds (`maxEnqueuedMessages`,
   * or 1024 messages, and 1 MiB), and one beyond them is handed back the same way
   * (`"queue_full"`, or the oldest waiting ones as `"dropped"` with `drop-oldest`).
   * @throws {ReSocketError} `encode` or `too_large`.
   */
  send(data: Message): void;
  /**
   * Closes for good (until `reconnect()`).
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  close(code?: number, reason?: string): void;
  /**
   * Drops the current link, if any, and connects again now.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  reconnect(code?: number, reason?: string): void;

  /**
   * A listener for `open`, `message`, `close` or `error` receives that event's type; any
   * other type takes a listener of the plain `Event`, so a `MessageEvent` listener on a
   * misspelt type such as `"mesage"` is a type error.
   */
  addEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: Listener<WebSocketEventMap[K]>,
    options?: boolean | AddEventListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: Listener<Event> | null,
    options?: boolean | AddEventListenerOptions,
  ): void;
  removeEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: Listener<WebSocketEventMap[K]>,
    options?: boolean | EventListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: Listener<Event> | null,
    options?: boolean | EventListenerOptions,
  ): void;
}

export default ReconnectingWebSocket;
