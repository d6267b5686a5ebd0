// Helpers shared by the benchmark modules. Everything runs on the test server's origin:
// the page, the packages under test and the WebSocket endpoints.

export const wsUrl = (path) => `ws://${location.host}${path}`;
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
export const now = () => performance.now();

/**
 * Marks the span whose main-thread cost the driver reads from the renderer's counters:
 * "start" before the socket is made, "end" with the number of units (messages, MiB …)
 * after the last one. A no-op outside the driver.
 */
export const mark = async (label, units) => {
  if (typeof window.__benchMark === "function") await window.__benchMark(label, units);
};

let tagSeq = 0;
/** A tag unique to this run, for the server's per-tag control endpoints. */
export const newTag = () => `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}-${tagSeq++}`;

/** Rejects after `ms` with a message naming `what`. */
export function limit(promise, ms, what) {
  let timer;
  const t = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: time limit of ${ms} ms reached`)), ms);
  });
  return Promise.race([promise, t]).finally(() => clearTimeout(timer));
}

/** The npm package, as a user imports it. */
/** The npm package, with its WebAssembly module loaded (as loadApp() loads the Rust apps'). */
export const loadNpm = async () => {
  const m = await import("/pkg/index.js");
  await m.ready;
  return m;
};

async function loadApp(name) {
  const m = await import(`/apps/${name}/${name.replaceAll("-", "_")}.js`);
  await m.default({ module_or_path: `/apps/${name}/${name.replaceAll("-", "_")}_bg.wasm` });
  return m;
}
/** The Rust-API benchmark app (resocket::Socket with the Json codec). */
export const loadRs = () => loadApp("rt-resocket");
/** The gloo-net benchmark app. */
export const loadGloo = () => loadApp("rt-gloo");
export { loadApp };

/** Opens a plain WebSocket and resolves once it is open. */
export function openWs(url, binary = true) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    if (binary) ws.binaryType = "arraybuffer";
    ws.onopen = () => resolve(ws);
    ws.onerror = () => reject(new Error(`cannot open ${url}`));
  });
}

/** Resolves with the next `type` event of `target`. */
export const once = (target, type) =>
  new Promise((resolve) => target.addEventListener(type, resolve, { once: true }));

/** The median of numbers (NaN for none). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** The q-quantile (0..1) by the nearest-rank method. */
export function quantile(xs, q) {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/**
 * resocket's backpressure gate, by hand, for the raw JS baselines: closed when
 * bufferedAmount rises above `high`, open again at or below `low`, re-read every 4 ms
 * while closed (resocket's POLL_MS).
 */
export class JsGate {
  constructor(ws, high = 1 << 20, low = 256 << 10) {
    Object.assign(this, { ws, high, low, closed: false });
  }
  async send(data, deadline) {
    const level = () => this.ws.bufferedAmount;
    if (this.closed) {
      if (level() <= this.low) this.closed = false;
    } else if (level() > this.high) {
      this.closed = true;
    }
    while (this.closed) {
      if (now() > deadline) throw new Error("time limit reached while gated");
      await sleep(4);
      if (level() <= this.low) this.closed = false;
    }
    this.ws.send(data);
  }
}

/** A binary frame of `size` bytes whose first 4 bytes are `id` (LE u32), as /sink reads it. */
export function stamp(buf, id) {
  new DataView(buf.buffer, buf.byteOffset, 4).setUint32(0, id, true);
  return buf;
}
