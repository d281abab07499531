// libFuzzer target: any bytes given to the lesson loader either load or raise a
// LessonError. Anything else (a crash, a sanitizer report, another exception, a hang)
// is a bug. The same entry point is replayed over tests/corpus by replay_corpus.cpp,
// so every input the fuzzer ever found stays a regression test in the normal build.
#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/lesson_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    const sockstep::Lesson lesson = sockstep::load_lesson_text(text, "fuzz.toml");
    // Touch what a loaded lesson promises: every step's listing lines are in range.
    for (const auto& step : lesson.steps)
      for (const auto& [name, line] : step.lines)
        if (const auto* listing = lesson.listing(name); listing == nullptr || line < 1 || line > listing->line_count())
          __builtin_trap();
  } catch (const sockstep::LessonError&) {
    // The one way the loader may refuse input.
  }
  return 0;
}
