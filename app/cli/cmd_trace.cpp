#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>

#include "cli/capture_flags.hpp"
#include "cli/commands.hpp"
#include "cli/event_format.hpp"
#include "cli/follow_output.hpp"
#include "cli/kernel_recorder.hpp"
#include "cli/session_export.hpp"
#include "cli/live_window.hpp"
#include "cli/traced_waits.hpp"
#include "cli/stop_signal.hpp"
#include "trace/tracer.hpp"

namespace sockstep::cli {

int run_trace(const TraceOptions& options) {
  trace::TraceOptions run;
  std::vector<std::string> current;
  for (const auto& arg : options.args) {
    if (arg == ":::") {
      run.commands.push_back(std::move(current));
      current.clear();
    } else {
      current.push_back(arg);
    }
  }
  run.commands.push_back(std::move(current));
  for (const auto& command : run.commands)
    if (command.empty()) return error(kExitBadInput, "trace needs a command: sockstep trace -- COMMAND [ARGS...] [::: COMMAND ...]");
  run.preload = trace::find_preload_library();
  run.together = options.together;
  // --export writes files from the terminal session; the window has none of its own yet.
  if (have_window() && !options.headless && !options.json && !options.quiet && options.export_dir.empty())
    return trace_window(run, options);
  run.stop_fd = install_stop_signal().fd();
  ignore_sigpipe();  // `trace ... | head -3`: the programs are stopped, not sockstep killed

  EventLog log;
  const bool json = options.json;
  const bool quiet = options.quiet;
  // Warnings also go to stderr, so they are seen when stdout is piped away; on a
  // terminal the transcript already shows them, once.
  const bool warn_on_stderr = ::isatty(STDOUT_FILENO) == 0;
  bool gone = false;  // the reader of stdout went away: print nothing more
  // The text says a traced call waits only once the events show it did (JSON has every event).
  TracedWaits waits;
  log.set_listener([json, quiet, warn_on_stderr, &gone, &waits](const Event& e) {
    const bool warning = e.kind == EventKind::Note && e.note == NoteKind::Warning;
    if (warning && warn_on_stderr) std::fprintf(stderr, "sockstep: warning: %s\n", e.detail.c_str());
    const bool exit_note = e.kind == EventKind::Note && e.note == NoteKind::Exit;
    if (gone || (quiet && !warning && !exit_note && e.kind != EventKind::Print)) return;
    if (json) {
      std::fputs((event_json_line(e) + "\n").c_str(), stdout);
    } else {
      for (const Event& shown : waits.feed(e)) std::fputs((format_event(shown) + "\n").c_str(), stdout);
    }
    gone = output_gone(stdout);
  });
  // The traced programs' ports are learned as they bind and connect. A call reaches the log
  // a little after it returned (the tracer reads it from the program's ring) but stamped
  // with when it returned, so each packet is linked to the call that sent it.
  CaptureFlags capture_flags = options.capture;
  if (!options.export_dir.empty())
    if (const std::string why = prepare_export(options.export_dir, capture_flags); !why.empty())
      return error(kExitBadInput, why);
  Capture capture;
  start_capture(capture, log, capture_flags, {}, true, true, true, trace::kTracedCallTiming);
  // --export: the cards trace's window would show, for session.sockstep (a traced
  // program's socket is known by its inode in /proc/PID/fd while the program runs).
  std::optional<KernelRecorder> kernel;
  if (!options.export_dir.empty()) {
    std::string title = "trace";
    for (const auto& arg : options.args) title += " " + arg;
    kernel.emplace(log, KernelRecorderLanes{title, {}, "", false});
  }
  const trace::TraceResult result = trace::run_trace(run, log);
  // Calls still waiting when the programs ended (only the text holds them back).
  for (const Event& shown : waits.flush()) std::fputs((format_event(shown) + "\n").c_str(), stdout);
  if (options.follow && !gone) print_streams(log, json, stdout);
  int code = result.all_ok ? kExitOk : kExitFailed;
  if (!result.error.empty()) {
    const bool never_ran = std::all_of(result.exit_codes.begin(), result.exit_codes.end(), [](int c) { return c < 0; });
    code = error(never_ran ? kExitBadInput : kExitFailed, result.error);
  }
  code = finish_capture(capture, code);
  if (!kernel) return code;
  ExportSetup setup;
  setup.lang = lang_from_code(options.lang).value_or(Lang::En);
  setup.title = "trace";
  for (const auto& arg : options.args) setup.title += " " + arg;
  return finish_live_export(options.export_dir, code, *kernel, setup);
}

}  // namespace sockstep::cli
