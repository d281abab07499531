// Pure UI logic: no window, no GL, no display.
#include <doctest/doctest.h>

#include <algorithm>
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
#include "ui/text_wrap.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

Event call(std::uint64_t seq, const std::string& actor, Call name, long long value,
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

TEST_CASE("event cache copies only new events and restarts on clear") {
  EventLog log;
  EventCache cache;
  for (int i = 0; i < 3; ++i) log.append(call(0, "server", Call::Socket, 3, -1));
  CHECK(cache.sync(log) == 3);
  CHECK(cache.sync(log) == 0);
  log.append(call(0, "client", Call::Socket, 4, -1));
  CHECK(cache.sync(log) == 1);
  CHECK(cache.events().size() == 4);
  CHECK(cache.find_seq(cache.events()[2].seq) == 2);
  const auto revision = cache.revision();
  log.clear();
  log.append(call(0, "client", Call::Socket, 4, -1));
  cache.sync(log);
  CHECK(cache.revision() != revision);
  CHECK(cache.events().size() == 1);
}

TEST_CASE("event cache keeps the newest bytes within its budget, and every event") {
  EventLog log;
  EventCache cache(/*max_events=*/6, /*max_bytes=*/1000);
  for (int i = 0; i < 5; ++i) log.append(call(0, "client", Call::Send, 400, 4, std::string(400, 'a' + i)));
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
  for (int i = 0; i < 2; ++i) log.append(call(0, "client", Call::Send, 100, 4, std::string(100, 'x')));
  cache.sync(log);
  REQUIRE(cache.events().size() == 3);
  CHECK(cache.events()[0].bytes == std::string(400, 'e'));
  CHECK(cache.held_bytes() == 600);
  log.append(call(0, "client", Call::Send, 500, 4, std::string(500, 'y')));
  cache.sync(log);
  CHECK(cache.held_bytes() == 700);
  CHECK(cache.events()[0].bytes.empty());
  CHECK(cache.events()[1].bytes == std::string(100, 'x'));

  log.clear();
  cache.sync(log);
  CHECK(cache.held_bytes() == 0);
}

TEST_CASE("event filter: every word must match, case-insensitively") {
  const Event e = call(1, "client", Call::Connect, 0, 4, {}, 111);
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

TEST_CASE("the layout follows the font: at a projector's zoom no panel is narrower than its text needs") {
  std::array<bool, kPanelCount> all{};
  all.fill(true);
  const ImVec2 window(1280, 700);
  for (const float em : {16.0f, 25.6f, 40.0f}) {
    CAPTURE(em);
    const LayoutMetrics m{em, em * 1.6f};
    const Layout layout = compute_layout(ImVec2(0, 20), window, all, default_weights(false), m);
    float area = 0;
    for (const PanelRect& r : layout.panels) area += r.size.x * r.size.y;
    CHECK(area == doctest::Approx(window.x * window.y).epsilon(0.001));
    // The left column never gets under 14 font sizes (a quarter of 1280 is 320 px)
    // while the window has room for every column's minimum (34 font sizes on the right).
    const PanelRect& lesson = layout.panels[static_cast<std::size_t>(Panel::Lesson)];
    if (48.0f * em <= window.x) CHECK(lesson.size.x >= 14.0f * em - 0.5f);
    // Every panel at least 9 font sizes wide (the console's minimum) while all minimums
    // fit (48 font sizes across), else all shrink alike.
    for (const PanelRect& r : layout.panels) CHECK(r.size.x >= std::min(9.0f * em, window.x * 9.0f / 48.0f) - 1.0f);
    CHECK(layout.splitters.size() == 7);
  }
  // Presentation mode's four panels: lesson on the left, code and sequence, cards below.
  const Layout present = compute_layout(ImVec2(0, 0), window, default_panels(true), default_weights(true), LayoutMetrics{25.6f, 40.0f});
  CHECK(present.panels[static_cast<std::size_t>(Panel::Bytes)].size.x == 0.0f);
  CHECK(present.panels[static_cast<std::size_t>(Panel::Sockets)].size.x > 700.0f);
  CHECK(present.splitters.size() == 3);
  // Maximised: one panel, the whole window, no splitter.
  const Layout one = compute_layout(ImVec2(0, 20), window, all, default_weights(false), LayoutMetrics{}, Panel::Code);
  CHECK(one.panels[static_cast<std::size_t>(Panel::Code)].size.x == window.x);
  CHECK(one.panels[static_cast<std::size_t>(Panel::Lesson)].size.x == 0.0f);
  CHECK(one.splitters.empty());
}

TEST_CASE("a dragged splitter moves weight between its two neighbours only") {
  std::array<bool, kPanelCount> all{};
  all.fill(true);
  const LayoutWeights w = default_weights(false);
  const Layout before = compute_layout(ImVec2(0, 0), ImVec2(1280, 720), all, w, LayoutMetrics{});
  const auto left_edge = std::find_if(before.splitters.begin(), before.splitters.end(),
                                      [](const Splitter& s) { return s.a == 0 && s.b == 1; });
  REQUIRE(left_edge != before.splitters.end());
  CHECK(left_edge->vertical);
  const LayoutWeights after = drag_splitter(w, *left_edge, 128.0f);
  CHECK(after[0] + after[1] == doctest::Approx(w[0] + w[1]));
  CHECK(after[2] == w[2]);
  const Layout moved = compute_layout(ImVec2(0, 0), ImVec2(1280, 720), all, after, LayoutMetrics{});
  CHECK(moved.panels[0].size.x == doctest::Approx(before.panels[0].size.x + 128.0f).epsilon(0.01));
  // Dragged far past the edge: the neighbour keeps a twentieth.
  const LayoutWeights far = drag_splitter(w, *left_edge, 99999.0f);
  CHECK(far[1] == doctest::Approx((w[0] + w[1]) * 0.05f));
}

TEST_CASE("share_out holds parts at their minimum and shares the rest by weight") {
  const auto out = share_out(1000.0f, {1.0f, 1.0f, 2.0f}, {400.0f, 0.0f, 0.0f});
  CHECK(out[0] == doctest::Approx(400.0f));
  CHECK(out[1] == doctest::Approx(200.0f));
  CHECK(out[2] == doctest::Approx(400.0f));
  const auto tight = share_out(300.0f, {1.0f, 1.0f}, {200.0f, 400.0f});
  CHECK(tight[0] == doctest::Approx(100.0f));
  CHECK(tight[1] == doctest::Approx(200.0f));
}

TEST_CASE("elide keeps whole characters and says it cut with …") {
  const auto width = [](std::string_view t) { return static_cast<float>(t.size()); };  // a byte a pixel
  CHECK(elide("socket(AF_INET)", 100.0f, width) == "socket(AF_INET)");
  const std::string cut = elide("socket(AF_INET)", 10.0f, width);
  CHECK(cut == "socket(…");  // "…" is three bytes
  CHECK(width(cut) <= 10.0f);
  const std::string zh = elide("拨打电话号码", 10.0f, width);  // three bytes a character
  CHECK(zh == "拨打…");
  CHECK(elide("abc", 1.0f, width) == "…");
  CHECK(elide("socket(…) → fd 3", 12.0f, width) == "socket(…");  // never "……
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
  s.present = true;
  s.present_zoom = 2.0f;
  s.present_visible[5] = true;
  s.weights[0] = 0.4f;
  s.present_weights[7] = 0.7f;
  std::string error;
  REQUIRE(save_settings(path, s, &error));
  const Settings back = load_settings(path, &error);
  CHECK(back.lang == "zh");
  CHECK(back.zoom == doctest::Approx(1.5f));
  CHECK(back.lesson == "echo-tcp");
  CHECK(back.step == 7);
  CHECK_FALSE(back.visible[3]);
  CHECK(back.present);
  CHECK(back.present_zoom == doctest::Approx(2.0f));
  CHECK(back.present_visible[5]);
  CHECK(back.weights[0] == doctest::Approx(0.4f));
  CHECK(back.present_weights[7] == doctest::Approx(0.7f));

  // The panels are saved by name; a file that lists them in order still reads.
  {
    std::ifstream in(path);
    const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find("\"sockets\"") != std::string::npos);
    CHECK(text.find("\"present_panels\": {") != std::string::npos);
  }
  std::ofstream(path) << R"({"panels": [true, false, true, true, true, true, true, false],
                             "present_panels": {"bytes": true, "lesson": false, "nonsense": 3}})";
  const Settings listed = load_settings(path, &error);
  CHECK_FALSE(listed.visible[static_cast<std::size_t>(Panel::Steps)]);
  CHECK_FALSE(listed.visible[static_cast<std::size_t>(Panel::EventLog)]);
  CHECK(listed.visible[static_cast<std::size_t>(Panel::Sockets)]);
  CHECK(listed.present_visible[static_cast<std::size_t>(Panel::Bytes)]);
  CHECK_FALSE(listed.present_visible[static_cast<std::size_t>(Panel::Lesson)]);
  CHECK(listed.present_visible[static_cast<std::size_t>(Panel::Code)]);  // not named: its default

  std::ofstream(path) << "{ not json";
  error.clear();
  const Settings broken = load_settings(path, &error);
  CHECK(broken.lang == "en");
  CHECK(error.find(path) != std::string::npos);
  std::filesystem::remove_all(dir);
}


TEST_CASE("getsockname() and getpeername() show the address they returned, not its port as a number") {
  Event name;
  name.kind = EventKind::Call;
  name.actor = "server";
  name.call = Call::GetSockName;
  name.fd = 3;
  name.value = 8084;  // the port, kept for checks; Python's call returns the tuple
  name.sock.family = AF_INET;
  name.sock.type = SOCK_STREAM;
  name.sock.local = Address{AF_INET, "127.0.0.1", 8084, {}};
  name.sock.peer = Address{AF_INET, "127.0.0.1", 40000, {}};
  CHECK(sequence_row_label(name) == "getsockname() → 127.0.0.1:8084");
  CHECK(event_summary(name, false).find("= ('127.0.0.1', 8084)") != std::string::npos);
  CHECK(event_summary(name, false).find("= 8084") == std::string::npos);
  name.call = Call::GetPeerName;
  CHECK(sequence_row_label(name) == "getpeername() → 127.0.0.1:40000");
  CHECK(sequence_row_label(name, RowName::Port) == "getpeername() → :40000");  // where the name does not fit
  CHECK(sequence_row_label(name, RowName::None) == "getpeername()");
  name.err = ENOTCONN;
  CHECK(sequence_row_label(name) == "getpeername() ✗ ENOTCONN");
}

TEST_CASE("a note's row in the Chinese event log says its Chinese, and a failed call its Chinese errno") {
  Event note;
  note.kind = EventKind::Note;
  note.actor = "kernel";
  note.detail = "1 connection attempt found the accept queue full";
  note.args = "1 次连接尝试遇到 accept 队列已满";
  CHECK(event_summary(note, true).find(note.args) != std::string::npos);
  CHECK(event_summary(note, true).find("提示") != std::string::npos);
  CHECK(event_summary(note, false).find(note.detail) != std::string::npos);
  Event refused;
  refused.kind = EventKind::Call;
  refused.call = Call::Connect;
  refused.actor = "client";
  refused.err = ECONNREFUSED;
  refused.value = -1;
  CHECK(event_summary(refused, true).find("ECONNREFUSED 拒绝连接") != std::string::npos);
  CHECK(event_summary(refused, false).find("Connection refused") != std::string::npos);
}
