// What the lesson-loader fuzzer found, kept as plain tests. The inputs themselves are
// in tests/corpus and replayed by fuzz_corpus_replay; these cases say what must hold.
#include <doctest/doctest.h>

#include <string>

#include "engine/lesson/lesson_loader.hpp"

using namespace sockstep;

namespace {

const std::string kLesson = R"(id = "t"
title = { en = "Café «T» Ω Ж", zh = "测试。「引号」﹐" }
actors = ["server", "сервер"]

[[listing]]
name = "сервер.py"
code = '''
import socket
телефон = socket.socket()
'''

[[step]]
actor = "сервер"
call = "socket"
result = "phone"
metaphor = { en = "Buy a phone", zh = "买手机。" }
explain = { en = "x", zh = "x" }
lines = { "сервер.py" = 2 }
)";

std::string error_of(const std::string& text) {
  try {
    (void)load_lesson_text(text, "bad.toml");
  } catch (const LessonError& e) {
    return e.what();
  }
  return "it loaded";
}

}  // namespace

TEST_CASE("Latin-1, Cyrillic and CJK punctuation load unchanged in keys and strings") {
  const Lesson lesson = load_lesson_text(kLesson, "t.toml");
  CHECK(lesson.title.en == "Café «T» Ω Ж");
  CHECK(lesson.title.zh == "测试。「引号」﹐");
  CHECK(lesson.actors.at(1) == "сервер");
  REQUIRE(lesson.listings.size() == 1);
  CHECK(lesson.listings[0].name == "сервер.py");
  CHECK(lesson.listings[0].code.find("телефон") != std::string::npos);
  REQUIRE(lesson.steps.size() == 1);
  CHECK(lesson.steps[0].actor == "сервер");
  CHECK(lesson.steps[0].lines.at("сервер.py") == 2);
  CHECK(lesson.steps[0].metaphor.zh == "买手机。");
}

TEST_CASE("those characters outside strings are a TOML error at their line and column") {
  // Each once reached undefined behaviour in the TOML parser (tests/corpus/toml-*.toml).
  CHECK(error_of("\xd0\xa3") == "bad.toml:1:1: Error while parsing root table: expected keys, tables, whitespace or "
                                "comments, saw '\xd0\xa3' (hint: the file is not valid TOML)");
  CHECK(error_of("id = \xe3\x80\x82\n").starts_with("bad.toml:1:6: "));
  CHECK(error_of("id = \"x\"\n\xef\xb9\x90 = 1\n").starts_with("bad.toml:2:1: "));
  CHECK(error_of("id = \"x\"\n[\"\xd0\xa3\"]\na = 1\n") == "bad.toml:2:2: unknown key '\xd0\xa3' (hint: did you mean 'id'?)");
}

TEST_CASE("a key with those characters is named in the error as written") {
  std::string text = kLesson;
  const std::string from = "lines = { \"сервер.py\"";
  text.replace(text.find(from), from.size(), "lines = { \"серве.py\"");
  CHECK(error_of(text).find("no listing named 'серве.py'") != std::string::npos);
}

TEST_CASE("private-use characters the loader uses internally pass through") {
  std::string text = kLesson;
  text.replace(text.find("Café"), std::string("Café").size(), "\xf3\xb0\x80\x80" "Caf");  // U+F0000
  const Lesson lesson = load_lesson_text(text, "t.toml");
  CHECK(lesson.title.en.starts_with("\xf3\xb0\x80\x80" "Caf"));
}

TEST_CASE("table headers the TOML parser once asserted on are TOML errors") {
  for (const char* text : {"[[=", "[&", "[[[1]]]", "[[[a]]]", "[[[]]"})
    CHECK(error_of(text).find("the file is not valid TOML") != std::string::npos);
}
