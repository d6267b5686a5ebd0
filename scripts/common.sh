# Shared by the test scripts (test-js.sh, test-ssr.sh, soak.sh, test-bundlers.sh): a scratch folder, the
# background processes they start (each in its own process group, all stopped on exit),
# and counted `ok ...` / `FAIL ...` lines. Source it after `set -euo pipefail`; set
# SUMMARY_LABEL (e.g. "js") for summary().

tmp=$(mktemp -d)
pids=()
cleanup() {
  local p
  for p in "${pids[@]}"; do kill -TERM -- "-$p" 2>/dev/null || kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
ok() { echo "ok $*"; passed=$((passed + 1)); }
not_ok() { echo "FAIL $*"; failed=$((failed + 1)); }
summary() {
  echo "${SUMMARY_LABEL:-tests}: $passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
}
step() { printf '\n--> %s\n' "$*"; }

# Runs a command in its own process group in the background and waits for it, so that a
# signal stops the script, and through cleanup the whole command, at once.
run() {
  setsid -w "$@" &
  local child=$!
  pids+=("$child")
  local rc=0
  wait "$child" || rc=$?
  unset 'pids[-1]'
  return "$rc"
}

# Runs a command that prints its own `ok ...` / `FAIL ...` lines and counts them; a
# failing exit without any FAIL line counts as one failure named $1.
run_counted() {
  local name=$1 out="$tmp/out.$RANDOM" rc=0
  shift
  run "$@" >"$out" 2>"$out.err" || rc=$?
  cat "$out"
  local n_ok n_fail
  n_ok=$(grep -c '^ok ' "$out" || true)
  n_fail=$(grep -c '^FAIL ' "$out" || true)
  passed=$((passed + n_ok))
  failed=$((failed + n_fail))
  if [ "$rc" -ne 0 ] && [ "$n_fail" -eq 0 ]; then
    tail -n 20 "$out.err" >&2
    not_ok "$name: exited with status $rc"
  fi
}

# Starts a command in its own process group (so its children stop with it).
start_bg() { # log cmd...
  local log=$1
  shift
  setsid "$@" >"$log" 2>&1 &
  pids+=($!)
}

free_port() {
  node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); });'
}

wait_http() { # url log: up to 15 s for an HTTP 2xx
  for _ in $(seq 150); do
    curl -fs "$1" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  tail -n 20 "$2" >&2
  return 1
}

# Builds pkg/ (scripts/pkg.sh) and packs it into folder $1, holding a lock across both so
# that two scripts never rebuild pkg/ under each other's `npm pack`. Prints the tarball's
# path; the build log is $1/pkg.log.
pack_package() { # dest
  local dest=$1 here name
  here=$(pwd)
  mkdir -p "$dest" "$here/target"
  (
    flock 9
    bash scripts/pkg.sh >"$dest/pkg.log" 2>&1 || { tail -n 40 "$dest/pkg.log" >&2; exit 1; }
    name=$(cd "$dest" && npm pack "$here/pkg" --pack-destination "$dest" --loglevel=error | tail -n 1)
    echo "$dest/$name"
  ) 9>"$here/target/.pkg.lock"
}

# Installs tests/js's pinned dependencies (npm ci) when node_modules is missing or older
# than the lock file.
ensure_js_deps() {
  local js="$(pwd)/tests/js"
  if [ ! -f "$js/node_modules/.package-lock.json" ] ||
    [ "$js/package-lock.json" -nt "$js/node_modules/.package-lock.json" ] ||
    [ "$js/package.json" -nt "$js/node_modules/.package-lock.json" ]; then
    step "npm ci (tests/js)"
    (cd "$js" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
  fi
}
