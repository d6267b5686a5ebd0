// B4: binary throughput. `send`: `count` messages of `size` bytes into /sink, timed from
// the first send to the server's ack of the last one. `echo`: the same into /echo, timed
// to the last echoed message received. Every sender waits at the same water marks
// (high 1 MiB, low 256 KiB: resocket's defaults; the JS baseline gates by hand).
// The driver also reads the main thread's time per MiB sent (taskUs / scriptUs).
import { JsGate, limit, loadNpm, loadRs, mark, now, openWs, stamp, wsUrl } from "./common.js";

const path = (p) => (p.mode === "send" ? "/sink" : "/echo");
const mib = (p) => (p.size * p.count) / (1 << 20);
const mibps = (p, ms) => ({ mibps: mib(p) / (ms / 1000) });

/** Raw WebSocket, ArrayBuffer sends behind a hand-written gate. */
export async function js(p) {
  await mark("start");
  const ws = await openWs(wsUrl(path(p)));
  try {
    const t0 = now();
    const deadline = t0 + p.limit;
    const gate = new JsGate(ws);
    const buf = new Uint8Array(p.size).fill(7);
    const done = new Promise((resolve) => {
      let n = 0;
      ws.onmessage = (e) => {
        if (p.mode === "send") {
          if (e.data === `ack:${p.count - 1}`) resolve();
        } else if (e.data instanceof ArrayBuffer && ++n === p.count) {
          resolve();
        }
      };
    });
    const send = async () => {
      for (let id = 0; id < p.count; id++) await gate.send(stamp(buf, id), deadline);
    };
    await limit(Promise.all([send(), done]), p.limit, "js");
    const ms = now() - t0;
    await mark("end", mib(p));
    return mibps(p, ms);
  } finally {
    ws.close();
  }
}

/** The npm package: await send(ArrayBuffer view). */
export async function npm(p) {
  const { ReSocket } = await loadNpm();
  await mark("start");
  const ws = new ReSocket(wsUrl(path(p)));
  try {
    await limit(new Promise((r) => ws.addEventListener("open", r, { once: true })), p.limit, "open");
    const t0 = now();
    const buf = new Uint8Array(p.size).fill(7);
    const done = new Promise((resolve) => {
      let n = 0;
      ws.onmessage = (e) => {
        if (p.mode === "send") {
          if (e.data === `ack:${p.count - 1}`) resolve();
        } else if (e.data instanceof ArrayBuffer && ++n === p.count) {
          resolve();
        }
      };
    });
    const send = async () => {
      for (let id = 0; id < p.count; id++) await ws.send(stamp(buf, id));
    };
    await limit(Promise.all([send(), done]), p.limit, "npm");
    const ms = now() - t0;
    await mark("end", mib(p));
    return mibps(p, ms);
  } finally {
    ws.free();
  }
}

/** The Rust API: send(Message::Binary).await with the stream read concurrently. */
export async function rs(p) {
  const m = await loadRs();
  const f = p.mode === "send" ? m.bin_send : m.bin_echo;
  await mark("start");
  const [ms] = await f(wsUrl(path(p)), p.size, p.count, p.limit);
  await mark("end", mib(p));
  return mibps(p, ms);
}
