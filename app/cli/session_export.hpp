#pragma once
// --export DIR on serve, dial and trace: the session written out for use elsewhere.
//   session.pcapng  its packets (when capture is permitted), each commented with the call
//                   that sent it
//   session.md      the transcript, as the terminal shows it, to paste into homework
//   session.json    a Chrome trace-event file Perfetto (ui.perfetto.dev) opens: a track
//                   per program and thread, a slice per call (spanning the time it
//                   waited), a flow arrow from each send to the recv that took its first byte
//   session.svg     the sequence diagram, drawn as the window draws it (export_svg)
//   session.mmd     the same as a Mermaid sequenceDiagram (export_mermaid)
//   session.html    one page with the diagram, the calls, the bytes and, for a lesson, its
//                   steps, sockets and predictions (export_html)
//   session.sockstep the recording `sockstep open` reopens (engine/record/recording.hpp)
#include <string>

#include "cli/commands.hpp"
#include "cli/export_setup.hpp"
#include "engine/log/event_log.hpp"
#include "engine/record/recording.hpp"

namespace sockstep::cli {

// Makes DIR and has the capture write its packets there (DIR/.capture.pcap, removed
// once session.pcapng is written) and into the log, as --capture does (so they are shown
// too). Returns "" or why DIR cannot be used.
[[nodiscard]] std::string prepare_export(const std::string& dir, CaptureFlags& capture);
// Writes the files; returns code, or kExitFailed with one line on stderr when one could
// not be written. Without packets (capture not permitted) the rest is written.
// setup: the lanes as the window shows them, the language, a lesson's steps.
[[nodiscard]] int finish_export(const std::string& dir, const EventLog& log, int code, const ExportSetup& setup = {});
// The same with the transcript given (walk's: its steps as the terminal shows them).
// captured: a capture was asked for (without one, no pcapng is expected and none is said).
// recording: what session.sockstep holds (a lesson's steps); without one, the events.
[[nodiscard]] int finish_export(const std::string& dir, const std::vector<Event>& events, const std::string& markdown,
                                int code, bool captured = true, const ExportSetup& setup = {},
                                const Recording* recording = nullptr);

// The events as the terminal shows them, in a Markdown code block (session.md).
[[nodiscard]] std::string transcript(const std::vector<Event>& events);
// The session's events as Chrome trace-event JSON (session.json).
[[nodiscard]] std::string perfetto_json(const std::vector<Event>& events);

}  // namespace sockstep::cli
