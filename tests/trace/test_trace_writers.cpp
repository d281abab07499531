// Many writers into one trace: threads of a traced program and a child it forks while
// those threads write, through the shared-memory ring (small, so it fills and writers
// wait for room) and through the channel alone. Every record must arrive, with no
// warning: nothing lost, nothing malformed, no ring given up on.
#include <doctest/doctest.h>

#include <map>
#include <string>

#include "engine/log/event_log.hpp"
#include "trace/tracer.hpp"

using namespace sockstep;
using namespace sockstep::trace;

namespace {

struct Counts {
  std::map<std::string, int> sockets;  // per actor
  std::map<std::string, int> closes;
  std::vector<std::string> warnings;
  std::vector<std::string> exits;
};

Counts trace_writers(std::uint64_t ring_bytes, int threads, int calls) {
  TraceOptions options;
  options.commands = {{TRACE_FORK_THREADS_HELPER, std::to_string(threads), std::to_string(calls)}};
  options.preload = TRACE_PRELOAD;
  options.ring_bytes = ring_bytes;
  EventLogLimits limits;
  limits.max_events = 1'000'000;
  EventLog log(limits);
  const TraceResult result = run_trace(options, log);
  REQUIRE(result.error.empty());
  CHECK(result.all_ok);
  Counts counts;
  for (const Event& e : log.all()) {
    // Per process: each thread is an actor (a lane) of its own, the fds are the process's.
    const std::string process = std::to_string(e.pid);
    if (e.kind == EventKind::Call && e.call == Call::Socket && e.ok()) ++counts.sockets[process];
    if (e.kind == EventKind::Call && e.call == Call::Close && e.ok()) ++counts.closes[process];
    if (e.kind == EventKind::Note && e.note == NoteKind::Warning) counts.warnings.push_back(e.detail);
    if (e.kind == EventKind::Note && e.note == NoteKind::Exit) counts.exits.push_back(e.detail);
  }
  return counts;
}

void check_all_arrived(const Counts& counts, int threads, int calls) {
  CHECK(counts.warnings.empty());
  for (const auto& w : counts.warnings) MESSAGE(w);
  CHECK(counts.exits == std::vector<std::string>{"exited with status 0"});
  // The parent and its forked child, each with all of its pairs.
  REQUIRE(counts.sockets.size() == 2);
  for (const auto& [actor, n] : counts.sockets) {
    INFO(actor);
    CHECK(n == threads * calls);
    CHECK(counts.closes.at(actor) == threads * calls);
  }
}

}  // namespace

TEST_CASE("threads and a forked child writing into small rings at once lose no record") {
  constexpr int kThreads = 4;
  constexpr int kCalls = 3000;  // 2 x 4 x 6000 records of ~150 B through 64 KiB rings
  check_all_arrived(trace_writers(kRingMinBytes, kThreads, kCalls), kThreads, kCalls);
}

TEST_CASE("without a ring every record goes over the channel, and none is lost either") {
  constexpr int kThreads = 3;
  constexpr int kCalls = 500;
  check_all_arrived(trace_writers(0, kThreads, kCalls), kThreads, kCalls);
}

TEST_CASE("a million one-byte sends: every record arrives, or what was dropped is counted and said") {
  constexpr long kSends = 1'000'000;
  TraceOptions options;
  options.commands = {{TRACE_MANY_SENDS, std::to_string(kSends)}};
  options.preload = TRACE_PRELOAD;
  // The log keeps a bounded window of events; the listener counts every one that arrives.
  EventLog log;
  long sends = 0;
  long dropped = 0;
  std::vector<std::string> warnings;
  log.set_listener([&](const Event& e) {
    if (e.kind == EventKind::Call && e.call == Call::Send && e.ok() && e.value == 1) ++sends;
    if (e.kind == EventKind::Note && e.note == NoteKind::Warning) {
      warnings.push_back(e.detail);
      if (e.detail.find("records dropped") != std::string::npos) dropped += std::atol(e.detail.c_str());
    }
  });
  const TraceResult result = run_trace(options, log);
  REQUIRE(result.error.empty());
  CHECK(result.all_ok);
  for (const auto& w : warnings) MESSAGE(w);
  MESSAGE(sends << " sends seen, " << dropped << " records said dropped");
  CHECK(sends + dropped >= kSends);
  CHECK(sends <= kSends);
}
