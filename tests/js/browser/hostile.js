// Hardening tests of resocket-wasm: hostile input to every method, hostile servers, and
// re-entrant calls from every event handler and user callback. tests.js registers these
// after its own tests (every name starts with "hostile"); run only them with
// RESOCKET_JS_FILTER=hostile.
//
// Most of it is tables of cases (arrays of { name, run }). After EVERY case the table
// runner checks that (a) the case's own assertion held, (b) nothing escaped as an uncaught
// error or unhandled rejection, (c) the module still works (a fresh ReSocket to /echo
// echoes) and (d) diagnostics() is back to the baseline taken before the table, once the
// sockets the case made are freed.
//
// This file: tables: oversized messages and hostile servers; the tests; the rest is in hostile-*.js.

import { ReSocket, diagnostics } from "resocket-wasm";
import { tag, sleep, show, describe, assert, eq, until, once, control, checkError, track, echoOn, readAll, detached, runTable } from "./hostile-harness.js";
import { CTOR_CASES, SEND_CASES, JSON_CASES, CLOSE_CASES } from "./hostile-input.js";
import { LIFECYCLE_CASES } from "./hostile-lifecycle.js";
import { HANDLER_CASES, CALLBACK_CASES, saneCode, BADCLOSE_CASES, REPEAT_CASES } from "./hostile-callbacks.js";

// maxMessageSize inbound.
const MIB = 1048576;
const BIG_CASES = [
  ...["binary", "text"].map((kind) => ({
    name: `/big?bytes=2000000&kind=${kind} over maxMessageSize ${MIB}: too_large, close 1009`,
    timeout: 10000,
    async run(ctx) {
      const ws = ctx.make(`/big?bytes=2000000&kind=${kind}&tag=${ctx.tag}`, { maxMessageSize: MIB });
      const t = track(ws);
      await until(() => t.closes.length > 0, 8000, "the close event");
      const tooLarge = t.errors.filter((e) => e && e.code === "too_large");
      assert(tooLarge.length === 1, `error events: ${show(t.errors.map((e) => (e ? describe(e) : null)))}`);
      checkError(tooLarge[0], "too_large");
      eq(t.closes[0].code, 1009, "close event code");
      eq(t.reconnecting, [], "reconnecting events (1009 is not retried)");
      eq(t.messages.length, 0, "messages delivered");
      readAll(ws);
    },
  })),
  {
    name: "/big over the limit: shouldReconnect sees 1009",
    timeout: 10000,
    async run(ctx) {
      const codes = [];
      const ws = ctx.make(`/big?bytes=2000000&kind=binary&tag=${ctx.tag}`, {
        maxMessageSize: MIB,
        reconnect: { shouldReconnect: (code) => (codes.push(code), false) },
      });
      const t = track(ws);
      await until(() => t.closes.length > 0, 8000, "the close event");
      eq([codes[0], t.closes[0].code], [1009, 1009], "shouldReconnect code and close code");
    },
  },
  {
    name: "/big over the limit: a retry is announced with code 1009",
    timeout: 10000,
    async run(ctx) {
      const ws = ctx.make(`/big?bytes=2000000&kind=text&tag=${ctx.tag}`, {
        maxMessageSize: MIB,
        reconnect: { initialDelay: 2000, shouldReconnect: () => true },
      });
      const t = track(ws);
      await until(() => t.reconnecting.length > 0 || t.closes.length > 0, 8000, "reconnecting");
      eq([t.reconnecting[0]?.cause, t.reconnecting[0]?.code], ["closed", 1009], "reconnecting event");
    },
  },
  ...[
    ["binary", 1000000, { maxMessageSize: MIB }],
    ["binary", MIB, { maxMessageSize: MIB }],
    ["text", 2000000, undefined],
  ].map(([kind, bytes, options]) => ({
    name: `/big?bytes=${bytes}&kind=${kind} within ${options ? `maxMessageSize ${MIB}` : "the default limit"} arrives`,
    timeout: 10000,
    async run(ctx) {
      const ws = ctx.make(`/big?bytes=${bytes}&kind=${kind}&tag=${ctx.tag}`, options);
      const t = track(ws);
      await until(() => t.messages.length > 0 || t.closes.length > 0, 8000, "the big message");
      const d = t.messages[0];
      const len = typeof d === "string" ? new TextEncoder().encode(d).length : d?.byteLength;
      eq([kind === "text" ? typeof d === "string" : d instanceof ArrayBuffer, len], [true, bytes], "message type and size");
      await echoOn(ws, t, "after big");
    },
  })),
];

// Hostile server: the rest.
const FLOOD = 100000;
const SERVER_CASES = {
  flood: [
    {
      name: "/burst?count=100000&size=0 arrives complete and in order",
      timeout: 38000,
      async run(ctx) {
        const heap0 = performance.memory?.usedJSHeapSize;
        const ws = ctx.make(`/burst?count=${FLOOD}&size=0&tag=${ctx.tag}`);
        let n = 0;
        let last = 0;
        let bad = null;
        let counting = true;
        const after = [];
        ws.addEventListener("message", (e) => {
          if (!counting) return after.push(e.data);
          n += 1;
          let seq;
          try {
            seq = e.json().seq;
          } catch (x) {
            bad ??= `message ${n} is not JSON: ${describe(x)}`;
          }
          if (seq !== last + 1) bad ??= `message ${n} has seq ${seq} after ${last}`;
          last = seq;
        });
        const t = track(ws);
        await until(() => n >= FLOOD || bad || t.closes.length > 0, 30000, `${FLOOD} messages (got ${n})`);
        if (bad) throw new Error(bad);
        await sleep(100);
        eq([n, last], [FLOOD, FLOOD], "count and last seq");
        eq(ws.stats().messagesIn, FLOOD, "stats().messagesIn");
        eq(t.reconnecting.length + t.closes.length, 0, "reconnects or closes during the flood");
        counting = false;
        await ws.send("after the flood");
        await until(() => after.length > 0, 5000, "the echo after the flood");
        eq(after, ["after the flood"], "echo after the flood");
        const heap1 = performance.memory?.usedJSHeapSize;
        if (heap0 !== undefined && heap1 !== undefined) {
          const mib = (heap1 - heap0) / MIB;
          assert(mib < 512, `JS heap grew by ${mib.toFixed(0)} MiB`);
          return `JS heap +${mib.toFixed(0)} MiB`;
        }
        return "";
      },
    },
  ],
  acceptClose: ["close", "drop"].map((mode) => ({
    name: `/accept_close?mode=${mode} under the default policy backs off honestly`,
    timeout: 8000,
    async run(ctx) {
      const t0 = Date.now();
      const ws = ctx.make(`/accept_close?mode=${mode}&tag=${ctx.tag}`);
      const t = track(ws);
      await sleep(3000);
      const s = await control(`/control/stats?tag=${ctx.tag}`);
      const atMs = Array.isArray(s.accepted_at_ms) ? s.accepted_at_ms : null;
      const first = atMs && atMs.length > 0 ? Math.min(...atMs) : t0;
      const conns = atMs ? atMs.filter((x) => x - first <= 3000).length : (s.connections ?? s.accepted);
      assert(typeof conns === "number" && conns >= 1, `the server saw no connection: ${show(s)}`);
      assert(conns <= 10, `the server saw ${conns} connections in 3 s: ${show(s)}`);
      const attempts = t.reconnecting.map((r) => r.attempt);
      assert(attempts.length >= 1, `no reconnecting event in 3 s (${conns} connections)`);
      eq(attempts, attempts.map((_, i) => i + 1), "reconnecting attempts");
      eq(t.reconnecting.map((r) => r.retryCount), attempts, "retryCount at each reconnecting event");
      eq(t.closes, [], "close events");
      return `${mode}: ${conns} connections in 3 s, attempts ${attempts.join(",")}`;
    },
  })),
  hang: [
    {
      name: "/hang with connectTimeout 500 and maxAttempts 2 gives up in bounded time",
      timeout: 10000,
      async run(ctx) {
        const t0 = performance.now();
        const ws = ctx.make(`/hang?ms=20000&tag=${ctx.tag}`, {
          reconnect: { connectTimeout: 500, initialDelay: 50, maxAttempts: 2 },
        });
        const t = track(ws);
        await until(() => t.closes.length > 0, 8000, "the close event");
        const ms = performance.now() - t0;
        assert(ms < 5000, `gave up after ${Math.round(ms)} ms`);
        assert(ms >= 1400, `gave up after ${Math.round(ms)} ms, before 3 timeouts of 500 ms`);
        eq(t.opens, 0, "open events");
        const c = t.closes[0];
        checkError(c.error, "gave_up");
        eq(c.by, "policy", "close.by");
        eq(t.reconnecting.map((r) => [r.attempt, r.cause]), [[1, "connect_timeout"], [2, "connect_timeout"]], "reconnecting");
        return `gave up after ${Math.round(ms)} ms`;
      },
    },
  ],
  subprotocol: [
    {
      name: "/subprotocol answering an unrequested protocol never opens",
      timeout: 10000,
      async run(ctx) {
        const ws = ctx.make(`/subprotocol?proto=other&tag=${ctx.tag}`, {
          protocols: ["chat"],
          reconnect: { initialDelay: 50, maxDelay: 100, maxAttempts: 2 },
        });
        const t = track(ws);
        await until(() => t.closes.length > 0, 8000, "the close event");
        eq(t.opens, 0, "open events");
        assert(ws.protocol !== "other", "protocol is the unrequested one");
        const c = t.closes[0];
        assert(c.error && ["gave_up", "connect_failed"].includes(c.error.code), `close error ${describe(c.error)}`);
        checkError(c.error, c.error.code);
        assert(saneCode(c.code), `close code ${show(c.code)}`);
        if (c.error.code === "gave_up") eq(t.reconnecting.map((r) => r.attempt), [1, 2], "reconnecting attempts");
        return `ended by ${c.by} (${c.error.code}) after ${t.reconnecting.length} retries`;
      },
    },
  ],
};

// --- the tests --------------------------------------------------------------------------

const tests = [];
const test = (name, cases, timeout) =>
  tests.push({ name, timeout, fn: () => runTable(cases, timeout - 4000) });

test("hostile table: the constructor refuses bad URLs and options", CTOR_CASES, 30000);
test("hostile table: send() and trySend() refuse non-data, detached and oversized data", SEND_CASES, 60000);
test("hostile table: sendJson() rejects values without a JSON form", JSON_CASES, 20000);
test("hostile table: close() codes and reasons", CLOSE_CASES, 30000);
test("hostile table: after close() and free()", LIFECYCLE_CASES, 30000);
test("hostile table: re-entrant calls from every event handler", HANDLER_CASES, 40000);
test("hostile table: re-entrant calls from shouldReconnect and the URL provider", CALLBACK_CASES, 45000);
test("hostile: 10,000 repetitions of each throwing case leave the module working", REPEAT_CASES, 60000);
test("hostile: maxMessageSize inbound: an oversized message closes the link with 1009", BIG_CASES, 30000);
test("hostile server: a 100,000-message flood arrives complete and in order", SERVER_CASES.flood, 45000);
// Last: the tests whose handshakes fail on purpose (Firefox slows later connections down).
test("hostile server: /accept_close loops back off under the default policy", SERVER_CASES.acceptClose, 15000);
test("hostile server: /badclose variants end in a reconnect or a close with a sane code", BADCLOSE_CASES, 30000);
test("hostile server: /hang gives up by policy in bounded time", SERVER_CASES.hang, 15000);
test("hostile server: /subprotocol with an unrequested protocol never opens", SERVER_CASES.subprotocol, 15000);

/** Number of table cases, by test. */
export const caseCounts = Object.fromEntries(
  [
    ["constructor", CTOR_CASES],
    ["send/trySend", SEND_CASES],
    ["sendJson", JSON_CASES],
    ["close", CLOSE_CASES],
    ["lifecycle", LIFECYCLE_CASES],
    ["handlers", HANDLER_CASES],
    ["callbacks", CALLBACK_CASES],
    ["badclose", BADCLOSE_CASES],
    ["repetitions", REPEAT_CASES],
    ["big", BIG_CASES],
  ].map(([k, v]) => [k, v.length]),
);

export default tests;
