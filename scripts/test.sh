#!/usr/bin/env bash
# The whole test run: lint, native tests, then the browser suites in Chromium, Firefox and
# WebKit against the project's server on loopback, and the npm package in every bundler
# (scripts/test-bundlers.sh). Installs what is missing first.
# Every process it starts is stopped on exit; any failure, or an engine that does not run,
# fails the whole run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

t0=$(date +%s)
step() { printf '\n==> %s (%s, +%d s)\n' "$*" "$(date +%T)" $(($(date +%s) - t0)); }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

step "toolchain"
bash scripts/setup.sh

export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
export WASM_BINDGEN_TEST_TIMEOUT=${WASM_BINDGEN_TEST_TIMEOUT:-300}
export WASM_BINDGEN_TEST_WEBDRIVER_JSON="$root/webdriver.json"
wasm=(--target wasm32-unknown-unknown)

step "format and lints"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p resocket --all-targets "${wasm[@]}" -- -D warnings
cargo clippy -p resocket --all-targets "${wasm[@]}" --features leptos,yew,js-json,gloo,share -- -D warnings
# The sans-IO core needs nothing of std: the same files built as #![no_std] + alloc.
cargo clippy -p resocket-core-nostd "${wasm[@]}" -- -D warnings
# The npm package's module: that core alone, numeric exports.
cargo clippy -p resocket-wasm "${wasm[@]}" -- -D warnings
# The hooks also build natively (server-side rendering: they render the initial state).
cargo clippy -p resocket --all-targets --features leptos,yew -- -D warnings
# The API docs as docs.rs builds them (wasm32, every feature): no broken or private links.
RUSTDOCFLAGS="-D warnings" cargo doc -q -p resocket --no-deps "${wasm[@]}" --features leptos,yew,js-json,gloo,share

step "native tests (unit, simulation, doc, server)"
cargo test --workspace

step "crate package: file list, then a verified build of the packaged crate"
files=$(cargo package --list --allow-dirty -p resocket)
for f in README.md LICENSE LICENSE-MIT LICENSE-APACHE src/lib.rs; do
  grep -qx "$f" <<<"$files" || die "cargo package leaves out $f"
done
extra=$(grep -Ev '^(src/.+\.rs|src/web/share_host\.js|pkg-template/share\.js|tests/.+\.rs|tests/cases/[a-z]+\.json|README\.md|CHANGELOG\.md|LICENSE(-MIT|-APACHE)?|Cargo\.(toml|toml\.orig|lock)|\.cargo_vcs_info\.json)$' <<<"$files" || true)
[ -z "$extra" ] || die "cargo package would ship more than the crate: $extra"
cargo package -q --allow-dirty --offline -p resocket

# --- background processes, all stopped on exit ---------------------------------------
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

step "test server"
cargo build -q -p resocket-test-server
./target/debug/resocket-test-server --port 0 --www www --port-file "$tmp/port" >"$tmp/server.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { cat "$tmp/server.log"; die "test server did not start"; }
export RESOCKET_TEST_SERVER="127.0.0.1:$(cat "$tmp/port")"
echo "server on $RESOCKET_TEST_SERVER"
# A loopback port that had a listener and now has none: a real refused connection.
RESOCKET_CLOSED_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export RESOCKET_CLOSED_PORT

step "building browser suites"
cargo test -p resocket "${wasm[@]}" --features js-json,gloo,share --no-run
cargo test -p resocket "${wasm[@]}" --features leptos,leptos/csr,share --test web_leptos --no-run
cargo test -p resocket "${wasm[@]}" --features yew,share --test web_yew --no-run

# Run the browser suites with exactly one driver variable set; check the runner's banner.
# The framework suites need their feature (and Leptos its browser renderer, leptos/csr);
# web_codecs needs js-json and gloo; web_share and the hooks' shared probes need share.
suites=("--features js-json,gloo,share" "--features leptos,leptos/csr,share --test web_leptos" "--features yew,share --test web_yew")
run_engine() {
  local name=$1 banner=$2; shift 2
  step "browser suites in $name"
  local log="$tmp/$name.log" extra
  for extra in "${suites[@]}"; do
    # shellcheck disable=SC2086 # $extra is a list of cargo arguments
    if ! env -u CHROMEDRIVER -u GECKODRIVER -u SAFARIDRIVER_REMOTE "$@" \
        cargo test -p resocket "${wasm[@]}" $extra 2>&1 | tee -a "$log"; then
      die "browser suites failed in $name (${extra:-core suites})"
    fi
  done
  grep -q "Running headless tests in $banner" "$log" || die "$name did not run (no '$banner' banner)"
}

run_engine chromium "Chrome" CHROMEDRIVER=/usr/bin/chromedriver

gecko=$(command -v geckodriver || echo "$HOME/.cargo/bin/geckodriver")
run_engine firefox "Firefox" GECKODRIVER="$gecko"

# WebKit: Xvfb plus WebKitWebDriver, both ours to start and stop.
display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp >"$tmp/xvfb.log" 2>&1 &
pids+=($!)
wk_port=$((4500 + RANDOM % 400))
DISPLAY=$display WebKitWebDriver --port="$wk_port" >"$tmp/webkit.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fs "http://127.0.0.1:$wk_port/status" >/dev/null 2>&1 && break; sleep 0.1
done
curl -fs "http://127.0.0.1:$wk_port/status" >/dev/null || { cat "$tmp/webkit.log"; die "WebKitWebDriver did not start"; }
run_engine webkit "Safari" DISPLAY="$display" SAFARIDRIVER_REMOTE="http://127.0.0.1:$wk_port"

step "npm package resocket-wasm: types, Node, Chromium, Firefox, WebKit"
bash scripts/test-js.sh || die "package tests (scripts/test-js.sh) failed"
bash scripts/test-bundlers.sh || die "bundler tests (scripts/test-bundlers.sh) failed"

step "short soak: reconnect cycles and closed sockets collected without free(), Chromium and Firefox"
SOAK_CYCLES=300 SOAK_SOCKETS=300 bash scripts/soak.sh || die "short soak (scripts/soak.sh) failed"

step "server-side rendering: Yew ssr (native), examples/leptos-ssr (native, then hydrated in 3 browsers)"
bash scripts/test-ssr.sh || die "SSR tests (scripts/test-ssr.sh) failed"

step "a dependent's build makes no resocket.wasm (resocket is an rlib)"
# bench/apps/size-resocket, built exactly as scripts/bench.sh builds it (the smoke run
# below reuses the build): cargo must list only rlib/rmeta files for resocket's library.
CARGO_TARGET_DIR="$root/target/bench" cargo build -q --manifest-path bench/Cargo.toml \
  -p size-resocket --release "${wasm[@]}" --message-format=json >"$tmp/dependent.json"
python3 - "$tmp/dependent.json" <<'EOF' || die "a dependent's build made a resocket.wasm (resocket must be an rlib only)"
import json, os, sys
msgs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
files = lambda name: [f for m in msgs if m.get("reason") == "compiler-artifact"
                      and m["target"]["name"] == name for f in m["filenames"]]
lib, app = files("resocket"), files("size_resocket")
print("resocket:", *map(os.path.basename, lib), "| app:", *map(os.path.basename, app))
sys.exit(0 if lib and app and not any(f.endswith(".wasm") for f in lib) else 1)
EOF

step "benchmarks: smoke run (tiny counts, no thresholds)"
RESOCKET_BENCH_SKIP_SETUP=1 bash scripts/bench.sh --smoke || die "benchmark smoke run (scripts/bench.sh --smoke) failed"

step "all suites passed in Chromium, Firefox and WebKit"
