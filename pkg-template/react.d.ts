// Types of resocket-wasm/react. They use nothing from React's own types, so they check
// the same with or without @types/react installed (and, like index.d.ts, need no DOM lib).

import type {
  MessageData,
  ReSocket,
  ReSocketAck,
  ReSocketDeliveredEvent,
  RequestOptions,
  SendOptions,
  ReSocketCloseEvent,
  ReSocketErrorEvent,
  ReSocketEvent,
  ReSocketMessageEvent,
  ReSocketOptions,
  ReSocketState,
  ReadyState,
  SendData,
  UrlSource,
} from "./index.js";

/** The options of {@link useReSocket}: those of `ReSocket`, and the event callbacks. */
export interface UseReSocketOptions extends ReSocketOptions {
  /** Every message, in order. The latest callback is used; changing it does not reconnect. */
  onMessage?: ((event: ReSocketMessageEvent) => void) | undefined;
  /** The link is open (after every reconnect too). */
  onOpen?: ((event: ReSocketEvent) => void) | undefined;
  /**
   * The socket is closed for good while the hook uses it: by `close()`, by the server or
   * the reconnection policy, or (code 1006, `error` set) because the url or an option was
   * invalid. Not called when the hook closes the socket itself on unmount or a url change.
   */
  onClose?: ((event: ReSocketCloseEvent) => void) | undefined;
  /** The socket's `error` events (a browser error, or messages handed back). */
  onError?: ((event: ReSocketErrorEvent) => void) | undefined;
  /** Each tracked message the peer acknowledged (acknowledged delivery, option `delivery`). */
  onDelivered?: ((event: ReSocketDeliveredEvent) => void) | undefined;
}

/** What {@link useReSocket} returns; a new object only when a value changes. */
export interface UseReSocketResult {
  /** The current socket; `null` before the first effect, on the server, and with no url. */
  readonly socket: ReSocket | null;
  /** The connection state: "connecting" on the first render, "closed" without a socket. */
  readonly state: ReSocketState;
  /** `readyState` of the current browser socket (0 on the first render, 3 without a socket). */
  readonly readyState: ReadyState;
  /** `bufferedAmount` of the socket, re-read after events and sends and while it drains. */
  readonly bufferedAmount: number;
  /** Bytes in the outbound queue, re-read after events and sends and while they drain. */
  readonly queuedAmount: number;
  /** Retries made in the current outage. */
  readonly retryCount: number;
  /**
   * Tracked messages not yet acknowledged (acknowledged delivery; 0 without it), re-read
   * after every send and event, never polled.
   */
  readonly unacked: number;
  /**
   * `socket.send()`, the same function for the life of the component. Before the socket
   * exists the message waits for it; with no socket to come (unmounted, no url) it
   * rejects with code `closed`. The messages waiting for the socket are bounded as its
   * queue is (`queue.maxMessages`, 1024, and `queue.maxBytes`, 1 MiB, by default): one
   * that does not fit rejects at once with code `queue_full`, or, with
   * `queue.overflow: "drop-oldest"`, the oldest waiting ones reject with code `dropped`;
   * the error's `messages` holds the message.
   */
  readonly send: {
    (data: SendData, options?: SendOptions & { ack?: false }): Promise<void>;
    /** Resolves when the peer acknowledges the message (see `ReSocket.send`). */
    (data: SendData, options: SendOptions & { ack: true }): Promise<ReSocketAck>;
    (data: SendData, options?: SendOptions): Promise<void | ReSocketAck>;
  };
  /**
   * `socket.sendJson()`, stable like `send` (the value is encoded at once for the bounds;
   * under acknowledged delivery it is encoded again when the socket takes it).
   */
  readonly sendJson: {
    (value: unknown, options?: SendOptions & { ack?: false }): Promise<void>;
    (value: unknown, options: SendOptions & { ack: true }): Promise<ReSocketAck>;
    (value: unknown, options?: SendOptions): Promise<void | ReSocketAck>;
  };
  /** `socket.request()`, stable like `send`: resolves with the acknowledging message's data. */
  readonly request: (data: SendData, options?: RequestOptions) => Promise<MessageData>;
  /** `socket.requestJson()`, stable like `send`: resolves with the acknowledging message parsed. */
  readonly requestJson: <T = unknown>(value: unknown, options?: RequestOptions) => Promise<T>;
  /**
   * `socket.trySend()`, stable like `send`: false while the socket does not exist yet;
   * throws `closed` when none is to come.
   */
  readonly trySend: (data: SendData) => boolean;
  /**
   * `socket.close()`, stable like `send`: closes the current socket for good (no-op
   * without one). A new `url` or a remount opens a new one.
   * @throws {ReSocketError} `invalid_close_code` / `invalid_close_reason`.
   */
  readonly close: (code?: number, reason?: unknown) => void;
}

/**
 * How often, in ms, the byte counts and the retry count are re-read while they can change
 * without an event. Nothing is polled while the socket is idle.
 */
export declare const POLL_MS: number;

/**
 * A `ReSocket` for the life of a component, with its state as React state (React 18 or
 * later). The socket is opened in an effect, so never during server rendering, and closed
 * on unmount; a new `url` (compared as text) reconnects, a new function `url` does not;
 * the socket options are read when the socket is opened. StrictMode's second mount takes
 * over the first mount's socket: one connection.
 *
 * @param url where to connect, or `null` / `undefined` to open nothing (state "closed").
 * @param options the `ReSocket` options and the event callbacks.
 */
export declare function useReSocket(url: UrlSource | null | undefined, options?: UseReSocketOptions): UseReSocketResult;
