#pragma once
#include <stdexcept>
#include <string>

#include "engine/lesson/source_pos.hpp"

namespace sockstep {

// A mistake in a file, located: what() is "FILE:LINE:COL: message (hint: ...)"; line 0
// is a mistake of the whole file (unreadable, too large), which has no position.
class FileError : public std::runtime_error {
 public:
  FileError(SourcePos pos, std::string message, std::string hint);
  [[nodiscard]] const SourcePos& pos() const { return pos_; }
  [[nodiscard]] const std::string& message() const { return message_; }
  [[nodiscard]] const std::string& hint() const { return hint_; }

 private:
  SourcePos pos_;
  std::string message_;
  std::string hint_;
};

}  // namespace sockstep
