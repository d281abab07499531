#include "cli/live_window.hpp"

#include <algorithm>
#include <atomic>
#include <functional>
#include <mutex>
#include <thread>

#include "cli/capture_flags.hpp"
#include "engine/live/dial_client.hpp"
#include "cli/session_recording.hpp"
#include "engine/live/echo_server.hpp"
#include "engine/text/py_text.hpp"
#include "engine/live/reverse_names.hpp"
#include "engine/live/student_tiles.hpp"
#include "engine/sockets/socket_ops.hpp"
#ifdef SOCKSTEP_HAVE_GUI
#include "ui/run_gui.hpp"
#endif

namespace sockstep::cli {

#ifdef SOCKSTEP_HAVE_GUI
bool have_window() { return true; }


namespace {

// The window shows packets whenever the kernel lets it capture them; when it does not,
// the window says once how to allow it.
CaptureFlags window_capture(CaptureFlags flags) {
  flags.show = true;
  return flags;
}

// What serve's window keeps of its session. A class of clients flooding it would fill the
// default (200,000 events and 64 MiB of bytes, in the log and again in the window's copy,
// and a MiB each way per connection in the byte streams) to 700 MB; the newest 5,000
// calls and 2 MiB of their bytes are a class's twenty rounds of exchanges, and with 100
// clients flooding keep serve's window under 200 MB (tests/soak/serve_memory.py --window).
// The tiles keep their own counts, so what the log lets go stays counted there.
EventLogLimits serve_window_limits() {
  EventLogLimits limits;
  limits.max_events = 5000;
  limits.max_total_bytes = 2 * 1024 * 1024;
  return limits;
}

}  // namespace

int serve_window(const Address& address, const ServeOptions& options) {
  EventLog log(serve_window_limits());
  EchoServerOptions server_options;
  server_options.max_clients = options.max_clients;
  EchoServer server(log, address, options.backlog, std::move(server_options));
  // Listening happens before the window opens, so a taken port is an error (exit 2)
  // on the command line, not an empty window.
  const EchoServerOpen opened = server.open();
  if (!opened.ok()) return serve_open_error(address, opened);
  const Address& name = opened.address;
  note_remote_reach(log, name);

  std::thread worker;
  std::atomic<bool> ended{false};
  ui::LiveGuiOptions live;
  live.title = "serve " + name.to_string() + " (connect with: nc " + name.host + " " + std::to_string(name.port) + ")";
  live.title_zh = "serve " + name.to_string() + "(用 nc " + name.host + " " + std::to_string(name.port) + " 连接)";
  live.log = &log;
  live.actors = {"server"};
  live.outside = "clients";
  live.lane_per_connection = true;
  live.screenshot = options.screenshot;
  live.lang = options.lang;
  live.follow = options.follow;
  live.present = options.present;
  // The student view: a classroom's clients as tiles, named by the LAN when it can
  // (looked up on a thread of its own; the callback only wakes the window).
  std::function<void()> wake_window;
  std::mutex wake_mutex;
  ReverseNames names([&] {
    std::lock_guard lock(wake_mutex);
    if (wake_window) wake_window();
  });
  live.students.enabled = true;
  live.students.open_first = options.students || options.allow_remote;
  live.students.name_of = [&names](const std::string& host) { return names.lookup(host); };
  // The tiles see every call of serve's thread as it is made: a flood makes the log let
  // calls go before the window copies them, and a tile must still count them (and its
  // accept() must not be lost). One lock per call, never held for long.
  std::mutex tiles_mutex;
  StudentTiles tiles;
  tiles.set_fed_every_event(true);
  live.observe = [&](const Event& e) {
    // Only serve's own thread: its events come in seq order.
    if (e.actor != "server" && !(e.kind == EventKind::Note && e.note == NoteKind::ListenFull)) return;
    std::lock_guard lock(tiles_mutex);
    tiles.observe(e);
  };
  live.students.with_tiles = [&](const std::function<void(StudentTiles&)>& use) {
    std::lock_guard lock(tiles_mutex);
    use(tiles);
  };
  live.exporter = export_recording;
  Capture capture;
  live.start = [&](std::function<void()> wake) {
    start_capture(capture, log, window_capture(options.capture), {name.port}, false, true, false);
    {
      std::lock_guard lock(wake_mutex);
      wake_window = wake;
    }
    worker = std::thread([&, wake] {
      (void)server.run();  // a failed poll() is in the log
      ended = true;
      wake();
    });
  };
  live.stop = [&] {
    server.stop();
    if (worker.joinable()) worker.join();
    // The window goes away after this: a name answered later wakes nothing.
    std::lock_guard lock(wake_mutex);
    wake_window = nullptr;
  };
  // A screenshot of a server that waits for clients: once it listens, or once the
  // clients it was told to serve have come and gone.
  live.finished = [&] { return options.max_clients == 0 || ended.load(); };
  live.ended = [&] { return ended.load(); };
  return finish_capture(capture, ui::run_live_gui(live));
}

int dial_window(const Address& target, const DialOptions& options) {
  EventLog log;
  DialClient client(log, target);
  ui::LiveGuiOptions live;
  live.title = "dial " + target.to_string();
  live.log = &log;
  live.actors = {"client"};
  live.outside = "server";
  live.screenshot = options.screenshot;
  live.lang = options.lang;
  live.follow = options.follow;
  live.present = options.present;
  live.exporter = export_recording;
  const bool message = options.has_message;
  Capture capture;
  live.start = [&](std::function<void()> wake) {
    start_capture(capture, log, window_capture(options.capture), {target.port}, false, true, false);
    client.start(wake, message ? std::optional<std::string>(options.message) : std::nullopt);
  };
  live.stop = [&] { client.stop(); };
  // After the first connect, and its message's reply with --message.
  live.finished = [&] { return client.done() >= 1; };
  live.send = [&](const std::string& text) { client.send(text); };
  live.reconnect = [&] { client.reconnect(); };
  const int code = finish_capture(capture, ui::run_live_gui(live));
  // A screenshot run is a script: it fails as --headless does when the dial (or its
  // message) did not go through. Used by hand, the window's later reconnects decide.
  if (code == 0 && !options.screenshot.empty() && client.first_failed()) return kExitFailed;
  return code;
}

int trace_window(trace::TraceOptions run, const TraceOptions& options) {
  // A missing program is bad input before any window opens, as with --headless.
  for (const auto& command : run.commands)
    if (const auto check = trace::check_program(command[0]); !check.found)
      return error(kExitBadInput, check.warnings.front());
  EventLog log;
  Waker stop;
  run.stop_fd = stop.fd();
  std::thread worker;
  std::atomic<bool> ended{false};
  trace::TraceResult result;
  ui::LiveGuiOptions live;
  live.title = "trace";
  for (const auto& arg : options.args) live.title += " " + arg;
  live.log = &log;
  live.screenshot = options.screenshot;
  live.lang = options.lang;
  live.follow = options.follow;
  live.present = options.present;
  live.exporter = export_recording;
  Capture capture;
  live.start = [&](std::function<void()> wake) {
    // Calls are stamped with when they returned: packets are linked to them as in serve.
    start_capture(capture, log, window_capture(options.capture), {}, true, true, false,
                  trace::kTracedCallTiming);
    worker = std::thread([&, wake] {
      result = trace::run_trace(run, log);
      ended = true;
      wake();
    });
  };
  bool ran_to_the_end = false;  // the programs ended before the window closed
  live.stop = [&] {
    ran_to_the_end = ended.load();
    stop.wake();  // the tracer sends SIGTERM to programs still running
    if (worker.joinable()) worker.join();
  };
  live.finished = [&] { return ended.load(); };
  live.ended = live.finished;
  const int code = finish_capture(capture, ui::run_live_gui(live));
  if (code != 0) return code;
  if (!result.error.empty()) return error(kExitFailed, result.error);
  // As with --headless: a program that failed fails the trace, unless the window was
  // closed on programs still running (then their end was the learner's choice).
  return ran_to_the_end && !result.all_ok ? kExitFailed : kExitOk;
}

int check_window(const std::vector<check::Verdict>& verdicts, const CheckOptions& options) {
  if (verdicts.empty()) return kExitOk;
  EventLog log;
  ui::LiveGuiOptions live;
  for (const auto& v : verdicts) {
    ui::LiveChoice choice;
    choice.passed = v.passed;
    choice.label = Text{(v.passed ? "✓ " : "✗ ") + v.id, (v.passed ? "✓ " : "✗ ") + v.id};
    choice.detail = v.passed ? v.title
                             : Text{v.why.en + " (lesson: sockstep walk " + v.lesson + ")",
                                    v.why.zh + "(课程:sockstep walk " + v.lesson + ")"};
    live.choices.push_back(std::move(choice));
  }
  // The first check that failed is shown first (the first one when all passed).
  const auto failed = std::find_if(verdicts.begin(), verdicts.end(), [](const check::Verdict& v) { return !v.passed; });
  live.initial_choice = failed != verdicts.end() ? static_cast<std::size_t>(failed - verdicts.begin()) : 0;
  // A check's session goes into the log afresh; the call that decided it is selected.
  live.choose = [&](std::size_t index) -> std::uint64_t {
    log.clear();
    std::uint64_t selected = 0;
    for (const Event& e : verdicts[index].session) {
      const std::uint64_t seq = log.append(e);
      if (e.seq == verdicts[index].decided_seq && verdicts[index].decided_seq != 0) selected = seq;
    }
    return selected;
  };
  live.title = "check " + options.role;
  live.title_zh = std::string("检查") + (options.role == "server" ? "服务器" : "客户端");
  for (const auto& arg : options.args) {
    live.title += " " + arg;
    live.title_zh += " " + arg;
  }
  live.log = &log;
  live.screenshot = options.screenshot;
  live.lang = options.lang;
  live.present = options.present;
  live.exporter = export_recording;
  live.start = [](const std::function<void()>&) {};
  live.stop = [] {};
  live.finished = [] { return true; };
  live.ended = live.finished;
  return ui::run_live_gui(live);
}

#else
bool have_window() { return false; }
int check_window(const std::vector<check::Verdict>&, const CheckOptions&) {
  return error(kExitFailed, "built without the window");
}
int serve_window(const Address&, const ServeOptions&) { return error(kExitFailed, "built without the window"); }
int dial_window(const Address&, const DialOptions&) { return error(kExitFailed, "built without the window"); }
int trace_window(trace::TraceOptions, const TraceOptions&) { return error(kExitFailed, "built without the window"); }
#endif

}  // namespace sockstep::cli
