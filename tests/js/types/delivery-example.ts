// Acknowledged delivery with resocket-wasm's types; `tsc --noEmit` must accept it.
import {
  ReSocket,
  ReSocketError,
  type DeliveryOptions,
  type MessageData,
  type MessageId,
  type ReSocketAck,
  type ReSocketDeliveredEvent,
} from "resocket-wasm";

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

interface Chat {
  id?: number;
  text: string;
}

const byField: DeliveryOptions = { maxMessages: 64, maxBytes: 65536, id: "id", ack: "ack", through: "ackThrough", sequence: true, timeout: 5000 };
const byFunction: DeliveryOptions = {
  id: (data, value) => (typeof data === "string" ? data.slice(0, 8) : value === undefined ? null : 1),
  ack: (data: MessageData) => (typeof data !== "string" ? null : data.startsWith("ok:") ? data.slice(3) : data === "all" ? { through: 10 } : undefined),
};

export async function chat(url: string): Promise<void> {
  const ws = new ReSocket(url, { delivery: byField });
  const off = new ReSocket(url, { delivery: false });
  const defaults = new ReSocket(url, { delivery: true });
  const custom = new ReSocket(url, { delivery: byFunction });
  ws.addEventListener("delivered", (e) => {
    expectType<Equal<typeof e, ReSocketDeliveredEvent>>();
    const id: MessageId = e.id;
    const data: MessageData = e.data;
    console.log(id, data);
  });
  ws.ondelivered = (e) => console.log(e.id);

  const sent: void = await ws.sendJson({ text: "hi" } satisfies Chat);
  const ack = await ws.sendJson({ text: "hi" } satisfies Chat, { ack: true, timeout: 1000 });
  expectType<Equal<typeof ack, ReSocketAck>>();
  const plain = await ws.send('{"id":1}');
  expectType<Equal<typeof plain, void>>();
  const acked = await ws.send('{"id":2}', { ack: true });
  expectType<Equal<typeof acked, ReSocketAck>>();
  const flag: boolean = Math.random() > 0.5;
  const either = await ws.send('{"id":3}', { ack: flag });
  expectType<Equal<typeof either, void | ReSocketAck>>();
  const response: MessageData = await ws.request('{"id":4,"request":"time"}', { timeout: 2000 });
  const parsed = await ws.requestJson<{ ack: number; response: string }>({ request: "time" });
  expectType<Equal<typeof parsed, { ack: number; response: string }>>();
  try {
    await ws.send(new Uint8Array([1]), { ack: true });
  } catch (e) {
    if (e instanceof ReSocketError && (e.code === "ack_timeout" || e.code === "unacked" || e.code === "duplicate_id" || e.code === "invalid_id")) {
      console.warn(e.messages);
    }
  }
  const s = ws.stats();
  const counts: number[] = [s.acked, s.replayed, s.unacked, s.unackedBytes];
  console.log(sent, response, counts, ws.trySend('{"id":5}'));
  for (const w of [ws, off, defaults, custom]) w.close();
}
