#include "cli/stop_signal.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <cstdint>

namespace sockstep::cli {
namespace {
// A signal handler can reach only static storage; this is the one place that needs it.
std::atomic<int> g_stop_fd{-1};
std::atomic<bool> g_stopped{false};

void on_signal(int) {
  g_stopped = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(g_stop_fd.load(), &one, sizeof one);
}
}  // namespace

int install_stop_signal() {
  if (g_stop_fd.load() < 0) g_stop_fd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  return g_stop_fd.load();
}

bool stop_requested() { return g_stopped.load(); }

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

}  // namespace sockstep::cli
