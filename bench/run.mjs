// Runs the browser benchmarks (B2–B8) in headless Chromium against the test server that
// serves the bench site, every variant interleaved (A B C, B C A, …) in a fresh browser
// context per run, and writes the raw runs plus their summaries as JSON.
//
//   node run.mjs --base http://127.0.0.1:PORT --out FILE [--reps 5] [--smoke] [--only B2,B3]

import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { chromium } from "playwright-core";
import { BENCHES, runTimeout, summarise } from "./specs.mjs";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "../tests/js/chromium.mjs";

const { values: args } = parseArgs({
  options: {
    base: { type: "string" },
    out: { type: "string" },
    reps: { type: "string", default: "5" },
    smoke: { type: "boolean", default: false },
    only: { type: "string", default: "" },
  },
});
if (!args.base || !args.out) {
  console.error("usage: node run.mjs --base URL --out FILE [--reps N] [--smoke] [--only B2,B3]");
  process.exit(2);
}
const reps = args.smoke ? 1 : Math.max(1, Number(args.reps));
const only = args.only ? new Set(args.only.split(",").map((s) => s.trim().toUpperCase())) : null;


const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS });

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
 * (CDP Performance.getMetrics: TaskDuration = all main-thread tasks, ScriptDuration = JS
 * and wasm) are read at both marks, and the difference is divided by `units`.
 */
async function cpuMarks(context, page) {
  let cdp = null;
  const marks = {};
  await page.exposeFunction("__benchMark", async (label, units) => {
    if (!cdp) return;
    const { metrics } = await cdp.send("Performance.getMetrics");
    const m = Object.fromEntries(metrics.map((x) => [x.name, x.value]));
    marks[label] = { task: m.TaskDuration, script: m.ScriptDuration, units };
  });
  return {
    async attach() {
      cdp = await context.newCDPSession(page);
      await cdp.send("Performance.enable");
    },
    figures() {
      const { start, end } = marks;
      if (!start || !end || !(end.units > 0)) return {};
      return {
        taskUs: ((end.task - start.task) * 1e6) / end.units,
        scriptUs: ((end.script - start.script) * 1e6) / end.units,
      };
    },
  };
}

async function runOnce(bench, variant, params) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const logs = [];
  page.on("pageerror", (e) => logs.push(String(e)));
  let timer;
  try {
    const cpu = await cpuMarks(context, page);
    await page.goto(`${args.base}/bench/index.html`);
    await cpu.attach();
    const work = page.evaluate(
      async ({ module, variant, params }) => {
        try {
          const m = await import(`/bench/${module}`);
          return await m[variant](params);
        } catch (e) {
          return { error: String(e?.stack ?? e) };
        }
      },
      { module: bench.module, variant, params },
    );
    const timeout = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ error: `run exceeded ${runTimeout(params)} ms` }), runTimeout(params));
    });
    const r = normalise(await Promise.race([work, timeout]));
    if (!r.error) Object.assign(r.metrics, cpu.figures());
    if (r.error && logs.length) r.error += ` | page: ${logs.slice(0, 3).join(" | ")}`;
    return r;
  } catch (e) {
    return { error: String(e?.message ?? e) };
  } finally {
    clearTimeout(timer);
    await context.close().catch(() => {});
  }
}

const fmt = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toPrecision(3)) : String(x));

const results = [];
const started = Date.now();
for (const bench of BENCHES) {
  if (only && !only.has(bench.id)) continue;
  const benchReps = args.smoke ? 1 : reps * (bench.repsFactor ?? 1);
  for (const c of bench.cases) {
    const runs = Object.fromEntries(bench.variants.map((v) => [v, []]));
    for (let rep = 0; rep < benchReps; rep++) {
      const order = bench.variants.map((_, i) => bench.variants[(i + rep) % bench.variants.length]);
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

const out = {
  browser: `Chromium ${browser.version()}`,
  reps,
  smoke: args.smoke,
  seconds: Math.round((Date.now() - started) / 1000),
  cases: results,
};
await browser.close();
writeFileSync(args.out, JSON.stringify(out, null, 1));
console.log(`browser benchmarks done in ${out.seconds} s → ${args.out}`);
