// A program written and typed against partysocket 1.3.0 (`partysocket/ws` and the
// `WebSocket` export of `partysocket`), importing the original. scripts/test-js.sh
// compiles it as it is (against partysocket's published .d.ts) and, with only its imports
// changed to resocket-wasm/partysocket, against ours: both must be accepted.
import ReconnectingWebSocket, {
  type CloseEvent,
  type ErrorEvent,
  type Message,
  type Options,
  type ProtocolsProvider,
  type UrlProvider,
  type WebSocketEventMap,
} from "partysocket/ws";
import { WebSocket } from "partysocket";

declare function getToken(): Promise<string>;
declare function pickProtocol(): Promise<string | null>;

const options: Options = {
  maxRetries: 10,
  connectionTimeout: 1000,
  maxEnqueuedMessages: 50,
  startClosed: false,
  debug: true,
  debugLogger: (message: string, ...rest: unknown[]) => console.debug(message, ...rest),
  shouldReconnectOnClose: (event: CloseEvent) => event.code !== 4000 && event.reason !== "banned",
};

const url: UrlProvider = async () => `wss://party.example/?token=${await getToken()}`;
const protocols: ProtocolsProvider[] = [
  null,
  "p1",
  ["p1", "p2"],
  () => "p3",
  () => null,
  async () => ["p4"],
  pickProtocol,
];

export function connect(): boolean {
  const ws = new ReconnectingWebSocket(url, protocols[1], options);
  const plain = new WebSocket("wss://party.example/", null);
  const round = new WebSocket("wss://party.example/", () => ["v2", "v1"], { startClosed: true });

  ws.onopen = (event) => console.log(event.type);
  ws.onmessage = (event) => console.log(JSON.parse(event.data).kind);
  ws.onclose = (event) => console.log(event.code, event.reason, event.wasClean);
  ws.onerror = (event) => console.warn(event.message, event.error.stack);
  ws.addEventListener("message", (event: MessageEvent<string>) => console.log(event.data.length));
  ws.addEventListener("close", (event) => console.log(event.code, ws.retryCount, ws.shouldReconnect));
  ws.addEventListener("error", (event: WebSocketEventMap["error"]) => console.log(event.message));
  const onOpen = (event: Event) => console.log(event.type);
  ws.addEventListener("open", onOpen, { once: true });
  ws.removeEventListener("open", onOpen);
  const listener: EventListenerOrEventListenerObject = { handleEvent: (event) => console.log(event.type) };
  ws.addEventListener("custom", listener);
  ws.dispatchEvent(new Event("custom"));

  // send() says whether the message went out at once.
  const sentNow: boolean = ws.send("hello");
  let buffered = 0;
  if (!plain.send(new Uint8Array([1, 2, 3]))) buffered += 1;
  // Messages never sent move to a replacement socket.
  const pending: Message[] = ws.drainQueuedMessages();
  for (const m of pending) round.send(m);
  const state: number = ws.readyState;
  console.log(state === WebSocket.OPEN, ws.bufferedAmount, ws.url, ws.protocol, ws.extensions, ws.binaryType, buffered);
  ws.close(1000, "bye");
  round.reconnect(4001, "again");
  return sentNow;
}

// A handler written for the original's event types fits the socket's handler properties.
export const onClose: (event: CloseEvent) => void = (event) => console.log(event.code);
export const onError: ((event: ErrorEvent) => void) | null = null;
export function attach(ws: ReconnectingWebSocket): void {
  ws.onclose = onClose;
  ws.onerror = onError;
}
