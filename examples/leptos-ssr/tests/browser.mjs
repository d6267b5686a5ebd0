// The leptos-ssr example in a browser, against its running server:
//   node browser.mjs --url http://127.0.0.1:PORT/ --engine chromium [--check-html]
//   node browser.mjs --url URL --engine firefox|webkit --webdriver http://127.0.0.1:PORT
// Prints one line per check, `ok <engine>: <check>` or `FAIL <engine>: <check>: <why>`;
// exits non-zero on any failure. Chromium is driven by playwright-core (tests/js), Firefox
// and WebKit by plain W3C WebDriver (geckodriver / WebKitWebDriver, started by the caller),
// as tests/js/run-browser.mjs does. The server must run with --test-hooks (its <head> then
// records console messages, and the state and <main> the server rendered, before any
// module runs).
//
// --check-html first fetches the page without a browser and checks the server-rendered
// markup (state "connecting", zero counters, the empty chat list, the hydration script).

import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { WebDriver, webkitBinary } from "../../../tests/js/webdriver.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const testsJs = join(here, "../../../tests/js");
const { CHROMIUM_ARGS, CHROMIUM_BIN } = await import(pathToFileURL(join(testsJs, "chromium.mjs")));

const { values: args } = parseArgs({
  options: {
    engine: { type: "string" },
    url: { type: "string" },
    webdriver: { type: "string" },
    "check-html": { type: "boolean", default: false },
  },
});
const engine = args.engine;
if (!["chromium", "firefox", "webkit"].includes(engine) || !args.url) {
  console.error("usage: browser.mjs --engine chromium|firefox|webkit --url URL [--webdriver URL] [--check-html]");
  process.exit(2);
}

let failed = 0;
const ok = (what, note = "") => console.log(`ok ${engine}: ${what}${note ? ` (${note})` : ""}`);
const fail = (what, why) => {
  failed += 1;
  console.log(`FAIL ${engine}: ${what}: ${why}`);
};

// --- the server-rendered page, before any script runs ---------------------------------
async function checkHtml() {
  const res = await fetch(args.url);
  const html = await res.text();
  const want = [
    ["status 200", res.status === 200],
    ["text/html", (res.headers.get("content-type") ?? "").startsWith("text/html")],
    ["state connecting", html.includes('<span class="badge state connecting">connecting</span>')],
    ["retries 0", html.includes('<span class="value retries">0</span>')],
    ["buffered 0", html.includes('<span class="value buffered">0</span>')],
    ["queued 0", html.includes('<span class="value queued">0</span>')],
    ["chat list", /<ul class="messages">[\s\S]*No messages yet\. Say hi![\s\S]*<\/ul>/.test(html)],
    ["send disabled", /<button[^>]*\sdisabled[\s>=][^>]*>Send<\/button>/.test(html)],
    ["hydration script", html.includes("/pkg/leptos_ssr.js") && html.includes("leptos_ssr_bg")],
  ];
  const missing = want.filter(([, hit]) => !hit).map(([name]) => name);
  if (missing.length) fail("server-rendered HTML", `missing ${missing.join(", ")} in:\n${html}`);
  else ok("server-rendered HTML: state connecting, zero counters, empty chat list, hydration script");

  const base = new URL(args.url);
  for (const [path, type] of [["/pkg/leptos_ssr.js", "javascript"], ["/pkg/leptos_ssr_bg.wasm", "application/wasm"]]) {
    const r = await fetch(new URL(path, base));
    const got = r.headers.get("content-type") ?? "";
    await r.arrayBuffer();
    if (r.status !== 200 || !got.includes(type)) fail(`GET ${path}`, `status ${r.status}, content-type ${got}`);
    else ok(`GET ${path} (${got})`);
  }
}

// --- in the page: runs in the browser, driven the same way in every engine --------------
// Returns { ok, error?, steps: [...] }.
const PAGE_TEST = async function (text) {
  const steps = [];
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  // Warnings, errors and anything about hydration, as recorded by the page's <head>.
  const trouble = () =>
    (window.__consoleLog ?? []).filter((m) => ["warn", "error", "uncaught"].includes(m.level) || /hydrat/i.test(m.text));
  const until = async (what, ms, pred) => {
    const t0 = Date.now();
    for (;;) {
      const bad = trouble();
      if (bad.length) throw new Error(`console: ${bad.map((m) => `[${m.level}] ${m.text}`).join(" | ")}`);
      const v = pred();
      if (v) return v;
      if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
      await sleep(20);
    }
  };
  const $ = (s) => document.querySelector(s);
  try {
    if (!window.__consoleLog) throw new Error("no console recorder: start the server with --test-hooks");
    if (window.__ssrState !== "connecting") throw new Error(`state before hydration: ${window.__ssrState}`);
    steps.push("before hydration the page showed the server's state: connecting");
    await until('state "open"', 60000, () => $(".state")?.textContent === "open");
    steps.push(`hydrated and connected: state open ${Math.round(performance.now())} ms after navigation`);
    if ($("main") !== window.__ssrMain) throw new Error("<main> was replaced: the page was rendered again, not hydrated");
    steps.push("the server's <main> element was hydrated in place");
    if ($(".value.retries").textContent !== "0") throw new Error(`retries: ${$(".value.retries").textContent}`);

    // A second, raw WebSocket on the same room: the server broadcasts to every link.
    const raw = new WebSocket(new URL("/ws", location.href).href.replace(/^http/, "ws"));
    const heard = [];
    raw.onmessage = (e) => heard.push(JSON.parse(e.data));
    await until("the raw WebSocket to open", 10000, () => raw.readyState === WebSocket.OPEN);

    const input = $(".composer input");
    input.value = text;
    input.dispatchEvent(new Event("input", { bubbles: true }));
    const button = $(".composer button");
    await until("the Send button to be enabled", 5000, () => !button.disabled);
    button.click();
    const li = await until(`"${text}" in the chat list`, 10000, () =>
      [...document.querySelectorAll(".messages li.msg")].find((li) => li.querySelector(".text")?.textContent === text),
    );
    const from = li.querySelector(".from")?.textContent ?? "";
    if (!/^guest-\d+$/.test(from)) throw new Error(`sender shown as "${from}"`);
    if (input.value !== "") throw new Error("the input was not cleared");
    if ($(".messages li.empty")) throw new Error('"No messages yet" still shown');
    steps.push(`sent "${text}", came back from the server as ${from}`);
    await until("the broadcast on the raw WebSocket", 5000, () => heard.some((m) => m.text === text && m.from === from));
    raw.close();
    steps.push("the raw WebSocket got the same broadcast");

    const bad = trouble();
    if (bad.length) throw new Error(`console: ${bad.map((m) => `[${m.level}] ${m.text}`).join(" | ")}`);
    steps.push(`console: no warnings, errors or hydration messages (${window.__consoleLog.length} lines)`);
    return { ok: true, steps };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e), steps };
  }
};

/** Loads the page and runs PAGE_TEST in it; also returns what the engine itself logged. */
async function runInBrowser(text) {
  if (engine === "chromium") {
    const require = createRequire(join(testsJs, "package.json"));
    const { chromium } = require("playwright-core");
    const browser = await chromium.launch({ executablePath: CHROMIUM_BIN, args: CHROMIUM_ARGS, timeout: 60000 });
    try {
      const page = await browser.newPage();
      const logged = [];
      page.on("console", (m) => logged.push({ level: m.type(), text: m.text() }));
      page.on("pageerror", (e) => logged.push({ level: "uncaught", text: String(e) }));
      await page.goto(args.url);
      const result = await page.evaluate(`(${PAGE_TEST})(${JSON.stringify(text)})`);
      return { result, logged };
    } finally {
      await browser.close();
    }
  }
  if (!args.webdriver) throw new Error(`--webdriver is required for ${engine}`);
  const driver = new WebDriver(args.webdriver, { pageLoad: 60000 });
  let capabilities;
  if (engine === "firefox") {
    capabilities = {
      browserName: "firefox",
      "moz:firefoxOptions": { binary: process.env.FIREFOX_BIN ?? "/usr/bin/firefox-esr", args: ["-headless"] },
    };
  } else {
    const binary = webkitBinary();
    if (!binary) throw new Error("MiniBrowser (webkit2gtk) not found; set WEBKIT_MINIBROWSER");
    capabilities = { "webkitgtk:browserOptions": { binary, args: ["--automation"] } };
  }
  await driver.start(capabilities);
  try {
    await driver.navigate(args.url);
    const script = `const done = arguments[arguments.length - 1];
      (${PAGE_TEST})(arguments[0]).then(done, (e) => done({ ok: false, error: String(e), steps: [] }));`;
    return { result: await driver.executeAsync(script, text), logged: null };
  } finally {
    await driver.quit();
  }
}

try {
  if (args["check-html"]) await checkHtml();
  const text = `hello from ${engine} ${Math.random().toString(36).slice(2, 8)}`;
  const { result, logged } = await runInBrowser(text);
  for (const step of result?.steps ?? []) ok(step);
  if (!result?.ok) {
    fail("hydrated page", result?.error ?? "no result");
  }
  if (logged) {
    const bad = logged.filter((m) => ["warning", "error", "uncaught"].includes(m.level) || /hydrat/i.test(m.text));
    if (bad.length) fail("DevTools console", bad.map((m) => `[${m.level}] ${m.text}`).join(" | "));
    else ok(`DevTools console: no warnings, errors or hydration messages (${logged.length} lines)`);
  }
} catch (e) {
  fail("run", String(e?.message ?? e).split("\n")[0]);
}
process.exit(failed > 0 ? 1 : 0);
