// The options of `new ReSocket(url, options)`, checked in JavaScript before anything
// reaches WebAssembly, so that a bad option throws from the constructor at once, also
// while the wasm module is still loading. The rules are the core's (`Config::validate`
// in the Rust crate); `check()` also returns the limits a socket made before the module
// is ready needs to decide about sends.

/** The error type of the package (re-exported by index.js). */
export class ReSocketError extends Error {
  constructor(code, message, options) {
    super(message, options);
    this.name = "ResocketError";
    this.code = code;
  }

  static [Symbol.hasInstance](value) {
    return value instanceof Error && value.name === "ResocketError" && typeof value.code === "string";
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
};

/**
 * The `ReSocketError` of an error the WebAssembly core reports as plain data
 * (`{ code, messages, ...fields }`); anything else (an `Error` already) is returned as it is.
 */
export function wasmError(d) {
  if (d === null || typeof d !== "object" || d instanceof Error || typeof d.code !== "string") return d;
  const text = TEXTS[d.code];
  const e = new ReSocketError(d.code, text ? text(d) : d.code);
  e.messages = Array.isArray(d.messages) ? d.messages : [];
  return e;
}

const U32_MAX = 4294967295;
const KNOWN = {
  "": ["protocols", "reconnect", "queue", "highWaterMark", "lowWaterMark", "heartbeat", "closeTimeout", "maxMessageSize"],
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
  const number = (k) => {
    const v = get(k);
    if (v === undefined) return undefined;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) throw optionError(name(k), "must be a non-negative number");
    return v;
  };
  const uint = (k) => {
    const v = number(k);
    if (v !== undefined && !Number.isInteger(v)) throw optionError(name(k), "must be an integer");
    return v;
  };
  return {
    get,
    number,
    uint,
    optionalUint: (k) => (get(k) === null ? null : uint(k)),
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

// RFC 6455 subprotocol tokens: visible ASCII without separators.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function protocols(v) {
  const list = typeof v === "string" ? [v] : v;
  if (!Array.isArray(list) || !list.every((p) => typeof p === "string")) {
    throw optionError("protocols", "must be a string or an array of strings");
  }
  list.forEach((p, i) => {
    if (!TOKEN.test(p)) throw optionError("protocols", `${JSON.stringify(p)} is not a token`);
    if (list.indexOf(p) !== i) throw optionError("protocols", `${JSON.stringify(p)} is repeated`);
  });
  return list;
}

/**
 * Where each option goes in the numbers handed to the WebAssembly constructor (read by
 * `src/js/options.rs`, which keeps the same list). NaN means the default; booleans are 0 or
 * 1; a `null` limit (none) is -1; `reconnect` is 0 when off; `heartbeat` is 0 when off and 1
 * when given; `pong` is 0 for `null` and 1 when given (the strings travel apart:
 * `[ping, pong, ...protocols]`).
 */
const AT = {
  reconnect: 0, initialDelay: 1, factor: 2, maxDelay: 3, jitter: 4, maxAttempts: 5, maxElapsed: 6,
  connectTimeout: 7, stableAfter: 8, stopFrom: 9, stopTo: 10, maxMessages: 11, maxBytes: 12,
  overflow: 13, high: 14, low: 15, heartbeat: 16, interval: 17, timeout: 18, pong: 19,
  closeTimeout: 20, maxMessageSize: 21,
};
const SLOTS = 22;

const num = (v) => (v === undefined ? NaN : v === null ? -1 : typeof v === "boolean" ? Number(v) : v);

function reconnect(v, w) {
  if (v === false) {
    w.nums[AT.reconnect] = 0;
    return;
  }
  const o = level(v, "reconnect");
  const set = (k, x) => ((w.nums[AT[k]] = num(x)), x);
  const initial = set("initialDelay", o.uint("initialDelay")) ?? 250;
  const factor = set("factor", o.number("factor")) ?? 2;
  const max = set("maxDelay", o.uint("maxDelay")) ?? 30000;
  set("jitter", o.boolean("jitter"));
  const attempts = set("maxAttempts", o.optionalUint("maxAttempts"));
  set("maxElapsed", o.optionalUint("maxElapsed"));
  const timeout = set("connectTimeout", o.uint("connectTimeout")) ?? 10000;
  set("stableAfter", o.uint("stableAfter"));
  const stop = o.get("stopCodes");
  if (stop !== undefined) {
    const code = (n) => Number.isInteger(n) && n >= 0 && n <= 65535;
    if (!Array.isArray(stop) || stop.length !== 2 || !code(stop[0]) || !code(stop[1])) {
      throw optionError("reconnect.stopCodes", "must be [from, to] close codes");
    }
    [w.nums[AT.stopFrom], w.nums[AT.stopTo]] = stop;
  }
  const should = o.get("shouldReconnect");
  if (should !== undefined && typeof should !== "function") {
    throw optionError("reconnect.shouldReconnect", "must be a function");
  }
  w.should = should;
  if (initial > max) {
    throw optionError("reconnect", `initial_delay_ms (${initial}) must not exceed max_delay_ms (${max})`);
  }
  if (factor < 1) throw optionError("reconnect", "factor must be finite and >= 1.0");
  if (attempts === 0) throw optionError("reconnect", "max_attempts must be at least 1 (use None for unlimited)");
  if (timeout === 0) throw optionError("reconnect", "connect_timeout_ms must be greater than 0");
}

function queue(v) {
  const o = level(v, "queue");
  const q = { maxMessages: o.uint("maxMessages") ?? 1024, maxBytes: o.uint("maxBytes") ?? 1048576, overflow: "reject" };
  const overflow = o.string("overflow");
  if (overflow !== undefined) {
    if (overflow !== "reject" && overflow !== "drop-oldest") {
      throw optionError("queue.overflow", 'must be "reject" or "drop-oldest"');
    }
    q.overflow = overflow;
  }
  if (q.maxMessages === 0) throw optionError("queue", "max_messages must be greater than 0");
  if (q.maxBytes === 0) throw optionError("queue", "max_bytes must be greater than 0");
  return q;
}

function heartbeat(v, w) {
  if (v === false) {
    w.nums[AT.heartbeat] = 0;
    return;
  }
  const o = level(v, "heartbeat");
  w.nums[AT.heartbeat] = 1;
  const interval = o.uint("interval");
  const timeout = o.uint("timeout");
  w.nums[AT.interval] = num(interval);
  w.nums[AT.timeout] = num(timeout);
  w.strs[0] = o.string("ping");
  if (o.get("pong") === null) w.nums[AT.pong] = 0;
  else if ((w.strs[1] = o.string("pong")) !== undefined) w.nums[AT.pong] = 1;
  if (interval === 0) throw optionError("heartbeat.interval", "must be > 0");
  if (timeout === 0) throw optionError("heartbeat.timeout", "must be > 0");
}

/**
 * Checks plain options (see `plainOptions` in index.js) and returns the limits that
 * decide about sends, `{ maxMessageSize, queue: { maxMessages, maxBytes, overflow },
 * high, low }`, and what the WebAssembly constructor takes, `wasm: { nums, strs, should }`
 * (see `AT`). Throws a `ReSocketError` (`invalid_option`) naming the first bad option.
 */
export function check(options) {
  const wasm = { nums: new Float64Array(SLOTS).fill(NaN), strs: [undefined, undefined], should: undefined };
  const limits = { maxMessageSize: 16777216, queue: queue({}), high: 1048576, low: 262144, wasm };
  if (options === undefined || options === null) return limits;
  const o = level(options, "");
  if (o.get("protocols") !== undefined) wasm.strs.push(...protocols(o.get("protocols")));
  if (o.get("reconnect") !== undefined) reconnect(o.get("reconnect"), wasm);
  if (o.get("queue") !== undefined) {
    const q = (limits.queue = queue(o.get("queue")));
    wasm.nums[AT.maxMessages] = q.maxMessages;
    wasm.nums[AT.maxBytes] = q.maxBytes;
    wasm.nums[AT.overflow] = q.overflow === "reject" ? 0 : 1;
  }
  const [high, low] = [o.uint("highWaterMark"), o.uint("lowWaterMark")];
  limits.high = high ?? limits.high;
  limits.low = low ?? limits.low;
  wasm.nums[AT.high] = num(high);
  wasm.nums[AT.low] = num(low);
  if (limits.high === 0) throw optionError("highWaterMark", "high must be greater than 0");
  if (limits.low > limits.high) {
    throw optionError("highWaterMark", `low (${limits.low}) must not exceed high (${limits.high})`);
  }
  if (o.get("heartbeat") !== undefined) heartbeat(o.get("heartbeat"), wasm);
  const close = o.uint("closeTimeout");
  if (close === 0) throw optionError("closeTimeout", "must be > 0");
  wasm.nums[AT.closeTimeout] = num(close);
  const max = o.uint("maxMessageSize");
  if (max !== undefined) {
    if (max === 0 || max > U32_MAX) throw optionError("maxMessageSize", "must be between 1 and 4294967295 bytes");
    limits.maxMessageSize = max;
  }
  wasm.nums[AT.maxMessageSize] = limits.maxMessageSize;
  return limits;
}

/** The URL the `WebSocket` constructor would use: resolved against the page, http(s) → ws(s). */
export function resolveUrl(url) {
  const invalid = (reason) => new ReSocketError("invalid_url", `invalid URL ${redact(url)}: ${reason}`);
  let parsed;
  try {
    const base = globalThis.location?.href;
    parsed = typeof base === "string" ? new URL(url, base) : new URL(url);
  } catch {
    throw invalid("not a valid URL");
  }
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  else if (parsed.protocol !== "ws:" && parsed.protocol !== "wss:") {
    throw invalid("the scheme must be ws:, wss:, http: or https:");
  }
  if (parsed.hash !== "" || url.includes("#")) throw invalid("a WebSocket URL cannot have a fragment");
  return parsed.href;
}

/** The URL without user name, password, query and fragment, for error messages. */
function redact(url) {
  const cut = url.search(/[?#]/);
  const head = cut < 0 ? url : url.slice(0, cut);
  const scheme = head.indexOf("://");
  const at = head.lastIndexOf("@");
  return scheme >= 0 && at > scheme ? head.slice(0, scheme + 3) + head.slice(at + 1) : head;
}

const encoder = new TextEncoder();

/** Checks close() arguments as the browser's close() would; returns [code, reason]. */
export function closeArgs(code, reason) {
  if (code === undefined) code = 1000;
  const integer = typeof code === "number" && Number.isInteger(code);
  if (!integer || (code !== 1000 && !(code >= 3000 && code <= 4999))) {
    throw new ReSocketError(
      "invalid_close_code",
      `invalid close code ${describe(code)}: a client may only send 1000 or 3000-4999`,
    );
  }
  let text = "";
  if (reason !== undefined) {
    try {
      text = `${reason}`; // unlike String(), throws for a Symbol, as WebSocket.close() does
    } catch (e) {
      throw new ReSocketError("invalid_close_reason", "the close reason cannot be converted to a string", { cause: e });
    }
  }
  const bytes = encoder.encode(text).length;
  if (bytes > 123) {
    throw new ReSocketError("invalid_close_reason", `close reason is ${bytes} bytes of UTF-8; at most 123 are allowed`);
  }
  return [code, text];
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
