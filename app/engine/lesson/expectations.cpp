#include "engine/lesson/expectations.hpp"

#include <poll.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "engine/text/errno_names.hpp"
#include "engine/text/py_text.hpp"

namespace sockstep {
namespace {

std::string state_of(const std::optional<SocketView>& view) { return view ? view->state : "CLOSED"; }

// expected may list alternatives: "FIN_WAIT1|FIN_WAIT2".
bool state_matches(const std::string& expected, const std::string& actual) {
  std::size_t start = 0;
  for (;;) {
    const std::size_t bar = expected.find('|', start);
    if (expected.compare(start, bar == std::string::npos ? std::string::npos : bar - start, actual) == 0) return true;
    if (bar == std::string::npos) return false;
    start = bar + 1;
  }
}

// The variable whose state a step's `state` expectation speaks of.
std::string subject_of(const Step& step) {
  if (step.kind == Call::Socket || step.kind == Call::Accept) return socket_made_by(step);
  return step.sock;
}

// '*' matches any run of characters: "127.0.0.1:*" for a port the kernel picked.
bool glob_matches(const std::string& pattern, const std::string& text) {
  std::size_t p = 0, t = 0, star = std::string::npos, mark = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string::npos) {
      p = star + 1;
      t = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

// How long a check may wait for the kernel to finish what a step started.
constexpr int kSettleMs = 3000;

int poll_once(int fd, short events) {
  pollfd p{fd, events, 0};
  for (int attempt = 0; attempt < 3; ++attempt) {  // EINTR only; the timeout bounds the rest
    const int n = ::poll(&p, 1, kSettleMs);
    if (n >= 0 || errno != EINTR) return n;
  }
  return -1;
}

// A state the kernel reaches by itself when a FIN or RST arrives: wait for that event.
void await_state(const std::string& expected, const std::optional<SocketView>& view) {
  if (!view || view->fd < 0 || view->type != SOCK_STREAM || view->listening) return;
  if (expected == "CLOSE_WAIT") (void)poll_once(view->fd, POLLRDHUP);
  if (expected == "CLOSE") (void)poll_once(view->fd, POLLHUP);
}

// Waits until `bytes` are readable on the socket: SO_RCVLOWAT makes poll() report
// POLLIN only then (streams); a datagram socket is readable once one datagram is in.
void await_queued(const SocketView& view, long long bytes) {
  if (view.fd < 0) return;
  // Already there: nothing to wait for, and the socket is left alone (setting
  // SO_RCVLOWAT wakes its waiters, a new edge for an edge-triggered epoll).
  int queued = 0;
  if (::ioctl(view.fd, SIOCINQ, &queued) == 0 && queued >= bytes) return;
  const int lowat = static_cast<int>(bytes);
  const bool stream = view.type == SOCK_STREAM;
  if (stream) ::setsockopt(view.fd, SOL_SOCKET, SO_RCVLOWAT, &lowat, sizeof lowat);
  (void)poll_once(view.fd, POLLIN);
  if (stream) {
    const int one = 1;
    ::setsockopt(view.fd, SOL_SOCKET, SO_RCVLOWAT, &one, sizeof one);
  }
}

// Waits until the window the peer advertised is `bytes`. No event tells a process that
// an ACK came in, and the one that says "window 0" is often a delayed ACK, sent 40 ms
// or more after the data (tcp(7), TCP_QUICKACK), or the answer to a zero-window probe
// one retransmission timeout later: the check reads TCP_INFO again every 10 ms, for at
// most kSettleMs.
void await_window(const KernelFacts& facts, const std::string& actor, const std::string& var, long long bytes) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kSettleMs);
  for (;;) {
    const auto view = facts.socket(actor, var);
    if (!view || view->peer_window < 0 || view->peer_window == bytes) return;
    if (std::chrono::steady_clock::now() >= deadline) return;
    (void)::poll(nullptr, 0, 10);
  }
}

// The sockets a select() step watched that way and found ready, as actor.variable.
std::vector<std::string> found_ready(const Step& step, const CallResult& result, const KernelFacts& facts, bool reading) {
  std::vector<std::string> out;
  const std::vector<std::string> vars = step.kind == Call::EpollWait && facts.socket_names
                                            ? facts.socket_names(step.actor)
                                            : arg_names(step, reading ? "read" : "write");
  for (const auto& var : vars) {
    const auto view = facts.socket(step.actor, var);
    if (!view) continue;
    for (const PollEntry& entry : result.polled)
      if (entry.fd == view->fd && (reading ? entry.readable() : entry.writable())) out.push_back(step.actor + "." + var);
  }
  return out;
}

std::string name_list(const std::vector<std::string>& names) {
  std::string out = "[";
  for (const auto& name : names) out += (out.size() > 1 ? ", " : "") + name;
  return out + "]";
}

// Both as sets: select() answers which sockets, not in what order.
bool same_set(std::vector<std::string> a, std::vector<std::string> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  a.erase(std::unique(a.begin(), a.end()), a.end());
  b.erase(std::unique(b.begin(), b.end()), b.end());
  return a == b;
}

// The system calls a thread waiting in a lesson's call sleeps in: recv() is recvfrom in
// glibc, accept() is accept4 here, select() and the waits with a timeout are poll().
std::vector<long> syscalls_of(const std::string& call) {
  if (call == "recv") return {SYS_recvfrom};
  if (call == "accept") return {SYS_accept4, SYS_accept};
  if (call == "send" || call == "sendall") return {SYS_sendto};
  return {SYS_poll, SYS_ppoll};
}

std::string syscall_name(long number) {
  switch (number) {
    case SYS_recvfrom: return "recvfrom";
    case SYS_accept4: return "accept4";
    case SYS_accept: return "accept";
    case SYS_sendto: return "sendto";
    case SYS_poll: return "poll";
    case SYS_ppoll: return "ppoll";
    default: return "system call " + std::to_string(number);
  }
}

std::string describe(const CallResult& result) {
  if (result.ok()) return "it returned " + std::to_string(result.value);
  return "it failed with " + errno_name(result.err) + " (" + errno_message(result.err) + ")";
}

// A measured duration (µs, negative: not measured) against its bounds in ms: "expected
// <what> at least N ms, <outcome> M ms".
void check_ms_bounds(std::vector<std::string>& failures, long long measured_us, const std::optional<long long>& min_ms,
                     const std::optional<long long>& max_ms, const char* unmeasured, const char* what,
                     const char* outcome) {
  if (!min_ms && !max_ms) return;
  const double ms = static_cast<double>(measured_us) / 1000.0;
  char shown[32];
  std::snprintf(shown, sizeof shown, "%.1f", ms);
  if (measured_us < 0)
    failures.push_back(unmeasured);
  else if (min_ms && ms < static_cast<double>(*min_ms))
    failures.push_back(std::string("expected ") + what + " at least " + std::to_string(*min_ms) + " ms, " + outcome + " " +
                       shown + " ms");
  else if (max_ms && ms > static_cast<double>(*max_ms))
    failures.push_back(std::string("expected ") + what + " at most " + std::to_string(*max_ms) + " ms, " + outcome + " " +
                       shown + " ms");
}

}  // namespace

std::vector<std::string> check_waits(const Expect& e, const KernelFacts& facts, bool settle) {
  std::vector<std::string> failures;
  for (const auto& [name, expected] : e.waits_in) {
    if (!facts.waiting) break;
    const std::vector<long> allowed = syscalls_of(expected);
    // The engine says it waits just before the thread enters the kernel: look again
    // for a moment until the kernel has it asleep there.
    KernelFacts::Waiting now = facts.waiting(name);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(settle ? kSettleMs : 0);
    while (now.call == expected && now.kernel_read &&
           std::find(allowed.begin(), allowed.end(), now.syscall) == allowed.end() &&
           std::chrono::steady_clock::now() < deadline) {
      (void)::poll(nullptr, 0, 1);
      now = facts.waiting(name);
    }
    if (now.call != expected)
      failures.push_back("expected " + name + " to wait in " + expected + "(), " +
                         (now.call.empty() ? std::string("it waits in nothing") : "it waits in " + now.call + "()"));
    else if (now.kernel_read && std::find(allowed.begin(), allowed.end(), now.syscall) == allowed.end())
      failures.push_back("expected " + name + "'s thread asleep in the kernel's " + syscall_name(allowed.front()) +
                         ", /proc/.../syscall says " + (now.syscall < 0 ? std::string("it is running") : syscall_name(now.syscall)));
  }
  return failures;
}

bool process_may(Privilege need, const Step& step) {
  if (need == Privilege::None) return true;
  // CapEff in /proc/self/status: the capabilities this process can use now.
  unsigned long long caps = 0;
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("CapEff:", 0) == 0) caps = std::stoull(line.substr(7), nullptr, 16);
  constexpr int kCapNetBindService = 10;
  constexpr int kCapNetRaw = 13;
  if (need == Privilege::RawSocket) return (caps >> kCapNetRaw & 1ULL) != 0;
  if ((caps >> kCapNetBindService & 1ULL) != 0) return true;
  long long first_free = 1024;
  std::ifstream sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  sysctl >> first_free;
  return arg_int(step, "port", 0) >= first_free;
}

const Expect& expectation_for(const Step& step) {
  if (step.needs != Privilege::None && process_may(step.needs, step)) return step.expect_privileged;
  return step.expect;
}

std::vector<std::string> check_expectations(const Step& step, const CallResult& result,
                                            const KernelFacts& facts, bool settle) {
  return check_expect(expectation_for(step), step, result, facts, settle);
}

std::vector<std::string> check_expect(const Expect& e, const Step& step, const CallResult& result,
                                      const KernelFacts& facts, bool settle) {
  std::vector<std::string> failures;
  // First, so the queues below are read once the peer's last ACK is in.
  for (const auto& [name, expected] : e.window) {
    const auto dot = name.find('.');
    if (settle) await_window(facts, name.substr(0, dot), name.substr(dot + 1), expected);
    const auto view = facts.socket(name.substr(0, dot), name.substr(dot + 1));
    if (!view || view->peer_window < 0)
      failures.push_back("expected the peer of " + name + " to advertise a window of " + std::to_string(expected) +
                         " byte(s), but " + (view ? "the kernel does not say (tcpi_snd_wnd)" : std::string("it is closed")));
    else if (view->peer_window != expected)
      failures.push_back("expected the peer of " + name + " to advertise a window of " + std::to_string(expected) +
                         " byte(s), the kernel says " + std::to_string(view->peer_window));
  }
  for (const auto& [name, expected] : e.queued) {
    const auto dot = name.find('.');
    const auto view = facts.socket(name.substr(0, dot), name.substr(dot + 1));
    if (!view) {
      failures.push_back("expected " + std::to_string(expected) + " byte(s) waiting in " + name + ", but it is closed");
      continue;
    }
    if (settle) await_queued(*view, expected);
    const auto now = facts.socket(name.substr(0, dot), name.substr(dot + 1));
    const long long actual = now ? now->inq : -1;
    if (actual != expected)
      failures.push_back("expected " + std::to_string(expected) + " byte(s) waiting in " + name +
                         ", the kernel says " + std::to_string(actual));
  }
  for (const auto& [name, at_least] : e.send_queue_min) {
    const auto dot = name.find('.');
    const auto view = facts.socket(name.substr(0, dot), name.substr(dot + 1));
    const long long actual = view ? view->outq : -1;
    if (actual < at_least)
      failures.push_back("expected at least " + std::to_string(at_least) + " byte(s) in " + name +
                         "'s send queue, the kernel says " + (view ? std::to_string(actual) : std::string("it is closed")));
  }
  if (e.ok && *e.ok != result.ok())
    failures.push_back(std::string("expected ") + step.call + "() to " + (*e.ok ? "succeed" : "fail") +
                       ", but " + describe(result));
  if (e.err && errno_from_name(*e.err) != result.err)
    failures.push_back("expected errno " + *e.err + ", got " +
                       (result.err == 0 ? std::string("success") : errno_name(result.err)));
  if (e.value && *e.value != result.value)
    failures.push_back("expected the value " + std::to_string(*e.value) + ", got " + std::to_string(result.value));
  if (e.bytes && *e.bytes != result.bytes)
    failures.push_back("expected the bytes " + python_bytes_repr(*e.bytes) + ", got " +
                       python_bytes_repr(result.bytes.substr(0, 200)));
  if (e.value_min && result.value < *e.value_min)
    failures.push_back("expected a value of at least " + std::to_string(*e.value_min) + ", got " + std::to_string(result.value));
  if (e.value_max && result.value > *e.value_max)
    failures.push_back("expected a value of at most " + std::to_string(*e.value_max) + ", got " + std::to_string(result.value));
  for (const auto& [name, expected] : e.descriptors) {
    const auto dot = name.find('.');
    const int actual = facts.descriptors ? facts.descriptors(name.substr(0, dot), name.substr(dot + 1)) : -1;
    if (actual < 0)
      failures.push_back("expected " + std::to_string(expected) + " descriptor(s) of " + name + "'s socket, but " + name +
                         " is closed");
    else if (actual != expected)
      failures.push_back("expected " + std::to_string(expected) + " descriptor(s) of " + name +
                         "'s socket, /proc/PID/fd holds " + std::to_string(actual));
  }
  for (const auto& [name, expected] : e.processes) {
    const std::string actual = facts.process ? facts.process(name) : std::string();
    if (actual != expected)
      failures.push_back("expected the process of " + name + " to be " + expected + ", /proc says " +
                         (actual.empty() ? std::string("it is no forked child") : actual));
  }
  check_ms_bounds(failures, result.held_us, e.held_ms_min, e.held_ms_max,
                  "expected a measured wait of the unsent bytes, but the kernel does not say (TCP_INFO tcpi_notsent_bytes)",
                  "the bytes to wait unsent", "they waited");
  check_ms_bounds(failures, result.took_us, e.took_ms_min, e.took_ms_max,
                  "expected a measured time of the call, but the call was not timed", "the call to take",
                  "it returned after");
  if (e.address && !glob_matches(*e.address, result.address.to_string()))
    failures.push_back("expected the address " + *e.address + ", got " +
                       (result.address.empty() ? std::string("none") : result.address.to_string()));
  if (e.text && !glob_matches(*e.text, result.text))
    failures.push_back("expected the result '" + *e.text + "', got '" + result.text + "'");
  if (e.truncated && *e.truncated != (result.text == "truncated"))
    failures.push_back(*e.truncated ? "expected the datagram to be cut short (MSG_TRUNC), it fit"
                                    : "expected the datagram to fit, the kernel cut it short (MSG_TRUNC)");
  if (e.state) {
    const std::string subject = subject_of(step);
    if (settle) await_state(*e.state, facts.socket(step.actor, subject));
    const std::string actual = state_of(facts.socket(step.actor, subject));
    if (!state_matches(*e.state, actual))
      failures.push_back("expected " + step.actor + "." + subject + " in " + *e.state + ", the kernel says " + actual);
  }
  for (const auto& [name, expected] : e.states) {
    const auto dot = name.find('.');
    if (settle) await_state(expected, facts.socket(name.substr(0, dot), name.substr(dot + 1)));
    const std::string actual = state_of(facts.socket(name.substr(0, dot), name.substr(dot + 1)));
    if (!state_matches(expected, actual))
      failures.push_back("expected " + name + " in " + expected + ", the kernel says " + actual);
  }
  if (e.accept_queue) {
    const auto view = facts.socket(step.actor, step.sock);
    const long long actual = view ? view->accept_queue : -1;
    if (actual != *e.accept_queue)
      failures.push_back("expected " + std::to_string(*e.accept_queue) + " connection(s) in the accept queue, the kernel says " +
                         std::to_string(actual));
  }
  if (e.orphan) {
    bool found = false;
    for (const auto& o : facts.orphans()) found = found || state_matches(*e.orphan, o.state);
    if (!found) failures.push_back("expected a socket without fd in " + *e.orphan + ", the kernel has none");
  }
  for (const bool reading : {true, false}) {
    const auto& expected = reading ? e.readable : e.writable;
    if (!expected) continue;
    const std::vector<std::string> found = found_ready(step, result, facts, reading);
    if (!same_set(*expected, found))
      failures.push_back("expected " + step.call + "() to find " + (reading ? "readable " : "writable ") +
                         name_list(*expected) + ", it found " + name_list(found));
  }
  if (e.console) {
    const std::string line = facts.last_console_line(step.actor);
    if (line != *e.console) failures.push_back("expected the console to show '" + *e.console + "', it shows '" + line + "'");
  }
  return failures;
}

}  // namespace sockstep
