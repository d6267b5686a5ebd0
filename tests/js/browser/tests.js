// Browser tests of the resocket-wasm package, run against the project's test server (the
// page and the WebSocket endpoints share one origin). tests/js/run-browser.mjs calls
// window.resocketTests.run(name, engine) for each test, in every engine.

import { ReSocket, ReSocketError, diagnostics } from "resocket-wasm";

const wsBase = `ws://${location.host}`;
let tagSeq = 0;
const tag = (name) => `js-${name}-${Date.now().toString(36)}-${++tagSeq}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const show = (v) => JSON.stringify(v, (_, x) => (x instanceof ArrayBuffer ? `ArrayBuffer(${x.byteLength})` : x));

function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

function eq(actual, expected, msg) {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) throw new Error(`${msg}: expected ${e}, got ${a}`);
}

function once(target, type, ms = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
    target.addEventListener(
      type,
      (e) => {
        clearTimeout(timer);
        resolve(e);
      },
      { once: true },
    );
  });
}

async function until(cond, ms, what) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(10);
  }
}

async function control(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

function checkError(e, code, text) {
  assert(e instanceof Error, `expected an Error, got ${show(e)}`);
  assert(e instanceof ReSocketError, `not a ReSocketError: ${e}`);
  eq(e.name, "ReSocketError", "error name");
  eq(e.code, code, `error code (message: ${e.message})`);
  if (text) assert(e.message.includes(text), `message ${show(e.message)} does not name ${text}`);
  return e;
}

function throws(fn, code, text) {
  try {
    fn();
  } catch (e) {
    return checkError(e, code, text);
  }
  throw new Error(`expected a ReSocketError with code ${code}, nothing was thrown`);
}

async function rejects(promise, code) {
  try {
    await promise;
  } catch (e) {
    return checkError(e, code);
  }
  throw new Error(`expected a rejection with code ${code}`);
}

/** Every message's data, in arrival order. */
function collect(ws) {
  const got = [];
  ws.addEventListener("message", (e) => got.push(e.data));
  return got;
}

const bytes = (buf) => Array.from(new Uint8Array(buf));

const tests = [];
const test = (name, fn, timeout = 20000) => tests.push({ name, fn, timeout });

test("open, send and echo (relative URL)", async ({ open }) => {
  const t = tag("echo");
  const ws = open(`/echo?tag=${t}`);
  eq(ws.state, "connecting", "state before open");
  await once(ws, "open");
  eq([ws.readyState, ws.state], [ReSocket.OPEN, "open"], "readyState and state when open");
  eq(ws.url, `${wsBase}/echo?tag=${t}`, "url resolved against the page");
  eq(ws.protocol, "", "protocol");
  eq(ws.binaryType, "arraybuffer", "binaryType");
  const reply = once(ws, "message");
  await ws.send("hello ✓");
  eq((await reply).data, "hello ✓", "echo");
  assert(ws.trySend("again"), "trySend on an idle open socket");
  eq((await once(ws, "message")).data, "again", "echo of trySend");
  await ws.flush();
  const closed = once(ws, "close");
  ws.close(1000, "done");
  const c = await closed;
  eq([c.code, c.reason, c.wasClean, c.by, c.error], [1000, "done", true, "client", null], "close event");
  eq([ws.readyState, ws.state], [ReSocket.CLOSED, "closed"], "after close");
  const s = ws.stats();
  eq([s.messagesIn, s.messagesOut, s.reconnects], [2, 2, 0], "stats");
  await rejects(ws.send("late"), "closed");
  throws(() => ws.trySend("late"), "closed");
});

test("JSON: sendJson and e.json()", async ({ open }) => {
  const ws = open(`${wsBase}/echo?tag=${tag("json")}`);
  await once(ws, "open");
  const value = { text: "héllo 👋", n: 42, nested: { list: [1, 2.5, null, true], empty: {} } };
  let reply = once(ws, "message");
  await ws.sendJson(value);
  let e = await reply;
  eq(typeof e.data, "string", "a JSON message is a text frame");
  eq(e.json(), value, "round trip");
  reply = once(ws, "message");
  await ws.sendJson({ skipped: undefined, when: new Date(0) });
  eq((await reply).json(), { when: "1970-01-01T00:00:00.000Z" }, "JSON.stringify semantics");
  reply = once(ws, "message");
  await ws.send(new TextEncoder().encode('{"bin":true}'));
  e = await reply;
  assert(e.data instanceof ArrayBuffer, "binary frame arrives as ArrayBuffer");
  eq(e.json(), { bin: true }, "json() of a binary frame");
  await rejects(ws.sendJson({ big: 1n }), "encode");
});

test("binary: ArrayBuffer, typed-array views and DataView are byte-exact", async ({ open }) => {
  const ws = open(`${wsBase}/echo?tag=${tag("binary")}`);
  const got = collect(ws);
  await once(ws, "open");
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  const big = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7 + 3) & 255);
  const view = big.subarray(100, 300);
  const words = new Uint16Array(big.buffer, 1000, 50);
  const dv = new DataView(big.buffer, 10, 5);
  const large = crypto.getRandomValues(new Uint8Array(65536)).buffer;
  await ws.send(all.buffer);
  await ws.send(view);
  await ws.send(words);
  await ws.send(dv);
  await ws.send(new ArrayBuffer(0));
  await ws.send(large);
  await until(() => got.length >= 6, 15000, "6 echoes");
  assert(got.every((d) => d instanceof ArrayBuffer), "all arrive as ArrayBuffer");
  eq(bytes(got[0]), bytes(all.buffer), "ArrayBuffer");
  eq(bytes(got[1]), Array.from(view), "Uint8Array view (offset 100, length 200)");
  eq(bytes(got[2]), Array.from(big.subarray(1000, 1100)), "Uint16Array view");
  eq(bytes(got[3]), Array.from(big.subarray(10, 15)), "DataView");
  eq(got[4].byteLength, 0, "empty frame");
  eq(bytes(got[5]), bytes(large), "64 KiB random");
  const s = ws.stats();
  eq(s.bytesOut, 256 + 200 + 100 + 5 + 0 + 65536, "stats.bytesOut");
});

test("reconnect: messages sent while down are replayed once, in order", async ({ open }) => {
  const t = tag("replay");
  const ws = open(`${wsBase}/echo?tag=${t}`, { reconnect: { initialDelay: 100, maxDelay: 200 } });
  const got = collect(ws);
  await once(ws, "open");
  await ws.send("before");
  await until(() => got.length === 1, 3000, "first echo");
  const reconnecting = once(ws, "reconnecting");
  await control(`/control/down?ms=500&tag=${t}`);
  const r = await reconnecting;
  eq([r.cause, r.code, r.attempt], ["closed", 1006, 1], "reconnecting event");
  assert(ws.readyState !== ReSocket.OPEN, "not open while reconnecting");
  const sent = [];
  for (let i = 0; i < 20; i++) sent.push(ws.send(`m${i}`));
  assert(ws.queuedAmount > 0, `queuedAmount ${ws.queuedAmount} while down`);
  await Promise.all(sent);
  await once(ws, "open", 15000);
  await until(() => got.length >= 21, 15000, "20 replayed echoes");
  await sleep(300);
  eq(got, ["before", ...Array.from({ length: 20 }, (_, i) => `m${i}`)], "echoes");
  eq(ws.queuedAmount, 0, "queue empty after replay");
  assert(ws.stats().reconnects >= 1, "stats.reconnects");
  const server = await control(`/control/stats?tag=${t}`);
  assert(server.refused >= 1, `the server refused no attempt while down: ${show(server)}`);
});

test("backpressure: send() waits under a stalled server; trySend() refuses meanwhile", async ({ open, engine }) => {
  const t = tag("pressure");
  const HIGH = 256 * 1024;
  const LOW = 64 * 1024;
  const FRAME = 64 * 1024;
  const N = 256; // 16 MiB: more than the network stack absorbs during the 1.5 s stall
  const ws = open(`${wsBase}/sink?stall_ms=1500&tag=${t}`, { highWaterMark: HIGH, lowWaterMark: LOW });
  const acks = collect(ws);
  await once(ws, "open");
  const frame = (id) => {
    const b = new Uint8Array(FRAME).fill(id & 255);
    new DataView(b.buffer).setUint32(0, id, true);
    return b;
  };
  const pending = new Set();
  const sends = [];
  for (let i = 0; i < N; i++) {
    pending.add(i);
    sends.push(ws.send(frame(i)).then(() => pending.delete(i)));
  }
  let total = N;
  let seen = null; // a moment of the stall with sends waiting and the gate closed
  let trySendResult = null;
  let maxBuffered = 0;
  const t0 = performance.now();
  while (pending.size > 0 && performance.now() - t0 < 30000) {
    const buffered = ws.bufferedAmount;
    const ms = performance.now() - t0;
    maxBuffered = Math.max(maxBuffered, buffered);
    // Well into the stall, once the network stack has taken what it can: the gate closed
    // at the high mark and stays closed until bufferedAmount is down to the low mark.
    if (!seen && ms >= 500 && ms < 1300 && pending.size > 0 && buffered > LOW) {
      seen = { pending: pending.size, buffered, ms: Math.round(ms) };
      trySendResult = ws.trySend(frame(N));
      if (trySendResult) total += 1;
    }
    await sleep(5);
  }
  await Promise.all(sends);
  await until(() => acks.length >= total, 30000, `${total} acks`);
  await sleep(100);
  eq(acks.length, total, "ack count");
  const expected = Array.from({ length: total }, (_, i) => `ack:${i}`);
  assert(show(acks) === show(expected), "acks out of order or missing");
  const note = `max bufferedAmount ${maxBuffered}; during the stall: ${show(seen)}`;
  if (engine === "webkit") return `${note} (WebKit: order and no loss only)`;
  assert(maxBuffered >= HIGH, `bufferedAmount never reached the high mark; ${note}`);
  assert(maxBuffered <= HIGH + 2 * FRAME, `bufferedAmount went far above the high mark; ${note}`);
  assert(seen, `no send() was waiting with bufferedAmount above the low mark during the stall; ${note}`);
  eq(trySendResult, false, "trySend() while sends wait");
  return note;
}, 60000);

test("close(): invalid codes and reasons throw, the socket stays open", async ({ open }) => {
  const ws = open(`${wsBase}/echo?tag=${tag("closecode")}`);
  await once(ws, "open");
  for (const code of [1005, 1001, 2999, 5000, 0, 1006, 1015]) {
    throws(() => ws.close(code), "invalid_close_code", String(code));
  }
  throws(() => ws.close(1000, "x".repeat(124)), "invalid_close_reason", "124");
  throws(() => ws.close(4000, "é".repeat(62)), "invalid_close_reason", "124");
  eq([ws.state, ws.readyState], ["open", ReSocket.OPEN], "still open");
  const reply = once(ws, "message");
  await ws.send("still here");
  eq((await reply).data, "still here", "echo after refused closes");
  const closed = once(ws, "close");
  const reason = "é".repeat(61); // 122 bytes
  ws.close(4001, reason);
  const c = await closed;
  eq([c.code, c.reason, c.by], [4001, reason, "client"], "close with 4001");
});

test("send() takes effect at once: send, trySend and close keep call order", async ({ open }) => {
  const t = tag("order-send");
  const ws = open(`${wsBase}/echo?tag=${t}`);
  const got = collect(ws);
  await once(ws, "open");
  const a = ws.send("a");
  assert(ws.trySend("b"), "trySend after send");
  const c = ws.sendJson("c");
  const d = ws.send(new Uint8Array([100]));
  await Promise.all([a, c, d]);
  await until(() => got.length >= 4, 3000, "4 echoes");
  eq(got.slice(0, 3), ["a", "b", '"c"'], "order");
  ws.send("last words");
  const closed = once(ws, "close");
  ws.close(1000, "bye");
  await closed;
  const server = await control(`/control/stats?tag=${t}`);
  eq(server.messages_in, 5, "the server got the message sent just before close()");
  eq(server.closes.map((x) => [x.code, x.reason]), [[1000, "bye"]], "close frame seen by the server");
});

test("options: bad options throw invalid_option naming the option", async ({ open }) => {
  const before = diagnostics();
  const url = `${wsBase}/echo?tag=${tag("options")}`;
  const cases = [
    [{ bogus: 1 }, "`bogus`"],
    [{ reconnect: { initialDelay: "fast" } }, "`reconnect.initialDelay`"],
    [{ reconnect: { initialDelay: -5 } }, "`reconnect.initialDelay`"],
    [{ reconnect: { intialDelay: 5 } }, "`reconnect.intialDelay`"],
    [{ reconnect: { stopCodes: [4000] } }, "`reconnect.stopCodes`"],
    [{ reconnect: { shouldReconnect: true } }, "`reconnect.shouldReconnect`"],
    [{ queue: { overflow: "drop-newest" } }, "`queue.overflow`"],
    [{ queue: { maxMessages: 1.5 } }, "`queue.maxMessages`"],
    [{ heartbeat: { interval: 0 } }, "`heartbeat.interval`"],
    [{ heartbeat: true }, "`heartbeat`"],
    [{ highWaterMark: "1MB" }, "`highWaterMark`"],
    [{ closeTimeout: null }, "`closeTimeout`"],
  ];
  for (const [options, name] of cases) {
    const e = throws(() => new ReSocket(url, options), "invalid_option", name);
    assert(e.message.startsWith("invalid option"), `message: ${e.message}`);
  }
  throws(() => new ReSocket("ftp://127.0.0.1/x"), "invalid_url");
  throws(() => new ReSocket(`${wsBase}/echo#frag`), "invalid_url");
  throws(() => new ReSocket("http://[::1"), "invalid_url");
  throws(() => new ReSocket(undefined), "invalid_url");
  throws(() => new ReSocket(42), "invalid_url");
  eq(diagnostics().liveSockets, before.liveSockets, "no socket left behind");
  // Subprotocols as the WebSocket constructor takes them.
  const ws = open(url, "chat.v1");
  await once(ws, "open");
  eq([ws.state, ws.protocol], ["open", "chat.v1"], "opened with a protocols string; the server chose it");
});

test("messages(): a burst of 100 arrives complete and in order; iteration ends on close", async ({ open }) => {
  const ws = open(`${wsBase}/burst?count=100&tag=${tag("burst")}`);
  const seqs = [];
  for await (const e of ws.messages()) {
    seqs.push(e.json().seq);
    if (seqs.length % 10 === 0) await sleep(5); // a slow consumer: the rest is buffered
    if (seqs.length === 100) ws.close();
  }
  eq(seqs, Array.from({ length: 100 }, (_, i) => i + 1), "sequence");
  eq(ws.state, "closed", "state after the loop");
  const after = await ws.messages().next();
  eq(after.done, true, "messages() after close ends at once");

  const ws2 = open(`${wsBase}/burst?count=50&tag=${tag("burst")}`);
  const it = ws2[Symbol.asyncIterator]();
  const first = [];
  for (let i = 0; i < 5; i++) first.push((await it.next()).value.json().seq);
  eq(first, [1, 2, 3, 4, 5], "first five");
  await it.return();
  eq((await it.next()).done, true, "return() stops the iterator");
}, 30000);

test("message listeners behave as EventTarget's: order, once, signal, handleEvent, duplicates, removal, stop, errors", async ({ open }) => {
  const t = tag("listeners");
  const ws = open(`${wsBase}/echo?tag=${t}`);
  const seen = [];
  const a = (e) => seen.push(`a:${e.data}`);
  const obj = { handleEvent(e) { seen.push(`obj:${e.data}:${this === obj}`); } };
  const controller = new AbortController();
  ws.addEventListener("message", a);
  ws.addEventListener("message", a); // a duplicate is ignored
  ws.addEventListener("message", a, true); // ... but not with another capture flag
  ws.onmessage = function (e) {
    seen.push(`on:${e.data}:${this === ws}:${e.target === ws}:${e.currentTarget === ws}:${e instanceof Event}`);
  };
  ws.addEventListener("message", obj);
  ws.addEventListener("message", (e) => seen.push(`once:${e.data}`), { once: true });
  ws.addEventListener("message", (e) => seen.push(`signal:${e.data}`), { signal: controller.signal });
  ws.addEventListener("message", () => {
    throw new Error("listener failure");
  });
  const late = (e) => seen.push(`late:${e.data}`);
  ws.addEventListener("message", (e) => {
    seen.push(`adder:${e.data}`);
    ws.addEventListener("message", late); // added during a delivery: from the next message on
  });
  const reported = [];
  const onError = (e) => {
    reported.push(e.error?.message ?? e.message);
    e.preventDefault();
  };
  self.addEventListener("error", onError);
  try {
    await once(ws, "open");
    const next = () => once(ws, "message");
    let got = next();
    ws.send("1");
    await got;
    await sleep(20);
    controller.abort();
    ws.removeEventListener("message", a, true);
    got = next();
    ws.send("2");
    await got;
    await sleep(20);
    eq(seen, [
      "a:1", "a:1", "on:1:true:true:true:true", "obj:1:true", "once:1", "signal:1", "adder:1",
      "a:2", "on:2:true:true:true:true", "obj:2:true", "adder:2", "late:2",
    ], "deliveries");
    eq(reported, ["listener failure", "listener failure"], "a throwing listener is reported, the others still run");
    // stopImmediatePropagation() ends the delivery of that message.
    seen.length = 0;
    got = next();
    ws.addEventListener("message", (e) => {
      seen.push(`stop:${e.data}`);
      e.stopImmediatePropagation();
    }, { once: true });
    ws.addEventListener("message", (e) => seen.push(`after:${e.data}`));
    ws.send("3");
    await got;
    await sleep(20);
    assert(seen.includes("stop:3"), `the stopping listener ran: ${show(seen)}`);
    assert(!seen.includes("after:3"), `a stopped delivery reached a later listener: ${show(seen)}`);
  } finally {
    self.removeEventListener("error", onError);
  }
});

test("events fire in the documented order; on* handlers and constants", async ({ open }) => {
  const t = tag("order");
  const ws = open(`${wsBase}/echo?tag=${t}`, { reconnect: { initialDelay: 50, maxDelay: 100 } });
  const seen = [];
  for (const type of ["open", "statechange", "reconnecting", "close"]) {
    ws.addEventListener(type, (e) => seen.push(type === "statechange" ? `statechange(${e.state})` : type));
  }
  const handled = [];
  ws.onopen = (e) => handled.push(e.type);
  ws.onmessage = (e) => handled.push(e.type);
  ws.onclose = (e) => handled.push(e.type);
  ws.onreconnecting = (e) => handled.push(e.type);
  ws.onstatechange = function (e) {
    assert(this === ws, "handler this");
    handled.push(`sc:${e.state}`);
  };
  eq(typeof ws.onopen, "function", "onopen getter");
  eq(ws.onerror, null, "unset handler is null");
  eq([ReSocket.CONNECTING, ReSocket.OPEN, ReSocket.CLOSING, ReSocket.CLOSED], [0, 1, 2, 3], "static constants");
  eq([ws.CONNECTING, ws.OPEN, ws.CLOSING, ws.CLOSED], [0, 1, 2, 3], "instance constants");
  await once(ws, "open");
  eq(seen, ["statechange(connecting)", "statechange(open)", "open"], "first connect");
  seen.length = 0;
  await control(`/control/drop?tag=${t}`);
  await once(ws, "open", 15000);
  eq(
    seen,
    ["statechange(reconnecting)", "reconnecting", "statechange(connecting)", "statechange(open)", "open"],
    "after a drop",
  );
  seen.length = 0;
  const closed = once(ws, "close");
  ws.close();
  await closed;
  eq(seen, ["statechange(closing)", "statechange(closed)", "close"], "close");
  eq(
    handled,
    ["sc:connecting", "sc:open", "open", "sc:reconnecting", "reconnecting", "sc:connecting", "sc:open", "open",
      "sc:closing", "sc:closed", "close"],
    "on* handlers",
  );
  ws.onopen = null;
  eq(ws.onopen, null, "handler cleared");
});

test("messages(): a loop that falls behind its bound gets what was buffered, then a lagged error; the socket goes on", async ({ open }) => {
  const ws = open(`${wsBase}/burst?count=50&tag=${tag("lagged")}`);
  const it = ws.messages({ maxMessages: 10 });
  const all = [];
  ws.addEventListener("message", (e) => all.push(e.data));
  await until(() => all.length === 50, 10000, "the 50 messages at the socket's own listener");
  const seqs = [];
  let error = null;
  try {
    for (;;) {
      const r = await it.next();
      if (r.done) break;
      seqs.push(r.value.json().seq);
    }
  } catch (e) {
    error = e;
  }
  eq(seqs, Array.from({ length: 10 }, (_, i) => i + 1), "the buffered prefix, in order");
  eq([error?.code, error instanceof ReSocketError], ["lagged", true], "then a lagged error");
  eq((await it.next()).done, true, "then the iterator is done");
  eq(ws.state, "open", "the socket goes on");
  // One message larger than maxBytes is still taken; the next one is over the bound.
  const big = ws.messages({ maxBytes: 4 });
  await ws.send("hello, this is longer than four bytes");
  await ws.send("and another");
  await until(() => all.length === 52, 5000, "the two echoes");
  const first = await big.next();
  assert(!first.done && typeof first.value.data === "string", "the first message is taken whole");
  let second = null;
  try {
    await big.next();
  } catch (e) {
    second = e.code;
  }
  eq(second, "lagged", "the second one is over maxBytes");
  checkError(
    (() => {
      try {
        ws.messages({ maxMessages: 0 });
      } catch (e) {
        return e;
      }
    })(),
    "invalid_option",
    "messages.maxMessages",
  );
});

test("URL provider: called before every attempt; a failing provider is retried", async ({ open }) => {
  const t = tag("provider");
  let calls = 0;
  const provider = async () => {
    calls += 1;
    await sleep(5);
    if (calls === 1) throw new Error("token service down");
    return `/echo?tag=${t}&n=${calls}`;
  };
  const ws = open(provider, { reconnect: { initialDelay: 50, maxDelay: 100 } });
  const r = await once(ws, "reconnecting");
  eq([r.cause, r.error], ["url_provider", "token service down"], "reconnecting after the provider failed");
  await once(ws, "open", 15000);
  eq(calls, 2, "calls after the first open");
  eq(ws.url, `${wsBase}/echo?tag=${t}&n=2`, "url of the attempt");
  await control(`/control/drop?tag=${t}`);
  await once(ws, "open", 15000);
  eq(calls, 3, "called again for the reconnect");
  eq(ws.url, `${wsBase}/echo?tag=${t}&n=3`, "new url");
  const reply = once(ws, "message");
  await ws.send("via provider");
  eq((await reply).data, "via provider", "echo");
  // A provider may return a URL object, synchronously.
  const ws2 = open(() => new URL(`/echo?tag=${t}&sync=1`, location.href));
  await once(ws2, "open");
  eq(ws2.url, `${wsBase}/echo?tag=${t}&sync=1`, "sync URL object");
});

test("close codes from the server: the stop range and shouldReconnect end the socket", async ({ open }) => {
  const ws = open(`${wsBase}/close?code=4001&reason=banned&tag=${tag("stop")}`);
  let reconnects = 0;
  ws.addEventListener("reconnecting", () => reconnects++);
  const c = await once(ws, "close");
  eq([c.code, c.reason, c.by, reconnects], [4001, "banned", "remote", 0], "4001 is in the default stop range");
  const ws2 = open(`${wsBase}/close?code=4500&reason=go&tag=${tag("stop")}`, {
    reconnect: { shouldReconnect: (code) => code !== 4500 },
  });
  const c2 = await once(ws2, "close");
  eq([c2.code, c2.by], [4500, "remote"], "shouldReconnect said stop");
  const ws3 = open(`${wsBase}/close?code=4001&after_ms=50&tag=${tag("stop")}`, {
    reconnect: { stopCodes: [4100, 4199], initialDelay: 50 },
  });
  const r = await once(ws3, "reconnecting");
  eq([r.cause, r.code], ["closed", 4001], "4001 retried with another stop range");
  ws3.close();
});

test("queue overflow drop-oldest: evicted messages come back in an error event", async ({ open }) => {
  const t = tag("overflow");
  const ws = open(`${wsBase}/echo?tag=${t}`, {
    reconnect: { initialDelay: 100, maxDelay: 200 },
    queue: { maxMessages: 3, overflow: "drop-oldest" },
  });
  const got = collect(ws);
  const errors = [];
  ws.addEventListener("error", (e) => errors.push(e));
  await once(ws, "open");
  const down = once(ws, "reconnecting");
  await control(`/control/down?ms=600&tag=${t}`);
  await down;
  for (let i = 0; i < 5; i++) await ws.send(`q${i}`);
  await once(ws, "open", 15000);
  await until(() => got.length >= 3, 15000, "3 replayed echoes");
  eq(got, ["q2", "q3", "q4"], "the newest three are replayed");
  const handed = errors.filter((e) => e.error).flatMap((e) => e.messages);
  eq(handed, ["q0", "q1"], "dropped messages handed back");
  const e = errors.find((x) => x.error);
  checkError(e.error, "dropped");
  eq(ws.stats().dropped, 2, "stats.dropped");
  // The default policy refuses instead: trySend() fails fast, send() waits for room.
  const ws2 = open(`${wsBase}/echo?tag=${t}-reject`, { queue: { maxMessages: 1 } });
  const got2 = collect(ws2);
  await ws2.send("first (queued)");
  eq(ws2.trySend("third"), false, "trySend with a full queue");
  await ws2.send("second"); // waits until the link is open and there is room
  await until(() => got2.length >= 2, 5000, "2 echoes");
  eq(got2, ["first (queued)", "second"], "nothing refused by trySend went out; order kept");
});

test("heartbeat: pongs are measured and filtered", async ({ open }) => {
  const t = tag("heartbeat");
  const ws = open(`${wsBase}/echo?tag=${t}`, { heartbeat: { interval: 150, timeout: 2000 } });
  const got = collect(ws);
  await once(ws, "open");
  await until(() => ws.stats().lastRttMs !== null, 3000, "a heartbeat RTT");
  assert(ws.stats().lastRttMs >= 0, "rtt");
  eq(got, [], "pong is not delivered");
  const server = await control(`/control/stats?tag=${t}`);
  assert(server.pings >= 1, `server saw no ping: ${show(server)}`);
});

test("a page coming back (back/forward cache, resume, visible) probes the link at once", async ({ open }) => {
  const probing = async () => {
    const ws = open(`${wsBase}/echo?tag=${tag("lifecycle")}`, { heartbeat: { interval: 60000, timeout: 5000 } });
    await once(ws, "open");
    await sleep(100);
    eq(ws.stats().lastRttMs, null, "no ping before a minute");
    return ws;
  };
  const shown = (persisted) => {
    const e = new Event("pageshow");
    Object.defineProperty(e, "persisted", { value: persisted });
    window.dispatchEvent(e);
  };
  let ws = await probing();
  shown(false); // a plain load: nothing to check
  await sleep(200);
  eq(ws.stats().lastRttMs, null, "no probe on a plain pageshow");
  shown(true);
  await until(() => ws.stats().lastRttMs !== null, 2000, "a probe after pageshow from the cache");
  ws = await probing();
  document.dispatchEvent(new Event("visibilitychange")); // test pages are visible
  await until(() => ws.stats().lastRttMs !== null, 2000, "a probe after visibilitychange");
  ws = await probing();
  document.dispatchEvent(new Event("resume"));
  await until(() => ws.stats().lastRttMs !== null, 2000, "a probe after resume");
});

// The real back/forward cache needs navigation away and back, which this page cannot
// do to itself: tests/js/bfcache.mjs does it. Here: a real unload is left alone.
test("bfcache: a pagehide that is not into the cache (an unload) leaves the link as it is", async ({ open }) => {
  const ws = open(`${wsBase}/echo?tag=${tag("pagehide")}`);
  await once(ws, "open");
  const e = new Event("pagehide");
  Object.defineProperty(e, "persisted", { value: false });
  window.dispatchEvent(e);
  await sleep(100);
  eq(ws.state, "open", "state after a pagehide without persisted");
  const echo = once(ws, "message", 2000);
  ws.send("still here");
  eq((await echo).data, "still here", "echo");
});

test("works in a module Web Worker", async () => {
  const script = new URL("./worker.js", import.meta.url);
  script.searchParams.set("url", `${wsBase}/echo?tag=${tag("worker")}`);
  script.searchParams.set("text", "from a worker");
  const worker = new Worker(script, { type: "module" });
  try {
    const result = new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
    });
    const r = await result;
    assert(r.ok, `worker failed: ${r.error}`);
    eq([r.data, r.hasWindow], ["from a worker", false], "echo inside the worker");
  } finally {
    worker.terminate();
  }
});

test("free() releases every listener, timer and socket", async ({ open }) => {
  const base = diagnostics();
  const sockets = [1, 2, 3].map((i) =>
    open(`${wsBase}/echo?tag=${tag("free")}-${i}`, { heartbeat: { interval: 1000 } }),
  );
  await Promise.all(sockets.map((ws) => once(ws, "open")));
  const during = diagnostics();
  assert(during.liveSockets >= base.liveSockets + 3, `liveSockets ${during.liveSockets} while open`);
  for (const ws of sockets) ws.free();
  await until(() => {
    const d = diagnostics();
    return d.liveSockets === base.liveSockets && d.liveListeners === base.liveListeners && d.liveTimers === base.liveTimers;
  }, 3000, `diagnostics back to ${show(base)} (now ${show(diagnostics())})`);
  for (const ws of sockets) {
    eq([ws.state, ws.readyState], ["closed", ReSocket.CLOSED], "state after free");
    await rejects(ws.send("x"), "closed");
  }
});

test("the WebSocket option and the (url, protocols, options) constructor", async ({ open }) => {
  const made = [];
  class Counting extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      made.push([url, protocols ?? null]);
    }
  }
  const t = tag("ctor");
  const ws = open(`${wsBase}/echo?tag=${t}`, "chat.v1", { WebSocket: Counting, reconnect: { initialDelay: 20 } });
  await once(ws, "open");
  eq(ws.protocol, "chat.v1", "protocols from the second argument");
  eq(made, [[`${wsBase}/echo?tag=${t}`, ["chat.v1"]]], "the given class opened the socket");
  const reply = once(ws, "message");
  await ws.send("via my class");
  eq((await reply).data, "via my class", "echo");
  await control(`/control/drop?tag=${t}`);
  await once(ws, "open");
  eq(made.length, 2, "the reconnect used the class too");
  const ws2 = open(`${wsBase}/echo?tag=${t}`, undefined, { reconnect: false });
  await once(ws2, "open");
  // A class that throws ends the connection with a typed error, like a CSP refusal.
  class Refusing {
    constructor() {
      throw new Error("refused by the application");
    }
  }
  const ws3 = open(`${wsBase}/echo?tag=${t}`, { WebSocket: Refusing });
  const c = await once(ws3, "close");
  eq([c.by, c.error?.code], ["policy", "js"], "close after the class threw");
  throws(() => new ReSocket(`${wsBase}/echo`, { WebSocket: 42 }), "invalid_option", "WebSocket");
  throws(() => new ReSocket(`${wsBase}/echo`, { reconnect: false }, {}), "invalid_option");
});

test("a misbehaving WebSocket class cannot throw into the core or hand it odd values", async ({ open }) => {
  class Odd extends WebSocket {
    get bufferedAmount() {
      throw new Error("a getter that throws");
    }
    get protocol() {
      return 42;
    }
    set onclose(f) {
      super.onclose = f && ((e) => f({ code: e.code, reason: 42, wasClean: e.wasClean }));
    }
  }
  const ws = open(`${wsBase}/echo?tag=${tag("odd")}`, { WebSocket: Odd });
  await once(ws, "open");
  eq([ws.bufferedAmount, ws.protocol], [0, ""], "safe defaults for odd getters");
  const reply = once(ws, "message");
  await ws.send("still fine");
  eq((await reply).data, "still fine", "echo");
  const closed = once(ws, "close");
  ws.close(1000, "bye");
  const c = await closed;
  eq([c.code, c.reason], [1000, ""], "a non-string reason does not reach the core");
  const fresh = open(`${wsBase}/echo?tag=${tag("odd-after")}`);
  await once(fresh, "open");
  const r2 = once(fresh, "message");
  await fresh.send("module works");
  eq((await r2).data, "module works", "the module still works");
});

test("buffers past 4 GiB: lengths and offsets are never cut to 32 bits", async ({ open }) => {
  let big;
  try {
    big = new ArrayBuffer(2 ** 32 + 16); // pages are committed only where written
  } catch (e) {
    return `this engine cannot create a 4 GiB ArrayBuffer (${e?.name}): nothing above 4 GiB can reach send()`;
  }
  const ws = open(`${wsBase}/echo?tag=${tag("4gib")}`, { maxMessageSize: 2 ** 32 - 1 });
  const got = collect(ws);
  await once(ws, "open");
  const tail = new Uint8Array(big, 2 ** 32, 16);
  tail.set(Array.from({ length: 16 }, (_, i) => 200 + i));
  await rejects(ws.send(new DataView(big)), "too_large");
  throws(() => ws.trySend(new DataView(big, 8)), "too_large");
  await ws.send(tail); // offset 2^32: these 16 bytes, not the 16 at offset 0
  await ws.send(new DataView(big, 2 ** 32 + 8, 8));
  await until(() => got.length >= 2, 10000, "2 echoes");
  eq(bytes(got[0]), Array.from(tail), "bytes at offset 2^32");
  eq(bytes(got[1]), Array.from(tail.subarray(8)), "DataView at offset 2^32 + 8");
  big = null;
}, 30000);

// The hardening suite (hostile.js) runs after the tests above; a file that fails to load
// shows up as one failing test instead of taking the page down.
try {
  for (const t of (await import("./hostile.js")).default) test(t.name, t.fn, t.timeout);
} catch (e) {
  test("hostile.js loads", () => {
    throw e;
  });
}

// The reconnecting-websocket / partysocket compatibility tests (compat.js), the same way.
try {
  for (const t of (await import("./compat.js")).default) test(t.name, t.fn, t.timeout);
} catch (e) {
  test("compat.js loads", () => {
    throw e;
  });
}

// The React hook's tests (react-hook.js, with React from ./vendor/), the same way.
try {
  for (const t of (await import("./react-hook.js")).default) test(t.name, t.fn, t.timeout);
} catch (e) {
  test("react-hook.js loads", () => {
    throw e;
  });
}

// partysocket/react's drop-in (partysocket-react.js, with React from ./vendor/), the same way.
try {
  for (const t of (await import("./partysocket-react.js")).default) test(t.name, t.fn, t.timeout);
} catch (e) {
  test("party-react: partysocket-react.js loads", () => {
    throw e;
  });
}

// How the package loads its WebAssembly module (loading.js); what a closed socket
// releases without free() (release.js); data handed through as it is (data-plane.js); the
// shared case tables that the core also runs natively (cases.js); acknowledged delivery
// (delivery.js); shared connections across contexts (share.js).
for (const file of ["./loading.js", "./release.js", "./data-plane.js", "./cases.js", "./delivery.js", "./share.js"]) {
  try {
    for (const t of (await import(file)).default) test(t.name, t.fn, t.timeout);
  } catch (e) {
    test(`${file.slice(2)} loads`, () => {
      throw e;
    });
  }
}

async function run(name, engine) {
  const t = tests.find((x) => x.name === name);
  if (!t) return { ok: false, ms: 0, error: `no test named ${name}` };
  const sockets = [];
  const open = (...args) => {
    const ws = new ReSocket(...args);
    sockets.push(ws);
    return ws;
  };
  const started = performance.now();
  let timer;
  try {
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test timed out after ${t.timeout} ms`)), t.timeout);
    });
    const note = await Promise.race([t.fn({ open, engine }), timeout]);
    return { ok: true, ms: Math.round(performance.now() - started), note: note ?? "" };
  } catch (e) {
    return { ok: false, ms: Math.round(performance.now() - started), error: String(e?.message ?? e) };
  } finally {
    clearTimeout(timer);
    for (const ws of sockets) ws.free();
  }
}

window.resocketTests = { names: tests.map((t) => t.name), run };
