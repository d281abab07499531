#pragma once
#include <cstdint>
#include <vector>

#include "engine/log/event_log.hpp"

namespace sockstep::ui {

// The UI's own copy of the event log, grown incrementally: each frame copies only
// the events appended since the last one, so a 100k-event log costs nothing to keep.
// `revision` changes whenever earlier entries are gone (log cleared, or trimmed here),
// telling every view that keeps indexes into `events` to rebuild them.
//
// It keeps more events than the log does, so it bounds their bytes itself: past
// max_bytes, the oldest events let go of their bytes and keep the rest (byte_count
// still says how many moved). Without this the cache would hold on to every byte a
// long transfer ever captured, long after the log let go of them.
class EventCache {
 public:
  explicit EventCache(std::size_t max_events = 200000, std::size_t max_bytes = EventLogLimits{}.max_total_bytes)
      : max_events_(max_events), max_bytes_(max_bytes) {}

  // Returns the number of events appended to events() by this call.
  std::size_t sync(const EventLog& log);
  // A recording's events instead of a log's: shows source's first count events, keeping
  // their seqs (a packet's caused_by names them). They move in from source as the count
  // grows and back out as it shrinks (which starts over: revision), so that 100k events
  // are held once, not twice: source keeps its size, and the events shown here are left
  // moved-from there. Returns the number of events appended.
  std::size_t show(std::vector<Event>& source, std::size_t count);

  [[nodiscard]] const std::vector<Event>& events() const { return events_; }
  [[nodiscard]] std::uint64_t revision() const { return revision_; }
  // Index of the event with this seq, or -1.
  [[nodiscard]] long find_seq(std::uint64_t seq) const;
  // Whether the event at this index let go of its bytes here (as opposed to never having
  // had any kept: a capture that caught no payload).
  [[nodiscard]] bool bytes_released(std::size_t index) const { return index < first_with_bytes_; }
  // The memory the kept events' bytes hold (Bytes::footprint), never over max_bytes.
  [[nodiscard]] std::size_t held_bytes() const { return held_bytes_; }
  [[nodiscard]] std::size_t max_bytes() const { return max_bytes_; }
  [[nodiscard]] std::size_t max_events() const { return max_events_; }

 private:
  void release_oldest_bytes();
  void drop_older_half();

  std::size_t max_events_;
  std::size_t max_bytes_;
  std::size_t held_bytes_ = 0;
  std::size_t first_with_bytes_ = 0;  // the events before it have let go of their bytes
  std::vector<Event> events_;
  std::uint64_t log_generation_ = 0;
  std::uint64_t next_seq_ = 0;
  std::uint64_t revision_ = 1;
};

}  // namespace sockstep::ui
