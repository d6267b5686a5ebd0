// The shared case tables (tests/cases/*.json, the ones the core runs natively) against the
// installed package in Node, through the same checks as the browser page
// (browser/cases.js). Usage: node node-cases.mjs <folder of the tables> <path of cases.js>.
// Prints one `ok ...` / `FAIL ...` line per table.

import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [dir, checks] = process.argv.slice(2);
const { check } = await import(pathToFileURL(checks).href);
const { ReSocket } = await import("resocket-wasm");
const tables = {};
for (const t of ["urls", "close", "options"]) tables[t] = JSON.parse(await readFile(join(dir, `${t}.json`), "utf8"));
const { failures, counts } = check(ReSocket, tables, null);
let failed = false;
for (const [name, prefix] of [["urls", "url "], ["close", "close("], ["options", "options "]]) {
  const mine = failures.filter((f) => f.startsWith(prefix));
  if (mine.length === 0 && counts[name] >= 10) console.log(`ok node cases: ${name}.json (${counts[name]} cases) as the core answers natively`);
  else {
    failed = true;
    console.log(`FAIL node cases: ${name}.json: ${counts[name]} cases, ${mine.length} differ: ${mine.slice(0, 8).join(" | ")}`);
  }
}

// Text is counted in UTF-8 bytes, as WebSocket.send() sends it (a lone surrogate as the 3
// bytes of U+FFFD), by the short-string path and by the long-string one.
{
  class Idle {}
  const sizes = [];
  for (const [text, max] of [["é😀", 5], ["a\ud800b", 4], ["\udc00\ud800\udc00", 6], ["x".repeat(9000) + "😀\ud800", 9006], ["é".repeat(9000), 17999]]) {
    const ws = new ReSocket("ws://127.0.0.1:9/", { WebSocket: Idle, maxMessageSize: max });
    try {
      ws.trySend(text);
      sizes.push("sent");
    } catch (e) {
      sizes.push(e.code === "too_large" ? Number(/of (\d+) bytes/.exec(e.message)?.[1]) : e.code);
    }
    ws.free();
  }
  const want = [6, 5, 7, 9007, 18000];
  if (JSON.stringify(sizes) === JSON.stringify(want)) console.log("ok node cases: text is counted in UTF-8 bytes (short and long strings, lone surrogates)");
  else {
    failed = true;
    console.log(`FAIL node cases: UTF-8 lengths ${JSON.stringify(sizes)}, expected ${JSON.stringify(want)}`);
  }
}

// The JSON shortcut of acknowledged delivery (acks.json, which the Rust face's readers
// run natively): which outbound texts are tracked with which id, which inbound texts are
// acknowledgements (consumed) and which are ordinary messages. A stand-in socket opens at
// once and lets the test hand the package inbound messages.
{
  let sock;
  class Stand {
    constructor() {
      sock = this;
      this.readyState = 0;
      this.bufferedAmount = 0;
      this.protocol = "";
      this.extensions = "";
      queueMicrotask(() => {
        this.readyState = 1;
        this.onopen?.(new Event("open"));
      });
    }
    send() {}
    close() {
      this.readyState = 3;
    }
  }
  const table = JSON.parse(await readFile(join(dir, "acks.json"), "utf8"));
  const opened = async () => {
    const ws = new ReSocket("ws://127.0.0.1:9/", { WebSocket: Stand, delivery: true });
    await new Promise((r) => ws.addEventListener("open", r, { once: true }));
    const seen = { delivered: [], messages: [] };
    ws.addEventListener("delivered", (e) => seen.delivered.push(e.id));
    ws.addEventListener("message", (e) => seen.messages.push(e.data));
    return [ws, sock, seen];
  };
  const inject = async (s, data) => {
    s.onmessage?.(new MessageEvent("message", { data }));
    await new Promise((r) => setTimeout(r, 0));
  };
  const wrong = [];
  for (const c of table.outbound) {
    const [ws, s, seen] = await opened();
    let got;
    try {
      ws.trySend(c.text);
      if (ws.stats().unacked === 0) got = null;
      else {
        // Which id: the acknowledgement of the expected one releases it.
        await inject(s, JSON.stringify({ ack: c.id }));
        got = seen.delivered.length === 1 ? seen.delivered[0] : `tracked, not under ${JSON.stringify(c.id)}`;
      }
    } catch (e) {
      got = e.code === "invalid_id" ? "invalid" : e.code;
    }
    if (got !== c.id) wrong.push(`send ${c.text}: ${JSON.stringify(got)}, want ${JSON.stringify(c.id)}`);
    ws.free();
  }
  for (const c of table.inbound) {
    const [ws, s, seen] = await opened();
    const id = c.ack === null ? 7 : (c.ack.id ?? c.ack.through);
    ws.trySend(JSON.stringify({ id }));
    await inject(s, c.text);
    const consumed = seen.messages.length === 0;
    const released = ws.stats().unacked === 0;
    const ok = c.ack === null ? !consumed && !released && seen.messages[0] === c.text : consumed && released;
    if (!ok) wrong.push(`receive ${c.text}: consumed ${consumed}, released ${released}, want ${JSON.stringify(c.ack)}`);
    ws.free();
  }
  const n = table.outbound.length + table.inbound.length;
  if (wrong.length === 0 && n >= 30) console.log(`ok node cases: acks.json (${n} cases) as the Rust face's readers answer natively`);
  else {
    failed = true;
    console.log(`FAIL node cases: acks.json: ${n} cases, ${wrong.length} differ: ${wrong.slice(0, 6).join(" | ")}`);
  }
}
process.exitCode = failed ? 1 : 0;
