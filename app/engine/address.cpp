#include "engine/address.hpp"

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

namespace {

bool is_port_digits(std::string_view digits) {
  return !digits.empty() && digits.size() <= 5 &&
         digits.find_first_not_of("0123456789") == std::string_view::npos;
}

// A numeric host of either family, or nullopt-like AF_UNSPEC.
int numeric_family(const std::string& host) {
  in6_addr buffer{};
  if (::inet_pton(AF_INET, host.c_str(), &buffer) == 1) return AF_INET;
  if (::inet_pton(AF_INET6, host.c_str(), &buffer) == 1) return AF_INET6;
  return AF_UNSPEC;
}

void add_if_valid(std::string host, std::string_view digits, std::vector<Address>& out) {
  if (!is_port_digits(digits)) return;
  const int port = std::stoi(std::string(digits));
  const int family = numeric_family(host);
  if (family == AF_UNSPEC || port > 65535) return;
  out.push_back(Address{family, std::move(host), port, {}});
}

}  // namespace

std::vector<Address> addresses_in_text(std::string_view text) {
  std::vector<Address> out;
  const auto digits_at = [&](std::size_t at) {
    std::size_t end = at;
    while (end < text.size() && end - at < 6 && text[end] >= '0' && text[end] <= '9') ++end;
    return text.substr(at, end - at);
  };
  // Python tuples: ('host', port ...
  for (std::size_t at = text.find("('"); at != std::string_view::npos; at = text.find("('", at + 2)) {
    const std::size_t close = text.find("', ", at + 2);
    if (close == std::string_view::npos || close - at > 64) continue;
    add_if_valid(std::string(text.substr(at + 2, close - at - 2)), digits_at(close + 3), out);
  }
  // host:port and [host]:port, split at the characters that can end a host.
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool boundary = i == text.size() || text[i] == ' ' || text[i] == ',' || text[i] == '(' ||
                          text[i] == ')' || text[i] == '\'' || text[i] == ';';
    if (!boundary) continue;
    const std::string_view word = text.substr(start, i - start);
    start = i + 1;
    const std::size_t colon = word.rfind(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    std::string_view host = word.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
      host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
      continue;  // a bare IPv6 host has no port
    }
    add_if_valid(std::string(host), word.substr(colon + 1), out);
  }
  return out;
}

}  // namespace sockstep
