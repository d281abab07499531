#pragma once
#include <optional>
#include <set>
#include <utility>
#include <string>
#include <vector>

#include "engine/log/address.hpp"

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
  // TCP in CLOSE after a connect that never completed (refused, timed out): SIOCOUTQ
  // still counts the SYN's sequence number, never acknowledged, though no byte waits to
  // be sent (the kernel dropped its queue when the connect failed).
  bool outq_is_syn = false;
  // TCP: the receive window the peer last advertised (tcpi_snd_wnd), what this socket
  // may still send before it hears again; -1 without a peer or where the kernel does not say.
  long long peer_window = -1;
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
  // Left by an earlier run on the same ports: none of this session's sockets was either
  // end of its connection.
  bool earlier = false;
};

// The connections a session's sockets had, by both addresses: an fd-less socket is the
// session's own when its connection is one of them, seen from either end.
class ConnectionSet {
 public:
  void add(const Address& local, const Address& peer);
  [[nodiscard]] bool has(const Address& local, const Address& peer) const;
  // Marks the orphans no connection here explains as earlier, and puts them last.
  void sort_orphans(std::vector<OrphanSocket>& orphans) const;
  void clear() { seen_.clear(); }

 private:
  std::set<std::pair<std::string, std::string>> seen_;  // local, peer as "host:port"
};

// One TCP socket as NETLINK_SOCK_DIAG reports it: any process's, with or without an fd.
struct DiagSocket {
  std::string state;
  Address local;
  Address peer;
  unsigned long inode = 0;  // 0: no file descriptor holds it (TIME_WAIT, FIN_WAIT2...)
  int rqueue = 0;           // listener: accept queue; others: bytes waiting to be read
  int wqueue = 0;           // listener: backlog; others: bytes sent but not acknowledged
  int rcvbuf = -1;          // from INET_DIAG_SKMEMINFO
  int sndbuf = -1;
  int timer_ms = 0;
  unsigned rtt_us = 0;      // from INET_DIAG_INFO (tcp_info); 0 when not reported
  [[nodiscard]] bool listening() const { return state == "LISTEN"; }
};

// Every TCP socket (IPv4 and IPv6) with its local or its peer port in ports: what
// `ss -tanmi` shows for those ports.
[[nodiscard]] std::vector<DiagSocket> diag_sockets(const std::set<int>& ports);

// The same sockets looked up again one by one by their addresses (cheap: no walk of the
// kernel's tables); nullopt where one is gone. A new socket needs diag_sockets().
[[nodiscard]] std::vector<std::optional<DiagSocket>> diag_lookup(const std::vector<DiagSocket>& known);

// Every fd-less TCP socket (IPv4 and IPv6) whose local and peer ports are both in
// ports: the connections this session made, not older ones on the same well-known port.
[[nodiscard]] std::vector<OrphanSocket> orphan_sockets(const std::set<int>& ports);

}  // namespace sockstep
