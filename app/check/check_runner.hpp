#pragma once
#include <functional>
#include <string>
#include <vector>

#include "check/check_spec.hpp"
#include "engine/log/event.hpp"

namespace sockstep::check {

// What one check found: passed or not, why in one sentence, and the calls and kernel
// state that decided it.
struct Verdict {
  std::string id;
  Role role = Role::Server;
  std::string lesson;  // the lesson that teaches the fix (the check's, or a closer one)
  Text title;
  bool passed = false;
  Text why;
  std::vector<std::string> evidence;  // "server fd 4 send(65536) -> 4096", "CLOSE_WAIT ..."
  double seconds = 0;
  // The program's events in the check, every run of it (kept when RunOptions asks), and
  // the seq of the one that decided a failure (the last event of session with that seq).
  std::vector<Event> session;
  std::uint64_t decided_seq = 0;
};

struct RunOptions {
  std::vector<std::string> command;  // the learner's program; "{port}" becomes the port
  std::string preload;               // the tracer's preload library
  bool upper = false;                // the server answers in upper case, as the seed's does
  int port = 8084;                   // client checks without {port}: where sockstep listens
  std::function<bool()> interrupted;  // true on Ctrl-C: end the check now
  bool keep_sessions = false;         // fill Verdict::session (for the window)
};

// True when an argument names the port: "{port}" anywhere in it.
[[nodiscard]] bool names_port(const std::vector<std::string>& command);

// Runs one check against the learner's program, started afresh for it, and stops every
// process it started before returning.
[[nodiscard]] Verdict run_check(const CheckSpec& spec, const RunOptions& options);

}  // namespace sockstep::check
