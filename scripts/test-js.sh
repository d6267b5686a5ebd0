#!/usr/bin/env bash
# Tests of the npm package resocket-wasm, used as a package user would use it:
#   - builds pkg/ (scripts/pkg.sh), packs it with `npm pack` and installs the tarball
#     into a fresh project;
#   - type checks: tsc accepts tests/js/types/example.ts and rejects wrong-option.ts;
#     with @types/react, it accepts react-example.tsx and rejects react-wrong.ts;
#   - Node: an echo round trip with `ws` as the global WebSocket (and import.meta.resolve
#     of the .wasm export); closed sockets collected without free() (node-release.mjs,
#     forced GC), against
#     ws://$RESOCKET_TEST_SERVER (a server of its own when the variable is unset), and
#     server rendering with resocket-wasm/react (tests/js/react-ssr.mjs); acknowledged
#     delivery against examples/ack-server's Node server through a link-cutting proxy
#     (tests/js/node-interop.mjs);
#   - browsers: tests/js/browser/ in Chromium (playwright-core), Firefox (geckodriver)
#     and WebKit (WebKitWebDriver under Xvfb), served with the installed package by a
#     test server of its own; React for the hook's tests is built by
#     tests/js/react-vendor.mjs (esbuild) into the page's vendor/ folder; and the
#     back/forward cache by real navigation away and back (tests/js/bfcache.mjs).
# Every check prints a line; the last line is `js: N passed, M failed`. Exits non-zero on
# any failure, including an engine that does not start. Every process it starts is
# stopped on exit. RESOCKET_JS_ENGINES="chromium firefox" limits the engines (default:
# all three); RESOCKET_JS_FILTER=text runs only the browser tests whose name contains it.
set -euo pipefail
cd "$(dirname "$0")/.."
SUMMARY_LABEL=js
# shellcheck source=scripts/common.sh
source scripts/common.sh
root=$(pwd)
js="$root/tests/js"
engines=${RESOCKET_JS_ENGINES:-chromium firefox webkit}

# --- the package: built and packed under a lock (pack_package) ------------------------
step "package"
if tarball=$(pack_package "$tmp/pack"); then
  ok "pkg: scripts/pkg.sh built pkg/ ($(grep -o 'gzip [0-9.]* KiB' "$tmp/pack/pkg.log" | head -1 | sed 's/gzip/module gzip/'))"
else
  not_ok "pkg: scripts/pkg.sh or npm pack failed"
  summary || exit 1
fi

# --- test dependencies (pinned in tests/js/package-lock.json) --------------------------
ensure_js_deps

# --- npm pack + install into a fresh project -------------------------------------------
step "install the tarball"
app="$tmp/app"
mkdir -p "$app"
dev_version() { node -p 'require(process.argv[1]).devDependencies[process.argv[2]]' "$js/package.json" "$1"; }
# React is an optional peer dependency of the package: installed here as an application would.
deps=()
for d in ws react react-dom @types/react; do deps+=("$d@$(dev_version "$d")"); done
printf '{ "name": "resocket-wasm-consumer", "private": true, "type": "module" }\n' >"$app/package.json"
if [ -f "$tarball" ] &&
  (cd "$app" && npm install --no-audit --no-fund --prefer-offline --loglevel=error "$tarball" "${deps[@]}") >"$tmp/install.log" 2>&1; then
  installed="$app/node_modules/resocket-wasm"
  missing=""
  for f in package.json index.js index.d.ts core.js options.js react.js react.d.ts reconnecting-websocket.js reconnecting-websocket.d.ts \
    partysocket.js partysocket.d.ts partysocket-react.js partysocket-react.d.ts shell.js share.js resocket_wasm_inline.js README.md LICENSE-MIT LICENSE-APACHE; do
    [ -f "$installed/$f" ] || missing="$missing $f"
  done
  # The module travels inside the JavaScript: no .wasm ships.
  for f in resocket_wasm.wasm resocket_wasm_bg.wasm resocket_wasm.js; do
    [ ! -e "$installed/$f" ] || missing="$missing (unexpected: $f)"
  done
  if [ -z "$missing" ]; then
    ok "pack: $(basename "$tarball") ($(($(wc -c <"$tarball") / 1024)) KiB) installs with every file"
  else
    not_ok "pack: the installed package lacks:$missing"
  fi
else
  cat "$tmp/install.log" >&2 || true
  not_ok "pack: npm pack / npm install of the tarball failed"
  summary || exit 1
fi

# --- types ------------------------------------------------------------------------------
step "types (tsc $(node -p 'require(process.argv[1]).version' "$js/node_modules/typescript/package.json"))"
cp "$js"/types/* "$app/"
tsc=("node" "$js/node_modules/typescript/bin/tsc")
# tsc_accepts CFG WHAT: tsc must accept the files of tsconfig.CFG.json.
tsc_accepts() {
  if "${tsc[@]}" -p "$app/tsconfig.$1.json" >"$tmp/tsc.$1.log" 2>&1; then
    ok "types: tsc accepts $2 (tsconfig.$1.json)"
  else
    cat "$tmp/tsc.$1.log"
    not_ok "types: tsc rejects $2 (tsconfig.$1.json)"
  fi
}
# tsc_rejects CFG WHAT PATTERN...: tsc must fail on tsconfig.CFG.json with exactly one
# error, and its output must match every PATTERN (grep).
tsc_rejects() {
  local cfg=$1 what=$2 log="$tmp/tsc.$1.log" p good=1
  shift 2
  if "${tsc[@]}" -p "$app/tsconfig.$cfg.json" >"$log" 2>&1; then
    not_ok "types: tsc accepted $what"
    return
  fi
  [ "$(grep -c 'error TS' "$log")" -eq 1 ] || good=0
  for p in "$@"; do grep -q -- "$p" "$log" || good=0; done
  if [ "$good" -eq 1 ]; then
    ok "types: tsc rejects $what, as it must"
  else
    cat "$log"
    not_ok "types: tsc failed on $what, but not (only) for that"
  fi
}
# nodom: a Node project with lib ES2022 only (no DOM, no @types), skipLibCheck false.
for cfg in example nodenext nodom delivery; do
  tsc_accepts "$cfg" "$(node -p 'require(process.argv[1]).files.join()' "$app/tsconfig.$cfg.json")"
done
tsc_rejects wrong 'wrong-option.ts (reconnect.initialDelay: string)' \
  'wrong-option.ts(.*error TS' "property 'initialDelay' are incompatible"
tsc_rejects delivery-wrong "delivery-wrong.ts (send() without { ack: true } taken as an acknowledgement)" \
  'delivery-wrong.ts(5,[0-9]*): error TS2322' "Type 'void' is not assignable to type 'ReSocketAck'"
# A listener typed for one of the socket's events on a misspelt type: with the DOM lib
# and without it (lib ES2022 only), and on the compat class.
for f in wrong-event.ts:8 wrong-event-nodom.ts:9 compat-wrong-event.ts:8; do
  sed -n "${f#*:}p" "$app/${f%:*}" | grep -q '"mesage"' || not_ok "types: line ${f#*:} of ${f%:*} is not its \"mesage\" line"
done
tsc_rejects wrong-event 'wrong-event.ts (a ReSocketMessageEvent listener on "mesage")' \
  'wrong-event.ts(8,[0-9]*): error TS2769' "Types of parameters 'e' and 'ev' are incompatible"
tsc_rejects wrong-event-nodom 'wrong-event-nodom.ts (the same without the DOM lib)' \
  'wrong-event-nodom.ts(9,[0-9]*): error TS2769' "Types of parameters 'e' and 'ev' are incompatible"
for cfg in compat compat-nodenext; do tsc_accepts "$cfg" "compat.ts, reconnecting-websocket and partysocket code"; done
sed -n 5p "$app/compat-wrong.ts" | grep -q '^  maxRetries:' || not_ok "types: line 5 of compat-wrong.ts is not its maxRetries line"
tsc_rejects compat-wrong 'compat-wrong.ts (maxRetries: string)' \
  "compat-wrong.ts(5,3): error TS2322: Type 'string' is not assignable to type 'number'"
tsc_rejects compat-wrong-event 'compat-wrong-event.ts (a MessageEvent listener object on "mesage")' \
  'compat-wrong-event.ts(8,[0-9]*): error TS2769' "Types of parameters 'e' and 'event' are incompatible"
for cfg in react react-nodenext; do tsc_accepts "$cfg" "react-example.tsx with @types/react"; done
tsc_rejects react-wrong "react-wrong.ts (onMessage takes the event, not a string)" \
  'react-wrong.ts(.*error TS' "Types of parameters 'data' and 'event' are incompatible"
# Programs written against the originals (reconnecting-websocket 4.4.0, partysocket 1.3.0
# and partysocket/react) compile against the originals' published .d.ts (copied to
# originals/, mapped by `paths`) and, with only their imports changed, against ours.
mkdir -p "$app/originals"
cp -R "$js/node_modules/reconnecting-websocket" "$js/node_modules/partysocket" "$app/originals/"
for f in port-rws.ts port-partysocket.ts port-party-react.tsx; do
  out="$app/${f%.*}.resocket.${f##*.}"
  sed -E -e 's#from "reconnecting-websocket"#from "resocket-wasm/reconnecting-websocket"#' \
    -e 's#from "partysocket(/ws)?"#from "resocket-wasm/partysocket"#' \
    -e 's#from "partysocket/react"#from "resocket-wasm/partysocket/react"#' "$app/$f" >"$out"
  # Only the import lines differ, and no import of an original is left.
  changed=$(diff "$app/$f" "$out" | grep -c '^>' || true)
  imports=$(grep -cE 'from "(reconnecting-websocket|partysocket(/ws|/react)?)"' "$app/$f" || true)
  if [ "$changed" -eq 0 ] || [ "$changed" -ne "$imports" ] || grep -qE 'from "(reconnecting-websocket|partysocket)' "$out"; then
    not_ok "types: $f: the port changed $changed lines for $imports imports"
  fi
done
tsc_accepts port-originals "port-rws.ts, port-partysocket.ts, port-party-react.tsx against the originals"
for cfg in port port-nodenext; do
  tsc_accepts "$cfg" "the same programs with only their imports changed to resocket-wasm's"
done
tsc_accepts originals "originals.ts: the originals' types and ours, member by member"
tsc_accepts compat-nodom "compat-nodom.ts: the compat entry points and partysocket/react without the DOM lib"
sed -n 8p "$app/party-react-wrong.ts" | grep -q 'updateProperties' || not_ok "types: line 8 of party-react-wrong.ts is not its updateProperties line"
tsc_rejects party-react-wrong "party-react-wrong.ts (usePartySocket's socket has no updateProperties)" \
  "party-react-wrong.ts(8,[0-9]*): error TS2339: Property 'updateProperties' does not exist"

# --- a test server of our own: the test pages and the installed package -----------------
step "test server"
run cargo build -q -p resocket-test-server
site="$tmp/site"
mkdir -p "$site/test" "$site/node_modules"
cp "$js"/browser/* "$site/test/"
cp -R "$root/tests/cases" "$site/cases" # the shared case tables (browser/cases.js)
cp -R "$installed" "$site/node_modules/resocket-wasm"
t0=$(date +%s%N)
if node "$js/react-vendor.mjs" "$site/test/vendor" >"$tmp/vendor.log" 2>&1; then
  ok "react: esbuild built React $(dev_version react) for the test page ($(( ($(date +%s%N) - t0) / 1000000 )) ms)"
else
  cat "$tmp/vendor.log" >&2
  not_ok "react: tests/js/react-vendor.mjs failed (the react tests cannot load)"
fi
start_bg "$tmp/server.log" ./target/debug/resocket-test-server --port 0 --www "$site" --port-file "$tmp/port"
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
if [ ! -s "$tmp/port" ]; then
  cat "$tmp/server.log" >&2
  not_ok "server: the test server did not start"
  summary || exit 1
fi
page="http://127.0.0.1:$(cat "$tmp/port")/test/"
echo "pages at $page"

# --- Node ---------------------------------------------------------------------------------
step "Node $(node --version)"
cp "$js/node-smoke.mjs" "$js/node-loading.mjs" "$js/node-release.mjs" "$js/node-cases.mjs" "$app/"
server_addr=${RESOCKET_TEST_SERVER:-127.0.0.1:$(cat "$tmp/port")}
run_counted "node" env -C "$app" RESOCKET_TEST_SERVER="$server_addr" timeout 60 node node-smoke.mjs
run_counted "node" env -C "$app" timeout 60 node node-loading.mjs
run_counted "node cases" env -C "$app" timeout 60 node node-cases.mjs "$root/tests/cases" "$js/browser/cases.js"
run_counted "node release" env -C "$app" RESOCKET_TEST_SERVER="$server_addr" timeout 120 node --expose-gc node-release.mjs
# The compat entry points against the originals (tests/js's pinned reconnecting-websocket,
# partysocket and ws 6; the app's ws 8), scenario by scenario. The originals are also served
# to the test page (browser/compat.js runs the same comparison in the browsers).
mkdir -p "$site/test/originals"
cp "$js/node_modules/reconnecting-websocket/dist/reconnecting-websocket.mjs" "$site/test/originals/"
cp "$js/node_modules/partysocket/dist/ws.js" "$site/test/originals/partysocket-ws.js"
cp "$js/node-compat.mjs" "$app/"
run_counted "node compat" env -C "$app" timeout 240 node node-compat.mjs "$js/node_modules"
# Acknowledged delivery against the Node ws server of examples/ack-server, through a
# proxy that cuts the link.
cp "$js/node-interop.mjs" "$app/"
run_counted "node interop" env -C "$app" timeout 120 node node-interop.mjs "$root/examples/ack-server/server.mjs"
cp "$js/react-ssr.mjs" "$app/"
run_counted "node react SSR" env -C "$app" timeout 60 node react-ssr.mjs
cp "$js/partysocket-react-ssr.mjs" "$app/" && run_counted "node party-react SSR" env -C "$app" timeout 60 node partysocket-react-ssr.mjs "$js/node_modules/partysocket/dist/index.js"

# --- browsers -----------------------------------------------------------------------------
runner=(timeout 600 node "$js/run-browser.mjs" --page "$page")
# The back/forward cache, by real navigation (tests/js/bfcache.mjs): per engine, after its
# in-page tests, unless RESOCKET_JS_FILTER names something else.
bfcache=(timeout 180 node "$js/bfcache.mjs" --page "$page")
bfcache_wanted() { [[ "bfcache" == *"${RESOCKET_JS_FILTER:-}"* ]]; }
for engine in $engines; do
  case $engine in
    chromium)
      step "Chromium ($(/usr/bin/chromium --version 2>/dev/null | head -1))"
      run_counted chromium "${runner[@]}" --engine chromium
      bfcache_wanted && run_counted "chromium bfcache" "${bfcache[@]}" --engine chromium
      ;;
    firefox)
      step "Firefox ($(firefox-esr --version 2>/dev/null | head -1))"
      gecko=$(command -v geckodriver || echo "$HOME/.cargo/bin/geckodriver")
      port=$(free_port)
      start_bg "$tmp/geckodriver.log" "$gecko" --host 127.0.0.1 --port "$port"
      if wait_http "http://127.0.0.1:$port/status" "$tmp/geckodriver.log"; then
        run_counted firefox "${runner[@]}" --engine firefox --webdriver "http://127.0.0.1:$port"
        bfcache_wanted && run_counted "firefox bfcache" "${bfcache[@]}" --engine firefox --webdriver "http://127.0.0.1:$port"
      else
        not_ok "firefox: geckodriver did not start"
      fi
      ;;
    webkit)
      step "WebKit (WebKitWebDriver under Xvfb)"
      display=""
      for n in $(seq 90 119); do
        if [ ! -e "/tmp/.X$n-lock" ] && [ ! -e "/tmp/.X11-unix/X$n" ]; then display=":$n"; break; fi
      done
      port=$(free_port)
      if [ -z "$display" ]; then
        not_ok "webkit: no free X display for Xvfb"
        continue
      fi
      start_bg "$tmp/xvfb.log" Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp
      start_bg "$tmp/webkit.log" env DISPLAY="$display" WebKitWebDriver --port="$port"
      if wait_http "http://127.0.0.1:$port/status" "$tmp/webkit.log"; then
        run_counted webkit env DISPLAY="$display" "${runner[@]}" --engine webkit --webdriver "http://127.0.0.1:$port"
        bfcache_wanted && run_counted "webkit bfcache" env DISPLAY="$display" "${bfcache[@]}" --engine webkit --webdriver "http://127.0.0.1:$port"
      else
        not_ok "webkit: WebKitWebDriver did not start"
      fi
      ;;
    *)
      not_ok "unknown engine $engine in RESOCKET_JS_ENGINES"
      ;;
  esac
done
[ "$engines" = "chromium firefox webkit" ] || echo "note: engines limited to: $engines (RESOCKET_JS_ENGINES)"

echo
summary
