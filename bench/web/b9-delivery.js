// B9: delivery across drops. A client sends `count` numbered JSON messages
// {"id":i,"pad":"x…"} to the server's /ack endpoint (which acknowledges each with
// {"ack":i}), each with `await sendJson()` (the Rust API: `send().await` of the text), and the run ends when every message is
// acknowledged (with acknowledged delivery: every `delivered` event; without: every ack
// arrived as a message) or, when messages were lost, when nothing more has come for
// 1.5 s. With `drops`, the server drops the link at that many seeded random points
// (a TCP reset, no close frame) within the run. The server's own record (per tag:
// /control/ackstats) gives the ids it never received (lost) and those it received more
// than once (dup). Reconnection: 100 ms initial delay, 1 s cap, stable after 200 ms, so
// that 20 drops in a few seconds do not back off to the 30 s default cap.
import { limit, loadNpm, loadRs, mark, newTag, now, sleep, wsUrl } from "./common.js";

const RECONNECT = { initialDelay: 100, maxDelay: 1000, stableAfter: 200 };

/** The /ack URL of a run: gaps between drops uniform in 1..span, the last within the run. */
function ackUrl(p, tag) {
  const span = p.drops ? Math.floor((1.6 * p.count) / p.drops) : 0;
  const faults = p.drops ? `&drops=${p.drops}&seed=${p.seed}&span=${span}` : "";
  return wsUrl(`/ack?tag=${tag}${faults}`);
}

/** What the server recorded for `tag`, as figures. */
async function figures(p, tag, ms, got, acked) {
  const st = await (await fetch(`/control/ackstats?tag=${tag}&expect=${p.count}`)).json();
  if (acked && got !== p.count) throw new Error(`${got} of ${p.count} acknowledged`);
  return { ms, rate: (p.count / ms) * 1000, lost: st.missing_count, dup: st.duplicates };
}

async function run(p, acked) {
  const { ReSocket } = await loadNpm();
  const tag = newTag();
  const options = { reconnect: RECONNECT };
  if (acked) options.delivery = { maxMessages: p.window };
  await mark("start");
  const s = new ReSocket(ackUrl(p, tag), options);
  let got = 0, last = now(), all;
  const done = new Promise((resolve) => (all = resolve));
  const seen = () => {
    got += 1;
    last = now();
    if (got === p.count) all();
  };
  if (acked) s.addEventListener("delivered", seen);
  else s.addEventListener("message", seen);
  const pad = "x".repeat(p.pad);
  try {
    const t0 = now();
    for (let i = 1; i <= p.count; i++) await s.sendJson({ id: i, pad });
    // Without acknowledged delivery, what the drops took never comes: stop when quiet.
    const quiet = (async () => {
      while (now() - last < 1500) await sleep(100);
    })();
    await limit(acked ? done : Promise.race([done, quiet]), p.limit, "delivery");
    const ms = (got === p.count ? last : now()) - t0;
    await mark("end", p.count);
    return figures(p, tag, ms, got, acked);
  } finally {
    s.free();
  }
}

/** The npm package without acknowledged delivery (the acks arrive as messages). */
export const npm = (p) => run(p, false);
/** The npm package with acknowledged delivery (`delivery: { maxMessages: window }`). */
export const npmAck = (p) => run(p, true);

/** The Rust API, the same runs (`delivery` of the benchmark app). */
async function runRs(p, acked) {
  const m = await loadRs();
  const tag = newTag();
  await mark("start");
  const f = await m.delivery(ackUrl(p, tag), p.count, p.pad, p.window, acked, p.limit);
  await mark("end", p.count);
  return figures(p, tag, f[0], f[1], acked);
}

/** The Rust API without acknowledged delivery. */
export const rs = (p) => runRs(p, false);
/** The Rust API with `Delivery::json()` and a window of `window` messages. */
export const rsAck = (p) => runRs(p, true);
