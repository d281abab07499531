// The kernel's accept-queue overflow counters, read from /proc/net/netstat and checked
// against nstat; and the echo server saying, with the kernel's numbers, that a burst of
// clients found its queue full, then serving every one of them (none reset).
#include <doctest/doctest.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "engine/live/echo_server.hpp"
#include "engine/inspect/listen_overflows.hpp"
#include "support/process.hpp"

using namespace sockstep;

namespace {

// nstat's absolute value of one counter, e.g. TcpExtListenOverflows; -1 when it says none.
long long nstat_value(const std::string& name) {
  const test::RunResult r = test::run({"nstat", "-asz", name});
  std::istringstream lines(r.out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string key;
    long long value = -1;
    if (words >> key >> value && key == name) return value;
  }
  return -1;
}

// A client socket whose connect() was started without waiting.
int start_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  (void)::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  return fd;
}

// Waits (bounded) until fd is ready for events; false on timeout.
bool wait_for(int fd, short events, int timeout_ms) {
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, timeout_ms) == 1;
}

// Runs the server on a thread; stops and joins it on every way out of a test.
class Serving {
 public:
  explicit Serving(EchoServer& server) : server_(server), thread_([this] { (void)server_.run(); }) {}
  ~Serving() {
    server_.stop();
    thread_.join();
  }
  Serving(const Serving&) = delete;
  Serving& operator=(const Serving&) = delete;

 private:
  EchoServer& server_;
  std::thread thread_;
};

}  // namespace

TEST_CASE("parse_listen_counters reads the TcpExt pair by name") {
  const std::string text =
      "TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed ListenOverflows ListenDrops TCPHPHits\n"
      "TcpExt: 1 4 2 7 9 100\n"
      "IpExt: InNoRoutes\n"
      "IpExt: 0\n";
  const auto c = parse_listen_counters(text);
  REQUIRE(c.has_value());
  CHECK(c->overflows == 7);
  CHECK(c->drops == 9);
  CHECK(c->cookies_sent == 1);
  CHECK(c->cookies_failed == 2);
  const auto without_cookies = parse_listen_counters("TcpExt: ListenOverflows ListenDrops\nTcpExt: 3 4\n");
  REQUIRE(without_cookies.has_value());
  CHECK(without_cookies->cookies_sent == 0);
  CHECK_FALSE(parse_listen_counters("TcpExt: ListenOverflows\n").has_value());
  CHECK_FALSE(parse_listen_counters("TcpExt: ListenOverflows ListenDrops\nTcpExt: 1\n").has_value());
  CHECK_FALSE(parse_listen_counters("TcpExt: ListenOverflows ListenDrops\nTcpExt: 1 x\n").has_value());
  CHECK_FALSE(parse_listen_counters("").has_value());
}

TEST_CASE("the counters read here are the ones nstat reads") {
  if (test::find_program("nstat").empty()) {
    MESSAGE("nstat (iproute2) is not installed: nothing to compare with");
    return;
  }
  const auto before = read_listen_counters();
  REQUIRE(before.has_value());
  const long long overflows = nstat_value("TcpExtListenOverflows");
  const long long drops = nstat_value("TcpExtListenDrops");
  const long long cookies_sent = nstat_value("TcpExtSyncookiesSent");
  const long long cookies_failed = nstat_value("TcpExtSyncookiesFailed");
  const auto after = read_listen_counters();
  REQUIRE(after.has_value());
  // Another program may overflow a queue meanwhile: nstat's reading lies between ours.
  CHECK(overflows >= static_cast<long long>(before->overflows));
  CHECK(overflows <= static_cast<long long>(after->overflows));
  CHECK(drops >= static_cast<long long>(before->drops));
  CHECK(drops <= static_cast<long long>(after->drops));
  CHECK(cookies_sent >= static_cast<long long>(before->cookies_sent));
  CHECK(cookies_sent <= static_cast<long long>(after->cookies_sent));
  CHECK(cookies_failed >= static_cast<long long>(before->cookies_failed));
  CHECK(cookies_failed <= static_cast<long long>(after->cookies_failed));
}

TEST_CASE("a burst that overflows the accept queue is said with the kernel's count, and every client is served") {
  constexpr int kClients = 5;
  EventLog log;
  EchoServerOptions options;
  options.max_clients = kClients;
  // listen(1): the kernel's queue takes backlog + 1 = 2 connections, so of five clients
  // arriving before the first accept(), three find it full.
  EchoServer server(log, Address{AF_INET, "127.0.0.1", 0, {}}, 1, options);
  const EchoServerOpen opened = server.open();
  REQUIRE(opened.ok());
  const auto start = read_listen_counters();
  REQUIRE(start.has_value());
  std::vector<int> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(start_connect(opened.address.port));
  // The kernel takes the handshakes of the two that fit at once (in the connect call's
  // own softirq); the others' SYNs are dropped and counted before the server runs.
  const auto queued = read_listen_counters();
  REQUIRE(queued.has_value());
  const std::uint64_t kernel_overflows = queued->overflows - start->overflows;
  CHECK(kernel_overflows >= 3);
  std::optional<Serving> serving(std::in_place, server);
  // Every client gets its echo: the dropped ones after their SYN is sent again (1 s).
  for (int fd : clients) {
    REQUIRE(wait_for(fd, POLLOUT, 10000));
    int err = 0;
    socklen_t len = sizeof err;
    REQUIRE(::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0);
    CHECK(err == 0);
    REQUIRE(::send(fd, "hi", 2, MSG_NOSIGNAL) == 2);
    char reply[8] = {};
    REQUIRE(wait_for(fd, POLLIN, 10000));
    CHECK(::recv(fd, reply, sizeof reply, 0) == 2);
    CHECK(std::string(reply, 2) == "HI");
    ::close(fd);
  }
  serving.reset();
  std::uint64_t said = 0;
  int backlog = -1;
  for (const Event& e : log.all()) {
    if (e.kind != EventKind::Note || e.note != NoteKind::ListenFull) continue;
    said += e.overflow.overflows;
    backlog = e.overflow.backlog;
    CHECK(e.detail.find("accept queue full") != std::string::npos);
    CHECK(e.args.find("全连接队列") != std::string::npos);
  }
  // What the server said is the kernel's count since it was made: at least the burst's
  // drops (another program's overflows in this namespace would be counted too).
  CHECK(said >= kernel_overflows);
  const auto end = read_listen_counters();
  REQUIRE(end.has_value());
  CHECK(said <= end->overflows - start->overflows);
  CHECK(backlog == 1);
  CHECK(server.stats().listen_overflows == said);
  CHECK(server.stats().closed == kClients);
}

TEST_CASE("max_clients served: clients still waiting in the queue are served too, not reset") {
  EventLog log;
  EchoServerOptions options;
  options.max_clients = 1;
  EchoServer server(log, Address{AF_INET, "127.0.0.1", 0, {}}, 5, options);
  const EchoServerOpen opened = server.open();
  REQUIRE(opened.ok());
  std::vector<int> clients;
  for (int i = 0; i < 3; ++i) clients.push_back(start_connect(opened.address.port));
  for (int fd : clients) REQUIRE(wait_for(fd, POLLOUT, 10000));  // all three in the queue
  std::optional<Serving> serving(std::in_place, server);
  for (int fd : clients) {
    REQUIRE(::send(fd, "ok", 2, MSG_NOSIGNAL) == 2);
    REQUIRE(::shutdown(fd, SHUT_WR) == 0);
    std::string got;
    char buf[16];
    for (;;) {
      REQUIRE(wait_for(fd, POLLIN, 10000));
      const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      REQUIRE(n >= 0);  // a reset would be ECONNRESET here
      if (n == 0) break;
      got.append(buf, static_cast<std::size_t>(n));
    }
    CHECK(got == "OK");
    ::close(fd);
  }
  serving.reset();
  CHECK(server.stats().closed == 3);
}
