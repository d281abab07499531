#pragma once
#include <string>

#include "engine/address.hpp"

namespace sockstep {

// A non-socket variable of the lesson's Python program: data = conn.recv(1024),
// client_addr, err = connect_ex(...). print() shows it the way Python would.
struct PyValue {
  enum class Kind { Bytes, Address, Int, Text };
  Kind kind = Kind::Bytes;
  std::string bytes;  // Bytes; Text
  Address address;    // Address
  long long number = 0;  // Int

  [[nodiscard]] std::string repr() const;
};

}  // namespace sockstep
