// B3: ping → pong round trip on /echo (the server answers the text "ping" with "pong").
// Sequential round trips are timed in batches of `per` (never one at a time); one warm-up
// batch, then `batches` batches. Reports p50 and p99 of the batch means, in µs, and the
// main thread's time per round trip (taskUs / scriptUs, read by the driver).
import { limit, loadGloo, loadNpm, loadRs, mark, now, openWs, quantile, wsUrl } from "./common.js";

const summary = (means) => ({ p50: quantile(means, 0.5), p99: quantile(means, 0.99) });
const trips = (p) => (p.batches + 1) * p.per;

/** Raw WebSocket. */
export async function js(p) {
  await mark("start");
  const ws = await openWs(wsUrl("/echo"), false);
  try {
    const work = async () => {
      const means = [];
      let wake = null;
      ws.onmessage = (e) => {
        if (e.data === "pong" && wake) wake();
      };
      for (let b = 0; b <= p.batches; b++) {
        const t0 = now();
        for (let i = 0; i < p.per; i++) {
          await new Promise((resolve) => {
            wake = resolve;
            ws.send("ping");
          });
        }
        if (b > 0) means.push(((now() - t0) * 1000) / p.per);
      }
      return means;
    };
    const means = await limit(work(), p.limit, "js");
    await mark("end", trips(p));
    return summary(means);
  } finally {
    ws.close();
  }
}

/** The npm package: await send(), then the message event. */
export async function npm(p) {
  const { ReSocket } = await loadNpm();
  await mark("start");
  const ws = new ReSocket(wsUrl("/echo"));
  try {
    const work = async () => {
      await new Promise((resolve) => ws.addEventListener("open", resolve, { once: true }));
      const means = [];
      let wake = null;
      ws.onmessage = (e) => {
        if (e.data === "pong" && wake) wake();
      };
      for (let b = 0; b <= p.batches; b++) {
        const t0 = now();
        for (let i = 0; i < p.per; i++) {
          const got = new Promise((resolve) => (wake = resolve));
          await ws.send("ping");
          await got;
        }
        if (b > 0) means.push(((now() - t0) * 1000) / p.per);
      }
      return means;
    };
    const means = await limit(work(), p.limit, "npm");
    await mark("end", trips(p));
    return summary(means);
  } finally {
    ws.free();
  }
}

/** The Rust API: send_message().await, then the stream's next item. */
export async function rs(p) {
  const m = await loadRs();
  await mark("start");
  const means = [...(await m.rtt(wsUrl("/echo"), p.batches, p.per, p.limit))];
  await mark("end", trips(p));
  return summary(means);
}

/** gloo-net: sink send().await, then the stream's next item. */
export async function gloo(p) {
  const m = await loadGloo();
  await mark("start");
  const means = [...(await m.rtt(wsUrl("/echo"), p.batches, p.per, p.limit))];
  await mark("end", trips(p));
  return summary(means);
}
