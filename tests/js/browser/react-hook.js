// Tests of resocket-wasm/react (useReSocket) with real React and react-dom, in
// development mode (so StrictMode mounts twice), imported by name through the page's
// import map as the hook itself imports "react". tests.js registers these after its own
// tests (every name starts with "react"); run only them with RESOCKET_JS_FILTER=react.

import { StrictMode, createElement as h, useEffect, useLayoutEffect, useState } from "react";
import { createRoot } from "react-dom/client";
import { ReSocket, ReSocketError, diagnostics } from "resocket-wasm";
import { useReSocket } from "resocket-wasm/react";
import { sleep, assert, until, control } from "./hostile-harness.js";

let tagSeq = 0;
const tag = (name) => `react-${name}-${Date.now().toString(36)}-${++tagSeq}`;
const show = (v) => JSON.stringify(v, (_, x) => (x instanceof ReSocket ? "ReSocket" : x === undefined ? "(undefined)" : x));

function eq(actual, expected, msg) {
  const a = show(actual);
  const e = show(expected);
  if (a !== e) throw new Error(`${msg}: expected ${e}, got ${a}`);
}

/** Polls the server's stats of tag `t` until `cond(stats)`; returns them. */
async function serverStats(t, cond, ms, what) {
  const end = performance.now() + ms;
  for (;;) {
    const s = await control(`/control/stats?tag=${t}`);
    if (cond(s)) return s;
    if (performance.now() > end) throw new Error(`timed out after ${ms} ms waiting for the server to see ${what}: ${show(s)}`);
    await sleep(25);
  }
}

function isClosedError(e) {
  return e instanceof ReSocketError && e.code === "closed";
}

async function rejectsClosed(promise, what) {
  try {
    await promise;
  } catch (e) {
    assert(isClosedError(e), `${what}: expected a ReSocketError "closed", got ${e}`);
    return;
  }
  throw new Error(`${what}: resolved, expected a rejection with code "closed"`);
}

const live = () => diagnostics().liveSockets;

/** Every committed result of useReSocket in a Probe, and its effect runs. */
function newLog() {
  return {
    commits: [],
    mounts: 0,
    unmounts: 0,
    get last() {
      return this.commits[this.commits.length - 1];
    },
  };
}

/** The states committed, with repeats removed. */
function states(log) {
  const out = [];
  for (const c of log.commits) if (out[out.length - 1] !== c.state) out.push(c.state);
  return out;
}

/** Renders useReSocket(url, options) and logs every committed result (with `n`). */
function Probe({ url, options, log, n = 0, children }) {
  const r = useReSocket(url, options);
  useLayoutEffect(() => {
    log.commits.push({ ...r, n });
  });
  useEffect(() => {
    log.mounts += 1;
    return () => {
      log.unmounts += 1;
    };
  }, [log]);
  return h("p", { className: "probe" }, `${r.state}:${n}`, children ? children(r) : null);
}

/** A root in a fresh container; errors React reports land in `errors`. */
function mount(element, strict) {
  const container = document.createElement("div");
  document.body.append(container);
  const errors = [];
  const root = createRoot(container, {
    onUncaughtError: (e) => errors.push(e),
    onCaughtError: (e) => errors.push(e),
    onRecoverableError: (e) => errors.push(e),
  });
  let mounted = true;
  const app = {
    container,
    errors,
    render(el) {
      root.render(strict ? h(StrictMode, null, el) : el);
    },
    unmount() {
      if (!mounted) return;
      mounted = false;
      root.unmount();
      container.remove();
    },
  };
  app.render(element);
  return app;
}

const tests = [];
/** A test gets `mount(element, strict)`; its roots are unmounted afterwards. */
const test = (name, fn, timeout = 20000) =>
  tests.push({
    name,
    timeout,
    async fn(ctx) {
      const apps = [];
      const before = live();
      try {
        return await fn({
          ...ctx,
          mount(element, strict = false) {
            const app = mount(element, strict);
            apps.push(app);
            return app;
          },
        });
      } finally {
        for (const app of apps) app.unmount();
        // Let the sockets close, so the next test starts from the same baseline.
        await until(() => live() <= before, 3000, "").catch(() => {});
      }
    },
  });

test("react: state goes connecting → open reactively; close() closes it", async ({ mount }) => {
  const t = tag("state");
  const log = newLog();
  const closes = [];
  const options = { onClose: (e) => closes.push([e.code, e.reason, e.by]) };
  const app = mount(h(Probe, { url: `/echo?tag=${t}`, options, log }));
  await until(() => log.commits.length > 0, 2000, "the first commit");
  const first = log.commits[0];
  eq([first.state, first.readyState, first.socket, first.bufferedAmount, first.queuedAmount, first.retryCount], ["connecting", 0, null, 0, 0, 0], "first render");
  await until(() => log.last.state === "open", 10000, "state open");
  eq(log.last.readyState, ReSocket.OPEN, "readyState when open");
  eq(states(log), ["connecting", "open"], "states committed");
  const ws = log.last.socket;
  assert(ws instanceof ReSocket, `socket: ${show(ws)}`);
  eq([ws.state, ws.url], ["open", `ws://${location.host}/echo?tag=${t}`], "the socket");
  eq(app.container.textContent, "open:0", "rendered");
  log.last.close(1000, "bye");
  await until(() => log.last.state === "closed", 5000, "state closed");
  eq(log.last.readyState, ReSocket.CLOSED, "readyState after close()");
  eq(states(log).filter((s) => s !== "closing"), ["connecting", "open", "closed"], "states committed");
  eq(closes, [[1000, "bye", "client"]], "onClose");
  const server = await serverStats(t, (s) => s.closes.length > 0, 3000, "the close");
  eq([server.accepted, server.closes], [1, [{ code: 1000, reason: "bye" }]], "server");
});

test("react: a burst of 100 messages reaches onMessage once each, in order", async ({ mount }) => {
  const t = tag("burst");
  const got = [];
  let rendered = 0;
  function Counter() {
    const [count, setCount] = useState(0);
    rendered = count;
    useReSocket(`/burst?count=100&tag=${t}`, {
      onMessage: (e) => {
        got.push(e.json().seq);
        setCount((c) => c + 1);
      },
    });
    return h("p", null, String(count));
  }
  mount(h(Counter));
  await until(() => got.length >= 100, 10000, "100 messages");
  await sleep(300);
  eq(got, Array.from({ length: 100 }, (_, i) => i + 1), "seq of the messages, in delivery order");
  await until(() => rendered === 100, 2000, "a render of the 100th count");
  eq((await control(`/control/stats?tag=${t}`)).accepted, 1, "server: connections (a render per message reconnects none)");
});

test("react: components with one share name share one connection; each gets every message; unmounting one leaves the other", async ({ mount }) => {
  const t = tag("share");
  const url = `/echo?tag=${t}`;
  const logs = [newLog(), newLog()];
  const got = [[], []];
  const opts = (i) => ({ share: t, onMessage: (e) => got[i].push(e.data) });
  const first = mount(h(Probe, { url, options: opts(0), log: logs[0], n: 0 }));
  mount(h(Probe, { url, options: opts(1), log: logs[1], n: 1 }));
  await until(() => logs.every((l) => l.last?.state === "open"), 10000, "both open");
  eq(logs.map((l) => l.last.socket.shareRole), ["leader", "leader"], "one page: both in the leading context");
  const s = await serverStats(t, (x) => x.open >= 1, 3000, "the connection");
  eq([s.accepted, s.open], [1, 1], "one connection for two components");
  await logs[0].last.send("a");
  await logs[1].last.send("b");
  await until(() => got.every((g) => g.length === 2), 3000, "both messages at both components");
  eq(got, [["a", "b"], ["a", "b"]], "each component gets every message, in order");
  first.unmount();
  await sleep(100);
  eq(logs[1].last.state, "open", "the other component stays open");
  await logs[1].last.send("c");
  await until(() => got[1].includes("c"), 3000, "the other component's echo");
  eq((await control(`/control/stats?tag=${t}`)).accepted, 1, "still the one connection");
});

test("react: send, sendJson, trySend, close and socket keep their identity; re-renders do not reconnect", async ({ mount }) => {
  const t = tag("identity");
  const url = `/echo?tag=${t}`;
  const log = newLog();
  const got = [];
  // A new options object and a new callback on every render, as inline props are.
  const props = (n) => ({ url, log, n, options: { reconnect: { initialDelay: 100 }, onMessage: (e) => got.push(e.data) } });
  const app = mount(h(Probe, props(0)));
  await until(() => log.last?.state === "open", 10000, "state open");
  const opened = log.last;
  for (let n = 1; n <= 20; n++) {
    app.render(h(Probe, props(n)));
    await until(() => log.last.n === n, 2000, `render ${n}`);
  }
  for (const key of ["send", "sendJson", "trySend", "close"]) {
    const distinct = new Set(log.commits.map((c) => c[key]));
    eq(distinct.size, 1, `distinct ${key} functions over ${log.commits.length} commits`);
    eq(typeof opened[key], "function", key);
  }
  const sockets = new Set(log.commits.map((c) => c.socket).filter(Boolean));
  eq(sockets.size, 1, "distinct sockets");
  assert(log.last.socket === opened.socket, "the socket changed");
  // The functions of the first commit still act on the live socket.
  const first = log.commits[0];
  await first.send("a");
  await first.sendJson({ b: 1 });
  assert(first.trySend("c"), "trySend on an idle open socket");
  await until(() => got.length >= 3, 3000, "3 echoes");
  eq(got, ["a", '{"b":1}', "c"], "echoes");
  const server = await control(`/control/stats?tag=${t}`);
  eq([server.accepted, server.open], [1, 1], "server: connections accepted and open");
});

test("react: the latest onMessage is used, without reconnecting", async ({ mount }) => {
  const t = tag("latest");
  const url = `/echo?tag=${t}`;
  const log = newLog();
  const got = [];
  const props = (name, n) => ({ url, log, n, options: { onMessage: (e) => got.push([name, e.data]) } });
  const app = mount(h(Probe, props("A", 0)));
  await until(() => log.last?.state === "open", 10000, "state open");
  await log.last.send("1");
  await until(() => got.length === 1, 3000, "echo 1");
  app.render(h(Probe, props("B", 1)));
  await until(() => log.last.n === 1, 2000, "the render with callback B");
  await log.last.send("2");
  await until(() => got.length === 2, 3000, "echo 2");
  app.render(h(Probe, props("C", 2)));
  await until(() => log.last.n === 2, 2000, "the render with callback C");
  await log.last.send("3");
  await until(() => got.length === 3, 3000, "echo 3");
  await sleep(100);
  eq(got, [["A", "1"], ["B", "2"], ["C", "3"]], "which callback got each echo");
  eq((await control(`/control/stats?tag=${t}`)).accepted, 1, "server: connections accepted");
});

test("react: StrictMode's double mount opens one socket and delivers each message once", async ({ mount }) => {
  const t = tag("strict");
  const base = live();
  const log = newLog();
  const seqs = [];
  const opens = [];
  const options = { onMessage: (e) => seqs.push(e.json().seq), onOpen: () => opens.push(1) };
  const app = mount(h(Probe, { url: `/burst?count=100&tag=${t}`, options, log }), true);
  await until(() => log.mounts > 0, 2000, "the mount");
  eq([log.mounts, log.unmounts], [2, 1], "effect mounts and unmounts (StrictMode in development mode)");
  await until(() => seqs.length >= 100, 10000, "100 messages");
  await until(() => live() === base + 1, 5000, `liveSockets back to ${base + 1} (now ${live()})`);
  await sleep(300);
  eq(seqs, Array.from({ length: 100 }, (_, i) => i + 1), "seq of the messages, in delivery order");
  eq(opens.length, 1, "onOpen calls");
  eq(live(), base + 1, "liveSockets");
  const server = await serverStats(t, (s) => s.open === 1, 3000, "one open connection");
  eq(server.accepted, 1, "server: connections accepted (the second mount takes over the first socket)");
  const sockets = new Set(log.commits.map((c) => c.socket).filter(Boolean));
  eq(sockets.size, 1, "distinct sockets rendered");
  eq([log.last.state, log.last.socket?.state], ["open", "open"], "the rendered socket is the live one");
  app.unmount();
  await until(() => live() === base, 5000, `liveSockets back to ${base} after unmount (now ${live()})`);
  const after = await serverStats(t, (s) => s.open === 0 && s.closes.length > 0, 3000, "the close after unmount");
  eq(after.closes, [{ code: 1000, reason: "" }], "close frames the server got");
});

test("react: unmount closes the socket; the server sees the close; nothing is delivered after", async ({ mount }) => {
  const t = tag("unmount");
  const base = live();
  const log = newLog();
  const got = [];
  const closes = [];
  let app = null;
  const options = {
    onMessage: (e) => {
      got.push(e.json().seq);
      // Unmount from inside a delivery, with the rest of the burst on its way.
      if (got.length === 3) app.unmount();
    },
    onClose: (e) => closes.push(e.code),
  };
  app = mount(h(Probe, { url: `/burst?count=1000&tag=${t}`, options, log }));
  await until(() => got.length >= 3, 10000, "3 messages");
  const { send, sendJson, trySend } = log.last;
  const commits = log.commits.length;
  await until(() => live() === base, 5000, `liveSockets back to ${base} (now ${live()})`);
  const server = await serverStats(t, (s) => s.closes.length > 0 && s.open === 0, 5000, "the close");
  eq(server.closes, [{ code: 1000, reason: "" }], "close frames the server got");
  await sleep(200);
  eq(got, [1, 2, 3], "messages delivered");
  eq(closes, [], "onClose calls (the hook closed the socket itself)");
  eq(log.commits.length, commits, "commits after unmount");
  eq([log.mounts, log.unmounts], [1, 1], "effect mounts and unmounts");
  await rejectsClosed(send("late"), "send() after unmount");
  await rejectsClosed(sendJson("late"), "sendJson() after unmount");
  let thrown = null;
  try {
    trySend("late");
  } catch (e) {
    thrown = e;
  }
  assert(isClosedError(thrown), `trySend() after unmount: expected "closed" thrown, got ${thrown}`);
});

test("react: a url change closes the old socket and connects to the new url", async ({ mount }) => {
  const [ta, tb] = [tag("url-a"), tag("url-b")];
  const log = newLog();
  const got = [];
  const options = { onMessage: (e) => got.push(e.data) };
  const app = mount(h(Probe, { url: `/echo?tag=${ta}`, options, log }));
  await until(() => log.last?.state === "open", 10000, "the first url open");
  const a = log.last.socket;
  const send = log.last.send;
  app.render(h(Probe, { url: new URL(`/echo?tag=${tb}`, location.href), options, log, n: 1 }));
  await until(() => log.last.n === 1 && log.last.socket !== a && log.last.state === "open", 10000, "the new url open");
  const b = log.last.socket;
  eq(b.url, `ws://${location.host}/echo?tag=${tb}`, "the new socket's url");
  await until(() => a.state === "closed", 5000, "the old socket closed");
  const old = await serverStats(ta, (s) => s.open === 0 && s.closes.length > 0, 5000, "the old socket's close");
  eq([old.accepted, old.closes], [1, [{ code: 1000, reason: "" }]], "server: the old url");
  assert(send === log.last.send, "send changed with the url");
  await send("to b");
  await until(() => got.length === 1, 3000, "the echo");
  eq(got, ["to b"], "echoes");
  const now = await control(`/control/stats?tag=${tb}`);
  eq([now.accepted, now.open, now.messages_in], [1, 1, 1], "server: the new url");
  // The same url again, as a new URL object: the same text, no reconnect.
  app.render(h(Probe, { url: new URL(`/echo?tag=${tb}`, location.href), options, log, n: 2 }));
  await until(() => log.last.n === 2, 2000, "render 2");
  await sleep(100);
  assert(log.last.socket === b, "a URL with the same text reconnected");
  eq((await control(`/control/stats?tag=${tb}`)).accepted, 1, "server: connections to the new url");
});

test("react: a url function is called before every attempt; a new function each render does not reconnect", async ({ mount }) => {
  const t = tag("provider");
  const log = newLog();
  const calls = [];
  const props = (n) => ({
    url: () => {
      calls.push(n);
      return `/echo?tag=${t}&n=${n}`;
    },
    options: { reconnect: { initialDelay: 50, maxDelay: 100 } },
    log,
    n,
  });
  const app = mount(h(Probe, props(0)));
  await until(() => log.last?.state === "open", 10000, "state open");
  for (let n = 1; n <= 5; n++) {
    app.render(h(Probe, props(n)));
    await until(() => log.last.n === n, 2000, `render ${n}`);
  }
  eq(calls, [0], "provider calls before the drop");
  eq((await control(`/control/stats?tag=${t}`)).accepted, 1, "server: connections before the drop");
  await control(`/control/drop?tag=${t}`);
  await until(() => log.last.state === "open" && log.last.socket.url.endsWith("&n=5"), 10000, "reopened with the latest provider");
  eq(calls, [0, 5], "provider calls");
});

test("react: state and retryCount follow a server drop and the reconnect", async ({ mount }) => {
  const t = tag("drop");
  const log = newLog();
  const opens = [];
  const options = {
    reconnect: { initialDelay: 150, factor: 1, maxDelay: 150, jitter: false, stableAfter: 400 },
    onOpen: () => opens.push(performance.now()),
  };
  mount(h(Probe, { url: `/echo?tag=${t}`, options, log }));
  await until(() => log.last?.state === "open", 10000, "state open");
  const opened = log.commits.length;
  await control(`/control/down?ms=700&tag=${t}`);
  await until(() => log.last.state === "reconnecting", 5000, "state reconnecting");
  await until(() => log.last.state === "open", 10000, "open again");
  const down = log.commits.findIndex((c, i) => i >= opened && c.state === "reconnecting");
  const during = log.commits.slice(down);
  const maxRetry = Math.max(...during.map((c) => c.retryCount));
  assert(maxRetry >= 2, `retryCount committed during the outage: ${show(during.map((c) => [c.state, c.retryCount]))}`);
  const firstDown = during.find((c) => c.state === "reconnecting");
  assert(firstDown.retryCount >= 1 && firstDown.readyState === ReSocket.CLOSED, `first reconnecting commit: ${show(firstDown)}`);
  const seq = states({ commits: during });
  eq([seq[0], seq[seq.length - 1]], ["reconnecting", "open"], `states committed from the drop (${seq.join(" → ")})`);
  assert(seq.includes("connecting"), `no connecting attempt committed: ${seq.join(" → ")}`);
  assert(log.last.retryCount >= 1, `retryCount right after the reconnect: ${log.last.retryCount}`);
  // No event marks the reset of the count once the link has been open for stableAfter.
  await until(() => log.last.retryCount === 0, 3000, "retryCount back to 0 once stable");
  eq([log.last.state, log.last.socket.retryCount], ["open", 0], "state and socket.retryCount");
  eq(opens.length, 2, "onOpen calls");
  const server = await control(`/control/stats?tag=${t}`);
  assert(server.refused >= 1, `the server refused ${server.refused} attempts`);
});

test("react: queuedAmount and bufferedAmount are current without events", async ({ mount, engine }) => {
  // The queue: fills while the link is down (no event), empties on the replay.
  const t = tag("queued");
  const log = newLog();
  const got = [];
  const options = { reconnect: { initialDelay: 600, factor: 1, maxDelay: 600, jitter: false }, onMessage: (e) => got.push(e.data) };
  mount(h(Probe, { url: `/echo?tag=${t}`, options, log }));
  await until(() => log.last?.state === "open", 10000, "state open");
  await control(`/control/down?ms=300&tag=${t}`);
  await until(() => log.last.state === "reconnecting", 5000, "state reconnecting");
  const { send } = log.last;
  for (let i = 0; i < 5; i++) await send(`${i}`.padEnd(1000, "."));
  await until(() => log.last.queuedAmount === 5000, 2000, `queuedAmount 5000 committed (the socket had ${log.last.socket.queuedAmount} when the wait began)`);
  eq(log.last.state, "reconnecting", "still down");
  await until(() => got.length === 5, 10000, "5 replayed echoes");
  await until(() => log.last.queuedAmount === 0 && log.last.state === "open", 2000, "queuedAmount 0 committed");

  // The browser's buffer: grows while the server does not read, drains with no event
  // (/push answers nothing, and pushes nothing within the test).
  const t2 = tag("buffered");
  const log2 = newLog();
  mount(h(Probe, { url: `/push?interval_ms=600000&tag=${t2}`, log: log2 }));
  await until(() => log2.last?.state === "open", 10000, "state open");
  await control(`/control/stall?ms=800&tag=${t2}`);
  const frame = new Uint8Array(64 * 1024);
  const sends = [];
  for (let i = 0; i < 64; i++) sends.push(log2.last.send(frame));
  const maxCommitted = () => Math.max(...log2.commits.map((c) => c.bufferedAmount + c.queuedAmount));
  await Promise.all(sends);
  await until(() => log2.last.bufferedAmount === 0 && log2.last.queuedAmount === 0, 10000, `bufferedAmount 0 committed (${log2.last.socket.bufferedAmount} when the wait began)`);
  const server = await serverStats(t2, (s) => s.bytes_in >= 64 * 65536, 5000, "4 MiB");
  eq(server.bytes_in, 64 * 65536, "bytes the server read");
  const note = `max bufferedAmount + queuedAmount committed: ${maxCommitted()}`;
  if (engine === "webkit") return `${note} (WebKit reports bufferedAmount 0 early: only its return to 0 is checked)`;
  assert(log2.commits.some((c) => c.bufferedAmount > 0), `no commit had bufferedAmount > 0; ${note}`);
  return note;
}, 30000);

test("react: sends made before the socket exists (a child's effect) reach it, in order", async ({ mount }) => {
  const t = tag("early");
  const got = [];
  const early = {};
  function Child({ api }) {
    useEffect(() => {
      // A child's effect runs before its parent's, so before the parent opens the socket.
      early.socketThen = api.socket;
      early.trySend = api.trySend("not sent");
      early.sends = [api.send("a"), api.sendJson({ b: 1 }), api.send(new Uint8Array([1, 2, 3]))];
    }, []); // once: on mount
    return null;
  }
  const log = newLog();
  const options = { onMessage: (e) => got.push(typeof e.data === "string" ? e.data : Array.from(new Uint8Array(e.data))) };
  mount(h(Probe, { url: `/echo?tag=${t}`, options, log, children: (api) => h(Child, { api }) }));
  await until(() => early.sends, 2000, "the child's effect");
  eq([early.socketThen, early.trySend], [null, false], "socket and trySend() in the child's effect");
  await Promise.all(early.sends);
  await until(() => got.length >= 3, 5000, "3 echoes");
  await sleep(100);
  eq(got, ["a", '{"b":1}', [1, 2, 3]], "echoes");
  eq((await control(`/control/stats?tag=${t}`)).messages_in, 3, "server: messages");
});

test("react: sends made before the socket exists are bounded as its queue is; what does not fit comes back", async ({ mount }) => {
  /** Mounts a Probe whose child sends `messages` in its effect, before the socket exists. */
  const early = async (name, queue, messages) => {
    const t = tag(name);
    const got = [];
    const out = {};
    function Child({ api }) {
      useEffect(() => {
        out.socketThen = api.socket;
        out.sends = messages.map((m) => api.send(m));
      }, []); // once: on mount
      return null;
    }
    const log = newLog();
    const options = { queue, onMessage: (e) => got.push(e.data) };
    mount(h(Probe, { url: `/echo?tag=${t}`, options, log, children: (api) => h(Child, { api }) }));
    await until(() => out.sends, 2000, `${name}: the child's effect`);
    eq(out.socketThen, null, `${name}: the socket in the child's effect`);
    const settled = (await Promise.allSettled(out.sends)).map((r) =>
      r.status === "fulfilled" ? "sent" : r.reason instanceof ReSocketError ? [r.reason.code, r.reason.messages] : String(r.reason),
    );
    const sent = settled.filter((r) => r === "sent").length;
    await until(() => got.length >= sent, 5000, `${name}: ${sent} echoes`);
    await sleep(100);
    eq((await control(`/control/stats?tag=${t}`)).messages_in, sent, `${name}: server: messages`);
    return { settled, got };
  };

  // "reject" (the default): queue.maxMessages sends wait; the next ones are refused at once.
  let r = await early("held-count", { maxMessages: 3 }, ["a", "b", "c", "d", "e"]);
  eq(r.settled, ["sent", "sent", "sent", ["queue_full", ["d"]], ["queue_full", ["e"]]], "maxMessages 3: the sends");
  eq(r.got, ["a", "b", "c"], "maxMessages 3: echoes");

  // The byte bound (UTF-8 bytes, as the queue counts them).
  r = await early("held-bytes", { maxBytes: 10 }, ["12345678", "abc", "é"]);
  eq(r.settled, ["sent", ["queue_full", ["abc"]], "sent"], "maxBytes 10: the sends");
  eq(r.got, ["12345678", "é"], "maxBytes 10: echoes");

  // "drop-oldest": the oldest waiting sends are refused instead.
  r = await early("held-drop", { maxMessages: 2, overflow: "drop-oldest" }, ["a", "b", "c", "d"]);
  eq(r.settled, [["dropped", ["a"]], ["dropped", ["b"]], "sent", "sent"], "drop-oldest: the sends");
  eq(r.got, ["c", "d"], "drop-oldest: echoes");
});

test("react: a null url opens nothing; an invalid url or option reaches onClose instead of throwing", async ({ mount }) => {
  const base = live();
  const log = newLog();
  const closes = [];
  const options = { onClose: (e) => closes.push(e) };
  const app = mount(h(Probe, { url: null, options, log }));
  await until(() => log.mounts === 1, 2000, "the mount");
  await sleep(100);
  const c = log.last;
  eq([c.state, c.readyState, c.socket], ["closed", ReSocket.CLOSED, null], "with a null url");
  eq(live(), base, "liveSockets");
  await rejectsClosed(c.send("x"), "send() with a null url");
  let thrown = null;
  try {
    c.trySend("x");
  } catch (e) {
    thrown = e;
  }
  assert(isClosedError(thrown), `trySend() with a null url: expected "closed" thrown, got ${thrown}`);

  app.render(h(Probe, { url: "ftp://example.invalid/", options, log, n: 1 }));
  await until(() => closes.length > 0, 2000, "onClose");
  const e = closes[0];
  eq([e.code, e.wasClean, e.by, e.error?.code], [1006, false, "client", "invalid_url"], "the close event");
  eq([log.last.n, log.last.state, log.last.socket], [1, "closed", null], "with an invalid url");
  eq(app.errors.map(String), [], "errors React reported");
  eq(app.container.textContent, "closed:1", "still rendered");
  await rejectsClosed(log.last.send("x"), "send() with an invalid url");

  const t = tag("null");
  app.render(h(Probe, { url: `/echo?tag=${t}`, options, log, n: 2 }));
  await until(() => log.last.state === "open", 10000, "open with a valid url");
  eq(live(), base + 1, "liveSockets");
  eq(closes.length, 1, "onClose calls");

  // An invalid option, the same way.
  const log2 = newLog();
  const bad = { reconnect: { initialDelay: "fast" }, onClose: (e) => closes.push(e) };
  const app2 = mount(h(Probe, { url: `/echo?tag=${t}`, options: bad, log: log2 }));
  await until(() => closes.length > 1, 2000, "onClose for the invalid option");
  eq([closes[1].code, closes[1].error?.code, log2.last.state, log2.last.socket], [1006, "invalid_option", "closed", null], "with an invalid option");
  assert(closes[1].error.message.includes("reconnect.initialDelay"), `error message: ${closes[1].error.message}`);
  eq(app2.errors.map(String), [], "errors React reported");
  eq(live(), base + 1, "liveSockets");
});

test("react: delivery: unacked follows sends, acknowledgements and the close, without polling; send({ ack: true }) and onDelivered show sent, then delivered", async ({ mount }) => {
  const t = tag("delivery");
  const log = newLog();
  const marks = {};
  const delivered = [];
  const errors = [];
  // An echoing peer: nothing is acknowledged until the page sends the acknowledgement itself.
  const options = {
    delivery: { maxMessages: 8 },
    onDelivered: (e) => {
      delivered.push(e.id);
      marks[e.id] = "delivered";
    },
    onError: (e) => errors.push([e.error?.code, e.messages]),
  };
  const app = mount(h(Probe, { url: `/echo?tag=${t}`, options, log }));
  await until(() => log.last?.state === "open", 10000, "open");
  eq(log.last.unacked, 0, "none in flight");
  const r = log.last;
  const acks = [];
  for (const id of [1, 2, 3]) {
    marks[id] = "sent";
    acks.push(r.sendJson({ id, text: `m${id}` }, { ack: true }));
  }
  await until(() => log.last.unacked === 3, 2000, "unacked 3 after the sends");
  // The echoing peer acknowledges what the page sends as an acknowledgement.
  await r.sendJson({ ack: 2 });
  const two = await acks[1];
  eq([two.id, two.data], [2, '{"ack":2}'], "the promise of message 2");
  await until(() => log.last.unacked === 2, 2000, "unacked 2 after the delivered event");
  eq([delivered, marks], [[2], { 1: "sent", 2: "delivered", 3: "sent" }], "sent, then delivered");
  const answer = await r.request('{"id":"q"}', { timeout: 50 }).catch((e) => e.code);
  eq(answer, "ack_timeout", "request() to a peer that does not answer it");
  // No timer keeps re-reading: the count changes only with events and sends.
  const commits = log.commits.length;
  await sleep(250);
  eq(log.commits.length, commits, "no commits while nothing happens (nothing polled)");
  r.close();
  await until(() => log.last.state === "closed", 5000, "closed");
  eq(log.last.unacked, 0, "none in flight after the close");
  const rejected = await Promise.allSettled([acks[0], acks[2]]);
  eq(rejected.map((x) => x.reason?.code), ["unacked", "unacked"], "the others rejected as unacked");
  eq(errors, [], "no error event: every message had its promise");
  eq(app.errors.map(String), [], "errors React reported");
});

export default tests;
