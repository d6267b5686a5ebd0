// Native instruction counts of resocket's core and Json codec: each workload of
// core-counts runs `n` times under callgrind, collecting only inside `work_<workload>`
// (--toggle-collect), so process start and setup are not counted; the figure is
// instructions per operation. Deterministic for one build, whatever the machine's load.
//
//   node counts.mjs --bin PATH --n 2000 --out FILE

import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values: args } = parseArgs({
  options: { bin: { type: "string" }, n: { type: "string", default: "2000" }, out: { type: "string" } },
});
if (!args.bin || !args.out) {
  console.error("usage: node counts.mjs --bin PATH --n N --out FILE");
  process.exit(2);
}
const n = Number(args.n);
const dir = mkdtempSync(join(tmpdir(), "counts-"));
const workloads = execFileSync(args.bin, ["list"], { encoding: "utf8" })
  .trim()
  .split("\n")
  .map((l) => l.split("\t"));
const valgrind = execFileSync("valgrind", ["--version"], { encoding: "utf8" }).trim();
const rows = [];
try {
  for (const [name, what] of workloads) {
    const file = join(dir, `${name}.out`);
    const r = spawnSync(
      "valgrind",
      ["--tool=callgrind", `--callgrind-out-file=${file}`, `--toggle-collect=*work_${name}*`, args.bin, name, String(n)],
      { encoding: "utf8", timeout: 120_000 },
    );
    if (r.status !== 0) {
      console.error(r.stderr);
      throw new Error(`callgrind failed on ${name}`);
    }
    const m = readFileSync(file, "utf8").match(/^summary:\s+(\d+)/m);
    const total = m ? Number(m[1]) : NaN;
    rows.push({ name, what, n, instructions: total, perOp: total / n });
    console.log(`${name.padEnd(20)} ${(total / n).toFixed(0).padStart(8)} instructions/op`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
writeFileSync(args.out, JSON.stringify({ valgrind, rows }, null, 1));
