#!/usr/bin/env bash
# `make demo`: the demo store, the events debugger and the local Insights
# endpoint on one port. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
server=$(scripts/devserver.sh)
exec "$server" --www www --pkg pkg "$@"
