// The command line: every subcommand's options, parsed in one place, then the
// subcommand run. CLI11 is header-only and large; only this file includes it.
#include "cli/command_line.hpp"

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "cli/session_recording.hpp"
#include "engine/sockets/privileges.hpp"
#ifdef SOCKSTEP_HAVE_GUI
#include "ui/run_gui.hpp"
#endif

namespace sockstep::cli {

namespace {

// A file that can be written: its folder exists and is writable, and it is not a folder.
// Checked when the command line is read, so a bad path is bad input (exit 2), not a
// surprise after the session.
std::string writable_file(const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) return "an empty file name";
  std::error_code ec;
  if (fs::is_directory(path, ec)) return path + " is a directory";
  const fs::path parent = fs::path(path).has_parent_path() ? fs::path(path).parent_path() : fs::path(".");
  if (!fs::is_directory(parent, ec)) return "no directory " + parent.string() + " for " + path;
  // An existing file must be writable itself; a new one needs a writable folder.
  const bool exists = fs::exists(path, ec);
  if (::access(exists ? path.c_str() : parent.c_str(), W_OK) != 0) return "cannot write " + path;
  return {};
}

// Numbers are decimal: CLI11 would also read 0x50 as 80 and 010 as 8, which a port
// number on a command line never means.
const CLI::Validator kDecimal(
    [](const std::string& text) -> std::string {
      if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) return {};
      return "'" + text + "' is not a decimal number";
    },
    "DECIMAL");

void add_capture_flags(CLI::App* command, CaptureFlags& flags) {
  command->add_flag("--capture", flags.show,
                    "Show the session's loopback packets (SYN, data, FIN, RST) as events; needs root or CAP_NET_RAW");
  command->add_option("--pcap", flags.pcap, "Write the session's loopback packets to FILE (Wireshark, tshark)")
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
}

// What serve, dial and trace share: how a session is shown (window or terminal, text or
// JSON), its packets, and a screenshot of the window.
void add_export_option(CLI::App* command, std::string& dir) {
  command->add_option("--export", dir,
                      "Afterwards, write DIR/session.pcapng (packets, each commented with its call), session.md "
                      "(the transcript) and session.json (for Perfetto)")
      ->option_text("DIR");
}

void add_follow_flag(CLI::App* command, bool& follow) {
  command->add_flag("--follow", follow,
                    "Afterwards, print each TCP connection's two byte streams in order, each call's piece on a "
                    "line (as tshark -z follow,tcp); JSON: one line per direction; in the window: the Bytes panel's "
                    "Follow view");
}

#ifdef SOCKSTEP_HAVE_GUI
void add_present_flag(CLI::App* command, bool& present) {
  command->add_flag("--present", present,
                    "Window: presentation mode for a projector (large text, light theme, four panels; F5 toggles it)");
}
#endif

void add_session_flags(CLI::App* command, bool& headless, bool& json, CaptureFlags& capture,
                       [[maybe_unused]] std::string& screenshot, [[maybe_unused]] const char* screenshot_help,
                       [[maybe_unused]] std::string& lang, [[maybe_unused]] bool& present) {
  command->add_flag("--headless", headless, "No window: print one line per event");
  command->add_flag("--json", json, "Print events as JSON lines");
  add_capture_flags(command, capture);
#ifdef SOCKSTEP_HAVE_GUI
  command->add_option("--lang", lang, "Window: language of the interface (default: the one chosen last)")
      ->check(CLI::IsMember({"en", "zh"}));
  command->add_option("--screenshot", screenshot, screenshot_help)
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
  add_present_flag(command, present);
#endif
}

CLI::App* add_lessons_command(CLI::App& app) {
  return app.add_subcommand("lessons", "List the lessons in teaching order");
}

CLI::App* add_walk_command(CLI::App& app, WalkOptions& options) {
  auto* walk = app.add_subcommand("walk", "Step through a lesson in the terminal, on real sockets");
  walk->add_option("lesson", options.lesson, "Lesson id (see `sockstep lessons`) or a .toml file");
  walk->add_flag("--all", options.all, "Walk every lesson in teaching order");
  walk->add_option("--lang", options.lang, "Language of the lesson text")->check(CLI::IsMember({"en", "zh"}));
  walk->add_flag("--check", options.check, "Verify every expectation against the kernel; exit 1 on a mismatch");
  auto* json = walk->add_flag("--json", options.json, "One JSON object per step");
  walk->add_flag("--quiz", options.quiz, "Ask each lesson's predictions on stdin before the step that answers them")
      ->excludes(json);
  add_export_option(walk, options.export_dir);
  return walk;
}

CLI::App* add_serve_command(CLI::App& app, ServeOptions& options) {
  auto* serve = app.add_subcommand("serve", "Run the lesson's echo server for outside clients (nc, your own client)");
  serve->add_option("--host", options.host, "Address to listen on (loopback unless --allow-remote)");
  serve->add_option("--port", options.port, "Port to listen on; 0 lets the kernel pick")->check(kDecimal)->check(CLI::Range(0, 65535));
  serve->add_flag("--allow-remote", options.allow_remote, "Allow a non-loopback --host");
  serve->add_option("--max-clients", options.max_clients, "Stop after this many clients were served (0: until stopped)")
      ->check(kDecimal)
      ->check(CLI::Range(0, 1'000'000));  // NonNegativeNumber's message prints DBL_MAX in full
  serve->add_option("--backlog", options.backlog,
                    "listen()'s backlog (the seed's 5); the kernel caps it at net.core.somaxconn")
      ->check(kDecimal)
      ->check(CLI::Range(0, 65535));
  serve->add_flag("--students", options.students,
                  "Open the window on the student view, a tile per client (the default with --allow-remote; F6 switches)");
  add_follow_flag(serve, options.follow);
  add_export_option(serve, options.export_dir);
  add_session_flags(serve, options.headless, options.json, options.capture, options.screenshot,
                    "Window: write this PNG once listening (after --max-clients if set), then exit", options.lang,
                    options.present);
  return serve;
}

CLI::App* add_dial_command(CLI::App& app, DialOptions& options) {
  auto* dial = app.add_subcommand("dial", "Run the lesson's echo client against an outside server");
  dial->add_option("target", options.target, "HOST:PORT, e.g. 127.0.0.1:8084 or [::1]:8084")->required();
  dial->add_option("--message", options.message, "Send this, print the reply, exit");
  dial->add_flag("--allow-remote", options.allow_remote, "Allow a non-loopback HOST");
  add_follow_flag(dial, options.follow);
  add_export_option(dial, options.export_dir);
  add_session_flags(dial, options.headless, options.json, options.capture, options.screenshot,
                    "Window: write this PNG after the reply (with --message), then exit", options.lang,
                    options.present);
  return dial;
}

CLI::App* add_trace_command(CLI::App& app, TraceOptions& options) {
  auto* trace = app.add_subcommand(
      "trace", "Run a program and show its socket calls (sockstep trace -- python3 server.py ::: python3 client.py)");
  trace->add_option("command", options.args, "The program and its arguments, after --; ':::' separates programs");
  trace->add_flag("--together", options.together,
                  "Start every program at once (default: each after the previous one calls listen())");
  trace->add_flag("--quiet", options.quiet, "Print only the programs' output, warnings and exit statuses");
  add_follow_flag(trace, options.follow);
  add_export_option(trace, options.export_dir);
  add_session_flags(trace, options.headless, options.json, options.capture, options.screenshot,
                    "Window: write this PNG once the programs have exited, then exit", options.lang,
                    options.present);
  return trace;
}
CLI::App* add_check_command(CLI::App& app, CheckOptions& options) {
  auto* check = app.add_subcommand(
      "check", "Judge your own echo server or client by its calls and the kernel (sockstep check server -- python3 my_server.py {port})");
  check->add_option("role", options.role, "server or client: which one you wrote")
      ->required()
      ->check(CLI::IsMember({"server", "client"}));
  check->add_option("command", options.args, "Your program and its arguments, after --; {port} becomes the port");
  check->add_flag("--json", options.json, "One JSON object per check");
  check->add_option("--junit", options.junit, "Write the verdicts as JUnit XML to FILE")
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
  check->add_option("--lang", options.lang, "Language of the verdicts")->check(CLI::IsMember({"en", "zh"}));
  check->add_option("--checks", options.checks, "A check file or folder of them, instead of the built-in checks");
  check->add_option("--only", options.only, "Run only these checks (ids, comma-separated)")->delimiter(',');
  add_export_option(check, options.export_dir);
  check->add_flag("--upper", options.upper, "The server answers in upper case, as the seed's echo_server.py does");
  check->add_option("--port", options.port, "Client checks without {port}: the port sockstep listens on (the seed's 8084)")
      ->check(kDecimal)
      ->check(CLI::Range(1, 65535));
#ifdef SOCKSTEP_HAVE_GUI
  check->add_flag("--gui", options.gui,
                  "Afterwards, open the window on the first failed check's session (the default on a terminal "
                  "with a display, without --json or --junit)");
  check->add_flag("--headless", options.headless, "Never open the window");
  check->add_option("--screenshot", options.screenshot, "With --gui: write this PNG of the window and exit")
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
  add_present_flag(check, options.present);
#endif
  return check;
}

}  // namespace

int run_command_line(int argc, char** argv) {
  CLI::App app{"sockstep: learn Berkeley sockets by running them", "sockstep"};
  app.set_version_flag("--version", SOCKSTEP_VERSION);
  app.require_subcommand(0, 1);

  WalkOptions walk;
  ServeOptions serve;
  DialOptions dial;
  TraceOptions trace;
  auto* lessons_cmd = add_lessons_command(app);
  auto* walk_cmd = add_walk_command(app, walk);
  auto* serve_cmd = add_serve_command(app, serve);
  auto* dial_cmd = add_dial_command(app, dial);
  auto* trace_cmd = add_trace_command(app, trace);
  CheckOptions check;
  auto* check_cmd = add_check_command(app, check);
  OpenOptions reopen;
  auto* open_cmd = app.add_subcommand("open", "Reopen a recording (session.sockstep) in the window, or print it");
  open_cmd->add_option("file", reopen.file, "A session.sockstep, written by --export or File > Export")->required();
  open_cmd->add_flag("--headless", reopen.headless, "No window: print its transcript (the text of session.md)");
  open_cmd->add_option("--lang", reopen.lang, "Language (default: the recording's for the transcript, the one kept for the window)")
      ->check(CLI::IsMember({"en", "zh"}));
#ifdef SOCKSTEP_HAVE_GUI
  open_cmd->add_option("--at", reopen.at, "Window: start with its first N events shown (default: all)")->check(kDecimal);
  open_cmd->add_option("--steps", reopen.steps, "Window, a lesson's recording: start after N steps")
      ->check(kDecimal)
      ->check(CLI::Range(0, 100000));
  open_cmd->add_option("--screenshot", reopen.screenshot, "Render, write this PNG and exit")
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
  add_present_flag(open_cmd, reopen.present);
#endif
#ifdef SOCKSTEP_HAVE_GUI
  // No --lang: the window keeps the language the learner chose last time.
  sockstep::ui::GuiOptions gui;
  gui.lang.clear();
  auto* gui_cmd = app.add_subcommand("gui", "Open the window on a lesson");
  gui_cmd->add_option("lesson", gui.lesson, "Lesson id or .toml file (default: the first lesson)");
  gui_cmd->add_option("--lang", gui.lang, "Language of the lesson and the interface")->check(CLI::IsMember({"en", "zh"}));
  gui_cmd->add_option("--steps", gui.steps, "Take this many steps first")->check(kDecimal)->check(CLI::Range(0, 100000));
  gui_cmd->add_option("--screenshot", gui.screenshot, "Render, write this PNG and exit")
      ->option_text("FILE")
      ->check(CLI::Validator(writable_file, "FILE"));
  add_present_flag(gui_cmd, gui.present);
  gui.exporter = export_recording;
#endif

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    fmt::print(stderr, "sockstep: {} (see sockstep --help)\n", e.what());
    return kExitBadInput;
  }
  dial.has_message = dial_cmd->count("--message") > 0;
  // Lessons never run with a capability that came with the binary (setcap): only serve,
  // dial and trace capture, and they give it up once the capture is open.
  if (!*serve_cmd && !*dial_cmd && !*trace_cmd) (void)drop_borrowed_capabilities();

  if (*lessons_cmd) return run_lessons();
  if (*walk_cmd) return run_walk(walk);
  if (*serve_cmd) return run_serve(serve);
  if (*dial_cmd) return run_dial(dial);
  if (*trace_cmd) return run_trace(trace);
  if (*check_cmd) return run_check(check);
  if (*open_cmd) return run_open(reopen);
#ifdef SOCKSTEP_HAVE_GUI
  if (*gui_cmd) return sockstep::ui::run_gui(gui);
  return sockstep::ui::run_gui(gui);
#else
  // Built without the window: the first lesson in the terminal.
  WalkOptions first;
  first.lesson = "echo-tcp";
  return run_walk(first);
#endif
}

}  // namespace sockstep::cli
