#!/usr/bin/env bash
# Builds the framework examples (examples/leptos-chat, examples/yew-chat) for the browser:
# `cargo build --release --target wasm32-unknown-unknown`, then `wasm-bindgen --target web`
# into examples/<name>/dist/ with its index.html and the shared examples/style.css, and
# prints each .wasm size raw and gzipped. Serve one with the test server, which also
# provides /chat and /control:
#   cargo run -p resocket-test-server -- --port 8080 --www examples/leptos-chat/dist
#   open http://127.0.0.1:8080/?room=lobby
# Each example is its own Cargo workspace (excluded from the root one); both build into
# target/examples so shared crates compile once.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

step() { printf '\n==> %s\n' "$*"; }
die() { printf '\nFAILED: %s\n' "$*" >&2; exit 1; }

examples=(leptos-chat yew-chat)
target_dir="$root/target/examples"
wasm=(--target wasm32-unknown-unknown)

step "toolchain"
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  rustup target add wasm32-unknown-unknown
fi
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$wb_version" ] || die "cannot read the wasm-bindgen version from Cargo.lock"
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  echo "installing wasm-bindgen-cli $wb_version (takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi
echo "wasm-bindgen $wb_version"

for name in "${examples[@]}"; do
  dir="examples/$name"
  crate=${name//-/_}
  step "building $name"
  # A fresh example workspace starts from the root lock file, so it resolves the same
  # versions (wasm-bindgen must match the CLI exactly).
  [ -f "$dir/Cargo.lock" ] || cp Cargo.lock "$dir/Cargo.lock"
  cargo build --release "${wasm[@]}" --manifest-path "$dir/Cargo.toml" --target-dir "$target_dir"
  rm -rf "$dir/dist"
  mkdir -p "$dir/dist"
  wasm-bindgen --target web --no-typescript --out-dir "$dir/dist" \
    "$target_dir/wasm32-unknown-unknown/release/$crate.wasm"
  cp "$dir/index.html" examples/style.css "$dir/dist/"
done

step "sizes"
printf '%-48s %12s %12s\n' "file" "raw bytes" "gzip -9"
for name in "${examples[@]}"; do
  crate=${name//-/_}
  for f in "examples/$name/dist/${crate}_bg.wasm" "examples/$name/dist/$crate.js"; do
    [ -f "$f" ] || die "missing $f"
    printf '%-48s %12d %12d\n' "$f" "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)"
  done
done

step "serve one with"
for name in "${examples[@]}"; do
  echo "  cargo run -p resocket-test-server -- --port 8080 --www examples/$name/dist"
done
echo "  then open http://127.0.0.1:8080/?room=lobby in two tabs"
