// The facts every event carries, judged against the kernel: the socket's names and
// inode as getsockname/getpeername/fstat tell them, and what a close or shutdown put on
// the wire as the peer then sees it (ECONNRESET after an RST, b'' after a FIN).
#include <doctest/doctest.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <cerrno>

#include "engine/sockets/fd_facts.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "engine/sockets/wire_effect.hpp"
#include "loopback.hpp"

namespace sockstep {
namespace {

const Event& last_call(const EventLog& log, Call call) {
  static const Event none;
  const auto all = log.all();
  static std::vector<Event> keep;
  keep = all;
  for (auto it = keep.rbegin(); it != keep.rend(); ++it)
    if (it->kind == EventKind::Call && it->call == call) return *it;
  return none;
}

// What the peer's next recv() says: ECONNRESET, 0 (EOF), or a count.
int peer_sees(OpContext& ctx, int fd) {
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 5000) == 1);  // the FIN or RST is on its way: bounded
  const CallResult r = ops::recv(ctx, fd, 16);
  return r.ok() ? static_cast<int>(r.value) : -r.err;
}

}  // namespace

TEST_CASE("events carry the socket's names, inode and type as the kernel has them") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const test::Listener l = test::listen_loopback(ctx);
  const test::Pair p = test::connected_pair(ctx, l);
  REQUIRE(ops::send(ctx, p.client, Bytes(std::string("hi"))).ok());
  const Event& sent = last_call(log, Call::Send);
  struct stat st{};
  REQUIRE(::fstat(p.client, &st) == 0);
  CHECK(sent.sock.inode == st.st_ino);
  CHECK(sent.sock.family == AF_INET);
  CHECK(sent.sock.type == SOCK_STREAM);
  CHECK(sent.dir == Direction::Out);
  CHECK(sent.tid != 0);
  sockaddr_in own{};
  socklen_t len = sizeof own;
  REQUIRE(::getsockname(p.client, reinterpret_cast<sockaddr*>(&own), &len) == 0);
  CHECK(sent.sock.local.port == ntohs(own.sin_port));
  CHECK(sent.sock.peer.port == l.port);
  // The accept's event is about the new connection: the client at its other end.
  const Event& accepted = last_call(log, Call::Accept);
  CHECK(accepted.sock.peer == sent.sock.local);
  CHECK(accepted.sock.local == sent.sock.peer);
  REQUIRE(ops::recv(ctx, p.server, 16).ok());
  CHECK(last_call(log, Call::Recv).dir == Direction::In);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
  CHECK(fd_facts::get(p.client).inode == 0);  // forgotten with the fd
}

TEST_CASE("an AF_UNIX connection's two ends know each other's inode") {
  int fds[2];
  REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
  const SocketFacts a = fd_facts::read(fds[0]);
  const SocketFacts b = fd_facts::read(fds[1]);
  CHECK(a.family == AF_UNIX);
  CHECK(a.inode != 0);
  CHECK(a.peer_inode == b.inode);
  CHECK(b.peer_inode == a.inode);
  ::close(fds[0]);
  ::close(fds[1]);
}

TEST_CASE("what close and shutdown put on the wire, as the peer sees it") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const test::Listener l = test::listen_loopback(ctx);

  SUBCASE("a plain close sends FIN: the peer reads EOF") {
    const test::Pair p = test::connected_pair(ctx, l);
    REQUIRE(ops::close(ctx, p.client).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::Fin);
    CHECK(peer_sees(ctx, p.server) == 0);
    // The side that got the FIN still has its own to send.
    REQUIRE(ops::close(ctx, p.server).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::Fin);
  }
  SUBCASE("shutdown(SHUT_WR) sends the FIN; the close after it sends nothing more") {
    const test::Pair p = test::connected_pair(ctx, l);
    REQUIRE(ops::shutdown(ctx, p.client, SHUT_WR).ok());
    CHECK(last_call(log, Call::Shutdown).wire == WireEffect::Fin);
    CHECK(peer_sees(ctx, p.server) == 0);
    REQUIRE(ops::close(ctx, p.client).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::None);
    (void)ops::close(ctx, p.server);
  }
  SUBCASE("shutdown(SHUT_RD) sends nothing") {
    const test::Pair p = test::connected_pair(ctx, l);
    REQUIRE(ops::shutdown(ctx, p.client, SHUT_RD).ok());
    CHECK(last_call(log, Call::Shutdown).wire == WireEffect::None);
    (void)ops::close(ctx, p.client);
    (void)ops::close(ctx, p.server);
  }
  SUBCASE("SO_LINGER {1, 0}: close resets the connection") {
    const test::Pair p = test::connected_pair(ctx, l);
    REQUIRE(ops::setsockopt(ctx, p.client, SOL_SOCKET, SO_LINGER, 0).ok());
    REQUIRE(ops::close(ctx, p.client).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::Rst);
    CHECK(peer_sees(ctx, p.server) == -ECONNRESET);
    (void)ops::close(ctx, p.server);
  }
  SUBCASE("unread data: close resets the connection, and the peer loses what it sent") {
    const test::Pair p = test::connected_pair(ctx, l);
    REQUIRE(ops::send(ctx, p.client, Bytes(std::string("unread"))).ok());
    pollfd ready{p.server, POLLIN, 0};
    REQUIRE(::poll(&ready, 1, 5000) == 1);
    REQUIRE(ops::close(ctx, p.server).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::Rst);
    CHECK(peer_sees(ctx, p.client) == -ECONNRESET);
    // Reset already: the client's own close sends nothing.
    REQUIRE(ops::close(ctx, p.client).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::None);
  }
  SUBCASE("a listener's close and a UDP socket's send nothing of their own") {
    const CallResult u = ops::socket(ctx, AF_INET, SOCK_DGRAM);
    REQUIRE(u.ok());
    REQUIRE(ops::close(ctx, static_cast<int>(u.value)).ok());
    CHECK(last_call(log, Call::Close).wire == WireEffect::None);
  }
  (void)ops::close(ctx, l.fd);
  CHECK(last_call(log, Call::Close).wire == WireEffect::None);
}

}  // namespace sockstep
