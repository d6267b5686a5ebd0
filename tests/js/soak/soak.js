// The soak page: long runs of the public ReSocket API against the project's test server
// (same origin). tests/js/soak/run-soak.mjs calls window.resocketSoak.call(name, args)
// step by step and does the forced GCs and heap readings from outside the page.
//
//   reconnect phase: one ReSocket to /echo, N cycles alternating ws.reconnect() and a
//     server-side drop (/control/drop), each waiting for the next `open`; an echo every
//     1000 cycles.
//   open/close phase: M sockets opened (await open) and closed with ws.close() (await
//     close), never free()d, no reference kept; a FinalizationRegistry counts how many of
//     them the garbage collector reclaimed.

import { ReSocket, diagnostics } from "resocket-wasm";

// Fallback for the wasm memory size while diagnostics() has no `wasmMemory`: the
// wasm-bindgen glue's init() returns the exports of the instance already created by the
// package (it is the same module URL), and they include the `memory`.
let wasmExports = null;
try {
  const glue = await import("/node_modules/resocket-wasm/resocket_wasm.js");
  wasmExports = await glue.default();
} catch {
  wasmExports = null;
}

let tagSeq = 0;
const tag = (name) => `soak-${name}-${Date.now().toString(36)}-${++tagSeq}`;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** The next `type` event of `target`, or a rejection after `ms` (the listener is removed). */
function once(target, type, ms) {
  return new Promise((resolve, reject) => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no ${type} event within ${ms} ms`));
    }, ms);
    target.addEventListener(
      type,
      () => {
        clearTimeout(timer);
        abort.abort();
        resolve();
      },
      { once: true, signal: abort.signal },
    );
  });
}

async function control(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

async function echo(ws, text) {
  const reply = new Promise((resolve, reject) => {
    const abort = new AbortController();
    const timer = setTimeout(() => {
      abort.abort();
      reject(new Error(`no echo of ${JSON.stringify(text)} within 10 s`));
    }, 10000);
    ws.addEventListener(
      "message",
      (e) => {
        if (e.data !== text) return;
        clearTimeout(timer);
        abort.abort();
        resolve();
      },
      { signal: abort.signal },
    );
  });
  await ws.send(text);
  await reply;
}

function wasmMemory(d) {
  if (typeof d.wasmMemory === "number") return { bytes: d.wasmMemory, source: "diagnostics().wasmMemory" };
  const mem = wasmExports?.memory;
  if (mem instanceof WebAssembly.Memory) return { bytes: mem.buffer.byteLength, source: "WebAssembly.Memory" };
  return { bytes: null, source: "n/a" };
}

function snapshot() {
  const d = diagnostics();
  const m = wasmMemory(d);
  return {
    liveSockets: d.liveSockets,
    liveListeners: d.liveListeners,
    liveTimers: d.liveTimers,
    callbacksRun: d.callbacksRun,
    wasmMemory: m.bytes,
    wasmSource: m.source,
  };
}

// --- reconnect phase ---------------------------------------------------------------------
let p1 = null;

/**
 * Opens the phase's socket, echoes once and runs `warmup` uncounted cycles (an even
 * number), so that the start snapshot is taken in the state every cycle ends in: open
 * again after a server drop.
 */
async function reconnectOpen({ warmup = 2 }) {
  if (p1) throw new Error("the reconnect phase already started");
  const t = tag("reconnect");
  const ws = new ReSocket(`/echo?tag=${t}`, { reconnect: { initialDelay: 1, maxDelay: 5 } });
  p1 = { ws, tag: t, cycles: 0, reconnects: 0, drops: 0, echoes: 0, ms: 0, kinds: {} };
  await once(ws, "open", 15000);
  await echo(ws, "warm-up");
  p1.echoes += 1;
  for (let n = 1; n <= warmup; n++) await cycle(n);
  Object.assign(p1, { cycles: 0, reconnects: 0, drops: 0, kinds: {} });
  return snapshot();
}

/** Cycle `n`: odd, ws.reconnect(); even, a server-side drop; then the next `open`. */
async function cycle(n) {
  const { ws } = p1;
  const c0 = performance.now();
  const opened = once(ws, "open", 10000);
  if (n % 2 === 1) {
    ws.reconnect();
    p1.reconnects += 1;
  } else {
    const r = await control(`/control/drop?tag=${p1.tag}`);
    if (!(r.dropped >= 1)) throw new Error(`cycle ${n}: the server dropped no connection (${JSON.stringify(r)})`);
    p1.drops += 1;
  }
  try {
    await opened;
  } catch (e) {
    throw new Error(`cycle ${n}: ${e.message} (state ${ws.state})`);
  }
  timing(n % 2 === 1 ? "reconnect()" : "server drop", performance.now() - c0);
}

/** Adds one cycle of `kind` that took `ms` to the per-kind timings. */
function timing(kind, ms) {
  const k = (p1.kinds[kind] ??= { n: 0, total: 0, max: 0 });
  k.n += 1;
  k.total += ms;
  k.max = Math.max(k.max, ms);
}

/** Runs `count` more cycles (odd: reconnect(), even: server drop), at most `budgetMs`. */
async function reconnectRun({ count, budgetMs }) {
  const { ws } = p1;
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    if (performance.now() - t0 > budgetMs) {
      throw new Error(`time budget of ${budgetMs} ms spent after ${p1.cycles} cycles`);
    }
    const n = p1.cycles + 1;
    await cycle(n);
    p1.cycles = n;
    if (n % 1000 === 0) {
      await echo(ws, `cycle ${n}`);
      p1.echoes += 1;
    }
  }
  p1.ms += performance.now() - t0;
  const kinds = Object.entries(p1.kinds).map(
    ([kind, k]) => `${kind}: mean ${(k.total / k.n).toFixed(1)} ms, max ${Math.round(k.max)} ms`,
  );
  return {
    cycles: p1.cycles,
    reconnects: p1.reconnects,
    drops: p1.drops,
    echoes: p1.echoes,
    ms: Math.round(p1.ms),
    timings: kinds.join("; "),
  };
}

/** The end snapshot, with the socket still open (as at the start). */
function reconnectEnd() {
  const s = snapshot();
  s.stats = p1.ws.stats();
  return s;
}

/** Closes and frees the phase's socket so that the next phase starts clean. */
async function reconnectClose() {
  const { ws } = p1;
  const closed = once(ws, "close", 10000);
  ws.close();
  await closed;
  ws.free();
  p1 = null;
  return snapshot();
}

// --- open/close phase ----------------------------------------------------------------------
// Plain objects registered alongside the sockets are the control: if they are not
// collected either, the forced GC did not happen and the socket count says nothing.
const p2 = { registered: 0, collected: 0, controls: 0, controlsCollected: 0 };
const registry = new FinalizationRegistry((kind) => {
  if (kind === "socket") p2.collected += 1;
  else p2.controlsCollected += 1;
});

async function openClose(url) {
  const ws = new ReSocket(url);
  registry.register(ws, "socket");
  p2.registered += 1;
  registry.register({ control: p2.controls }, "control");
  p2.controls += 1;
  await once(ws, "open", 15000);
  const closed = once(ws, "close", 10000);
  ws.close();
  await closed;
  // No free(), and no reference survives this function.
}

/** Opens and closes `count` sockets, `parallel` at a time, at most `budgetMs`. */
async function openCloseRun({ count, parallel, budgetMs }) {
  const url = `/echo?tag=${tag("openclose")}`;
  const t0 = performance.now();
  let done = 0;
  while (done < count) {
    if (performance.now() - t0 > budgetMs) throw new Error(`time budget of ${budgetMs} ms spent after ${done} sockets`);
    const n = Math.min(parallel, count - done);
    const batch = [];
    for (let i = 0; i < n; i++) batch.push(openClose(url));
    await Promise.all(batch);
    done += n;
  }
  return { sockets: done, ms: Math.round(performance.now() - t0) };
}

/** Waits (at most `ms`) until the live counts are back to `base`, then snapshots. */
async function settle({ base, ms }) {
  const t0 = performance.now();
  for (;;) {
    const d = diagnostics();
    const back =
      d.liveSockets <= base.liveSockets && d.liveListeners <= base.liveListeners && d.liveTimers <= base.liveTimers;
    if (back || performance.now() - t0 > ms) break;
    await sleep(50);
  }
  return snapshot();
}

function collected() {
  return { ...p2 };
}

const steps = {
  snapshot,
  sleep: async ({ ms }) => {
    await sleep(ms);
    return collected();
  },
  reconnectOpen,
  reconnectRun,
  reconnectEnd,
  reconnectClose,
  openCloseRun,
  settle,
  collected,
  info: () => ({ userAgent: navigator.userAgent, wasmFallback: wasmExports?.memory instanceof WebAssembly.Memory }),
};

window.resocketSoak = {
  /** Runs step `name`; always resolves, with { ok, value } or { ok: false, error }. */
  async call(name, args) {
    try {
      const step = steps[name];
      if (!step) throw new Error(`no step ${name}`);
      return { ok: true, value: await step(args ?? {}) };
    } catch (e) {
      return { ok: false, error: String(e?.message ?? e) };
    }
  },
};
