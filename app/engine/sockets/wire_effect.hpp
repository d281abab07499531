#pragma once
#include "engine/log/event.hpp"

namespace sockstep {

// What closing or shutting down fd is about to put on the wire, asked of the kernel
// just before the call (tcp(7), socket(7)): an RST when SO_LINGER is {1, 0} or unread
// data waits (close), a FIN from a connection that has not sent one, nothing otherwise
// (not TCP, a listener, a socket never connected, or a FIN already sent).
[[nodiscard]] WireEffect close_effect(int fd);
// how: SHUT_RD sends nothing; SHUT_WR and SHUT_RDWR send the FIN close would.
[[nodiscard]] WireEffect shutdown_effect(int fd, int how);

// The kernel's facts those two decide by, read where the call is made (a traced
// program's preload reads the same ones and sends them along).
struct CloseFacts {
  int tcp_state = -1;     // TCP_ESTABLISHED...; -1: not a TCP socket
  bool abortive = false;  // SO_LINGER {1, 0}
  int unread = 0;         // SIOCINQ
};
[[nodiscard]] CloseFacts close_facts(int fd);
[[nodiscard]] WireEffect close_effect(const CloseFacts& facts);
[[nodiscard]] WireEffect shutdown_effect(const CloseFacts& facts, int how);

}  // namespace sockstep
