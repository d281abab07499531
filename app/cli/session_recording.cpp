#include "cli/session_recording.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "cli/session_export.hpp"
#include "cli/transcript.hpp"

namespace sockstep::cli {

bool write_session_recording(const std::string& dir, const std::vector<Event>& events, const Recording* recording) {
  const std::string path = (std::filesystem::path(dir) / "session.sockstep").string();
  const std::string why = recording != nullptr ? write_recording_file(path, *recording)
                                               : write_recording_file(path, live_recording(events));
  if (why.empty()) return true;
  fmt::print(stderr, "sockstep: session.sockstep: {}\n", why);
  return false;
}

std::string export_recording(const std::string& dir, const Recording& recording) {
  CaptureFlags none;
  if (std::string why = prepare_export(dir, none); !why.empty()) return why;
  std::string markdown;
  try {
    markdown = recording_transcript(recording);
  } catch (const std::exception& e) {
    return e.what();
  }
  if (finish_export(dir, recording.events, markdown, kExitOk, false, export_setup_of(recording), &recording) != kExitOk)
    return "could not write every file into " + dir;
  return {};
}

std::vector<Event> events_between(const Recording& recording, std::uint64_t after, std::uint64_t upto) {
  std::vector<Event> out;
  const auto& events = recording.events;
  auto it = std::upper_bound(events.begin(), events.end(), after,
                             [](std::uint64_t seq, const Event& e) { return seq < e.seq; });
  for (; it != events.end() && it->seq <= upto; ++it) out.push_back(*it);
  return out;
}

ExportSetup export_setup_of(const Recording& recording) {
  ExportSetup setup;
  setup.lang = recording.lang;
  setup.lanes = recording.actors;
  setup.outside = recording.outside;
  setup.lane_per_connection = recording.lane_per_connection;
  if (recording.kind == RecordingKind::Live) {
    setup.title = recording.lang == Lang::Zh && !recording.title_zh.empty() ? recording.title_zh : recording.title;
    return setup;
  }
  const Lesson& lesson = recording.lesson;
  setup.lesson = true;
  setup.step_count = lesson.steps.size();  // a window's export may have taken fewer
  setup.title = lesson.id + " — " + lesson.title.get(recording.lang);
  if (setup.lanes.empty()) setup.lanes = lesson.actors;
  // As recording_transcript reads them: a snapshot whose position moved on is after a step.
  const auto& snaps = recording.snapshots;
  for (std::size_t k = 1; k < snaps.size(); ++k) {
    const SessionSnapshot& snap = snaps[k].snap;
    if (snap.position == 0 || snap.position <= snaps[k - 1].snap.position) continue;
    if (snap.position > lesson.steps.size() || snap.outcomes.size() < snap.position) continue;
    const std::size_t index = snap.position - 1;
    const Step& step = lesson.steps[index];
    StepRecord record;
    record.index = index;
    record.actor = step.actor;
    record.call = call_text(step);
    record.metaphor = step.metaphor;
    record.explain = step.explain;
    record.events = events_between(recording, snaps[k - 1].after_seq, snaps[k].after_seq);
    record.sockets = snap.sockets;
    record.orphans = snap.orphans;
    record.predict = step.predict;
    setup.steps.push_back(std::move(record));
  }
  // A waiting step is judged when it returns: its verdict is the last snapshot's.
  if (!snaps.empty())
    for (StepRecord& record : setup.steps)
      if (record.index < snaps.back().snap.outcomes.size()) {
        const StepOutcome& outcome = snaps.back().snap.outcomes[record.index];
        record.status = outcome.status;
        record.failures = outcome.failures;
        record.predict_right = outcome.predict_right;
      }
  return setup;
}

std::string recording_transcript(const Recording& recording) {
  if (recording.kind == RecordingKind::Live) return recording.preface + transcript(recording.events);
  const Lesson& lesson = recording.lesson;
  // Each snapshot's position is a step of this lesson (the reader checks it; a recording
  // made here has them from the session itself).
  const Lang lang = recording.lang;
  std::string out = "# " + lesson.id + " — " + lesson.title.get(lang) + "\n\n```\n";
  const auto& snaps = recording.snapshots;
  for (std::size_t k = 1; k < snaps.size(); ++k) {
    const SessionSnapshot& snap = snaps[k].snap;
    // A snapshot after a step: its position counts that step.
    if (snap.position == 0 || snap.position <= snaps[k - 1].snap.position) continue;
    if (snap.position > lesson.steps.size() || snap.outcomes.size() < snap.position) continue;
    out += format_step(lesson, snap.position - 1, events_between(recording, snaps[k - 1].after_seq, snaps[k].after_seq),
                       snap, lang);
  }
  out += "```\n";
  return out;
}

}  // namespace sockstep::cli
