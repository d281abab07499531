#include "engine/sockets/fd_facts.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <unordered_map>

namespace sockstep {
namespace {

struct Table {
  std::mutex mutex;
  std::unordered_map<int, SocketFacts> facts;
};

Table& table() {
  static Table t;
  return t;
}

Address name_of(int fd, bool peer) {
  sockaddr_storage ss{};
  socklen_t length = sizeof ss;
  auto* sa = reinterpret_cast<sockaddr*>(&ss);
  if ((peer ? ::getpeername(fd, sa, &length) : ::getsockname(fd, sa, &length)) != 0) return {};
  return from_sockaddr(sa, length);
}

}  // namespace

std::uint64_t unix_peer_inode(std::uint64_t inode) {
  if (inode == 0 || inode > 0xFFFFFFFFu) return 0;  // unix_diag asks by a 32-bit inode
  const int netlink = ::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (netlink < 0) return 0;
  struct {
    nlmsghdr header;
    unix_diag_req request;
  } req{};
  req.header.nlmsg_len = sizeof req;
  req.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  req.header.nlmsg_flags = NLM_F_REQUEST;
  req.request.sdiag_family = AF_UNIX;
  req.request.udiag_states = ~0u;
  req.request.udiag_ino = static_cast<__u32>(inode);
  req.request.udiag_show = UDIAG_SHOW_PEER;
  req.request.udiag_cookie[0] = req.request.udiag_cookie[1] = ~0u;  // INET_DIAG_NOCOOKIE
  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  std::uint64_t peer = 0;
  if (::sendto(netlink, &req, sizeof req, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) ==
      static_cast<ssize_t>(sizeof req)) {
    alignas(nlmsghdr) char buffer[1024];
    const ssize_t n = ::recv(netlink, buffer, sizeof buffer, 0);
    const auto* header = reinterpret_cast<const nlmsghdr*>(buffer);
    if (n > 0 && NLMSG_OK(header, static_cast<int>(n)) && header->nlmsg_type == SOCK_DIAG_BY_FAMILY) {
      const auto* msg = static_cast<const unix_diag_msg*>(NLMSG_DATA(header));
      int left = static_cast<int>(header->nlmsg_len - NLMSG_LENGTH(sizeof *msg));
      for (auto* attr = reinterpret_cast<const rtattr*>(msg + 1); left > 0 && RTA_OK(attr, left);
           attr = RTA_NEXT(attr, left)) {
        if (attr->rta_type == UNIX_DIAG_PEER && RTA_PAYLOAD(attr) >= sizeof(__u32)) {
          __u32 value = 0;
          std::memcpy(&value, RTA_DATA(attr), sizeof value);
          peer = value;
        }
      }
    }
  }
  ::close(netlink);
  return peer;
}

namespace fd_facts {

SocketFacts read(int fd) {
  SocketFacts f;
  int value = 0;
  socklen_t length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &value, &length) == 0) f.family = value;
  length = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &length) == 0) f.type = value;
  struct stat st{};
  if (::fstat(fd, &st) == 0) f.inode = st.st_ino;
  f.local = name_of(fd, false);
  f.peer = name_of(fd, true);
  if (f.family == AF_UNIX) f.peer_inode = unix_peer_inode(f.inode);
  return f;
}

SocketFacts learn(int fd) {
  SocketFacts f = read(fd);
  keep(fd, f);
  return f;
}

void keep(int fd, const SocketFacts& facts) {
  if (fd < 0) return;
  Table& t = table();
  std::lock_guard lock(t.mutex);
  t.facts[fd] = facts;
}

SocketFacts get(int fd) {
  if (fd < 0) return {};
  Table& t = table();
  std::lock_guard lock(t.mutex);
  const auto it = t.facts.find(fd);
  return it == t.facts.end() ? SocketFacts{} : it->second;
}

void forget(int fd) {
  Table& t = table();
  std::lock_guard lock(t.mutex);
  t.facts.erase(fd);
}

}  // namespace fd_facts
}  // namespace sockstep
