#include "engine/lesson_paths.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

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
    if (it->path().extension() == ".toml" && std::ifstream(it->path()).good()) return true;
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
  std::ifstream order(*dir / "ORDER");
  for (std::string line; std::getline(order, line);) {
    if (line.empty() || line[0] == '#') continue;
    const fs::path file = *dir / (line + ".toml");
    if (fs::exists(file)) files.push_back(file.string());
  }
  std::vector<std::string> rest;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(*dir, ec)) {
    if (entry.path().extension() != ".toml") continue;
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
    if (fs::is_regular_file(id_or_path, ec)) return id_or_path;
    return std::nullopt;
  }
  for (const auto& file : lesson_files())
    if (fs::path(file).stem() == id_or_path) return file;
  return std::nullopt;
}

}  // namespace sockstep
