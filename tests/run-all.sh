#!/usr/bin/env bash
# Every test, in one command: the default build (engine, CLI, lessons, and the GUI under
# Xvfb), the engine/CLI/lesson tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the threaded engine tests under ThreadSanitizer, every lesson's self-check, and the
# benchmarks (they print ratios; they never pass or fail on time), a 60 s fuzz run of the
# lesson loader that must find nothing. Ends with ctest's summary.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)

echo "== build: default"
cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs"

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
ctest --preset asan

echo "== ThreadSanitizer"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target engine_tests
ctest --preset tsan

echo "== every lesson, checked against the kernel"
./build/default/sockstep walk --all --check | grep '^=='

echo "== benchmarks"
./build/default/bench_echo

echo "== fuzzing the lesson loader (libFuzzer, 60 s)"
tests/fuzz/run-fuzz.sh 60

echo "== all tests (default build)"
ctest --preset default
