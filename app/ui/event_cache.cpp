#include "ui/event_cache.hpp"

#include <algorithm>

namespace sockstep::ui {

std::size_t EventCache::sync(const EventLog& log) {
  const std::uint64_t generation = log.generation();
  if (generation != log_generation_) {
    log_generation_ = generation;
    events_.clear();
    held_bytes_ = 0;
    first_with_bytes_ = 0;
    next_seq_ = 0;
    ++revision_;
  }
  const std::size_t before = events_.size();
  // Straight into the cache: a staging vector would keep 100k events' worth of capacity.
  next_seq_ = log.copy_since(next_seq_, events_);
  const std::size_t added = events_.size() - before;
  for (std::size_t i = before; i < events_.size(); ++i) held_bytes_ += events_[i].bytes.footprint();
  release_oldest_bytes();
  if (events_.size() > max_events_) drop_older_half();
  return added;
}

std::size_t EventCache::show(std::vector<Event>& source, std::size_t count) {
  count = std::min(count, source.size());
  if (log_generation_ != 0) {
    log_generation_ = 0;  // no log's: a later sync() starts over
    events_.clear();
    ++revision_;
  }
  if (count < events_.size()) {
    // Back along the timeline: the events past count go home, the views start over.
    for (std::size_t i = count; i < events_.size(); ++i) source[i] = std::move(events_[i]);
    events_.resize(count);
    held_bytes_ = 0;
    for (const Event& e : events_) held_bytes_ += e.bytes.footprint();
    first_with_bytes_ = 0;
    next_seq_ = 0;
    ++revision_;
  }
  // The shown events are always the recording's first ones, so the next to show is the
  // one at events_.size() (none dropped: drop_older_half would break that, so a
  // recording keeps every event it holds, as it was written with them).
  const std::size_t before = events_.size();
  events_.reserve(source.size());
  for (std::size_t i = before; i < count; ++i) {
    held_bytes_ += source[i].bytes.footprint();
    events_.push_back(std::move(source[i]));
  }
  return events_.size() - before;
}

void EventCache::release_oldest_bytes() {
  // The events keep their place: no index changes, so views need not rebuild.
  while (held_bytes_ > max_bytes_ && first_with_bytes_ < events_.size()) {
    Bytes& bytes = events_[first_with_bytes_++].bytes;
    held_bytes_ -= bytes.footprint();
    bytes = Bytes{};
  }
}

void EventCache::drop_older_half() {
  // The older half at once rather than one by one, so views rebuild rarely.
  const std::size_t dropped = events_.size() - max_events_ / 2;
  for (std::size_t i = first_with_bytes_; i < dropped; ++i) held_bytes_ -= events_[i].bytes.footprint();
  first_with_bytes_ = first_with_bytes_ > dropped ? first_with_bytes_ - dropped : 0;
  events_.erase(events_.begin(), events_.begin() + static_cast<long>(dropped));
  ++revision_;
}

long EventCache::find_seq(std::uint64_t seq) const {
  // Seqs grow along the vector, so a binary search finds it.
  auto it = std::lower_bound(events_.begin(), events_.end(), seq,
                             [](const Event& e, std::uint64_t s) { return e.seq < s; });
  if (it == events_.end() || it->seq != seq) return -1;
  return static_cast<long>(it - events_.begin());
}

}  // namespace sockstep::ui
