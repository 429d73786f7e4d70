#!/usr/bin/env bash
# Builds the local Insights endpoint (release) and prints its path.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
cargo build -q --release -p insights-devserver >&2
echo "$PWD/target/release/insights-devserver"
