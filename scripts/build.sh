#!/usr/bin/env bash
# Builds pkg/: the wasm (wasm-bindgen + wasm-opt), the script-tag file and the
# npm builds (esbuild): browser ESM and CommonJS, Node ESM and CommonJS.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
# One build at a time: pkg/ must never mix the output of two builds.
mkdir -p target
exec 9>target/.build.lock
flock 9
# The shipped build aborts on panic without formatting a message (the library
# never panics by design; this drops the panic machinery from the wasm). That
# needs Debian's toolchain with -Zbuild-std; a stable rustup toolchain keeps
# panic = "abort". Its own target dir keeps the test builds' std apart.
export CARGO_TARGET_DIR="$PWD/target/wasm-release"
if [ "$(cat .tools/toolchain 2>/dev/null)" = debian ]; then
  export RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort"
fi
scripts/cargo-wasm build --release -p search-insights-wasm --lib
unset RUSTFLAGS
wasm-bindgen --target web --out-dir target/bindgen --out-name search_insights_wasm \
  "$CARGO_TARGET_DIR/wasm32-unknown-unknown/release/search_insights_wasm.wasm"
# -ocimfs=0 (no inlining of functions just because they have one caller):
# 1.6 KB less gzipped, measured on the whole module. --low-memory-unused
# (offsets folded into loads and stores; before the passes it applies to): 297 B less; it holds because Rust's
# wasm32 target puts the 1 MB stack first, so the low 1 KB is only reached
# by a stack 1 MB deep.
node_modules/.bin/wasm-opt --low-memory-unused -Oz --converge -ocimfs=0 --strip-debug --strip-producers \
  --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-reference-types --enable-multivalue --enable-mutable-globals \
  target/bindgen/search_insights_wasm_bg.wasm -o pkg/search_insights_wasm_bg.wasm
# Short import and export names in the wasm and the glue (scripts/minify-names.mjs).
node scripts/minify-names.mjs pkg/search_insights_wasm_bg.wasm target/bindgen/search_insights_wasm.js >/dev/null
version=$(sed -n 's/^pub const SEARCH_INSIGHTS_VERSION: &str = "\(.*\)";/\1/p' src/client.rs)
common=(--bundle --minify --legal-comments=none "--define:__SEARCH_INSIGHTS_VERSION__=\"$version\"" --log-level=warning --log-override:duplicate-object-key=silent)
# The npm builds embed the wasm, so that every bundler and test runner takes
# the package as it is. The browser ESM build embeds it gzipped (base64 of
# gzip costs ~1% over the .wasm served gzipped; base64 of the raw bytes ~30%)
# and unpacks it with DecompressionStream; the others embed the raw bytes.
# No build refers to the .wasm file by URL (the wasm-bindgen loader's default
# `new URL(…, import.meta.url)` would make bundlers emit an unused asset).
gzip -9 -n -c pkg/search_insights_wasm_bg.wasm >target/bindgen/search_insights_wasm_bg.wasm.gz
embed=("${common[@]}" --loader:.wasm=binary --loader:.gz=base64 --define:import.meta.url=undefined --log-override:empty-import-meta=silent)
# The script-tag file embeds it the same way (one request instead of two: the
# first callback comes sooner with any round trip to the CDN; see docs/size.md);
# browsers without DecompressionStream fetch the .wasm next to it.
node_modules/.bin/esbuild pkg/js/script-tag.js "${common[@]}" --format=iife --target=es2019 --loader:.gz=base64 \
  --log-override:empty-import-meta=silent --outfile=pkg/search-insights.min.js
node_modules/.bin/esbuild pkg/js/entry-browser.js "${embed[@]}" --alias:embedded-wasm=./pkg/js/wasm-gzip.js --format=esm --target=es2020 --outfile=pkg/index.mjs
node_modules/.bin/esbuild pkg/js/cjs-browser.js "${embed[@]}" --alias:embedded-wasm=./pkg/js/wasm-raw.js --format=cjs --target=es2020 --outfile=pkg/index-browser.cjs
node_modules/.bin/esbuild pkg/js/entry-node.js "${embed[@]}" --platform=node --format=esm --target=node18 --outfile=pkg/index-node.mjs
node_modules/.bin/esbuild pkg/js/cjs-node.js "${embed[@]}" --platform=node --format=cjs --target=node18 --outfile=pkg/index-node.cjs
gz() { gzip -9c "$1" | wc -c; }
echo "build: pkg/search-insights.min.js $(wc -c <pkg/search-insights.min.js) B ($(gz pkg/search-insights.min.js) B gzipped, the wasm embedded);" \
  "pkg/index.mjs $(wc -c <pkg/index.mjs) B ($(gz pkg/index.mjs) B gzipped); pkg/search_insights_wasm_bg.wasm $(wc -c <pkg/search_insights_wasm_bg.wasm) B ($(gz pkg/search_insights_wasm_bg.wasm) B gzipped)"
