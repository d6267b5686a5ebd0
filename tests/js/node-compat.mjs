// Differential Node test of resocket-wasm/reconnecting-websocket and
// resocket-wasm/partysocket against the originals (reconnecting-websocket 4.4.0 and
// partysocket 1.3.0's partysocket/ws, pinned test dependencies of tests/js): each scenario
// runs on the original and on the compat class, with `ws` 8 (the project's `ws`) and `ws`
// 6 (tests/js's `ws6`), against a `ws` server made here, and the traces (events in order,
// what fired inside a call, readyState, url, retryCount, bufferedAmount, binaryType,
// return values, debug lines, error messages) must be equal. Run from a project where
// `npm install` put resocket-wasm (from its tarball) and ws:
//   node node-compat.mjs <tests/js/node_modules>
// Prints one `ok ...` / `FAIL ...` line per scenario and WebSocket class.

import { createServer } from "node:net";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const deps = process.argv[2];
if (!deps) {
  console.log("FAIL node compat: usage: node node-compat.mjs <folder with reconnecting-websocket, partysocket and ws6>");
  process.exit(1);
}
const require = createRequire(import.meta.url);
const ws8 = require("ws");
const ws6 = require(join(deps, "ws6"));
const OriginalRWS = (await import(pathToFileURL(join(deps, "reconnecting-websocket/dist/reconnecting-websocket.mjs")).href)).default;
const OriginalParty = (await import(pathToFileURL(join(deps, "partysocket/dist/ws.js")).href)).default;
const CompatRWS = (await import("resocket-wasm/reconnecting-websocket")).default;
const CompatParty = (await import("resocket-wasm/partysocket")).default;
const { ready } = await import("resocket-wasm");
await ready;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- the servers ----------------------------------------------------------------------
// /echo echoes; /close?code=C&reason=R&after=MS closes after MS ms; /binary sends 3 bytes
// on open; /count counts what it receives per tag (GET counts through `received`).
const received = new Map();
const wss = new ws8.WebSocketServer({
  port: 0,
  host: "127.0.0.1",
  handleProtocols: (protocols) => [...protocols][0] ?? false,
});
wss.on("connection", (socket, req) => {
  const u = new URL(req.url, "http://x");
  const tag = u.searchParams.get("tag") ?? "";
  socket.on("message", (data, isBinary) => {
    const list = received.get(tag) ?? [];
    list.push(isBinary ? `bin:${[...data].join(",")}` : String(data));
    received.set(tag, list);
    if (u.pathname === "/echo") socket.send(data, { binary: isBinary });
  });
  if (u.pathname === "/close") {
    setTimeout(() => socket.close(Number(u.searchParams.get("code")), u.searchParams.get("reason") ?? ""), Number(u.searchParams.get("after") ?? 0));
  }
  if (u.pathname === "/binary") socket.send(Buffer.from([1, 2, 3]));
});
await new Promise((r) => wss.on("listening", r));
const base = `ws://127.0.0.1:${wss.address().port}`;
// A server that accepts the connection and never answers the handshake.
const hung = [];
const hang = createServer((c) => hung.push(c));
await new Promise((r) => hang.listen(0, "127.0.0.1", r));
const hangUrl = `ws://127.0.0.1:${hang.address().port}/hang`;
// A port nothing listens on.
const refusedPort = await new Promise((r) => {
  const s = createServer().listen(0, "127.0.0.1", () => {
    const { port } = s.address();
    s.close(() => r(port));
  });
});
const refusedUrl = `ws://127.0.0.1:${refusedPort}/refused`;

// --- traces ---------------------------------------------------------------------------
const show = (d) => {
  if (typeof d === "string") return JSON.stringify(d);
  if (Buffer.isBuffer(d)) return `Buffer[${[...d]}]`;
  if (d instanceof ArrayBuffer) return `ArrayBuffer[${[...new Uint8Array(d)]}]`;
  if (typeof Blob === "function" && d instanceof Blob) return `Blob(${d.size})`;
  return typeof d;
};

/** Records every event of `sock` (and the state around it) into `trace`. */
function tracer(sock) {
  const trace = [];
  const state = () => `rs=${sock.readyState} rc=${sock.retryCount} ba=${sock.bufferedAmount} url=${sock.url}`;
  const note = (what) => trace.push(`${what} | ${state()}`);
  const describeEvent = (e) => {
    switch (e.type) {
      case "close":
        return `close code=${e.code} reason=${JSON.stringify(e.reason)} clean=${e.wasClean} self=${e.target === sock}`;
      case "error":
        return `error message=${JSON.stringify(e.message ?? null)} self=${e.target === sock}`;
      case "message":
        return `message ${show(e.data)}`;
      default:
        return e.type;
    }
  };
  for (const type of ["open", "message", "error", "close"]) {
    sock.addEventListener(type, (e) => note(describeEvent(e)));
    sock[`on${type}`] = (e) => trace.push(`on${type} ${describeEvent(e)}`);
  }
  /** Calls `f`, noting the events that fire inside the call. */
  const call = (what, f) => {
    trace.push(`> ${what}`);
    let r;
    try {
      r = f();
    } catch (e) {
      trace.push(`< ${what} threw ${e?.name}`);
      return undefined;
    }
    note(`< ${what}${r === undefined ? "" : ` = ${JSON.stringify(r)}`}`);
    return r;
  };
  const waitFor = async (pred, ms = 5000) => {
    const end = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > end) throw new Error(`timed out; trace so far:\n  ${trace.join("\n  ")}`);
      await sleep(5);
    }
  };
  const count = (prefix) => trace.filter((l) => l.startsWith(prefix)).length;
  return { trace, note, call, waitFor, count };
}

/** A `ws` class whose sockets have an error listener of their own (the original RWS leaves none after a timeout; ws would throw). */
const quiet = (WS) =>
  class extends WS {
    constructor(...args) {
      super(...args);
      this.on("error", () => {});
    }
  };

const fast = { minReconnectionDelay: 30, maxReconnectionDelay: 60, reconnectionDelayGrowFactor: 1.5 };

// --- the scenarios --------------------------------------------------------------------
// Each takes (Class, WS) and returns the trace; tags are the same for both runs but for
// the run number, which is not in the trace.
const rwsScenarios = {
  async "open: url as the socket reports it, queue, bufferedAmount, binaryType, echo, close()"(Class, WS, tag) {
    const sock = new Class(`${base}/echo?tag=${tag}`, undefined, { WebSocket: WS, ...fast });
    const t = tracer(sock);
    t.note("constructed");
    t.note(`binaryType ${sock.binaryType}`);
    t.call("send queued", () => sock.send("héllo"));
    t.call("send bytes queued", () => sock.send(new Uint8Array([9, 8, 7])));
    await sleep(0);
    t.note("after a tick");
    sock.addEventListener("open", () => t.note(`binaryType in open ${sock.binaryType}`));
    await t.waitFor(() => t.count("message") === 2);
    t.call("binaryType = arraybuffer", () => {
      sock.binaryType = "arraybuffer";
    });
    t.call("send bytes", () => sock.send(new Uint8Array([1, 2])));
    await t.waitFor(() => t.count("message") === 3);
    t.call("close(4001, bye)", () => sock.close(4001, "bye"));
    await t.waitFor(() => t.count("close") === 1);
    await sleep(100);
    t.note(`end; server got ${received.get(tag)?.join("|")}`);
    return t.trace;
  },

  async "binaryType nodebuffer passes through to ws"(Class, WS) {
    const sock = new Class(`${base}/binary`, [], { WebSocket: WS, ...fast });
    const t = tracer(sock);
    t.call("binaryType = nodebuffer", () => {
      sock.binaryType = "nodebuffer";
    });
    t.note(`binaryType ${sock.binaryType}`);
    await t.waitFor(() => t.count("message") === 1);
    t.note(`binaryType ${sock.binaryType}`);
    sock.close();
    await t.waitFor(() => t.count("close") === 1);
    return t.trace;
  },

  async "reconnect(): close fires inside the call, then a new socket; retryCount"(Class, WS) {
    const sock = new Class(`${base}/echo`, null, { WebSocket: WS, ...fast });
    const t = tracer(sock);
    await t.waitFor(() => t.count("open") === 1);
    t.call("reconnect(4002, again)", () => sock.reconnect(4002, "again"));
    await t.waitFor(() => t.count("open") === 2);
    t.call("reconnect()", () => sock.reconnect());
    await t.waitFor(() => t.count("open") === 3);
    t.call("close()", () => sock.close());
    await t.waitFor(() => t.count("close") === 3);
    await sleep(100);
    t.note("end");
    return t.trace;
  },

  async "a server close (4000, 1000, 4999) is retried, retryCount at each step"(Class, WS) {
    let n = 0;
    const codes = [4000, 1000, 4999];
    // Three server closes, then a socket the server leaves open (so that close() below
    // does not race a server close).
    const sock = new Class(() => (n < codes.length ? `${base}/close?code=${codes[n++]}&reason=r${n}&after=20` : `${base}/echo`), [], { WebSocket: WS, ...fast, minUptime: 10000 });
    const t = tracer(sock);
    await t.waitFor(() => t.count("open") === 4, 8000);
    t.call("close()", () => sock.close());
    await t.waitFor(() => t.count("close") === 4);
    await sleep(100);
    t.note("end");
    return t.trace;
  },

  async "connection timeout: one TIMEOUT error per attempt, maxRetries, then nothing"(Class, WS) {
    const sock = new Class(hangUrl, undefined, { WebSocket: WS, ...fast, connectionTimeout: 150, maxRetries: 2 });
    const t = tracer(sock);
    await t.waitFor(() => t.count("error") === 3, 8000);
    await sleep(400);
    t.note("end");
    sock.close();
    return t.trace;
  },

  async "connection refused: error and close per attempt, maxRetries"(Class, WS) {
    const sock = new Class(refusedUrl, undefined, { WebSocket: WS, ...fast, maxRetries: 2 });
    const t = tracer(sock);
    await t.waitFor(() => t.count("error") === 3, 8000);
    await sleep(300);
    t.note("end");
    sock.close();
    return t.trace;
  },

  async "options are read at each use: maxRetries changed after the first failure"(Class, WS) {
    const options = { WebSocket: WS, ...fast, maxRetries: 5 };
    const sock = new Class(refusedUrl, undefined, options);
    const t = tracer(sock);
    let first = true;
    sock.addEventListener("error", () => {
      if (first) options.maxRetries = 1;
      first = false;
    });
    await t.waitFor(() => t.count("error") === 2, 8000);
    await sleep(500);
    t.note("end");
    sock.close();
    return t.trace;
  },

  async "maxEnqueuedMessages: no error per dropped message; bufferedAmount counts the queue"(Class, WS, tag) {
    const sock = new Class(`${base}/echo?tag=${tag}`, undefined, { WebSocket: WS, ...fast, maxEnqueuedMessages: 2, startClosed: true });
    const t = tracer(sock);
    t.note("constructed");
    for (let i = 0; i < 4; i++) t.call(`send m${i}`, () => sock.send(`m${i}${"x".repeat(i)}`));
    t.call("send blob", () => sock.send(new Blob(["abcd"])));
    t.call("reconnect()", () => sock.reconnect());
    await t.waitFor(() => t.count("message") === 2);
    await sleep(100);
    t.note(`server got ${received.get(tag)?.join("|")}`);
    t.call("close()", () => sock.close());
    await t.waitFor(() => t.count("close") === 1);
    return t.trace;
  },

  async "close() and reconnect() before the first socket, startClosed"(Class, WS) {
    const sock = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast });
    const t = tracer(sock);
    t.call("close()", () => sock.close());
    await sleep(100);
    t.note("after close before the socket");
    const closed = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast, startClosed: true });
    const u = tracer(closed);
    u.note("startClosed");
    await sleep(50);
    u.call("reconnect()", () => closed.reconnect());
    await u.waitFor(() => u.count("open") === 1);
    u.call("close()", () => closed.close());
    await u.waitFor(() => u.count("close") === 1);
    return [...t.trace, ...u.trace];
  },

  async "debug: the original's messages"(Class, WS) {
    const lines = [];
    const log = console.log;
    console.log = (...args) => lines.push(args.map((a) => (typeof a === "object" ? JSON.stringify(a) : String(a))).join(" "));
    try {
      const sock = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast, debug: true });
      const t = tracer(sock);
      sock.send("q");
      await t.waitFor(() => t.count("message") === 1);
      sock.send("s");
      await t.waitFor(() => t.count("message") === 2);
      sock.reconnect();
      await t.waitFor(() => t.count("open") === 2);
      sock.close();
      await t.waitFor(() => t.count("close") === 2);
    } finally {
      console.log = log;
    }
    return lines;
  },
};

const partyScenarios = {
  async "party: send() returns, drainQueuedMessages(), url before the socket"(Class, WS, tag) {
    const sock = new Class(`${base}/echo?tag=${tag}`, undefined, { WebSocket: WS, ...fast, maxEnqueuedMessages: 3 });
    const t = tracer(sock);
    t.note("constructed");
    t.call("send a", () => sock.send("a"));
    t.call("send b", () => sock.send("b"));
    t.call("drainQueuedMessages", () => sock.drainQueuedMessages());
    t.call("send c", () => sock.send("c"));
    await t.waitFor(() => t.count("message") === 1);
    t.call("send d", () => sock.send("d"));
    await t.waitFor(() => t.count("message") === 2);
    t.call("close(4003, done)", () => sock.close(4003, "done"));
    await sleep(100);
    t.note(`end; server got ${received.get(tag)?.join("|")}`);
    return t.trace;
  },

  async "party: close() while CONNECTING and OPEN dispatches close inside the call; send after close warns once"(Class, WS) {
    const warnings = [];
    const warn = console.warn;
    console.warn = (...a) => warnings.push(a.join(" "));
    try {
      const sock = new Class(hangUrl, undefined, { WebSocket: WS, ...fast, connectionTimeout: 2000 });
      const t = tracer(sock);
      await t.waitFor(() => sock.url !== "");
      t.call("close() while connecting", () => sock.close());
      t.call("send after close", () => sock.send("x"));
      t.call("send after close again", () => sock.send("y"));
      const open = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast });
      const u = tracer(open);
      await u.waitFor(() => u.count("open") === 1);
      u.call("close(4004, bye)", () => open.close(4004, "bye"));
      u.call("close() again", () => open.close());
      u.call("reconnect()", () => open.reconnect());
      await u.waitFor(() => u.count("open") === 2);
      u.call("reconnect(4005, again)", () => open.reconnect(4005, "again"));
      await u.waitFor(() => u.count("open") === 3);
      u.call("close()", () => open.close());
      await sleep(150);
      u.note("end");
      return [...t.trace, ...u.trace, ...warnings.map((w) => `warn ${w}`)];
    } finally {
      console.warn = warn;
    }
  },

  async "party: shouldReconnectOnClose, a server close with its reason"(Class, WS) {
    const sock = new Class(`${base}/close?code=4010&reason=gone&after=20`, undefined, {
      WebSocket: WS,
      ...fast,
      shouldReconnectOnClose: (e) => e.code !== 4010,
    });
    const t = tracer(sock);
    await t.waitFor(() => t.count("close") === 1);
    await sleep(200);
    t.note(`end shouldReconnect=${sock.shouldReconnect}`);
    return t.trace;
  },

  async "party: protocols providers (sync and async) and URL provider errors"(Class, WS) {
    const sync = new Class(`${base}/echo`, () => ["p1", "p2"], { WebSocket: WS, ...fast });
    const t = tracer(sync);
    await t.waitFor(() => t.count("open") === 1);
    t.note(`protocol ${sync.protocol}`);
    sync.close();
    const later = new Class(`${base}/echo`, async () => "p3", { WebSocket: WS, ...fast });
    const u = tracer(later);
    await u.waitFor(() => u.count("open") === 1);
    u.note(`protocol ${later.protocol}`);
    later.close();
    let calls = 0;
    const failing = new Class(() => {
      calls += 1;
      if (calls === 1) throw new Error("no token yet");
      if (calls === 2) return Promise.reject(new Error("still no token"));
      return `${base}/echo`;
    }, undefined, { WebSocket: WS, ...fast });
    const v = tracer(failing);
    await v.waitFor(() => v.count("open") === 1);
    v.note(`calls ${calls}`);
    failing.close();
    await sleep(50);
    return [...t.trace, ...u.trace, ...v.trace];
  },

  async "party: debugLogger, timeout"(Class, WS) {
    const lines = [];
    const sock = new Class(hangUrl, undefined, {
      WebSocket: WS,
      ...fast,
      connectionTimeout: 100,
      maxRetries: 1,
      debug: true,
      debugLogger: (...a) => lines.push(a.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(" ")),
    });
    const t = tracer(sock);
    await t.waitFor(() => t.count("error") === 2, 5000);
    await sleep(200);
    sock.close();
    return [...t.trace, ...lines];
  },
};

// --- running --------------------------------------------------------------------------
let failed = false;
let runs = 0;
const pairs = [
  ["reconnecting-websocket", OriginalRWS, CompatRWS, rwsScenarios],
  ["partysocket", OriginalParty, CompatParty, partyScenarios],
];
for (const [name, Original, Compat, scenarios] of pairs) {
  for (const [wsName, WS] of [["ws 8", quiet(ws8.WebSocket)], ["ws 6", quiet(ws6)]]) {
    for (const [what, scenario] of Object.entries(scenarios)) {
      const label = `node compat (${name}, ${wsName}): ${what}`;
      const tag = `run${++runs}`;
      try {
        received.delete(tag);
        const expected = await scenario(Original, WS, tag);
        received.delete(tag);
        const actual = await scenario(Compat, WS, tag);
        const n = Math.max(expected.length, actual.length);
        const diff = [];
        for (let i = 0; i < n; i++) {
          if (expected[i] !== actual[i]) diff.push(`#${i}: original ${JSON.stringify(expected[i])} | compat ${JSON.stringify(actual[i])}`);
        }
        if (diff.length === 0) console.log(`ok ${label} (${expected.length} trace lines equal)`);
        else {
          failed = true;
          console.log(`FAIL ${label}: ${diff.length} lines differ:\n    ${diff.slice(0, 12).join("\n    ")}`);
          if (process.env.COMPAT_VERBOSE) console.log(`  original:\n    ${expected.join("\n    ")}\n  compat:\n    ${actual.join("\n    ")}`);
        }
      } catch (e) {
        failed = true;
        console.log(`FAIL ${label}: ${e?.stack ?? e}`);
      }
    }
  }
}

// --- where the compat classes differ on purpose (see the README's table) --------------
const { ReSocketError } = await import("resocket-wasm");
const check = async (label, f) => {
  try {
    const problems = [];
    await f(problems);
    if (problems.length === 0) console.log(`ok node compat: ${label}`);
    else {
      failed = true;
      console.log(`FAIL node compat: ${label}: ${problems.join("; ")}`);
    }
  } catch (e) {
    failed = true;
    console.log(`FAIL node compat: ${label}: ${e?.stack ?? e}`);
  }
};
const typed = (f, code) => {
  try {
    f();
  } catch (e) {
    return e instanceof ReSocketError && e.code === code ? null : `${e?.name} ${e?.code} ${e?.message}`;
  }
  return "nothing thrown";
};
const WS = quiet(ws8.WebSocket);
for (const [name, Class] of [["reconnecting-websocket", CompatRWS], ["partysocket", CompatParty]]) {
  await check(`${name}: reconnect() after the retries ran out connects again (the original's lock stays held)`, async (problems) => {
    let calls = 0;
    const sock = new Class(() => (++calls <= 2 ? refusedUrl : `${base}/echo`), undefined, { WebSocket: WS, ...fast, maxRetries: 1 });
    const t = tracer(sock);
    await t.waitFor(() => t.count("error") === 2);
    await sleep(200);
    if (calls !== 2) problems.push(`${calls} attempts before reconnect(), expected 2`);
    sock.reconnect();
    await t.waitFor(() => t.count("open") === 1);
    if (sock.retryCount !== 0) problems.push(`retryCount ${sock.retryCount} after the open`);
    sock.close();
  });
  await check(`${name}: close() before the first socket, then reconnect(), connects`, async (problems) => {
    const sock = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast });
    const t = tracer(sock);
    sock.close();
    await sleep(100);
    if (sock.url !== "") problems.push("a socket was made after close()");
    sock.reconnect();
    await t.waitFor(() => t.count("open") === 1);
    sock.close();
  });
  await check(`${name}: a URL provider that throws is an error event with its message, then a retry`, async (problems) => {
    let calls = 0;
    const sock = new Class(() => {
      if (++calls === 1) throw new Error("no token");
      return `${base}/echo`;
    }, undefined, { WebSocket: WS, ...fast });
    const t = tracer(sock);
    await t.waitFor(() => t.count("open") === 1);
    const errors = t.trace.filter((l) => l.startsWith("error"));
    if (errors.length !== 1 || !errors[0].includes('message="no token"')) problems.push(`errors: ${errors.join(" / ")}`);
    sock.close();
  });
  await check(`${name}: bad input is a typed error at once`, async (problems) => {
    const sock = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast });
    const t = tracer(sock);
    await t.waitFor(() => t.count("open") === 1);
    for (const [what, f, code] of [
      ["send(42)", () => sock.send(42), "encode"],
      ["send({})", () => sock.send({}), "encode"],
      ["close(999)", () => sock.close(999), "invalid_close_code"],
      ["reconnect(1001)", () => sock.reconnect(1001), "invalid_close_code"],
      ["URL 42", () => new Class(42), "invalid_url"],
      ["URL ftp:", () => new Class("ftp://127.0.0.1/x?token=secret"), "invalid_url"],
      ["URL with a fragment", () => new Class(`${base}/echo#f`), "invalid_url"],
      ["maxRetrys", () => new Class(`${base}/echo`, [], { WebSocket: WS, maxRetrys: 3 }), "invalid_option"],
      ["maxRetries '10'", () => new Class(`${base}/echo`, [], { WebSocket: WS, maxRetries: "10" }), "invalid_option"],
      ["resocket.queue", () => new Class(`${base}/echo`, [], { WebSocket: WS, resocket: { queue: {} } }), "invalid_option"],
    ]) {
      const wrong = typed(f, code);
      if (wrong) problems.push(`${what}: ${wrong}`);
    }
    try {
      new Class("ftp://user:pw@127.0.0.1/x?token=secret");
    } catch (e) {
      if (/secret|pw@/.test(e.message)) problems.push(`the URL's secrets in the error: ${e.message}`);
    }
    if (sock.readyState !== 1) problems.push("a refused call changed the socket");
    sock.close();
    // resocket's maxMessageSize, only through the resocket option (no limit otherwise).
    const bounded = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast, resocket: { maxMessageSize: 4 } });
    const b = tracer(bounded);
    await b.waitFor(() => b.count("open") === 1);
    const wrong = typed(() => bounded.send("12345"), "too_large");
    if (wrong) problems.push(`send() over resocket.maxMessageSize: ${wrong}`);
    bounded.send("1234");
    await b.waitFor(() => b.count("message") === 1);
    bounded.close();
    const big = "x".repeat(17 * 1024 * 1024);
    const free = new Class(`${base}/echo`, undefined, { WebSocket: WS, ...fast });
    const f = tracer(free);
    await f.waitFor(() => f.count("open") === 1);
    free.binaryType = "arraybuffer";
    free.send(big);
    await f.waitFor(() => f.count("message") === 1, 10000);
    if (f.count("close") !== 0) problems.push("a 17 MiB message closed the socket (the originals have no limit)");
    free.close();
  });
  await check(`${name}: a timed-out attempt with ws 8 and no error listener of the application's does not end the process`, async (problems) => {
    const uncaught = [];
    const onUncaught = (e) => uncaught.push(String(e?.message ?? e));
    process.on("uncaughtException", onUncaught);
    try {
      const sock = new Class(hangUrl, undefined, { WebSocket: ws8.WebSocket, ...fast, connectionTimeout: 100, maxRetries: 0 });
      const t = tracer(sock);
      await t.waitFor(() => t.count("error") === 1);
      await sleep(300);
      sock.close();
    } finally {
      process.off("uncaughtException", onUncaught);
    }
    if (uncaught.length > 0) problems.push(`uncaught: ${uncaught.join(" / ")}`);
  });
  await check(`${name}: a URL the WebSocket class refuses is an error event whose message shows no secret of the URL`, async (problems) => {
    // A WebSocket class that refuses the URL and quotes it in its error, as ws does for a URL it cannot take.
    class Refusing extends ws8.WebSocket {
      constructor(url) {
        throw new SyntaxError(`Invalid URL: ${url}`);
      }
    }
    const sock = new Class(`ws://user:pw@127.0.0.1:${wss.address().port}/echo?token=secret`, undefined, { WebSocket: Refusing, ...fast });
    const t = tracer(sock);
    const messages = [];
    sock.addEventListener("error", (e) => messages.push(String(e.message)));
    await t.waitFor(() => messages.length >= 1);
    sock.close();
    if (messages.some((m) => /secret|pw@/.test(m))) problems.push(`leaked: ${messages.join(" / ")}`);
    if (!messages[0].includes(`127.0.0.1:${wss.address().port}/echo`)) problems.push(`the message does not name the URL: ${messages[0]}`);
  });
  await check(`${name}: debug lines name no password, query or fragment of the URL`, async (problems) => {
    const lines = [];
    const sock = new Class(`ws://user:pw@127.0.0.1:${wss.address().port}/echo?token=secret`, undefined, {
      WebSocket: WS,
      ...fast,
      debug: true,
      debugLogger: (...a) => lines.push(a.map((x) => (typeof x === "object" ? JSON.stringify(x) : String(x))).join(" ")),
    });
    const t = tracer(sock);
    await t.waitFor(() => t.count("open") === 1);
    sock.close();
    const leaked = lines.filter((l) => /secret|pw@/.test(l));
    if (leaked.length > 0) problems.push(`leaked: ${leaked.join(" / ")}`);
    if (!lines.some((l) => l.startsWith("RWS> connect {\"url\":\"ws://127.0.0.1:"))) problems.push(`no connect line: ${lines.join(" / ")}`);
  });
}

for (const c of hung) c.destroy();
hang.close();
wss.close();
process.exitCode = failed ? 1 : 0;
setTimeout(() => process.exit(process.exitCode), 200).unref();
