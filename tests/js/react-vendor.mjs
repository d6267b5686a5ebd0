// Builds the React that the browser test page imports by name (its import map points
// "react" and "react-dom/client" here), as a page with an import map and ESM builds of
// React would: `node react-vendor.mjs OUTDIR` writes OUTDIR/react.js and
// OUTDIR/react-dom-client.js (and the chunk they share, so there is one React), bundled
// from tests/js/node_modules with esbuild, in development mode so that StrictMode
// mounts twice. resocket-wasm/react is not bundled: it imports "react" by name.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = process.argv[2];
if (!outdir) {
  console.error("usage: node react-vendor.mjs OUTDIR");
  process.exit(2);
}

// React ships CommonJS, whose names an ES module re-export cannot see: list them.
const require = createRequire(join(here, "package.json"));
const entries = { react: "react", "react-dom-client": "react-dom/client" };
const src = mkdtempSync(join(tmpdir(), "react-vendor-"));
for (const [file, id] of Object.entries(entries)) {
  const names = Object.keys(require(id)).filter((n) => n !== "default" && /^[A-Za-z_$][\w$]*$/.test(n));
  writeFileSync(
    join(src, `${file}.js`),
    `import m from ${JSON.stringify(id)};\nexport default m;\nexport const { ${names.join(", ")} } = m;\n`,
  );
}

try {
  await build({
    entryPoints: Object.keys(entries).map((file) => join(src, `${file}.js`)),
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    target: "es2020",
    define: { "process.env.NODE_ENV": '"development"' },
    nodePaths: [join(here, "node_modules")],
    logLevel: "error",
  });
} finally {
  rmSync(src, { recursive: true, force: true });
}
