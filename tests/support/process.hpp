#pragma once
#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace sockstep::test {

// A child process with pipes on stdin/stdout/stderr. Every wait has a deadline and
// waits in poll() (pidfd for the exit), never in a sleep.
class Process {
 public:
  explicit Process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env = {});
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  void write_stdin(const std::string& text);
  void close_stdin();
  // Next full line from stdout, or nullopt at EOF or timeout.
  std::optional<std::string> read_line(std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Waits for exit; nullopt on timeout. Collects the rest of stdout/stderr.
  std::optional<int> wait(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  void signal(int sig);
  [[nodiscard]] const std::string& out() const { return out_; }
  [[nodiscard]] const std::string& err() const { return err_; }

 private:
  bool pump(std::chrono::milliseconds timeout);
  pid_t pid_ = -1;
  int pidfd_ = -1;
  int in_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  std::size_t line_start_ = 0;
  std::optional<int> status_;
};

struct RunResult {
  int code = -1;
  std::string out;
  std::string err;
};

// Runs argv to completion (stdin: input) with a deadline; code -1 on timeout.
RunResult run(const std::vector<std::string>& argv, const std::string& input = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

[[nodiscard]] int count_open_fds();
[[nodiscard]] std::string find_program(const std::string& name);  // "" if not on PATH

// The port of `sockstep serve` on 127.0.0.1, read from its "serving on" banner among its
// first lines; 0 if it printed none.
int serving_port(Process& serve);

}  // namespace sockstep::test
