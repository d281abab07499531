// follow_streams: a session's TCP byte streams, per connection and direction, from the
// calls' typed fields. The oracle for real programs is tshark (tests/realworld).
#include <doctest/doctest.h>

#include "engine/log/follow.hpp"

using namespace sockstep;

namespace {

Address v4(int port) { return Address{AF_INET, "127.0.0.1", port, {}}; }

Event moved(const std::string& actor, Call call, const Address& local, const Address& peer, const std::string& bytes,
            int type = SOCK_STREAM) {
  Event e;
  e.kind = EventKind::Call;
  e.call = call;
  e.dir = call_direction(call);
  e.actor = actor;
  e.sock.family = AF_INET;
  e.sock.type = type;
  e.sock.local = local;
  e.sock.peer = peer;
  e.bytes = Bytes(bytes);
  e.byte_count = bytes.size();
  e.value = static_cast<long long>(bytes.size());
  return e;
}

}  // namespace

TEST_CASE("two clients of one server are two connections, each direction its own stream") {
  const std::vector<Event> events = {
      moved("client-1", Call::Send, v4(40001), v4(8084), "hello"),
      moved("client-2", Call::Send, v4(40002), v4(8084), "world"),
      moved("server", Call::Recv, v4(8084), v4(40002), "world"),
      moved("server", Call::Recv, v4(8084), v4(40001), "hello"),
      moved("server", Call::Send, v4(8084), v4(40001), "HELLO"),
      moved("server", Call::Send, v4(8084), v4(40002), "WORLD"),
  };
  const auto streams = follow_streams(events);
  REQUIRE(streams.size() == 4);
  CHECK(streams[0].src == v4(40001));
  CHECK(streams[0].bytes == "hello");
  CHECK(streams[1].src == v4(8084));
  CHECK(streams[1].dst == v4(40001));
  CHECK(streams[1].bytes == "HELLO");  // client-1's reply, never client-2's
  CHECK(streams[2].bytes == "world");
  CHECK(streams[3].bytes == "WORLD");
  for (const auto& s : streams) CHECK(s.complete);
}

TEST_CASE("a stream keeps each call's boundary, skips peeks and datagrams, and says when bytes were cut") {
  Event peek = moved("server", Call::Recv, v4(8084), v4(40001), "he");
  peek.peeked = true;
  Event cut = moved("client", Call::Send, v4(40001), v4(8084), "xy");
  cut.byte_count = 4000;  // the record kept 2 of the bytes the call moved
  cut.value = 4000;
  const std::vector<Event> events = {
      moved("client", Call::Send, v4(40001), v4(8084), "hel"),
      peek,
      moved("client", Call::Send, v4(40001), v4(8084), "lo"),
      moved("client", Call::SendTo, v4(40005), v4(9000), "datagram", SOCK_DGRAM),
      moved("server", Call::Recv, v4(8084), v4(40001), "hello"),
  };
  auto streams = follow_streams(events);
  REQUIRE(streams.size() == 1);
  CHECK(streams[0].bytes == "hello");
  CHECK(streams[0].starts == std::vector<std::size_t>{0, 3});
  CHECK(streams[0].seen_by == "sends of client");
  CHECK(streams[0].complete);  // the recvs agree: 5 bytes, the peek not counted

  std::vector<Event> with_cut = events;
  with_cut.push_back(cut);
  streams = follow_streams(with_cut);
  REQUIRE(streams.size() == 1);
  CHECK_FALSE(streams[0].complete);
  CHECK(streams[0].byte_count == 4005);
}
