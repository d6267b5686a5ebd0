// resocket-wasm/reconnecting-websocket, resocket-wasm/partysocket and
// resocket-wasm/partysocket/react in a Node project without the DOM lib (lib ES2022 only,
// no @types), as a server or a test suite with `ws` uses them: `tsc --noEmit` with
// skipLibCheck false must accept it.
import ReconnectingWebSocket, { type CloseEvent, type ErrorEvent, type Options } from "resocket-wasm/reconnecting-websocket";
import PartyWebSocket, { type Message, type ProtocolsProvider } from "resocket-wasm/partysocket";
import { useWebSocket, type UseWebSocketOptions } from "resocket-wasm/partysocket/react";

/** A WebSocket class as the `ws` package has one (declared here: this program has no DOM). */
declare class NodeWebSocket {
  constructor(url: string, protocols?: string | string[]);
  readonly readyState: number;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

declare function log(...values: unknown[]): void;

const options: Options = { WebSocket: NodeWebSocket, maxRetries: 3, connectionTimeout: 1000, debugLogger: log };
const rws = new ReconnectingWebSocket("ws://127.0.0.1:8080/echo", [], options);
rws.onmessage = (e) => log(JSON.parse(e.data), e.type);
rws.onopen = (e) => log(e.type, e.target.url);
rws.onclose = (e: CloseEvent) => log(e.code, e.reason, e.wasClean);
rws.onerror = (e: ErrorEvent) => log(e.message, e.error.message);
rws.addEventListener("message", (e) => log(e.data));
rws.addEventListener("close", (e) => log(e.code, rws.retryCount, rws.bufferedAmount));
rws.send(new Uint8Array([1, 2, 3]));
rws.reconnect(4000, "again");

const protocols: ProtocolsProvider = async () => ["chat.v1"];
const party = new PartyWebSocket(async () => "ws://127.0.0.1:8080/echo", protocols, {
  WebSocket: NodeWebSocket,
  shouldReconnectOnClose: (e) => e.code !== 4000,
});
const sent: boolean = party.send("hello");
const queued: Message[] = party.drainQueuedMessages();
log(sent, queued.length, party.readyState === PartyWebSocket.OPEN);
party.close(1000, "bye");

const hookOptions: UseWebSocketOptions = {
  WebSocket: NodeWebSocket,
  enabled: false,
  onMessage: (e) => log(JSON.parse(e.data)),
  onClose: (e) => log(e.code),
  onError: (e) => log(e.error.message),
};
export const useFeed = (): PartyWebSocket => useWebSocket("ws://127.0.0.1:8080/feed", null, hookOptions);
