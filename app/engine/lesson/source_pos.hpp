#pragma once
#include <string>

namespace sockstep {

// Where something was written in a file the user gave (a lesson, a check).
struct SourcePos {
  std::string file;
  int line = 0;
  int column = 0;
};

}  // namespace sockstep
