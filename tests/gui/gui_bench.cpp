// Prints the GUI's cost: startup to the first frame, frame build time with a 100k-event
// log (NewFrame to Render, CPU only), idle CPU of the real event loop, resident memory.
// Run under a display: xvfb-run -a gui_bench [seconds-idle]
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "engine/lesson/lesson_paths.hpp"
#include "ui/gui_app.hpp"

using namespace sockstep;
using namespace sockstep::ui;

namespace {

double cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto seconds = [](timeval t) { return static_cast<double>(t.tv_sec) + t.tv_usec / 1e6; };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// Seconds since the kernel started this process (exec, loading, everything): field 22
// of /proc/self/stat counts clock ticks since boot.
double process_age_seconds() {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  std::getline(in, stat);
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));  // the name may hold spaces
  std::string skipped;
  for (int i = 3; i < 22; ++i) fields >> skipped;
  long long start_ticks = 0;
  fields >> start_ticks;
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9 -
         static_cast<double>(start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

std::string status_field(const char* name) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(name, 0) == 0) return line.substr(std::string(name).size());
  }
  return "?";
}

void fill_log(EventLog& log, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    Event e;
    e.kind = EventKind::Call;
    e.actor = i % 2 == 0 ? "client" : "server";
    e.call = i % 2 == 0 ? Call::Send : Call::Recv;
    e.args = i % 2 == 0 ? "b'hello'" : "1024";
    e.fd = i % 2 == 0 ? 4 : 5;
    e.value = 5;
    e.bytes = "hello";
    e.byte_count = 5;
    e.step = -1;
    log.append(std::move(e));
  }
}

// Starts this program again kStarts times, each run only to its first frame, and returns
// each start's time in ms. One start alone is at the mercy of the machine's other work.
constexpr int kStarts = 5;
std::vector<double> measure_starts() {
  std::vector<double> starts;
  const std::string command = "exec '" + std::filesystem::read_symlink("/proc/self/exe").string() + "' --startup-only";
  for (int i = 0; i < kStarts; ++i) {
    FILE* child = ::popen(command.c_str(), "r");
    if (child == nullptr) break;
    double ms = 0;
    if (std::fscanf(child, "startup to first frame: %lf", &ms) == 1) starts.push_back(ms);
    ::pclose(child);
  }
  return starts;
}

}  // namespace

int main(int argc, char** argv) {
  const bool startup_only = argc > 1 && std::string(argv[1]) == "--startup-only";
  const double idle_seconds = argc > 1 && !startup_only ? std::atof(argv[1]) : 5.0;
  const auto path = resolve_lesson("echo-tcp");
  if (!path) {
    std::fprintf(stderr, "gui_bench: lesson echo-tcp not found\n");
    return 1;
  }
  AppConfig config;
  config.lesson_path = *path;
  config.save_settings = false;
  GuiApp app(config);
  std::string error;
  int code = 0;
  if (!app.open(error, code)) {
    std::fprintf(stderr, "gui_bench: %s\n", error.c_str());
    return code;
  }
  app.frame();
  if (startup_only) {
    std::printf("startup to first frame: %.0f\n", 1000.0 * process_age_seconds());
    return 0;
  }
  std::vector<double> starts = measure_starts();
  if (!starts.empty()) {
    const double first = starts.front();
    std::sort(starts.begin(), starts.end());
    std::printf("startup to first frame: %.0f ms (median of %zu starts, the first %.0f ms; process start, window, fonts, lesson, one frame)\n",
                starts[starts.size() / 2], starts.size(), first);
  }
  app.run_for(std::chrono::milliseconds(300));
  std::printf("RSS, lesson only:   %s\n", status_field("VmRSS:").c_str());
  app.session().run_to_end();
  constexpr std::size_t kEvents = 100000;
  fill_log(app.session().events(), kEvents);
  app.run_for(std::chrono::milliseconds(300));  // copy the log once, settle the layout

  // Frame build time: every frame redraws every panel over the 100k-event log.
  std::vector<double> build;
  std::vector<double> whole;
  for (int i = 0; i < 200; ++i) {
    const auto start = std::chrono::steady_clock::now();
    app.frame();
    whole.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    build.push_back(app.last_build_ms());
  }
  std::sort(whole.begin(), whole.end());
  std::sort(build.begin(), build.end());
  double sum = 0;
  for (double ms : build) sum += ms;
  std::printf("events in log:      %zu\n", app.session().events().size());
  std::printf("frame build (CPU):  mean %.3f ms, median %.3f ms, p95 %.3f ms (NewFrame..Render)\n",
              sum / static_cast<double>(build.size()), build[build.size() / 2],
              build[build.size() * 95 / 100]);
  std::printf("whole frame:        median %.2f ms (snapshot, build, GL render, swap)\n",
              whole[whole.size() / 2]);

  // Idle: the real event loop with nothing happening. Every run_for() starts with the
  // frames that follow a wake-up (input completes over two frames); a running window
  // has them once, so they are measured in a short run and taken off the long one. The
  // finished lesson shows a TIME_WAIT card, which redraws when its 10-second step changes.
  app.run_for(std::chrono::milliseconds(500));
  const auto cpu_of_run = [&app](double seconds) {
    const double before = cpu_seconds();
    app.run_for(std::chrono::milliseconds(static_cast<int>(seconds * 1000)));
    return cpu_seconds() - before;
  };
  const double start_frames = cpu_of_run(0.2);
  const auto wall_before = std::chrono::steady_clock::now();
  const double long_run = cpu_of_run(idle_seconds + 0.2);
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_before).count() - 0.2;
  const double cpu = std::max(0.0, long_run - start_frames);
  std::printf("idle CPU:           %.2f %% over %.1f s\n", 100.0 * cpu / wall, wall);
  std::printf("RSS, 100k events:   %s (peak %s)\n", status_field("VmRSS:").c_str(),
              status_field("VmHWM:").c_str());
  return 0;
}
