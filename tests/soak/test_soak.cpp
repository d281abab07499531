// Soak: the session must survive what a learner does for an afternoon. Resets while an
// actor waits in accept(), recv() and connect(), every lesson run again and again in one
// process; afterwards the process holds the same fds and threads and about the same
// memory as before.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/session.hpp"

using namespace sockstep;

namespace {

std::size_t count_dir(const char* dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) ++n;
  return n;
}
std::size_t open_fds() { return count_dir("/proc/self/fd"); }
// Threads still running. A joined thread can stay listed in /proc for a moment while
// the kernel finishes its exit (join returns when it leaves its memory, before it is
// reaped); such a thread has PF_EXITING set in the flags of its stat.
std::size_t threads() {
  constexpr unsigned long kExiting = 0x4;  // PF_EXITING, include/linux/sched.h
  std::size_t n = 0;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream file(entry.path() / "stat");
    std::string stat;
    if (!std::getline(file, stat)) continue;  // reaped meanwhile
    // After "pid (comm)": state, ppid, pgrp, session, tty_nr, tpgid, flags.
    std::istringstream fields(stat.substr(stat.rfind(')') + 1));
    std::string skip;
    for (int i = 0; i < 6; ++i) fields >> skip;
    unsigned long flags = 0;
    fields >> flags;
    if ((flags & kExiting) == 0) ++n;
  }
  return n;
}

// Resident set in KiB (VmRSS).
long rss_kib() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  return -1;
}

Lesson lesson(const std::string& id) {
  const auto path = resolve_lesson(id);
  REQUIRE_MESSAGE(path.has_value(), "no lesson " << id);
  return load_lesson_file(*path);
}

// The positions (steps taken) at which some actor waits, and in which call.
std::map<std::size_t, std::string> blocked_positions(Session& session) {
  std::map<std::size_t, std::string> found;
  session.reset();
  while (!session.finished()) {
    session.step();
    for (const auto& actor : session.snapshot().actors)
      if (!actor.blocked_in.empty()) found[session.position()] = actor.blocked_in;
  }
  session.reset();
  return found;
}

int rounds() {
  const char* env = std::getenv("SOCKSTEP_SOAK_ROUNDS");
  return env != nullptr ? std::max(1, std::atoi(env)) : 20;
}

}  // namespace

TEST_CASE("1000 resets while actors wait in accept, recv and connect: no hang, no fd or thread leak") {
  const std::size_t fds_before = open_fds();
  const std::size_t threads_before = threads();
  {
    std::vector<std::unique_ptr<Session>> sessions;
    sessions.push_back(std::make_unique<Session>(lesson("echo-tcp")));
    sessions.push_back(std::make_unique<Session>(lesson("backlog")));
    std::vector<std::pair<Session*, std::size_t>> stops;
    std::set<std::string> calls;
    for (auto& s : sessions) {
      for (const auto& [position, call] : blocked_positions(*s)) {
        stops.emplace_back(s.get(), position);
        calls.insert(call);
      }
      stops.emplace_back(s.get(), s->lesson().steps.size() / 2);  // mid-lesson, maybe not waiting
    }
    CHECK(calls.contains("accept"));
    CHECK(calls.contains("recv"));
    CHECK(calls.contains("connect"));
    const std::size_t fds_with_sessions = open_fds();
    const std::size_t threads_with_sessions = threads();
    // Replaying the backlog lesson to a waiting connect() costs tens of ms (its callers
    // fill a queue first); every 10th reset is one of those, the rest echo-tcp's.
    std::vector<std::pair<Session*, std::size_t>> echo_stops, backlog_stops;
    for (const auto& stop : stops) (stop.first == sessions[0].get() ? echo_stops : backlog_stops).push_back(stop);
    REQUIRE(!echo_stops.empty());
    REQUIRE(!backlog_stops.empty());
    for (int i = 0; i < 1000; ++i) {
      const auto& pool = i % 10 == 9 ? backlog_stops : echo_stops;
      auto [session, position] = pool[static_cast<std::size_t>(i / 10 + i) % pool.size()];
      session->go_to(position);  // resets first: the actors are woken in the middle of their calls
      if (i % 2 == 0) session->reset();
      if (i % 100 == 0) {
        CHECK(open_fds() <= fds_with_sessions + 32);  // at most the fds of one lesson position
        CHECK(threads() == threads_with_sessions);
      }
    }
    for (auto& s : sessions) s->reset();
    CHECK(open_fds() == fds_with_sessions);
    CHECK(threads() == threads_with_sessions);
  }
  CHECK(open_fds() == fds_before);
  CHECK(threads() == threads_before);
}

TEST_CASE("every lesson, back to back, many times in one process: fds, threads and memory stay flat") {
  const std::vector<std::string> files = lesson_files();
  REQUIRE(files.size() >= 5);
  std::vector<Lesson> lessons;
  for (const auto& file : files) lessons.push_back(load_lesson_file(file));

  const auto run_all = [&] {
    for (const auto& l : lessons) {
      Session session(l);
      session.run_to_end();
      CHECK_MESSAGE(session.failures().empty(), l.id << ": " << (session.failures().empty() ? "" : session.failures()[0]));
    }
  };
  const std::size_t fds_before = open_fds();
  const std::size_t threads_before = threads();
  run_all();  // warm-up: the allocator, the C++ runtime and libc settle
  run_all();
  const long rss_warm = rss_kib();
  const int n = rounds();
  for (int round = 2; round < n; ++round) {
    run_all();
    CHECK(open_fds() == fds_before);
    CHECK(threads() == threads_before);
  }
  const long rss_end = rss_kib();
  MESSAGE(n << " rounds of " << lessons.size() << " lessons; RSS " << rss_warm / 1024 << " MiB after warm-up, "
            << rss_end / 1024 << " MiB at the end");
  CHECK(open_fds() == fds_before);
  CHECK(threads() == threads_before);
  CHECK(rss_end - rss_warm < 4 * 1024);  // KiB: flat, allowing for allocator noise
}
