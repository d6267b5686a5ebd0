// Server rendering with resocket-wasm/react: renderToString of components that use
// useReSocket must open no socket and render the first state the browser renders too.
// Run from a project with resocket-wasm, react and react-dom installed; prints one
// `ok node: ...` / `FAIL node: ...` line per check and exits non-zero on a failure.

import { createElement as h } from "react";
import { renderToString } from "react-dom/server";
import { diagnostics } from "resocket-wasm";
import { useReSocket } from "resocket-wasm/react";

let failed = 0;
function check(name, fn) {
  try {
    fn();
    console.log(`ok node: ${name}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL node: ${name}: ${e?.message ?? e}`);
  }
}

function Status({ url }) {
  const r = useReSocket(url, { onMessage: () => {} });
  const shown = [r.state, r.readyState, r.bufferedAmount, r.queuedAmount, r.retryCount, r.socket === null];
  return h("p", null, shown.join(" "));
}

check("react SSR: useReSocket renders connecting/0 and opens no socket", () => {
  const html = renderToString(h("div", null, h(Status, { url: "ws://127.0.0.1:9/never" }), h(Status, { url: null })));
  const want = "<div><p>connecting 0 0 0 0 true</p><p>closed 3 0 0 0 true</p></div>";
  if (html !== want) throw new Error(`rendered ${html}, expected ${want}`);
  const d = diagnostics();
  if (d.liveSockets !== 0 || d.liveTimers !== 0) throw new Error(`diagnostics after rendering: ${JSON.stringify(d)}`);
});

function Delivery({ url }) {
  const r = useReSocket(url, { delivery: { maxMessages: 8 }, onDelivered: () => {} });
  const fns = [r.send, r.sendJson, r.request, r.requestJson].map((f) => typeof f);
  return h("p", null, [r.state, r.unacked, ...fns].join(" "));
}

check("react SSR: with acknowledged delivery, unacked renders 0 and the send functions exist, no socket opened", () => {
  const html = renderToString(h(Delivery, { url: "ws://127.0.0.1:9/never" }));
  const want = "<p>connecting 0 function function function function</p>";
  if (html !== want) throw new Error(`rendered ${html}, expected ${want}`);
  const d = diagnostics();
  if (d.liveSockets !== 0 || d.liveTimers !== 0) throw new Error(`diagnostics after rendering: ${JSON.stringify(d)}`);
});

process.exit(failed > 0 ? 1 : 0);
