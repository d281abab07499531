#include "check/check_client.hpp"

#include <netinet/in.h>
#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

namespace sockstep::check {

namespace {

using Clock = std::chrono::steady_clock;

sockaddr_in loopback(int port) {
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return sa;
}

int ms_left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left < 0 ? 0 : static_cast<int>(left) + 1;
}

}  // namespace

CheckClient::~CheckClient() {
  if (fd_ >= 0) ::close(fd_);
}

CheckClient::CheckClient(CheckClient&& other) noexcept { *this = std::move(other); }

CheckClient& CheckClient::operator=(CheckClient&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    local_ = std::move(other.local_);
    queued_ = std::move(other.queued_);
    queued_at_ = other.queued_at_;
    sent_ = std::move(other.sent_);
    received_ = std::move(other.received_);
    eof_ = other.eof_;
    error_ = other.error_;
  }
  return *this;
}

int CheckClient::connect(int port, std::chrono::milliseconds within, int rcvbuf) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) return errno;
  // Before connect, so the window the handshake offers is already the small one.
  if (rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
  const sockaddr_in sa = loopback(port);
  if (::connect(fd_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0) {
    if (errno != EINPROGRESS) return error_ = errno;
    pollfd p{fd_, POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(within.count())) <= 0) return error_ = ETIMEDOUT;
    int err = 0;
    socklen_t length = sizeof err;
    ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &length);
    if (err != 0) return error_ = err;
  }
  sockaddr_storage own{};
  socklen_t own_length = sizeof own;
  ::getsockname(fd_, reinterpret_cast<sockaddr*>(&own), &own_length);
  local_ = from_sockaddr(reinterpret_cast<const sockaddr*>(&own), own_length);
  return 0;
}

void CheckClient::queue(const std::string& bytes) { queued_ += bytes; }

void CheckClient::send_queued() {
  const ssize_t n = ::send(fd_, queued_.data() + queued_at_, unsent(), MSG_NOSIGNAL);
  if (n > 0) {
    sent_.append(queued_, queued_at_, static_cast<std::size_t>(n));
    queued_at_ += static_cast<std::size_t>(n);
  } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
    error_ = errno;
  }
}

bool CheckClient::pump(const std::function<bool()>& done, std::chrono::milliseconds within) {
  const auto deadline = Clock::now() + within;
  char buffer[65536];
  while (!done()) {
    if (fd_ < 0 || eof_ || error_ != 0 || Clock::now() >= deadline) return done();
    pollfd p{fd_, static_cast<short>(POLLIN | (unsent() > 0 ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, ms_left(deadline)) <= 0) continue;
    if ((p.revents & POLLOUT) != 0 && unsent() > 0) {
      send_queued();
    }
    if ((p.revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n > 0) received_.append(buffer, static_cast<std::size_t>(n));
      else if (n == 0) eof_ = true;
      else if (errno != EAGAIN && errno != EINTR) error_ = errno;
    }
  }
  return true;
}

void CheckClient::stall(std::chrono::milliseconds during) {
  const auto deadline = Clock::now() + during;
  while (fd_ >= 0 && error_ == 0 && Clock::now() < deadline) {
    pollfd p{fd_, static_cast<short>(unsent() > 0 ? POLLOUT : 0), 0};
    if (::poll(&p, 1, ms_left(deadline)) <= 0 || unsent() == 0) continue;
    send_queued();
  }
}

bool CheckClient::peer_closed() {
  char buffer[4096];
  for (int i = 0; fd_ >= 0 && !eof_ && error_ == 0 && i < 1024; ++i) {
    const ssize_t n = ::recv(fd_, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n > 0) received_.append(buffer, static_cast<std::size_t>(n));
    else if (n == 0) eof_ = true;
    else if (errno == EAGAIN || errno == EINTR) break;
    else error_ = errno;
  }
  return eof_;
}

void CheckClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void CheckClient::reset() {
  if (fd_ < 0) return;
  const linger abort{1, 0};
  ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
  close();
}

int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return 0;
  sockaddr_in sa = loopback(0);
  socklen_t length = sizeof sa;
  int port = 0;
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &length) == 0)
    port = ntohs(sa.sin_port);
  ::close(fd);
  return port;
}

}  // namespace sockstep::check
