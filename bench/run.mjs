// Runs the browser benchmarks (B2–B10) in headless Chromium against the test server that
// serves the bench site, every variant interleaved (A B C, B C A, …) in a fresh browser
// context per run, and writes the raw runs plus their summaries as JSON.
//
//   node run.mjs --base http://127.0.0.1:PORT --out FILE [--reps 5] [--smoke] [--only B2,B3]
//                [--variants js,npm] [--driver cdp|playwright]
//
// Drivers. `cdp` (the default) launches Chromium itself and speaks the DevTools protocol
// over --remote-debugging-pipe, enabling on the measured page only Runtime (to evaluate the
// run, receive the page's marks through a binding and see uncaught exceptions) and
// Performance (the main-thread counters); the Network domain is never enabled, so Chromium
// does not report every WebSocket frame to the driver. `playwright` drives the page with
// playwright-core, which enables network monitoring on every page: the old method, kept
// for comparison (see docs/BENCHMARKS.md, Method).

import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { BENCHES, runTimeout, summarise } from "./specs.mjs";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "../tests/js/chromium.mjs";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    out: { type: "string" },
    reps: { type: "string", default: "5" },
    smoke: { type: "boolean", default: false },
    only: { type: "string", default: "" },
    variants: { type: "string", default: "" },
    driver: { type: "string", default: "cdp" },
  },
});
const usage = "usage: node run.mjs --base URL --out FILE [--reps N] [--smoke] [--only B2,B3] [--variants js,npm] [--driver cdp|playwright]";
if (!args.base || !args.out || !["cdp", "playwright"].includes(args.driver)) {
  console.error(usage);
  process.exit(2);
}
const reps = args.smoke ? 1 : Math.max(1, Number(args.reps));
const list = (s) => (s ? new Set(s.split(",").map((x) => x.trim())) : null);
const only = list(args.only.toUpperCase());
const onlyVariants = list(args.variants);
const pageUrl = `${args.base}/bench/index.html`;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * What runs in the page: import one benchmark module and call one variant. Its source is
 * sent to the page, so it uses nothing from this module.
 */
async function pageRun({ module, variant, params }) {
  try {
    const m = await import(`/bench/${module}`);
    return await m[variant](params);
  } catch (e) {
    return { error: String(e?.stack ?? e) };
  }
}

// ---- driver: bare DevTools protocol over a pipe --------------------------------------------

const CALL_MS = 30_000; // the longest any protocol call other than the run may take
const BINDING = "__benchMarkSend";

/** A DevTools protocol connection: JSON messages, each ended by a NUL byte. */
class Cdp {
  #next = 1;
  #pending = new Map();
  #listeners = new Set();
  #buffered = [];
  closed = null;

  constructor(write) {
    this.write = write;
  }

  /** Calls `method` (on `sessionId`, or the browser); rejects after `ms` without an answer. */
  send(method, params = {}, sessionId = undefined, ms = CALL_MS) {
    if (this.closed) return Promise.reject(new Error(`${method}: ${this.closed}`));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        const e = new Error(`${method}: no answer within ${ms} ms`);
        e.timedOut = true;
        reject(e);
      }, ms);
      this.#pending.set(id, { resolve, reject, timer, method, sessionId });
      this.write(JSON.stringify(sessionId ? { id, method, params, sessionId } : { id, method, params }) + "\0");
    });
  }

  /** Calls `fn(message)` for every event; returns the function that stops it. */
  on(fn) {
    this.#listeners.add(fn);
    return () => this.#listeners.delete(fn);
  }

  /** Feeds bytes read from the browser. */
  receive(chunk) {
    let at = chunk.indexOf(0);
    if (at < 0) {
      this.#buffered.push(chunk);
      return;
    }
    while (at >= 0) {
      this.#buffered.push(chunk.subarray(0, at));
      const text = Buffer.concat(this.#buffered).toString("utf8");
      this.#buffered = [];
      let msg;
      try {
        msg = JSON.parse(text);
      } catch {
        this.fail(`unreadable message from Chromium: ${text.slice(0, 200)}`);
        return;
      }
      this.#dispatch(msg);
      chunk = chunk.subarray(at + 1);
      at = chunk.indexOf(0);
    }
    if (chunk.length) this.#buffered.push(chunk);
  }

  #dispatch(msg) {
    if (msg.id !== undefined) {
      const p = this.#pending.get(msg.id);
      if (!p) return;
      this.#pending.delete(msg.id);
      clearTimeout(p.timer);
      if (msg.error) p.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p.resolve(msg.result ?? {});
      return;
    }
    if (msg.method === "Target.detachedFromTarget") this.#failSession(msg.params.sessionId, "the page went away");
    for (const fn of this.#listeners) fn(msg);
  }

  #failSession(sessionId, reason) {
    for (const [id, p] of this.#pending) {
      if (p.sessionId !== sessionId) continue;
      this.#pending.delete(id);
      clearTimeout(p.timer);
      p.reject(new Error(`${p.method}: ${reason}`));
    }
  }

  /** Rejects every call in flight and every later one. */
  fail(reason) {
    this.closed ??= reason;
    for (const p of this.#pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error(`${p.method}: ${reason}`));
    }
    this.#pending.clear();
  }
}

// The page installs this before a run: `window.__benchMark(label, units)` (bench/web/common.js)
// calls the binding and resolves once the driver has read the counters, as a function
// exposed by Playwright does.
const MARK_SHIM = `(() => {
  const waiting = new Map();
  let seq = 0;
  window.__benchMarkDone = (id) => {
    waiting.get(id)?.();
    waiting.delete(id);
  };
  window.__benchMark = (label, units) =>
    new Promise((resolve) => {
      const id = seq++;
      waiting.set(id, resolve);
      window.${BINDING}(JSON.stringify({ id, label, units }));
    });
})()`;

const describe = (d) => d?.exception?.description ?? d?.exception?.value ?? d?.text ?? "exception";

/** Launches Chromium with its DevTools protocol on a pipe (fds 3 and 4). */
async function launchCdp() {
  const profile = mkdtempSync(join(tmpdir(), "resocket-bench-chromium-"));
  const chromiumArgs = [
    ...CHROMIUM_ARGS,
    // What a page driven by Playwright also has: no throttling of timers or renderers.
    "--disable-background-timer-throttling",
    "--disable-backgrounding-occluded-windows",
    "--disable-renderer-backgrounding",
    `--user-data-dir=${profile}`,
    "--remote-debugging-pipe",
    "--no-startup-window",
  ];
  const child = spawn(CHROMIUM_BIN, chromiumArgs, { stdio: ["ignore", "ignore", "pipe", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const cdp = new Cdp((s) => child.stdio[3].write(s));
  child.stdio[3].on("error", () => {});
  child.stdio[4].on("data", (chunk) => cdp.receive(chunk));
  const exited = new Promise((resolve) => {
    child.once("exit", (code, signal) => {
      cdp.fail(`Chromium exited (${signal ?? `code ${code}`})`);
      resolve();
    });
    child.once("error", (e) => {
      cdp.fail(`cannot start ${CHROMIUM_BIN}: ${e.message}`);
      resolve();
    });
  });
  const running = () => child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  let removed = false;
  const removeProfile = () => {
    if (!removed) rmSync(profile, { recursive: true, force: true });
    removed = true;
  };
  // If this process ends abruptly, take Chromium and its profile with it.
  const onExit = () => {
    if (running()) child.kill("SIGKILL");
    removeProfile();
  };
  process.once("exit", onExit);
  const close = async () => {
    if (running()) {
      await cdp.send("Browser.close", {}, undefined, 5000).catch(() => {});
      await Promise.race([exited, sleep(5000)]);
    }
    if (running()) {
      child.kill("SIGKILL");
      await Promise.race([exited, sleep(5000)]);
    }
    removeProfile();
    process.removeListener("exit", onExit);
  };

  let version;
  try {
    ({ product: version } = await cdp.send("Browser.getVersion"));
  } catch (e) {
    await close();
    throw new Error(`${e.message}${stderr.trim() ? `; Chromium: ${stderr.trim().slice(-600)}` : ""}`);
  }

  /**
   * A fresh browser context: `page()` opens one more page (tab) in it on the bench page,
   * Runtime and Performance on; `close()` disposes of the context and its pages.
   */
  async function newContext() {
    const { browserContextId } = await cdp.send("Target.createBrowserContext", { disposeOnDetach: true });
    const stops = [];
    const close = async () => {
      for (const stop of stops.splice(0)) stop();
      await cdp.send("Target.disposeBrowserContext", { browserContextId }, undefined, 10_000);
    };
    return { page: () => contextPage(browserContextId, stops), close };
  }

  /** A fresh browser context with one page on the bench page. */
  async function newPage() {
    const context = await newContext();
    try {
      return { ...(await context.page()), close: context.close };
    } catch (e) {
      await context.close().catch(() => {});
      throw e;
    }
  }

  /** A page of the context `browserContextId` (its event listener's stop goes to `stops`). */
  async function contextPage(browserContextId, stops) {
    const errors = [];
    const marks = {};
    let sessionId = null;
    const send = (method, params, ms) => cdp.send(method, params, sessionId, ms);
    const onMark = async ({ payload, executionContextId }) => {
      let id;
      try {
        const m = JSON.parse(payload);
        id = m.id;
        const { metrics } = await send("Performance.getMetrics");
        const c = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
        marks[m.label] = { task: c.TaskDuration, script: c.ScriptDuration, units: m.units };
      } catch {
        // No counters for this mark: the figures are left out, the run goes on.
      }
      if (id !== undefined) {
        await send("Runtime.evaluate", { expression: `window.__benchMarkDone(${id})`, contextId: executionContextId }).catch(() => {});
      }
    };
    const stop = cdp.on((msg) => {
      if (!sessionId || msg.sessionId !== sessionId) return;
      if (msg.method === "Runtime.exceptionThrown") errors.push(describe(msg.params.exceptionDetails));
      else if (msg.method === "Runtime.bindingCalled" && msg.params.name === BINDING) void onMark(msg.params);
    });
    stops.push(stop);
    const { targetId } = await cdp.send("Target.createTarget", { url: "about:blank", browserContextId });
    ({ sessionId } = await cdp.send("Target.attachToTarget", { targetId, flatten: true }));
    await send("Runtime.enable");
    const nav = await send("Page.navigate", { url: pageUrl });
    if (nav.errorText) throw new Error(`cannot load ${pageUrl}: ${nav.errorText}`);
    // The navigation has committed; wait until the new document has loaded (an evaluation
    // that meets the old document going away fails, and is tried again).
    const ready = `location.href === ${JSON.stringify(pageUrl)} && document.readyState === "complete"`;
    for (const deadline = Date.now() + CALL_MS; ; ) {
      const r = await send("Runtime.evaluate", { expression: ready, returnByValue: true }, 5000).catch((e) => ({ failed: e }));
      if (r.result?.value === true) break;
      if (cdp.closed) throw r.failed ?? new Error(cdp.closed);
      if (Date.now() > deadline) {
        throw new Error(`${pageUrl} did not load within ${CALL_MS} ms${r.failed ? ` (${r.failed.message})` : ""}`);
      }
      await sleep(10);
    }
    await send("Runtime.addBinding", { name: BINDING });
    await send("Performance.enable");
    const shim = await send("Runtime.evaluate", { expression: MARK_SHIM, returnByValue: true });
    if (shim.exceptionDetails) throw new Error(`mark shim: ${describe(shim.exceptionDetails)}`);
    return {
      errors,
      marks,
      /** Closes this page (tab) alone, as a user closing it would. */
      close: () => cdp.send("Target.closeTarget", { targetId }),
      /** Crashes this page's renderer: the page ends without running anything more. */
      crash: () => void send("Page.crash").catch(() => {}),
      async run(spec, ms) {
        const expression = `(${pageRun.toString()})(${JSON.stringify(spec)})`;
        // RESOCKET_BENCH_PROFILE=dir: a CPU profile of each run (the profiler changes the
        // timings: for finding where time goes, not for the figures).
        const profileDir = process.env.RESOCKET_BENCH_PROFILE;
        if (profileDir) {
          await send("Profiler.enable");
          await send("Profiler.setSamplingInterval", { interval: 50 });
          await send("Profiler.start");
        }
        try {
          const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, ms);
          if (r.exceptionDetails) return { error: describe(r.exceptionDetails) };
          return r.result?.value;
        } catch (e) {
          return { error: e.timedOut ? `run exceeded ${ms} ms` : String(e.message) };
        } finally {
          if (profileDir) {
            const { profile } = await send("Profiler.stop");
            const name = `${spec.module.replace(/\.js$/, "")}-${spec.variant}-${Date.now()}.cpuprofile`;
            writeFileSync(join(profileDir, name), JSON.stringify(profile));
          }
        }
      },
    };
  }

  return { version: `Chromium ${version.replace(/^[^/]*\//, "")}`, newPage, newContext, close };
}

// ---- driver: playwright-core (network monitoring on; kept for comparison) ----------------

async function launchPlaywright() {
  const { chromium } = await import("playwright-core");
  const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });

  async function newPage() {
    const context = await browser.newContext();
    const errors = [];
    const marks = {};
    const close = () => context.close();
    try {
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(String(e)));
      let session = null;
      await page.exposeFunction("__benchMark", async (label, units) => {
        if (!session) return;
        const { metrics } = await session.send("Performance.getMetrics");
        const c = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
        marks[label] = { task: c.TaskDuration, script: c.ScriptDuration, units };
      });
      await page.goto(pageUrl);
      session = await context.newCDPSession(page);
      await session.send("Performance.enable");
      return {
        errors,
        marks,
        close,
        async run(spec, ms) {
          let timer;
          const timeout = new Promise((resolve) => {
            timer = setTimeout(() => resolve({ error: `run exceeded ${ms} ms` }), ms);
          });
          try {
            return await Promise.race([page.evaluate(pageRun, spec), timeout]);
          } finally {
            clearTimeout(timer);
          }
        },
      };
    } catch (e) {
      await close().catch(() => {});
      throw e;
    }
  }

  return { version: `Chromium ${browser.version()}`, newPage, close: () => browser.close() };
}

// ---- runs -----------------------------------------------------------------------------------

/** Normalise a page result to { metrics, pooled } or { error }. */
function normalise(r) {
  if (!r || typeof r !== "object") return { error: `no result (${r})` };
  if (r.error) return { error: r.error };
  const metrics = {};
  for (const [k, v] of Object.entries(r)) if (typeof v === "number") metrics[k] = v;
  return { metrics, pooled: r.pooled ?? {} };
}

/**
 * Main-thread cost: the page calls `__benchMark("start")` before it opens its socket and
 * `__benchMark("end", units)` after the last message; the renderer's own counters
 * (Performance.getMetrics: TaskDuration = all main-thread tasks, ScriptDuration = JS and
 * wasm) are read at both marks, and the difference is divided by `units`.
 */
function cpuFigures({ start, end }) {
  if (!start || !end || !(end.units > 0)) return {};
  return {
    taskUs: ((end.task - start.task) * 1e6) / end.units,
    scriptUs: ((end.script - start.script) * 1e6) / end.units,
  };
}

let driver = null;

/** A run of a bench with `tabs`: that many tabs of one fresh browser context, driven by bench/tabs.mjs. */
async function runTabs(bench, variant, params) {
  if (!driver.newContext) return { error: "runs in several tabs need the cdp driver" };
  let context = null;
  const pages = [];
  try {
    const choreography = (await import("./tabs.mjs"))[bench.id];
    context = await driver.newContext();
    for (let i = 0; i < bench.tabs; i++) pages.push(await context.page());
    const ms = runTimeout(params);
    const call = (i, step, p) => pages[i].run({ module: bench.module, variant: step, params: p }, ms);
    return normalise(await choreography({ pages, call, variant, params, base: args.base }));
  } catch (e) {
    const errors = pages.flatMap((p) => p.errors);
    return { error: `${e?.message ?? e}${errors.length ? ` | page: ${errors.slice(0, 3).join(" | ")}` : ""}` };
  } finally {
    await context?.close().catch(() => {});
  }
}

async function runOnce(bench, variant, params) {
  if (bench.tabs) return runTabs(bench, variant, params);
  let page = null;
  try {
    page = await driver.newPage();
    const ms = runTimeout(params);
    const r = normalise(await page.run({ module: bench.module, variant, params }, ms));
    if (!r.error) Object.assign(r.metrics, cpuFigures(page.marks));
    if (r.error && page.errors.length) r.error += ` | page: ${page.errors.slice(0, 3).join(" | ")}`;
    return r;
  } catch (e) {
    return { error: String(e?.message ?? e) };
  } finally {
    await page?.close().catch(() => {});
  }
}

const fmt = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x));

for (const signal of ["SIGINT", "SIGTERM"]) {
  process.once(signal, () => {
    // The driver's exit hook stops Chromium; leave without waiting for anything.
    process.exit(130);
  });
}

const results = [];
const started = Date.now();
let failure = null;
try {
  driver = await (args.driver === "cdp" ? launchCdp() : launchPlaywright());
  for (const bench of BENCHES) {
    if (only && !only.has(bench.id)) continue;
    const benchReps = args.smoke ? 1 : reps * (bench.repsFactor ?? 1);
    for (const c of bench.cases) {
      // A case may run some of its bench's variants only (`variants`).
      const variants = (c.variants ?? bench.variants).filter((v) => !onlyVariants || onlyVariants.has(v));
      if (variants.length === 0) continue;
      const runs = Object.fromEntries(variants.map((v) => [v, []]));
      for (let rep = 0; rep < benchReps; rep++) {
        const order = variants.map((_, i) => variants[(i + rep) % variants.length]);
        const line = [];
        for (const v of order) {
          const params = { ...(args.smoke ? c.smoke : c.params), ...(args.smoke ? {} : c.variantParams?.[v] ?? {}) };
          const r = await runOnce(bench, v, params);
          runs[v].push(r);
          line.push(`${v}=${r.error ? "ERROR" : Object.entries(r.metrics).map(([k, x]) => `${k}:${fmt(x)}`).join(",") || "ok"}`);
          if (r.error) console.error(`  ${bench.id} ${c.name} ${v}: ${r.error.split("\n")[0]}`);
        }
        console.log(`${bench.id} ${c.name} [${rep + 1}/${benchReps}] ${line.join(" ")}`);
      }
      // Keep the repetition order aligned for paired ratios: runs[v][rep].
      results.push({ id: bench.id, case: c.name, params: args.smoke ? c.smoke : c.params, runs, summary: summarise(bench, runs) });
    }
  }
} catch (e) {
  failure = e;
} finally {
  await driver?.close().catch(() => {});
}
if (failure) {
  console.error(`browser benchmarks failed: ${failure?.stack ?? failure}`);
  process.exit(1);
}

const out = {
  browser: driver.version,
  driver: args.driver,
  reps,
  smoke: args.smoke,
  seconds: Math.round((Date.now() - started) / 1000),
  cases: results,
};
writeFileSync(args.out, JSON.stringify(out, null, 1));
console.log(`browser benchmarks done in ${out.seconds} s (driver: ${args.driver}) → ${args.out}`);
