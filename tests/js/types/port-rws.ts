// A program written and typed against reconnecting-websocket 4.4.0, importing the original.
// scripts/test-js.sh compiles it as it is (against the original's published .d.ts) and,
// with only its import changed to resocket-wasm/reconnecting-websocket, against ours: both
// must be accepted. It uses the original's API as its users do: options, the `on...`
// properties, listeners typed by event, the events' fields, and the socket's properties.
import ReconnectingWebSocket, {
  type CloseEvent,
  type ErrorEvent,
  type Event,
  type Message,
  type Options,
  type UrlProvider,
} from "reconnecting-websocket";

interface Update {
  kind: "update";
  id: number;
}

declare function getToken(): Promise<string>;
declare const NodeWebSocket: any;

const options: Options = {
  WebSocket: typeof WebSocket === "function" ? WebSocket : NodeWebSocket,
  maxReconnectionDelay: 10000,
  minReconnectionDelay: 1000 + Math.random() * 4000,
  reconnectionDelayGrowFactor: 1.3,
  minUptime: 5000,
  connectionTimeout: 4000,
  maxRetries: Infinity,
  maxEnqueuedMessages: 100,
  startClosed: false,
  debug: false,
};

const urls = ["wss://a.example/", "wss://b.example/"];
let next = 0;
const roundRobin: UrlProvider = () => urls[next++ % urls.length];
const withToken: UrlProvider = async () => `wss://a.example/?token=${await getToken()}`;

export function connect(): ReconnectingWebSocket {
  const rws = new ReconnectingWebSocket("wss://a.example/feed", [], options);
  new ReconnectingWebSocket(roundRobin, "feed.v1").close();
  new ReconnectingWebSocket(withToken, ["feed.v2", "feed.v1"], { startClosed: true }).reconnect();
  new ReconnectingWebSocket("wss://a.example/").close(1000);

  rws.binaryType = "arraybuffer";
  let last: number = rws.readyState;
  // The data of a message is `any`: JSON.parse takes it as it is.
  rws.onmessage = (event) => {
    const update: Update = JSON.parse(event.data);
    console.log(update.id, event.origin);
  };
  rws.onopen = (event: Event) => {
    console.log(event.type, event.target.url);
    rws.send(JSON.stringify({ hello: true }));
  };
  rws.onclose = (event: CloseEvent) => {
    console.log(event.code, event.reason, event.wasClean, event.target.retryCount);
  };
  rws.onerror = (event: ErrorEvent) => {
    console.warn(event.message, event.error.message, event.type);
    if (event.message === "TIMEOUT") last = rws.CLOSED;
  };
  // A handler wrapped by another, and called without its socket.
  const previous = rws.onmessage;
  rws.onmessage = (event: MessageEvent) => {
    previous?.(event);
    console.log(String(event.data).length);
  };
  rws.onclose = null;

  const onMessage = (event: MessageEvent<string>) => console.log(event.data.toUpperCase());
  rws.addEventListener("message", onMessage);
  rws.removeEventListener("message", onMessage);
  rws.addEventListener("open", () => console.log("open", rws.url, rws.protocol, rws.extensions));
  rws.addEventListener("close", (event) => console.log(event.code, rws.retryCount, rws.bufferedAmount));
  rws.addEventListener("error", (event) => console.log(event.error.name, event.message));
  rws.addEventListener("message", (event) => console.log((event.data as string).length));

  const queued: Message[] = ["text", new ArrayBuffer(4), new Uint8Array([1, 2]), new Blob(["b"])];
  for (const m of queued) rws.send(m);
  const binary: BinaryType = rws.binaryType;
  if (rws.readyState === ReconnectingWebSocket.OPEN || rws.readyState === rws.CONNECTING) last = rws.readyState;
  const states: number[] = [ReconnectingWebSocket.CONNECTING, ReconnectingWebSocket.CLOSING, rws.OPEN, rws.CLOSING];
  console.log(binary, last, states, rws.retryCount + rws.bufferedAmount);
  rws.reconnect();
  rws.reconnect(4000, "switching servers");
  return rws;
}
