// B2: receive rate of small JSON messages, each decoded to a typed value.
// The server's /burst sends `count` text messages {"seq":i,"pad":"x…"} right after the
// handshake; a run times the first to the last message: rate = (count - 1) / time.
// The driver also reads the main thread's time per message (taskUs: all work of the
// renderer's main thread, the browser's event dispatch included; scriptUs: JS and wasm),
// from before the socket is made to after the last message.
import { limit, loadGloo, loadNpm, loadRs, mark, now, wsUrl } from "./common.js";

const url = (p) => wsUrl(`/burst?count=${p.count}&size=${p.pad}`);
const result = (ms, n, count) => {
  if (n !== count) throw new Error(`received ${n} of ${count} messages`);
  return { rate: ((n - 1) / ms) * 1000 };
};

/** Raw WebSocket, onmessage + JSON.parse. */
export async function js(p) {
  await mark("start");
  const ws = new WebSocket(url(p));
  const done = new Promise((resolve, reject) => {
    let n = 0, first = 0, sum = 0;
    ws.onmessage = (e) => {
      const v = JSON.parse(e.data);
      if (n === 0) first = now();
      n += 1;
      sum += v.seq + v.pad.length;
      if (n === p.count) resolve([now() - first, n, sum]);
    };
    ws.onerror = () => reject(new Error("socket error"));
  });
  try {
    const [ms, n] = await limit(done, p.limit, "js");
    await mark("end", n);
    return result(ms, n, p.count);
  } finally {
    ws.close();
  }
}

/** The npm package: ReSocket onmessage + event.json(). */
export async function npm(p) {
  const { ReSocket } = await loadNpm();
  await mark("start");
  const ws = new ReSocket(url(p));
  const done = new Promise((resolve) => {
    let n = 0, first = 0, sum = 0;
    ws.onmessage = (e) => {
      const v = e.json();
      if (n === 0) first = now();
      n += 1;
      sum += v.seq + v.pad.length;
      if (n === p.count) resolve([now() - first, n, sum]);
    };
  });
  try {
    const [ms, n] = await limit(done, p.limit, "npm");
    await mark("end", n);
    return result(ms, n, p.count);
  } finally {
    ws.free();
  }
}

/** The Rust API: Socket with Json::<Burst> as a Stream. */
export async function rs(p) {
  const m = await loadRs();
  await mark("start");
  const [ms, n] = await m.recv_burst(url(p), p.count, p.limit);
  await mark("end", n);
  return result(ms, n, p.count);
}

/** gloo-net's WebSocket stream + serde_json. */
export async function gloo(p) {
  const m = await loadGloo();
  await mark("start");
  const [ms, n] = await m.recv_burst(url(p), p.count, p.limit);
  await mark("end", n);
  return result(ms, n, p.count);
}
