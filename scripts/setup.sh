#!/usr/bin/env bash
# Installs what building and testing need, once; a second run takes seconds.
#  - a Rust toolchain for wasm32-unknown-unknown: rustup's target when it is
#    installed, else Debian's rustc-web/cargo-web/rust-web-src (std is rebuilt
#    for wasm with -Zbuild-std) with rust-web-llvm, which carries rust-lld, the
#    wasm linker (rustc-web only *recommends* it), and lld-22 behind it;
#  - wasm-bindgen-cli at exactly the wasm-bindgen version pinned in Cargo.toml;
#  - cargo-fuzz for the bounded fuzz run;
#  - the three browser engines the browser tests run in, with their WebDriver
#    servers: Chromium and ChromeDriver, Firefox ESR (Debian) and geckodriver
#    (crates.io), WebKitGTK's MiniBrowser and WebKitWebDriver (Debian
#    webkit2gtk-driver), and Xvfb (MiniBrowser has no headless mode);
#  - openssl, which makes the self-signed certificate of the end-to-end
#    tests' https origin (tests/e2e/tls-proxy.mjs);
#  - the npm tools (esbuild, binaryen's wasm-opt, playwright-core, and the real
#    search-insights/InstantSearch/Autocomplete packages the tests compare with).
# Then every tool the build and the tests call is checked by running it; a
# missing or too old one stops set-up with one line that names it, the version
# needed and how to get it.
# Prerequisites it cannot install: an apt-based system (Debian 12), root or
# sudo, and Node.js >= 20 with npm (Debian 12's own nodejs is 18).
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p .tools
export PATH="$HOME/.cargo/bin:$PATH"

trap 'echo "setup: failed (scripts/setup.sh line $LINENO)" >&2' ERR
log() { printf 'setup: %s\n' "$*"; }
fail() { printf 'setup: %s\n' "$*" >&2; exit 1; }
# version_at_least HAVE NEED: dotted numeric comparison.
version_at_least() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" = "$2" ]; }

# Node.js first: nothing here can install it, and npm ci needs it.
node_major_needed=20
command -v node >/dev/null 2>&1 ||
  fail "node not found: Node.js >= $node_major_needed with npm is needed (Debian 12's nodejs is 18: install Node.js $node_major_needed or newer, e.g. from NodeSource or nvm)"
node_version=$(node -p 'process.versions.node' 2>/dev/null) || fail "node does not run: Node.js >= $node_major_needed is needed"
version_at_least "$node_version" "$node_major_needed" ||
  fail "node $node_version is too old: Node.js >= $node_major_needed is needed (Debian 12's nodejs is 18: install a newer Node.js, e.g. from NodeSource or nvm)"
npm --version >/dev/null 2>&1 || fail "npm not found or not running: npm comes with Node.js >= $node_major_needed"

apt_missing=()
if command -v rustup >/dev/null 2>&1 && rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  echo rustup > .tools/toolchain
else
  echo debian > .tools/toolchain
  for p in rustc-web cargo-web rust-web-src rust-web-llvm lld-22; do
    dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || apt_missing+=("$p")
  done
fi
for p in chromium chromium-driver firefox-esr webkit2gtk-driver xvfb xauth openssl; do
  dpkg -s "$p" 2>/dev/null | grep -q '^Status: install ok installed' || apt_missing+=("$p")
done
if ((${#apt_missing[@]})); then
  log "installing Debian packages: ${apt_missing[*]} (a few minutes, once)"
  command -v apt-get >/dev/null 2>&1 || fail "apt-get not found: an apt-based system (Debian 12) is needed to install ${apt_missing[*]}"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null 2>&1 || fail "root or sudo is needed to install ${apt_missing[*]}"
    SUDO="sudo"
  fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${apt_missing[@]}" >/dev/null
fi

pinned=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
[ -n "$pinned" ] || fail "cannot read the wasm-bindgen pin from Cargo.toml"
if ! wasm-bindgen --version 2>/dev/null | grep -qx "wasm-bindgen $pinned"; then
  log "installing wasm-bindgen-cli $pinned (a few minutes, once)"
  # --locked pins the CLI's own dependencies; a registry mirror may lack one of
  # those exact versions, then cargo resolves compatible ones.
  cargo install -q --force wasm-bindgen-cli --version "=$pinned" --locked 2>/dev/null ||
    cargo install -q --force wasm-bindgen-cli --version "=$pinned"
fi

# cargo-fuzz, for the bounded fuzz run of `make test` (scripts/fuzz.sh).
if ! cargo fuzz --version >/dev/null 2>&1; then
  log "installing cargo-fuzz (a few minutes, once)"
  cargo install -q --force cargo-fuzz --locked 2>/dev/null || cargo install -q --force cargo-fuzz
fi

# geckodriver, Firefox's WebDriver server: Debian has none, crates.io has it.
geckodriver_pinned=0.37.1
# (Its version is read whole first: `geckodriver --version | grep -q` would
# fail under pipefail whenever grep quits before geckodriver wrote its last line.)
geckodriver_version=$(geckodriver --version 2>/dev/null | head -1 || true)
if [ "$geckodriver_version" != "geckodriver $geckodriver_pinned" ]; then
  log "installing geckodriver $geckodriver_pinned (a minute or two, once)"
  cargo install -q --force geckodriver --version "=$geckodriver_pinned" --locked 2>/dev/null ||
    cargo install -q --force geckodriver --version "=$geckodriver_pinned"
fi

if [ ! -f node_modules/.setup-stamp ] || [ package-lock.json -nt node_modules/.setup-stamp ]; then
  log "installing npm tools"
  npm ci --no-audit --no-fund --loglevel=error
  touch node_modules/.setup-stamp
fi

# Every tool, run. `check NAME NEED HOW -- COMMAND…`: COMMAND must succeed and
# print a version >= NEED (the first dotted number in its output).
check() {
  local name=$1 need=$2 how=$3 out have
  shift 4
  out=$("$@" 2>/dev/null) || fail "$name does not run ($*): $name >= $need is needed; $how"
  have=$(grep -Eo '[0-9]+(\.[0-9]+)*' <<<"$out" | head -1 || true)
  [ -n "$have" ] || fail "$name printed no version ($*): $name >= $need is needed; $how"
  version_at_least "$have" "$need" || fail "$name $have is too old: $name >= $need is needed; $how"
}
apt_how() { echo "install it with: apt-get install --no-install-recommends $1"; }
if [ "$(cat .tools/toolchain)" = debian ]; then
  check rustc 1.86 "$(apt_how rustc-web)" -- /usr/bin/rustc --version
  check cargo 1.86 "$(apt_how cargo-web)" -- /usr/bin/cargo --version
  [ -f "$(/usr/bin/rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.lock" ] ||
    fail "the Rust std source is missing: rust-web-src is needed for -Zbuild-std; $(apt_how rust-web-src)"
  check rust-lld 15 "$(apt_how "rust-web-llvm lld-22") (rustc-web only recommends it)" -- rust-lld -flavor wasm --version
fi
check wasm-bindgen "$pinned" "install it with: cargo install --force wasm-bindgen-cli --version =$pinned" -- wasm-bindgen --version
[ "$(wasm-bindgen --version)" = "wasm-bindgen $pinned" ] ||
  fail "$(wasm-bindgen --version) is on PATH: exactly $pinned is needed; install it with: cargo install wasm-bindgen-cli --version =$pinned --force"
check wasm-bindgen-test-runner "$pinned" "install it with: cargo install --force wasm-bindgen-cli --version =$pinned" -- wasm-bindgen-test-runner --version
check cargo-fuzz 0.12 "install it with: cargo install --force cargo-fuzz" -- cargo fuzz --version
check wasm-opt 116 "it comes from npm's binaryen: run npm ci" -- node_modules/.bin/wasm-opt --version
check esbuild 0.20 "it comes from npm: run npm ci" -- node_modules/.bin/esbuild --version
check chromium 120 "$(apt_how chromium)" -- /usr/bin/chromium --headless --no-sandbox --disable-gpu --version
check chromedriver 120 "$(apt_how chromium-driver)" -- /usr/bin/chromedriver --version
check firefox-esr 128 "$(apt_how firefox-esr)" -- /usr/bin/firefox-esr --headless --version
check geckodriver "$geckodriver_pinned" "install it with: cargo install --force geckodriver --version =$geckodriver_pinned" -- geckodriver --version
# WebKitWebDriver prints no version: it must run, and come from the same
# WebKitGTK as MiniBrowser, which runs only with a display (Xvfb here).
command -v xvfb-run >/dev/null 2>&1 || fail "xvfb-run not found: Xvfb is needed for WebKitGTK's MiniBrowser; $(apt_how "xvfb xauth")"
WebKitWebDriver --help >/dev/null 2>&1 || fail "WebKitWebDriver does not run: WebKitGTK's WebDriver is needed; $(apt_how webkit2gtk-driver)"
minibrowser=/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser
check MiniBrowser 2.40 "it comes with WebKitGTK: $(apt_how "webkit2gtk-driver libwebkit2gtk-4.1-0 xvfb xauth")" -- xvfb-run -a "$minibrowser" --version
[ "$(dpkg-query -W -f='${Version}' webkit2gtk-driver 2>/dev/null)" = "$(dpkg-query -W -f='${Version}' libwebkit2gtk-4.1-0 2>/dev/null)" ] ||
  fail "webkit2gtk-driver and libwebkit2gtk-4.1-0 (MiniBrowser) differ in version: update both with: apt-get install --no-install-recommends webkit2gtk-driver libwebkit2gtk-4.1-0"
check openssl 1.1.1 "$(apt_how openssl)" -- /usr/bin/openssl version
check node "$node_major_needed" "install Node.js >= $node_major_needed" -- node --version
check npm 9 "npm comes with Node.js >= $node_major_needed" -- npm --version
[ "$(/usr/bin/chromium --version 2>/dev/null | grep -Eo '[0-9]+' | head -1)" = "$(/usr/bin/chromedriver --version | grep -Eo '[0-9]+' | head -1)" ] ||
  fail "chromium and chromedriver differ in major version: update both with: apt-get install --no-install-recommends chromium chromium-driver"
