// Assembles the results (sizes, instruction counts, browser runs) into one JSON document
// and renders the tables of docs/BENCHMARKS.md between its `bench:begin` / `bench:end`
// markers (the text around them is left as it is).
//
//   node report.mjs --sizes F --counts F --browser F [--json OUT] [--docs FILE] [--print]
//   node report.mjs ... --smoke     check that every figure exists and is finite; prints
//                                   `bench smoke: N passed, M failed`; writes nothing

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import { parseArgs } from "node:util";
import { BENCHES, VARIANTS, meets } from "./specs.mjs";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string" },
    counts: { type: "string" },
    browser: { type: "string" },
    json: { type: "string" },
    docs: { type: "string" },
    print: { type: "boolean", default: false },
    smoke: { type: "boolean", default: false },
  },
});
const read = (f) => JSON.parse(readFileSync(f, "utf8"));
const sizes = read(args.sizes);
const counts = read(args.counts);
const browser = read(args.browser);

// ---- smoke: every figure produced and finite, no thresholds -------------------------------
if (args.smoke) {
  let passed = 0, failed = 0;
  const check = (ok, what) => {
    if (ok) passed++;
    else failed++;
    console.log(`${ok ? "ok" : "FAIL"} ${what}`);
  };
  for (const r of sizes.rows) check(r.total.gzip > 0 && Number.isFinite(r.total.brotli), `B1 ${r.id}: ${r.total.gzip} B gzip`);
  for (const r of counts.rows) check(Number.isFinite(r.perOp) && r.perOp > 0, `counts ${r.name}: ${Math.round(r.perOp)} instructions/op`);
  for (const c of browser.cases) {
    const bench = BENCHES.find((b) => b.id === c.id);
    for (const v of bench.variants.filter((x) => c.runs[x] !== undefined)) {
      const runs = c.runs[v];
      const errors = runs.filter((r) => r.error).map((r) => r.error.split("\n")[0]);
      const figures = runs.flatMap((r) => [
        ...Object.values(r.metrics ?? {}),
        ...Object.values(r.pooled ?? {}).flat(),
      ]);
      const ok = runs.length > 0 && errors.length === 0 && figures.length > 0 && figures.every(Number.isFinite);
      const shown = runs[0]?.metrics ? Object.entries(runs[0].metrics).map(([k, x]) => `${k}=${+x.toPrecision(3)}`).join(" ") : "";
      check(ok, `${c.id} ${c.case} ${v}${ok ? `: ${shown}` : `: ${errors.join("; ") || "non-finite or missing figures"}`}`);
    }
  }
  console.log(`bench smoke: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}

// ---- the machine ------------------------------------------------------------------------------
const tryRun = (cmd, a) => {
  try {
    return execFileSync(cmd, a, { encoding: "utf8" }).trim().split("\n")[0];
  } catch {
    return "unknown";
  }
};
const osName = (() => {
  try {
    return readFileSync("/etc/os-release", "utf8").match(/^PRETTY_NAME="?([^"\n]*)/m)?.[1] ?? os.type();
  } catch {
    return os.type();
  }
})();
const machine = {
  cpu: os.cpus()[0]?.model ?? "unknown",
  cores: os.cpus().length,
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  os: `${osName}, Linux ${os.release()}`,
  browser: browser.browser,
  driver: browser.driver ?? "playwright",
  node: process.version,
  rustc: tryRun("rustc", ["--version"]),
  wasmBindgen: tryRun("wasm-bindgen", ["--version"]),
  valgrind: counts.valgrind,
  loadAverage: os.loadavg().map((x) => +x.toFixed(2)),
};

const doc = {
  generated: new Date().toISOString(),
  machine,
  reps: browser.reps,
  browserSeconds: browser.seconds,
  sizes,
  counts,
  browser: browser.cases,
};
if (args.json) writeFileSync(args.json, JSON.stringify(doc, null, 1) + "\n");

// ---- markdown ----------------------------------------------------------------------------------
const KB = 1024;
const kib = (b) => (b / KB).toFixed(1);
const num = (x, unit) => {
  if (!Number.isFinite(x)) return "–";
  const a = Math.abs(x);
  if (unit === "count" && Number.isInteger(x)) return String(x);
  if (unit === "msg/s") return a >= 1e6 ? `${(x / 1e6).toFixed(2)} M` : a >= 1e3 ? `${(x / 1e3).toFixed(1)} k` : x.toFixed(0);
  if (a >= 1000) return x.toFixed(0);
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  return x.toFixed(2);
};
const ratio = (r) => (Number.isFinite(r) ? `${r.toFixed(2)}×` : "–");
const mark = (ok) => (ok === true ? "✅ met" : ok === false ? "❌ missed" : "– no data");

const lines = [];
const L = (s = "") => lines.push(s);
const targetRows = [];

L(`Generated ${doc.generated.slice(0, 16).replace("T", " ")} UTC by \`make bench\` (\`scripts/bench.sh\`), ${browser.reps} repetitions, ${browser.seconds} s of browser runs.`);
L();
L(`| machine | |`);
L(`|---|---|`);
L(`| CPU | ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB |`);
L(`| OS | ${machine.os} |`);
const driven = { cdp: "bare DevTools protocol on a pipe, no network monitoring", playwright: "playwright-core, network monitoring on" };
L(`| browser | ${machine.browser} (headless; ${driven[machine.driver] ?? machine.driver}) |`);
L(`| toolchain | ${machine.rustc}; ${machine.wasmBindgen}; Node ${machine.node}; ${machine.valgrind} |`);
L(`| load average at the end | ${machine.loadAverage.join(", ")} (other builds share the machine) |`);
L();

// Targets summary is filled in below, then spliced in here.
const summaryAt = lines.length;

// B1
L(`### B1 — shipped size`);
L();
L(`Same minimal program everywhere (open, send a greeting, pass each message to a callback; “+ JSON” decodes it to a typed struct). wasm after \`wasm-opt -Oz\`; JS = wasm-bindgen glue or library, bundled and minified by esbuild; each file compressed on its own. Sizes in KiB (1024 B).`);
L();
L(`| client | wasm gzip | JS gzip | **total gzip** | total brotli | raw (wasm + JS) |`);
L(`|---|---:|---:|---:|---:|---:|`);
const groups = { core: "core only (no JSON)", json: "core + JSON", js: "JavaScript libraries and the npm package" };
for (const [g, title] of Object.entries(groups)) {
  L(`| *${title}* | | | | | |`);
  for (const r of sizes.rows.filter((x) => x.group === g)) {
    L(`| ${r.label} | ${r.wasm.gzip ? kib(r.wasm.gzip) : "–"} | ${kib(r.js.gzip)} | **${kib(r.total.gzip)}** | ${kib(r.total.brotli)} | ${kib(r.wasm.raw)} + ${kib(r.js.raw)} |`);
  }
}
L();
const row = (id) => sizes.rows.find((r) => r.id === id);
const core = row("resocket-core"), json = row("resocket-json"), jsjson = row("resocket-jsjson"), npm = row("npm");
targetRows.push(["B1", "minimal app ≤ 16 KiB gzip (wasm + JS)", "Rust API, Raw", `${kib(core.total.gzip)} KiB`, core.total.gzip <= 16 * KB]);
targetRows.push(["B1", "with JSON ≤ 36 KiB gzip", "Rust API, Json", `${kib(json.total.gzip)} KiB`, json.total.gzip <= 36 * KB]);
if (jsjson) targetRows.push(["B1", "with JSON ≤ 36 KiB gzip", "Rust API, JsJson", `${kib(jsjson.total.gzip)} KiB`, jsjson.total.gzip <= 36 * KB]);
targetRows.push(["B1", "npm package as shipped (esbuild bundle, module included) ≤ 12 KiB gzip", "npm package", `${kib(npm.total.gzip)} KiB`, npm.total.gzip <= 12 * KB]);

const bd = sizes.breakdown ?? {};
if (bd["size-resocket-core"]) {
  L(`Where the bytes of the wasm go (function bodies before compression, from a copy that keeps the name section; names map to crates approximately):`);
  L();
  const cols = Object.keys(bd);
  const allGroups = [...new Set(cols.flatMap((c) => Object.keys(bd[c].groups)))].sort(
    (a, b) => (bd[cols[0]].groups[b] ?? 0) - (bd[cols[0]].groups[a] ?? 0),
  );
  L(`| code, KiB raw | ${cols.join(" | ")} |`);
  L(`|---|${cols.map(() => "---:").join("|")}|`);
  for (const g of allGroups) L(`| ${g} | ${cols.map((c) => kib(bd[c].groups[g] ?? 0)).join(" | ")} |`);
  L(`| data section | ${cols.map((c) => kib(bd[c].sections.data ?? 0)).join(" | ")} |`);
  L(`| functions | ${cols.map((c) => bd[c].functions).join(" | ")} |`);
  L();
  // The largest functions (as twiggy's `top` lists them), for the builds resocket ships.
  const esc = (n) => (n.length > 90 ? `${n.slice(0, 87)}…` : n).replace(/\|/g, "\\|").replace(/`/g, "'");
  for (const c of ["npm-package", "size-resocket-core"].filter((x) => bd[x]?.top)) {
    L(`Largest functions of \`${c}\` (body bytes before compression; ${bd[c].functions} functions in all):`);
    L();
    L(`| bytes | function |`);
    L(`|---:|---|`);
    for (const f of bd[c].top) L(`| ${f.size} | \`${esc(f.name)}\` |`);
    L();
  }
}

// Browser benchmarks
for (const bench of BENCHES) {
  const cases = browser.cases.filter((c) => c.id === bench.id);
  if (cases.length === 0) continue;
  L(`### ${bench.id} — ${bench.title}`);
  L();
  const metrics = Object.entries(bench.metrics);
  const head = metrics.map(([, m]) => `${m.label} (${m.unit})`);
  const withRatio = metrics.filter(([k, m]) => !m.sum && (!bench.ratios || bench.ratios.includes(k)));
  const label = (v) => bench.labels?.[v] ?? VARIANTS[v];
  L(`| case | variant | ${metrics.map(([, m]) => `${m.label}, ${m.unit}: ${m.sum ? "total" : m.pooled ? "median (min–max) of all runs" : "median (min–max)"}`).join(" | ")} | ${withRatio.map(([, m]) => `${m.label} vs ${label(bench.baseline)}`).join(" | ")} |`);
  L(`|---|---|${metrics.map(() => "---:").join("|")}|${withRatio.map(() => "---:").join("|")}|`);
  void head;
  for (const c of cases) {
    for (const v of bench.variants.filter((x) => c.summary[x] !== undefined)) {
      const s = c.summary[v];
      const cells = metrics.map(([k, m]) => {
        const x = s?.[k];
        if (!x || x.n === 0) return "–";
        if (m.sum) return `${x.sum} in ${x.n} runs`;
        const n = m.pooled ? ` n=${x.n}` : "";
        return `${num(x.median, m.unit)} (${num(x.min, m.unit)}–${num(x.max, m.unit)})${n}`;
      });
      const ratios = withRatio.map(([k, m]) => {
        const x = s?.[k];
        if (!x || v === bench.baseline) return v === bench.baseline ? "baseline" : "–";
        if (!Number.isFinite(m.pooled ? x.ratio : x.ratio.median)) return "–";
        if (m.pooled) return ratio(x.ratio);
        if (bench.id === "B8") return `${x.delta.median >= 0 ? "+" : ""}${x.delta.median.toFixed(1)} ms (${ratio(x.ratio.median)})`;
        return `${ratio(x.ratio.median)} (${ratio(x.ratio.min)}–${ratio(x.ratio.max)})`;
      });
      const err = s?.errors?.length ? ` ⚠ ${s.errors.length} failed run(s)` : "";
      L(`| ${c.case} | ${label(v)}${err} | ${cells.join(" | ")} | ${ratios.join(" | ")} |`);
    }
    const spec = bench.cases.find((x) => x.name === c.case);
    const targets = (spec?.target !== undefined ? [bench.targets[spec.target]] : bench.targets).filter(
      (t) => !t.cases || t.cases.includes(c.case),
    );
    for (const t of targets) {
      for (const v of t.variants) {
        const s = c.summary[v]?.[t.metric];
        let fig = "–";
        if (s) {
          if (t.kind.startsWith("ratio")) fig = `${ratio(s.ratio?.median ?? s.ratio)}`;
          else if (t.kind === "delta<=") fig = `${s.delta.median >= 0 ? "+" : ""}${s.delta.median.toFixed(1)} ms`;
          else if (t.kind === "sum==") fig = `${s.sum}`;
          else if (t.kind === "worst<=") fig = `worst ${num(s.max, bench.metrics[t.metric].unit)} ${bench.metrics[t.metric].unit}`;
          else fig = `${num(s.median, bench.metrics[t.metric].unit)} ${bench.metrics[t.metric].unit}`;
        }
        targetRows.push([bench.id, `${t.text}${cases.length > 1 ? ` (${c.case})` : ""}`, label(v), fig, meets(t, c.summary[v])]);
      }
    }
  }
  L();
}

// Instruction counts
L(`### Core instruction counts (native, callgrind)`);
L();
L(`\`bench/core-counts\` runs each workload ${counts.rows[0]?.n ?? "n"} times; callgrind counts only inside the workload function. Deterministic for a given build and toolchain: compare these across commits to see regressions without timing noise.`);
L();
L(`| workload | instructions / op | what |`);
L(`|---|---:|---|`);
for (const r of counts.rows) L(`| \`${r.name}\` | ${Math.round(r.perOp).toLocaleString("en-US")} | ${r.what} |`);
L();

const summary = [];
summary.push(`### Targets (goals, not tests)`);
summary.push("");
summary.push(`| id | target | variant | this run | |`);
summary.push(`|---|---|---|---:|---|`);
for (const [id, t, v, fig, ok] of targetRows) summary.push(`| ${id} | ${t} | ${v} | ${fig} | ${mark(ok)} |`);
summary.push("");
lines.splice(summaryAt, 0, ...summary);

const tables = lines.join("\n");
if (args.print) {
  for (const [id, t, v, fig, ok] of targetRows) console.log(`${id.padEnd(3)} ${mark(ok).padEnd(10)} ${v}: ${fig} — ${t}`);
}
if (args.docs) {
  const BEGIN = "<!-- bench:begin (generated by scripts/bench.sh; edits between the markers are overwritten) -->";
  const END = "<!-- bench:end -->";
  let text = existsSync(args.docs) ? readFileSync(args.docs, "utf8") : "";
  const a = text.indexOf("<!-- bench:begin"), b = text.indexOf(END);
  if (a >= 0 && b > a) {
    text = text.slice(0, a) + BEGIN + "\n\n" + tables + "\n" + text.slice(b);
  } else {
    text = `# Benchmarks\n\n${BEGIN}\n\n${tables}\n${END}\n` + (text ? `\n${text}` : "");
  }
  writeFileSync(args.docs, text);
}
