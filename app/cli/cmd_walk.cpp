#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/transcript.hpp"
#include "engine/lesson_loader.hpp"
#include "engine/lesson_paths.hpp"
#include "engine/session.hpp"

namespace sockstep::cli {

CLI::App* add_walk_command(CLI::App& app, WalkOptions& options) {
  auto* walk = app.add_subcommand("walk", "Step through a lesson in the terminal, on real sockets");
  walk->add_option("lesson", options.lesson, "Lesson id (see `sockstep lessons`) or a .toml file");
  walk->add_flag("--all", options.all, "Walk every lesson in teaching order");
  walk->add_option("--lang", options.lang, "Language of the lesson text")->check(CLI::IsMember({"en", "zh"}));
  walk->add_flag("--check", options.check, "Verify every expectation against the kernel; exit 1 on a mismatch");
  walk->add_flag("--json", options.json, "One JSON object per step");
  return walk;
}

namespace {

// Walks one lesson; returns the number of failed expectations.
std::size_t walk_one(const Lesson& lesson, const WalkOptions& options, Lang lang) {
  Session session(lesson);
  if (!options.json) {
    fmt::print("== {} — {} ({} steps)\n", lesson.id, lesson.title.get(lang), lesson.steps.size());
    if (!lesson.summary.get(lang).empty()) fmt::print("   {}\n", lesson.summary.get(lang));
  }
  std::uint64_t next_seq = 0;
  std::vector<Event> events;
  next_seq = session.events().copy_since(next_seq, events);
  if (!options.json)
    for (const auto& e : events)
      if (e.kind == EventKind::Note) fmt::print("   ! {}\n", lang == Lang::Zh ? e.args : e.detail);
  while (const auto index = session.step()) {
    events.clear();
    next_seq = session.events().copy_since(next_seq, events);
    const SessionSnapshot snap = session.snapshot();
    if (options.json) {
      fmt::print("{}\n", step_json(session, *index, events, snap, lang).dump());
    } else {
      fmt::print("{}", format_step(session, *index, events, snap, lang));
      if (options.check)
        for (const auto& f : snap.outcomes[*index].failures) fmt::print("      ✗ CHECK FAILED: {}\n", f);
    }
  }
  const auto failures = session.failures();
  if (options.check && !options.json) {
    if (failures.empty()) {
      fmt::print("== {}: every expectation held ({} steps checked against the kernel)\n", lesson.id,
                 lesson.steps.size());
    } else {
      fmt::print("== {}: {} expectation(s) did not hold\n", lesson.id, failures.size());
      for (const auto& f : failures) fmt::print("   ✗ {}\n", f);
    }
  }
  return failures.size();
}

}  // namespace

int run_walk(const WalkOptions& options) {
  const Lang lang = lang_from_code(options.lang).value_or(Lang::En);
  std::vector<std::string> files;
  if (options.all) {
    if (!options.lesson.empty()) return error(kExitBadInput, "walk takes a lesson or --all, not both");
    files = lesson_files();
    if (files.empty()) return error(kExitFailed, "no lessons found; set SOCKSTEP_LESSONS to the lessons folder");
  } else {
    if (options.lesson.empty()) return error(kExitBadInput, "walk needs a lesson id or file (or --all); see `sockstep lessons`");
    const auto file = resolve_lesson(options.lesson);
    if (!file) return error(kExitBadInput, "no lesson '" + options.lesson + "'; see `sockstep lessons`");
    files.push_back(*file);
  }
  std::vector<Lesson> lessons;
  for (const auto& file : files) {
    try {
      lessons.push_back(load_lesson_file(file));
    } catch (const LessonError& e) {
      return error(kExitBadInput, e.what());
    }
  }
  std::size_t failed = 0;
  for (const auto& lesson : lessons) failed += walk_one(lesson, options, lang);
  if (options.check && lessons.size() > 1 && !options.json)
    fmt::print("== {} lesson(s) walked: {}\n", lessons.size(),
               failed == 0 ? "all checks passed" : std::to_string(failed) + " check(s) failed");
  return options.check && failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace sockstep::cli
