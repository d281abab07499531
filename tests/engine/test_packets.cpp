// Packets: the decoder on crafted bytes, the call linker on crafted events, and a real
// capture of an echo session on loopback (root or CAP_NET_RAW only; skipped otherwise).
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "engine/capture/capture.hpp"
#include "engine/capture/held_packets.hpp"
#include "engine/capture/packet_decode.hpp"
#include "engine/capture/packet_links.hpp"
#include "support/typed_events.hpp"
#include "engine/sockets/socket_ops.hpp"

namespace sockstep {
namespace {

using Frame = std::vector<std::uint8_t>;

void put16(Frame& b, std::size_t at, unsigned v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v);
}
void put32(Frame& b, std::size_t at, std::uint32_t v) {
  put16(b, at, v >> 16);
  put16(b, at + 2, v & 0xffff);
}

// Ethernet + IPv4 + TCP (no options) + payload, as libpcap hands them over on lo.
Frame tcp_frame(std::uint8_t flags, const std::string& payload, std::uint16_t from = 41234, std::uint16_t to = 8084) {
  Frame b(14 + 20 + 20 + payload.size(), 0);
  put16(b, 12, 0x0800);
  b[14] = 0x45;
  put16(b, 16, static_cast<unsigned>(20 + 20 + payload.size()));
  b[14 + 8] = 64;
  b[14 + 9] = 6;
  b[14 + 12] = 127, b[14 + 15] = 1;
  b[14 + 16] = 127, b[14 + 19] = 1;
  put16(b, 34, from);
  put16(b, 36, to);
  put32(b, 38, 1000);
  put32(b, 42, 2000);
  b[46] = 5 << 4;
  b[47] = flags;
  for (std::size_t i = 0; i < payload.size(); ++i) b[54 + i] = static_cast<std::uint8_t>(payload[i]);
  return b;
}

PacketDecodeResult decode(const Frame& b, int link = kLinkEthernet) { return decode_packet(link, b.data(), b.size(), b.size()); }

}  // namespace

TEST_CASE("the decoder reads ports, flags, seq/ack and payload of a TCP segment") {
  const Frame frame = tcp_frame(kTcpPsh | kTcpAck, "hello");  // the payload view points into it
  const PacketDecodeResult r = decode(frame);
  REQUIRE(r.ok());
  CHECK(r.packet.from_host == "127.0.0.1");
  CHECK(r.packet.from_port == 41234);
  CHECK(r.packet.to_port == 8084);
  CHECK(r.packet.tcp_seq == 1000);
  CHECK(r.packet.tcp_ack == 2000);
  CHECK(r.packet.payload_length == 5);
  CHECK(r.packet.payload == "hello");
  CHECK(packet_label(r.packet.tcp_flags, r.packet.payload_length, false) == "PSH");
}

TEST_CASE("packet labels: SYN, SYN-ACK, ACK, FIN, RST, UDP") {
  CHECK(packet_label(kTcpSyn, 0, false) == "SYN");
  CHECK(packet_label(kTcpSyn | kTcpAck, 0, false) == "SYN-ACK");
  CHECK(packet_label(kTcpAck, 0, false) == "ACK");
  CHECK(packet_label(kTcpFin | kTcpAck, 0, false) == "FIN");
  CHECK(packet_label(kTcpRst | kTcpAck, 0, false) == "RST");
  CHECK(packet_label(0, 3, true) == "UDP");
  CHECK(tcp_flags_text(kTcpSyn | kTcpAck) == "[S.]");
}

TEST_CASE("every truncation of a frame is an error value, never a read past the end") {
  const Frame full = tcp_frame(kTcpPsh | kTcpAck, "hello");
  for (std::size_t n = 0; n < 54; ++n) {
    CAPTURE(n);
    // Cut short on the wire too: the headers do not fit.
    const Frame cut(full.begin(), full.begin() + static_cast<long>(n));
    CHECK_FALSE(decode_packet(kLinkEthernet, cut.data(), cut.size(), cut.size()).ok());
  }
  // A snapshot shorter than the packet keeps the headers and part of the payload.
  const PacketDecodeResult snap = decode_packet(kLinkEthernet, full.data(), 56, full.size());
  REQUIRE(snap.ok());
  CHECK(snap.packet.payload_length == 5);
  CHECK(snap.packet.payload == "he");
  CHECK_FALSE(decode_packet(kLinkEthernet, nullptr, 0, 0).ok());
  CHECK_FALSE(decode_packet(kLinkEthernet, full.data(), full.size(), full.size() - 1).ok());  // caplen > len
}

TEST_CASE("bad lengths and unknown protocols are errors") {
  Frame b = tcp_frame(kTcpAck, "hello");
  SUBCASE("IPv4 header length below 20") { b[14] = 0x44; }
  SUBCASE("IPv4 total length beyond the packet") { put16(b, 16, 500); }
  SUBCASE("IPv4 total length shorter than the header") { put16(b, 16, 10); }
  SUBCASE("TCP data offset below 5") { b[46] = 4 << 4; }
  SUBCASE("TCP data offset beyond the packet") { b[46] = 15 << 4; }
  SUBCASE("not IPv4") { b[14] = 0x55; }
  SUBCASE("ICMP") { b[14 + 9] = 1; }
  SUBCASE("ARP") { put16(b, 12, 0x0806); }
  SUBCASE("a fragment") { put16(b, 20, 0x2000); }
  CHECK_FALSE(decode(b).ok());
  CHECK_FALSE(decode_packet(12345, b.data(), b.size(), b.size()).ok());
}

TEST_CASE("other link types: DLT_NULL, Linux cooked, raw IP; and IPv6, UDP") {
  const Frame eth = tcp_frame(kTcpSyn, "");
  const Frame ip(eth.begin() + 14, eth.end());
  Frame null_frame = {2, 0, 0, 0};  // AF_INET in little-endian host order
  null_frame.insert(null_frame.end(), ip.begin(), ip.end());
  CHECK(decode(null_frame, kLinkNull).ok());
  Frame sll(16, 0);
  put16(sll, 14, 0x0800);
  sll.insert(sll.end(), ip.begin(), ip.end());
  CHECK(decode(sll, kLinkLinuxSll).ok());
  CHECK(decode(ip, kLinkRaw).ok());

  Frame v6(40 + 8 + 3, 0);  // IPv6 + UDP + "abc"
  v6[0] = 0x60;
  put16(v6, 4, 11);
  v6[6] = 17;
  v6[23] = 1;
  v6[39] = 1;
  put16(v6, 40, 5000);
  put16(v6, 42, 6000);
  put16(v6, 44, 11);
  v6[48] = 'a', v6[49] = 'b', v6[50] = 'c';
  const PacketDecodeResult r = decode(v6, kLinkRaw);
  REQUIRE(r.ok());
  CHECK(r.packet.ipv6);
  CHECK(r.packet.udp);
  CHECK(r.packet.to_host == "::1");
  CHECK(r.packet.payload == "abc");
  put16(v6, 44, 100);  // UDP length beyond the datagram
  CHECK_FALSE(decode(v6, kLinkRaw).ok());
}

TEST_CASE("the linker names the call that was running when a packet left") {
  using namespace sockstep::test;
  PacketLinker linker;
  std::uint64_t seq = 0;
  const auto call = [&](const char* actor, Call name, int fd, std::int64_t t, SocketFacts facts = {},
                        long long value = 0) {
    Event e = call_event(actor, name, fd, std::move(facts), value);
    e.seq = ++seq;
    e.t_us = t;
    linker.learn(e);
    return e.seq;
  };
  const auto packet = [](PacketKind label, int from, int to, std::int64_t t) { return packet_event(label, from, to, t); };
  call("server", Call::Socket, 3, 10, tcp(), 3);
  call("server", Call::Bind, 3, 20, tcp(v4(8084)));
  call("server", Call::Listen, 3, 30, tcp(v4(8084)));
  call("client", Call::Socket, 4, 40, tcp(), 4);
  // The SYN left during connect(), which is logged when it returns.
  CHECK(linker.may_learn_more(packet(PacketKind::Syn, 41234, 8084, 50)));
  const auto connect = call("client", Call::Connect, 4, 60, tcp(v4(41234), v4(8084)));
  CHECK(linker.cause(packet(PacketKind::Syn, 41234, 8084, 50)) == connect);
  CHECK_FALSE(linker.may_learn_more(packet(PacketKind::Syn, 41234, 8084, 50)));
  CHECK(linker.cause(packet(PacketKind::SynAck, 8084, 41234, 51)) == 0);  // the kernel's own
  call("server", Call::Accept, 3, 70, tcp(v4(8084), v4(41234)), 5);
  const auto send = call("client", Call::Send, 4, 90, tcp(v4(41234), v4(8084)));
  CHECK(linker.cause(packet(PacketKind::Psh, 41234, 8084, 85)) == send);
  CHECK(linker.cause(packet(PacketKind::Ack, 8084, 41234, 86)) == 0);
  const auto reply = call("server", Call::Sendall, 5, 110, tcp(v4(8084), v4(41234)));
  CHECK(linker.cause(packet(PacketKind::Psh, 8084, 41234, 105)) == reply);
  const auto close = call("client", Call::Close, 4, 130, tcp(v4(41234), v4(8084)));
  CHECK(linker.cause(packet(PacketKind::Fin, 41234, 8084, 125)) == close);
  CHECK(linker.describe(close) == "client close()");
  // A FIN whose socket logged something else after it (not a close) links to nothing.
  call("server", Call::Recv, 5, 140, tcp(v4(8084), v4(41234)));
  CHECK(linker.cause(packet(PacketKind::Fin, 8084, 41234, 135)) == 0);
  CHECK(linker.ports().count(8084) == 1);
  CHECK(linker.ports().count(41234) == 1);

  SUBCASE("a reply read before the accept() of its connection is logged: wait for it, then link") {
    const auto reply_packet = packet(PacketKind::Psh, 8084, 50000, 205);
    CHECK(linker.cause(reply_packet) == 0);
    CHECK(linker.may_learn_more(reply_packet));  // the listener on 8084 may have accepted it
    call("server", Call::Accept, 3, 200, tcp(v4(8084), v4(50000)), 6);
    CHECK(linker.may_learn_more(reply_packet));  // the accepted socket has not sent yet
    const auto late_reply = call("server", Call::Send, 6, 210);
    CHECK(linker.cause(reply_packet) == late_reply);
    CHECK_FALSE(linker.may_learn_more(reply_packet));
    // A client's data to the listener's port is not the listener's to explain.
    CHECK_FALSE(linker.may_learn_more(packet(PacketKind::Psh, 50001, 8084, 220)));
  }
  SUBCASE("a UDP socket and a TCP socket on the same port are not one socket") {
    call("server", Call::Socket, 7, 300, udp(), 7);
    const auto datagram = call("server", Call::SendTo, 7, 320, udp(v4(9000, "0.0.0.0"), v4(9001)));
    CHECK(linker.cause(packet(PacketKind::Udp, 9000, 9001, 310)) == datagram);
  }
}

namespace {

struct SeenPacket {
  std::string label;
  std::string payload;
  std::uint64_t caused_by = 0;
};

}  // namespace

TEST_CASE("a trace's linker: connects, sends and closes stamped with when they began") {
  using namespace sockstep::test;
  PacketLinker linker;
  linker.sends_stamped_at_start(true);
  std::uint64_t seq = 0;
  const auto call = [&](const char* actor, Call name, int fd, std::int64_t t, SocketFacts facts = {},
                        long long value = 0) {
    Event e = call_event(actor, name, fd, std::move(facts), value);
    e.seq = ++seq;
    e.t_us = t;
    linker.learn(e);
    return e.seq;
  };
  call("server", Call::Listen, 3, 30, tcp(v4(8084)));
  call("client", Call::Socket, 4, 40, tcp(), 4);
  const auto connect = call("client", Call::Connect, 4, 45, tcp(v4(41234), v4(8084)));  // began at 45
  call("server", Call::Accept, 3, 70, tcp(v4(8084), v4(41234)), 5);
  const auto first = call("client", Call::Send, 4, 80, tcp(v4(41234), v4(8084)));
  call("client", Call::Recv, 4, 100, tcp(v4(41234), v4(8084)));
  const auto second = call("client", Call::Send, 4, 110, tcp(v4(41234), v4(8084)));
  const auto close = call("client", Call::Close, 4, 130, tcp(v4(41234), v4(8084)));  // began at 130
  CHECK(linker.cause(packet_event(PacketKind::Syn, 41234, 8084, 50)) == connect);
  CHECK(linker.cause(packet_event(PacketKind::Psh, 41234, 8084, 85)) == first);
  CHECK(linker.cause(packet_event(PacketKind::Psh, 41234, 8084, 112)) == second);
  CHECK(linker.cause(packet_event(PacketKind::Fin, 41234, 8084, 131)) == close);
  CHECK(linker.cause(packet_event(PacketKind::Fin, 41234, 8084, 125)) == 0);  // before the close began
  CHECK(linker.cause(packet_event(PacketKind::Psh, 41234, 8084, 60)) == 0);  // before any send began
  CHECK(linker.cause(packet_event(PacketKind::Ack, 8084, 41234, 86)) == 0);
}

TEST_CASE("a captured echo session: handshake, data, FIN exchange, linked to its calls; the pcap reads back") {
  EventLog log;
  OpContext server(&log, "server", nullptr);
  OpContext client(&log, "client", nullptr);
  const CallResult listener = ops::socket(server, AF_INET, SOCK_STREAM);
  REQUIRE(listener.ok());
  const int lfd = static_cast<int>(listener.value);
  REQUIRE(ops::bind(server, lfd, Address{AF_INET, "127.0.0.1", 0, {}}).ok());
  REQUIRE(ops::listen(server, lfd, 5).ok());
  const int port = ops::getsockname(server, lfd).address.port;
  REQUIRE(port > 0);

  const std::string pcap_path = "/tmp/sockstep-test-" + std::to_string(::getpid()) + ".pcap";
  Capture capture;
  CaptureOptions options;
  options.ports = {port};
  options.pcap_path = pcap_path;
  if (!capture.start(log, options)) {
    CHECK(capture.state() == CaptureState::NotPermitted);
    CHECK(capture.message().find("setcap cap_net_raw+ep") != std::string::npos);
    MESSAGE("skipped: " << capture.message());
    (void)ops::close(server, lfd);
    return;
  }
  const CallResult sock = ops::socket(client, AF_INET, SOCK_STREAM);
  const int cfd = static_cast<int>(sock.value);
  const CallResult connected = ops::connect(client, cfd, Address{AF_INET, "127.0.0.1", port, {}});
  REQUIRE(connected.ok());
  const CallResult conn = ops::accept(server, lfd);
  REQUIRE(conn.ok());
  const int sfd = static_cast<int>(conn.value);
  REQUIRE(ops::send(client, cfd, "hello").ok());
  CHECK(ops::recv(server, sfd, 1024).bytes == "hello");
  REQUIRE(ops::sendall(server, sfd, "HELLO").ok());
  CHECK(ops::recv(client, cfd, 1024).bytes == "HELLO");
  REQUIRE(ops::close(client, cfd).ok());
  CHECK(ops::recv(server, sfd, 1024).value == 0);
  REQUIRE(ops::close(server, sfd).ok());
  REQUIRE(ops::close(server, lfd).ok());
  capture.stop();

  std::vector<SeenPacket> seen;
  std::uint64_t connect_seq = 0, send_seq = 0, client_close_seq = 0, server_close_seq = 0;
  for (const Event& e : log.all()) {
    if (e.kind == EventKind::Packet) {
      seen.push_back({e.name(), e.bytes.str(), e.packet.caused_by});
      CHECK(e.packet.window > 0);  // loopback never closes its window on a few bytes
      CHECK(e.packet.from.host == "127.0.0.1");
    }
    if (e.kind != EventKind::Call) continue;
    if (e.call == Call::Connect) connect_seq = e.seq;
    if (e.call == Call::Send) send_seq = e.seq;
    if (e.call == Call::Close && e.actor == "client") client_close_seq = e.seq;
    if (e.call == Call::Close && e.actor == "server" && e.fd == sfd) server_close_seq = e.seq;
  }
  CHECK(capture.packets() == seen.size());
  std::vector<std::string> labels;
  for (const SeenPacket& p : seen) labels.push_back(p.label);
  INFO("packets: " << [&] { std::string s; for (auto& l : labels) s += l + " "; return s; }());
  REQUIRE(labels.size() >= 10);
  CHECK(labels[0] == "SYN");
  CHECK(labels[1] == "SYN-ACK");
  CHECK(labels[2] == "ACK");
  CHECK(seen[0].caused_by == connect_seq);
  const auto find = [&](const std::string& label, const std::string& payload, std::size_t from) {
    for (std::size_t i = from; i < seen.size(); ++i)
      if (seen[i].label == label && (payload.empty() || seen[i].payload == payload)) return i;
    return seen.size();
  };
  const std::size_t hello = find("PSH", "hello", 3);
  const std::size_t upper = find("PSH", "HELLO", hello);
  const std::size_t fin1 = find("FIN", "", upper);
  const std::size_t fin2 = find("FIN", "", fin1 + 1);
  const std::size_t last_ack = find("ACK", "", fin2);
  REQUIRE(last_ack < seen.size());
  CHECK(seen[hello].caused_by == send_seq);
  CHECK(seen[fin1].caused_by == client_close_seq);
  CHECK(seen[fin2].caused_by == server_close_seq);

  // The file holds the same packets in the same order.
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* file = pcap_open_offline(pcap_path.c_str(), error);
  REQUIRE_MESSAGE(file != nullptr, error);
  std::vector<std::string> from_file;
  pcap_pkthdr* header = nullptr;
  const std::uint8_t* data = nullptr;
  for (int i = 0; i < 1000 && pcap_next_ex(file, &header, &data) == 1; ++i) {
    const PacketDecodeResult r = decode_packet(pcap_datalink(file), data, header->caplen, header->len);
    if (r.ok()) from_file.push_back(packet_label(r.packet.tcp_flags, r.packet.payload_length, r.packet.udp));
  }
  pcap_close(file);
  std::remove(pcap_path.c_str());
  CHECK(from_file == labels);
}

namespace {

// One exchange on loopback made on a log the capture does not watch: its packets leave
// before anything names their port, as a traced program's do.
int unseen_exchange(const std::string& message) {
  EventLog elsewhere;
  OpContext ctx(&elsewhere, "program", nullptr);
  const int lfd = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  REQUIRE(ops::bind(ctx, lfd, Address{AF_INET, "127.0.0.1", 0, {}}).ok());
  REQUIRE(ops::listen(ctx, lfd, 1).ok());
  const int port = ops::getsockname(ctx, lfd).address.port;
  const int cfd = static_cast<int>(ops::socket(ctx, AF_INET, SOCK_STREAM).value);
  REQUIRE(ops::connect(ctx, cfd, Address{AF_INET, "127.0.0.1", port, {}}).ok());
  const int sfd = static_cast<int>(ops::accept(ctx, lfd).value);
  REQUIRE(ops::send(ctx, cfd, message).ok());
  CHECK(ops::recv(ctx, sfd, 1024).bytes == message);
  (void)ops::close(ctx, cfd);
  (void)ops::close(ctx, sfd);
  (void)ops::close(ctx, lfd);
  return port;
}

// The packets of a pcap file, as "from_port>to_port:payload".
std::vector<std::string> pcap_packets(const std::string& path) {
  char error[PCAP_ERRBUF_SIZE] = {};
  pcap_t* file = pcap_open_offline(path.c_str(), error);
  REQUIRE_MESSAGE(file != nullptr, error);
  std::vector<std::string> out;
  pcap_pkthdr* header = nullptr;
  const std::uint8_t* data = nullptr;
  while (out.size() < 1000 && pcap_next_ex(file, &header, &data) == 1) {
    const PacketDecodeResult r = decode_packet(pcap_datalink(file), data, header->caplen, header->len);
    if (r.ok())
      out.push_back(std::to_string(r.packet.from_port) + ">" + std::to_string(r.packet.to_port) + ":" +
                    std::string(r.packet.payload));
  }
  pcap_close(file);
  return out;
}

}  // namespace

TEST_CASE("a capture that learns its ports keeps the packets that left before their port was named") {
  const std::string pcap_path = "/tmp/sockstep-early-" + std::to_string(::getpid()) + ".pcap";
  EventLog log;
  Capture capture;
  CaptureOptions options;
  options.learn_ports = true;
  options.link_calls = false;
  options.pcap_path = pcap_path;
  options.hold.wait = std::chrono::minutes(10);  // only what the calls say decides here
  if (!capture.start(log, options)) {
    MESSAGE("skipped: " << capture.message());
    return;
  }
  const int session_port = unseen_exchange("early");
  const int other_port = unseen_exchange("not ours");
  // Only now does a call name the session's port (a tracer reads calls after the fact).
  log.append(test::call_event("program", Call::Connect, 3, test::tcp({}, test::v4(session_port)), 0));
  capture.stop();

  std::vector<std::string> logged;
  for (const Event& e : log.all())
    if (e.kind == EventKind::Packet) {
      CHECK((e.packet.from.port == session_port || e.packet.to.port == session_port));
      logged.push_back(std::to_string(e.packet.from.port) + ">" + std::to_string(e.packet.to.port) + ":" + e.bytes.str());
    }
  // SYN, SYN-ACK, ACK, the data and its ACK, two FINs and their ACKs at least.
  REQUIRE(logged.size() >= 8);
  CHECK(logged[0].rfind(std::to_string(session_port), 0) != 0);  // the SYN, from the client's port
  CHECK(std::count_if(logged.begin(), logged.end(), [](const std::string& p) { return p.ends_with(":early"); }) == 1);
  CHECK(capture.packets() == logged.size());
  CHECK(capture.missed_early() == 0);
  const std::vector<std::string> in_file = pcap_packets(pcap_path);
  std::remove(pcap_path.c_str());
  CHECK(in_file == logged);  // every one, in the kernel's order; none of other_port's
  for (const std::string& p : in_file) CHECK(p.find(std::to_string(other_port)) == std::string::npos);
}

TEST_CASE("held packets: kept once their port is known, written in the kernel's order, let go when too old or too many") {
  using Clock = HeldPackets::Clock;
  const Clock::time_point t0{};
  std::set<int> ports;
  const HeldPackets::Wanted wanted = [&](int from, int to) { return ports.count(from) + ports.count(to) > 0; };
  std::vector<int> kept;
  std::vector<int> written;
  const auto packet = [&](int from, int to, int id, Clock::time_point at) {
    HeldPackets::Packet p;
    p.from_port = from;
    p.to_port = to;
    p.ts_usec = id;  // which one it is, for the checks
    p.bytes.assign(100, 0);
    p.since = at;
    return p;
  };
  const HeldPackets::Visit keep = [&](const HeldPackets::Packet& p) { kept.push_back(static_cast<int>(p.ts_usec)); };
  const HeldPackets::Visit write = [&](const HeldPackets::Packet& p) { written.push_back(static_cast<int>(p.ts_usec)); };

  SUBCASE("a port learned late: its packets are kept, the ones before it wait for their own") {
    HeldPackets held(HeldPackets::Limits{16, 1 << 20, std::chrono::milliseconds(2000)});
    held.hold(packet(41000, 9000, 1, t0));  // a SYN to 9000, before anyone named it
    held.settle(wanted, false, t0, false, keep, write);
    held.hold(packet(42000, 9100, 2, t0));  // another connection's, also unnamed yet
    held.settle(wanted, false, t0, false, keep, write);
    CHECK(kept.empty());
    ports.insert(9100);  // the second one's port comes first
    held.settle(wanted, true, t0, false, keep, write);
    CHECK(kept == std::vector<int>{2});
    CHECK(written.empty());  // the file waits for packet 1, which came first
    ports.insert(9000);
    held.settle(wanted, true, t0, false, keep, write);
    CHECK(kept == std::vector<int>{2, 1});
    CHECK(written == std::vector<int>{1, 2});
    CHECK(held.empty());
    CHECK(held.missed(wanted) == 0);
  }
  SUBCASE("a packet nobody names is let go once it has waited too long; then others go on") {
    HeldPackets held(HeldPackets::Limits{16, 1 << 20, std::chrono::milliseconds(2000)});
    held.hold(packet(50000, 53, 1, t0));
    held.settle(wanted, false, t0 + std::chrono::milliseconds(1999), false, keep, write);
    CHECK(held.size() == 1);
    held.hold(packet(41000, 9000, 2, t0 + std::chrono::milliseconds(1000)));
    ports.insert(9000);
    held.settle(wanted, true, t0 + std::chrono::milliseconds(2001), false, keep, write);
    CHECK(kept == std::vector<int>{2});
    CHECK(written == std::vector<int>{2});
    CHECK(held.empty());
    CHECK(held.missed(wanted) == 0);  // port 53 is not the session's
    ports.insert(53);
    CHECK(held.missed(wanted) == 1);  // had it been, the end would say it was missed
  }
  SUBCASE("more than the limit waiting: the oldest goes; at the end every undecided one goes") {
    HeldPackets held(HeldPackets::Limits{2, 1 << 20, std::chrono::milliseconds(2000)});
    for (int id = 1; id <= 3; ++id) {
      held.hold(packet(41000 + id, 9000, id, t0));
      held.settle(wanted, false, t0, false, keep, write);
    }
    CHECK(held.size() == 2);
    held.settle(wanted, false, t0, true, keep, write);
    CHECK(held.empty());
    CHECK(kept.empty());
    ports.insert(9000);
    CHECK(held.missed(wanted) == 3);
  }
  SUBCASE("held bytes are bounded too") {
    HeldPackets held(HeldPackets::Limits{100, 250, std::chrono::milliseconds(2000)});
    for (int id = 1; id <= 3; ++id) {
      held.hold(packet(41000, 9000, id, t0));
      held.settle(wanted, false, t0, false, keep, write);
    }
    CHECK(held.size() == 2);  // 300 B held is more than 250
  }
}

TEST_CASE("capture filters name the session's ports and loopback only") {
  CHECK(capture_filter({8084}) == "(tcp or udp) and (port 8084) and (net 127.0.0.0/8 or ip6 host ::1)");
  CHECK(capture_filter({8084, 9000}).find("(port 8084 or port 9000)") != std::string::npos);
  CHECK(capture_filter({}) == "(tcp or udp) and (net 127.0.0.0/8 or ip6 host ::1)");
}

}  // namespace sockstep
