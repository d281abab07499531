#include "engine/sockets/port_probe.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "engine/log/address.hpp"

namespace sockstep {
namespace {

// Binds (and listens, so an active listener on the port is detected) a probe socket.
int probe(int port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  const auto sa = to_sockaddr(Address{AF_INET, "127.0.0.1", port, {}});
  int result = -1;
  if (sa && ::bind(fd, sa->get(), sa->length) == 0 && ::listen(fd, 1) == 0) {
    sockaddr_in bound{};
    socklen_t length = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length) == 0) result = ntohs(bound.sin_port);
  }
  ::close(fd);
  return result;
}

}  // namespace

bool port_is_free(int port) { return probe(port) == port; }

int free_port() {
  const int port = probe(0);
  return port > 0 ? port : 0;
}

}  // namespace sockstep
