#!/usr/bin/env bash
# Every test, in one command: the default build (engine, CLI, lessons, and the GUI under
# Xvfb), the engine/CLI/lesson tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the threaded engine tests and the trace ring under ThreadSanitizer, every lesson's
# self-check, and the benchmarks (they print ratios; they never pass or fail on time), a
# 60 s fuzz run of each fuzz target, side by side, that must find nothing. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)

echo "== build: default"
cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan -LE 'gui|soak'  # the soak runs below, beside the fuzzer

echo "== ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target engine_tests trace_ring_tests
ctest --preset tsan

echo "== every lesson, checked against the kernel"
./build/default/sockstep walk --all --check | grep '^=='

echo "== benchmarks"
./build/default/bench_echo

echo "== fuzzing (libFuzzer, every target side by side, 60 s), the soak tests beside it"
# The soak mostly waits on the kernel and each fuzzer keeps a core busy: side by side
# they take the time of the longer one.
ctest --preset default -L soak >build/soak-default.log 2>&1 &
soak_default=$!
ctest --preset asan -L soak >build/soak-asan.log 2>&1 &
soak_asan=$!
tests/fuzz/run-fuzz.sh 60
for run in default asan; do
  pid_var=soak_$run
  if wait "${!pid_var}"; then
    echo "soak ($run): $(grep -h 'tests passed' "build/soak-$run.log")"
  else
    cat "build/soak-$run.log"
    exit 1
  fi
done

echo "== all tests (default build)"
ctest --preset default -LE soak  # the soak ran beside the fuzzer
