#pragma once
// session.sockstep made from a session: a lesson walked, or a live session's events.
#include <string>
#include <vector>

#include "engine/record/recording.hpp"
#include "engine/lesson/session.hpp"

namespace sockstep {

// A lesson walked with SessionOptions::keep_history: its lesson's text, its events and
// the snapshot after each step. lang: the language its transcript is written in.
[[nodiscard]] Recording lesson_recording(Session& session, Lang lang);
// The lanes of a session's events, in the order their first calls came.
[[nodiscard]] std::vector<std::string> first_lanes(const std::vector<Event>& events);
// check (and any session read from its events alone): the events, and what the calls
// alone tell of the programs (their lanes, consoles, how they ended), with no kernel view.
// preface: Markdown written before the transcript (check's verdict).
[[nodiscard]] Recording live_recording(const std::vector<Event>& events, std::string preface = {});

}  // namespace sockstep
