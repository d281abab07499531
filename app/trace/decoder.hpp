#pragma once
#include <sys/types.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "engine/log/event_log.hpp"

namespace sockstep::trace {

// What the decoder knows about one traced process.
struct TracedProcess {
  pid_t pid = 0;
  pid_t parent = 0;
  std::string name;     // "echo_server.py", "nc"
  std::string command;  // its command line
  std::string actor;    // "name[pid]", kept: every record of the process needs it
  bool said_hello = false;
  bool said_bye = false;
  // Its hello is said with its first socket call, so that the hops of a wrapper or shim
  // (pyenv's bash scripts, `timeout`, `sh -c`) that exec on and make none say nothing.
  bool hello_held = false;
  std::int64_t hello_t_ns = 0;
  bool spoke = false;                // made a socket call under some image
  std::vector<std::string> hops;     // images it exec'd through without a socket call
};

// An event and the time (CLOCK_MONOTONIC ns) it sorts by across processes.
struct Decoded {
  std::int64_t t_ns = 0;
  Event event;
};

// Turns preload records into the engine's Events (actor = "name[pid]"), so every
// formatter and panel that shows a lesson shows a traced program the same way.
// Also pairs the two ends of a connection when both programs are traced: a connect
// whose (local, peer) is an accept's (peer, local) is the same TCP connection.
class Decoder {
 public:
  // Appends zero or more events for one record; a malformed record becomes a Note.
  void decode(std::string_view record, std::vector<Decoded>& out);

  [[nodiscard]] const TracedProcess* process(pid_t pid) const;
  // "name[pid]", using the program's own name once it said hello.
  [[nodiscard]] std::string actor(pid_t pid, std::string_view fallback = {}) const;
  // Who prints what a started program's pipe carries: the program itself, or, when it is
  // a wrapper (`timeout 5 python3 x.py`, `sh -c 'a; b'`: it made no socket call and has
  // one traced child, or one that made socket calls, or one still running), the program
  // it started, followed down.
  [[nodiscard]] pid_t printer_of(pid_t started) const;
  // Listen records seen per pid: `trace A ::: B` starts B after A listens.
  [[nodiscard]] int listens(pid_t pid) const;
  // The same for pid and every traced process descended from it: a server started
  // through a wrapper (`timeout 5 python3 server.py`, `sh -c ...`) listens in a child.
  [[nodiscard]] int listens_in_tree(pid_t pid) const;
  // The traced processes that made no socket call (their hello was never said): their
  // names, in pid order, for one line at the end of a trace.
  [[nodiscard]] std::vector<std::string> silent_processes() const;

 private:
  struct End {
    std::string actor;
    int fd = -1;
    std::uint64_t inode = 0;
  };
  void pair(const std::string& local, const std::string& peer, End end, std::int64_t t_ns, std::vector<Decoded>& out);

  // The sockets a process holds, as its records described them: fd -> facts.
  SocketFacts& facts_of(pid_t pid, int fd, std::uint64_t inode);
  // Says a held hello, just before the process's first socket call.
  void say_hello(TracedProcess& p, std::int64_t before_ns, std::vector<Decoded>& out);

  std::map<pid_t, TracedProcess> processes_;
  std::map<std::pair<pid_t, int>, SocketFacts> fds_;
  // epoll: (pid, epfd, data) -> the fd that data stands for
  std::map<std::tuple<pid_t, int, std::uint32_t>, int> epoll_data_;
  // Each epoll instance's interest set as the traced epoll_ctl calls left it:
  // (pid, epoll fd) -> fd -> mask.
  std::map<std::pair<pid_t, int>, std::map<int, std::uint32_t>> epoll_interest_;
  // Bytes the calls seen moved on each socket (by inode), and which processes moved them.
  struct Moved {
    std::uint64_t sent = 0;
    std::uint64_t received = 0;
    std::set<pid_t> pids;
  };
  std::map<std::uint64_t, Moved> moved_;
  void compare_with_kernel(const Event& close, std::int64_t acked, std::uint64_t received, int unread,
                           std::vector<Decoded>& out);
  std::map<pid_t, int> listens_;
  // (this side, other side) -> the end seen first
  std::map<std::pair<std::string, std::string>, End> open_ends_;
};

// Text from a program (its output, its command line) made safe to show and to put in
// JSON: invalid UTF-8 becomes U+FFFD, control characters become spaces, and the
// result is cut at a character boundary to at most max_bytes (then "...").
[[nodiscard]] std::string printable_text(std::string_view text, std::size_t max_bytes = 4096);

}  // namespace sockstep::trace
