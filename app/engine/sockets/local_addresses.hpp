#pragma once
#include <vector>

#include "engine/log/address.hpp"

namespace sockstep {

// The addresses of this network namespace's interfaces that are up, loopback left out
// (getifaddrs): where a server bound to 0.0.0.0 or :: can be reached from outside.
// family AF_INET, AF_INET6, or AF_UNSPEC for both.
[[nodiscard]] std::vector<Address> outside_addresses(int family);

}  // namespace sockstep
