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
process.exitCode = failed ? 1 : 0;
