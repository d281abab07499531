#include "engine/text/text.hpp"

namespace sockstep {

const char* lang_code(Lang lang) { return lang == Lang::Zh ? "zh" : "en"; }

std::optional<Lang> lang_from_code(const std::string& code) {
  if (code == "en") return Lang::En;
  if (code == "zh") return Lang::Zh;
  return std::nullopt;
}

}  // namespace sockstep
