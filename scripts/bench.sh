#!/usr/bin/env bash
# `make bench`: side-by-side benchmark against search-insights (see bench/run.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node bench/run.mjs "$@"
