// Opens one consumer's page in headless Chromium and waits for the app's verdict
// (window.__result, set by tests/bundlers/app/src/checks.js). Prints one line:
//   ok <name>: <checks> (<ms> ms; wasm: <url> <status> <type>)     or     FAIL <name>: <why>
// then, indented, what the page reported on the way: uncaught errors, console errors,
// failed requests, HTTP errors and every .wasm response. Exits non-zero on failure.
//
//   node drive.mjs --name "vite 5.4.21 build" --url "http://127.0.0.1:PORT/?ws=..." [--timeout-ms 20000]
//                  [--wasm-requests N]
//
// Every page must make exactly --wasm-requests N requests for .wasm files (default 0: the
// package's module is inside its JavaScript). The
// wait ends early 5 s after an uncaught error if the app has still given no result.
//
// playwright-core comes from tests/js/node_modules (npm ci in tests/js).

import { createRequire } from "node:module";
import { parseArgs } from "node:util";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "../js/chromium.mjs";

const { values: args } = parseArgs({
  options: {
    name: { type: "string" },
    url: { type: "string" },
    "timeout-ms": { type: "string", default: "20000" },
    "wasm-requests": { type: "string" },
  },
});
if (!args.name || !args.url) {
  console.error('usage: drive.mjs --name "NAME" --url URL [--timeout-ms N]');
  process.exit(2);
}
const name = args.name;
const timeoutMs = Number(args["timeout-ms"]);
const { chromium } = createRequire(new URL("../js/package.json", import.meta.url))("playwright-core");

const origin = new URL(args.url).origin;
const short = (u) => (u.startsWith(origin) ? u.slice(origin.length) : u);
const clip = (s, n = 300) => {
  const line = String(s).replace(/\s+/g, " ").trim();
  return line.length > n ? `${line.slice(0, n)}…` : line;
};
const notes = [];
const note = (s) => {
  const line = clip(s);
  if (!notes.includes(line)) notes.push(line);
};
const wasm = [];
let wasmRequests = 0;
let lastError = 0;
let firstUncaught = null;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let browser;
let result = null;
let failure = null;
try {
  browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS, timeout: 60000 });
  const context = await browser.newContext();
  const page = await context.newPage();
  const onConsole = (m) => {
    if (m.type() === "error") note(`console.error: ${m.text()}`);
  };
  page.on("console", onConsole);
  page.on("worker", (w) => w.on("console", onConsole));
  page.on("pageerror", (e) => {
    note(`uncaught: ${e.message}`);
    firstUncaught ??= e.message;
    lastError = Date.now();
  });
  context.on("request", (r) => {
    if (/\.wasm(\?|$)/.test(r.url())) wasmRequests += 1;
  });
  context.on("requestfailed", (r) => note(`request failed: ${short(r.url())} (${r.failure()?.errorText ?? "?"})`));
  context.on("response", (r) => {
    const url = short(r.url());
    const type = r.headers()["content-type"] ?? "no content type";
    if (r.status() >= 400) note(`HTTP ${r.status()} for ${url}`);
    if (/\.wasm(\?|$)/.test(url) || type.includes("wasm")) wasm.push(`${url} ${r.status()} ${type}`);
  });
  await page.goto(args.url, { timeout: 15000, waitUntil: "commit" });
  // Poll rather than waitForFunction: a dev server may reload the page once.
  const deadline = Date.now() + timeoutMs;
  let gaveUp = false;
  while (Date.now() < deadline) {
    result = await page.evaluate(() => globalThis.__result ?? null).catch(() => null);
    if (result) break;
    if (lastError && Date.now() - lastError > 5000) {
      gaveUp = true;
      break;
    }
    await sleep(100);
  }
  const expected = args["wasm-requests"] === undefined ? 0 : Number(args["wasm-requests"]);
  if (!result) {
    const title = await page.title().catch(() => "");
    failure = gaveUp
      ? `the app gave no result; uncaught: ${firstUncaught}`
      : `the app gave no result within ${timeoutMs / 1000} s (title ${JSON.stringify(title)})`;
  } else if (!result.ok) {
    failure = `${result.where ?? "page"}: ${result.error}`;
  } else if (expected !== null && wasmRequests !== expected) {
    failure = `the app passed, but a .wasm was requested ${wasmRequests} times, not ${expected}`;
  }
} catch (e) {
  failure = `driver: ${String(e?.message ?? e).split("\n")[0]}`;
} finally {
  await browser?.close().catch(() => {});
}

const details = [...notes, ...(wasm.length ? wasm.map((w) => `wasm response: ${w}`) : ["wasm response: none"])];
if (failure === null) {
  const where = result.where === "worker" ? " in a module worker" : "";
  const fetched = args["wasm-requests"] === undefined ? "" : `, requested ${wasmRequests}×`;
  console.log(`ok ${name}: ${result.passed.join(", ")}${where} (${result.ms} ms; wasm: ${wasm[0] ?? "no .wasm request"}${fetched})`);
  for (const w of wasm.slice(1)) console.log(`    note: also wasm response ${w}`);
  for (const n of notes) console.log(`    note: ${n}`);
} else {
  console.log(`FAIL ${name}: ${clip(failure, 400)}`);
  for (const d of details.slice(0, 12)) console.log(`    ${d}`);
  if (details.length > 12) console.log(`    (${details.length - 12} more)`);
  process.exitCode = 1;
}
