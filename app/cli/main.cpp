#include <fmt/format.h>

#include "cli/commands.hpp"
#ifdef SOCKSTEP_HAVE_GUI
#include "ui/gui_app.hpp"
#endif

int main(int argc, char** argv) {
  using namespace sockstep::cli;
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
#ifdef SOCKSTEP_HAVE_GUI
  // No --lang: the window keeps the language the learner chose last time.
  sockstep::ui::GuiOptions gui;
  gui.lang.clear();
  auto* gui_cmd = app.add_subcommand("gui", "Open the window on a lesson");
  gui_cmd->add_option("lesson", gui.lesson, "Lesson id or .toml file (default: the first lesson)");
  gui_cmd->add_option("--lang", gui.lang, "Language of the lesson and the interface")->check(CLI::IsMember({"en", "zh"}));
  gui_cmd->add_option("--steps", gui.steps, "Take this many steps first")->check(CLI::Range(0, 100000));
  gui_cmd->add_option("--screenshot", gui.screenshot, "Render, write this PNG and exit");
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

  if (*lessons_cmd) return run_lessons();
  if (*walk_cmd) return run_walk(walk);
  if (*serve_cmd) return run_serve(serve);
  if (*dial_cmd) return run_dial(dial);
  if (*trace_cmd) return run_trace(trace);
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
