// Runs of the benchmarks that need several tabs of one browser context (`tabs` in
// bench/specs.mjs). run.mjs opens the tabs, all on the bench page, and hands them here:
// `call(i, step, params)` runs one exported step of the bench's page module in tab i
// (each tab keeps its module's state between steps), `pages[i].close()` closes tab i as a
// user would. A function returns the run's figures, or throws.

import { quantile } from "./web/common.js";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A step's result, or the error it failed with. */
function ok(r, what) {
  if (!r || typeof r !== "object") throw new Error(`${what}: no result (${r})`);
  if (r.error) throw new Error(`${what}: ${r.error}`);
  return r;
}

/**
 * B10, one shared connection for every tab (what is measured: bench/web/b10-share.js).
 * Tab 0 opens first, so that with `share` it leads; the others open together.
 */
export async function B10({ pages, call, variant, params: p, base }) {
  const tag = `bench-b10-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const share = variant === "npm" || variant === "channel" ? null : tag;
  const ack = variant === "npmShareAck";
  const path = p.mode === "fanout" ? `/chat?room=${tag}&tag=${tag}` : `/ack?tag=${tag}`;
  const control = async (what) => (await fetch(`${base}/control/${what}`)).json();
  const open = { path, share, ack, channel: variant === "channel" ? tag : null, count: p.count, limit: p.limit };
  const roles = [ok(await call(0, "open", open), "open, tab 0").role];
  const rest = await Promise.all(pages.slice(1).map((_, i) => call(i + 1, "open", open)));
  rest.forEach((r, i) => roles.push(ok(r, `open, tab ${i + 1}`).role));
  if (share && roles.some((r, i) => r !== (i === 0 ? "leader" : "follower"))) {
    throw new Error(`roles after opening: ${roles.join(", ")}`);
  }

  if (p.mode === "fanout") {
    const waits = pages.map((_, i) => call(i, "received", { wait: p.count * p.gap + 10_000 }));
    ok(await call(0, "send", { count: p.count, gap: p.gap }), "send");
    const got = (await Promise.all(waits)).map((r, i) => ok(r, `received, tab ${i}`).arrivals);
    const latency = [];
    let missing = 0;
    for (let k = 1; k < got.length; k++) {
      for (let i = 0; i < p.count; i++) {
        if (got[0][i] === null || got[k][i] === null) missing++;
        else latency.push(got[k][i] - got[0][i]);
      }
    }
    if (missing > 0) throw new Error(`${missing} arrivals of ${p.count * got.length} missing`);
    const r = { p50: quantile(latency, 0.5), p99: quantile(latency, 0.99) };
    if (variant !== "channel") r.conns = (await control(`stats?tag=${tag}`)).accepted;
    return r;
  }

  // Handoff: tabs 1.. send their ids; tab 0, the leader, is closed mid-burst.
  const n = p.count;
  const followers = pages.length - 1;
  const bursts = pages.slice(1).map((_, i) => call(i + 1, "burst", { from: i * n + 1, count: n, gap: p.gap, ack, limit: p.limit }));
  await sleep(p.closeAfter);
  const closed = Date.now();
  if (p.crash) pages[0].crash();
  else await pages[0].close();
  const res = (await Promise.all(bursts)).map((r, i) => ok(r, `burst, tab ${i + 1}`));
  /** For each follower, from the close to its first `type` event after it. */
  const after = (type) =>
    res.map((r, i) => {
      const at = closed - r.offset; // the close, on the tab's clock
      const first = r.events.find(([k, t]) => k === type && t > at);
      if (!first) throw new Error(`tab ${i + 1}: no ${type} after the leader's tab closed`);
      return first[1] - at;
    });
  const down = after("reconnecting");
  const reopen = after("open");
  const st = await control(`ackstats?tag=${tag}&expect=${n * followers}`);
  const conns = (await control(`stats?tag=${tag}`)).accepted;
  if (share && !res.some((r) => r.role === "leader")) throw new Error(`no follower took over: ${res.map((r) => r.role).join(", ")}`);
  return { conns, down: Math.max(...down), handoff: Math.max(...reopen), lost: st.missing_count, dup: st.duplicates };
}
