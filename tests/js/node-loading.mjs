// Node test of the package's loader, run from a project where `npm install` put
// resocket-wasm (from its tarball): a copy of the installed package whose .wasm and
// fallback chunk are both damaged must fail loudly, not hang. A ReSocket made before the
// failure gets an `error` event (code `load`), its queued message back in a second one,
// and a `close` event; its waiting send rejects, and one made afterwards throws. Prints `ok ...` / `FAIL ...` lines.

import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const installed = join(require.resolve("resocket-wasm/package.json"), "..");
const dir = await mkdtemp(join(tmpdir(), "resocket-broken-"));
const failures = [];
try {
  await cp(installed, dir, { recursive: true });
  await writeFile(join(dir, "resocket_wasm_bg.wasm"), "not a module");
  await writeFile(join(dir, "resocket_wasm_inline.js"), 'export default "bm90IGEgbW9kdWxl";\n');
  const { ReSocket, ready } = await import(join(dir, "index.js"));
  class Inert extends EventTarget {
    readyState = 0;
    send() {}
    close() {}
  }
  const ws = new ReSocket("ws://127.0.0.1:9/never", { WebSocket: Inert });
  if (ws.state !== "connecting") failures.push(`state before the failure: ${ws.state}`);
  const events = [];
  for (const type of ["error", "close"]) ws.addEventListener(type, (e) => events.push([type, e]));
  const outcome = (p) =>
    p.then(
      () => "resolved",
      (e) => e.code,
    );
  const queued = outcome(ws.send("queued")); // fits the queue: resolves at once, as while connecting
  const waiting = outcome(ws.send("x".repeat(2 * 1048576))); // larger than the queue: waits
  let error = null;
  try {
    await ready;
  } catch (e) {
    error = e;
  }
  if (error?.code !== "load") failures.push(`ready: expected a rejection with code load, got ${error}`);
  if ((await queued) !== "resolved") failures.push(`the queued send: ${await queued}`);
  if ((await waiting) !== "load") failures.push(`the waiting send: ${await waiting}`);
  await new Promise((resolve) => setTimeout(resolve, 50));
  const types = events.map(([type]) => type).join(",");
  if (types !== "error,error,close") failures.push(`events: ${types}`);
  const [first, second] = events.map(([, e]) => e);
  if (first?.error?.code !== "load") failures.push(`the first error event: ${first?.error}`);
  const back = second?.messages ?? [];
  if (back.length !== 1 || back[0] !== "queued") failures.push(`handed back: ${JSON.stringify(back)}`);
  const close = events.find(([type]) => type === "close")?.[1];
  if (close && (close.by !== "policy" || close.error?.code !== "load")) {
    failures.push(`close event: by ${close.by}, error ${close.error?.code}`);
  }
  if (ws.state !== "closed") failures.push(`state after the failure: ${ws.state}`);
  try {
    new ReSocket("ws://127.0.0.1:9/never", { WebSocket: Inert });
    failures.push("a ReSocket made after the failure did not throw");
  } catch (e) {
    if (e.code !== "load") failures.push(`a ReSocket made after the failure threw ${e}`);
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
if (failures.length === 0) {
  console.log("ok node: a module that cannot be loaded fails every socket loudly (error and close events, code load)");
} else {
  console.log(`FAIL node: loading a damaged module: ${failures.join("; ")}`);
  process.exitCode = 1;
}
