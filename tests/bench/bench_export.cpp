// --export of a long session: 100,000 events of real calls (a client and a server on
// loopback TCP trading 12-byte messages, each call logged as the lesson's calls are),
// written as every file finish_export writes, each file timed. Prints the times and
// the sizes; never fails on time (the target is under 2 s in all).
//   bench_export [EVENTS]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "cli/export_html.hpp"
#include "cli/export_mermaid.hpp"
#include "cli/export_setup.hpp"
#include "cli/export_svg.hpp"
#include "cli/session_export.hpp"
#include "engine/sockets/socket_ops.hpp"

using namespace sockstep;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {
double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }
}  // namespace

int main(int argc, char** argv) {
  const std::size_t want = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 100000;
  EventLog log;
  OpContext server(&log, "server", nullptr);
  OpContext client(&log, "client", nullptr);
  const int listener = static_cast<int>(ops::socket(server, AF_INET, SOCK_STREAM).value);
  if (!ops::bind(server, listener, Address{AF_INET, "127.0.0.1", 0, {}}).ok() || !ops::listen(server, listener, 5).ok()) {
    std::fprintf(stderr, "bench_export: cannot listen on loopback\n");
    return 1;
  }
  const Address name = ops::getsockname(server, listener).address;
  const int c = static_cast<int>(ops::socket(client, AF_INET, SOCK_STREAM).value);
  if (!ops::connect(client, c, name).ok()) return 1;
  const int s = static_cast<int>(ops::accept(server, listener).value);
  // One thread: each recv finds its bytes already queued, so nothing waits.
  const auto start_calls = Clock::now();
  // Four events a round, after the six of the set-up.
  for (std::size_t i = 0; 6 + 4 * i < want; ++i) {
    const std::string message = "hello " + std::to_string(i);
    (void)ops::send(client, c, message);
    (void)ops::recv(server, s, 1024);
    (void)ops::send(server, s, message);
    (void)ops::recv(client, c, 1024);
  }
  (void)ops::close(client, c);
  (void)ops::close(server, s);
  (void)ops::close(server, listener);
  const double calls_ms = ms_since(start_calls);
  const std::vector<Event> events = log.all();

  cli::ExportSetup setup;
  setup.title = "bench_export";
  setup.lanes = {"server", "client"};
  setup.lesson = true;
  const fs::path dir = fs::temp_directory_path() / ("sockstep-bench-export-" + std::to_string(::getpid()));
  fs::create_directories(dir);

  auto t = Clock::now();
  const ui::Conversation conv = cli::conversation_of(events, setup);
  const double conv_ms = ms_since(t);
  t = Clock::now();
  const std::string svg = cli::sequence_svg(events, conv, cli::SvgOptions{Lang::En, "bench", true});
  const double svg_ms = ms_since(t);
  t = Clock::now();
  const std::string mmd = cli::sequence_mermaid(events, conv, Lang::En, "bench");
  const double mmd_ms = ms_since(t);
  t = Clock::now();
  const std::string html = cli::session_html(events, conv, setup);
  const double html_ms = ms_since(t);
  t = Clock::now();
  const std::size_t json_size = cli::perfetto_json(events).size();
  const double json_ms = ms_since(t);
  t = Clock::now();
  const std::size_t md_size = cli::transcript(events).size();
  const double md_ms = ms_since(t);
  t = Clock::now();
  const int code = cli::finish_export(dir.string(), events, cli::transcript(events), 0, false, setup);
  const double all_ms = ms_since(t);

  std::printf("export of %zu events (%.0f ms of real calls to make them):\n", events.size(), calls_ms);
  std::printf("  conversation %.0f ms; session.svg %.0f ms (%zu KB, its first %zu rows); session.mmd %.0f ms (%zu KB);\n",
              conv_ms, svg_ms, svg.size() / 1024, cli::kMaxDiagramRows, mmd_ms, mmd.size() / 1024);
  std::printf("  session.html %.0f ms (%zu KB); session.json %.0f ms (%zu KB); session.md %.0f ms (%zu KB)\n", html_ms,
              html.size() / 1024, json_ms, json_size / 1024, md_ms, md_size / 1024);
  std::printf("  finish_export, every file: %.0f ms (target: under 2000 ms)\n", all_ms);
  for (const auto& f : fs::directory_iterator(dir))
    std::printf("    %-16s %8zu KB\n", f.path().filename().c_str(), static_cast<std::size_t>(f.file_size() / 1024));
  fs::remove_all(dir);
  return code;
}
