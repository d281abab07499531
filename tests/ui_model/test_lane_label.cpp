// Lane headers shortened to the room between lanes, with a width that counts characters.
#include <doctest/doctest.h>

#include "ui/lane_label.hpp"

using sockstep::ui::lane_label;

namespace {
float chars(std::string_view text) {
  float n = 0;
  for (const char c : text) n += (static_cast<unsigned char>(c) & 0xC0u) != 0x80u ? 1.0f : 0.0f;
  return n;
}
}  // namespace

TEST_CASE("a lane header keeps its name when it fits, else the shortest form that says who it is") {
  CHECK(lane_label("client-7", 20, chars) == "client-7");
  CHECK(lane_label("client-7", 4, chars) == "c7");
  CHECK(lane_label("client-10", 3, chars) == "c10");
  CHECK(lane_label("client-10", 1, chars) == "c10");  // still says which client
  CHECK(lane_label("echo_server.py[4242]", 14, chars) == "echo_server.py");
  CHECK(lane_label("echo_server.py[4242/4243]", 8, chars) == "echo_se…");
  CHECK(lane_label("server", 3, chars) == "se…");
  CHECK(lane_label("服务器客户端", 3, chars) == "服务…");
  CHECK(lane_label("server", 0, chars) == "s");  // never empty
}
