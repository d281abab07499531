#include "engine/sockets/local_addresses.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

namespace sockstep {

std::vector<Address> outside_addresses(int family) {
  std::vector<Address> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return out;
  for (const ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_UP) == 0 || (i->ifa_flags & IFF_LOOPBACK) != 0) continue;
    const int f = i->ifa_addr->sa_family;
    if ((f != AF_INET && f != AF_INET6) || (family != AF_UNSPEC && family != f)) continue;
    char text[INET6_ADDRSTRLEN] = {};
    const void* raw = f == AF_INET ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(i->ifa_addr)->sin_addr)
                                   : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(i->ifa_addr)->sin6_addr);
    if (::inet_ntop(f, raw, text, sizeof text) == nullptr) continue;
    out.push_back(Address{f, text, 0, {}});
  }
  ::freeifaddrs(list);
  return out;
}

}  // namespace sockstep
