#pragma once
#include <doctest/doctest.h>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "support/process.hpp"

namespace sockstep::test {

inline std::vector<std::string> sockstep_cmd(std::vector<std::string> args) {
  args.insert(args.begin(), SOCKSTEP_BIN);
  return args;
}

inline std::string test_file(const std::string& relative) { return std::string(SOCKSTEP_TEST_DIR) + "/" + relative; }

// Lines of text, without the trailing empty one.
inline std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

// The seed's program with its port 8084 replaced, so tests never depend on 8084 being free.
inline std::string seed_program(const std::string& name, int port) {
  std::ifstream in(test_file("interop/" + name));
  std::string code((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = code.find("8084");
  REQUIRE(at != std::string::npos);
  code.replace(at, 4, std::to_string(port));
  return code;
}

}  // namespace sockstep::test
