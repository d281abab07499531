// The exported diagrams and report, written from a real lesson run against the kernel and
// from hand-made events with the names and bytes that break such formats; read back by the
// tools made for them: python3's XML parser for session.svg, Mermaid's own parser
// (tests/realworld/mermaid_oracle.mjs) for session.mmd.
#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>

#include "cli/export_html.hpp"
#include "cli/export_mermaid.hpp"
#include "cli/export_setup.hpp"
#include "cli/export_svg.hpp"
#include "cli/xml_text.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/session.hpp"
#include "support/process.hpp"
#include "support/typed_events.hpp"
#include "ui/sequence_layout.hpp"
#include "ui/ui_text.hpp"

using namespace sockstep;
using namespace sockstep::cli;
using namespace sockstep::test;

namespace {

namespace fs = std::filesystem;

std::vector<Event> walk_lesson(const std::string& id) {
  const auto path = resolve_lesson(id);
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  for (int n = 0; n < 1000 && session.step(); ++n) {
  }
  REQUIRE(session.finished());
  return session.events().all();
}

ExportSetup lesson_setup(const std::vector<std::string>& lanes, Lang lang = Lang::En) {
  ExportSetup setup;
  setup.lang = lang;
  setup.title = "test";
  setup.lanes = lanes;
  setup.lesson = true;
  return setup;
}

fs::path temp_file(const std::string& name, const std::string& text) {
  const fs::path dir = fs::temp_directory_path() / ("sockstep-export-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const fs::path file = dir / name;
  std::ofstream(file, std::ios::binary) << text;
  return file;
}

// What python3's XML parser reads in an SVG: its text, and how many of each element.
nlohmann::json parse_svg(const std::string& svg) {
  const fs::path file = temp_file("diagram.svg", svg);
  const RunResult r = run({"python3", "-c",
                           "import sys, json, xml.etree.ElementTree as ET\n"
                           "root = ET.parse(sys.argv[1]).getroot()\n"
                           "ns = '{http://www.w3.org/2000/svg}'\n"
                           "count = {}\n"
                           "for e in root.iter(): count[e.tag.replace(ns, '')] = count.get(e.tag.replace(ns, ''), 0) + 1\n"
                           "texts = [e.text for e in root.iter(ns + 'text')]\n"
                           "titles = [e.text for e in root.iter(ns + 'title')]\n"
                           "dashed = len([e for e in root.iter(ns + 'line') if e.get('stroke-dasharray')])\n"
                           "print(json.dumps({'texts': texts, 'titles': titles, 'count': count, 'dashed': dashed}))\n",
                           file.string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  return nlohmann::json::parse(r.out);
}

bool has_text(const nlohmann::json& texts, const std::string& want) {
  for (const auto& t : texts)
    if (t.is_string() && t.get<std::string>().find(want) != std::string::npos) return true;
  return false;
}

// Characters, not bytes: "→" is one.
std::size_t ui_chars(std::string_view t) {
  std::size_t n = 0;
  for (const char c : t) n += (static_cast<unsigned char>(c) & 0xC0u) != 0x80u ? 1 : 0;
  return n;
}

Event at(std::uint64_t seq, Event e) {
  e.seq = seq;
  e.t_us = static_cast<std::int64_t>(seq) * 100;
  return e;
}

// Two programs whose names and bytes hold what Mermaid, XML and HTML give a meaning.
std::vector<Event> hostile_session() {
  const std::string server = "my serve-1: a; #1 <br> \"end\" [x]";
  const std::string client = "end";
  const Address s_addr = v4(9000);
  const Address c_addr = v4(41000);
  std::vector<Event> events;
  std::uint64_t seq = 1;
  events.push_back(at(seq++, call_event(server, Call::Socket, -1, tcp(), 3)));
  events.push_back(at(seq++, call_event(server, Call::Bind, 3, tcp(s_addr))));
  events.push_back(at(seq++, call_event(server, Call::Listen, 3, tcp(s_addr))));
  events.push_back(at(seq++, call_event(client, Call::Socket, -1, tcp(), 4)));
  events.push_back(at(seq++, call_event(client, Call::Connect, 4, tcp(c_addr, s_addr))));
  events.push_back(at(seq++, call_event(server, Call::Accept, 3, tcp(s_addr, c_addr), 5)));
  const std::string nasty = "a;b #2 <br> x-->y \"q\" a:b %% end & &lt; \x01\xff";
  events.push_back(at(seq++, call_event(client, Call::Send, 4, tcp(c_addr, s_addr), static_cast<long long>(nasty.size()), nasty)));
  events.push_back(at(seq++, call_event(server, Call::Recv, 5, tcp(s_addr, c_addr), static_cast<long long>(nasty.size()), nasty)));
  Event close = at(seq++, call_event(client, Call::Close, 4, tcp(c_addr, s_addr)));
  close.wire = WireEffect::Fin;
  events.push_back(close);
  return events;
}

// What Mermaid's own parser reads in a .mmd file; nullopt (said) where Mermaid is not installed.
std::optional<nlohmann::json> read_mermaid(const std::string& mmd) {
  const fs::path file = temp_file("diagram.mmd", mmd);
  const RunResult r = run({"node", std::string(SOCKSTEP_TEST_DIR) + "/realworld/mermaid_oracle.mjs", file.string()});
  if (r.code == 77 || r.code == 127 || (r.code != 0 && r.err.find("ENOENT") != std::string::npos)) {
    MESSAGE("Mermaid is not installed (third_party/install-deps.sh installs it): session.mmd not read back");
    return std::nullopt;
  }
  INFO(mmd.substr(0, 4000));
  INFO(r.err);
  REQUIRE(r.code == 0);
  return nlohmann::json::parse(r.out);
}

}  // namespace

TEST_CASE("xml_text escapes markup and replaces what XML cannot hold") {
  CHECK(xml_text("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&#39;");
  CHECK(xml_text("服务器 → ✗") == "服务器 → ✗");
  CHECK(xml_text(std::string("a\x01" "b", 3)) == "a\xEF\xBF\xBD" "b");  // a control character
  CHECK(xml_text("\xff\xfe") == "\xEF\xBF\xBD\xEF\xBF\xBD");          // no UTF-8 at all
  CHECK(xml_text("\xe6\x9c") == "\xEF\xBF\xBD\xEF\xBF\xBD");          // a character cut short
  CHECK(xml_text("\xed\xa0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(xml_text("tab\tnl\n") == "tab\tnl\n");
  // Chinese takes two cells of a monospace font, ASCII one.
  CHECK(mono_width("ab", 10.0f) == doctest::Approx(12.0f));
  CHECK(mono_width("服务", 10.0f) == doctest::Approx(24.0f));
}

TEST_CASE("mermaid_text writes as entity codes what Mermaid's grammar gives a meaning") {
  CHECK(mermaid_text("send(b'hi'); x") == "send(b'hi')#59; x");
  CHECK(mermaid_text("#1") == "#35;1");
  CHECK(mermaid_text("a<br>b") == "a#lt;br#gt;b");
  CHECK(mermaid_text("\"q\" & r") == "#quot;q#quot; #amp; r");
  CHECK(mermaid_text("a\nb") == "a b");
  CHECK(mermaid_text("127.0.0.1:8084 end -->") == "127.0.0.1:8084 end --#gt;");
  CHECK(mermaid_text("") == "#160;");
}

TEST_CASE("sequence layout: the window's lane and row geometry") {
  ui::Conversation conv;
  conv.reset({"server", "client"});
  const ui::SequenceLayout two(conv, 1000.0f, 24.0f);
  // Two lanes keep 36% of the width outside them for their labels.
  CHECK(two.lane_x(0) == doctest::Approx(360.0f));
  CHECK(two.lane_x(1) == doctest::Approx(640.0f));
  conv.reset({"server", "client-1", "client-2"});
  const ui::SequenceLayout three(conv, 1000.0f, 24.0f);
  CHECK(three.lane_x(0) == doctest::Approx(140.0f));
  CHECK(three.lane_x(1) == doctest::Approx(500.0f));
  CHECK(three.header_room(1) == doctest::Approx(354.0f));
  CHECK(ui::SequenceLayout::row_height_for(16.0f) == doctest::Approx(24.0f));
}

TEST_CASE("sequence layout: many lanes are never closer than the least gap; the diagram grows wider") {
  ui::Conversation conv;
  std::vector<std::string> lanes = {"server"};
  for (int i = 1; i <= 10; ++i) lanes.push_back("client-" + std::to_string(i));
  conv.reset(lanes);
  const ui::SequenceLayout spread(conv, 1000.0f, 24.0f);  // no least gap: squeezed into the room
  CHECK(spread.width() == doctest::Approx(1000.0f));
  CHECK(spread.gap() == doctest::Approx(72.0f));
  const ui::SequenceLayout wide(conv, 1000.0f, 24.0f, 100.0f);
  CHECK(wide.gap() == doctest::Approx(100.0f));
  // The outer lanes keep 1.2 gaps outside them for their labels.
  CHECK(wide.lane_x(0) == doctest::Approx(120.0f));
  CHECK(wide.lane_x(10) == doctest::Approx(1120.0f));
  CHECK(wide.width() == doctest::Approx(1240.0f));
  // Where the room suffices the least gap changes nothing.
  const ui::SequenceLayout roomy(conv, 2000.0f, 24.0f, 100.0f);
  CHECK(roomy.width() == doctest::Approx(2000.0f));
  CHECK(roomy.gap() == doctest::Approx(144.0f));
  // Two lanes never grow.
  conv.reset({"server", "client"});
  CHECK(ui::SequenceLayout(conv, 300.0f, 24.0f, 100.0f).width() == doctest::Approx(300.0f));

  // Scrolled sideways: a lane well inside the view keeps the scroll, one outside is centred.
  conv.reset(lanes);
  const ui::SequenceLayout again(conv, 1000.0f, 24.0f, 100.0f);
  CHECK(again.scroll_to_show(1, 0.0f, 600.0f) == doctest::Approx(0.0f));
  CHECK(again.scroll_to_show(5, 0.0f, 600.0f) == doctest::Approx(620.0f - 300.0f));
  CHECK(again.scroll_to_show(10, 0.0f, 600.0f) == doctest::Approx(1240.0f - 600.0f));  // not past the end
}

TEST_CASE("sequence layout: a row's label shrinks to the call alone, then is cut, never reaching the next lane") {
  ui::Conversation conv;
  conv.reset({"server", "client-1", "client-2", "client-3"});
  const ui::SequenceLayout layout(conv, 400.0f, 24.0f, 100.0f);  // lanes 100 apart
  const Event accept = call_event("client-1", Call::Accept, 3, tcp(v4(9000), v4(41000)), 30);
  ui::SeqRow row;
  row.lane = 1;
  row.arrows = {0};  // not free to move to the other side
  const float room = 100.0f - 16.0f;
  // 10 per character: "accept() → fd 30" (16) does not fit in 84, "accept()" (8) does.
  const auto ten = [](std::string_view t) { return 10.0f * static_cast<float>(ui_chars(t)); };
  const ui::PlacedLabel call_only = layout.row_label(accept, row, ten);
  CHECK(call_only.text == "accept()");
  CHECK(call_only.x == doctest::Approx(layout.lane_x(1) + 8.0f));
  // 20 per character: even "accept()" does not; it is cut with an ellipsis, within the room.
  const auto twenty = [](std::string_view t) { return 20.0f * static_cast<float>(ui_chars(t)); };
  const ui::PlacedLabel cut = layout.row_label(accept, row, twenty);
  CHECK(cut.text == "acc…");
  CHECK(cut.width <= room);
  CHECK(cut.x + cut.width <= layout.lane_x(2) - 8.0f);
}

TEST_CASE("sequence layout: an arrow across several lanes has its label in the first gap it crosses") {
  ui::Conversation conv;
  conv.reset({"server", "client-1", "client-2", "client-3"});
  const ui::SequenceLayout layout(conv, 400.0f, 24.0f, 100.0f);
  const auto ten = [](float, std::string_view t) { return 10.0f * static_cast<float>(ui_chars(t)); };
  ui::SeqArrow arrow;
  arrow.kind = ui::ArrowKind::Handshake;
  arrow.from_lane = 3;
  arrow.to_lane = 0;
  const ui::PlacedLabel label = layout.arrow_label(arrow, {"SYN", ""}, 13.0f, ten);
  // Between lanes 3 and 2, the first it passes, not across lane 1 or 2 halfway to lane 0.
  CHECK(label.x >= layout.lane_x(2));
  CHECK(label.x + label.width <= layout.lane_x(3));
  CHECK(label.x + label.width * 0.5f == doctest::Approx((layout.lane_x(2) + layout.lane_x(3)) * 0.5f));
  // Too long for the gap even at 70%: cut, not drawn over the lanes.
  const ui::PlacedLabel long_one = layout.arrow_label(arrow, {"three-way handshake done", ""}, 13.0f, ten);
  CHECK(long_one.text.size() < std::string("three-way handshake done").size());
  CHECK(long_one.width <= 100.0f - 12.0f);
  // Bytes nobody took: the arrow stops short on its own lane, its label beside it.
  ui::SeqArrow dropped;
  dropped.from_lane = 1;
  dropped.to_lane = 1;
  dropped.dropped = true;
  const ui::PlacedLabel beside = layout.arrow_label(dropped, {"b'x' ✗", ""}, 13.0f, ten);
  CHECK(beside.x > layout.lane_x(1));
  CHECK(beside.x + beside.width < layout.lane_x(2));
}

TEST_CASE("session.svg: the echo lesson's diagram as XML, with its lanes, calls, bytes, waits and FIN") {
  const std::vector<Event> events = walk_lesson("echo-tcp");
  const ExportSetup setup = lesson_setup({"server", "client"});
  const ui::Conversation conv = conversation_of(events, setup);
  const std::string svg = sequence_svg(events, conv, SvgOptions{Lang::En, "echo-tcp", true});
  const nlohmann::json read = parse_svg(svg);
  const auto& texts = read["texts"];
  CHECK(has_text(texts, "server"));
  CHECK(has_text(texts, "client"));
  CHECK(has_text(texts, "accept("));
  CHECK(has_text(texts, "b'hello'"));
  CHECK(has_text(texts, "b'HELLO'"));
  CHECK(has_text(texts, "FIN"));
  // A circle per call row, and the waiting spans (accept, recv) drawn dashed on their lanes.
  std::size_t call_rows = 0;
  for (const ui::SeqRow& r : conv.rows()) call_rows += events[r.event_index].kind != EventKind::Packet ? 1 : 0;
  CHECK(read["count"]["circle"].get<std::size_t>() == call_rows);
  CHECK(read["dashed"].get<int>() >= static_cast<int>(conv.blocked_rows().size()));
  CHECK(conv.blocked_rows().size() >= 2);
  // Each row says its event in full in its tooltip.
  CHECK(has_text(read["titles"], "send(b'hello') -> 5"));

  // In Chinese, the arrows' words are the window's.
  const std::string zh = sequence_svg(events, conv, SvgOptions{Lang::Zh, "echo-tcp", true});
  CHECK(zh.find(ui::tx(ui::Tx::Fin, Lang::Zh)) != std::string::npos);
  CHECK(parse_svg(zh)["texts"].size() == texts.size());
}

TEST_CASE("session.svg: the backlog lesson's eleven lanes are wide apart: each call is said whole, short of the next lane") {
  const std::vector<Event> events = walk_lesson("backlog");
  ExportSetup setup;
  setup.lesson = true;
  const ui::Conversation conv = conversation_of(events, setup);
  REQUIRE(conv.lanes().size() >= 11);
  const fs::path file = temp_file("backlog.svg", sequence_svg(events, conv, SvgOptions{Lang::En, "backlog", true}));
  // Python's XML parser: the lifelines' x (the lanes' grey lines), and each call's label
  // (13 px, not the bold headers) with where it starts.
  const RunResult r = run({"python3", "-c",
                           "import sys, json, xml.etree.ElementTree as ET\n"
                           "root = ET.parse(sys.argv[1]).getroot()\n"
                           "ns = '{http://www.w3.org/2000/svg}'\n"
                           "lanes = sorted({float(e.get('x1')) for e in root.iter(ns + 'line')\n"
                           "                if e.get('stroke') == '#969696' and e.get('x1') == e.get('x2')})\n"
                           "labels = [[float(e.get('x')), e.text] for e in root.iter(ns + 'text')\n"
                           "          if e.get('font-size') == '13.0' and e.get('font-weight') is None\n"
                           "          and e.get('text-anchor') is None and e.get('fill') == '#000000']\n"
                           "print(json.dumps({'lanes': lanes, 'labels': labels}))\n",
                           file.string()});
  INFO(r.err);
  REQUIRE(r.code == 0);
  const nlohmann::json read = nlohmann::json::parse(r.out);
  const std::vector<float> lanes = read["lanes"].get<std::vector<float>>();
  REQUIRE(lanes.size() == conv.lanes().size());
  int fds = 0;
  for (const auto& label : read["labels"]) {
    const float x = label[0].get<float>();
    const std::string text = label[1].get<std::string>();
    INFO(text << " at " << x);
    // A label right of a lane ends 8 short of the next one, in the monospace font's widths.
    const auto next = std::upper_bound(lanes.begin(), lanes.end(), x);
    if (next != lanes.end() && next != lanes.begin()) CHECK(x + mono_width(text, 13.0f) <= *next - 7.9f);
    fds += text.rfind("socket(", 0) == 0 && text.find("→ fd ") != std::string::npos ? 1 : 0;
  }
  // Every socket() still says its fd: the server's and each client's.
  CHECK(fds >= 11);
}

TEST_CASE("session.svg: names and bytes with markup and bad UTF-8 still parse, and say what they said") {
  const std::vector<Event> events = hostile_session();
  ExportSetup setup;
  setup.lanes = {};
  setup.lesson = true;
  const ui::Conversation conv = conversation_of(events, setup);
  const nlohmann::json read = parse_svg(sequence_svg(events, conv, SvgOptions{Lang::En, "<&>", true}));
  CHECK(has_text(read["titles"], "sockstep: <&>"));
  CHECK(has_text(read["texts"], "end"));
  // The diagram's label is Python's repr of the bytes: the markup shows as written.
  CHECK(has_text(read["texts"], "b'a;b #2 <br> x-->y"));
}

TEST_CASE("session.mmd: Mermaid's parser reads back the participants and messages meant") {
  const std::vector<Event> events = hostile_session();
  ExportSetup setup;
  setup.lesson = true;
  const ui::Conversation conv = conversation_of(events, setup);
  const std::string mmd = sequence_mermaid(events, conv, Lang::En, "a; title # with <br> marks");
  const auto parsed = read_mermaid(mmd);
  if (!parsed) return;
  const nlohmann::json& read = *parsed;
  CHECK(read["type"] == "sequence");
  std::map<std::string, std::string> names;
  for (const auto& p : read["participants"]) names[p["id"]] = p["name"];
  REQUIRE(names.size() == conv.lanes().size());
  for (std::size_t i = 0; i < conv.lanes().size(); ++i) CHECK(names["L" + std::to_string(i)] == conv.lanes()[i]);
  // Every call's note and every arrow's words, as the diagram says them.
  std::vector<std::string> texts;
  for (const auto& m : read["messages"])
    if (m["text"].is_string() && !m["text"].get<std::string>().empty()) texts.push_back(m["text"]);
  std::vector<std::string> meant;
  for (int row : conv.display_order()) {
    const ui::SeqRow& r2 = conv.rows()[static_cast<std::size_t>(row)];
    meant.push_back(ui::sequence_row_label(events[r2.event_index]));
    for (int a : r2.arrows) {
      const ui::SeqArrow& arrow = conv.arrows()[static_cast<std::size_t>(a)];
      if (arrow.hidden || arrow.from_row != row) continue;
      const Event* data = arrow.kind == ui::ArrowKind::Data ? &events[arrow.seq - 1] : nullptr;
      meant.push_back(ui::arrow_text(arrow, data, false, events[r2.event_index], Lang::En).text);
    }
  }
  // Mermaid draws the very text the window does (the bytes as Python's repr).
  CHECK(texts == meant);
}

TEST_CASE("session.html: one page with the diagram, the calls, the bytes and the steps") {
  const std::vector<Event> events = walk_lesson("echo-tcp");
  ExportSetup setup = lesson_setup({"server", "client"}, Lang::Zh);
  StepRecord step;
  step.index = 0;
  step.actor = "server";
  step.call = "phone = socket()";
  step.metaphor = {"Buy a phone", "买手机"};
  Predict predict;
  predict.question = {"What fd?", "哪个 fd?"};
  predict.choices = {{{"3", "3"}, {}}, {{"4", "4"}, {}}};
  step.predict = predict;
  step.predict_right = {0};
  step.answer = 1;
  step.asked = true;
  setup.steps.push_back(step);
  const ui::Conversation conv = conversation_of(events, setup);
  const std::string html = session_html(events, conv, setup);
  CHECK(html.find("<html lang=\"zh-Hans\">") != std::string::npos);
  CHECK(html.find("<svg ") != std::string::npos);
  CHECK(html.find("买手机") != std::string::npos);
  CHECK(html.find(ui::tx(ui::Tx::VerdictWrong, Lang::Zh)) != std::string::npos);  // answered (b), the kernel said (a)
  // hello's bytes in hex, and its send's end marked.
  CHECK(html.find("<span class=\"s r\">6f</span>") != std::string::npos);
  // Nothing the page could fetch: no script, no address, no outside style.
  for (const char* outside : {"<script", "http://", "https://", "src=", "url(", "@import", "<link"})
    CHECK_MESSAGE(html.find(outside) == std::string::npos, outside);
}

TEST_CASE("session.html: a run of equal rows is said once, as hexdump does") {
  const Address s_addr = v4(9000);
  const Address c_addr = v4(41000);
  const std::string many(80, 'x');  // five rows of 16: the first, "*", and the row with the boundary
  std::vector<Event> events;
  events.push_back(at(1, call_event("server", Call::Socket, -1, tcp(), 3)));
  events.push_back(at(2, call_event("server", Call::Listen, 3, tcp(s_addr))));
  events.push_back(at(3, call_event("client", Call::Socket, -1, tcp(), 4)));
  events.push_back(at(4, call_event("client", Call::Connect, 4, tcp(c_addr, s_addr))));
  events.push_back(at(5, call_event("server", Call::Accept, 3, tcp(s_addr, c_addr), 5)));
  events.push_back(at(6, call_event("client", Call::Send, 4, tcp(c_addr, s_addr), 80, many)));
  events.push_back(at(7, call_event("server", Call::Recv, 5, tcp(s_addr, c_addr), 80, many)));
  ExportSetup setup = lesson_setup({"server", "client"});
  const ui::Conversation conv = conversation_of(events, setup);
  REQUIRE(conv.streams().size() == 1);
  const std::string html = session_html(events, conv, setup);
  const auto count = [&](const std::string& what) {
    std::size_t n = 0;
    for (auto at = html.find(what); at != std::string::npos; at = html.find(what, at + 1)) ++n;
    return n;
  };
  CHECK(count("<td class=\"off mono\">*</td>") == 1);
  CHECK(count("<td class=\"off mono\">") == 3);  // 00000000, *, 00000040
  CHECK(count("<span class=\"s r\">78</span>") == 1);  // the last byte ends the send and the recv
}

TEST_CASE("session.mmd: a long session stops short of Mermaid's 50,000 characters, and says so") {
  const Address s_addr = v4(9000);
  const Address c_addr = v4(41000);
  std::vector<Event> events;
  std::uint64_t seq = 1;
  events.push_back(at(seq++, call_event("server", Call::Socket, -1, tcp(), 3)));
  events.push_back(at(seq++, call_event("server", Call::Listen, 3, tcp(s_addr))));
  events.push_back(at(seq++, call_event("client", Call::Socket, -1, tcp(), 4)));
  events.push_back(at(seq++, call_event("client", Call::Connect, 4, tcp(c_addr, s_addr))));
  events.push_back(at(seq++, call_event("server", Call::Accept, 3, tcp(s_addr, c_addr), 5)));
  for (int i = 0; i < 2000; ++i) {
    events.push_back(at(seq++, call_event("client", Call::Send, 4, tcp(c_addr, s_addr), 6, "a;#<b>")));
    events.push_back(at(seq++, call_event("server", Call::Recv, 5, tcp(s_addr, c_addr), 6, "a;#<b>")));
  }
  ExportSetup setup = lesson_setup({"server", "client"});
  const ui::Conversation conv = conversation_of(events, setup);
  const std::string mmd = sequence_mermaid(events, conv, Lang::En, "long");
  CHECK(mmd.size() < 50000);
  CHECK(mmd.find("of " + std::to_string(conv.rows().size()) + " rows") != std::string::npos);
  const auto read = read_mermaid(mmd);
  if (!read) return;
  CHECK((*read)["messages"].back()["text"].get<std::string>().find("rows") != std::string::npos);
}
