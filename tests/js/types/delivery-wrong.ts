// Must NOT compile: send() without `{ ack: true }` resolves with nothing, not an acknowledgement.
import { ReSocket, type ReSocketAck } from "resocket-wasm";

export async function f(ws: ReSocket): Promise<ReSocketAck> {
  const ack: ReSocketAck = await ws.send('{"id":1}');
  return ack;
}
