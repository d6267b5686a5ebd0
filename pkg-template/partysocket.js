// resocket-wasm/partysocket: for code written against `partysocket/ws`. The class is
// resocket-wasm/reconnecting-websocket's: partysocket's reconnecting WebSocket has the same
// options (plus `debugLogger`, accepted there too) and the same events.
//
//   import WebSocket from "resocket-wasm/partysocket"; // was: from "partysocket/ws"

export {
  default,
  ReconnectingWebSocket as WebSocket,
  CloseEvent,
  ErrorEvent,
} from "./reconnecting-websocket.js";
