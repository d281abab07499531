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
  if (finish_export(dir, recording.events, markdown, kExitOk, false, &recording) != kExitOk)
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
