#pragma once
#include <cstddef>
#include <cstdint>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <optional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/log/event.hpp"
#include "engine/log/event_ring.hpp"

namespace sockstep {

struct EventLogLimits {
  std::size_t max_events = 200000;
  // A call's first 16 KiB: a thousand rows of the bytes view, more than anyone reads of
  // one call, and 4096 calls' worth in max_total_bytes. Every byte kept is written once
  // more, into memory the rest of the log has let go cold: keeping all of each 64 KiB
  // call made a long transfer 12-17 % slower (tests/bench/bench_bulk.cpp, its own row).
  std::size_t max_bytes_per_event = 16 * 1024;
  std::size_t max_total_bytes = 64 * 1024 * 1024;
};

// Bounded, thread-safe, append-only log. Old events are dropped first when a limit
// is reached; sequence numbers keep counting so readers can follow incrementally.
class EventLog {
 public:
  using Listener = std::function<void(const Event&)>;

  explicit EventLog(EventLogLimits limits = {});

  std::uint64_t append(Event event);
  // The same for an event that happened before it reached the log (a traced call, read
  // from its program's ring a little later): its time is when it happened, given on
  // CLOCK_MONOTONIC (steady_clock) in microseconds, never later than now.
  std::uint64_t append_happened(Event event, std::int64_t monotonic_us);
  // Appends to out every event with seq >= from_seq; returns the next seq to ask for.
  std::uint64_t copy_since(std::uint64_t from_seq, std::vector<Event>& out) const;
  [[nodiscard]] std::vector<Event> all() const;
  [[nodiscard]] std::size_t size() const;
  // The memory the kept events' bytes hold (Bytes::footprint), never over max_total_bytes.
  [[nodiscard]] std::size_t stored_bytes() const;
  [[nodiscard]] std::uint64_t next_seq() const;
  // Visits, under the lock and without copying, every event with seq >= from_seq;
  // returns the next seq to ask for. visit must not touch the log.
  std::uint64_t visit_since(std::uint64_t from_seq, const std::function<void(const Event&)>& visit) const;
  // Waits until an event with seq >= seq is appended, or the timeout passes; true if it was.
  bool wait_for(std::uint64_t seq, std::chrono::milliseconds timeout) const;
  // Microseconds since the log was created (or cleared): the clock of Event::t_us.
  [[nodiscard]] std::int64_t now_us() const;
  // Changes on every clear(), so readers know to drop what they copied.
  [[nodiscard]] std::uint64_t generation() const;
  void clear();
  // Allocates now the slots of every event the limits let it keep, so the events that
  // fill it later do not pay for fresh memory (a small log that lives long: serve's).
  void reserve_all();
  // Called after each append, on the appending thread, with the event as the log keeps
  // it; it must not append or clear itself.
  void set_listener(Listener listener);
  [[nodiscard]] const EventLogLimits& limits() const { return limits_; }

 private:
  std::uint64_t store(Event event, std::optional<std::int64_t> happened_us);
  void drop_oldest();

  EventLogLimits limits_;
  mutable std::mutex mutex_;
  // Reuses its slots: no allocation per event once it is warm, which keeps recording
  // cheap on the echo hot path.
  EventRing ring_;
  std::uint64_t next_seq_ = 1;
  std::uint64_t generation_ = 1;
  std::size_t stored_bytes_ = 0;
  mutable std::condition_variable appended_;
  mutable std::atomic<int> waiters_{0};  // appends notify only when someone waits
  // Read without the lock by now_us(), so a clock reading is never held up by a writer.
  std::atomic<std::int64_t> start_us_{0};
  // Taken by every change to the ring (append, clear) and by set_listener, before mutex_;
  // readers take mutex_ alone.
  std::mutex writer_mutex_;
  Listener listener_;  // guarded by writer_mutex_
};

}  // namespace sockstep
