// Must NOT compile: onMessage receives the message event, not its data.
import { useReSocket } from "resocket-wasm/react";

export function useFeed(): void {
  useReSocket("wss://example.invalid/", {
    onMessage: (data: string) => console.log(data.toUpperCase()),
  });
}
