// Browser tests of resocket-wasm/reconnecting-websocket and resocket-wasm/partysocket: the
// documented behaviour of reconnecting-websocket 4.x (and partysocket/ws), against the test
// server. tests.js registers these after its own tests (every name starts with "compat");
// run only them with RESOCKET_JS_FILTER=compat.

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

/** Every event of a socket, as plain records, in order. */
function track(ws) {
  const t = { events: [], messages: [], closes: [], errors: [], opens: 0 };
  ws.addEventListener("open", () => {
    t.opens += 1;
    t.events.push("open");
  });
  ws.addEventListener("message", (e) => {
    t.messages.push(e.data);
    t.events.push("message");
  });
  ws.addEventListener("close", (e) => {
    assert(e instanceof CloseEvent, "a close event is a CloseEvent");
    t.closes.push({ code: e.code, reason: e.reason, wasClean: e.wasClean, readyState: ws.readyState, retryCount: ws.retryCount });
    t.events.push(`close(${e.code})`);
  });
  ws.addEventListener("error", (e) => {
    assert(e instanceof ErrorEvent, "an error event is an ErrorEvent");
    t.errors.push({ code: e.error?.code ?? null, message: e.message, messages: e.messages });
    t.events.push(`error(${e.error?.code ?? "socket"})`);
  });
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

const fast = { minReconnectionDelay: 50, maxReconnectionDelay: 100 };

test("compat: constructor forms: URL, URL provider, protocols and options", async ({ make }) => {
  eq(NamedReconnectingWebSocket, ReconnectingWebSocket, "the named export is the default export");
  eq([ReconnectingWebSocket.CONNECTING, ReconnectingWebSocket.OPEN, ReconnectingWebSocket.CLOSING, ReconnectingWebSocket.CLOSED], [0, 1, 2, 3], "static constants");
  const t = tag("ctor");
  const plain = make(`${wsBase}/echo?tag=${t}`);
  eq([plain.CONNECTING, plain.OPEN, plain.CLOSING, plain.CLOSED], [0, 1, 2, 3], "instance constants");
  assert(plain instanceof EventTarget, "an EventTarget");
  await once(plain, "open");
  eq([plain.url, plain.protocol], [`${wsBase}/echo?tag=${t}`, ""], "(url): url and protocol");

  const one = make(`/echo?tag=${t}`, "chat.v1");
  await once(one, "open");
  eq([one.url, one.protocol], [`${wsBase}/echo?tag=${t}`, "chat.v1"], "(relative url, protocol string)");
  const list = make(`${wsBase}/echo?tag=${t}`, ["chat.v2", "chat.v1"], { maxRetries: 3, connectionTimeout: 2000 });
  await once(list, "open");
  eq(list.protocol, "chat.v2", "(url, protocols list, options): the server chose the first offered");
  for (const none of [[], null, undefined]) {
    const ws = make(`${wsBase}/echo?tag=${t}`, none, { ...fast });
    await once(ws, "open");
    eq(ws.protocol, "", `no subprotocol for ${show(none) ?? "undefined"}`);
  }

  // URL providers: a plain function and an async one, called before every attempt.
  let calls = 0;
  const sync = make(() => `${wsBase}/echo?tag=${t}&n=${++calls}`, undefined, fast);
  await once(sync, "open");
  eq([calls, sync.url], [1, `${wsBase}/echo?tag=${t}&n=1`], "sync provider");
  let asyncCalls = 0;
  const provided = make(async () => {
    await sleep(5);
    return `/echo?tag=${t}-async&n=${++asyncCalls}`;
  }, [], fast);
  await once(provided, "open");
  await control(`/control/drop?tag=${t}-async`);
  await once(provided, "open");
  eq([asyncCalls, provided.url], [2, `${wsBase}/echo?tag=${t}-async&n=2`], "async provider, called again for the reconnect");
  const reply = once(provided, "message");
  provided.send("via provider");
  eq((await reply).data, "via provider", "echo");

  // Bad arguments are typed errors, at once.
  throws(() => new ReconnectingWebSocket(42), "invalid_url");
  throws(() => new ReconnectingWebSocket("ftp://127.0.0.1/x"), "invalid_url");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { maxRetrys: 3 }), "invalid_option", "`maxRetrys`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { maxRetries: "10" }), "invalid_option", "`maxRetries`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { reconnectionDelayGrowFactor: 0.5 }), "invalid_option", "`reconnectionDelayGrowFactor`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { WebSocket: 42 }), "invalid_option", "`WebSocket`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, () => "p"), "invalid_option", "`protocols`");
  throws(() => new ReconnectingWebSocket(`${wsBase}/echo`, [], { resocket: { highWaterMark: 10 } }), "invalid_option", "`resocket.highWaterMark`");
});

test("compat: messages sent before open are queued, then sent in order on open", async ({ make }) => {
  const t = tag("enqueue");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], fast);
  ws.binaryType = "arraybuffer";
  const got = track(ws);
  eq(ws.readyState, ReconnectingWebSocket.CONNECTING, "readyState before open");
  ws.send("a");
  ws.send(new Uint8Array([1, 2, 3]));
  ws.send("é");
  eq(ws.bufferedAmount, 1 + 3 + 2, "bufferedAmount counts the queued bytes");
  await once(ws, "open");
  await until(() => got.messages.length >= 3, 5000, "3 echoes");
  eq(got.messages, ["a", new Uint8Array([1, 2, 3]).buffer, "é"], "echoes in order");
  await until(() => ws.bufferedAmount === 0, 3000, "bufferedAmount back to 0");

  // Sent during an outage: queued, and sent after the reconnect, in order.
  const down = once(ws, "close");
  await control(`/control/down?ms=400&tag=${t}`);
  await down;
  const sent = Array.from({ length: 10 }, (_, i) => `m${i}`);
  for (const m of sent) ws.send(m);
  assert(ws.bufferedAmount >= 20, `bufferedAmount ${ws.bufferedAmount} while down`);
  await once(ws, "open");
  await until(() => got.messages.length >= 13, 5000, "10 more echoes");
  eq(got.messages.slice(3), sent, "echoes after the reconnect");
  eq(got.errors.filter((e) => e.code !== null), [], "no message refused");
});

test("compat: a close event on every drop, then a reconnection; retryCount counts retries", async ({ make }) => {
  const t = tag("drops");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { ...fast, minUptime: 400 });
  const got = track(ws);
  const retryAtOpen = [];
  ws.addEventListener("open", () => retryAtOpen.push(ws.retryCount));
  await once(ws, "open");
  await control(`/control/drop?tag=${t}`);
  await until(() => got.opens === 2, 5000, "the reconnect");
  const opened = performance.now();
  eq(got.closes[0], { code: 1006, reason: "", wasClean: false, readyState: ReconnectingWebSocket.CLOSED, retryCount: 1 }, "close event of the drop");
  eq(retryAtOpen, [0, 1], "retryCount when open: 1 after a retry");
  await until(() => ws.retryCount === 0, 3000, "retryCount reset after minUptime");
  assert(performance.now() - opened >= 300, "retryCount reset before minUptime (400 ms)");

  // A server close with a code outside the stop rules is a drop too.
  await control(`/control/kill?code=4500&reason=later&tag=${t}`);
  await until(() => got.opens === 3, 5000, "the second reconnect");
  eq(got.closes.slice(1).map((c) => [c.code, c.reason, c.wasClean]), [[4500, "later", true]], "close event of the server's close");
  // (Firefox also fires the browser's own error event before the close of a dropped link.)
  eq(got.events.filter((e) => e !== "error(socket)"), ["open", "close(1006)", "open", "close(4500)", "open"], "events");
  const server = await control(`/control/stats?tag=${t}`);
  eq(server.accepted, 3, "connections the server accepted");
  const reply = once(ws, "message");
  ws.send("still here");
  eq((await reply).data, "still here", "echo after the reconnects");
});

test("compat: startClosed: no connection until reconnect(); messages sent meanwhile go out then", async ({ make }) => {
  const t = tag("startclosed");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { startClosed: true });
  const got = track(ws);
  eq([ws.readyState, ws.url, ws.shouldReconnect], [ReconnectingWebSocket.CLOSED, "", false], "before reconnect()");
  ws.send("x");
  ws.send("yz");
  eq(ws.bufferedAmount, 3, "bufferedAmount of the held messages");
  await sleep(300);
  eq((await control(`/control/stats?tag=${t}`)).accepted, 0, "no connection attempt");
  eq(got.events, [], "no event");
  ws.reconnect();
  eq(ws.readyState, ReconnectingWebSocket.CONNECTING, "connecting after reconnect()");
  await once(ws, "open");
  await until(() => got.messages.length >= 2, 5000, "2 echoes");
  eq([got.messages, ws.shouldReconnect], [["x", "yz"], true], "held messages sent in order");
});

test("compat: close(code, reason) ends it for good; reconnect(code, reason) connects again", async ({ make }) => {
  const t = tag("close");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], fast);
  const got = track(ws);
  await once(ws, "open");
  ws.reconnect(4002, "again");
  await until(() => got.opens === 2, 5000, "open after reconnect()");
  eq(got.closes.map((c) => [c.code, c.reason, c.wasClean]), [[4002, "again", true]], "close event of reconnect(4002, 'again')");
  eq(ws.retryCount, 0, "retryCount after a reconnect() of an open link");
  // A deliberate difference: on the wire, the dropped link closes with 1000 "reconnect".
  let wire = [];
  for (let i = 0; i < 100 && wire.length === 0; i++, await sleep(20)) {
    wire = (await control(`/control/stats?tag=${t}`)).closes;
  }
  eq(wire, [{ code: 1000, reason: "reconnect" }], "close frame the server got from reconnect()");

  throws(() => ws.close(1001), "invalid_close_code", "1001");
  throws(() => ws.reconnect(2999), "invalid_close_code", "2999");
  throws(() => ws.close(1000, "x".repeat(124)), "invalid_close_reason", "124");
  eq(ws.readyState, ReconnectingWebSocket.OPEN, "still open after refused calls");

  const closed = once(ws, "close");
  ws.close(4001, "bye");
  eq(ws.readyState, ReconnectingWebSocket.CLOSING, "readyState right after close()");
  const c = await closed;
  eq([c.code, c.reason, c.wasClean, ws.readyState, ws.shouldReconnect], [4001, "bye", true, ReconnectingWebSocket.CLOSED, false], "final close");
  await sleep(300);
  const server = await control(`/control/stats?tag=${t}`);
  eq(server.accepted, 2, "no reconnection after close()");
  assert(server.closes.some((x) => x.code === 4001 && x.reason === "bye"), `the server saw no 4001 "bye": ${show(server.closes)}`);

  // After close(), a message is handed back rather than kept.
  const refused = once(ws, "error");
  ws.send("late");
  const e = await refused;
  eq([e.error?.code, e.messages], ["closed", ["late"]], "send() after close()");

  // reconnect() after close() connects again.
  ws.reconnect();
  await until(() => got.opens === 3, 5000, "open after close() and reconnect()");
  const reply = once(ws, "message");
  ws.send("back");
  eq((await reply).data, "back", "echo after reconnect()");
  eq((await control(`/control/stats?tag=${t}`)).accepted, 3, "connections");
});

test("compat: binaryType: Blob by default, ArrayBuffer when set; text stays a string", async ({ make }) => {
  const ws = make(`${wsBase}/echo?tag=${tag("binary")}`, [], fast);
  const got = track(ws);
  eq(ws.binaryType, "blob", "default binaryType");
  await once(ws, "open");
  ws.send(new Uint8Array([7, 8, 9]));
  ws.send("text");
  await until(() => got.messages.length >= 2, 5000, "2 echoes");
  assert(got.messages[0] instanceof Blob, `binary data with "blob": ${show(got.messages[0])}`);
  eq(bytes(await got.messages[0].arrayBuffer()), [7, 8, 9], "the Blob's bytes");
  eq(got.messages[1], "text", "text with \"blob\"");

  ws.binaryType = "arraybuffer";
  eq(ws.binaryType, "arraybuffer", "binaryType set");
  throws(() => {
    ws.binaryType = "nodebuffer";
  }, "invalid_option", "nodebuffer");
  eq(ws.binaryType, "arraybuffer", "a refused value changes nothing");
  // A Blob can be sent; sends after it wait for its bytes, so the order holds.
  ws.send("1");
  ws.send(new Blob([new Uint8Array([2, 2])]));
  ws.send("3");
  await until(() => got.messages.length >= 5, 5000, "3 more echoes");
  eq(got.messages.slice(2), ["1", new Uint8Array([2, 2]).buffer, "3"], "ArrayBuffer with \"arraybuffer\", in order");
});

test("compat: the sends waiting behind a Blob being read are bounded as the queue is", async ({ make }) => {
  // A Blob whose bytes are read only when the test says so.
  const slowBlob = (bytes) => {
    let release;
    const gate = new Promise((resolve) => {
      release = resolve;
    });
    const blob = new (class extends Blob {
      arrayBuffer() {
        return gate.then(() => super.arrayBuffer());
      }
    })([new Uint8Array(bytes)]);
    return { blob, release };
  };
  const errorsOf = (got) => got.errors.map((e) => [e.code, e.messages]);

  // "reject": maxEnqueuedMessages messages wait behind the Blob; later sends come back.
  const t = tag("blob-line");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { ...fast, maxEnqueuedMessages: 3 });
  ws.binaryType = "arraybuffer";
  const got = track(ws);
  await once(ws, "open");
  const slow = slowBlob([1, 2]);
  ws.send(slow.blob);
  for (const m of ["a", "b", "c", "d", "e"]) ws.send(m);
  await until(() => got.errors.length === 2, 2000, "2 error events");
  eq(errorsOf(got), [["queue_full", ["d"]], ["queue_full", ["e"]]], "refused behind the Blob");
  eq(ws.bufferedAmount, 2 + 3, "bufferedAmount: the Blob and the 3 messages behind it");
  slow.release();
  await until(() => got.messages.length >= 4, 5000, "4 echoes");
  await sleep(100);
  eq(got.messages, [new Uint8Array([1, 2]).buffer, "a", "b", "c"], "echoes, in order");
  eq((await control(`/control/stats?tag=${t}`)).messages_in, 4, "server: messages");

  // The byte bound, with resocket's queue options: 10 bytes wait behind the Blob.
  const t2 = tag("blob-bytes");
  const bytesWs = make(`${wsBase}/echo?tag=${t2}`, [], { ...fast, resocket: { queue: { maxBytes: 10 } } });
  const b = track(bytesWs);
  await once(bytesWs, "open");
  const slow2 = slowBlob(new Array(64).fill(7)); // the Blob itself may be larger
  bytesWs.send(slow2.blob);
  bytesWs.send("12345678");
  bytesWs.send("abc");
  bytesWs.send("90");
  await until(() => b.errors.length === 1, 2000, "the error event");
  eq(errorsOf(b), [["queue_full", ["abc"]]], "over the byte bound");
  slow2.release();
  await until(() => b.messages.length >= 3, 5000, "3 echoes");
  eq(b.messages.slice(1), ["12345678", "90"], "sent behind the Blob");

  // "drop-oldest": the oldest waiting messages come back instead.
  const t3 = tag("blob-drop");
  const dropping = make(`${wsBase}/echo?tag=${t3}`, [], { ...fast, maxEnqueuedMessages: 2, resocket: { queue: { overflow: "drop-oldest" } } });
  dropping.binaryType = "arraybuffer";
  const d = track(dropping);
  await once(dropping, "open");
  const slow3 = slowBlob([3]);
  dropping.send(slow3.blob);
  for (const m of ["a", "b", "c", "d"]) dropping.send(m);
  await until(() => d.errors.length === 2, 2000, "2 error events");
  eq(errorsOf(d), [["dropped", ["a"]], ["dropped", ["b"]]], "dropped behind the Blob");
  slow3.release();
  await until(() => d.messages.length >= 3, 5000, "3 echoes");
  await sleep(100);
  eq(d.messages, [new Uint8Array([3]).buffer, "c", "d"], "echoes, in order");
});

test("compat: maxEnqueuedMessages: a full queue hands the message back in an error event", async ({ make }) => {
  const t = tag("overflow");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { ...fast, maxEnqueuedMessages: 3 });
  const got = track(ws);
  const sent = ["q0", "q1", "q2", "q3", "q4", "q5"];
  for (const m of sent) ws.send(m); // before open: queued
  await once(ws, "open");
  await until(() => got.messages.length >= 3, 5000, "3 echoes");
  await sleep(100);
  eq(got.messages, ["q0", "q1", "q2"], "the queued messages");
  eq(got.errors.map((e) => [e.code, e.messages]), [["queue_full", ["q3"]], ["queue_full", ["q4"]], ["queue_full", ["q5"]]], "the refused messages");
  eq([...got.messages, ...got.errors.flatMap((e) => e.messages)], sent, "every message sent or handed back");

  // The same bound before the first reconnect() of a startClosed socket.
  const held = make(`${wsBase}/echo?tag=${t}-held`, [], { startClosed: true, maxEnqueuedMessages: 2 });
  const h = track(held);
  ["a", "b", "c"].forEach((m) => held.send(m));
  await until(() => h.errors.length === 1, 2000, "the error event");
  eq(h.errors.map((e) => [e.code, e.messages]), [["queue_full", ["c"]]], "startClosed: refused");
  held.reconnect();
  await until(() => h.messages.length >= 2, 5000, "2 echoes");
  eq(h.messages, ["a", "b"], "startClosed: sent");

  // resocket's drop-oldest policy instead: the oldest message comes back.
  const dropping = make(`${wsBase}/echo?tag=${t}-drop`, [], { maxEnqueuedMessages: 2, resocket: { queue: { overflow: "drop-oldest" } } });
  const d = track(dropping);
  ["a", "b", "c"].forEach((m) => dropping.send(m));
  await once(dropping, "open");
  await until(() => d.messages.length >= 2, 5000, "2 echoes");
  eq([d.messages, d.errors.map((e) => [e.code, e.messages])], [["b", "c"], [["dropped", ["a"]]]], "drop-oldest");

  // Messages still queued when the socket is closed come back too.
  const closing = make(`${wsBase}/echo?tag=${t}-close`, [], fast);
  const k = track(closing);
  closing.send("never");
  closing.send("sent");
  closing.close();
  await until(() => k.errors.some((e) => e.code !== null), 3000, "the error event");
  // (A socket closed while connecting also fires the browser's own error event: code null.)
  eq(k.errors.filter((e) => e.code !== null).map((e) => [e.code, e.messages]), [["unsent", ["never", "sent"]]], "queued at close()");
});

test("compat: on* handlers run before listeners; add/removeEventListener and dispatchEvent", async ({ make }) => {
  const t = tag("handlers");
  const ws = make(`${wsBase}/echo?tag=${t}`, [], fast);
  const order = [];
  const removed = () => order.push("removed listener");
  const l1 = (e) => order.push(`listener ${e.type} target=${e.target === ws}`);
  const l2 = { handleEvent: (e) => order.push(`handleEvent ${e.type}`) };
  ws.addEventListener("open", l1);
  ws.addEventListener("open", l2);
  ws.addEventListener("open", removed);
  ws.removeEventListener("open", removed);
  ws.addEventListener("close", l1);
  ws.addEventListener("message", l1, { once: true });
  eq([ws.onopen, ws.onmessage, ws.onclose, ws.onerror], [null, null, null, null], "unset handlers");
  ws.onopen = function (e) {
    order.push(`onopen this=${this === ws} type=${e.type}`);
  };
  ws.onmessage = (e) => order.push(`onmessage ${e.data}`);
  ws.onclose = (e) => order.push(`onclose ${e.code}`);
  eq(typeof ws.onopen, "function", "handler getter");
  await once(ws, "open");
  ws.send("m1");
  await until(() => order.length >= 5, 3000, "the message");
  ws.send("m2");
  await until(() => order.length >= 6, 3000, "the second message");
  eq(order, ["onopen this=true type=open", "listener open target=true", "handleEvent open", "onmessage m1", "listener message target=true", "onmessage m2"], "open and messages");
  order.length = 0;
  ws.onopen = null;
  await control(`/control/drop?tag=${t}`);
  await once(ws, "open");
  eq(order, ["onclose 1006", "listener close target=true", "listener open target=true", "handleEvent open"], "a drop: onclose first; onopen cleared");

  // dispatchEvent reaches the listeners (not the on... handler, as in both libraries).
  order.length = 0;
  ws.onopen = () => order.push("onopen");
  eq(ws.dispatchEvent(new Event("open")), true, "dispatchEvent result");
  eq(order, ["listener open target=true", "handleEvent open"], "dispatchEvent");

  // onerror, before the error listeners.
  const closed = make(`${wsBase}/echo?tag=${t}`, [], { startClosed: true });
  const errors = [];
  closed.onerror = (e) => errors.push(`onerror ${e.error.code}`);
  closed.addEventListener("error", (e) => errors.push(`listener ${e.messages}`));
  closed.close();
  closed.send("after close");
  await until(() => errors.length >= 2, 2000, "the error event");
  eq(errors, ["onerror closed", "listener after close"], "error event");
});

test("compat: readyState, bufferedAmount, url, protocol and extensions follow the current socket", async ({ make }) => {
  const t = tag("attrs");
  const made = [];
  class Custom extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      made.push(url);
    }
    get extensions() {
      return "x-test-extension";
    }
  }
  const ws = make(`/echo?tag=${t}`, "chat.v1", { ...fast, WebSocket: Custom });
  const states = [];
  ws.addEventListener("close", () => states.push(["close", ws.readyState]));
  ws.addEventListener("open", () => states.push(["open", ws.readyState]));
  eq([ws.readyState, ws.bufferedAmount, ws.url], [ReconnectingWebSocket.CONNECTING, 0, `${wsBase}/echo?tag=${t}`], "while connecting");
  await once(ws, "open");
  eq([ws.protocol, ws.extensions, made.length], ["chat.v1", "x-test-extension", 1], "protocol and extensions of the socket the WebSocket option made");
  states.length = 0;
  await control(`/control/down?ms=300&tag=${t}`);
  await until(() => states.length >= 1, 3000, "the close event");
  ws.send("0123456789");
  eq(ws.bufferedAmount, 10, "bufferedAmount while down");
  await once(ws, "open");
  await until(() => ws.bufferedAmount === 0, 3000, "bufferedAmount 0 after the replay");
  eq(states.slice(0, 1).concat(states.slice(-1)), [["close", ReconnectingWebSocket.CLOSED], ["open", ReconnectingWebSocket.OPEN]], "readyState in the events");
  assert(made.length >= 2, "the reconnect used the WebSocket option's class too");
  ws.close();
  eq(ws.readyState, ReconnectingWebSocket.CLOSING, "closing");
  await once(ws, "close");
  eq([ws.readyState, ws.url, ws.protocol], [ReconnectingWebSocket.CLOSED, `${wsBase}/echo?tag=${t}`, ""], "after the close");
});

test("compat: server close codes: the stop range ends the socket, other codes reconnect", async ({ make }) => {
  const t = tag("stop");
  const ws = make(`${wsBase}/close?code=4001&reason=banned&tag=${t}`, [], fast);
  const got = track(ws);
  await until(() => got.closes.length > 0, 5000, "the close event");
  await sleep(400);
  eq(got.closes.map((c) => [c.code, c.reason, c.readyState]), [[4001, "banned", ReconnectingWebSocket.CLOSED]], "one close event");
  eq([(await control(`/control/stats?tag=${t}`)).accepted, ws.shouldReconnect], [1, false], "not reconnected");

  // resocket's stopCodes, through the resocket option: 4001 is retried then.
  const other = make(`${wsBase}/close?code=4001&after_ms=50&tag=${t}-retry`, [], { ...fast, resocket: { reconnect: { stopCodes: [4100, 4199] } } });
  const o = track(other);
  await until(() => o.opens >= 2, 5000, "a reconnect");
  eq(o.closes[0].code, 4001, "close event before the reconnect");
});

test("compat: partysocket entry: WebSocket and default are the class, debugLogger logs", async ({ makeWith }) => {
  eq([PartySocket, PartyWebSocket], [ReconnectingWebSocket, ReconnectingWebSocket], "exports");
  const lines = [];
  const ws = makeWith(PartyWebSocket, `${wsBase}/echo?tag=${tag("party")}`, undefined, {
    debug: true,
    debugLogger: (...args) => lines.push(args),
  });
  await once(ws, "open");
  const reply = once(ws, "message");
  ws.send("party");
  eq((await reply).data, "party", "echo");
  assert(lines.length >= 2 && lines.every((l) => l[0] === "RWS>"), `debug lines: ${show(lines)}`);
  assert(lines.some((l) => l[1] === "open"), `no "open" line: ${show(lines)}`);
  const quiet = makeWith(PartySocket, `${wsBase}/echo?tag=${tag("party")}`, null, { debugLogger: (...args) => lines.push(args) });
  const before = lines.length;
  await once(quiet, "open");
  eq(lines.length, before, "no debug output without debug: true");
});

test("compat: a URL provider that fails is an error event, then a retry", async ({ make }) => {
  const t = tag("provider");
  let calls = 0;
  const ws = make(async () => {
    calls += 1;
    if (calls === 1) throw new Error("token service down");
    return `/echo?tag=${t}`;
  }, [], fast);
  const got = track(ws);
  await once(ws, "open");
  eq(calls, 2, "provider calls");
  eq(got.errors.map((e) => e.code), ["url_provider"], "error event");
  assert(got.errors[0].message.includes("token service down"), `message: ${got.errors[0].message}`);
  eq(got.events, ["error(url_provider)", "close(1006)", "open"], "events");
});

// Last: the tests whose handshakes fail on purpose (Firefox slows later connections down).
test("compat: maxRetries: the first attempt and maxRetries retries, then no more", async ({ make }) => {
  const t = tag("retries");
  const t0 = performance.now();
  await control(`/control/down?ms=3000&tag=${t}`);
  const ws = make(`${wsBase}/echo?tag=${t}`, [], { ...fast, maxRetries: 2 });
  const got = track(ws);
  await until(() => got.closes.length >= 3, 2500, "3 close events");
  await sleep(500);
  eq(got.closes.map((c) => c.code), [1006, 1006, 1006], "one close event per attempt");
  eq(got.closes.map((c) => c.retryCount), [1, 2, 2], "retryCount in the close events");
  assert(got.errors.every((e) => e.code === null), `error events: ${show(got.errors)}`);
  eq([ws.readyState, ws.shouldReconnect], [ReconnectingWebSocket.CLOSED, false], "given up");
  const server = await control(`/control/stats?tag=${t}`);
  eq([server.refused, server.accepted], [3, 0], "attempts the server saw");
  assert(performance.now() - t0 < 3000, "the attempts outlasted the outage");

  // reconnect() starts again after the retries ran out.
  await sleep(3100 - (performance.now() - t0));
  ws.reconnect();
  await once(ws, "open");
  eq(ws.retryCount, 0, "retryCount after reconnect()");

  // maxRetries 0: a single attempt.
  await control(`/control/down?ms=1500&tag=${t}-0`);
  const single = make(`${wsBase}/echo?tag=${t}-0`, [], { ...fast, maxRetries: 0 });
  const s = track(single);
  await until(() => s.closes.length >= 1, 2000, "the close event");
  await sleep(400);
  eq([s.closes.length, (await control(`/control/stats?tag=${t}-0`)).refused], [1, 1], "maxRetries 0");
}, 30000);

test("compat: connectionTimeout: an attempt that hangs is closed and retried", async ({ make }) => {
  const t = tag("timeout");
  const t0 = performance.now();
  let attempts = 0;
  class Counting extends WebSocket {
    constructor(url, protocols) {
      super(url, protocols);
      attempts += 1;
    }
  }
  const ws = make(`${wsBase}/hang?ms=10000&tag=${t}`, [], { ...fast, connectionTimeout: 300, maxRetries: 1, WebSocket: Counting });
  const got = track(ws);
  const firstClose = once(ws, "close");
  await firstClose;
  const ms = performance.now() - t0;
  assert(ms >= 250 && ms < 3000, `first attempt closed after ${Math.round(ms)} ms (connectionTimeout 300)`);
  eq([got.closes[0].code, got.closes[0].reason], [1006, "timeout"], "close event of the timeout");
  const timeout = got.errors.find((e) => e.message === "TIMEOUT");
  assert(timeout, `no TIMEOUT error event: ${show(got.errors)}`);
  eq(timeout.code, "connect_failed", "error code of the timeout");
  assert(got.events.indexOf("error(connect_failed)") < got.events.indexOf("close(1006)"), `order: ${show(got.events)}`);
  await until(() => got.closes.length >= 2, 3000, "the second attempt's close");
  await sleep(400);
  eq([got.closes.length, attempts, ws.readyState], [2, 2, ReconnectingWebSocket.CLOSED], "given up after one retry");
  // Firefox may hold a retry to a host that just failed back past the 300 ms, so the server
  // sees the first attempt at least.
  const accepted = (await control(`/control/stats?tag=${t}`)).accepted;
  assert(accepted >= 1 && accepted <= 2, `the server saw ${accepted} attempts`);
  return `closes: ${show(got.closes.map((c) => [c.code, c.reason]))}; errors: ${show(got.errors.map((e) => e.message || e.code))}`;
}, 20000);

export default tests;
