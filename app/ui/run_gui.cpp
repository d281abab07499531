#include "ui/run_gui.hpp"

#include <cstdio>

#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include "ui/gui_app.hpp"
#include "ui/settings.hpp"

namespace sockstep::ui {
namespace {

int fail(int code, const std::string& message) {
  std::fprintf(stderr, "sockstep: %s\n", message.c_str());
  return code;
}

// What every window starts from: the learner's settings (a broken file is reported, never
// fatal) and the language asked for, else the one kept. Returns 0, or the exit code.
int start_config(const std::string& lang_option, AppConfig& config) {
  config.settings_path = settings_path();
  std::string settings_error;
  config.settings = load_settings(config.settings_path, &settings_error);
  if (!settings_error.empty()) std::fprintf(stderr, "sockstep: %s\n", settings_error.c_str());
  const std::string lang_text = lang_option.empty() ? config.settings.lang : lang_option;
  const auto lang = lang_from_code(lang_text);
  if (!lang) return fail(2, "unknown language '" + lang_text + "' (use en or zh)");
  config.lang = *lang;
  return 0;
}

int open_and_run(AppConfig config) {
  GuiApp app(std::move(config));
  std::string error;
  int code = 0;
  if (!app.open(error, code)) return fail(code, error);
  return app.run();
}

}  // namespace

int run_gui(const GuiOptions& options) {
  const bool screenshot = !options.screenshot.empty();
  AppConfig config;
  if (const int code = start_config(options.lang, config); code != 0) return code;
  // A screenshot shows what was asked for, not what the last session left behind.
  config.save_settings = !screenshot;

  std::string lesson = options.lesson;
  if (lesson.empty() && !screenshot && !config.settings.lesson.empty() &&
      resolve_lesson(config.settings.lesson)) {
    lesson = config.settings.lesson;
    config.restore_step = options.steps < 0;
  }
  if (lesson.empty()) {
    const auto files = lesson_files();
    if (files.empty()) return fail(2, "no lessons found (set SOCKSTEP_LESSONS to a lessons folder)");
    config.lesson_path = files.front();
  } else {
    const auto path = resolve_lesson(lesson);
    if (!path) return fail(2, "no lesson '" + lesson + "' (see `sockstep lessons`)");
    config.lesson_path = *path;
  }

  // Bad input is reported before any window opens, so it also works with no display.
  try {
    const Lesson parsed = load_lesson_file(config.lesson_path);
    if (options.steps > static_cast<int>(parsed.steps.size())) {
      return fail(2, "--steps " + std::to_string(options.steps) + ": lesson '" + parsed.id +
                         "' has " + std::to_string(parsed.steps.size()) + " steps");
    }
  } catch (const std::exception& e) {
    return fail(2, e.what());
  }
  if (options.steps < -1) return fail(2, "--steps must be 0 or more");
  config.steps = options.steps;
  config.screenshot = options.screenshot;
  config.present = options.present;
  config.exporter = options.exporter;
  if (screenshot) {
    // Same picture on every machine: default size unless the settings ask otherwise,
    // presentation mode only when asked for.
    config.settings.step = 0;
    config.settings.present = false;
    config.settings.present_zoom = 0.0f;
  }
  return open_and_run(std::move(config));
}

namespace {
// A screenshot of a live session or a recording is the same picture on every machine: the
// default size and every panel, normal mode.
void same_picture_everywhere(Settings& settings) {
  settings.width = 0;
  settings.height = 0;
  settings.visible.fill(true);
  settings.zoom = 1.0f;
  settings.present = false;
  settings.present_zoom = 0.0f;
}

// A live session or a recording: no place in a lesson, so the learner's settings stay as
// they were. shows() points the config at what the window shows.
template <class Options>
int run_viewer(const Options& options, void (*shows)(AppConfig&, const Options&)) {
  AppConfig config;
  if (const int code = start_config(options.lang, config); code != 0) return code;
  config.save_settings = false;
  config.screenshot = options.screenshot;
  shows(config, options);
  config.present = options.present;
  config.exporter = options.exporter;
  if (!options.screenshot.empty()) same_picture_everywhere(config.settings);
  return open_and_run(std::move(config));
}
}  // namespace

int run_live_gui(const LiveGuiOptions& options) {
  return run_viewer<LiveGuiOptions>(options, [](AppConfig& config, const LiveGuiOptions& o) { config.live = &o; });
}

int run_recording_gui(const RecordingGuiOptions& options) {
  return run_viewer<RecordingGuiOptions>(options,
                                         [](AppConfig& config, const RecordingGuiOptions& o) { config.replay = &o; });
}

}  // namespace sockstep::ui
