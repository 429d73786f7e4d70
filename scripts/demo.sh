#!/usr/bin/env bash
# `make demo`: the demo store (www/), the events debugger and the local
# Insights endpoint on one port — http://127.0.0.1:8080 unless told otherwise
# (`make demo PORT=9000 BIND=0.0.0.0`). Ctrl-C stops it (exit code 0).
# With a non-loopback BIND the server prints a warning: the endpoint, the store
# and the debugger page are then open to the network, while its control routes
# (and the debugger's data) still answer only localhost names unless
# --allow-host is given (scripts/demo.sh --bind 0.0.0.0 --allow-host devbox.local).
# Run directly, it takes the devserver's options: scripts/demo.sh --port 9000
set -euo pipefail
cd "$(dirname "$0")/.."
for built in pkg/search-insights.min.js pkg/search_insights_wasm_bg.wasm; do
  if [ ! -f "$built" ]; then
    echo "demo: $built is missing; run \`make demo\` (it builds pkg/ first)" >&2
    exit 1
  fi
done
server=$(scripts/devserver.sh)
# exec: Ctrl-C and SIGTERM go straight to the server, which stops gracefully.
exec "$server" --www www --pkg pkg "$@"
