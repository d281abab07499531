#pragma once
// The learner's program, run under sockstep's tracer on a thread of its own, with what
// its calls have shown so far: whether it listens and where, whether it has ended.
#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/log/event_log.hpp"

namespace sockstep::check {

using Clock = std::chrono::steady_clock;

class TracedProgram {
 public:
  TracedProgram(std::vector<std::string> argv, std::vector<std::string> env, std::string preload);
  ~TracedProgram();
  TracedProgram(const TracedProgram&) = delete;
  TracedProgram& operator=(const TracedProgram&) = delete;

  // Starts it; false (with error() set) when it cannot be started at all.
  bool start();
  // SIGTERM to it and every process it started, then waits until all have ended.
  void stop();

  // Takes in the events logged since the last look, waiting at most `wait` for one.
  void refresh(std::chrono::milliseconds wait = std::chrono::milliseconds(0));
  // Takes in the calls made until now: the tracer holds each event back a moment to sort
  // it (trace/tracer.cpp), so a call just made shows up that much later. Once the
  // program has ended, waits until the tracer has read everything.
  void settle();
  // Refreshes until done() or the deadline; returns done().
  bool wait_until(const std::function<bool()>& done, Clock::time_point deadline);

  [[nodiscard]] const std::vector<Event>& events() const { return events_; }
  // The port of its first listen() that succeeded, and the process that made it.
  [[nodiscard]] std::optional<int> listening_port() const { return port_; }
  [[nodiscard]] pid_t listener_pid() const { return listener_pid_; }
  // Its exit status once it ended: the code, or 128 + the signal that killed it.
  [[nodiscard]] std::optional<int> exit_code() const { return exit_code_; }
  // "exited with status 1", "killed by SIGSEGV" (the tracer's words), in English and Chinese.
  [[nodiscard]] const std::string& exit_text() const { return exit_text_; }
  [[nodiscard]] const std::string& exit_text_zh() const { return exit_text_zh_; }
  // The last bind() or listen() that failed, if one did.
  [[nodiscard]] const Event* failed_listen() const;
  [[nodiscard]] bool stopped_by_us() const { return stopped_; }
  [[nodiscard]] const std::string& error() const { return error_; }
  [[nodiscard]] bool printed_something() const { return printed_; }

 private:
  void take(const Event& e);

  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::string preload_;
  EventLog log_;
  std::thread thread_;
  int stop_pipe_[2] = {-1, -1};
  std::atomic<bool> finished_{false};
  std::string run_error_;  // written by the thread before finished_
  std::uint64_t next_seq_ = 1;
  std::vector<Event> events_;
  std::optional<int> port_;
  pid_t listener_pid_ = 0;
  std::optional<int> exit_code_;
  std::string exit_text_;
  std::string exit_text_zh_;
  std::string error_;
  bool stopped_ = false;
  bool printed_ = false;
};

}  // namespace sockstep::check
