// Closed ReSockets are collected without free(), in Node with `ws` (run with
// --expose-gc, from a project where `npm install` put resocket-wasm and ws). Sockets are
// closed while connecting and after open, never freed, and no reference is kept; a
// FinalizationRegistry counts how many are collected after forced GCs. Plain objects
// registered beside them are the control: if they are not collected, no GC happened and
// the test fails too (it never passes without measuring).
// RESOCKET_RELEASE_SOCKETS sets the number of sockets per kind (default 100).

const server = process.env.RESOCKET_TEST_SERVER;
if (!server) {
  console.log("FAIL node release: RESOCKET_TEST_SERVER is not set");
  process.exit(1);
}
if (typeof globalThis.gc !== "function") {
  console.log("FAIL node release: run with --expose-gc");
  process.exit(1);
}

globalThis.WebSocket = (await import("ws")).WebSocket;
const { ReSocket, diagnostics } = await import("resocket-wasm");

const N = Number(process.env.RESOCKET_RELEASE_SOCKETS ?? 100);
const once = (target, type, ms = 10000) =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ${type} event within ${ms} ms`)), ms);
    target.addEventListener(type, (e) => (clearTimeout(timer), resolve(e)), { once: true });
  });

const counts = { connecting: [0, 0], open: [0, 0], control: [0, 0] }; // [registered, collected]
const registry = new FinalizationRegistry((kind) => (counts[kind][1] += 1));
const register = (value, kind) => {
  registry.register(value, kind);
  counts[kind][0] += 1;
};

/** One socket, closed at `when` ("connecting" or "open"), never freed, not kept. */
async function cycle(when) {
  const ws = new ReSocket(`ws://${server}/echo?tag=node-release`);
  register(ws, when);
  register({ control: true }, "control");
  if (when === "open") await once(ws, "open");
  const closed = once(ws, "close");
  ws.close();
  await closed;
}

const failures = [];
try {
  for (let i = 0; i < N; i += 10) {
    const batch = [];
    for (let j = 0; j < 10; j++) batch.push(cycle(j % 2 === 0 ? "connecting" : "open"));
    await Promise.all(batch);
  }
} catch (e) {
  failures.push(String(e?.message ?? e));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
for (let i = 0; i < 6; i++) {
  globalThis.gc();
  await sleep(100); // FinalizationRegistry callbacks run in later tasks
}

const [ctrl, ctrlDone] = counts.control;
if (ctrlDone < ctrl * 0.99) failures.push(`the control objects were not collected (${ctrlDone}/${ctrl}): no GC happened`);
for (const kind of ["connecting", "open"]) {
  const [n, done] = counts[kind];
  // Every one, bar at most 1% still referenced by a task in flight when the GC ran.
  if (done < n * 0.99) failures.push(`sockets closed while ${kind}: ${done}/${n} collected`);
}
const d = diagnostics();
if (d.liveSockets !== 0 || d.liveTimers !== 0 || d.liveListeners !== 0) {
  failures.push(`live resources after close: ${JSON.stringify(d)}`);
}

const summary = `${counts.connecting[1]}/${counts.connecting[0]} closed while connecting, ${counts.open[1]}/${counts.open[0]} after open, controls ${ctrlDone}/${ctrl}`;
if (failures.length === 0) console.log(`ok node release: closed ReSockets are collected without free() (${summary})`);
else {
  console.log(`FAIL node release: ${failures.join("; ")} (${summary})`);
  process.exit(1);
}
process.exit(0);
