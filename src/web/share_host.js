// The Rust face's side of a shared connection (pkg-template/share.js, the same module
// the npm package uses): a member's spec, and the host a leading context makes from it.
//
// The host is a Rust `Socket` of its own (its core decides when to connect, retry, ping
// and give up) whose WebSocket class is a Tap: the real socket, whose events go to that
// Socket and to the share. Inbound messages and members' frames stay JavaScript values;
// only the host's own core reads the messages (for its heartbeat's pong).
//
// `call(op, id, arg)` is the crate's one function for these (src/web/share.rs): MAKE a
// host from member `id`'s options with a WebSocket class (its handle, or -1 when that
// member is gone), CLOSE it, FREE it, whether its core is CLOSED for good, its last RTT.

const MAKE = 0;
const CLOSE = 1;
const FREE = 2;
const CLOSED = 3;
const RTT = 4;

const encoder = new TextEncoder();

/** A frame's size in bytes: a string's in UTF-8. */
function size(d) {
  return typeof d === "string" ? encoder.encode(d).length : d.byteLength;
}

/** The spec of a member of the share (see share.js's `join`). */
export function spec(key, call, id) {
  return { key, size, host: (emit) => host(call, id, emit) };
}

function host(call, id, emit) {
  // The Tap made last: an earlier one's late events say nothing of the connection.
  let current = null;
  function Tap(url, protocols) {
    const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
    ws.binaryType = "arraybuffer";
    const tap = {
      ws,
      onopen: null,
      onmessage: null,
      onclose: null,
      onerror: null,
      binaryType: "arraybuffer",
      get readyState() { return ws.readyState; },
      get bufferedAmount() { return ws.bufferedAmount; },
      get protocol() { return ws.protocol; },
      get extensions() { return ws.extensions; },
      get url() { return ws.url; },
      send(d) { ws.send(d); },
      close(code, reason) {
        if (code === undefined) ws.close();
        else if (reason === undefined) ws.close(code);
        else ws.close(code, reason);
      },
    };
    ws.onopen = (e) => {
      if (current === tap) {
        opened = true;
        emit("statechange", { state: "open" });
      }
      tap.onopen?.(e);
    };
    ws.onmessage = (e) => {
      if (current === tap) emit(0, e.data);
      tap.onmessage?.(e);
    };
    ws.onclose = (e) => {
      if (current === tap) ended(e.code, e.reason);
      tap.onclose?.(e);
    };
    ws.onerror = (e) => tap.onerror?.(e);
    // A Tap made while the last one is open (its core gave it up, as after a heartbeat
    // timeout, before its close event came): that connection ends now for the members.
    if (current !== null) ended(1006, "");
    current = tap;
    return tap;
  }
  // The host's core closed for good (its policy gave up): the members' views end, and
  // the next one to connect makes a new host.
  Tap.closed = (code, reason) => {
    if (freed) return;
    opened = false;
    emit("close", { code, reason });
  };
  let opened = false;
  let freed = false;
  function ended(code, reason) {
    if (!opened) return;
    opened = false;
    emit("statechange", { state: "reconnecting", code, reason });
  }
  const h = call(MAKE, id, Tap);
  if (typeof h !== "number" || h < 0) return null;
  const open = () => (current !== null && current.ws.readyState === 1 ? current.ws : null);
  return {
    get state() {
      return call(CLOSED, h) === true ? "closed" : "open";
    },
    get protocol() {
      return current?.ws.protocol ?? "";
    },
    get bufferedAmount() {
      return current?.ws.bufferedAmount ?? 0;
    },
    sendNow(d) {
      const ws = open();
      if (ws === null) return false;
      try {
        ws.send(d);
        return true;
      } catch {
        return false;
      }
    },
    stats() {
      return { lastRttMs: call(RTT, h) };
    },
    close(code, reason) {
      call(CLOSE, h, [code, reason]);
    },
    free() {
      freed = true;
      current = null;
      call(FREE, h);
    },
  };
}
