// Node test of the package's loader, run from a project where `npm install` put
// resocket-wasm (from its tarball). Each case imports its own copy of the installed package
// (so each has a module of its own):
//   - importing the package, and each of its entry points (reconnecting-websocket,
//     partysocket, react, partysocket/react), has no side effect: no random value, timer, fetch, socket or
//     compilation (the globals are trapped during the imports); the module is compiled
//     when the first ReSocket is made, synchronously, and the socket is whole at once;
//   - an engine that refuses synchronous compilation (WebAssembly.Module throws): the
//     constructor throws a `load` error that says to await `ready`, and after `await ready`
//     (asynchronous compilation) sockets work;
//   - a damaged module fails loudly: the constructor throws `load`, `ready` rejects.
// Prints `ok ...` / `FAIL ...` lines.

import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const installed = join(require.resolve("resocket-wasm/package.json"), "..");
let failed = false;
const report = (failures, what) => {
  if (failures.length === 0) console.log(`ok node: ${what}`);
  else {
    console.log(`FAIL node: ${what}: ${failures.join("; ")}`);
    failed = true;
  }
};

/**
 * A fresh copy of the installed package, changed by `edit(dir)`; returns its index.js path.
 * The copy sits in the project's node_modules, so that its imports of other packages
 * (react) resolve as the installed package's do.
 */
async function copy(edit) {
  const dir = await mkdtemp(join(installed, "..", ".resocket-loading-"));
  await cp(installed, dir, { recursive: true });
  if (edit) await edit(dir);
  return { dir, entry: join(dir, "index.js") };
}

class Inert extends EventTarget {
  readyState = 0;
  send() {}
  close() {}
}
const inert = { WebSocket: Inert };

// --- import has no side effect; the first socket compiles the module ------------------------
{
  const failures = [];
  const { dir, entry } = await copy();
  const calls = [];
  const trapped = {
    Math: ["random"],
    crypto: ["getRandomValues", "randomUUID"],
    globalThis: ["fetch", "setTimeout", "setInterval", "queueMicrotask", "WebSocket"],
    WebAssembly: ["Module", "compile", "instantiate", "Instance"],
  };
  const saved = [];
  for (const [owner, names] of Object.entries(trapped)) {
    const target = owner === "globalThis" ? globalThis : globalThis[owner];
    for (const name of names) {
      const original = target[name];
      saved.push([target, name, original]);
      const trap = function (...args) {
        calls.push(`${owner}.${name}`);
        return new.target ? Reflect.construct(original, args, new.target) : original?.apply(this, args);
      };
      Object.defineProperty(target, name, { value: trap, configurable: true, writable: true });
    }
  }
  let mod;
  try {
    mod = await import(entry);
    // Every entry point of the package, the same way.
    for (const other of ["reconnecting-websocket.js", "partysocket.js", "react.js", "partysocket-react.js"]) await import(join(dir, other));
  } catch (e) {
    failures.push(`import threw ${e}`);
  } finally {
    for (const [target, name, original] of saved) {
      Object.defineProperty(target, name, { value: original, configurable: true, writable: true });
    }
  }
  if (calls.length > 0) failures.push(`importing called ${[...new Set(calls)].join(", ")}`);
  if (mod) {
    const ws = new mod.ReSocket("ws://127.0.0.1:9/never", inert);
    if (ws.state !== "connecting" || ws.readyState !== 0) failures.push(`a new socket is ${ws.state}/${ws.readyState}`);
    if (ws.url !== "ws://127.0.0.1:9/never") failures.push(`url ${ws.url}`);
    ws.close();
    if (ws.state !== "closing" && ws.state !== "closed") failures.push(`after close(): ${ws.state}`);
    await mod.ready; // settled, the module being there
  }
  await rm(dir, { recursive: true, force: true });
  report(failures, "importing the package and every entry point calls no random, timer, fetch, WebSocket or WebAssembly API; the first ReSocket compiles the module synchronously");
}

// --- synchronous compilation refused --------------------------------------------------------
{
  const failures = [];
  const { dir, entry } = await copy();
  const Module = WebAssembly.Module;
  // As an embedder refuses it: `new WebAssembly.Module()` throws; `instanceof` still works.
  WebAssembly.Module = new Proxy(Module, {
    construct() {
      throw new RangeError("WebAssembly.Module(): synchronous compilation refused by the embedder");
    },
  });
  try {
    const { ReSocket, ready } = await import(entry);
    try {
      new ReSocket("ws://127.0.0.1:9/never", inert);
      failures.push("the constructor did not throw before `await ready`");
    } catch (e) {
      if (e?.code !== "load" || !/await ready/.test(e.message)) failures.push(`the constructor threw ${e?.code}: ${e?.message}`);
    }
    await ready;
    const ws = new ReSocket("ws://127.0.0.1:9/never", inert);
    if (ws.state !== "connecting") failures.push(`after await ready: ${ws.state}`);
    ws.close();
  } catch (e) {
    failures.push(String(e?.message ?? e));
  } finally {
    WebAssembly.Module = Module;
    await rm(dir, { recursive: true, force: true });
  }
  report(failures, "where synchronous compilation is refused, the constructor says to await ready, and sockets work after it");
}

// --- a damaged module ---------------------------------------------------------------------------
{
  const failures = [];
  const { dir, entry } = await copy((d) => writeFile(join(d, "resocket_wasm_inline.js"), 'export default "bm90IGEgbW9kdWxl";\n'));
  try {
    const { ReSocket, ready } = await import(entry);
    try {
      new ReSocket("ws://127.0.0.1:9/never", inert);
      failures.push("a ReSocket was made with a damaged module");
    } catch (e) {
      if (e?.code !== "load") failures.push(`the constructor threw ${e}`);
    }
    const outcome = await Promise.race([
      Promise.resolve(ready).then(() => "resolved", (e) => e?.code),
      new Promise((r) => setTimeout(() => r("pending after 5 s"), 5000)),
    ]);
    if (outcome !== "load") failures.push(`ready: ${outcome}`);
  } catch (e) {
    failures.push(String(e?.message ?? e));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  report(failures, "a damaged module fails loudly (the constructor throws `load`, ready rejects)");
}

process.exitCode = failed ? 1 : 0;
