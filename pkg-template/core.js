// The WebAssembly core of resocket-wasm: loaded here, once, for every entry point.
//
// The module is resocket's sans-IO core alone (crates/resocket-wasm): it imports
// nothing, exports numeric functions only, and travels inside the package's JavaScript
// (base64, resocket_wasm_inline.js): there is no .wasm file to serve, no request to make
// and nothing for a bundler to copy. Nothing happens at import (no I/O, timers or random
// values at module scope): the module is compiled and instantiated synchronously when it
// is first needed (the first ReSocket, or a check only the core can make), so a socket is
// whole from its constructor on. Where an engine refuses to compile a module
// synchronously (an embedder's policy), it is compiled asynchronously instead: there, a
// ReSocket made before `await ready` throws a `load` error.
//
// Numbers cross through the module's output area (`out()`, f64s); strings cross only at
// connection events and errors, as UTF-8 (`arg()` in, `text()` out).

import wasmBase64 from "./resocket_wasm_inline.js";
import { ReSocketError } from "./options.js";

function fromBase64(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

/** The module's exports once loaded. */
export let W = null;
let refused = null; // why the synchronous compilation failed
let loading = null; // the asynchronous compilation that follows a refusal
let memory = null;
let outView = null;
let outAt = 0;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const loadError = (e, what) =>
  new ReSocketError("load", `the resocket WebAssembly module could not be ${what}: ${e?.message ?? e}`, { cause: e });

function use(module) {
  const x = new WebAssembly.Instance(module, {}).exports;
  memory = x.memory;
  outAt = x.rs_out();
  W = x;
}

/** Compiles and instantiates the module now, unless that was refused; true when loaded. */
function loadNow() {
  if (W !== null) return true;
  if (refused !== null) return false;
  try {
    use(new WebAssembly.Module(fromBase64(wasmBase64)));
  } catch (e) {
    refused = e;
  }
  return W !== null;
}

/** Loads the module, asynchronously where the synchronous way was refused. */
function load() {
  if (loadNow()) return Promise.resolve();
  loading ??= WebAssembly.compile(fromBase64(wasmBase64)).then(use, (e) => {
    loading = null;
    throw loadError(e, "compiled");
  });
  return loading;
}

/** Whether the module is loaded. */
export const loaded = () => W !== null;

/** The size of the module's memory in bytes (0 before it is loaded). */
export const memoryBytes = () => (memory === null ? 0 : memory.buffer.byteLength);

/**
 * Resolves once the WebAssembly module is ready (loading it, synchronously where the
 * engine allows, if nothing did yet); rejects with a `ReSocketError` (code `load`) if it
 * cannot be loaded. Only engines that refuse synchronous compilation need it.
 */
export const ready = {
  then(resolve, reject) {
    return load().then(resolve, reject);
  },
  catch(reject) {
    return load().catch(reject);
  },
  finally(f) {
    return load().finally(f);
  },
  [Symbol.toStringTag]: "Promise",
};

/** Loads the module now and returns its exports; throws a `load` error where it cannot be (see `ready`). */
export function core() {
  if (loadNow()) return W;
  load().catch(() => {}); // a later `await ready` reports it
  throw loadError(refused, "compiled synchronously here; `await ready` before making a ReSocket");
}

/** The module's numeric output area (a view made again when its memory grows). */
export function out() {
  if (outView === null || outView.buffer !== memory.buffer) outView = new Float64Array(memory.buffer, outAt, 40);
  return outView;
}

/** Pushes a string argument for the next call. */
export function arg(s) {
  const max = s.length * 3;
  const at = W.rs_text(max);
  const { written } = encoder.encodeInto(s, new Uint8Array(memory.buffer, at, max));
  W.rs_arg(written);
}

/** The string the last call wrote at `out()[i]` (offset) and `out()[i + 1]` (length). */
export function text(i) {
  const o = out();
  const at = W.rs_text_out() + o[i];
  return decoder.decode(new Uint8Array(memory.buffer, at, o[i + 1]));
}

let keysView = null;

/** The first `n` message keys the last call handed back. */
export function keys(n) {
  if (!(n > 0)) return [];
  if (keysView === null || keysView.buffer !== memory.buffer) keysView = new Uint32Array(memory.buffer);
  const at = W.rs_keys() >>> 2;
  const k = new Array(n);
  for (let i = 0; i < n; i++) k[i] = keysView[at + i];
  return k;
}

/**
 * The error the last call wrote at `out()[at..]` (see `write_error` in the module) as
 * plain data: `{ code, messages }` and the fields its text names; `values` maps the keys
 * it hands back to the caller's messages.
 */
export function errorAt(at, values) {
  const o = out();
  const [a, b, n] = [o[at + 2], o[at + 3], o[at + 8]];
  const code = text(at);
  const first = text(at + 4);
  const reason = text(at + 6);
  const messages = keys(n).map(values);
  const d = { code, reason, messages };
  switch (code) {
    case "invalid_close_code":
    case "invalid_close_reason":
      d.value = a;
      break;
    case "gave_up":
      d.attempts = a;
      break;
    case "too_large":
      [d.size, d.limit] = [a, b];
      break;
    case "lagged":
      d.count = a;
      break;
    case "invalid_option":
      d.option = first;
      break;
    case "duplicate_id":
      d.id = b === 1 ? a : first;
      break;
    default:
      d.url = first;
  }
  return d;
}

/**
 * The core's queue admission for messages held in JavaScript: `sizes` of the held ones
 * (oldest first), a new one of `size` bytes, the bounds (NaN: the queue's defaults).
 * -1 when it is refused, else how many of the oldest to evict first.
 */
export function admission(sizes, size, maxMessages, maxBytes, dropOldest) {
  const x = core();
  const n = sizes.length;
  const at = x.rs_sizes(n);
  new Float64Array(memory.buffer, at, n).set(sizes);
  return x.rs_admission(n, size, maxMessages, maxBytes, dropOldest ? 1 : 0);
}

/** The close rule: null when `code` (NaN: not a number) and `reason` may be sent, else the error as plain data. */
export function checkClose(code, reason) {
  const x = core();
  arg(reason);
  return x.rs_check_close(code) === 0 ? null : errorAt(0, () => undefined);
}

/** `url` with its credentials, query and fragment removed (the core's rule). */
export function redact(url) {
  const x = core();
  arg(url);
  x.rs_redact();
  return text(0);
}

/** The deadline rule (`timeout` in ms; NaN: none): null when it is one, else the error as plain data. */
export function checkTimeout(t) {
  const x = core();
  return x.rs_check_timeout(t) === 0 ? null : errorAt(0, () => undefined);
}
