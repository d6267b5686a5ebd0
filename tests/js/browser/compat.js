// Browser tests of resocket-wasm/reconnecting-websocket and resocket-wasm/partysocket: what
// reconnecting-websocket 4.4.0 and partysocket/ws 1.3.0 do (read in their published sources,
// and compared trace for trace in Node by tests/js/node-compat.mjs), against the test
// server: the browser's own socket events, the events the classes make inside a call, and
// the state around them. tests.js registers these after its own tests (every name starts
// with "compat"); run only them with RESOCKET_JS_FILTER=compat.

import ReconnectingWebSocket, {
  ReconnectingWebSocket as NamedReconnectingWebSocket,
  CloseEvent,
  ErrorEvent,
} from "resocket-wasm/reconnecting-websocket";
import PartySocket, { WebSocket as PartyWebSocket } from "resocket-wasm/partysocket";
import { ReSocketError } from "resocket-wasm";
import { sleep, assert, until, control, once as harnessOnce } from "./hostile-harness.js";

const wsBase = `ws://${location.host}`;
let tagSeq = 0;
const tag = (name) => `compat-${name}-${Date.now().toString(36)}-${++tagSeq}`;
const show = (v) =>
  JSON.stringify(v, (_, x) => {
    if (x instanceof ArrayBuffer) return `ArrayBuffer[${Array.from(new Uint8Array(x))}]`;
    if (typeof Blob === "function" && x instanceof Blob) return `Blob(${x.size})`;
    if (ArrayBuffer.isView(x)) return `${x.constructor.name}[${Array.from(new Uint8Array(x.buffer, x.byteOffset, x.byteLength))}]`;
    return x;
  });

function eq(actual, expected, msg) {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) throw new Error(`${msg}: expected ${e}, got ${a}`);
}

const once = (target, type, ms = 10000) => harnessOnce(target, type, ms);

function throws(fn, code, text) {
  try {
    fn();
  } catch (e) {
    assert(e instanceof ReSocketError, `not a ReSocketError: ${e}`);
    eq(e.code, code, `error code (message: ${e.message})`);
    if (text) assert(e.message.includes(text), `message ${show(e.message)} does not name ${text}`);
    return e;
  }
  throw new Error(`expected a ReSocketError with code ${code}, nothing was thrown`);
}

/**
 * Every event of a socket, as plain records, in order: its type and fields, the socket's
 * state when it fired, and whether it fired inside a call (`t.call`).
 */
function track(ws) {
  const t = { events: [], messages: [], closes: [], errors: [], opens: 0, inCall: null };
  const state = () => ({ readyState: ws.readyState, retryCount: ws.retryCount });
  const record = (e) => {
    const r = { type: e.type, ...state(), inCall: t.inCall };
    if (e.type === "close") Object.assign(r, { code: e.code, reason: e.reason, wasClean: e.wasClean });
    if (e.type === "error") r.message = e.message ?? null;
    return r;
  };
  ws.addEventListener("open", (e) => {
    t.opens += 1;
    t.events.push(record(e));
  });
  ws.addEventListener("message", (e) => {
    t.messages.push(e.data);
    t.events.push(record(e));
  });
  ws.addEventListener("close", (e) => {
    const r = record(e);
    t.closes.push(r);
    t.events.push(r);
  });
  ws.addEventListener("error", (e) => {
    const r = record(e);
    t.errors.push(r);
    t.events.push(r);
  });
  /** Calls `f`, marking the events that fire inside the call with `what`. */
  t.call = (what, f) => {
    t.inCall = what;
    try {
      return f();
    } finally {
      t.inCall = null;
    }
  };
  t.types = () => t.events.map((e) => (e.type === "close" ? `close(${e.code})` : e.type === "error" ? `error(${e.message})` : e.type));
  return t;
}

const bytes = (buf) => Array.from(new Uint8Array(buf));

const tests = [];
/** A test; `make(...)` constructs a ReconnectingWebSocket that is closed when the test ends. */
const test = (name, fn, timeout = 20000) =>
  tests.push({
    name,
    timeout,
    async fn(ctx) {
      const made = [];
      const make = (...args) => {
        const ws = new ReconnectingWebSocket(...args);
        made.push(ws);
        return ws;
      };
      const makeWith = (Class, ...args) => {
        const ws = new Class(...args);
        made.push(ws);
        return ws;
      };
      try {
        return await fn({ ...ctx, make, makeWith });
      } finally {
        for (const ws of made) {
          try {
            ws.close();
          } catch {
            // already closed
          }
        }
      }
    },
  });

// A connection timeout far above any handshake here: an engine may hold back connections
// to a host whose handshakes failed (Firefox does), which must not turn into a timeout.
const fast = { minReconnectionDelay: 50, maxReconnectionDelay: 100, connectionTimeout: 15000 };
const { CONNECTING, OPEN, CLOSING, CLOSED } = ReconnectingWebSocket;

test("compat: exports, constructor forms and typed errors for bad input", async ({ make, makeWith }) => {
  eq(NamedReconnectingWebSocket, ReconnectingWebSocket, "the named export is the default export");
  eq(PartyWebSocket, PartySocket, "partysocket: WebSocket is the default export");
  assert(PartySocket.prototype instanceof ReconnectingWebSocket, "partysocket's class is a reconnecting-websocket");
  eq([CONNECTING, OPEN, CLOSING, CLOSED], [0, 1, 2, 3], "static constants");
  const t = tag("ctor");
  const list = make(`${wsBase}/echo?tag=${t}`, ["chat.v2", "chat.v1"], { ...fast, maxRetries: 3, connectionTimeout: 2000 });
  await once(list, "open");
  eq(list.protocol, "chat.v2", "(url, protocols list, options): the server chose the first offered");
  for (const none of [[], null, undefined]) {
    const ws = make(`${wsBase}/echo?tag=${t}`, none, fast);
    await once(ws, "open");
    eq(ws.protocol, "", `no subprotocol for ${show(none) ?? "undefined"}`);
  }
  let calls = 0;
  const provided = make(async () => {
    await sleep(5);
    return `${wsBase}/echo?tag=${t}-async&n=${++calls}`;
  }, [], fast);
  await once(provided, "open");
  await control(`/control/drop?tag=${t}-async`);
  await until(() => calls === 2 && provided.readyState === OPEN, 5000, "the reconnect");
  eq(provided.url, `${wsBase}/echo?tag=${t}-async&n=2`, "async provider, called again for the reconnect");

  throws(() => new ReconnectingWebSocket(42), "invalid_url");
  const e = throws(() => new ReconnectingWebSocket("ftp://user:secret@127.0.0.1/x?token=secret"), "invalid_url");
  assert(!e.message.includes("secret"), `the URL's secrets in the error: ${e.message}`);
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { maxRetrys: 3 }), "invalid_option", "`maxRetrys`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { maxRetries: "10" }), "invalid_option", "`maxRetries`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { WebSocket: 42 }), "invalid_option", "`WebSocket`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, () => "p"), "invalid_option", "`protocols`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { resocket: { queue: {} } }), "invalid_option", "`resocket.queue`");
  throws(() => new PartySocket(`${wsBase}/echo`, [], { shouldReconnectOnClose: 1 }), "invalid_option", "`shouldReconnectOnClose`");
  const open = makeWith(PartySocket, `${wsBase}/echo?tag=${t}`, [], fast);
  await once(open, "open");
  throws(() => open.send(42), "encode");
  throws(() => open.close(1001), "invalid_close_code", "1001");
  throws(() => open.reconnect(2999), "invalid_close_code", "2999");
  throws(() => open.close(1000, "x".repeat(124)), "invalid_close_reason", "124");
  eq(open.readyState, OPEN, "still open after refused calls");
});

test("compat: url is the socket's own, \"\" before the first socket, which is made asynchronously", async ({ make }) => {
  const t = tag("url");
  const ws = make(`${wsBase}/echo?tag=${t}`, undefined, fast);
  eq([ws.url, ws.readyState, ws.protocol, ws.extensions, ws.binaryType, ws.bufferedAmount, ws.retryCount], ["", CONNECTING, "", "", "blob", 0, 0], "right after the constructor");
  const inOpen = new Promise((resolve) => {
    ws.onopen = () => resolve(ws.url);
  });
  eq(await inOpen, `${wsBase}/echo?tag=${t}`, "url in the open handler");
  // The browser's socket reports a URL without a path with "/".
  const bare = make(wsBase, undefined, { ...fast, maxRetries: 0 });
  await until(() => bare.url !== "", 2000, "the socket");
  eq(bare.url, `${wsBase}/`, "url of ws://host as the socket reports it");
});

test("compat: reconnect() closes the socket inside the call; retryCount", async ({ make }) => {
  const t = tag("reconnect");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], fast);
  const got = track(ws);
  const order = [];
  ws.onclose = (e) => order.push(`onclose(${e.code})`);
  ws.addEventListener("close", (e) => order.push(`listener(${e.code})`));
  await once(ws, "open");
  got.call("reconnect", () => ws.reconnect(4002, "again"));
  eq(ws.readyState, CLOSING, "readyState right after reconnect()");
  eq(got.closes, [{ type: "close", readyState: CLOSING, retryCount: 0, inCall: "reconnect", code: 4002, reason: "again", wasClean: true }], "the close event, inside reconnect()");
  eq(order, ["onclose(4002)", "listener(4002)"], "onclose runs before the listeners");
  await until(() => got.opens === 2, 5000, "open after reconnect()");
  eq(ws.retryCount, 0, "retryCount after the reconnect");
  let wire = [];
  for (let i = 0; i < 100 && wire.length === 0; i++, await sleep(20)) wire = (await control(`/control/stats?tag=${t}`)).closes;
  eq(wire, [{ code: 4002, reason: "again" }], "close frame the server got from reconnect(4002, 'again')");
  const reply = once(ws, "message");
  ws.send("back");
  eq((await reply).data, "back", "echo after reconnect()");
});

test("compat: close(): the socket's own close event follows; reconnect() connects again", async ({ make }) => {
  const t = tag("close");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], fast);
  const got = track(ws);
  await once(ws, "open");
  got.call("close", () => ws.close(4001, "bye"));
  eq([ws.readyState, got.closes.length], [CLOSING, 0], "right after close(): CLOSING, no close event yet");
  await until(() => got.closes.length === 1, 5000, "the close event");
  eq(got.closes[0], { type: "close", readyState: CLOSED, retryCount: 0, inCall: null, code: 4001, reason: "bye", wasClean: true }, "the close event");
  await sleep(300);
  eq((await control(`/control/stats?tag=${t}`)).accepted, 1, "no reconnection after close()");
  ws.send("queued");
  eq(ws.bufferedAmount, 6, "a send after close() is queued");
  ws.reconnect();
  await until(() => got.messages.length === 1, 5000, "the queued message's echo");
  eq(got.messages, ["queued"], "sent on the next open");
});

test("compat: a server close is retried whatever its code (4000 too); retryCount at each step", async ({ make }) => {
  const t = tag("server-close");
  const ws = make(`${wsBase}/close?code=4000&reason=bye&after_ms=50&tag=${t}`, [], { ...fast, minUptime: 10000 });
  const got = track(ws);
  const retryAtOpen = [];
  ws.addEventListener("open", () => retryAtOpen.push(ws.retryCount));
  await until(() => got.opens === 3, 8000, "two reconnects");
  eq(got.closes.slice(0, 2).map((c) => [c.code, c.reason, c.wasClean, c.readyState, c.retryCount]), [[4000, "bye", true, CLOSED, 1], [4000, "bye", true, CLOSED, 2]], "close events");
  eq(retryAtOpen, [0, 1, 2], "retryCount when open");
});

test("compat: maxEnqueuedMessages drops silently; bufferedAmount counts the queue as the original does", async ({ make }) => {
  const t = tag("queue");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { ...fast, startClosed: true, maxEnqueuedMessages: 2 });
  const got = track(ws);
  eq([ws.readyState, ws.url], [CLOSED, ""], "startClosed");
  ws.send("ab");
  ws.send("é€");
  ws.send("dropped");
  await sleep(50);
  eq([ws.bufferedAmount, got.events], [4, []], "bufferedAmount (a string counts its length), no event");
  ws.reconnect();
  await until(() => got.messages.length === 2, 5000, "2 echoes");
  await sleep(200);
  eq([got.messages, got.errors], [["ab", "é€"], []], "the queued messages, in order; no error event");
});

test("compat: binaryType passes through to the socket", async ({ make }) => {
  const ws = make(`${wsBase}/echo?tag=${tag("binary")}`, [], fast);
  const got = track(ws);
  eq(ws.binaryType, "blob", "default binaryType");
  await once(ws, "open");
  ws.send(new Uint8Array([7, 8, 9]));
  ws.send("text");
  await until(() => got.messages.length >= 2, 5000, "2 echoes");
  assert(got.messages[0] instanceof Blob, `binary data with "blob": ${show(got.messages[0])}`);
  eq(bytes(await got.messages[0].arrayBuffer()), [7, 8, 9], "the Blob's bytes");
  eq(got.messages[1], "text", "text");
  ws.binaryType = "arraybuffer";
  ws.binaryType = "nodebuffer"; // the browser's socket ignores it
  eq(ws.binaryType, "arraybuffer", "binaryType as the socket reports it");
  ws.send("1");
  ws.send(new Blob([new Uint8Array([2, 2])]));
  ws.send("3");
  await until(() => got.messages.length >= 5, 5000, "3 more echoes");
  eq(got.messages.slice(2), ["1", new Uint8Array([2, 2]).buffer, "3"], "ArrayBuffer with \"arraybuffer\", in order");
});

test("compat: debug: true logs the original's lines, the URL without its query", async ({ make }) => {
  const t = tag("debug");
  const lines = [];
  const log = console.log;
  console.log = (...args) => lines.push(args);
  let ws;
  try {
    ws = make(`${wsBase}/echo?tag=${t}&token=secret`, undefined, { ...fast, debug: true });
    await once(ws, "open");
  } finally {
    console.log = log;
  }
  eq(lines.slice(0, 5), [
    ["RWS>", "connect", 0],
    ["RWS>", "next delay", 0],
    ["RWS>", "connect", { url: `${wsBase}/echo` }],
    ["RWS>", "addListeners"],
    ["RWS>", "open event"],
  ], "the first lines");
  assert(!JSON.stringify(lines).includes("secret"), `a secret in the lines: ${show(lines)}`);
});

test("compat: partysocket: send() returns, drainQueuedMessages(), close event inside close(), readyState", async ({ makeWith }) => {
  const t = tag("party");
  const ws = makeWith(PartySocket, `${wsBase}/echo?tag=${t}`, undefined, fast);
  eq([ws.url, ws.send("a"), ws.send("b")], ["", false, false], "url before the socket; send() while connecting");
  eq(ws.drainQueuedMessages(), ["a", "b"], "drainQueuedMessages()");
  eq([ws.send("c"), ws.bufferedAmount], [false, 1], "buffered again");
  const got = track(ws);
  const onclose = [];
  ws.onclose = (e) => onclose.push([e.code, e.reason]);
  await until(() => got.messages.length === 1, 5000, "the buffered message's echo");
  eq(ws.send("d"), true, "send() when open");
  await until(() => got.messages.length === 2, 5000, "the echo");
  got.call("close", () => ws.close(4003, "done"));
  eq([ws.readyState, onclose, got.closes.map((c) => c.inCall)], [CLOSED, [[4003, "done"]], ["close"]], "close event inside close(), CLOSED after it");
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  try {
    eq([ws.send("late"), ws.send("later")], [false, false], "send() after close()");
  } finally {
    console.warn = warn;
  }
  eq(warnings.length, 1, "one warning for send() after close()");
  assert(warnings[0].includes("send() was called after close()"), `warning: ${warnings[0]}`);

  // close() while the socket is connecting.
  const hanging = makeWith(PartySocket, `${wsBase}/hang?ms=5000&tag=${t}`, undefined, { ...fast, connectionTimeout: 4000 });
  const h = track(hanging);
  const hangClose = [];
  hanging.onclose = (e) => hangClose.push([e.code, e.reason]);
  await until(() => hanging.url !== "", 2000, "the socket");
  eq(hanging.readyState, CONNECTING, "connecting");
  h.call("close", () => hanging.close());
  eq([hanging.readyState, hangClose, h.closes.map((c) => c.inCall)], [CLOSED, [[1000, ""]], ["close"]], "close event inside close() while connecting");

  // reconnect(): CLOSING right after, the close event inside the call.
  const again = makeWith(PartySocket, `${wsBase}/echo?tag=${t}`, undefined, fast);
  const a = track(again);
  await once(again, "open");
  a.call("reconnect", () => again.reconnect());
  eq([again.readyState, a.closes.map((c) => c.inCall)], [CLOSING, ["reconnect"]], "reconnect()");
  await until(() => a.opens === 2, 5000, "open after reconnect()");
});

test("compat: partysocket: shouldReconnectOnClose, the server's reason, protocols providers, URL provider errors, debugLogger", async ({ makeWith }) => {
  const t = tag("party2");
  const ws = makeWith(PartySocket, `${wsBase}/close?code=4010&reason=gone&after_ms=50&tag=${t}`, undefined, {
    ...fast,
    shouldReconnectOnClose: (e) => e.code !== 4010,
  });
  const got = track(ws);
  const onclose = [];
  ws.onclose = (e) => onclose.push([e.code, e.reason]);
  await until(() => got.closes.length === 1, 5000, "the close event");
  await sleep(300);
  eq([onclose, got.closes.map((c) => [c.code, c.reason]), ws.shouldReconnect], [[[4010, "gone"]], [[4010, "gone"]], false], "no reconnect after 4010");
  eq((await control(`/control/stats?tag=${t}`)).accepted, 1, "one connection");

  const sync = makeWith(PartySocket, `${wsBase}/echo?tag=${t}`, () => ["chat.v2"], fast);
  await once(sync, "open");
  const later = makeWith(PartySocket, `${wsBase}/echo?tag=${t}`, async () => "chat.v1", fast);
  await once(later, "open");
  eq([sync.protocol, later.protocol], ["chat.v2", "chat.v1"], "protocols providers");

  let calls = 0;
  const errors = [];
  const lines = [];
  const failing = makeWith(PartySocket, () => {
    if (++calls === 1) throw new Error("no token yet");
    return `${wsBase}/echo?tag=${t}`;
  }, undefined, { ...fast, debug: true, debugLogger: (...args) => lines.push(args) });
  failing.onerror = (e) => errors.push(e.message);
  await once(failing, "open");
  eq([calls, errors], [2, ["no token yet"]], "the provider's error, then a retry");
  assert(lines.length > 3 && lines.every((l) => l[0] === "RWS>"), `debugLogger lines: ${show(lines)}`);
  eq(lines[0], ["RWS>", "connect", 0], "first debug line");
});

// --- the same scenarios on the originals and on the compat classes ------------------------
// scripts/test-js.sh serves reconnecting-websocket 4.4.0 and partysocket 1.3.0's
// partysocket/ws (tests/js's pinned copies) next to this file, in originals/.

async function originals() {
  try {
    const [rws, party] = await Promise.all([
      import(new URL("./originals/reconnecting-websocket.mjs", import.meta.url).href),
      import(new URL("./originals/partysocket-ws.js", import.meta.url).href),
    ]);
    return { OriginalRWS: rws.default, OriginalParty: party.default };
  } catch (e) {
    throw new Error(`the originals are not served next to compat.js (scripts/test-js.sh copies them): ${e}`);
  }
}

const showData = (d) => {
  if (typeof d === "string") return JSON.stringify(d);
  if (d instanceof ArrayBuffer) return `ArrayBuffer[${bytes(d)}]`;
  if (d instanceof Blob) return `Blob(${d.size})`;
  return typeof d;
};

/** Every event of `sock` and the state around it, as lines (`t` replaced by "TAG"). */
function tracer(sock, t) {
  const trace = [];
  // bufferedAmount when a message arrives is left out: how soon a browser takes back what
  // it sent is its own timing (Firefox may still count an earlier send).
  const state = (ba = true) =>
    `rs=${sock.readyState} rc=${sock.retryCount}${ba ? ` ba=${sock.bufferedAmount}` : ""} url=${sock.url} bt=${sock.binaryType}`;
  const push = (line) => trace.push(line.replaceAll(t, "TAG"));
  const note = (what, ba) => push(`${what} | ${state(ba)}`);
  const line = (e) => {
    switch (e.type) {
      case "close":
        return `close code=${typeof e.code === "number" ? e.code : typeof e.code} reason=${typeof e.reason === "string" ? JSON.stringify(e.reason) : typeof e.reason} clean=${e.wasClean} self=${e.target === sock}`;
      case "error":
        return `error message=${JSON.stringify(e.message ?? null)} self=${e.target === sock}`;
      case "message":
        return `message ${showData(e.data)}`;
      default:
        return e.type;
    }
  };
  for (const type of ["open", "message", "error", "close"]) {
    sock.addEventListener(type, (e) => note(line(e), type !== "message"));
    sock[`on${type}`] = (e) => push(`on${type} ${line(e)}`);
  }
  const call = (what, f) => {
    push(`> ${what}`);
    const r = f();
    note(`< ${what}${r === undefined ? "" : ` = ${JSON.stringify(r)}`}`);
    return r;
  };
  const count = (prefix) => trace.filter((l) => l.startsWith(prefix)).length;
  const waitFor = (pred, what, ms = 20000) => until(pred, ms, `${what}; trace so far: ${trace.join(" / ")}`);
  return { trace, note, call, count, waitFor };
}

/** Runs `scenario(Class, tag)` on the original and on the compat class; their traces must be equal. */
async function same(name, Original, Compat, scenario) {
  const slug = name.replace(/[^a-z0-9]+/gi, "-").slice(0, 24);
  const expected = await scenario(Original, tag(`${slug}-o`));
  const actual = await scenario(Compat, tag(`${slug}-c`));
  const diff = [];
  for (let i = 0; i < Math.max(expected.length, actual.length); i++) {
    if (expected[i] !== actual[i]) diff.push(`#${i}: original ${show(expected[i])} | compat ${show(actual[i])}`);
  }
  if (diff.length > 0) throw new Error(`${name}: ${diff.length} trace lines differ: ${diff.slice(0, 6).join(" ; ")}`);
  return expected.length;
}

const differential = {
  async "open, queue, bufferedAmount, binaryType, echo, close()"(Class, t) {
    const sock = new Class(`${wsBase}/echo?tag=${t}`, undefined, fast);
    const r = tracer(sock, t);
    r.note("constructed");
    r.call("send queued", () => sock.send("héllo"));
    r.call("send bytes queued", () => sock.send(new Uint8Array([9, 8, 7])));
    sock.addEventListener("open", () => r.note("in open"));
    await r.waitFor(() => r.count("message") === 2, "2 echoes");
    r.call("binaryType = arraybuffer", () => {
      sock.binaryType = "arraybuffer";
    });
    r.call("send bytes", () => sock.send(new Uint8Array([1, 2])));
    await r.waitFor(() => r.count("message") === 3, "the third echo");
    r.call("close(4001, bye)", () => sock.close(4001, "bye"));
    await r.waitFor(() => r.count("close") === 1, "the close event");
    return r.trace;
  },
  async "reconnect() inside the call, retryCount"(Class, t) {
    const sock = new Class(`${wsBase}/echo?tag=${t}`, null, fast);
    const r = tracer(sock, t);
    await r.waitFor(() => r.count("open") === 1, "open");
    r.call("reconnect(4002, again)", () => sock.reconnect(4002, "again"));
    await r.waitFor(() => r.count("open") === 2, "open again");
    r.call("reconnect()", () => sock.reconnect());
    await r.waitFor(() => r.count("open") === 3, "a third open");
    r.call("close()", () => sock.close());
    await r.waitFor(() => r.count("close") === 3, "the close events");
    await sleep(100);
    r.note("end");
    return r.trace;
  },
  async "a server close (4000) is retried"(Class, t) {
    let n = 0;
    const sock = new Class(() => (n++ < 2 ? `${wsBase}/close?code=4000&reason=bye&after_ms=30&tag=${t}` : `${wsBase}/echo?tag=${t}`), [], { ...fast, minUptime: 10000 });
    const r = tracer(sock, t);
    await r.waitFor(() => r.count("open") === 3, "3 opens");
    r.call("close()", () => sock.close());
    await r.waitFor(() => r.count("close") === 3, "the close events");
    return r.trace;
  },
  async "startClosed, maxEnqueuedMessages"(Class, t) {
    const sock = new Class(`${wsBase}/echo?tag=${t}`, undefined, { ...fast, startClosed: true, maxEnqueuedMessages: 2 });
    const r = tracer(sock, t);
    r.note("constructed");
    for (const m of ["ab", "é€", "dropped"]) r.call(`send ${m}`, () => sock.send(m));
    r.call("reconnect()", () => sock.reconnect());
    await r.waitFor(() => r.count("message") === 2, "2 echoes");
    await sleep(100);
    r.call("close()", () => sock.close());
    await r.waitFor(() => r.count("close") === 1, "the close event");
    return r.trace;
  },
  async "a connection timeout per attempt, maxRetries"(Class, t) {
    const sock = new Class(`${wsBase}/hang?ms=5000&tag=${t}`, undefined, { ...fast, connectionTimeout: 200, maxRetries: 1 });
    const r = tracer(sock, t);
    await r.waitFor(() => r.count("error") === 2, "2 errors");
    await sleep(300);
    r.note("end");
    sock.close();
    return r.trace;
  },
};

const partyDifferential = {
  async "send() results, drainQueuedMessages(), close() and reconnect() inside the call"(Class, t) {
    const sock = new Class(`${wsBase}/echo?tag=${t}`, undefined, { ...fast, maxEnqueuedMessages: 3 });
    const r = tracer(sock, t);
    r.call("send a", () => sock.send("a"));
    r.call("send b", () => sock.send("b"));
    r.call("drainQueuedMessages", () => sock.drainQueuedMessages());
    r.call("send c", () => sock.send("c"));
    await r.waitFor(() => r.count("message") === 1, "the echo of c");
    r.call("send d", () => sock.send("d"));
    await r.waitFor(() => r.count("message") === 2, "the echo of d");
    r.call("reconnect(4005, again)", () => sock.reconnect(4005, "again"));
    await r.waitFor(() => r.count("open") === 2, "open again");
    r.call("close(4003, done)", () => sock.close(4003, "done"));
    r.call("close() again", () => sock.close());
    await sleep(100);
    r.note("end");
    return r.trace;
  },
  async "shouldReconnectOnClose, the server's close reason"(Class, t) {
    const sock = new Class(`${wsBase}/close?code=4010&reason=gone&after_ms=30&tag=${t}`, undefined, {
      ...fast,
      shouldReconnectOnClose: (e) => e.code !== 4010,
    });
    const r = tracer(sock, t);
    await r.waitFor(() => r.count("close") === 1, "the close event");
    await sleep(200);
    r.note(`end shouldReconnect=${sock.shouldReconnect}`);
    return r.trace;
  },
  async "close() while connecting"(Class, t) {
    const sock = new Class(`${wsBase}/hang?ms=5000&tag=${t}`, undefined, { ...fast, connectionTimeout: 4000 });
    const r = tracer(sock, t);
    await r.waitFor(() => sock.url !== "", "the socket");
    r.call("close()", () => sock.close());
    await sleep(100);
    r.note("end");
    return r.trace;
  },
};

test("compat: the same scenarios on reconnecting-websocket 4.4.0 and on the compat class: equal traces", async () => {
  const { OriginalRWS } = await originals();
  const lines = [];
  for (const [name, scenario] of Object.entries(differential)) lines.push(await same(name, OriginalRWS, ReconnectingWebSocket, scenario));
  return `${lines.length} scenarios, ${lines.reduce((a, b) => a + b, 0)} trace lines equal`;
}, 90000);

test("compat: the same scenarios on partysocket 1.3.0 and on the compat class: equal traces", async () => {
  const { OriginalParty } = await originals();
  const lines = [];
  for (const [name, scenario] of Object.entries(partyDifferential)) lines.push(await same(name, OriginalParty, PartySocket, scenario));
  return `${lines.length} scenarios, ${lines.reduce((a, b) => a + b, 0)} trace lines equal`;
}, 90000);

// Last: the tests whose handshakes fail on purpose (Firefox slows later connections down).
test("compat: a connection timeout is a close then one TIMEOUT error per attempt; maxRetries", async ({ make }) => {
  const t = tag("timeout");
  const t0 = performance.now();
  const ws = make(`${wsBase}/hang?ms=10000&tag=${t}`, [], { ...fast, connectionTimeout: 300, maxRetries: 1 });
  const got = track(ws);
  await until(() => got.errors.length === 2, 5000, "two TIMEOUT errors");
  const ms = performance.now() - t0;
  assert(ms >= 550, `two attempts timed out after ${Math.round(ms)} ms (connectionTimeout 300)`);
  await sleep(500);
  const expected = [
    { type: "close", readyState: CLOSING, retryCount: 1, inCall: null, code: 1000, reason: "timeout", wasClean: true },
    { type: "error", readyState: CLOSING, retryCount: 1, inCall: null, message: "TIMEOUT" },
  ];
  eq(got.events, [...expected, ...expected], "events of the two attempts");
  eq([ws.readyState, ws.retryCount], [CLOSED, 1], "given up");
}, 20000);

test("compat: a refused connection: a close then an error per attempt, retryCount", async ({ make }) => {
  const t = tag("refused");
  await control(`/control/down?ms=3000&tag=${t}`);
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { ...fast, maxRetries: 2 });
  const got = track(ws);
  await until(() => got.errors.length === 3, 2800, "3 errors");
  await sleep(300);
  eq(got.types(), ["close(1000)", "error(null)", "close(1000)", "error(null)", "close(1000)", "error(null)"], "events");
  eq(got.closes.map((c) => c.retryCount), [1, 2, 2], "retryCount in the close events");
  eq((await control(`/control/stats?tag=${t}`)).refused, 3, "attempts the server saw");
}, 20000);

export default tests;
