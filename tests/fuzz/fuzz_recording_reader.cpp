// libFuzzer target: the reader of session.sockstep, a file anyone may hand over (a
// learner's homework, a bug report). Any input must decode or be a RecordingError; a
// crash, a sanitizer report or a decoded recording the panels could not trust is a bug.
// Input: [mode][bytes ...]. Mode even: the bytes are the file itself (zlib's checksum
// turns most mutations away early). Mode odd: the bytes are a body, which the harness
// compresses and puts behind a valid header, so that the record parser itself is fuzzed.
#include <zlib.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "engine/record/recording.hpp"

namespace {

std::string wrapped(const std::uint8_t* data, std::size_t size) {
  std::string file("SOCKSTEP", 8);
  file.push_back(static_cast<char>(sockstep::kRecordingVersion & 0xff));
  file.push_back(static_cast<char>(sockstep::kRecordingVersion >> 8));
  file.append(2, '\0');
  for (int i = 0; i < 8; ++i) file.push_back(static_cast<char>((static_cast<std::uint64_t>(size) >> (8 * i)) & 0xff));
  uLongf packed = compressBound(static_cast<uLong>(size));
  std::string z(packed, '\0');
  if (compress2(reinterpret_cast<Bytef*>(z.data()), &packed, data, static_cast<uLong>(size), 1) != Z_OK) __builtin_trap();
  z.resize(packed);
  return file + z;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string file = (data[0] & 1) != 0 ? wrapped(data + 1, size - 1)
                                              : std::string(reinterpret_cast<const char*>(data + 1), size - 1);
  sockstep::Recording r;
  try {
    r = sockstep::decode_recording(file);
  } catch (const sockstep::RecordingError&) {
    return 0;
  }
  // What the window relies on: every snapshot's steps are the lesson's, and the events it
  // holds for are among the recording's.
  const std::size_t steps = r.kind == sockstep::RecordingKind::Lesson ? r.lesson.steps.size() : 0;
  for (const auto& s : r.snapshots) {
    if (s.snap.step_count != steps || s.snap.outcomes.size() != steps || s.snap.position > steps) __builtin_trap();
    if (sockstep::events_before(r, s) > r.events.size()) __builtin_trap();
  }
  for (std::size_t i = 1; i < r.events.size(); ++i)
    if (r.events[i].seq <= r.events[i - 1].seq) __builtin_trap();
  // What was read writes again and reads back the same.
  const sockstep::Recording again = sockstep::decode_recording(sockstep::encode_recording(r, 1));
  if (again.events.size() != r.events.size() || again.snapshots.size() != r.snapshots.size()) __builtin_trap();
  return 0;
}
