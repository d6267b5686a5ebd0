// Interop: acknowledged delivery against a server written in another language than the
// project's own: the Node `ws` server of examples/ack-server (its file is the argument).
// A TCP proxy between client and server cuts the link at seeded random points while 600
// tracked messages go out; every send must be acknowledged, the server must have
// processed each id exactly once (its own counters), and a request must come back with
// its response. Run from a project where `npm install` put resocket-wasm (from its
// tarball) and ws:
//   node node-interop.mjs <examples/ack-server/server.mjs>
// Prints `ok ...` / `FAIL ...` lines.

import { spawn } from "node:child_process";
import { copyFileSync } from "node:fs";
import { createServer, connect } from "node:net";

const source = process.argv[2];
if (!source) {
  console.log("FAIL node interop: usage: node node-interop.mjs <server.mjs>");
  process.exit(1);
}
// The server runs from this folder, where `ws` is installed.
copyFileSync(source, "ack-server.mjs");

globalThis.WebSocket = (await import("ws")).WebSocket;
const { ReSocket, ready } = await import("resocket-wasm");
await ready;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const failures = [];
const serverPort = await freePort();
const server = spawn(process.execPath, ["ack-server.mjs"], {
  env: { ...process.env, PORT: String(serverPort) },
  stdio: ["ignore", "pipe", "inherit"],
});
await new Promise((resolve, reject) => {
  const t = setTimeout(() => reject(new Error("the Node server did not start")), 10_000);
  server.stdout.on("data", (d) => String(d).includes("listening") && (clearTimeout(t), resolve()));
});

// The proxy: every client connection is piped to the server; `cut()` resets them all.
const links = new Set();
const proxy = createServer((client) => {
  const upstream = connect(serverPort, "127.0.0.1");
  const link = { client, upstream };
  links.add(link);
  client.pipe(upstream).pipe(client);
  const end = () => {
    links.delete(link);
    client.destroy();
    upstream.destroy();
  };
  client.on("error", end).on("close", end);
  upstream.on("error", end).on("close", end);
});
await new Promise((r) => proxy.listen(0, "127.0.0.1", r));
const cut = () => {
  for (const { client, upstream } of links) {
    client.resetAndDestroy();
    upstream.destroy();
  }
};

let seed = 42;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const N = 600;
const url = `ws://127.0.0.1:${proxy.address().port}/?client=interop-${process.pid}`;
const ws = new ReSocket(url, {
  delivery: { maxMessages: 32 },
  reconnect: { initialDelay: 20, maxDelay: 200, stableAfter: 100 },
});
try {
  const acks = [];
  // 20 messages every 8 ms; meanwhile the link is cut at seeded random moments.
  const sending = (async () => {
    for (let i = 1; i <= N; i++) {
      acks.push(ws.sendJson({ id: i, text: `line ${i}` }, { ack: true }));
      if (i % 20 === 0) await sleep(8);
    }
  })();
  let cuts = 0;
  for (let k = 0; k < 6; k++) {
    await sleep(20 + random() * 40);
    if (links.size > 0) cuts += 1;
    cut();
  }
  await sending;
  const settled = await Promise.race([Promise.allSettled(acks), sleep(30_000).then(() => null)]);
  if (!settled) failures.push("acknowledgements did not all come within 30 s");
  else {
    const bad = settled.filter((r) => r.status !== "fulfilled" || r.value?.id !== settled.indexOf(r) + 1);
    if (bad.length) failures.push(`${bad.length} sends not acknowledged with their id (first: ${bad[0].reason ?? JSON.stringify(bad[0].value)})`);
  }
  const reply = await ws.requestJson({ id: "req-1", request: { question: 6 * 7 } }, { timeout: 5000 });
  if (reply?.ack !== "req-1" || reply?.response?.question !== 42) failures.push(`request: ${JSON.stringify(reply)}`);
  const stats = await (await fetch(`http://127.0.0.1:${serverPort}/stats`)).json();
  // Each id processed exactly once, whatever was sent again after the cuts.
  if (stats.processed !== N + 1) failures.push(`server processed ${stats.processed}, want ${N + 1}`);
  const s = ws.stats();
  if (s.unacked !== 0) failures.push(`${s.unacked} still unacknowledged`);
  if (cuts < 3 || s.reconnects < 3) failures.push(`only ${cuts} cuts / ${s.reconnects} reconnects: the run proved little`);
  console.log(
    failures.length
      ? `FAIL node interop: ${failures.join("; ")}`
      : `ok node interop: ${N} acknowledged through ${s.reconnects} reconnects against the Node ws server (${stats.duplicates} duplicates dropped by id, ${s.replayed} sent again), request/response`,
  );
} finally {
  ws.free();
  proxy.close();
  server.kill();
}
process.exit(failures.length ? 1 : 0);
