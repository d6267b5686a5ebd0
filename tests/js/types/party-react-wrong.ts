// Must NOT compile: the socket of usePartySocket has no updateProperties() (the hook
// replaces the socket when host, room or party change), so a program that calls it fails
// here instead of at run time (the error is on line 8).
import usePartySocket from "resocket-wasm/partysocket/react";

export function useRoom(room: string): void {
  const socket = usePartySocket({ host: "project.user.partykit.dev", room: "lobby" });
  socket.updateProperties({ room });
}
