#pragma once
// What the exported diagram and report know of a session beyond its events: its lanes
// as the window lays them out, its language, and for a lesson each step as it was taken
// (the sockets the kernel showed after it, the prediction and the learner's answer).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/inspect/inspect.hpp"
#include "engine/lesson/lesson.hpp"
#include "engine/lesson/session.hpp"
#include "ui/conversation.hpp"

namespace sockstep::cli {

// One lesson step, as walk took it.
struct StepRecord {
  std::size_t index = 0;
  std::string actor;
  std::string call;  // "conn, client_addr = phone.accept()"
  Text metaphor;
  Text explain;
  StepStatus status = StepStatus::NotRun;
  std::vector<std::string> failures;        // expectations that did not hold
  std::vector<Event> events;                // logged while the step ran (walk prints them with it)
  std::vector<SocketCard> sockets;          // as the kernel showed them after the step
  std::vector<OrphanSocket> orphans;
  std::optional<Predict> predict;
  std::vector<std::size_t> predict_right;   // the choices the kernel bore out
  std::optional<std::size_t> answer;        // the learner's, when asked (walk --quiz)
  bool asked = false;
};

struct ExportSetup {
  Lang lang = Lang::En;
  std::string title;                // "echo-tcp — A phone call", "serve 127.0.0.1:8084"
  std::vector<std::string> lanes;   // the known programs, in the window's order
  std::string outside;              // serve/dial: the lane of the program at the other end
  bool lane_per_connection = false;  // serve: each client a lane of its own
  bool lesson = false;
  std::vector<StepRecord> steps;    // walk: every step taken
  std::size_t step_count = 0;       // the lesson's steps, when fewer were taken (0: steps.size())
};

// The conversation the window would show for these events.
[[nodiscard]] ui::Conversation conversation_of(const std::vector<Event>& events, const ExportSetup& setup);

}  // namespace sockstep::cli
