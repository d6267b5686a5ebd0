// Must NOT compile, without the DOM lib either: "mesage" is not an event of ReSocket, so
// a listener on it receives a plain event, not a ReSocketMessageEvent (the error is on
// line 9; line 8 is correct).
import { ReSocket, type ReSocketMessageEvent } from "resocket-wasm";

declare function log(...values: unknown[]): void;
const ws = new ReSocket("ws://127.0.0.1:8080/echo");
ws.addEventListener("message", (e: ReSocketMessageEvent) => log(e.data));
ws.addEventListener("mesage", (e: ReSocketMessageEvent) => log(e.data));
