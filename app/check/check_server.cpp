#include "check/check_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace sockstep::check {

namespace {

using Clock = std::chrono::steady_clock;

// Pieces: the first byte of a reply waits this long, then each next byte waits kGap.
// A client that takes its first recv() as the whole reply gets one byte; one that gives
// up on a short timeout gets nothing. After kPieces bytes the rest goes at once.
constexpr auto kFirstDelay = std::chrono::milliseconds(200);
constexpr auto kGap = std::chrono::milliseconds(20);
constexpr std::size_t kPieces = 32;

struct Conn {
  int fd = -1;
  std::size_t index = 0;  // in connections_
  std::string pending;    // received, not yet sent back
  std::size_t pieces_sent = 0;
  Clock::time_point next_send{};
  bool client_done = false;
};

}  // namespace

CheckServer::~CheckServer() { stop(); }

int CheckServer::start(int port, ServeMode mode) {
  mode_ = mode;
  listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (listener_ < 0) return errno;
  const int on = 1;
  ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(static_cast<std::uint16_t>(port));
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener_, reinterpret_cast<const sockaddr*>(&sa), sizeof sa) != 0 || ::listen(listener_, 16) != 0) {
    const int err = errno;
    ::close(listener_);
    listener_ = -1;
    return err;
  }
  if (::pipe2(stop_pipe_, O_CLOEXEC) != 0) return errno;
  thread_ = std::thread([this] { serve(); });
  return 0;
}

void CheckServer::stop() {
  if (thread_.joinable()) {
    const char byte = 's';
    (void)!::write(stop_pipe_[1], &byte, 1);
    thread_.join();
  }
  for (int* fd : {&listener_, &stop_pipe_[0], &stop_pipe_[1]})
    if (*fd >= 0) ::close(std::exchange(*fd, -1));
}

std::vector<ServedConnection> CheckServer::connections() const {
  std::lock_guard lock(mutex_);
  return connections_;
}

void CheckServer::serve() {
  std::vector<Conn> conns;
  char buffer[65536];
  // Bounded: every round waits in poll for a client, a timer or the stop.
  for (std::uint64_t round = 0; round < (1ULL << 40); ++round) {
    std::vector<pollfd> fds{{stop_pipe_[0], POLLIN, 0}, {listener_, POLLIN, 0}};
    int timeout = -1;
    const auto now = Clock::now();
    for (const auto& c : conns) {
      // Due bytes wait for room in the send buffer; early ones for their moment.
      const bool due = !c.pending.empty() && c.next_send <= now;
      fds.push_back({c.fd, static_cast<short>((c.client_done ? 0 : POLLIN) | (due ? POLLOUT : 0)), 0});
      if (!c.pending.empty() && !due) {
        const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(c.next_send - now).count();
        const int ms = wait < 0 ? 0 : static_cast<int>(wait) + 1;
        timeout = timeout < 0 ? ms : std::min(timeout, ms);
      }
    }
    if (::poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) break;
    if ((fds[0].revents & POLLIN) != 0) break;
    const std::size_t polled = conns.size();  // a connection accepted now is polled next round
    if ((fds[1].revents & POLLIN) != 0) {
      sockaddr_in peer{};
      socklen_t length = sizeof peer;
      const int fd = ::accept4(listener_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        const int on = 1;
        ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);  // each piece its own segment
        std::lock_guard lock(mutex_);
        connections_.push_back({ntohs(peer.sin_port), {}, {}, false});
        conns.push_back({fd, connections_.size() - 1, {}, 0, {}, false});
      }
    }
    for (std::size_t i = 0; i < polled; ++i) {
      Conn& c = conns[i];
      if ((fds[2 + i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
          if (c.pending.empty())
            c.next_send = Clock::now() + (mode_ == ServeMode::Pieces && c.pieces_sent == 0 ? kFirstDelay : kGap);
          if (mode_ == ServeMode::Echo) c.next_send = Clock::now();
          c.pending.append(buffer, static_cast<std::size_t>(n));
          std::lock_guard lock(mutex_);
          connections_[c.index].received.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
          c.client_done = true;
          std::lock_guard lock(mutex_);
          connections_[c.index].client_closed = true;
        }
      }
      if (!c.pending.empty() && Clock::now() >= c.next_send) {
        const bool piece = mode_ == ServeMode::Pieces && c.pieces_sent < kPieces;
        const std::size_t size = piece ? 1 : c.pending.size();
        const ssize_t n = ::send(c.fd, c.pending.data(), size, MSG_NOSIGNAL);
        if (n > 0) {
          std::lock_guard lock(mutex_);
          connections_[c.index].sent.append(c.pending, 0, static_cast<std::size_t>(n));
          c.pending.erase(0, static_cast<std::size_t>(n));
          c.pieces_sent += piece ? 1 : 0;
          c.next_send = Clock::now() + (piece ? kGap : std::chrono::milliseconds(0));
        } else if (n < 0 && errno != EAGAIN) {
          c.pending.clear();  // the client is gone: nothing more can reach it
        }
      }
    }
    // A connection whose client has closed and that has nothing left to send is closed.
    for (std::size_t i = conns.size(); i-- > 0;) {
      if (conns[i].client_done && conns[i].pending.empty()) {
        ::close(conns[i].fd);
        conns.erase(conns.begin() + static_cast<std::ptrdiff_t>(i));
      }
    }
  }
  for (const auto& c : conns) ::close(c.fd);
}

}  // namespace sockstep::check
