#!/usr/bin/env bash
# Fuzzes the lesson loader for a while (default 60 s) from the seed corpus (tests/corpus
# and the lessons). Exit 0 only if nothing was found; else prints the finding and where
# the input was saved: add it to tests/corpus and fix the loader.
#   tests/fuzz/run-fuzz.sh [SECONDS]      (builds the fuzz preset first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-60}
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz >/dev/null
work=build/fuzz/run
mkdir -p "$work/corpus" "$work/found"
log="$work/fuzz.log"
if build/fuzz/fuzz_lesson_loader -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
     -print_final_stats=1 -artifact_prefix="$work/found/" "$work/corpus" tests/corpus lessons >"$log" 2>&1; then
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  echo "fuzz_lesson_loader: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?} edges, nothing found"
else
  tail -n 60 "$log"
  echo "fuzz_lesson_loader: FOUND A BUG; the input is in $work/found/ (add it to tests/corpus)" >&2
  exit 1
fi
