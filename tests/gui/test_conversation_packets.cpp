// Packets in the sequence diagram: thin arrows between the lanes of the sockets at
// their two ports, one row each, only when packet events exist.
#include <doctest/doctest.h>

#include <cerrno>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include "engine/capture/capture.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/session.hpp"
#include "support/typed_events.hpp"
#include "gui/headless_context.hpp"
#include "ui/conversation.hpp"
#include "ui/fonts.hpp"
#include "ui/ui_root.hpp"

namespace sockstep::ui {
namespace {

using test::tcp;
using test::udp;
using test::v4;

Event call(const char* actor, Call name, int fd, SocketFacts facts = {}, long long value = 0) {
  return test::call_event(actor, name, fd, std::move(facts), value);
}

Event packet(PacketKind label, int from, int to, std::size_t bytes = 0) {
  return test::packet_event(label, from, to, 0, bytes);
}

// The diagram's packet arrows, in order.
std::vector<const SeqArrow*> packet_arrows(const Conversation& conv) {
  std::vector<const SeqArrow*> packets;
  for (const SeqArrow& a : conv.arrows())
    if (a.kind == ArrowKind::Packet) packets.push_back(&a);
  return packets;
}

}  // namespace

TEST_CASE("conversation: packets run between the lanes of their sockets") {
  Conversation conv;
  conv.reset({"server", "client"});
  std::vector<Event> events = {
      call("server", Call::Bind, 3, tcp(v4(8084))),
      call("server", Call::Listen, 3, tcp(v4(8084))),
      packet(PacketKind::Syn, 41234, 8084),  // before any call names the client's port
      packet(PacketKind::SynAck, 8084, 41234),
      call("client", Call::Connect, 4, tcp(v4(41234), v4(8084))),
      call("server", Call::Accept, 3, tcp(v4(8084), v4(41234)), 5),
      packet(PacketKind::Psh, 41234, 8084, 5),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  const std::vector<const SeqArrow*> packets = packet_arrows(conv);
  REQUIRE(packets.size() == 3);
  const int server = 0;
  const int client = 1;
  CHECK(packets[0]->from_lane == client);
  CHECK(packets[0]->to_lane == server);
  CHECK(packets[1]->from_lane == server);
  CHECK(packets[1]->to_lane == client);
  CHECK(packets[2]->bytes == 5);
  CHECK(packets[2]->from_row == packets[2]->to_row);
  CHECK(conv.row_of_event(2) >= 0);
  CHECK(conv.lanes().size() == 2);
}

TEST_CASE("conversation: a packet from a program outside gets a peer lane; no packets, no packet arrows") {
  Conversation conv;
  conv.reset({"server"});
  conv.add(call("server", Call::Bind, 3, tcp(v4(8084))), 0);
  CHECK(conv.arrows().empty());
  // Its other end is unknown: it waits for the calls.
  conv.add(packet(PacketKind::Syn, 50000, 8084), 1);
  CHECK(conv.arrows().empty());
  // The server is alone: its client is a program whose calls are not seen.
  conv.add(call("server", Call::Accept, 3, tcp(v4(8084), v4(50000)), 4), 2);
  REQUIRE(conv.arrows().size() == 1);
  CHECK(conv.lanes().size() == 2);
  CHECK(conv.lanes()[1] == "peer");
  CHECK(conv.arrows()[0].from_lane == 1);
  CHECK(conv.arrows()[0].to_lane == 0);
  conv.add(packet(PacketKind::Syn, 1, 2), 3);  // no socket of this session: not drawn
  CHECK(conv.arrows().size() == 1);
}

TEST_CASE("conversation: a packet read before its sender's calls waits for them (trace)") {
  Conversation conv;
  conv.reset({});
  conv.add(call("server", Call::Bind, 3, tcp(v4(8084))), 0);
  conv.add(packet(PacketKind::Syn, 50000, 8084), 1);  // the client's calls are not read yet
  conv.add(call("client", Call::Connect, 4, tcp(v4(50000), v4(8084))), 2);
  conv.add(call("server", Call::Accept, 3, tcp(v4(8084), v4(50000)), 5), 3);
  CHECK(conv.lanes() == std::vector<std::string>{"server", "client"});  // no "peer" lane
  const std::vector<const SeqArrow*> packets = packet_arrows(conv);
  REQUIRE(packets.size() == 1);
  CHECK(packets[0]->from_lane == 1);
  CHECK(packets[0]->to_lane == 0);
}

TEST_CASE("conversation: a packet's row goes up among the calls logged after it left") {
  Conversation conv;
  conv.reset({"server", "client"});
  const auto at = [](Event e, std::int64_t t_us) {
    e.t_us = t_us;
    return e;
  };
  const auto left_at = [](Event e, std::int64_t at_us) {
    e.packet.at_us = at_us;
    return e;
  };
  const SocketFacts client = tcp(v4(41234), v4(8084));
  Event waits = call("client", Call::Connect, 4, client);
  waits.kind = EventKind::Blocked;
  std::vector<Event> events = {
      at(call("server", Call::Bind, 3, tcp(v4(8084))), 10),
      at(waits, 100),
      at(call("client", Call::Connect, 4, client), 300),
      at(call("client", Call::Send, 4, client, 5), 400),
      // The capture hands them over late, in one batch.
      left_at(packet(PacketKind::Syn, 41234, 8084), 150),
      left_at(packet(PacketKind::SynAck, 8084, 41234), 160),
      left_at(packet(PacketKind::Ack, 41234, 8084), 170),
      left_at(packet(PacketKind::Psh, 41234, 8084, 5), 390),
      packet(PacketKind::Fin, 41234, 8084),  // no time known: last
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  std::vector<std::string> shown;
  for (int row : conv.display_order()) {
    const Event& e = events[conv.rows()[static_cast<std::size_t>(row)].event_index];
    shown.push_back(std::string(e.name()) + (e.kind == EventKind::Blocked ? "…" : ""));
  }
  CHECK(shown == std::vector<std::string>{"bind", "connect…", "SYN", "SYN-ACK", "ACK", "connect", "PSH", "send", "FIN"});
  for (std::size_t p = 0; p < conv.display_order().size(); ++p)
    CHECK(conv.position_of(conv.display_order()[p]) == static_cast<int>(p));
  // The waiting span still runs from the wait to the call's return, past the packets.
  const SeqRow& wait_row = conv.rows()[static_cast<std::size_t>(conv.row_of_event(1))];
  CHECK(conv.position_of(wait_row.block_end_row) == 5);
}

TEST_CASE("conversation: a client alone (dial) draws its packets to the server it reached") {
  Conversation conv;
  conv.reset({"client", "server"});  // as the dial window sets it up
  conv.set_outside("server");
  conv.add(call("client", Call::Socket, 4, tcp(), 4), 0);
  conv.add(call("client", Call::Connect, 4, tcp(v4(44802), v4(9555))), 1);
  conv.add(packet(PacketKind::Syn, 44802, 9555), 2);
  conv.add(packet(PacketKind::SynAck, 9555, 44802), 3);
  const std::vector<const SeqArrow*> packets = packet_arrows(conv);
  REQUIRE(packets.size() == 2);
  REQUIRE(conv.lanes().size() == 2);
  CHECK(conv.lanes()[1] == "server");
  CHECK(packets[0]->from_lane == 0);
  CHECK(packets[0]->to_lane == 1);
  CHECK(packets[1]->from_lane == 1);
  CHECK(packets[1]->to_lane == 0);
}

TEST_CASE("conversation: a refused connect draws its SYN and the RST that answered it") {
  Conversation conv;
  conv.reset({"client", "server"});
  conv.set_outside("server");
  conv.add(call("client", Call::Socket, 4, tcp(), 4), 0);
  Event refused = call("client", Call::Connect, 4, tcp({}, v4(9555)));  // its port was given back
  refused.err = ECONNREFUSED;
  conv.add(refused, 1);
  conv.add(packet(PacketKind::Syn, 44802, 9555), 2);
  conv.add(packet(PacketKind::Rst, 9555, 44802), 3);
  const std::vector<const SeqArrow*> packets = packet_arrows(conv);
  REQUIRE(packets.size() == 2);
  CHECK(packets[0]->from_lane == 0);
  CHECK(packets[1]->from_lane == 1);
  CHECK(packets[1]->to_lane == 0);
}

TEST_CASE("conversation: an accept logged before its connect opens no peer lane in a two-actor lesson") {
  Conversation conv;
  conv.reset({"server", "client"});
  conv.add(call("server", Call::Bind, 3, tcp(v4(8084))), 0);
  conv.add(call("server", Call::Accept, 3, tcp(v4(8084), v4(50000)), 5), 1);  // the server's thread won the race
  conv.add(call("client", Call::Connect, 4, tcp(v4(50000), v4(8084))), 2);
  conv.add(packet(PacketKind::Psh, 50000, 8084, 5), 3);
  CHECK(conv.lanes() == std::vector<std::string>{"server", "client"});
  REQUIRE(conv.arrows().back().kind == ArrowKind::Packet);
  CHECK(conv.arrows().back().from_lane == 1);
}

TEST_CASE("conversation: a program that connects to its own listener shakes hands with itself") {
  Conversation conv;
  conv.reset({});
  conv.add(call("app", Call::Bind, 3, tcp(v4(8084))), 0);
  conv.add(call("app", Call::Listen, 3, tcp(v4(8084))), 1);
  conv.add(call("app", Call::Connect, 4, tcp(v4(50000), v4(8084))), 2);
  conv.add(packet(PacketKind::Syn, 50000, 8084), 3);
  CHECK(conv.lanes() == std::vector<std::string>{"app"});
  CHECK(conv.held_back() == 0);
}

TEST_CASE("conversation: a lone program's packets from a peer nobody traces are drawn, and held back within bounds") {
  Conversation conv;
  conv.reset({});
  conv.add(call("udp", Call::Bind, 3, udp(v4(9999))), 0);
  Event datagram = packet(PacketKind::Udp, 41000, 9999, 5);
  datagram.packet.at_us = 1000;
  conv.add(datagram, 1);
  CHECK(conv.held_back() == 1);  // its sender's calls may still be on their way
  Event heard = call("udp", Call::RecvFrom, 3, udp(v4(9999), v4(41000)), 5);
  heard.bytes = "hello";
  heard.byte_count = 5;
  heard.t_us = 1100;
  conv.add(heard, 2);  // alone, it heard from a program whose calls are not seen
  CHECK(conv.held_back() == 0);
  CHECK(conv.lanes() == std::vector<std::string>{"udp", "peer"});

  // A flood nobody's calls explain: SYNs to a listener that never accepts.
  Conversation flood;
  flood.reset({});
  flood.add(call("server", Call::Bind, 3, tcp(v4(8084))), 0);
  for (std::size_t i = 0; i < 1000; ++i) {
    Event syn = packet(PacketKind::Syn, static_cast<int>(40000 + i), 8084);
    syn.packet.at_us = 1;  // all at once
    flood.add(syn, i + 1);
  }
  CHECK(flood.held_back() <= 256);
  // A quarter of a second later, what is still held is drawn on the peer lane.
  Event later = packet(PacketKind::Syn, 39999, 8084);
  later.packet.at_us = 300'000;
  flood.add(later, 1001);
  CHECK(flood.held_back() <= 1);
}

TEST_CASE("the window draws a captured echo lesson, packets and all (root or CAP_NET_RAW only)") {
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  Capture capture;
  CaptureOptions options;
  options.ports = {session.port()};
  if (!capture.start(session.events(), options)) {
    MESSAGE("skipped: " << capture.message());
    return;
  }
  sockstep::test::headless_context(ImVec2(1280, 720));
  FontManager fonts(find_font_files());
  fonts.build(1.0f);
  UiRoot root(fonts);
  UiState state;
  std::vector<LessonEntry> lessons;
  Commands out;
  for (int n = 0; n < 500 && session.step(); ++n) {
  }
  capture.stop();
  root.refresh(session, state);
  ImGui::NewFrame();
  root.draw(state, lessons, "", {}, out);
  ImGui::Render();
  CHECK(ImGui::GetDrawData()->TotalVtxCount > 1000);
  ImGui::DestroyContext();
  std::size_t packets = 0;
  for (const Event& e : session.events().all()) packets += e.kind == EventKind::Packet ? 1 : 0;
  CHECK(packets >= 10);  // handshake, hello, HELLO, the FIN exchange and their ACKs
}

}  // namespace sockstep::ui
