#include "cli/stop_signal.hpp"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstring>

namespace sockstep::cli {
namespace {
// A signal handler can reach only static storage; this is the one place that needs it.
std::atomic<Waker*> g_stop_waker{nullptr};
std::atomic<bool> g_stopped{false};

void on_signal(int) {
  g_stopped = true;
  if (Waker* waker = g_stop_waker.load(); waker != nullptr) waker->wake();  // async-signal-safe
}
}  // namespace

Waker& install_stop_signal() {
  static Waker waker;
  g_stop_waker = &waker;
  // No SA_RESTART: a call sitting in the kernel returns EINTR, and the waker says why.
  struct sigaction action {};
  action.sa_handler = on_signal;
  sigemptyset(&action.sa_mask);
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGHUP, &action, nullptr);  // the terminal went away: stop as for Ctrl-C
  return waker;
}

bool stop_requested() { return g_stopped.load(); }

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

bool output_gone(std::FILE* stream) {
  errno = 0;
  const bool failed = std::fflush(stream) != 0;
  if (!failed && std::ferror(stream) == 0) return false;
  // A reader that quit (EPIPE) is a normal end, like `git log | head`; anything else is said.
  if (failed && errno != EPIPE && errno != 0)
    std::fprintf(stderr, "sockstep: cannot write the output: %s; stopping\n", std::strerror(errno));
  if (Waker* waker = g_stop_waker.load(); waker != nullptr) waker->wake();
  g_stopped = true;
  return true;
}

}  // namespace sockstep::cli
