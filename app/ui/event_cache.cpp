#include "ui/event_cache.hpp"

#include <algorithm>

namespace sockstep::ui {

std::size_t EventCache::sync(const EventLog& log) {
  const std::uint64_t generation = log.generation();
  if (generation != log_generation_) {
    log_generation_ = generation;
    events_.clear();
    next_seq_ = 0;
    ++revision_;
  }
  const std::size_t before = events_.size();
  // Straight into the cache: a staging vector would keep 100k events' worth of capacity.
  next_seq_ = log.copy_since(next_seq_, events_);
  const std::size_t added = events_.size() - before;
  if (events_.size() > max_events_) {
    // Drop the older half at once rather than one by one, so views rebuild rarely.
    events_.erase(events_.begin(), events_.end() - static_cast<long>(max_events_ / 2));
    ++revision_;
  }
  return added;
}

long EventCache::find_seq(std::uint64_t seq) const {
  // Seqs grow along the vector, so a binary search finds it.
  auto it = std::lower_bound(events_.begin(), events_.end(), seq,
                             [](const Event& e, std::uint64_t s) { return e.seq < s; });
  if (it == events_.end() || it->seq != seq) return -1;
  return static_cast<long>(it - events_.begin());
}

}  // namespace sockstep::ui
