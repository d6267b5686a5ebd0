// The page of the worker case: starts src/worker.js as a module worker, in the form
// bundlers recognise, and shows the verdict the worker posts back.
import { show } from "./checks.js";

const worker = new Worker(new URL("./worker.js", import.meta.url), { type: "module" });
worker.onmessage = (e) => {
  const r = e.data;
  show(r.where === "worker" ? r : { ...r, ok: false, error: `the checks ran in a ${r.where}, not in the worker` });
};
worker.onerror = (e) => {
  show({ ok: false, where: "worker", passed: [], error: `the worker failed: ${e.message || "error event without a message (did its script load?)"}` });
};
