#include <doctest/doctest.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>

#include <cerrno>
#include <csignal>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/text/errno_names.hpp"
#include "engine/inspect/inspect.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "loopback.hpp"

using namespace sockstep;
using namespace sockstep::test;

TEST_CASE("socket, bind, listen, accept, connect: the seed's calls on loopback") {
  EventLog log;
  Waker wake;
  OpContext ctx(&log, "test", &wake);
  const Listener l = listen_loopback(ctx);
  CHECK(l.port > 0);
  const Pair p = connected_pair(ctx, l);
  REQUIRE(p.client >= 0);
  REQUIRE(p.server >= 0);
  const CallResult peer = ops::getpeername(ctx, p.client);
  CHECK(peer.ok());
  CHECK(peer.address.to_string() == "127.0.0.1:" + std::to_string(l.port));
  CHECK(ops::getsockname(ctx, p.server).address.port == l.port);

  SUBCASE("send then recv carries the bytes") {
    CHECK(ops::send(ctx, p.client, "hello").value == 5);
    const CallResult got = ops::recv(ctx, p.server, 1024);
    CHECK(got.bytes == "hello");
  }
  SUBCASE("every call records one event with its result") {
    const auto before = log.size();
    (void)ops::send(ctx, p.client, "hi");
    (void)ops::recv(ctx, p.server, 1024);
    const auto events = log.all();
    REQUIRE(events.size() == before + 2);
    CHECK(events[before].call == Call::Send);
    CHECK(events[before].bytes == "hi");
    CHECK(events[before + 1].call == Call::Recv);
    CHECK(events[before + 1].value == 2);
  }
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("binding a port a listener holds gives EADDRINUSE") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const int second = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  const CallResult r = ops::bind(ctx, second, loopback(l.port));
  CHECK_FALSE(r.ok());
  CHECK(errno_name(r.err) == "EADDRINUSE");
  CHECK(log.all().back().err == EADDRINUSE);
  (void)ops::close(ctx, second);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("connect_ex returns 111 for a closed port; connect reports ECONNREFUSED") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  // Take a free port and close it again, so nothing listens there.
  const Listener l = listen_loopback(ctx);
  (void)ops::close(ctx, l.fd);
  const int a = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  const CallResult ex = ops::connect_ex(ctx, a, loopback(l.port));
  CHECK(ex.value == ECONNREFUSED);
  CHECK(ex.value == 111);
  const int b = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  const CallResult plain = ops::connect(ctx, b, loopback(l.port));
  CHECK(plain.err == ECONNREFUSED);
  CHECK(errno_message(plain.err) == "Connection refused");
  (void)ops::close(ctx, a);
  (void)ops::close(ctx, b);
}

TEST_CASE("a refused blocking connect leaves the socket free to connect again; under settimeout it does not") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  (void)ops::close(ctx, l.fd);
  // As python3 says on this kernel: a blocking socket is refused twice; one with a
  // timeout (connect, poll, SO_ERROR) stays "connecting" and the second gets ECONNABORTED.
  const int blocking = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  CHECK(ops::connect(ctx, blocking, loopback(l.port)).err == ECONNREFUSED);
  CHECK(ops::connect(ctx, blocking, loopback(l.port)).err == ECONNREFUSED);
  // And the kernel now judges the next address afresh: an IPv6 one on an AF_INET socket.
  CHECK(ops::connect(ctx, blocking, Address{AF_INET6, "::1", l.port, {}}).err == EAFNOSUPPORT);
  const int timed = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  REQUIRE(ops::settimeout(ctx, timed, 5).ok());
  CHECK(ops::connect(ctx, timed, loopback(l.port)).err == ECONNREFUSED);
  CHECK(ops::connect(ctx, timed, loopback(l.port)).err == ECONNABORTED);
  // Connected, the blocking call still returns 0.
  const Listener open = listen_loopback(ctx);
  const int fine = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  CHECK(ops::connect(ctx, fine, loopback(open.port)).ok());
  CHECK(ops::getpeername(ctx, fine).address.port == open.port);
  for (int fd : {blocking, timed, fine, open.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("after the peer closes: recv returns 0 (EOF), a later send fails with EPIPE, no SIGPIPE") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  (void)ops::close(ctx, p.server);
  const CallResult eof = ops::recv(ctx, p.client, 1024);
  CHECK(eof.ok());
  CHECK(eof.value == 0);
  // The first send is accepted by the kernel and answered with RST; the next one fails.
  int err = 0;
  for (int i = 0; i < 10 && err == 0; ++i) err = ops::send(ctx, p.client, "x").err;
  CHECK((err == EPIPE || err == ECONNRESET));
  // The failed send's event shows what it was asked to send, as its call line does.
  const std::vector<Event> events = log.all();
  CHECK(events.back().call == Call::Send);
  CHECK(events.back().bytes == "x");
  (void)ops::close(ctx, p.client);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("an abortive close (SO_LINGER 0) makes the peer's recv fail with ECONNRESET") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  const linger abort{1, 0};
  REQUIRE(::setsockopt(p.server, SOL_SOCKET, SO_LINGER, &abort, sizeof abort) == 0);
  (void)ops::close(ctx, p.server);
  const CallResult r = ops::recv(ctx, p.client, 1024);
  CHECK(errno_name(r.err) == "ECONNRESET");
  (void)ops::close(ctx, p.client);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("recv(1024) of a 3000-byte message comes in pieces: 1024, 1024, 952") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  const std::string message(3000, 'x');
  CHECK(ops::sendall(ctx, p.client, message).value == 3000);
  CHECK(ops::recv(ctx, p.server, 1024).value == 1024);
  CHECK(ops::recv(ctx, p.server, 1024).value == 1024);
  CHECK(ops::recv(ctx, p.server, 1024).value == 952);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("two sends can arrive as one recv: a stream has no message boundaries") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  (void)ops::send(ctx, p.client, "hello");
  (void)ops::send(ctx, p.client, "world");
  std::string got;
  while (got.size() < 10) {
    const CallResult r = ops::recv(ctx, p.server, 1024);
    REQUIRE(r.value > 0);
    got += r.bytes;
  }
  CHECK(got == "helloworld");
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("setblocking(False) makes an empty recv fail with EAGAIN; settimeout makes it time out") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  (void)ops::setblocking(ctx, p.server, false);
  CHECK(ops::recv(ctx, p.server, 1024).err == EAGAIN);
  (void)ops::settimeout(ctx, p.server, 0.05);
  // Python's timeout is no errno (TimeoutError('timed out')); ETIMEDOUT is TCP giving up.
  const CallResult timed_out = ops::recv(ctx, p.server, 1024);
  CHECK(timed_out.err == kPythonTimeout);
  CHECK(errno_name(timed_out.err) == "timeout");
  (void)ops::setblocking(ctx, p.client, false);
  CHECK(ops::recv(ctx, p.client, 1024).err == EAGAIN);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("UDP: sendto/recvfrom keep datagrams whole; a too-small buffer truncates") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const int server = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_DGRAM).value);
  REQUIRE(ops::bind(ctx, server, loopback(0)).ok());
  const int port = ops::getsockname(ctx, server).address.port;
  const int client = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_DGRAM).value);
  CHECK(ops::sendto(ctx, client, "one", loopback(port)).value == 3);
  CHECK(ops::sendto(ctx, client, std::string(3000, 'y'), loopback(port)).value == 3000);
  const CallResult first = ops::recvfrom(ctx, server, 1024);
  CHECK(first.bytes == "one");
  CHECK(first.address.host == "127.0.0.1");
  CHECK(first.text.empty());
  const CallResult second = ops::recvfrom(ctx, server, 1024);
  CHECK(second.value == 1024);
  CHECK(second.text == "truncated");
  CHECK(ops::listen(ctx, server, 5).err == EOPNOTSUPP);
  (void)ops::close(ctx, client);
  (void)ops::close(ctx, server);
}

TEST_CASE("errors the seed's calls produce out of order") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const int fd = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  (void)ops::setblocking(ctx, fd, false);
  CHECK(ops::accept(ctx, fd).err == EINVAL);       // accept before listen
  CHECK(ops::recv(ctx, fd, 10).err == ENOTCONN);   // recv unconnected
  CHECK(ops::send(ctx, fd, "x").err == EPIPE);     // send unconnected: EPIPE, no SIGPIPE
  CHECK(ops::bind(ctx, fd, loopback(0)).ok());
  CHECK(ops::bind(ctx, fd, loopback(0)).err == EINVAL);  // bind twice
  CHECK(ops::socket(ctx, AF_INET, SOCK_RDM).err == ESOCKTNOSUPPORT);
  CHECK(ops::close(ctx, fd).ok());
  CHECK(ops::close(ctx, fd).err == EBADF);
}

TEST_CASE("shutdown(SHUT_WR) is a half-close: the peer reads EOF but can still send") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  CHECK(ops::shutdown(ctx, p.client, SHUT_WR).ok());
  CHECK(ops::recv(ctx, p.server, 1024).value == 0);
  CHECK(ops::send(ctx, p.server, "still here").value == 10);
  CHECK(ops::recv(ctx, p.client, 1024).bytes == "still here");
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("options and names: SO_RCVBUF doubles, getaddrinfo/gethostbyname/getfqdn stay on loopback") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const int fd = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  CHECK(ops::setsockopt(ctx, fd, SOL_SOCKET, SO_RCVBUF, 4096).ok());
  CHECK(ops::getsockopt(ctx, fd, SOL_SOCKET, SO_RCVBUF).value == 8192);
  (void)ops::close(ctx, fd);
  const CallResult ai = ops::getaddrinfo(ctx, "localhost", 8084, AF_INET, SOCK_STREAM);
  CHECK(ai.ok());
  CHECK(ai.address.to_string() == "127.0.0.1:8084");
  CHECK(ops::gethostbyname(ctx, "localhost").text == "127.0.0.1");
  CHECK(ops::gethostbyname(ctx, "example.com").err == EPERM);
  CHECK_FALSE(ops::getfqdn(ctx).text.empty());
  // A lookup that fails reports getaddrinfo's own code, as socket.gaierror does, not an errno.
  const CallResult no_family = ops::getaddrinfo(ctx, "127.0.0.1", 8084, AF_INET6, SOCK_STREAM);
  CHECK(no_family.err == EAI_ADDRFAMILY);
  CHECK(errno_name(no_family.err) == "EAI_ADDRFAMILY");
  CHECK(errno_message(no_family.err) == "Address family for hostname not supported");
  CHECK(ops::gethostbyname(ctx, "::1").err == EAI_ADDRFAMILY);
  CHECK(errno_from_name("EAI_NONAME") == EAI_NONAME);
}

TEST_CASE("sendall loops over partial sends while a slow reader drains a small buffer") {
  EventLog log;
  OpContext ctx(&log, "writer", nullptr);
  OpContext reader_ctx(&log, "reader", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  (void)ops::setsockopt(ctx, p.client, SOL_SOCKET, SO_SNDBUF, 4096);
  (void)ops::setsockopt(ctx, p.server, SOL_SOCKET, SO_RCVBUF, 16384);
  const std::string big(200000, 'z');
  std::size_t received = 0;
  std::thread reader([&] {
    while (received < big.size()) {
      const CallResult r = ops::recv(reader_ctx, p.server, 65536);
      if (r.value <= 0) break;
      received += static_cast<std::size_t>(r.value);
    }
  });
  const CallResult sent = ops::sendall(ctx, p.client, big);
  reader.join();
  CHECK(sent.value == static_cast<long long>(big.size()));
  CHECK(received == big.size());
  // A plain non-blocking send into the same small buffer takes only part of it.
  (void)ops::setblocking(ctx, p.client, false);
  const CallResult partial = ops::send(ctx, p.client, big);
  CHECK(partial.value > 0);
  CHECK(partial.value < static_cast<long long>(big.size()));
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("a refused socket's send queue is its SYN, never acknowledged, not a byte to send") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener closed = listen_loopback(ctx);
  (void)ops::close(ctx, closed.fd);
  const int fresh = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  const SocketView before = inspect_socket(fresh);
  CHECK(before.outq == 0);
  CHECK_FALSE(before.outq_is_syn);
  REQUIRE(ops::connect(ctx, fresh, loopback(closed.port)).err == ECONNREFUSED);
  const SocketView refused = inspect_socket(fresh);
  CHECK(refused.state == "CLOSE");
  CHECK(refused.outq >= 1);  // SIOCOUTQ: write_seq - snd_una, the SYN's sequence number
  CHECK(refused.outq_is_syn);
  // A connection that was made and then ended counts real bytes, never the SYN.
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  CHECK_FALSE(inspect_socket(p.client).outq_is_syn);
  (void)ops::close(ctx, p.server);
  (void)ops::recv(ctx, p.client, 16);  // EOF
  CHECK_FALSE(inspect_socket(p.client).outq_is_syn);
  for (const int fd : {fresh, p.client, l.fd}) (void)ops::close(ctx, fd);
}
