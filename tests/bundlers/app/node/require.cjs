// Node, CommonJS: `require("resocket-wasm")`, with the `ws` package's class as the
// `WebSocket` option. The first socket is made right after require() returns. Prints
// `ok NAME: ...` or `FAIL NAME: ...`.
//   node require.cjs ws://127.0.0.1:PORT/echo "NAME"
const [url, name] = process.argv.slice(2);
const fail = (why) => {
  console.log(`FAIL ${name}: ${why}`);
  process.exitCode = 1;
};

let lib;
try {
  lib = require("resocket-wasm");
} catch (e) {
  fail(`require("resocket-wasm") threw${e.code ? ` ${e.code}` : ""}: ${String(e.message).split("\n")[0]}`);
}
if (lib && typeof lib.ReSocket !== "function") {
  fail(`require("resocket-wasm").ReSocket is ${typeof lib.ReSocket}, not a class`);
} else if (lib) {
  const { WebSocket } = require("ws");
  const { ReSocket } = lib;
  const make = () => new ReSocket(url, { reconnect: false, WebSocket });
  let early;
  let earlyError;
  try {
    early = make();
  } catch (e) {
    earlyError = e;
  }
  // checks.js is an ES module; it is loaded with import() so that only the package goes
  // through require().
  import("../src/checks.js").then(async ({ run }) => {
    let calls = 0;
    const r = await run(lib, () => {
      calls += 1;
      if (calls > 1) return make();
      if (earlyError) throw earlyError;
      return early;
    });
    if (r.ok) console.log(`ok ${name}: ${r.passed.join(", ")} (${r.ms} ms)`);
    else fail(r.error);
    // A socket left open by a failed check must not keep the process alive.
    process.exit(process.exitCode ?? 0);
  });
}
