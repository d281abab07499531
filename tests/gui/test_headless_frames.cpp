// Every panel drawn for every step of the echo lesson with ImGui but no window or GL:
// proves the views only read the snapshot and that the keys reach the session.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>
#include <imgui_internal.h>

#include <string>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "gui/headless_context.hpp"
#include "ui/fonts.hpp"
#include "ui/ui_root.hpp"
#include "ui/ui_text.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

struct Headless {
  Headless() {
    ImGuiIO& io = sockstep::test::headless_context(ImVec2(1280, 720));
    // What the GLFW backend would map in 1.86.
    io.KeyMap[ImGuiKey_RightArrow] = GLFW_KEY_RIGHT;
    io.KeyMap[ImGuiKey_LeftArrow] = GLFW_KEY_LEFT;
    io.KeyMap[ImGuiKey_Space] = GLFW_KEY_SPACE;
    io.KeyMap[ImGuiKey_Escape] = GLFW_KEY_ESCAPE;
  }
  ~Headless() { ImGui::DestroyContext(); }
};

std::size_t frame(UiRoot& root, Session& session, UiState& state, FontManager& fonts,
                  const std::vector<LessonEntry>& lessons, Commands& out,
                  std::vector<KeyPress> keys = {}) {
  root.refresh(session, state);
  if (fonts.stale()) fonts.build(state.zoom);
  ImGui::NewFrame();
  out.clear();
  root.draw(state, lessons, "", keys, out);
  ImGui::Render();
  return static_cast<std::size_t>(ImGui::GetDrawData()->TotalVtxCount);
}

}  // namespace

TEST_CASE("every panel draws every step of the echo lesson, in both languages") {
  Headless context;
  FontManager fonts(find_font_files());
  for (std::size_t i = 0; i < tx_count(); ++i) {
    fonts.note_text(tx_at(i, Lang::En));
    fonts.note_text(tx_at(i, Lang::Zh));
  }
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Lesson lesson = load_lesson_file(*path);
  for (const Step& step : lesson.steps) {
    fonts.note_text(step.metaphor.zh);
    fonts.note_text(step.explain.zh);
  }
  fonts.build(1.0f);
  CHECK(fonts.fonts().ui != nullptr);
  CHECK(fonts.fonts().big != nullptr);

  Session session(std::move(lesson));
  UiRoot root(fonts);
  UiState state;
  std::vector<LessonEntry> lessons;
  Commands out;
  const std::size_t count = session.lesson().steps.size();
  for (Lang lang : {Lang::En, Lang::Zh}) {
    state.lang = lang;
    session.reset();
    for (std::size_t n = 0; n <= count; ++n) {
      CHECK(frame(root, session, state, fonts, lessons, out) > 1000);
      CHECK(out.empty());  // drawing alone asks for nothing
      CHECK(root.snapshot().position == n);
      session.step();
    }
  }
  CHECK(session.failures().empty());
}

TEST_CASE("Right and Left reach the session only as commands") {
  Headless context;
  FontManager fonts(find_font_files());
  fonts.build(1.0f);
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  UiRoot root(fonts);
  UiState state;
  std::vector<LessonEntry> lessons;
  Commands out;
  frame(root, session, state, fonts, lessons, out);

  frame(root, session, state, fonts, lessons, out, {{GLFW_KEY_RIGHT, 0}});
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Command::Kind::Step);
  CHECK(session.position() == 0);  // views never run the step themselves

  frame(root, session, state, fonts, lessons, out, {{GLFW_KEY_LEFT, 0}, {GLFW_KEY_SPACE, 0}});
  REQUIRE(out.size() == 2);
  CHECK(out[0].kind == Command::Kind::Back);
  CHECK(out[1].kind == Command::Kind::Step);

  frame(root, session, state, fonts, lessons, out, {{GLFW_KEY_EQUAL, GLFW_MOD_CONTROL}});
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Command::Kind::Zoom);
  CHECK(out[0].real > 1.0);

  frame(root, session, state, fonts, lessons, out, {{GLFW_KEY_R, 0}, {GLFW_KEY_P, 0}, {GLFW_KEY_F1, 0}});
  REQUIRE(out.size() == 3);
  CHECK(out[0].kind == Command::Kind::Reset);
  CHECK(out[1].kind == Command::Kind::TogglePlay);
  CHECK(out[2].kind == Command::Kind::ToggleHelp);

  // Presentation mode, a panel in or out, and one panel filling the window.
  frame(root, session, state, fonts, lessons, out, {{GLFW_KEY_F5, 0}, {GLFW_KEY_2, GLFW_MOD_CONTROL}, {GLFW_KEY_M, 0}});
  REQUIRE(out.size() == 3);
  CHECK(out[0].kind == Command::Kind::TogglePresent);
  CHECK(out[1].kind == Command::Kind::TogglePanel);
  CHECK(out[1].number == static_cast<long long>(Panel::Steps));
  CHECK(out[2].kind == Command::Kind::Maximise);
  CHECK(out[2].number >= 0);
  state.maximised = static_cast<int>(Panel::Code);
  frame(root, session, state, fonts, lessons, out, {{GLFW_KEY_ESCAPE, 0}});
  REQUIRE(out.size() == 1);
  CHECK(out[0].kind == Command::Kind::Maximise);
  CHECK(out[0].number == -1);
}

TEST_CASE("presentation mode draws its four panels, and a maximised panel alone") {
  Headless context;
  FontManager fonts(find_font_files());
  fonts.build(1.6f);
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  UiRoot root(fonts);
  UiState state;
  state.present = true;
  state.font_zoom = 1.6f;
  std::vector<LessonEntry> lessons;
  Commands out;
  session.go_to(3);
  frame(root, session, state, fonts, lessons, out);
  frame(root, session, state, fonts, lessons, out);
  // Titles change with the language; the ### ids do not.
  const auto find = [&](const char* id) {
    for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows)
      if (std::string(w->Name).find(std::string("###") + id) != std::string::npos && w->Active) return w;
    return static_cast<ImGuiWindow*>(nullptr);
  };
  CHECK(find("lesson") != nullptr);
  CHECK(find("code") != nullptr);
  CHECK(find("sequence") != nullptr);
  CHECK(find("sockets") != nullptr);
  CHECK(find("log") == nullptr);
  CHECK(find("bytes") == nullptr);
  // Body text at 1.6: 25.6 px, 3.56 % of a 720 px window.
  CHECK(ImGui::GetFontSize() / 720.0f >= 0.035f);
  state.maximised = static_cast<int>(Panel::Sequence);
  frame(root, session, state, fonts, lessons, out);
  frame(root, session, state, fonts, lessons, out);
  ImGuiWindow* seq = find("sequence");
  REQUIRE(seq != nullptr);
  CHECK(seq->Size.x == doctest::Approx(1280.0f));
  CHECK(find("lesson") == nullptr);
}

TEST_CASE("the card the step just touched is scrolled into view: backlog's client-7 in SYN_SENT") {
  Headless context;
  FontManager fonts(find_font_files());
  fonts.build(1.0f);
  const auto path = resolve_lesson("backlog");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  UiRoot root(fonts);
  UiState state;
  std::vector<LessonEntry> lessons;
  Commands out;
  session.go_to(18);  // client-7's connect, dropped by the full queue
  REQUIRE(session.lesson().steps[17].actor == "client-7");
  frame(root, session, state, fonts, lessons, out);
  frame(root, session, state, fonts, lessons, out);  // the scroll asked for takes effect
  CHECK(root.sockets_view().touched_in_view);
  // Twelve cards do not fit: without the scroll the eighth would be out of view.
  CHECK(root.snapshot().sockets.size() >= 8);
}

TEST_CASE("the backlog lesson's eleven lanes scroll sideways, the headers with the rows") {
  Headless context;
  FontManager fonts(find_font_files());
  fonts.build(1.0f);
  const auto path = resolve_lesson("backlog");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  UiRoot root(fonts);
  UiState state;
  std::vector<LessonEntry> lessons;
  Commands out;
  session.go_to(24);  // every client has dialled
  for (int i = 0; i < 3; ++i) frame(root, session, state, fonts, lessons, out);
  ImGuiWindow* rows = nullptr;
  ImGuiWindow* lanes = nullptr;
  for (ImGuiWindow* w : ImGui::GetCurrentContext()->Windows) {
    const std::string name = w->Name;
    if (name.find("###sequence/rows") != std::string::npos) rows = w;
    if (name.find("###sequence/lanes") != std::string::npos) lanes = w;
  }
  REQUIRE(rows != nullptr);
  REQUIRE(lanes != nullptr);
  CHECK(rows->ScrollbarX);
  CHECK(rows->ScrollMax.x > 0.0f);
  // Lanes 7.5 font sizes apart at least: ten gaps do not fit the panel.
  CHECK(rows->ContentSize.x >= 10 * 7.5f * ImGui::GetFontSize());
  CHECK(lanes->Scroll.x == doctest::Approx(rows->Scroll.x));
}

TEST_CASE("dragging the edge between the lesson and the right column moves weight between them") {
  Headless context;
  FontManager fonts(find_font_files());
  fonts.build(1.0f);
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  UiRoot root(fonts);
  UiState state;
  std::vector<LessonEntry> lessons;
  Commands out;
  ImGuiIO& io = ImGui::GetIO();
  const Layout layout = compute_layout(ImVec2(0, 0), ImVec2(1280, 720), state.visible, state.weights, LayoutMetrics{});
  const float edge = layout.panels[static_cast<std::size_t>(Panel::Lesson)].size.x;
  // The pointer on the edge, pressed, then moved 60 px right: a frame each, as ImGui sees input.
  io.MousePos = ImVec2(edge, 400);
  for (int i = 0; i < 3; ++i) frame(root, session, state, fonts, lessons, out);
  io.MouseDown[0] = true;
  frame(root, session, state, fonts, lessons, out);
  io.MousePos = ImVec2(edge + 60, 400);
  frame(root, session, state, fonts, lessons, out);
  REQUIRE(out.size() == 2);
  CHECK(out[0].kind == Command::Kind::SetWeight);
  CHECK(out[0].number == 0);
  CHECK(out[0].real > state.weights[0]);
  CHECK(out[1].number == 1);
  CHECK(out[0].real + out[1].real == doctest::Approx(state.weights[0] + state.weights[1]));
  io.MouseDown[0] = false;
  frame(root, session, state, fonts, lessons, out);
}
