// session.sockstep with a 100k-event session: the export's time (each file and all of
// them, as --export writes them), the recording's size beside the other files, reading it
// back, and reopening it in the window to its first frame beside a lesson's first frame.
// Prints the numbers; never fails on time. Run under a display for the window rows:
//   xvfb-run -a bench_recording [EVENTS [CLIENTS]]
//   bench_recording --write FILE [EVENTS [CLIENTS]]     only writes the recording
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

#include "cli/session_export.hpp"
#include "cli/session_recording.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "engine/record/record_session.hpp"
#include "engine/record/recording.hpp"
#include "ui/gui_app.hpp"

using namespace sockstep;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// Seconds since the kernel started this process: field 22 of /proc/self/stat.
double process_age_seconds() {
  std::ifstream in("/proc/self/stat");
  std::string stat;
  std::getline(in, stat);
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string skipped;
  for (int i = 3; i < 22; ++i) fields >> skipped;
  long long start_ticks = 0;
  fields >> start_ticks;
  timespec now{};
  clock_gettime(CLOCK_BOOTTIME, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) / 1e9 -
         static_cast<double>(start_ticks) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Address loopback(int port) {
  Address a;
  a.family = AF_INET;
  a.host = "127.0.0.1";
  a.port = port;
  return a;
}

// A serve session of that many events, shaped as one is: clients sending a line each and
// the server echoing it in upper case (a recv, a send, and the packets each put on the
// wire), every client on a port of its own, and the kernel's view read every 48 events.
// clients: 30 is a class in a lab (README, "In the classroom").
Recording make_session(std::size_t count, int clients) {
  Recording r;
  r.kind = RecordingKind::Live;
  r.title = "serve 127.0.0.1:8084";
  r.actors = {"server"};
  r.outside = "clients";
  r.lane_per_connection = true;
  r.events.reserve(count);
  std::int64_t t = 0;
  for (std::size_t i = 0; r.events.size() < count; ++i) {
    const int client = 40000 + static_cast<int>(i % static_cast<std::size_t>(clients));
    const std::string line = "line " + std::to_string(i) + " from client " + std::to_string(client) + "\n";
    std::string upper = line;
    std::transform(upper.begin(), upper.end(), upper.begin(), [](unsigned char c) { return std::toupper(c); });
    const auto call = [&](Call c, Direction dir, const std::string& bytes, const char* args) {
      Event e;
      e.seq = r.events.size() + 1;
      e.t_us = t += 37;
      e.kind = EventKind::Call;
      e.call = c;
      e.dir = dir;
      e.actor = "server";
      e.pid = 4242;
      e.tid = 4242;
      e.fd = 5 + (client - 40000);
      e.sock.family = AF_INET;
      e.sock.type = SOCK_STREAM;
      e.sock.inode = 1000000 + static_cast<std::uint64_t>(client);
      e.sock.local = loopback(8084);
      e.sock.peer = loopback(client);
      e.args = args;
      e.value = static_cast<long long>(bytes.size());
      e.bytes = Bytes(bytes);
      e.byte_count = bytes.size();
      e.asked = dir == Direction::In ? 1024 : bytes.size();
      r.events.push_back(std::move(e));
      return r.events.back().seq;
    };
    const auto packet = [&](const Address& from, const Address& to, const std::string& payload, std::uint64_t by) {
      Event e;
      e.seq = r.events.size() + 1;
      e.t_us = t += 11;
      e.kind = EventKind::Packet;
      e.packet.label = PacketKind::Psh;
      e.packet.from = from;
      e.packet.to = to;
      e.packet.tcp_flags = 0x18;
      e.packet.tcp_seq = static_cast<std::uint32_t>(i * 977);
      e.packet.tcp_ack = static_cast<std::uint32_t>(i * 1013);
      e.packet.window = 512;
      e.packet.kernel_us = 1700000000000000 + t;
      e.packet.at_us = t;
      e.packet.caused_by = by;
      e.bytes = Bytes(payload);
      e.byte_count = payload.size();
      r.events.push_back(std::move(e));
    };
    packet(loopback(client), loopback(8084), line, 0);
    call(Call::Recv, Direction::In, line, "1024");
    const std::uint64_t send = call(Call::Send, Direction::Out, upper, "b'...'");
    packet(loopback(8084), loopback(client), upper, send);
    if (i % 12 == 0) {
      RecordedSnapshot snap;
      snap.after_seq = r.events.back().seq;
      snap.snap.generation = 1;
      snap.snap.port = 8084;
      snap.snap.actors.emplace_back();
      snap.snap.actors.back().name = "server";
      for (int c = 0; c < 3; ++c) {
        SocketCard card;
        card.actor = c == 0 ? "server" : "127.0.0.1:" + std::to_string(client - c);
        card.var = c == 0 ? "listener" : "accepted";
        card.view.fd = 3 + c;
        card.view.family = AF_INET;
        card.view.type = SOCK_STREAM;
        card.view.state = c == 0 ? "LISTEN" : "ESTABLISHED";
        card.view.local = loopback(8084);
        card.view.peer = c == 0 ? Address{} : loopback(client - c);
        card.view.inq = 0;
        card.view.outq = static_cast<int>(i % 7);
        card.view.rcvbuf = 131072;
        card.view.sndbuf = 2626560;
        snap.snap.sockets.push_back(card);
      }
      r.snapshots.push_back(std::move(snap));
    }
  }
  r.events.resize(count);
  while (!r.snapshots.empty() && r.snapshots.back().after_seq > r.events.back().seq) r.snapshots.pop_back();
  return r;
}

// The window on the recording, to its first frame; prints the process's age then.
int open_only(const std::string& file, bool lesson_instead) {
  Recording recording;
  ui::RecordingGuiOptions replay;
  ui::AppConfig config;
  config.save_settings = false;
  if (lesson_instead) {
    config.lesson_path = resolve_lesson("echo-tcp").value_or("");
  } else {
    recording = read_recording_file(file);
    replay.recording = &recording;
    replay.file = file;
    config.replay = &replay;
  }
  ui::GuiApp app(config);
  std::string error;
  int code = 0;
  if (!app.open(error, code)) {
    std::fprintf(stderr, "bench_recording: %s\n", error.c_str());
    return code;
  }
  app.frame();
  std::printf("first frame: %.0f\n", 1000.0 * process_age_seconds());
  return 0;
}

// Starts this program again five times to its first frame; the median and each start.
std::vector<double> starts(const std::string& args) {
  std::vector<double> out;
  const std::string command = "exec '" + fs::read_symlink("/proc/self/exe").string() + "' " + args;
  for (int i = 0; i < 5; ++i) {
    FILE* child = ::popen(command.c_str(), "r");
    if (child == nullptr) break;
    double ms = 0;
    if (std::fscanf(child, "first frame: %lf", &ms) == 1) out.push_back(ms);
    ::pclose(child);
  }
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

std::uintmax_t size_of(const fs::path& path) {
  std::error_code ec;
  const auto n = fs::file_size(path, ec);
  return ec ? 0 : n;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 2 && std::string(argv[1]) == "--open-only") return open_only(argv[2], false);
  if (argc > 1 && std::string(argv[1]) == "--lesson-only") return open_only("", true);
  // The session's recording alone, to look at (sockstep open FILE) or profile.
  if (argc > 2 && std::string(argv[1]) == "--write")
    return write_recording_file(argv[2], make_session(argc > 3 ? std::stoul(argv[3]) : 100000, argc > 4 ? std::atoi(argv[4]) : 30)).empty() ? 0 : 1;
  const std::size_t count = argc > 1 ? static_cast<std::size_t>(std::max(1000, std::atoi(argv[1]))) : 100000;

  char name[] = "/tmp/sockstep-bench-recording-XXXXXX";
  if (::mkdtemp(name) == nullptr) return 1;
  const fs::path dir(name);
  const int clients = argc > 2 ? std::max(1, std::atoi(argv[2])) : 30;
  const Recording recording = make_session(count, clients);

  // Each file on its own, then all of them as --export writes them (the transcript is
  // made before finish_export); the median of three runs of each, one after the other.
  std::vector<double> md_runs, json_runs, rec_runs, export_runs;
  std::string packed;
  for (int run = 0; run < 3; ++run) {
    auto start = Clock::now();
    const std::string markdown = cli::transcript(recording.events);
    md_runs.push_back(ms_since(start));
    start = Clock::now();
    const std::string json = cli::perfetto_json(recording.events);
    json_runs.push_back(ms_since(start));
    start = Clock::now();
    packed = encode_recording(recording);
    rec_runs.push_back(ms_since(start));
    start = Clock::now();
    const std::string again = cli::transcript(recording.events);
    if (cli::finish_export(dir.string(), recording.events, again, 0, false, cli::export_setup_of(recording), &recording) != 0)
      return 1;
    export_runs.push_back(ms_since(start));
  }
  const double md_ms = median(md_runs);
  const double json_ms = median(json_runs);
  const double rec_ms = median(rec_runs);
  const double export_ms = median(export_runs);

  const fs::path file = dir / "session.sockstep";
  auto start = Clock::now();
  const Recording back = read_recording_file(file.string());
  const double read_ms = ms_since(start);

  std::printf("recording: a serve session of %zu events, %d clients (%zu snapshots of the kernel's view)\n", count,
              clients, recording.snapshots.size());
  std::printf("  export, every file (session.md, .json, .sockstep):  %.0f ms (target: < 2000 ms; median of 3)\n", export_ms);
  std::printf("    session.md, the transcript made                   %.0f ms\n", md_ms);
  std::printf("    session.json, the trace events made               %.0f ms\n", json_ms);
  std::printf("    session.sockstep, encoded and compressed          %.0f ms\n", rec_ms);
  std::printf("  size of session.sockstep:  %.2f MB (target: < 10 MB; %.1f bytes per event)\n",
              static_cast<double>(size_of(file)) / 1e6, static_cast<double>(size_of(file)) / static_cast<double>(count));
  std::uint64_t body = 0;  // the header's body_size: what zlib made it from
  for (int i = 7; i >= 0; --i) body = (body << 8) | static_cast<unsigned char>(packed[12 + i]);
  std::printf("    beside session.md %.2f MB and session.json %.2f MB; its body uncompressed %.2f MB\n",
              static_cast<double>(size_of(dir / "session.md")) / 1e6,
              static_cast<double>(size_of(dir / "session.json")) / 1e6, static_cast<double>(body) / 1e6);
  std::printf("  read back (inflate, decode, check):  %.0f ms, %zu events\n", read_ms, back.events.size());
  if (std::getenv("DISPLAY") != nullptr) {
    const std::vector<double> reopen = starts("--open-only '" + file.string() + "'");
    const std::vector<double> lesson = starts("--lesson-only");
    std::printf("  reopen to first frame:  %.0f ms vs the echo-tcp lesson's window %.0f ms (median of %zu starts each; "
                "target: < 1000 ms)\n",
                median(reopen), median(lesson), reopen.size());
  } else {
    std::printf("  reopen to first frame:  not measured (no DISPLAY: run under xvfb-run -a)\n");
  }
  fs::remove_all(dir);
  return back.events.size() == count ? 0 : 1;
}
