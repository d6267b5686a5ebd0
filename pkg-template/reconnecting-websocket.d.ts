// Types of resocket-wasm/reconnecting-websocket: reconnecting-websocket's API on resocket's
// core. A program typed against reconnecting-websocket 4.4.0 compiles with only its import
// changed: where the original's types are loose (`data` of a message is `any`, `readyState`
// a number, an event's `target` any), these are as loose. Like index.d.ts they need no DOM
// lib: the program's own Event, EventTarget, MessageEvent, Blob and URL are used where it
// has them (DOM lib, @types/node), minimal shapes otherwise.

import type { BasicEvent, BasicEventTarget, BasicListenerOptions } from "./index.js";

type Ctor = abstract new (...args: any[]) => any;
declare const EventBase: typeof globalThis extends { Event: infer E extends Ctor } ? E : new (type: string) => BasicEvent;
declare const EventTargetBase: typeof globalThis extends { EventTarget: infer T extends Ctor }
  ? T
  : new () => BasicEventTarget;
/** The program's Event (DOM lib, @types/node), or a BasicEvent. */
type PlainEvent = InstanceType<typeof EventBase>;
/** A message event where the program has no MessageEvent class. */
interface BasicMessageEvent extends BasicEvent {
  readonly data: any;
  readonly origin: string;
  readonly lastEventId: string;
}
/** The program's MessageEvent, with `data: any` as reconnecting-websocket types it. */
type AnyMessageEvent = typeof globalThis extends { MessageEvent: { prototype: infer M } } ? M : BasicMessageEvent;
/** The program's Blob, if it has one. */
type BlobObject = typeof globalThis extends { Blob: { prototype: infer B } } ? B : never;
/** The program's URL, if it has one. */
type URLObject = typeof globalThis extends { URL: { prototype: infer U } } ? U : never;

/**
 * The `open` event, and what the other events of the socket have too: an Event whose
 * `target` is typed `any`, as reconnecting-websocket's `Event` is.
 */
export type Event = PlainEvent & { readonly target: any };

/** The URL, or a function called before every attempt that returns it (or a promise of it). */
export type UrlProvider =
  | string
  | URLObject
  | (() => string | URLObject)
  | (() => Promise<string | URLObject>);

/** Subprotocols to offer (`null`: none). */
export type ProtocolsProvider = null | string | string[];

/** What `send()` takes. */
export type Message = string | ArrayBuffer | BlobObject | ArrayBufferView;

/** The options of reconnecting-websocket, with their defaults. */
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
   * Most messages queued while the link is down; beyond, a message is dropped (as the
   * original drops it). `Infinity`: no limit, as in the original.
   * @default Infinity
   */
  maxEnqueuedMessages?: number;
  /** Do not connect until `reconnect()` is called. @default false */
  startClosed?: boolean;
  /** Log what happens (prefix "RWS>"). @default false */
  debug?: boolean;
  /** The logger used when `debug` is true. @default console.log */
  debugLogger?: (...args: any[]) => void;
  /**
   * resocket's own options: only `maxMessageSize` (the largest message accepted in either
   * direction, in bytes; the originals have no limit, and neither has this class unless it
   * is given). For resocket's reconnection and queue policy, use `ReSocket`.
   */
  resocket?: { maxMessageSize?: number };
}

/** Sent on every drop of the connection and on the final close. */
export declare class CloseEvent extends EventBase {
  /** As reconnecting-websocket's: a `close` event of the class itself (`wasClean` true). */
  constructor(code?: number, reason?: string, target?: any);
  /** The socket (typed `any`, as in reconnecting-websocket). */
  readonly target: any;
  readonly code: number;
  readonly reason: string;
  readonly wasClean: boolean;
}

/** A socket error, or a failed or timed-out attempt (`message` "TIMEOUT"). */
export declare class ErrorEvent extends EventBase {
  /** As reconnecting-websocket's. */
  constructor(error: Error, target?: any);
  /** The socket (typed `any`, as in reconnecting-websocket). */
  readonly target: any;
  /**
   * What went wrong (`Error("TIMEOUT")` for a connection timeout). Typed as
   * reconnecting-websocket and partysocket type it (never null).
   */
  readonly error: Error;
  /** "TIMEOUT" for a connection timeout; otherwise the error's message. */
  readonly message: string;
}

/** The events of a {@link ReconnectingWebSocket}. */
export interface WebSocketEventMap {
  open: Event;
  message: AnyMessageEvent;
  close: CloseEvent;
  error: ErrorEvent;
}

/** An `on...` handler property. */
export type EventHandler<E> = ((event: E) => unknown) | null;

/**
 * A listener for events of type `E`: a function, or an object with `handleEvent`. Both
 * must take `E` (or a supertype of it): `handleEvent` is a property, not a method, so it
 * is checked as strictly as a function is.
 */
export type Listener<E> = ((event: E) => unknown) | { handleEvent: (event: E) => unknown };

/** A WebSocket that reconnects, with the API of reconnecting-websocket 4.x. */
export declare class ReconnectingWebSocket extends EventTargetBase {
  /**
   * Connects at once, unless `options.startClosed`.
   * @throws {ReSocketError} `invalid_url` or `invalid_option`.
   */
  constructor(url: UrlProvider, protocols?: ProtocolsProvider, options?: Options);

  static readonly CONNECTING: number;
  static readonly OPEN: number;
  static readonly CLOSING: number;
  static readonly CLOSED: number;
  readonly CONNECTING: number;
  readonly OPEN: number;
  readonly CLOSING: number;
  readonly CLOSED: number;

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
  /** readyState of the current socket: 0 CONNECTING, 1 OPEN, 2 CLOSING, 3 CLOSED. */
  readonly readyState: number;
  /** URL of the current socket ("" before the first). */
  readonly url: string;

  onopen: EventHandler<Event>;
  onmessage: EventHandler<AnyMessageEvent>;
  onclose: EventHandler<CloseEvent>;
  onerror: EventHandler<ErrorEvent>;

  /**
   * Sends now, or queues the message for the next connection.
   * @throws {ReSocketError} `encode` or `too_large`.
   */
  send(data: Message): void;
  /**
   * Closes for good (until `reconnect()`).
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  close(code?: number, reason?: string): void;
  /**
   * Closes the current link, if any, and connects again.
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
    options?: boolean | BasicListenerOptions,
  ): void;
  addEventListener(
    type: string,
    listener: Listener<PlainEvent> | null,
    options?: boolean | BasicListenerOptions,
  ): void;
  removeEventListener<K extends keyof WebSocketEventMap>(
    type: K,
    listener: Listener<WebSocketEventMap[K]>,
    options?: boolean | BasicListenerOptions,
  ): void;
  removeEventListener(
    type: string,
    listener: Listener<PlainEvent> | null,
    options?: boolean | BasicListenerOptions,
  ): void;
}

export default ReconnectingWebSocket;
