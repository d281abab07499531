#include "engine/log/event_log.hpp"

#include <algorithm>
#include <optional>

#include <chrono>

namespace sockstep {
namespace {
std::int64_t steady_now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

EventLog::EventLog(EventLogLimits limits) : limits_(limits), start_us_(steady_now_us()) {}

std::uint64_t EventLog::append(Event event) { return store(std::move(event), std::nullopt); }

std::uint64_t EventLog::append_happened(Event event, std::int64_t monotonic_us) {
  return store(std::move(event), monotonic_us);
}

std::uint64_t EventLog::store(Event event, std::optional<std::int64_t> happened_us) {
  if (event.byte_count < event.bytes.size()) event.byte_count = event.bytes.size();
  // An event keeps a copy of what it shows when the buffer it shares is much larger: a
  // capped event, or a send that queued a part of a large buffer. What an event holds
  // stays within twice what it shows, and within the cap.
  if (event.bytes.size() > limits_.max_bytes_per_event)
    event.bytes = Bytes(event.bytes.substr(0, limits_.max_bytes_per_event));
  else
    event.bytes.fit();
  // Every change to the ring happens under the writer lock. The listener is called with
  // it still held, so it sees events one at a time and in order, and it reads the event
  // where the ring keeps it: nothing can move or drop it meanwhile, and no copy is made.
  std::lock_guard writer(writer_mutex_);
  std::uint64_t seq;
  const Event* stored;
  {
    std::lock_guard lock(mutex_);
    seq = next_seq_++;
    event.seq = seq;
    const std::int64_t now = steady_now_us();
    event.t_us = std::min(happened_us.value_or(now), now) - start_us_.load(std::memory_order_relaxed);
    // Bytes count by the memory they hold, which may be more than they show (Bytes::keep).
    const std::size_t footprint = event.bytes.footprint();
    while (ring_.size() > 0 && (ring_.size() >= limits_.max_events ||
                                stored_bytes_ + footprint > limits_.max_total_bytes))
      drop_oldest();
    stored_bytes_ += footprint;
    stored = &ring_.push_back(std::move(event));
  }
  if (waiters_.load(std::memory_order_acquire) > 0) appended_.notify_all();
  if (listener_) listener_(*stored);
  return seq;
}

void EventLog::drop_oldest() {
  stored_bytes_ -= ring_[0].bytes.footprint();
  ring_.pop_front();
}

std::uint64_t EventLog::copy_since(std::uint64_t from_seq, std::vector<Event>& out) const {
  return visit_since(from_seq, [&out](const Event& e) { out.push_back(e); });
}

std::uint64_t EventLog::visit_since(std::uint64_t from_seq, const std::function<void(const Event&)>& visit) const {
  std::lock_guard lock(mutex_);
  if (ring_.size() == 0) return next_seq_;
  const std::uint64_t first = ring_[0].seq;
  for (std::size_t index = from_seq > first ? static_cast<std::size_t>(from_seq - first) : 0; index < ring_.size(); ++index)
    visit(ring_[index]);
  return next_seq_;
}

bool EventLog::wait_for(std::uint64_t seq, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  waiters_.fetch_add(1, std::memory_order_acq_rel);
  const bool arrived = appended_.wait_for(lock, timeout, [&] { return next_seq_ > seq; });
  waiters_.fetch_sub(1, std::memory_order_acq_rel);
  return arrived;
}

std::int64_t EventLog::now_us() const { return steady_now_us() - start_us_.load(std::memory_order_relaxed); }

std::vector<Event> EventLog::all() const {
  std::lock_guard lock(mutex_);
  std::vector<Event> out;
  out.reserve(ring_.size());
  for (std::size_t i = 0; i < ring_.size(); ++i) out.push_back(ring_[i]);
  return out;
}

std::size_t EventLog::size() const {
  std::lock_guard lock(mutex_);
  return ring_.size();
}

std::size_t EventLog::stored_bytes() const {
  std::lock_guard lock(mutex_);
  return stored_bytes_;
}

std::uint64_t EventLog::next_seq() const {
  std::lock_guard lock(mutex_);
  return next_seq_;
}

std::uint64_t EventLog::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void EventLog::clear() {
  std::lock_guard writer(writer_mutex_);
  std::lock_guard lock(mutex_);
  ring_.clear();  // its slots stay: a reset replays into them without growing it again
  stored_bytes_ = 0;
  ++generation_;
  start_us_.store(steady_now_us(), std::memory_order_relaxed);
}

void EventLog::reserve_all() {
  std::lock_guard writer(writer_mutex_);
  std::lock_guard lock(mutex_);
  ring_.reserve(limits_.max_events);
}

void EventLog::set_listener(Listener listener) {
  std::lock_guard writer(writer_mutex_);
  listener_ = std::move(listener);
}

}  // namespace sockstep
