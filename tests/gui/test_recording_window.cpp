// session.sockstep reopened: `walk echo-tcp --export` and `trace --export` recordings give
// back session.md's text (`open --headless`) and the window's panels (`open --screenshot`,
// under Xvfb, against the lesson's own window at the same step); a recording cut short,
// damaged or from a newer sockstep is bad input: one line, exit 2.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <stb/stb_image.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "cli/cli_support.hpp"
#include "support/scratch_dir.hpp"
#include "engine/record/recording.hpp"

using namespace sockstep::test;
using namespace std::chrono_literals;

namespace {

struct Scratch : ScratchDir {
  Scratch() : ScratchDir("sockstep-recording") {}
};

RunResult run_app(const Scratch& scratch, std::vector<std::string> args) {
  std::vector<std::string> argv = {"env", "XDG_CONFIG_HOME=" + scratch.dir + "/config", "HOME=" + scratch.dir};
  for (auto& a : sockstep_cmd(std::move(args))) argv.push_back(std::move(a));
  return run(argv, "", 90s);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

struct Picture {
  int width = 0;
  int height = 0;
  std::vector<unsigned char> rgb;
  [[nodiscard]] double grey_sd() const {
    const std::size_t count = rgb.size() / 3;
    double sum = 0;
    double squares = 0;
    for (std::size_t i = 0; i < count; ++i) {
      const double grey = (rgb[i * 3] * 0.299 + rgb[i * 3 + 1] * 0.587 + rgb[i * 3 + 2] * 0.114) / 255.0;
      sum += grey;
      squares += grey * grey;
    }
    const double mean = sum / static_cast<double>(count);
    return std::sqrt(std::max(0.0, squares / static_cast<double>(count) - mean * mean));
  }
};

Picture read_png(const std::string& path) {
  Picture p;
  int channels = 0;
  unsigned char* pixels = stbi_load(path.c_str(), &p.width, &p.height, &channels, 3);
  REQUIRE_MESSAGE(pixels != nullptr, "cannot read " << path);
  p.rgb.assign(pixels, pixels + static_cast<std::size_t>(p.width) * static_cast<std::size_t>(p.height) * 3);
  stbi_image_free(pixels);
  return p;
}

// The share of pixels that differ by more than a little in any channel.
double differing(const Picture& a, const Picture& b) {
  REQUIRE(a.rgb.size() == b.rgb.size());
  std::size_t differ = 0;
  for (std::size_t i = 0; i < a.rgb.size(); i += 3)
    for (std::size_t c = 0; c < 3; ++c)
      if (std::abs(static_cast<int>(a.rgb[i + c]) - static_cast<int>(b.rgb[i + c])) > 24) {
        ++differ;
        break;
      }
  return static_cast<double>(differ) / static_cast<double>(a.rgb.size() / 3);
}

// The grey spread of a rectangle: a panel drawn empty is ~0.
double region_sd(const Picture& p, int x0, int y0, int x1, int y1) {
  Picture part;
  for (int y = y0; y < y1; ++y)
    for (int x = x0; x < x1; ++x)
      for (int c = 0; c < 3; ++c) part.rgb.push_back(p.rgb[(static_cast<std::size_t>(y) * p.width + x) * 3 + c]);
  return part.grey_sd();
}

// The one line a bad recording gets: "sockstep: FILE: what is wrong".
void check_bad_input(const RunResult& r, const std::string& file, const std::string& says) {
  INFO("stderr: " << r.err);
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  const auto lines = lines_of(r.err);
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].rfind("sockstep: " + file + ": ", 0) == 0);
  CHECK(lines[0].find(says) != std::string::npos);
}

}  // namespace

TEST_CASE("walk echo-tcp --export's recording reopens as session.md's transcript and as the lesson's window") {
  Scratch scratch;
  const std::string dir = scratch.dir + "/export";
  const RunResult walk = run_app(scratch, {"walk", "echo-tcp", "--export", dir});
  INFO(walk.err);
  REQUIRE(walk.code == 0);
  const std::string file = dir + "/session.sockstep";
  const std::string markdown = read_file(dir + "/session.md");
  REQUIRE(markdown.find("[16/16]") != std::string::npos);

  const RunResult headless = run_app(scratch, {"open", file, "--headless"});
  INFO(headless.err);
  REQUIRE(headless.code == 0);
  CHECK(headless.out == markdown);

  if (std::getenv("DISPLAY") == nullptr) {
    MESSAGE("skipped the window: no DISPLAY (run under xvfb-run)");
    return;
  }
  // Step 9 of the recording beside step 9 of the lesson's own window, on fresh sockets:
  // the same panels, apart from the numbers a new run changes (fds, the client's port),
  // the packets a capture adds and the timeline in the menu bar.
  const std::string reopened = scratch.dir + "/reopened.png";
  const std::string live = scratch.dir + "/lesson.png";
  const RunResult shot = run_app(scratch, {"open", file, "--steps", "9", "--screenshot", reopened});
  INFO(shot.err);
  REQUIRE(shot.code == 0);
  REQUIRE(run_app(scratch, {"gui", "echo-tcp", "--steps", "9", "--lang", "en", "--screenshot", live}).code == 0);
  const Picture a = read_png(reopened);
  const Picture b = read_png(live);
  CHECK(a.width == 1280);
  CHECK(a.height == 720);
  CHECK(a.grey_sd() > 0.05);
  const double share = differing(a, b);
  MESSAGE("pixels that differ from the lesson's window at step 9: " << share * 100 << " %");
  CHECK(share < 0.10);
  // Every panel has something drawn in it: lesson, code, sequence, sockets, bytes, console, log.
  for (const auto& [x0, y0, x1, y1] : std::vector<std::array<int, 4>>{{0, 40, 320, 500},
                                                                      {325, 40, 855, 340},
                                                                      {860, 40, 1280, 340},
                                                                      {325, 360, 1280, 540},
                                                                      {325, 560, 645, 720},
                                                                      {650, 560, 930, 720},
                                                                      {935, 560, 1280, 720}})
    CHECK_MESSAGE(region_sd(a, x0, y0, x1, y1) > 0.03, "panel at " << x0 << "," << y0);
}

TEST_CASE("trace --export's recording reopens as its transcript and in the window") {
  const std::string python = find_program("python3");
  if (python.empty()) {
    MESSAGE("skipped: python3 is not installed");
    return;
  }
  Scratch scratch;
  const int port = free_port();
  const std::string dir = scratch.dir + "/trace";
  const RunResult trace = run_app(scratch, {"trace", "--headless", "--export", dir, "--", python, "-c",
                                            seed_program("echo_server.py", port), ":::", python, "-c",
                                            seed_program("echo_client.py", port)});
  INFO(trace.err);
  REQUIRE(trace.code == 0);
  const RunResult headless = run_app(scratch, {"open", dir + "/session.sockstep", "--headless"});
  REQUIRE(headless.code == 0);
  CHECK(headless.out == read_file(dir + "/session.md"));
  CHECK(headless.out.find("b'HELLO'") != std::string::npos);
  if (std::getenv("DISPLAY") == nullptr) return;
  const std::string png = scratch.dir + "/trace.png";
  const RunResult shot = run_app(scratch, {"open", dir + "/session.sockstep", "--screenshot", png});
  INFO(shot.err);
  REQUIRE(shot.code == 0);
  CHECK(read_png(png).grey_sd() > 0.05);
}

TEST_CASE("a recording cut short, damaged, from a newer sockstep or no recording at all is bad input: one line, exit 2") {
  Scratch scratch;
  const std::string dir = scratch.dir + "/export";
  REQUIRE(run_app(scratch, {"walk", "echo-tcp", "--export", dir}).code == 0);
  const std::string good = read_file(dir + "/session.sockstep");
  REQUIRE(good.size() > 100);

  const std::string cut = scratch.dir + "/cut.sockstep";
  write_file(cut, good.substr(0, good.size() / 2));
  check_bad_input(run_app(scratch, {"open", cut, "--headless"}), cut, "truncated");
  // The window says so before it opens, as for any bad input.
  check_bad_input(run_app(scratch, {"open", cut}), cut, "truncated");

  const std::string damaged = scratch.dir + "/damaged.sockstep";
  std::string flipped = good;
  flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x41);
  write_file(damaged, flipped);
  check_bad_input(run_app(scratch, {"open", damaged, "--headless"}), damaged, "corrupt");

  const std::string newer = scratch.dir + "/newer.sockstep";
  std::string versioned = good;
  versioned[8] = 2;
  write_file(newer, versioned);
  check_bad_input(run_app(scratch, {"open", newer, "--headless"}), newer, "made by a newer sockstep");

  check_bad_input(run_app(scratch, {"open", dir + "/session.md", "--headless"}), dir + "/session.md",
                  "not a sockstep recording");
  check_bad_input(run_app(scratch, {"open", scratch.dir + "/none.sockstep", "--headless"}),
                  scratch.dir + "/none.sockstep", "");
  check_bad_input(run_app(scratch, {"open", dir, "--headless"}), dir, "directory");
  const RunResult steps = run_app(scratch, {"open", dir + "/session.sockstep", "--steps", "17", "--headless"});
  CHECK(steps.code == 2);
  CHECK(steps.err.find("16 steps") != std::string::npos);
}

TEST_CASE("serve --headless --export's recording names its lanes and holds the kernel's view after the session") {
  Scratch scratch;
  const std::string dir = scratch.dir + "/serve";
  Process serve(sockstep_cmd({"serve", "--headless", "--port", "0", "--max-clients", "1", "--export", dir}),
                {"XDG_CONFIG_HOME=" + scratch.dir + "/config"});
  const int port = serving_port(serve);
  REQUIRE(port > 0);
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0);
  REQUIRE(::send(fd, "hello", 5, 0) == 5);
  char reply[16];
  REQUIRE(::recv(fd, reply, 5, MSG_WAITALL) == 5);  // HELLO: the echo came back
  ::close(fd);
  REQUIRE(serve.wait(30s) == 0);

  const sockstep::Recording r = sockstep::read_recording_file(dir + "/session.sockstep");
  CHECK(r.title == "serve 127.0.0.1:" + std::to_string(port));
  CHECK(r.actors == std::vector<std::string>{"server"});
  CHECK(r.outside == "clients");
  CHECK(r.lane_per_connection);
  // The kernel is read on its own thread ten times a second, so what it caught of a
  // session this short varies; the look after the session is always kept, and follows
  // every event.
  REQUIRE(r.snapshots.size() >= 2);
  CHECK(r.snapshots.back().after_seq == r.events.back().seq);
  std::size_t cards = 0;
  for (const auto& at : r.snapshots) cards += at.snap.sockets.size() + at.snap.closed.size() + at.snap.orphans.size();
  MESSAGE("socket cards over the recording's " << r.snapshots.size() << " snapshots: " << cards);
  const RunResult headless = run_app(scratch, {"open", dir + "/session.sockstep", "--headless"});
  CHECK(headless.out == read_file(dir + "/session.md"));
}
