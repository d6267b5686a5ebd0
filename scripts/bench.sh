#!/usr/bin/env bash
# The benchmark suite (`make bench`): installs what is missing, builds the npm package and
# the benchmark apps, counts the core's instructions with callgrind, starts the test
# server on an ephemeral loopback port, runs the browser benchmarks in Chromium (every
# variant interleaved, 5 repetitions), writes bench/results/latest.json and regenerates
# the tables of docs/BENCHMARKS.md. See docs/BENCHMARKS.md for what is measured.
#
#   scripts/bench.sh [--reps N] [--only B2,B5]   full run (--only: a subset, for development;
#                                                 then nothing is written to results or docs)
#   scripts/bench.sh --smoke                     every benchmark with tiny counts, once; checks
#                                                 that every figure was produced, applies no
#                                                 timing threshold, writes nothing; ends with
#                                                 `bench smoke: N passed, M failed`
#   --driver cdp|playwright                      how the pages are driven (default cdp: bare
#                                                 DevTools protocol, no network monitoring;
#                                                 playwright: the old method, for comparison)
# Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

smoke=0
reps=5
only=""
driver=cdp
while [ $# -gt 0 ]; do
  case $1 in
    --smoke) smoke=1 ;;
    --reps) reps=$2; shift ;;
    --reps=*) reps=${1#*=} ;;
    --only) only=$2; shift ;;
    --only=*) only=${1#*=} ;;
    --driver) driver=$2; shift ;;
    --driver=*) driver=${1#*=} ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "scripts/bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
case $driver in cdp | playwright) ;; *) echo "scripts/bench.sh: --driver is cdp or playwright" >&2; exit 2 ;; esac

log() { printf '[bench] %s  %s\n' "$(date +%T)" "$*"; }
die() { printf '[bench] FAILED: %s\n' "$*" >&2; exit 1; }

bench="$root/bench"
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
# The bench crates have their own workspace and target directory (see bench/Cargo.toml).
bench_target="$root/target/bench"
site="$bench_target/site"
tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- toolchain -------------------------------------------------------------------------
if [ "${RESOCKET_BENCH_SKIP_SETUP:-0}" != 1 ]; then
  bash scripts/setup.sh
fi
if ! command -v valgrind >/dev/null 2>&1; then
  log "installing valgrind (Debian)"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends valgrind
fi
command -v valgrind >/dev/null || die "valgrind is missing"
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing"

# The same release profile for every wasm build: bench/Cargo.toml must copy the root one.
profile() { awk '/^\[profile.release\]/{p=1; next} /^\[/{p=0} p && NF && !/^#/' "$1"; }
[ "$(profile Cargo.toml)" = "$(profile bench/Cargo.toml)" ] ||
  die "[profile.release] of bench/Cargo.toml differs from Cargo.toml's"

# --- the npm package (scripts/pkg.sh), rebuilt when its sources are newer ---------------
if [ ! -f pkg/resocket_wasm_inline.js ] || [ ! -f pkg/index.js ] ||
  [ -n "$(find src crates pkg-template Cargo.toml Cargo.lock -newer pkg/resocket_wasm_inline.js -print -quit)" ]; then
  log "building the npm package (scripts/pkg.sh)"
  mkdir -p target # under the lock the test scripts take (pack_package in scripts/common.sh)
  flock target/.pkg.lock bash scripts/pkg.sh >"$tmp/pkg.log" 2>&1 || { tail -n 30 "$tmp/pkg.log" >&2; die "scripts/pkg.sh failed"; }
fi
wasm_opt="$root/.tools/node_modules/.bin/wasm-opt"
[ -x "$wasm_opt" ] || die "wasm-opt missing in .tools/ (scripts/pkg.sh installs it)"

# --- JS dependencies, pinned in bench/package-lock.json ---------------------------------
if [ ! -f "$bench/node_modules/.package-lock.json" ] ||
  [ "$bench/package-lock.json" -nt "$bench/node_modules/.package-lock.json" ] ||
  [ "$bench/package.json" -nt "$bench/node_modules/.package-lock.json" ]; then
  log "npm ci (bench/)"
  (cd "$bench" && npm ci --no-audit --no-fund --loglevel=error)
fi

# --- wasm apps: one release profile, wasm-bindgen --target web, wasm-opt -Oz -------------
rm -rf "$site/bench" "$site/pkg" "$site/js"
mkdir -p "$site/apps" "$site/named" "$site/js"
wasm_opt_flags=(--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext
  --enable-mutable-globals --enable-reference-types --enable-multivalue)
build_app() { # crate out-name [cargo features]
  local crate=$1 name=$2 features=${3:-}
  local args=(build -q --manifest-path "$bench/Cargo.toml" -p "$crate" --release --target wasm32-unknown-unknown)
  [ -n "$features" ] && args+=(--features "$features")
  CARGO_TARGET_DIR="$bench_target" cargo "${args[@]}"
  local out="$site/apps/$name" stem=${name//-/_}
  local input="$bench_target/wasm32-unknown-unknown/release/${crate//-/_}.wasm"
  # Skip wasm-bindgen and wasm-opt when the cargo output is the one already processed.
  local stamp
  stamp="$(sha256sum "$input" | cut -d' ' -f1) $(wasm-bindgen --version) $("$wasm_opt" --version)"
  if [ -f "$out/.stamp" ] && [ "$(cat "$out/.stamp")" = "$stamp" ] && [ -f "$site/named/$name.wasm" ]; then
    return 0
  fi
  rm -rf "$out"
  mkdir -p "$out"
  wasm-bindgen --target web --out-dir "$out" --out-name "$stem" "$input"
  # A copy with the name section, for the size breakdown; the shipped one is stripped.
  "$wasm_opt" -Oz -g "${wasm_opt_flags[@]}" "$out/${stem}_bg.wasm" -o "$site/named/$name.wasm"
  "$wasm_opt" -Oz "${wasm_opt_flags[@]}" --strip-debug --strip-producers \
    "$out/${stem}_bg.wasm" -o "$out/${stem}_bg.opt.wasm"
  mv "$out/${stem}_bg.opt.wasm" "$out/${stem}_bg.wasm"
  echo "$stamp" >"$out/.stamp"
}
log "building the benchmark apps (target/bench)"
build_app size-resocket size-resocket-core
build_app size-resocket size-resocket-json json
build_app size-resocket size-resocket-jsjson js-json
build_app size-websys size-websys-core
build_app size-websys size-websys-json json
build_app size-gloo size-gloo-core
build_app size-gloo size-gloo-json json
build_app rt-resocket rt-resocket
build_app rt-gloo rt-gloo

# The page, the npm package and the JS libraries the pages import.
cp -R "$bench/web" "$site/bench"
cp -R pkg "$site/pkg"
# The npm package's module again with its name section, for the size breakdown.
"$wasm_opt" -Oz -g "${wasm_opt_flags[@]}" "$root/target/wasm32-unknown-unknown/release/resocket_wasm.wasm" \
  -o "$site/named/npm-package.wasm"
node "$bench/sizes.mjs" --bundle-runtime "$site/js"

# --- B1 sizes and the native instruction counts ------------------------------------------
# Intermediate figures stay in target/bench/out-<mode>/ (report.mjs can be re-run on them).
out_dir="$bench_target/out-$([ "$smoke" = 1 ] && echo smoke || echo full)"
rm -rf "$out_dir"
mkdir -p "$out_dir"
log "B1: shipped sizes"
sizes_args=(--site "$site" --pkg "$root/pkg" --out "$out_dir/sizes.json")
# The estimate without resocket's JS facade (wasm-metadce) only in full runs.
[ "$smoke" = 1 ] || sizes_args+=(--binaryen "$root/.tools/node_modules/binaryen/bin")
node "$bench/sizes.mjs" "${sizes_args[@]}"

log "core instruction counts (callgrind)"
CARGO_TARGET_DIR="$bench_target" cargo build -q --manifest-path "$bench/Cargo.toml" -p core-counts --profile counts
counts_n=2000
[ "$smoke" = 1 ] && counts_n=20
node "$bench/counts.mjs" --bin "$bench_target/counts/core-counts" --n "$counts_n" --out "$out_dir/counts.json"

# --- the test server on an ephemeral loopback port ----------------------------------------
# Release for measuring; the smoke run uses the debug build `make test` has already made.
server_profile=release
[ "$smoke" = 1 ] && server_profile=debug
log "test server ($server_profile)"
if [ "$server_profile" = release ]; then
  cargo build -q -p resocket-test-server --release
else
  cargo build -q -p resocket-test-server
fi
"./target/$server_profile/resocket-test-server" --port 0 --www "$site" --port-file "$tmp/port" >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { cat "$tmp/server.log" >&2; die "the test server did not start"; }
base="http://127.0.0.1:$(cat "$tmp/port")"
log "server at $base"

# --- browser benchmarks -----------------------------------------------------------------
run_args=(--base "$base" --out "$out_dir/browser.json" --reps "$reps" --driver "$driver")
[ "$smoke" = 1 ] && run_args+=(--smoke)
[ -n "$only" ] && run_args+=(--only "$only")
log "browser benchmarks in Chromium ($([ "$smoke" = 1 ] && echo smoke || echo "$reps repetitions"), driver $driver)"
node "$bench/run.mjs" "${run_args[@]}"

# --- results ------------------------------------------------------------------------------
report=(node "$bench/report.mjs" --sizes "$out_dir/sizes.json" --counts "$out_dir/counts.json"
  --browser "$out_dir/browser.json")
if [ "$smoke" = 1 ]; then
  "${report[@]}" --smoke
elif [ -n "$only" ]; then
  "${report[@]}" --json "$out_dir/latest.json" --print
  log "--only: bench/results and docs/BENCHMARKS.md left as they were"
else
  mkdir -p "$bench/results"
  "${report[@]}" --json "$bench/results/latest.json" --docs "$root/docs/BENCHMARKS.md" --print
  log "wrote bench/results/latest.json and docs/BENCHMARKS.md"
fi
