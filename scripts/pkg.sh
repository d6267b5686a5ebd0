#!/usr/bin/env bash
# Builds the npm package `resocket-wasm` into pkg/: the release wasm build of its cdylib
# crate (crates/resocket-wasm, which links resocket with the `js` feature), wasm-bindgen
# (ES module output), wasm-opt -Oz, then the files of pkg-template/. Safe to run again;
# any failing step fails the whole script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

BINARYEN_VERSION=132.0.0
out="$root/pkg"
tools="$root/.tools"
# resocket is an rlib only: the cdylib is crates/resocket-wasm's.
wasm_in="$root/target/wasm32-unknown-unknown/release/resocket_wasm.wasm"

log() { printf '[pkg] %s\n' "$*"; }
die() { printf '[pkg] FAILED: %s\n' "$*" >&2; exit 1; }

command -v wasm-bindgen >/dev/null || die "wasm-bindgen is missing (run scripts/setup.sh)"
command -v npm >/dev/null || die "npm is missing"

# wasm-opt from the npm package `binaryen`, in a local tools folder.
wasm_opt="$tools/node_modules/.bin/wasm-opt"
if [ ! -x "$wasm_opt" ] || ! "$wasm_opt" --version 2>/dev/null | grep -q "version ${BINARYEN_VERSION%%.*}"; then
  log "installing binaryen $BINARYEN_VERSION into .tools/"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "binaryen@$BINARYEN_VERSION"
  [ -x "$wasm_opt" ] || die "wasm-opt not found after installing binaryen"
fi

log "cargo build (release, wasm32-unknown-unknown)"
cargo build -p resocket-wasm --release --target wasm32-unknown-unknown
[ -f "$wasm_in" ] || die "no $wasm_in after the build"

rm -rf "$out"
mkdir -p "$out"

log "wasm-bindgen --target web"
wasm-bindgen --target web --out-dir "$out" --out-name resocket_wasm "$wasm_in"
[ -f "$out/resocket_wasm.js" ] || die "wasm-bindgen wrote no resocket_wasm.js"
# The exports come from the resocket rlib: check that they survived into the cdylib.
grep -q '^export class WasmSocket\b' "$out/resocket_wasm.js" || die "the wasm module does not export WasmSocket"
grep -q '^export function diagnostics\b' "$out/resocket_wasm.js" || die "the wasm module does not export diagnostics"

log "wasm-opt -Oz"
"$wasm_opt" -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue \
  --strip-debug --strip-producers \
  "$out/resocket_wasm_bg.wasm" -o "$out/resocket_wasm_bg.opt.wasm"
mv "$out/resocket_wasm_bg.opt.wasm" "$out/resocket_wasm_bg.wasm"

# The module travels as base64 inside the package's JavaScript, compiled synchronously
# when the first socket is made (see index.js): no .wasm file ships, so there is nothing
# to fetch, serve or copy. wasm-bindgen's asynchronous loader (the default export, which
# the package never calls) names the .wasm with `new URL(..., import.meta.url)`, which
# bundlers would try to resolve: that line is replaced.
node -e '
  const fs = require("fs");
  const [wasm, inline, glue] = process.argv.slice(1);
  const b64 = fs.readFileSync(wasm).toString("base64");
  fs.writeFileSync(inline, "// The WebAssembly core of resocket-wasm, as base64 (compiled by index.js).\nexport default \"" + b64 + "\";\n");
  const text = fs.readFileSync(glue, "utf8");
  const line = "module_or_path = new URL(\x27resocket_wasm_bg.wasm\x27, import.meta.url);";
  if (!text.includes(line)) { console.error("[pkg] FAILED: the glue has no default .wasm URL to replace"); process.exit(1); }
  const out = text.replace(line, "throw new Error(\"resocket-wasm instantiates its module with initSync\");");
  if (out.includes("resocket_wasm_bg.wasm")) { console.error("[pkg] FAILED: the glue still names the .wasm"); process.exit(1); }
  fs.writeFileSync(glue, out);
' "$out/resocket_wasm_bg.wasm" "$out/resocket_wasm_inline.js" "$out/resocket_wasm.js"

cp -R pkg-template/. "$out/"
cp LICENSE-MIT LICENSE-APACHE "$out/"

# Every file package.json lists must exist.
node -e '
  const pkg = require(process.argv[1] + "/package.json");
  const fs = require("fs");
  const missing = pkg.files.filter((f) => !fs.existsSync(process.argv[1] + "/" + f));
  if (missing.length) { console.error("[pkg] FAILED: missing " + missing.join(", ")); process.exit(1); }
' "$out"

gz() { gzip -9 -c "$1" | wc -c; }
kib() { awk -v n="$1" 'BEGIN { printf "%.1f KiB", n / 1024 }'; }
wasm_raw=$(wc -c <"$out/resocket_wasm_bg.wasm")
wasm_gz=$(gz "$out/resocket_wasm_bg.wasm")
js_raw=$(cat "$out/index.js" "$out/core.js" "$out/options.js" "$out/resocket_wasm.js" | wc -c)
js_gz=$(cat "$out/index.js" "$out/core.js" "$out/options.js" "$out/resocket_wasm.js" | gzip -9 | wc -c)
inline_gz=$(gz "$out/resocket_wasm_inline.js")
log "pkg/ ready: resocket-wasm $(node -p 'require(process.argv[1]).version' "$out/package.json")"
log "  resocket_wasm_bg.wasm  $(kib "$wasm_raw")  gzip $(kib "$wasm_gz")"
log "  JS (index.js, core.js, options.js, glue)  $(kib "$js_raw")  gzip $(kib "$js_gz")"
log "  resocket_wasm_inline.js (the module as base64)  gzip $(kib "$inline_gz")"
