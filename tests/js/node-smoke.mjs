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
