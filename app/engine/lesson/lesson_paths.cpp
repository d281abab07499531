#include "engine/lesson/lesson_paths.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>

#include "engine/lesson/small_file.hpp"

namespace fs = std::filesystem;

namespace sockstep {

std::vector<std::string> lesson_dirs() {
  std::vector<std::string> dirs;
  if (const char* env = std::getenv("SOCKSTEP_LESSONS"); env != nullptr && *env != '\0') dirs.emplace_back(env);
  // Next to the installed binary: <prefix>/bin/sockstep -> <prefix>/share/sockstep/lessons.
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) dirs.push_back((self.parent_path().parent_path() / "share/sockstep/lessons").string());
  dirs.emplace_back(SOCKSTEP_INSTALLED_LESSONS);
  dirs.emplace_back(SOCKSTEP_SOURCE_LESSONS);
  return dirs;
}

namespace {
// A folder counts only if it holds a lesson we can read: an empty, unreadable or
// mistyped $SOCKSTEP_LESSONS must not hide the installed lessons.
bool has_lessons(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return false;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".toml" && is_readable_regular_file(it->path().string())) return true;
  return false;
}

std::optional<fs::path> first_lesson_dir() {
  const auto dirs = lesson_dirs();
  for (const auto& dir : dirs) {
    if (!has_lessons(dir)) continue;
    const char* env = std::getenv("SOCKSTEP_LESSONS");
    if (env != nullptr && *env != '\0' && dir != env) {
      static std::once_flag said;
      std::call_once(said, [&] {
        std::fprintf(stderr, "sockstep: SOCKSTEP_LESSONS=%s holds no readable lessons; using %s\n", env, dir.c_str());
      });
    }
    return fs::path(dir);
  }
  return std::nullopt;
}
}  // namespace

std::vector<std::string> lesson_files() {
  std::vector<std::string> files;
  const auto dir = first_lesson_dir();
  if (!dir) return files;
  // Only regular files are lessons: a FIFO named x.toml would hang whoever opens it, a
  // link to /dev/zero would never end. ORDER itself is read the same careful way.
  std::string why;
  std::istringstream order(read_small_file((*dir / "ORDER").string(), 64 * 1024, why).value_or(""));
  for (std::string line; std::getline(order, line);) {
    if (line.empty() || line[0] == '#' || line.find('/') != std::string::npos) continue;
    const fs::path file = *dir / (line + ".toml");
    if (is_readable_regular_file(file.string()) &&
        std::find(files.begin(), files.end(), file.string()) == files.end())
      files.push_back(file.string());
  }
  std::vector<std::string> rest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*dir, ec)) {
    if (entry.path().extension() != ".toml" || !is_readable_regular_file(entry.path().string())) continue;
    if (std::find(files.begin(), files.end(), entry.path().string()) == files.end())
      rest.push_back(entry.path().string());
  }
  std::sort(rest.begin(), rest.end());
  files.insert(files.end(), rest.begin(), rest.end());
  return files;
}

std::optional<std::string> resolve_lesson(const std::string& id_or_path) {
  std::error_code ec;
  if (id_or_path.find('/') != std::string::npos || id_or_path.ends_with(".toml")) {
    // Anything that is there goes to the loader, which says what it is (a folder, a FIFO,
    // unreadable) instead of "no lesson".
    if (fs::exists(fs::symlink_status(id_or_path, ec)) && !ec) return id_or_path;
    return std::nullopt;
  }
  for (const auto& file : lesson_files())
    if (fs::path(file).stem() == id_or_path) return file;
  return std::nullopt;
}

}  // namespace sockstep
