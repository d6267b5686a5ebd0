#!/usr/bin/env bash
# The live demo: builds the npm package (scripts/pkg.sh), links it as www/pkg, then runs
# the test server on loopback serving www/ until Ctrl-C.
#   scripts/demo.sh [--port N]      (or PORT=N; default 8080)
set -euo pipefail
cd "$(dirname "$0")/.."

port=${PORT:-8080}
while [ $# -gt 0 ]; do
  case $1 in
    --port) port=${2:?--port needs a value}; shift 2 ;;
    --port=*) port=${1#--port=}; shift ;;
    -h | --help) sed -n '2,4p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
case $port in '' | *[!0-9]*) echo "--port must be a number" >&2; exit 2 ;; esac

bash scripts/pkg.sh

# www/pkg -> ../pkg, so the page imports ./pkg/index.js as a user would.
if [ -e www/pkg ] && [ ! -L www/pkg ]; then
  echo "www/pkg exists and is not a symlink; remove it first" >&2
  exit 1
fi
ln -sfn ../pkg www/pkg

cargo build --release -p resocket-test-server

server=""
stop() {
  if [ -n "$server" ]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
}
trap stop EXIT
trap 'exit 130' INT TERM

./target/release/resocket-test-server --port "$port" --www www &
server=$!
for _ in $(seq 50); do
  curl -fs "http://127.0.0.1:$port/" >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "the server did not start (port $port in use?)" >&2; exit 1; }
  sleep 0.1
done
echo
echo "Demo: http://127.0.0.1:$port/"
echo "(Ctrl-C stops it)"
wait "$server"
