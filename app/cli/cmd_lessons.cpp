#include <fmt/format.h>

#include <filesystem>

#include "cli/commands.hpp"
#include "engine/lesson/lesson_loader.hpp"
#include "engine/lesson/lesson_paths.hpp"

namespace sockstep::cli {

int error(int code, const std::string& message) {
  fmt::print(stderr, "sockstep: {}\n", message);
  return code;
}

bool is_loopback_host(const std::string& host) {
  return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1";
}

int run_lessons() {
  const auto files = lesson_files();
  if (files.empty()) return error(kExitFailed, "no lessons found; set SOCKSTEP_LESSONS to the lessons folder");
  int status = kExitOk;
  for (const auto& file : files) {
    try {
      const Lesson lesson = load_lesson_file(file);
      fmt::print("{:<16} {:>3} steps  {} / {}\n", lesson.id, lesson.steps.size(), lesson.title.en, lesson.title.zh);
    } catch (const LessonError& e) {
      fmt::print("{:<16}   ! {}\n", std::filesystem::path(file).stem().string(), e.what());
      status = kExitBadInput;
    }
  }
  return status;
}

}  // namespace sockstep::cli
