// Types of resocket-wasm/partysocket: partysocket/ws's reconnecting WebSocket (partysocket
// 1.3) on resocket's core. A program typed against `partysocket/ws` (or the `WebSocket`
// export of `partysocket`) compiles with only its import changed. Like index.d.ts they need
// no DOM lib.

import {
  ReconnectingWebSocket as Base,
  CloseEvent,
  ErrorEvent,
  type Event,
  type EventHandler,
  type Listener,
  type Options as BaseOptions,
  type UrlProvider,
  type WebSocketEventMap,
} from "./reconnecting-websocket.js";

export { CloseEvent, ErrorEvent, type Event, type EventHandler, type Listener, type UrlProvider, type WebSocketEventMap };

/** The program's Blob, if it has one. */
type BlobObject = typeof globalThis extends { Blob: { prototype: infer B } } ? B : never;

/**
 * What `send()` takes, and what `drainQueuedMessages()` returns: a view is one over an
 * ArrayBuffer (not a SharedArrayBuffer), as partysocket types it.
 */
export type Message = string | ArrayBuffer | BlobObject | (ArrayBufferView & { readonly buffer: ArrayBuffer });

/**
 * Subprotocols to offer (`null`: none), or a function called before every attempt that
 * returns them (or a promise of them).
 */
export type ProtocolsProvider =
  | null
  | string
  | string[]
  | (() => string | string[] | null)
  | (() => Promise<string | string[] | null>);

/** The options of partysocket's WebSocket: reconnecting-websocket's, and these. */
export interface Options extends BaseOptions {
  /**
   * Called with the `close` event of a connection that closed: return false to stay
   * closed instead of reconnecting. @default () => true
   */
  shouldReconnectOnClose?: (event: CloseEvent) => boolean;
}

/** A WebSocket that reconnects, with the API of partysocket 1.3's `partysocket/ws`. */
declare class ReconnectingWebSocket extends Base {
  /**
   * Connects at once, unless `options.startClosed`.
   * @throws {ReSocketError} `invalid_url` or `invalid_option`.
   */
  constructor(url: UrlProvider, protocols?: ProtocolsProvider, options?: Options);
  /**
   * Sends now, or queues the message for the next connection.
   * @returns `true` if the message went out on an open connection; `false` if it was
   *   queued for the next one, or dropped (a full queue, as partysocket drops it).
   * @throws {ReSocketError} `encode` or `too_large`.
   */
  send(data: Message): boolean;
  /**
   * Removes and returns the messages queued by `send()` and never sent, e.g. to send them
   * on a socket that replaces this one.
   */
  drainQueuedMessages(): Message[];
  /** Whether a drop is followed by a reconnection. */
  readonly shouldReconnect: boolean;
}

export { ReconnectingWebSocket as WebSocket };
export default ReconnectingWebSocket;
