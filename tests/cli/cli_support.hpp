#pragma once
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

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

// A port nobody listens on: bound to port 0 and closed again (never listened, so
// nothing lingers in TIME_WAIT).
inline int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
  socklen_t length = sizeof a;
  REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &length) == 0);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace sockstep::test
