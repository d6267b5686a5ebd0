// Shared connections: every ReSocket made with the same `share` name and URL in one
// origin (components of one page, tabs, frames, workers) uses one WebSocket.
//
// One context leads: it holds a Web Lock named after the share and, in it, the *host*, a
// connection of its own (a core and a shell, with the leading context's options: reconnect,
// heartbeat, protocols, timeouts). Every ReSocket of the share, in the leader as in the
// followers, is a *member*: its own core (its queue, limits, backpressure, acknowledged
// delivery) over a *view*, an object shaped like a WebSocket that opens when the host
// is open and closes when it closes. Followers reach the leader over a BroadcastChannel.
//
// Rules it keeps:
// - A follower's frame stays with its member until the leader says it went out on the
//   host's socket ("sent"); a frame the leader could not send, or did not read before it
//   left, is sent again, in order, before anything newer, to the next leader: each frame
//   goes out once (twice only if the leading context dies between sending it and saying
//   so).
// - The leader beats every BEAT_MS; a follower that hears nothing for SILENCE_MS (its own
//   timer not late) takes the lock over. A leader that is frozen, hidden into the
//   back/forward cache or left steps down first, so the others do not wait. A page the
//   user sees waits for the lock, so it leads next; a hidden one only when no one leads.
// - Nothing here is policy about the connection: when to connect, retry, ping or give up
//   is the host's core's; what a member queues or refuses is its own core's.
// - Messages from the channel are data from other contexts: anything malformed is ignored.
// - Closed means released: a share with no member left has no lock, channel, timer,
//   listener or host.

// This module imports nothing: it is used as it is by both faces (the npm package's
// ReSocket, and the Rust crate's Socket as a wasm-bindgen snippet). Each face's member
// brings what is its own: how a host is made, and how a frame's size is counted.

/** How often the leader says it is alive, and how long a follower waits before taking over. */
export const BEAT_MS = 1000;
export const SILENCE_MS = 3500;
/** How often a follower checks. */
const WATCH_MS = 500;
/** How much longer a hidden follower waits than a visible one before taking over a silent leader. */
const HIDDEN_EXTRA_MS = 1500;
/** A watchdog that fires this much later than asked was throttled or frozen: it does not judge. */
const LATE_MS = 1000;
const PROTOCOL = "resocket-share/1/";

/** Listeners (channels included) and timers the shares of this context hold. */
export const live = { listeners: 0, timers: 0 };

/** Shares of this context by key (name and URL). */
const shares = new Map();

let counter = 0;
/** A token naming a leadership or a member, unique enough among contexts of one origin. */
function token() {
  counter = (counter + 1) % 0x7fffffff;
  return `${Math.floor(Math.random() * 0x7fffffff).toString(36)}.${counter.toString(36)}.${Date.now().toString(36)}`;
}

/** A short digest of the key, so a URL's credentials never appear in a lock's or channel's name. */
function digest(s) {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x5bd1e995) >>> 0;
  }
  return a.toString(36) + b.toString(36);
}

/** Whether this context is a page the user sees (a worker is not). */
function visible() {
  try {
    return globalThis.document?.visibilityState === "visible";
  } catch {
    return false;
  }
}

/** Now, in ms since the time origin every context of the origin shares. */
function stamp() {
  try {
    return performance.timeOrigin + performance.now();
  } catch {
    return Date.now();
  }
}

/** The Web Locks manager and BroadcastChannel, when this context has both (a secure context). */
function crossContext() {
  try {
    const locks = globalThis.navigator?.locks;
    if (locks == null || typeof locks.request !== "function") return null;
    if (typeof globalThis.BroadcastChannel !== "function") return null;
    return locks;
  } catch {
    return null;
  }
}

/**
 * Joins the share `name` of the connection `spec.key` (its URL, "" for a URL provider): a
 * member whose `Socket` is the WebSocket class its core uses. `spec.host(emit)` makes a
 * host with this member's options (or returns null): an object with `state`, `protocol`,
 * `bufferedAmount`, `sendNow(data)` (true when it went out on the open socket),
 * `stats()`, `close(code, reason)` and `free()`, that calls `emit(0, data)` for each
 * message and `emit("statechange", { state, code, reason })` / `emit("close", { code,
 * reason })` as its connection changes. `spec.size(data)` is a frame's size in bytes.
 */
export function join(name, spec) {
  const key = `${name}\n${spec.key}`;
  let s = shares.get(key);
  if (s === undefined) {
    s = new Share(key);
    shares.set(key, s);
  }
  return s.member(spec);
}

class Member {
  id = token();
  /** The current view, or null. */
  view = null;
  /** Frames handed to a leader in another context and not yet sent by it: `{ s, d, n }`. */
  pending = [];
  pendingBytes = 0;
  seq = 0;
  active = true;

  constructor(share, spec) {
    this.share = share;
    this.spec = spec;
    const member = this;
    // `new Socket(url, protocols)` returns the member's next view.
    this.Socket = function Socket(url) {
      return share.open(member, typeof url === "string" ? url : "");
    };
  }

  /** Back in the share after closing for good (reconnect()). */
  rejoin() {
    this.share.rejoin(this);
  }

  /** Closed for good: the member leaves the share. */
  leave() {
    this.share.leave(this);
  }

  get role() {
    return this.active ? this.share.role : "closed";
  }

  /** The connection's last heartbeat round trip (the host's), or null. */
  get rtt() {
    return this.share.rtt;
  }
}

/** What a member's core sees as its WebSocket. */
class View {
  readyState = 0;
  protocol = "";
  extensions = "";
  binaryType = "arraybuffer";
  onopen = null;
  onmessage = null;
  onclose = null;
  onerror = null;
  /** The epoch of the leader it is attached to (followers). */
  epoch = null;

  constructor(share, member, url) {
    this.url = url;
    this.share = share;
    this.member = member;
  }

  get bufferedAmount() {
    return this.share.buffered(this.member);
  }

  send(data) {
    if (this.readyState !== 1) throw new Error("the shared connection is not open");
    this.share.frame(this.member, data);
  }

  close(code, reason) {
    if (this.readyState >= 2) return;
    this.readyState = 2;
    this.share.detach(this.member, this);
    this.end(code ?? 1000, reason ?? "", true);
  }

  // --- the share's calls ---

  opened(protocol) {
    if (this.readyState !== 0) return;
    this.readyState = 1;
    this.protocol = protocol;
    queueMicrotask(() => {
      if (this.readyState === 1) call(this.onopen, { type: "open" });
    });
  }

  deliver(data) {
    if (this.readyState === 1) call(this.onmessage, { type: "message", data });
  }

  /** Closed from the share's side (the host closed, the leader left), or closing done. */
  end(code, reason, wasClean) {
    if (this.readyState === 3) return;
    this.readyState = 3;
    if (this.member.view === this) this.member.view = null;
    queueMicrotask(() => call(this.onclose, { type: "close", code, reason, wasClean }));
  }
}

/**
 * How many followers a leader remembers: a follower that went without a word stays in
 * the set, so it is bounded (the set only says whether to post at all, and which are held
 * back).
 */
const REMEMBERED = 1024;

function remember(set, id) {
  set.delete(id);
  set.add(id);
  if (set.size > REMEMBERED) set.delete(set.values().next().value);
}

/** Posts on a channel (none: nothing); a value it cannot clone is not sent (a frame stays pending). */
function send(c, msg) {
  if (c === null || c === undefined) return;
  try {
    c.postMessage(msg);
  } catch {
    // not sent
  }
}

/** Bytes as a copy of their own; anything else as it is. */
function own(data) {
  if (data instanceof ArrayBuffer) return data.slice(0);
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength).slice();
  return data;
}

function call(f, e) {
  if (typeof f === "function") f(e);
}

class Share {
  #key;
  #name;
  #members = new Set();
  #locks;
  #channel = null;
  /** The current lock request's abort controller (a new one per request). */
  #request = null;
  /** Resolves the held lock's promise: the lock is released. */
  #release = null;
  role = "electing";
  /** This context's leadership (leader), or the leader's (follower); null when unknown. */
  #epoch = null;
  /**
   * When that leadership began (ms since the time origin of all contexts): of two contexts
   * that both say they lead (one resumed after the other took the lock from it), the later
   * one does.
   */
  #since = 0;
  #host = null;
  #hostOpen = false;
  #protocol = "";
  /**
   * Leader: the contexts whose members attached (by context name; the channel to each), and
   * the members refused until they attach again.
   */
  #followers = new Map();
  #blocked = new Set();
  /** Leader: its inbox (frames, attachments), a channel only followers post to. */
  #inbox = null;
  /** Follower: this context's inbox (receipts), and the channel to the leader's inbox. */
  #mine = null;
  #toLeader = null;
  /** The leader's bufferedAmount and heartbeat round trip, as it last said (followers). */
  #leaderBuffered = 0;
  #leaderRtt = null;
  /** This context's name on the channels: hand-overs and receipts are addressed to it. */
  #self = token();
  #beat = null;
  #watch = null;
  #heard = 0;
  #paused = false;
  #lifecycle = [];
  #ended = false;

  constructor(key) {
    this.#key = key;
    this.#name = PROTOCOL + digest(key);
    this.#locks = crossContext();
    this.#watchLifecycle();
    if (this.#locks === null) this.#lead(null);
    else {
      try {
        // Everyone's channel (announcements, beats, inbound messages), and this context's
        // own (answers addressed to it): a frame or a receipt wakes only the context it is for.
        this.#channel = this.#open("", true);
        this.#mine = this.#open(`/to/${this.#self}`, true);
      } catch {
        this.#shut(this.#channel);
        this.#channel = null;
        this.#locks = null;
        this.#lead(null);
        return;
      }
      this.#elect(false);
    }
  }

  member(spec) {
    const m = new Member(this, spec);
    this.#members.add(m);
    return m;
  }

  rejoin(m) {
    if (this.#ended) {
      // The share ended: a new one takes the member's place under the same key.
      const s = shares.get(this.#key) ?? new Share(this.#key);
      shares.set(this.#key, s);
      m.share = s;
      s.#members.add(m);
      return;
    }
    m.active = true;
    this.#members.add(m);
  }

  leave(m) {
    if (!this.#members.has(m)) {
      m.active = false;
      return;
    }
    m.active = false;
    if (m.view !== null) m.view.close(1000, "");
    this.#members.delete(m);
    if (this.#members.size === 0) this.#dispose();
  }

  // --- views -------------------------------------------------------------------------

  open(member, url) {
    if (!member.active) this.rejoin(member);
    const s = member.share;
    if (s !== this) return s.open(member, url);
    const v = new View(this, member, url);
    if (member.view !== null) member.view.close(1000, "");
    member.view = v;
    if (this.role === "leader") {
      this.#needHost();
      if (this.#hostOpen) this.#openLocal(v);
    } else if (this.role === "follower" && this.#epoch !== null) this.#attach(member, v);
    return v;
  }

  detach(member, view) {
    if (member.view === view) member.view = null;
  }

  buffered(member) {
    if (this.role === "leader") return member.pendingBytes + (this.#host?.bufferedAmount ?? 0);
    return member.pendingBytes + this.#leaderBuffered;
  }

  /** A member's frame on its open view; throws if it cannot go now (the member's core keeps it). */
  frame(member, data) {
    if (this.role === "leader") {
      if (this.#host === null || !this.#host.sendNow(data)) throw new Error("the shared connection is not open");
      return;
    }
    const e = member.view?.epoch;
    if (this.role !== "follower" || e == null) throw new Error("the shared connection is not open");
    // Kept until the leader says it went out: a copy of bytes the caller may reuse (or
    // that live in a module's memory) once this call returns, as after WebSocket.send().
    const d = own(data);
    const f = { s: ++member.seq, d, n: member.spec.size(d) };
    this.#toLeaderPost({ k: "f", e, from: member.id, ctx: this.#self, s: f.s, d });
    member.pending.push(f);
    member.pendingBytes += f.n;
  }

  /** A view of this (leading) context opens on the open host: its member's frames left by an earlier leader go first. */
  #openLocal(v) {
    const m = v.member;
    while (m.pending.length > 0) {
      const f = m.pending[0];
      if (!this.#host.sendNow(f.d)) return;
      m.pending.shift();
      m.pendingBytes -= f.n;
    }
    v.opened(this.#protocol);
  }

  #attach(member, v) {
    v.epoch = this.#epoch;
    this.#toLeaderPost({ k: "attach", e: this.#epoch, from: member.id, ctx: this.#self });
  }

  /** A follower's view opens: frames not sent by the last leader go again first, in order. */
  #openRemote(v) {
    const m = v.member;
    for (const f of m.pending) this.#toLeaderPost({ k: "f", e: v.epoch, from: m.id, ctx: this.#self, s: f.s, d: f.d });
    v.opened(this.#protocol);
  }

  #views() {
    const out = [];
    for (const m of this.#members) if (m.view !== null) out.push(m.view);
    return out;
  }

  // --- leadership ----------------------------------------------------------------------

  /**
   * Whether this context waits for the lock: a page the user sees always does, so that a
   * leader that leaves is followed by a visible context when there is one; a hidden page
   * or a worker only while no leader is known (after one left, or before one answered).
   * A healthy leader is never asked to give way: each change of leader reconnects.
   */
  #reconsider() {
    if (this.#ended || this.#paused || this.#locks === null || this.role === "leader") return;
    const want = visible() || this.#epoch === null;
    if (want && this.#request === null) this.#elect(false);
    else if (!want && this.#request !== null) {
      this.#request.abort();
      this.#request = null;
    }
  }

  #elect(steal) {
    const ctl = new AbortController();
    this.#request = ctl;
    let p;
    try {
      p = this.#locks.request(this.#name, steal ? { steal: true } : { signal: ctl.signal }, () => {
        if (this.#request !== ctl || this.#ended) return undefined;
        return new Promise((release) => this.#lead(release));
      });
    } catch {
      return this.#lead(null);
    }
    p.then(
      () => {},
      () => {
        // Aborted (this context gave up waiting) or stolen (another took over).
        if (this.#request === ctl && this.role === "leader") this.#stepDown(1006, "");
      },
    );
    if (!steal) {
      this.#post({ k: "who" });
      this.#heard = stamp();
      this.#armWatch();
    }
  }

  #lead(release) {
    if (this.#ended) {
      release?.();
      return;
    }
    this.#release = release;
    this.role = "leader";
    this.#epoch = token();
    this.#since = stamp();
    this.#stopWatch();
    // Views attached to an earlier leader: that connection is gone.
    for (const v of this.#views()) {
      if (v.readyState === 1) v.end(1006, "", false);
      else v.epoch = null;
    }
    this.#forgetFollowers();
    this.#blocked.clear();
    this.#shut(this.#toLeader);
    this.#toLeader = null;
    if (this.#channel !== null) this.#inbox = this.#open(`/lead/${this.#epoch}`, true);
    this.#announce();
    if (this.#channel !== null) {
      live.timers++;
      this.#beat = setInterval(() => this.#post({ k: "beat", e: this.#epoch, t: this.#since, b: this.#host?.bufferedAmount ?? 0, rtt: this.rtt }), BEAT_MS);
    }
    if (this.#views().length > 0) this.#startHost();
  }

  #announce() {
    this.#post({ k: "lead", e: this.#epoch, t: this.#since });
  }

  /**
   * This context stops leading: the host closes (`code`), every view with it; the lock is
   * released (if it was taken from this context, releasing changes nothing). The share
   * waits for the lock again unless it is paused or ended.
   */
  #stepDown(code, reason) {
    if (this.role !== "leader") return;
    const e = this.#epoch;
    this.role = "electing";
    this.#epoch = null;
    this.#stopBeat();
    // The members see their connection go away (1001), or drop (1006) when this context
    // was replaced; they connect again through the next leader.
    const seen = code === 1006 ? 1006 : 1001;
    this.#post({ k: "close", e, c: seen, r: reason });
    this.#post({ k: "bye", e });
    this.#closeHost(1000, reason);
    for (const v of this.#views()) v.end(seen, reason, seen !== 1006);
    // Frames posted to this leader and not read are dropped with its inbox: their members
    // keep them and send them to the next leader.
    this.#shut(this.#inbox);
    this.#inbox = null;
    this.#forgetFollowers();
    const release = this.#release;
    this.#release = null;
    this.#request = null;
    release?.();
    this.#reconsider();
  }

  get rtt() {
    if (this.role !== "leader") return this.role === "follower" ? this.#leaderRtt : null;
    const r = this.#host?.stats()?.lastRttMs;
    return typeof r === "number" ? r : null;
  }

  #stopBeat() {
    if (this.#beat === null) return;
    clearInterval(this.#beat);
    live.timers--;
    this.#beat = null;
  }

  /** Leader: a host unless one is trying; one closed for good (its core gave up) is replaced. */
  #needHost() {
    if (this.#host !== null && this.#host.state === "closed") this.#closeHost(1000, "");
    if (this.#host === null) this.#startHost();
  }

  /** The host, made with the options of the first member of this context that can make one. */
  #startHost() {
    this.#hostOpen = false;
    // Its events from inside its making (a socket is being made) need no answer.
    let made = null;
    const emit = (type, detail) => {
      if (made !== null && this.#host === made) this.#fromHost(type, detail);
    };
    for (const m of this.#members) {
      let host = null;
      try {
        host = m.spec.host(emit);
      } catch {
        // that member's options made no host: the next one's may
      }
      if (host == null) continue;
      if (host.state === "closed") {
        host.free();
        continue;
      }
      this.#host = made = host;
      return;
    }
  }

  #closeHost(code, reason) {
    const host = this.#host;
    this.#host = null;
    this.#hostOpen = false;
    if (host === null) return;
    host.close(code >= 3000 || code === 1000 ? code : 1000, reason);
    // The close handshake runs on; the host's core is freed when it ends.
    host.free();
  }

  #fromHost(type, detail) {
    if (type === 0) {
      for (const m of this.#members) m.view?.deliver(detail);
      if (this.#followers.size > 0) this.#post({ k: "m", e: this.#epoch, d: detail });
      return;
    }
    const state = type === "statechange" ? detail.state : type;
    if (state === "open" && type === "statechange") {
      this.#hostOpen = true;
      this.#protocol = this.#host.protocol;
      for (const v of this.#views()) if (v.readyState === 0) this.#openLocal(v);
      this.#post({ k: "open", e: this.#epoch, p: this.#protocol });
    } else if (state === "reconnecting" || type === "close") {
      // Every view closes with the host's socket (waiting ones too: their cores retry as
      // the host does). Closed for good (`close`): the next view makes a new host.
      this.#hostOpen = false;
      const code = typeof detail.code === "number" ? detail.code : 1006;
      const reason = typeof detail.reason === "string" ? detail.reason : "";
      for (const v of this.#views()) v.end(code, reason, code !== 1006);
      this.#blocked.clear();
      this.#post({ k: "close", e: this.#epoch, c: code, r: reason });
      if (type === "close") {
        const host = this.#host;
        this.#host = null;
        // Freed once its own call that told this is over.
        if (host !== null) queueMicrotask(() => host.free());
      }
    }
  }

  // --- the channel ------------------------------------------------------------------

  #post(msg) {
    send(this.#channel, msg);
  }

  #toLeaderPost(msg) {
    send(this.#toLeader, msg);
  }

  /** Leader: a message to the context `ctx` (through its own channel). */
  #reply(ctx, msg) {
    send(this.#followers.get(ctx) ?? this.#follower(ctx), msg);
  }

  /** Leader: the channel to context `ctx`, remembered (a bounded number of them). */
  #follower(ctx) {
    let c = this.#followers.get(ctx);
    if (c === undefined) {
      c = this.#open(`/to/${ctx}`, false);
      this.#followers.set(ctx, c);
      if (this.#followers.size > REMEMBERED) {
        const [oldest, ch] = this.#followers.entries().next().value;
        this.#followers.delete(oldest);
        this.#shut(ch);
      }
    }
    return c;
  }

  #forgetFollowers() {
    for (const c of this.#followers.values()) this.#shut(c);
    this.#followers.clear();
  }

  /** A channel of this share (`suffix` after its name); `listen`: its messages come to #onChannel. */
  #open(suffix, listen) {
    const c = new BroadcastChannel(this.#name + suffix);
    if (listen) c.onmessage = (e) => this.#onChannel(e.data);
    live.listeners++;
    return c;
  }

  #shut(c) {
    if (c === null || c === undefined) return;
    live.listeners--;
    try {
      c.close();
    } catch {
      // ignored
    }
  }

  #onChannel(m) {
    if (this.#ended || m === null || typeof m !== "object" || typeof m.k !== "string") return;
    if (this.role === "leader") return this.#asLeader(m);
    if (m.k === "lead" || m.k === "beat") {
      if (typeof m.e !== "string" || typeof m.t !== "number") return;
      if (m.e === this.#epoch) {
        this.#heard = stamp();
        if (m.k !== "beat") return;
        if (typeof m.b === "number") this.#leaderBuffered = m.b;
        this.#leaderRtt = typeof m.rtt === "number" ? m.rtt : null;
      } else if (this.#epoch === null || m.t > this.#since) {
        this.#heard = stamp();
        this.#follow(m.e, m.t);
      }
      return;
    }
    if (m.k === "bye") {
      if (m.e === this.#epoch && this.role === "follower") {
        this.#epoch = null;
        for (const v of this.#views()) v.epoch = null;
        this.#reconsider();
      }
      return;
    }
    if (this.role !== "follower") return;
    if (m.e !== undefined && m.e !== this.#epoch) {
      // From a leader this context has not heard announce itself: ask.
      if (m.k !== "sent" && m.k !== "unsent") return;
    }
    switch (m.k) {
      case "m":
        for (const v of this.#views()) if (v.epoch === m.e) v.deliver(m.d);
        return;
      case "open":
        if (typeof m.p === "string") this.#protocol = m.p;
        for (const v of this.#views()) {
          if (v.readyState === 0 && v.epoch === m.e && (m.to === undefined || m.to === v.member.id)) this.#openRemote(v);
        }
        return;
      case "close": {
        const code = typeof m.c === "number" ? m.c : 1006;
        const reason = typeof m.r === "string" ? m.r : "";
        for (const v of this.#views()) if (v.epoch === m.e) v.end(code, reason, code !== 1006);
        return;
      }
      case "sent":
      case "unsent": {
        const member = this.#memberById(m.to);
        if (member === null || typeof m.s !== "number") return;
        if (m.k === "sent") {
          while (member.pending.length > 0 && member.pending[0].s <= m.s) member.pendingBytes -= member.pending.shift().n;
          if (typeof m.b === "number") this.#leaderBuffered = m.b;
        } else if (member.view !== null && member.view.readyState === 1) member.view.end(1006, "", false);
      }
    }
  }

  #memberById(id) {
    for (const m of this.#members) if (m.id === id) return m;
    return null;
  }

  /** A new leader: views of the old one close; views waiting attach to it. */
  #follow(epoch, since) {
    this.role = "follower";
    const had = this.#epoch !== null;
    this.#epoch = epoch;
    this.#since = since;
    this.#shut(this.#toLeader);
    this.#toLeader = this.#open(`/lead/${epoch}`, false);
    this.#leaderBuffered = 0;
    for (const v of this.#views()) {
      if (v.readyState === 1) {
        if (had || v.epoch !== null) v.end(1006, "", false);
      } else if (v.readyState === 0) this.#attach(v.member, v);
    }
    this.#armWatch();
    this.#reconsider();
  }

  #asLeader(m) {
    const e = this.#epoch;
    switch (m.k) {
      case "who":
        return this.#announce();
      case "attach":
        if (m.e !== e || typeof m.from !== "string" || typeof m.ctx !== "string") return;
        this.#follower(m.ctx);
        this.#blocked.delete(m.from);
        this.#needHost();
        if (this.#hostOpen) this.#reply(m.ctx, { k: "open", e, to: m.from, p: this.#protocol });
        return;
      case "f": {
        if (m.e !== e || typeof m.from !== "string" || typeof m.ctx !== "string" || typeof m.s !== "number") return;
        const d = m.d;
        if (typeof d !== "string" && !(d instanceof ArrayBuffer) && !ArrayBuffer.isView(d)) return;
        if (!this.#blocked.has(m.from) && this.#host !== null && this.#hostOpen && this.#host.sendNow(d)) {
          this.#reply(m.ctx, { k: "sent", to: m.from, s: m.s, b: this.#host.bufferedAmount });
        } else {
          // Later frames of this member wait for it to attach again, so none overtakes this one.
          remember(this.#blocked, m.from);
          this.#reply(m.ctx, { k: "unsent", to: m.from, s: m.s });
        }
        return;
      }
      case "lead":
      case "beat":
        // Another context leads since after this one began: it took the lock from this one
        // (the request's rejection says so too, later). Stop at once, so the two never both
        // send. An older one is a leader that has not yet learnt it was replaced: ignored.
        if (typeof m.e === "string" && m.e !== e && typeof m.t === "number" && m.t > this.#since) {
          this.#stepDown(1006, "");
          this.#follow(m.e, m.t);
        }
    }
  }

  // --- liveness -----------------------------------------------------------------------

  #armWatch() {
    if (this.#watch !== null || this.#channel === null) return;
    const due = stamp() + WATCH_MS;
    live.timers++;
    this.#watch = setTimeout(() => {
      live.timers--;
      this.#watch = null;
      if (this.#ended || this.#paused || this.role === "leader") return;
      const t = stamp();
      if (t - due > LATE_MS) this.#heard = t; // this context's own timer was held back: no verdict
      else if (t - this.#heard > SILENCE_MS + (visible() ? 0 : HIDDEN_EXTRA_MS)) return this.#takeOver();
      this.#armWatch();
    }, WATCH_MS);
  }

  #stopWatch() {
    if (this.#watch === null) return;
    clearTimeout(this.#watch);
    live.timers--;
    this.#watch = null;
  }

  /** The leader is silent: take the lock from it. */
  #takeOver() {
    this.#request?.abort();
    this.#epoch = null;
    for (const v of this.#views()) {
      if (v.readyState === 1) v.end(1006, "", false);
      else v.epoch = null;
    }
    this.#elect(true);
  }

  // --- the page's lifecycle -------------------------------------------------------------

  #watchLifecycle() {
    const g = globalThis;
    const doc = g.document;
    if (doc == null || typeof g.addEventListener !== "function") return;
    const away = () => {
      if (this.#paused) return;
      this.#paused = true;
      this.#stopWatch();
      if (this.role === "leader") this.#stepDown(1001, "");
      else {
        this.#request?.abort();
        this.#request = null;
      }
    };
    const back = () => {
      if (!this.#paused || this.#ended) return;
      this.#paused = false;
      this.#reconsider();
    };
    const regs = [
      [g, "pagehide", away],
      [g, "pageshow", (e) => e.persisted === true && back()],
      [doc, "freeze", away],
      [doc, "resume", back],
      [doc, "visibilitychange", () => this.#reconsider()],
    ];
    for (const r of regs) {
      try {
        r[0].addEventListener(r[1], r[2]);
        this.#lifecycle.push(r);
        live.listeners++;
      } catch {
        // a target that refuses: that signal is not watched
      }
    }
  }

  #dispose() {
    if (this.#ended) return;
    this.#ended = true;
    if (this.role === "leader") this.#stepDown(1000, "");
    shares.delete(this.#key);
    this.#request?.abort();
    this.#request = null;
    this.#stopWatch();
    this.#stopBeat();
    this.#closeHost(1000, "");
    for (const [t, type, f] of this.#lifecycle.splice(0)) {
      live.listeners--;
      try {
        t.removeEventListener(type, f);
      } catch {
        // ignored
      }
    }
    this.#forgetFollowers();
    for (const c of [this.#channel, this.#mine, this.#inbox, this.#toLeader]) this.#shut(c);
    this.#channel = this.#mine = this.#inbox = this.#toLeader = null;
  }
}
