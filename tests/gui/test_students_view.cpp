// serve's student view drawn with ImGui but no window or GL: the real panel code lays out
// a class's tiles at a projector's 1280x720, in both languages.
#include <doctest/doctest.h>

#include <imgui.h>
#include <imgui_internal.h>  // the tile area's child window, to read how far it scrolls

#include <string>

#include "engine/live/live_source.hpp"
#include "gui/headless_context.hpp"
#include "gui/classroom_events.hpp"
#include "ui/fonts.hpp"
#include "ui/ui_root.hpp"
#include "ui/ui_text.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

// How far the tiles' area scrolls after a frame (0: every tile in view), -1 when absent.
float tiles_scroll(const char* part) {
  for (ImGuiWindow* window : GImGui->Windows)
    if (std::string(window->Name).find(part) != std::string::npos && window->WasActive) return window->ScrollMax.y;
  return -1.0f;
}

}  // namespace

TEST_CASE("the student view fits forty tiles in 1280x720 without scrolling, and scrolls for sixty") {
  sockstep::test::headless_context(ImVec2(1280, 720));
  FontManager fonts(find_font_files());
  for (std::size_t i = 0; i < tx_count(); ++i) {
    fonts.note_text(tx_at(i, Lang::En));
    fonts.note_text(tx_at(i, Lang::Zh));
  }
  fonts.build(1.0f);

  for (const int students : {40, 60}) {
    for (const Lang lang : {Lang::En, Lang::Zh}) {
      INFO(students << " students, " << lang_code(lang));
      Lesson lanes;
      lanes.actors = {"server"};
      LiveInfo info;
      info.title = "serve 192.168.100.1:8084";
      info.students.enabled = true;
      info.students.open_first = true;
      UiRoot root(fonts);
      root.set_live(lanes, info, "clients", true);
      EventLog log;
      test::accept_students(log, students);
      LiveSource live({"server"}, "clients");
      UiState state;
      state.lang = lang;
      std::vector<LessonEntry> lessons;
      Commands out;
      for (int frame = 0; frame < 3; ++frame) {  // a new window settles its size in its first frames
        (void)root.refresh_live(live, log, false);
        ImGui::NewFrame();
        out.clear();
        root.draw(state, lessons, "", {}, out);
        ImGui::Render();
      }
      const float scroll = tiles_scroll("##tiles");
      REQUIRE(scroll >= 0.0f);
      if (students <= 40) {
        CHECK(scroll == 0.0f);
      } else {
        CHECK(scroll > 0.0f);
      }
    }
  }
  ImGui::DestroyContext();
}
