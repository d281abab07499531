#include "support/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string_view>
#include <filesystem>
#include <stdexcept>

extern char** environ;

namespace sockstep::test {

Process::Process(const std::vector<std::string>& argv, const std::vector<std::string>& extra_env) {
  int in[2], out[2], err[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (char** e = environ; *e != nullptr; ++e) env_strings.emplace_back(*e);
  for (const auto& e : extra_env) env_strings.push_back(e);
  std::vector<char*> env;
  for (auto& e : env_strings) env.push_back(e.data());
  env.push_back(nullptr);
  const int rc = ::posix_spawnp(&pid_, args[0], &actions, nullptr, args.data(), env.data());
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);
  in_ = in[1];
  out_fd_ = out[0];
  err_fd_ = err[0];
  if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

Process::~Process() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait(std::chrono::seconds(5));
  }
  for (int fd : {in_, out_fd_, err_fd_, pidfd_})
    if (fd >= 0) ::close(fd);
}

void Process::write_stdin(const std::string& text) {
  if (in_ >= 0) [[maybe_unused]] auto n = ::write(in_, text.data(), text.size());
}

void Process::close_stdin() {
  if (in_ >= 0) ::close(in_);
  in_ = -1;
}

void Process::signal(int sig) {
  if (pid_ > 0 && !status_) ::kill(pid_, sig);
}

// Reads whatever stdout/stderr have within timeout; false if nothing came and both are closed.
bool Process::pump(std::chrono::milliseconds timeout) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  if (out_fd_ < 0 && err_fd_ < 0) return false;
  const int n = ::poll(fds, 2, static_cast<int>(timeout.count()));
  if (n <= 0) return false;
  char buffer[4096];
  bool got = false;
  for (int i = 0; i < 2; ++i) {
    if (fds[i].revents == 0) continue;
    int& fd = i == 0 ? out_fd_ : err_fd_;
    const ssize_t r = ::read(fd, buffer, sizeof buffer);
    if (r > 0) {
      (i == 0 ? out_ : err_).append(buffer, static_cast<std::size_t>(r));
      got = true;
    } else {
      ::close(fd);
      fd = -1;
    }
  }
  return got || out_fd_ >= 0 || err_fd_ >= 0;
}

std::optional<std::string> Process::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const auto nl = out_.find('\n', line_start_);
    if (nl != std::string::npos) {
      std::string line = out_.substr(line_start_, nl - line_start_);
      line_start_ = nl + 1;
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || out_fd_ < 0) return std::nullopt;
    if (!pump(left) && out_fd_ < 0) return std::nullopt;
  }
}

std::optional<int> Process::wait(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int raw = 0;
    if (::waitpid(pid_, &raw, WNOHANG) == pid_) {
      while (pump(std::chrono::milliseconds(0))) {
      }
      status_ = WIFEXITED(raw) ? WEXITSTATUS(raw) : 128 + WTERMSIG(raw);
      return status_;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return std::nullopt;
    // Wait on the pidfd and the pipes together, so a chatty child cannot fill its pipe and stall.
    pollfd fds[3] = {{pidfd_, POLLIN, 0}, {out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
    ::poll(fds, 3, static_cast<int>(left.count()));
    if ((fds[1].revents | fds[2].revents) != 0) pump(std::chrono::milliseconds(0));
  }
}

RunResult run(const std::vector<std::string>& argv, const std::string& input, std::chrono::milliseconds timeout) {
  Process p(argv);
  if (!input.empty()) p.write_stdin(input);
  p.close_stdin();
  const auto code = p.wait(timeout);
  return RunResult{code.value_or(-1), p.out(), p.err()};
}

int count_open_fds() {
  int count = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) ++count;
  return count;
}

std::string find_program(const std::string& name) {
  const char* path = std::getenv("PATH");
  if (path == nullptr) return "";
  std::string all(path);
  std::size_t start = 0;
  while (start <= all.size()) {
    const auto colon = all.find(':', start);
    const std::string dir = all.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    const std::filesystem::path candidate = std::filesystem::path(dir) / name;
    if (!dir.empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate.string();
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return "";
}

int serving_port(Process& serve) {
  constexpr std::string_view kBanner = "serving on 127.0.0.1:";
  for (int i = 0; i < 20; ++i) {
    const auto line = serve.read_line();
    if (!line) return 0;
    if (const auto at = line->find(kBanner); at != std::string::npos) return std::stoi(line->substr(at + kBanner.size()));
  }
  return 0;
}

}  // namespace sockstep::test
