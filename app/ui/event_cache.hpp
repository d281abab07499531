#pragma once
#include <cstdint>
#include <vector>

#include "engine/event_log.hpp"

namespace sockstep::ui {

// The UI's own copy of the event log, grown incrementally: each frame copies only
// the events appended since the last one, so a 100k-event log costs nothing to keep.
// `revision` changes whenever earlier entries are gone (log cleared, or trimmed here),
// telling every view that keeps indexes into `events` to rebuild them.
class EventCache {
 public:
  explicit EventCache(std::size_t max_events = 200000) : max_events_(max_events) {}

  // Returns the number of events appended to events() by this call.
  std::size_t sync(const EventLog& log);

  [[nodiscard]] const std::vector<Event>& events() const { return events_; }
  [[nodiscard]] std::uint64_t revision() const { return revision_; }
  // Index of the event with this seq, or -1.
  [[nodiscard]] long find_seq(std::uint64_t seq) const;

 private:
  std::size_t max_events_;
  std::vector<Event> events_;
  std::uint64_t log_generation_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t revision_ = 1;
};

}  // namespace sockstep::ui
