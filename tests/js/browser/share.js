// Shared connections (option `share`): several same-origin browsing contexts (this page,
// frames of share-frame.html, a module worker of share-worker.js) share one WebSocket.
// The test server counts connections per tag (/control/stats) and, on /ack, records every
// id it received (/control/ackstats: missing and duplicated ids). tests.js registers these
// (every name starts with "share").

import { ReSocket, diagnostics } from "resocket-wasm";
import { DIAG_KEYS, assert, backTo, control, eq, once, pick, quietDiagnostics, show, sleep, tag, until, withTimeout } from "./hostile-harness.js";

const wsBase = `ws://${location.host}`;
const tests = [];
const test = (name, fn, timeout = 30000) => tests.push({ name, fn, timeout });

const RECONNECT = { initialDelay: 50, maxDelay: 500, stableAfter: 200 };

/** A same-origin frame with the package loaded: `{ frame, R }` (R: its ReSocket class). */
async function frame() {
  const f = document.createElement("iframe");
  f.src = new URL("./share-frame.html", import.meta.url).href;
  document.body.append(f);
  await until(() => f.contentWindow?.resocket !== undefined, 10000, "the frame to load the package");
  return { frame: f, R: f.contentWindow.resocket.ReSocket };
}

/** Runs `fn(frames)` with `n` frames, removed afterwards (and every socket with them). */
async function withFrames(n, fn) {
  const frames = [];
  try {
    for (let i = 0; i < n; i++) frames.push(await frame());
    return await fn(frames);
  } finally {
    for (const f of frames) f.frame.remove();
  }
}

function collect(ws) {
  const got = [];
  ws.addEventListener("message", (e) => got.push(e.data));
  return got;
}

const isOpen = (ws) => ws.state === "open";

/** The server's connections of tag `t`, once `cond(stats)` holds. */
async function stats(t, cond, what, ms = 5000) {
  let s;
  const end = performance.now() + ms;
  for (;;) {
    s = await control(`/control/stats?tag=${t}`);
    if (cond(s)) return s;
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}: ${show(s)}`);
    await sleep(20);
  }
}

test("share: five contexts (this page and four frames), one connection; every member gets every message, in order", async () => {
  const t = tag("share-five");
  const url = `${wsBase}/echo?tag=${t}`;
  await withFrames(4, async (frames) => {
    const sockets = [new ReSocket(url, { share: t, reconnect: RECONNECT }), ...frames.map((f) => new f.R(url, { share: t, reconnect: RECONNECT }))];
    try {
      const got = sockets.map(collect);
      await until(() => sockets.every(isOpen), 5000, "every member open");
      const roles = sockets.map((s) => s.shareRole).sort();
      eq(roles, ["follower", "follower", "follower", "follower", "leader"], "one leader, four followers");
      const s = await stats(t, (x) => x.open === 1, "one open connection");
      eq([s.accepted, s.open], [1, 1], "the server saw one connection for five sockets");
      const per = 20;
      for (let k = 0; k < per; k++) sockets.forEach((ws, i) => ws.send(`m${i}-${k}`));
      await until(() => got.every((g) => g.length === per * sockets.length), 5000, "every echo at every member");
      for (const [j, g] of got.entries()) {
        for (let i = 0; i < sockets.length; i++) {
          eq(g.filter((d) => d.startsWith(`m${i}-`)), Array.from({ length: per }, (_, k) => `m${i}-${k}`), `member ${j}: member ${i}'s messages in order`);
        }
      }
      const first = got[0];
      assert(got.every((g) => show(g) === show(first)), "every member saw the same order");
    } finally {
      for (const ws of sockets) ws.close();
    }
    await stats(t, (x) => x.open === 0, "the connection closed once every member closed");
  });
});

test("share: close() in a follower leaves only that follower", async () => {
  const t = tag("share-leave");
  const url = `${wsBase}/echo?tag=${t}`;
  await withFrames(2, async ([a, b]) => {
    const leader = new a.R(url, { share: t, reconnect: RECONNECT });
    await until(() => leader.shareRole === "leader", 5000, "the first member to lead");
    const f1 = new b.R(url, { share: t, reconnect: RECONNECT });
    const f2 = new ReSocket(url, { share: t, reconnect: RECONNECT });
    try {
      await until(() => [leader, f1, f2].every(isOpen), 5000, "every member open");
      eq([f1.shareRole, f2.shareRole], ["follower", "follower"], "the others follow");
      const closed = once(f1, "close");
      f1.close(1000, "bye");
      const c = await closed;
      eq([c.code, c.reason, f1.state, f1.shareRole], [1000, "bye", "closed", "closed"], "the follower's own close");
      const got = collect(f2);
      await f2.send("still here");
      await until(() => got.includes("still here"), 3000, "the other follower's echo");
      eq([leader.state, f2.state], ["open", "open"], "the others stay open");
      const s = await stats(t, (x) => x.accepted >= 1, "stats");
      eq([s.accepted, s.open], [1, 1], "the same one connection");
    } finally {
      for (const ws of [leader, f1, f2]) ws.close();
    }
  });
});

test("share: a leader that closes in the middle of a burst hands over; the server gets every follower's message exactly once", async () => {
  const t = tag("share-handover");
  const url = `${wsBase}/ack?tag=${t}`;
  const each = 400;
  await withFrames(3, async ([a, b, c]) => {
    const leader = new a.R(url, { share: t, reconnect: RECONNECT });
    await until(() => leader.shareRole === "leader" && leader.state === "open", 5000, "the first member to lead, open");
    const followers = [new b.R(url, { share: t, reconnect: RECONNECT }), new c.R(url, { share: t, reconnect: RECONNECT })];
    try {
      await until(() => followers.every(isOpen), 5000, "the followers open");
      const reopened = [null, null];
      let left = 0;
      followers.forEach((f, i) => f.addEventListener("open", () => (reopened[i] ??= performance.now())));
      // Each follower sends its ids in slices; the leader leaves halfway.
      for (let k = 0; k < each; k += 20) {
        followers.forEach((f, i) => {
          for (let j = k; j < k + 20; j++) f.send(`{"id":${i * each + j + 1}}`);
        });
        if (k === each / 2) {
          left = performance.now();
          leader.close();
        }
        await sleep(2);
      }
      await until(() => reopened.every((x) => x !== null), 5000, "the followers to open again");
      await Promise.all(followers.map((f) => f.flush()));
      const newLeader = followers.find((f) => f.shareRole === "leader");
      assert(newLeader !== undefined, `a follower took over: ${show(followers.map((f) => f.shareRole))}`);
      let st;
      const end = performance.now() + 10000;
      for (;;) {
        st = await control(`/control/ackstats?tag=${t}&expect=${2 * each}`);
        if (st.missing_count === 0 || performance.now() > end) break;
        await sleep(50);
      }
      eq([st.missing_count, st.duplicates, st.unexpected], [0, 0, 0], `every id once (${show(st)})`);
      const s = await stats(t, (x) => x.open === 1, "one open connection after the handover");
      eq([s.accepted, s.open], [2, 1], "two connections in turn, one at a time");
      const worst = Math.max(...reopened.map((x) => x - left));
      assert(worst <= 1000, `the followers opened again within 1 s of the leader leaving (${Math.round(worst)} ms)`);
    } finally {
      for (const ws of [leader, ...followers]) ws.close();
    }
  });
});

test("share: removing the leader's frame moves the leadership; with acknowledged delivery every message arrives", async () => {
  const t = tag("share-removed");
  const url = `${wsBase}/ack?tag=${t}`;
  const each = 200;
  await withFrames(3, async ([a, b, c]) => {
    const opts = { share: t, reconnect: RECONNECT, delivery: {} };
    const leader = new a.R(url, opts);
    await until(() => leader.shareRole === "leader" && leader.state === "open", 5000, "the first member to lead, open");
    const followers = [new b.R(url, opts), new c.R(url, opts)];
    try {
      await until(() => followers.every(isOpen), 5000, "the followers open");
      const acks = [];
      for (let k = 0; k < each; k += 20) {
        followers.forEach((f, i) => {
          for (let j = k; j < k + 20; j++) acks.push(f.sendJson({ id: i * each + j + 1 }, { ack: true }));
        });
        if (k === each / 2) a.frame.remove(); // the leading context is gone, without a word
        await sleep(2);
      }
      const results = await withTimeout(Promise.all(acks), 15000, "every acknowledgement");
      eq(results.length, 2 * each, "every send acknowledged");
      assert(followers.some((f) => f.shareRole === "leader"), `a follower took over: ${show(followers.map((f) => f.shareRole))}`);
      const st = await control(`/control/ackstats?tag=${t}&expect=${2 * each}`);
      eq([st.missing_count, st.unexpected], [0, 0], `every id arrived (${show(st)})`);
      const s = await stats(t, (x) => x.open === 1, "one open connection after the handover");
      eq(s.open, 1, "one connection open");
    } finally {
      for (const ws of followers) ws.close();
    }
  });
});

/** A member in a module worker: `{ worker, last }` (its latest role and state), terminated by the caller. */
function workerMember(url, share) {
  const script = new URL("./share-worker.js", import.meta.url);
  script.searchParams.set("url", url);
  script.searchParams.set("share", share);
  const w = { worker: new Worker(script, { type: "module" }), last: null };
  w.worker.onmessage = (e) => (w.last = e.data);
  return w;
}

test("share: a leader that stops answering (a blocked worker) is replaced within the liveness timeout, and steps down when it wakes", async () => {
  const t = tag("share-stuck");
  const url = `${wsBase}/echo?tag=${t}`;
  // Two workers: neither is a page the user sees, so neither asks the other to hand over.
  const a = workerMember(url, t);
  let b = null;
  try {
    await until(() => a.last?.role === "leader" && a.last?.state === "open", 10000, "worker A to lead, open");
    b = workerMember(url, t);
    await until(() => b.last?.role === "follower" && b.last?.state === "open", 10000, "worker B to follow, open");
    a.worker.postMessage({ op: "block", ms: 6000 });
    await sleep(50);
    const blocked = performance.now();
    await until(() => b.last?.role === "leader" && b.last?.state === "open", 6000, "worker B to take over");
    const took = performance.now() - blocked;
    // Silence for 3.5 s after the last beat (beats every second), 1.5 s more for a context
    // no one sees (a page the user sees gets the first chance), checked every 0.5 s.
    assert(took <= 3500 + 1500 + 500 + 1000, `took over within the liveness timeout (${Math.round(took)} ms)`);
    // A wakes: it learns it was replaced and lets its connection go.
    await until(() => a.last?.role === "follower" && a.last?.state === "open", 10000, "worker A to follow");
    const s = await stats(t, (x) => x.open === 1, "one open connection once the old leader stepped down", 5000);
    eq(s.accepted, 2, "two connections in turn");
  } finally {
    a.worker.terminate();
    b?.worker.terminate();
  }
});

test("share: when the leader goes, the page the user sees leads next, before a hidden context (a worker)", async () => {
  assert(document.visibilityState === "visible", `the test page is ${document.visibilityState}: the preference for a visible page cannot be checked`);
  const t = tag("share-visible");
  const url = `${wsBase}/echo?tag=${t}`;
  const a = workerMember(url, t);
  let b = null;
  let ws = null;
  try {
    await until(() => a.last?.role === "leader" && a.last?.state === "open", 10000, "worker A to lead, open");
    b = workerMember(url, t);
    await until(() => b.last?.role === "follower" && b.last?.state === "open", 10000, "worker B to follow, open");
    ws = new ReSocket(url, { share: t, reconnect: RECONNECT });
    await until(() => ws.shareRole === "follower" && isOpen(ws), 5000, "this page to follow, open");
    await sleep(1200); // a beat: a healthy hidden leader is not asked to give way
    eq([a.last.role, ws.shareRole], ["leader", "follower"], "the worker still leads");
    const t0 = performance.now();
    a.worker.terminate(); // gone without a word: the browser releases its lock
    await until(() => ws.shareRole === "leader" && isOpen(ws), 3000, "this page to lead");
    const took = performance.now() - t0;
    assert(took < 3000, `this page led ${Math.round(took)} ms after the leader went (before any liveness timeout)`);
    await until(() => b.last?.role === "follower" && b.last?.state === "open", 5000, "worker B to follow the page, open");
    const got = collect(ws);
    await ws.send("seen");
    await until(() => got.includes("seen"), 3000, "the echo through the page's connection");
    const s = await stats(t, (x) => x.open === 1, "one open connection");
    eq([s.accepted, s.open], [2, 1], "the worker's connection, then the page's");
  } finally {
    ws?.close();
    a.worker.terminate();
    b?.worker.terminate();
  }
});

test("share: a leader whose page is frozen steps down at once and rejoins as a follower when resumed (freeze and resume dispatched: headless engines do not freeze pages)", async () => {
  const t = tag("share-freeze");
  const url = `${wsBase}/echo?tag=${t}`;
  await withFrames(2, async ([a, b]) => {
    const leader = new a.R(url, { share: t, reconnect: RECONNECT });
    await until(() => leader.shareRole === "leader" && isOpen(leader), 5000, "frame A to lead, open");
    const follower = new b.R(url, { share: t, reconnect: RECONNECT });
    try {
      await until(() => isOpen(follower) && follower.shareRole === "follower", 5000, "frame B to follow, open");
      const doc = a.frame.contentWindow.document;
      const t0 = performance.now();
      doc.dispatchEvent(new Event("freeze"));
      await until(() => follower.shareRole === "leader" && isOpen(follower), 3000, "frame B to lead, open");
      const took = performance.now() - t0;
      // Well within the liveness timeout (3.5 s): the frozen leader let go of the lock itself.
      assert(took < 1500, `frame B led ${Math.round(took)} ms after frame A's freeze`);
      assert(leader.shareRole !== "leader", `the frozen context no longer leads (${leader.shareRole})`);
      await stats(t, (x) => x.open === 1, "the frozen leader's connection closed");
      doc.dispatchEvent(new Event("resume"));
      await until(() => leader.shareRole === "follower" && isOpen(leader), 5000, "frame A to follow, open");
      const got = collect(leader);
      await follower.send("after the freeze");
      await until(() => got.includes("after the freeze"), 3000, "the message at the resumed member");
      const s = await stats(t, (x) => x.open === 1, "one connection");
      eq(s.accepted, 2, "two connections in turn");
    } finally {
      leader.close();
      follower.close();
    }
  });
});

test("share: every member reads the connection's heartbeat round trip", async () => {
  const t = tag("share-rtt");
  const url = `${wsBase}/echo?tag=${t}`;
  await withFrames(1, async ([a]) => {
    const opts = { share: t, heartbeat: { interval: 200, timeout: 2000 } };
    const leader = new ReSocket(url, opts);
    await until(() => leader.shareRole === "leader" && isOpen(leader), 5000, "this page to lead");
    const follower = new a.R(url, opts);
    try {
      await until(() => isOpen(follower), 5000, "the follower open");
      await until(() => leader.stats().lastRttMs !== null, 3000, "the leader's RTT");
      await until(() => follower.stats().lastRttMs !== null, 3000, "the follower's RTT (from the leader's beat)");
      const s = await stats(t, (x) => x.pings >= 1, "pings at the server");
      assert(s.pings >= 1, `the server saw pings: ${show(s)}`);
    } finally {
      follower.close();
      leader.close();
    }
  });
});

test("share: members in one page share one connection; the last to close closes it", async () => {
  const t = tag("share-page");
  const url = `${wsBase}/echo?tag=${t}`;
  const a = new ReSocket(url, { share: t });
  const b = new ReSocket(url, { share: t });
  const other = new ReSocket(url, { share: `${t}-other` });
  try {
    await until(() => [a, b, other].every(isOpen), 5000, "every socket open");
    eq([a.shareRole, b.shareRole, other.shareRole], ["leader", "leader", "leader"], "this page leads both shares");
    const s = await stats(t, (x) => x.open === 2, "two connections (two share names)");
    eq(s.open, 2, "one connection per share name");
    a.close();
    await sleep(100);
    const got = collect(b);
    await b.send("b");
    await until(() => got.includes("b"), 3000, "b's echo after a closed");
    b.close();
    await stats(t, (x) => x.open === 1, "the share's connection closed with its last member");
  } finally {
    for (const ws of [a, b, other]) ws.close();
  }
});

test("share: malformed messages on the share's channel are ignored: the leader and a follower keep working", async () => {
  const t = tag("share-garbage");
  const url = `${wsBase}/echo?tag=${t}`;
  await withFrames(1, async ([a]) => {
    const leader = new ReSocket(url, { share: t });
    await until(() => leader.shareRole === "leader" && isOpen(leader), 5000, "this page to lead");
    const follower = new a.R(url, { share: t });
    const errors = [];
    const onError = (e) => errors.push(String(e.message ?? e.reason ?? e));
    window.addEventListener("error", onError);
    window.addEventListener("unhandledrejection", onError);
    a.frame.contentWindow.addEventListener("error", onError);
    try {
      await until(() => isOpen(follower), 5000, "the follower open");
      // The lock's name is the channel's name.
      const held = (await navigator.locks.query()).held.map((l) => l.name).filter((n) => n.startsWith("resocket-share/"));
      eq(held.length, 1, `one share lock held (${show(held)})`);
      const channel = new BroadcastChannel(held[0]);
      const junk = [null, 42, "f", [], { k: 7 }, { k: "f" }, { k: "f", e: {}, from: 1, s: "1", d: 5 }, { k: "m" }, { k: "m", e: null, d: {} },
        { k: "open", e: 3 }, { k: "close", e: [], c: "x" }, { k: "sent", to: {}, s: NaN }, { k: "unsent" }, { k: "lead" }, { k: "lead", e: 5, t: "x" },
        { k: "beat", e: "nobody" }, { k: "attach", e: "old", from: {} }, { k: "yield", e: 1 }, { k: "handoff", to: null }, { k: "bye", e: 9 },
        { k: "who", extra: new ArrayBuffer(8) }, new ArrayBuffer(3), { k: "f", e: "x", from: "y", s: 1, d: new Uint8Array(2) }];
      for (const j of junk) channel.postMessage(j);
      channel.close();
      await sleep(300);
      const got = [collect(leader), collect(follower)];
      await follower.send("after the junk");
      await leader.send("and again");
      await until(() => got.every((g) => g.length === 2), 3000, "both echoes at both members");
      eq([leader.shareRole, follower.shareRole], ["leader", "follower"], "roles unchanged");
      eq(errors, [], "no error thrown in either context");
      const st = await stats(t, (x) => x.open === 1, "one connection");
      eq(st.accepted, 1, "the same connection");
    } finally {
      window.removeEventListener("error", onError);
      window.removeEventListener("unhandledrejection", onError);
      follower.close();
      leader.close();
    }
  });
});

test("share: closed means released: once every member closed, no socket, timer or listener of the share remains, in the leader and in a follower", async () => {
  const t = tag("share-release");
  const url = `${wsBase}/echo?tag=${t}`;
  const base = await quietDiagnostics();
  await withFrames(1, async ([a]) => {
    const frameBase = pick(a.frame.contentWindow.resocket.diagnostics());
    // Twice: this page leading, then following.
    for (const pageLeads of [true, false]) {
      const first = pageLeads ? new ReSocket(url, { share: t }) : new a.R(url, { share: t });
      await until(() => first.shareRole === "leader" && isOpen(first), 5000, "the first member to lead");
      const sockets = [first, pageLeads ? new a.R(url, { share: t }) : new ReSocket(url, { share: t }), new ReSocket(url, { share: t })];
      await until(() => sockets.every(isOpen), 5000, "every member open");
      const during = pick(diagnostics());
      assert(during.liveTimers > base.liveTimers && during.liveListeners > base.liveListeners, `the share holds timers and listeners while open: ${show(during)}`);
      for (const ws of sockets) ws.close();
      await until(() => sockets.every((ws) => ws.state === "closed"), 5000, "every member closed");
      const left = await backTo(base);
      assert(left === null, `this page: ${left}`);
      const inFrame = pick(a.frame.contentWindow.resocket.diagnostics());
      assert(DIAG_KEYS.every((k) => inFrame[k] <= frameBase[k]), `the frame: diagnostics not back to ${show(frameBase)}: ${show(inFrame)}`);
    }
    await stats(t, (x) => x.open === 0, "no connection left open");
  });
});

export default tests;
