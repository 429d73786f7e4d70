#!/usr/bin/env bash
# Fails when what a page downloads (the script-tag file + the wasm, gzip -9)
# grows past the budget kept in size-budget.txt. Bytes, not timings.
set -euo pipefail
cd "$(dirname "$0")/.."
budget=$(grep -Eo '^[0-9]+' size-budget.txt | head -1)
js=$(gzip -9c pkg/search-insights.min.js | wc -c)
wasm=$(gzip -9c pkg/search_insights_wasm_bg.wasm | wc -c)
total=$((js + wasm))
if [ "$total" -gt "$budget" ]; then
  echo "size budget: FAILED, ${total} B gzipped (script ${js} B + wasm ${wasm} B) is over the budget of ${budget} B" >&2
  exit 1
fi
echo "size budget: ${total} B gzipped (script ${js} B + wasm ${wasm} B), budget ${budget} B"
