#pragma once
// session.sockstep: a recording of everything the window shows of one session — its
// events (with the bytes the log kept), the kernel's view as the panels drew it
// (SessionSnapshot: actors, socket cards, fd-less sockets, step outcomes) at the moments it
// was taken, its packets (events of kind Packet), and for a lesson the lesson itself —
// so that `sockstep open FILE` shows the session again, to be scrubbed back and forth,
// with no socket and no kernel involved.
//
// The format (all integers little-endian; "varint" is LEB128, signed ones zigzag first):
//
//   "SOCKSTEP"         8 bytes, the magic
//   version            u16: kRecordingVersion; a reader refuses a newer one
//   flags              u16: 0 (none defined yet)
//   body_size          u64: the body's size once inflated (at most kMaxRecordingBody)
//   zlib(body)         the body, compressed with zlib (RFC 1950, Adler-32 checked)
//
//   body   := record*            in this order: one Meta, then Events and Snapshots
//   record := tag u8, size varint, payload[size]
//             tag 1 Meta: kind, language, titles, preface, the lesson's name and TOML
//                   text, the first lanes, the outside lane
//             tag 2 Event: one Event, every field (engine/event.hpp)
//             tag 3 Snapshot: after_seq varint (the last event it follows), then the
//                   SessionSnapshot, then (added later, so a file without it still reads)
//                   each actor's forked process: pid, "running"/"zombie"/"reaped"
//             any other tag: skipped (a later minor addition within the same version)
//
// A strings is a varint size and its bytes; a list a varint count and its items.
// Everything a reader is handed is checked: a truncated, corrupted or newer-version
// file is a RecordingError naming what is wrong, never a crash (tests/fuzz).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/lesson/lesson.hpp"
#include "engine/lesson/session.hpp"

namespace sockstep {

inline constexpr std::uint16_t kRecordingVersion = 1;
// A body larger than this once inflated is refused before it is inflated (a zip bomb).
inline constexpr std::uint64_t kMaxRecordingBody = 1ull << 30;
// A recording file larger than this is refused before it is read.
inline constexpr std::size_t kMaxRecordingFile = 256u << 20;

enum class RecordingKind : std::uint8_t {
  Lesson,  // a lesson walked (walk --export, the window): its steps are its snapshots
  Live,    // serve, dial, trace, check: events, and snapshots where the kernel was read
};

// The kernel's view at one moment: it holds for the events up to after_seq.
using RecordedSnapshot = SnapshotAt;

struct Recording {
  RecordingKind kind = RecordingKind::Live;
  Lang lang = Lang::En;        // the language its transcript was written in
  std::string title;           // live: "serve 127.0.0.1:8084"; lesson: its id
  std::string title_zh;
  std::string preface;         // Markdown before the transcript (check: the verdict)
  std::string lesson_name;     // lesson: its file's name, for messages
  std::string lesson_source;   // lesson: its TOML text, loaded again when reopened
  std::vector<std::string> actors;  // the first lanes, in order
  std::string outside;              // live: the lane of the unobserved other end
  bool lane_per_connection = false;
  std::vector<Event> events;                 // in seq order
  std::vector<RecordedSnapshot> snapshots;   // in after_seq order
  // The lesson itself: the reader loads it from lesson_source, lesson_recording() copies
  // the session's (the writer reads only the source).
  Lesson lesson;
};

// What is wrong with a recording: "truncated", "not a sockstep recording", ...
class RecordingError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The file's bytes. level: zlib's, 1 (fast) to 9 (small).
[[nodiscard]] std::string encode_recording(const Recording& recording, int level = 6);
// Throws RecordingError. A lesson's recording has its lesson loaded, and every snapshot
// checked against it (its steps, its predictions' choices), so that the panels, which
// index steps by what a snapshot says, can trust it.
[[nodiscard]] Recording decode_recording(std::string_view file);
// "" or why it could not be written.
[[nodiscard]] std::string write_recording_file(const std::string& path, const Recording& recording);
// Throws RecordingError ("FILE: what is wrong").
[[nodiscard]] Recording read_recording_file(const std::string& path);

// The index into recording.events of the first event after the snapshot: the number of
// events it holds for.
[[nodiscard]] std::size_t events_before(const Recording& recording, const RecordedSnapshot& snapshot);

}  // namespace sockstep
