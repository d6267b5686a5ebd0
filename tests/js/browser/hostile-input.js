// Hardening tests of resocket-wasm (see hostile.js): tables: the constructor, send/trySend, sendJson, close.

import { ReSocket } from "resocket-wasm";
import { wsBase, tag, sleep, boom, hasResize, show, assert, eq, handled, until, once, serverStats, throws, rejectsNoThrow, resolvesNoThrow, track, waitOpen, echoOn, echoForm, pattern, revoked, allTrapsThrow, detached, detachedByTransfer, viewOnDetached } from "./hostile-harness.js";

// --- the tables -------------------------------------------------------------------------

export const echoUrl = (ctx) => `/echo?tag=${ctx.tag}`;

// Constructor: [name, () => [url, options], code, text in the message].
export const CTOR_BAD = [
  ["undefined", () => [undefined], "invalid_url"],
  ["null", () => [null], "invalid_url"],
  ["42", () => [42], "invalid_url"],
  ["true", () => [true], "invalid_url"],
  ["{}", () => [{}], "invalid_url"],
  ["[]", () => [[]], "invalid_url"],
  ["a Symbol", () => [Symbol("url")], "invalid_url"],
  ["a BigInt", () => [10n], "invalid_url"],
  ["ftp: URL", () => ["ftp://127.0.0.1/x"], "invalid_url"],
  ["javascript: URL", () => ["javascript:alert(1)"], "invalid_url"],
  ["file: URL", () => ["file:///etc/passwd"], "invalid_url"],
  ["data: URL", () => ["data:text/plain,hi"], "invalid_url"],
  ["URL with a fragment", () => [`${wsBase}/echo#frag`], "invalid_url"],
  ["unparsable http://[::1", () => ["http://[::1"], "invalid_url"],
  ["unparsable ws://", () => ["ws://"], "invalid_url"],
  ["URL object, ftp:", () => [new URL("ftp://127.0.0.1/x")], "invalid_url"],
  ["URL object with a fragment", () => [new URL(`${wsBase}/echo#frag`)], "invalid_url"],
  ["a Proxy of a URL object", () => [new Proxy(new URL(`${wsBase}/echo`), {})], "invalid_url"],
  ["a Proxy whose every trap throws (url)", () => [allTrapsThrow()], "invalid_url"],
  ["a revoked Proxy (url)", () => [revoked()], "invalid_url"],
  ["an object with toString (url)", () => [{ toString: () => `${wsBase}/echo` }], "invalid_url"],
  ["options 5", (c) => [echoUrl(c), 5], "invalid_option"],
  ["options true", (c) => [echoUrl(c), true], "invalid_option"],
  ["options a function", (c) => [echoUrl(c), () => ({})], "invalid_option"],
  ["options a Symbol", (c) => [echoUrl(c), Symbol("o")], "invalid_option"],
  ["options a BigInt", (c) => [echoUrl(c), 1n], "invalid_option"],
  ["unknown key bogus", (c) => [echoUrl(c), { bogus: 1 }], "invalid_option", "bogus"],
  ["unknown key reconnect.nope", (c) => [echoUrl(c), { reconnect: { nope: 1 } }], "invalid_option", "reconnect.nope"],
  ["unknown key queue.max", (c) => [echoUrl(c), { queue: { max: 1 } }], "invalid_option", "queue.max"],
  ["unknown key heartbeat.every", (c) => [echoUrl(c), { heartbeat: { every: 1 } }], "invalid_option", "heartbeat.every"],
  ["unknown key with a throwing getter", (c) => [echoUrl(c), { get bogus() { return boom(); } }], "invalid_option"],
  ["options Proxy: ownKeys throws", (c) => [echoUrl(c), new Proxy({}, { ownKeys: boom })], "invalid_option"],
  ["options Proxy: get throws", (c) => [echoUrl(c), new Proxy({ reconnect: {} }, { get: boom })], "invalid_option"],
  [
    "options Proxy: getOwnPropertyDescriptor throws",
    (c) => [echoUrl(c), new Proxy({ reconnect: {} }, { getOwnPropertyDescriptor: boom })],
    "invalid_option",
  ],
  ["options Proxy: every trap throws", (c) => [echoUrl(c), allTrapsThrow()], "invalid_option"],
  ["options a revoked Proxy", (c) => [echoUrl(c), revoked()], "invalid_option"],
  ["getter reconnect throws", (c) => [echoUrl(c), { get reconnect() { return boom(); } }], "invalid_option", "reconnect"],
  ["getter protocols throws", (c) => [echoUrl(c), { get protocols() { return boom(); } }], "invalid_option", "protocols"],
  [
    "getter maxMessageSize throws",
    (c) => [echoUrl(c), { get maxMessageSize() { return boom(); } }],
    "invalid_option",
    "maxMessageSize",
  ],
  ["reconnect: ownKeys Proxy", (c) => [echoUrl(c), { reconnect: new Proxy({}, { ownKeys: boom }) }], "invalid_option", "reconnect"],
  [
    "reconnect: get Proxy",
    (c) => [echoUrl(c), { reconnect: new Proxy({ initialDelay: 1 }, { get: boom }) }],
    "invalid_option",
    "reconnect",
  ],
  [
    "reconnect: getOwnPropertyDescriptor Proxy",
    (c) => [echoUrl(c), { reconnect: new Proxy({ initialDelay: 1 }, { getOwnPropertyDescriptor: boom }) }],
    "invalid_option",
    "reconnect",
  ],
  ["reconnect: revoked Proxy", (c) => [echoUrl(c), { reconnect: revoked() }], "invalid_option", "reconnect"],
  [
    "reconnect.initialDelay getter throws",
    (c) => [echoUrl(c), { reconnect: { get initialDelay() { return boom(); } } }],
    "invalid_option",
    "reconnect.initialDelay",
  ],
  [
    "reconnect.shouldReconnect getter throws",
    (c) => [echoUrl(c), { reconnect: { get shouldReconnect() { return boom(); } } }],
    "invalid_option",
    "reconnect.shouldReconnect",
  ],
  [
    "reconnect.stopCodes a throwing Proxy",
    (c) => [echoUrl(c), { reconnect: { stopCodes: new Proxy([4000, 4099], { get: boom }) } }],
    "invalid_option",
    "reconnect.stopCodes",
  ],
  ["queue: ownKeys Proxy", (c) => [echoUrl(c), { queue: new Proxy({}, { ownKeys: boom }) }], "invalid_option", "queue"],
  ["queue: revoked Proxy", (c) => [echoUrl(c), { queue: revoked() }], "invalid_option", "queue"],
  [
    "queue.overflow getter throws",
    (c) => [echoUrl(c), { queue: { get overflow() { return boom(); } } }],
    "invalid_option",
    "queue.overflow",
  ],
  ["heartbeat: ownKeys Proxy", (c) => [echoUrl(c), { heartbeat: new Proxy({}, { ownKeys: boom }) }], "invalid_option", "heartbeat"],
  ["heartbeat: revoked Proxy", (c) => [echoUrl(c), { heartbeat: revoked() }], "invalid_option", "heartbeat"],
  [
    "heartbeat.ping getter throws",
    (c) => [echoUrl(c), { heartbeat: { get ping() { return boom(); } } }],
    "invalid_option",
    "heartbeat.ping",
  ],
  [
    "protocols a throwing Proxy array",
    (c) => [echoUrl(c), { protocols: new Proxy(["a"], { get: boom }) }],
    "invalid_option",
    "protocols",
  ],
  ...[
    ["\"1024\"", "1024"],
    ["0", 0],
    ["-1", -1],
    ["1.5", 1.5],
    ["NaN", NaN],
    ["Infinity", Infinity],
    ["null", null],
    ["true", true],
    ["{}", {}],
    ["1024n", 1024n],
  ].map(([label, v]) => [`maxMessageSize ${label}`, (c) => [echoUrl(c), { maxMessageSize: v }], "invalid_option", "maxMessageSize"]),
];

export const CTOR_CASES = [
  ...CTOR_BAD.map(([name, args, code, text]) => ({
    name: `new ReSocket(${name})`,
    run(ctx) {
      const [u, o] = args(ctx);
      throws(() => ctx.make(u, o), code, text);
    },
  })),
  {
    name: "new ReSocket(provider, bad options) does not call the provider",
    async run(ctx) {
      let calls = 0;
      const provider = () => {
        calls += 1;
        return echoUrl(ctx);
      };
      throws(() => ctx.make(provider, { bogus: 1 }), "invalid_option", "bogus");
      await sleep(50);
      eq(calls, 0, "provider calls");
    },
  },
  ...[
    ["maxMessageSize: 1", { maxMessageSize: 1 }],
    ["maxMessageSize: 16777216", { maxMessageSize: 16777216 }],
    ["maxMessageSize: 1048576 with every other option", {
      maxMessageSize: 1048576,
      reconnect: { initialDelay: 10 },
      queue: { maxMessages: 5 },
      heartbeat: false,
      closeTimeout: 100,
    }],
    ["options null", null],
  ].map(([name, options]) => ({
    name: `accepts ${name}`,
    async run(ctx) {
      const ws = ctx.make(echoUrl(ctx), options);
      const t = track(ws);
      eq(ws.state, "connecting", "state");
      await waitOpen(t);
    },
  })),
];

// send() and trySend(): values that are not data → `encode`.
export const NOT_DATA = [
  ["a number", () => 42],
  ["NaN", () => NaN],
  ["true", () => true],
  ["null", () => null],
  ["undefined", () => undefined],
  ["{}", () => ({})],
  ["[]", () => []],
  ["[1, 2, 3]", () => [1, 2, 3]],
  ["a Symbol", () => Symbol("data")],
  ["a BigInt", () => 10n],
  ["a Blob", () => new Blob(["blob"])],
  ["a function", () => () => "text"],
  ["a Date", () => new Date(0)],
  ["a Map", () => new Map([[1, 2]])],
  ["a Promise of a string", () => handled(Promise.resolve("text"))],
  ["an object with toString", () => ({ toString: () => "text" })],
  ["an object whose Symbol.toPrimitive throws", () => ({ [Symbol.toPrimitive]: boom })],
  ["a fake view { buffer, byteOffset, byteLength }", () => ({ buffer: new ArrayBuffer(4), byteOffset: 0, byteLength: 4 })],
  ["Object.create(ArrayBuffer.prototype)", () => Object.create(ArrayBuffer.prototype)],
  ["Object.create(Uint8Array.prototype)", () => Object.create(Uint8Array.prototype)],
  ["a Proxy of {}", () => new Proxy({}, {})],
  ["a Proxy of an ArrayBuffer", () => new Proxy(new ArrayBuffer(4), {})],
  ["a Proxy of a Uint8Array", () => new Proxy(new Uint8Array(4), {})],
  ["a Proxy whose every trap throws", () => allTrapsThrow()],
  ["a revoked Proxy", () => revoked()],
  ["a detached ArrayBuffer (structuredClone transfer)", () => detached()],
  ["a detached ArrayBuffer (transfer())", () => detachedByTransfer()],
  ["a Uint8Array on a detached buffer", () => viewOnDetached(Uint8Array)],
  ["a DataView on a detached buffer", () => viewOnDetached(DataView)],
  ["a Float64Array on a detached buffer", () => viewOnDetached(Float64Array)],
];

// With maxMessageSize 1024: over the limit → `too_large`.
export const TOO_LARGE = [
  ["an ArrayBuffer of 1025 bytes", () => new ArrayBuffer(1025)],
  ["a string of 1025 chars", () => "x".repeat(1025)],
  ["a string of 513 é (1026 UTF-8 bytes)", () => "é".repeat(513)],
  ["a Uint8Array of 1025 bytes on a 4096-byte buffer", () => new Uint8Array(new ArrayBuffer(4096), 100, 1025)],
  ["a DataView of 1025 bytes on a 4096-byte buffer", () => new DataView(new ArrayBuffer(4096), 7, 1025)],
  ["a Uint32Array of 1028 bytes", () => new Uint32Array(257)],
  ["an ArrayBuffer of 4 MiB", () => new ArrayBuffer(4 << 20)],
];

// With maxMessageSize 1024: accepted, echoed byte-exact ([name, value, expected echo]).
export const ACCEPTED = [
  ["an ArrayBuffer of 1024 bytes", () => pattern(1024).buffer],
  ["a string of 1024 chars", () => "y".repeat(1024)],
  ["a string of 512 é (1024 UTF-8 bytes)", () => "é".repeat(512)],
  ["a Uint8Array of 1024 bytes on a 4096-byte buffer", () => new Uint8Array(pattern(4096).buffer, 100, 1024)],
  ["a DataView of 1024 bytes on an 8192-byte buffer", () => new DataView(pattern(8192, 13).buffer, 1, 1024)],
  ["a Float64Array at an offset", () => new Float64Array(pattern(64, 5).buffer, 8, 4)],
  ["an empty ArrayBuffer", () => new ArrayBuffer(0)],
  ["an empty string", () => ""],
  ["a string with a lone surrogate", () => "a\uD800b", "a\uFFFDb"],
  ...(hasResize
    ? [
        [
          "a resizable ArrayBuffer, grown",
          () => {
            const b = new ArrayBuffer(16, { maxByteLength: 64 });
            new Uint8Array(b).set(pattern(16));
            b.resize(24);
            return b;
          },
        ],
        [
          "a length-tracking Uint8Array on a resizable buffer",
          () => {
            const b = new ArrayBuffer(8, { maxByteLength: 64 });
            const v = new Uint8Array(b, 2);
            b.resize(20);
            v.set(pattern(18));
            return v;
          },
        ],
      ]
    : []),
];

export function sendCase(method, name, value, { code, options, expect } = {}) {
  return {
    name: `${method}(${name})${options ? " [maxMessageSize 1024]" : ""}`,
    async run(ctx) {
      const ws = ctx.make(echoUrl(ctx), options);
      const t = track(ws);
      await waitOpen(t);
      await ws.send("before");
      const v = value();
      let want;
      if (code) {
        if (method === "send") await rejectsNoThrow(() => ws.send(v), code);
        else throws(() => ws.trySend(v), code);
        want = ["before", "after"].map(echoForm);
      } else {
        const echoed = echoForm(expect ?? v); // taken before sending
        if (method === "send") await resolvesNoThrow(() => ws.send(v), "send()");
        else eq(ws.trySend(v), true, "trySend() result");
        want = [echoForm("before"), echoed, echoForm("after")];
      }
      await ws.send("after");
      await until(() => t.messages.length >= want.length, 5000, `${want.length} echoes`);
      await sleep(20);
      eq(t.messages.map(echoForm), want, "echoes (a refused message is never sent)");
      eq([ws.state, ws.readyState], ["open", ReSocket.OPEN], "still open");
    },
  };
}

export const LIMIT = { maxMessageSize: 1024 };
export const SEND_CASES = [];
for (const method of ["send", "trySend"]) {
  for (const [name, value] of NOT_DATA) SEND_CASES.push(sendCase(method, name, value, { code: "encode" }));
  for (const [name, value] of TOO_LARGE) SEND_CASES.push(sendCase(method, name, value, { code: "too_large", options: LIMIT }));
  for (const [name, value, expect] of ACCEPTED) SEND_CASES.push(sendCase(method, name, value, { options: LIMIT, expect }));
}

// sendJson(): rejects (never throws).
export const JSON_BAD = [
  ["a BigInt", () => 1n],
  ["an object holding a BigInt", () => ({ a: 1n })],
  ["a cyclic object", () => {
    const o = {};
    o.self = o;
    return o;
  }],
  ["a cyclic array", () => {
    const a = [];
    a.push(a);
    return a;
  }],
  ["undefined", () => undefined],
  ["a function", () => () => 1],
  ["a Symbol", () => Symbol("json")],
  ["an object whose toJSON throws", () => ({ toJSON: boom })],
  ["an object whose toJSON returns a BigInt", () => ({ toJSON: () => 1n })],
  ["an object with a throwing getter", () => ({ get x() { return boom(); } })],
  ["a Proxy whose ownKeys throws", () => new Proxy({}, { ownKeys: boom })],
  ["a revoked Proxy", () => revoked()],
];
export const JSON_CASES = [
  ...JSON_BAD.map(([name, value]) => ({ name, value, code: "encode" })),
  { name: "a string over maxMessageSize 1024", value: () => "x".repeat(1100), code: "too_large", options: LIMIT },
].map(({ name, value, code, options }) => ({
  name: `sendJson(${name})`,
  async run(ctx) {
    const ws = ctx.make(echoUrl(ctx), options);
    const t = track(ws);
    await waitOpen(t);
    await ws.send("before");
    await rejectsNoThrow(() => ws.sendJson(value()), code);
    await ws.send("after");
    await until(() => t.messages.length >= 2, 5000, "2 echoes");
    await sleep(20);
    eq(t.messages, ["before", "after"], "echoes (the refused message is never sent)");
  },
}));

// close(): refused codes and reasons leave the socket open; valid ones reach the server.
export const CLOSE_BAD_CODES = [
  ["1000.5", () => 1000.5, "1000.5"],
  ["4999.5", () => 4999.5, "4999.5"],
  ["NaN", () => NaN],
  ["Infinity", () => Infinity],
  ["-Infinity", () => -Infinity],
  ["-1", () => -1, "-1"],
  ["0", () => 0],
  ["999", () => 999, "999"],
  ["1001", () => 1001, "1001"],
  ["1005", () => 1005, "1005"],
  ["1006", () => 1006, "1006"],
  ["1015", () => 1015, "1015"],
  ["2999", () => 2999, "2999"],
  ["5000", () => 5000, "5000"],
  ["65535", () => 65535, "65535"],
  ["65536", () => 65536, "65536"],
  ["1e21", () => 1e21],
  ["\"1000\" (a string)", () => "1000"],
  ["true", () => true],
  ["false", () => false],
  ["null", () => null],
  ["{}", () => ({})],
  ["[1000]", () => [1000]],
  ["1000n", () => 1000n],
  ["a Symbol", () => Symbol("code")],
  ["an object whose valueOf throws", () => ({ valueOf: boom })],
  ["a revoked Proxy", () => revoked()],
];
export const CLOSE_BAD_REASONS = [
  ["a Symbol", () => Symbol("reason")],
  ["an object whose toString throws", () => ({ toString: boom })],
  ["an object whose Symbol.toPrimitive throws", () => ({ [Symbol.toPrimitive]: boom })],
  ["a revoked Proxy", () => revoked()],
  ["a Proxy whose get throws", () => new Proxy({}, { get: boom })],
  ["124 ASCII bytes", () => "x".repeat(124), "124"],
  ["62 × é (124 bytes)", () => "é".repeat(62), "124"],
  ["31 × 😀 (124 bytes)", () => "😀".repeat(31), "124"],
  ["an object whose toString gives 124 bytes", () => ({ toString: () => "x".repeat(124) }), "124"],
  ["1 MiB", () => "x".repeat(1 << 20)],
];
// [label, () => args, close code, reason, server code(s)]
export const CLOSE_GOOD = [
  ["no arguments", () => [], 1000, "", [1000, null]],
  ["undefined, \"why\"", () => [undefined, "why"], 1000, "why"],
  ["1000, undefined", () => [1000, undefined], 1000, ""],
  ["1000, 123", () => [1000, 123], 1000, "123"],
  ["1000, {}", () => [1000, {}], 1000, "[object Object]"],
  ["1000, true", () => [1000, true], 1000, "true"],
  ["1000, ['a']", () => [1000, ["a"]], 1000, "a"],
  ["1000, 10n", () => [1000, 10n], 1000, "10"],
  ["1000, { toString }", () => [1000, { toString: () => "custom" }], 1000, "custom"],
  ["1000, a lone surrogate", () => [1000, "a\uD800"], 1000, "a\uFFFD"],
  ["3000", () => [3000], 3000, ""],
  ["4999, 123 bytes", () => [4999, "x".repeat(123)], 4999, "x".repeat(123)],
  ["4000, 61 × é (122 bytes)", () => [4000, "é".repeat(61)], 4000, "é".repeat(61)],
];

export async function refusedCloseLeavesOpen(ctx, call, code, text) {
  const ws = ctx.make(echoUrl(ctx));
  const t = track(ws);
  await waitOpen(t);
  throws(() => call(ws), code, text);
  eq([ws.state, ws.readyState], ["open", ReSocket.OPEN], "still open after the refused close");
  await echoOn(ws, t, "still open");
  eq(t.closes.length, 0, "close events");
}

export const CLOSE_CASES = [
  ...CLOSE_BAD_CODES.map(([name, code, text]) => ({
    name: `close(${name})`,
    run: (ctx) => refusedCloseLeavesOpen(ctx, (ws) => ws.close(code()), "invalid_close_code", text),
  })),
  ...CLOSE_BAD_REASONS.map(([name, reason, text]) => ({
    name: `close(1000, ${name})`,
    run: (ctx) => refusedCloseLeavesOpen(ctx, (ws) => ws.close(1000, reason()), "invalid_close_reason", text),
  })),
  ...CLOSE_GOOD.map(([name, args, code, reason, serverCodes = [code]]) => ({
    name: `close(${name}) reaches the server`,
    async run(ctx) {
      const ws = ctx.make(echoUrl(ctx));
      const t = track(ws);
      await waitOpen(t);
      const closed = once(ws, "close", 5000);
      ws.close(...args());
      const c = await closed;
      eq([c.code, c.reason, c.by], [code, reason, "client"], "close event");
      const s = await serverStats(ctx.tag, (x) => x.closes?.length > 0, 3000, "a close");
      eq(s.closes.length, 1, "closes seen by the server");
      assert(serverCodes.includes(s.closes[0].code), `server saw code ${show(s.closes[0].code)}, want ${show(serverCodes)}`);
      eq(s.closes[0].reason, reason, "reason seen by the server");
    },
  })),
];

// After close() and free().
