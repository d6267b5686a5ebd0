// Must NOT compile: `reconnect.initialDelay` is a number of milliseconds.
import { ReSocket } from "resocket-wasm";

export const ws = new ReSocket("wss://example.invalid/", {
  reconnect: { initialDelay: "fast" },
});
