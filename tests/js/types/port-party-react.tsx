// A React program written and typed against partysocket/react 1.3.0, importing the
// original. scripts/test-js.sh compiles it as it is and, with only its imports changed to
// resocket-wasm/partysocket/react (and resocket-wasm/partysocket), against ours: both must
// be accepted.
import { useState, type ReactElement } from "react";
import usePartySocket, { useWebSocket } from "partysocket/react";
import type ReconnectingWebSocket from "partysocket/ws";

interface Line {
  from: string;
  text: string;
}

declare function getToken(): Promise<string>;

export function Chat({ room, online }: { room: string; online: boolean }): ReactElement {
  const [lines, setLines] = useState<Line[]>([]);
  const [closes, setCloses] = useState(0);
  const ws: ReconnectingWebSocket = useWebSocket(`wss://chat.example/${room}`, undefined, {
    enabled: online,
    startClosed: false,
    maxRetries: 20,
    maxEnqueuedMessages: 100,
    transferEnqueuedMessages: true,
    onOpen: (event) => console.log("open", event.type),
    onMessage: (event) => setLines((l) => [...l, JSON.parse(event.data) as Line]),
    onClose: (event) => {
      console.log(event.code, event.reason, event.wasClean);
      setCloses((n) => n + 1);
    },
    onError: (event) => console.warn("error", event.type),
  });
  useWebSocket(async () => `wss://feed.example/?t=${await getToken()}`, ["feed.v1"]);
  useWebSocket("wss://feed.example/", () => "feed.v2", { debug: true, onMessage: (e: MessageEvent) => console.log(e.data) });

  const party = usePartySocket({
    host: "project.user.partykit.dev",
    room,
    party: "chat",
    id: "me",
    query: async () => ({ token: await getToken(), ignored: null }),
    onMessage: (event) => console.log(String(event.data)),
  });
  const local = usePartySocket({ room: "lobby", protocol: "ws", basePath: "custom/lobby", enabled: online });
  console.log(party.id, party.roomUrl, party.room, party.host, party.name, party.path, local.basePath);

  const say = (text: string): void => {
    const sent: boolean = ws.send(JSON.stringify({ from: party.id, text }));
    if (!sent) console.log("queued", ws.bufferedAmount);
  };
  return (
    <section>
      <p>
        {ws.readyState === ws.OPEN ? "online" : "offline"}, {closes} closes, retry {ws.retryCount}
      </p>
      <ul>
        {lines.map((l, i) => (
          <li key={i}>
            {l.from}: {l.text}
          </li>
        ))}
      </ul>
      <button type="button" onClick={() => say("hi")}>
        say hi
      </button>
      <button type="button" onClick={() => party.reconnect()}>
        reconnect
      </button>
    </section>
  );
}
