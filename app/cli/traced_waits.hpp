#pragma once
#include <mutex>
#include <vector>

#include "engine/log/event.hpp"

namespace sockstep::cli {

// The tracer records a call on a blocking socket as about to wait before it knows whether
// it will: an accept() with a client already queued, or a recv() with bytes already in,
// returns at once. So a traced Blocked event is held, and the transcript says "waits"
// only once the events show it: something else happened before the call returned. When
// the call's own return is the next event, only the return is printed. Thread-safe.
class TracedWaits {
 public:
  // The events to print now, in order: held waits that the event shows were waiting,
  // then the event itself (nothing for a Blocked event, which is held).
  [[nodiscard]] std::vector<Event> feed(const Event& event);
  // The waits still held when the trace ends: those calls never returned.
  [[nodiscard]] std::vector<Event> flush();

 private:
  [[nodiscard]] std::vector<Event> release_all();
  std::mutex mutex_;
  std::vector<Event> held_;
};

}  // namespace sockstep::cli
