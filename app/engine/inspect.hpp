#pragma once
#include <set>
#include <string>
#include <vector>

#include "engine/address.hpp"

namespace sockstep {

// The kernel's view of one open socket, read with getsockopt/ioctl; never cached.
struct SocketView {
  int fd = -1;
  int family = 0;
  int type = 0;
  std::string state;     // TCP: CLOSE, LISTEN, ESTABLISHED...; UDP/UNIX: UNCONN, CONNECTED
  Address local;
  Address peer;
  int inq = -1;          // bytes waiting to be read (SIOCINQ); -1 where it does not apply
  int outq = -1;         // bytes not yet acknowledged (SIOCOUTQ)
  int rcvbuf = -1;       // SO_RCVBUF
  int sndbuf = -1;       // SO_SNDBUF
  int accept_queue = -1; // listeners: connections waiting for accept()
  int backlog = -1;      // listeners: the backlog the kernel uses
  bool listening = false;
  bool reuseaddr = false;
  int error = 0;         // inspection failed with this errno (fd closed meanwhile)
};

[[nodiscard]] SocketView inspect_socket(int fd);
[[nodiscard]] const char* tcp_state_name(int state);  // "ESTABLISHED" for TCP_ESTABLISHED

// A TCP socket that no longer has a file descriptor (TIME_WAIT, FIN_WAIT2, ...),
// read from the kernel with NETLINK_SOCK_DIAG.
struct OrphanSocket {
  std::string state;
  Address local;
  Address peer;
  int timer_ms = 0;  // time left on its timer (TIME_WAIT counts down from 60 s)
};

// Every fd-less TCP socket (IPv4 and IPv6) whose local and peer ports are both in
// ports: the connections this session made, not older ones on the same well-known port.
[[nodiscard]] std::vector<OrphanSocket> orphan_sockets(const std::set<int>& ports);

}  // namespace sockstep
