// Tracer overhead: 64-byte ping-pongs between two processes (trace_pingpong), run
// untraced, under `sockstep trace`, and under `strace -f -e trace=network`, in the
// same run and alternating, so the ratios compare like with like on a noisy machine.
// Prints the ratios of the ping-pong loop's wall time and, less at the mercy of other
// load on the machine, of the CPU time of every process of each run (the tracer's
// reader included). Never fails on time. Usage: bench_trace [TRIPS] [ROUNDS]
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "support/process.hpp"

using namespace sockstep::test;

namespace {

// Seconds the client's loop took, from its "pingpong N trips S s" line; -1 if absent.
double loop_seconds(const std::string& out) {
  const auto at = out.find(" trips ");
  if (at == std::string::npos) return -1;
  return std::strtod(out.c_str() + at + 7, nullptr);
}

// User + system seconds of every child (and their children) waited for so far.
double children_cpu_seconds() {
  rusage usage{};
  ::getrusage(RUSAGE_CHILDREN, &usage);
  const auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// One program's ping-pongs untraced, under sockstep trace and under strace, alternating;
// prints its block of the report. false if a run failed.
bool measure(const std::string& label, const std::vector<std::string>& program, long trips, int rounds,
             const std::string& strace) {
  std::map<std::string, std::vector<double>> seconds;
  std::map<std::string, std::vector<double>> cpu;
  const std::string n = std::to_string(trips);
  const auto with = [&](std::vector<std::string> head) {
    head.insert(head.end(), program.begin(), program.end());
    head.push_back(n);
    return head;
  };
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::pair<std::string, std::vector<std::string>>> variants = {
        {"untraced", with({})},
        {"sockstep trace", with({SOCKSTEP_BIN, "trace", "--quiet", "--"})},
    };
    if (!strace.empty()) variants.push_back({"strace -f", with({strace, "-f", "-e", "trace=network", "-o", "/dev/null"})});
    for (const auto& [name, argv_] : variants) {
      const double cpu_before = children_cpu_seconds();
      const RunResult r = run(argv_, "", std::chrono::minutes(10));
      cpu[name].push_back(children_cpu_seconds() - cpu_before);
      const double s = loop_seconds(r.out);
      if (r.code != 0 || s <= 0) {
        std::fprintf(stderr, "bench_trace: %s %s failed (exit %d)\n%s%s", label.c_str(), name.c_str(), r.code,
                     r.out.c_str(), r.err.c_str());
        return false;
      }
      seconds[name].push_back(s);
    }
  }
  const auto best = [&](const std::string& name) {
    return *std::min_element(seconds[name].begin(), seconds[name].end());
  };
  const double base = best("untraced");
  std::printf("tracer overhead, %s, %ld ping-pongs of 64 B, best of %d alternating runs:\n", label.c_str(), trips,
              rounds);
  for (const char* name : {"untraced", "sockstep trace", "strace -f"}) {
    if (seconds.count(name) == 0) {
      std::printf("  %-15s skipped (strace is not installed)\n", name);
      continue;
    }
    std::printf("  %-15s %8.3f s  %7.2f us/trip  %5.2fx untraced\n", name, best(name), best(name) * 1e6 / trips,
                best(name) / base);
  }
  const auto least = [&](const std::string& name) { return *std::min_element(cpu[name].begin(), cpu[name].end()); };
  std::printf("CPU time of all processes (user + system, least of %d runs, start-up included):\n", rounds);
  for (const char* name : {"untraced", "sockstep trace", "strace -f"}) {
    if (cpu.count(name) == 0) continue;
    std::printf("  %-15s %8.3f s cpu  %5.2fx\n", name, least(name), least(name) / least("untraced"));
  }
  return true;
}

int main(int argc, char** argv) {
  const long trips = argc > 1 ? std::atol(argv[1]) : 100000;
  const int rounds = argc > 2 ? std::atoi(argv[2]) : 2;
  const std::string helper = TRACE_PINGPONG;
  const std::string strace = find_program("strace");

  // The tracer must really see the calls, or its time means nothing.
  const RunResult check = run({SOCKSTEP_BIN, "trace", "--headless", "--", helper, "10"});
  const std::size_t sends = count(check.out, "send(b'pppp");
  if (check.code != 0 || sends < 20) {
    std::fprintf(stderr, "bench_trace: the traced run did not show the ping-pongs (exit %d, %zu sends)\n%s%s",
                 check.code, sends, check.out.c_str(), check.err.c_str());
    return 1;
  }
  if (!measure("C", {helper}, trips, rounds, strace)) return 1;
  std::printf("target: sockstep trace <= 1.10x untraced\n");
  // The same exchange from Python, whose interpreter makes every call cost more.
  if (!measure("Python", {"python3", TRACE_PINGPONG_PY}, trips / 5, rounds, strace)) return 1;
  std::printf("target: sockstep trace <= 1.30x untraced (Python)\n");
  return 0;
}
