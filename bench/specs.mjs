// What is measured: every browser benchmark, its cases, variants, baseline and target.
// Read by run.mjs (to run them) and report.mjs (to summarise and render them).

export const HIGH = 1 << 20; // resocket's default high-water mark, bytes
export const KIB = 1024;

export const VARIANTS = {
  js: "raw JS WebSocket",
  npm: "resocket, npm `ReSocket`",
  rs: "resocket, Rust `Socket`",
  rsInner: "the same codec timed inside wasm (no copy across)",
  rsJs: "resocket `JsJson` codec (`JSON.parse` + serde-wasm-bindgen), string copied across",
  gloo: "gloo-net",
  websys: "raw web-sys",
  npmWarm: "resocket, npm, package already imported and loaded",
  ws: "plain `new WebSocket`",
  rws: "reconnecting-websocket, defaults",
  rwsSame: "reconnecting-websocket, resocket's delays",
  npmAck: "resocket, npm, acknowledged delivery (window 256)",
  rsAck: "resocket, Rust `Socket`, acknowledged delivery (window 256)",
  party: "partysocket, defaults",
  partySame: "partysocket, resocket's delays",
  npmShare: "resocket, npm, `share` (one connection for every tab)",
  npmShareAck: "resocket, npm, `share` and acknowledged delivery",
  channel: "a bare BroadcastChannel between the tabs, no socket",
};

const limits = { limit: 60_000 };
/** Ids of an /ack run the server never received, and those it received more than once. */
const serverCounts = {
  lost: { unit: "msgs", better: "lower", label: "lost", sum: true },
  dup: { unit: "msgs", better: "lower", label: "duplicates at the server", sum: true },
};

/**
 * metrics: key → { unit, better, label, pooled? (values of all runs pooled, p50 shown),
 * sum? (values summed over all runs) }.
 * target: { text, variants, metric, kind: "ratio>=" | "ratio<=" | "median<=" | "worst<=" |
 * "delta<=" | "sum==", value, cases? (the case names it applies to; all when absent) }; a
 * case with `target: i` is held to targets[i] only; a case with `variants` runs those only.
 * Ratios are variant / baseline of the same repetition (paired), median; ratios: the
 * metrics whose ratio the tables show (all but sums when absent). tabs: each run opens
 * that many tabs of one browser context, driven by bench/tabs.mjs.
 */
export const BENCHES = [
  {
    id: "B2",
    title: "Receive rate: small JSON messages decoded to a typed value",
    module: "b2-recv.js",
    variants: ["js", "npm", "rs", "gloo"],
    baseline: "js",
    metrics: {
      rate: { unit: "msg/s", better: "higher", label: "messages/s" },
      taskUs: { unit: "µs/msg", better: "lower", label: "main thread" },
      scriptUs: { unit: "µs/msg", better: "lower", label: "JS + wasm" },
    },
    cases: [
      { name: "32 B", params: { count: 20000, pad: 10, ...limits }, smoke: { count: 300, pad: 10, ...limits } },
      { name: "128 B", params: { count: 20000, pad: 106, ...limits }, smoke: { count: 300, pad: 106, ...limits } },
    ],
    targets: [
      { text: "≥ 0.95× raw JS", variants: ["npm", "rs"], metric: "rate", kind: "ratio>=", value: 0.95 },
      { text: "JS + wasm per message ≤ 1.5× raw JS", variants: ["npm"], metric: "scriptUs", kind: "ratio<=", value: 1.5 },
    ],
  },
  {
    id: "B3",
    title: "Ping-pong round trip (batches of sequential round trips)",
    module: "b3-rtt.js",
    variants: ["js", "npm", "rs", "gloo"],
    baseline: "js",
    metrics: {
      p50: { unit: "µs", better: "lower", label: "p50 RTT" },
      p99: { unit: "µs", better: "lower", label: "p99 RTT" },
      taskUs: { unit: "µs/trip", better: "lower", label: "main thread" },
    },
    cases: [{ name: "ping → pong, batches of 40", params: { batches: 40, per: 40, ...limits }, smoke: { batches: 3, per: 4, ...limits } }],
    targets: [{ text: "p50 within 5% of raw JS", variants: ["npm", "rs"], metric: "p50", kind: "ratio<=", value: 1.05 }],
  },
  {
    id: "B4",
    title: "Binary throughput (same 1 MiB / 256 KiB gate everywhere)",
    module: "b4-binary.js",
    variants: ["js", "npm", "rs"],
    baseline: "js",
    metrics: {
      mibps: { unit: "MiB/s", better: "higher", label: "throughput" },
      taskUs: { unit: "µs/MiB", better: "lower", label: "main thread" },
      scriptUs: { unit: "µs/MiB", better: "lower", label: "JS + wasm" },
    },
    cases: [
      { name: "send 64 KiB × 256", params: { mode: "send", size: 64 * KIB, count: 256, ...limits }, smoke: { mode: "send", size: 64 * KIB, count: 4, ...limits } },
      { name: "send 1 MiB × 16", params: { mode: "send", size: 1 << 20, count: 16, ...limits }, smoke: { mode: "send", size: 1 << 20, count: 2, ...limits } },
      { name: "echo 64 KiB × 128", params: { mode: "echo", size: 64 * KIB, count: 128, ...limits }, smoke: { mode: "echo", size: 64 * KIB, count: 4, ...limits } },
      { name: "echo 1 MiB × 8", params: { mode: "echo", size: 1 << 20, count: 8, ...limits }, smoke: { mode: "echo", size: 1 << 20, count: 2, ...limits } },
    ],
    targets: [
      { text: "sends ≥ 0.95× raw JS", variants: ["npm"], metric: "mibps", kind: "ratio>=", value: 0.95, cases: ["send 64 KiB × 256", "send 1 MiB × 16"] },
      // Main-thread time, not ScriptDuration: both pages spend about the same time inside
      // the browser's send() (timed around it: ~50 ms for 256 × 64 KiB in each), which
      // ScriptDuration counts unevenly between them (3.6 ms of script in all for the raw
      // page); task time counts all main-thread work, the same on both sides.
      { text: "main thread per 64 KiB send() ≤ 1.5× raw JS", variants: ["npm"], metric: "taskUs", kind: "ratio<=", value: 1.5, cases: ["send 64 KiB × 256"] },
      { text: "≥ 0.9× raw JS", variants: ["npm", "rs"], metric: "mibps", kind: "ratio>=", value: 0.9 },
    ],
  },
  {
    id: "B5",
    title: "Backpressure: 64 KiB messages into a stalled (300 ms), then slow sink",
    module: "b5-backpressure.js",
    variants: ["js", "npm", "rs", "gloo"],
    baseline: "js",
    metrics: {
      peakKiB: { unit: "KiB", better: "lower", label: "peak bufferedAmount" },
      rate: { unit: "msg/s", better: "higher", label: "messages/s" },
      taskUs: { unit: "µs/msg", better: "lower", label: "main thread" },
    },
    cases: [
      {
        name: "64 KiB × 256, stall 300 ms, then 40 ms of every 80",
        params: { size: 64 * KIB, count: 256, stall: 300, every: 80, pause: 40, ...limits },
        smoke: { size: 64 * KIB, count: 24, stall: 50, every: 80, pause: 40, ...limits },
      },
    ],
    targets: [
      { text: "peak ≤ high + 1 message (1088 KiB)", variants: ["npm", "rs"], metric: "peakKiB", kind: "worst<=", value: (HIGH + 64 * KIB) / KIB },
      { text: "≥ 0.9× gated JS rate", variants: ["npm", "rs"], metric: "rate", kind: "ratio>=", value: 0.9 },
    ],
  },
  {
    id: "B6",
    title: "Codec cost per message",
    module: "b6-codec.js",
    variants: ["js", "rs", "rsInner", "rsJs"],
    labels: {
      js: "`JSON.parse` / `JSON.stringify`",
      rs: "resocket `Json` codec in wasm, string copied across (as on the socket)",
    },
    baseline: "js",
    metrics: { ns: { unit: "ns/msg", better: "lower", label: "ns per message" } },
    cases: [
      { name: "decode 31 B", params: { op: "decode", shape: "small", n: 20000, batches: 5 }, smoke: { op: "decode", shape: "small", n: 200, batches: 1 }, target: 0 },
      { name: "decode 124 B chat", params: { op: "decode", shape: "chat", n: 20000, batches: 5 }, smoke: { op: "decode", shape: "chat", n: 200, batches: 1 }, target: 0 },
      { name: "encode 31 B", params: { op: "encode", shape: "small", n: 20000, batches: 5 }, smoke: { op: "encode", shape: "small", n: 200, batches: 1 }, target: 1 },
      { name: "encode 124 B chat", params: { op: "encode", shape: "chat", n: 20000, batches: 5 }, smoke: { op: "encode", shape: "chat", n: 200, batches: 1 }, target: 1 },
    ],
    targets: [
      { text: "decode ≤ 1.5× JSON.parse", variants: ["rs"], metric: "ns", kind: "ratio<=", value: 1.5 },
      { text: "encode ≤ 3× JSON.stringify", variants: ["rs"], metric: "ns", kind: "ratio<=", value: 3 },
    ],
  },
  {
    id: "B7",
    title: "Reconnect after a server-side drop, with messages queued while down",
    module: "b7-reconnect.js",
    variants: ["npm", "rs", "rws", "rwsSame", "party", "partySame"],
    baseline: "rwsSame",
    metrics: {
      retry: { unit: "ms", better: "lower", label: "close → retry", pooled: true },
      reopen: { unit: "ms", better: "lower", label: "close → open", pooled: true },
      lost: { unit: "msgs", better: "lower", label: "lost", sum: true },
      dup: { unit: "msgs", better: "lower", label: "duplicated", sum: true },
    },
    cases: [
      {
        name: "fresh client per drop, 20 queued",
        params: { cycles: 6, queued: 20, cycleLimit: 15000 },
        smoke: { cycles: 1, queued: 3, cycleLimit: 15000 },
        variantParams: { rws: { cycles: 2 }, party: { cycles: 2 }, rwsSame: { cycles: 4 }, partySame: { cycles: 4 } },
      },
    ],
    targets: [
      { text: "first retry p50 ≤ 250 ms", variants: ["npm", "rs"], metric: "retry", kind: "median<=", value: 250 },
      { text: "zero loss of queued messages", variants: ["npm", "rs"], metric: "lost", kind: "sum==", value: 0 },
    ],
  },
  {
    id: "B8",
    title: "Cold start: import → socket open (fresh browser context)",
    module: "b8-cold.js",
    variants: ["ws", "npm", "rs", "npmWarm", "rws", "websys", "gloo"],
    baseline: "ws",
    repsFactor: 2,
    metrics: { ms: { unit: "ms", better: "lower", label: "import → open" } },
    cases: [{ name: "/echo", params: {}, smoke: {} }],
    targets: [
      { text: "cold ≤ plain WebSocket + 5 ms", variants: ["npm", "rs"], metric: "ms", kind: "delta<=", value: 5 },
      { text: "already imported ≤ plain WebSocket + 1 ms", variants: ["npmWarm"], metric: "ms", kind: "delta<=", value: 1 },
    ],
  },
  {
    id: "B9",
    title: "Delivery across drops: 10,000 numbered messages to an acknowledging server",
    module: "b9-delivery.js",
    variants: ["npm", "npmAck", "rs", "rsAck"],
    baseline: "npm",
    metrics: {
      rate: { unit: "msg/s", better: "higher", label: "acknowledged/s" },
      ms: { unit: "ms", better: "lower", label: "time to complete" },
      ...serverCounts,
    },
    cases: [
      {
        name: "open link",
        params: { count: 10000, pad: 16, window: 256, drops: 0, seed: 7, ...limits },
        smoke: { count: 200, pad: 16, window: 256, drops: 0, seed: 7, ...limits },
      },
      {
        name: "20 drops",
        params: { count: 10000, pad: 16, window: 256, drops: 20, seed: 7, ...limits },
        smoke: { count: 400, pad: 16, window: 32, drops: 2, seed: 7, ...limits },
      },
    ],
    targets: [
      { text: "acknowledged ≥ 0.9× unacknowledged throughput", variants: ["npmAck"], metric: "rate", kind: "ratio>=", value: 0.9, cases: ["open link"] },
      { text: "0 lost across 20 drops", variants: ["npmAck", "rsAck"], metric: "lost", kind: "sum==", value: 0, cases: ["20 drops"] },
    ],
  },
  {
    id: "B10",
    title: "One shared connection for 8 tabs: connections, fan-out latency, leader handoff",
    module: "b10-share.js",
    tabs: 8,
    variants: ["npmShare", "npm", "channel", "npmShareAck"],
    labels: { npm: "resocket, npm, without `share` (a socket per tab)" },
    baseline: "npm",
    ratios: ["conns"],
    metrics: {
      conns: { unit: "count", better: "lower", label: "server connections" },
      p50: { unit: "ms", better: "lower", label: "fan-out p50" },
      p99: { unit: "ms", better: "lower", label: "fan-out p99" },
      down: { unit: "ms", better: "lower", label: "leader closed → every follower down" },
      handoff: { unit: "ms", better: "lower", label: "leader closed → every follower open" },
      ...serverCounts,
    },
    cases: [
      {
        name: "fan-out",
        variants: ["npmShare", "npm", "channel"],
        params: { mode: "fanout", count: 500, gap: 5, ...limits },
        smoke: { mode: "fanout", count: 20, gap: 5, ...limits },
      },
      {
        name: "handoff",
        variants: ["npmShare", "npmShareAck"],
        params: { mode: "handoff", count: 300, gap: 4, closeAfter: 600, ...limits },
        smoke: { mode: "handoff", count: 40, gap: 4, closeAfter: 80, ...limits },
      },
      {
        name: "handoff, leader crashed",
        variants: ["npmShare", "npmShareAck"],
        params: { mode: "handoff", crash: true, count: 300, gap: 4, closeAfter: 600, ...limits },
        smoke: { mode: "handoff", crash: true, count: 40, gap: 4, closeAfter: 80, ...limits },
      },
    ],
    targets: [
      { text: "1 server connection for 8 tabs", variants: ["npmShare"], metric: "conns", kind: "worst<=", value: 1, cases: ["fan-out"] },
      { text: "fan-out leader → follower p50 ≤ 1 ms", variants: ["npmShare"], metric: "p50", kind: "median<=", value: 1, cases: ["fan-out"] },
      { text: "fan-out leader → follower p99 ≤ 5 ms", variants: ["npmShare"], metric: "p99", kind: "median<=", value: 5, cases: ["fan-out"] },
      { text: "leader's tab closed → every follower open within 1 s", variants: ["npmShare", "npmShareAck"], metric: "handoff", kind: "worst<=", value: 1000, cases: ["handoff"] },
      { text: "0 lost in the handoff", variants: ["npmShare", "npmShareAck"], metric: "lost", kind: "sum==", value: 0, cases: ["handoff"] },
    ],
  },
];

/** Time a single run may take before the driver abandons it (ms). */
export function runTimeout(params) {
  if (params.cycles) return params.cycles * params.cycleLimit + 15000;
  return (params.limit ?? 60000) + 15000;
}

// ---- statistics ------------------------------------------------------------------------

export function median(xs) {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const finite = (xs) => xs.filter(Number.isFinite);
const min = (xs) => (finite(xs).length ? Math.min(...finite(xs)) : NaN);
const max = (xs) => (finite(xs).length ? Math.max(...finite(xs)) : NaN);

/**
 * Summarise one case. `runs[variant]` is an array (one per repetition, in order) of
 * run results: { metrics: {k: number}, pooled: {k: number[]} } or { error }.
 */
export function summarise(bench, runs) {
  const out = {};
  for (const v of bench.variants.filter((x) => runs[x] !== undefined)) {
    const rs = runs[v];
    const base = runs[bench.baseline] ?? [];
    out[v] = { runs: rs.length, errors: rs.filter((r) => r.error).map((r) => r.error) };
    for (const [k, m] of Object.entries(bench.metrics)) {
      if (m.pooled) {
        const all = rs.flatMap((r) => r.pooled?.[k] ?? []);
        const ball = base.flatMap((r) => r.pooled?.[k] ?? []);
        const med = median(all);
        out[v][k] = { n: all.length, median: med, min: min(all), max: max(all), ratio: med / median(ball) };
      } else if (m.sum) {
        const vals = rs.map((r) => r.metrics?.[k]).filter(Number.isFinite);
        out[v][k] = { n: vals.length, sum: vals.reduce((a, b) => a + b, 0) };
      } else {
        const vals = rs.map((r) => r.metrics?.[k]);
        const ratios = rs.map((r, i) => r.metrics?.[k] / base[i]?.metrics?.[k]);
        const deltas = rs.map((r, i) => r.metrics?.[k] - base[i]?.metrics?.[k]);
        out[v][k] = {
          n: finite(vals).length,
          samples: vals,
          median: median(vals),
          min: min(vals),
          max: max(vals),
          ratio: { median: median(ratios), min: min(ratios), max: max(ratios) },
          delta: { median: median(deltas), min: min(deltas), max: max(deltas) },
        };
      }
    }
  }
  return out;
}

/** Whether `variant` meets `target` in a summarised case: true / false / null (no data). */
export function meets(target, s) {
  const m = s?.[target.metric];
  if (!m) return null;
  let x;
  switch (target.kind) {
    case "ratio>=":
      x = m.ratio?.median ?? m.ratio;
      return Number.isFinite(x) ? x >= target.value : null;
    case "ratio<=":
      x = m.ratio?.median ?? m.ratio;
      return Number.isFinite(x) ? x <= target.value : null;
    case "median<=":
      x = m.median;
      return Number.isFinite(x) ? x <= target.value : null;
    case "worst<=":
      x = m.max;
      return Number.isFinite(x) ? x <= target.value : null;
    case "delta<=":
      x = m.delta?.median;
      return Number.isFinite(x) ? x <= target.value : null;
    case "sum==":
      return m.n > 0 ? m.sum === target.value : null;
    default:
      return null;
  }
}
