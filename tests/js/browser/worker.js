// A module Web Worker using the package (workers have no import maps: import by path).
import { ReSocket } from "/node_modules/resocket-wasm/index.js";

// Parameters come in the script URL: a message posted before the module (with its
// top-level await) has finished evaluating could arrive before a handler exists.
const params = new URL(import.meta.url).searchParams;

(async () => {
  const url = params.get("url");
  const text = params.get("text");
  try {
    const ws = new ReSocket(url);
    await new Promise((resolve, reject) => {
      ws.addEventListener("open", resolve, { once: true });
      ws.addEventListener("close", () => reject(new Error("closed before open")), { once: true });
    });
    const reply = new Promise((resolve) => ws.addEventListener("message", (m) => resolve(m.data), { once: true }));
    await ws.send(text);
    const data = await reply;
    ws.close();
    self.postMessage({ ok: true, data, hasWindow: typeof window !== "undefined" });
  } catch (err) {
    self.postMessage({ ok: false, error: String((err && err.stack) || err) });
  }
})();
