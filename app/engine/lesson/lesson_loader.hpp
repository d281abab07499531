#pragma once
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/lesson/file_error.hpp"
#include "engine/lesson/lesson.hpp"

namespace sockstep {

// A mistake in a lesson file, located: what() is "FILE:LINE:COL: message (hint: ...)".
class LessonError : public FileError {
 public:
  using FileError::FileError;
};

// A lesson file larger than this is refused before it is read.
constexpr std::size_t kMaxLessonBytes = 1 << 20;
// The actors (threads) a lesson may have.
constexpr std::size_t kMaxActors = 64;
// The bytes one send may make of `data` x `repeat` (or of received bytes repeated).
constexpr long long kMaxPayloadBytes = 1 << 24;

// Throws LessonError for every kind of mistake (bad TOML, unknown key, missing
// language, unknown call or actor, bad port, listing line out of range).
[[nodiscard]] Lesson load_lesson_file(const std::string& path);
[[nodiscard]] Lesson load_lesson_text(const std::string& text, const std::string& name);

// The calls a step may name, in the order the reference lists them.
[[nodiscard]] const std::vector<std::string>& known_calls();

}  // namespace sockstep
