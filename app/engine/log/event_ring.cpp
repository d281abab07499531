#include "engine/log/event_ring.hpp"

#include <utility>

namespace sockstep {

Event& EventRing::push_back(Event&& event) {
  if (count_ == capacity()) grow();
  Event& kept = slot((head_ + count_) % capacity());
  kept = std::move(event);
  ++count_;
  return kept;
}

void EventRing::pop_front() {
  slot(head_).bytes = Bytes();  // dropped bytes leave the memory budget for real
  head_ = (head_ + 1) % capacity();
  --count_;
}

void EventRing::clear() {
  for (std::size_t i = 0; i < count_; ++i) slot((head_ + i) % capacity()).bytes = Bytes();
  head_ = 0;
  count_ = 0;
}

void EventRing::reserve(std::size_t events) {
  while (capacity() < events) grow();
}

void EventRing::grow() {
  // The new chunk goes at the physical end, so the events must run from physical 0 on
  // first. A ring that has wrapped (it dropped events for their bytes, then filled again)
  // is turned in place, all its slots: three reversals, swapping slots, no allocation.
  if (head_ != 0) {
    auto reverse = [this](std::size_t first, std::size_t last) {
      while (first + 1 < last) std::swap(slot(first++), slot(--last));
    };
    const std::size_t all = capacity();
    reverse(0, head_);
    reverse(head_, all);
    reverse(0, all);
    head_ = 0;
  }
  chunks_.push_back(std::make_unique<Event[]>(kChunkEvents));
}

}  // namespace sockstep
