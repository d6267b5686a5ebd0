// Must NOT compile: "mesage" is not an event of ReSocket, so a listener on it receives a
// plain Event, not a ReSocketMessageEvent (the error is on line 8; line 7 is correct).
import { ReSocket, type ReSocketMessageEvent } from "resocket-wasm";

const ws = new ReSocket("wss://example.invalid/");
const onMessage = (e: ReSocketMessageEvent): void => console.log(e.data);
ws.addEventListener("message", onMessage);
ws.addEventListener("mesage", onMessage);
