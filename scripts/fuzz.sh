#!/usr/bin/env bash
# `make fuzz` / `make test`: a bounded coverage-guided fuzzing session of the
# native core (fuzz/: cargo fuzz + libFuzzer), SECONDS long (default 600).
# cargo-fuzz comes from scripts/setup.sh. libFuzzer's sanitizer-coverage flags are
# nightly-only: the stable toolchain accepts them with RUSTC_BOOTSTRAP=1 (no
# sanitizer: `-s none`; overflow checks and debug assertions are on). Should
# libFuzzer not build, the same oracle runs on seeded random inputs instead.
# First the fuzz crate's own tests (`cargo test` in fuzz/: each oracle check
# fed a known-bad input must fail): `fuzz self-tests: N passed` on stdout.
# The corpus grows in fuzz/corpus/ (not in git) from run to run on a machine;
# fuzz/seeds/insights/ (in git, small, minimised) seeds it.
# No check depends on the machine's speed: a slow input is never a failure
# (-timeout is far above any input's run time; inputs are at most 8 KB).
# Details go to stderr and target/test-logs/fuzz.log; the LAST line on stdout
# is the summary: `fuzz: 60 s, 1234567 runs, 0 crashes, corpus 812`. It fails
# (exit 1) on a crash, on failing or zero self-tests, and on zero runs.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
seconds="${1:-600}"
target=insights
mkdir -p target/test-logs "fuzz/corpus/$target" "fuzz/artifacts/$target"
log="$PWD/target/test-logs/fuzz.log"
: >"$log"
say() { echo "fuzz: $*" >&2; }


# The toolchain the project builds natively with (rustup's stable), never
# Debian's rustc-web that scripts/cargo-wasm uses for wasm.
unset RUSTC RUSTFLAGS CARGO_TARGET_DIR
export RUSTC_BOOTSTRAP=1
fuzz_flags=(-s none --debug-assertions --release)

# The fuzz crate's own tests (its own workspace: `cargo test` at the root
# does not build them).
set +e
(cd fuzz && cargo test --lib 2>&1) >"$log.selftest"
tstatus=$?
set -e
cat "$log.selftest" >>"$log"
grep -E '^test result:' "$log.selftest" >&2 || tail -20 "$log.selftest" >&2
passed=$(sed -n 's/^test result: [a-zA-Z]*\. \([0-9]*\) passed.*/\1/p' "$log.selftest" | awk '{s+=$1} END {print s+0}')
rm -f "$log.selftest"
echo "fuzz self-tests: ${passed} passed"
if [ "$tstatus" != 0 ] || [ "$passed" = 0 ]; then
  grep -E "panicked|FAILED|^error" "$log" | head -20 >&2 || true
  echo "fuzz: ${seconds} s, 0 runs, 0 crashes, corpus $(ls "fuzz/corpus/$target" | wc -l) (FAILED: self-tests failed or none ran)"
  exit 1
fi

seeds="seeds/$target"
mkdir -p "fuzz/$seeds"
before=$(ls "fuzz/artifacts/$target" | sort)
engine=libfuzzer
if cargo fuzz --version >/dev/null 2>&1 && (cd fuzz && cargo fuzz build "${fuzz_flags[@]}" "$target") >>"$log" 2>&1; then
  say "running libFuzzer for ${seconds} s (log: target/test-logs/fuzz.log)"
  set +e
  # -timeout=600: a hang is still caught, a slow machine is not a crash.
  (cd fuzz && cargo fuzz run "${fuzz_flags[@]}" "$target" "corpus/$target" "$seeds" -- \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=600 -rss_limit_mb=4096 \
    -max_len=8192 -len_control=0 -dict=insights.dict -print_pcs=0 -close_fd_mask=1) >>"$log" 2>&1
  status=$?
  set -e
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
else
  engine=random
  say "libFuzzer did not build (see target/test-logs/fuzz.log); seeded random inputs for ${seconds} s"
  set +e
  (cd fuzz && cargo run -q --release --bin random -- "$seconds") >>"$log" 2>&1
  status=$?
  set -e
  runs=$(sed -n 's/^runs //p' "$log" | tail -1)
fi

after=$(ls "fuzz/artifacts/$target" | sort)
# Crashes (panics: a broken rule), hangs (600 s for one input) and running
# out of memory count; libFuzzer's "slow-unit" notes are only reported.
new=$(comm -13 <(echo "$before") <(echo "$after") | grep -E '^(crash|timeout|oom|leak)-' || true)
slow=$(comm -13 <(echo "$before") <(echo "$after") | grep -c '^slow-unit-' || true)
crashes=$(echo -n "$new" | grep -c . || true)
corpus=$(ls "fuzz/corpus/$target" | wc -l)
summary="fuzz: ${seconds} s, ${runs:-0} runs, ${crashes} crashes, corpus ${corpus}"
[ "$slow" != 0 ] && say "$slow slow input(s) noted in fuzz/artifacts/$target/slow-unit-*"
[ "$engine" = random ] && summary="$summary (random inputs: libFuzzer unavailable)"
if [ -z "${runs:-}" ] || [ "${runs:-0}" = 0 ]; then
  tail -30 "$log" >&2
  echo "$summary (FAILED: no input ran)"
  exit 1
fi
if [ "$status" != 0 ] || [ "$crashes" != 0 ]; then
  grep -E "panicked at|^(sent|malformed|the error|the console)|SUMMARY|Test unit written" "$log" | head -20 >&2 || tail -30 "$log" >&2
  for f in $new; do say "reproduce: (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run ${fuzz_flags[*]} $target artifacts/$target/$f)"; done
  echo "$summary (FAILED: exit status $status)"
  exit 1
fi
echo "$summary"
