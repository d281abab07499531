#pragma once
#include <cstddef>
#include <optional>
#include <string>

namespace sockstep {

// Reads a file that must be a regular file of at most max_bytes: a lesson, ORDER.
// Opened without blocking (a FIFO named like a lesson must not hang the program) and
// refused by its size before anything is read (a link to /dev/zero, a 100 MB file).
// On failure returns nullopt and sets why to what is wrong, e.g. "is a directory".
[[nodiscard]] std::optional<std::string> read_small_file(const std::string& path, std::size_t max_bytes,
                                                         std::string& why);

// True if path is a regular file (after links) this process may read; never opens it.
[[nodiscard]] bool is_readable_regular_file(const std::string& path);

}  // namespace sockstep
