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
  scratch_.clear();
  next_seq_ = log.copy_since(next_seq_, scratch_);
  if (scratch_.empty()) return 0;
  const std::size_t added = scratch_.size();
  if (events_.size() + added > max_events_) {
    // Drop the older half at once rather than one by one, so views rebuild rarely.
    const std::size_t keep = std::min(events_.size(), max_events_ / 2);
    events_.erase(events_.begin(), events_.end() - static_cast<long>(keep));
    ++revision_;
  }
  for (Event& event : scratch_) events_.push_back(std::move(event));
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
