// The live window (serve, dial, trace without --headless) under Xvfb: real programs,
// real sockets, the PNG the window wrote.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <stb/stb_image.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <string>

#include "cli/cli_support.hpp"
#include "support/scratch_dir.hpp"
#include "ui/layout.hpp"

using namespace sockstep::test;
using namespace std::chrono_literals;

namespace {

// A scratch folder for the PNG and the settings, so the learner's are never touched.
struct Scratch : ScratchDir {
  Scratch() : ScratchDir("sockstep-live") {}
};

struct Picture {
  int width = 0;
  int height = 0;
  double grey_sd = 0.0;  // 0..1: a blank or one-colour frame is ~0
};

Picture read_png(const std::string& path) {
  Picture p;
  int channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &p.width, &p.height, &channels, 3);
  REQUIRE_MESSAGE(pixels != nullptr, "cannot read " << path);
  const std::size_t count = static_cast<std::size_t>(p.width) * static_cast<std::size_t>(p.height);
  double sum = 0;
  double squares = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double grey = (pixels[i * 3] * 0.299 + pixels[i * 3 + 1] * 0.587 + pixels[i * 3 + 2] * 0.114) / 255.0;
    sum += grey;
    squares += grey * grey;
  }
  stbi_image_free(pixels);
  const double mean = sum / static_cast<double>(count);
  p.grey_sd = std::sqrt(std::max(0.0, squares / static_cast<double>(count) - mean * mean));
  return p;
}

// The share of a rectangle's pixels that are not its background (its most common grey):
// text and hex rows are ink, an empty panel with one line of text has little.
double ink(const std::string& path, int x0, int y0, int x1, int y1) {
  int w = 0;
  int h = 0;
  int channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &w, &h, &channels, 1);
  REQUIRE_MESSAGE(pixels != nullptr, "cannot read " << path);
  x1 = std::min(x1, w);
  y1 = std::min(y1, h);
  std::array<int, 256> histogram{};
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) ++histogram[pixels[y * w + x]];
  const int background = static_cast<int>(std::max_element(histogram.begin(), histogram.end()) - histogram.begin());
  int inked = 0;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x) inked += std::abs(pixels[y * w + x] - background) > 40 ? 1 : 0;
  stbi_image_free(pixels);
  const int area = std::max(1, (x1 - x0) * (y1 - y0));
  return static_cast<double>(inked) / area;
}

// Runs a sockstep command with the scratch settings folder.
RunResult run_app(const Scratch& scratch, std::vector<std::string> args) {
  std::vector<std::string> argv = {"env", "XDG_CONFIG_HOME=" + scratch.dir + "/config"};
  for (auto& a : sockstep_cmd(std::move(args))) argv.push_back(std::move(a));
  return run(argv, "", 90s);
}

}  // namespace

TEST_CASE("trace of the seed's server and client draws the whole session, then exits 0") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  REQUIRE(std::getenv("DISPLAY") != nullptr);
  Scratch scratch;
  const int port = free_port();
  const std::string png = scratch.dir + "/trace.png";
  const RunResult r = run_app(scratch, {"trace", "--screenshot", png, "--", python, "-c",
                                        seed_program("echo_server.py", port), ":::", python, "-c",
                                        seed_program("echo_client.py", port)});
  INFO(r.err);
  REQUIRE(r.code == 0);
  struct stat st {};
  REQUIRE(::stat(png.c_str(), &st) == 0);
  const Picture picture = read_png(png);
  CHECK(picture.width == 1280);
  CHECK(picture.height == 720);
  CHECK(picture.grey_sd > 0.05);
}

TEST_CASE("trace of nc in the window: the Bytes panel shows the bytes nc moved with read() and write()") {
  const std::string python = find_program("python3");
  const std::string nc = find_program("nc");
  if (python.empty() || nc.empty()) {
    MESSAGE("skipped: python3 or nc is not installed");
    return;
  }
  REQUIRE(std::getenv("DISPLAY") != nullptr);
  Scratch scratch;
  const int port = free_port();
  const std::string session = scratch.dir + "/nc.png";
  const std::string empty = scratch.dir + "/none.png";
  const RunResult r = run_app(scratch, {"trace", "--screenshot", session, "--", python, "-c",
                                        seed_program("echo_server.py", port), ":::", "sh", "-c",
                                        "printf 'hello\\nworld\\n' | " + nc + " -N 127.0.0.1 " + std::to_string(port)});
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The same window on a program that moves no byte: the panel's empty state.
  const RunResult none = run_app(scratch, {"trace", "--screenshot", empty, "--", "true"});
  REQUIRE(none.code == 0);
  // Where the window puts the Bytes panel in a live session (no steps, no code), its
  // inner part (title bar and borders left out).
  std::array<bool, sockstep::ui::kPanelCount> visible{};
  visible.fill(true);
  visible[static_cast<std::size_t>(sockstep::ui::Panel::Steps)] = false;
  visible[static_cast<std::size_t>(sockstep::ui::Panel::Code)] = false;
  const auto rects = sockstep::ui::compute_layout(ImVec2(0, 24), ImVec2(1280, 696), visible);
  const auto& bytes = rects[static_cast<std::size_t>(sockstep::ui::Panel::Bytes)];
  const int x0 = static_cast<int>(bytes.pos.x + bytes.size.x * 0.05f);
  const int x1 = static_cast<int>(bytes.pos.x + bytes.size.x * 0.95f);
  const int y0 = static_cast<int>(bytes.pos.y + bytes.size.y * 0.45f);  // below the selected-call line
  const int y1 = static_cast<int>(bytes.pos.y + bytes.size.y * 0.95f);
  const double with_bytes = ink(session, x0, y0, x1, y1);
  const double without = ink(empty, x0, y0, x1, y1);
  CAPTURE(with_bytes);
  CAPTURE(without);
  CHECK(with_bytes > 0.04);
  CHECK(with_bytes > 3 * without);
}

TEST_CASE("trace in the window exits as --headless does: 1 when a program failed") {
  Scratch scratch;
  const std::string png = scratch.dir + "/failed.png";
  const RunResult r = run_app(scratch, {"trace", "--screenshot", png, "--", "false"});
  INFO(r.err);
  CHECK(r.code == 1);
  struct stat st {};
  CHECK(::stat(png.c_str(), &st) == 0);  // the window still showed it
}

TEST_CASE("trace --screenshot of a server that never exits pictures it after a while, says so, and stops it") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  Scratch scratch;
  const std::string png = scratch.dir + "/forever.png";
  const std::string server = std::string(SOCKSTEP_TEST_DIR) + "/check/programs/server_threads.py";
  const RunResult r = run_app(scratch, {"trace", "--screenshot", png, "--", python, server, std::to_string(free_port())});
  INFO(r.err);
  CHECK(r.code == 0);  // the window was closed on a program still running: the learner's choice
  CHECK(r.err.find("had not finished") != std::string::npos);
  CHECK(read_png(png).grey_sd > 0.05);
}

TEST_CASE("check --gui shows the failed check's session in the window, and exits 1 as the checks did") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  Scratch scratch;
  const std::string png = scratch.dir + "/check.png";
  const RunResult r = run_app(scratch, {"check", "client", "--gui", "--screenshot", png, "--only", "whole-reply", "--",
                                        python, std::string(SOCKSTEP_TEST_DIR) + "/check/programs/client_one_recv.py",
                                        "{port}"});
  INFO(r.err);
  CHECK(r.code == 1);
  CHECK(r.out.find("whole-reply") != std::string::npos);
  const Picture picture = read_png(png);
  CHECK(picture.width == 1280);
  CHECK(picture.grey_sd > 0.05);
}

TEST_CASE("dial --message in the window sends, reads the reply, writes the PNG") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  Scratch scratch;
  const int port = free_port();
  Process server({python, "-u", "-c", seed_program("echo_server.py", port)});
  const auto started = server.read_line();
  REQUIRE(started.has_value());
  const std::string png = scratch.dir + "/dial.png";
  const RunResult r = run_app(scratch, {"dial", "127.0.0.1:" + std::to_string(port), "--message", "hello",
                                        "--screenshot", png});
  INFO(r.err);
  REQUIRE(r.code == 0);
  // The server got the window's message: the exchange really happened.
  REQUIRE(server.wait() == 0);
  CHECK(server.out().find("b'hello'") != std::string::npos);
  CHECK(read_png(png).grey_sd > 0.05);
}

TEST_CASE("without a display the live modes say so in one line, exit 1, and start nothing") {
  Scratch scratch;
  const std::string marker = scratch.dir + "/ran";
  const RunResult r = run({"env", "-u", "DISPLAY", "-u", "WAYLAND_DISPLAY", "XDG_CONFIG_HOME=" + scratch.dir,
                           SOCKSTEP_BIN, "trace", "--", "touch", marker});
  CHECK(r.code == 1);
  CHECK(lines_of(r.err).size() == 1);
  CHECK(r.err.find("DISPLAY") != std::string::npos);
  CHECK(::access(marker.c_str(), F_OK) != 0);  // the program never ran

  const RunResult serve = run({"env", "-u", "DISPLAY", "XDG_CONFIG_HOME=" + scratch.dir, SOCKSTEP_BIN, "serve",
                               "--port", "0"});
  CHECK(serve.code == 1);
  CHECK(serve.err.find("DISPLAY") != std::string::npos);
  CHECK(lines_of(serve.err).size() == 1);
}
