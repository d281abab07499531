#!/usr/bin/env bash
# Fuzzes the lesson loader and then the packet decoder for a while (default 60 s in all:
# two thirds for the loader, one third for the small decoder), from the seed corpus
# (tests/corpus and the lessons; tests/corpus/packets). Exit 0 only if nothing was found;
# else prints the finding and where the input was saved: add it to tests/corpus (or
# tests/corpus/packets) and fix the code.
#   tests/fuzz/run-fuzz.sh [SECONDS]      (builds the fuzz preset first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-60}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null

# fuzz TARGET SECONDS SEEDS...: runs one target; its log and findings go under build/fuzz/run-TARGET.
fuzz() {
  local target=$1 seconds=$2
  shift 2
  local work=build/fuzz/run-$target
  mkdir -p "$work/corpus" "$work/found"
  local log="$work/fuzz.log"
  if build/fuzz/"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/found/" "$work/corpus" "$@" >"$log" 2>&1; then
    local runs cov
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
    echo "$target: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?} edges, nothing found"
  else
    tail -n 60 "$log"
    echo "$target: FOUND A BUG; the input is in $work/found/ (add it to the seed corpus)" >&2
    return 1
  fi
}

# One after the other: the soak tests run beside this on the other core.
packet_seconds=$((seconds / 3))
status=0
fuzz fuzz_lesson_loader $((seconds - packet_seconds)) tests/corpus lessons || status=1
fuzz fuzz_packet_decoder "$packet_seconds" tests/corpus/packets || status=1
exit "$status"
