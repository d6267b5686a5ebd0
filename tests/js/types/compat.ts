// A realistic use of resocket-wasm/reconnecting-websocket and resocket-wasm/partysocket, as
// code written for reconnecting-websocket and partysocket/ws uses them; `tsc` must accept it.
import ReconnectingWebSocket, {
  ReconnectingWebSocket as NamedReconnectingWebSocket,
  CloseEvent,
  ErrorEvent,
  type Options,
} from "resocket-wasm/reconnecting-websocket";
import PartySocket, { WebSocket as PartyWebSocket, type Options as PartyOptions } from "resocket-wasm/partysocket";

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

expectType<Equal<typeof NamedReconnectingWebSocket, typeof ReconnectingWebSocket>>();
expectType<Equal<typeof PartyWebSocket, typeof PartySocket>>();
// partysocket's class is reconnecting-websocket's with partysocket 1.3's additions.
const asRws: ReconnectingWebSocket = new PartySocket("wss://chat.example/");
const partyOptions: PartyOptions = { shouldReconnectOnClose: (e) => e.code !== 4001 };
const rwsOptions: Options = partyOptions;

const options: Options = {
  maxReconnectionDelay: 10_000,
  minReconnectionDelay: 1000 + Math.random() * 4000,
  reconnectionDelayGrowFactor: 1.3,
  minUptime: 5000,
  connectionTimeout: 4000,
  maxRetries: Infinity,
  maxEnqueuedMessages: 100,
  startClosed: false,
  debug: false,
  debugLogger: (...args) => console.debug(...args),
  WebSocket: globalThis.WebSocket,
  resocket: { maxMessageSize: 1 << 20 },
};

export function main(getToken: () => Promise<string>): void {
  const rws = new ReconnectingWebSocket("wss://chat.example/room", [], options);
  const withProvider = new ReconnectingWebSocket(async () => `wss://chat.example/?t=${await getToken()}`);
  const party = new PartyWebSocket(() => new URL("wss://chat.example/"), "chat.v1", { startClosed: true });
  const plain = new NamedReconnectingWebSocket("wss://chat.example/", null);

  rws.binaryType = "arraybuffer";
  rws.onopen = (event) => {
    expectType<Equal<typeof event, Event & { readonly target: any }>>();
    rws.send("hello");
  };
  rws.onmessage = (event) => {
    const data: string | ArrayBuffer | Blob = event.data;
    if (typeof data === "string") console.log(data.toUpperCase());
    else if (data instanceof Blob) void data.arrayBuffer();
    else console.log(data.byteLength);
  };
  rws.onclose = (event) => console.log(event.code, event.reason, event.wasClean);
  rws.onerror = (event) => {
    const error: Error = event.error;
    if (event.message === "TIMEOUT") console.warn("timeout", error.message);
  };
  rws.onclose = null;
  rws.addEventListener("close", (e) => {
    expectType<Equal<typeof e, CloseEvent>>();
    if (e.code === 1000) console.log("closed", rws.retryCount);
  });
  rws.addEventListener("error", (e) => {
    expectType<Equal<typeof e, ErrorEvent>>();
  });
  const onMessage = (e: MessageEvent) => console.log(e.data);
  rws.addEventListener("message", onMessage, { once: true });
  rws.removeEventListener("message", onMessage);
  rws.dispatchEvent(new Event("open"));
  // A listener of the plain Event fits every type; a listener object gets the event's type.
  const onAny = (e: Event) => console.log(e.type);
  rws.addEventListener("open", onAny);
  rws.addEventListener("custom-event", onAny);
  rws.removeEventListener("custom-event", onAny);
  const generic: EventListenerOrEventListenerObject = { handleEvent: (e) => console.log(e.type) };
  rws.addEventListener("close", generic);
  rws.addEventListener("custom-event", generic);
  rws.addEventListener("message", {
    handleEvent(e) {
      expectType<Equal<typeof e, MessageEvent>>();
    },
  });

  rws.send("text");
  rws.send(new Uint8Array([1, 2, 3]));
  rws.send(new ArrayBuffer(8));
  rws.send(new Blob(["blob"]));
  const state: number = rws.readyState;
  if (state === ReconnectingWebSocket.OPEN && rws.readyState === rws.OPEN) console.log(rws.url, rws.protocol, rws.extensions);
  const binaryType: "blob" | "arraybuffer" = rws.binaryType;
  console.log(rws.bufferedAmount + rws.retryCount, party.shouldReconnect, binaryType);
  rws.reconnect();
  rws.reconnect(4000, "again");
  rws.close();
  rws.close(1000, "bye");
  party.reconnect();
  if (!party.send("hello")) console.log("queued", party.drainQueuedMessages().length);
  console.log(asRws.url, rwsOptions);
  withProvider.close();
  plain.close();
  console.log(new CloseEvent(1000, "done", rws).code, new ErrorEvent(new Error("TIMEOUT"), rws).message);
}
