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
process.exitCode = failed ? 1 : 0;
