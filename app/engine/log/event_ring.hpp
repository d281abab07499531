#pragma once
#include <cstddef>
#include <memory>
#include <vector>

#include "engine/log/event.hpp"

namespace sockstep {

// The event log's storage: a ring of Event slots in fixed-size chunks. Growing adds a
// chunk and moves no event, so a growing log touches only the memory it keeps (a vector
// doubling touches about twice that, and the first touch of a page is what costs most on
// the recording path). Slots are reused once the ring wraps or after clear().
// Not thread-safe: EventLog guards it.
class EventRing {
 public:
  static constexpr std::size_t kChunkEvents = 256;

  [[nodiscard]] std::size_t size() const { return count_; }
  [[nodiscard]] std::size_t capacity() const { return chunks_.size() * kChunkEvents; }
  // The i-th oldest event.
  [[nodiscard]] const Event& operator[](std::size_t i) const { return slot((head_ + i) % capacity()); }
  // Stores event after the newest, growing the ring if it is full; returns where it is kept.
  Event& push_back(Event&& event);
  // Drops the oldest event; its bytes are released at once.
  void pop_front();
  // Drops every event and their bytes; the slots stay for the next events.
  void clear();
  // Grows until it has slots for at least events.
  void reserve(std::size_t events);

 private:
  [[nodiscard]] Event& slot(std::size_t physical) const {
    return chunks_[physical / kChunkEvents][physical % kChunkEvents];
  }
  void grow();

  std::vector<std::unique_ptr<Event[]>> chunks_;
  std::size_t head_ = 0;  // physical index of the oldest event
  std::size_t count_ = 0;
};

}  // namespace sockstep
