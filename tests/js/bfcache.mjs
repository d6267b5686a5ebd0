// The back/forward cache, for real: a page using ReSocket (on the test server's
// /echo?tag=T) is left for another page of the same origin and comes back with
// history.back(). Checked, per engine:
//   - the page was restored from the cache (pageshow.persisted), after a pagehide with
//     persisted, when the socket was already closed (state "reconnecting", cause
//     "suspended");
//   - a message sent from that pagehide was queued (the socket was closed), and after the
//     page came back the socket reconnected and the server echoed it within 1 s of
//     pageshow, once;
//   - at the server: two connections, the first closed by the client with 1000 ("going
//     away"; a page may not send 1001), each message received once.
// An engine that does not restore pages from the cache under automation is a named,
// expected limitation (LIMITS), printed as such; its run then drives the same path with
// synthetic pagehide/pageshow events (persisted: true) on a real socket and server, and
// says so. An engine in LIMITS that does restore the page fails the run (LIMITS is stale).
//
// Usage: node bfcache.mjs --page http://127.0.0.1:PORT/test/ --engine chromium|firefox|webkit
//        [--webdriver http://127.0.0.1:PORT]   (Firefox: geckodriver; WebKit: WebKitWebDriver)
// Prints `ok ...` / `FAIL ...` lines (scripts/test-js.sh counts them).

import { parseArgs } from "node:util";
import { CHROMIUM_ARGS, CHROMIUM_BIN } from "./chromium.mjs";
import { WebDriver, webkitBinary } from "./webdriver.mjs";

const { values: args } = parseArgs({
  options: { page: { type: "string" }, engine: { type: "string" }, webdriver: { type: "string" } },
});
const engine = args.engine;
if (!["chromium", "firefox", "webkit"].includes(engine) || !args.page) {
  console.error("usage: node bfcache.mjs --page URL --engine chromium|firefox|webkit [--webdriver URL]");
  process.exit(2);
}

/**
 * Engines that do not restore this page from the back/forward cache, and why. Each is
 * checked by a control: the same page without a socket must be restored.
 */
const LIMITS = {
  firefox:
    "Firefox keeps a page out of the back/forward cache when it has a WebSocket open or closing as the " +
    "navigation starts (pagehide comes too late to close it), so history.back() loads the page again",
};

const base = args.page.endsWith("/") ? args.page : `${args.page}/`;
const origin = new URL(base).origin;
let failures = 0;
const ok = (what) => console.log(`ok ${engine} bfcache: ${what}`);
const fail = (what) => {
  failures++;
  console.log(`FAIL ${engine} bfcache: ${what}`);
};
const check = (cond, what, detail) => (cond ? ok(what) : fail(`${what}${detail === undefined ? "" : ` (${JSON.stringify(detail)})`}`));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- engines: goto, back, evaluate (an expression's JSON) ----------------------------------

async function chromiumDriver() {
  const { chromium } = await import("playwright-core");
  // Playwright turns the back/forward cache off by default; this test needs it.
  const browser = await chromium.launch({
    executablePath: CHROMIUM_BIN,
    args: CHROMIUM_ARGS,
    ignoreDefaultArgs: ["--disable-back-forward-cache"],
  });
  const page = await (await browser.newContext()).newPage();
  const cdp = await page.context().newCDPSession(page);
  const notUsed = [];
  await cdp.send("Page.enable");
  cdp.on("Page.backForwardCacheNotUsed", (e) => notUsed.push(...e.notRestoredExplanations.map((x) => x.reason)));
  return {
    goto: (url) => page.goto(url),
    // A page restored from the cache fires no load event.
    back: () => page.goBack({ waitUntil: "commit" }),
    json: (expr) => page.evaluate(`JSON.stringify(${expr})`),
    why: () => notUsed.join(", "),
    quit: () => browser.close(),
  };
}

async function webdriverDriver() {
  if (!args.webdriver) throw new Error(`--webdriver is required for ${engine}`);
  const d = new WebDriver(args.webdriver);
  const capabilities =
    engine === "firefox"
      ? { browserName: "firefox", "moz:firefoxOptions": { binary: process.env.FIREFOX_BIN ?? "/usr/bin/firefox-esr", args: ["-headless"] } }
      : { "webkitgtk:browserOptions": { binary: webkitBinary(), args: ["--automation"] } };
  await d.start(capabilities);
  const s = () => `/session/${d.session}`;
  return {
    goto: (url) => d.navigate(url),
    back: () => d.cmd("POST", `${s()}/back`, {}),
    json: (expr) => d.cmd("POST", `${s()}/execute/sync`, { script: `return JSON.stringify(${expr});`, args: [] }),
    why: () => "",
    quit: () => d.quit(),
  };
}

// --- the run ------------------------------------------------------------------------------

/** The page's record, or null (no page, or not loaded yet). */
async function record(driver) {
  const s = await driver.json("window.bfcache ?? null").catch(() => "null");
  return JSON.parse(s ?? "null");
}

async function until(driver, cond, ms) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await record(driver);
    if ((r !== null && cond(r)) || Date.now() > end) return r;
    await sleep(50);
  }
}

async function stats(tag) {
  const res = await fetch(`${origin}/control/stats?tag=${encodeURIComponent(tag)}`);
  return res.json();
}

const echoed = (r, data) => r.got.filter((g) => g.data === data);

/** The checks after the page came back, restored (`how` names the path taken). */
async function checkReturn(driver, tag, how) {
  const r = await until(driver, (x) => echoed(x, "queued").length > 0, 5000);
  const hide = r.hides.find((h) => h.persisted);
  const show = r.shows.find((s) => s.persisted);
  check(hide?.state === "reconnecting", `${how}: the socket was closed before the page's own pagehide listener ran`, hide);
  check(r.error === null && r.queuedAmount > 0, `${how}: a message sent from pagehide was queued`, { error: r.error, queued: r.queuedAmount });
  const suspended = r.states.find((s) => s.state === "reconnecting");
  check(suspended?.cause === "suspended", `${how}: state "reconnecting" with cause "suspended"`, r.states);
  const q = echoed(r, "queued");
  const after = q.length > 0 && show ? q[0].t - show.t : null;
  check(after !== null && after >= 0 && after <= 1000, `${how}: reconnected and delivered the queue ${after} ms after pageshow (at most 1000)`, { got: r.got, show });
  check(q.length === 1 && echoed(r, "first").length === 1, `${how}: each message echoed once`, r.got);
  const st = await stats(tag);
  check(st.accepted === 2, `${how}: the server saw 2 connections`, st.accepted);
  check(st.messages_in === 2, `${how}: the server received each message once (2)`, st.messages_in);
  const away = st.closes.find((c) => c.code === 1000 && c.reason === "going away");
  check(away !== undefined, `${how}: the first socket was closed with 1000 "going away" (a page may not send 1001)`, st.closes);
}

async function run(driver) {
  const tag = `bfcache-${engine}-${Date.now()}`;
  await driver.goto(`${base}bfcache.html?tag=${tag}`);
  const first = await until(driver, (x) => echoed(x, "first").length > 0 || x.error !== null, 10000);
  check(first !== null && echoed(first, "first").length === 1, "the page connected and echoed a message", first);
  const restored = await awayAndBack(driver);
  const limit = LIMITS[engine];
  if (restored) {
    if (limit !== undefined) fail(`the page was restored from the cache, but LIMITS says: ${limit}`);
    ok("history.back() restored the page from the back/forward cache (pageshow.persisted)");
    return checkReturn(driver, tag, "bfcache");
  }
  const why = driver.why();
  if (limit === undefined) {
    fail(`history.back() did not restore the page from the back/forward cache${why ? `: ${why}` : ""}`);
    return;
  }
  console.log(`limitation ${engine} bfcache: ${limit}${why ? ` (${why})` : ""}`);
  await driver.goto(`${base}bfcache.html?socket=none`);
  await until(driver, (x) => x.shows.length > 0, 5000);
  check(await awayAndBack(driver), "control: the same page without a socket is restored from the cache");
  console.log(`limitation ${engine} bfcache: the same path follows with synthetic pagehide/pageshow events (persisted)`);
  await synthetic(driver);
}

/** Leaves the page for another one and comes back: was it restored from the cache? */
async function awayAndBack(driver) {
  await driver.goto(`${base}bfcache-away.html`);
  await sleep(300);
  await driver.back();
  const back = await until(driver, (x) => x.shows.length > 1 || x.shows.some((s) => s.persisted), 5000);
  return back?.shows.some((s) => s.persisted) === true;
}

/** No cache under automation: the same path, the events dispatched by the page itself. */
async function synthetic(driver) {
  const tag = `bfcache-synthetic-${engine}-${Date.now()}`;
  await driver.goto(`${base}bfcache.html?tag=${tag}`);
  await until(driver, (x) => echoed(x, "first").length > 0, 10000);
  const fire = (type) =>
    driver.json(`(dispatchEvent(new PageTransitionEvent("${type}", { persisted: true })), null)`);
  await fire("pagehide");
  await sleep(300);
  await fire("pageshow");
  await checkReturn(driver, tag, "synthetic pagehide/pageshow");
}

const driver = engine === "chromium" ? await chromiumDriver() : await webdriverDriver();
try {
  await run(driver);
} catch (e) {
  fail(`the run threw: ${(e && e.stack) || e}`);
} finally {
  await driver.quit();
}
process.exit(failures === 0 ? 0 : 1);
