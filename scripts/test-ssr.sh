#!/usr/bin/env bash
# Server-side rendering with resocket's hooks:
#   - Yew: tests/yew-ssr, a component crate built natively with Yew's `ssr` (the README's
#     Yew example verbatim, and every handle of the hook), rendered with ServerRenderer;
#   - Leptos: examples/leptos-ssr, an axum + Leptos 0.8 SSR app. Its native tests render
#     the README's Leptos example and the app; then its server (`--features ssr`) serves the
#     page, the hydrate bundle (`--features hydrate`, wasm-bindgen --target web) and the
#     chat room at /ws, and tests/browser.mjs checks the server-rendered HTML and, in
#     Chromium, Firefox and WebKit, that the page hydrates without console warnings,
#     connects, and gets back a message it sent.
# Builds go to target/examples (debug: fast to build, and Leptos reports hydration
# mismatches only in debug builds); a warm run rebuilds nothing and reruns wasm-bindgen
# only when the .wasm changed. Every check prints a line; the last is `ssr: N passed, M
# failed`. RESOCKET_SSR_ENGINES="chromium firefox" limits the engines (default: all three).
# Every process it starts is stopped on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
SUMMARY_LABEL=ssr
# shellcheck source=scripts/common.sh
source scripts/common.sh
root=$(pwd)
engines=${RESOCKET_SSR_ENGINES:-chromium firefox webkit}
export CARGO_BUILD_JOBS=${CARGO_BUILD_JOBS:-2}
target_dir="$root/target/examples"
app="$root/examples/leptos-ssr"
# A debug site of its own (`make examples` puts the release one in examples/leptos-ssr/dist).
site="$target_dir/leptos-ssr-site"

timed() { # what cmd... : runs cmd, counts it, prints its time
  local what=$1 t0=$SECONDS
  shift
  if "$@" >"$tmp/cmd.log" 2>&1; then
    ok "$what ($((SECONDS - t0)) s)"
  else
    tail -n 60 "$tmp/cmd.log" >&2
    not_ok "$what"
    return 1
  fi
}

# A fresh app workspace starts from the root lock file (wasm-bindgen must match the CLI).
for dir in "$app" tests/yew-ssr; do
  [ -f "$dir/Cargo.lock" ] || cp Cargo.lock "$dir/Cargo.lock"
done
cargo_app=(cargo --quiet --color never)

# --- Yew: the hook in an `ssr` build ------------------------------------------------------
step "Yew ssr (tests/yew-ssr, native)"
timed "yew ssr: README example and hook handles render on the server (cargo test)" \
  "${cargo_app[@]}" test --manifest-path tests/yew-ssr/Cargo.toml --target-dir "$target_dir" || true

# --- Leptos: the example's two builds -----------------------------------------------------
step "Leptos ssr (examples/leptos-ssr)"
timed "leptos ssr: README example, app and hook handles render on the server (cargo test --features ssr)" \
  "${cargo_app[@]}" test --manifest-path "$app/Cargo.toml" --target-dir "$target_dir" --features ssr || true
server_ok=1
timed "leptos ssr: server build (cargo build --features ssr)" \
  "${cargo_app[@]}" build --manifest-path "$app/Cargo.toml" --target-dir "$target_dir" --features ssr --bin leptos-ssr ||
  server_ok=0
timed "leptos ssr: hydrate build (cargo build --lib --target wasm32-unknown-unknown --features hydrate)" \
  "${cargo_app[@]}" build --manifest-path "$app/Cargo.toml" --target-dir "$target_dir" --lib \
  --target wasm32-unknown-unknown --features hydrate || server_ok=0
wasm="$target_dir/wasm32-unknown-unknown/debug/leptos_ssr.wasm"
if [ "$server_ok" = 1 ]; then
  mkdir -p "$site/pkg"
  cp examples/style.css "$site/style.css"
  if [ ! -f "$site/pkg/leptos_ssr_bg.wasm" ] || [ "$wasm" -nt "$site/pkg/leptos_ssr_bg.wasm" ]; then
    timed "leptos ssr: wasm-bindgen --target web ($(wasm-bindgen --version))" \
      wasm-bindgen --target web --no-typescript --out-name leptos_ssr --out-dir "$site/pkg" "$wasm" || server_ok=0
  fi
fi
if [ "$server_ok" = 0 ]; then
  summary || exit 1
fi

# --- the server, then the browsers --------------------------------------------------------
step "server"
start_bg "$tmp/server.log" "$target_dir/debug/leptos-ssr" --addr 127.0.0.1:0 --site "$site" \
  --port-file "$tmp/port" --test-hooks
for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
if [ ! -s "$tmp/port" ]; then
  cat "$tmp/server.log" >&2
  not_ok "server: leptos-ssr did not start"
  summary || exit 1
fi
url="http://127.0.0.1:$(cat "$tmp/port")/"
echo "leptos-ssr at $url"

js="$root/tests/js"
if [ ! -f "$js/node_modules/.package-lock.json" ] ||
  [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ]; then
  step "npm ci (tests/js: playwright-core)"
  (cd "$js" && npm ci --no-audit --no-fund --loglevel=error)
fi

runner=(timeout 300 node "$app/tests/browser.mjs" --url "$url")
first=(--check-html)
for engine in $engines; do
  case $engine in
    chromium)
      step "Chromium"
      run_counted chromium "${runner[@]}" --engine chromium "${first[@]}"
      ;;
    firefox)
      step "Firefox"
      gecko=$(command -v geckodriver || echo "$HOME/.cargo/bin/geckodriver")
      port=$(free_port)
      start_bg "$tmp/geckodriver.log" "$gecko" --host 127.0.0.1 --port "$port"
      if wait_http "http://127.0.0.1:$port/status" "$tmp/geckodriver.log"; then
        run_counted firefox "${runner[@]}" --engine firefox --webdriver "http://127.0.0.1:$port" "${first[@]}"
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
      if [ -z "$display" ]; then
        not_ok "webkit: no free X display for Xvfb"
        continue
      fi
      port=$(free_port)
      start_bg "$tmp/xvfb.log" Xvfb "$display" -screen 0 1280x800x24 -nolisten tcp
      start_bg "$tmp/webkit.log" env DISPLAY="$display" WebKitWebDriver --port="$port"
      if wait_http "http://127.0.0.1:$port/status" "$tmp/webkit.log"; then
        run_counted webkit env DISPLAY="$display" "${runner[@]}" --engine webkit \
          --webdriver "http://127.0.0.1:$port" "${first[@]}"
      else
        not_ok "webkit: WebKitWebDriver did not start"
      fi
      ;;
    *)
      not_ok "unknown engine $engine in RESOCKET_SSR_ENGINES"
      ;;
  esac
  first=()
done
[ "$engines" = "chromium firefox webkit" ] || echo "note: engines limited to: $engines (RESOCKET_SSR_ENGINES)"
if [ "$failed" -gt 0 ]; then
  echo "--- leptos-ssr server log (last 30 lines)"
  tail -n 30 "$tmp/server.log"
fi

echo
summary
