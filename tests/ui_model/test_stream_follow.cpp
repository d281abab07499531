// The Bytes panel's Follow view: a connection's two directions back in the order the
// calls moved them, each call's piece apart, every connection on its own.
#include <doctest/doctest.h>

#include "support/typed_events.hpp"
#include "ui/stream_follow.hpp"

using namespace sockstep;
using namespace sockstep::ui;
using namespace sockstep::test;

namespace {

Event at(std::uint64_t seq, Event e) {
  e.seq = seq;
  return e;
}

std::string piece_text(const std::vector<ByteStream>& streams, const FollowPiece& p) {
  return streams[p.stream].data.substr(p.begin, p.end - p.begin);
}

}  // namespace

TEST_CASE("follow: two clients' exchanges, each in call order, never mixed") {
  Conversation conv;
  conv.reset({"server", "c1", "c2"});
  const SocketFacts c1 = tcp(v4(40001), v4(8084));
  const SocketFacts s1 = tcp(v4(8084), v4(40001));
  const SocketFacts c2 = tcp(v4(40002), v4(8084));
  const SocketFacts s2 = tcp(v4(8084), v4(40002));
  const std::vector<Event> events = {
      at(1, call_event("server", Call::Listen, 3, tcp(v4(8084)))),
      at(2, call_event("c1", Call::Connect, 3, c1)),
      at(3, call_event("server", Call::Accept, 3, s1, 4)),
      at(4, call_event("c2", Call::Connect, 3, c2)),
      at(5, call_event("server", Call::Accept, 3, s2, 5)),
      at(6, call_event("c2", Call::Send, 3, c2, 3, "two")),
      at(7, call_event("c1", Call::Send, 3, c1, 2, "he")),
      at(8, call_event("c1", Call::Send, 3, c1, 3, "llo")),
      at(9, call_event("server", Call::Recv, 4, s1, 5, "hello")),
      at(10, call_event("server", Call::Send, 4, s1, 5, "HELLO")),
      at(11, call_event("server", Call::Recv, 5, s2, 3, "two")),
      at(12, call_event("c1", Call::Recv, 3, c1, 5, "HELLO")),
      at(13, call_event("c1", Call::Send, 3, c1, 3, "bye")),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  const auto& streams = conv.streams();
  const std::vector<FollowedConnection> follow = follow_connections(streams);
  REQUIRE(follow.size() == 2);
  // c2 spoke first: its connection comes first, one direction only.
  CHECK(streams[follow[0].forward].from == "c2");
  CHECK(follow[0].backward == -1);
  REQUIRE(follow[0].pieces.size() == 1);
  CHECK(piece_text(streams, follow[0].pieces[0]) == "two");
  // c1's: its two sends apart, the reply, then its last send; directions marked.
  const FollowedConnection& one = follow[1];
  CHECK(streams[one.forward].from == "c1");
  REQUIRE(one.backward >= 0);
  CHECK(streams[static_cast<std::size_t>(one.backward)].from == "server");
  std::vector<std::string> texts;
  std::vector<bool> forward;
  for (const FollowPiece& p : one.pieces) {
    texts.push_back(piece_text(streams, p));
    forward.push_back(p.forward);
  }
  CHECK(texts == std::vector<std::string>{"he", "llo", "HELLO", "bye"});
  CHECK(forward == std::vector<bool>{true, true, false, true});
}

TEST_CASE("follow: datagrams are not a connection") {
  Conversation conv;
  conv.reset({"server", "client"});
  const std::vector<Event> events = {
      at(1, call_event("server", Call::Bind, 3, udp(v4(9000)))),
      at(2, call_event("client", Call::SendTo, 4, udp(v4(41001), v4(9000)), 2, "u1")),
      at(3, call_event("server", Call::RecvFrom, 3, udp(v4(9000), v4(41001)), 2, "u1")),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  REQUIRE(conv.streams().size() == 1);
  CHECK(follow_connections(conv.streams()).empty());
}
