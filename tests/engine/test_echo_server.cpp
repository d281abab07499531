// The echo server behind `sockstep serve`, with well-behaved and hostile clients on
// loopback: several at once, one that never speaks, one that resets, one that floods,
// a thousand in a row, bytes that are not text, a half-close.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "engine/live/echo_server.hpp"
#include "support/process.hpp"

using namespace sockstep;
using Clock = std::chrono::steady_clock;

namespace {

constexpr auto kWait = std::chrono::seconds(10);  // no answer in this long is a failure

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
constexpr bool kRssShowsTheHeap = false;
#else
constexpr bool kRssShowsTheHeap = true;
#endif

// An EchoServer on 127.0.0.1 with a kernel-chosen port, running on its own thread.
class RunningServer {
 public:
  explicit RunningServer(EchoServerOptions options = {}, EventLogLimits limits = {})
      : log_(limits), server_(log_, Address{AF_INET, "127.0.0.1", 0, {}}, 5, std::move(options)) {
    const EchoServerOpen opened = server_.open();
    REQUIRE(opened.ok());
    port_ = opened.address.port;
    thread_ = std::thread([this] {
      const int result = server_.run();
      {
        std::lock_guard lock(mutex_);
        result_ = result;
        finished_ = true;
      }
      finished_cv_.notify_all();
    });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  RunningServer(const RunningServer&) = delete;
  RunningServer& operator=(const RunningServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  EchoServer& server() { return server_; }
  EventLog& log() { return log_; }
  // Waits for run() to return by itself (max_clients); its result, or -1 on timeout.
  int wait_finished(std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    if (!finished_cv_.wait_for(lock, timeout, [this] { return finished_; })) return -1;
    return result_;
  }

 private:
  EventLog log_;
  EchoServer server_;
  int port_ = 0;
  std::mutex mutex_;
  std::condition_variable finished_cv_;
  bool finished_ = false;
  int result_ = -1;
  std::thread thread_;
};

// A plain client socket, closed with the test.
struct Client {
  int fd = -1;
  explicit Client(int port) {
    fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~Client() {
    if (fd >= 0) ::close(fd);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void send(const std::string& data) const {
    REQUIRE(::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size()));
  }
  // Reads exactly n bytes (fewer at EOF), waiting at most kWait for each part.
  [[nodiscard]] std::string read(std::size_t n) const {
    std::string out;
    while (out.size() < n) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kWait).count())) != 1) break;
      char buffer[4096];
      const ssize_t got = ::recv(fd, buffer, std::min(sizeof buffer, n - out.size()), 0);
      if (got <= 0) break;
      out.append(buffer, static_cast<std::size_t>(got));
    }
    return out;
  }
  [[nodiscard]] std::string round_trip(const std::string& data) const {
    send(data);
    return read(data.size());
  }
};

std::size_t count_calls(const EventLog& log, Call call, int err = 0) {
  const auto events = log.all();
  return static_cast<std::size_t>(std::count_if(events.begin(), events.end(), [&](const Event& e) {
    return e.kind == EventKind::Call && e.call == call && e.err == err;
  }));
}

// Python's bytes.upper(): ASCII letters only; every other byte stays as it is.
std::string python_upper(std::string bytes) {
  for (char& c : bytes)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return bytes;
}

long rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// Waits for an event through the log's listener (no polling of the log, no sleep).
class LogWatch {
 public:
  explicit LogWatch(EventLog& log) : log_(log) {
    log_.set_listener([this](const Event& e) {
      {
        std::lock_guard lock(mutex_);
        seen_.push_back(e);
      }
      cv_.notify_all();
    });
  }
  ~LogWatch() { log_.set_listener({}); }
  LogWatch(const LogWatch&) = delete;
  LogWatch& operator=(const LogWatch&) = delete;

  bool wait_for(const std::function<bool(const Event&)>& wanted, std::chrono::milliseconds timeout = kWait) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return std::any_of(seen_.begin(), seen_.end(), wanted); });
  }

 private:
  EventLog& log_;
  std::mutex mutex_;
  std::condition_variable cv_;
  std::vector<Event> seen_;
};

// Lowers this process's open-file limit for one test and puts it back.
class FdLimit {
 public:
  explicit FdLimit(rlim_t soft) {
    REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved_) == 0);
    rlimit lowered = saved_;
    lowered.rlim_cur = soft;
    REQUIRE(::setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  }
  ~FdLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
  FdLimit(const FdLimit&) = delete;
  FdLimit& operator=(const FdLimit&) = delete;

 private:
  rlimit saved_{};
};

int lowest_free_fd() {
  const int fd = ::dup(0);
  ::close(fd);
  return fd;
}

}  // namespace

TEST_SUITE("echo server") {

TEST_CASE("out of file descriptors: accept() fails with EMFILE once, and the client gets in when one leaves") {
  RunningServer running;
  LogWatch watch(running.log());
  auto first = std::make_unique<Client>(running.port());
  CHECK(first->round_trip("a") == "A");
  std::optional<Client> second;
  {
    // Room for one more fd: the second client's socket. The server's accept() gets none.
    FdLimit limit(static_cast<rlim_t>(lowest_free_fd() + 1));
    second.emplace(running.port());
    CHECK(watch.wait_for([](const Event& e) { return e.call == Call::Accept && e.err == EMFILE; }));
    CHECK(watch.wait_for([](const Event& e) { return e.kind == EventKind::Note && e.detail.find("EMFILE") != std::string::npos; }));
    second->send("b");
    first.reset();  // the first client leaves: its server socket is closed, an fd is free
    CHECK(second->read(1) == "B");
  }
  CHECK(running.server().stats().accept_pauses == 1);
  CHECK(count_calls(running.log(), Call::Accept, EMFILE) == 1);
  CHECK(second->round_trip("c") == "C");
}

TEST_CASE("out of file descriptors for a while: said once, then how many retries found none when it clears") {
  RunningServer running;
  LogWatch watch(running.log());
  auto first = std::make_unique<Client>(running.port());
  CHECK(first->round_trip("a") == "A");
  std::optional<Client> second;
  {
    FdLimit limit(static_cast<rlim_t>(lowest_free_fd() + 1));
    second.emplace(running.port());
    CHECK(watch.wait_for([](const Event& e) { return e.call == Call::Accept && e.err == EMFILE; }));
    // The server retries every second; two retries must pass without a word.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (running.server().stats().fd_retries < 2 && std::chrono::steady_clock::now() < deadline)
      (void)watch.wait_for([](const Event&) { return false; }, std::chrono::milliseconds(100));
    CHECK(running.server().stats().fd_retries >= 2);
    first.reset();
    CHECK(watch.wait_for([](const Event& e) { return e.detail.find("descriptors are free again") != std::string::npos; }));
    CHECK(second->round_trip("b") == "B");
  }
  std::vector<Event> notes;
  (void)running.log().copy_since(0, notes);
  std::size_t emfile_notes = 0;
  std::string cleared;
  for (const auto& e : notes) {
    if (e.kind == EventKind::Note && e.detail.find("EMFILE") != std::string::npos) ++emfile_notes;
    if (e.detail.find("free again") != std::string::npos) cleared = e.detail;
  }
  CHECK(emfile_notes == 1);
  CHECK(count_calls(running.log(), Call::Accept, EMFILE) == 1);
  CHECK_MESSAGE(cleared.find(" retries found none free") != std::string::npos, cleared);
  CHECK(cleared.find("(0 retries") == std::string::npos);
}

TEST_CASE("two clients at once: one stays silent, the other is served meanwhile") {
  RunningServer running;
  Client silent(running.port());
  Client talker(running.port());
  CHECK(talker.round_trip("hello") == "HELLO");
  CHECK(talker.round_trip("again") == "AGAIN");
  // The silent one was accepted too, and is still served once it speaks.
  CHECK(silent.round_trip("late") == "LATE");
  CHECK(count_calls(running.log(), Call::Accept) == 2);
  CHECK(running.server().stats().accepted == 2);
}

TEST_CASE("stop() ends run() while clients are connected, and every socket is closed") {
  RunningServer running;
  Client idle(running.port());
  CHECK(idle.round_trip("x") == "X");
  const std::size_t closes_before = count_calls(running.log(), Call::Close);
  running.server().stop();
  CHECK(running.wait_finished() == 0);
  CHECK(count_calls(running.log(), Call::Close) == closes_before + 2);  // the client's socket, the listener
  // The server closed the connection: the client reads EOF.
  CHECK(idle.read(1).empty());
}

TEST_CASE("max_clients: run() returns once that many clients were served") {
  EchoServerOptions options;
  options.max_clients = 2;
  RunningServer running(options);
  for (const char* text : {"one", "two"}) {
    Client c(running.port());
    CHECK(c.round_trip(text) == python_upper(text));
  }
  CHECK(running.wait_finished() == 0);
  CHECK(running.server().stats().closed == 2);
  CHECK(count_calls(running.log(), Call::Recv) >= 4);  // the data and the EOF, each
}

TEST_CASE("a client that resets shows as ECONNRESET, and the next client is served") {
  EchoServerOptions options;
  options.max_clients = 2;
  RunningServer running(options);
  {
    Client resetter(running.port());
    CHECK(resetter.round_trip("hi") == "HI");
    const linger reset{1, 0};  // close() now sends RST instead of FIN
    REQUIRE(::setsockopt(resetter.fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset) == 0);
  }
  Client next(running.port());
  CHECK(next.round_trip("still there?") == "STILL THERE?");
  ::shutdown(next.fd, SHUT_WR);
  CHECK(running.wait_finished() == 0);
  CHECK(count_calls(running.log(), Call::Recv, ECONNRESET) == 1);
}

TEST_CASE("bytes that are not text come back exactly, upper-cased as bytes.upper() does") {
  RunningServer running;
  Client c(running.port());
  std::string all;
  for (int round = 0; round < 4; ++round)
    for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  const std::string echo = c.round_trip(all);
  REQUIRE(echo.size() == all.size());
  CHECK(echo == python_upper(all));
  CHECK(echo[0x61] == 'A');
  CHECK(echo[0xe1] == static_cast<char>(0xe1));  // not a letter to ASCII: unchanged
}

TEST_CASE("a client that half-closes still gets its whole echo, then EOF") {
  RunningServer running;
  Client c(running.port());
  const std::string text(200 * 1000, 'q');
  // Larger than the socket buffers: send from a thread while this one reads.
  std::thread sender([&] {
    CHECK(::send(c.fd, text.data(), text.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(text.size()));
    ::shutdown(c.fd, SHUT_WR);
  });
  const std::string echo = c.read(text.size() + 1);
  sender.join();
  CHECK(echo.size() == text.size());
  CHECK(echo == python_upper(text));
}

TEST_CASE("1000 clients in a row are each served and closed") {
  EchoServerOptions options;
  options.max_clients = 1000;
  RunningServer running(options);
  const int fds_before = test::count_open_fds();
  int served = 0;
  for (int i = 0; i < 1000; ++i) {
    Client c(running.port());
    if (c.round_trip("x") == "X") ++served;
  }
  CHECK(served == 1000);
  CHECK(running.wait_finished() == 0);
  const EchoServerStats stats = running.server().stats();
  CHECK(stats.accepted == 1000);
  CHECK(stats.closed == 1000);
  CHECK(count_calls(running.log(), Call::Accept) == 1000);
  // Every accepted socket and the listener are closed again.
  CHECK(test::count_open_fds() == fds_before - 1);
}

}  // TEST_SUITE

namespace {

// A client sends total bytes without reading until the server pushes back, then reads
// its echo while sending the rest. The server must never hold more than its cap.
void flood_then_read(const std::size_t total) {
  EchoServerOptions options;
  options.max_pending_output = 256 * 1024;
  EventLogLimits limits;
  limits.max_total_bytes = 4 * 1024 * 1024;  // the log's own caps, so RSS shows the server's buffers
  limits.max_events = 10000;
  RunningServer running(options, limits);
  const long rss_before = rss_kib();
  Client flood(running.port());
  Client other(running.port());

  std::string chunk(64 * 1024, '\0');
  for (std::size_t i = 0; i < chunk.size(); ++i) chunk[i] = static_cast<char>('a' + i % 26);
  std::size_t sent = 0;
  // Phase 1: send without reading until TCP stops taking bytes because the server stopped
  // reading (its echo for this client is at the cap); every wait is bounded.
  const auto phase_deadline = Clock::now() + kWait;
  bool pushed_back = false;
  while (!pushed_back && sent < total && Clock::now() < phase_deadline) {
    const ssize_t n = ::send(flood.fd, chunk.data() + sent % chunk.size(), chunk.size() - sent % chunk.size(),
                             MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<std::size_t>(n);
      continue;
    }
    REQUIRE(errno == EAGAIN);
    const EchoServerStats s = running.server().stats();
    pushed_back = s.pending_bytes + 1024 > options.max_pending_output;
    if (pushed_back) break;
    pollfd p{flood.fd, POLLOUT, 0};
    (void)::poll(&p, 1, 1000);  // the server reads on; if it stopped meanwhile, stats say so next
  }
  REQUIRE(pushed_back);
  const EchoServerStats held = running.server().stats();
  CHECK(held.pending_bytes <= options.max_pending_output);
  CHECK(held.peak_pending_bytes <= options.max_pending_output);
  MESSAGE("sent ", sent, " bytes before the push-back; the server holds ", held.pending_bytes);
  // Meanwhile another client is served as usual.
  CHECK(other.round_trip("are you there?") == "ARE YOU THERE?");

  // Phase 2: read the echo while sending the rest; all of it comes back upper-cased.
  std::size_t received = 0;
  bool same = true;
  std::string buffer(256 * 1024, '\0');
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (received < total && Clock::now() < deadline) {
    pollfd p{flood.fd, static_cast<short>(POLLIN | (sent < total ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, static_cast<int>(std::chrono::milliseconds(kWait).count())) != 1) break;
    if ((p.revents & POLLOUT) != 0 && sent < total) {
      const std::size_t at = sent % chunk.size();
      const std::size_t want = std::min(chunk.size() - at, total - sent);
      const ssize_t n = ::send(flood.fd, chunk.data() + at, want, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) sent += static_cast<std::size_t>(n);
    }
    if ((p.revents & POLLIN) != 0) {
      const ssize_t n = ::recv(flood.fd, buffer.data(), buffer.size(), MSG_DONTWAIT);
      if (n == 0) break;
      for (ssize_t i = 0; i < n && same; ++i)
        same = buffer[static_cast<std::size_t>(i)] == static_cast<char>('A' + (received + static_cast<std::size_t>(i)) % chunk.size() % 26);
      if (n > 0) received += static_cast<std::size_t>(n);
    }
  }
  CHECK(sent == total);
  CHECK(received == total);
  CHECK(same);
  const EchoServerStats after = running.server().stats();
  CHECK(after.peak_pending_bytes <= options.max_pending_output);
  const long rss_growth_kib = rss_kib() - rss_before;
  MESSAGE("RSS grew by ", rss_growth_kib, " KiB while ", total, " bytes were echoed");
  // The log's 4 MiB, the cap, buffers: far below the flood. Sanitizers keep shadow memory
  // and freed blocks in quarantine, so there the pending bytes above are the measure.
  if (kRssShowsTheHeap) CHECK(rss_growth_kib < 32 * 1024);
}

}  // namespace

TEST_SUITE("echo server") {
TEST_CASE("a client that floods 16 MB and reads only at the end: the server holds at most its cap") {
  flood_then_read(16 * 1000 * 1000);
}
}  // TEST_SUITE

// About 5 s here, more under sanitizers: run with the soak tests.
TEST_SUITE("soak") {
TEST_CASE("a client that floods 100 MB and reads only at the end: the server holds at most its cap") {
  flood_then_read(100 * 1000 * 1000);
}
}  // TEST_SUITE

TEST_SUITE("echo server") {

TEST_CASE("open() on a port a listener holds fails at bind with EADDRINUSE") {
  RunningServer running;
  EventLog log;
  EchoServer second(log, Address{AF_INET, "127.0.0.1", running.port(), {}}, 5);
  // SO_REUSEADDR does not let two listeners share a port.
  const EchoServerOpen opened = second.open();
  CHECK_FALSE(opened.ok());
  CHECK(opened.failed_call == "bind");
  CHECK(opened.err == EADDRINUSE);
  CHECK(second.run() == EBADF);  // nothing to serve
}

TEST_CASE("stop() before run(): run() returns at once") {
  EventLog log;
  EchoServer server(log, Address{AF_INET, "127.0.0.1", 0, {}}, 5);
  REQUIRE(server.open().ok());
  server.stop();
  CHECK(server.run() == 0);
  CHECK(count_calls(log, Call::Close) == 1);
}

}  // TEST_SUITE
