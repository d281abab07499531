#include "engine/sockets/unsent_wait.hpp"

#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>

#include <cstddef>

namespace sockstep {
namespace {

// tcpi_notsent_bytes (Linux 4.6 on), or -1 when the kernel's tcp_info is shorter.
long long notsent_bytes(int fd) {
  tcp_info info{};
  socklen_t length = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &length) != 0) return -1;
  if (length < offsetof(tcp_info, tcpi_notsent_bytes) + sizeof info.tcpi_notsent_bytes) return -1;
  return info.tcpi_notsent_bytes;
}

}  // namespace

UnsentWait wait_until_sent(int fd, std::chrono::milliseconds bound) {
  UnsentWait out;
  const auto start = std::chrono::steady_clock::now();
  out.first_bytes = notsent_bytes(fd);
  if (out.first_bytes < 0) return out;
  long long left = out.first_bytes;
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (left == 0) {
      out.waited_us = std::chrono::duration_cast<std::chrono::microseconds>(now - start).count();
      return out;
    }
    if (now - start >= bound) {
      out.waited_us = std::chrono::duration_cast<std::chrono::microseconds>(now - start).count();
      out.gave_up = true;
      return out;
    }
    const timespec pause{0, 100'000};
    (void)::nanosleep(&pause, nullptr);
    left = notsent_bytes(fd);
    if (left < 0) return out;
  }
}

}  // namespace sockstep
