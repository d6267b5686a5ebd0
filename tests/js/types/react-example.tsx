// A realistic use of resocket-wasm/react's types, with React's own (@types/react);
// `tsc --noEmit` must accept it.
import { useState, type ReactElement } from "react";
import type { ReSocket, ReSocketMessageEvent, ReSocketState, SendData } from "resocket-wasm";
import { POLL_MS, useReSocket, type UseReSocketOptions, type UseReSocketResult } from "resocket-wasm/react";

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}

interface Line {
  from: string;
  text: string;
}

declare function freshToken(): Promise<string>;

export function ChatRoom({ room, signedIn }: { room: string; signedIn: boolean }): ReactElement {
  const [lines, setLines] = useState<Line[]>([]);
  const options: UseReSocketOptions = {
    reconnect: { maxAttempts: 20, initialDelay: 250 },
    heartbeat: { interval: 20_000 },
    onMessage: (e) => {
      expectType<Equal<typeof e, ReSocketMessageEvent>>();
      setLines((l) => [...l, e.json<Line>()]);
    },
    onOpen: (e) => console.log(e.type),
    onClose: (e) => console.log(e.code, e.by, e.error?.code),
    onError: (e) => console.log(e.messages.length),
  };
  const chat: UseReSocketResult = useReSocket(signedIn ? `/chat?room=${encodeURIComponent(room)}` : null, options);
  const { socket, state, readyState, bufferedAmount, queuedAmount, retryCount, send, sendJson, trySend, close } = chat;
  expectType<Equal<typeof socket, ReSocket | null>>();
  expectType<Equal<typeof state, ReSocketState>>();
  expectType<Equal<typeof readyState, 0 | 1 | 2 | 3>>();
  expectType<Equal<typeof send, ReSocket["send"]>>();
  const sent = send(new Uint8Array([1]) satisfies SendData);
  expectType<Equal<typeof sent, Promise<void>>>();
  expectType<Equal<ReturnType<typeof trySend>, boolean>>();

  // A URL object, a provider function and no url at all are accepted too.
  useReSocket(new URL("wss://feed.example/"), { protocols: "feed.v1" });
  useReSocket(async () => `wss://feed.example/?token=${await freshToken()}`);
  useReSocket(undefined);

  const say = async (text: string): Promise<void> => {
    await send(text);
    await sendJson({ from: "me", text } satisfies Line);
    if (!trySend(new Uint8Array([1]))) await socket?.flush();
  };
  const busy = bufferedAmount + queuedAmount > 0;
  return (
    <section>
      <p>
        {state} ({readyState}), retry {retryCount}, {busy ? "sending" : "idle"}, polled every {POLL_MS} ms
      </p>
      <ul>
        {lines.map((l, i) => (
          <li key={i}>
            {l.from}: {l.text}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => void say("hello")} disabled={state !== "open"}>
        say hello
      </button>
      <button type="button" onClick={() => close(1000, "bye")}>
        leave
      </button>
    </section>
  );
}

/** A chat that shows "sent", then "delivered", per message (acknowledged delivery). */
export function DeliveredChat({ url }: { url: string }): ReactElement {
  const [marks, setMarks] = useState<Record<string, "sent" | "delivered">>({});
  const { unacked, sendJson, request, requestJson } = useReSocket(url, {
    delivery: { maxMessages: 64, sequence: true, timeout: 10_000 },
    onDelivered: (e) => setMarks((m) => ({ ...m, [String(e.id)]: "delivered" })),
  });
  expectType<Equal<typeof unacked, number>>();
  const say = async (id: string, text: string): Promise<void> => {
    setMarks((m) => ({ ...m, [id]: "sent" }));
    const ack = await sendJson({ id, text }, { ack: true });
    expectType<Equal<typeof ack.id, string | number>>();
    const plain = await sendJson({ text });
    expectType<Equal<typeof plain, void>>();
    const answer = await request(JSON.stringify({ id: `${id}-q`, request: text }), { timeout: 1000 });
    const parsed = await requestJson<{ response: string }>({ request: text });
    console.log(answer, parsed.response);
  };
  return (
    <p onClick={() => void say("a", "hi")}>
      {unacked} waiting; {Object.keys(marks).length} shown
    </p>
  );
}
