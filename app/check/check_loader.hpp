#pragma once
#include <string>
#include <vector>

#include "check/check_spec.hpp"
#include "engine/lesson/file_error.hpp"

namespace sockstep::check {

// Checks from a check file ([[check]] tables). Throws FileError, located, for every
// mistake (bad TOML, unknown key or action, missing language, a lesson id that is not
// one of known_lessons when that list is given).
[[nodiscard]] std::vector<CheckSpec> load_check_text(const std::string& text, const std::string& name,
                                                     const std::vector<std::string>& known_lessons = {});
[[nodiscard]] std::vector<CheckSpec> load_check_file(const std::string& path,
                                                     const std::vector<std::string>& known_lessons = {});

// The check files of a folder (*.toml, by name), or the file itself.
[[nodiscard]] std::vector<std::string> check_files(const std::string& file_or_dir);
// The built-in checks: the `checks` folder beside the lessons.
[[nodiscard]] std::string builtin_checks_dir();

}  // namespace sockstep::check
