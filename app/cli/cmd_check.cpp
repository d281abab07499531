// sockstep check server|client -- COMMAND: the learner's program judged by the checks
// of the built-in check files (or --checks), one verdict per check.
#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "check/check_loader.hpp"
#include "check/check_report.hpp"
#include "check/check_runner.hpp"
#include "cli/commands.hpp"
#include "cli/live_window.hpp"
#include "cli/session_export.hpp"
#include "cli/session_recording.hpp"
#include "cli/stop_signal.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "trace/tracer.hpp"

namespace sockstep::cli {

namespace {

std::vector<std::string> lesson_ids() {
  std::vector<std::string> ids;
  for (const auto& file : lesson_files()) ids.push_back(std::filesystem::path(file).stem().string());
  return ids;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

}  // namespace

int run_check(const CheckOptions& options) {
  if (options.args.empty())
    return error(kExitBadInput, "check needs your program: sockstep check " + options.role + " -- COMMAND [ARGS...]");
  const trace::ProgramCheck program = trace::check_program(options.args.front());
  if (!program.found) return error(kExitBadInput, options.args.front() + ": command not found");
  const Lang lang = options.lang == "zh" ? Lang::Zh : Lang::En;
  const check::Role role = options.role == "server" ? check::Role::Server : check::Role::Client;

  const std::string source = options.checks.empty() ? check::builtin_checks_dir() : options.checks;
  if (source.empty()) return error(kExitBadInput, "no built-in checks found (give --checks FILE)");
  std::vector<check::CheckSpec> specs;
  try {
    const std::vector<std::string> lessons = lesson_ids();
    for (const auto& file : check::check_files(source))
      for (auto& spec : check::load_check_file(file, lessons))
        if (spec.role == role) specs.push_back(std::move(spec));
  } catch (const FileError& e) {
    return error(kExitBadInput, e.what());
  }
  for (const auto& id : options.only)
    if (std::none_of(specs.begin(), specs.end(), [&](const check::CheckSpec& s) { return s.id == id; }))
      return error(kExitBadInput, "no " + options.role + " check '" + id + "'");
  if (!options.only.empty())
    std::erase_if(specs, [&](const check::CheckSpec& s) {
      return std::find(options.only.begin(), options.only.end(), s.id) == options.only.end();
    });
  if (specs.empty()) return error(kExitBadInput, "no " + options.role + " checks in " + source);

  check::RunOptions run;
  run.command = options.args;
  run.preload = trace::find_preload_library();
  run.upper = options.upper;
  run.port = options.port;
  (void)install_stop_signal();
  run.interrupted = [] { return stop_requested(); };
  // The window afterwards: when asked, or for a learner at a terminal with a display (a
  // grader's loop asks for --json or --junit, or pipes the output).
  const bool display = std::getenv("DISPLAY") != nullptr || std::getenv("WAYLAND_DISPLAY") != nullptr;
  const bool gui = have_window() && !options.headless &&
                   (options.gui || (display && !options.json && options.junit.empty() && ::isatty(STDOUT_FILENO) != 0));
  run.keep_sessions = gui || !options.export_dir.empty();
  ignore_sigpipe();

  const std::string command = joined(options.args);
  if (!options.json)
    std::fputs(fmt::format("sockstep check {}: {}\n", options.role, command).c_str(), stdout);
  std::vector<check::Verdict> verdicts;
  for (const auto& spec : specs) {
    if (stop_requested()) break;
    verdicts.push_back(check::run_check(spec, run));
    const std::string line = options.json ? check::verdict_json(verdicts.back(), lang) + "\n"
                                          : check::verdict_text(verdicts.back(), lang);
    std::fputs(line.c_str(), stdout);
    std::fflush(stdout);
  }
  if (!options.json) std::fputs((check::summary_text(verdicts, lang) + "\n").c_str(), stdout);
  if (!options.junit.empty()) {
    std::ofstream out(options.junit, std::ios::binary | std::ios::trunc);
    out << check::junit_xml(verdicts, command, lang);
    if (!out) return error(kExitFailed, "could not write " + options.junit);
  }
  if (stop_requested()) return error(kExitFailed, "interrupted: every program it started was stopped");
  // --export: each check's session in a folder of its own, its verdict heading the transcript.
  for (const auto& v : verdicts) {
    if (options.export_dir.empty()) break;
    const std::string dir = (std::filesystem::path(options.export_dir) / v.id).string();
    CaptureFlags none;
    if (const std::string why = prepare_export(dir, none); !why.empty()) return error(kExitFailed, why);
    const std::string preface =
        "# sockstep check " + options.role + ": " + v.id + "\n\n```\n" + check::verdict_text(v, lang) + "```\n\n";
    const Recording recording = live_recording(v.session, preface);
    ExportSetup setup;
    setup.lang = lang;
    setup.title = "check " + options.role + ": " + v.id;
    if (finish_export(dir, v.session, preface + transcript(v.session), kExitOk, false, setup, &recording) != kExitOk)
      return kExitFailed;
  }
  const bool failed = std::any_of(verdicts.begin(), verdicts.end(), [](const check::Verdict& v) { return !v.passed; });
  if (gui && (failed || options.gui)) {
    if (const int code = check_window(verdicts, options); code != kExitOk) return code;
  }
  const bool all = std::all_of(verdicts.begin(), verdicts.end(), [](const check::Verdict& v) { return v.passed; });
  return all ? kExitOk : kExitFailed;
}

}  // namespace sockstep::cli
