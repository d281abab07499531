#pragma once
#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sockstep {

// A socket address as a learner reads it: an IP host and port, or an AF_UNIX path
// (a leading '@' marks an abstract name).
struct Address {
  int family = AF_UNSPEC;
  std::string host;  // "127.0.0.1", "::1"; empty for AF_UNIX
  int port = 0;
  std::string path;  // AF_UNIX only

  [[nodiscard]] std::string to_string() const;     // 127.0.0.1:8084, [::1]:8084, /tmp/x, @name
  [[nodiscard]] std::string python_repr() const;   // ('127.0.0.1', 8084)
  [[nodiscard]] bool empty() const { return family == AF_UNSPEC; }
  // 0.0.0.0 or :: : bound to every address of the machine.
  [[nodiscard]] bool is_wildcard() const { return host == "0.0.0.0" || host == "::"; }
  bool operator==(const Address&) const = default;
};

// Whether a datagram or segment from/to `seen` is for a socket named `bound`: the same
// port and host, or the same port on a socket bound to every address.
[[nodiscard]] bool address_reaches(const Address& bound, const Address& seen);

struct SockaddrBuffer {
  sockaddr_storage storage{};
  socklen_t length = 0;
  [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
};

// Numeric hosts only: no name lookup ever happens here.
[[nodiscard]] std::optional<SockaddrBuffer> to_sockaddr(const Address& address);
[[nodiscard]] Address from_sockaddr(const sockaddr* sa, socklen_t length);

// A numeric address on this machine's loopback: 127.0.0.0/8, ::1, ::ffff:127.x.y.z, or
// "localhost". Lessons reach nothing else (not even the wildcard 0.0.0.0 or ::).
[[nodiscard]] bool is_loopback_address(const std::string& host);

[[nodiscard]] std::string family_name(int family);     // AF_INET
[[nodiscard]] std::string socktype_name(int type);     // SOCK_STREAM
[[nodiscard]] int family_from_name(const std::string& name);    // -1 if unknown
[[nodiscard]] int socktype_from_name(const std::string& name);  // -1 if unknown

}  // namespace sockstep
