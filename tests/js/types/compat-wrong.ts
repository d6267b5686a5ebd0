// Must NOT compile: reconnecting-websocket's `maxRetries` is a number (the error is on line 5).
import ReconnectingWebSocket from "resocket-wasm/reconnecting-websocket";

export const rws = new ReconnectingWebSocket("wss://example.invalid/", [], {
  maxRetries: "10",
});
