// Runs the browser tests of tests/js/browser/ in one engine and prints one line per test:
//   ok <engine>: <test> (<ms> ms)        or        FAIL <engine>: <test>: <why>
// Chromium is driven by playwright-core; Firefox and WebKit by plain W3C WebDriver
// (geckodriver / WebKitWebDriver, started by the caller). Exits non-zero on any failure.
//
//   node run-browser.mjs --engine chromium --page http://127.0.0.1:PORT/test/
//   node run-browser.mjs --engine firefox --page URL --webdriver http://127.0.0.1:PORT
//
// RESOCKET_JS_FILTER=text runs only the tests whose name contains `text`.

import { parseArgs } from "node:util";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "./chromium.mjs";
import { WebDriver, webkitBinary } from "./webdriver.mjs";

const { values: args } = parseArgs({
  options: {
    engine: { type: "string" },
    page: { type: "string" },
    webdriver: { type: "string" },
  },
});
const engine = args.engine;
if (!["chromium", "firefox", "webkit"].includes(engine) || !args.page) {
  console.error("usage: run-browser.mjs --engine chromium|firefox|webkit --page URL [--webdriver URL]");
  process.exit(2);
}
const pageUrl = `${args.page}${args.page.includes("?") ? "&" : "?"}engine=${engine}`;
const filter = process.env.RESOCKET_JS_FILTER ?? "";


const WAIT_SCRIPT = `
  const done = arguments[arguments.length - 1];
  const t0 = Date.now();
  (function check() {
    if (window.resocketTests) done({ names: window.resocketTests.names });
    else if (window.resocketLoadError) done({ error: window.resocketLoadError });
    else if (Date.now() - t0 > 20000) done({ error: "the test page did not load within 20 s" });
    else setTimeout(check, 50);
  })();`;
const RUN_SCRIPT = `
  const [name, engine, done] = arguments;
  window.resocketTests.run(name, engine).then(done, (e) => done({ ok: false, ms: 0, error: String(e) }));`;

/** Opens the page in `engine`; returns { names, run(name), close() }. */
async function openEngine() {
  if (engine === "chromium") {
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM_BIN,
      args: CHROMIUM_ARGS,
      timeout: 60000,
    });
    try {
      const page = await browser.newPage();
      await page.goto(pageUrl);
      await page.waitForFunction(() => window.resocketTests || window.resocketLoadError, null, { timeout: 20000 });
      const loadError = await page.evaluate(() => window.resocketLoadError);
      if (loadError) throw new Error(`the test page failed to load: ${loadError}`);
      return {
        names: await page.evaluate(() => window.resocketTests.names),
        run: (name) => page.evaluate(([n, e]) => window.resocketTests.run(n, e), [name, engine]),
        close: () => browser.close(),
      };
    } catch (e) {
      await browser.close();
      throw e;
    }
  }
  if (!args.webdriver) throw new Error(`--webdriver is required for ${engine}`);
  const driver = new WebDriver(args.webdriver);
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
    await driver.navigate(pageUrl);
    const loaded = await driver.executeAsync(WAIT_SCRIPT);
    if (loaded.error) throw new Error(`the test page failed to load: ${loaded.error}`);
    return {
      names: loaded.names,
      run: (name) => driver.executeAsync(RUN_SCRIPT, name, engine),
      close: () => driver.quit(),
    };
  } catch (e) {
    await driver.quit();
    throw e;
  }
}

let failed = 0;
let passed = 0;
let session;
try {
  session = await openEngine();
} catch (e) {
  console.log(`FAIL ${engine}: start: ${String(e?.message ?? e).split("\n")[0]}`);
  process.exit(1);
}
try {
  const names = session.names.filter((n) => n.includes(filter));
  if (names.length === 0) throw new Error(`no test matches ${JSON.stringify(filter)}`);
  for (const name of names) {
    let r;
    try {
      r = await session.run(name);
    } catch (e) {
      r = { ok: false, ms: 0, error: `driver: ${e?.message ?? e}` };
    }
    if (r?.ok) {
      passed += 1;
      console.log(`ok ${engine}: ${name} (${r.ms} ms)${r.note ? ` [${r.note}]` : ""}`);
    } else {
      failed += 1;
      console.log(`FAIL ${engine}: ${name}: ${r?.error ?? "no result"}`);
    }
  }
} catch (e) {
  failed += 1;
  console.log(`FAIL ${engine}: ${e?.message ?? e}`);
} finally {
  await session.close().catch(() => {});
}
console.error(`${engine}: ${passed} ok, ${failed} not ok`);
process.exit(failed > 0 ? 1 : 0);
