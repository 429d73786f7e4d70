#!/usr/bin/env bash
# `make test`: every suite, against real servers and real browsers (Chromium,
# Firefox ESR, WebKitGTK).
# It fails when anything fails: a suite's exit status, a failed, skipped,
# ignored, todo or cancelled test, a suite that ran no test or fewer than its
# committed minimum (tests/minimum-counts.txt), a suite whose files are
# missing, a fuzz run with no runs. Every suite runs even after one failed, so
# the summary names all that failed. The last line is `N passed, N failed`.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
logs=target/test-logs
mkdir -p "$logs"
summary=()
failures=()
total_passed=0
total_failed=0

minimum() { # suite name → its committed minimum test count
  local n
  n=$(awk -v s="$1" '$1 == s {print $2}' tests/minimum-counts.txt 2>/dev/null)
  if [ -z "$n" ]; then echo "tests/minimum-counts.txt has no minimum for suite '$1'" >&2; echo 1; else echo "$n"; fi
}

# record LABEL SUITE STATUS PASSED FAILED SKIPPED [DETAIL]: one summary row, and
# a failure unless the suite exited 0 with passed >= its minimum, nothing
# failed and nothing skipped.
record() {
  local label=$1 suite=$2 status=$3 passed=$4 failed=$5 skipped=$6 detail=${7:-} min why=()
  min=$(minimum "$suite")
  [ "$status" = 0 ] || why+=("exit status $status")
  [ "$failed" = 0 ] || why+=("$failed failed")
  [ "$skipped" = 0 ] || why+=("$skipped skipped/ignored/todo/cancelled")
  [ "$passed" -ge "$min" ] || why+=("$passed passed, fewer than the minimum $min")
  total_passed=$((total_passed + passed))
  total_failed=$((total_failed + failed + skipped))
  local row="$label: $passed passed, $failed failed, $skipped skipped${detail:+, $detail}"
  if ((${#why[@]})); then
    row="$row — FAILED ($(IFS=';'; echo "${why[*]}"))"
    [ $((failed + skipped)) -gt 0 ] || total_failed=$((total_failed + 1))
    failures+=("$label")
  fi
  summary+=("$row")
  echo "$row"
}

missing() { # LABEL WHAT: a suite that cannot run is a failure, never a skip
  summary+=("$1: MISSING — $2")
  failures+=("$1")
  total_failed=$((total_failed + 1))
  echo "$1: MISSING — $2" >&2
}

# cargo_counts LOG → "passed failed ignored" summed over every `test result:` line.
cargo_counts() {
  awk '/^test result:/ {
      for (i = 1; i <= NF; i++) {
        if ($(i+1) ~ /^passed/) p += $i; if ($(i+1) ~ /^failed/) f += $i; if ($(i+1) ~ /^ignored/) g += $i
      }
      n++
    } END { print p+0, f+0, g+0, n+0 }' "$1"
}

run_cargo_suite() { # LABEL SUITE LOG COMMAND…
  local label=$1 suite=$2 log=$3 status p f g n
  shift 3
  "$@" >"$log" 2>&1
  status=$?
  grep -E '^(test result|error(\[|:)|failures:|    [a-z_:]+$|test .* FAILED)' "$log" | head -60
  read -r p f g n < <(cargo_counts "$log")
  [ "$n" -gt 0 ] || f=$((f + 1)) # no result line at all: it did not run
  record "$label" "$suite" "$status" "$p" "$f" "$g"
}

echo "== native tests (core, devserver)"
run_cargo_suite "native (cargo test)" native "$logs/native.log" cargo test --workspace --no-fail-fast

echo "== clippy"
if cargo clippy -q --workspace --all-targets -- -D warnings >"$logs/clippy.log" 2>&1; then
  summary+=("clippy: clean")
else
  cat "$logs/clippy.log"
  summary+=("clippy: FAILED")
  failures+=("clippy")
  total_failed=$((total_failed + 1))
fi

echo "== local Insights endpoint"
server_pid=""
trap '[ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null' EXIT
# The browser tests' page (wasm-bindgen-test-runner's own server) reads the
# endpoint's control routes, which answer only origins they are told of: the
# runner is given a free port, and the endpoint that origin.
runner_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
export WASM_BINDGEN_TEST_ADDRESS="127.0.0.1:$runner_port"
if server=$(scripts/devserver.sh); then
  rm -f target/devserver.port
  "$server" --port 0 --port-file target/devserver.port --www www --pkg pkg --log "$logs/events.jsonl" \
    --allow-origin "http://$WASM_BINDGEN_TEST_ADDRESS" \
    >"$logs/devserver.log" 2>&1 &
  server_pid=$!
  # Waits for the port file (a safety net of 120 s, not a timing assumption).
  for _ in $(seq 1200); do [ -s target/devserver.port ] && break; kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
fi
if [ -s target/devserver.port ]; then
  export INSIGHTS_TEST_ENDPOINT="http://127.0.0.1:$(cat target/devserver.port)"
  echo "endpoint: $INSIGHTS_TEST_ENDPOINT"
else
  cat "$logs/devserver.log" 2>/dev/null
  missing "local endpoint" "insights-devserver did not start"
fi

echo "== browser tests (wasm-bindgen-test in Chromium, Firefox and WebKit)"
# The same tests/browser.rs, once per engine, each its own suite row. The
# runner takes the first of GECKODRIVER, SAFARIDRIVER, CHROMEDRIVER that is
# set, so each run sets exactly one (and tests/browser.rs checks the user agent
# against BROWSER_TEST_ENGINE). Firefox runs headless (the runner adds
# -headless to tests/webdriver/firefox.json). WebKitGTK's WebKitWebDriver is
# driven as a "safaridriver": the runner sends it empty capabilities (so
# tests/webdriver/webkit.json is only {}), and its default browser is
# /usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser --automation, which has
# no headless mode: that run is under Xvfb. The runner's own
# timeouts (20 s for the whole page, 5 s for the driver to bind) are raised to
# safety nets that no busy machine reaches.
export WASM_BINDGEN_TEST_TIMEOUT=600 WASM_BINDGEN_TEST_DRIVER_TIMEOUT=120
browser_engine() { # ENGINE DRIVER_VAR DRIVER CAPABILITIES [WRAPPER…]
  local engine=$1 var=$2 driver=$3 caps=$4 label="browser-$1 (wasm-bindgen-test)"
  shift 4
  if [ ! -f tests/browser.rs ]; then
    missing "$label" "tests/browser.rs is missing"
  elif [ ! -x "$driver" ]; then
    missing "$label" "$driver not found: run scripts/setup.sh (make test does)"
  else
    echo "-- $engine"
    run_cargo_suite "$label" "browser-$engine" "$logs/browser-$engine.log" \
      env -u CHROMEDRIVER -u GECKODRIVER -u SAFARIDRIVER "$var=$driver" WASM_BINDGEN_TEST_WEBDRIVER_JSON="$caps" BROWSER_TEST_ENGINE="$engine" \
      "$@" scripts/cargo-wasm test --no-fail-fast --test browser
  fi
}
browser_engine chromium CHROMEDRIVER /usr/bin/chromedriver webdriver.json
browser_engine firefox GECKODRIVER "$HOME/.cargo/bin/geckodriver" tests/webdriver/firefox.json
browser_engine webkit SAFARIDRIVER /usr/bin/WebKitWebDriver tests/webdriver/webkit.json \
  xvfb-run -a -s "-screen 0 1280x1024x24"

echo "== end-to-end tests (Playwright + headless Chromium; WebDriver in Chromium, Firefox and WebKit)"
e2e_files=(tests/e2e/*.test.mjs)
if [ -e "${e2e_files[0]}" ]; then
  # --test-timeout: a test that hangs fails after 5 minutes (a safety net,
  # far above any test's run time) instead of holding the whole run.
  node --test --test-concurrency=1 --test-timeout=300000 --test-reporter=spec "${e2e_files[@]}" >"$logs/e2e.log" 2>&1
  status=$?
  grep -vE '^\s*$' "$logs/e2e.log" | grep -E '^(✔|✖|﹣|ℹ|  ✖|#)|delivery:|batching:|tabs:|engines:|parity' | head -400
  count() { grep -Eo "^ℹ $1 [0-9]+" "$logs/e2e.log" | awk '{print $3}' | tail -1; }
  pass=$(count pass) fail=$(count fail) cancelled=$(count cancelled) skipped=$(count skipped) todo=$(count todo)
  # A missing summary line is a failure, not a zero.
  if [ -z "$pass$fail" ] || [ -z "$pass" ] || [ -z "$fail" ] || [ -z "$cancelled" ] || [ -z "$skipped" ] || [ -z "$todo" ]; then
    echo "end-to-end: the runner printed no complete summary (ℹ pass/fail/cancelled/skipped/todo)" >&2
    pass=${pass:-0} fail=$((${fail:-0} + 1)) cancelled=${cancelled:-0} skipped=${skipped:-0} todo=${todo:-0}
  fi
  record "end-to-end (node --test)" e2e "$status" "$pass" "$((fail + cancelled))" "$((skipped + todo))" \
    "${#e2e_files[@]} files"
else
  missing "end-to-end (node --test)" "no tests/e2e/*.test.mjs"
fi

echo "== size budget"
if [ -x scripts/size-budget.sh ]; then
  if line=$(scripts/size-budget.sh); then summary+=("$line"); else summary+=("size budget: FAILED"); failures+=("size budget"); total_failed=$((total_failed + 1)); fi
else
  missing "size budget" "scripts/size-budget.sh is missing"
fi

echo "== bounded fuzz run (with the fuzz crate's own tests)"
if [ -x scripts/fuzz.sh ]; then
  scripts/fuzz.sh 60 >"$logs/fuzz-summary.log"
  status=$?
  cat "$logs/fuzz-summary.log"
  self=$(sed -n 's/^fuzz self-tests: \([0-9]*\) passed.*/\1/p' "$logs/fuzz-summary.log" | tail -1)
  self_failed=$(sed -n 's/^fuzz self-tests: [0-9]* passed, \([0-9]*\) failed.*/\1/p' "$logs/fuzz-summary.log" | tail -1)
  record "fuzz self-tests (cargo test in fuzz/)" fuzz-self-tests "$status" "${self:-0}" "${self_failed:-0}" 0
  last=$(tail -1 "$logs/fuzz-summary.log")
  runs=$(sed -n 's/^fuzz: [0-9]* s, \([0-9]*\) runs, \([0-9]*\) crashes.*/\1/p' <<<"$last")
  crashes=$(sed -n 's/^fuzz: [0-9]* s, \([0-9]*\) runs, \([0-9]*\) crashes.*/\2/p' <<<"$last")
  if [ "$status" = 0 ] && [ "${runs:-0}" -gt 0 ] && [ "${crashes:-1}" = 0 ]; then
    summary+=("$last")
  else
    summary+=("$last — FAILED (exit status $status, ${runs:-no} runs, ${crashes:-unknown} crashes)")
    failures+=("fuzz")
    total_failed=$((total_failed + 1))
  fi
else
  missing "fuzz" "scripts/fuzz.sh is missing"
fi

echo
echo "== summary"
printf '  %s\n' "${summary[@]}"
if ((${#failures[@]})); then
  echo "make test FAILED: ${failures[*]}"
  echo "$total_passed passed, $total_failed failed"
  exit 1
fi
echo "$total_passed passed, 0 failed"
