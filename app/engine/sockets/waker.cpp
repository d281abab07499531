#include "engine/sockets/waker.hpp"

#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>

namespace sockstep {

Waker::Waker() : fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}

Waker::~Waker() {
  if (fd_ >= 0) ::close(fd_);
}

void Waker::wake() {
  // Sequentially consistent on both sides: either enter() sees woken_, or this sees the
  // fd it published. A shutdown before the call starts still ends it: the socket stays shut.
  woken_.store(true);
  const std::uint64_t one = 1;
  if (fd_ >= 0) (void)!::write(fd_, &one, sizeof one);
  if (const int fd = waiting_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);
}

void Waker::rearm() {
  std::uint64_t drained = 0;
  if (fd_ >= 0) (void)!::read(fd_, &drained, sizeof drained);
  woken_.store(false);
}

bool Waker::enter(int fd) {
  waiting_fd_.store(fd);
  if (!woken_.load()) return true;
  waiting_fd_.store(-1);
  return false;
}

void Waker::leave() { waiting_fd_.store(-1); }

}  // namespace sockstep
