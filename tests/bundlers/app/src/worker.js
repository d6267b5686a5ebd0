// The module worker: imports resocket-wasm by name and runs the checks of checks.js
// against the echo endpoint of the origin it was loaded from; posts the result.
import { ReSocket, ReSocketError } from "resocket-wasm";
import { run } from "./checks.js";

const url = new URL("/echo", self.location.href).href.replace(/^http/, "ws");
run({ ReSocket, ReSocketError }, () => new ReSocket(url, { reconnect: false })).then((r) => self.postMessage(r));
