// How a call waits: in the real system call in Python's blocking mode, in poll() with a
// timeout, and how a Waker ends either wait.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <linux/sockios.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/sockets/socket_ops.hpp"
#include "loopback.hpp"

using namespace sockstep;
using namespace sockstep::test;

namespace {

bool nonblocking_in_kernel(int fd) { return (::fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }

// Runs one call on a thread of its own and lets the test wait until it announced its wait.
class Waiter {
 public:
  Waiter(EventLog& log, Waker* waker) : ctx_(&log, "waiter", waker) {
    ctx_.on_block = [this](const BlockInfo& info) {
      std::lock_guard lock(mutex_);
      blocked_ = info;
      cv_.notify_all();
    };
  }
  ~Waiter() {
    if (thread_.joinable()) thread_.join();
  }
  OpContext& ctx() { return ctx_; }
  template <class Call>
  void start(Call call) {
    thread_ = std::thread([this, call] {
      tid_ = static_cast<int>(::syscall(SYS_gettid));
      result_ = call(ctx_);
    });
  }
  // The BlockInfo it announced, once it did (call empty after 10 s without).
  BlockInfo wait_blocked() {
    std::unique_lock lock(mutex_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return blocked_.call != Call::None; });
    return blocked_;
  }
  CallResult join() {
    thread_.join();
    return result_;
  }
  // The system call the thread is in now, from the kernel (-1: running, not in one).
  [[nodiscard]] long current_syscall() const {
    std::ifstream file("/proc/self/task/" + std::to_string(tid_) + "/syscall");
    std::string first;
    file >> first;
    return first.empty() || first == "running" ? -1 : std::stol(first);
  }

 private:
  OpContext ctx_;
  std::mutex mutex_;
  std::condition_variable cv_;
  BlockInfo blocked_;
  CallResult result_;
  std::thread thread_;
  std::atomic<int> tid_{0};
};

// The announcement comes just before the call enters the kernel; the kernel's own word
// says when it is there. Bounded: the thread stays there until the test wakes it.
long syscall_when_settled(const Waiter& waiter, long expected) {
  long now = -1;
  for (int i = 0; i < 1'000'000 && now != expected; ++i) {
    now = waiter.current_syscall();
    if (now != expected) ::sched_yield();
  }
  return now;
}

}  // namespace

TEST_CASE("a new or accepted socket blocks in the kernel, as in Python; setblocking(False) and settimeout() make it O_NONBLOCK") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  CHECK_FALSE(nonblocking_in_kernel(l.fd));
  CHECK_FALSE(nonblocking_in_kernel(p.client));  // connect lent it O_NONBLOCK and gave it back
  CHECK_FALSE(nonblocking_in_kernel(p.server));
  REQUIRE(ops::setblocking(ctx, p.server, false).ok());
  CHECK(nonblocking_in_kernel(p.server));
  REQUIRE(ops::setblocking(ctx, p.server, true).ok());
  CHECK_FALSE(nonblocking_in_kernel(p.server));
  REQUIRE(ops::settimeout(ctx, p.server, 0.5).ok());
  CHECK(nonblocking_in_kernel(p.server));
  REQUIRE(ops::settimeout(ctx, p.server, -1).ok());
  CHECK_FALSE(nonblocking_in_kernel(p.server));
  CHECK(ops::setblocking(ctx, 9999, false).err == EBADF);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("a connect the kernel finishes before it returns logs no wait, accepted or refused") {
  // On loopback the kernel does the handshake (or the refusal) inside connect() itself,
  // unless it is busy enough to leave that network work for later: then the call really
  // waits, and says so. So of many connects, some may wait, never all.
  constexpr int kConnects = 10;
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx, kConnects);
  const Listener closed = listen_loopback(ctx);
  (void)ops::close(ctx, closed.fd);  // nobody answers on that port now
  std::vector<int> fds;
  for (int i = 0; i < kConnects; ++i) {
    fds.push_back(static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value));
    CHECK(ops::connect(ctx, fds.back(), loopback(l.port)).ok());
    fds.push_back(static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value));
    CHECK(ops::connect_ex(ctx, fds.back(), loopback(closed.port)).value == ECONNREFUSED);
  }
  int waits = 0;
  for (const Event& e : log.all()) waits += e.kind == EventKind::Blocked ? 1 : 0;
  CHECK(waits < kConnects);
  for (int fd : fds) (void)ops::close(ctx, fd);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("a blocking recv waits in recvfrom() itself, not in poll(); the peer's send ends it") {
  EventLog log;
  OpContext main_ctx(&log, "main", nullptr);
  const Listener l = listen_loopback(main_ctx);
  const Pair p = connected_pair(main_ctx, l);
  Waiter waiter(log, nullptr);
  waiter.start([&](OpContext& ctx) { return ops::recv(ctx, p.server, 1024); });
  CHECK(waiter.wait_blocked().call == Call::Recv);
  CHECK(syscall_when_settled(waiter, SYS_recvfrom) == SYS_recvfrom);
  REQUIRE(ops::send(main_ctx, p.client, "hello").ok());
  const CallResult got = waiter.join();
  CHECK(got.bytes == "hello");
  // The waiter's story in the log: the wait, then the call with its bytes.
  std::vector<Event> story;
  for (const Event& e : log.all())
    if (e.actor == "waiter") story.push_back(e);
  REQUIRE(story.size() == 2);
  CHECK(story[0].kind == EventKind::Blocked);
  CHECK(story[1].call == Call::Recv);
  CHECK(story[1].bytes == "hello");
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(main_ctx, fd);
}

TEST_CASE("a blocking recv with MSG_WAITALL waits once, however many pieces its bytes come in") {
  EventLog log;
  OpContext main_ctx(&log, "main", nullptr);
  const Listener l = listen_loopback(main_ctx);
  const Pair p = connected_pair(main_ctx, l);
  Waiter waiter(log, nullptr);
  waiter.start([&](OpContext& ctx) { return ops::recv(ctx, p.server, 5, /*wait_all=*/true); });
  CHECK(waiter.wait_blocked().call == Call::Recv);
  for (const char c : std::string("hello")) {
    CHECK(syscall_when_settled(waiter, SYS_recvfrom) == SYS_recvfrom);
    REQUIRE(ops::send(main_ctx, p.client, std::string(1, c)).ok());
    // Each piece is taken from the queue before the next one is sent (bounded).
    int queued = 1;
    for (int i = 0; i < 1'000'000 && queued > 0; ++i) {
      if (::ioctl(p.server, SIOCINQ, &queued) != 0) break;
      if (queued > 0) ::sched_yield();
    }
  }
  const CallResult got = waiter.join();
  CHECK(got.bytes == "hello");
  int waits = 0;
  for (const Event& e : log.all()) waits += e.actor == "waiter" && e.kind == EventKind::Blocked ? 1 : 0;
  CHECK(waits == 1);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(main_ctx, fd);
}

TEST_CASE("a woken Waker ends a wait with ECANCELED, in the kernel or in poll()") {
  EventLog log;
  Waker waker;
  OpContext main_ctx(&log, "main", nullptr);
  const Listener l = listen_loopback(main_ctx);
  const Pair p = connected_pair(main_ctx, l);
  Waiter waiter(log, &waker);

  SUBCASE("recv in blocking mode, in the kernel") {
    waiter.start([&](OpContext& ctx) { return ops::recv(ctx, p.server, 1024); });
    CHECK(waiter.wait_blocked().call == Call::Recv);
    CHECK(syscall_when_settled(waiter, SYS_recvfrom) == SYS_recvfrom);
  }
  SUBCASE("accept in blocking mode, in the kernel") {
    waiter.start([&](OpContext& ctx) { return ops::accept(ctx, l.fd); });
    CHECK(waiter.wait_blocked().call == Call::Accept);
    CHECK(syscall_when_settled(waiter, SYS_accept4) == SYS_accept4);
  }
  SUBCASE("recv with a timeout, in poll()") {
    (void)ops::settimeout(waiter.ctx(), p.server, 60);
    waiter.start([&](OpContext& ctx) { return ops::recv(ctx, p.server, 1024); });
    CHECK(waiter.wait_blocked().call == Call::Recv);
  }
  waker.wake();
  CHECK(waiter.join().err == ECANCELED);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(main_ctx, fd);
}

TEST_CASE("a call after wake() returns ECANCELED at once; rearm() lets calls wait again") {
  EventLog log;
  Waker waker;
  OpContext ctx(&log, "test", &waker);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  waker.wake();
  CHECK(waker.woken());
  CHECK(ops::recv(ctx, p.server, 1024).err == ECANCELED);
  waker.rearm();
  CHECK_FALSE(waker.woken());
  // Nothing was shut down: the socket still carries data.
  REQUIRE(ops::send(ctx, p.client, "again").ok());
  CHECK(ops::recv(ctx, p.server, 1024).bytes == "again");
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}
