#pragma once
#include <cstddef>
#include <cstdint>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "engine/bytes.hpp"

namespace sockstep {

enum class EventKind {
  Call,     // a socket call returned (value / errno)
  Blocked,  // a call is about to wait for its peer (in the kernel, or in poll())
  Print,    // what the program prints to its console
  Note,     // a remark from sockstep itself (port changed, reset)
  Packet,   // a TCP segment or UDP datagram seen on loopback (engine/capture)
};

[[nodiscard]] const char* event_kind_name(EventKind kind);

// What a captured packet adds to its event. call holds its label ("SYN", "PSH"),
// bytes its payload as far as the capture kept it, byte_count the payload's real length.
struct PacketFields {
  std::uint16_t from_port = 0;
  std::uint16_t to_port = 0;
  std::uint8_t tcp_flags = 0;   // FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10
  bool udp = false;
  bool ipv6 = false;
  std::uint32_t tcp_seq = 0;
  std::uint32_t tcp_ack = 0;
  std::int64_t kernel_us = 0;   // the kernel's timestamp, microseconds since the Unix epoch
  std::int64_t at_us = 0;       // the same moment on the log's clock (t_us is when it was logged)
  std::uint64_t caused_by = 0;  // seq of the call that was running when it left; 0: none or unknown
};

struct Event {
  std::uint64_t seq = 0;
  std::int64_t t_us = 0;     // microseconds since the log was created
  EventKind kind = EventKind::Call;
  std::string actor;         // "server", "client"
  std::string call;          // "recv"
  // Python-style: "1024", "('127.0.0.1', 8084)". The data of send/sendall/sendto is in
  // bytes only, not formatted here: formatting on every send would slow the hot path.
  std::string args;
  int fd = -1;
  long long value = 0;       // return value (fd, byte count, connect_ex code)
  int err = 0;               // errno, 0 when the call succeeded
  std::string detail;        // peer address, console text, note text
  Bytes bytes;               // data sent or received (possibly capped), shared with the call's result
  std::size_t byte_count = 0;  // the real count; bytes.size() < byte_count when capped
  int step = -1;             // lesson step that made the call, -1 outside lessons
  PacketFields packet;       // only for EventKind::Packet

  [[nodiscard]] bool ok() const { return err == 0; }
  [[nodiscard]] bool capped() const { return bytes.size() < byte_count; }
};

struct EventLogLimits {
  std::size_t max_events = 200000;
  std::size_t max_bytes_per_event = 64 * 1024;
  std::size_t max_total_bytes = 64 * 1024 * 1024;
};

// Bounded, thread-safe, append-only log. Old events are dropped first when a limit
// is reached; sequence numbers keep counting so readers can follow incrementally.
class EventLog {
 public:
  using Listener = std::function<void(const Event&)>;

  explicit EventLog(EventLogLimits limits = {});

  std::uint64_t append(Event event);
  // Appends to out every event with seq >= from_seq; returns the next seq to ask for.
  std::uint64_t copy_since(std::uint64_t from_seq, std::vector<Event>& out) const;
  [[nodiscard]] std::vector<Event> all() const;
  [[nodiscard]] std::size_t size() const;
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
  // Called after each append, on the appending thread, with the event as the log keeps
  // it; it must not append or clear itself.
  void set_listener(Listener listener);
  [[nodiscard]] const EventLogLimits& limits() const { return limits_; }

 private:
  // Ring order: the oldest event is ring_[head_], the i-th ring_[(head_ + i) % size].
  // A vector ring reuses its slots: no allocation per event once it is warm, which
  // keeps recording cheap on the echo hot path.
  [[nodiscard]] const Event& at(std::size_t i) const { return ring_[(head_ + i) % ring_.size()]; }
  void drop_oldest();

  EventLogLimits limits_;
  mutable std::mutex mutex_;
  std::vector<Event> ring_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
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
