// The resocket demo: four sockets to the project's test server, each a ReSocket from the
// npm package (served at ./pkg/), plus fault buttons that call the server's /control
// endpoints for this page's tag only. The chat socket is shared: tabs of this origin in the
// same room use one WebSocket, held by the leader tab (its tag).

import { ReSocket, ReSocketError } from "./pkg/index.js";

const $ = (id) => document.getElementById(id);
const tag = `demo-${Math.random().toString(36).slice(2, 8)}`;
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;
const FRAME = 64 * 1024;
const FLOOD_BYTES = 10 * 1024 * 1024;

$("tag").textContent = tag;

// ---- formatting -------------------------------------------------------------------------
const fmtBytes = (n) => {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10240 ? 1 : 0)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
};
const fmtTime = (d = new Date()) =>
  `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, "0")}`;
const READY = ["CONNECTING", "OPEN", "CLOSING", "CLOSED"];

function el(tagName, props = {}, ...children) {
  const node = document.createElement(tagName);
  Object.assign(node, props);
  for (const c of children) node.append(c);
  return node;
}

// ---- event log ----------------------------------------------------------------------------
const logList = $("event-log");
function log(src, type, msg = "") {
  const li = el(
    "li",
    { className: "fresh" },
    el("span", { className: "t", textContent: fmtTime() }),
    el("span", { className: "src", textContent: src }),
    el("span", { className: "msg" }, el("span", { className: `type type-${type}`, textContent: type }), msg),
  );
  logList.prepend(li);
  while (logList.children.length > 250) logList.lastChild.remove();
}
$("btn-clear").addEventListener("click", () => logList.replaceChildren());

// ---- sockets ---------------------------------------------------------------------------------
const conns = new Map(); // name -> { ws, endpoint, view }

function describeState(e) {
  if (e.state === "reconnecting") return `reconnecting: retry ${e.attempt} in ${e.delayMs} ms (${e.cause})`;
  if (e.state === "connecting" && e.attempt) return `connecting (retry ${e.attempt})`;
  return e.state;
}

// A socket's row in the table; watching a new socket under the same name (the chat after a
// room change) takes over the row.
function watch(name, ws, endpoint) {
  const known = conns.get(name);
  const view = known ? known.view : addConnView(name, endpoint);
  if (known) view.path.textContent = endpoint.replace(/[?&]tag=[^&]*/, "");
  conns.set(name, { ws, endpoint, view });
  const current = () => conns.get(name)?.ws === ws;
  ws.addEventListener("statechange", (e) => {
    if (e.state !== "reconnecting") log(name, "statechange", describeState(e));
    if (!current()) return;
    for (const b of document.querySelectorAll(`[data-badge="${name}"]`)) setBadge(b, e.state);
    setBadge(view.badge, e.state);
    setRole(view.role, ws.shareRole);
  });
  ws.addEventListener("reconnecting", (e) => {
    const why = e.cause === "closed" ? `closed ${e.code}${e.reason ? ` "${e.reason}"` : ""}` : e.cause;
    log(name, "reconnecting", `retry ${e.attempt} in ${e.delayMs} ms after ${why}`);
  });
  ws.addEventListener("open", () => log(name, "open", ws.url.replace(/^wss?:\/\/[^/]+/, "").replace(/[?&]tag=[^&]*/, "")));
  ws.addEventListener("close", (e) =>
    log(name, "close", `${e.code} ${e.reason} by ${e.by}${e.error ? ` — ${e.error.message}` : ""}`),
  );
  ws.addEventListener("error", (e) => {
    if (e.error) log(name, "error", `${e.error.code}: ${e.error.message}`);
  });
  updateSummary();
}

function setBadge(badge, state) {
  badge.dataset.state = state;
  badge.textContent = state;
  updateSummary();
}

// The share role under a shared socket's state: "leader" (this tab holds the socket),
// "follower" (another tab does), "electing" or "closed"; nothing for a socket of its own.
function setRole(cell, role) {
  const text = role ?? "";
  if (cell.textContent === text) return;
  cell.textContent = text;
  cell.dataset.role = role ?? "none";
}

function addConnView(name, endpoint) {
  const td = (className = "") => el("td", { className, textContent: "—" });
  const badge = el("span", { className: "badge small", textContent: "—" });
  const role = el("span", { className: "role" });
  role.dataset.role = "none";
  const [ready, queued, retries, reconnects, rtt] = Array.from({ length: 5 }, () => td());
  const inbound = el("span", { className: "in", textContent: "—" });
  const outbound = el("span", { className: "out", textContent: "—" });
  const bufferedText = el("span", { textContent: "—" });
  const meterBar = el("div");
  const meter = el("div", { className: "meter" }, meterBar);
  const path = el("small", { textContent: endpoint.replace(/[?&]tag=[^&]*/, ""), title: endpoint });
  const row = el(
    "tr",
    {},
    el("td", { className: "name" }, name, path),
    el("td", { className: "state" }, badge, role),
    ready,
    el("td", {}, bufferedText, meter),
    queued,
    retries,
    el("td", { className: "io" }, inbound, outbound),
    reconnects,
    rtt,
  );
  $("conn-rows").append(row);
  return { badge, role, path, ready, buffered: bufferedText, queued, retries, inbound, outbound, reconnects, rtt, meter, meterBar };
}

function refreshPanel() {
  setRole($("chat-role"), chat.shareRole);
  for (const { ws, view } of conns.values()) {
    const s = ws.stats();
    setRole(view.role, ws.shareRole);
    view.ready.textContent = `${ws.readyState} ${READY[ws.readyState]}`;
    view.ready.classList.toggle("muted", ws.readyState !== 1);
    view.buffered.textContent = fmtBytes(ws.bufferedAmount);
    view.queued.textContent = fmtBytes(ws.queuedAmount);
    view.retries.textContent = ws.retryCount;
    view.inbound.textContent = `${s.messagesIn} · ${fmtBytes(s.bytesIn)}`;
    view.outbound.textContent = `${s.messagesOut} · ${fmtBytes(s.bytesOut)}`;
    view.reconnects.textContent = s.reconnects;
    view.rtt.textContent = s.lastRttMs === null ? "—" : `${s.lastRttMs} ms`;
    const level = ws.bufferedAmount + ws.queuedAmount;
    view.meterBar.style.width = `${Math.min(100, (level / HIGH_WATER) * 100)}%`;
    view.meter.classList.toggle("hot", level > LOW_WATER);
  }
}

function updateSummary() {
  const states = [...conns.values()].map((c) => c.ws.state);
  const open = states.filter((s) => s === "open").length;
  $("summary").textContent = states.length ? `${open} of ${states.length} sockets open` : "starting…";
}

// ---- chat ------------------------------------------------------------------------------------
const chatLog = $("chat-log");
const nickInput = $("nick");
const roomInput = $("room");
nickInput.value = localStorage.getItem("resocket-demo-nick") || `guest-${Math.floor(100 + Math.random() * 900)}`;
let room = roomInput.value;
// Acknowledged delivery: every line carries an id; the server answers {"ack": id} once it
// has it. A line is "queued" while the link is down, "sent" once handed to an open socket
// and "delivered" when acknowledged. A line sent again after a drop may reach the room
// twice: receivers drop the ids they have already shown.
const mine = new Map(); // id -> <li> of this tab's lines not yet delivered
const shown = new Set(); // ids shown (bounded)

function chatLine(kind, who, text) {
  const li = el("li", { className: kind }, el("span", { className: "who", textContent: who }), el("span", { className: "bubble", textContent: text }));
  chatLog.append(li);
  chatLog.scrollTop = chatLog.scrollHeight;
  while (chatLog.children.length > 200) chatLog.firstChild.remove();
  return li;
}

function tick(li, state) {
  li.dataset.delivery = state;
}

// One chat connection per room for all tabs: the share is named after the room, and its
// leader tab holds the socket. The URL comes from a function, so the share's key is its name
// alone (each tab's URL carries its own tag) and the socket opens with the leader's URL;
// switching rooms is a new socket in another share.
function openChat(name) {
  const ws = new ReSocket(() => `/chat?room=${encodeURIComponent(name)}&tag=${tag}`, {
    share: `chat/${name}`,
    heartbeat: { interval: 5000, timeout: 8000 },
    delivery: { maxMessages: 64 },
  });
  watch("chat", ws, `/chat?room=${name}&tag=${tag}`);
  ws.addEventListener("open", () => {
    chatLine("system", "", `joined #${name} as ${nickInput.value} (${ws.shareRole})`);
    // On open the socket sends every line not yet acknowledged first, in order.
    for (const li of mine.values()) tick(li, "sent");
  });
  ws.addEventListener("message", onChatMessage);
  return ws;
}

function onChatMessage(e) {
  let msg;
  try {
    msg = e.json();
  } catch {
    return;
  }
  if (!msg || typeof msg.text !== "string" || shown.has(msg.id) || mine.has(msg.id)) return;
  shown.add(msg.id);
  if (shown.size > 1000) shown.delete(shown.values().next().value);
  chatLine(msg.from === nickInput.value ? "me" : "", msg.from, msg.text);
}

let chat = openChat(room);

$("composer").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("chat-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  const id = `${tag}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
  const li = chatLine("me", nickInput.value, text);
  tick(li, chat.readyState === ReSocket.OPEN ? "sent" : "queued");
  mine.set(id, li);
  shown.add(id);
  try {
    await chat.sendJson({ id, from: nickInput.value, text, ts: Date.now() }, { ack: true });
    tick(li, "delivered");
  } catch (e) {
    tick(li, "failed");
    li.querySelector(".who").textContent += ` · not delivered (${e instanceof ReSocketError ? e.code : e})`;
  } finally {
    mine.delete(id);
  }
});

$("room-form").addEventListener("submit", (ev) => {
  ev.preventDefault();
  localStorage.setItem("resocket-demo-nick", nickInput.value);
  const next = roomInput.value.trim() || "lobby";
  if (next === room) return;
  room = next;
  chatLine("system", "", `switching to #${room}…`);
  chat.close(1000, "room change");
  chat = openChat(room);
});

// ---- server push: /push ticker and /greet ----------------------------------------------------
const push = new ReSocket(`/push?interval_ms=2000&tag=${tag}`);
watch("push", push, `/push?interval_ms=2000&tag=${tag}`);
let lastPush = 0;
push.addEventListener("message", (e) => {
  const { seq, ts } = e.json();
  lastPush = Date.now();
  const latency = Math.max(0, Date.now() - ts);
  const seqEl = $("push-seq");
  seqEl.textContent = seq;
  seqEl.classList.remove("flash");
  void seqEl.offsetWidth;
  seqEl.classList.add("flash");
  $("push-latency").textContent = `${latency} ms`;
  const feed = $("push-feed");
  feed.prepend(el("li", {}, el("span", { textContent: `{"seq":${seq},"ts":${ts}}` }), el("span", { textContent: fmtTime(new Date(ts)) })));
  while (feed.children.length > 8) feed.lastChild.remove();
});
setInterval(() => {
  $("push-age").textContent = lastPush ? `${((Date.now() - lastPush) / 1000).toFixed(1)} s` : "—";
}, 100);

// A heartbeat of its own too: its RTT shows beside the chat's (the shared connection's).
const greet = new ReSocket(`/greet?tag=${tag}`, { heartbeat: { interval: 5000, timeout: 8000 } });
watch("greet", greet, `/greet?tag=${tag}`);
greet.addEventListener("message", (e) => {
  $("greet-reply").textContent = `server: ${e.data}`;
});
$("greet-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const input = $("greet-input");
  const text = input.value.trim();
  if (!text) return;
  input.value = "";
  await greet.send(text).catch((e) => log("greet", "error", e.message));
});

// ---- the sink: backpressure ------------------------------------------------------------------
const sink = new ReSocket(`/sink?stall_ms=0&tag=${tag}`, { highWaterMark: HIGH_WATER, lowWaterMark: LOW_WATER });
watch("sink", sink, `/sink?stall_ms=0&tag=${tag}`);
let acks = 0;
sink.addEventListener("message", () => {
  acks += 1;
});

let flooding = false;
$("btn-flood").addEventListener("click", async () => {
  if (flooding) return;
  flooding = true;
  const button = $("btn-flood");
  button.disabled = true;
  const frames = FLOOD_BYTES / FRAME;
  const frame = new Uint8Array(FRAME);
  const view = new DataView(frame.buffer);
  const acksBefore = acks;
  const started = performance.now();
  let waited = 0;
  log("sink", "flood", `sending ${fmtBytes(FLOOD_BYTES)} in ${frames} frames of ${fmtBytes(FRAME)}`);
  try {
    for (let i = 0; i < frames; i++) {
      view.setUint32(0, i, true);
      const t0 = performance.now();
      await sink.send(frame);
      const dt = performance.now() - t0;
      if (dt > 20) waited += dt;
      $("flood-bar").style.width = `${((i + 1) / frames) * 100}%`;
      $("flood-status").textContent = `${fmtBytes((i + 1) * FRAME)} handed over · ${acks - acksBefore} acked`;
    }
    const secs = (performance.now() - started) / 1000;
    log(
      "sink",
      "flood",
      `${fmtBytes(FLOOD_BYTES)} handed over in ${secs.toFixed(2)} s; send() waited ${(waited / 1000).toFixed(2)} s under backpressure`,
    );
  } catch (e) {
    log("sink", "error", `flood stopped: ${e.code ?? ""} ${e.message}`);
  } finally {
    flooding = false;
    button.disabled = false;
    const until = performance.now() + 15000;
    const waitAcks = () => {
      $("flood-status").textContent = `${acks - acksBefore} of ${frames} acked by the server`;
      if (acks - acksBefore < frames && performance.now() < until) setTimeout(waitAcks, 100);
    };
    waitAcks();
  }
});

// ---- the chart of bufferedAmount -------------------------------------------------------------
const chart = $("chart");
const samples = []; // [t, buffered, queued]
const WINDOW_MS = 20000;
function drawChart() {
  const dpr = window.devicePixelRatio || 1;
  const w = chart.clientWidth;
  const h = chart.clientHeight;
  if (chart.width !== Math.round(w * dpr)) chart.width = Math.round(w * dpr);
  if (chart.height !== Math.round(h * dpr)) chart.height = Math.round(h * dpr);
  const ctx = chart.getContext("2d");
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const css = getComputedStyle(document.documentElement);
  const muted = css.getPropertyValue("--muted").trim();
  const accent = css.getPropertyValue("--accent").trim();
  const orange = css.getPropertyValue("--orange").trim();
  const max = HIGH_WATER * 1.5;
  const y = (v) => h - 8 - (Math.min(v, max) / max) * (h - 22);
  ctx.font = "11px ui-monospace, monospace";
  for (const [v, label] of [[HIGH_WATER, "high 1 MiB"], [LOW_WATER, "low 256 KiB"]]) {
    ctx.strokeStyle = muted;
    ctx.globalAlpha = 0.5;
    ctx.setLineDash([4, 4]);
    ctx.beginPath();
    ctx.moveTo(0, y(v));
    ctx.lineTo(w, y(v));
    ctx.stroke();
    ctx.setLineDash([]);
    ctx.globalAlpha = 0.9;
    ctx.fillStyle = muted;
    ctx.fillText(label, 8, y(v) - 4);
  }
  ctx.globalAlpha = 1;
  const now = performance.now();
  const x = (t) => w - ((now - t) / WINDOW_MS) * w;
  const line = (index, color, fill) => {
    if (samples.length < 2) return;
    ctx.beginPath();
    samples.forEach((s, i) => (i ? ctx.lineTo(x(s[0]), y(s[index])) : ctx.moveTo(x(s[0]), y(s[index]))));
    ctx.strokeStyle = color;
    ctx.lineWidth = 2;
    ctx.stroke();
    if (fill) {
      ctx.lineTo(x(samples[samples.length - 1][0]), h);
      ctx.lineTo(x(samples[0][0]), h);
      ctx.closePath();
      ctx.globalAlpha = 0.12;
      ctx.fillStyle = color;
      ctx.fill();
      ctx.globalAlpha = 1;
    }
  };
  line(2, orange, false);
  line(1, accent, true);
  const last = samples[samples.length - 1];
  ctx.fillStyle = accent;
  ctx.textAlign = "right";
  ctx.fillText(`bufferedAmount ${fmtBytes(last ? last[1] : 0)}`, w - 8, 14);
  ctx.fillStyle = orange;
  ctx.fillText(`queued ${fmtBytes(last ? last[2] : 0)}`, w - 8, 28);
  ctx.textAlign = "left";
}

function sample() {
  const now = performance.now();
  samples.push([now, sink.bufferedAmount, sink.queuedAmount]);
  while (samples.length && now - samples[0][0] > WINDOW_MS + 1000) samples.shift();
}

setInterval(() => {
  sample();
  refreshPanel();
}, 50);
(function frame() {
  drawChart();
  requestAnimationFrame(frame);
})();

// ---- fault buttons --------------------------------------------------------------------------
async function fault(path, label) {
  try {
    const r = await fetch(`${path}${path.includes("?") ? "&" : "?"}tag=${tag}`, { cache: "no-store" });
    const body = await r.json();
    log("server", "fault", `${label}: ${JSON.stringify(body)}`);
  } catch (e) {
    log("server", "error", `${label} failed: ${e.message}`);
  }
}
$("btn-drop").addEventListener("click", () => fault("/control/drop", "drop"));
$("btn-down").addEventListener("click", () => fault("/control/down?ms=5000", "down 5 s"));
$("btn-stall").addEventListener("click", () => fault("/control/stall?ms=5000", "stall 5 s"));

window.addEventListener("pagehide", () => {
  for (const { ws } of conns.values()) ws.close(1000, "page closed");
});

// For scripted checks of the page.
window.resocketDemo = {
  tag,
  conns,
  get chat() {
    return chat;
  },
  push,
  greet,
  sink,
};
