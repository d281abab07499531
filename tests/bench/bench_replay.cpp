// Reset/replay: back() from the last step of the longest lesson (reset, then replay
// every step but one on fresh sockets), timed over several runs. Prints the median and
// the spread; never fails on time.   bench_replay [RUNS]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/session.hpp"

using namespace sockstep;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int runs = argc > 1 ? std::max(3, std::atoi(argv[1])) : 15;
  const Lesson* longest = nullptr;
  std::vector<Lesson> lessons;
  for (const auto& file : lesson_files()) lessons.push_back(load_lesson_file(file));
  for (const auto& l : lessons)
    if (longest == nullptr || l.steps.size() > longest->steps.size()) longest = &l;
  if (longest == nullptr) {
    std::fprintf(stderr, "bench_replay: no lessons found\n");
    return 1;
  }
  const std::size_t last = longest->steps.size();
  // back() as the window does it, and as File > Export replays the steps: keeping each
  // step's snapshot (SessionOptions::keep_history), run by run in turn.
  SessionOptions keeping;
  keeping.keep_history = true;
  Session session(*longest);
  Session window(*longest, keeping);
  std::vector<double> ms;
  std::vector<double> window_ms;
  const auto time_back = [&](Session& s, std::vector<double>& out) {
    s.go_to(last);
    const auto start = Clock::now();
    s.back();
    out.push_back(std::chrono::duration<double, std::milli>(Clock::now() - start).count());
  };
  for (int i = 0; i < runs; ++i) {
    time_back(session, ms);
    time_back(window, window_ms);
  }
  std::sort(ms.begin(), ms.end());
  std::sort(window_ms.begin(), window_ms.end());
  std::printf("reset/replay: back() from step %zu of %s (the longest lesson), %d runs:\n", last, longest->id.c_str(), runs);
  std::printf("  median %.1f ms, fastest %.1f ms, slowest %.1f ms (target: median < 50 ms)\n", ms[ms.size() / 2],
              ms.front(), ms.back());
  std::printf("  keeping each step's snapshot (File > Export's replay): median %.1f ms, fastest %.1f ms\n",
              window_ms[window_ms.size() / 2], window_ms.front());
  return session.position() + 1 == last && window.history().size() == last ? 0 : 1;
}
