// The event-loop card's model: what each loop watches, what its last wait returned and
// what the code did since, followed from the events of the event-loop lesson run
// against the kernel, step by step, and held against the kernel's own figures.
#include <doctest/doctest.h>

#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/session.hpp"
#include "ui/event_loops.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

struct Walk {
  Session session;
  EventLoops loops;
  std::size_t fed = 0;

  explicit Walk(const std::string& id) : session(load_lesson_file(*resolve_lesson(id))) {}

  // Takes one step and feeds the loops what it logged. Returns the step taken.
  const Step& step() {
    REQUIRE(session.step());
    const std::vector<Event> events = session.events().all();
    for (; fed < events.size(); ++fed) loops.add(events[fed]);
    return session.lesson().steps[session.position() - 1];
  }
  // Steps until a step of this call on this socket variable has been taken.
  const Step& until(const std::string& call, const std::string& sock = {}) {
    for (int n = 0; n < 200; ++n) {
      const Step& s = step();
      if (s.call == call && (sock.empty() || s.sock == sock)) return s;
    }
    FAIL("no step " << call << " " << sock);
    return session.lesson().steps.front();
  }
  // The kernel's view of one of the actor's sockets now.
  [[nodiscard]] SocketView socket(const std::string& actor, const std::string& var) {
    for (const SocketCard& card : session.snapshot().sockets)
      if (card.actor == actor && card.var == var) return card.view;
    FAIL("no socket " << actor << "." << var);
    return {};
  }
  [[nodiscard]] const EventLoop* loop(LoopKind kind) const {
    for (const EventLoop& l : loops.loops())
      if (l.kind == kind) return &l;
    return nullptr;
  }
};

}  // namespace

TEST_CASE("the event-loop lesson's select loop: every socket watched, the ready ones, what was read since") {
  Walk walk("event-loop");
  walk.until("select");
  const EventLoop* loop = walk.loop(LoopKind::Select);
  REQUIRE(loop != nullptr);
  CHECK(loop->actor == "server");
  CHECK(loop->waited);
  const SocketView listener = walk.socket("server", "phone");
  const WatchedSocket* watched = loop->find(listener.fd);
  REQUIRE(watched != nullptr);
  CHECK((watched->asked & POLLIN) != 0);
  // client-1 has connected: the kernel's accept queue holds it, and select said readable.
  CHECK(listener.accept_queue == 1);
  CHECK(watched->ready == POLLIN);
  CHECK(loop->ready_count == 1);

  walk.until("accept");
  watched = walk.loop(LoopKind::Select)->find(listener.fd);
  REQUIRE(watched != nullptr);
  REQUIRE(watched->since.size() == 1);
  CHECK(watched->since.back().call == Call::Accept);
  CHECK(watched->since.back().err == 0);
  CHECK(!watched->drained());

  // Once the loop's sockets are all closed, the loop is over.
  walk.until("epoll_create");
  CHECK(walk.loop(LoopKind::Select) == nullptr);
}

TEST_CASE("the event-loop lesson's epoll: the interest set, level- and edge-triggered ready lists, the stall") {
  Walk walk("event-loop");
  walk.until("epoll_create");
  const EventLoop* loop = walk.loop(LoopKind::Epoll);
  REQUIRE(loop != nullptr);
  CHECK(loop->watched.empty());
  CHECK(!loop->waited);

  walk.until("epoll_ctl");
  loop = walk.loop(LoopKind::Epoll);
  const SocketView conn = walk.socket("server", "conn");
  REQUIRE(loop->watched.size() == 1);
  CHECK(loop->watched[0].fd == conn.fd);
  CHECK(loop->watched[0].asked == EPOLLIN);
  CHECK(!loop->watched[0].edge_triggered());

  // Level-triggered: ready, and ready again with bytes left after a partial recv.
  walk.until("epoll_wait");
  loop = walk.loop(LoopKind::Epoll);
  CHECK(loop->ready_count == 1);
  CHECK(loop->find(conn.fd)->ready == EPOLLIN);
  walk.until("recv");
  CHECK(walk.socket("server", "conn").inq == 3);
  REQUIRE(walk.loop(LoopKind::Epoll)->find(conn.fd)->since.size() == 1);
  CHECK(walk.loop(LoopKind::Epoll)->find(conn.fd)->since[0].value == 2);
  walk.until("epoll_wait");
  CHECK(walk.loop(LoopKind::Epoll)->find(conn.fd)->ready == EPOLLIN);
  CHECK(walk.loop(LoopKind::Epoll)->find(conn.fd)->since.empty());

  // Edge-triggered: the mask as the kernel was given it, EPOLLET included.
  walk.until("epoll_ctl");
  CHECK(walk.loop(LoopKind::Epoll)->find(conn.fd)->asked == (EPOLLIN | EPOLLET));
  CHECK(walk.loop(LoopKind::Epoll)->find(conn.fd)->edge_triggered());
  walk.until("epoll_wait");
  walk.until("recv");
  // The stall: the wait returns an empty ready list while the kernel still holds a byte.
  walk.until("epoll_wait");
  loop = walk.loop(LoopKind::Epoll);
  CHECK(loop->ready_count == 0);
  CHECK(loop->find(conn.fd)->ready == 0);
  CHECK(walk.socket("server", "conn").inq == 1);

  // Read to EAGAIN: drained.
  walk.until("recv");
  CHECK(!walk.loop(LoopKind::Epoll)->find(conn.fd)->drained());
  walk.until("recv");
  const WatchedSocket* w = walk.loop(LoopKind::Epoll)->find(conn.fd);
  REQUIRE(w->since.size() == 2);
  CHECK(w->since[0].value == 1);
  CHECK(w->since[1].err == EAGAIN);
  CHECK(w->drained());
  CHECK(walk.socket("server", "conn").inq == 0);

  // Closing the instance ends the loop.
  walk.until("close", "ep");
  CHECK(walk.loop(LoopKind::Epoll) == nullptr);
}

TEST_CASE("a recv that returns 0 drains a stream (EOF) but not a datagram socket (an empty datagram)") {
  CHECK(LoopCall{Call::Recv, 0, 0, true}.drains());
  CHECK(!LoopCall{Call::Recv, 0, 0, false}.drains());
  CHECK(LoopCall{Call::Accept, -1, EAGAIN, true}.drains());
  CHECK(!LoopCall{Call::Send, 0, 0, true}.drains());
}
