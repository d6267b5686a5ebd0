// B5: backpressure. `count` binary messages of `size` bytes flooded into
// /sink?stall_ms=S (the server reads nothing for S ms), and then a slow sink: every
// `every` ms the page asks the server to stall that socket again for `pause` ms.
// Peak bufferedAmount is read right after every WebSocket.send() of the page, whoever
// calls it (the prototype is wrapped before anything loads). Rate: messages per second
// from the first send to the server's ack of the last; main-thread time per message.
import { JsGate, limit, loadGloo, loadNpm, loadRs, mark, newTag, now, openWs, stamp, wsUrl } from "./common.js";

let peak = 0;
const nativeSend = WebSocket.prototype.send;
WebSocket.prototype.send = function send(data) {
  nativeSend.call(this, data);
  const b = this.bufferedAmount;
  if (b > peak) peak = b;
};

/** Runs `flood(url)` while the sink is slowed down; returns the figures. */
async function run(p, flood, load = async () => null) {
  const mod = await load();
  await mark("start");
  peak = 0;
  const tag = newTag();
  let slowing = true;
  const slow = (async () => {
    const t0 = now();
    while (slowing && now() - t0 < p.limit) {
      await new Promise((r) => setTimeout(r, p.every));
      if (slowing) await fetch(`/control/stall?ms=${p.pause}&tag=${tag}`).catch(() => {});
    }
  })();
  try {
    const ms = await flood(wsUrl(`/sink?stall_ms=${p.stall}&tag=${tag}`), mod);
    await mark("end", p.count);
    return { peakKiB: peak / 1024, rate: (p.count / ms) * 1000 };
  } finally {
    slowing = false;
    await slow;
  }
}

const ackOf = (p) => `ack:${p.count - 1}`;

/** Raw WebSocket behind the hand-written gate (high 1 MiB, low 256 KiB, 4 ms polls). */
export const js = (p) =>
  run(p, async (url) => {
    const ws = await openWs(url);
    try {
      const t0 = now();
      const gate = new JsGate(ws);
      const buf = new Uint8Array(p.size).fill(7);
      const done = new Promise((resolve) => {
        ws.onmessage = (e) => e.data === ackOf(p) && resolve();
      });
      const send = async () => {
        for (let id = 0; id < p.count; id++) await gate.send(stamp(buf, id), t0 + p.limit);
      };
      await limit(Promise.all([send(), done]), p.limit, "js");
      return now() - t0;
    } finally {
      ws.close();
    }
  });

/** The npm package: await send() (default marks: 1 MiB / 256 KiB). */
export const npm = (p) =>
  run(p, async (url, { ReSocket }) => {
    const ws = new ReSocket(url);
    try {
      await limit(new Promise((r) => ws.addEventListener("open", r, { once: true })), p.limit, "open");
      const t0 = now();
      const buf = new Uint8Array(p.size).fill(7);
      const done = new Promise((resolve) => {
        ws.onmessage = (e) => e.data === ackOf(p) && resolve();
      });
      const send = async () => {
        for (let id = 0; id < p.count; id++) await ws.send(stamp(buf, id));
      };
      await limit(Promise.all([send(), done]), p.limit, "npm");
      return now() - t0;
    } finally {
      ws.free();
    }
  }, loadNpm);

/** The Rust API: send().await (default marks). */
export const rs = (p) =>
  run(p, async (url, m) => (await m.bin_send(url, p.size, p.count, p.limit))[0], loadRs);

/** gloo-net: its sink does not gate, every message goes to the browser at once. */
export const gloo = (p) =>
  run(p, async (url, m) => (await m.bin_send(url, p.size, p.count, p.limit))[0], loadGloo);
