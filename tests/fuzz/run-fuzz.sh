#!/usr/bin/env bash
# Fuzzes every target for a while (default 60 s), side by side: the targets run at the
# same time, each for the whole time, so the wall time stays that long however many
# there are (CI has 2 cores; a fuzzer keeps one busy). Exit 0 only if nothing was
# found; else prints the finding and where the input was saved: add it to the target's
# corpus in tests/corpus and fix the parser.
#   tests/fuzz/run-fuzz.sh [SECONDS]      (builds the fuzz preset first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-60}

# One line per target: its name, then its seed corpus folders.
targets=(
  "fuzz_lesson_loader tests/corpus lessons"
  "fuzz_trace_decoder tests/corpus/trace"
)

names=()
for t in "${targets[@]}"; do names+=("${t%% *}"); done
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${names[@]}" >/dev/null

pids=()
for t in "${targets[@]}"; do
  read -r name seeds <<<"$t"
  work=build/fuzz/run/$name
  mkdir -p "$work/corpus" "$work/found"
  # shellcheck disable=SC2086  # the seed folders are words
  build/fuzz/$name -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/found/" "$work/corpus" $seeds >"$work/fuzz.log" 2>&1 &
  pids+=($!)
done

failed=0
for i in "${!targets[@]}"; do
  name=${names[$i]}
  work=build/fuzz/run/$name
  if wait "${pids[$i]}"; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    cov=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -1)
    echo "$name: ${runs:-?} inputs in ${seconds} s, ${cov:-cov: ?} edges, nothing found"
  else
    tail -n 60 "$work/fuzz.log"
    echo "$name: FOUND A BUG; the input is in $work/found/ (add it to its corpus in tests/corpus)" >&2
    failed=1
  fi
done
exit "$failed"
