#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/cli_support.hpp"

using namespace sockstep::test;
using nlohmann::json;

namespace {

std::vector<json> events_of(const std::string& out) {
  std::vector<json> events;
  for (const auto& line : lines_of(out)) {
    auto j = json::parse(line, nullptr, false);
    if (!j.is_discarded()) events.push_back(std::move(j));
  }
  return events;
}

std::string actor_of_call(const std::vector<json>& events, const std::string& call) {
  for (const auto& e : events)
    if (e["kind"] == "call" && e["call"] == call) return e["actor"];
  return {};
}

// The calls one actor made, in order, as "call args|bytes".
std::vector<std::string> calls_of(const std::vector<json>& events, const std::string& actor) {
  std::vector<std::string> calls;
  for (const auto& e : events) {
    if (e["kind"] != "call" || e["actor"] != actor) continue;
    std::string text = e["call"].get<std::string>() + " " + e["args"].get<std::string>();
    if (e.contains("bytes")) text += "|" + e["bytes"].get<std::string>();
    calls.push_back(text);
  }
  return calls;
}

// True if want appears in have in this order (other calls may come between).
bool in_order(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  std::size_t at = 0;
  for (const auto& h : have)
    if (at < want.size() && h.rfind(want[at], 0) == 0) ++at;
  return at == want.size();
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) out += l + "\n";
  return out;
}

}  // namespace

TEST_CASE("a server started through a wrapper (timeout, sh -c) is seen to listen: the next program starts then") {
  const std::string python = find_program("python3");
  const std::string timeout = find_program("timeout");
  if (python.empty() || timeout.empty()) {
    MESSAGE("skipped: python3 or timeout is not installed");
    return;
  }
  const int port = free_port();
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--json", "--", timeout, "30", python, "-c",
                                        seed_program("echo_server.py", port), ":::", python, "-c",
                                        seed_program("echo_client.py", port)}),
                          "", std::chrono::seconds(60));
  INFO(r.out);
  CHECK(r.code == 0);
  // The listen() was made by timeout's child, not by the program trace started.
  CHECK(r.out.find("has not called listen()") == std::string::npos);
  const auto events = events_of(r.out);
  CHECK(in_order(calls_of(events, actor_of_call(events, "connect")), {"connect", "send |b'hello'", "recv 1024|b'HELLO'"}));
  // What the server printed is labelled with the server, not with the timeout that started it.
  const std::string server = actor_of_call(events, "listen");
  REQUIRE(server.rfind("python3[", 0) == 0);
  int printed = 0;
  for (const auto& e : events) {
    if (e["kind"] != "print" || e["detail"].get<std::string>().find("starting") == std::string::npos) continue;
    ++printed;
    CHECK(e["actor"] == server);
  }
  CHECK(printed == 1);
}

TEST_CASE("trace of the seed's server and client shows the whole echo session in order") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  const int port = free_port();
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--json", "--", python, "-c",
                                        seed_program("echo_server.py", port), ":::", python, "-c",
                                        seed_program("echo_client.py", port)}),
                          "", std::chrono::seconds(60));
  INFO(r.out);
  INFO(r.err);
  CHECK(r.code == 0);
  const auto events = events_of(r.out);
  const std::string server = actor_of_call(events, "bind");
  const std::string client = actor_of_call(events, "connect");
  REQUIRE_FALSE(server.empty());
  REQUIRE_FALSE(client.empty());
  CHECK(server != client);
  const auto server_calls = calls_of(events, server);
  INFO(joined(server_calls));
  CHECK(in_order(server_calls, {"socket AF_INET, SOCK_STREAM", "bind ('127.0.0.1', " + std::to_string(port) + ")",
                                "listen 5", "accept", "recv 1024|b'hello'", "send |b'HELLO'", "close", "close"}));
  const auto client_calls = calls_of(events, client);
  INFO(joined(client_calls));
  CHECK(in_order(client_calls, {"socket", "connect ('127.0.0.1', " + std::to_string(port) + ")", "send |b'hello'",
                                "recv 1024|b'HELLO'", "close"}));
  int exits = 0;
  bool printed = false;
  bool matched = false;
  for (const auto& e : events) {
    if (e["kind"] == "note" && e["note"] == "exit") {
      ++exits;
      CHECK(e["detail"] == "exited with status 0");
    }
    if (e["kind"] == "print" && e["actor"] == server && e["detail"] == "starting....") printed = true;
    if (e["kind"] == "note" && e["note"] == "match") matched = true;
  }
  CHECK(exits == 2);
  CHECK(printed);
  CHECK(matched);  // the client's socket and the server's accepted one are one connection
}

TEST_CASE("nc traced: its connect, the bytes it writes and the reply it reads") {
  const std::string python = find_program("python3");
  const std::string nc = find_program("nc");
  if (python.empty() || nc.empty()) {
    MESSAGE("skipped: python3 or nc is not installed");
    return;
  }
  const int port = free_port();
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--json", "--", python, "-c",
                                        seed_program("echo_server.py", port), ":::", nc, "-N", "127.0.0.1",
                                        std::to_string(port)}),
                          "hello from nc\n", std::chrono::seconds(60));
  INFO(r.out);
  INFO(r.err);
  CHECK(r.code == 0);
  const auto events = events_of(r.out);
  const std::string client = actor_of_call(events, "connect");
  REQUIRE(client.rfind("nc[", 0) == 0);
  bool wrote = false;
  bool read = false;
  for (const auto& e : events) {
    if (e["actor"] != client || e["kind"] != "call" || !e.contains("bytes")) continue;
    if ((e["call"] == "write" || e["call"] == "send") && e["bytes"] == "b'hello from nc\\n'") wrote = true;
    if ((e["call"] == "read" || e["call"] == "recv") && e["bytes"] == "b'HELLO FROM NC\\n'") read = true;
  }
  CHECK(wrote);
  CHECK(read);
}

TEST_CASE("a traced send that fails shows the bytes it was asked to send") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  // A half-closed socket: send fails at once with EPIPE, no peer needed to time it.
  const std::string program =
      "import socket\n"
      "l = socket.socket(); l.bind(('127.0.0.1', 0)); l.listen(1)\n"
      "c = socket.create_connection(l.getsockname()); c.shutdown(socket.SHUT_WR)\n"
      "try:\n    c.send(b'again')\nexcept OSError as e:\n    print(e.errno)\n";
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--json", "--", python, "-c", program}), "",
                          std::chrono::seconds(60));
  INFO(r.out);
  INFO(r.err);
  CHECK(r.code == 0);
  bool shown = false;
  for (const auto& e : events_of(r.out))
    if (e["kind"] == "call" && e["call"] == "send" && e["errno"] == "EPIPE") shown = e.value("bytes", "") == "b'again'";
  CHECK(shown);
}

TEST_CASE("a traced send from a bad pointer fails with EFAULT, and the tracer does not read it either") {
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", TRACE_CRASH_HELPER, "efault"}), "",
                          std::chrono::seconds(30));
  INFO(r.out);
  CHECK(r.code == 0);  // the helper checked both calls failed with EFAULT, and was not killed
  CHECK(r.out.find("EFAULT") != std::string::npos);
  CHECK(r.out.find("SIGSEGV") == std::string::npos);
}

TEST_CASE("a traced program that crashes ends the trace with its signal, without hanging") {
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", TRACE_CRASH_HELPER, "segv"}), "",
                          std::chrono::seconds(30));
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("socket(AF_INET, SOCK_STREAM) -> ") != std::string::npos);
  CHECK(r.out.find("killed by signal 11 (SIGSEGV)") != std::string::npos);
}

TEST_CASE("a traced program that exits while another thread waits in accept ends the trace with its status") {
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", TRACE_CRASH_HELPER, "exit-mid"}), "",
                          std::chrono::seconds(30));
  INFO(r.out);
  CHECK(r.code == 1);
  CHECK(r.out.find("listen(1) -> 0") != std::string::npos);
  CHECK(r.out.find("exited with status 3") != std::string::npos);
}

TEST_CASE("a static binary gets a warning at start and in the trace") {
  if (!TRACE_STATIC_OK) {
    MESSAGE("skipped: this toolchain cannot link a static binary");
    return;
  }
  const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", TRACE_STATIC_HELPER}), "",
                          std::chrono::seconds(30));
  INFO(r.out);
  INFO(r.err);
  CHECK(r.code == 0);
  CHECK(r.err.find("statically linked") != std::string::npos);
  CHECK(r.out.find("statically linked") != std::string::npos);
  CHECK(r.out.find("the preload never reported") != std::string::npos);
  CHECK(r.out.find("exited with status 0") != std::string::npos);
}

TEST_CASE("trace without a command, or with one that does not exist, is bad input") {
  CHECK(run(sockstep_cmd({"trace", "--headless"})).code == 2);
  const RunResult missing = run(sockstep_cmd({"trace", "--headless", "--", "surely-no-such-program-here"}));
  CHECK(missing.code == 2);
  CHECK(missing.err.find("no such program") != std::string::npos);
}

TEST_SUITE("the trace channel") {

TEST_CASE("a program that dup2()s or dup3()s its socket onto the channel's fd gets only its own bytes") {
  for (const char* mode : {"dup2", "dup3"}) {
    CAPTURE(mode);
    const RunResult r = run(sockstep_cmd({"trace", "--headless", "--json", "--", TRACE_FD_JUGGLER, mode}), "",
                            std::chrono::seconds(30));
    INFO(r.out);
    INFO(r.err);
    CHECK(r.code == 0);  // the helper exits 1 when its peer got a byte it did not send
    CHECK(r.out.find("the peer got 300") != std::string::npos);
    // The calls on that fd number are the program's now, and the trace shows them.
    const auto events = events_of(r.out);
    int sends = 0;
    for (const auto& e : events)
      if (e["kind"] == "call" && e["call"] == "send" && e.value("value", 0) == 1) ++sends;
    CHECK(sends == 300);
  }
}

TEST_CASE("a program that closes every fd with close_range or closefrom stays traced: the range is closed around the channel") {
  for (const char* mode : {"close_range", "closefrom"}) {
    CAPTURE(mode);
    const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", TRACE_FD_JUGGLER, mode}), "",
                            std::chrono::seconds(30));
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.find("socket(AF_INET, SOCK_DGRAM)") != std::string::npos);
    CHECK(r.out.find("socket(AF_INET6") != std::string::npos);  // after the close: still seen
    CHECK(r.out.find("closed the trace channel") == std::string::npos);
    CHECK(r.out.find("exited with status 0") != std::string::npos);
  }
}

TEST_CASE("closing the channel itself or exec without LD_PRELOAD is said, with the call") {
  const std::pair<const char*, const char*> cases[] = {
      {"close", "closed the trace channel (close("},
      {"exec-unset", "runs /bin/true without the trace (LD_PRELOAD no longer names the preload library)"}};
  for (const auto& [mode, said] : cases) {
    CAPTURE(mode);
    const RunResult r = run(sockstep_cmd({"trace", "--headless", "--", TRACE_FD_JUGGLER, mode}), "",
                            std::chrono::seconds(30));
    INFO(r.out);
    CHECK(r.code == 0);
    CHECK(r.out.find(said) != std::string::npos);
    CHECK(r.out.find("socket(AF_INET, SOCK_DGRAM)") != std::string::npos);
    CHECK(r.out.find("socket(AF_INET6") == std::string::npos);  // after the loss: not seen, and said so
    CHECK(r.out.find("exited with status 0") != std::string::npos);
  }
}

}  // TEST_SUITE
