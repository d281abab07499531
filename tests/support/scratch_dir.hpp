#pragma once
// A folder of the test's own for the files it writes (settings, PNGs, listings), under
// the temporary directory with a name nobody can guess, removed with all it holds when
// the test ends.
#include <doctest/doctest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

namespace sockstep::test {

struct ScratchDir {
  std::string dir;
  explicit ScratchDir(const std::string& name = "sockstep-test") {
    std::string pattern = (std::filesystem::temp_directory_path() / (name + "-XXXXXX")).string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    dir = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
};

}  // namespace sockstep::test
