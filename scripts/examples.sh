#!/usr/bin/env bash
# Builds the framework examples (examples/leptos-chat, examples/yew-chat) for the browser:
# `cargo build --release --target wasm32-unknown-unknown`, then `wasm-bindgen --target web`
# into examples/<name>/dist/ with its index.html and the shared examples/style.css, and
# prints each .wasm size raw and gzipped. Serve one with the test server, which also
# provides /chat and /control:
#   cargo run -p resocket-test-server -- --port 8080 --www examples/leptos-chat/dist
#   open http://127.0.0.1:8080/?room=lobby
# Then examples/leptos-ssr (axum + Leptos SSR, hydrated): its hydrate bundle into
# examples/leptos-ssr/dist/pkg/ and its server, target/examples/release/leptos-ssr, which
# serves the page and its own chat room at /ws (scripts/test-ssr.sh tests it).
# Each example is its own Cargo workspace (excluded from the root one); all build into
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

# examples/leptos-ssr: server-rendered by axum, hydrated in the browser (no cargo-leptos):
# the hydrate bundle (profile wasm-release) into dist/pkg/, and the server binary.
ssr=examples/leptos-ssr
[ -f "$ssr/Cargo.lock" ] || cp Cargo.lock "$ssr/Cargo.lock"
step "building leptos-ssr (hydrate bundle, then server)"
cargo build --profile wasm-release --lib "${wasm[@]}" --features hydrate \
  --manifest-path "$ssr/Cargo.toml" --target-dir "$target_dir"
rm -rf "$ssr/dist"
mkdir -p "$ssr/dist/pkg"
wasm-bindgen --target web --no-typescript --out-name leptos_ssr --out-dir "$ssr/dist/pkg" \
  "$target_dir/wasm32-unknown-unknown/wasm-release/leptos_ssr.wasm"
cp examples/style.css "$ssr/dist/"
cargo build --release --features ssr --bin leptos-ssr --manifest-path "$ssr/Cargo.toml" \
  --target-dir "$target_dir"

step "sizes"
printf '%-48s %12s %12s\n' "file" "raw bytes" "gzip -9"
for name in "${examples[@]}"; do
  crate=${name//-/_}
  for f in "examples/$name/dist/${crate}_bg.wasm" "examples/$name/dist/$crate.js"; do
    [ -f "$f" ] || die "missing $f"
    printf '%-48s %12d %12d\n' "$f" "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)"
  done
done
for f in "$ssr/dist/pkg/leptos_ssr_bg.wasm" "$ssr/dist/pkg/leptos_ssr.js"; do
  [ -f "$f" ] || die "missing $f"
  printf '%-48s %12d %12d\n' "$f" "$(wc -c <"$f")" "$(gzip -9 -c "$f" | wc -c)"
done

step "serve one with"
for name in "${examples[@]}"; do
  echo "  cargo run -p resocket-test-server -- --port 8080 --www examples/$name/dist"
done
echo "  then open http://127.0.0.1:8080/?room=lobby in two tabs"
echo "or the server-rendered one, which hosts its own chat room at /ws:"
echo "  $target_dir/release/leptos-ssr --addr 127.0.0.1:3000   # then open http://127.0.0.1:3000/"
