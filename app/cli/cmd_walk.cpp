#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/transcript.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"
#include <stdexcept>

#include "engine/lesson/session.hpp"
#include "cli/capture_flags.hpp"
#include "cli/session_export.hpp"
#include "cli/session_recording.hpp"
#include "engine/capture/capture.hpp"

namespace sockstep::cli {

namespace {

// The learner's side of the predictions: asks before a step, scores after it.
struct Quiz {
  bool enabled = false;
  bool input_closed = false;  // stdin ended: keep walking, stop asking
  int asked = 0;
  int right = 0;
  std::optional<std::size_t> answer;  // the choice given for the step about to run
  // Steps asked about whose call has not returned yet (a blocked accept), with the answer.
  std::vector<std::pair<std::size_t, std::optional<std::size_t>>> pending;
};

char letter(std::size_t i) { return static_cast<char>('a' + i); }

// The walk's own words in the lesson's language, as text or as a format string for fmt.
const char* in(Lang lang, const char* en, const char* zh) { return lang == Lang::Zh ? zh : en; }
auto says(Lang lang, const char* en, const char* zh) { return fmt::runtime(in(lang, en, zh)); }

// "b", "B" or "2" (the window's key) for the second of count choices.
std::optional<std::size_t> choice_of(const std::string& line, std::size_t count) {
  if (line.size() != 1) return std::nullopt;
  const char c = line[0];
  std::size_t i = count;
  if (c >= 'a' && c <= 'z') i = static_cast<std::size_t>(c - 'a');
  if (c >= 'A' && c <= 'Z') i = static_cast<std::size_t>(c - 'A');
  if (c >= '1' && c <= '9') i = static_cast<std::size_t>(c - '1');
  if (i >= count) return std::nullopt;
  return i;
}

void ask(const Step& step, Quiz& quiz, Lang lang) {
  quiz.answer.reset();
  if (!step.predict) return;
  const Predict& p = *step.predict;
  fmt::print("   ? {}\n", p.question.get(lang));
  for (std::size_t i = 0; i < p.choices.size(); ++i) fmt::print("     ({}) {}\n", letter(i), p.choices[i].text.get(lang));
  if (quiz.input_closed) return;
  if (::isatty(STDIN_FILENO) != 0) fmt::print(says(lang, "     your answer: ", "     你的答案:"));
  std::fflush(stdout);
  std::string line;
  for (int tries = 0; tries < 3; ++tries) {  // a few chances for a typo, then move on
    if (!std::getline(std::cin, line)) {
      quiz.input_closed = true;
      fmt::print(says(lang, "\n     (no answer: standard input is closed; the quiz continues without asking)\n",
                      "\n     (没有答案:标准输入已关闭;测验继续,不再提问)\n"));
      return;
    }
    if (const auto choice = choice_of(line, p.choices.size())) {
      quiz.answer = choice;
      ++quiz.asked;
      return;
    }
    fmt::print(says(lang, "     type a letter from a to {} (or 1 to {}): ", "     输入 a 到 {} 的字母(或 1 到 {}):"),
               letter(p.choices.size() - 1), p.choices.size());
    std::fflush(stdout);
  }
  fmt::print(says(lang, "\n     (no answer)\n", "\n     (没有答案)\n"));
}

void score(const Step& step, const StepOutcome& outcome, std::optional<std::size_t> answer, Quiz& quiz, Lang lang) {
  const auto& right = outcome.predict_right;
  if (right.empty()) {
    fmt::print(says(lang, "   = the kernel did something none of the choices describe\n", "   = 内核做的事不在任何选项里\n"));
    return;
  }
  std::string letters;
  for (const auto i : right) letters += std::string(letters.empty() ? "" : ", ") + letter(i);
  const std::string said = step.predict->choices[right.front()].text.get(lang);
  if (!answer) {
    fmt::print(says(lang, "   = the kernel says: ({}) {}\n", "   = 内核的回答:({}) {}\n"), letters, said);
    return;
  }
  const bool correct = std::find(right.begin(), right.end(), *answer) != right.end();
  if (correct) ++quiz.right;
  fmt::print(says(lang, "   = the kernel says: ({}) {} — you answered ({}): {}\n", "   = 内核的回答:({}) {} — 你选了 ({}):{}\n"),
             letters, said, letter(*answer),
             correct ? in(lang, "right", "答对了") : in(lang, "not this time", "不对"));
}

// Walks one lesson; returns the number of failed expectations.
std::size_t walk_one(const Lesson& lesson, const WalkOptions& options, Lang lang, Quiz& quiz) {
  // --export keeps the snapshot after each step: session.sockstep replays them, and the
  // transcript printed is the one read back from it.
  SessionOptions session_options;
  session_options.keep_history = !options.export_dir.empty();
  Session session(lesson, session_options);
  // --export: the lesson's loopback packets, its ports learned from its calls as they come.
  Capture capture;
  CaptureFlags capture_flags;
  if (!options.export_dir.empty()) {
    if (const std::string why = prepare_export(options.export_dir, capture_flags); !why.empty())
      throw std::runtime_error(why);
    start_capture(capture, session.events(), capture_flags, {lesson.port}, true, true, false);
  }
  std::string markdown = "# " + lesson.id + " — " + lesson.title.get(lang) + "\n\n```\n";
  // The report's steps: each as taken, with the sockets after it and the answer given.
  ExportSetup setup;
  setup.lang = lang;
  setup.title = lesson.id + " — " + lesson.title.get(lang);
  setup.lanes = lesson.actors;
  setup.lesson = true;
  if (!options.json) {
    fmt::print(says(lang, "== {} — {} ({} steps)\n", "== {} — {}(共 {} 步)\n"), lesson.id, lesson.title.get(lang),
               lesson.steps.size());
    if (!lesson.summary.get(lang).empty()) fmt::print("   {}\n", lesson.summary.get(lang));
  }
  std::uint64_t next_seq = 0;
  std::vector<Event> events;
  next_seq = session.events().copy_since(next_seq, events);
  if (!options.json)
    for (const auto& e : events)
      if (e.kind == EventKind::Note) fmt::print("   ! {}\n", lang == Lang::Zh ? e.args : e.detail);
  for (;;) {
    const std::size_t next = session.position();
    const bool quizzing = quiz.enabled && !options.json && next < lesson.steps.size();
    if (quizzing) ask(lesson.steps[next], quiz, lang);
    const auto index = session.step();
    if (!index) break;
    events.clear();
    SessionSnapshot snap;
    if (session_options.keep_history) {
      // The step's events are those between its snapshot and the one before; a later
      // one (a packet on its way) goes with the next step, as the recording has it.
      const std::vector<SnapshotAt> history = session.history();
      const std::uint64_t after = history.size() >= 2 ? history[history.size() - 2].after_seq : 0;
      session.events().copy_since(after + 1, events);
      std::erase_if(events, [&](const Event& e) { return e.seq > history.back().after_seq; });
      snap = history.back().snap;
    } else {
      next_seq = session.events().copy_since(next_seq, events);
      snap = session.snapshot();
    }
    if (!options.export_dir.empty()) {
      const Step& step = lesson.steps[*index];
      StepRecord record;
      record.index = *index;
      record.actor = step.actor;
      record.call = call_text(step);
      record.metaphor = step.metaphor;
      record.explain = step.explain;
      record.sockets = snap.sockets;
      record.orphans = snap.orphans;
      record.events = events;
      record.predict = step.predict;
      record.asked = quizzing && step.predict.has_value();
      if (quizzing) record.answer = quiz.answer;
      setup.steps.push_back(std::move(record));
    }
    if (options.json) {
      fmt::print("{}\n", step_json_line(session, *index, events, snap, lang));
    } else {
      const std::string step_text = format_step(session, *index, events, snap, lang);
      fmt::print("{}", step_text);
      markdown += step_text;
      if (options.check)
        for (const auto& f : snap.outcomes[*index].failures) fmt::print("      ✗ CHECK FAILED: {}\n", f);
      // A waiting step is judged once it returns; its answer shows with the step that released it.
      if (quizzing && lesson.steps[*index].predict) quiz.pending.emplace_back(*index, quiz.answer);
      for (auto it = quiz.pending.begin(); it != quiz.pending.end();) {
        const StepOutcome outcome = session.outcome(it->first);
        if (!outcome.checked) {
          ++it;
          continue;
        }
        score(lesson.steps[it->first], outcome, it->second, quiz, lang);
        it = quiz.pending.erase(it);
      }
    }
  }
  quiz.pending.clear();  // calls still waiting at the end were never answered by the kernel
  const auto failures = session.failures();
  if (!options.export_dir.empty()) {
    markdown += "```\n";
    // A waiting step is judged when it returns: its verdict is read at the end.
    for (StepRecord& record : setup.steps) {
      const StepOutcome outcome = session.outcome(record.index);
      record.status = outcome.status;
      record.failures = outcome.failures;
      record.predict_right = outcome.predict_right;
    }
    // The capture ends first: its last packets belong in the files.
    const int captured = finish_capture(capture, kExitOk);
    const Recording recording = lesson_recording(session, lang);
    if (finish_export(options.export_dir, recording.events, markdown, captured, true, setup, &recording) != kExitOk)
      throw std::runtime_error("the export could not be written");
  }
  if (options.check && !options.json) {
    if (failures.empty()) {
      fmt::print(says(lang, "== {}: every expectation held ({} steps checked against the kernel)\n",
                      "== {}:所有预期都成立({} 步已对照内核检查)\n"),
                 lesson.id, lesson.steps.size());
    } else {
      fmt::print(says(lang, "== {}: {} expectation(s) did not hold\n", "== {}:{} 个预期不成立\n"), lesson.id,
                 failures.size());
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
  if (!options.export_dir.empty()) {
    if (lessons.size() != 1) return error(kExitBadInput, "--export writes one lesson's session: give one lesson, not --all");
    CaptureFlags probe;
    if (const std::string why = prepare_export(options.export_dir, probe); !why.empty()) return error(kExitBadInput, why);
  }
  std::size_t failed = 0;
  Quiz quiz;
  quiz.enabled = options.quiz;
  try {
    for (const auto& lesson : lessons) failed += walk_one(lesson, options, lang, quiz);
  } catch (const std::runtime_error& e) {
    return error(kExitFailed, e.what());
  }
  if (quiz.enabled && quiz.asked > 0 && !options.json)
    fmt::print(says(lang, "== quiz: {} of {} predictions right\n", "== 测验:{1} 个预测中答对 {0} 个\n"), quiz.right,
               quiz.asked);
  if (options.check && lessons.size() > 1 && !options.json)
    fmt::print(says(lang, "== {} lesson(s) walked: {}\n", "== 走完 {} 课:{}\n"), lessons.size(),
               failed == 0 ? std::string(in(lang, "all checks passed", "全部检查通过"))
                           : std::to_string(failed) + in(lang, " check(s) failed", " 个检查失败"));
  return options.check && failed > 0 ? kExitFailed : kExitOk;
}

}  // namespace sockstep::cli
