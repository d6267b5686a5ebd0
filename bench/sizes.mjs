// B1: shipped size of the same minimal program (open a socket, send a greeting, hand every
// message received to a callback; "+ JSON" decodes it to a typed value) for each client:
// wasm after wasm-opt -Oz, JS glue or library bundled + minified by esbuild, each file
// compressed on its own with gzip -9 and brotli -q 11, as a server would send them.
// Also a function-level breakdown of the resocket builds (from copies that keep the name
// section) to show where the bytes go.
//
//   node sizes.mjs --site DIR --pkg DIR --out FILE   measure
//   node sizes.mjs --bundle-runtime DIR              write the ESM bundles B7 imports

import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const { values: args } = parseArgs({
  options: {
    site: { type: "string" },
    pkg: { type: "string" },
    out: { type: "string" },
    binaryen: { type: "string" },
    "bundle-runtime": { type: "string" },
  },
});

async function bundle(contents, minify = true, external = []) {
  const r = await esbuild.build({
    external,
    stdin: { contents, resolveDir: here, sourcefile: "entry.js", loader: "js" },
    bundle: true,
    minify,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
    legalComments: "none",
  });
  return Buffer.from(r.outputFiles[0].contents);
}

if (args["bundle-runtime"]) {
  const dir = args["bundle-runtime"];
  mkdirSync(dir, { recursive: true });
  const runtime = {
    "reconnecting-websocket.js": `export { default } from "reconnecting-websocket";`,
    "partysocket.js": `export { default } from "partysocket/ws";`,
  };
  for (const [file, src] of Object.entries(runtime)) writeFileSync(join(dir, file), await bundle(src));
  process.exit(0);
}

if (!args.site || !args.pkg || !args.out) {
  console.error("usage: node sizes.mjs --site DIR --pkg DIR --out FILE | --bundle-runtime DIR");
  process.exit(2);
}

const gz = (b) => gzipSync(b, { level: 9 }).length;
const br = (b) =>
  brotliCompressSync(b, {
    params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: b.length },
  }).length;
const measure = (b) => (b ? { raw: b.length, gzip: gz(b), brotli: br(b) } : { raw: 0, gzip: 0, brotli: 0 });

// The minimal program, per JS library (the wasm apps implement it in bench/apps/size-*).
const JS_ENTRIES = {
  "reconnecting-websocket": `import RWS from "reconnecting-websocket";
    export function start(url, onMessage) {
      const ws = new RWS(url);
      ws.onmessage = (e) => onMessage(e.data);
      ws.send("hello");
      return ws;
    }`,
  partysocket: `import WebSocket from "partysocket/ws";
    export function start(url, onMessage) {
      const ws = new WebSocket(url);
      ws.onmessage = (e) => onMessage(e.data);
      ws.send("hello");
      return ws;
    }`,
  "websocket-ts": `import { WebsocketBuilder, ExponentialBackoff, ArrayQueue, WebsocketEvent } from "websocket-ts";
    export function start(url, onMessage) {
      const ws = new WebsocketBuilder(url).withBuffer(new ArrayQueue()).withBackoff(new ExponentialBackoff(500, 6)).build();
      ws.addEventListener(WebsocketEvent.message, (_, e) => onMessage(e.data));
      ws.send("hello");
      return ws;
    }`,
  "socket.io-client": `import { io } from "socket.io-client";
    export function start(url, onMessage) {
      const s = io(url, { transports: ["websocket"] });
      s.on("message", onMessage);
      s.send("hello");
      return s;
    }`,
};

const minifiedGlue = async (file) =>
  Buffer.from((await esbuild.transform(readFileSync(file, "utf8"), { minify: true, format: "esm", target: "es2022", legalComments: "none" })).code);

const rows = [];
async function rustApp(id, label, group, name) {
  const stem = name.replaceAll("-", "_");
  const wasm = readFileSync(join(args.site, "apps", name, `${stem}_bg.wasm`));
  const js = await minifiedGlue(join(args.site, "apps", name, `${stem}.js`));
  rows.push({ id, label, group, wasm: measure(wasm), js: measure(js) });
}

await rustApp("resocket-core", "resocket, Rust API, Raw frames (`default-features = false`)", "core", "size-resocket-core");
await rustApp("websys-core", "raw web-sys WebSocket", "core", "size-websys-core");
await rustApp("gloo-core", "gloo-net WebSocket", "core", "size-gloo-core");
await rustApp("resocket-json", "resocket, Rust API, `Json` codec", "json", "size-resocket-json");
await rustApp("resocket-jsjson", "resocket, Rust API, `JsJson` codec (`JSON.parse` + serde-wasm-bindgen, no serde_json)", "json", "size-resocket-jsjson");
await rustApp("websys-json", "raw web-sys + serde_json", "json", "size-websys-json");
await rustApp("gloo-json", "gloo-net + serde_json", "json", "size-gloo-json");
{
  // The module is inside the package's JavaScript (base64): the bundle is all a user ships.
  const js = await bundle(`import { ReSocket } from ${JSON.stringify(resolve(args.pkg, "index.js"))};
    export function start(url, onMessage) {
      const ws = new ReSocket(url);
      ws.onmessage = (e) => onMessage(e.data);
      ws.send("hello");
      return ws;
    }`, true);
  rows.push({ id: "npm", label: "resocket npm package `resocket-wasm`, module inside the JS (JSON via `sendJson`/`json()`)", group: "js", wasm: measure(null), js: measure(js) });
}
for (const [lib, src] of Object.entries(JS_ENTRIES)) {
  const version = JSON.parse(readFileSync(join(here, "node_modules", lib, "package.json"), "utf8")).version;
  rows.push({ id: lib, label: `${lib} ${version}`, group: "js", wasm: measure(null), js: measure(await bundle(src)) });
}
for (const r of rows) {
  r.total = { raw: r.wasm.raw + r.js.raw, gzip: r.wasm.gzip + r.js.gzip, brotli: r.wasm.brotli + r.js.brotli };
}

// ---- where the bytes go: sections and functions of a wasm file with a name section ---------

function leb(buf, pos) {
  let result = 0, shift = 0, b;
  do {
    b = buf[pos++];
    result += (b & 0x7f) * 2 ** shift;
    shift += 7;
  } while (b & 0x80);
  return [result, pos];
}

function breakdown(file) {
  const buf = readFileSync(file);
  const SECTION = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];
  const sections = {};
  let pos = 8, importedFuncs = 0, bodies = [], names = new Map();
  while (pos < buf.length) {
    const id = buf[pos++];
    let size;
    [size, pos] = leb(buf, pos);
    const start = pos, end = pos + size;
    let key = SECTION[id] ?? `id${id}`;
    if (id === 0) {
      let n, p;
      [n, p] = leb(buf, pos);
      const name = buf.subarray(p, p + n).toString();
      key = `custom:${name}`;
      if (name === "name") {
        p += n;
        while (p < end) {
          const sub = buf[p++];
          let len;
          [len, p] = leb(buf, p);
          if (sub === 1) {
            let count, q = p;
            [count, q] = leb(buf, q);
            for (let i = 0; i < count; i++) {
              let idx, nl;
              [idx, q] = leb(buf, q);
              [nl, q] = leb(buf, q);
              names.set(idx, buf.subarray(q, q + nl).toString());
              q += nl;
            }
          }
          p += len;
        }
      }
    } else if (id === 2) {
      let count, p = pos;
      [count, p] = leb(buf, p);
      for (let i = 0; i < count; i++) {
        let l;
        [l, p] = leb(buf, p); p += l; // module
        [l, p] = leb(buf, p); p += l; // field
        const kind = buf[p++];
        if (kind === 0) { [, p] = leb(buf, p); importedFuncs++; }
        else if (kind === 1) { p++; const f = buf[p++]; [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
        else if (kind === 2) { const f = buf[p++]; [, p] = leb(buf, p); if (f & 1) [, p] = leb(buf, p); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p += 1; [, p] = leb(buf, p); }
      }
    } else if (id === 10) {
      let count, p = pos;
      [count, p] = leb(buf, p);
      for (let i = 0; i < count; i++) {
        let len;
        const at = p;
        [len, p] = leb(buf, p);
        bodies.push({ index: importedFuncs + i, size: p - at + len });
        p += len;
      }
    }
    sections[key] = (sections[key] ?? 0) + size;
    pos = end;
  }
  const fns = bodies.map((b) => ({ name: names.get(b.index) ?? `func${b.index}`, size: b.size }));
  const groupOf = (n) => {
    if (/^rs_|resocket_wasm::/.test(n)) return "resocket numeric API (crates/resocket-wasm)";
    if (/resocket::core::|resocket..core|resocket_core_nostd/.test(n)) return "resocket core";
    if (/resocket::/.test(n)) return "resocket web + client";
    if (/serde_wasm_bindgen/.test(n)) return "serde-wasm-bindgen";
    if (/serde_json|serde::|serde_core|_serde::|zmij|itoa|ryu/.test(n)) return "serde / serde_json";
    if (/dlmalloc|lol_alloc|alloc::|__rust_alloc|__rdl_|__rust_dealloc|__rust_realloc|RawVec/.test(n)) return "allocator, Vec, String";
    if (/core::fmt|fmt::|Display|Debug|::fmt/.test(n)) return "formatting (core::fmt)";
    if (/wasm_bindgen|js_sys|web_sys|__wbg|__wbindgen|externref/.test(n)) return "wasm-bindgen, js-sys, web-sys";
    if (/futures|wasm_bindgen_futures|Waker|task::/.test(n)) return "futures, executor";
    if (/^core::|^std::|^alloc::|memcpy|memset|memmove|memcmp/.test(n)) return "core / std";
    return "other (inlined app code, generics)";
  };
  const groups = {};
  for (const f of fns) groups[groupOf(f.name)] = (groups[groupOf(f.name)] ?? 0) + f.size;
  const top = [...fns].sort((a, b) => b.size - a.size).slice(0, 15);
  return { sections, functions: fns.length, groups, top };
}

/** Export names of a wasm file. */
function exportsOf(buf) {
  let pos = 8;
  const names = [];
  while (pos < buf.length) {
    const id = buf[pos++];
    let size;
    [size, pos] = leb(buf, pos);
    if (id === 7) {
      let count, p = pos;
      [count, p] = leb(buf, p);
      for (let i = 0; i < count; i++) {
        let l;
        [l, p] = leb(buf, p);
        names.push(buf.subarray(p, p + l).toString());
        p += l + 1;
        [, p] = leb(buf, p);
      }
    }
    pos += size;
  }
  return names;
}

const named = join(args.site, "named");
const detail = {};
for (const n of ["npm-package", "size-resocket-core", "size-resocket-json", "size-resocket-jsjson", "size-websys-core", "size-websys-json", "size-gloo-core"]) {
  const f = join(named, `${n}.wasm`);
  if (existsSync(f)) detail[n] = breakdown(f);
}

writeFileSync(args.out, JSON.stringify({ rows, breakdown: detail }, null, 1));
for (const r of rows) {
  console.log(`${r.id.padEnd(24)} wasm ${String(r.wasm.gzip).padStart(6)} gz  js ${String(r.js.gzip).padStart(6)} gz  total ${String(r.total.gzip).padStart(6)} gz ${String(r.total.brotli).padStart(6)} br`);
}
