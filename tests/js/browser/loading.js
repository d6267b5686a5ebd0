// Tests of how the package loads its WebAssembly module: the module travels inside the
// package's JavaScript and is compiled synchronously when the first ReSocket is made, so
// there is no .wasm request, no `ready` to wait for and no window in which a socket is
// half made. Where an engine refuses synchronous compilation, the constructor says to
// await `ready`, and sockets work after it. tests.js registers these (every name starts
// with "loading").
//
// Each case runs in a fresh module Worker: a realm where nothing of the package is loaded
// yet, so its first ReSocket really compiles the module.

import { tag, eq } from "./hostile-harness.js";

const ENTRY = "/node_modules/resocket-wasm/index.js";

/**
 * Loads the package in a fresh module Worker, after `setup` (worker source) ran, then runs
 * `body` (worker source, an async function body with `mod` and `url` in scope) and returns
 * what it returned, with the resources the worker requested that end in `.wasm`.
 */
async function inWorker(setup, body, what) {
  const src = `
    ${setup}
    const wasmRequests = () => performance.getEntriesByType("resource").filter((r) => /\\.wasm(\\?|$)/.test(r.name)).length;
    try {
      const mod = await import(${JSON.stringify(location.origin + ENTRY)});
      const url = ${JSON.stringify(`ws://${location.host}/echo?tag=${tag(`loading-${what}`)}`)};
      const value = await (async () => { ${body} })();
      postMessage({ value, wasmRequests: wasmRequests() });
    } catch (e) {
      postMessage({ error: String(e && (e.stack || e.message) || e) });
    }`;
  const blob = URL.createObjectURL(new Blob([src], { type: "text/javascript" }));
  const worker = new Worker(blob, { type: "module" });
  try {
    const r = await new Promise((resolve, reject) => {
      worker.onmessage = (e) => resolve(e.data);
      worker.onerror = (e) => reject(new Error(`worker error: ${e.message}`));
      setTimeout(() => reject(new Error("the worker did not answer within 10 s")), 10000);
    });
    if (r.error) throw new Error(`in the worker: ${r.error}`);
    return r;
  } finally {
    worker.terminate();
    URL.revokeObjectURL(blob);
  }
}

/** An echo round trip on a socket made at once (no `await ready` first). */
const ECHO = `
  const ws = new mod.ReSocket(url);
  const whole = [ws.state, ws.readyState, ws.trySend("queued at once")];
  const echo = await new Promise((resolve, reject) => {
    ws.onmessage = (e) => resolve(e.data);
    ws.onclose = (e) => reject(new Error("closed: " + e.code));
  });
  ws.free();
  return { whole, echo };`;

const tests = [];
const test = (name, fn, timeout = 20000) => tests.push({ name, fn, timeout });

test("loading: a socket made right after the import is whole at once, and no .wasm is requested", async () => {
  const r = await inWorker("", ECHO, "sync");
  eq(r.value, { whole: ["connecting", 0, true], echo: "queued at once" }, "the first socket");
  eq(r.wasmRequests, 0, ".wasm requests");
});

test("loading: importing the package and its entry points has no side effect (no random value, timer, fetch, socket or compilation)", async () => {
  const setup = `
    const calls = [];
    const saved = [];
    const trap = (owner, target, name) => {
      const original = target[name];
      saved.push([target, name, original]);
      target[name] = new Proxy(original, {
        apply(f, self, args) { calls.push(owner + "." + name); return Reflect.apply(f, self, args); },
        construct(f, args, nt) { calls.push(owner + "." + name); return Reflect.construct(f, args, nt); },
      });
    };
    trap("Math", Math, "random");
    trap("crypto", crypto, "getRandomValues");
    for (const n of ["fetch", "setTimeout", "setInterval", "queueMicrotask", "WebSocket"]) trap("self", self, n);
    for (const n of ["Module", "compile", "instantiate", "Instance"]) trap("WebAssembly", WebAssembly, n);
    self.restore = () => { for (const [t, n, o] of saved) t[n] = o; return [...new Set(calls)]; };`;
  // The other entry points (the React one needs React, which a worker here has not).
  const body = `
    for (const entry of ["reconnecting-websocket.js", "partysocket.js"]) {
      await import(${JSON.stringify(location.origin)} + "/node_modules/resocket-wasm/" + entry);
    }
    return self.restore();`;
  const r = await inWorker(setup, body, "import");
  eq(r.value, [], "calls made while the package and its entry points were imported");
});

test("loading: where synchronous compilation is refused, the constructor says to await ready; after it sockets work", async () => {
  const setup = `
    WebAssembly.Module = new Proxy(WebAssembly.Module, {
      construct() { throw new RangeError("WebAssembly.Module(): refused by this test's embedder policy"); },
    });`;
  const body = `
    let first;
    try {
      new mod.ReSocket(url);
      first = "made";
    } catch (e) {
      first = [e.code, /await ready/.test(e.message)];
    }
    await mod.ready;
    ${ECHO.replace("return { whole, echo };", "return { first, whole, echo };")}`;
  const r = await inWorker(setup, body, "refused");
  eq(r.value, { first: ["load", true], whole: ["connecting", 0, true], echo: "queued at once" }, "before and after ready");
});

export default tests;
