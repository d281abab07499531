#include "ui/export_folder.hpp"

namespace sockstep::ui {

namespace {

bool kept(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

}  // namespace

std::string export_folder_name(std::string_view name) {
  constexpr std::size_t kMax = 40;
  std::string out;
  for (const char c : name) {
    if (kept(c) && c != '-') {
      if (c == '.' && out.empty()) continue;  // no hidden folder
      out.push_back(c);
    } else if (!out.empty() && out.back() != '-') {
      out.push_back('-');  // a dash, a space or anything else: one dash for the run
    }
  }
  if (out.size() > kMax) out.resize(kMax);
  while (!out.empty() && (out.back() == '-' || out.back() == '.')) out.pop_back();
  return out.empty() ? "session" : out;
}

}  // namespace sockstep::ui
