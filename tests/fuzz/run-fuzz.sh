#!/usr/bin/env bash
# Fuzzes every target for a while (default 60 s in all), one after the other on one core
# (the soak tests run beside it on the other): the lesson loader for half of the time but
# an eighth, the recording reader (session.sockstep) for that eighth, the packet decoder,
# the trace decoder and the trace channel (the preload's guard and ring under hostile fd
# juggling) for a sixth each. Exit 0 only if nothing was found; else prints the finding and where the input
# was saved: add it to the target's corpus in tests/corpus and fix the parser.
#   tests/fuzz/run-fuzz.sh [SECONDS]      (builds the fuzz preset first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
seconds=${1:-60}
half=$((seconds / 2))
sixth=$((seconds / 6))
eighth=$((seconds / 8))

# Quiet when it builds; the whole build output when it does not.
mkdir -p build/logs
if ! { cmake --preset fuzz && cmake --build --preset fuzz --target fuzz_lesson_loader fuzz_packet_decoder \
         fuzz_trace_decoder fuzz_trace_channel fuzz_recording_reader; } >build/logs/fuzz-build.log 2>&1; then
  cat build/logs/fuzz-build.log
  echo "run-fuzz.sh: the fuzz targets did not build" >&2
  exit 1
fi

# fuzz TARGET SECONDS SEEDS...: one target; its log and findings go under build/fuzz/run/TARGET.
fuzz() {
  local name=$1 time=$2
  shift 2
  local work=build/fuzz/run/$name
  mkdir -p "$work/corpus" "$work/found"
  if build/fuzz/"$name" -max_total_time="$time" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$work/found/" "$work/corpus" "$@" >"$work/fuzz.log" 2>&1; then
    local runs cov
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/fuzz.log")
    cov=$(grep -o 'cov: [0-9]*' "$work/fuzz.log" | tail -1)
    echo "$name: ${runs:-?} inputs in ${time} s, ${cov:-cov: ?} edges, nothing found"
  else
    tail -n 60 "$work/fuzz.log"
    echo "$name: FOUND A BUG; the input is in $work/found/ (add it to its corpus in tests/corpus)" >&2
    return 1
  fi
}

status=0
fuzz fuzz_lesson_loader "$((half - eighth))" tests/corpus lessons || status=1
fuzz fuzz_packet_decoder "$sixth" tests/corpus/packets || status=1
fuzz fuzz_trace_decoder "$sixth" tests/corpus/trace || status=1
fuzz fuzz_trace_channel $((seconds - half - 2 * sixth)) tests/corpus/channel || status=1
fuzz fuzz_recording_reader "$eighth" tests/corpus/recording || status=1
exit "$status"
