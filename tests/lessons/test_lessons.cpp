#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "engine/lesson_loader.hpp"
#include "engine/lesson_paths.hpp"
#include "engine/reference_cards.hpp"
#include "engine/session.hpp"

using namespace sockstep;

namespace {

std::vector<Lesson> all_lessons() {
  std::vector<Lesson> out;
  for (const auto& file : lesson_files()) out.push_back(load_lesson_file(file));
  return out;
}

bool blank(const std::string& s) { return s.find_first_not_of(" \t") == std::string::npos; }

void check_text(const Text& t, const std::string& where) {
  INFO(where);
  CHECK_FALSE(blank(t.en));
  CHECK_FALSE(blank(t.zh));
}

}  // namespace

// One test per lesson file (CMake sets SOCKSTEP_LESSON_FILE for each).
TEST_CASE("one lesson file loads") {
  const char* file = std::getenv("SOCKSTEP_LESSON_FILE");
  if (file == nullptr) {
    MESSAGE("SOCKSTEP_LESSON_FILE not set: loading every lesson instead");
    CHECK_NOTHROW((void)all_lessons());
    return;
  }
  Lesson lesson;
  CHECK_NOTHROW(lesson = load_lesson_file(file));
  CHECK(lesson.id == std::filesystem::path(file).stem().string());
  CHECK_FALSE(lesson.steps.empty());
}

TEST_CASE("every lesson file is in ORDER and loads") {
  const auto files = lesson_files();
  REQUIRE(files.size() >= 2);
  const auto dir = std::filesystem::path(files.front()).parent_path();
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".toml") continue;
    INFO(entry.path().string());
    CHECK(std::find(files.begin(), files.end(), entry.path().string()) != files.end());
  }
  for (const auto& file : files) {
    INFO(file);
    CHECK_NOTHROW((void)load_lesson_file(file));
  }
}

TEST_CASE("both languages are complete and every listing line a step points at exists") {
  for (const auto& lesson : all_lessons()) {
    INFO(lesson.id);
    check_text(lesson.title, "title");
    check_text(lesson.summary, "summary");
    bool python = false, c = false;
    for (const auto& l : lesson.listings) {
      python = python || l.language == "python";
      c = c || l.language == "c";
    }
    CHECK_MESSAGE(python, "a Python listing");
    CHECK_MESSAGE(c, "a C listing");
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
      const Step& step = lesson.steps[i];
      INFO("step " << i + 1 << " " << step.call);
      check_text(step.metaphor, "metaphor");
      check_text(step.explain, "explain");
      CHECK_FALSE(step.lines.empty());
      for (const auto& [name, line] : step.lines) {
        const Listing* listing = lesson.listing(name);
        REQUIRE(listing != nullptr);
        INFO(name << ":" << line);
        CHECK_FALSE(blank(listing->line(line)));
      }
      if (step.predict) {
        check_text(step.predict->question, "predict question");
        for (const auto& choice : step.predict->choices) check_text(choice.text, "predict choice");
      }
    }
  }
}

TEST_CASE("every call a step makes has a bilingual reference card") {
  const std::string path = reference_cards_path();
  REQUIRE_FALSE(path.empty());
  std::vector<ReferenceCard> cards;
  REQUIRE_NOTHROW(cards = load_reference_cards(path));
  for (const char* call : {"socket", "bind", "listen", "accept", "connect", "connect_ex", "recv", "send", "sendall",
                           "recvfrom", "sendto", "getpeername", "close", "setblocking", "getaddrinfo", "getfqdn",
                           "gethostbyname", "shutdown", "setsockopt"}) {
    INFO(call);
    CHECK(find_card(cards, call) != nullptr);
  }
  for (const auto& card : cards) {
    INFO(card.call);
    check_text(card.summary, "summary");
    check_text(card.blocks, "blocks");
    for (const auto& e : card.errors) check_text(e.meaning, e.name);
  }
  for (const auto& lesson : all_lessons())
    for (const auto& step : lesson.steps) {
      if (step.call == "print") continue;  // the program's own output, not a socket call
      INFO(lesson.id << ": " << step.call);
      CHECK(find_card(cards, step.call) != nullptr);
    }
  CHECK(reference_card("connect_ex").has_value());
  CHECK_FALSE(reference_card("no_such_call").has_value());
}

TEST_CASE("every lesson after the first asks one to three predictions") {
  for (const auto& lesson : all_lessons()) {
    if (lesson.id == "echo-tcp") continue;  // the seed's own lesson, kept as the seed tells it
    INFO(lesson.id);
    int count = 0;
    for (const auto& step : lesson.steps) count += step.predict ? 1 : 0;
    CHECK(count >= 1);
    CHECK(count <= 3);
  }
}

TEST_CASE("the kernel bears out exactly one choice of every prediction") {
  for (const auto& lesson : all_lessons()) {
    INFO(lesson.id);
    Session session(lesson);
    session.run_to_end();
    CHECK(session.failures().empty());
    for (std::size_t i = 0; i < lesson.steps.size(); ++i) {
      if (!lesson.steps[i].predict) continue;
      INFO("step " << i + 1);
      const StepOutcome outcome = session.outcome(i);
      CHECK(outcome.checked);
      CHECK(outcome.predict_right.size() == 1);
    }
  }
}

TEST_CASE("every lesson passes again after a reset (Back replays on fresh sockets)") {
  // An AF_UNIX path outlives its socket; reset removes the files the session's binds made.
  for (const auto& lesson : all_lessons()) {
    INFO(lesson.id);
    Session session(lesson);
    session.run_to_end();
    CHECK(session.failures().empty());
    session.go_to(lesson.steps.size());
    CHECK(session.failures().empty());
  }
}

TEST_CASE("send_queue_min checks the kernel's send queue and is validated with file:line:col") {
  const std::string head = R"(id = "x"
title = { en = "t", zh = "t" }
actors = ["server"]
[[step]]
actor = "server"
call = "socket"
result = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }
)";
  const Lesson ok = load_lesson_text(head + "expect = { ok = true, send_queue_min = { \"server.phone\" = 1 } }\n", "ok.toml");
  CHECK(ok.steps[0].expect.send_queue_min.at("server.phone") == 1);
  CHECK_FALSE(ok.steps[0].expect.empty());
  // A fresh socket has nothing queued, so the check must fail against the kernel.
  Session session(ok);
  session.run_to_end();
  REQUIRE(session.failures().size() == 1);
  CHECK(session.failures()[0].find("send queue") != std::string::npos);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(head + "expect = { send_queue_min = { \"phone\" = 1 } }\n", "bad.toml"),
                       doctest::Contains("bad.toml:10:"), LessonError);
  CHECK_THROWS_WITH_AS((void)load_lesson_text(head + "expect = { send_queue_min = { \"server.phone\" = 0 } }\n", "bad.toml"),
                       doctest::Contains("send_queue_min"), LessonError);
}

TEST_CASE("prediction and privilege mistakes are reported with file:line:col") {
  const std::string head = R"(id = "x"
title = { en = "t", zh = "t" }
actors = ["server"]
)";
  const std::string step = R"([[step]]
actor = "server"
call = "socket"
result = "phone"
metaphor = { en = "m", zh = "m" }
explain = { en = "e", zh = "e" }
)";
  SUBCASE("a choice without when") {
    const std::string text = head + step + R"([step.predict]
question = { en = "q", zh = "q" }
[[step.predict.choice]]
text = { en = "a", zh = "a" }
[[step.predict.choice]]
text = { en = "b", zh = "b" }
when = { ok = true }
)";
    try {
      (void)load_lesson_text(text, "bad.toml");
      FAIL("expected a LessonError");
    } catch (const LessonError& e) {
      CHECK(std::string(e.what()).rfind("bad.toml:", 0) == 0);
      CHECK(e.message().find("when") != std::string::npos);
    }
  }
  SUBCASE("a prediction in one language") {
    const std::string text = head + step + R"([step.predict]
question = { en = "q" }
)";
    CHECK_THROWS_AS((void)load_lesson_text(text, "bad.toml"), LessonError);
  }
  SUBCASE("needs without expect_privileged") {
    const std::string text = head + step + "needs = \"CAP_NET_RAW\"\n";
    CHECK_THROWS_WITH_AS((void)load_lesson_text(text, "bad.toml"),
                         doctest::Contains("expect_privileged"), LessonError);
  }
  SUBCASE("an unknown privilege") {
    const std::string text = head + step + "needs = \"CAP_SYS_ADMIN\"\nexpect_privileged = { ok = true }\n";
    CHECK_THROWS_WITH_AS((void)load_lesson_text(text, "bad.toml"), doctest::Contains("bad.toml:"), LessonError);
  }
}
