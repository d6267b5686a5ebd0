// Node, ESM: `import` of resocket-wasm by name, with the `ws` package's class as the
// global WebSocket (Node 20 has none). Prints `ok NAME: ...` or `FAIL NAME: ...`.
//   node esm.mjs ws://127.0.0.1:PORT/echo "NAME"
import { ReSocket, ReSocketError } from "resocket-wasm";
import { WebSocket } from "ws";
import { run } from "../src/checks.js";

const [url, name] = process.argv.slice(2);
globalThis.WebSocket ??= WebSocket;
const r = await run({ ReSocket, ReSocketError }, () => new ReSocket(url, { reconnect: false }));
if (r.ok) console.log(`ok ${name}: ${r.passed.join(", ")} (${r.ms} ms)`);
else console.log(`FAIL ${name}: ${r.error}`);
// A socket left open by a failed check must not keep the process alive.
process.exit(r.ok ? 0 : 1);
