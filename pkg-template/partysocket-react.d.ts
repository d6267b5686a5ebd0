// Types of resocket-wasm/partysocket/react: partysocket/react's hooks (partysocket 1.3.0).
// A program typed against `partysocket/react` compiles with only its import changed, as
// long as it uses none of PartySocket's members that are not here (`updateProperties`,
// `PartySocket.fetch`). They use nothing from React's own types, and need no DOM lib.

import {
  type CloseEvent,
  type ErrorEvent,
  type Event,
  type Options,
  type ProtocolsProvider,
  type UrlProvider,
  type WebSocketEventMap,
  WebSocket as ReconnectingWebSocket,
} from "./partysocket.js";

/** The event handler options: the latest ones are called; changing them replaces nothing. */
export interface EventHandlerOptions {
  onOpen?: (event: Event) => void;
  onMessage?: (event: WebSocketEventMap["message"]) => void;
  onClose?: (event: CloseEvent) => void;
  onError?: (event: ErrorEvent) => void;
}

/** The socket's options, and the hooks' own. */
export interface SocketOptions extends Options {
  /**
   * Whether the socket should be connected: `false` closes it, `true` again reconnects it
   * (a new socket if an option that replaces it changed meanwhile). @default true
   */
  enabled?: boolean;
  /**
   * What happens to the messages queued on a socket the hook replaces: `true` sends them
   * on the new one, `false` discards them with a warning; by default they are sent when
   * the destination is the same (for useWebSocket: always, as in partysocket).
   */
  transferEnqueuedMessages?: boolean;
}

/** The options of {@link useWebSocket}. */
export type UseWebSocketOptions = SocketOptions & EventHandlerOptions;

type Maybe<T> = T | null | undefined;
/** Query parameters of a PartyKit URL (null or undefined ones are left out). */
export type Params = Record<string, Maybe<string>>;

/** Where a {@link PartySocket} connects, and the socket's options. */
export interface PartySocketOptions extends Options {
  /** The connection id, sent as `_pk`. @default a random UUID */
  id?: string;
  /** The PartyKit host ("project.user.partykit.dev", "localhost:1999"). */
  host: string;
  room?: string;
  /** @default "main" */
  party?: string;
  /** Replaces `PREFIX/PARTY/ROOM` in the URL. */
  basePath?: string;
  /** @default "parties" */
  prefix?: string;
  /** @default "ws" for localhost and private networks, "wss" otherwise */
  protocol?: "ws" | "wss";
  protocols?: ProtocolsProvider;
  /** Appended to the room's path (must not start with "/"). */
  path?: string;
  /** Query parameters, or a function called before every attempt that returns them. */
  query?: Params | (() => Params | Promise<Params>);
  /** Do not warn about a "/" in `party` or `room`. @default false */
  disableNameValidation?: boolean;
}

/** The options of {@link usePartySocket}: `host` defaults to the page's host. */
export type UsePartySocketOptions = Omit<PartySocketOptions, "host"> &
  EventHandlerOptions &
  Pick<SocketOptions, "enabled" | "transferEnqueuedMessages"> & {
    host?: string | undefined;
  };

/** The socket of {@link usePartySocket}: a reconnecting WebSocket to a PartyKit room. */
declare class PartySocket extends ReconnectingWebSocket {
  /** The options it was made with. */
  readonly partySocketOptions: PartySocketOptions;
  /** The connection id (`_pk` of the URL). */
  readonly id: string;
  /** The room's URL, without the query. */
  readonly roomUrl: string;
  /** The party ("main" by default). */
  readonly name: string;
  readonly room: string | undefined;
  readonly host: string;
  readonly path: string;
  readonly basePath: string | undefined;
}

/**
 * A reconnecting WebSocket for the life of the component: made closed on the first render
 * (so never opened during server rendering), connected by an effect unless `startClosed`
 * or `enabled: false`, and closed on unmount. A change of `url`, `protocols` (compared as
 * JSON: a new function is no change) or a reconnection option replaces it.
 */
export declare function useWebSocket(
  url: UrlProvider,
  protocols?: ProtocolsProvider,
  options?: UseWebSocketOptions,
): ReconnectingWebSocket;

/**
 * A {@link PartySocket} for the life of the component, with the semantics of
 * {@link useWebSocket}; a change of `host`, `room`, `party`, `id`, `query`, ... replaces it.
 */
export declare function usePartySocket(options: UsePartySocketOptions): PartySocket;

export type { PartySocket };
export default usePartySocket;
