// libFuzzer target: any bytes given to the lesson loader either load or raise a
// LessonError, and given to the check loader either load or raise a FileError. Anything else (a crash, a sanitizer report, another exception, a hang)
// is a bug. The same entry point is replayed over tests/corpus by replay_corpus.cpp,
// so every input the fuzzer ever found stays a regression test in the normal build.
#include <cstddef>
#include <cstdint>
#include <string>

#include "check/check_loader.hpp"
#include "engine/lesson/lesson_loader.hpp"

namespace {

// An input that starts with 0x01 is a recipe for what random bytes rarely reach: nesting
// as deep as two bytes say (dotted keys, headers, inline tables, arrays) and a send of
// data x repeat as large as two more say, in an otherwise valid lesson.
std::string generated(const std::uint8_t* d, std::size_t n) {
  const auto at = [&](std::size_t i) -> unsigned { return i < n ? d[i] : 0u; };
  const unsigned depth = (at(0) | at(1) << 8) % 40000;
  const auto repeat = 1ULL << (at(3) % 40);
  std::string text = "id = \"g\"\ntitle = { en = \"G\", zh = \"G\" }\nactors = [\"s\"]\n";
  std::string nest;
  switch (at(2) % 4) {
    case 0:
      for (unsigned i = 0; i < depth; ++i) nest += "a.";
      nest += "a = 1\n";
      break;
    case 1:
      nest = "[";
      for (unsigned i = 0; i < depth; ++i) nest += "h.";
      nest += "x]\nk.k.k = 1\n";
      break;
    case 2:
      nest = "summary = ";
      for (unsigned i = 0; i < depth; ++i) nest += "{ a = ";
      nest += "1";
      for (unsigned i = 0; i < depth; ++i) nest += " }";
      nest += "\n";
      break;
    default:
      nest = "summary = " + std::string(depth, '[') + std::string(depth, ']') + "\n";
      break;
  }
  text += nest;
  text += "[[step]]\nactor = \"s\"\ncall = \"socket\"\nresult = \"p\"\nmetaphor = { en = \"x\", zh = \"x\" }\n"
          "explain = { en = \"x\", zh = \"x\" }\n[[step]]\nactor = \"s\"\ncall = \"send\"\nsock = \"p\"\n"
          "args = { data = \"" + std::string(at(4) * 64u, 'x') + "\", repeat = " + std::to_string(repeat) +
          " }\nmetaphor = { en = \"x\", zh = \"x\" }\nexplain = { en = \"x\", zh = \"x\" }\n";
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text = size > 0 && data[0] == 1 ? generated(data + 1, size - 1)
                                                    : std::string(reinterpret_cast<const char*>(data), size);
  try {
    const sockstep::Lesson lesson = sockstep::load_lesson_text(text, "fuzz.toml");
    // Touch what a loaded lesson promises: every step's listing lines are in range.
    for (const auto& step : lesson.steps)
      for (const auto& [name, line] : step.lines)
        if (const auto* listing = lesson.listing(name); listing == nullptr || line < 1 || line > listing->line_count())
          __builtin_trap();
    // What a loaded lesson promises about its sends: data x repeat within the bound.
    for (const auto& step : lesson.steps)
      if (static_cast<long double>(sockstep::arg_string(step, "data").size()) * sockstep::arg_int(step, "repeat", 1) >
          sockstep::kMaxPayloadBytes)
        __builtin_trap();
  } catch (const sockstep::LessonError&) {
    // The one way the loader may refuse input.
  }
  // The check files are TOML from users too, read by the same guarded parser.
  try {
    for (const auto& check : sockstep::check::load_check_text(text, "fuzz.toml"))
      if (check.steps.empty() || check.title.en.empty() || check.title.zh.empty()) __builtin_trap();
  } catch (const sockstep::FileError&) {
    // The one way the check loader may refuse input.
  }
  return 0;
}
