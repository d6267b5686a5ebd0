#!/usr/bin/env bash
# The npm package resocket-wasm in every kind of consumer, each with zero configuration:
# one small app (tests/bundlers/app/) is built from the `npm pack` tarball by each tool at
# the exact versions of tests/bundlers/versions.json, served, and run in headless
# Chromium against the project's test server (text, JSON and binary echoes read with
# `for await`, and close(1) refused with ReSocketError `invalid_close_code`; no page
# requests a .wasm file, the module being inside the package's JavaScript):
#   - Vite 5, 6, 7 and 8: `vite build` (served by the test server) and the dev server;
#   - Vite 8 build of a page that runs the app in a module Web Worker;
#   - webpack 5 + webpack-cli, no config (default entry src/index.js);
#   - Rollup 4 with @rollup/plugin-node-resolve (tests/bundlers/rollup.config.mjs);
#   - esbuild `--bundle --format=esm` (plus $esbuild_flags below, if any);
#   - Parcel 2 `parcel build index.html`;
#   - no bundler: the installed package served as it is, through an import map;
#   - Node: ESM `import` with `ws` as the global WebSocket, and `require("resocket-wasm")`
#     with `ws` as the `WebSocket` option (ws at the version of tests/js/package.json).
# The projects are made in a scratch folder; the tools' node_modules are cached under
# ${XDG_CACHE_HOME:-~/.cache}/resocket/bundlers/<tool>-<version> and copied into them, so
# that only resocket-wasm is installed anew (from the tarball) on each run.
# One line per consumer (`ok ...` / `FAIL ...`, with the page's errors or the build log's
# tail on failure); the last line is `bundlers: N passed, M failed`. Exits non-zero on any
# failure. Every process it starts is stopped on exit. RESOCKET_BUNDLERS_TARBALL=path
# tests that tarball instead of building and packing pkg/.
set -euo pipefail
cd "$(dirname "$0")/.."
SUMMARY_LABEL=bundlers
# shellcheck source=scripts/common.sh
source scripts/common.sh
root=$(pwd)
here="$root/tests/bundlers"
js="$root/tests/js"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/resocket/bundlers"
work="$tmp/projects"
server_bin="$root/target/debug/resocket-test-server"
export NO_COLOR=1 FORCE_COLOR=0 npm_config_update_notifier=false
t_start=$(date +%s)

# The package has no asset to copy (its WebAssembly module is inside its JavaScript), so
# no tool needs a flag; a flag esbuild's case might need goes here, documented in
# pkg-template/README.md ("Bundlers").
esbuild_flags=()

# --- helpers -----------------------------------------------------------------------------

indent() { sed -e 's/^/    /'; }

# The most telling error line of a build log: an esbuild `ERROR:`, a coded error
# (`[INVALID_TLA_FORMAT] ...`), an `...Error:` line, any line naming an error or a failure;
# else the last line. Generic "build failed" lines are passed over.
first_error() {
  local line="" re
  for re in 'ERROR: ' '\[[A-Z][A-Z_]{3,}\] ' '^ *[A-Za-z]*Error: ' '[Ee]rror|ERR_|[Ff]ailed'; do
    line=$(grep -vE '^\s+at |[Bb]uild failed|error during build' "$1" | grep -m 1 -E "$re" || true)
    [ -z "$line" ] || break
  done
  [ -n "$line" ] || line=$(tail -n 1 "$1")
  line=$(tr -s ' \t' ' ' <<<"$line")
  printf '%s' "${line:0:300}"
}

# The end of a log without stack frames and blank lines, indented.
log_tail() { # file lines
  grep -vE '^\s+at |^\s*$' "$1" | tail -n "${2:-12}" | indent
}

# alive PID: the process runs (an exited child not yet waited for does not count).
alive() { [ -r "/proc/$1/stat" ] && [ "$(cut -d ' ' -f 3 "/proc/$1/stat" 2>/dev/null)" != Z ]; }

# Stops the process (group) that start_bg started last.
stop_last() {
  local p=${pids[-1]}
  kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true
  wait "$p" 2>/dev/null || true
  unset 'pids[-1]'
}

# serve DIR: a test server of its own for DIR (the WebSocket endpoints on the same port);
# sets $port.
serve() {
  local pf="$tmp/port.$RANDOM$RANDOM"
  start_bg "$pf.log" "$server_bin" --port 0 --www "$1" --port-file "$pf"
  for _ in $(seq 100); do [ -s "$pf" ] && break; sleep 0.1; done
  if [ ! -s "$pf" ]; then
    indent <"$pf.log"
    return 1
  fi
  port=$(cat "$pf")
}

# pins KEY: the exact dependencies of a tool (a key of versions.json) as JSON; "node" is
# the ws package of tests/js/package.json.
pins() {
  node -e '
    const [key, versions, jsPkg] = process.argv.slice(1);
    const deps = key === "node" ? { ws: require(jsPkg).devDependencies.ws } : require(versions)[key];
    if (!deps) { console.error(`no ${key} in ${versions}`); process.exit(1); }
    for (const [n, v] of Object.entries(deps)) {
      if (!/^\d+\.\d+\.\d+$/.test(v)) { console.error(`${key}: ${n}@${v} is not an exact version`); process.exit(1); }
    }
    console.log(JSON.stringify(deps));
  ' "$1" "$here/versions.json" "$js/package.json"
}

# label KEY: "vite 5.4.21", "webpack 5.113.0 + webpack-cli 7.3.1", ...
label() { node -e 'console.log(Object.entries(JSON.parse(process.argv[1])).map(([n, v]) => `${n} ${v}`).join(" + "))' "$(pins "$1")"; }
version_of() { node -p 'JSON.parse(process.argv[1])[process.argv[2]]' "$(pins "$1")" "$2"; }

# cache_of KEY: the cache folder of a tool, named by its pinned versions.
cache_of() {
  printf '%s/%s' "$cache" "$(node -e 'console.log(Object.entries(JSON.parse(process.argv[1])).map(([n, v]) => `${n.replace(/^@/, "").replace(/\//g, "-")}-${v}`).join("+"))' "$(pins "$1")")"
}

# ensure_cache KEY: installs the tool's pinned packages into its cache folder unless they
# are there (a stamp records the pins and the Node major version). Under a lock.
ensure_cache() {
  local key=$1 dir deps stamp
  dir=$(cache_of "$key")
  deps=$(pins "$key")
  stamp="$deps node$(node -p 'process.versions.node.split(".")[0]')"
  mkdir -p "$cache"
  (
    flock 9
    if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$stamp" ] && [ -d "$dir/node_modules" ]; then
      exit 0
    fi
    echo "installing $(label "$key") into $dir (once; cached)"
    rm -rf "$dir"
    mkdir -p "$dir"
    node -e 'require("fs").writeFileSync(process.argv[1] + "/package.json", JSON.stringify({ name: "resocket-bundler-cache", private: true, dependencies: JSON.parse(process.argv[2]) }, null, 2) + "\n")' "$dir" "$deps"
    if ! (cd "$dir" && timeout 900 npm install --prefer-offline --no-audit --no-fund --loglevel=error) >"$dir/install.log" 2>&1; then
      tail -n 20 "$dir/install.log" | indent
      exit 1
    fi
    printf '%s' "$stamp" >"$dir/.stamp"
  ) 9>"$dir.lock"
}

# project NAME KEY [PAGE]: $work/NAME, a fresh project with the app's files (PAGE, e.g.
# worker.html, as its index.html), the cached tools of KEY copied in, and resocket-wasm
# installed from the tarball. On failure prints why.
project() {
  local name=$1 key=$2 page=${3:-} dir="$work/$1" cdir
  rm -rf "$dir"
  mkdir -p "$dir"
  cp -R "$here/app/src" "$dir/"
  cp "$here/app/${page:-index.html}" "$dir/index.html"
  [ "$key" != node ] || cp -R "$here/app/node" "$dir/"
  if ! ensure_cache "$key"; then
    echo "    npm install of $(label "$key") failed (log: $(cache_of "$key")/install.log)"
    return 1
  fi
  cdir=$(cache_of "$key")
  cp "$cdir/package.json" "$cdir/package-lock.json" "$dir/"
  node -e 'const f = process.argv[1] + "/package.json", p = require(f); p.type = "module"; require("fs").writeFileSync(f, JSON.stringify(p, null, 2) + "\n")' "$dir"
  # Hard links: fast, and nothing below writes into an existing file of node_modules
  # (npm's own record of the tree excepted, which gets a copy of its own).
  cp -al "$cdir/node_modules" "$dir/node_modules" 2>/dev/null || cp -a "$cdir/node_modules" "$dir/node_modules"
  rm -f "$dir/node_modules/.package-lock.json"
  [ ! -f "$cdir/node_modules/.package-lock.json" ] || cp "$cdir/node_modules/.package-lock.json" "$dir/node_modules/"
  if ! (cd "$dir" && timeout 300 npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball") >"$dir.install.log" 2>&1; then
    echo "    npm install of the tarball failed:"
    tail -n 15 "$dir.install.log" | indent
    return 1
  fi
  if [ ! -f "$dir/node_modules/resocket-wasm/package.json" ]; then
    echo "    node_modules/resocket-wasm is missing after npm install"
    return 1
  fi
}

# build NAME DIR CMD...: runs a build in DIR (at most 5 min); on failure a FAIL line with
# the first error and the log's tail.
build() {
  local name=$1 dir=$2 log="$2.build.log" rc=0
  shift 2
  run env -C "$dir" timeout 300 "$@" >"$log" 2>&1 || rc=$?
  [ "$rc" -ne 0 ] || return 0
  not_ok "$name: \`${*#./node_modules/.bin/}\` exited with status $rc: $(first_error "$log")"
  log_tail "$log" 15
  return 1
}

# drive NAME URL [TIMEOUT_MS]: the page in headless Chromium (tests/bundlers/drive.mjs).
drive() {
  run_counted "$1" timeout 120 node "$here/drive.mjs" --name "$1" --url "$2" --timeout-ms "${3:-20000}"
}

# check_dist NAME DIR: serves DIR (a build's output) with a test server of its own and
# runs the app there, against the same origin's /echo.
check_dist() {
  local name=$1 www=$2
  if [ ! -f "$www/index.html" ]; then
    not_ok "$name: the build wrote no $(basename "$www")/index.html"
    return
  fi
  if ! serve "$www"; then
    not_ok "$name: the test server did not start"
    return
  fi
  drive "$name" "http://127.0.0.1:$port/?ws=ws://127.0.0.1:$port/echo"
  stop_last
}

# check_vite_dev NAME DIR: `vite` (the dev server) in DIR; the page from its origin, the
# WebSocket on the main test server. A dev server that exits during the page load is
# named in the FAIL line.
check_vite_dev() {
  local name=$1 dir=$2 dev_port log="$2.dev.log" out="$2.drive.out" rc=0 dev
  dev_port=$(free_port)
  start_bg "$log" env -C "$dir" timeout 300 ./node_modules/.bin/vite --host 127.0.0.1 --port "$dev_port" --strictPort
  dev=${pids[-1]}
  if ! wait_http "http://127.0.0.1:$dev_port/" "$log" 2>/dev/null; then
    not_ok "$name: the dev server did not answer within 15 s: $(first_error "$log")"
    log_tail "$log"
    stop_last
    return
  fi
  run timeout 120 node "$here/drive.mjs" --name "$name" --url "http://127.0.0.1:$dev_port/?ws=$echo_url" \
    --timeout-ms 30000 >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
    echo "FAIL $name: the driver exited with status $rc" >>"$out"
  fi
  if grep -q '^FAIL ' "$out" && ! alive "$dev"; then
    NOTE=$(first_error "$log") awk '/^FAIL /{ $0 = $0 " [the dev server exited: " ENVIRON["NOTE"] "]" } 1' "$out" >"$out.2"
    mv "$out.2" "$out"
  fi
  run_counted "$name" cat "$out"
  if grep -q '^FAIL ' "$out"; then
    echo "    dev server log (tail):"
    log_tail "$log" | indent
  fi
  stop_last
}

# --- the package: built and packed under a lock (pack_package) ------------------------
step "package"
if [ -n "${RESOCKET_BUNDLERS_TARBALL:-}" ]; then
  tarball=$(realpath "$RESOCKET_BUNDLERS_TARBALL")
  [ -f "$tarball" ] || { not_ok "pkg: no tarball $RESOCKET_BUNDLERS_TARBALL"; summary || exit 1; }
  echo "tarball: $tarball (RESOCKET_BUNDLERS_TARBALL; pkg/ not rebuilt)"
elif tarball=$(pack_package "$tmp/pack"); then
  echo "tarball: $(basename "$tarball")"
else
  not_ok "pkg: scripts/pkg.sh or npm pack failed"
  summary || exit 1
fi

ensure_js_deps # playwright-core, ws

# --- the test server, and the page without a bundler ------------------------------------
step "test server; a page without a bundler (import map)"
run cargo build -q -p resocket-test-server
mkdir -p "$work"
static="$work/importmap"
mkdir -p "$static"
cp -R "$here/app/src" "$static/"
cp "$here/app/pages/importmap.html" "$static/index.html"
printf '{ "name": "resocket-importmap-page", "private": true }\n' >"$static/package.json"
if ! serve "$static"; then
  not_ok "server: the test server did not start"
  summary || exit 1
fi
main_port=$port
echo_url="ws://127.0.0.1:$main_port/echo"
echo "test server on 127.0.0.1:$main_port"
if (cd "$static" && timeout 300 npm install --prefer-offline --no-audit --no-fund --loglevel=error "$tarball") >"$static.install.log" 2>&1; then
  run_counted "import map page" timeout 120 node "$here/drive.mjs" --wasm-requests 0 \
    --name "import map page, no bundler, modules preloaded (Chromium $(/usr/bin/chromium --version 2>/dev/null | grep -o '[0-9][0-9.]*' | head -1))" \
    --url "http://127.0.0.1:$main_port/?ws=$echo_url"
else
  not_ok "import map page: npm install of the tarball failed"
  log_tail "$static.install.log" 15
fi

# --- Node ----------------------------------------------------------------------------------
node_v=$(node --version)
step "Node $node_v ($(label node))"
if project node node; then
  run_counted "node $node_v ESM import" env -C "$work/node" timeout 60 node node/esm.mjs "$echo_url" "node $node_v: ESM import"
  run_counted "node $node_v require" env -C "$work/node" timeout 60 node node/require.cjs "$echo_url" "node $node_v: require(\"resocket-wasm\")"
else
  not_ok "node $node_v: ESM import: the project did not install"
  not_ok "node $node_v: require(\"resocket-wasm\"): the project did not install"
fi

# --- Vite 5, 6, 7, 8: build and dev server -------------------------------------------------
for key in vite5 vite6 vite7 vite8; do
  v=$(version_of "$key" vite)
  step "vite $v"
  if ! project "$key" "$key"; then
    not_ok "vite $v build: the project did not install"
    not_ok "vite $v dev server: the project did not install"
    continue
  fi
  if build "vite $v build" "$work/$key" ./node_modules/.bin/vite build; then
    check_dist "vite $v build" "$work/$key/dist"
  fi
  check_vite_dev "vite $v dev server" "$work/$key"
done

# --- a module worker (Vite 8 build) -------------------------------------------------------
v=$(version_of vite8 vite)
name="vite $v build, module worker (new Worker(new URL(...), { type: \"module\" }))"
step "$name"
if project vite8-worker vite8 worker.html; then
  if build "$name" "$work/vite8-worker" ./node_modules/.bin/vite build; then
    check_dist "$name" "$work/vite8-worker/dist"
  fi
else
  not_ok "$name: the project did not install"
fi

# --- webpack 5 --------------------------------------------------------------------------
name="webpack $(version_of webpack5 webpack) + webpack-cli $(version_of webpack5 webpack-cli), no config"
step "$name"
if project webpack5 webpack5; then
  if build "$name" "$work/webpack5" ./node_modules/.bin/webpack --mode production; then
    cp "$here/app/pages/classic.html" "$work/webpack5/dist/index.html"
    check_dist "$name" "$work/webpack5/dist"
  fi
else
  not_ok "$name: the project did not install"
fi

# --- Rollup 4 -----------------------------------------------------------------------------
name="rollup $(version_of rollup4 rollup) + @rollup/plugin-node-resolve $(version_of rollup4 @rollup/plugin-node-resolve)"
step "$name"
if project rollup4 rollup4; then
  cp "$here/rollup.config.mjs" "$work/rollup4/"
  if build "$name" "$work/rollup4" ./node_modules/.bin/rollup -c; then
    cp "$here/app/pages/module.html" "$work/rollup4/dist/index.html"
    check_dist "$name" "$work/rollup4/dist"
  fi
else
  not_ok "$name: the project did not install"
fi

# --- esbuild --------------------------------------------------------------------------------
name="esbuild $(version_of esbuild esbuild) --bundle --format=esm${esbuild_flags[*]:+ ${esbuild_flags[*]}}"
step "$name"
if project esbuild esbuild; then
  if build "$name" "$work/esbuild" ./node_modules/.bin/esbuild src/index.js --bundle --format=esm \
    --outdir=dist ${esbuild_flags[@]+"${esbuild_flags[@]}"}; then
    cp "$here/app/pages/module.html" "$work/esbuild/dist/index.html"
    check_dist "$name" "$work/esbuild/dist"
  fi
else
  not_ok "$name: the project did not install"
fi

# --- Parcel 2 -------------------------------------------------------------------------------
name="parcel $(version_of parcel2 parcel) build index.html"
step "$name"
if project parcel2 parcel2; then
  if build "$name" "$work/parcel2" ./node_modules/.bin/parcel build index.html; then
    check_dist "$name" "$work/parcel2/dist"
  fi
else
  not_ok "$name: the project did not install"
fi

echo
echo "time: $(($(date +%s) - t_start)) s"
summary
