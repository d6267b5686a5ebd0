// Drives the soak page (tests/js/soak/) in one fresh browser and prints a table:
//   phase | metric | start | end | check
// Exits non-zero if liveSockets, liveListeners or liveTimers at the end of a phase exceed
// their start value, if the wasm memory grew by more than 1 MiB over the reconnect phase,
// if fewer than 99% of the closed, never freed ReSockets were collected after forced GCs
// (or the GC did not collect the control objects either), or if a phase fails (a missing
// open/close/echo event, a spent time budget).
//
//   node run-soak.mjs --engine chromium --page http://127.0.0.1:PORT/soak/
//   node run-soak.mjs --engine firefox  --page URL --webdriver http://127.0.0.1:PORT
//
// SOAK_CYCLES (default 10000) and SOAK_SOCKETS (default 1000) change the counts.
//
// JS heap after a forced GC:
//   - Chromium: a CDP session (HeapProfiler.collectGarbage, then Runtime.getHeapUsage
//     usedSize of the page's isolate).
//   - Firefox: Marionette's chrome context (geckodriver must run with
//     --allow-system-access; Firefox >= 138 refuses chrome scripts otherwise). GC and CC
//     are requested in every content process with the observer topics about:memory uses
//     (child-gc-request, child-cc-request, child-mmu-request); they are asynchronous, so
//     the driver waits between rounds. The heap is the sum of the memory reporters
//     "js-main-runtime-gc-heap-committed/used/gc-things/*" of the content process Fission
//     gives the page's site ("webIsolated=http://127.0.0.1"): the GC things in use in that
//     process, which also counts what Firefox's own scripts hold there, but the soak page
//     is the only page in it. If the chrome context is refused (an older geckodriver
//     without --allow-system-access), the heap is n/a and there is no forced GC: the
//     collection check then fails (no GC collected the control objects).

import { parseArgs } from "node:util";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "../chromium.mjs";
import { WebDriver } from "../webdriver.mjs";

const { values: args } = parseArgs({
  options: {
    engine: { type: "string" },
    page: { type: "string" },
    webdriver: { type: "string" },
  },
});
const engine = args.engine;
if (!["chromium", "firefox"].includes(engine) || !args.page) {
  console.error("usage: run-soak.mjs --engine chromium|firefox --page URL [--webdriver URL]");
  process.exit(2);
}
const CYCLES = Number(process.env.SOAK_CYCLES ?? 10000);
const SOCKETS = Number(process.env.SOAK_SOCKETS ?? 1000);
const CHUNK = 1000; // reconnect cycles per page call
const PARALLEL = 10; // sockets open at once in the open/close phase
const PHASE1_BUDGET_MS = 15 * 60 * 1000;
const PHASE2_BUDGET_MS = 5 * 60 * 1000;
const WASM_GROWTH_LIMIT = 1024 * 1024;
const host = new URL(args.page).host;
const log = (...a) => console.error(`[soak ${engine}]`, ...a);

// --- engines -----------------------------------------------------------------------------

const CALL_SCRIPT = `
  const [name, args, done] = arguments;
  window.resocketSoak.call(name, args).then(done, (e) => done({ ok: false, error: String(e) }));`;
const WAIT_SCRIPT = `
  const done = arguments[arguments.length - 1];
  const t0 = Date.now();
  (function check() {
    if (window.resocketSoak) done({ ok: true });
    else if (window.resocketSoakLoadError) done({ error: window.resocketSoakLoadError });
    else if (Date.now() - t0 > 20000) done({ error: "the soak page did not load within 20 s" });
    else setTimeout(check, 50);
  })();`;

// Chrome-context scripts (Firefox). `Services`, `Cc`, `Ci` and `Cu` are globals of the
// browser window Marionette runs them in.
const FIREFOX_GC_SCRIPT = `
  const done = arguments[arguments.length - 1];
  for (const topic of ["child-gc-request", "child-cc-request", "child-mmu-request", "child-gc-request"]) {
    Services.obs.notifyObservers(null, topic);
  }
  Cu.forceGC();
  Cu.forceCC();
  done(true);`;
const FIREFOX_HEAP_SCRIPT = `
  const [prefix, done] = arguments;
  const mgr = Cc["@mozilla.org/memory-reporter-manager;1"].getService(Ci.nsIMemoryReporterManager);
  const byProcess = {};
  mgr.getReports(
    (process, p, kind, units, amount) => {
      if (p.startsWith(prefix)) byProcess[process || "parent"] = (byProcess[process || "parent"] ?? 0) + amount;
    },
    null,
    () => done({ ok: true, byProcess }),
    null,
    false,
  );`;
const FIREFOX_HEAP_PATH = "js-main-runtime-gc-heap-committed/used/gc-things/";

/**
 * Opens the page; returns { name, call(step, args), gc(), heap(), close() }. heap() gives
 * { bytes, note } with bytes null when it cannot be read.
 */
async function openEngine() {
  const pageUrl = `${args.page}${args.page.includes("?") ? "&" : "?"}engine=${engine}`;
  if (engine === "chromium") {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS, timeout: 60000 });
    try {
      const page = await browser.newPage();
      page.on("pageerror", (e) => log(`page error: ${e.message}`));
      await page.goto(pageUrl);
      await page.waitForFunction(() => window.resocketSoak || window.resocketSoakLoadError, null, { timeout: 20000 });
      const loadError = await page.evaluate(() => window.resocketSoakLoadError);
      if (loadError) throw new Error(`the soak page failed to load: ${loadError}`);
      const cdp = await page.context().newCDPSession(page);
      return {
        name: `Chromium ${browser.version()}`,
        call: (step, a) => page.evaluate(([n, x]) => window.resocketSoak.call(n, x), [step, a]),
        gc: () => cdp.send("HeapProfiler.collectGarbage"),
        heap: async () => {
          await cdp.send("HeapProfiler.collectGarbage");
          const u = await cdp.send("Runtime.getHeapUsage");
          return { bytes: u.usedSize, note: "CDP Runtime.getHeapUsage usedSize" };
        },
        close: () => browser.close(),
      };
    } catch (e) {
      await browser.close();
      throw e;
    }
  }
  if (!args.webdriver) throw new Error("--webdriver is required for firefox");
  const driver = new WebDriver(args.webdriver, { script: 15 * 60 * 1000, request: 20 * 60 * 1000 });
  await driver.start({
    browserName: "firefox",
    "moz:firefoxOptions": {
      binary: process.env.FIREFOX_BIN ?? "/usr/bin/firefox-esr",
      args: ["-headless"],
      // Firefox delays a new connection to a host whose last WebSocket failed or dropped
      // by 200-400 ms (RFC 6455 7.2.3); with it, 5,000 server drops alone take ~25 min.
      prefs: { "network.websocket.delay-failed-reconnects": false },
    },
  });
  try {
    await driver.navigate(pageUrl);
    const loaded = await driver.executeAsync(WAIT_SCRIPT);
    if (loaded.error) throw new Error(`the soak page failed to load: ${loaded.error}`);
    // Probe the chrome context once; without it there is no forced GC and no heap reading.
    let chromeError = null;
    const chrome = async (script, ...a) => {
      await driver.context("chrome");
      try {
        return await driver.executeAsync(script, ...a);
      } finally {
        await driver.context("content");
      }
    };
    try {
      await chrome(FIREFOX_GC_SCRIPT);
    } catch (e) {
      chromeError = String(e?.message ?? e).split("\n")[0];
      log(`chrome context unavailable, JS heap will be n/a: ${chromeError}`);
    }
    const call = (step, a) => driver.executeAsync(CALL_SCRIPT, step, a);
    const version = driver.capabilities?.browserVersion ?? "";
    return {
      name: `Firefox ${version}`,
      note: "Firefox pref network.websocket.delay-failed-reconnects=false (else 200-400 ms before each reconnect after a drop)",
      call,
      gc: async () => {
        if (chromeError) return;
        await chrome(FIREFOX_GC_SCRIPT);
        await call("sleep", { ms: 400 }); // the requests reach the content process asynchronously
      },
      heap: async () => {
        if (chromeError) return { bytes: null, note: `n/a: chrome context refused (${chromeError})` };
        const r = await chrome(FIREFOX_HEAP_SCRIPT, FIREFOX_HEAP_PATH);
        const names = Object.keys(r.byProcess);
        // Fission names the page's process after its site, without the port.
        const site = `=http://${new URL(args.page).hostname} `;
        const mine = names.filter((n) => n.includes(site));
        if (mine.length !== 1) {
          return { bytes: null, note: `n/a: no single content process for ${host} among ${JSON.stringify(names)}` };
        }
        const proc = mine[0].replace(/ \(pid \d+\)$/, "");
        return { bytes: r.byProcess[mine[0]], note: `memory reporters ${FIREFOX_HEAP_PATH}* of process "${proc}"` };
      },
      close: () => driver.quit(),
    };
  } catch (e) {
    await driver.quit();
    throw e;
  }
}

// --- the soak ------------------------------------------------------------------------------

const rows = []; // [phase, metric, start, end, check]
const failures = [];
const notes = [];

const fmt = (v) => (v === null || v === undefined ? "n/a" : typeof v === "number" ? String(v) : v);
const mib = (b) => `${(b / 1048576).toFixed(2)} MiB`;

function compareCounts(phase, start, end) {
  for (const key of ["liveSockets", "liveListeners", "liveTimers"]) {
    const bad = end[key] > start[key];
    rows.push([phase, key, start[key], end[key], bad ? "FAIL (grew)" : "ok"]);
    if (bad) failures.push(`${phase}: ${key} ${start[key]} -> ${end[key]}`);
  }
  rows.push([phase, "callbacksRun", start.callbacksRun, end.callbacksRun, "info"]);
}

function wasmRow(phase, start, end, limit) {
  const metric = `wasm memory (${start.wasmSource})`;
  if (start.wasmMemory === null || end.wasmMemory === null) {
    rows.push([phase, "wasm memory", "n/a", "n/a", limit ? "not checked (n/a)" : "info"]);
    if (limit) notes.push("wasm memory could not be read, the 1 MiB limit was not checked");
    return;
  }
  const growth = end.wasmMemory - start.wasmMemory;
  let check = `info (+${growth} B)`;
  if (limit) {
    check = growth > limit ? `FAIL (+${mib(growth)} > 1 MiB)` : `ok (+${growth} B, limit 1 MiB)`;
    if (growth > limit) failures.push(`${phase}: wasm memory grew by ${mib(growth)}`);
  }
  rows.push([phase, metric, start.wasmMemory, end.wasmMemory, check]);
}

function heapRow(phase, start, end) {
  const check = start.bytes === null || end.bytes === null ? "info" : `info (${end.bytes - start.bytes >= 0 ? "+" : ""}${end.bytes - start.bytes} B)`;
  rows.push([phase, "JS heap used after GC", start.bytes, end.bytes, check]);
  const note = start.bytes === null ? start.note : end.note;
  if (!notes.includes(`JS heap: ${note}`)) notes.push(`JS heap: ${note}`);
}

async function step(session, name, a) {
  const r = await session.call(name, a);
  if (!r?.ok) throw new Error(`${name}: ${r?.error ?? "no result"}`);
  return r.value;
}

async function gcRounds(session, n) {
  for (let i = 0; i < n; i++) {
    await session.gc();
    await step(session, "sleep", { ms: 200 }); // lets FinalizationRegistry callbacks run
  }
}

let session;
try {
  session = await openEngine();
} catch (e) {
  console.log(`FAIL ${engine}: start: ${String(e?.message ?? e).split("\n")[0]}`);
  process.exit(1);
}

const t0 = Date.now();
if (session.note) notes.push(session.note);
try {
  // Phase 1: reconnect cycles on one socket.
  const p1 = `reconnect x${CYCLES}`;
  await step(session, "reconnectOpen", { warmup: 2 });
  await gcRounds(session, 2);
  const s1 = await step(session, "snapshot");
  const h1 = await session.heap();
  let progress;
  const p1End = Date.now() + PHASE1_BUDGET_MS;
  let p1Error = null;
  for (let done = 0; done < CYCLES; done += CHUNK) {
    const budgetMs = p1End - Date.now();
    try {
      progress = await step(session, "reconnectRun", { count: Math.min(CHUNK, CYCLES - done), budgetMs });
    } catch (e) {
      p1Error = e;
      break;
    }
    log(`${progress.cycles}/${CYCLES} cycles, ${progress.ms} ms`);
  }
  if (p1Error) {
    failures.push(`${p1}: ${p1Error.message}`);
    await step(session, "reconnectClose").catch(() => {}); // a clean start for phase 2
  } else {
    await gcRounds(session, 2);
    const e1 = await step(session, "reconnectEnd");
    const h1e = await session.heap();
    compareCounts(p1, s1, e1);
    wasmRow(p1, s1, e1, WASM_GROWTH_LIMIT);
    heapRow(p1, h1, h1e);
    notes.push(
      `${p1}: ${progress.cycles} cycles (${progress.reconnects} reconnect(), ${progress.drops} server drops), ` +
        `${progress.echoes} echoes, ${(progress.ms / 1000).toFixed(1)} s; stats().reconnects ${e1.stats?.reconnects}`,
    );
    notes.push(`${p1}: per cycle until the next open: ${progress.timings}`);
    await step(session, "reconnectClose");
  }

  // Phase 2: sockets opened, closed and abandoned without free().
  const p2 = `open/close x${SOCKETS}`;
  await gcRounds(session, 2);
  const s2 = await step(session, "snapshot");
  const h2 = await session.heap();
  let r2 = null;
  try {
    r2 = await step(session, "openCloseRun", { count: SOCKETS, parallel: PARALLEL, budgetMs: PHASE2_BUDGET_MS });
    log(`${r2.sockets} sockets opened and closed, ${r2.ms} ms`);
  } catch (e) {
    failures.push(`${p2}: ${e.message}`);
  }
  if (r2) {
    await gcRounds(session, 4);
    const e2 = await step(session, "settle", { base: s2, ms: 3000 });
    await gcRounds(session, 2);
    const h2e = await session.heap();
    const c = await step(session, "collected");
    compareCounts(p2, s2, e2);
    wasmRow(p2, s2, e2, 0);
    heapRow(p2, h2, h2e);
    // Closed sockets must be collectable without free(): every one, bar at most 1% still
    // referenced by a task in flight when the last GC ran. The plain objects registered
    // beside them prove a GC happened; if they were not collected, that fails too (the
    // check never passes without measuring).
    const enough = (done, n) => done >= n * 0.99;
    const gcRan = enough(c.controlsCollected, c.controls);
    const socketsOk = gcRan && enough(c.collected, c.registered);
    rows.push([p2, "ReSocket objects collected (FinalizationRegistry)", "-", `${c.collected}/${c.registered}`,
      socketsOk ? "ok (>= 99%)" : gcRan ? "FAIL (< 99%)" : "FAIL (no GC)"]);
    rows.push([p2, "control objects collected (plain {})", "-", `${c.controlsCollected}/${c.controls}`,
      gcRan ? "ok (>= 99%)" : "FAIL (no GC)"]);
    if (!gcRan) failures.push(`${p2}: the forced GC collected ${c.controlsCollected}/${c.controls} control objects`);
    else if (!socketsOk) failures.push(`${p2}: ${c.collected}/${c.registered} closed ReSockets collected without free()`);
    notes.push(`${p2}: ${r2.sockets} sockets, ${PARALLEL} at a time, ${(r2.ms / 1000).toFixed(1)} s`);
  }
} catch (e) {
  failures.push(`driver: ${e?.message ?? e}`);
} finally {
  await session.close().catch(() => {});
}

// --- the table -------------------------------------------------------------------------------
const header = ["phase", "metric", "start", "end", "check"];
const table = [header, ...rows.map((r) => r.map(fmt))];
const widths = header.map((_, i) => Math.max(...table.map((r) => r[i].length)));
const line = (r) => r.map((c, i) => (i >= 2 && i <= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join("  ").trimEnd();
console.log(`\nsoak ${engine}: ${session.name} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
console.log(line(header));
console.log(widths.map((w) => "-".repeat(w)).join("  "));
for (const r of table.slice(1)) console.log(line(r));
for (const n of notes) console.log(`  note: ${n}`);
for (const f of failures) console.log(`FAIL ${engine}: ${f}`);
console.log(failures.length ? `soak ${engine}: FAILED (${failures.length})` : `soak ${engine}: ok`);
process.exit(failures.length ? 1 : 0);
