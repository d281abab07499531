// How long the kernel keeps a second small write unsent (Nagle's algorithm waiting for
// the ACK of the first), measured from TCP_INFO and judged from the receiving end: the
// time until all the bytes can be read there.
#include <doctest/doctest.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>

#include "engine/sockets/socket_ops.hpp"
#include "engine/sockets/unsent_wait.hpp"
#include "loopback.hpp"

using namespace sockstep;
using namespace sockstep::test;

namespace {

// Milliseconds from now until n bytes can be read at fd (SO_RCVLOWAT), at most 3 s.
double ms_until_readable(int fd, int n, std::chrono::steady_clock::time_point since) {
  REQUIRE(::setsockopt(fd, SOL_SOCKET, SO_RCVLOWAT, &n, sizeof n) == 0);
  pollfd p{fd, POLLIN, 0};
  REQUIRE(::poll(&p, 1, 3000) == 1);
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - since).count();
}

void delay_acks(int fd) {
  const int zero = 0;
  REQUIRE(::setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &zero, sizeof zero) == 0);
}

}  // namespace

TEST_CASE("write, write against a receiver that delays its ACK: the second write waits unsent, tens of ms") {
  OpContext ctx(nullptr, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  delay_acks(p.server);
  const CallResult r = ops::send_parts(ctx, p.client, {Bytes("hello"), Bytes("world")});
  const auto sent = std::chrono::steady_clock::now();
  CHECK(r.value == 10);
  CHECK(r.held_bytes == 5);
  CHECK(r.held_us >= 20'000);
  CHECK(r.held_us < 1'000'000);
  // The receiver sees the same wait: its 10 bytes were complete only after it.
  const double readable = ms_until_readable(p.server, 10, sent - std::chrono::microseconds(r.held_us));
  CHECK(readable >= 20.0);
}

TEST_CASE("with TCP_NODELAY the second write leaves at once, though the receiver delays its ACK") {
  OpContext ctx(nullptr, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  delay_acks(p.server);
  const int one = 1;
  REQUIRE(::setsockopt(p.client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) == 0);
  const auto start = std::chrono::steady_clock::now();
  const CallResult r = ops::send_parts(ctx, p.client, {Bytes("hello"), Bytes("world")});
  CHECK(r.held_bytes == 0);
  CHECK(r.held_us < 20'000);
  CHECK(ms_until_readable(p.server, 10, start) < 20.0);
}

TEST_CASE("a socket with nothing unsent waits for nothing") {
  OpContext ctx(nullptr, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  const UnsentWait w = wait_until_sent(p.client, std::chrono::milliseconds(100));
  CHECK(w.first_bytes == 0);
  CHECK(w.waited_us >= 0);
  CHECK_FALSE(w.gave_up);
}
