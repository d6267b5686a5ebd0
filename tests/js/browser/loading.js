// Tests of how the package loads its WebAssembly module: no top-level await, a ReSocket
// made before the module is ready behaves like one made after, and a .wasm URL that does
// not lead to the module (404, a dev server's HTML page) falls back to the inline chunk.
// tests.js registers these (every name starts with "loading").
//
// Each test imports a fresh instance of the package's entry (a query string makes it a new
// module) while `fetch` holds back the request for the .wasm until the test releases it, so
// the window before the module is ready is as long as the test needs.

import { ReSocketError } from "resocket-wasm";
import { tag, sleep, show, assert, eq, until, once, control, checkError } from "./hostile-harness.js";

const ENTRY = "/node_modules/resocket-wasm/index.js";
let fresh = 0;

/**
 * A new instance of the entry module whose .wasm request waits for `release()`, then
 * answers as `mode` says: "real" (the file), "404", or "html" (what a dev server's SPA
 * fallback sends for a path it does not know).
 */
async function freshEntry(mode = "real") {
  let release;
  const gate = new Promise((resolve) => (release = resolve));
  const real = globalThis.fetch;
  let asked = 0;
  globalThis.fetch = function (input, init) {
    const url = String(input instanceof Request ? input.url : input);
    if (!url.endsWith("/resocket_wasm_bg.wasm")) return real.call(this, input, init);
    asked++;
    return gate.then(() => {
      if (mode === "404") return new Response("not found", { status: 404 });
      if (mode === "html") return new Response("<!doctype html><title>app</title>", { headers: { "content-type": "text/html" } });
      return real.call(this, input, init);
    });
  };
  let mod;
  try {
    mod = await import(`${ENTRY}?fresh=${++fresh}-${Date.now()}`);
  } finally {
    globalThis.fetch = real; // the entry asks for the .wasm while it is evaluated
  }
  assert(asked === 1, `the entry asked for the .wasm ${asked} times while it was evaluated`);
  let isReady = false;
  mod.ready.then(() => (isReady = true), () => {});
  return { mod, release, ready: () => isReady };
}

const echoes = (ws) => {
  const got = [];
  ws.addEventListener("message", (e) => got.push(typeof e.data === "string" ? e.data : Array.from(new Uint8Array(e.data))));
  return got;
};

function throwsCode(fn, code, text) {
  try {
    fn();
  } catch (e) {
    return checkError(e, code, text);
  }
  throw new Error(`expected a ReSocketError with code ${code}, nothing was thrown`);
}

/** The answers trySend() gives for `sizes` (bytes of text) on a socket that is connecting. */
function trySends(ws, sizes) {
  return sizes.map((n, i) => ws.trySend(String.fromCharCode(97 + i).repeat(n)));
}

const tests = [];
const test = (name, fn, timeout = 20000) => tests.push({ name, fn, timeout });

test("loading: a ReSocket made before the module is ready connects, keeps every call in order, and throws the same errors", async () => {
  const { mod, release, ready } = await freshEntry();
  const t = tag("early");
  const ws = new mod.ReSocket(`/echo?tag=${t}`);
  try {
    eq([ws.state, ws.readyState, ws.bufferedAmount, ws.retryCount], ["connecting", 0, 0, 0], "state before the module is ready");
    eq(ws.url, `ws://${location.host}/echo?tag=${t}`, "url (resolved, as the WebSocket constructor would)");
    // Bad input throws at once, with the errors a socket made later throws.
    throwsCode(() => new mod.ReSocket("/echo", { queue: { overflow: "sometimes" } }), "invalid_option", "queue.overflow");
    throwsCode(() => new mod.ReSocket("/echo", { reconnect: { initialDelay: 900, maxDelay: 100 } }), "invalid_option", "reconnect");
    throwsCode(() => new mod.ReSocket("/echo", { bogus: 1 }), "invalid_option", "bogus");
    throwsCode(() => new mod.ReSocket("ftp://example.com/"), "invalid_url", "scheme");
    throwsCode(() => ws.close(1001), "invalid_close_code", "1001");
    throwsCode(() => ws.close(1000, "é".repeat(62)), "invalid_close_reason", "124 bytes");
    const sends = [ws.send("one"), ws.send(new Uint8Array([1, 2, 3])), ws.sendJson({ n: 4 })];
    eq(ws.trySend("five"), true, "trySend while connecting");
    sends.push(ws.send(new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)));
    eq(ws.queuedAmount, 3 + 3 + 7 + 4 + 2, "queuedAmount counts every queued byte");
    await sleep(100);
    assert(!ready(), "the module became ready although its .wasm was held back");
    eq(ws.state, "connecting", "still connecting while the module loads");
    const got = echoes(ws);
    release();
    await mod.ready;
    await once(ws, "open", 10000);
    await Promise.all(sends);
    await until(() => got.length >= 5, 10000, "5 echoes");
    eq(got, ["one", [1, 2, 3], '{"n":4}', "five", [8, 7]], "echoes, in call order");
    eq(ws.queuedAmount, 0, "queue empty once open");
    eq(ws.stats().messagesOut, 5, "stats after the module took over");
  } finally {
    ws.free();
  }
});

test("loading: before the module is ready, trySend() answers as the core does (queue bounds and water marks)", async () => {
  const plans = [
    [{ queue: { maxMessages: 2 } }, [1, 1, 1]],
    [{ queue: { maxBytes: 10 } }, [4, 4, 4, 2]],
    [{ queue: { maxMessages: 2, overflow: "drop-oldest" } }, [1, 1, 1]],
    [{ highWaterMark: 10, lowWaterMark: 5 }, [8, 8, 1, 1]],
    [{ queue: { maxBytes: 5 } }, [6, 5]],
  ];
  // A held-back port: the sockets made after the module is ready stay connecting.
  const hang = `/hang?ms=20000&tag=${tag("answers")}`;
  const { mod, release } = await freshEntry();
  const before = plans.map(([options, sizes]) => {
    const ws = new mod.ReSocket(hang, options);
    return [ws, trySends(ws, sizes), ws.queuedAmount];
  });
  release();
  await mod.ready;
  try {
    for (const [i, [options, sizes]] of plans.entries()) {
      const later = new mod.ReSocket(hang, options);
      try {
        eq(later.state, "connecting", "the socket made later is still connecting");
        const answers = trySends(later, sizes);
        eq(before[i][1], answers, `trySend answers for ${show(options)} ${show(sizes)}`);
        eq(before[i][2], later.queuedAmount, `queuedAmount for ${show(options)}`);
      } finally {
        later.free();
      }
    }
  } finally {
    for (const [ws] of before) ws.free();
  }
});

test("loading: a send that must wait before the module is ready waits, then goes in order", async () => {
  const { mod, release } = await freshEntry();
  const t = tag("wait");
  const ws = new mod.ReSocket(`/echo?tag=${t}`, { queue: { maxMessages: 2 } });
  try {
    const got = echoes(ws);
    eq(trySends(ws, [1, 1]), [true, true], "two fit the queue");
    let third = "pending";
    ws.send("c").then(() => (third = "sent"), (e) => (third = `rejected: ${e}`));
    eq(ws.trySend("d"), false, "trySend does not overtake a waiting send");
    await sleep(50);
    eq(third, "pending", "the third send waits for room");
    release();
    await until(() => got.length >= 3, 10000, "3 echoes");
    eq(got, ["a", "b", "c"], "echoes in order");
    eq(third, "sent", "the waiting send resolved");
  } finally {
    ws.free();
  }
});

test("loading: close(), reconnect() and free() before the module is ready", async () => {
  const { mod, release } = await freshEntry();
  const closed = new mod.ReSocket(`/echo?tag=${tag("close")}`);
  closed.send("never");
  closed.close(4000, "bye");
  eq(closed.state, "closing", "state after close()");
  await checkRejects(closed.send("late"), "closed");
  throwsCode(() => closed.trySend("late"), "closed");
  // reconnect() after close() is refused (close() is for good); reconnect() while
  // connecting starts over and keeps what was sent.
  throwsCode(() => closed.reconnect(), "closed");
  const revived = new mod.ReSocket(`/echo?tag=${tag("revive")}`);
  revived.send("kept");
  revived.reconnect();
  eq(revived.state, "connecting", "reconnect() while connecting");
  const revivedGot = echoes(revived);
  revived.send("again");
  const freedTag = tag("free");
  const freed = new mod.ReSocket(`/echo?tag=${freedTag}`);
  const freedEvents = [];
  for (const type of ["error", "statechange", "close"]) freed.addEventListener(type, (e) => freedEvents.push([type, e]));
  freed.trySend("queued");
  const waiting = freed.send("x".repeat(2_000_000)); // larger than the queue: waits for the link
  freed.free();
  try {
    await checkRejects(waiting, "closed");
    await until(() => freedEvents.some(([type]) => type === "close"), 2000, "the close event of free()");
    const close = freedEvents.find(([type]) => type === "close")[1];
    eq([close.code, close.by], [1000, "client"], "free(): closed by the client");
    const handedBack = freedEvents.find(([type]) => type === "error")?.[1];
    eq(handedBack?.messages, ["queued"], "free() hands the queued message back in an error event");
    const closeEvent = once(closed, "close", 10000);
    release();
    await mod.ready;
    const c = await closeEvent;
    // The same calls on a socket made now give the same close event.
    const later = new mod.ReSocket(`/echo?tag=${tag("close-later")}`);
    later.send("never");
    later.close(4000, "bye");
    const l = await once(later, "close", 10000);
    later.free();
    eq([c.code, c.reason, c.by, c.error], [l.code, l.reason, l.by, l.error], "close() made before the module was ready");
    eq(c.by, "client", "closed by the client");
    await until(() => revivedGot.length >= 2, 10000, "the echoes after reconnect()");
    eq(revivedGot, ["kept", "again"], "echoes after reconnect()");
    await sleep(300);
    const s = await control(`/control/stats?tag=${freedTag}`);
    eq(s.accepted ?? 0, 0, `a socket freed before the module was ready never connects: ${show(s)}`);
  } finally {
    closed.free();
    revived.free();
  }
});

/**
 * Loads the package in a fresh module Worker (a realm where nothing of it is loaded yet),
 * with the .wasm request answered as `mode` says, and does an echo round trip there.
 * Returns what the worker saw: { echo, inline, wasm } (the fetches of the fallback chunk
 * and of the .wasm, from resource timing), or { error }.
 */
async function loadInWorker(mode) {
  const src = `
    const real = fetch;
    self.fetch = (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      if (!url.endsWith("/resocket_wasm_bg.wasm") || ${JSON.stringify(mode)} === "real") return real(input, init);
      if (${JSON.stringify(mode)} === "404") return Promise.resolve(new Response("not found", { status: 404 }));
      return Promise.resolve(new Response("<!doctype html><title>app</title>", { headers: { "content-type": "text/html" } }));
    };
    const count = (end) => performance.getEntriesByType("resource").filter((r) => r.name.split("?")[0].endsWith(end)).length;
    try {
      const { ReSocket, ready } = await import(${JSON.stringify(location.origin + ENTRY)});
      await ready;
      const ws = new ReSocket(${JSON.stringify(`ws://${location.host}/echo?tag=${tag(`worker-${mode}`)}`)});
      const echo = await new Promise((resolve, reject) => {
        ws.onmessage = (e) => resolve(e.data);
        ws.onclose = (e) => reject(new Error("closed: " + e.code));
        ws.send("from the worker");
      });
      ws.free();
      postMessage({ echo, inline: count("/resocket_wasm_inline.js"), wasm: count("/resocket_wasm_bg.wasm") });
    } catch (e) {
      postMessage({ error: String(e && (e.stack || e.message) || e) });
    }`;
  const url = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const worker = new Worker(url, { type: "module" });
  try {
    return await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
      setTimeout(() => reject(new Error("the worker did not answer within 10 s")), 10000);
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

test("loading: the .wasm next to the entry is fetched; the fallback chunk is not", async () => {
  const r = await loadInWorker("real");
  eq(r, { echo: "from the worker", inline: 0, wasm: 1 }, "what the worker saw");
});

for (const mode of ["404", "html"]) {
  const what = mode === "404" ? "a 404" : "an HTML page (a dev server's fallback)";
  test(`loading: a .wasm URL answering ${what} falls back to the inline chunk`, async () => {
    const r = await loadInWorker(mode);
    eq(r, { echo: "from the worker", inline: 1, wasm: 0 }, "what the worker saw");
  });
}

async function checkRejects(promise, code) {
  try {
    await promise;
  } catch (e) {
    return checkError(e, code);
  }
  throw new Error(`expected a rejection with code ${code}`);
}

export { ReSocketError };
export default tests;
