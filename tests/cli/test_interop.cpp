#include <doctest/doctest.h>
#include <signal.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli_support.hpp"

using namespace sockstep::test;

namespace {

// Starts `sockstep serve` on a kernel-chosen port; returns the port from its banner.
int start_serve(Process& serve) {
  const int port = serving_port(serve);
  REQUIRE_MESSAGE(port > 0, "sockstep serve printed no banner");
  return port;
}

std::string python() { return find_program("python3"); }

}  // namespace

TEST_CASE("dial gets its echo from sockstep serve, which keeps serving the next client") {
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0"}));
  const int port = start_serve(serve);
  const std::string target = "127.0.0.1:" + std::to_string(port);
  for (const char* message : {"hello", "second caller"}) {
    const RunResult r = run(sockstep_cmd({"dial", target, "--message", message}));
    CHECK(r.code == 0);
    CHECK(r.out == "b'" + std::string(message == std::string("hello") ? "HELLO" : "SECOND CALLER") + "'\n");
  }
  serve.signal(SIGINT);
  CHECK(serve.wait() == 0);
  CHECK(serve.out().find("accept() -> ") != std::string::npos);
  CHECK(serve.out().find("recv(1024) -> 5 b'hello'") != std::string::npos);
  CHECK(serve.out().find("send(b'HELLO') -> 5") != std::string::npos);
  CHECK(serve.out().find("(EOF: the peer will send no more)") != std::string::npos);
}

TEST_CASE("serve talks to two clients at once: nc waits connected while the seed's client is served") {
  const std::string nc = find_program("nc");
  if (nc.empty() || python().empty()) {
    MESSAGE("skipped: nc or python3 is not installed");
    return;
  }
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0"}));
  const int port = start_serve(serve);
  // -N: shut down the sending side at end of input, so the echo can finish.
  Process waiting({nc, "-N", "127.0.0.1", std::to_string(port)});
  bool accepted = false;
  for (int i = 0; i < 20 && !accepted; ++i) {
    const auto line = serve.read_line();
    REQUIRE(line.has_value());
    accepted = line->find("accept() -> ") != std::string::npos && line->find("EAGAIN") == std::string::npos;
  }
  REQUIRE(accepted);
  // nc is connected and silent; the seed's client is served all the same.
  const RunResult client = run({python(), "-c", seed_program("echo_client.py", port)});
  CHECK(client.code == 0);
  CHECK(client.out == "b'HELLO'\n");
  waiting.write_stdin("hello from nc\n");
  waiting.close_stdin();
  CHECK(waiting.wait() == 0);
  CHECK(waiting.out() == "HELLO FROM NC\n");
  serve.signal(SIGINT);
  CHECK(serve.wait() == 0);
}

TEST_CASE("serve --max-clients 2 exits by itself after its second client") {
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0", "--max-clients", "2"}));
  const int port = start_serve(serve);
  for (const char* message : {"one", "two"})
    CHECK(run(sockstep_cmd({"dial", "127.0.0.1:" + std::to_string(port), "--message", message})).code == 0);
  CHECK(serve.wait() == 0);
  CHECK(serve.out().find("send(b'TWO') -> 3") != std::string::npos);
}

TEST_CASE("serve --json prints one JSON event per line") {
  Process serve(sockstep_cmd({"serve", "--headless", "--json", "--port", "0"}));
  const auto first = serve.read_line();
  REQUIRE(first.has_value());
  int port = 0;
  auto event = nlohmann::json::parse(*first);
  for (int i = 0; i < 10 && port == 0; ++i) {
    if (event["call"] == "getsockname") port = std::stoi(event["detail"].get<std::string>().substr(10));
    else if (auto line = serve.read_line()) event = nlohmann::json::parse(*line);
  }
  REQUIRE(port > 0);
  CHECK(run(sockstep_cmd({"dial", "127.0.0.1:" + std::to_string(port), "--message", "x"})).code == 0);
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  for (const auto& line : lines_of(serve.out())) CHECK(nlohmann::json::accept(line));
}

TEST_CASE("the seed's echo_client.py gets b'HELLO' from sockstep serve") {
  if (python().empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0"}));
  const int port = start_serve(serve);
  const RunResult client = run({python(), "-c", seed_program("echo_client.py", port)});
  CHECK(client.code == 0);
  CHECK(client.out == "b'HELLO'\n");
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}

TEST_CASE("nc gets its echo from sockstep serve") {
  const std::string nc = find_program("nc");
  if (nc.empty()) {
    MESSAGE("skipped: nc is not installed");
    return;
  }
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0"}));
  const int port = start_serve(serve);
  // -N: shut down the sending side at end of input, so the echo can finish.
  const RunResult r = run({nc, "-N", "127.0.0.1", std::to_string(port)}, "hello from nc\n");
  CHECK(r.code == 0);
  CHECK(r.out == "HELLO FROM NC\n");
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
}

TEST_CASE("dial against the seed's echo_server.py prints b'HELLO'") {
  if (python().empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  // Find a free port by letting sockstep serve pick one, then stop it.
  int port = 0;
  {
    Process probe(sockstep_cmd({"serve", "--headless", "--port", "0"}));
    port = start_serve(probe);
    probe.signal(SIGTERM);
    REQUIRE(probe.wait() == 0);
  }
  Process server({python(), "-u", "-c", seed_program("echo_server.py", port)});
  const auto started = server.read_line();
  REQUIRE(started.has_value());
  CHECK(*started == "starting....");
  const RunResult r = run(sockstep_cmd({"dial", "127.0.0.1:" + std::to_string(port), "--message", "hello"}));
  CHECK(r.code == 0);
  CHECK(r.out == "b'HELLO'\n");
  CHECK(server.wait() == 0);
  CHECK(server.out().find("客户端的数据 b'hello'") != std::string::npos);
}

TEST_CASE("dial to a closed port says ECONNREFUSED and exits 1") {
  int port = 0;
  {
    Process probe(sockstep_cmd({"serve", "--headless", "--port", "0"}));
    port = start_serve(probe);
    probe.signal(SIGTERM);
    REQUIRE(probe.wait() == 0);
  }
  const RunResult r = run(sockstep_cmd({"dial", "127.0.0.1:" + std::to_string(port), "--message", "x"}));
  CHECK(r.code == 1);
  CHECK(r.err.find("ECONNREFUSED") != std::string::npos);
}

TEST_CASE("serve survives a client that resets and one that sends garbage bytes") {
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0"}));
  const int port = start_serve(serve);
  if (!python().empty()) {
    // It gets one echo first, so the server holds the connection when the reset comes.
    const std::string reset = "import socket,struct\ns=socket.create_connection(('127.0.0.1'," + std::to_string(port) +
                              "))\ns.sendall(b'x')\ns.recv(1)\n"
                              "s.setsockopt(socket.SOL_SOCKET,socket.SO_LINGER,struct.pack('ii',1,0))\ns.close()\n";
    CHECK(run({python(), "-c", reset}).code == 0);
    const std::string garbage = "import socket\ns=socket.create_connection(('127.0.0.1'," + std::to_string(port) +
                                "))\ns.sendall(bytes(range(256)))\nd=b''\nwhile len(d)<256:\n  c=s.recv(4096)\n  if not c: break\n  d+=c\nprint(len(d))\n";
    const RunResult g = run({python(), "-c", garbage});
    CHECK(g.out == "256\n");
  }
  const RunResult r = run(sockstep_cmd({"dial", "127.0.0.1:" + std::to_string(port), "--message", "still there?"}));
  CHECK(r.out == "b'STILL THERE?'\n");
  serve.signal(SIGTERM);
  CHECK(serve.wait() == 0);
  if (!python().empty()) {
    // Each shows as what it is: the reset with its errno, the bytes escaped as Python prints them.
    CHECK(serve.out().find("recv(1024) -> ECONNRESET (Connection reset by peer)") != std::string::npos);
    CHECK(serve.out().find("recv(1024) -> 256 b'\\x00\\x01\\x02") != std::string::npos);
    CHECK(serve.out().find("send(b'\\x00\\x01\\x02") != std::string::npos);
  }
}
