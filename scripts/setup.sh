#!/usr/bin/env bash
# Installs everything `make test`, `make demo` and `make bench` need, skipping what is
# already present. Safe to run repeatedly. Fails loudly on any missing piece.
set -euo pipefail
cd "$(dirname "$0")/.."

export DEBIAN_FRONTEND=noninteractive
log() { printf '[setup] %s\n' "$*"; }

# --- Rust: wasm target ----------------------------------------------------------------
if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  log "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi
for comp in rustfmt clippy; do
  rustup component list --installed | grep -q "^$comp" || rustup component add "$comp"
done

# --- wasm-bindgen-cli at exactly the version in Cargo.lock -----------------------------
if [ ! -f Cargo.lock ]; then cargo generate-lockfile; fi
wb_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
[ -n "$wb_version" ] || { echo "[setup] cannot read wasm-bindgen version from Cargo.lock" >&2; exit 1; }
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wb_version" ]; then
  log "installing wasm-bindgen-cli $wb_version (takes a few minutes)"
  cargo install wasm-bindgen-cli --version "$wb_version" --force
fi

# --- Debian packages: browsers, drivers, Xvfb ------------------------------------------
need_pkgs=()
for p in chromium chromium-driver firefox-esr webkit2gtk-driver xvfb curl; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need_pkgs+=("$p")
done
if [ ${#need_pkgs[@]} -gt 0 ]; then
  log "installing Debian packages: ${need_pkgs[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${need_pkgs[@]}"
fi

# --- geckodriver (crates.io) -----------------------------------------------------------
if ! command -v geckodriver >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/geckodriver" ]; then
  log "installing geckodriver"
  cargo install geckodriver
fi

# --- Node.js (npm package, its tests, the demo) ----------------------------------------
command -v node >/dev/null && command -v npm >/dev/null || { echo "[setup] node and npm are required" >&2; exit 1; }
node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
  { echo "[setup] Node >= 20 is required (found $(node --version))" >&2; exit 1; }

# --- sanity: every engine is really here ------------------------------------------------
for bin in /usr/bin/chromium /usr/bin/chromedriver /usr/bin/firefox-esr /usr/bin/Xvfb; do
  [ -x "$bin" ] || { echo "[setup] missing $bin after install" >&2; exit 1; }
done
command -v WebKitWebDriver >/dev/null || { echo "[setup] missing WebKitWebDriver" >&2; exit 1; }
log "toolchain ready (wasm-bindgen $wb_version)"
