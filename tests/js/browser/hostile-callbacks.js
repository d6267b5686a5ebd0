// Hardening tests of resocket-wasm (see hostile.js): tables: re-entrant calls from handlers and callbacks, bad close frames, 10,000 repetitions.

import { ReSocket } from "resocket-wasm";
import { tag, sleep, boom, STATES, show, describe, assert, eq, handled, withTimeout, until, errorProblem, track, echoOn, readAll, revoked, detached, viewOnDetached } from "./hostile-harness.js";
import { echoUrl } from "./hostile-input.js";
import { openedSocket } from "./hostile-lifecycle.js";

export const OPS = [
  ["state", (ws) => ws.state, (v) => STATES.includes(v)],
  ["readyState", (ws) => ws.readyState, (v) => [0, 1, 2, 3].includes(v)],
  ["retryCount", (ws) => ws.retryCount, (v) => Number.isInteger(v) && v >= 0],
  ["bufferedAmount", (ws) => ws.bufferedAmount, (v) => typeof v === "number" && v >= 0],
  ["stats()", (ws) => ws.stats(), (v) => v !== null && typeof v === "object" && typeof v.messagesIn === "number"],
  ["send()", (ws) => ws.send("re-entrant"), null],
  ["trySend()", (ws) => ws.trySend("re-entrant"), (v) => typeof v === "boolean"],
  ["close()", (ws) => ws.close(), (v) => v === undefined, true],
  ["reconnect()", (ws) => ws.reconnect(), (v) => v === undefined, true],
  ["free()", (ws) => ws.free(), (v) => v === undefined, true],
].map(([name, call, check, mutates = false]) => ({ name, call, check, mutates }));

export function invoke(op, ws) {
  try {
    const value = op.call(ws);
    if (value && typeof value.then === "function") handled(value); // settle() awaits it
    return { value };
  } catch (e) {
    return { threw: e };
  }
}

/** The op worked: a sane value, a settled promise, or a typed error at most. */
export async function settle(op, outcome, where) {
  if ("threw" in outcome) {
    const p = errorProblem(outcome.threw, null);
    if (p) throw new Error(`${op.name} ${where} threw: ${p}`);
    return;
  }
  const v = outcome.value;
  if (op.name === "send()") {
    if (!v || typeof v.then !== "function") throw new Error(`send() ${where} returned ${show(v)}`);
    try {
      await withTimeout(v, 3000, `the promise of send() ${where}`);
    } catch (e) {
      const p = errorProblem(e, null);
      if (p) throw new Error(`send() ${where} rejected: ${p}`);
    }
    return;
  }
  if (!op.check(v)) throw new Error(`${op.name} ${where} returned ${show(v)}`);
}

export const EVENT_SETUPS = {
  open: (ctx) => [echoUrl(ctx)],
  message: (ctx) => [`/greet?tag=${ctx.tag}`],
  close: (ctx) => [`/close?code=4001&reason=stop&tag=${ctx.tag}`],
  // The socket's own error event (messages handed back: `dropped`), not a failed
  // handshake: after those Firefox delays every later connection to the host, more and more.
  error: (ctx) => [echoUrl(ctx), { queue: { maxMessages: 1, overflow: "drop-oldest" } }, (ws) => {
    ws.send("dropped");
    ws.send("kept");
  }],
  statechange: (ctx) => [echoUrl(ctx)],
  reconnecting: (ctx) => [`/close?code=1000&tag=${ctx.tag}`, { reconnect: { initialDelay: 50, maxDelay: 100 } }],
};

export const HANDLER_CASES = [];
for (const type of Object.keys(EVENT_SETUPS)) {
  for (const op of OPS) {
    HANDLER_CASES.push({
      name: `${op.name} inside a ${type} handler`,
      async run(ctx) {
        const [url, options, start] = EVENT_SETUPS[type](ctx);
        const ws = ctx.make(url, options);
        let outcome = null;
        ws.addEventListener(type, () => {
          if (!outcome) outcome = invoke(op, ws);
        });
        const t = track(ws);
        if (start) start(ws);
        await until(() => outcome, 5000, `a ${type} event`);
        await settle(op, outcome, `in a ${type} handler`);
        await sleep(30); // the rest of the event sequence runs
        readAll(ws);
        if (type === "close" && !op.mutates) eq(t.closes.length, 1, "close events");
      },
    });
  }
}

export const CALLBACK_CASES = [];
for (const op of OPS) {
  CALLBACK_CASES.push({
    name: `${op.name} inside reconnect.shouldReconnect`,
    async run(ctx) {
      let ws = null;
      let outcome = null;
      const calls = [];
      ws = ctx.make(`/close?code=4500&reason=go&tag=${ctx.tag}`, {
        reconnect: {
          initialDelay: 50,
          maxDelay: 100,
          shouldReconnect(code, reason) {
            calls.push([code, reason]);
            if (!outcome) outcome = invoke(op, ws);
            return false;
          },
        },
      });
      const t = track(ws);
      await until(() => outcome, 5000, "a shouldReconnect call");
      await settle(op, outcome, "in shouldReconnect");
      eq(calls[0], [4500, "go"], "shouldReconnect arguments");
      if (!op.mutates) {
        await until(() => t.closes.length > 0, 3000, "the close event");
        eq([t.closes[0].code, t.closes[0].by], [4500, "remote"], "close event after shouldReconnect returned false");
        await sleep(150);
        eq(t.reconnecting, [], "reconnecting events after shouldReconnect returned false");
      } else {
        await sleep(150);
      }
      readAll(ws);
    },
  });
}
CALLBACK_CASES.push({
  name: "a throwing shouldReconnect means retry",
  async run(ctx) {
    let calls = 0;
    const ws = ctx.make(`/close?code=4500&reason=go&tag=${ctx.tag}`, {
      reconnect: {
        initialDelay: 50,
        maxDelay: 100,
        shouldReconnect() {
          calls += 1;
          return boom();
        },
      },
    });
    const t = track(ws);
    await until(() => t.reconnecting.length > 0 || t.closes.length > 0, 5000, "reconnecting");
    assert(calls >= 1, "shouldReconnect was not called");
    eq(t.closes, [], "close events");
    eq([t.reconnecting[0].cause, t.reconnecting[0].code], ["closed", 4500], "reconnecting event");
  },
});
for (const op of OPS) {
  CALLBACK_CASES.push({
    name: `${op.name} inside the URL provider`,
    async run(ctx) {
      let ws = null;
      let outcome = null;
      const url = echoUrl(ctx);
      const provider = () => {
        if (ws && !outcome) outcome = invoke(op, ws);
        return url;
      };
      ws = ctx.make(provider, { reconnect: { initialDelay: 50, maxDelay: 100 } });
      const t = track(ws);
      await until(() => outcome || t.opens > 0 || t.closes.length > 0, 5000, "a provider call or open");
      if (!outcome) {
        // The first call ran inside the constructor (before `ws` was set): call again.
        ws.reconnect();
        await until(() => outcome, 5000, "a second provider call");
      }
      await settle(op, outcome, "in the URL provider");
      if (!op.mutates) {
        await until(() => t.opens > 0 && ws.state === "open", 5000, "open after the provider returned");
        const sent = op.name === "send()" || (op.name === "trySend()" && outcome.value === true);
        if (sent) await until(() => t.messages.includes("re-entrant"), 5000, "the echo of the message sent from the provider");
      } else {
        await sleep(150);
      }
      readAll(ws);
    },
  });
}

// The application's WebSocket class dispatching its own events synchronously, from inside
// its send() and close() (as a test double or an in-process transport may): the core calls
// them with no borrow of its state held, so such an event is handled, not lost.

/**
 * A fake WebSocket class: it opens on a timer; send(data) calls `answer(socket, data)`,
 * which may fire onmessage or onclose at once; close() fires onclose at once.
 */
function syncSocketClass(answer) {
  return class SyncSocket {
    constructor(url) {
      this.url = url;
      this.protocol = "";
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.binaryType = "blob";
      this.onopen = this.onmessage = this.onclose = this.onerror = null;
      setTimeout(() => {
        if (this.readyState !== 0) return;
        this.readyState = 1;
        this.onopen?.({ type: "open" });
      }, 0);
    }
    send(data) {
      if (this.readyState !== 1) throw new DOMException("not open", "InvalidStateError");
      answer(this, data);
    }
    close(code, reason) {
      if (this.readyState >= 2) return;
      this.closed(code ?? 1005, reason ?? "");
    }
    closed(code, reason) {
      this.readyState = 3;
      this.onclose?.({ type: "close", code, reason, wasClean: true });
    }
  };
}
const echoAtOnce = (s, data) => s.onmessage?.({ data: `echo:${data}` });

CALLBACK_CASES.push(
  {
    name: "a WebSocket class whose send() fires message synchronously: the message is delivered",
    async run(ctx) {
      const ws = ctx.make(echoUrl(ctx), { WebSocket: syncSocketClass(echoAtOnce) });
      const t = track(ws);
      await until(() => t.opens > 0, 3000, "open");
      await ws.send("one");
      eq(ws.trySend("two"), true, "trySend()");
      await until(() => t.messages.length >= 2 || t.reconnecting.length > 0, 3000, "two messages");
      eq(t.messages, ["echo:one", "echo:two"], "messages");
      eq([ws.state, t.reconnecting.length, ws.stats().messagesIn], ["open", 0, 2], "state, reconnects, messagesIn");
    },
  },
  {
    name: "a WebSocket class whose close() fires close synchronously: close event, state closed",
    async run(ctx) {
      const ws = ctx.make(echoUrl(ctx), { WebSocket: syncSocketClass(echoAtOnce), closeTimeout: 1000 });
      const t = track(ws);
      await until(() => t.opens > 0, 3000, "open");
      ws.close(1000, "bye");
      await until(() => t.closes.length > 0, 3000, "the close event");
      const c = t.closes[0];
      eq([c.code, c.reason, c.wasClean, c.by], [1000, "bye", true, "client"], "close event");
      eq([ws.state, ws.readyState], ["closed", ReSocket.CLOSED], "state");
      await sleep(50);
      eq(t.closes.length, 1, "close events");
    },
  },
  {
    name: "a WebSocket class whose send() fires close synchronously: the close is the server's",
    async run(ctx) {
      const answer = (s, data) => (data === "close me" ? s.closed(4000, "from send") : echoAtOnce(s, data));
      const ws = ctx.make(echoUrl(ctx), { WebSocket: syncSocketClass(answer), reconnect: false });
      const t = track(ws);
      await until(() => t.opens > 0, 3000, "open");
      await ws.send("close me");
      await until(() => t.closes.length > 0, 3000, "the close event");
      const c = t.closes[0];
      eq([c.code, c.reason, c.by], [4000, "from send", "remote"], "close event");
      eq(ws.state, "closed", "state");
    },
  },
  {
    name: "a WebSocket class whose send() ends the connection and then throws: the message comes back",
    async run(ctx) {
      const answer = (s, data) => {
        if (data !== "close me") return echoAtOnce(s, data);
        s.closed(4000, "from send"); // a stop code: closed for good, inside send()
        throw new DOMException("closed under the send", "InvalidStateError");
      };
      const ws = ctx.make(echoUrl(ctx), { WebSocket: syncSocketClass(answer) });
      const t = track(ws);
      await until(() => t.opens > 0, 3000, "open");
      await ws.send("close me");
      await until(() => t.closes.length > 0 && t.errors.length > 0, 3000, "the close and the error event");
      eq([t.closes[0].code, t.closes[0].by, ws.state], [4000, "remote", "closed"], "close event, state");
      const back = t.errors.filter((e) => e?.code === "unsent").flatMap((e) => e.messages);
      eq(back, ["close me"], "the message handed back in an unsent error");
    },
  },
  {
    name: "a WebSocket class whose bufferedAmount getter dispatches a message: nothing is lost",
    async run(ctx) {
      class Chatty extends syncSocketClass(echoAtOnce) {
        #told = 0;
        get bufferedAmount() {
          // A getter that is application code: it dispatches a message at once.
          if (this.readyState === 1 && this.#told < 2) this.onmessage?.({ data: `from a getter ${++this.#told}` });
          return 0;
        }
        set bufferedAmount(_) {}
      }
      const ws = ctx.make(echoUrl(ctx), { WebSocket: Chatty });
      const t = track(ws);
      await until(() => t.opens > 0, 3000, "open");
      await ws.send("one"); // reads bufferedAmount for the backpressure gate
      eq(ws.bufferedAmount, 0, "bufferedAmount");
      await until(() => t.messages.length >= 3, 3000, "three messages");
      eq(t.messages, ["from a getter 1", "echo:one", "from a getter 2"], "messages, in order");
      eq([ws.state, t.reconnecting.length], ["open", 0], "state, reconnects");
    },
  },
  {
    name: "a WebSocket class that answers the heartbeat from inside send(): the pong is measured",
    async run(ctx) {
      const answer = (s, data) => (data === "ping" ? s.onmessage?.({ data: "pong" }) : echoAtOnce(s, data));
      const ws = ctx.make(echoUrl(ctx), {
        WebSocket: syncSocketClass(answer),
        heartbeat: { interval: 50, timeout: 200, ping: "ping", pong: "pong" },
      });
      const t = track(ws);
      await until(() => t.opens > 0, 3000, "open");
      await sleep(500);
      eq([ws.state, t.reconnecting.length, t.messages.length], ["open", 0, 0], "state, reconnects, messages");
      assert(typeof ws.stats().lastRttMs === "number", `lastRttMs ${show(ws.stats().lastRttMs)}`);
    },
  },
);

// Hostile server: raw close frames.
export const BADCLOSE = [
  "code=1000&reason_len=0",
  "code=1000&reason_len=123",
  "code=1000&reason_len=124",
  "code=none",
  "code=1000&reason_len=10&utf8=bad",
  "code=1005",
  "code=1006",
  "code=1015",
  "code=0",
  "code=999",
  "code=1004",
  "code=2999",
  "code=5000",
  "code=65535",
  "code=1002",
  "code=1009",
  "code=3000&reason_len=0",
  "code=4001&reason_len=5",
];
export const saneCode = (c) => typeof c === "number" && Number.isInteger(c) && c >= 0 && c <= 65535;
export const CAUSES = ["closed", "connect_failed", "connect_timeout", "heartbeat_timeout", "url_provider", "manual"];
export const BADCLOSE_CASES = BADCLOSE.map((q) => ({
  name: `/badclose?${q}`,
  async run(ctx) {
    const ws = ctx.make(`/badclose?${q}&tag=${ctx.tag}`, { reconnect: { initialDelay: 50, maxDelay: 100 } });
    const t = track(ws);
    await until(() => t.reconnecting.length > 0 || t.closes.length > 0, 5000, "reconnecting or close");
    let outcome;
    if (t.closes.length > 0) {
      const c = t.closes[0];
      assert(saneCode(c.code), `close event code ${show(c.code)}`);
      assert(typeof c.reason === "string", `close event reason ${show(c.reason)}`);
      outcome = `close ${c.code}`;
    } else {
      const r = t.reconnecting[0];
      assert(CAUSES.includes(r.cause), `reconnecting cause ${show(r.cause)}`);
      if (r.cause === "closed") assert(saneCode(r.code), `reconnecting code ${show(r.code)}`);
      assert(r.code === undefined || saneCode(r.code), `reconnecting code ${show(r.code)}`);
      assert(r.reason === undefined || typeof r.reason === "string", `reconnecting reason ${show(r.reason)}`);
      outcome = `retry ${r.cause}${r.code === undefined ? "" : ` ${r.code}`}`;
    }
    readAll(ws);
    return `${q.replace(/&?reason_len=0/, "")} → ${outcome}`;
  },
}));

// 10,000 repetitions of each throwing case, in slices so that a slow build fails the case
// within its time limit instead of blocking the page.
export const N_REP = 10000;
export const REP_MS = 15000;
export async function repeat(n, fn, code) {
  const end = performance.now() + REP_MS;
  for (let i = 0; i < n; i++) {
    if (i % 250 === 0) {
      await sleep(0);
      if (performance.now() > end) throw new Error(`only ${i} of ${n} repetitions within ${REP_MS} ms`);
    }
    let r;
    try {
      r = fn();
    } catch (e) {
      const p = errorProblem(e, code);
      if (p) throw new Error(`repetition ${i + 1}: ${p}`);
      continue;
    }
    throw new Error(`repetition ${i + 1}: no error (returned ${show(r)})`);
  }
}

/** n calls of a promise-returning fn: none may throw; every promise rejects with `code`. */
export async function repeatRejects(n, fn, code) {
  const promises = [];
  const end = performance.now() + REP_MS;
  for (let i = 0; i < n; i++) {
    if (i % 250 === 0) {
      await sleep(0);
      if (performance.now() > end) throw new Error(`only ${i} of ${n} repetitions within ${REP_MS} ms`);
    }
    try {
      promises.push(handled(fn()));
    } catch (e) {
      throw new Error(`repetition ${i + 1} threw synchronously: ${describe(e)}`);
    }
  }
  const settled = await withTimeout(Promise.allSettled(promises), 10000, `${n} promises to settle`);
  const bad = settled.findIndex((r) => r.status !== "rejected" || errorProblem(r.reason, code));
  if (bad >= 0) {
    const r = settled[bad];
    throw new Error(`repetition ${bad + 1}: ${r.status === "rejected" ? errorProblem(r.reason, code) : "resolved"}`);
  }
}

export const REPEAT_CASES = [
  {
    name: "trySend(detached buffer) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      const buf = detached(64);
      await repeat(N_REP, () => ws.trySend(buf), "encode");
      await echoOn(ws, t, "after 10k");
    },
  },
  {
    name: "trySend(Uint8Array on a detached buffer) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      const v = viewOnDetached(Uint8Array);
      await repeat(N_REP, () => ws.trySend(v), "encode");
      await echoOn(ws, t, "after 10k");
    },
  },
  {
    name: "new ReSocket(url, ownKeys-throwing Proxy) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const proxy = new Proxy({}, { ownKeys: boom });
      await repeat(N_REP, () => ctx.make(echoUrl(ctx), proxy), "invalid_option");
    },
  },
  {
    name: "new ReSocket(url, revoked Proxy) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const proxy = revoked();
      await repeat(N_REP, () => ctx.make(echoUrl(ctx), proxy), "invalid_option");
    },
  },
  {
    name: "close(1000, Symbol()) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      const s = Symbol("reason");
      await repeat(N_REP, () => ws.close(1000, s), "invalid_close_reason");
      eq(ws.state, "open", "state");
      await echoOn(ws, t, "after 10k");
    },
  },
  {
    name: "close(1000.5) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      await repeat(N_REP, () => ws.close(1000.5), "invalid_close_code");
      await echoOn(ws, t, "after 10k");
    },
  },
  {
    name: "send(42) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      await repeatRejects(N_REP, () => ws.send(42), "encode");
      await echoOn(ws, t, "after 10k");
    },
  },
  {
    // (not a cyclic value: V8 takes ~15 ms to describe the cycle in its TypeError)
    name: "sendJson({ a: 1n }) × 10,000",
    timeout: 30000,
    async run(ctx) {
      const [ws, t] = await openedSocket(ctx);
      const o = { a: 1n };
      await repeatRejects(N_REP, () => ws.sendJson(o), "encode");
      await echoOn(ws, t, "after 10k");
    },
  },
];
