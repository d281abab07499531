#pragma once
#include <string>

namespace sockstep {

// "ECONNREFUSED" for 111; "E<number>" for values the table does not know; "" for 0.
[[nodiscard]] std::string errno_name(int err);
// strerror text, thread-safe.
[[nodiscard]] std::string errno_message(int err);
// Inverse of errno_name; returns -1 for a name the table does not know.
[[nodiscard]] int errno_from_name(const std::string& name);

}  // namespace sockstep
