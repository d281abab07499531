#pragma once
#include <string>

#include "engine/log/address.hpp"

namespace sockstep {

// A non-socket variable of the lesson's Python program: data = conn.recv(1024),
// client_addr, err = connect_ex(...). print() shows it the way Python would.
struct PyValue {
  // Text: a value already written as Python's repr() writes it (getaddrinfo's list).
  enum class Kind { Bytes, Address, Int, Str, Text };
  Kind kind = Kind::Bytes;
  std::string bytes;  // Bytes; the characters of a Str; Text
  Address address;    // Address
  long long number = 0;  // Int

  [[nodiscard]] std::string repr() const;
  // What print() shows: repr() but for a str, which prints without its quotes.
  [[nodiscard]] std::string str() const;
};

}  // namespace sockstep
