#include "ui/event_loops.hpp"

#include <sys/epoll.h>

#include <algorithm>
#include <cerrno>
#include <utility>

namespace sockstep::ui {

bool LoopCall::drains() const {
  if (err == EAGAIN || err == EWOULDBLOCK) return true;
  return err == 0 && value == 0 && stream && call_direction(call) == Direction::In;
}

bool WatchedSocket::edge_triggered() const { return (asked & EPOLLET) != 0; }

const WatchedSocket* EventLoop::find(int fd) const {
  for (const WatchedSocket& w : watched)
    if (w.fd == fd) return &w;
  return nullptr;
}

WatchedSocket* EventLoop::find(int fd) { return const_cast<WatchedSocket*>(std::as_const(*this).find(fd)); }

namespace {

// A descriptor belongs to a process's table: in one process (a lesson's threads, a traced
// program's threads) an fd is the same socket whoever uses it.
bool same_process(const EventLoop& loop, const Event& event) {
  return loop.pid != 0 || event.pid != 0 ? loop.pid == event.pid : loop.actor == event.actor;
}

WatchedSocket watching(int fd, std::uint32_t asked, std::uint32_t ready = 0) {
  WatchedSocket w;
  w.fd = fd;
  w.asked = asked;
  w.ready = ready;
  return w;
}

void start_wait(EventLoop& loop, const Event& event) {
  loop.waiting = false;
  loop.waited = true;
  loop.ready_count = event.value;
  loop.wait_err = event.err;
  for (WatchedSocket& w : loop.watched) {
    w.ready = 0;
    w.since.clear();
    w.calls_since = 0;
  }
}

LoopKind wait_kind(Call call) {
  return call == Call::EpollWait ? LoopKind::Epoll : call == Call::Poll ? LoopKind::Poll : LoopKind::Select;
}

bool is_wait(Call call) { return call == Call::EpollWait || call == Call::Select || call == Call::Poll; }

}  // namespace

EventLoop* EventLoops::find(const Event& event, LoopKind kind, int epfd) {
  for (EventLoop& loop : loops_) {
    if (loop.kind != kind || !same_process(loop, event)) continue;
    // select() and poll() keep no set in the kernel: each thread that calls one is a loop.
    if (kind == LoopKind::Epoll ? loop.epfd == epfd : loop.actor == event.actor) return &loop;
  }
  return nullptr;
}

EventLoop& EventLoops::find_or_add(const Event& event, LoopKind kind, int epfd) {
  if (EventLoop* loop = find(event, kind, epfd)) return *loop;
  EventLoop& loop = loops_.emplace_back();
  loop.kind = kind;
  loop.actor = event.actor;
  loop.pid = event.pid;
  loop.epfd = epfd;
  return loop;
}

const SocketFacts* EventLoops::facts_of(const EventLoop& loop, int fd) const {
  const auto it = facts_.find({loop.pid, fd});
  return it != facts_.end() ? &it->second : nullptr;
}

void EventLoops::add(const Event& event) {
  if (event.kind == EventKind::Blocked && is_wait(event.call)) {
    const LoopKind kind = wait_kind(event.call);
    find_or_add(event, kind, kind == LoopKind::Epoll ? event.fd : -1).waiting = true;
    return;
  }
  // A traced process that ended took its loops with it.
  if (event.kind == EventKind::Note && event.note == NoteKind::Exit) {
    std::erase_if(loops_, [&](const EventLoop& loop) {
      return loop.actor == event.actor || (event.pid != 0 && loop.pid == event.pid);
    });
    return;
  }
  if (event.kind != EventKind::Call) return;
  // An accept's facts are the new connection's; a socket()'s, the new socket's.
  if (event.ok() && event.sock.family != AF_UNSPEC) {
    if (event.call == Call::Accept || event.call == Call::Socket) facts_[{event.pid, static_cast<int>(event.value)}] = event.sock;
    else if (event.fd >= 0) facts_[{event.pid, event.fd}] = event.sock;
  }
  if (event.call == Call::Close && event.ok()) facts_.erase({event.pid, event.fd});

  switch (event.call) {
    case Call::EpollCreate:
      if (event.ok()) {
        // A new instance (its fd may be an old one's number): nothing watched yet.
        EventLoop& loop = find_or_add(event, LoopKind::Epoll, static_cast<int>(event.value));
        loop.watched.clear();
        loop.waited = loop.waiting = false;
      }
      return;
    case Call::EpollCtl: {
      if (!event.ok() || event.interest.empty()) return;
      EventLoop& loop = find_or_add(event, LoopKind::Epoll, event.fd);
      const InterestEntry& entry = event.interest.front();
      if (event.epoll_op == EPOLL_CTL_DEL) {
        std::erase_if(loop.watched, [&](const WatchedSocket& w) { return w.fd == entry.fd; });
      } else if (WatchedSocket* w = loop.find(entry.fd)) {
        w->asked = entry.mask;
      } else {
        loop.watched.push_back(watching(entry.fd, entry.mask));
      }
      return;
    }
    case Call::EpollWait: {
      EventLoop& loop = find_or_add(event, LoopKind::Epoll, event.fd);
      // The wait says the whole interest set: what the ctl calls before it left (those of
      // a traced program's other threads included). The sockets already shown keep their
      // places; new ones come after them.
      if (!event.interest.empty()) {
        const auto in_set = [&](int fd) {
          return std::any_of(event.interest.begin(), event.interest.end(),
                             [&](const InterestEntry& entry) { return entry.fd == fd; });
        };
        std::erase_if(loop.watched, [&](const WatchedSocket& w) { return !in_set(w.fd); });
        for (const InterestEntry& entry : event.interest) {
          if (WatchedSocket* w = loop.find(entry.fd)) w->asked = entry.mask;
          else loop.watched.push_back(watching(entry.fd, entry.mask));
        }
      }
      start_wait(loop, event);
      for (const PollEntry& ready : event.polled)
        if (WatchedSocket* w = loop.find(ready.fd)) w->ready = static_cast<std::uint16_t>(ready.revents);
      return;
    }
    case Call::Select:
    case Call::Poll: {
      EventLoop& loop = find_or_add(event, wait_kind(event.call), -1);
      loop.watched.clear();
      start_wait(loop, event);
      for (const PollEntry& p : event.polled) {
        // poll() skips an entry that asks for nothing and got nothing (a disabled one).
        if (p.events == 0 && p.revents == 0) continue;
        // select() answers in sets: readable, writable (an error or hang-up makes a socket
        // both, as PollEntry sorts it); poll() answers with revents.
        const std::uint32_t ready = event.call == Call::Select
                                        ? (p.readable() ? POLLIN : 0u) | (p.writable() ? POLLOUT : 0u)
                                        : static_cast<std::uint16_t>(p.revents);
        if (WatchedSocket* w = loop.find(p.fd)) {
          w->asked |= static_cast<std::uint16_t>(p.events);  // select lists an fd per set
          w->ready |= ready;
        } else {
          loop.watched.push_back(watching(p.fd, static_cast<std::uint16_t>(p.events), ready));
        }
      }
      return;
    }
    default: break;
  }

  if (event.fd < 0) return;
  if (event.call == Call::Close && event.ok()) {
    // Closing the instance ends its loop; closing a socket takes it out of every set
    // (the last descriptor's close, as the kernel does; the next wait says it again).
    std::erase_if(loops_, [&](const EventLoop& loop) {
      return loop.kind == LoopKind::Epoll && loop.epfd == event.fd && same_process(loop, event);
    });
    for (EventLoop& loop : loops_)
      if (same_process(loop, event))
        std::erase_if(loop.watched, [&](const WatchedSocket& w) { return w.fd == event.fd; });
    // A select() or poll() loop keeps nothing in the kernel: once every socket it
    // watched is closed, it is over.
    std::erase_if(loops_, [&](const EventLoop& loop) {
      return loop.kind != LoopKind::Epoll && loop.watched.empty() && same_process(loop, event);
    });
    return;
  }
  for (EventLoop& loop : loops_) {
    if (!loop.waited || !same_process(loop, event)) continue;
    WatchedSocket* w = loop.find(event.fd);
    if (w == nullptr) continue;
    if (w->since.size() == kMaxCallsKept) w->since.erase(w->since.begin());
    w->since.push_back({event.call, event.value, event.err, !event.sock.datagram()});
    ++w->calls_since;
  }
}

}  // namespace sockstep::ui
