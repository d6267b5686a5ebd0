// resocket-wasm's types in a Node project without the DOM lib (lib ES2022 only, no
// @types): `tsc --noEmit` with skipLibCheck false must accept it.
import { ReSocket, ReSocketError, ready, type ReSocketEvent, type ReSocketMessageEvent } from "resocket-wasm";

/** A WebSocket class as the `ws` package has one (declared here: this program has no DOM). */
declare class NodeWebSocket {
  constructor(url: string, protocols?: string | string[]);
  readonly readyState: number;
  send(data: string | ArrayBuffer): void;
  close(code?: number, reason?: string): void;
}

declare function log(...values: unknown[]): void;

async function main(): Promise<void> {
  await ready;
  const ws = new ReSocket("ws://127.0.0.1:8080/echo", ["chat"], { WebSocket: NodeWebSocket, reconnect: { maxAttempts: 3 } });
  ws.onopen = (e: ReSocketEvent) => log(e.type);
  ws.addEventListener("message", (e: ReSocketMessageEvent) => {
    const text: string = typeof e.data === "string" ? e.data : `${e.data.byteLength} bytes`;
    log(text, e.timeStamp);
  });
  ws.addEventListener("close", (e) => log(e.code, e.by, e.error?.code));
  // A listener of the plain event fits every type; a listener object gets the event's type.
  const onAny = (e: ReSocketEvent): void => log(e.type);
  ws.addEventListener("message", onAny);
  ws.addEventListener("custom-event", onAny);
  ws.removeEventListener("custom-event", onAny);
  ws.addEventListener("error", { handleEvent: (e) => log(e.messages.length, e.error?.code) });
  await ws.send(new Uint8Array([1, 2, 3]));
  for await (const m of ws) log(m.json<{ n: number }>().n);
  try {
    ws.close(1001);
  } catch (e) {
    if (e instanceof ReSocketError) log(e.code);
  }
}
void main;
