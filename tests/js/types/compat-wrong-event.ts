// Must NOT compile: "mesage" is not an event of ReconnectingWebSocket, so a listener
// object on it receives a plain Event, not a MessageEvent (the error is on line 8).
import ReconnectingWebSocket from "resocket-wasm/reconnecting-websocket";

const rws = new ReconnectingWebSocket("wss://example.invalid/");
const onMessage = { handleEvent: (e: MessageEvent): void => console.log(e.data) };
rws.addEventListener("message", onMessage);
rws.addEventListener("mesage", { handleEvent(e: MessageEvent) { console.log(e.data); } });
