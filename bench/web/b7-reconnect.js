// B7: reconnection. Each cycle opens a fresh client on /echo?tag=T (so every drop meets
// a first retry), has the server drop the TCP connection (/control/drop), sends `queued`
// messages once the client reports the link down, and waits until it is open again and
// every queued message has come back (at most 3 s). Times come from the browser sockets
// themselves: the global WebSocket is wrapped before anything loads, recording when each
// socket is created, opens and closes. retry = close → next socket created;
// reopen = close → that socket open. lost / dup count queued messages never echoed /
// echoed more than once.
import { limit, loadNpm, loadRs, newTag, now, wsUrl } from "./common.js";

const log = [];
const NativeWebSocket = globalThis.WebSocket;
class TrackedWebSocket extends NativeWebSocket {
  constructor(...args) {
    super(...args);
    log.push(["create", now()]);
    this.addEventListener("open", () => log.push(["open", now()]));
    this.addEventListener("close", () => log.push(["close", now()]));
  }
}
globalThis.WebSocket = TrackedWebSocket;

/** The npm ReSocket with `options`, wrapped to the common shape. */
async function resocketClient(options) {
  const { ReSocket } = await loadNpm();
  return (url) => {
    const s = new ReSocket(url, options);
    return {
      on: (type, f) => s.addEventListener(type === "down" ? "reconnecting" : type, f),
      send: (d) => s.send(d),
      end: () => s.free(),
    };
  };
}

/** reconnecting-websocket / partysocket (same API), with `options`. */
async function rwsClient(module, options) {
  const Rws = (await import(module)).default;
  return (url) => {
    const s = new Rws(url, [], options);
    return {
      on: (type, f) => s.addEventListener(type === "down" ? "close" : type, f),
      send: (d) => s.send(d),
      end: () => s.close(),
    };
  };
}

const firstAfter = (type, i0) => {
  for (let i = i0; i < log.length; i++) if (log[i][0] === type) return [i, log[i][1]];
  return [-1, NaN];
};

/**
 * Has the server drop the connection tagged `tag`. The client may see `open` a moment
 * before the server has registered the connection, so ask again until one was dropped.
 */
export async function dropLink(tag) {
  for (let i = 0; i < 100; i++) {
    const r = await (await fetch(`/control/drop?tag=${tag}`)).json();
    if (r.dropped > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`the server found no connection tagged ${tag} to drop`);
}

async function cycles(make, p) {
  const retry = [], reopen = [];
  let lost = 0, dup = 0;
  for (let c = 0; c < p.cycles; c++) {
    const tag = newTag();
    const client = make(wsUrl(`/echo?tag=${tag}`));
    try {
      const seen = new Array(p.queued).fill(0);
      let got = 0, allBack;
      const back = new Promise((r) => (allBack = r));
      const opened = new Promise((r) => client.on("open", r));
      const down = new Promise((r) => client.on("down", r));
      client.on("message", (e) => {
        const parts = typeof e.data === "string" ? e.data.split("|") : [];
        if (parts[0] === "q" && Number(parts[1]) === c) {
          seen[Number(parts[2])] += 1;
          if (++got === p.queued) allBack();
        }
      });
      await limit(opened, p.cycleLimit, "first open");
      const i0 = log.length;
      await dropLink(tag);
      await limit(down, p.cycleLimit, "link down");
      for (let i = 0; i < p.queued; i++) client.send(`q|${c}|${i}`);
      const [ic, tClose] = firstAfter("close", i0);
      await limit(
        (async () => {
          while (firstAfter("open", ic + 1)[0] < 0) await new Promise((r) => setTimeout(r, 5));
        })(),
        p.cycleLimit,
        "reopen",
      );
      const [, tCreate] = firstAfter("create", ic + 1);
      const [, tOpen] = firstAfter("open", ic + 1);
      retry.push(tCreate - tClose);
      reopen.push(tOpen - tClose);
      await Promise.race([back, new Promise((r) => setTimeout(r, 3000))]);
      await new Promise((r) => setTimeout(r, 20)); // late duplicates
      lost += seen.filter((n) => n === 0).length;
      dup += seen.reduce((a, n) => a + Math.max(0, n - 1), 0);
    } finally {
      client.end();
    }
  }
  return { pooled: { retry, reopen }, lost, dup };
}

const SAME = {
  minReconnectionDelay: 250,
  maxReconnectionDelay: 30000,
  reconnectionDelayGrowFactor: 2,
  connectionTimeout: 10000,
  minUptime: 5000,
};

/** The npm package at its defaults (first retry: uniform 0–250 ms). */
export const npm = async (p) => cycles(await resocketClient(undefined), p);
/** reconnecting-websocket at its defaults (first retry 1–5 s, drawn once per page). */
export const rws = async (p) => cycles(await rwsClient("/js/reconnecting-websocket.js", {}), p);
/** reconnecting-websocket with resocket's delays (250 ms, ×2, 30 s cap; no jitter there). */
export const rwsSame = async (p) => cycles(await rwsClient("/js/reconnecting-websocket.js", SAME), p);
/** partysocket's ReconnectingWebSocket at its defaults (first retry 3 s). */
export const party = async (p) => cycles(await rwsClient("/js/partysocket.js", {}), p);
/** partysocket with resocket's delays. */
export const partySame = async (p) => cycles(await rwsClient("/js/partysocket.js", SAME), p);

/** The Rust API: Socket with the default policy, states() for the times. */
export async function rs(p) {
  const m = await loadRs();
  const tag = newTag();
  const f = await m.reconnect(wsUrl(`/echo?tag=${tag}`), `/control/drop?tag=${tag}`, p.cycles, p.queued, true, p.cycleLimit * p.cycles);
  const retry = [], reopen = [];
  let lost = 0, dup = 0;
  for (let i = 0; i < f.length; i += 4) {
    retry.push(f[i]);
    reopen.push(f[i + 1]);
    lost += f[i + 2];
    dup += f[i + 3];
  }
  return { pooled: { retry, reopen }, lost, dup };
}
