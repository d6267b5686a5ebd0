// Server rendering with resocket-wasm/partysocket/react: renderToString of components that
// use useWebSocket and usePartySocket must open no socket (the socket of the first render
// is made closed; only an effect connects it), work where Node has no global WebSocket,
// and give the socket partysocket's PartyKit URL (the same as the original PartySocket
// makes, whose module is the optional argument). Run from a project with resocket-wasm,
// react and react-dom installed; prints one `ok node: ...` / `FAIL node: ...` line per
// check and exits non-zero on a failure.

import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { diagnostics } from "resocket-wasm";
import usePartySocket, { useWebSocket } from "resocket-wasm/partysocket/react";
import PartyWebSocket from "resocket-wasm/partysocket";

let failed = 0;
async function check(name, fn) {
  try {
    const note = await fn();
    console.log(`ok node: ${name}${note ? ` [${note}]` : ""}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL node: ${name}: ${e?.message ?? e}`);
  }
}
function eq(actual, expected, what) {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

/** A WebSocket class that records the URLs it is asked for and never connects. */
function recorder() {
  const urls = [];
  class Recorder extends EventTarget {
    readyState = 0;
    constructor(url) {
      super();
      urls.push(String(url));
    }
    send() {}
    close() {
      this.readyState = 3;
    }
  }
  return { urls, Recorder };
}

/** Renders `use()` in a component; returns the HTML and what `use()` returned. */
function render(use) {
  let result;
  function Probe() {
    result = use();
    return h("p", null, `${result.readyState}`);
  }
  const html = renderToString(h(Probe));
  return { html, socket: result };
}

const handlers = { onOpen() {}, onMessage() {}, onClose() {}, onError() {} };

await check("party-react SSR: useWebSocket renders a closed socket and connects nothing", () => {
  const { urls, Recorder } = recorder();
  const { html, socket } = render(() =>
    useWebSocket("ws://127.0.0.1:9/never", ["chat"], { WebSocket: Recorder, maxRetries: 3, enabled: true, ...handlers }),
  );
  eq(html, "<p>3</p>", "rendered readyState");
  if (!(socket instanceof PartyWebSocket)) throw new Error("the hook did not return the partysocket class");
  eq([socket.readyState, socket.url, socket.retryCount], [3, "", 0], "the socket");
  eq(urls, [], "sockets opened");
  const d = diagnostics();
  eq([d.liveSockets, d.liveTimers], [0, 0], "live sockets and timers");
});

await check("party-react SSR: rendering needs no global WebSocket (as where Node has none)", () => {
  const saved = Object.getOwnPropertyDescriptor(globalThis, "WebSocket");
  delete globalThis.WebSocket;
  try {
    const { html } = render(() => useWebSocket("ws://127.0.0.1:9/never", undefined, handlers));
    eq(html, "<p>3</p>", "rendered readyState");
    const party = render(() => usePartySocket({ host: "localhost:1999", room: "lobby" }));
    eq(party.html, "<p>3</p>", "rendered readyState of usePartySocket");
  } finally {
    if (saved) Object.defineProperty(globalThis, "WebSocket", saved);
  }
});

await check("party-react SSR: usePartySocket builds partysocket's PartyKit URLs", async () => {
  const { urls, Recorder } = recorder();
  const made = [];
  const cases = [
    [{ host: "project.user.partykit.dev", room: "lobby", id: "me" }, "wss://project.user.partykit.dev/parties/main/lobby", "wss://project.user.partykit.dev/parties/main/lobby?_pk=me"],
    [{ host: "https://project.user.partykit.dev/", room: "r1", party: "chat", id: "a", path: "sub/x", query: { token: "t 1", skip: null } }, "wss://project.user.partykit.dev/parties/chat/r1/sub/x", "wss://project.user.partykit.dev/parties/chat/r1/sub/x?_pk=a&token=t+1"],
    [{ host: "localhost:1999", room: "r", prefix: "rooms", id: "b" }, "ws://localhost:1999/rooms/main/r", "ws://localhost:1999/rooms/main/r?_pk=b"],
    [{ host: "172.20.0.5:8787", basePath: "custom/place", id: "c", query: async () => ({ t: "async" }) }, "ws://172.20.0.5:8787/custom/place", "ws://172.20.0.5:8787/custom/place?_pk=c&t=async"],
    [{ host: "172.40.0.5:8787", room: "r", protocol: "ws", id: "d" }, "ws://172.40.0.5:8787/parties/main/r", "ws://172.40.0.5:8787/parties/main/r?_pk=d"],
  ];
  const original = process.argv[2] ? (await import(process.argv[2])).default : null;
  for (const [options, roomUrl, url] of cases) {
    const { socket } = render(() => usePartySocket({ ...options, WebSocket: Recorder, ...handlers }));
    eq([socket.roomUrl, socket.id], [roomUrl, options.id], `roomUrl and id of ${JSON.stringify(options)}`);
    made.push(socket);
    if (original) {
      // partysocket's own PartySocket, made closed, agrees.
      const theirs = new original({ ...options, startClosed: true, WebSocket: Recorder });
      const theirUrl = typeof theirs._url === "function" ? await theirs._url() : theirs._url;
      const fields = (s) => [s.roomUrl, s.id, s.name, s.room, s.host, s.path, s.basePath];
      eq([theirUrl, ...fields(theirs)], [url, ...fields(socket)], `partysocket's PartySocket for ${JSON.stringify(options)}`);
    }
  }
  const [first] = made;
  eq([first.name, first.room, first.host, first.path, first.basePath], ["main", "lobby", "project.user.partykit.dev", "", undefined], "the first socket's fields");
  eq([made[1].name, made[1].path], ["chat", "/sub/x"], "party and path");
  // As partysocket's hook makes its PartySocket: with the hook's options, closed.
  const given = first.partySocketOptions;
  eq([given.room, given.id, given.startClosed, typeof given.onMessage], ["lobby", "me", true, "function"], "partySocketOptions");
  // Connected by hand (an effect would), each asks for its URL with the query.
  for (const socket of made) socket.reconnect();
  const end = Date.now() + 2000;
  while (urls.length < cases.length && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
  for (const socket of made) socket.close();
  eq(urls.sort(), cases.map((c) => c[2]).sort(), "the URLs connected to");
  const { socket: random } = render(() => usePartySocket({ host: "localhost:1999", room: "r", WebSocket: Recorder }));
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(random.id)) throw new Error(`id ${random.id} is not a UUID`);
  let threw = null;
  try {
    render(() => usePartySocket({ host: "localhost:1999", room: "r", path: "/x", WebSocket: Recorder }));
  } catch (e) {
    threw = e;
  }
  eq(threw?.message, "path must not start with a slash", "a path with a leading slash");
  if (!original) return "not compared with partysocket's PartySocket (no module given)";
});

process.exit(failed > 0 ? 1 : 0);
