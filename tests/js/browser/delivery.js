// Acknowledged delivery (option `delivery`) against the test server's /ack endpoint (it
// acknowledges every JSON text message with an "id": {"ack": id}, a request with its
// response, cumulatively in mode=through; it can delay, stay silent, send garbage first,
// and drop the link at seeded points) and against /echo (a peer that acknowledges what
// the page itself sends as an acknowledgement). tests.js registers these (every name
// starts with "delivery").

import { ReSocket, ReSocketDeliveredEvent, ReSocketError, diagnostics } from "resocket-wasm";
import { DELIBERATE, assert, control, eq, handled, once, show, sleep, tag, until, watchUncaught, withTimeout } from "./hostile-harness.js";

const wsBase = `ws://${location.host}`;
const tests = [];
const test = (name, fn, timeout = 20000) => tests.push({ name, fn, timeout });

/** Fast reconnection, so that seeded drops do not back off to the default cap. */
const RECONNECT = { initialDelay: 50, maxDelay: 500, stableAfter: 200 };

/** The promise's rejection (fails when it resolves), within `ms`. */
async function rejection(p, ms, what) {
  let value;
  try {
    value = await withTimeout(p, ms, what);
  } catch (e) {
    if (e instanceof Error && e.message.startsWith("timed out")) throw e;
    return e;
  }
  throw new Error(`${what} resolved (${show(value)}) instead of rejecting`);
}

function isCode(e, code, what) {
  assert(e instanceof ReSocketError && e.code === code, `${what}: expected a ReSocketError ${code}, got ${e?.name}[${e?.code}]: ${e?.message}`);
}

/** Whether the promise is still pending after the microtasks queued now have run. */
async function pending(p) {
  const mark = {};
  return (await Promise.race([p.then(() => "resolved", () => "rejected"), sleep(0).then(() => mark)])) === mark;
}

/** Collects `type` events' properties. */
function record(ws, type, pick) {
  const seen = [];
  ws.addEventListener(type, (e) => seen.push(pick(e)));
  return seen;
}

test("delivery: delivered events are ReSocketDeliveredEvents and Events, reach listeners as EventTarget's would (this, target, once, stopImmediatePropagation, ondelivered), and an application's own event is dispatched to them", async () => {
  const ws = new ReSocket(`${wsBase}/ack?tag=${tag("delivery-events")}`, { delivery: {} });
  try {
    const seen = [];
    ws.addEventListener("delivered", function (e) {
      seen.push(`first:${e.id}:${this === ws}:${e.target === ws}:${e.currentTarget === ws}:${e.type}:${e instanceof ReSocketDeliveredEvent}:${e instanceof Event}:${e.isTrusted}:${e.cancelable}:${e.eventPhase}:${typeof e.timeStamp}:${typeof e.data}`);
    });
    ws.addEventListener("delivered", (e) => seen.push(`once:${e.id}`), { once: true });
    ws.addEventListener("delivered", (e) => {
      if (e.id === 2) e.stopImmediatePropagation();
    });
    ws.ondelivered = (e) => seen.push(`on:${e.id}`);
    await ws.send('{"id":1}', { ack: true });
    await ws.send('{"id":2}', { ack: true });
    await sleep(20);
    eq(seen, ["first:1:true:true:true:delivered:true:true:false:false:2:number:string", "once:1", "on:1", "first:2:true:true:true:delivered:true:true:false:false:2:number:string"], "in order; once; stopped at id 2");
    ws.dispatchEvent(new ReSocketDeliveredEvent("delivered", { id: 9, data: "x" }));
    eq(seen.slice(4), ["first:9:true:false:false:delivered:true:true:false:false:0:number:string", "on:9"], "an application's own delivered event reaches the same listeners");
  } finally {
    ws.close();
  }
});

test("delivery: 2,000 numbered messages across 5 seeded drops: the server has every id, duplicates are bounded, every acknowledgement resolves, in order", async () => {
  const t = tag("delivery-drops");
  const [count, window, drops] = [2000, 64, 5];
  const span = Math.floor((1.6 * count) / drops); // the drop points fall within the run
  const ws = new ReSocket(`${wsBase}/ack?tag=${t}&drops=${drops}&seed=7&span=${span}`, {
    reconnect: RECONNECT,
    delivery: { maxMessages: window },
  });
  try {
    const delivered = record(ws, "delivered", (e) => e.id);
    const messages = record(ws, "message", (e) => e.data);
    let most = 0;
    const acks = [];
    for (let i = 1; i <= count; i++) {
      acks.push(ws.send(`{"id":${i},"pad":"${"x".repeat(16)}"}`, { ack: true }));
      most = Math.max(most, ws.stats().unacked);
    }
    const sampler = setInterval(() => (most = Math.max(most, ws.stats().unacked)), 1);
    let results;
    try {
      results = await withTimeout(Promise.all(acks), 60000, "every acknowledgement");
    } finally {
      clearInterval(sampler);
    }
    eq(results.map((a) => a.id), Array.from({ length: count }, (_, i) => i + 1), "each promise resolves with its own id");
    assert(results.every((a) => typeof a.data === "string" && JSON.parse(a.data).ack > 0), "with the acknowledging message's data");
    await until(() => delivered.length === count, 5000, "every delivered event");
    eq(delivered, Array.from({ length: count }, (_, i) => i + 1), "delivered in send order (replays go first, in order)");
    eq(messages.length, 0, "acknowledgements are consumed, not dispatched as messages");
    assert(most <= window, `unacked never exceeds the window: ${most}`);
    const st = await control(`/control/ackstats?tag=${t}&expect=${count}`);
    eq([st.missing_count, st.unexpected], [0, 0], `the server has every id and nothing else (${show(st)})`);
    assert(st.drops >= 1, `the server dropped the link (${show(st)})`);
    assert(st.duplicates <= st.drops * window, `duplicates ${st.duplicates} within drops × window (${st.drops} × ${window})`);
    const s = ws.stats();
    eq([s.acked, s.unacked, s.unackedBytes], [count, 0, 0], "stats: all acknowledged, none left");
    assert(s.reconnects >= st.drops, `one reconnect per drop: ${s.reconnects} for ${st.drops}`);
    assert(s.replayed >= 1, "messages were sent again after a drop");
    return `${st.drops} drops, ${st.duplicates} duplicates, ${s.replayed} replayed, window high ${most}`;
  } finally {
    ws.close();
  }
}, 90000);

test("delivery: cumulative acknowledgements (mode=through) release every numeric id up to them; sequence stamps 1, 2, 3…", async () => {
  const t = tag("delivery-through");
  const ws = new ReSocket(`${wsBase}/ack?tag=${t}&mode=through&every=10`, { delivery: { maxMessages: 16, sequence: true } });
  try {
    const delivered = record(ws, "delivered", (e) => e.id);
    const all = [];
    for (let i = 0; i < 95; i++) all.push(ws.sendJson({ text: `m${i}` }, { ack: true }));
    const res = await withTimeout(Promise.all(all), 10000, "every acknowledgement");
    eq(res.map((a) => a.id), Array.from({ length: 95 }, (_, i) => i + 1), "stamped 1..95 and acknowledged");
    assert(res.every((a) => "ackThrough" in JSON.parse(a.data)), "by cumulative acknowledgements");
    eq(delivered.length, 95, "one delivered event each");
    const st = await control(`/control/ackstats?tag=${t}&expect=95`);
    eq([st.missing_count, st.duplicates], [0, 0], "the server has each once");
  } finally {
    ws.close();
  }
});

test("delivery: to a silent server, sends beyond the window wait, trySend() is false, unacked never exceeds the window, and a close hands them back", async () => {
  const ws = new ReSocket(`${wsBase}/ack?silent=1&tag=${tag("delivery-window")}`, { delivery: { maxMessages: 8 } });
  try {
    await once(ws, "open", 10000);
    const errors = record(ws, "error", (e) => [e.error?.code, e.messages]);
    const sends = [];
    for (let i = 1; i <= 20; i++) sends.push(handled(ws.send(`{"id":${i}}`)));
    await withTimeout(Promise.all(sends.slice(0, 8)), 5000, "the first 8 sends handed on");
    const s = ws.stats();
    eq([s.unacked, s.unackedBytes], [8, 8 * '{"id":1}'.length], "the window is full: 8 messages of 8 bytes");
    for (const p of sends.slice(8)) assert(await pending(p), "a send beyond the window waits");
    eq(ws.trySend('{"id":100}'), false, "trySend() of a tracked message: no room");
    eq(ws.trySend("untracked"), false, "trySend() never overtakes the waiting sends");
    // Only an acknowledgement (an event) can make room: no timer re-checks meanwhile.
    const ran = diagnostics().callbacksRun;
    await sleep(200);
    eq(diagnostics().callbacksRun - ran, 0, "no callback ran while the sends waited for the window only (nothing polled)");
    for (let i = 0; i < 20; i++) {
      await sleep(10);
      assert(ws.stats().unacked <= 8, `unacked ${ws.stats().unacked} within the window`);
    }
    ws.close();
    const refused = await Promise.allSettled(sends.slice(8));
    assert(refused.every((r) => r.status === "rejected" && r.reason.code === "closed"), `the waiting sends are refused: ${show(refused.map((r) => r.reason?.code))}`);
    eq(refused.map((r) => r.reason.messages), Array.from({ length: 12 }, (_, i) => [`{"id":${i + 9}}`]), "each handing its message back");
    await until(() => errors.length > 0, 5000, "the unacked error event");
    eq(errors, [["unacked", Array.from({ length: 8 }, (_, i) => `{"id":${i + 1}}`)]], "the window's messages handed back in order");
    eq(ws.stats().unacked, 0, "none left after the close");
  } finally {
    ws.close();
  }
});

test("delivery: an ack timeout rejects with ack_timeout handing the message back; a close for good rejects pending ones with unacked and the error event carries the rest in order", async () => {
  const ws = new ReSocket(`${wsBase}/ack?silent=1&tag=${tag("delivery-timeout")}`, { delivery: { maxMessages: 16, timeout: 5000 } });
  try {
    const errors = record(ws, "error", (e) => [e.error?.code, e.messages]);
    const started = performance.now();
    const e1 = await rejection(ws.send('{"id":1}', { ack: true, timeout: 200 }), 5000, "a send with a 200 ms deadline");
    const waited = performance.now() - started;
    isCode(e1, "ack_timeout", "the deadline");
    eq(e1.messages, ['{"id":1}'], "the message handed back");
    assert(waited >= 150 && waited < 3000, `it waited for the deadline: ${Math.round(waited)} ms`);
    // A deadline without a promise: an error event.
    await ws.send('{"id":2}', { timeout: 100 });
    await until(() => errors.length === 1, 3000, "the ack_timeout error event");
    eq(errors[0], ["ack_timeout", ['{"id":2}']], "the expired message in an error event");
    // The default deadline (5 s) has not passed: these wait for the close.
    await ws.send('{"id":3}');
    await ws.send('{"id":4}');
    const p5 = ws.send('{"id":5}', { ack: true });
    await ws.send('{"id":6}');
    eq(ws.stats().unacked, 4, "four in flight");
    ws.close();
    const e5 = await rejection(p5, 5000, "the pending acknowledgement");
    isCode(e5, "unacked", "closed for good");
    eq(e5.messages, ['{"id":5}'], "handing its message back");
    await until(() => errors.length === 2, 3000, "the unacked error event");
    eq(errors[1], ["unacked", ['{"id":3}', '{"id":4}', '{"id":6}']], "the others in order");
    isCode(await rejection(ws.send('{"id":7}', { ack: true }), 2000, "a send after close"), "closed", "after close");
  } finally {
    ws.close();
  }
});

test("delivery: request/response: a slow server's answer resolves request() and requestJson(); a silent server's times out", async () => {
  const slow = new ReSocket(`${wsBase}/ack?delay_ms=300&tag=${tag("delivery-slow")}`, { delivery: { sequence: true } });
  const silent = new ReSocket(`${wsBase}/ack?silent=1&tag=${tag("delivery-silent")}`, { delivery: true });
  const silentOpen = once(silent, "open", 10000);
  try {
    await once(slow, "open", 10000);
    let t0 = performance.now();
    const text = await withTimeout(slow.request('{"id":"q-1","request":"time?"}'), 5000, "request()");
    assert(performance.now() - t0 >= 250, "answered after the server's delay");
    eq(JSON.parse(text), { ack: "q-1", response: "time?" }, "request() resolves with the answer's data");
    t0 = performance.now();
    const obj = await withTimeout(slow.requestJson({ request: { n: 42 } }, { timeout: 5000 }), 5000, "requestJson()");
    eq(obj, { ack: 1, response: { n: 42 } }, "requestJson() stamped id 1 and resolves with the answer parsed");
    const both = await withTimeout(Promise.all([slow.requestJson({ request: "a" }), slow.requestJson({ id: "x", request: "b" })]), 5000, "two at once");
    eq(both, [{ ack: 2, response: "a" }, { ack: "x", response: "b" }], "each answer to its own request");
    await silentOpen;
    const e = await rejection(silent.request('{"id":9,"request":1}', { timeout: 200 }), 5000, "request() to a silent server");
    isCode(e, "ack_timeout", "no answer before the deadline");
    eq(e.messages, ['{"id":9,"request":1}'], "the request handed back");
    const ej = await rejection(silent.requestJson({ id: 10 }, { timeout: 100 }), 5000, "requestJson() to a silent server");
    isCode(ej, "ack_timeout", "requestJson() too");
    isCode(await rejection(silent.request("not json", { timeout: 100 }), 2000, "a request without an id"), "invalid_id", "no id");
  } finally {
    slow.close();
    silent.close();
  }
});

test("delivery: hostile acknowledgements (garbage before every real one) throw nothing, release nothing wrongly, and real ones still work", async () => {
  const uncaught = watchUncaught();
  // "hold" is tracked (id 424242) but not JSON: the server never acknowledges it, so any
  // garbage that released it (a cumulative 1e300, say) would show.
  const id = (d) => (d === "hold" ? 424242 : typeof d === "string" && d.startsWith("{") ? JSON.parse(d).id : null);
  const ws = new ReSocket(`${wsBase}/ack?hostile=1&tag=${tag("delivery-hostile")}`, { delivery: { id } });
  try {
    const messages = record(ws, "message", (e) => e.data);
    const delivered = record(ws, "delivered", (e) => e.id);
    const hold = handled(ws.send("hold", { ack: true }));
    const acks = [];
    for (let i = 1; i <= 5; i++) acks.push(ws.send(`{"id":${i}}`, { ack: true }));
    acks.push(ws.send('{"id":"s-1"}', { ack: true }));
    const res = await withTimeout(Promise.all(acks), 10000, "the real acknowledgements");
    eq(res.map((a) => a.id), [1, 2, 3, 4, 5, "s-1"], "every real acknowledgement resolves its own send");
    await sleep(50);
    eq(delivered, [1, 2, 3, 4, 5, "s-1"], "delivered: exactly these");
    assert(await pending(hold), "the message the server never acknowledged is still pending");
    eq(ws.stats().unacked, 1, "and still in flight");
    // Of the ten garbage frames per reply, those whose id is no id at all are ordinary
    // messages (tests/cases/acks.json); {"ack":"nope"} and {"ack":999999999} are
    // acknowledgements of ids not in flight: consumed, releasing nothing.
    const ordinary = ["not json {", '{"ack":-1}', '{"ack":1e300}', '{"ack":1.5}', '{"ack":null}', '{"ackThrough":-1}', '{"ackThrough":"nope"}', '{"ackThrough":1e300}'];
    eq(messages.length, 6 * ordinary.length, `the garbage that is no acknowledgement is dispatched: ${show(messages.slice(0, 3))}`);
    eq(messages.slice(0, ordinary.length), ordinary, "those, in order");
    eq(uncaught.seen, [], "nothing thrown");
  } finally {
    uncaught.stop();
    ws.close();
  }
});

test("delivery: a throwing id reader rejects with invalid_id handing the message back; a throwing ack reader is reported and its message dispatched", async () => {
  const reported = [];
  const onError = (e) => {
    if (String(e.error?.message ?? e.message).includes(DELIBERATE)) {
      reported.push(e.error);
      e.preventDefault();
    }
  };
  window.addEventListener("error", onError);
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("delivery-readers")}`, {
    delivery: {
      id: (d) => {
        if (d === "boom") throw new Error(DELIBERATE);
        return null;
      },
      ack: (d) => {
        if (d === "ack-boom") throw new Error(DELIBERATE);
        return d === "ack:1" ? 1 : null;
      },
    },
  });
  try {
    const messages = record(ws, "message", (e) => e.data);
    const e = await rejection(ws.send("boom"), 2000, "send() with a throwing id reader");
    isCode(e, "invalid_id", "send()");
    eq(e.messages, ["boom"], "the message handed back");
    assert(e.message.includes(DELIBERATE), `the reader's error named: ${e.message}`);
    let thrown;
    try {
      ws.trySend("boom");
    } catch (x) {
      thrown = x;
    }
    isCode(thrown, "invalid_id", "trySend()");
    await ws.send("ack-boom");
    await ws.send("after");
    await until(() => messages.length === 2, 5000, "the echoes");
    eq(messages, ["ack-boom", "after"], "the message whose ack reader threw is dispatched as an ordinary one");
    eq(reported.length, 1, "the reader's exception is reported");
    eq(ws.stats().unacked, 0, "nothing tracked");
  } finally {
    window.removeEventListener("error", onError);
    ws.close();
  }
});

test("delivery: duplicate ids are refused while in flight and accepted after the peer's acknowledgement; an echoing peer acknowledges", async () => {
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("delivery-dup")}`, { delivery: { maxMessages: 8 } });
  try {
    await once(ws, "open", 10000);
    const messages = record(ws, "message", (e) => e.data);
    const first = ws.sendJson({ id: 7, text: "a" }, { ack: true });
    const dup = await rejection(ws.sendJson({ id: 7, text: "b" }), 2000, "the same id again");
    isCode(dup, "duplicate_id", "a numeric id in flight");
    eq(dup.messages, ['{"id":7,"text":"b"}'], "the refused message handed back");
    assert(dup.message.includes("7"), `the id named: ${dup.message}`);
    await ws.send('{"id":"t"}');
    isCode(await rejection(ws.send('{"id":"t","n":2}'), 2000, "a text id again"), "duplicate_id", "a text id in flight");
    // The echo brings the message back (an ordinary message); the page acknowledges it
    // through the echo: {"ack":7} has no "id", so it goes untracked, and comes back as the ack.
    await until(() => messages.length >= 2, 5000, "the echoes");
    await ws.sendJson({ ack: 7 });
    const ack = await withTimeout(first, 5000, "the acknowledgement via the echo");
    eq([ack.id, ack.data], [7, '{"ack":7}'], "resolved by the echoed acknowledgement");
    eq(messages, ['{"id":7,"text":"a"}', '{"id":"t"}'], "the acknowledgement itself is not dispatched");
    await withTimeout(ws.sendJson({ id: 7, text: "again" }), 2000, "id 7 once acknowledged");
    eq(ws.stats().unacked, 2, "7 again and t in flight");
    // Invalid ids, from the core's rule.
    for (const bad of ['{"id":1.5}', '{"id":-1}', '{"id":""}', `{"id":"${"x".repeat(257)}"}`, '{"id":true}', '{"id":9007199254740992}']) {
      const e = await rejection(ws.send(bad), 2000, `send(${bad.slice(0, 20)})`);
      isCode(e, "invalid_id", bad.slice(0, 20));
      eq(e.messages, [bad], "handed back");
    }
    isCode(await rejection(ws.send("no id", { ack: true }), 2000, "ack without an id"), "invalid_id", "no id");
    isCode(await rejection(ws.send(new Uint8Array([1]), { ack: true }), 2000, "binary with ack"), "invalid_id", "binary data has no id");
  } finally {
    ws.close();
  }
});

test("delivery: off by default: acknowledgements are asked for in vain (invalid_id), and ack-shaped messages are ordinary messages", async () => {
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("delivery-off")}`);
  try {
    await once(ws, "open", 10000);
    const messages = record(ws, "message", (e) => e.data);
    const e = await rejection(ws.send('{"id":1}', { ack: true }), 2000, "send with ack");
    isCode(e, "invalid_id", "delivery off");
    assert(e.message.includes("off"), `says why: ${e.message}`);
    eq(e.messages, ['{"id":1}'], "handed back");
    isCode(await rejection(ws.request('{"id":2}'), 2000, "request()"), "invalid_id", "request() with delivery off");
    await ws.send('{"ack":1}');
    await ws.sendJson({ id: 3 });
    await until(() => messages.length === 2, 5000, "the echoes");
    eq(messages, ['{"ack":1}', '{"id":3}'], "dispatched as they are");
    const s = ws.stats();
    eq([s.acked, s.unacked, s.replayed], [0, 0, 0], "nothing tracked");
    let bad;
    try {
      new ReSocket(`${wsBase}/echo`, { delivery: { timeout: -1 } });
    } catch (x) {
      bad = x;
    }
    isCode(bad, "invalid_option", "a negative default deadline");
    assert(bad.message.includes("delivery.timeout"), bad.message);
  } finally {
    ws.close();
  }
});

test("delivery: tracked binary data is kept as it was given: a reused buffer does not change what is sent again after a drop", async () => {
  const ws = new ReSocket(`${wsBase}/echo?tag=${tag("delivery-binary")}`, {
    reconnect: RECONNECT,
    delivery: { id: (d) => (typeof d === "string" ? null : new Uint8Array(d)[0]), ack: (d) => (typeof d === "string" && d.startsWith("ok") ? Number(d.slice(2)) : null) },
  });
  try {
    await once(ws, "open", 10000);
    const got = record(ws, "message", (e) => (typeof e.data === "string" ? e.data : Array.from(new Uint8Array(e.data))));
    const buf = new Uint8Array([5, 1, 2, 3]);
    await ws.send(buf);
    buf.set([9, 9, 9, 9]); // the application reuses its buffer
    await until(() => got.length === 1, 5000, "the echo");
    eq(got[0], [5, 1, 2, 3], "sent as given");
    ws.reconnect(); // a new socket: the unacknowledged message is sent again
    await until(() => got.length === 2, 5000, "the replay's echo");
    eq(got[1], [5, 1, 2, 3], "sent again as it was given, not as the buffer is now");
    eq(ws.stats().replayed, 1, "one replay");
    await ws.send("ok5");
    await until(() => ws.stats().unacked === 0, 5000, "the acknowledgement");
  } finally {
    ws.close();
  }
});

export default tests;
