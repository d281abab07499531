#include "engine/record/record_session.hpp"

#include <filesystem>
#include <set>

#include "engine/live/live_source.hpp"
#include "engine/lesson/small_file.hpp"

namespace sockstep {

Recording lesson_recording(Session& session, Lang lang) {
  Recording r;
  r.kind = RecordingKind::Lesson;
  r.lang = lang;
  const Lesson& lesson = session.lesson();
  r.title = lesson.id;
  r.lesson_name = std::filesystem::path(lesson.source_path).filename().string();
  std::string why;
  if (auto text = read_small_file(lesson.source_path, kMaxRecordingFile, why)) r.lesson_source = std::move(*text);
  r.actors = lesson.actors;
  r.lesson = lesson;
  r.events = session.events().all();
  r.snapshots = session.history();
  return r;
}

std::vector<std::string> first_lanes(const std::vector<Event>& events) {
  std::vector<std::string> lanes;
  std::set<std::string> seen;
  for (const Event& e : events)
    if (!e.actor.empty() && e.kind != EventKind::Packet && e.kind != EventKind::Note && seen.insert(e.actor).second)
      lanes.push_back(e.actor);
  return lanes;
}

Recording live_recording(const std::vector<Event>& events, std::string preface) {
  Recording r;
  r.kind = RecordingKind::Live;
  r.title = "sockstep session";
  r.title_zh = "sockstep 会话";
  r.preface = std::move(preface);
  r.events = events;
  r.actors = first_lanes(events);
  LiveSource source(r.actors);
  RecordedSnapshot start;
  start.snap = source.snapshot();
  r.snapshots.push_back(std::move(start));
  for (const Event& e : events) source.observe(e);
  if (!events.empty()) r.snapshots.push_back(RecordedSnapshot{events.back().seq, source.snapshot()});
  return r;
}

}  // namespace sockstep
