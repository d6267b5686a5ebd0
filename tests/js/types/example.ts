// A realistic use of resocket-wasm's types; `tsc --noEmit` must accept it.
import {
  ReSocket,
  ReSocketError,
  diagnostics,
  type ReSocketCloseEvent,
  type ReSocketErrorCode,
  type ReSocketMessageEvent,
  type ReSocketOptions,
  type ReSocketState,
  type ReSocketStats,
  type ShareRole,
} from "resocket-wasm";
import DefaultReSocket from "resocket-wasm";

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

interface Chat {
  from: string;
  text: string;
}

// An event the application dispatches on its socket itself, typed for its listeners.
declare module "resocket-wasm" {
  interface ReSocketEventMap {
    typing: CustomEvent<{ from: string }>;
  }
}

const options: ReSocketOptions = {
  protocols: ["chat.v2"],
  reconnect: {
    initialDelay: 250,
    factor: 1.5,
    maxDelay: 10_000,
    jitter: true,
    maxAttempts: null,
    maxElapsed: 5 * 60_000,
    connectTimeout: 5_000,
    stableAfter: 3_000,
    stopCodes: [4000, 4099],
    shouldReconnect: (code, reason) => code !== 4001 && !reason.startsWith("banned"),
  },
  queue: { maxMessages: 256, maxBytes: 512 * 1024, overflow: "drop-oldest" },
  highWaterMark: 2 * 1024 * 1024,
  lowWaterMark: 512 * 1024,
  heartbeat: { interval: 20_000, timeout: 5_000, ping: "ping", pong: null },
  closeTimeout: 2_000,
};

async function token(): Promise<string> {
  return "t0k3n";
}

export async function main(): Promise<void> {
  const ws = new ReSocket(async () => `wss://chat.example/room/1?token=${await token()}`, options);
  const plain = new DefaultReSocket(new URL("wss://chat.example/echo"), "chat.v1");
  const noReconnect = new ReSocket("/echo", { reconnect: false, heartbeat: false });

  ws.addEventListener("message", (e) => {
    expectType<Equal<typeof e, ReSocketMessageEvent>>();
    expectType<Equal<typeof e.data, string | ArrayBuffer>>();
    if (typeof e.data === "string") {
      const chat = e.json<Chat>();
      console.log(`${chat.from}: ${chat.text.toUpperCase()}`);
    } else {
      console.log(new Uint8Array(e.data).byteLength);
    }
  });
  ws.addEventListener("statechange", (e) => {
    const s: ReSocketState = e.state;
    switch (s) {
      case "connecting":
      case "open":
      case "reconnecting":
      case "closing":
      case "closed":
        break;
      default: {
        const never: never = s;
        throw new Error(never);
      }
    }
  });
  ws.addEventListener("reconnecting", (e) => {
    console.log(`retry ${e.attempt} in ${e.delayMs} ms (${e.cause}${e.code === undefined ? "" : ` ${e.code}`})`);
  });
  ws.addEventListener("close", (e: ReSocketCloseEvent) => {
    const by: "client" | "remote" | "policy" = e.by;
    console.log(e.code, e.reason, e.wasClean, by, e.error?.code);
  });
  ws.addEventListener("error", (e) => {
    for (const m of e.messages) console.log(typeof m === "string" ? m : m.byteLength);
  });
  ws.addEventListener("custom-event", (e: Event) => console.log(e.type));
  // A listener of the plain Event fits every type; a listener object gets the event's type.
  const onAny = (e: Event): void => console.log(e.type, e.timeStamp);
  ws.addEventListener("message", onAny);
  ws.addEventListener("custom-event", onAny, { once: true });
  ws.removeEventListener("message", onAny);
  ws.removeEventListener("custom-event", onAny, { capture: false });
  const generic: EventListenerOrEventListenerObject = { handleEvent: (e) => console.log(e.type) };
  ws.addEventListener("open", generic);
  ws.addEventListener("custom-event", generic);
  ws.addEventListener("close", {
    handleEvent(e) {
      expectType<Equal<typeof e, ReSocketCloseEvent>>();
    },
  });
  ws.addEventListener("typing", (e) => console.log(`${e.detail.from} is typing`));
  ws.dispatchEvent(new CustomEvent("typing", { detail: { from: "ann" } }));
  ws.onopen = function () {
    expectType<Equal<typeof this, ReSocket>>();
    console.log("open", this.url, this.protocol);
  };
  ws.onmessage = (e) => console.log(e.data);
  ws.onclose = null;

  try {
    await ws.send("hello");
    await ws.send(new Uint8Array([1, 2, 3]));
    await ws.send(new ArrayBuffer(8));
    await ws.sendJson({ from: "ann", text: "hi" } satisfies Chat);
    if (!ws.trySend(new DataView(new ArrayBuffer(4)))) await ws.flush();
  } catch (e) {
    if (e instanceof ReSocketError) {
      const code: ReSocketErrorCode = e.code;
      if (code === "queue_full" || code === "closed") console.warn(e.message);
    }
  }

  for await (const message of ws.messages()) {
    if (message.data === "bye") break;
  }
  for await (const message of plain) console.log(message.data);

  const readyState: 0 | 1 | 2 | 3 = ws.readyState;
  if (readyState === ReSocket.OPEN && ws.readyState === ws.OPEN) console.log("open");
  const stats: ReSocketStats = ws.stats();
  const rtt: number | null = stats.lastRttMs;
  console.log(rtt, ws.bufferedAmount + ws.queuedAmount, ws.retryCount, diagnostics().liveSockets);

  try {
    ws.close(4000, "done");
  } catch (e) {
    if (e instanceof ReSocketError && e.code === "invalid_close_code") throw e;
  }
  noReconnect.reconnect();
  noReconnect.free();
}

// One connection shared by every tab of the application.
export function shared(url: string): ShareRole | null {
  const ws = new ReSocket(url, { share: "chat", reconnect: { maxAttempts: 10 } });
  ws.addEventListener("statechange", () => console.log(ws.state, ws.shareRole));
  return ws.shareRole;
}
