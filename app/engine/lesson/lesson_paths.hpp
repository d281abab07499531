#pragma once
#include <optional>
#include <string>
#include <vector>

namespace sockstep {

// Where lessons live: $SOCKSTEP_LESSONS, the installed share folder, the source tree.
[[nodiscard]] std::vector<std::string> lesson_dirs();
// Lesson files in teaching order (lessons/ORDER lists them; the rest follow by name).
[[nodiscard]] std::vector<std::string> lesson_files();
// An id ("echo-tcp") or a path to a .toml file; nullopt if neither exists.
[[nodiscard]] std::optional<std::string> resolve_lesson(const std::string& id_or_path);

}  // namespace sockstep
