#include "engine/inspect.hpp"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>

namespace sockstep {

const char* tcp_state_name(int state) {
  // Values of the kernel's enum (include/net/tcp_states.h).
  static constexpr const char* kNames[] = {"?",          "ESTABLISHED", "SYN_SENT",  "SYN_RECV",
                                           "FIN_WAIT1",  "FIN_WAIT2",   "TIME_WAIT", "CLOSE",
                                           "CLOSE_WAIT", "LAST_ACK",    "LISTEN",    "CLOSING",
                                           "NEW_SYN_RECV"};
  if (state < 0 || state >= static_cast<int>(std::size(kNames))) return "?";
  return kNames[state];
}

namespace {

constexpr int kTcpListen = 10;  // the kernel's TCP_LISTEN; <linux/tcp.h> does not name it

int int_option(int fd, int level, int name) {
  int value = 0;
  socklen_t length = sizeof value;
  return ::getsockopt(fd, level, name, &value, &length) == 0 ? value : -1;
}

Address name_of(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t length = sizeof ss;
  const int rc = peer ? ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &length)
                      : ::getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &length);
  if (rc != 0) return {};
  return from_sockaddr(reinterpret_cast<sockaddr*>(&ss), length);
}

}  // namespace

SocketView inspect_socket(int fd) {
  SocketView view;
  view.fd = fd;
  view.family = int_option(fd, SOL_SOCKET, SO_DOMAIN);
  view.type = int_option(fd, SOL_SOCKET, SO_TYPE);
  if (view.family < 0 || view.type < 0) {
    view.error = errno;
    return view;
  }
  view.local = name_of(fd, false);
  view.peer = name_of(fd, true);
  view.rcvbuf = int_option(fd, SOL_SOCKET, SO_RCVBUF);
  view.sndbuf = int_option(fd, SOL_SOCKET, SO_SNDBUF);
  view.reuseaddr = int_option(fd, SOL_SOCKET, SO_REUSEADDR) > 0;
  view.listening = int_option(fd, SOL_SOCKET, SO_ACCEPTCONN) > 0;

  const bool tcp = (view.family == AF_INET || view.family == AF_INET6) && view.type == SOCK_STREAM;
  if (tcp) {
    tcp_info info{};
    socklen_t length = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0) {
      view.state = tcp_state_name(info.tcpi_state);
      if (info.tcpi_state == kTcpListen) {
        // On a listener the kernel reports the accept queue in these two fields.
        view.accept_queue = static_cast<int>(info.tcpi_unacked);
        view.backlog = static_cast<int>(info.tcpi_sacked);
      }
    }
  } else if (view.listening) {
    view.state = "LISTEN";
  } else {
    view.state = view.peer.empty() ? "UNCONN" : "CONNECTED";
  }
  if (!view.listening) {
    int bytes = 0;
    if (::ioctl(fd, SIOCINQ, &bytes) == 0) view.inq = bytes;
    if (::ioctl(fd, SIOCOUTQ, &bytes) == 0) view.outq = bytes;
  }
  return view;
}

namespace {

Address diag_address(int family, const __be32* words, __be16 port) {
  Address out;
  out.family = family;
  out.port = ntohs(port);
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(family, words, text, sizeof text);
  out.host = text;
  return out;
}

void query_family(int netlink, int family, const std::set<int>& ports,
                  std::vector<OrphanSocket>& out) {
  struct Request {
    nlmsghdr header;
    inet_diag_req_v2 request;
  } req{};
  req.header.nlmsg_len = sizeof req;
  req.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  req.request.sdiag_family = static_cast<__u8>(family);
  req.request.sdiag_protocol = IPPROTO_TCP;
  req.request.idiag_states = ~0u;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(netlink, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return;
  alignas(nlmsghdr) char buffer[16384];
  for (;;) {
    const ssize_t n = ::recv(netlink, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    auto* header = reinterpret_cast<nlmsghdr*>(buffer);
    int left = static_cast<int>(n);
    for (; NLMSG_OK(header, left); header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR) return;
      const auto* msg = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      // A socket that still has a file descriptor has an inode; orphans have none.
      if (msg->idiag_inode != 0) continue;
      const int sport = ntohs(msg->id.idiag_sport);
      const int dport = ntohs(msg->id.idiag_dport);
      if (!ports.contains(sport) || !ports.contains(dport)) continue;
      OrphanSocket orphan;
      orphan.state = tcp_state_name(msg->idiag_state);
      orphan.local = diag_address(family, msg->id.idiag_src, msg->id.idiag_sport);
      orphan.peer = diag_address(family, msg->id.idiag_dst, msg->id.idiag_dport);
      orphan.timer_ms = static_cast<int>(msg->idiag_expires);
      out.push_back(std::move(orphan));
    }
  }
}

}  // namespace

std::vector<OrphanSocket> orphan_sockets(const std::set<int>& ports) {
  std::vector<OrphanSocket> out;
  if (ports.empty()) return out;
  const int netlink = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (netlink < 0) return out;
  query_family(netlink, AF_INET, ports, out);
  query_family(netlink, AF_INET6, ports, out);
  ::close(netlink);
  return out;
}

}  // namespace sockstep
