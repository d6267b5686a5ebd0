// The consumer app of the bundler suite: imports resocket-wasm by name, as an
// application does, and runs the checks of checks.js with a socket made at once. The
// echo endpoint comes in the page's `ws` query parameter. The verdict is shown on
// window.__result and as the document title.
import { ReSocket, ReSocketError } from "resocket-wasm";
import { run, show } from "./checks.js";

const url = new URLSearchParams(location.search).get("ws") ?? "/echo";
run({ ReSocket, ReSocketError }, () => new ReSocket(url, { reconnect: false })).then(show);
