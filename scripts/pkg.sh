#!/usr/bin/env bash
# Builds the npm package `resocket-wasm` into pkg/: the release wasm build of its module
# (crates/resocket-wasm: the sans-IO core alone, #![no_std], numeric exports, no imports),
# wasm-opt -Oz, the module as base64 in resocket_wasm_inline.js, then the files of
# pkg-template/. Safe to run again; any failing step fails the whole script.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

BINARYEN_VERSION=132.0.0
out="$root/pkg"
tools="$root/.tools"
# resocket is an rlib only: the cdylib is crates/resocket-wasm's.
wasm_in="$root/target/wasm32-unknown-unknown/release/resocket_wasm.wasm"
# The optimised module (measured here; it ships only as base64).
wasm_opt_out="$root/target/resocket_wasm.opt.wasm"

log() { printf '[pkg] %s\n' "$*"; }
die() { printf '[pkg] FAILED: %s\n' "$*" >&2; exit 1; }

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

log "wasm-opt -Oz"
"$wasm_opt" -Oz \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-multivalue \
  --strip-debug --strip-producers \
  "$wasm_in" -o "$wasm_opt_out"

# The module travels as base64 inside the package's JavaScript, compiled synchronously
# when the first socket is made (see core.js): no .wasm file ships, so there is nothing
# to fetch, serve or copy. The module must import nothing and export the core's API.
node -e '
  const fs = require("fs");
  const [wasm, inline] = process.argv.slice(1);
  const bytes = fs.readFileSync(wasm);
  const m = new WebAssembly.Module(bytes);
  const imports = WebAssembly.Module.imports(m);
  if (imports.length) { console.error("[pkg] FAILED: the module imports " + imports.map((i) => i.module + "." + i.name).join(", ")); process.exit(1); }
  const names = WebAssembly.Module.exports(m).map((e) => e.name);
  for (const n of ["memory", "rs_new", "rs_poll", "rs_event", "rs_message", "rs_send", "rs_free"]) {
    if (!names.includes(n)) { console.error("[pkg] FAILED: the module does not export " + n); process.exit(1); }
  }
  fs.writeFileSync(inline, "// The WebAssembly core of resocket-wasm, as base64 (compiled by core.js).\nexport default \"" + bytes.toString("base64") + "\";\n");
' "$wasm_opt_out" "$out/resocket_wasm_inline.js"

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
wasm_raw=$(wc -c <"$wasm_opt_out")
wasm_gz=$(gz "$wasm_opt_out")
js=("$out/index.js" "$out/shell.js" "$out/share.js" "$out/core.js" "$out/options.js")
js_raw=$(cat "${js[@]}" | wc -c)
js_gz=$(cat "${js[@]}" | gzip -9 | wc -c)
inline_gz=$(gz "$out/resocket_wasm_inline.js")
log "pkg/ ready: resocket-wasm $(node -p 'require(process.argv[1]).version' "$out/package.json")"
log "  the module (resocket_wasm.wasm, not shipped)  $(kib "$wasm_raw")  gzip $(kib "$wasm_gz")"
log "  JS (index.js, shell.js, share.js, core.js, options.js)  $(kib "$js_raw")  gzip $(kib "$js_gz")"
log "  resocket_wasm_inline.js (the module as base64)  gzip $(kib "$inline_gz")"
