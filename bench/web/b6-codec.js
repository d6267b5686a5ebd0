// B6: codec cost per message, in ns. decode: a batch of `n` distinct JSON texts (as
// onmessage hands them over) to typed values; encode: one prepared value to a JSON text
// `n` times. One warm-up batch, then `batches` timed batches; the run reports the median.
// Shapes: "small" {"seq":…,"pad":"xxxxxxxxx"} (31 bytes), "chat" (124 bytes, 6 fields).
import { loadRs, median, now } from "./common.js";

const SHAPES = { small: 0, chat: 1 };

function texts(shape, n) {
  const out = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] =
      shape === "small"
        ? `{"seq":${10000 + (i % 90000)},"pad":"xxxxxxxxx"}`
        : `{"type":"chat","room":"lobby","from":"ann","text":"hello there, how is it going today?","ts":${1732250000000 + i},"tags":["a","b"]}`;
  }
  return out;
}

function value(shape) {
  return shape === "small"
    ? { seq: 10001, pad: "xxxxxxxxx" }
    : { type: "chat", room: "lobby", from: "ann", text: "hello there, how is it going today?", ts: 1732250000001, tags: ["a", "b"] };
}

/** Times `batch()` (which returns elapsed ms or undefined to be timed here), ns per message. */
function time(p, batch) {
  batch(Math.max(1, p.n >> 2)); // warm-up
  const per = [];
  for (let b = 0; b < p.batches; b++) {
    const t0 = now();
    const inner = batch(p.n);
    const ms = typeof inner === "number" && p.innerTiming ? inner : now() - t0;
    per.push((ms * 1e6) / p.n);
  }
  return { ns: median(per) };
}

/** JSON.parse / JSON.stringify. */
export async function js(p) {
  if (p.op === "decode") {
    const input = texts(p.shape, p.n);
    return time(p, (n) => {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const v = JSON.parse(input[i]);
        sum += p.shape === "small" ? v.seq + v.pad.length : v.ts + v.tags.length;
      }
      globalThis.__sink = sum;
    });
  }
  const v = value(p.shape);
  return time(p, (n) => {
    let len = 0;
    for (let i = 0; i < n; i++) len += JSON.stringify(v).length;
    globalThis.__sink = len;
  });
}

/** resocket's Json codec in wasm, with the copy of each string across the boundary. */
export async function rs(p) {
  const m = await loadRs();
  if (p.op === "decode") {
    const all = texts(p.shape, p.n);
    return time(p, (n) => {
      globalThis.__sink = m.decode_batch(n === p.n ? all : all.slice(0, n), SHAPES[p.shape]);
    });
  }
  return time(p, (n) => {
    globalThis.__sink = m.encode_batch(n, SHAPES[p.shape]);
  });
}

/** resocket's JsJson codec (JSON.parse / JSON.stringify + serde-wasm-bindgen), same path as `rs`. */
export async function rsJs(p) {
  const m = await loadRs();
  if (p.op === "decode") {
    const all = texts(p.shape, p.n);
    return time(p, (n) => {
      globalThis.__sink = m.decode_batch_js(n === p.n ? all : all.slice(0, n), SHAPES[p.shape]);
    });
  }
  return time(p, (n) => {
    globalThis.__sink = m.encode_batch_js(n, SHAPES[p.shape]);
  });
}

/** The same codec timed inside wasm, strings already in wasm memory (no boundary). */
export async function rsInner(p) {
  const m = await loadRs();
  const q = { ...p, innerTiming: true };
  if (p.op === "decode") {
    const all = texts(p.shape, p.n);
    return time(q, (n) => m.decode_batch_inner(n === p.n ? all : all.slice(0, n), SHAPES[p.shape]));
  }
  return time(q, (n) => m.encode_batch_inner(n, SHAPES[p.shape]));
}
