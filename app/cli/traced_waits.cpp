#include "cli/traced_waits.hpp"

#include <algorithm>

namespace sockstep::cli {

std::vector<Event> TracedWaits::feed(const Event& event) {
  std::vector<Event> out;
  // Packets are handed over by the capture late, out of step with the calls, and a
  // Match note is the tracer's remark on a call it is decoding (an accept's connection):
  // they show nothing about whether a call was still waiting.
  if (event.kind == EventKind::Packet || (event.kind == EventKind::Note && event.note == NoteKind::Match)) return {event};
  std::lock_guard lock(mutex_);
  if (event.kind == EventKind::Blocked) {
    // A thread makes one call at a time: an older wait of the same thread ended unseen.
    const auto same = std::find_if(held_.begin(), held_.end(), [&](const Event& h) { return h.actor == event.actor; });
    if (same != held_.end()) {
      out.push_back(std::move(*same));
      held_.erase(same);
    }
    held_.push_back(event);
    return out;
  }
  // Its own return next: nothing was seen happening while it was in the call.
  if (event.kind == EventKind::Call) {
    const auto own = std::find_if(held_.begin(), held_.end(), [&](const Event& h) {
      return h.actor == event.actor && h.call == event.call && h.fd == event.fd;
    });
    if (own != held_.end()) held_.erase(own);
  }
  // Every other held call was still waiting when this event happened.
  out = release_all();
  out.push_back(event);
  return out;
}

std::vector<Event> TracedWaits::flush() {
  std::lock_guard lock(mutex_);
  return release_all();
}

std::vector<Event> TracedWaits::release_all() {
  std::vector<Event> out = std::move(held_);
  held_.clear();
  return out;
}

}  // namespace sockstep::cli
