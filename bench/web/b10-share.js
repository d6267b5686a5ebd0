// B10: one shared connection for 8 tabs. bench/tabs.mjs opens 8 tabs (8 targets of one
// browser context, same origin) and calls these steps in them; each tab makes one
// `new ReSocket(url, options)`: with `share` (variants npmShare, npmShareAck), every tab
// joins one shared connection; without it (npm), each tab has its own socket. They are
// tabs of one window: the last one opened is visible, the other 7 (the leader among
// them) hidden, as background tabs, without timer or renderer throttling (run.mjs's flags).
//
// Connections: /control/stats?tag=T `accepted` once every tab is open and the fan-out
// is over (every connection the server accepted for the run).
//
// Fan-out (case "fan-out", /chat?room=T): tab 0 (the leader with `share`: it opens
// first) sends `count` messages `f|i`, one every `gap` ms; the server broadcasts each to
// every connection of the room (with `share`: the one host socket, whose messages the
// leader hands to the followers over a BroadcastChannel). Every tab records the arrival
// of each message at its `message` listener as `performance.timeOrigin +
// performance.now()` (one clock for every tab of the browser; 100 µs resolution, the pages
// are not cross-origin isolated). latency = arrival in a follower tab − arrival in tab 0,
// for every message and every one of the 7 other tabs; p50 and p99 over them. With
// `share` it is the leader → follower fan-out (the leader's own dispatch, the channel, the
// follower's dispatch); without it, the spread between 8 sockets receiving the same
// broadcast (for context: it can be negative). Variant channel, for context too: no
// socket, tab 0 posts the messages on a bare BroadcastChannel (its arrival: when it
// posts); the latency of the channel alone between these tabs.
//
// Handoff (case "handoff", /ack?tag=T): tabs 1–7 each send `count` numbered JSON messages
// {"id": n} (tab k: ids (k−1)·count+1 … k·count), one every `gap` ms; `closeAfter` ms into
// the burst the driver closes tab 0, the leader (Target.closeTarget). handoff = from the
// driver's closeTarget call to the first `open` after it in each follower (wall clocks,
// each tab's offset to Date.now() corrected), the largest of the 7; down = the same to
// the first `reconnecting` event (when the follower learnt the link went). Each follower
// then waits until every id of its own is acknowledged by the server (the acks arrive as
// messages, or `delivered` events with acknowledged delivery) or nothing has come for
// 1.5 s. lost / dup = /control/ackstats missing_count / duplicates for ids 1 … 7·count.
// Case "handoff, leader crashed": the same, but the driver crashes tab 0's renderer
// (Page.crash) instead of closing it: no pagehide, nothing more runs in it, as when a
// tab's process dies.
//
// npmShareAck: `delivery: {}` and `sendJson(..., { ack: true })`. Every other option is
// the default (reconnection: the first retry after a uniform 0–250 ms), as a user has it.
import { limit, loadNpm, sleep, wsUrl } from "./common.js";

/** Now, on the clock every tab of the browser shares (ms). */
const stamp = () => performance.timeOrigin + performance.now();

let sock = null;
/** Variant `channel`: a bare BroadcastChannel instead of a socket. */
let channel = null;
/** Arrival times of the fan-out messages, by index. */
let arrivals = [];
/** `open` / `close` events of the socket: [type, stamp]. */
const events = [];
/** Ids of this tab acknowledged by the server, and when the last acknowledgement came. */
let acked = new Set();
let lastAck = 0;
let range = [0, 0];

/** Makes this tab's ReSocket (or channel) and waits until it is open. */
export async function open(p) {
  arrivals = new Array(p.count ?? 0).fill(null);
  if (p.channel) {
    channel = new BroadcastChannel(p.channel);
    channel.onmessage = (e) => (arrivals[Number(e.data.slice(2))] = stamp());
    return { role: "none" };
  }
  const { ReSocket } = await loadNpm();
  const options = {};
  if (p.share) options.share = p.share;
  if (p.ack) options.delivery = {};
  sock = new ReSocket(wsUrl(p.path), options);
  sock.addEventListener("open", () => events.push(["open", stamp()]));
  sock.addEventListener("close", () => events.push(["close", stamp()]));
  sock.addEventListener("reconnecting", () => events.push(["reconnecting", stamp()]));
  sock.addEventListener("message", (e) => {
    const t = stamp();
    const d = e.data;
    if (typeof d !== "string") return;
    if (d.startsWith("f|")) arrivals[Number(d.slice(2))] = t;
    else if (d.startsWith('{"ack":')) ackSeen(JSON.parse(d).ack);
  });
  sock.addEventListener("delivered", (e) => ackSeen(e.id));
  await limit(
    (async () => {
      while (sock.state !== "open") await sleep(5);
    })(),
    p.limit,
    "open",
  );
  return { role: sock.shareRole ?? "none" };
}

function ackSeen(id) {
  if (typeof id === "number" && id >= range[0] && id <= range[1]) {
    acked.add(id);
    lastAck = performance.now();
  }
}

/** This tab's role in the share ("none" without it). */
export const role = () => ({ role: sock?.shareRole ?? "none", state: sock?.state ?? "none" });

/** Sends the fan-out messages, one every `gap` ms (posted on the channel: "arrived" here as posted). */
export async function send(p) {
  for (let i = 0; i < p.count; i++) {
    if (channel) {
      arrivals[i] = stamp();
      channel.postMessage(`f|${i}`);
    } else sock.send(`f|${i}`).catch(() => {});
    await sleep(p.gap);
  }
  return {};
}

/** Waits until every fan-out message has arrived (or `wait` ms); their arrival times. */
export async function received(p) {
  const end = performance.now() + p.wait;
  while (arrivals.some((t) => t === null) && performance.now() < end) await sleep(20);
  return { arrivals, offset: Date.now() - stamp() };
}

/** Sends ids from..from+count-1, then waits for their acknowledgements (or 1.5 s of quiet). */
export async function burst(p) {
  range = [p.from, p.from + p.count - 1];
  acked = new Set();
  const sends = [];
  for (let i = 0; i < p.count; i++) {
    const v = { id: p.from + i };
    sends.push(p.ack ? sock.sendJson(v, { ack: true }) : sock.sendJson(v));
    await sleep(p.gap);
  }
  lastAck = performance.now();
  const all = Promise.allSettled(sends);
  await limit(
    (async () => {
      while (acked.size < p.count && performance.now() - lastAck < 1500) await sleep(20);
    })(),
    p.limit,
    "acknowledgements",
  );
  if (p.ack) await limit(all, p.limit, "acknowledged sends");
  return { events, offset: Date.now() - stamp(), acked: acked.size, role: sock.shareRole ?? "none" };
}
