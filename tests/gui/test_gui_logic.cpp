// Pure UI logic: no window, no GL, no display.
#include <doctest/doctest.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "ui/conversation.hpp"
#include "ui/countdown.hpp"
#include "ui/event_cache.hpp"
#include "ui/glyph_set.hpp"
#include "ui/layout.hpp"
#include "ui/panels.hpp"
#include "ui/settings.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

Event call(std::uint64_t seq, const std::string& actor, const std::string& name, long long value,
           int fd, const std::string& bytes = {}, int err = 0) {
  Event e;
  e.seq = seq;
  e.kind = EventKind::Call;
  e.actor = actor;
  e.call = name;
  e.value = value;
  e.fd = fd;
  e.bytes = bytes;
  e.byte_count = bytes.size();
  e.err = err;
  return e;
}

Event blocked(std::uint64_t seq, const std::string& actor, const std::string& name, int fd) {
  Event e = call(seq, actor, name, 0, fd);
  e.kind = EventKind::Blocked;
  return e;
}

}  // namespace

TEST_CASE("a TIME_WAIT countdown shows 10-second steps and wakes only when the step changes") {
  CHECK(shown_seconds_left(60000) == 60);
  CHECK(shown_seconds_left(59200) == 60);
  CHECK(shown_seconds_left(50000) == 50);
  CHECK(shown_seconds_left(1) == 10);
  CHECK(shown_seconds_left(0) == 0);

  CHECK(ms_until_countdown_changes({}) == -1);
  OrphanSocket time_wait;
  time_wait.state = "TIME_WAIT";
  time_wait.timer_ms = 59200;  // shows 60 until 50.0 s are left
  CHECK(ms_until_countdown_changes({time_wait}) == 9200 + 50);
  OrphanSocket sooner = time_wait;
  sooner.timer_ms = 41000;
  CHECK(ms_until_countdown_changes({time_wait, sooner}) == 1000 + 50);
  OrphanSocket no_timer;
  no_timer.state = "FIN_WAIT2";
  CHECK(ms_until_countdown_changes({no_timer}) == kCountdownStepMs + 50);
}

TEST_CASE("glyph set keeps exactly the characters it was given, as ImGui ranges") {
  GlyphSet set;
  CHECK(set.contains('A'));
  CHECK_FALSE(set.contains(U'买'));
  CHECK(set.add_utf8("买手机"));
  CHECK_FALSE(set.add_utf8("手机买"));  // nothing new
  CHECK(set.contains(U'买'));
  CHECK(set.contains(U'机'));
  const auto ranges = set.ranges();
  REQUIRE(ranges.size() % 2 == 1);
  CHECK(ranges.back() == 0);
  bool found = false;
  for (std::size_t i = 0; i + 1 < ranges.size(); i += 2) {
    CHECK(ranges[i] <= ranges[i + 1]);
    if (ranges[i] <= 0x4E70 && 0x4E70 <= ranges[i + 1]) found = true;
  }
  CHECK(found);
}

TEST_CASE("utf-8 decoding survives broken input") {
  std::size_t i = 0;
  const std::string broken = "\xE4\xB9";  // a cut-off three-byte sequence
  CHECK(next_codepoint(broken, i) == 0xFFFD);
  CHECK(i == broken.size());
  GlyphSet set;
  set.add_utf8("\xFF\xFEok");
  CHECK(set.contains('o'));
}

TEST_CASE("conversation: the echo session's stream, arrows and waits") {
  Conversation conv;
  conv.reset({"server", "client"});
  std::vector<Event> events = {
      call(1, "server", "socket", 3, -1),
      blocked(2, "server", "accept", 3),
      call(3, "client", "socket", 4, -1),
      call(4, "client", "connect", 0, 4),
      call(5, "server", "accept", 5, 3),
      blocked(6, "server", "recv", 5),
      // The receiver wakes and logs before the sender does.
      call(7, "server", "recv", 5, 5, "hello"),
      call(8, "client", "send", 5, 4, "hello"),
      call(9, "server", "send", 5, 5, "HELLO"),
      call(10, "client", "recv", 2, 4, "HE"),
      call(11, "client", "recv", 3, 4, "LLO"),
      call(12, "client", "close", 0, 4),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);

  CHECK(conv.held_back() == 0);
  REQUIRE(conv.streams().size() == 2);
  const ByteStream& up = conv.streams()[0];
  CHECK(up.from == "client");
  CHECK(up.to == "server");
  CHECK(up.data == "hello");
  CHECK(up.recv_ends.size() == 1);
  const ByteStream& down = conv.streams()[1];
  CHECK(down.data == "HELLO");
  // One send, two receives: a stream, not messages.
  REQUIRE(down.send_ends.size() == 1);
  REQUIRE(down.recv_ends.size() == 2);
  CHECK(down.recv_ends[0].offset == 2);
  CHECK(down.recv_ends[1].offset == 5);

  // Every data arrow runs down the page (time flows down).
  int data_arrows = 0;
  bool handshake = false;
  bool fin = false;
  for (const SeqArrow& arrow : conv.arrows()) {
    if (arrow.kind == ArrowKind::Data) {
      ++data_arrows;
      CHECK(arrow.to_row >= arrow.from_row);
    }
    handshake = handshake || arrow.kind == ArrowKind::Handshake;
    fin = fin || arrow.kind == ArrowKind::Fin;
  }
  CHECK(data_arrows == 3);  // hello, and HELLO read in two pieces
  CHECK(handshake);
  CHECK(fin);

  // Both waits ended where their call returned.
  REQUIRE(conv.blocked_rows().size() == 2);
  for (int row : conv.blocked_rows()) {
    CHECK(conv.rows()[static_cast<std::size_t>(row)].block_end_row > row);
    CHECK_FALSE(conv.rows()[static_cast<std::size_t>(row)].waiting);
  }
  CHECK(conv.row_of_event(0) == 0);
}

TEST_CASE("conversation: bytes not read yet stay in flight") {
  Conversation conv;
  conv.reset({"server", "client"});
  conv.add(call(1, "client", "send", 5, 4, "hello"), 0);
  REQUIRE(conv.arrows().size() == 1);
  CHECK(conv.arrows()[0].to_row == -1);
}

TEST_CASE("event cache copies only new events and restarts on clear") {
  EventLog log;
  EventCache cache;
  for (int i = 0; i < 3; ++i) log.append(call(0, "server", "socket", 3, -1));
  CHECK(cache.sync(log) == 3);
  CHECK(cache.sync(log) == 0);
  log.append(call(0, "client", "socket", 4, -1));
  CHECK(cache.sync(log) == 1);
  CHECK(cache.events().size() == 4);
  CHECK(cache.find_seq(cache.events()[2].seq) == 2);
  const auto revision = cache.revision();
  log.clear();
  log.append(call(0, "client", "socket", 4, -1));
  cache.sync(log);
  CHECK(cache.revision() != revision);
  CHECK(cache.events().size() == 1);
}

TEST_CASE("event cache keeps the newest bytes within its budget, and every event") {
  EventLog log;
  EventCache cache(/*max_events=*/6, /*max_bytes=*/1000);
  for (int i = 0; i < 5; ++i) log.append(call(0, "client", "send", 400, 4, std::string(400, 'a' + i)));
  cache.sync(log);
  REQUIRE(cache.events().size() == 5);
  CHECK(cache.held_bytes() <= 1000);
  // The oldest let go of their bytes, not of their place or their count.
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(cache.events()[i].bytes.empty());
    CHECK(cache.bytes_released(i));
    CHECK(cache.events()[i].byte_count == 400);
  }
  CHECK_FALSE(cache.bytes_released(3));
  CHECK(cache.events()[3].bytes == std::string(400, 'd'));
  CHECK(cache.events()[4].bytes == std::string(400, 'e'));
  CHECK(cache.held_bytes() == 800);

  // Past max_events the older half goes, and the count of held bytes follows.
  for (int i = 0; i < 2; ++i) log.append(call(0, "client", "send", 100, 4, std::string(100, 'x')));
  cache.sync(log);
  REQUIRE(cache.events().size() == 3);
  CHECK(cache.events()[0].bytes == std::string(400, 'e'));
  CHECK(cache.held_bytes() == 600);
  log.append(call(0, "client", "send", 500, 4, std::string(500, 'y')));
  cache.sync(log);
  CHECK(cache.held_bytes() == 700);
  CHECK(cache.events()[0].bytes.empty());
  CHECK(cache.events()[1].bytes == std::string(100, 'x'));

  log.clear();
  cache.sync(log);
  CHECK(cache.held_bytes() == 0);
}

TEST_CASE("conversation: a FIN is drawn once, by the call that sends it, and never after a reset") {
  const auto fins = [](const Conversation& conv) {
    std::vector<std::uint64_t> seqs;
    for (const SeqArrow& arrow : conv.arrows())
      if (arrow.kind == ArrowKind::Fin) seqs.push_back(arrow.seq);
    return seqs;
  };
  Conversation conv;
  conv.reset({"server", "client"});
  std::vector<Event> events = {
      call(1, "client", "connect", 0, 4),
      call(2, "server", "accept", 5, 3),
      call(3, "client", "shutdown", 0, 4),  // SHUT_WR: the client's FIN
      call(4, "client", "close", 0, 4),     // nothing more to send
      call(5, "server", "shutdown", 0, 5),  // SHUT_RD: no FIN
      call(6, "server", "recv", -1, 5, {}, ECONNRESET),
      call(7, "server", "close", 0, 5),  // reset: no FIN either
  };
  events[2].args = "SHUT_WR";
  events[4].args = "SHUT_RD";
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  CHECK(fins(conv) == std::vector<std::uint64_t>{3});

  Conversation plain;
  plain.reset({"server", "client"});
  plain.add(call(1, "client", "connect", 0, 4), 0);
  plain.add(call(2, "server", "accept", 5, 3), 1);
  plain.add(call(3, "client", "close", 0, 4), 2);
  plain.add(call(4, "server", "close", 0, 5), 3);
  CHECK(fins(plain) == std::vector<std::uint64_t>{3, 4});
}

TEST_CASE("conversation: a stream keeps its bytes from the start, without a gap") {
  Conversation conv;
  conv.reset({"server", "client"});
  conv.add(call(1, "client", "send", 5, 4, "hello"), 0);
  // The log kept 3 of this call's 10 bytes: what follows could not be placed.
  Event capped = call(2, "client", "send", 10, 4, "abc");
  capped.byte_count = 10;
  conv.add(capped, 1);
  conv.add(call(3, "client", "send", 3, 4, "xyz"), 2);
  REQUIRE(conv.streams().size() == 1);
  const ByteStream& up = conv.streams()[0];
  CHECK(up.first == 0);
  CHECK(up.data == "helloabc");
  CHECK(up.total == 18);
  CHECK(up.send_ends.back().offset == 18);

  // Rebuilt from a window whose oldest calls let go of their bytes: the run starts at
  // the first call that has them, at its offset in the stream.
  Conversation rebuilt;
  rebuilt.reset({"server", "client"});
  Event released = call(1, "client", "send", 5, 4);
  released.byte_count = 5;
  rebuilt.add(released, 0);
  rebuilt.add(call(2, "client", "send", 3, 4, "abc"), 1);
  rebuilt.add(call(3, "client", "send", 3, 4, "xyz"), 2);
  const ByteStream& later = rebuilt.streams()[0];
  CHECK(later.first == 5);
  CHECK(later.data == "abcxyz");
  CHECK(later.total == 11);

  // And no more than kMaxKept of it, however long the stream runs.
  Conversation bulk;
  bulk.reset({"server", "client"});
  const std::string chunk(300 * 1024, 'z');
  for (std::uint64_t i = 0; i < 5; ++i) bulk.add(call(i + 1, "client", "send", static_cast<long long>(chunk.size()), 4, chunk), i);
  CHECK(bulk.streams()[0].data.size() == ByteStream::kMaxKept);
  CHECK(bulk.streams()[0].total == 5 * chunk.size());
}

TEST_CASE("event filter: every word must match, case-insensitively") {
  const Event e = call(1, "client", "connect", 0, 4, {}, 111);
  CHECK(event_matches(e, ""));
  CHECK(event_matches(e, "client"));
  CHECK(event_matches(e, "CONNECT econnrefused"));
  CHECK_FALSE(event_matches(e, "server"));
  CHECK_FALSE(event_matches(e, "client accept"));
}

TEST_CASE("layout tiles the window at projector and laptop sizes") {
  std::array<bool, kPanelCount> all{};
  all.fill(true);
  for (ImVec2 size : {ImVec2(1280, 700), ImVec2(1920, 1060)}) {
    const auto rects = compute_layout(ImVec2(0, 20), size, all);
    float area = 0;
    for (const PanelRect& r : rects) {
      CHECK(r.size.x > 150);
      CHECK(r.size.y > 100);
      CHECK(r.pos.x >= 0);
      CHECK(r.pos.y >= 20);
      CHECK(r.pos.x + r.size.x <= size.x + 0.5f);
      CHECK(r.pos.y + r.size.y <= 20 + size.y + 0.5f);
      area += r.size.x * r.size.y;
    }
    CHECK(area == doctest::Approx(size.x * size.y).epsilon(0.001));
  }
  // A hidden panel gives its room to its neighbours.
  auto some = all;
  some[static_cast<std::size_t>(Panel::Console)] = false;
  const auto rects = compute_layout(ImVec2(0, 0), ImVec2(1280, 720), some);
  const auto all_rects = compute_layout(ImVec2(0, 0), ImVec2(1280, 720), all);
  CHECK(rects[static_cast<std::size_t>(Panel::EventLog)].size.x >
        all_rects[static_cast<std::size_t>(Panel::EventLog)].size.x);
}

TEST_CASE("settings round-trip, and a broken file gives defaults and a message") {
  const auto dir = std::filesystem::temp_directory_path() / ("sockstep-settings-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const std::string path = (dir / "sockstep" / "settings.json").string();
  Settings s;
  s.lang = "zh";
  s.zoom = 1.5f;
  s.lesson = "echo-tcp";
  s.step = 7;
  s.visible[3] = false;
  std::string error;
  REQUIRE(save_settings(path, s, &error));
  const Settings back = load_settings(path, &error);
  CHECK(back.lang == "zh");
  CHECK(back.zoom == doctest::Approx(1.5f));
  CHECK(back.lesson == "echo-tcp");
  CHECK(back.step == 7);
  CHECK_FALSE(back.visible[3]);

  std::ofstream(path) << "{ not json";
  error.clear();
  const Settings broken = load_settings(path, &error);
  CHECK(broken.lang == "en");
  CHECK(error.find(path) != std::string::npos);
  std::filesystem::remove_all(dir);
}

TEST_CASE("conversation, live serve: each client's connection is a lane and a stream of its own") {
  Conversation conv;
  conv.reset({"server"});
  conv.set_outside("clients", true);
  const auto accepted = [](std::uint64_t seq, long long fd, const std::string& peer) {
    Event e = call(seq, "server", "accept", fd, 3);
    e.detail = peer;
    return e;
  };
  std::vector<Event> events = {
      accepted(1, 4, "127.0.0.1:40001"),
      accepted(2, 5, "127.0.0.1:40002"),
      // Nothing of the clients' sends is logged: the receives must not wait for them.
      call(3, "server", "recv", 3, 5, "two"),
      call(4, "server", "recv", 3, 4, "one"),
      call(5, "server", "send", 3, 4, "ONE"),
      call(6, "server", "close", 0, 4),
  };
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  CHECK(conv.held_back() == 0);
  REQUIRE(conv.lanes().size() == 3);
  CHECK(conv.lanes()[1] == "127.0.0.1:40001");
  CHECK(conv.lanes()[2] == "127.0.0.1:40002");
  std::string from_one;
  std::string from_two;
  std::string to_one;
  for (const ByteStream& s : conv.streams()) {
    if (s.from == "127.0.0.1:40001") from_one = s.data;
    if (s.from == "127.0.0.1:40002") from_two = s.data;
    if (s.to == "127.0.0.1:40001") to_one = s.data;
  }
  CHECK(from_one == "one");
  CHECK(from_two == "two");
  CHECK(to_one == "ONE");
  // What the unseen clients sent arrives at once; what went to them is shown delivered.
  for (const SeqArrow& arrow : conv.arrows()) {
    if (arrow.kind == ArrowKind::Data) CHECK(arrow.to_row == arrow.from_row);
  }
}
