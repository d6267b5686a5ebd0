// Tests of resocket-wasm/partysocket/react (partysocket/react's useWebSocket and
// usePartySocket) with real React and react-dom in development mode, imported by name
// through the page's import map. tests.js registers these after its own tests (every name
// starts with "party-react"); run only them with RESOCKET_JS_FILTER=party-react.

import { StrictMode, createElement as h, useLayoutEffect } from "react";
import { createRoot } from "react-dom/client";
import { diagnostics } from "resocket-wasm";
import PartyWebSocket from "resocket-wasm/partysocket";
import usePartySocket, { useWebSocket } from "resocket-wasm/partysocket/react";
import { assert, control, eq, serverStats, sleep, until } from "./hostile-harness.js";

const wsBase = `ws://${location.host}`;
let tagSeq = 0;
const tag = (name) => `party-react-${name}-${Date.now().toString(36)}-${++tagSeq}`;
const live = () => diagnostics().liveSockets;
const stats = (t) => control(`/control/stats?tag=${encodeURIComponent(t)}`);

/** What a Probe saw: the socket of every commit, and the events its handlers got. */
function newLog() {
  return {
    commits: [],
    events: [],
    get socket() {
      return this.commits[this.commits.length - 1]?.socket;
    },
    get last() {
      return this.commits[this.commits.length - 1];
    },
    /** The data of the `message` events, in order. */
    get messages() {
      return this.events.filter((e) => e[0] === "message").map((e) => e[1]);
    },
  };
}

/** The four event handler options, logging into `log` (with `name`, to tell them apart). */
const handlers = (log, name = "") => ({
  onOpen: (e) => log.events.push(["open", name, e.type]),
  onMessage: (e) => log.events.push(["message", name ? `${name}:${e.data}` : e.data]),
  onClose: (e) => log.events.push(["close", name, e.code]),
  onError: (e) => log.events.push(["error", name, e.message]),
});

/** Renders `use()` (a hook call returning the socket) and logs every commit (with `n`). */
function Probe({ use, log, n = 0 }) {
  const socket = use();
  useLayoutEffect(() => {
    log.commits.push({ socket, n, readyState: socket.readyState });
  });
  return h("p", null, `${n}`);
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
        const note = await fn({
          ...ctx,
          mount(element, strict = false) {
            const app = mount(element, strict);
            apps.push(app);
            return app;
          },
        });
        for (const app of apps) eq(app.errors.map(String), [], "errors React reported");
        return note;
      } finally {
        for (const app of apps) app.unmount();
        await until(() => live() <= before, 3000, "").catch(() => {});
      }
    },
  });

test("party-react: useWebSocket connects after mount, calls onOpen and onMessage, and closes the socket on unmount", async ({ mount }) => {
  const t = tag("basic");
  const base = live();
  const log = newLog();
  const url = `${wsBase}/echo?tag=${t}`;
  const app = mount(h(Probe, { log, use: () => useWebSocket(url, undefined, handlers(log)) }));
  await until(() => log.commits.length > 0, 2000, "the first commit");
  eq(log.commits[0].readyState, PartyWebSocket.CLOSED, "readyState of the first render (made closed, connected by the effect)");
  const ws = log.socket;
  assert(ws instanceof PartyWebSocket, "the hook returns resocket-wasm/partysocket's class");
  await until(() => log.events.some((e) => e[0] === "open"), 10000, "onOpen");
  eq(ws.readyState, PartyWebSocket.OPEN, "readyState when open");
  eq(ws.url, url, "url");
  ws.send("hello");
  await until(() => log.messages.length === 1, 5000, "the echo");
  eq(log.events, [["open", "", "open"], ["message", "hello"]], "events the handlers got");
  eq(live(), base + 1, "live sockets while mounted");
  const open = await stats(t);
  eq([open.accepted, open.open], [1, 1], "server: connections accepted and open");

  app.unmount();
  const closed = await serverStats(t, (s) => s.open === 0 && s.closes.length === 1, 5000, "the close");
  eq([closed.accepted, closed.closes], [1, [{ code: 1000, reason: "" }]], "server: the unmount closed the connection");
  await until(() => ws.readyState === PartyWebSocket.CLOSED, 3000, "readyState CLOSED");
  await until(() => live() === base, 3000, `liveSockets back to ${base} (now ${live()})`);
  await sleep(300);
  eq((await stats(t)).accepted, 1, "server: no reconnection after unmount");
  eq(log.messages, ["hello"], "messages after unmount");
});

test("party-react: re-renders with new inline options keep the socket; the latest onMessage is called", async ({ mount }) => {
  const t = tag("stable");
  const url = `${wsBase}/echo?tag=${t}`;
  const log = newLog();
  // A new options object and new handlers on every render, as inline props are.
  const props = (n) => ({ log, n, use: () => useWebSocket(url, undefined, { maxRetries: 5, ...handlers(log, `h${n}`) }) });
  const app = mount(h(Probe, props(0)));
  await until(() => log.events.some((e) => e[0] === "open"), 10000, "onOpen");
  for (let n = 1; n <= 10; n++) {
    app.render(h(Probe, props(n)));
    await until(() => log.last.n === n, 2000, `render ${n}`);
  }
  eq(new Set(log.commits.map((c) => c.socket)).size, 1, "distinct sockets over the renders");
  log.socket.send("x");
  await until(() => log.messages.length === 1, 5000, "the echo");
  app.render(h(Probe, props(11)));
  await until(() => log.last.n === 11, 2000, "render 11");
  log.socket.send("y");
  await until(() => log.messages.length === 2, 5000, "the second echo");
  eq(log.messages, ["h10:x", "h11:y"], "which handler got each message");
  eq(log.events.filter((e) => e[0] === "open").length, 1, "onOpen calls");
  const s = await stats(t);
  eq([s.accepted, s.open], [1, 1], "server: connections accepted and open (no reconnection)");
});

test("party-react: a new url or reconnection option replaces the socket and closes the old one", async ({ mount }) => {
  const [ta, tb] = [tag("url-a"), tag("url-b")];
  const log = newLog();
  const props = (t, options, n) => ({ log, n, use: () => useWebSocket(`${wsBase}/echo?tag=${t}`, undefined, { ...options, ...handlers(log) }) });
  const app = mount(h(Probe, props(ta, {}, 0)));
  await until(() => log.events.some((e) => e[0] === "open"), 10000, "onOpen");
  const first = log.socket;
  app.render(h(Probe, props(tb, {}, 1)));
  await until(() => log.socket !== first, 2000, "a new socket for the new url");
  const second = log.socket;
  await serverStats(ta, (s) => s.open === 0 && s.closes.length === 1, 5000, "the old connection closed");
  await serverStats(tb, (s) => s.open === 1, 5000, "the new connection open");
  await until(() => second.readyState === PartyWebSocket.OPEN, 5000, "the new socket open");
  eq(first.readyState, PartyWebSocket.CLOSED, "the old socket");
  // A reconnection option (maxRetries) replaces it too; a handler does not.
  app.render(h(Probe, props(tb, { maxRetries: 3 }, 2)));
  await until(() => log.socket !== second, 2000, "a new socket for the new maxRetries");
  const third = log.socket;
  await serverStats(tb, (s) => s.accepted === 2 && s.open === 1 && s.closes.length === 1, 5000, "the second connection replaced");
  app.render(h(Probe, props(tb, { maxRetries: 3, onOpen: () => {} }, 3)));
  await until(() => log.last.n === 3, 2000, "render 3");
  await sleep(200);
  assert(log.socket === third, "a new handler replaced the socket");
  eq((await stats(tb)).accepted, 2, "server: connections of the second url");
  eq((await stats(ta)).accepted, 1, "server: connections of the first url");
});

test("party-react: enabled: false keeps it closed; true connects the same socket; false again closes it", async ({ mount }) => {
  const t = tag("enabled");
  const log = newLog();
  const props = (enabled, n) => ({ log, n, use: () => useWebSocket(`${wsBase}/echo?tag=${t}`, undefined, { enabled, ...handlers(log) }) });
  const app = mount(h(Probe, props(false, 0)));
  await until(() => log.commits.length > 0, 2000, "the first commit");
  await sleep(400);
  const ws = log.socket;
  eq([ws.readyState, (await stats(t)).accepted], [PartyWebSocket.CLOSED, 0], "disabled: readyState and server connections");
  app.render(h(Probe, props(true, 1)));
  await until(() => ws.readyState === PartyWebSocket.OPEN, 10000, "open once enabled");
  assert(log.socket === ws, "enabling replaced the socket");
  app.render(h(Probe, props(false, 2)));
  await serverStats(t, (s) => s.open === 0 && s.closes.length === 1, 5000, "the close when disabled");
  await until(() => ws.readyState === PartyWebSocket.CLOSED, 3000, "readyState CLOSED when disabled");
  await sleep(300);
  eq((await stats(t)).accepted, 1, "server: no reconnection while disabled");
  app.render(h(Probe, props(true, 3)));
  await serverStats(t, (s) => s.accepted === 2 && s.open === 1, 10000, "a connection once enabled again");
  assert(log.socket === ws, "enabling again replaced the socket");
  eq(new Set(log.commits.map((c) => c.socket)).size, 1, "distinct sockets");
});

test("party-react: startClosed: no connection until the application calls reconnect(); unmount closes it", async ({ mount }) => {
  const t = tag("start-closed");
  const base = live();
  const log = newLog();
  const app = mount(h(Probe, { log, use: () => useWebSocket(`${wsBase}/echo?tag=${t}`, undefined, { startClosed: true, ...handlers(log) }) }));
  await until(() => log.commits.length > 0, 2000, "the first commit");
  await sleep(400);
  const ws = log.socket;
  eq([ws.readyState, (await stats(t)).accepted, log.events], [PartyWebSocket.CLOSED, 0, []], "readyState, server connections, events");
  ws.reconnect();
  await until(() => log.events.some((e) => e[0] === "open"), 10000, "onOpen after reconnect()");
  app.unmount();
  await serverStats(t, (s) => s.open === 0 && s.closes.length === 1, 5000, "the close on unmount");
  await until(() => live() === base, 3000, `liveSockets back to ${base} (now ${live()})`);
});

test("party-react: StrictMode: one socket, one connection left open, each message to onMessage once", async ({ mount }) => {
  const t = tag("strict");
  const base = live();
  const log = newLog();
  mount(h(Probe, { log, use: () => useWebSocket(`${wsBase}/echo?tag=${t}`, undefined, handlers(log)) }), true);
  await until(() => log.socket?.readyState === PartyWebSocket.OPEN, 10000, "open");
  await serverStats(t, (s) => s.open === 1, 5000, "one open connection");
  log.socket.send("once");
  await until(() => log.messages.length >= 1, 5000, "the echo");
  await sleep(300);
  eq(log.messages, ["once"], "messages");
  eq(new Set(log.commits.map((c) => c.socket)).size, 1, "distinct sockets rendered");
  eq((await stats(t)).open, 1, "server: open connections");
  eq(live(), base + 1, "live sockets");
});

test("party-react: usePartySocket connects to the PartyKit URL on the page's host, with _pk and the query", async ({ mount }) => {
  const [ta, tb] = [tag("party-a"), tag("party-b")];
  const log = newLog();
  // basePath replaces parties/PARTY/ROOM, so the URL is the test server's /echo.
  const props = (room, query, n) => ({ log, n, use: () => usePartySocket({ basePath: "echo", room, id: "me-1", query, ...handlers(log) }) });
  const app = mount(h(Probe, props("one", { tag: ta, empty: null }, 0)));
  await until(() => log.events.some((e) => e[0] === "open"), 10000, "onOpen");
  const ws = log.socket;
  eq([ws.url, ws.roomUrl, ws.id, ws.room, ws.host], [`${wsBase}/echo?_pk=me-1&tag=${ta}`, `${wsBase}/echo`, "me-1", "one", location.host], "url, roomUrl, id, room, host");
  ws.send("hi");
  await until(() => log.messages.length === 1, 5000, "the echo");
  // A new room replaces the socket; a query function is called for the URL.
  app.render(h(Probe, props("two", async () => ({ tag: tb }), 1)));
  await until(() => log.socket !== ws, 2000, "a new socket for the new room");
  await serverStats(tb, (s) => s.open === 1, 10000, "the new connection");
  await serverStats(ta, (s) => s.open === 0, 5000, "the old connection closed");
  await until(() => log.socket.readyState === PartyWebSocket.OPEN, 5000, "the new socket open");
  eq([log.socket.url, log.socket.room], [`${wsBase}/echo?_pk=me-1&tag=${tb}`, "two"], "the new socket's url and room");
});

test("party-react: messages queued on a replaced socket go to the new one (transferEnqueuedMessages)", async ({ mount }) => {
  if (typeof PartyWebSocket.prototype.drainQueuedMessages !== "function") {
    return "not checked: resocket-wasm/partysocket has no drainQueuedMessages() yet";
  }
  const warnings = [];
  const warn = console.warn;
  console.warn = (...args) => warnings.push(args.join(" "));
  try {
    for (const transfer of [undefined, false]) {
      const t = tag(`transfer-${transfer}`);
      const log = newLog();
      const props = (maxRetries, n) => ({
        log,
        n,
        use: () => useWebSocket(`${wsBase}/echo?tag=${t}`, undefined, { startClosed: true, maxRetries, transferEnqueuedMessages: transfer, ...handlers(log) }),
      });
      const app = mount(h(Probe, props(5, 0)));
      await until(() => log.commits.length > 0, 2000, "the first commit");
      eq([log.socket.send("a"), log.socket.send("b")], [false, false], "send() on a closed socket (queued)");
      const old = log.socket;
      app.render(h(Probe, props(6, 1)));
      await until(() => log.socket !== old, 2000, "the replacement socket");
      await until(() => log.socket.readyState === PartyWebSocket.OPEN, 10000, "the replacement open");
      await sleep(300);
      const s = await stats(t);
      if (transfer === undefined) {
        eq([log.messages, s.messages_in], [["a", "b"], 2], "by default (same url): the queued messages, echoed");
      } else {
        eq([log.messages, s.messages_in], [[], 0], "transferEnqueuedMessages: false: nothing sent");
        assert(warnings.some((w) => w.includes("discarded 2 buffered message(s)")), `warnings: ${warnings}`);
      }
      app.unmount();
    }
  } finally {
    console.warn = warn;
  }
});

export default tests;
