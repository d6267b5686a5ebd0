// Types of resocket-wasm/partysocket: partysocket/ws's reconnecting WebSocket on resocket's core.

export {
  default,
  ReconnectingWebSocket as WebSocket,
  CloseEvent,
  ErrorEvent,
  type EventHandler,
  type Listener,
  type Message,
  type Options,
  type ProtocolsProvider,
  type UrlProvider,
  type WebSocketEventMap,
} from "./reconnecting-websocket.js";
