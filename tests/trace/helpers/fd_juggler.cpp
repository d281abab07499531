// A traced program that goes for the trace channel's fd number, as a hostile or merely
// careful program would. Its modes:
//   dup2 | dup3   puts one end of a loopback TCP connection at the channel's number,
//                 sends on it and checks that the peer got only its own bytes (exit 1 if
//                 a single byte more came: the tracer wrote into the program's socket)
//   close | close_range | closefrom   closes every fd as a daemon does (the last two keep
//                                     the channel: the preload closes the range around it)
//   exec-unset    execs /bin/true without LD_PRELOAD
// Between, socket() calls that the trace shows or, once the channel is gone, does not.
#define _GNU_SOURCE 1
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace {

int channel_fd() {
  const char* value = std::getenv("SOCKSTEP_TRACE_FD");
  return value != nullptr ? std::atoi(value) : 1000;
}

int dup_onto_channel(bool three) {
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  if (::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(listener, 1) != 0 ||
      ::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) != 0)
    return 2;
  const int client = ::socket(AF_INET, SOCK_STREAM, 0);
  if (::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) return 2;
  const int peer = ::accept(listener, nullptr, nullptr);
  const int target = channel_fd();
  if ((three ? ::dup3(client, target, 0) : ::dup2(client, target)) != target) return 2;
  ::close(client);
  // Each call on the channel's number is the program's own now, and each would once
  // have been followed by the tracer's wake-up records in the same socket.
  constexpr int kRounds = 300;
  std::size_t got = 0;
  char buffer[65536];
  for (int i = 0; i < kRounds; ++i) {
    if (::send(target, "x", 1, 0) != 1) return 2;
    const ssize_t n = ::recv(peer, buffer, sizeof buffer, 0);
    if (n <= 0) return 2;
    got += static_cast<std::size_t>(n);
  }
  ::shutdown(target, SHUT_WR);
  for (ssize_t n; (n = ::recv(peer, buffer, sizeof buffer, 0)) > 0;) got += static_cast<std::size_t>(n);
  std::printf("sent %d bytes on fd %d, the peer got %zu\n", kRounds, target, got);
  return got == kRounds ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  ::close(::socket(AF_INET, SOCK_DGRAM, 0));  // seen: the channel is there
  if (mode == "dup2" || mode == "dup3") return dup_onto_channel(mode == "dup3");
  if (mode == "close") {
    for (int fd = 3; fd < 1024; ++fd) ::close(fd);
  } else if (mode == "close_range") {
    ::close_range(3, ~0U, 0);
  } else if (mode == "closefrom") {
    ::closefrom(3);
  } else if (mode == "exec-unset") {
    ::unsetenv("LD_PRELOAD");
    ::execl("/bin/true", "true", static_cast<char*>(nullptr));
    return 2;
  } else {
    return 2;
  }
  ::close(::socket(AF_INET6, SOCK_DGRAM, 0));  // seen after close_range/closefrom; not after close
  std::printf("%s done\n", mode.c_str());
  return 0;
}
