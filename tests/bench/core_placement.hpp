#pragma once
// Where the two threads of a transfer run decides its cost more than anything else the
// benchmarks compare: on two cores every wake-up crosses cores and the two sides work at
// once, on one core each wake-up is a context switch and all work is done in turn. Left
// to the scheduler, one run gets one placement and the next another, and a ratio of
// medians then compares placements, not code. So the benchmarks place their threads
// themselves, the same way for both sides of a comparison.
#include <pthread.h>
#include <sched.h>

#include <vector>

namespace sockstep::bench {

// The cores a transfer's two threads run on: the client (the thread that sends first or
// the one sending the bulk) and the server. -1: wherever the scheduler puts them.
struct Placement {
  int client = -1;
  int server = -1;
  int helper = -1;  // a third core for work beside the transfer (reading a server's output), if there is one
  [[nodiscard]] bool pinned() const { return client >= 0; }
};

// The cores this process may use, as it started.
inline const cpu_set_t& allowed_cores() {
  static const cpu_set_t allowed = [] {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (::sched_getaffinity(0, sizeof set, &set) != 0) CPU_SET(0, &set);
    return set;
  }();
  return allowed;
}

// The calling thread runs on cpu from now on; -1: on any core the process may use.
inline void run_on(int cpu) {
  cpu_set_t set = allowed_cores();
  if (cpu >= 0) {
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
  }
  (void)::pthread_setaffinity_np(::pthread_self(), sizeof set, &set);
}

// Client and server on the first two cores the process may use, or both on the first.
// Not pinned when only one core is allowed: the two placements are then the same.
inline Placement placement(bool one_core) {
  std::vector<int> cores;
  for (int cpu = 0; cpu < CPU_SETSIZE && cores.size() < 3; ++cpu)
    if (CPU_ISSET(cpu, &allowed_cores())) cores.push_back(cpu);
  if (cores.size() < 2) return {};
  return {cores[0], one_core ? cores[0] : cores[1], cores.size() > 2 ? cores[2] : -1};
}

// The calling thread on a core for the length of a scope.
class OnCore {
 public:
  explicit OnCore(int cpu) { run_on(cpu); }
  ~OnCore() { run_on(-1); }
  OnCore(const OnCore&) = delete;
  OnCore& operator=(const OnCore&) = delete;
};

}  // namespace sockstep::bench
