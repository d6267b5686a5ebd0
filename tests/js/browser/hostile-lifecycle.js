// Hardening tests of resocket-wasm (see hostile.js): tables: after close() and free().

import { ReSocket } from "resocket-wasm";
import { tag, sleep, show, eq, withTimeout, until, once, throws, rejectsNoThrow, track, waitOpen, echoOn, readAll } from "./hostile-harness.js";
import { echoUrl } from "./hostile-input.js";

export async function openedSocket(ctx, url = echoUrl(ctx), options) {
  const ws = ctx.make(url, options);
  const t = track(ws);
  await waitOpen(t);
  return [ws, t];
}

export const LIFECYCLE_CASES = [
  {
    name: "reconnect() after close() throws closed",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      const closed = once(ws, "close");
      ws.close();
      throws(() => ws.reconnect(), "closed");
      await closed;
      throws(() => ws.reconnect(), "closed");
    },
  },
  {
    name: "after close(): send, sendJson and flush return rejected promises, trySend throws",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      const closed = once(ws, "close");
      ws.close();
      await closed;
      await rejectsNoThrow(() => ws.send("late"), "closed");
      await rejectsNoThrow(() => ws.sendJson({ late: true }), "closed");
      await rejectsNoThrow(() => ws.flush(), "closed");
      throws(() => ws.trySend("late"), "closed");
    },
  },
  {
    name: "after free(): send rejects closed",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      await rejectsNoThrow(() => ws.send("x"), "closed");
    },
  },
  {
    name: "after free(): sendJson rejects closed",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      await rejectsNoThrow(() => ws.sendJson({ x: 1 }), "closed");
    },
  },
  {
    name: "after free(): flush rejects closed",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      await rejectsNoThrow(() => ws.flush(), "closed");
    },
  },
  {
    name: "after free(): trySend throws closed",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      throws(() => ws.trySend("x"), "closed");
    },
  },
  {
    name: "after free(): close() is a no-op",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      ws.close();
      ws.close(1000, "bye");
      ws.close(4000);
    },
  },
  {
    name: "after free(): reconnect throws closed",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      throws(() => ws.reconnect(), "closed");
    },
  },
  {
    name: "after free(): getters keep their final values",
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx, `/echo?tag=${ctx.tag}`, "chat.v1");
      await echoOn(ws, t, "one");
      const before = readAll(ws);
      ws.free();
      const after = readAll(ws);
      eq(
        [after.state, after.readyState, after.bufferedAmount, after.queuedAmount, after.url, after.protocol, after.binaryType],
        ["closed", ReSocket.CLOSED, 0, 0, before.url, "chat.v1", "arraybuffer"],
        "getters after free()",
      );
      eq([after.stats.messagesIn, after.stats.messagesOut], [1, 1], "stats() after free()");
      eq(show(readAll(ws)), show(after), "the same values again");
    },
  },
  {
    name: "free() twice is a no-op",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      ws.free();
      ws.free();
      ws.free();
    },
  },
  {
    name: "free() on an open socket fires close by client",
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      ws.free();
      await until(() => t.closes.length > 0, 3000, "a close event after free()");
      eq(t.closes.length, 1, "close events");
      eq(t.closes[0].by, "client", "close.by");
    },
  },
  {
    name: "free() on a connecting socket fires close by client",
    async run(ctx) {
      const ws = ctx.make(echoUrl(ctx));
      const t = track(ws);
      ws.free();
      await until(() => t.closes.length > 0, 3000, "a close event after free()");
      eq(t.closes[0].by, "client", "close.by");
      await sleep(50);
      eq([t.opens, t.closes.length], [0, 1], "no open, one close");
    },
  },
  {
    name: "free() on a reconnecting socket fires close by client",
    async run(ctx) {
      const ws = ctx.make(`/close?code=1000&tag=${ctx.tag}`, { reconnect: { initialDelay: 3000, jitter: false } });
      const t = track(ws);
      await until(() => t.reconnecting.length > 0, 5000, "reconnecting");
      ws.free();
      await until(() => t.closes.length > 0, 3000, "a close event after free()");
      eq(t.closes[0].by, "client", "close.by");
    },
  },
  {
    name: "free() ends a pending for-await loop",
    async run(ctx) {
      const [ws] = await openedSocket(ctx);
      const it = ws.messages();
      const pending = it.next();
      let loopEnded = false;
      const loop = (async () => {
        for await (const _ of ws.messages()); // eslint-disable-line no-unused-vars
        loopEnded = true;
      })();
      await sleep(20);
      ws.free();
      const r = await withTimeout(pending, 3000, "messages().next() to settle after free()");
      eq(r.done, true, "next() after free()");
      await withTimeout(loop, 3000, "the for-await loop to end after free()");
      eq(loopEnded, true, "loop ended");
    },
  },
  {
    name: "messages() right after reconnect() of a policy-closed socket yields the new link's messages",
    async run(ctx) {
      let n = 0;
      const provider = () => (n++ === 0 ? `/close?code=1000&reason=bye&tag=${ctx.tag}` : `/echo?tag=${ctx.tag}`);
      const ws = ctx.make(provider, { reconnect: false });
      const t = track(ws);
      await until(() => t.closes.length > 0, 5000, "the server close");
      eq(t.closes[0].by, "remote", "closed by");
      ws.reconnect();
      const it = ws.messages();
      const first = it.next();
      await until(() => t.opens > 1 || t.closes.length > 1, 5000, "open after reconnect()");
      eq(t.opens, 2, "opened again");
      await ws.send("after reconnect");
      const r = await withTimeout(first, 3000, "messages().next()");
      eq([r.done, r.value?.data], [false, "after reconnect"], "first message of the new link");
      await it.return();
    },
  },
];

// Re-entrant calls: [name, op, check of a plain return value, changes the socket's course].
