// --capture and --pcap on serve and dial: packets in the output and in a pcap file when
// capture is permitted (root or CAP_NET_RAW), one clear line when it is not.
#include <pcap/pcap.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/cli_support.hpp"

namespace sockstep::test {
namespace {

// Starts `sockstep serve` on a free port for one client; returns its port ("" on failure).
// The first line from `from` on holding what and also (if given) also.
std::size_t index_of(const std::vector<std::string>& lines, const std::string& what, std::size_t from = 0,
                     const std::string& also = {}) {
  for (std::size_t i = from; i < lines.size(); ++i)
    if (lines[i].find(what) != std::string::npos && lines[i].find(also) != std::string::npos) return i;
  return lines.size();
}

bool capture_permitted(const std::string& err) { return err.find("cap_net_raw") == std::string::npos; }

}  // namespace

TEST_CASE("serve --capture --pcap shows the handshake, the data and the FIN exchange, and writes a pcap") {
  const std::string pcap = "/tmp/sockstep-cli-" + std::to_string(::getpid()) + ".pcap";
  Process serve(sockstep_cmd({"serve", "--port", "0", "--headless", "--max-clients", "1", "--capture", "--pcap", pcap}));
  const int port_number = serving_port(serve);
  REQUIRE(port_number > 0);
  const std::string port = std::to_string(port_number);
  const RunResult dial = run(sockstep_cmd({"dial", "127.0.0.1:" + port, "--message", "hello", "--json", "--capture"}));
  CHECK(dial.code == 0);
  REQUIRE(serve.wait() == 0);
  if (!capture_permitted(serve.err())) {
    MESSAGE("skipped: capture is not permitted here");
    return;
  }
  const std::vector<std::string> lines = lines_of(serve.out());
  const std::size_t syn = index_of(lines, "packet  SYN ");
  const std::size_t synack = index_of(lines, "packet  SYN-ACK ", syn);
  const std::size_t ack = index_of(lines, "packet  ACK ", synack);
  // Packet lines keep their order; against the call lines they may come a little later.
  const std::size_t hello = index_of(lines, "packet  PSH ", ack, "b'hello'");
  const std::size_t upper = index_of(lines, "packet  PSH ", hello, "b'HELLO'");
  const std::size_t fin1 = index_of(lines, "packet  FIN ", upper);
  const std::size_t fin2 = index_of(lines, "packet  FIN ", fin1 + 1);
  const std::size_t last = index_of(lines, "packet  ACK ", fin2);
  INFO(serve.out());
  REQUIRE(last < lines.size());
  CHECK(lines[upper].find("sent by server send()") != std::string::npos);
  CHECK(lines[fin2].find("sent by server close()") != std::string::npos);

  // dial --json: the same packets as JSON objects, up to dial's own FIN (the server's
  // FIN may come after dial has exited).
  int json_packets = 0;
  bool json_syn = false;
  std::set<std::string> json_calls;
  for (const std::string& line : lines_of(dial.out)) {
    const auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || j.value("kind", "") != "packet") continue;
    ++json_packets;
    json_calls.insert(j["call"].get<std::string>());
    if (j["call"] == "SYN" && j["packet"]["flags"] == "[S]" && j["packet"]["to_port"] == port_number) json_syn = true;
  }
  CHECK(json_packets >= 6);
  for (const char* kind : {"SYN", "SYN-ACK", "PSH", "FIN"}) CHECK_MESSAGE(json_calls.count(kind) == 1, kind);
  CHECK(json_syn);

  // The file: tshark when it is installed, libpcap otherwise.
  std::vector<std::string> flags;
  if (const std::string tshark = find_program("tshark"); !tshark.empty()) {
    const RunResult r = run({tshark, "-r", pcap, "-T", "fields", "-e", "tcp.flags.str", "-e", "tcp.payload"});
    CHECK(r.code == 0);
    flags = lines_of(r.out);
    CHECK(r.out.find("68656c6c6f") != std::string::npos);  // "hello"
  } else {
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t* file = pcap_open_offline(pcap.c_str(), error);
    REQUIRE_MESSAGE(file != nullptr, error);
    pcap_pkthdr* header = nullptr;
    const std::uint8_t* data = nullptr;
    bool has_hello = false;
    for (int i = 0; i < 1000 && pcap_next_ex(file, &header, &data) == 1; ++i) {
      flags.emplace_back("packet");
      if (memmem(data, header->caplen, "HELLO", 5) != nullptr) has_hello = true;
    }
    pcap_close(file);
    CHECK(has_hello);
  }
  std::remove(pcap.c_str());
  CHECK(flags.size() == static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [](const std::string& l) {
          return l.rfind("packet  ", 0) == 0;
        })));
}

TEST_CASE("without permission to capture: one line saying how, and the echo still works") {
  const std::string setpriv = find_program("setpriv");
  if (setpriv.empty() || ::geteuid() != 0) {
    MESSAGE("skipped: needs root and setpriv to run as a normal user");
    return;
  }
  const std::vector<std::string> as_nobody = {setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups",
                                              "--inh-caps=-all"};
  if (run({setpriv, "--reuid", "65534", "--regid", "65534", "--clear-groups", "test", "-x", SOCKSTEP_BIN}).code != 0) {
    MESSAGE("skipped: the build is not reachable for uid 65534");
    return;
  }
  std::vector<std::string> serve_argv = as_nobody;
  for (const std::string& a : sockstep_cmd({"serve", "--port", "0", "--headless", "--max-clients", "1", "--capture"}))
    serve_argv.push_back(a);
  Process serve(serve_argv);
  const int port_number = serving_port(serve);
  REQUIRE(port_number > 0);
  const std::string port = std::to_string(port_number);
  std::vector<std::string> dial_argv = as_nobody;
  for (const std::string& a : sockstep_cmd({"dial", "127.0.0.1:" + port, "--message", "hello", "--pcap", "/dev/null"}))
    dial_argv.push_back(a);
  const RunResult dial = run(dial_argv);
  CHECK(dial.code == 0);
  CHECK(dial.out.find("b'HELLO'") != std::string::npos);
  const auto hint_lines = [](const std::string& text) {
    std::vector<std::string> hits;
    for (const std::string& l : lines_of(text))
      if (l.find("sudo setcap cap_net_raw+ep $(command -v sockstep)") != std::string::npos) hits.push_back(l);
    return hits;
  };
  REQUIRE(hint_lines(dial.err).size() == 1);
  CHECK(hint_lines(dial.err)[0].rfind("sockstep: packet capture needs root or CAP_NET_RAW", 0) == 0);
  REQUIRE(serve.wait() == 0);
  CHECK(hint_lines(serve.err()).size() == 1);
  // The Note in the event stream: what the window shows.
  CHECK(serve.out().find("capture warning: packet capture needs root or CAP_NET_RAW") != std::string::npos);
  CHECK(serve.out().find("recv(1024) -> 5 b'hello'") != std::string::npos);
}

}  // namespace sockstep::test
