#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/traced_waits.hpp"
#include "cli_support.hpp"
#include "support/typed_events.hpp"

using namespace sockstep;
using namespace sockstep::test;

namespace {
std::string write_temp(const std::string& name, const std::string& text) {
  const auto path = std::filesystem::temp_directory_path() / ("sockstep-test-" + std::to_string(::getpid()) + "-" + name);
  std::ofstream(path) << text;
  return path.string();
}
}  // namespace

TEST_CASE("sockstep lessons lists the echo lesson first") {
  const RunResult r = run(sockstep_cmd({"lessons"}));
  CHECK(r.code == 0);
  CHECK(r.out.rfind("echo-tcp", 0) == 0);
}

TEST_CASE("walk echo-tcp --check passes and prints the seed's console lines") {
  const RunResult r = run(sockstep_cmd({"walk", "echo-tcp", "--check"}));
  CHECK(r.code == 0);
  CHECK(r.out.find("| starting....") != std::string::npos);
  CHECK(r.out.find("| 客户端的数据 b'hello'") != std::string::npos);
  CHECK(r.out.find("| b'HELLO'") != std::string::npos);
  CHECK(r.out.find("every expectation held") != std::string::npos);
}

TEST_CASE("walk --lang zh speaks Chinese") {
  const RunResult r = run(sockstep_cmd({"walk", "echo-tcp", "--lang", "zh", "--check"}));
  CHECK(r.code == 0);
  CHECK(r.out.find("买手机") != std::string::npos);
  CHECK(r.out.find("绑定手机卡") != std::string::npos);
  CHECK(r.out.find("关机") != std::string::npos);
  // Its own words too, not only the lesson's.
  CHECK(r.out.find("(共 16 步)") != std::string::npos);
  CHECK(r.out.find("所有预期都成立") != std::string::npos);
  CHECK(r.out.find("steps") == std::string::npos);
}

TEST_CASE("walk --json prints one JSON object per step") {
  const RunResult r = run(sockstep_cmd({"walk", "echo-tcp", "--json"}));
  CHECK(r.code == 0);
  const auto lines = lines_of(r.out);
  REQUIRE(lines.size() == 16);
  const auto first = nlohmann::json::parse(lines[0]);
  CHECK(first["call"] == "socket");
  const auto fifth = nlohmann::json::parse(lines[4]);
  CHECK(fifth["status"] == "blocked");
  const auto ninth = nlohmann::json::parse(lines[8]);
  bool saw_recv = false;
  for (const auto& e : ninth["events"]) saw_recv = saw_recv || (e["call"] == "recv" && e["bytes"] == "b'hello'");
  CHECK(saw_recv);
}

TEST_CASE("walk --quiz asks before the step, takes a letter or the window's digit, and scores the kernel's answer") {
  // The first question: 2 is (b), "5: what arrived"; then input ends.
  const RunResult r = run(sockstep_cmd({"walk", "echo-tcp", "--quiz"}), "2\n");
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find("you answered (b): right") != std::string::npos);
  CHECK(r.out.find("standard input is closed") != std::string::npos);
  CHECK(r.out.find("== quiz: 1 of 1 predictions right") != std::string::npos);
  // Three answers that are none of the choices: no answer, on a line of its own.
  const RunResult wrong = run(sockstep_cmd({"walk", "echo-tcp", "--quiz"}), "x\ny\nz\n");
  CHECK(wrong.out.find("\n     (no answer)\n") != std::string::npos);
  CHECK(run(sockstep_cmd({"walk", "echo-tcp", "--quiz", "--json"})).code == 2);
}

TEST_CASE("a lesson whose expectation is false fails the check with exit 1") {
  const auto source = std::filesystem::path(SOCKSTEP_TEST_DIR).parent_path() / "lessons/echo-tcp.toml";
  std::ifstream in(source);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string from = "expect = { ok = true, state = \"LISTEN\", accept_queue = 0 }";
  REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), "expect = { ok = true, state = \"ESTABLISHED\", accept_queue = 3 }");
  const std::string path = write_temp("wrong.toml", text);
  const RunResult r = run(sockstep_cmd({"walk", path, "--check"}));
  CHECK(r.code == 1);
  CHECK(r.out.find("expected server.phone in ESTABLISHED, the kernel says LISTEN") != std::string::npos);
  CHECK(r.out.find("accept queue, the kernel says 0") != std::string::npos);
  std::filesystem::remove(path);
}

TEST_CASE("a malformed lesson exits 2 with one line FILE:LINE:COL and a hint") {
  const std::string path = write_temp("broken.toml", "id = \"x\"\ntitle = { en = \"x\", zh = \"x\" }\nactors = [\"server\"]\nbogus = 1\n");
  const RunResult r = run(sockstep_cmd({"walk", path}));
  CHECK(r.code == 2);
  const auto lines = lines_of(r.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0] == "sockstep: " + path + ":4:1: unknown key 'bogus' (hint: expected one of: id, title, summary, port, reuseaddr, actors, listing, step)");
  std::filesystem::remove(path);
}

TEST_CASE("garbage bytes as a lesson are bad input, not a crash") {
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919) & 0xff);
  const std::string path = write_temp("garbage.toml", garbage);
  const RunResult r = run(sockstep_cmd({"walk", path}));
  CHECK(r.code == 2);
  CHECK(lines_of(r.err).size() == 1);
  std::filesystem::remove(path);
}

TEST_CASE("unknown flags and subcommands exit 2 with a usage hint") {
  for (const auto& args : std::vector<std::vector<std::string>>{{"--bogus"}, {"walk", "--nope"}, {"frobnicate"},
                                                               {"walk", "echo-tcp", "--lang", "fr"},
                                                               {"serve", "--port", "99999"},
                                                               {"serve", "--max-clients", "-1"},
                                                               {"gui", "--screenshot", "/nonexistent/x.png"},
                                                               {"trace", "--screenshot", "/nonexistent/x.png", "--", "true"},
                                                               {"serve", "--lang", "fr"}}) {
    const RunResult r = run(sockstep_cmd(args));
    CHECK(r.code == 2);
    CHECK(r.err.find("sockstep --help") != std::string::npos);
    CHECK(lines_of(r.err).size() == 1);
    CHECK(r.err.size() < 160);  // a line a person reads, not a number of 300 digits
  }
  CHECK(run(sockstep_cmd({"walk", "no-such-lesson"})).code == 2);
  CHECK(run(sockstep_cmd({"dial", "nonsense"})).code == 2);
  CHECK(run(sockstep_cmd({"dial", "10.0.0.1:80"})).code == 2);
  CHECK(run(sockstep_cmd({"serve", "--host", "0.0.0.0", "--headless"})).code == 2);
  const RunResult name = run(sockstep_cmd({"serve", "--host", "nosuch.invalid", "--headless"}));
  CHECK(name.code == 2);
  CHECK(name.err.find("not a numeric address") != std::string::npos);
}

TEST_CASE("--help and --version answer and exit 0") {
  CHECK(run(sockstep_cmd({"--help"})).code == 0);
  const RunResult v = run(sockstep_cmd({"--version"}));
  CHECK(v.code == 0);
  CHECK(v.out.find('.') != std::string::npos);
}

TEST_CASE("serve on a port in use exits 2 with a one-line reason") {
  Process first(sockstep_cmd({"serve", "--headless", "--port", "0"}));
  const int port = serving_port(first);
  REQUIRE(port > 0);
  const RunResult second = run(sockstep_cmd({"serve", "--headless", "--port", std::to_string(port)}));
  CHECK(second.code == 2);
  CHECK(second.err.find("EADDRINUSE") != std::string::npos);
  first.signal(SIGTERM);
  CHECK(first.wait() == 0);
}

TEST_CASE("dial waiting in recv() for a reply that never comes stops on SIGTERM and exits 0") {
  // A server that takes the call (the kernel queues it) but never answers.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  REQUIRE(::listen(listener, 5) == 0);
  socklen_t length = sizeof a;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &length) == 0);
  const std::string target = "127.0.0.1:" + std::to_string(ntohs(a.sin_port));

  Process dial(sockstep_cmd({"dial", target, "--message", "hello", "--json"}));
  // The blocking recv() sits in the kernel; the Blocked event says it is about to.
  bool waiting = false;
  while (const auto line = dial.read_line()) {
    if (line->find("\"blocked\"") != std::string::npos && line->find("\"recv\"") != std::string::npos) {
      waiting = true;
      break;
    }
  }
  REQUIRE(waiting);
  dial.signal(SIGTERM);
  const auto code = dial.wait(std::chrono::seconds(10));
  REQUIRE(code.has_value());  // not still waiting for the reply
  CHECK(*code == 0);
  ::close(listener);
}

namespace {
// A listener on a free loopback port; its thread takes one call, reads what the client
// says, and then hangs up the way `hang_up` says: a reset (SO_LINGER {1, 0}) or a close.
struct OneCallServer {
  int listener = -1;
  int port = 0;
  std::thread thread;
  explicit OneCallServer(bool reset) {
    listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(listener, 5) == 0);
    socklen_t length = sizeof a;
    REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&a), &length) == 0);
    port = ntohs(a.sin_port);
    thread = std::thread([this, reset] {
      const int conn = ::accept(listener, nullptr, nullptr);
      if (conn < 0) return;
      char buffer[64];
      (void)::recv(conn, buffer, sizeof buffer, 0);
      if (reset) {
        const linger abort{1, 0};
        ::setsockopt(conn, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
      }
      ::close(conn);
    });
  }
  ~OneCallServer() {
    thread.join();
    ::close(listener);
  }
};
}  // namespace

TEST_CASE("dial --message says so in one line when the server resets or hangs up without a reply") {
  for (const bool reset : {true, false}) {
    INFO((reset ? "reset" : "close"));
    OneCallServer server(reset);
    const RunResult r = run(sockstep_cmd({"dial", "127.0.0.1:" + std::to_string(server.port), "--message", "hello"}));
    CHECK(r.code == 1);
    CHECK(r.out.empty());
    REQUIRE(lines_of(r.err).size() == 1);
    CHECK(r.err.rfind("sockstep: ", 0) == 0);
    CHECK(r.err.find(reset ? "reset the connection" : "closed the connection without a reply") != std::string::npos);
    CHECK(r.err.find(reset ? "ECONNRESET" : "EOF") != std::string::npos);
  }
}

namespace {
Event blocked_event(const std::string& actor, Call call, int fd) {
  Event e = call_event(actor, call, fd);
  e.kind = EventKind::Blocked;
  return e;
}
std::vector<std::string> shown_calls(const std::vector<Event>& events) {
  std::vector<std::string> out;
  for (const Event& e : events) out.push_back(std::string(e.kind == EventKind::Blocked ? "waits " : "") + e.name());
  return out;
}
}  // namespace

TEST_CASE("a traced call is said to wait only when the events show something happened before it returned") {
  sockstep::cli::TracedWaits waits;
  // accept() with a client already queued: its return is the next event.
  CHECK(waits.feed(blocked_event("srv[1]", Call::Accept, 3)).empty());
  CHECK(shown_calls(waits.feed(call_event("srv[1]", Call::Accept, 3, {}, 4))) == std::vector<std::string>{"accept"});
  // recv() that the peer's send released: the send came first, so it waited.
  CHECK(waits.feed(blocked_event("srv[1]", Call::Recv, 4)).empty());
  CHECK(shown_calls(waits.feed(packet_event(PacketKind::Ack, 1, 2))) == std::vector<std::string>{"ACK"});
  Event match;
  match.kind = EventKind::Note;
  match.note = NoteKind::Match;
  CHECK(waits.feed(match).size() == 1);
  CHECK(shown_calls(waits.feed(call_event("cli[2]", Call::Send, 5, {}, 5, "hello"))) ==
        std::vector<std::string>{"waits recv", "send"});
  CHECK(shown_calls(waits.feed(call_event("srv[1]", Call::Recv, 4, {}, 5, "hello"))) == std::vector<std::string>{"recv"});
  // A call still waiting when the trace ends.
  CHECK(waits.feed(blocked_event("srv[1]", Call::Accept, 3)).empty());
  CHECK(shown_calls(waits.flush()) == std::vector<std::string>{"waits accept"});
  CHECK(waits.flush().empty());
}

TEST_CASE("trace does not say accept() waits when a client was already queued") {
  const std::string python = find_program("python3");
  REQUIRE_FALSE(python.empty());
  const int port = free_port();
  const std::string code =
      "import socket, time\n"
      "l = socket.socket(); l.bind(('127.0.0.1', " + std::to_string(port) + ")); l.listen(5)\n"
      "c = socket.socket(); c.connect(l.getsockname())\n"
      "time.sleep(0.1)\n"  // the handshake is done: the client is in the accept queue
      "a, _ = l.accept()\n"
      "a.close(); c.close(); l.close()\n";
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", python, "-c", code}), "", std::chrono::seconds(30));
  INFO(r.out);
  CHECK(r.code == 0);
  CHECK(r.out.find("accept(") != std::string::npos);
  CHECK(r.out.find("accept() waits") == std::string::npos);
}

TEST_CASE("walk says a refused socket's send-q is its SYN, and only there") {
  const RunResult r = run(sockstep_cmd({"walk", "connect-ex", "--check"}));
  CHECK(r.code == 0);
  bool said = false;
  for (const std::string& line : lines_of(r.out)) {
    if (line.find("counts the failed connect's SYN") == std::string::npos) continue;
    said = true;
    CHECK(line.find(" CLOSE ") != std::string::npos);
    CHECK(line.find("send-q 0/") == std::string::npos);
  }
  CHECK(said);
}

TEST_CASE("walk shows what getsockname() and getpeername() returned: each end's address, the same from both sides") {
  const RunResult r = run(sockstep_cmd({"walk", "names-addresses"}));
  CHECK(r.code == 0);
  std::vector<std::string> client, server;
  for (const std::string& line : lines_of(r.out)) {
    for (const char* call : {"getsockname() -> ", "getpeername() -> "}) {
      const auto at = line.find(call);
      if (at == std::string::npos) continue;
      (line.find("> client") != std::string::npos ? client : server).push_back(line.substr(at + std::strlen(call)));
    }
  }
  REQUIRE(client.size() == 3);
  REQUIRE(server.size() == 4);
  CHECK(client[0] == "('0.0.0.0', 0)");  // before connect: no address yet
  CHECK(client[1].rfind("('127.0.0.1', ", 0) == 0);
  CHECK(server[0] == client[2]);  // the listener's name is whom the client talks to
  CHECK(server[1].rfind("ENOTCONN", 0) == 0);
  CHECK(server[2] == client[1]);  // conn.getpeername() is the client's own name
  CHECK(server[3] == client[2]);
}
