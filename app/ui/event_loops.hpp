#pragma once
// What the Sockets panel's event-loop card shows, worked out from the events without
// ImGui: for each event loop — an epoll instance, or an actor that calls select() or
// poll() — the sockets it watches and what it asked about (the interest set), what its
// last wait returned (the ready list), and what the code did with each socket since that
// wait (the calls it made on it, up to the EAGAIN or the EOF that says it drained it).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "engine/log/event.hpp"

namespace sockstep::ui {

// One call the code made on a watched socket after the loop's last wait.
struct LoopCall {
  Call call = Call::None;
  long long value = 0;  // bytes moved, an accepted fd
  int err = 0;
  bool stream = true;   // a recv's 0 is EOF only on a stream
  // What a recv's result says of the queue: EAGAIN, nothing left; 0 on a stream, the
  // peer hung up. Either way the code read it dry.
  [[nodiscard]] bool drains() const;
};

struct WatchedSocket {
  int fd = -1;
  // epoll: the mask epoll_ctl gave it (EPOLLET included); select and poll: what was
  // asked about, POLLIN and POLLOUT.
  std::uint32_t asked = 0;
  // What the last wait returned for it: epoll's events, poll's revents; 0: not ready.
  std::uint32_t ready = 0;
  // The calls the code made on it since that wait, the last kMaxCallsKept of them.
  std::vector<LoopCall> since;
  std::size_t calls_since = 0;  // how many in all
  [[nodiscard]] bool edge_triggered() const;
  // The code read it to EAGAIN (or EOF) since the wait.
  [[nodiscard]] bool drained() const { return !since.empty() && since.back().drains(); }
};

enum class LoopKind : std::uint8_t { Epoll, Select, Poll };

struct EventLoop {
  LoopKind kind = LoopKind::Epoll;
  std::string actor;
  int pid = 0;
  int epfd = -1;                  // epoll: the instance's descriptor
  bool waiting = false;           // in its wait now
  bool waited = false;            // a wait has returned
  long long ready_count = 0;      // what it returned: how many were ready
  int wait_err = 0;
  std::vector<WatchedSocket> watched;  // in the order they were added
  [[nodiscard]] const WatchedSocket* find(int fd) const;
  [[nodiscard]] WatchedSocket* find(int fd);
};

// Follows the events one at a time, in order (as the window's copy of the log grows).
class EventLoops {
 public:
  static constexpr std::size_t kMaxCallsKept = 4;

  void reset() {
    loops_.clear();
    facts_.clear();
  }
  void add(const Event& event);
  // What the calls on a loop's socket said of it (its addresses), where any did.
  [[nodiscard]] const SocketFacts* facts_of(const EventLoop& loop, int fd) const;
  // The loops open now, oldest first: a closed epoll instance is gone, and so is a
  // select() or poll() loop whose sockets are all closed.
  [[nodiscard]] const std::vector<EventLoop>& loops() const { return loops_; }

 private:
  EventLoop* find(const Event& event, LoopKind kind, int epfd);
  EventLoop& find_or_add(const Event& event, LoopKind kind, int epfd);

  std::vector<EventLoop> loops_;
  // Each open socket's facts as its last call gave them: (pid, fd) -> facts.
  std::map<std::pair<int, int>, SocketFacts> facts_;
};

}  // namespace sockstep::ui
