#!/usr/bin/env bash
# Every benchmark, then one table of what was measured against its target. Benchmarks
# compare side by side in one run and never pass or fail on time; this script fails
# only if a benchmark could not run.
#   tests/bench/run-bench.sh [BUILD_DIR]      (default build/default, built if needed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
build=${1:-build/default}
if [ "$build" = build/default ]; then
  cmake --preset default >/dev/null
  cmake --build --preset default --target bench_echo bench_bulk bench_replay bench_export >/dev/null
  cmake --build --preset default --target gui_bench bench_trace bench_recording >/dev/null 2>&1 || true
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
export SOCKSTEP_LESSONS=${SOCKSTEP_LESSONS:-$PWD/lessons}

run() {  # name command...: runs one benchmark, shows its own report
  local name=$1
  shift
  echo "== $name"
  "$@" | tee "$out/$name"
}
run echo "$build/bench_echo"
run bulk "$build/bench_bulk" 1024
run replay "$build/bench_replay" 15
run export "$build/bench_export" 100000
if [ -x "$build/gui_bench" ] && command -v xvfb-run >/dev/null; then
  run gui xvfb-run -a "$build/gui_bench" 10
fi
if [ -x "$build/bench_trace" ]; then
  run trace "$build/bench_trace"
fi
if [ -x "$build/bench_recording" ]; then
  if command -v xvfb-run >/dev/null; then
    run recording xvfb-run -a "$build/bench_recording" 100000
  else
    run recording "$build/bench_recording" 100000
  fi
fi
if command -v gcc >/dev/null; then
  run check python3 tests/bench/bench_check.py "$build/sockstep"
fi

field() {  # file sed-expression: the first match, or "n/a"
  local v
  v=$(sed -n "$2" "$out/$1" 2>/dev/null | head -1 | tr -s ' \t' ' ' | sed 's/^ //')
  echo "${v:-n/a}"
}
row() { printf '| %-44s | %-54s | %-9s |\n' "$1" "$2" "$3"; }

echo
echo "== benchmarks: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1), Linux $(uname -r)"
row "benchmark" "measured" "target"
row "--------------------------------------------" "------------------------------------------------------" "---------"
e=$(field echo 's/^  engine ops, events recorded *\([0-9.]*\) us.*/\1/p')
p=$(field echo 's/^  plain C loop (blocking send\/recv) *\([0-9.]*\) us.*/\1/p')
r=$(field echo 's/^ratio engine \/ plain: *\([0-9.]*\).*/\1/p')
row "echo round trip 64 B: engine vs plain C" "$e us vs $p us = ${r}x" "<= 1.15x"
f=$(field echo 's/^  engine, first run: new log, ring grows *\([0-9.]*\) us.*: \([0-9.]*x\)).*/\1 us = \2/p')
row "  first run, into a new log" "$f" ""
o=$(field echo 's/^  engine, both threads on one core *\([0-9.]*\) us.*: \([0-9.]*x\)).*/\1 us = \2/p')
row "  both threads on one core" "$o" ""
s=$(field echo 's/^ratio serve \/ plain server: *\([0-9.]*\).*/\1/p')
row "echo round trip: sockstep serve vs C server" "${s}x" "<= 1.30x"
be=$(field bulk 's/^  engine sendall\/recv, bytes captured *\([0-9.]*\) GiB\/s.*/\1/p')
bp=$(field bulk 's/^  plain C loop (blocking send\/recv) *\([0-9.]*\) GiB\/s.*/\1/p')
br=$(field bulk 's/^ratio engine \/ plain throughput: *\([0-9.]*\).*/\1/p')
row "bulk 1 GiB, byte capture vs plain 64 KiB" "$be vs $bp GiB/s = ${br}x" ">= 0.80x"
bf=$(field bulk 's/^  engine, first run: empty log, filling its cap *\([0-9.]*\) GiB\/s.*: \([0-9.]*x\)).*/\1 GiB\/s = \2/p')
row "  first run, filling an empty log" "$bf" ""
bw=$(field bulk 's/^  engine, keeping all 64 KiB of each call *\([0-9.]*\) GiB\/s *(\([0-9.]*x\)).*/\1 GiB\/s = \2/p')
row "  keeping all 64 KiB of each call" "$bw" ""
bo=$(field bulk 's/^  engine, both threads on one core *\([0-9.]*\) GiB\/s.*: \([0-9.]*x\)).*/\1 GiB\/s = \2/p')
row "  both threads on one core" "$bo" ""
kept=$(field bulk 's/.*(\([0-9]* events kept, [0-9.]* MiB of bytes kept, cap [0-9]* MiB\)).*/\1/p')
row "bulk: event log memory" "$kept" "<= cap"
rm_=$(field replay 's/^  median \([0-9.]*\) ms.*/\1/p')
lesson=$(field replay 's/.*back() from step \([0-9]*\) of \([^ ]*\) .*/step \1 of \2/p')
row "reset/replay: back() from the last step" "median $rm_ ms ($lesson)" "< 50 ms"
row "--export of 100k events, every file" "$(field export 's/^  finish_export, every file: *\([0-9]* ms\).*/\1/p')" "< 2000 ms"
rw=$(field replay 's/^  keeping each step.s snapshot.*: median \([0-9.]*\) ms.*/\1/p')
row "  keeping each step's snapshot (Export)" "median $rw ms" ""
if [ -s "$out/gui" ]; then
  row "GUI startup to first frame" "$(field gui 's/^startup to first frame: *\([0-9]* ms\).*/\1/p')" "<= 500 ms"
  row "GUI frame build, 100k events (CPU)" "$(field gui 's/^frame build (CPU): *mean [0-9.]* ms, median \([0-9.]* ms\).*/median \1/p')" "<= 1 ms"
  row "GUI whole frame" "$(field gui 's/^whole frame: *median \([0-9.]* ms\).*/median \1/p')" ""
  row "GUI idle CPU" "$(field gui 's/^idle CPU: *\(.*\)/\1/p')" "< 1 %"
  row "GUI RSS after the echo lesson" "$(field gui 's/^RSS, lesson only: *\(.*\)/\1/p')" "<= 110 MB"
  row "GUI RSS with 100k events" "$(field gui 's/^RSS, 100k events: *\(.*\)/\1/p')" ""
fi
if [ -s "$out/trace" ]; then
  # One block per program (C, then Python), each with its own target.
  lang=""
  while IFS='|' read -r name rest; do
    case $name in
      block:*) lang=${name#block:}; continue ;;
    esac
    target=""
    [ "$name" = "sockstep trace" ] && target=$([ "$lang" = C ] && echo "<= 1.10x" || echo "<= 1.30x")
    row "tracer, $lang: $name" "$(tr -s ' ' <<<"$rest")" "$target"
  done < <(sed -n -e 's/^tracer overhead, \([A-Za-z]*\),.*/block:\1|/p' \
                  -e 's/^  \([a-z][a-z -]*[a-z]\) *\([0-9.]* s .*untraced\)$/\1|\2/p' "$out/trace")
fi
if [ -s "$out/recording" ]; then
  row "export, 100k events (md, json, sockstep)" "$(field recording 's/^  export, every file.*: *\([0-9]* ms\).*/\1/p')" "< 2 s"
  row "session.sockstep, 100k events" "$(field recording 's/^  size of session.sockstep: *\([0-9.]* MB\).*/\1/p')" "< 10 MB"
  row "reopen it: first frame vs a lesson's" "$(field recording 's/^  reopen to first frame: *\([0-9]* ms vs\).*window \([0-9]* ms\).*/\1 \2/p')" "< 1 s"
fi
if [ -s "$out/check" ]; then
  while IFS='|' read -r name measured; do
    row "sockstep check server, $name" "$measured" "< 10 s"
  done < <(sed -n 's/^check server, \([^:]*\): whole run median \([0-9.]* s\).*start-up \([0-9]* ms\)$/\1|\2 (start-up \3)/p' "$out/check")
fi
