#!/usr/bin/env bash
# Every test, in one command: the default build (engine, CLI, lessons, and the GUI under
# Xvfb), the engine/CLI/lesson tests again under AddressSanitizer + UndefinedBehaviorSanitizer,
# the threaded engine tests and the trace ring under ThreadSanitizer, every lesson's
# self-check, the benchmarks (they print ratios; they never pass or fail on time), a 60 s
# fuzz run (the lesson loader, the packet decoder, the trace decoder) that must find
# nothing, and the soak tests. Ends with ctest's summary of the default build.
#
# Test runs mostly wait on the kernel, builds keep the cores busy: where this may make
# network namespaces (as root), test runs go on beside the builds, each in its own
# namespace so two runs never meet on a port (echo-tcp's 8084). Otherwise they run one
# after another.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
jobs=$(nproc)
logs=build/logs
mkdir -p "$logs"
rm -f "$logs"/*.log

can_isolate=false
if [ "$(id -u)" = 0 ] && command -v ip >/dev/null && unshare -n true 2>/dev/null; then
  can_isolate=true
fi

isolated() {  # command...: in a network namespace of its own, loopback up
  if $can_isolate; then
    unshare -n -- sh -c 'ip link set lo up && exec "$@"' sh "$@"
  else
    "$@"
  fi
}

phase() { echo "== $* (at ${SECONDS} s)"; }

declare -A running=()
start() {  # name command...: a test run, beside the builds when isolated
  local name=$1
  shift
  if $can_isolate; then
    isolated "$@" >"$logs/$name.log" 2>&1 &
    running[$name]=$!
  else
    "$@" >"$logs/$name.log" 2>&1 && running[$name]=ok || running[$name]=failed
  fi
}
finish() {  # name summary-pattern: waits for a run, shows its summary, or all of it if it failed
  local name=$1 pattern=$2 status=0
  case ${running[$name]} in
    ok) ;;
    failed) status=1 ;;
    *) wait "${running[$name]}" || status=$? ;;
  esac
  if [ "$status" -ne 0 ]; then
    cat "$logs/$name.log"
    echo "== $name failed (exit $status)"
    exit 1
  fi
  echo "$name: $(grep -hE "$pattern" "$logs/$name.log" | tail -1)"
}

phase "build: default"
cmake --preset default >/dev/null
cmake --build --preset default -j "$jobs"

phase "benchmarks (alone on the machine: they compare side by side)"
isolated ./build/default/bench_echo

phase "tests of the default build, every lesson checked against the kernel"
start default ctest --preset default -LE soak
start walk ./build/default/sockstep walk --all --check

phase "build: AddressSanitizer + UndefinedBehaviorSanitizer"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"
start asan ctest --preset asan -LE 'gui|soak'

phase "build: ThreadSanitizer (the threaded engine tests and the window's model)"
cmake --preset tsan >/dev/null
cmake --build --preset tsan -j "$jobs" --target engine_tests trace_ring_tests ui_model_tests
start tsan ctest --preset tsan

phase "fuzzing (libFuzzer, 60 s), the soak tests beside it"
start soak-default ctest --preset default -L soak
start soak-asan ctest --preset asan -L soak
tests/fuzz/run-fuzz.sh 60

phase "results"
finish walk 'lesson\(s\) walked'
finish tsan 'tests passed'
finish asan 'tests passed'
finish soak-default 'tests passed'
finish soak-asan 'tests passed'
finish default 'tests passed'
phase "all tests (default build)"
sed -n '/tests passed/,$p' "$logs/default.log"
