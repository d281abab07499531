// Predictions and reference cards in the GUI, and the line breaking Chinese text
// needs: no window, no GL, no display.
#include <doctest/doctest.h>

#include <GLFW/glfw3.h>
#include <imgui.h>

#include <string>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/lesson/reference_cards.hpp"
#include "gui/headless_context.hpp"
#include "ui/fonts.hpp"
#include "ui/prediction.hpp"
#include "ui/text_wrap.hpp"
#include "ui/ui_root.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

// Latin letters are one unit wide, CJK characters two: like a real font, roughly.
float advance(char32_t c) { return is_cjk(c) ? 2.0f : 1.0f; }

std::vector<std::string> wrap(const std::string& text, float width) {
  std::vector<std::string> out;
  for (const LineSpan& line : wrap_lines(text, width, advance)) {
    out.push_back(text.substr(line.begin, line.end - line.begin));
  }
  return out;
}

float width_of(const std::string& text) {
  float w = 0;
  for (std::size_t i = 0; i < text.size();) w += advance(next_codepoint(text, i));
  return w;
}

struct Headless {
  Headless() {
    sockstep::test::headless_context(ImVec2(1280, 720));
  }
  ~Headless() { ImGui::DestroyContext(); }
};

// A frame as the app runs it, with the commands the app would carry out that touch
// only UI state (picks, cards); steps are left to the test.
Commands frame(UiRoot& root, Session& session, UiState& state, FontManager& fonts,
               std::vector<KeyPress> keys = {}) {
  static const std::vector<LessonEntry> no_lessons;
  root.refresh(session, state);
  if (fonts.stale()) fonts.build(state.zoom);
  ImGui::NewFrame();
  Commands out;
  root.draw(state, no_lessons, "", keys, out);
  ImGui::Render();
  for (const Command& c : out) {
    if (c.kind == Command::Kind::Pick) state.picks[static_cast<std::size_t>(c.number)] = c.choice;
    if (c.kind == Command::Kind::ToggleCard) state.card_call = c.text == state.card_call ? "" : c.text;
  }
  return out;
}

bool has(const Commands& commands, Command::Kind kind) {
  for (const Command& c : commands) {
    if (c.kind == kind) return true;
  }
  return false;
}

PredictChoice choice(const std::string& en, bool ok) {
  PredictChoice c;
  c.text = Text{en, en};
  c.when.ok = ok;
  return c;
}

}  // namespace

TEST_CASE("Chinese text breaks between characters, Latin text at spaces") {
  // ImGui alone would keep this on one line up to the first space.
  const std::string zh = "套接字是通信的端点,内核为它保存状态。";
  const auto lines = wrap(zh, 10);
  REQUIRE(lines.size() > 1);
  for (const std::string& line : lines) CHECK(width_of(line) <= 10);
  std::string joined;
  for (const std::string& line : lines) joined += line;
  CHECK(joined == zh);  // nothing lost, nothing added

  // Closing punctuation never starts a line; it stays with the character before it.
  for (const std::string& line : lines) {
    CHECK(line.rfind("，", 0) != 0);
    CHECK(line.rfind("。", 0) != 0);
  }

  // English wraps at spaces, and the spaces at a break are dropped.
  CHECK(wrap("send copies the bytes", 11) == std::vector<std::string>{"send copies", "the bytes"});
  // Mixed: an English word inside Chinese stays whole.
  const auto mixed = wrap("在 conn 上把同样的字节发回去", 8);
  for (const std::string& line : mixed) CHECK(width_of(line) <= 8);
  bool whole = false;
  for (const std::string& line : mixed) whole = whole || line.find("conn") != std::string::npos;
  CHECK(whole);
  // Newlines always break; a word longer than the line is cut rather than lost.
  CHECK(wrap("ab\ncd", 10) == std::vector<std::string>{"ab", "cd"});
  CHECK(wrap("abcdefgh", 3) == std::vector<std::string>{"abc", "def", "gh"});
  CHECK(wrap("", 10).empty());
}

TEST_CASE("a verdict follows the kernel's answer, not a stored letter") {
  StepOutcome outcome;
  CHECK(verdict(outcome, 1) == Verdict::Waiting);
  outcome.checked = true;
  CHECK(verdict(outcome, 1) == Verdict::Undescribed);
  outcome.predict_right = {1};
  CHECK(verdict(outcome, 1) == Verdict::Right);
  CHECK(verdict(outcome, 0) == Verdict::Wrong);
  CHECK(verdict(outcome, kSkipped) == Verdict::Unanswered);
  CHECK(verdict(outcome, std::nullopt) == Verdict::Unanswered);

  Step step;
  step.call = "connect";
  outcome.result.err = 111;
  CHECK(kernel_answer(step, outcome, Lang::En).find("ECONNREFUSED") != std::string::npos);
  step.call = "connect_ex";  // returns the error instead of raising it
  CHECK(kernel_answer(step, outcome, Lang::En) == "connect_ex() returned 111 (ECONNREFUSED)");
  step.call = "recv";
  outcome.result = CallResult{};
  outcome.result.value = 5;
  outcome.result.bytes = "hello";
  CHECK(kernel_answer(step, outcome, Lang::En) == "recv() returned b'hello' (5 bytes)");
}

TEST_CASE("Next waits for the answer; the keys pick; the kernel judges it") {
  Headless context;
  FontManager fonts(find_font_files());
  const auto path = resolve_lesson("connect-ex");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  const Lesson& lesson = session.lesson();
  // The first question in the lesson.
  std::size_t asked = 0;
  while (asked < lesson.steps.size() && !lesson.steps[asked].predict) ++asked;
  REQUIRE(asked < lesson.steps.size());
  session.go_to(asked);

  UiRoot root(fonts);
  UiState state;
  frame(root, session, state, fonts);
  CHECK(awaits_pick(lesson, session.position(), state.picks));

  // Right is held while the question waits.
  CHECK_FALSE(has(frame(root, session, state, fonts, {{GLFW_KEY_RIGHT, 0}}), Command::Kind::Step));
  // A key past the last choice answers nothing.
  frame(root, session, state, fonts, {{GLFW_KEY_9, 0}});
  CHECK(state.picks.empty());

  // The learner picks a choice the kernel will bear out: whichever it is.
  session.step();
  const StepOutcome judged = session.outcome(asked);
  REQUIRE(judged.checked);
  REQUIRE_FALSE(judged.predict_right.empty());
  const int right = static_cast<int>(judged.predict_right.front());
  session.go_to(asked);
  frame(root, session, state, fonts, {{GLFW_KEY_1 + right, 0}});
  REQUIRE(state.picks.count(asked) == 1);
  CHECK(state.picks[asked] == right);
  CHECK_FALSE(awaits_pick(lesson, session.position(), state.picks));
  CHECK(has(frame(root, session, state, fonts, {{GLFW_KEY_RIGHT, 0}}), Command::Kind::Step));

  session.step();
  frame(root, session, state, fonts);
  const auto shown = root.verdicts().judged_during(asked);
  REQUIRE(shown.size() == 1);
  CHECK(shown[0] == asked);
  CHECK(verdict(root.snapshot().outcomes[asked], pick_of(state.picks, asked)) == Verdict::Right);

  // Typed fast, in one batch: the held Right is dropped, the answer lets the next one run.
  state.picks.clear();
  session.go_to(asked);
  const Commands fast =
      frame(root, session, state, fonts, {{GLFW_KEY_RIGHT, 0}, {GLFW_KEY_1 + right, 0}, {GLFW_KEY_RIGHT, 0}});
  REQUIRE(fast.size() == 2);
  CHECK(fast[0].kind == Command::Kind::Pick);
  CHECK(fast[1].kind == Command::Kind::Step);

  // Skipping answers too; auto-play never asks.
  state.picks.clear();
  session.go_to(asked);
  frame(root, session, state, fonts, {{GLFW_KEY_S, 0}});
  CHECK(state.picks[asked] == kSkipped);
  state.picks.clear();
  state.playing = true;
  frame(root, session, state, fonts);
  CHECK_FALSE(frame(root, session, state, fonts).size() > 0);
}

TEST_CASE("a waiting call's verdict shows at the step that lets it return") {
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Lesson lesson = load_lesson_file(*path);
  // Ask about accept(), which waits until the client's connect().
  std::size_t accept = 0;
  while (lesson.steps[accept].call != "accept") ++accept;
  std::size_t connect = accept;
  while (lesson.steps[connect].call != "connect") ++connect;
  Predict predict;
  predict.question = Text{"Does accept() return now?", "accept() 现在返回吗?"};
  predict.choices = {choice("It fails", false), choice("It returns a connection, later", true)};
  lesson.steps[accept].predict = predict;
  Session session(std::move(lesson));

  VerdictTimeline timeline;
  for (std::size_t n = 1; n <= connect + 1; ++n) {
    session.step();
    timeline.update(session.lesson(), session.snapshot());
    if (n - 1 == accept) CHECK(timeline.judged_during(accept).empty());  // still waiting
  }
  CHECK(timeline.judged_during(connect) == std::vector<std::size_t>{accept});
  CHECK(session.outcome(accept).predict_right == std::vector<std::size_t>{1});

  // A replay (Back) finds the same step without having watched it happen.
  session.go_to(connect + 1);
  VerdictTimeline replayed;
  replayed.update(session.lesson(), session.snapshot());
  CHECK(replayed.judged_during(connect) == std::vector<std::size_t>{accept});
}

TEST_CASE("F2 and the steps list open the reference card of a call") {
  Headless context;
  FontManager fonts(find_font_files());
  const auto path = resolve_lesson("echo-tcp");
  REQUIRE(path);
  Session session(load_lesson_file(*path));
  UiRoot root(fonts);
  const std::string cards = reference_cards_path();
  REQUIRE_FALSE(cards.empty());
  root.set_cards(load_reference_cards(cards));
  UiState state;
  for (Lang lang : {Lang::En, Lang::Zh}) {
    state.lang = lang;
    state.card_call.clear();
    session.go_to(3);
    frame(root, session, state, fonts, {{GLFW_KEY_F2, 0}});
    CHECK(state.card_call == session.lesson().steps[2].call);
    // The card window draws (twice: a new window sizes itself on its first frame).
    frame(root, session, state, fonts);
    frame(root, session, state, fonts);
    CHECK(ImGui::GetDrawData()->TotalVtxCount > 0);
    frame(root, session, state, fonts, {{GLFW_KEY_ESCAPE, 0}});
    CHECK(state.card_call.empty());
  }
}
