// A member of a shared connection in a module Web Worker (share.js): it reports its
// role and state, and on request blocks its own event loop for a while (a leader that
// stops answering without leaving).
import { ReSocket } from "/node_modules/resocket-wasm/index.js";

const params = new URL(import.meta.url).searchParams;
const ws = new ReSocket(params.get("url"), {
  share: params.get("share"),
  reconnect: { initialDelay: 50, maxDelay: 500 },
});
const report = () => postMessage({ role: ws.shareRole, state: ws.state });
ws.addEventListener("statechange", report);
onmessage = (e) => {
  if (e.data?.op === "block") {
    const end = performance.now() + e.data.ms;
    while (performance.now() < end) {
      // busy: no task of this worker runs
    }
  }
  report();
};
report();
