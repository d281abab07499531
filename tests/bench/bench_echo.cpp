// Echo round trips: the engine's ops (events recorded) against a plain C loop, and
// `sockstep serve --headless` against a plain C echo server, measured side by side in
// one run. Prints ratios; never fails on time (these machines are noisy).
//
// Every variant runs its client on one core and its server on another (core_placement.hpp);
// the engine and the plain loop run once more with both threads on one core, printed apart.
#include <netinet/in.h>
#include <signal.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "core_placement.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "support/process.hpp"

using namespace sockstep;
using bench::OnCore;
using bench::Placement;
using bench::run_on;
using Clock = std::chrono::steady_clock;

namespace {

constexpr int kRounds = 7;           // alternating runs of each variant
constexpr int kTrips = 4000;         // ping-pongs per run
// Untimed ping-pongs before them: a round trip's cost is that of a running server, not
// of one starting (a new process first touches its memory: its code, the heap that holds
// its events' bytes).
constexpr int kWarmup = 1000;
constexpr std::size_t kMessage = 64;

int plain_listener(int& port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  ::listen(fd, 5);
  socklen_t length = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length);
  port = ntohs(addr.sin_port);
  return fd;
}

int plain_connect(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  const int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

bool read_exact(int fd, char* buffer, std::size_t n) {
  std::size_t got = 0;
  while (got < n) {
    const ssize_t r = ::recv(fd, buffer + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<std::size_t>(r);
  }
  return true;
}

// The client side every variant shares: blocking send + read the whole reply.
double client_trips(int fd) {
  const std::string message(kMessage, 'p');
  std::vector<char> reply(kMessage);
  const auto trips = [&](int n) {
    for (int i = 0; i < n; ++i) {
      if (::send(fd, message.data(), message.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(kMessage)) return false;
      if (!read_exact(fd, reply.data(), kMessage)) return false;
    }
    return true;
  };
  if (!trips(kWarmup)) return -1;
  const auto start = Clock::now();
  if (!trips(kTrips)) return -1;
  return std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kTrips;
}

void plain_echo(int conn) {
  char buffer[1024];
  for (;;) {
    const ssize_t n = ::recv(conn, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    if (::send(conn, buffer, static_cast<std::size_t>(n), MSG_NOSIGNAL) != n) break;
  }
  ::close(conn);
}

// Plain C: blocking recv/send on both sides.
double plain_rtt(const Placement& where) {
  const OnCore client_core(where.client);
  int port = 0;
  const int listener = plain_listener(port);
  std::thread server([&] {
    run_on(where.server);
    plain_echo(::accept(listener, nullptr, nullptr));
  });
  const int fd = plain_connect(port);
  const double rtt = client_trips(fd);
  ::close(fd);
  server.join();
  ::close(listener);
  return rtt;
}

// The engine: both sides through ops::send/recv, every call recorded in the event log.
// The log starts empty, cleared as a session clears it on every reset.
double engine_rtt(const Placement& where, EventLog& log, std::size_t& events) {
  const OnCore client_core(where.client);
  log.clear();
  OpContext server_ctx(&log, "server", nullptr);
  OpContext client_ctx(&log, "client", nullptr);
  const int listener = static_cast<int>(ops::socket(server_ctx, AF_INET, SOCK_STREAM).value);
  (void)ops::bind(server_ctx, listener, Address{AF_INET, "127.0.0.1", 0, {}});
  (void)ops::listen(server_ctx, listener, 5);
  const int port = ops::getsockname(server_ctx, listener).address.port;
  std::thread server([&] {
    run_on(where.server);
    const int conn = static_cast<int>(ops::accept(server_ctx, listener).value);
    for (;;) {
      const CallResult data = ops::recv(server_ctx, conn, 1024);
      if (!data.ok() || data.value == 0) break;
      if (!ops::send(server_ctx, conn, data.bytes).ok()) break;
    }
    (void)ops::close(server_ctx, conn);
  });
  const int fd = static_cast<int>(ops::socket(client_ctx, AF_INET, SOCK_STREAM).value);
  (void)ops::connect(client_ctx, fd, Address{AF_INET, "127.0.0.1", port, {}});
  (void)ops::setsockopt(client_ctx, fd, IPPROTO_TCP, TCP_NODELAY, 1);
  const std::string message(kMessage, 'p');
  const auto trips = [&](int n) {
    for (int i = 0; i < n; ++i) {
      (void)ops::send(client_ctx, fd, message);
      std::size_t got = 0;
      while (got < kMessage) {
        const CallResult r = ops::recv(client_ctx, fd, kMessage - got);
        if (r.value <= 0) break;
        got += static_cast<std::size_t>(r.value);
      }
    }
  };
  trips(kWarmup);
  const std::uint64_t first_seq = log.next_seq();
  const auto start = Clock::now();
  trips(kTrips);
  const double rtt = std::chrono::duration<double, std::micro>(Clock::now() - start).count() / kTrips;
  (void)ops::close(client_ctx, fd);
  server.join();
  (void)ops::close(server_ctx, listener);
  events = log.next_seq() - first_seq;  // of the timed trips (and the close)
  return rtt;
}

// End to end: a server program (`sockstep serve --headless` printing its events, or the
// plain C echo server) answering the plain client from this process.
double server_program_rtt(const Placement& where, const std::vector<std::string>& argv) {
  // A spawned process starts on the cores of the thread that spawns it. The thread that
  // drains its output runs on a third core if there is one; on two cores, where the
  // scheduler puts it.
  run_on(where.server);
  test::Process server(argv);
  run_on(-1);
  const int port = test::serving_port(server);
  if (port == 0) return -1;
  // Drain its lines on a thread, as a terminal would, so the pipe never stalls it.
  std::thread drain([&] {
    run_on(where.helper);
    while (server.read_line(std::chrono::seconds(60))) {
    }
  });
  const OnCore client_core(where.client);
  const int fd = plain_connect(port);
  const double rtt = client_trips(fd);
  ::close(fd);
  server.signal(SIGTERM);
  drain.join();
  server.wait();
  return rtt;
}

double serve_rtt(const Placement& where) {
  return server_program_rtt(where, {SOCKSTEP_BIN, "serve", "--headless", "--port", "0"});
}

double plain_server_rtt(const Placement& where) { return server_program_rtt(where, {PLAIN_ECHO_SERVER}); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  const Placement two_cores = bench::placement(false);
  const Placement one_core = bench::placement(true);
  std::vector<double> plain, engine, serve, plain_server, plain_one, engine_one;
  std::size_t events = 0;
  // One log for every run, as a session has one. The first run of each variant is not in
  // the medians: the first runs of a process pay for first-touch page faults and the
  // allocator's warm-up, and the first engine run also grows the log's ring, which a
  // cleared log keeps. That run is printed apart.
  EventLog log;
  const double first_plain = plain_rtt(two_cores);
  const double first_engine = engine_rtt(two_cores, log, events);
  for (int round = 0; round < kRounds; ++round) {
    plain.push_back(plain_rtt(two_cores));
    engine.push_back(engine_rtt(two_cores, log, events));
    plain_server.push_back(plain_server_rtt(two_cores));
    serve.push_back(serve_rtt(two_cores));
    if (one_core.pinned()) {
      plain_one.push_back(plain_rtt(one_core));
      engine_one.push_back(engine_rtt(one_core, log, events));
    }
  }
  // A run that could not connect, or lost its connection, measured nothing.
  for (const auto* runs : {&plain, &plain_server, &serve, &plain_one}) {
    if (std::any_of(runs->begin(), runs->end(), [](double rtt) { return rtt < 0; })) {
      std::fprintf(stderr, "bench_echo: a run could not connect or lost its connection; no ratio to print\n");
      return 1;
    }
  }
  const double p = median(plain), e = median(engine), s = median(serve), ps = median(plain_server);
  std::printf("echo round trip, %zu-byte messages, %d trips (after %d untimed) x %d alternating runs, medians:\n",
              kMessage, kTrips, kWarmup, kRounds);
  if (two_cores.pinned())
    std::printf("  client on core %d, server on core %d\n", two_cores.client, two_cores.server);
  else
    std::printf("  one core: client and server where the scheduler puts them\n");
  std::printf("  %-44s %8.2f us\n", "plain C loop (blocking send/recv)", p);
  std::printf("  %-44s %8.2f us  (%zu events recorded)\n", "engine ops, events recorded", e, events);
  std::printf("  %-44s %8.2f us\n", "plain C echo server (a program of its own)", ps);
  std::printf("  %-44s %8.2f us\n", "sockstep serve --headless (printing events)", s);
  std::printf("  %-44s %8.2f us  (plain %.2f us: %.2fx)\n", "engine, first run: new log, ring grows", first_engine,
              first_plain, first_engine / first_plain);
  if (one_core.pinned()) {
    const double p1 = median(plain_one), e1 = median(engine_one);
    std::printf("  %-44s %8.2f us  (plain %.2f us: %.2fx)\n", "engine, both threads on one core", e1, p1, e1 / p1);
  }
  std::printf("ratio engine / plain:        %.2f (target <= 1.15)\n", e / p);
  std::printf("ratio serve / plain server:  %.2f (target <= 1.30)\n", s / ps);
  return 0;
}
