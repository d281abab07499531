#include "engine/event_log.hpp"

#include <chrono>
#include <optional>

namespace sockstep {
namespace {
std::int64_t now_us() {
  using namespace std::chrono;
  return duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count();
}
}  // namespace

const char* event_kind_name(EventKind kind) {
  switch (kind) {
    case EventKind::Call: return "call";
    case EventKind::Blocked: return "blocked";
    case EventKind::Print: return "print";
    case EventKind::Note: return "note";
  }
  return "?";
}

EventLog::EventLog(EventLogLimits limits) : limits_(limits), start_us_(now_us()) {}

std::uint64_t EventLog::append(Event event) {
  if (event.byte_count < event.bytes.size()) event.byte_count = event.bytes.size();
  if (event.bytes.size() > limits_.max_bytes_per_event) event.bytes.resize(limits_.max_bytes_per_event);
  // Held across the append so listeners see events one at a time and in order.
  std::lock_guard listener_lock(listener_mutex_);
  std::optional<Event> copy;
  if (listener_) copy = event;
  std::uint64_t seq;
  {
    std::lock_guard lock(mutex_);
    seq = next_seq_++;
    event.seq = seq;
    event.t_us = now_us() - start_us_;
    if (copy) {
      copy->seq = seq;
      copy->t_us = event.t_us;
    }
    stored_bytes_ += event.bytes.size();
    events_.push_back(std::move(event));
    while (!events_.empty() &&
           (events_.size() > limits_.max_events || stored_bytes_ > limits_.max_total_bytes)) {
      stored_bytes_ -= events_.front().bytes.size();
      events_.pop_front();
    }
  }
  if (copy) listener_(*copy);
  return seq;
}

std::uint64_t EventLog::copy_since(std::uint64_t from_seq, std::vector<Event>& out) const {
  std::lock_guard lock(mutex_);
  if (events_.empty()) return next_seq_;
  const std::uint64_t first = events_.front().seq;
  std::size_t index = from_seq > first ? static_cast<std::size_t>(from_seq - first) : 0;
  for (; index < events_.size(); ++index) out.push_back(events_[index]);
  return next_seq_;
}

std::vector<Event> EventLog::all() const {
  std::lock_guard lock(mutex_);
  return {events_.begin(), events_.end()};
}

std::size_t EventLog::size() const {
  std::lock_guard lock(mutex_);
  return events_.size();
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
  std::lock_guard lock(mutex_);
  events_.clear();
  stored_bytes_ = 0;
  ++generation_;
  start_us_ = now_us();
}

void EventLog::set_listener(Listener listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
}

}  // namespace sockstep
