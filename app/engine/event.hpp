#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

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

}  // namespace sockstep
