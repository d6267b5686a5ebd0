// The data stays in JavaScript: what send() is given reaches WebSocket.send() as the same
// value (a view as the same bytes), what the browser delivers reaches the listeners as the
// same value, and neither is copied into wasm memory. tests.js registers these (every name
// starts with "data plane").

import { ReSocket, diagnostics } from "resocket-wasm";
import { tag, eq, assert, until, once } from "./hostile-harness.js";

const wsBase = `ws://${location.host}`;
const tests = [];
const test = (name, fn, timeout = 20000) => tests.push({ name, fn, timeout });

/** Run `fn` with WebSocket.prototype.send recording every value it is given. */
async function withSendSpy(fn) {
  const original = WebSocket.prototype.send;
  const sent = [];
  WebSocket.prototype.send = function (data) {
    sent.push(data);
    return original.call(this, data);
  };
  try {
    return await fn(sent);
  } finally {
    WebSocket.prototype.send = original;
  }
}

/** Run `fn` with MessageEvent.prototype.data recording every value it returns. */
async function withDataSpy(fn) {
  const desc = Object.getOwnPropertyDescriptor(MessageEvent.prototype, "data");
  const seen = [];
  Object.defineProperty(MessageEvent.prototype, "data", {
    ...desc,
    get() {
      const v = desc.get.call(this);
      seen.push(v);
      return v;
    },
  });
  try {
    return await fn(seen);
  } finally {
    Object.defineProperty(MessageEvent.prototype, "data", desc);
  }
}

function collect(ws) {
  const got = [];
  ws.addEventListener("message", (e) => got.push(e.data));
  return got;
}

test("data plane: send() hands the caller's own string and ArrayBuffer to WebSocket.send(), and a view as the same bytes", async () => {
  await withSendSpy(async (sent) => {
    const ws = new ReSocket(`${wsBase}/echo?tag=${tag("plane-send")}`);
    try {
      await once(ws, "open", 10000);
      const text = `hello ${"é".repeat(3)} ${Date.now()}`;
      const buffer = new Uint8Array([1, 2, 3, 4]).buffer;
      const whole = new Uint8Array(64).map((_, i) => i);
      const view = whole.subarray(8, 24);
      await ws.send(text);
      await ws.send(buffer);
      await ws.send(view);
      ws.trySend(buffer);
      const mine = sent.filter((d) => d === text || d === buffer || d?.buffer === whole.buffer);
      eq(mine.length, 4, "each of the four sends reached WebSocket.send() with the caller's value or its bytes");
      assert(sent.includes(text), "the string itself");
      eq(sent.filter((d) => d === buffer).length, 2, "the ArrayBuffer itself, by send() and by trySend()");
      const v = sent.find((d) => d?.buffer === whole.buffer);
      eq([v.byteOffset, v.byteLength], [8, 16], "a view over the caller's own buffer, same offset and length");
      eq(ws.stats().bytesOut >= text.length + 4 + 16 + 4, true, "bytes out counted");
    } finally {
      ws.close();
    }
  });
});

test("data plane: listeners get the browser's own MessageEvent.data, text and binary", async () => {
  await withDataSpy(async (seen) => {
    const ws = new ReSocket(`${wsBase}/echo?tag=${tag("plane-recv")}`);
    try {
      const got = collect(ws);
      await once(ws, "open", 10000);
      await ws.send("ping-through");
      await ws.send(new Uint8Array([9, 8, 7]));
      await until(() => got.length >= 2, 5000, "two echoes");
      eq(got[0], "ping-through", "the text");
      assert(got[1] instanceof ArrayBuffer, "binary arrives as an ArrayBuffer");
      assert(seen.includes(got[1]), "the listener's ArrayBuffer is the one the browser's MessageEvent held");
    } finally {
      ws.close();
    }
  });
});

test("data plane: a 16 MiB send and its 16 MiB echo do not grow wasm memory", async () => {
  const size = 16 * 1024 * 1024;
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("plane-big")}`, { maxMessageSize: 2 * size });
  try {
    const got = collect(ws);
    await once(ws, "open", 10000);
    const before = diagnostics().wasmMemory;
    const big = new Uint8Array(size).map((_, i) => i & 255);
    await ws.send(big.buffer);
    await until(() => got.length >= 1, 15000, "the 16 MiB echo");
    const echo = new Uint8Array(got[0]);
    eq(echo.length, size, "echo length");
    eq([echo[0], echo[255], echo[size - 1]], [0, 255, (size - 1) & 255], "echo bytes");
    const grown = diagnostics().wasmMemory - before;
    assert(grown < 1024 * 1024, `wasm memory grew by ${grown} bytes for a 16 MiB send and receive`);
  } finally {
    ws.close();
  }
});

test("data plane: a buffer queued before open is sent as it was at send(), though the caller reuses it", async () => {
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("plane-held")}`);
  try {
    const got = collect(ws);
    const scratch = new Uint8Array([1, 2, 3]);
    const buffer = new Uint8Array([4, 5]).buffer;
    eq(ws.trySend(scratch), true, "queued while connecting");
    const waiting = ws.send(buffer);
    scratch.fill(9);
    new Uint8Array(buffer).fill(9);
    await waiting;
    await until(() => got.length >= 2, 10000, "two echoes");
    eq(Array.from(new Uint8Array(got[0])), [1, 2, 3], "the view's bytes at send()");
    eq(Array.from(new Uint8Array(got[1])), [4, 5], "the ArrayBuffer's bytes at send()");
  } finally {
    ws.close();
  }
});

test("data plane: messages handed back are the caller's values (a waiting send's buffer itself)", async () => {
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("plane-back")}`, { queue: { maxMessages: 1 } });
  const returned = [];
  ws.addEventListener("error", (e) => returned.push(...(e.messages ?? [])));
  const text = `kept ${Date.now()}`;
  eq(ws.trySend(text), true, "the first fits the queue");
  const buffer = new Uint8Array([7, 7]).buffer;
  const waiting = ws.send(buffer).then(() => null, (e) => e); // no room: it waits
  ws.close();
  const e = await waiting;
  eq(e?.code, "closed", "the waiting send is refused by close()");
  assert(e.messages[0] === buffer, "the waiting ArrayBuffer itself comes back (a waiting send is not copied)");
  await until(() => returned.includes(text), 5000, "the queued string handed back in an error event");
  const after = await ws.send(text).then(() => null, (e) => e);
  eq(after?.code, "closed", "a send after close is refused");
  assert(after.messages[0] === text, "the refused string is handed back as it was given");
});

export default tests;
