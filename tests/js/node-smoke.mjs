// Node smoke test of the installed package: run from a project where `npm install` put
// resocket-wasm (from its tarball) and ws. Echo round trips against
// ws://$RESOCKET_TEST_SERVER/echo; prints `ok ...` / `FAIL ...` lines.

const server = process.env.RESOCKET_TEST_SERVER;
if (!server) {
  console.log("FAIL node: RESOCKET_TEST_SERVER is not set");
  process.exit(1);
}

const WsClass = (await import("ws")).WebSocket;
globalThis.WebSocket = WsClass;
const { ReSocket, diagnostics } = await import("resocket-wasm");

const once = (target, type, ms = 5000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
    target.addEventListener(type, (e) => (clearTimeout(timer), resolve(e)), { once: true });
  });

const failures = [];
const ws = new ReSocket(`ws://${server}/echo?tag=node-smoke`);
try {
  await once(ws, "open");
  let reply = once(ws, "message");
  await ws.send("hello from node");
  const text = (await reply).data;
  if (text !== "hello from node") failures.push(`text echo: ${JSON.stringify(text)}`);
  reply = once(ws, "message");
  await ws.send(new Uint8Array([0, 1, 254, 255]));
  const bin = (await reply).data;
  const ok = bin instanceof ArrayBuffer && new Uint8Array(bin).join() === "0,1,254,255";
  if (!ok) failures.push("binary echo");
  reply = once(ws, "message");
  await ws.sendJson({ node: process.versions.node });
  if ((await reply).json().node !== process.versions.node) failures.push("JSON echo");
  const closed = once(ws, "close");
  ws.close();
  const c = await closed;
  if (c.code !== 1000 || c.by !== "client") failures.push(`close: ${c.code} by ${c.by}`);
  if (diagnostics().liveSockets !== 0) failures.push(`liveSockets ${diagnostics().liveSockets} after close`);
} catch (e) {
  failures.push(String(e?.message ?? e));
} finally {
  ws.free();
}

if (failures.length === 0) {
  console.log(`ok node: echo round trip (text, binary, JSON) over ws in Node ${process.versions.node}`);
} else {
  console.log(`FAIL node: ${failures.join("; ")}`);
  process.exit(1);
}

// Without a global WebSocket: the class comes in the `WebSocket` option.
delete globalThis.WebSocket;
const problems = [];
try {
  new ReSocket(`ws://${server}/echo`).free();
  problems.push("constructed without any WebSocket class");
} catch (e) {
  if (e?.code !== "js") problems.push(`no class: ${e?.code} ${e?.message}`);
}
const ws2 = new ReSocket(`ws://${server}/echo?tag=node-option`, { WebSocket: WsClass });
try {
  await once(ws2, "open");
  const reply = once(ws2, "message");
  await ws2.send("via the option");
  if ((await reply).data !== "via the option") problems.push("echo via the option");
} catch (e) {
  problems.push(String(e?.message ?? e));
} finally {
  ws2.free();
}
if (problems.length === 0) {
  console.log("ok node: the WebSocket option opens sockets without a global WebSocket");
} else {
  console.log(`FAIL node: ${problems.join("; ")}`);
  process.exit(1);
}

// A shared connection in Node: no Web Locks here, so the share is this process's sockets.
const shareProblems = [];
const stats = async (t) => (await fetch(`http://${server}/control/stats?tag=${t}`)).json();
const st = `node-share-${Date.now().toString(36)}`;
const a = new ReSocket(`ws://${server}/echo?tag=${st}`, { WebSocket: WsClass, share: "node" });
const b = new ReSocket(`ws://${server}/echo?tag=${st}`, { WebSocket: WsClass, share: "node" });
try {
  await Promise.all([once(a, "open"), once(b, "open")]);
  const got = [[], []];
  a.addEventListener("message", (e) => got[0].push(e.data));
  b.addEventListener("message", (e) => got[1].push(e.data));
  await a.send("from a");
  await b.send("from b");
  for (let i = 0; i < 100 && got.some((g) => g.length < 2); i++) await new Promise((r) => setTimeout(r, 10));
  if (JSON.stringify(got) !== JSON.stringify([["from a", "from b"], ["from a", "from b"]])) shareProblems.push(`messages ${JSON.stringify(got)}`);
  const s = await stats(st);
  if (s.accepted !== 1 || s.open !== 1) shareProblems.push(`connections: accepted ${s.accepted}, open ${s.open}`);
  if (a.shareRole !== "leader" || b.shareRole !== "leader") shareProblems.push(`roles ${a.shareRole}, ${b.shareRole}`);
  a.close();
  b.close();
  await Promise.all([once(a, "close"), once(b, "close")]);
  for (let i = 0; i < 100 && (await stats(st)).open !== 0; i++) await new Promise((r) => setTimeout(r, 10));
  if ((await stats(st)).open !== 0) shareProblems.push("the connection stayed open after both closed");
  const d = diagnostics();
  if (d.liveSockets !== 0 || d.liveTimers !== 0) shareProblems.push(`left: ${d.liveSockets} sockets, ${d.liveTimers} timers`);
} catch (e) {
  shareProblems.push(String(e?.message ?? e));
} finally {
  a.free();
  b.free();
}
if (shareProblems.length === 0) {
  console.log("ok node: two ReSockets with one share name use one connection and release it when both close");
} else {
  console.log(`FAIL node: share: ${shareProblems.join("; ")}`);
  process.exit(1);
}
