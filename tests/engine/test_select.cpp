// select(): which sockets are ready, as the kernel's own select() says, the answer as
// typed fields of its event, its wait, and a lesson step that checks it.
#include <doctest/doctest.h>
#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/session.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "loopback.hpp"

using namespace sockstep;
using namespace sockstep::test;

namespace {

struct Ready {
  bool readable = false;
  bool writable = false;
  bool operator==(const Ready&) const = default;
};

// The oracle: the kernel's own select() on one fd, just looking.
Ready kernel_select(int fd, bool read, bool write) {
  REQUIRE(fd < FD_SETSIZE);
  fd_set reads, writes;
  FD_ZERO(&reads);
  FD_ZERO(&writes);
  if (read) FD_SET(fd, &reads);
  if (write) FD_SET(fd, &writes);
  timeval now{0, 0};
  REQUIRE(::select(fd + 1, &reads, &writes, nullptr, &now) >= 0);
  return {FD_ISSET(fd, &reads) != 0, FD_ISSET(fd, &writes) != 0};
}

Ready engine_select(OpContext& ctx, int fd, bool read, bool write) {
  const short events = static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0));
  const CallResult r = ops::select(ctx, {{fd, events, 0}}, 0);
  REQUIRE(r.ok());
  REQUIRE(r.polled.size() == 1);
  const Ready ready{r.polled[0].readable(), r.polled[0].writable()};
  CHECK(r.value == (ready.readable ? 1 : 0) + (ready.writable ? 1 : 0));
  return ready;
}

}  // namespace

TEST_CASE("select() finds ready what the kernel's select() finds ready: a queued client, a connect that ended, a refusal") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Listener closed = listen_loopback(ctx);
  (void)ops::close(ctx, closed.fd);  // nobody answers on that port now

  // A listener with nobody waiting: neither.
  CHECK(engine_select(ctx, l.fd, true, false) == Ready{false, false});
  CHECK(kernel_select(l.fd, true, false) == Ready{false, false});

  // A non-blocking connect: EINPROGRESS, then writable once the handshake ended; the
  // listener is readable now (accept() would not wait), the new socket has no data.
  const int phone = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  REQUIRE(ops::setblocking(ctx, phone, false).ok());
  CHECK(ops::connect_ex(ctx, phone, loopback(l.port)).value == EINPROGRESS);
  const CallResult done = ops::select(ctx, {{phone, POLLOUT, 0}}, 5);
  REQUIRE(done.ok());
  CHECK(done.polled.at(0).writable());
  CHECK(engine_select(ctx, phone, true, true) == kernel_select(phone, true, true));
  CHECK(engine_select(ctx, phone, true, true) == Ready{false, true});
  CHECK(engine_select(ctx, l.fd, true, false) == Ready{true, false});
  CHECK(kernel_select(l.fd, true, false) == Ready{true, false});
  CHECK(ops::getsockopt(ctx, phone, SOL_SOCKET, SO_ERROR).value == 0);

  // Refused: the error makes it readable and writable at once, before and after SO_ERROR.
  const int refused = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  REQUIRE(ops::setblocking(ctx, refused, false).ok());
  CHECK(ops::connect_ex(ctx, refused, loopback(closed.port)).value == EINPROGRESS);
  REQUIRE(ops::select(ctx, {{refused, POLLOUT, 0}}, 5).polled.at(0).writable());
  CHECK(engine_select(ctx, refused, true, true) == kernel_select(refused, true, true));
  CHECK(engine_select(ctx, refused, true, true) == Ready{true, true});
  CHECK(ops::getsockopt(ctx, refused, SOL_SOCKET, SO_ERROR).value == ECONNREFUSED);
  CHECK(engine_select(ctx, refused, true, true) == kernel_select(refused, true, true));

  // Its event holds the answer as fields, one entry per socket watched.
  const CallResult both = ops::select(ctx, {{l.fd, POLLIN, 0}, {phone, POLLIN | POLLOUT, 0}}, 0);
  CHECK(both.value == 2);
  const Event e = log.all().back();
  CHECK(e.call == Call::Select);
  CHECK(e.value == 2);
  REQUIRE(e.polled.size() == 2);
  CHECK(e.polled[0].fd == l.fd);
  CHECK(e.polled[0].readable());
  CHECK(e.polled[1].fd == phone);
  CHECK_FALSE(e.polled[1].readable());
  CHECK(e.polled[1].writable());
  CHECK(e.args == "[" + std::to_string(l.fd) + ", " + std::to_string(phone) + "], [" + std::to_string(phone) + "], [], 0");

  // A descriptor that is not open: EBADF, as select() says.
  const int gone = ::dup(phone);
  REQUIRE(gone >= 0);
  ::close(gone);
  CHECK(ops::select(ctx, {{gone, POLLIN, 0}}, 0).err == EBADF);
  for (int fd : {phone, refused, l.fd}) (void)ops::close(ctx, fd);
}

TEST_CASE("select() with a timeout waits: it returns when a peer makes a socket ready, empty when time runs out, cancelled by the waker") {
  EventLog log;
  Waker wake;
  OpContext ctx(&log, "test", &wake);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);

  // Time runs out: nothing ready, no error, after at least the timeout.
  const auto start = std::chrono::steady_clock::now();
  const CallResult empty = ops::select(ctx, {{p.server, POLLIN, 0}}, 0.05);
  CHECK(empty.ok());
  CHECK(empty.value == 0);
  CHECK_FALSE(empty.polled.at(0).readable());
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(50));
  CHECK(log.all().back().detail == "nothing ready (timeout)");

  // A waiting select() announces every socket it waits on; the peer's send ends it.
  std::mutex mutex;
  std::condition_variable cv;
  BlockInfo blocked;
  OpContext waiter(&log, "waiter", &wake);
  waiter.on_block = [&](const BlockInfo& info) {
    std::lock_guard lock(mutex);
    blocked = info;
    cv.notify_all();
  };
  CallResult woke;
  std::thread t([&] { woke = ops::select(waiter, {{l.fd, POLLIN, 0}, {p.server, POLLIN, 0}}, -1); });
  {
    std::unique_lock lock(mutex);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return blocked.call == Call::Select; }));
  }
  CHECK(blocked.waits_on(l.fd));
  CHECK(blocked.waits_on(p.server));
  CHECK_FALSE(blocked.waits_on(p.client));
  REQUIRE(ops::send(ctx, p.client, "hi").ok());
  t.join();
  REQUIRE(woke.ok());
  CHECK(woke.value == 1);
  CHECK_FALSE(woke.polled.at(0).readable());
  CHECK(woke.polled.at(1).readable());

  // Nothing will come: the waker ends the wait with ECANCELED.
  (void)ops::recv(ctx, p.server, 1024);
  blocked = {};
  std::thread t2([&] { woke = ops::select(waiter, {{p.server, POLLIN, 0}}, 60); });
  {
    std::unique_lock lock(mutex);
    REQUIRE(cv.wait_for(lock, std::chrono::seconds(10), [&] { return blocked.call == Call::Select; }));
  }
  wake.wake();
  t2.join();
  CHECK(woke.err == ECANCELED);
  for (int fd : {p.client, p.server, l.fd}) (void)ops::close(ctx, fd);
}

namespace {

const std::string kLesson = R"(id = "x"
title = { en = "t", zh = "t" }
actors = ["server", "client"]

[[step]]
actor = "server"
call = "socket"
result = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }

[[step]]
actor = "server"
call = "bind"
sock = "phone"
args = { host = "127.0.0.1", port = 0 }
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }

[[step]]
actor = "server"
call = "getsockname"
sock = "phone"
result = "addr"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }

[[step]]
actor = "server"
call = "listen"
sock = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }

[[step]]
actor = "client"
call = "socket"
result = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }

[[step]]
actor = "client"
call = "connect"
sock = "phone"
args = { at = "server.addr" }
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }
)";

std::string select_step(const std::string& actor, const std::string& args, const std::string& expect) {
  return "\n[[step]]\nactor = \"" + actor + "\"\ncall = \"select\"\nresult = \"readable, writable\"\nargs = " + args +
         "\nmetaphor = { en = \"m\", zh = \"m\" }\nexplain = { en = \"e\", zh = \"e\" }\nexpect = " + expect + "\n";
}

}  // namespace

TEST_CASE("a select step names its sockets by variable and checks what came back ready against the kernel") {
  // The client is connected: the listener is readable, the client's socket writable.
  const Lesson ok = load_lesson_text(
      kLesson + select_step("server", "{ read = [\"phone\"], timeout = 0 }", "{ ok = true, value = 1, readable = [\"server.phone\"] }") +
          select_step("client", "{ read = [\"phone\"], write = [\"phone\"], timeout = 0 }",
                      "{ readable = [], writable = [\"client.phone\"] }"),
      "ok.toml");
  CHECK(arg_names(ok.steps[6], "read") == std::vector<std::string>{"phone"});
  REQUIRE(ok.steps[6].expect.readable.has_value());
  Session session(ok);
  session.run_to_end();
  CHECK(session.failures().empty());

  // A wrong set fails, saying what select() found.
  Session wrong(load_lesson_text(
      kLesson + select_step("client", "{ read = [\"phone\"], timeout = 0 }", "{ readable = [\"client.phone\"] }"), "wrong.toml"));
  wrong.run_to_end();
  REQUIRE(wrong.failures().size() == 1);
  CHECK(wrong.failures()[0].find("expected select() to find readable [client.phone], it found []") != std::string::npos);

  // Names it does not know are errors at their line and column.
  const auto bad = [&](const std::string& args, const std::string& expect) {
    return kLesson + select_step("server", args, expect);
  };
  const int line = 1 + static_cast<int>(std::count(kLesson.begin(), kLesson.end(), '\n')) + 5;  // the args line
  const std::string at = "bad.toml:" + std::to_string(line) + ":27: server holds no socket 'conn'";
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ read = [\"phone\", \"conn\"] }", "{ ok = true }"), "bad.toml"),
                       doctest::Contains(at.c_str()), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ read = [\"phone\"] }", "{ writable = [\"server.phone\"] }"), "bad.toml"),
                       doctest::Contains("select() does not watch 'server.phone' for writing"), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ read = [\"phone\"] }", "{ readable = [\"client.phone\"] }"), "bad.toml"),
                       doctest::Contains("select() does not watch 'client.phone' for reading"), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ timeout = 1 }", "{ ok = true }"), "bad.toml"),
                       doctest::Contains("select() needs sockets to watch"), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ read = [\"phone\"], timeout = -1 }", "{ ok = true }"), "bad.toml"),
                       doctest::Contains("timeout must be from 0 to 3600"), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ read = [\"phone\"] }", "{ state = \"LISTEN\" }"), "bad.toml"),
                       doctest::Contains("select() is made on no socket of its own for 'state' to check"), LessonError);
  CHECK_NOTHROW((void)load_lesson_text(bad("{ read = [\"phone\"] }", "{ states = { \"server.phone\" = \"LISTEN\" } }"), "ok.toml"));
  CHECK_THROWS_WITH_AS((void)load_lesson_text(bad("{ read = \"phone\" }", "{ ok = true }"), "bad.toml"),
                       doctest::Contains("'read' must be a list of socket variables"), LessonError);
}
