#include "cli/stop_signal.hpp"

#include <atomic>
#include <csignal>

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
  return waker;
}

bool stop_requested() { return g_stopped.load(); }

void ignore_sigpipe() { std::signal(SIGPIPE, SIG_IGN); }

}  // namespace sockstep::cli
