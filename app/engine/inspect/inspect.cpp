#include "engine/inspect/inspect.hpp"

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
#include <linux/rtnetlink.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <optional>
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
constexpr int kTcpClose = 7;    // TCP_CLOSE

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
  bool never_acked = false;  // the peer never acknowledged anything, not even the SYN
  if (tcp) {
    tcp_info info{};
    socklen_t length = sizeof info;
    if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) == 0) {
      // An acknowledged SYN counts as one byte acked (the kernel adds every sequence number).
      const bool has_acked = length >= offsetof(tcp_info, tcpi_bytes_acked) + sizeof info.tcpi_bytes_acked;
      never_acked = info.tcpi_state == kTcpClose && has_acked && info.tcpi_bytes_acked == 0;
      // An older kernel's struct ends before tcpi_snd_wnd.
      if (length >= offsetof(tcp_info, tcpi_snd_wnd) + sizeof info.tcpi_snd_wnd && !view.peer.empty())
        view.peer_window = info.tcpi_snd_wnd;
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
    view.outq_is_syn = never_acked && view.outq > 0;
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

int meminfo(const rtattr* attr, int index) {
  const auto length = static_cast<std::size_t>(RTA_PAYLOAD(attr));
  if (length < (static_cast<std::size_t>(index) + 1) * sizeof(__u32)) return -1;
  __u32 value = 0;
  std::memcpy(&value, static_cast<const char*>(RTA_DATA(attr)) + index * sizeof(__u32), sizeof value);
  return static_cast<int>(value);
}

// The attributes asked for with idiag_ext follow the message: buffer sizes and tcp_info.
void read_attributes(const nlmsghdr* header, const inet_diag_msg* msg, DiagSocket& out) {
  auto* attr = reinterpret_cast<const rtattr*>(msg + 1);
  int left = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
  for (; RTA_OK(attr, left); attr = RTA_NEXT(attr, left)) {
    if (attr->rta_type == INET_DIAG_SKMEMINFO) {
      out.rcvbuf = meminfo(attr, SK_MEMINFO_RCVBUF);
      out.sndbuf = meminfo(attr, SK_MEMINFO_SNDBUF);
    } else if (attr->rta_type == INET_DIAG_INFO) {
      tcp_info info{};
      std::memcpy(&info, RTA_DATA(attr), std::min<std::size_t>(RTA_PAYLOAD(attr), sizeof info));
      out.rtt_us = info.tcpi_rtt;
    }
  }
}

DiagSocket diag_socket(int family, const nlmsghdr* header, const inet_diag_msg* msg) {
  DiagSocket socket;
  socket.state = tcp_state_name(msg->idiag_state);
  socket.local = diag_address(family, msg->id.idiag_src, msg->id.idiag_sport);
  socket.peer = diag_address(family, msg->id.idiag_dst, msg->id.idiag_dport);
  socket.inode = msg->idiag_inode;
  socket.rqueue = static_cast<int>(msg->idiag_rqueue);
  socket.wqueue = static_cast<int>(msg->idiag_wqueue);
  socket.timer_ms = static_cast<int>(msg->idiag_expires);
  read_attributes(header, msg, socket);
  return socket;
}

constexpr __u32 kDiagExtensions = (1u << (INET_DIAG_INFO - 1)) | (1u << (INET_DIAG_SKMEMINFO - 1));

// A TCP sock_diag request for every state, asking for tcp_info and the buffer sizes.
struct DiagRequest {
  nlmsghdr header;
  inet_diag_req_v2 request;
};
DiagRequest diag_request(int family, int flags) {
  DiagRequest req{};
  req.header.nlmsg_len = sizeof req;
  req.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.header.nlmsg_flags = static_cast<__u16>(flags);
  req.request.sdiag_family = static_cast<__u8>(family);
  req.request.sdiag_protocol = IPPROTO_TCP;
  req.request.idiag_states = ~0u;
  req.request.idiag_ext = kDiagExtensions;
  return req;
}

// One socket by its addresses: the kernel looks it up in its hash tables instead of
// walking them all, which a dump does (milliseconds with large tables).
std::optional<DiagSocket> lookup_one(int netlink, const Address& local, const Address& peer) {
  const int family = local.family;
  DiagRequest req = diag_request(family, NLM_F_REQUEST);
  req.request.id.idiag_sport = htons(static_cast<std::uint16_t>(local.port));
  req.request.id.idiag_dport = htons(static_cast<std::uint16_t>(peer.empty() ? 0 : peer.port));
  req.request.id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  req.request.id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;
  if (::inet_pton(family, local.host.c_str(), req.request.id.idiag_src) != 1) return std::nullopt;
  if (!peer.empty() && ::inet_pton(family, peer.host.c_str(), req.request.id.idiag_dst) != 1) return std::nullopt;
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(netlink, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return std::nullopt;
  alignas(nlmsghdr) char buffer[8192];
  const ssize_t n = ::recv(netlink, buffer, sizeof buffer, 0);
  if (n <= 0) return std::nullopt;
  auto* header = reinterpret_cast<nlmsghdr*>(buffer);
  if (!NLMSG_OK(header, static_cast<int>(n)) || header->nlmsg_type != SOCK_DIAG_BY_FAMILY) return std::nullopt;
  return diag_socket(family, header, static_cast<const inet_diag_msg*>(NLMSG_DATA(header)));
}

void query_family(int netlink, int family, const std::set<int>& ports, std::vector<DiagSocket>& out) {
  const DiagRequest req = diag_request(family, NLM_F_REQUEST | NLM_F_DUMP);
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (::sendto(netlink, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) < 0)
    return;
  alignas(nlmsghdr) char buffer[32768];
  // A dump ends with NLMSG_DONE; the bound only guards against a kernel that never says so.
  for (int round = 0; round < 100000; ++round) {
    const ssize_t n = ::recv(netlink, buffer, sizeof buffer, 0);
    if (n <= 0) return;
    auto* header = reinterpret_cast<nlmsghdr*>(buffer);
    int left = static_cast<int>(n);
    for (; NLMSG_OK(header, left); header = NLMSG_NEXT(header, left)) {
      if (header->nlmsg_type == NLMSG_DONE || header->nlmsg_type == NLMSG_ERROR) return;
      const auto* msg = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
      const int sport = ntohs(msg->id.idiag_sport);
      const int dport = ntohs(msg->id.idiag_dport);
      if (!ports.contains(sport) && !ports.contains(dport)) continue;
      out.push_back(diag_socket(family, header, msg));
    }
  }
}

}  // namespace

std::vector<DiagSocket> diag_sockets(const std::set<int>& ports) {
  std::vector<DiagSocket> out;
  if (ports.empty()) return out;
  const int netlink = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (netlink < 0) return out;
  query_family(netlink, AF_INET, ports, out);
  query_family(netlink, AF_INET6, ports, out);
  ::close(netlink);
  return out;
}

std::vector<std::optional<DiagSocket>> diag_lookup(const std::vector<DiagSocket>& known) {
  std::vector<std::optional<DiagSocket>> out(known.size());
  if (known.empty()) return out;
  const int netlink = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (netlink < 0) return out;
  for (std::size_t i = 0; i < known.size(); ++i) {
    const DiagSocket& socket = known[i];
    if (socket.local.family != AF_INET && socket.local.family != AF_INET6) continue;
    out[i] = lookup_one(netlink, socket.local, socket.listening() ? Address{} : socket.peer);
  }
  ::close(netlink);
  return out;
}

std::vector<OrphanSocket> orphan_sockets(const std::set<int>& ports) {
  std::vector<OrphanSocket> out;
  for (DiagSocket& socket : diag_sockets(ports)) {
    // A socket that still has a file descriptor has an inode; orphans have none. Both
    // ports in the set: the session's own connections, not older ones on the same port.
    if (socket.inode != 0 || !ports.contains(socket.local.port) || !ports.contains(socket.peer.port)) continue;
    out.push_back(OrphanSocket{std::move(socket.state), std::move(socket.local), std::move(socket.peer),
                               socket.timer_ms});
  }
  return out;
}

void ConnectionSet::add(const Address& local, const Address& peer) {
  // Only a connection has both ends named; a listener or an unbound socket explains nothing.
  if (local.empty() || peer.empty() || peer.port == 0) return;
  seen_.emplace(local.to_string(), peer.to_string());
}

bool ConnectionSet::has(const Address& local, const Address& peer) const {
  const std::string l = local.to_string();
  const std::string p = peer.to_string();
  return seen_.contains({l, p}) || seen_.contains({p, l});
}

void ConnectionSet::sort_orphans(std::vector<OrphanSocket>& orphans) const {
  for (OrphanSocket& orphan : orphans) orphan.earlier = !has(orphan.local, orphan.peer);
  std::stable_partition(orphans.begin(), orphans.end(), [](const OrphanSocket& o) { return !o.earlier; });
}

}  // namespace sockstep
