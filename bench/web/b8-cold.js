// B8: cold start, in a fresh browser context (empty caches; the server sends no-store):
// from the import of the client to its socket being open on /echo. The plain WebSocket
// baseline imports nothing. The Rust-API variants are the minimal B1 apps (Json codec).
// npmWarm has the package imported before the clock starts: what is left is resocket's
// own start-up per socket. Every file comes from the loopback test server, which closes
// the connection after each response, so each fetched file costs a new TCP connection.
import { loadApp, now, wsUrl } from "./common.js";

const url = () => wsUrl("/echo");

/** `new WebSocket` → onopen. */
export async function ws() {
  const t0 = now();
  await new Promise((resolve, reject) => {
    const s = new WebSocket(url());
    s.onopen = resolve;
    s.onerror = () => reject(new Error("socket error"));
  });
  return { ms: now() - t0 };
}

/** import("resocket-wasm") → new ReSocket → open. */
export async function npm() {
  const t0 = now();
  const { ReSocket } = await import("/pkg/index.js");
  const s = new ReSocket(url());
  await new Promise((resolve) => s.addEventListener("open", resolve, { once: true }));
  const ms = now() - t0;
  s.free();
  return { ms };
}

/**
 * The npm package already imported and its module loaded (`ready`): new ReSocket → open
 * (the library's own start-up).
 */
export async function npmWarm() {
  const { ReSocket, ready } = await import("/pkg/index.js");
  await ready;
  const t0 = now();
  const s = new ReSocket(url());
  await new Promise((resolve) => s.addEventListener("open", resolve, { once: true }));
  const ms = now() - t0;
  s.free();
  return { ms };
}

/** A JavaScript library for comparison: import reconnecting-websocket → open. */
export async function rws() {
  const t0 = now();
  const Rws = (await import("/js/reconnecting-websocket.js")).default;
  const s = new Rws(url());
  await new Promise((resolve) => s.addEventListener("open", resolve, { once: true }));
  const ms = now() - t0;
  s.close();
  return { ms };
}

const app = (name) => async () => {
  const t0 = now();
  const m = await loadApp(name);
  await m.start(url(), () => {});
  return { ms: now() - t0 };
};
/** The minimal resocket app: Socket::builder(url).codec(Json).connect().await. */
export const rs = app("size-resocket-json");
/** The same program on raw web-sys. */
export const websys = app("size-websys-json");
/** The same program on gloo-net. */
export const gloo = app("size-gloo-json");
