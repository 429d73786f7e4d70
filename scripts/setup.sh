#!/usr/bin/env bash
# Installs what building and testing need, once; a second run takes a second.
#  - a Rust toolchain for wasm32-unknown-unknown: rustup's target when it is
#    installed, else Debian's rustc-web/cargo-web/rust-web-src (std is rebuilt
#    for wasm with -Zbuild-std) and lld;
#  - wasm-bindgen-cli at exactly the wasm-bindgen version pinned in Cargo.toml;
#  - Chromium and ChromeDriver for the browser tests;
#  - the npm tools (esbuild, binaryen's wasm-opt, playwright-core, and the real
#    search-insights/InstantSearch/Autocomplete packages the tests compare with).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools

log() { printf 'setup: %s\n' "$*"; }

apt_missing=()
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo rustup > .tools/toolchain
else
  echo debian > .tools/toolchain
  for p in rustc-web cargo-web rust-web-src lld-22; do
    dpkg -s "$p" >/dev/null 2>&1 || apt_missing+=("$p")
  done
fi
for p in chromium chromium-driver; do
  dpkg -s "$p" >/dev/null 2>&1 || apt_missing+=("$p")
done
if ((${#apt_missing[@]})); then
  log "installing Debian packages: ${apt_missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

pinned=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
if [ -z "$pinned" ]; then echo "setup: cannot read the wasm-bindgen pin from Cargo.toml" >&2; exit 1; fi
export PATH="$HOME/.cargo/bin:$PATH"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $pinned"; then
  log "installing wasm-bindgen-cli $pinned (a few minutes, once)"
  # --locked pins the CLI's own dependencies; a registry mirror may lack one of
  # those exact versions, then cargo resolves compatible ones.
  cargo install -q wasm-bindgen-cli --version "=$pinned" --locked 2>/dev/null ||
    cargo install -q wasm-bindgen-cli --version "=$pinned"
fi

if [ ! -f node_modules/.setup-stamp ] || [ package-lock.json -nt node_modules/.setup-stamp ]; then
  log "installing npm tools"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.setup-stamp
fi
