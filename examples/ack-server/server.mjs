// The server side of resocket's acknowledged delivery, with the `ws` package.
// Run: PORT=8787 node server.mjs   (GET http://127.0.0.1:PORT/stats returns the counters)
import { createServer } from "node:http";
import { WebSocketServer } from "ws";

const port = Number(process.env.PORT ?? 8787);
const REMEMBER = 10_000; // ids remembered per client, oldest forgotten first
const clients = new Map(); // client key -> Set of ids already processed (insertion order)
const stats = { processed: 0, duplicates: 0 };

// A tracked message is a JSON object whose id is a non-negative integer or a string.
function parse(text) {
  try {
    const msg = JSON.parse(text);
    const id = msg?.id;
    const ok = typeof id === "string" || (Number.isSafeInteger(id) && id >= 0);
    return ok && !Array.isArray(msg) ? msg : null;
  } catch {
    return null;
  }
}

function handle(msg) {
  stats.processed += 1; // the application's work goes here
  return msg.request; // a request's response: this example echoes the request
}

const http = createServer((req, res) => {
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify(stats));
});
const wss = new WebSocketServer({ server: http });

wss.on("connection", (ws, req) => {
  // After a reconnect the client resends every message not yet acknowledged, so the same id
  // can arrive twice: process each id once, but acknowledge it every time. A real server
  // would key on an authenticated identity; here the client's URL (e.g. ?client=abc) is it.
  const key = req.url ?? "/";
  const seen = clients.get(key) ?? new Set();
  clients.set(key, seen);
  ws.on("message", (data, isBinary) => {
    const msg = isBinary ? null : parse(data.toString());
    if (!msg) return; // untracked messages are not acknowledged
    let response = msg.request;
    if (seen.has(msg.id)) stats.duplicates += 1;
    else {
      response = handle(msg);
      seen.add(msg.id);
      if (seen.size > REMEMBER) seen.delete(seen.values().next().value);
    }
    const ack = "request" in msg ? { ack: msg.id, response } : { ack: msg.id };
    ws.send(JSON.stringify(ack));
  });
});

http.listen(port, () => console.log(`listening on ${port}`));
