// The WebAssembly core of resocket-wasm: loaded here, once, for every entry point.
//
// The module travels inside the package's JavaScript (base64, resocket_wasm_inline.js):
// there is no .wasm file to serve, no request to make and nothing for a bundler to copy.
// Nothing happens at import (no I/O, timers or random values at module scope): the module
// is compiled and instantiated synchronously when it is first needed (the first ReSocket,
// or a check only the core can make), so a socket is whole from its constructor on. Where
// an engine refuses to compile a module synchronously (an embedder's policy), it is
// compiled asynchronously instead: there, a ReSocket made before `await ready` throws a
// `load` error.

import { initSync } from "./resocket_wasm.js";
import wasmBase64 from "./resocket_wasm_inline.js";
import { ReSocketError } from "./options.js";

function fromBase64(text) {
  if (typeof Uint8Array.fromBase64 === "function") return Uint8Array.fromBase64(text);
  const raw = atob(text);
  const bytes = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  return bytes;
}

let done = false;
let refused = null; // why the synchronous compilation failed
let loading = null; // the asynchronous compilation that follows a refusal

const loadError = (e, what) =>
  new ReSocketError("load", `the resocket WebAssembly module could not be ${what}: ${e?.message ?? e}`, { cause: e });

/** Compiles and instantiates the module now, unless that was refused; true when loaded. */
function loadNow() {
  if (done) return true;
  if (refused !== null) return false;
  try {
    initSync({ module: new WebAssembly.Module(fromBase64(wasmBase64)) });
    done = true;
  } catch (e) {
    refused = e;
  }
  return done;
}

/** Loads the module, asynchronously where the synchronous way was refused. */
function load() {
  if (loadNow()) return Promise.resolve();
  loading ??= WebAssembly.compile(fromBase64(wasmBase64)).then(
    (module) => {
      initSync({ module });
      done = true;
    },
    (e) => {
      loading = null;
      throw loadError(e, "compiled");
    },
  );
  return loading;
}

/** Whether the module is loaded. */
export const loaded = () => done;

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

/** Loads the module now; throws a `load` error where it cannot be (see `ready`). */
export function core() {
  if (loadNow()) return;
  load().catch(() => {}); // a later `await ready` reports it
  throw loadError(refused, "compiled synchronously here; `await ready` before making a ReSocket");
}
