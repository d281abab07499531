#include "engine/log/address.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/un.h>

#include <cstring>

namespace sockstep {

std::string Address::to_string() const {
  switch (family) {
    case AF_INET: return host + ":" + std::to_string(port);
    case AF_INET6: return "[" + host + "]:" + std::to_string(port);
    case AF_UNIX: return path.empty() ? "(unnamed)" : path;
    default: return "-";
  }
}

bool address_reaches(const Address& bound, const Address& seen) {
  if (bound.family == AF_UNIX || seen.family == AF_UNIX) return bound == seen && !bound.path.empty();
  if (bound.empty() || seen.empty() || bound.port != seen.port || bound.port == 0) return false;
  if (bound.host == seen.host || bound.is_wildcard()) return true;
  // A dual-stack socket sees IPv4 peers as ::ffff:a.b.c.d.
  const auto mapped = [](const Address& a) { return a.host.rfind("::ffff:", 0) == 0 ? a.host.substr(7) : a.host; };
  return mapped(bound) == mapped(seen);
}

std::string Address::python_repr() const {
  switch (family) {
    case AF_INET: return "('" + host + "', " + std::to_string(port) + ")";
    case AF_INET6: return "('" + host + "', " + std::to_string(port) + ", 0, 0)";
    case AF_UNIX:
      if (!path.empty() && path[0] == '@') return "'\\x00" + path.substr(1) + "'";
      return "'" + path + "'";
    default: return "None";
  }
}

std::optional<SockaddrBuffer> to_sockaddr(const Address& address) {
  SockaddrBuffer out;
  if (address.family == AF_INET) {
    auto* sin = reinterpret_cast<sockaddr_in*>(&out.storage);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(static_cast<uint16_t>(address.port));
    if (::inet_pton(AF_INET, address.host.c_str(), &sin->sin_addr) != 1) return std::nullopt;
    out.length = sizeof(sockaddr_in);
    return out;
  }
  if (address.family == AF_INET6) {
    auto* sin6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(static_cast<uint16_t>(address.port));
    if (::inet_pton(AF_INET6, address.host.c_str(), &sin6->sin6_addr) != 1) return std::nullopt;
    out.length = sizeof(sockaddr_in6);
    return out;
  }
  if (address.family == AF_UNIX) {
    auto* sun = reinterpret_cast<sockaddr_un*>(&out.storage);
    sun->sun_family = AF_UNIX;
    if (address.path.empty() || address.path.size() >= sizeof(sun->sun_path)) return std::nullopt;
    std::memcpy(sun->sun_path, address.path.data(), address.path.size());
    const bool abstract = address.path[0] == '@';
    if (abstract) sun->sun_path[0] = '\0';
    out.length = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + address.path.size() +
                                        (abstract ? 0 : 1));
    return out;
  }
  return std::nullopt;
}

Address from_sockaddr(const sockaddr* sa, socklen_t length) {
  Address out;
  if (sa == nullptr || length < static_cast<socklen_t>(sizeof(sa_family_t))) return out;
  char text[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    const auto* sin = reinterpret_cast<const sockaddr_in*>(sa);
    ::inet_ntop(AF_INET, &sin->sin_addr, text, sizeof text);
    out = {AF_INET, text, ntohs(sin->sin_port), {}};
  } else if (sa->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const auto* sin6 = reinterpret_cast<const sockaddr_in6*>(sa);
    ::inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof text);
    out = {AF_INET6, text, ntohs(sin6->sin6_port), {}};
  } else if (sa->sa_family == AF_UNIX) {
    const auto* sun = reinterpret_cast<const sockaddr_un*>(sa);
    out.family = AF_UNIX;
    const auto offset = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path));
    if (length > offset) {
      std::size_t n = static_cast<std::size_t>(length - offset);
      if (sun->sun_path[0] == '\0') {
        out.path = "@" + std::string(sun->sun_path + 1, n - 1);
      } else {
        out.path = std::string(sun->sun_path, ::strnlen(sun->sun_path, n));
      }
    }
  }
  return out;
}

namespace {
struct NameValue {
  const char* name;
  int value;
};
constexpr NameValue kFamilies[] = {{"AF_INET", AF_INET}, {"AF_INET6", AF_INET6}, {"AF_UNIX", AF_UNIX}};
constexpr NameValue kTypes[] = {{"SOCK_STREAM", SOCK_STREAM},     {"SOCK_DGRAM", SOCK_DGRAM},
                                {"SOCK_RAW", SOCK_RAW},           {"SOCK_RDM", SOCK_RDM},
                                {"SOCK_SEQPACKET", SOCK_SEQPACKET}};

template <std::size_t N>
std::string name_of(const NameValue (&table)[N], int value) {
  for (const auto& entry : table)
    if (entry.value == value) return entry.name;
  return std::to_string(value);
}
template <std::size_t N>
int value_of(const NameValue (&table)[N], const std::string& name) {
  for (const auto& entry : table)
    if (name == entry.name) return entry.value;
  return -1;
}
}  // namespace

bool is_loopback_address(const std::string& host) {
  if (host == "localhost") return true;
  in_addr v4{};
  if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, host.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

std::string family_name(int family) { return name_of(kFamilies, family); }
std::string socktype_name(int type) { return name_of(kTypes, type); }
int family_from_name(const std::string& name) { return value_of(kFamilies, name); }
int socktype_from_name(const std::string& name) { return value_of(kTypes, name); }

}  // namespace sockstep
