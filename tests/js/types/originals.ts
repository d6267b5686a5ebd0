// The originals' published types against ours, member by member: reconnecting-websocket
// 4.4.0, partysocket 1.3.0 (`partysocket/ws`) and `partysocket/react`. Where a program
// holds a value of the original's type, ours takes it (options, URL and protocols
// providers, messages, handlers); where it reads ours as the original's, it can (events,
// properties, return values). `tsc --noEmit` must accept it.
import type OrigRWS from "reconnecting-websocket";
import type {
  CloseEvent as OrigRWSCloseEvent,
  ErrorEvent as OrigRWSErrorEvent,
  Message as OrigRWSMessage,
  Options as OrigRWSOptions,
  UrlProvider as OrigRWSUrlProvider,
} from "reconnecting-websocket";
import type OrigPWS from "partysocket/ws";
import type {
  CloseEvent as OrigPCloseEvent,
  ErrorEvent as OrigPErrorEvent,
  Message as OrigPMessage,
  Options as OrigPOptions,
  ProtocolsProvider as OrigPProtocols,
  UrlProvider as OrigPUrlProvider,
} from "partysocket/ws";
import type { WebSocket as OrigPartyWebSocket } from "partysocket";
import type { usePartySocket as origUsePartySocket, useWebSocket as origUseWebSocket } from "partysocket/react";

import type RWS from "resocket-wasm/reconnecting-websocket";
import type {
  CloseEvent as RWSCloseEvent,
  ErrorEvent as RWSErrorEvent,
  Message as RWSMessage,
  Options as RWSOptions,
  UrlProvider as RWSUrlProvider,
} from "resocket-wasm/reconnecting-websocket";
import type PWS from "resocket-wasm/partysocket";
import type {
  CloseEvent as PCloseEvent,
  ErrorEvent as PErrorEvent,
  Message as PMessage,
  Options as POptions,
  ProtocolsProvider as PProtocols,
  UrlProvider as PUrlProvider,
  WebSocket as PartyWebSocket,
} from "resocket-wasm/partysocket";
import type { PartySocket, usePartySocket, useWebSocket } from "resocket-wasm/partysocket/react";

/** Compile-time equality of two types. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(): void {}
/** Whether A is assignable to B. */
type Fits<A, B> = [A] extends [B] ? true : false;

type Fn = (...args: any[]) => any;
type MethodKeys<T> = { [K in keyof T]: T[K] extends Fn ? (K extends `on${string}` ? never : K) : never }[keyof T];
type HandlerKeys<T> = Extract<keyof T, `on${string}`>;
type ValueKeys<T> = Exclude<keyof T, MethodKeys<T> | HandlerKeys<T>>;
/** The members of Orig that Ours lacks, or whose type does not fit in the direction that matters. */
type Misfits<Orig, Ours> =
  | Exclude<keyof Orig, keyof Ours>
  | { [K in ValueKeys<Orig> & keyof Ours]: Fits<Ours[K], Orig[K]> extends true ? never : K }[ValueKeys<Orig> & keyof Ours]
  | { [K in HandlerKeys<Orig> & keyof Ours]: Fits<Orig[K], Ours[K]> extends true ? never : K }[HandlerKeys<Orig> & keyof Ours]
  | {
      [K in Exclude<MethodKeys<Orig>, "addEventListener" | "removeEventListener"> & keyof Ours]: Orig[K] extends Fn
        ? Ours[K] extends Fn
          ? Fits<Parameters<Orig[K]>, Parameters<Ours[K]>> extends true
            ? Fits<ReturnType<Ours[K]>, ReturnType<Orig[K]>> extends true
              ? never
              : K
            : K
          : K
        : K;
    }[Exclude<MethodKeys<Orig>, "addEventListener" | "removeEventListener"> & keyof Ours];

// Every public member of the original classes, instance and static, is there and fits:
// properties read as the original's, handlers typed for the original's events are taken,
// methods take the original's arguments and return what the original returns.
// (reconnecting-websocket's dispatchEvent() is typed with its own Event class, which it does
// not export: the only such values a program has are the socket's own events, which ours
// take. `prototype` is the instance type, checked on its own.)
expectType<Equal<Misfits<OrigRWS, RWS>, "dispatchEvent">>();
expectType<Fits<[RWSCloseEvent | RWSErrorEvent], Parameters<RWS["dispatchEvent"]>>>();
expectType<Equal<Misfits<Omit<typeof OrigRWS, "prototype">, typeof RWS>, never>>();
expectType<Equal<Misfits<OrigPWS, PWS>, never>>();
expectType<Equal<Misfits<Omit<typeof OrigPWS, "prototype">, typeof PWS>, never>>();
expectType<Equal<Misfits<OrigPartyWebSocket, PartyWebSocket>, never>>();
// The rws class's send() returns nothing, partysocket's a boolean, as in the originals.
expectType<Equal<ReturnType<RWS["send"]>, void>>();
expectType<Equal<ReturnType<PWS["send"]>, boolean>>();
// PartySocket, as usePartySocket returns it, lacks only updateProperties and its internals.
expectType<Equal<Exclude<keyof ReturnType<typeof origUsePartySocket>, keyof PartySocket>, "_pk" | "_pkurl" | "updateProperties">>();
expectType<Equal<Misfits<Omit<ReturnType<typeof origUsePartySocket>, "_pk" | "_pkurl" | "updateProperties">, PartySocket>, never>>();

// The constructors take the original's arguments.
expectType<Fits<ConstructorParameters<typeof OrigRWS>, ConstructorParameters<typeof RWS>>>();
expectType<Fits<ConstructorParameters<typeof OrigPWS>, ConstructorParameters<typeof PWS>>>();
// Values of the original's types are taken where ours are.
expectType<Fits<OrigRWSOptions, RWSOptions>>();
expectType<Fits<OrigPOptions, POptions>>();
expectType<Fits<OrigRWSUrlProvider, RWSUrlProvider>>();
expectType<Fits<OrigPUrlProvider, PUrlProvider>>();
expectType<Fits<OrigPProtocols, PProtocols>>();
expectType<Fits<OrigRWSMessage, RWSMessage>>();
expectType<Fits<OrigPMessage, PMessage>>();
// What the socket gives back is the original's: events (so handlers typed for the
// original's events take them) and drained messages.
expectType<Fits<RWSCloseEvent, OrigRWSCloseEvent>>();
expectType<Fits<RWSErrorEvent, OrigRWSErrorEvent>>();
expectType<Fits<PCloseEvent, OrigPCloseEvent>>();
expectType<Fits<PErrorEvent, OrigPErrorEvent>>();
expectType<Fits<PMessage, OrigPMessage>>();
expectType<Fits<ReturnType<PWS["drainQueuedMessages"]>, OrigPMessage[]>>();
// The hooks take the original's arguments (options with enabled, startClosed and the
// event handlers) and return a socket with every member of the original's.
expectType<Fits<Parameters<typeof origUseWebSocket>, Parameters<typeof useWebSocket>>>();
expectType<Fits<Parameters<typeof origUsePartySocket>, Parameters<typeof usePartySocket>>>();
expectType<Equal<Misfits<ReturnType<typeof origUseWebSocket>, ReturnType<typeof useWebSocket>>, never>>();
