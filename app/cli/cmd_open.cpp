// sockstep open FILE: a recording (session.sockstep) in the window, or as its transcript.
#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/session_recording.hpp"
#include "engine/record/recording.hpp"
#ifdef SOCKSTEP_HAVE_GUI
#include "ui/run_gui.hpp"
#endif

namespace sockstep::cli {

int run_open(const OpenOptions& options) {
  Recording recording;
  try {
    recording = read_recording_file(options.file);
  } catch (const RecordingError& e) {
    // A file that is not a recording, or one cut short, damaged or from a newer sockstep.
    return error(kExitBadInput, e.what());
  }
  if (options.steps >= 0 &&
      (recording.kind != RecordingKind::Lesson || static_cast<std::size_t>(options.steps) > recording.lesson.steps.size()))
    return error(kExitBadInput, recording.kind != RecordingKind::Lesson
                                    ? "--steps: " + options.file + " is not a lesson's recording (use --at EVENTS)"
                                    : "--steps " + std::to_string(options.steps) + ": the lesson has " +
                                          std::to_string(recording.lesson.steps.size()) + " steps");
  if (options.headless || !have_window()) {
    if (!options.lang.empty()) recording.lang = lang_from_code(options.lang).value_or(recording.lang);
    fmt::print("{}", recording_transcript(recording));
    return kExitOk;
  }
#ifdef SOCKSTEP_HAVE_GUI
  ui::RecordingGuiOptions gui;
  gui.recording = &recording;
  gui.file = options.file;
  gui.lang = options.lang;
  gui.screenshot = options.screenshot;
  gui.at = options.at;
  gui.steps = options.steps;
  gui.present = options.present;
  gui.exporter = export_recording;
  return ui::run_recording_gui(gui);
#else
  return kExitOk;
#endif
}

}  // namespace sockstep::cli
