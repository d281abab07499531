#pragma once
#include <optional>
#include <string>

namespace sockstep {

enum class Lang { En, Zh };
[[nodiscard]] const char* lang_code(Lang lang);
[[nodiscard]] std::optional<Lang> lang_from_code(const std::string& code);

// Every text a learner reads exists in both languages; the loader enforces it.
struct Text {
  std::string en;
  std::string zh;
  [[nodiscard]] const std::string& get(Lang lang) const { return lang == Lang::Zh ? zh : en; }
};

}  // namespace sockstep
