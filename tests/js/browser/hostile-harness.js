// Hardening tests of resocket-wasm (see hostile.js): the harness: helpers, hostile values and the table runner.

import { ReSocket, ReSocketError, diagnostics } from "resocket-wasm";

export const wsBase = `ws://${location.host}`;
export let tagSeq = 0;
export const tag = (name) => `hostile-${name}-${Date.now().toString(36)}-${++tagSeq}`;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Marks the errors this file throws on purpose (from traps, getters, callbacks). */
export const DELIBERATE = "hostile: deliberate";
export const boom = () => {
  throw new Error(DELIBERATE);
};
export const hasResize = typeof ArrayBuffer.prototype.resize === "function";
export const STATES = ["connecting", "open", "reconnecting", "closing", "closed"];

// --- small helpers --------------------------------------------------------------------

/** JSON for messages (long strings shortened); `full` for comparisons. */
export function show(v, full = false) {
  try {
    return JSON.stringify(v, (_, x) => {
      if (x instanceof ArrayBuffer) return `ArrayBuffer(${x.byteLength})`;
      if (typeof x === "bigint") return `${x}n`;
      if (typeof x === "symbol") return x.toString();
      if (x === undefined) return "(undefined)";
      if (!full && typeof x === "string" && x.length > 80) return `${x.slice(0, 40)}…(${x.length} chars)`;
      return x;
    });
  } catch {
    return describe(v);
  }
}

export function describe(e) {
  try {
    if (e instanceof Error) {
      const code = typeof e.code === "string" ? `[${e.code}]` : "";
      return `${e.name}${code}: ${e.message}`;
    }
    if (typeof e === "symbol") return e.toString();
    return String(e);
  } catch {
    return Object.prototype.toString.call(e);
  }
}

export const clip = (s, n = 220) => (s.length > n ? `${s.slice(0, n)}…` : s);

export function assert(cond, msg) {
  if (!cond) throw new Error(msg);
}

export function eq(actual, expected, msg) {
  if (show(actual, true) !== show(expected, true)) {
    throw new Error(`${msg}: expected ${show(expected)}, got ${show(actual)}`);
  }
}

/** A promise that is marked handled, so an unawaited rejection is not reported. */
export function handled(p) {
  p.catch(() => {});
  return p;
}

export function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return handled(Promise.race([promise, timeout]).finally(() => clearTimeout(timer)));
}

export async function until(cond, ms, what) {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(5);
  }
}

export function once(target, type, ms = 5000) {
  return handled(
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
      target.addEventListener(
        type,
        (e) => {
          clearTimeout(timer);
          resolve(e);
        },
        { once: true },
      );
    }),
  );
}

export async function control(path) {
  const r = await fetch(path, { cache: "no-store" });
  if (!r.ok) throw new Error(`${path}: HTTP ${r.status}`);
  return r.json();
}

/** Polls /control/stats?tag=… until `cond(stats)` holds. */
export async function serverStats(t, cond, ms, what) {
  const end = performance.now() + ms;
  for (;;) {
    const s = await control(`/control/stats?tag=${encodeURIComponent(t)}`);
    if (cond(s)) return s;
    if (performance.now() > end) throw new Error(`server stats never showed ${what}: ${show(s)}`);
    await sleep(20);
  }
}

/** The problem with `e` as a ReSocketError of `code` (any code if null), or null. */
export function errorProblem(e, code, text) {
  let ok;
  try {
    ok = e instanceof Error && e instanceof ReSocketError && e.name === "ReSocketError" && typeof e.code === "string";
  } catch {
    ok = false;
  }
  if (!ok) return `expected a ReSocketError${code ? ` ${code}` : ""}, got ${describe(e)}`;
  if (code && e.code !== code) return `expected code ${code}, got ${e.code} (${e.message})`;
  if (text && !String(e.message).includes(text)) return `message ${show(e.message)} does not mention ${text}`;
  return null;
}

export function checkError(e, code, text) {
  const p = errorProblem(e, code, text);
  if (p) throw new Error(p);
  return e;
}

export function throws(fn, code, text) {
  let result;
  try {
    result = fn();
  } catch (e) {
    return checkError(e, code, text);
  }
  throw new Error(`expected a thrown ReSocketError ${code}, got a return value ${show(result)}`);
}

/** `call()` must return (not throw) a promise that rejects with a ReSocketError `code`. */
export async function rejectsNoThrow(call, code, text) {
  let p;
  try {
    p = call();
  } catch (e) {
    throw new Error(`threw synchronously instead of returning a rejected promise: ${describe(e)}`);
  }
  if (!p || typeof p.then !== "function") throw new Error(`returned ${show(p)}, not a promise`);
  let value;
  try {
    value = await withTimeout(p, 3000, "the promise to settle");
  } catch (e) {
    return checkError(e, code, text);
  }
  throw new Error(`resolved with ${show(value)}; expected a rejection with code ${code}`);
}

export function resolvesNoThrow(call, what) {
  let p;
  try {
    p = call();
  } catch (e) {
    throw new Error(`${what} threw synchronously: ${describe(e)}`);
  }
  if (!p || typeof p.then !== "function") throw new Error(`${what} returned ${show(p)}, not a promise`);
  return withTimeout(p, 5000, what);
}

/** Records every event of `ws`. */
export function track(ws) {
  const t = { opens: 0, messages: [], closes: [], reconnecting: [], errors: [], states: [] };
  ws.addEventListener("open", () => t.opens++);
  ws.addEventListener("message", (e) => t.messages.push(e.data));
  ws.addEventListener("close", (e) =>
    t.closes.push({ code: e.code, reason: e.reason, by: e.by, wasClean: e.wasClean, error: e.error }),
  );
  ws.addEventListener("reconnecting", (e) => {
    let retryCount;
    try {
      retryCount = ws.retryCount;
    } catch (x) {
      retryCount = `threw ${describe(x)}`;
    }
    t.reconnecting.push({ attempt: e.attempt, cause: e.cause, code: e.code, reason: e.reason, retryCount });
  });
  ws.addEventListener("error", (e) => t.errors.push(e.error));
  ws.addEventListener("statechange", (e) => t.states.push(e.state));
  return t;
}

export async function waitOpen(t, ms = 5000) {
  await until(() => t.opens > 0 || t.closes.length > 0, ms, "open");
  if (t.opens === 0) throw new Error(`closed before open: ${show(t.closes[0])}`);
}

export async function echoOn(ws, t, text) {
  const n = t.messages.length;
  await ws.send(text);
  await until(() => t.messages.length > n, 5000, `the echo of ${show(text)}`);
  eq(t.messages[n], text, "echo");
}

/** Every getter and stats(): none may throw; returns their values. */
export function readAll(ws) {
  const out = {};
  for (const k of ["state", "readyState", "bufferedAmount", "queuedAmount", "retryCount", "url", "protocol", "binaryType"]) {
    try {
      out[k] = ws[k];
    } catch (e) {
      throw new Error(`getter ${k} threw ${describe(e)}`);
    }
  }
  try {
    out.stats = ws.stats();
  } catch (e) {
    throw new Error(`stats() threw ${describe(e)}`);
  }
  assert(STATES.includes(out.state), `state ${show(out.state)}`);
  assert([0, 1, 2, 3].includes(out.readyState), `readyState ${show(out.readyState)}`);
  assert(Number.isInteger(out.retryCount) && out.retryCount >= 0, `retryCount ${show(out.retryCount)}`);
  assert(out.stats && typeof out.stats.messagesIn === "number", `stats() ${show(out.stats)}`);
  return out;
}

export const bytesOf = (v) =>
  v instanceof ArrayBuffer
    ? Array.from(new Uint8Array(v))
    : Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));

/** What an echo of `data` looks like, comparable with show(). */
export const echoForm = (d) => (typeof d === "string" ? `s:${d}` : `b:${bytesOf(d).join(",")}`);

export function pattern(n, seed = 7) {
  return Uint8Array.from({ length: n }, (_, i) => (i * seed + 3) & 255);
}

// --- hostile values --------------------------------------------------------------------

export const revoked = (target = {}) => {
  const { proxy, revoke } = Proxy.revocable(target, {});
  revoke();
  return proxy;
};
export const allTrapsThrow = () =>
  new Proxy(
    {},
    {
      get: boom,
      has: boom,
      ownKeys: boom,
      getOwnPropertyDescriptor: boom,
      getPrototypeOf: boom,
      defineProperty: boom,
      set: boom,
    },
  );

export function detached(n = 8) {
  const buf = new ArrayBuffer(n);
  structuredClone(buf, { transfer: [buf] });
  return buf;
}

export function detachedByTransfer(n = 8) {
  const buf = new ArrayBuffer(n);
  if (typeof buf.transfer === "function") buf.transfer();
  else structuredClone(buf, { transfer: [buf] });
  return buf;
}

export function viewOnDetached(Ctor) {
  const buf = new ArrayBuffer(32);
  const v = Ctor === DataView ? new DataView(buf, 4, 8) : new Ctor(buf, 8, 1);
  structuredClone(buf, { transfer: [buf] });
  return v;
}

// --- the table runner -----------------------------------------------------------------

/** Collects uncaught errors and unhandled rejections (except the deliberate ones). */
export function watchUncaught() {
  const seen = [];
  const deliberate = (x) => describe(x).includes(DELIBERATE);
  const onError = (e) => {
    const err = e.error ?? e.message;
    if (!deliberate(err)) seen.push(`uncaught error: ${describe(err)}`);
  };
  const onRejection = (e) => {
    if (!deliberate(e.reason)) seen.push(`unhandled rejection: ${describe(e.reason)}`);
  };
  window.addEventListener("error", onError);
  window.addEventListener("unhandledrejection", onRejection);
  return {
    seen,
    stop() {
      window.removeEventListener("error", onError);
      window.removeEventListener("unhandledrejection", onRejection);
    },
  };
}

export const DIAG_KEYS = ["liveSockets", "liveListeners", "liveTimers"];
export const pick = (d) => Object.fromEntries(DIAG_KEYS.map((k) => [k, d[k]]));

/** diagnostics() once it has stopped changing (sockets of earlier tests wind down). */
export async function quietDiagnostics() {
  let last = show(pick(diagnostics()));
  let stable = 0;
  const end = performance.now() + 3000;
  while (stable < 3 && performance.now() < end) {
    await sleep(30);
    const now = show(pick(diagnostics()));
    stable = now === last ? stable + 1 : 0;
    last = now;
  }
  return pick(diagnostics());
}

export async function backTo(base) {
  const end = performance.now() + 3000;
  for (;;) {
    let d;
    try {
      d = pick(diagnostics());
    } catch (e) {
      return `diagnostics() threw ${describe(e)}`;
    }
    if (DIAG_KEYS.every((k) => d[k] <= base[k])) return null;
    if (performance.now() > end) return `diagnostics not back to the baseline ${show(base)}: ${show(d)}`;
    await sleep(10);
  }
}

/** A fresh socket to /echo echoes one message. */
export async function moduleWorks() {
  const ws = new ReSocket(`/echo?tag=${tag("alive")}`);
  try {
    const t = track(ws);
    await waitOpen(t, 5000);
    await echoOn(ws, t, "alive");
  } finally {
    ws.free();
  }
}

/** Runs one case; returns { problem, note } (a case may return a note). */
export async function runCase(c) {
  const made = [];
  const ctx = {
    tag: tag("case"),
    make(url, options) {
      const ws = new ReSocket(url, options);
      made.push(ws);
      return ws;
    },
  };
  const watch = watchUncaught();
  let problem = null;
  let note = null;
  try {
    note = await withTimeout(
      Promise.resolve().then(() => c.run(ctx)),
      c.timeout ?? 6000,
      "the case to finish",
    );
  } catch (e) {
    problem = describe(e);
  }
  for (const ws of made) {
    try {
      ws.free();
    } catch (e) {
      problem ??= `free() after the case threw ${describe(e)}`;
    }
  }
  await sleep(10);
  watch.stop();
  if (!problem && watch.seen.length > 0) problem = watch.seen.join("; ");
  return { problem, note: typeof note === "string" ? note : null };
}

/**
 * Runs every case of a table with the checks (a)–(d) above. Throws one error listing the
 * failed cases; stops early when the module no longer works or the time budget is used.
 */
export async function runTable(cases, budgetMs) {
  const names = new Set();
  for (const c of cases) {
    assert(!names.has(c.name), `duplicate case name ${c.name}`);
    names.add(c.name);
  }
  let base = await quietDiagnostics();
  const failed = [];
  const notes = [];
  let ran = 0;
  let stopped = "";
  const t0 = performance.now();
  for (const c of cases) {
    if (performance.now() - t0 > budgetMs) {
      stopped = `; ${cases.length - ran} cases not run (time budget of ${budgetMs} ms used up)`;
      break;
    }
    ran += 1;
    const problems = [];
    const { problem: p, note } = await runCase(c);
    if (p) problems.push(p);
    if (note) notes.push(note);
    let broken = null;
    try {
      await moduleWorks();
    } catch (e) {
      broken = describe(e);
    }
    if (broken) {
      problems.push(`afterwards the module no longer works: ${broken}`);
    } else {
      const leak = await backTo(base);
      if (leak) {
        problems.push(leak);
        base = await quietDiagnostics(); // judge the next cases on their own
      }
    }
    if (problems.length > 0) failed.push(`[${c.name}] ${clip(problems.join("; "))}`);
    if (broken) {
      stopped = `; stopped: ${cases.length - ran} cases not run`;
      break;
    }
  }
  if (failed.length > 0) {
    const shown = failed.slice(0, 8).join(" | ");
    const more = failed.length > 8 ? ` | … and ${failed.length - 8} more` : "";
    throw new Error(`${failed.length} of ${ran} cases failed (table of ${cases.length})${stopped}: ${shown}${more}`);
  }
  if (stopped) throw new Error(stopped.slice(2));
  return [`${cases.length} cases`, ...notes].join("; ");
}
