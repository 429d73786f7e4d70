#!/usr/bin/env bash
# Fails when what a page downloads grows past its budget in size-budget.txt:
# the script-tag file and the browser npm build (each with the wasm
# embedded), each gzip -9. Bytes, not timings.
set -euo pipefail
cd "$(dirname "$0")/.."
budget() {
  local b
  b=$(sed -n "s/^\([0-9][0-9]*\) $1\$/\1/p" size-budget.txt)
  [ -n "$b" ] || { echo "size budget: FAILED, size-budget.txt has no '$1' line" >&2; exit 1; }
  echo "$b"
}
gz() { gzip -9c "$1" | wc -c; }
script_budget=$(budget script-tag)
npm_budget=$(budget npm-browser)
total=$(gz pkg/search-insights.min.js)
npm=$(gz pkg/index.mjs)
status=0
if [ "$total" -gt "$script_budget" ]; then
  echo "size budget: FAILED, script tag pkg/search-insights.min.js ${total} B gzipped is over the budget of ${script_budget} B" >&2
  status=1
fi
if [ "$npm" -gt "$npm_budget" ]; then
  echo "size budget: FAILED, npm browser build pkg/index.mjs ${npm} B gzipped is over the budget of ${npm_budget} B" >&2
  status=1
fi
[ "$status" = 0 ] || exit 1
echo "size budget: script tag ${total} B gzipped, budget ${script_budget} B; npm browser build ${npm} B, budget ${npm_budget} B"
