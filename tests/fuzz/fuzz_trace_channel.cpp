// libFuzzer target: the preload's record writer and the tracer's reader (a ring and the
// channel) under a program that juggles fds against the channel. Each input byte pair is
// an operation: dup2/dup3 of the program's socket onto the channel's number (through the
// guard, as the preload's wrappers do, or raw, as a direct system call would), close of
// the channel, a copy of the channel elsewhere, a move, a record into the ring or over the
// channel. Whatever the order, nothing the writer sends may reach the program's sockets,
// every record sent while the channel was the channel arrives whole and in order, and the
// ring gives back every record written to it.
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "trace/channel.hpp"
#include "trace/ring.hpp"
#include "trace/ring_reader.hpp"
#include "trace/wire.hpp"

using namespace sockstep::trace;

namespace {

std::string record(std::uint8_t size, std::uint8_t fill) {
  WireHeader h{};
  h.magic = kWireMagic;
  h.kind = RecordKind::Call;
  h.call = CallId::Send;
  h.data_len = size;
  h.size = static_cast<std::uint32_t>(sizeof h + size);
  std::string r(reinterpret_cast<const char*>(&h), sizeof h);
  r.append(size, static_cast<char>(fill));
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<int> opened;
  const auto keep = [&](int fd) {
    if (fd >= 0) opened.push_back(fd);
    return fd;
  };
  int pair[2];
  if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) return 0;
  const int reader = keep(pair[0]);
  ChannelEnd channel;
  channel.fd = keep(::fcntl(pair[1], F_DUPFD_CLOEXEC, 700));  // a high number, as the launcher picks
  ::close(pair[1]);
  struct stat st {};
  ::fstat(channel.fd, &st);
  channel.inode = st.st_ino;
  int program[2], peer[2];  // the program's sockets and their peers, which must get nothing
  for (int i = 0; i < 2; ++i) {
    int p[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, p) != 0) return 0;
    program[i] = keep(p[0]);
    peer[i] = keep(p[1]);
  }
  RingHeader* ring = nullptr;
  const int ring_fd = ring_create(kRingMinBytes, ::getpid(), ring);
  std::string error;
  auto ring_reader = ring_fd >= 0 ? RingReader::open(::dup(ring_fd), error) : nullptr;
  if (ring_fd >= 0) ::close(ring_fd);
  std::deque<std::string> sent, written;

  for (std::size_t i = 0; i + 1 < size; i += 2) {
    const std::uint8_t op = data[i] % 8, arg = data[i + 1];
    const int at = channel.fd;
    switch (op) {
      case 0:  // dup2/dup3 onto the channel's number, through the guard
        if (at >= 0 && channel_move_away(channel, at)) {
          if (channel.fd != at) keep(channel.fd);
          (void)(arg & 1 ? ::dup3(program[arg & 1], at, O_CLOEXEC) : ::dup2(program[arg & 1], at));
        }
        break;
      case 1:  // the same by a raw system call: the guard never saw it
        if (at >= 0) (void)::dup2(program[arg & 1], at);
        break;
      case 2:  // close of the channel
        if (at >= 0) {
          channel_give_up(channel);
          ::close(at);
        }
        break;
      case 3: {  // a record over the channel
        const std::string r = record(arg, static_cast<std::uint8_t>(i));
        iovec iov{const_cast<char*>(r.data()), r.size()};
        msghdr message{};
        message.msg_iov = &iov;
        message.msg_iovlen = 1;
        const bool ours = at >= 0 && fd_is_channel(at, channel.inode);
        if (channel_send(channel, &message, 0) >= 0) {
          if (!ours) __builtin_trap();  // written into an fd that was not the channel
          sent.push_back(r);
        }
        break;
      }
      case 4: {  // a record into the ring
        if (ring_reader == nullptr) break;
        const std::string r = record(arg, static_cast<std::uint8_t>(i + 1));
        if (ring_try_write(ring, r.data(), static_cast<std::uint32_t>(r.size())) != RingWrite::Full) written.push_back(r);
        break;
      }
      case 5:  // the program copies the channel elsewhere (harmless)
        if (at >= 0) keep(::fcntl(at, F_DUPFD_CLOEXEC, 800 + arg % 32));
        break;
      case 6:  // a move for no reason
        if (at >= 0 && channel_move_away(channel, at) && channel.fd != at) {
          keep(channel.fd);
          ::close(at);
        }
        break;
      default:  // the reader reads the ring
        if (ring_reader != nullptr)
          ring_reader->drain([&](std::string_view got) {
            if (written.empty() || got != written.front()) __builtin_trap();
            written.pop_front();
          });
        break;
    }
  }
  // Everything sent arrived, whole and in order; nothing else came.
  char buffer[kMaxRecord + 64];
  for (ssize_t n; (n = ::recv(reader, buffer, sizeof buffer, MSG_DONTWAIT)) > 0;) {
    if (sent.empty() || std::string_view(buffer, static_cast<std::size_t>(n)) != sent.front()) __builtin_trap();
    sent.pop_front();
  }
  if (!sent.empty()) __builtin_trap();
  if (ring_reader != nullptr) {
    ring_reader->drain([&](std::string_view got) {
      if (written.empty() || got != written.front()) __builtin_trap();
      written.pop_front();
    });
    if (!written.empty()) __builtin_trap();
  }
  // The program's peers got nothing at all: no record ever went into its sockets.
  for (const int p : peer)
    if (::recv(p, buffer, sizeof buffer, MSG_DONTWAIT) > 0) __builtin_trap();
  ring_reader.reset();
  if (ring != nullptr) ring_unmap(ring, kRingMinBytes);
  std::sort(opened.begin(), opened.end());
  opened.erase(std::unique(opened.begin(), opened.end()), opened.end());
  for (const int fd : opened) ::close(fd);
  return 0;
}
