#include <doctest/doctest.h>

#include <poll.h>

#include <algorithm>
#include <chrono>

#include "engine/sockets/actor.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/sockets/port_probe.hpp"
#include "engine/lesson/session.hpp"
#include "loopback.hpp"
#include "support/process.hpp"

using namespace sockstep;
using namespace std::chrono_literals;

namespace {
Lesson echo_lesson() {
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path.has_value());
  return load_lesson_file(*path);
}

const ActorView& actor_view(const SessionSnapshot& snap, const std::string& name) {
  for (const auto& a : snap.actors)
    if (a.name == name) return a;
  FAIL("no actor " << name);
  return snap.actors.front();
}
}  // namespace

TEST_CASE("an actor blocked in accept() is released by another actor's connect()") {
  EventLog log;
  Actor server("server", &log);
  Actor client("client", &log);
  OpContext main_ctx(&log, "main", nullptr);
  const test::Listener l = test::listen_loopback(main_ctx);
  CallResult accepted;
  server.post([&](OpContext& ctx) { accepted = ops::accept(ctx, l.fd); });
  REQUIRE(server.wait_settled(5s) == ActorState::Blocked);
  CHECK(server.status().blocked.call == Call::Accept);
  CHECK(server.status().blocked.fd == l.fd);
  int client_fd = -1;
  client.post([&](OpContext& ctx) {
    client_fd = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
    (void)ops::connect(ctx, client_fd, test::loopback(l.port));
  });
  REQUIRE(client.wait_idle(5s));
  REQUIRE(server.wait_idle(5s));
  CHECK(accepted.ok());
  CHECK(accepted.address.port != 0);
  (void)ops::close(main_ctx, static_cast<int>(accepted.value));
  (void)ops::close(main_ctx, client_fd);
  (void)ops::close(main_ctx, l.fd);
}

TEST_CASE("cancel() wakes a blocked actor at once and leaves it usable") {
  EventLog log;
  Actor server("server", &log);
  OpContext main_ctx(&log, "main", nullptr);
  const test::Listener l = test::listen_loopback(main_ctx);
  CallResult accepted;
  server.post([&](OpContext& ctx) { accepted = ops::accept(ctx, l.fd); });
  REQUIRE(server.wait_settled(5s) == ActorState::Blocked);
  server.cancel();
  CHECK(accepted.err == ECANCELED);
  CHECK(server.status().state == ActorState::Idle);
  bool ran = false;
  server.run_sync([&](OpContext&) { ran = true; });
  CHECK(ran);
  (void)ops::close(main_ctx, l.fd);
}

TEST_CASE("the echo lesson: every expectation holds against the kernel") {
  Session session(echo_lesson());
  session.run_to_end();
  CHECK(session.finished());
  const auto failures = session.failures();
  for (const auto& f : failures) MESSAGE(f);
  CHECK(failures.empty());
  const SessionSnapshot snap = session.snapshot();
  CHECK(actor_view(snap, "server").console == std::vector<std::string>{"starting....", "客户端的数据 b'hello'"});
  CHECK(actor_view(snap, "client").console == std::vector<std::string>{"b'HELLO'"});
  CHECK(snap.sockets.empty());
}

TEST_CASE("a closed socket keeps its card as it was, and what it left without an fd is the session's own") {
  Session session(echo_lesson());
  session.run_to_end();
  const SessionSnapshot snap = session.snapshot();
  const Lesson& lesson = session.lesson();
  std::vector<int> close_steps;
  for (std::size_t i = 0; i < lesson.steps.size(); ++i)
    if (lesson.steps[i].call == "close") close_steps.push_back(static_cast<int>(i));
  REQUIRE(snap.closed.size() == close_steps.size());
  for (std::size_t i = 0; i < snap.closed.size(); ++i) {
    const SocketCard& card = snap.closed[i];
    CHECK(card.closed_step == close_steps[i]);
    CHECK(card.actor == lesson.steps[static_cast<std::size_t>(card.closed_step)].actor);
    CHECK(card.opened_step >= 0);
    CHECK(card.opened_step < card.closed_step);
  }
  // The side that hung up first waits in TIME_WAIT: the connection of one closed card.
  bool time_wait = false;
  for (const OrphanSocket& orphan : snap.orphans) {
    CHECK_FALSE(orphan.earlier);
    if (orphan.state != "TIME_WAIT") continue;
    time_wait = std::any_of(snap.closed.begin(), snap.closed.end(), [&](const SocketCard& c) {
      return c.view.local == orphan.local && c.view.peer == orphan.peer;
    });
  }
  CHECK(time_wait);
  session.reset();
  CHECK(session.snapshot().closed.empty());
}

TEST_CASE("the session shows who waits: accept() at step 5, recv() at step 8") {
  Session session(echo_lesson());
  session.go_to(5);
  SessionSnapshot snap = session.snapshot();
  CHECK(actor_view(snap, "server").state == ActorState::Blocked);
  CHECK(actor_view(snap, "server").blocked_in == "accept");
  CHECK(actor_view(snap, "server").blocked_step == 4);
  CHECK(snap.outcomes[4].status == StepStatus::Blocked);
  REQUIRE(snap.sockets.size() == 1);
  CHECK(snap.sockets[0].view.state == "LISTEN");
  CHECK(snap.sockets[0].blocked_in == "accept");
  session.step();  // client socket
  session.step();  // client connect releases accept
  snap = session.snapshot();
  CHECK(actor_view(snap, "server").state == ActorState::Idle);
  CHECK(snap.outcomes[4].status == StepStatus::Done);
  CHECK(snap.sockets.size() == 3);
  session.step();  // server recv waits
  snap = session.snapshot();
  CHECK(actor_view(snap, "server").blocked_in == "recv");
}

TEST_CASE("an edited message travels instead of hello and comes back upper-cased") {
  SessionOptions options;
  options.message = "hi there";
  Session session(echo_lesson(), options);
  session.run_to_end();
  const SessionSnapshot snap = session.snapshot();
  CHECK(actor_view(snap, "client").console.back() == "b'HI THERE'");
}

TEST_CASE("back() replays to the step before, on fresh sockets") {
  Session session(echo_lesson());
  session.go_to(9);
  const auto generation = session.snapshot().generation;
  session.back();
  const SessionSnapshot snap = session.snapshot();
  CHECK(snap.position == 8);
  CHECK(snap.generation != generation);
  CHECK(actor_view(snap, "server").blocked_in == "recv");
  CHECK(session.failures().empty());
}

TEST_CASE("reset 1000 times, often while an actor waits: no hang, no fd leak") {
  const int fds_before = test::count_open_fds();
  {
    Session session(echo_lesson());
    const int fds_with_session = test::count_open_fds();
    // Positions 5 and 8 leave the server waiting in accept()/recv(); 10 the client in recv().
    const std::size_t positions[] = {5, 8, 10, 16, 3, 0};
    for (int i = 0; i < 1000; ++i) {
      session.go_to(positions[i % std::size(positions)]);
      if (i % 100 == 0) CHECK(session.failures().empty());
    }
    session.reset();
    CHECK(test::count_open_fds() == fds_with_session);
  }
  CHECK(test::count_open_fds() == fds_before);
}

TEST_CASE("a taken lesson port is replaced by a free one, and the session says so") {
  EventLog log;
  OpContext ctx(&log, "squatter", nullptr);
  const test::Listener taken = test::listen_loopback(ctx);
  Lesson lesson = echo_lesson();
  lesson.port = taken.port;
  for (auto& step : lesson.steps)
    if (step.args.contains("port")) step.args["port"] = static_cast<long long>(taken.port);
  Session session(lesson);
  CHECK(session.port() != taken.port);
  CHECK(session.port() > 0);
  const SessionSnapshot snap = session.snapshot();
  CHECK(snap.notice.en.find(std::to_string(taken.port)) != std::string::npos);
  CHECK_FALSE(snap.notice.zh.empty());
  session.run_to_end();
  CHECK(session.failures().empty());
  (void)ops::close(ctx, taken.fd);
}

TEST_CASE("a lesson port taken between runs is replaced at the next reset, before the replay dials it") {
  EventLog log;
  OpContext ctx(&log, "squatter", nullptr);
  const int port = free_port();
  REQUIRE(port > 0);
  Lesson lesson = echo_lesson();
  lesson.port = port;
  for (auto& step : lesson.steps)
    if (step.args.contains("port")) step.args["port"] = static_cast<long long>(port);
  Session session(lesson);
  REQUIRE(session.port() == port);
  session.run_to_end();
  REQUIRE(session.failures().empty());
  // Another program takes the port while the learner reads the finished lesson.
  const int squatter = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  REQUIRE(ops::bind(ctx, squatter, test::loopback(port)).ok());
  REQUIRE(ops::listen(ctx, squatter, 5).ok());
  session.reset();
  CHECK(session.port() != port);
  CHECK(session.snapshot().notice.en.find(std::to_string(port)) != std::string::npos);
  session.run_to_end();
  CHECK(session.failures().empty());
  // Nobody dialled the squatter.
  CHECK(ops::getsockopt(ctx, squatter, SOL_SOCKET, SO_ACCEPTCONN).value == 1);
  (void)ops::setblocking(ctx, squatter, false);
  CHECK(ops::accept(ctx, squatter).err == EAGAIN);
  (void)ops::close(ctx, squatter);
}

TEST_CASE("a server on :: tied to loopback takes an IPv4 client as ::ffff:127.0.0.1; untied, the runner refuses its bind") {
  const auto step = [](const std::string& actor, const std::string& call, const std::string& rest) {
    return "\n[[step]]\nactor = \"" + actor + "\"\ncall = \"" + call + "\"\n" + rest +
           "\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  };
  const std::string text =
      "id = \"dual\"\ntitle = { en = \"T\", zh = \"T\" }\nactors = [\"server\", \"client\"]\n" +
      step("server", "socket", "result = \"srv\"\nargs = { family = \"AF_INET6\" }") +
      step("server", "setsockopt", "sock = \"srv\"\nargs = { level = \"SOL_SOCKET\", name = \"SO_BINDTODEVICE\", device = \"lo\" }") +
      step("server", "bind", "sock = \"srv\"\nargs = { host = \"::\", port = 0 }") +
      step("server", "getsockname", "sock = \"srv\"\nresult = \"addr\"") +
      step("server", "listen", "sock = \"srv\"") +
      step("client", "socket", "result = \"c\"\nargs = { family = \"AF_INET\" }") +
      step("client", "connect", "sock = \"c\"\nargs = { at = \"server.addr\", host = \"127.0.0.1\" }") +
      step("server", "accept", "sock = \"srv\"\nresult = \"conn, client_addr\"");
  const Lesson lesson = load_lesson_text(text, "dual.toml");
  {
    Session session(lesson);
    session.run_to_end();
    CHECK(session.failures().empty());
    REQUIRE(session.outcome(2).result.ok());
    CHECK(session.outcome(3).result.address.host == "::");
    // The client dialled 127.0.0.1 at the port of ('::', port, 0, 0).
    REQUIRE(session.outcome(6).result.ok());
    const CallResult accepted = session.outcome(7).result;
    REQUIRE(accepted.ok());
    CHECK(accepted.address.family == AF_INET6);
    CHECK(accepted.address.host == "::ffff:127.0.0.1");
  }
  // Without the device the loader refuses the lesson; the runner refuses the bind too.
  Lesson untied = lesson;
  untied.steps.erase(untied.steps.begin() + 1);
  Session session(untied);
  session.run_to_end();
  const CallResult bind = session.outcome(1).result;
  CHECK(bind.err == EPERM);
  CHECK(bind.text.find("SO_BINDTODEVICE") != std::string::npos);
}

TEST_CASE("a connect to a full accept queue: ETIMEDOUT after its SYN retries with TCP_SYNCNT 1, a timeout in SYN_SENT under settimeout") {
  const auto step = [](const std::string& actor, const std::string& call, const std::string& rest) {
    return "\n[[step]]\nactor = \"" + actor + "\"\ncall = \"" + call + "\"\n" + rest +
           "\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  };
  // listen(0) holds one connection (backlog + 1): the first client fills it, and the
  // kernel drops every SYN after that, so nothing answers the next two.
  const auto text = [&](const std::string& timed) {
    return "id = \"full\"\ntitle = { en = \"T\", zh = \"T\" }\nactors = [\"server\", \"client\"]\n" +
           step("server", "socket", "result = \"srv\"") + step("server", "bind", "sock = \"srv\"\nargs = { host = \"127.0.0.1\", port = 0 }") +
           step("server", "getsockname", "sock = \"srv\"\nresult = \"addr\"") +
           step("server", "listen", "sock = \"srv\"\nargs = { backlog = 0 }") +
           step("client", "socket", "result = \"first\"") +
           step("client", "connect", "sock = \"first\"\nargs = { at = \"server.addr\" }\nexpect = { ok = true, state = \"ESTABLISHED\" }") +
           step("client", "socket", "result = \"phone\"") +
           step("client", "setsockopt", "sock = \"phone\"\nargs = { level = \"IPPROTO_TCP\", name = \"TCP_SYNCNT\", value = 1 }") +
           step("client", "connect", "sock = \"phone\"\nargs = { at = \"server.addr\" }\nexpect = { blocks = false, errno = \"ETIMEDOUT\", " + timed + " }") +
           step("client", "socket", "result = \"quick\"") +
           step("client", "settimeout", "sock = \"quick\"\nargs = { seconds = 1 }") +
           step("client", "connect", "sock = \"quick\"\nargs = { at = \"server.addr\" }\nexpect = { blocks = false, errno = \"timeout\", state = \"SYN_SENT\", took_ms_min = 800, took_ms_max = 3000 }");
  };
  {
    Session session(load_lesson_text(text("took_ms_min = 2000, took_ms_max = 8000"), "full.toml"));
    session.run_to_end();
    CHECK(session.failures().empty());
    // SYN, one retransmission 1 s later, and 2 s more before the kernel gives up (tcp(7)).
    const CallResult gave_up = session.outcome(8).result;
    CHECK(gave_up.err == ETIMEDOUT);
    CHECK(gave_up.took_us >= 2'500'000);
    CHECK(gave_up.took_us < 6'000'000);
    const CallResult timed_out = session.outcome(11).result;
    CHECK(timed_out.err != ETIMEDOUT);
    CHECK(timed_out.took_us >= 900'000);
    CHECK(timed_out.took_us < 2'500'000);
  }
  // A bound the call misses is a failure that names the time it took.
  Session session(load_lesson_text(text("took_ms_max = 1000"), "full.toml"));
  session.run_to_end();
  const auto failures = session.failures();
  CHECK(std::any_of(failures.begin(), failures.end(),
                    [](const auto& f) { return f.find("at most 1000 ms, it returned after") != std::string::npos; }));
}

TEST_CASE("epoll: level-triggered reports unread bytes again; edge-triggered reports them once and stalls until drained to EAGAIN") {
  const auto step = [](const std::string& actor, const std::string& call, const std::string& rest) {
    return "\n[[step]]\nactor = \"" + actor + "\"\ncall = \"" + call + "\"\n" + rest +
           "\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  };
  const auto round = [&](const std::string& ep, const std::string& events, const std::string& second) {
    return step("server", "epoll_create", "result = \"" + ep + "\"") +
           step("server", "epoll_ctl", "sock = \"" + ep + "\"\nargs = { op = \"EPOLL_CTL_ADD\", fd = \"conn\", events = " + events + " }\nexpect = { ok = true }") +
           step("client", "send", "sock = \"c\"\nargs = { data = \"0123456789\" }\nexpect = { queued = { \"server.conn\" = 10 } }") +
           step("server", "epoll_wait", "sock = \"" + ep + "\"\nresult = \"events\"\nargs = { timeout = 1 }\nexpect = { value = 1, readable = [\"server.conn\"] }") +
           step("server", "recv", "sock = \"conn\"\nresult = \"data\"\nargs = { bufsize = 4 }\nexpect = { value = 4, queued = { \"server.conn\" = 6 } }") +
           step("server", "epoll_wait", "sock = \"" + ep + "\"\nresult = \"events\"\nargs = { timeout = 0.3 }\nexpect = { blocks = false, " + second + " }") +
           step("server", "recv", "sock = \"conn\"\nresult = \"data\"\nargs = { bufsize = 1024 }\nexpect = { value = 6 }") +
           step("server", "recv", "sock = \"conn\"\nresult = \"data\"\nargs = { bufsize = 1024 }\nexpect = { errno = \"EAGAIN\" }") +
           step("server", "close", "sock = \"" + ep + "\"");
  };
  const std::string text =
      "id = \"ep\"\ntitle = { en = \"T\", zh = \"T\" }\nactors = [\"server\", \"client\"]\n" +
      step("server", "socket", "result = \"srv\"") + step("server", "bind", "sock = \"srv\"\nargs = { host = \"127.0.0.1\", port = 0 }") +
      step("server", "getsockname", "sock = \"srv\"\nresult = \"addr\"") + step("server", "listen", "sock = \"srv\"") +
      step("client", "socket", "result = \"c\"") + step("client", "connect", "sock = \"c\"\nargs = { at = \"server.addr\" }") +
      step("server", "accept", "sock = \"srv\"\nresult = \"conn, client_addr\"") +
      step("server", "setblocking", "sock = \"conn\"\nargs = { flag = false }") +
      // Level-triggered: 6 bytes still unread, so the next wait reports conn at once.
      round("lt", "[\"EPOLLIN\"]", "value = 1, readable = [\"server.conn\"], took_ms_max = 200") +
      // Edge-triggered: no new bytes arrived, so nothing is reported until the timeout.
      round("et", "[\"EPOLLIN\", \"EPOLLET\"]", "value = 0, readable = [], queued = { \"server.conn\" = 6 }, took_ms_min = 250, took_ms_max = 2000");
  Session session(load_lesson_text(text, "ep.toml"));
  session.run_to_end();
  CHECK(session.failures().empty());
  for (const auto& f : session.failures()) MESSAGE(f);
  // The kernel's own answers: the level-triggered second wait found conn, the edge-triggered one nothing.
  const CallResult lt_again = session.outcome(8 + 5).result;
  REQUIRE(lt_again.polled.size() == 1);
  CHECK((lt_again.polled[0].revents & POLLIN) != 0);
  const CallResult et_again = session.outcome(8 + 9 + 5).result;
  CHECK(et_again.value == 0);
  CHECK(et_again.polled.empty());
  CHECK(et_again.took_us >= 290'000);
}

TEST_CASE("epoll_ctl names a socket its actor holds, a known op and known events") {
  const std::string head = "id = \"ep\"\ntitle = { en = \"T\", zh = \"T\" }\nactors = [\"server\"]\n"
                           "[[step]]\nactor = \"server\"\ncall = \"epoll_create\"\nresult = \"ep\"\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n"
                           "[[step]]\nactor = \"server\"\ncall = \"epoll_ctl\"\nsock = \"ep\"\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  CHECK_THROWS_WITH(load_lesson_text(head + "args = { fd = \"conn\" }\n", "ep.toml"), doctest::Contains("holds no socket 'conn'"));
  CHECK_THROWS_WITH(load_lesson_text(head + "args = { fd = \"ep\", events = [\"EPOLLXX\"] }\n", "ep.toml"), doctest::Contains("unknown epoll event"));
}
