#!/usr/bin/env bash
# Soak test of the npm package resocket-wasm (`make soak`; a short run is part of `make test`):
#   - builds pkg/ (scripts/pkg.sh), packs it with `npm pack` and installs the tarball into
#     a fresh project, as scripts/test-js.sh does;
#   - serves tests/js/soak/ and the installed package with a test server of its own
#     (127.0.0.1, a free port);
#   - in Chromium (playwright-core) and Firefox (geckodriver), each a fresh browser, runs
#     tests/js/soak/run-soak.mjs: 10,000 reconnect cycles on one socket (reconnect() and
#     server drops, an echo every 1000), then 1,000 sockets opened, closed and never
#     freed; prints a table per engine (phase, metric, start, end).
# Fails if liveSockets / liveListeners / liveTimers end a phase above their start, if the
# wasm memory grew by more than 1 MiB over the reconnect cycles, if closed ReSockets are
# not collected without free() (at least 99% after forced GCs), or if an engine fails.
# `make test` runs a short version (scripts/test.sh: SOAK_CYCLES=300 SOAK_SOCKETS=300).
# SOAK_ENGINES="chromium" limits the engines; SOAK_CYCLES / SOAK_SOCKETS change the counts.
# Every process it starts is stopped on exit. Installs nothing beyond tests/js's
# package-lock (npm ci there when node_modules is missing); the browsers and geckodriver
# come from scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/common.sh
source scripts/common.sh
root=$(pwd)
js="$root/tests/js"
engines=${SOAK_ENGINES:-chromium firefox}

die() { printf 'soak: FAILED: %s\n' "$*" >&2; exit 1; }

case " $engines " in *" chromium "*) [ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing (run scripts/setup.sh)" ;; esac
case " $engines " in *" firefox "*) [ -x /usr/bin/firefox-esr ] || die "/usr/bin/firefox-esr is missing (run scripts/setup.sh)" ;; esac

# --- the package, packed and installed as a user would --------------------------------------
step "package (scripts/pkg.sh)"
run bash scripts/pkg.sh >"$tmp/pkg.log" 2>&1 || { tail -n 40 "$tmp/pkg.log" >&2; die "scripts/pkg.sh failed"; }
grep -o 'gzip [0-9.]* KiB' "$tmp/pkg.log" | head -1 | sed 's/^/wasm /'

ensure_js_deps

step "npm pack and install"
app="$tmp/app"
mkdir -p "$app"
tarball=$(cd "$tmp" && npm pack "$root/pkg" --pack-destination "$tmp" --loglevel=error | tail -n 1)
printf '{ "name": "resocket-wasm-soak", "private": true, "type": "module" }\n' >"$app/package.json"
(cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tmp/$tarball") >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; die "npm install of $tarball failed"; }
echo "installed $tarball"

# --- the test server: the soak page and the installed package -------------------------------
step "test server"
run cargo build -q -p resocket-test-server
site="$tmp/site"
mkdir -p "$site/soak" "$site/node_modules"
cp "$js"/soak/index.html "$js"/soak/soak.js "$site/soak/"
cp -R "$app/node_modules/resocket-wasm" "$site/node_modules/resocket-wasm"
start_bg "$tmp/server.log" ./target/debug/resocket-test-server --port 0 --www "$site" --port-file "$tmp/port"
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
[ -s "$tmp/port" ] || { cat "$tmp/server.log" >&2; die "the test server did not start"; }
page="http://127.0.0.1:$(cat "$tmp/port")/soak/"
echo "soak page at $page"

# --- engines, each a fresh browser --------------------------------------------------------------
runner=(timeout 1800 node "$js/soak/run-soak.mjs" --page "$page")
failed=()
for engine in $engines; do
  case $engine in
    chromium)
      step "Chromium ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
      run "${runner[@]}" --engine chromium || failed+=(chromium)
      ;;
    firefox)
      step "Firefox ($(firefox-esr --version 2>/dev/null | head -1))"
      gecko=$(command -v geckodriver || echo "$HOME/.cargo/bin/geckodriver")
      [ -x "$gecko" ] || { echo "FAIL firefox: geckodriver is missing (run scripts/setup.sh)"; failed+=(firefox); continue; }
      # Marionette's chrome context (forced GC, heap reading) needs system access; since
      # geckodriver 0.37.1 that is a geckodriver flag (older ones lack it: heap is n/a then).
      gecko_args=(--host 127.0.0.1)
      gecko_help=$("$gecko" --help 2>/dev/null || true)
      if grep -q -- '--allow-system-access' <<<"$gecko_help"; then gecko_args+=(--allow-system-access); fi
      port=$(free_port)
      start_bg "$tmp/geckodriver.log" "$gecko" "${gecko_args[@]}" --port "$port"
      if wait_http "http://127.0.0.1:$port/status" "$tmp/geckodriver.log"; then
        run "${runner[@]}" --engine firefox --webdriver "http://127.0.0.1:$port" || failed+=(firefox)
      else
        echo "FAIL firefox: geckodriver did not start"
        failed+=(firefox)
      fi
      ;;
    *)
      echo "FAIL unknown engine $engine in SOAK_ENGINES"
      failed+=("$engine")
      ;;
  esac
done

echo
if [ ${#failed[@]} -gt 0 ]; then
  echo "soak: FAILED in: ${failed[*]}"
  exit 1
fi
echo "soak: ok ($engines)"
