#include "ui/card_error.hpp"

#include <algorithm>

#include "engine/text/errno_names.hpp"

namespace sockstep::ui {
namespace {

// connect and connect_ex retry each other.
std::string kind_of(const std::string& call) { return call == "connect_ex" ? "connect" : call; }

}  // namespace

std::string card_error(const Lesson& lesson, const SessionSnapshot& snap, const std::string& actor,
                       const std::string& var, int opened_step, bool zh) {
  std::string text;
  std::string failed_kind;
  const std::size_t taken = std::min({snap.position, snap.outcomes.size(), lesson.steps.size()});
  for (std::size_t i = static_cast<std::size_t>(std::max(opened_step, 0)); i < taken; ++i) {
    const Step& step = lesson.steps[i];
    if (step.actor != actor || (step.sock != var && step.result != var)) continue;
    // The step that made it under this name: its socket is this card's only from here.
    if (static_cast<int>(i) == opened_step && step.sock != var) continue;
    const CallResult& result = snap.outcomes[i].result;
    int err = result.err;
    if (err == 0 && step.call == "connect_ex" && result.value != 0) err = static_cast<int>(result.value);
    if (err != 0) {
      text = (zh ? "第 " + std::to_string(i + 1) + " 步:" : "step " + std::to_string(i + 1) + ": ") + step.call +
             " ✗ " + errno_name(err) + " " + errno_message(err, zh);
      failed_kind = kind_of(step.call);
    } else if (!failed_kind.empty() && kind_of(step.call) == failed_kind) {
      text.clear();
      failed_kind.clear();
    }
  }
  return text;
}

}  // namespace sockstep::ui
