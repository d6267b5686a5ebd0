// What every consumer of the bundler suite checks, in a page, a worker or Node: two
// sockets in turn against an echo endpoint, the first made at once (when the app's
// module is evaluated, before anything was awaited), the second after the first closed.
// For each: close(1) is refused with a ReSocketError `invalid_close_code` and changes
// nothing; a text, a JSON and a binary message come back, read with `for await`; close()
// ends the loop and gives a client close 1000. run() never rejects: it resolves to
//   { ok, ms, where, passed: [...], error }
// This file imports nothing, so that the caller decides how the package is loaded.

const BYTES = [0, 1, 127, 128, 254, 255];
const JSON_VALUE = { text: "grüße ✓", list: [1, 2.5, null, true] };
const TEXT = "hello ü ✓";

/** "window", "worker" or "node": where this code runs. */
export function where() {
  if (typeof WorkerGlobalScope === "function" && globalThis instanceof WorkerGlobalScope) return "worker";
  if (typeof window === "object" && window === globalThis) return "window";
  return typeof process === "object" && process.versions?.node ? "node" : "unknown";
}

const describe = (v) => {
  if (v instanceof Error) return `${v.name}${v.code ? ` (code ${JSON.stringify(v.code)})` : ""}: ${v.message}`;
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** `promise`, or a rejection naming `what` after `ms`. */
function within(ms, promise, what) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms ${what}`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

async function roundTrip({ ReSocketError }, ws, label, passed) {
  const fail = (what) => {
    throw new Error(`${label}: ${what}`);
  };
  let refused = null;
  try {
    ws.close(1);
  } catch (e) {
    refused = e;
  }
  if (refused === null) fail("close(1) did not throw");
  if (typeof ReSocketError !== "function" || !(refused instanceof ReSocketError)) {
    fail(`close(1) threw ${describe(refused)}, which is not instanceof ReSocketError`);
  }
  if (!(refused instanceof Error) || refused.code !== "invalid_close_code") {
    fail(`close(1) threw ${describe(refused)}, not code "invalid_close_code"`);
  }
  passed.add("invalid_close_code");
  if (ws.state === "closing" || ws.state === "closed") fail(`the refused close(1) changed the state to ${ws.state}`);

  const closed = new Promise((resolve) => ws.addEventListener("close", resolve, { once: true }));
  const received = [];
  const loop = (async () => {
    for await (const e of ws.messages()) {
      received.push(e);
      if (received.length === 3) ws.close(1000, "done");
    }
  })();
  await within(10000, ws.send(TEXT), "waiting for send(text)");
  await within(10000, ws.sendJson(JSON_VALUE), "waiting for sendJson()");
  await within(10000, ws.send(new Uint8Array(BYTES)), "waiting for send(bytes)");
  try {
    await within(10000, loop, `in the for-await loop (${received.length} of 3 echoes so far)`);
  } catch (e) {
    fail(`${e.message}; state ${ws.state}`);
  }
  const c = await within(5000, closed, "waiting for the close event");
  if (received.length < 3) {
    const why = c.error ? `; close error: ${describe(c.error)}` : "";
    fail(`the loop ended after ${received.length} of 3 echoes (close ${c.code} by ${c.by}${why})`);
  }
  const [text, json, bin] = received;
  if (text.data !== TEXT) fail(`text echo: got ${describe(text.data)}`);
  if (received.length > 3) fail(`${received.length} messages came, not the 3 echoes`);
  passed.add("text");
  const got = json.json();
  if (JSON.stringify(got) !== JSON.stringify(JSON_VALUE)) fail(`JSON echo: got ${describe(got)}`);
  passed.add("JSON");
  if (!(bin.data instanceof ArrayBuffer)) fail(`binary echo: got ${Object.prototype.toString.call(bin.data)}, not an ArrayBuffer`);
  if (new Uint8Array(bin.data).join() !== BYTES.join()) fail(`binary echo: got bytes ${new Uint8Array(bin.data).join()}`);
  passed.add("binary");
  passed.add("for await");
  if (c.code !== 1000 || c.by !== "client" || ws.state !== "closed") {
    fail(`close: code ${c.code} by ${c.by}, state ${ws.state} (want 1000 by client, closed)`);
  }
  passed.add("close 1000");
}

/**
 * Runs the checks on `make()` (called at once, before this function awaits anything)
 * and then on a second `make()`. `lib` holds the package's ReSocket and ReSocketError.
 */
export async function run(lib, make) {
  const t0 = Date.now();
  const passed = new Set();
  const result = (ok, error) => ({ ok, ms: Date.now() - t0, where: where(), passed: [...passed], error });
  let first;
  try {
    first = make();
  } catch (e) {
    return result(false, `new ReSocket() when the module was evaluated threw ${describe(e)}`);
  }
  try {
    await roundTrip(lib, first, "socket made at once", passed);
    let second;
    try {
      second = make();
    } catch (e) {
      return result(false, `new ReSocket() after the first socket closed threw ${describe(e)}`);
    }
    await roundTrip(lib, second, "socket made later", passed);
    return result(true, null);
  } catch (e) {
    return result(false, e?.message ?? describe(e));
  }
}

/** Shows a result where the driver (tests/bundlers/drive.mjs) reads it. */
export function show(r) {
  globalThis.__result = r;
  document.title = r.ok ? "PASS" : `FAIL: ${r.error}`;
  document.body.textContent = JSON.stringify(r, null, 2);
}
