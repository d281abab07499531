#pragma once
// Events as the socket layer records them, for tests that feed readers by hand: the
// call, the fd and the socket's facts as values.
#include <cstdint>
#include <string>

#include "engine/log/event.hpp"

namespace sockstep::test {

inline Address v4(int port, std::string host = "127.0.0.1") { return Address{AF_INET, std::move(host), port, {}}; }

inline SocketFacts tcp(Address local = {}, Address peer = {}) {
  SocketFacts f;
  f.family = AF_INET;
  f.type = SOCK_STREAM;
  f.local = std::move(local);
  f.peer = std::move(peer);
  return f;
}

inline SocketFacts udp(Address local = {}, Address peer = {}) {
  SocketFacts f = tcp(std::move(local), std::move(peer));
  f.type = SOCK_DGRAM;
  return f;
}

inline Event call_event(std::string actor, Call call, int fd, SocketFacts facts = {}, long long value = 0,
                        std::string bytes = {}) {
  Event e;
  e.kind = EventKind::Call;
  e.actor = std::move(actor);
  e.call = call;
  e.dir = call_direction(call);
  e.fd = fd;
  e.sock = std::move(facts);
  e.value = value;
  e.byte_count = bytes.size();
  e.bytes = std::move(bytes);
  if (is_connect(call) && (e.sock.family == AF_INET || e.sock.family == AF_INET6) && e.sock.stream())
    e.wire = WireEffect::Syn;
  return e;
}

inline Event packet_event(PacketKind kind, int from_port, int to_port, std::int64_t at_us = 0, std::size_t bytes = 0) {
  Event p;
  p.kind = EventKind::Packet;
  p.actor = "packet";
  p.packet.label = kind;
  p.packet.from = v4(from_port);
  p.packet.to = v4(to_port);
  p.packet.udp = kind == PacketKind::Udp;
  p.packet.at_us = at_us;
  p.byte_count = bytes;
  return p;
}

}  // namespace sockstep::test
