#include <doctest/doctest.h>

#include <string>

#include "engine/log/bytes.hpp"
#include "engine/log/event_ring.hpp"
#include "engine/sockets/socket_ops.hpp"
#include "loopback.hpp"

using namespace sockstep;
using namespace sockstep::test;

TEST_CASE("Bytes copies what it is made from and reads like a string") {
  std::string source = "hello";
  const Bytes bytes = source;
  source[0] = 'J';
  CHECK(bytes == "hello");
  CHECK(bytes.size() == 5);
  CHECK(bytes.substr(1, 3) == "ell");
  CHECK(bytes.str() == "hello");
  CHECK(std::string(bytes.begin(), bytes.end()) == "hello");
  const Bytes copy = bytes;
  CHECK(copy.data() == bytes.data());  // a copy shares, it does not copy the bytes
  CHECK(Bytes().empty());
  CHECK(Bytes("").data() == nullptr);
}

TEST_CASE("Bytes::with_room keeps what was written; a short message gets a buffer of its own") {
  SUBCASE("most of the room used: the same buffer, shortened; it still holds all of it") {
    Bytes bytes = Bytes::with_room(8);
    const char* room = bytes.writable();
    std::string("abcdef").copy(bytes.writable(), 6);
    bytes.keep(6);
    CHECK(bytes == "abcdef");
    CHECK(bytes.data() == room);
    CHECK(bytes.footprint() == 8);
    EventLog log(EventLogLimits{100, 100, 20});
    Event e;
    e.bytes = bytes;
    log.append(e);
    log.append(e);
    CHECK(log.stored_bytes() == 16);  // counted by what the buffers hold, not what they show
    log.append(std::move(e));
    CHECK(log.size() == 2);           // a third would hold 24 > 20
  }
  SUBCASE("most of the room unused: moved to a fitting buffer") {
    Bytes bytes = Bytes::with_room(1024);
    const char* room = bytes.writable();
    std::string("hi").copy(bytes.writable(), 2);
    bytes.keep(2);
    CHECK(bytes == "hi");
    CHECK(bytes.data() != room);
    CHECK(bytes.footprint() == 2);
  }
  SUBCASE("nothing kept") {
    Bytes bytes = Bytes::with_room(16);
    bytes.keep(0);
    CHECK(bytes.empty());
  }
}

TEST_CASE("a call's result and its event share one copy of the bytes, and sent Bytes are not copied") {
  EventLog log;
  OpContext ctx(&log, "test", nullptr);
  const Listener l = listen_loopback(ctx);
  const Pair p = connected_pair(ctx, l);
  const Bytes data = std::string(3000, 's');
  const CallResult sent = ops::sendall(ctx, p.client, data);
  const CallResult got = ops::recv(ctx, p.server, 3000, true);
  REQUIRE(got.bytes == std::string(3000, 's'));
  const auto events = log.all();
  const Event& recv_event = events[events.size() - 1];
  const Event& send_event = events[events.size() - 2];
  REQUIRE(recv_event.call == Call::Recv);
  REQUIRE(send_event.call == Call::Sendall);
  CHECK(recv_event.bytes.data() == got.bytes.data());
  CHECK(send_event.bytes.data() == sent.bytes.data());
  CHECK(sent.bytes.data() == data.data());  // sending Bytes copies nothing
  (void)ops::close(ctx, p.client);
  (void)ops::close(ctx, p.server);
  (void)ops::close(ctx, l.fd);
}

TEST_CASE("a capped event keeps its own copy of the prefix, not the whole buffer") {
  EventLog log(EventLogLimits{100, 16, 1000});
  const Bytes big = std::string(40, 'x');
  Event e;
  e.bytes = big;
  log.append(std::move(e));
  const Event kept = log.all().back();
  CHECK(kept.bytes == std::string(16, 'x'));
  CHECK(kept.bytes.data() != big.data());
  CHECK(kept.byte_count == 40);
}

TEST_CASE("after clear() the log refills in order, within its limits") {
  EventLog log(EventLogLimits{50, 64, 1000});
  for (int round = 0; round < 3; ++round) {
    log.clear();
    for (int i = 0; i < 120; ++i) {
      Event e;
      e.bytes = std::string(20, static_cast<char>('a' + round));
      log.append(std::move(e));
    }
    const auto all = log.all();
    REQUIRE(all.size() == 50);
    CHECK(log.stored_bytes() == 1000);
    CHECK(all.front().bytes == std::string(20, static_cast<char>('a' + round)));
    for (std::size_t i = 1; i < all.size(); ++i) CHECK(all[i].seq == all[i - 1].seq + 1);
  }
}

TEST_CASE("the event ring grows by chunks, and a wrapped full ring grows in order") {
  constexpr std::size_t kChunk = EventRing::kChunkEvents;
  // Byte limit first: 17 of 30 events of 40 bytes fit, so the ring has wrapped inside
  // its first chunk; then 1-byte events fill that chunk and make it grow.
  EventLog log(EventLogLimits{3 * kChunk, 100, 200 + 2 * kChunk});
  auto add = [&](std::size_t size) {
    Event e;
    e.bytes = std::string(size, 'b');
    return log.append(std::move(e));
  };
  for (int i = 0; i < 30; ++i) add(40);
  CHECK(log.size() == 17);
  std::uint64_t last = 0;
  for (std::size_t i = 0; i < 2 * kChunk; ++i) last = add(1);
  const auto all = log.all();
  REQUIRE(all.size() > kChunk);  // more than one chunk, reached from a wrapped ring
  for (std::size_t i = 1; i < all.size(); ++i) REQUIRE(all[i].seq == all[i - 1].seq + 1);
  CHECK(all.back().seq == last);
  CHECK(log.stored_bytes() <= 200 + 2 * kChunk);
}

TEST_CASE("a reserved ring holds its limit without growing, and keeps its events in order") {
  constexpr std::size_t kChunk = EventRing::kChunkEvents;
  EventRing ring;
  ring.reserve(kChunk + 1);
  CHECK(ring.capacity() == 2 * kChunk);
  ring.reserve(kChunk);  // never shrinks
  CHECK(ring.capacity() == 2 * kChunk);
  for (std::uint64_t seq = 1; seq <= 2 * kChunk; ++seq) {
    Event e;
    e.seq = seq;
    ring.push_back(std::move(e));
  }
  CHECK(ring.capacity() == 2 * kChunk);
  // Wrapped and not full, then reserved: the order survives the growth.
  for (int i = 0; i < 3; ++i) ring.pop_front();
  Event e;
  e.seq = 2 * kChunk + 1;
  ring.push_back(std::move(e));
  ring.reserve(3 * kChunk);
  CHECK(ring.capacity() == 3 * kChunk);
  REQUIRE(ring.size() == 2 * kChunk - 2);
  for (std::size_t i = 0; i < ring.size(); ++i) REQUIRE(ring[i].seq == i + 4);
  Event after;
  after.seq = 2 * kChunk + 2;
  ring.push_back(std::move(after));
  CHECK(ring[ring.size() - 1].seq == 2 * kChunk + 2);
}

TEST_CASE("an event that shows a small part of a large buffer keeps a copy of that part") {
  // A non-blocking send that queued 10 bytes of 500: its result shares the 500.
  EventLog log(EventLogLimits{100, 64, 1000});
  const Bytes big = std::string(500, 'q');
  Event e;
  e.bytes = big.prefix(10);
  CHECK(e.bytes.footprint() == 500);
  log.append(std::move(e));
  const Event kept = log.all().back();
  CHECK(kept.bytes == std::string(10, 'q'));
  CHECK(kept.bytes.data() != big.data());
  CHECK(log.stored_bytes() == 10);
}

TEST_CASE("a moved-from Bytes is empty") {
  Bytes from = std::string("hello");
  const Bytes to = std::move(from);
  CHECK(to == "hello");
  CHECK(from.empty());  // NOLINT: reading it after the move is the point
  CHECK(from.view().empty());
}
