// The options of `new ReSocket(url, options)`: read here from the caller's object, with
// their JavaScript types checked (a wrong type names the option at once), and handed to
// the WebAssembly core as numbers in fixed slots. Every rule about their values (ranges,
// integers, limits that bound each other, subprotocol tokens) is the core's
// (`Config::check` in the Rust crate), which answers with codes; the texts for those
// codes are here, in one place (`FIELDS`, `RULES`, `TEXTS`).

import { admission, checkClose } from "./core.js";

/** The error type of the package (re-exported by index.js). */
export class ReSocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = "ReSocketError";
    this.code = code;
  }

  static [Symbol.hasInstance](value) {
    return value instanceof Error && value.name === "ReSocketError" && typeof value.code === "string";
  }
}

/** A short, never-throwing description of a value for error messages. */
export function describe(v) {
  if (typeof v === "number") return String(v);
  if (typeof v === "string") return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return v === null ? "null" : typeof v;
}

export const tooLarge = (size, max) =>
  new ReSocketError("too_large", `message of ${size} bytes is over the limit of ${max} bytes (maxMessageSize)`);

export const optionError = (path, reason, cause) =>
  new ReSocketError("invalid_option", `invalid option \`${path || "options"}\`: ${reason}`, cause ? { cause } : undefined);

/** The message of each error the core reports, from its fields (the crate's `Error` texts). */
const TEXTS = {
  invalid_url: (d) => `invalid URL ${d.url}: ${d.reason}`,
  invalid_close_code: (d) => `invalid close code ${d.value}: a client may only send 1000 or 3000-4999`,
  invalid_close_reason: (d) => `close reason is ${d.value} bytes of UTF-8; at most 123 are allowed`,
  invalid_option: (d) => `invalid option \`${d.option}\`: ${d.reason}`,
  connect_failed: (d) => `could not connect to ${d.url}`,
  gave_up: (d) => `gave up reconnecting after ${d.attempts} attempt(s): ${d.reason}`,
  closed: () => "the socket is closed",
  full: () => "send buffer is full (above the high-water mark)",
  queue_full: () => "outbound queue is full",
  dropped: (d) => `${d.messages.length} queued message(s) dropped by the overflow policy`,
  unsent: (d) => `${d.messages.length} queued message(s) not sent before close`,
  decode: (d) => `cannot decode message: ${d.reason}`,
  encode: (d) => `cannot encode message: ${d.reason}`,
  url_provider: (d) => `URL provider failed: ${d.reason}`,
  too_large: (d) => `message of ${d.size} bytes is over the limit of ${d.limit} bytes`,
  lagged: (d) => `${d.count} inbound message(s) discarded: the stream was not read fast enough`,
  js: (d) => `JavaScript error: ${d.reason}`,
  unacked: (d) => `${d.messages.length} message(s) not acknowledged before close`,
  ack_timeout: (d) => `${d.messages.length === 1 ? "no acknowledgement" : `${d.messages.length} message(s) not acknowledged`} before the deadline`,
  duplicate_id: (d) => `id ${JSON.stringify(d.id)} is already in flight`,
  invalid_id: (d) => `invalid message id: ${d.reason}`,
};

/**
 * The options by the core's field numbers (`Field` in the Rust crate: the slots of the
 * numbers handed over, then `protocols`). Shared with the core's tests through
 * tests/cases/options.json.
 */
export const FIELDS = [
  "reconnect", "reconnect.initialDelay", "reconnect.factor", "reconnect.maxDelay", "reconnect.jitter",
  "reconnect.maxAttempts", "reconnect.maxElapsed", "reconnect.connectTimeout", "reconnect.stableAfter",
  "reconnect.stopCodes", "reconnect.stopCodes", "queue.maxMessages", "queue.maxBytes", "queue.overflow",
  "highWaterMark", "lowWaterMark", "heartbeat", "heartbeat.interval", "heartbeat.timeout", "heartbeat.pong",
  "closeTimeout", "maxMessageSize", "delivery", "delivery.maxMessages", "delivery.maxBytes", "protocols",
];
const SLOTS = 25;
const AT = Object.fromEntries(FIELDS.slice(0, SLOTS).map((f, i) => [f, i]).reverse());
const BOUND_BY = { "reconnect.initialDelay": "reconnect.maxDelay", lowWaterMark: "highWaterMark" };

/** The texts of the core's option rules (`Rule::code` in the Rust crate, in that order). */
const RULES = [
  () => "must be a non-negative number",
  () => "must be an integer",
  () => "must be greater than 0",
  (d, name) => `${d.a} must not exceed ${BOUND_BY[name]} (${d.b})`,
  () => "must be at least 1",
  () => "must be at least 1 (null for no limit)",
  () => "must be between 1 and 4294967295 bytes",
  () => "must be [from, to] close codes (integers 0-65535)",
  (d, _, protocols) => `${JSON.stringify(protocols[d.a] ?? "")} is not a token`,
  (d, _, protocols) => `${JSON.stringify(protocols[d.a] ?? "")} is repeated`,
  () => "the options were not handed over whole",
];

/** The `ReSocketError` of an option the core refused (`{ field, rule, a, b }`). */
export function invalidOption(d, protocols) {
  const name = FIELDS[d.field] ?? "options";
  const text = RULES[d.rule] ?? (() => "is invalid");
  return optionError(name, text(d, name, protocols ?? []));
}

/**
 * The `ReSocketError` of an error the WebAssembly core reports as plain data
 * (`{ code, messages, ...fields }`); anything else (an `Error` already) is returned as it is.
 */
export function wasmError(d, fields) {
  if (d === null || typeof d !== "object" || d instanceof Error || typeof d.code !== "string") return d;
  if (fields) d = { ...d, ...fields };
  if (d.code === "invalid_option" && typeof d.field === "number") return invalidOption(d, d.protocols);
  const text = TEXTS[d.code];
  const e = new ReSocketError(d.code, text ? text(d) : d.code);
  e.messages = Array.isArray(d.messages) ? d.messages : [];
  return e;
}

const KNOWN = {
  "": ["protocols", "reconnect", "queue", "highWaterMark", "lowWaterMark", "heartbeat", "closeTimeout", "maxMessageSize", "delivery", "share"],
  reconnect: [
    "initialDelay",
    "factor",
    "maxDelay",
    "jitter",
    "maxAttempts",
    "maxElapsed",
    "connectTimeout",
    "stableAfter",
    "stopCodes",
    "shouldReconnect",
  ],
  queue: ["maxMessages", "maxBytes", "overflow"],
  heartbeat: ["interval", "timeout", "ping", "pong"],
  delivery: ["maxMessages", "maxBytes", "id", "ack", "through", "sequence", "timeout"],
  send: ["ack", "timeout"],
  request: ["timeout"],
};

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);

/** One level of the (already plain) options object. */
function level(value, path) {
  if (!isObject(value)) throw optionError(path, "must be an object");
  for (const key of Object.keys(value)) {
    if (!KNOWN[path].includes(key)) throw optionError(path ? `${path}.${key}` : key, "unknown option");
  }
  const name = (k) => (path ? `${path}.${k}` : k);
  const get = (k) => value[k];
  // The type only: the core checks the value (non-negative, integer, in range).
  const number = (k) => {
    const v = get(k);
    if (v !== undefined && typeof v !== "number") throw optionError(name(k), "must be a number");
    return v;
  };
  return {
    get,
    number,
    optional: (k) => (get(k) === null ? null : number(k)),
    boolean(k) {
      const v = get(k);
      if (v !== undefined && typeof v !== "boolean") throw optionError(name(k), "must be a boolean");
      return v;
    },
    string(k) {
      const v = get(k);
      if (v !== undefined && typeof v !== "string") throw optionError(name(k), "must be a string");
      return v;
    },
  };
}

function protocols(v) {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string")) {
    throw optionError("protocols", "must be a string or an array of strings");
  }
  return list;
}

// NaN in a slot means "not given": a NaN the caller gave goes as -Infinity, which the
// core refuses as it refuses any number that is not finite.
const num = (v) =>
  v === undefined ? NaN : v === null ? -1 : typeof v === "boolean" ? Number(v) : Number.isNaN(v) ? -Infinity : v;

function reconnect(v, w) {
  if (v === false) {
    w.nums[AT.reconnect] = 0;
    return;
  }
  const o = level(v, "reconnect");
  for (const k of ["initialDelay", "factor", "maxDelay", "connectTimeout", "stableAfter"]) {
    w.nums[AT[`reconnect.${k}`]] = num(o.number(k));
  }
  for (const k of ["maxAttempts", "maxElapsed"]) w.nums[AT[`reconnect.${k}`]] = num(o.optional(k));
  w.nums[AT["reconnect.jitter"]] = num(o.boolean("jitter"));
  const stop = o.get("stopCodes");
  if (stop !== undefined) {
    if (!Array.isArray(stop) || stop.length !== 2 || typeof stop[0] !== "number" || typeof stop[1] !== "number") {
      throw optionError("reconnect.stopCodes", "must be [from, to] close codes (integers 0-65535)");
    }
    [w.nums[AT["reconnect.stopCodes"]], w.nums[AT["reconnect.stopCodes"] + 1]] = stop;
  }
  const should = o.get("shouldReconnect");
  if (should !== undefined && typeof should !== "function") {
    throw optionError("reconnect.shouldReconnect", "must be a function");
  }
  w.should = should;
}

function queue(v, w) {
  const o = level(v, "queue");
  w.nums[AT["queue.maxMessages"]] = num(o.number("maxMessages"));
  w.nums[AT["queue.maxBytes"]] = num(o.number("maxBytes"));
  const overflow = o.string("overflow");
  if (overflow !== undefined) {
    if (overflow !== "reject" && overflow !== "drop-oldest") {
      throw optionError("queue.overflow", 'must be "reject" or "drop-oldest"');
    }
    w.nums[AT["queue.overflow"]] = overflow === "reject" ? 0 : 1;
  }
}

function heartbeat(v, w) {
  if (v === false) {
    w.nums[AT.heartbeat] = 0;
    return;
  }
  const o = level(v, "heartbeat");
  w.nums[AT.heartbeat] = 1;
  w.nums[AT["heartbeat.interval"]] = num(o.number("interval"));
  w.nums[AT["heartbeat.timeout"]] = num(o.number("timeout"));
  w.strs[0] = o.string("ping");
  if (o.get("pong") === null) w.nums[AT["heartbeat.pong"]] = 0;
  else if ((w.strs[1] = o.string("pong")) !== undefined) w.nums[AT["heartbeat.pong"]] = 1;
}

/**
 * Acknowledged delivery: the window's bounds go to the core (slots); how ids and
 * acknowledgements are read stays here: `{ id, ack, through, sequence, timeout }` (a
 * field name or a function each; `timeout` is checked by the core when the socket is made).
 */
function delivery(v, w) {
  if (v === false) {
    w.nums[AT.delivery] = 0;
    return;
  }
  const o = level(v === true ? {} : v, "delivery");
  w.nums[AT.delivery] = 1;
  w.nums[AT["delivery.maxMessages"]] = num(o.number("maxMessages"));
  w.nums[AT["delivery.maxBytes"]] = num(o.number("maxBytes"));
  const reader = (k, fallback) => {
    const f = o.get(k);
    if (f === undefined) return fallback;
    if (typeof f !== "string" && typeof f !== "function") throw optionError(`delivery.${k}`, "must be a field name (a string) or a function");
    return f;
  };
  const id = reader("id", "id");
  const ack = reader("ack", "ack");
  const through = o.string("through") ?? "ackThrough";
  const sequence = o.boolean("sequence") ?? false;
  if (sequence && typeof id !== "string") throw optionError("delivery.sequence", "needs `delivery.id` to be a field name");
  w.delivery = { id, ack, through, sequence, timeout: o.number("timeout") };
}

/** `send()`'s options (plain): `[ack, timeout]`; `what` is "send" or "request". */
export function sendOptions(v, what) {
  const o = level(v, what);
  return [what === "request" || o.boolean("ack") === true, o.number("timeout")];
}

/**
 * Reads plain options (see `plainOptions` in index.js), checking their JavaScript types,
 * into what the WebAssembly constructor takes: `{ nums, strs, should, protocols }` (see
 * `FIELDS`; NaN is "not given", booleans are 0/1, a `null` limit is -1; `strs` is
 * `[ping, pong, ...protocols]`; `delivery` null when acknowledged delivery is off, else
 * how ids and acknowledgements are read). Throws a `ReSocketError` (`invalid_option`) naming the
 * first option of a wrong type; the core checks the values.
 */
export function check(options) {
  const wasm = { nums: new Float64Array(SLOTS).fill(NaN), strs: [undefined, undefined], should: undefined, protocols: [], delivery: null };
  if (options === undefined || options === null) return wasm;
  const o = level(options, "");
  if (o.get("protocols") !== undefined) wasm.strs.push(...(wasm.protocols = protocols(o.get("protocols"))));
  if (o.get("reconnect") !== undefined) reconnect(o.get("reconnect"), wasm);
  if (o.get("queue") !== undefined) queue(o.get("queue"), wasm);
  wasm.nums[AT.highWaterMark] = num(o.number("highWaterMark"));
  wasm.nums[AT.lowWaterMark] = num(o.number("lowWaterMark"));
  if (o.get("heartbeat") !== undefined) heartbeat(o.get("heartbeat"), wasm);
  wasm.nums[AT.closeTimeout] = num(o.number("closeTimeout"));
  wasm.nums[AT.maxMessageSize] = num(o.number("maxMessageSize"));
  if (o.get("delivery") !== undefined) delivery(o.get("delivery"), wasm);
  const share = o.get("share");
  if (share !== undefined) {
    if (typeof share !== "string" || share.length === 0) throw optionError("share", "must be a non-empty string (the name of the shared connection)");
    wasm.share = share;
  }
  return wasm;
}

/**
 * A shared connection's two halves (share.js): `host`, the numbers of the connection that
 * owns the socket (the options without acknowledged delivery, which is each member's), and
 * `member`, the numbers of each ReSocket of the share (without a heartbeat: the host's
 * checks the socket, the share checks the leader).
 */
export function split(nums) {
  const host = nums.slice();
  host[AT.delivery] = 0;
  host[AT["delivery.maxMessages"]] = NaN;
  host[AT["delivery.maxBytes"]] = NaN;
  const member = nums.slice();
  member[AT.heartbeat] = 0;
  for (const f of ["heartbeat.interval", "heartbeat.timeout", "heartbeat.pong"]) member[AT[f]] = NaN;
  return { host, member };
}

/**
 * Checks close() arguments: converted as the browser's close() converts them (the code a
 * number, anything else refused; the reason a string, a Symbol throws), then checked by
 * the core's rule (`close::check` in the Rust crate). Returns [code, reason]; throws
 * `invalid_close_code` (naming the value as it was given) or `invalid_close_reason`.
 */
export function closeArgs(code, reason) {
  let text = "";
  if (reason !== undefined) {
    try {
      text = `${reason}`; // unlike String(), throws for a Symbol, as WebSocket.close() does
    } catch (e) {
      throw new ReSocketError("invalid_close_reason", "the close reason cannot be converted to a string", { cause: e });
    }
  }
  const c = code === undefined ? 1000 : code;
  const refused = checkClose(typeof c === "number" ? c : NaN, text);
  if (refused != null) throw wasmError(refused, refused.code === "invalid_close_code" ? { value: describe(c) } : undefined);
  return [c, text];
}

/**
 * The core's queue admission (`outbox::admission` in the Rust crate) for a list of sends
 * held in JavaScript: `sizes` of the held ones (oldest first), a new one of `size` bytes,
 * `bounds` `{ maxMessages, maxBytes, dropOldest }` (a missing bound is the queue's
 * default). -1 when it is refused, else how many of the oldest to evict first.
 */
export function admit(sizes, size, { maxMessages, maxBytes, dropOldest }) {
  const bound = (v) => (typeof v === "number" ? v : NaN);
  return admission(sizes, size, bound(maxMessages), bound(maxBytes), Boolean(dropOldest));
}

/** `JSON.stringify(value)`, or a `ReSocketError` (code `encode`) for a value without JSON form. */
export function jsonText(value) {
  let text;
  try {
    text = JSON.stringify(value);
  } catch (e) {
    throw new ReSocketError("encode", `cannot encode message: ${e?.message ?? e}`, { cause: e });
  }
  if (typeof text !== "string") throw new ReSocketError("encode", "cannot encode message: the value has no JSON form");
  return text;
}

const ASCII = /^[\x00-\x7f]*$/;

/**
 * UTF-8 length of a string, as the core counts a text message (a lone surrogate counts
 * as the 3 bytes of U+FFFD, as WebSocket.send() sends it). ASCII, the common case, is
 * told by one native scan.
 */
export function utf8Length(s) {
  const units = s.length;
  if (ASCII.test(s)) return units;
  let n = units;
  for (let i = 0; i < units; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x800) {
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < units && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
        n += 2;
        i++;
      } else n += 2;
    } else if (c >= 0x80) n += 1;
  }
  return n;
}

const lengthGetter = (proto) => Object.getOwnPropertyDescriptor(proto, "byteLength").get;
const BYTE_LENGTHS = [ArrayBuffer.prototype, Object.getPrototypeOf(Uint8Array.prototype), DataView.prototype].map(lengthGetter);

/**
 * The size of a message as the queue counts it: UTF-8 bytes for a string, a Blob's size,
 * the bytes of a buffer or view (read with the intrinsic getters); 0 for anything else.
 */
export function sizeOf(data) {
  if (typeof data === "string") return utf8Length(data);
  if (typeof Blob === "function" && data instanceof Blob) return data.size;
  for (const length of BYTE_LENGTHS) {
    try {
      return length.call(data);
    } catch {
      // not this kind
    }
  }
  return 0;
}
