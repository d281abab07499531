// The window's model of a real traced session: the records the preload wrote for the
// seed's server talking to OpenBSD nc (tests/corpus/trace/seed-server-nc.records; nc
// moves its bytes with read() and write()), decoded as `sockstep trace` decodes them,
// must give the Bytes panel both streams and the diagram its byte arrows.
#include <doctest/doctest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "fuzz/trace_record_stream.hpp"
#include "trace/decoder.hpp"
#include "ui/conversation.hpp"

using namespace sockstep;

TEST_CASE("a traced nc session gives the Bytes panel both streams and the diagram its byte arrows") {
  std::ifstream in(std::string(SOCKSTEP_TEST_DIR) + "/corpus/trace/seed-server-nc.records", std::ios::binary);
  REQUIRE(in);
  const std::string stream((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  trace::Decoder decoder;
  std::vector<trace::Decoded> decoded;
  trace::for_each_record(stream, [&](std::string_view record) { decoder.decode(record, decoded); });
  // In the order the tracer lets them out: by their own time (a send before the recv it woke).
  std::stable_sort(decoded.begin(), decoded.end(), [](const auto& a, const auto& b) { return a.t_ns < b.t_ns; });
  ui::Conversation conversation;
  conversation.reset({});
  conversation.set_outside("", false);  // as the trace window sets it
  std::size_t index = 0;
  std::size_t moved_by_calls = 0;
  for (auto& d : decoded) {
    d.event.seq = index + 1;
    if (d.event.kind == EventKind::Call && d.event.ok() && d.event.dir == Direction::Out && d.event.value > 0)
      moved_by_calls += static_cast<std::size_t>(d.event.value);
    conversation.add(d.event, index++);
  }
  REQUIRE(moved_by_calls > 0);
  std::size_t shown = 0;
  for (const auto& s : conversation.streams()) {
    CHECK_FALSE(s.data.empty());
    // Both ends were traced: each stream runs between the two programs' own lanes.
    CHECK(((s.from.rfind("nc[", 0) == 0 && s.to.rfind("echo_server.py[", 0) == 0) ||
           (s.to.rfind("nc[", 0) == 0 && s.from.rfind("echo_server.py[", 0) == 0)));
    shown += s.total;
  }
  CHECK(conversation.streams().size() == 2);  // nc -> server, server -> nc
  CHECK(shown == moved_by_calls);
  std::size_t arrows = 0;
  for (const auto& a : conversation.arrows()) arrows += a.kind == ui::ArrowKind::Data && a.bytes > 0 ? 1 : 0;
  CHECK(arrows >= 2);
}
