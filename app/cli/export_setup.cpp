#include "cli/export_setup.hpp"

namespace sockstep::cli {

ui::Conversation conversation_of(const std::vector<Event>& events, const ExportSetup& setup) {
  ui::Conversation conv;
  conv.reset(setup.lanes);
  if (setup.lesson) {
    conv.set_lesson(true);
  } else {
    // As the live window: a program whose calls are not seen is the outside lane.
    conv.set_outside(setup.outside, setup.lane_per_connection);
  }
  for (std::size_t i = 0; i < events.size(); ++i) conv.add(events[i], i);
  conv.set_consumed(events.size());
  return conv;
}

}  // namespace sockstep::cli
