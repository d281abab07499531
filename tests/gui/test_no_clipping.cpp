// Every lesson's every step drawn at 1280x720, in English and Chinese, in the normal
// and in presentation mode, with no display: no label may be cut by the edge of the
// cell it is drawn in (clip_probe.hpp watches every piece of text ImGui draws).
#include <doctest/doctest.h>

#include <imgui.h>
#include <imgui_internal.h>  // which windows the frame drew

#include <cstdio>
#include <map>
#include <memory>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/reference_cards.hpp"
#include "gui/headless_context.hpp"
#include "gui/classroom_events.hpp"
#include "gui/clip_probe.hpp"
#include "engine/live/live_source.hpp"
#include "ui/font_text.hpp"
#include "ui/fonts.hpp"
#include "ui/palette.hpp"
#include "ui/ui_root.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

struct Mode {
  const char* name;
  bool present;
  float zoom;  // what the window builds its fonts at for 1280x720
};
// Presentation mode at 720 px: 16 px x 1.6 = 25.6 px body text, 3.56 % of the height.
constexpr Mode kModes[] = {{"normal", false, 1.0f}, {"presentation", true, 1.6f}};

void frame(UiRoot& root, Session& session, UiState& state, const std::vector<LessonEntry>& lessons,
           Commands& out, bool probe) {
  root.refresh(session, state);
  ImGui::NewFrame();
  out.clear();
  if (probe) sockstep::test::clip_probe_start();
  root.draw(state, lessons, "", {}, out);
  ImGui::Render();
  sockstep::test::clip_probe_stop();
}

}  // namespace

TEST_CASE("no label is cut at 1280x720 in any lesson, step, language or mode") {
  sockstep::test::headless_context(ImVec2(1280, 720));

  FontManager fonts(find_font_files());
  note_interface_text(fonts);
  std::vector<Lesson> lessons;
  for (const std::string& path : lesson_files()) {
    lessons.push_back(load_lesson_file(path));
    note_lesson_text(fonts, lessons.back());
  }
  REQUIRE(lessons.size() >= 20);
  const std::string cards_path = reference_cards_path();
  REQUIRE_FALSE(cards_path.empty());
  const std::vector<ReferenceCard> cards = load_reference_cards(cards_path);
  const std::vector<LessonEntry> entries;
  Commands out;
  std::size_t frames = 0;
  // One line per cut label: where, in which window, how far past the edge.
  std::map<std::string, std::string> cut;
  for (const Mode& mode : kModes) {
    UiState state;
    state.present = mode.present;
    state.font_zoom = mode.zoom;
    fonts.build(mode.zoom);
    apply_style(state.light_theme(), mode.zoom);
    // The text a step prints or notes may bring new characters: built again once per lesson.
    for (Lesson& lesson : lessons) {
      Session session{Lesson(lesson)};
      UiRoot root(fonts);
      root.set_palette(make_palette(state.light_theme()));
      root.set_cards(cards);
      const std::size_t count = session.lesson().steps.size();
      for (Lang lang : {Lang::En, Lang::Zh}) {
        state.lang = lang;
        state.picks.clear();
        session.reset();
        for (std::size_t n = 0; n <= count; ++n) {
          frame(root, session, state, entries, out, false);
          if (fonts.stale()) {
            fonts.build(mode.zoom);
            frame(root, session, state, entries, out, false);
          }
          // The frame after: windows sized to what they held, scrolled to the step.
          frame(root, session, state, entries, out, false);
          frame(root, session, state, entries, out, true);
          ++frames;
          // After the first step, the help and the step's reference card too, once each.
          if (n == 1) {
            const auto overlay = [&](bool help, std::string card) {
              state.help_open = help;
              state.card_call = std::move(card);
              for (int i = 0; i < 3; ++i) frame(root, session, state, entries, out, i == 2);
              if (fonts.stale()) {
                fonts.build(mode.zoom);
                for (int i = 0; i < 3; ++i) frame(root, session, state, entries, out, i == 2);
              }
              state.help_open = false;
              state.card_call.clear();
            };
            const std::vector<sockstep::test::ClippedText> before = sockstep::test::clip_probe_take();
            overlay(true, "");
            std::vector<sockstep::test::ClippedText> seen = sockstep::test::clip_probe_take();
            overlay(false, session.lesson().steps[0].call);
            for (auto& c : sockstep::test::clip_probe_take()) seen.push_back(std::move(c));
            for (const auto& c : before) seen.push_back(c);
            for (const auto& c : seen) {
              char where[160];
              std::snprintf(where, sizeof where, "%s %s %s help/card [%s]", mode.name, lang == Lang::Zh ? "zh" : "en",
                            session.lesson().id.c_str(), c.window.c_str());
              const std::string panel = c.window.substr(0, c.window.find('/'));
              cut.emplace(c.text + " | " + panel, std::string(where) + " +" + std::to_string(static_cast<int>(c.overflow)) + "px");
            }
          }
          for (const auto& c : sockstep::test::clip_probe_take()) {
            char where[160];
            std::snprintf(where, sizeof where, "%s %s %s step %zu [%s]", mode.name, lang == Lang::Zh ? "zh" : "en",
                          session.lesson().id.c_str(), n, c.window.c_str());
            // One line per text and panel (a card's window name carries its index).
            const std::string panel = c.window.substr(0, c.window.find('/'));
            cut.emplace(c.text + " | " + panel, std::string(where) + " +" + std::to_string(static_cast<int>(c.overflow)) + "px");
          }
          // At the end, the Bytes panel's Follow view too (each connection as text).
          if (n == count) {
            root.show_follow(true);
            for (int i = 0; i < 3; ++i) frame(root, session, state, entries, out, i == 2);
            for (const auto& c : sockstep::test::clip_probe_take()) {
              char where[160];
              std::snprintf(where, sizeof where, "%s %s %s follow view [%s]", mode.name, lang == Lang::Zh ? "zh" : "en",
                            session.lesson().id.c_str(), c.window.c_str());
              const std::string panel = c.window.substr(0, c.window.find('/'));
              cut.emplace(c.text + " | " + panel, std::string(where) + " +" + std::to_string(static_cast<int>(c.overflow)) + "px");
            }
            root.show_follow(false);
          }
          session.step();
        }
      }
    }
  }
  for (const auto& [text, where] : cut) MESSAGE("cut: \"" << text << "\" first at " << where);
  MESSAGE(frames << " frames looked at, " << cut.size() << " labels cut");
  CHECK(cut.empty());
  ImGui::DestroyContext();
}

TEST_CASE("no label is cut in serve's student view at 1280x720: forty students, long names, odd bytes") {
  sockstep::test::headless_context(ImVec2(1280, 720));
  FontManager fonts(find_font_files());
  note_interface_text(fonts);
  // What students send: a greeting, Chinese, a long line, control bytes and invalid UTF-8, nothing.
  const auto line = [](int i) -> std::string {
    switch (i % 5) {
      case 0: return "hello from student " + std::to_string(i) + "\n";
      case 1: return "你好,服务器,我是第 " + std::to_string(i) + " 个学生\n";
      case 2: return std::string(300, 'x') + "\n";
      case 3: return std::string("\x00\x01\xff\xfe\r\n\t", 7);
      default: return {};
    }
  };
  fonts.note_text(line(1));
  std::map<std::string, std::string> cut;
  std::size_t frames = 0;
  for (const Mode& mode : kModes) {
    fonts.build(mode.zoom);
    apply_style(mode.present, mode.zoom);
    for (const Lang lang : {Lang::En, Lang::Zh}) {
      Lesson lanes;
      lanes.actors = {"server"};
      LiveInfo info;
      info.title = "serve 192.168.100.1:8084";
      info.students.enabled = true;
      info.students.open_first = true;
      // Some hosts have long names on the LAN, some none.
      info.students.name_of = [](const std::string& host) {
        ReverseNames::Answer answer;
        const int last = std::stoi(host.substr(host.rfind('.') + 1));
        answer.status = last % 3 == 0 ? ReverseNames::Status::Unnamed : ReverseNames::Status::Named;
        if (last % 3 != 0) answer.name = "student-laptop-" + std::to_string(last) + ".classroom-b.faculty.example.edu";
        return answer;
      };
      UiRoot root(fonts);
      root.set_palette(make_palette(mode.present));
      root.set_live(lanes, info, "clients", true);
      EventLog log;
      test::accept_students(log, 40, line);
      // Every fourth student has left.
      for (int i = 0; i < 40; i += 4) {
        Event close;
        close.actor = "server";
        close.call = Call::Close;
        close.fd = 10 + i;
        log.append(close);
      }
      LiveSource live({"server"}, "clients");
      UiState state;
      state.lang = lang;
      state.present = mode.present;
      state.font_zoom = mode.zoom;
      const std::vector<LessonEntry> entries;
      Commands out;
      for (int i = 0; i < 4; ++i) {  // a new window settles its size in its first frames
        (void)root.refresh_live(live, log, false);
        ImGui::NewFrame();
        if (i == 3) sockstep::test::clip_probe_start();
        root.draw(state, entries, "", {}, out);
        ImGui::Render();
        sockstep::test::clip_probe_stop();
        out.clear();
      }
      ++frames;
      // The tiles were drawn: the view's tile area was a window of this frame.
      bool tiles_drawn = false;
      for (ImGuiWindow* window : GImGui->Windows)
        tiles_drawn |= std::string(window->Name).find("##tiles") != std::string::npos && window->WasActive;
      CHECK(tiles_drawn);
      for (const auto& c : sockstep::test::clip_probe_take()) {
        const std::string panel = c.window.substr(0, c.window.find('/'));
        cut.emplace(c.text + " | " + panel, std::string(mode.name) + " " + lang_code(lang) + " +" +
                                                std::to_string(static_cast<int>(c.overflow)) + "px");
      }
    }
  }
  for (const auto& [text, where] : cut) MESSAGE("cut: \"" << text << "\" first at " << where);
  MESSAGE(frames << " student views looked at, " << cut.size() << " labels cut");
  CHECK(cut.empty());
  ImGui::DestroyContext();
}

TEST_CASE("the probe sees a label cut by its window's edge, and not one scrolled out of view") {
  ImGuiIO& io = sockstep::test::headless_context(ImVec2(640, 480));
  unsigned char* pixels = nullptr;
  int w = 0;
  int h = 0;
  io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  std::vector<sockstep::test::ClippedText> cut;
  for (int i = 0; i < 3; ++i) {
    ImGui::NewFrame();
    sockstep::test::clip_probe_start();
    ImGui::SetNextWindowPos(ImVec2(10, 10));
    ImGui::SetNextWindowSize(ImVec2(120, 200));
    ImGui::Begin("narrow", nullptr, ImGuiWindowFlags_NoSavedSettings);
    ImGui::TextUnformatted("a label far too long for a window this narrow");
    ImGui::TextUnformatted("fits");
    ImGui::End();
    ImGui::SetNextWindowPos(ImVec2(200, 10));
    ImGui::SetNextWindowSize(ImVec2(200, 100));
    ImGui::Begin("tall", nullptr, ImGuiWindowFlags_NoSavedSettings);
    for (int line = 0; line < 40; ++line) ImGui::Text("line %d", line);  // scrolls: the tail is not cut
    ImGui::End();
    ImGui::Render();
    sockstep::test::clip_probe_stop();
    cut = sockstep::test::clip_probe_take();
  }
  REQUIRE(cut.size() >= 1);
  CHECK(cut.front().text == "a label far too long for a window this narrow");
  CHECK(cut.front().window == "narrow");
  for (const auto& c : cut) CHECK(c.window != "tall");
  ImGui::DestroyContext();
}
