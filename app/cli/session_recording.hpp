#pragma once
// session.sockstep for the command line: made from a walked lesson or a live session's
// events, and read back as the transcript session.md holds (`sockstep open --headless`).
#include <string>
#include <vector>

#include "cli/export_setup.hpp"
#include "engine/record/record_session.hpp"

namespace sockstep::cli {

// Writes DIR/session.sockstep: recording, or without one the events as a live session's.
// false, with one line on stderr, when it could not be written.
[[nodiscard]] bool write_session_recording(const std::string& dir, const std::vector<Event>& events,
                                           const Recording* recording);

// File > Export in the window: the files --export writes (no session.pcapng: the window
// keeps no capture file), made from the recording, into dir (made if need be).
// Returns "" or why they could not all be written.
[[nodiscard]] std::string export_recording(const std::string& dir, const Recording& recording);

// What the diagram and the report need beyond the events, read from the recording: its
// lanes, language and title, and for a lesson each step as its snapshots show it (the
// learner's quiz answers are not recorded: none is shown).
[[nodiscard]] ExportSetup export_setup_of(const Recording& recording);

// The text session.md holds: for a lesson, each step as walk prints it; else each event.
[[nodiscard]] std::string recording_transcript(const Recording& recording);

// The events of one step of a lesson's recording: those after the previous snapshot, up
// to and with this one's after_seq (walk prints them under the step).
[[nodiscard]] std::vector<Event> events_between(const Recording& recording, std::uint64_t after, std::uint64_t upto);

}  // namespace sockstep::cli
