// A ReSocket that is closed for good releases what it holds — the browser socket and its
// listeners, every timer (heartbeat, backoff, close timeout), the `online` watch — without
// free(), as users of the browser's WebSocket never free anything. tests.js registers
// these (every name starts with "release"). That the closed object is then collected is
// measured by `make soak` (forced GC in each engine), which a page cannot force.

import { ReSocket, diagnostics } from "resocket-wasm";
import { tag, show, eq, until, once, control } from "./hostile-harness.js";

const wsBase = `ws://${location.host}`;
const tests = [];
const test = (name, fn, timeout = 20000) => tests.push({ name, fn, timeout });

const live = () => {
  const d = diagnostics();
  return { liveSockets: d.liveSockets, liveListeners: d.liveListeners, liveTimers: d.liveTimers };
};

async function backTo(base, what) {
  await until(
    () => show(live()) === show(base),
    3000,
    `${what}: diagnostics back to ${show(base)} without free() (now ${show(live())})`,
  );
}

test("release: close() leaves no socket, listener or timer behind, without free()", async () => {
  const base = live();
  const sockets = [1, 2, 3].map((i) => new ReSocket(`${wsBase}/echo?tag=${tag("release")}-${i}`, { heartbeat: { interval: 1000 } }));
  await Promise.all(sockets.map((ws) => once(ws, "open", 10000)));
  const during = live();
  eq(during.liveSockets, base.liveSockets + 3, "sockets while open");
  const closed = sockets.map((ws) => once(ws, "close", 10000));
  for (const ws of sockets) ws.close(1000, "done");
  await Promise.all(closed);
  await backTo(base, "after close()");
  for (const ws of sockets) eq([ws.state, ws.readyState], ["closed", ReSocket.CLOSED], "state after close()");
});

test("release: a socket the server ends for good, or a refused one that may not retry, holds nothing either", async () => {
  const base = live();
  const stopped = new ReSocket(`${wsBase}/close?code=4000&reason=bye&tag=${tag("release-stop")}`, { heartbeat: { interval: 1000 } });
  const stoppedClose = once(stopped, "close", 10000);
  const down = tag("release-refused");
  await control(`/control/down?ms=5000&tag=${down}`); // the server refuses this tag's handshakes
  // One refused attempt ends it (engines throttle retries to a refusing host on their own).
  const refused = new ReSocket(`${wsBase}/echo?tag=${down}`, { reconnect: false });
  const refusedClose = once(refused, "close", 10000);
  const a = await stoppedClose;
  eq([a.code, a.by], [4000, "remote"], "the server's stop code ends it");
  const b = await refusedClose;
  eq(b.error?.code, "connect_failed", "a refused attempt without reconnection ends it");
  await backTo(base, "after the remote close and the refused attempt");
});

export default tests;
