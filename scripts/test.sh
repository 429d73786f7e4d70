#!/usr/bin/env bash
# `make test`: every suite, against real servers and a real headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
mkdir -p target/test-logs
summary=()

count_cargo() { # label, log: sums "test result: ok. N passed"
  local passed
  passed=$(grep -Eo 'test result: ok\. [0-9]+ passed' "$2" | awk '{s+=$4} END {print s+0}')
  summary+=("$1: $passed passed")
}

echo "== native tests (core, devserver)"
cargo test --workspace 2>&1 | tee target/test-logs/native.log | grep -E '^(test result|error|failures)' || true
if grep -q 'test result: FAILED\|^error' target/test-logs/native.log; then echo "native tests failed"; exit 1; fi
count_cargo "native (cargo test)" target/test-logs/native.log

echo "== clippy"
cargo clippy -q --workspace --all-targets -- -D warnings
summary+=("clippy: clean")

echo "== local Insights endpoint"
server=$(scripts/devserver.sh)
rm -f target/devserver.port
"$server" --port 0 --port-file target/devserver.port --www www --pkg pkg --log target/test-logs/events.jsonl \
  >target/test-logs/devserver.log 2>&1 &
server_pid=$!
trap 'kill $server_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do [ -s target/devserver.port ] && break; sleep 0.1; done
port=$(cat target/devserver.port)
export INSIGHTS_TEST_ENDPOINT="http://127.0.0.1:$port"
echo "endpoint: $INSIGHTS_TEST_ENDPOINT"

echo "== browser tests (wasm-bindgen-test, headless Chromium)"
export CHROMEDRIVER=/usr/bin/chromedriver
scripts/cargo-wasm test --test browser 2>&1 | tee target/test-logs/browser.log | grep -E '^(test |test result)' || true
if ! grep -q 'test result: ok' target/test-logs/browser.log; then echo "browser tests failed"; exit 1; fi
count_cargo "browser (wasm-bindgen-test)" target/test-logs/browser.log

if compgen -G "tests/e2e/*.test.mjs" >/dev/null; then
  echo "== end-to-end tests (Playwright + headless Chromium)"
  node --test --test-concurrency=1 --test-reporter=spec tests/e2e/*.test.mjs 2>&1 | tee target/test-logs/e2e.log
  e2e_pass=$(grep -Eo '^ℹ pass [0-9]+' target/test-logs/e2e.log | awk '{print $3}')
  e2e_fail=$(grep -Eo '^ℹ fail [0-9]+' target/test-logs/e2e.log | awk '{print $3}')
  summary+=("end-to-end (node --test): ${e2e_pass:-0} passed, ${e2e_fail:-?} failed")
  if [ "${e2e_fail:-1}" != 0 ]; then printf '%s\n' "${summary[@]}"; echo "end-to-end tests failed"; exit 1; fi
fi

if [ -x scripts/size-budget.sh ]; then
  echo "== size budget"
  summary+=("$(scripts/size-budget.sh)")
fi

if [ -x scripts/fuzz.sh ]; then
  echo "== bounded fuzz run"
  summary+=("$(scripts/fuzz.sh 60 | tail -1)")
fi

echo
echo "== summary"
printf '  %s\n' "${summary[@]}"
