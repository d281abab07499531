#include "ui/lane_label.hpp"

#include <cctype>

namespace sockstep::ui {

namespace {

// "client-7" -> "c7", "worker-12" -> "w12"; "" for names not of that form.
std::string initial_and_number(std::string_view name) {
  const std::size_t dash = name.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 >= name.size()) return {};
  for (std::size_t i = dash + 1; i < name.size(); ++i)
    if (std::isdigit(static_cast<unsigned char>(name[i])) == 0) return {};
  return std::string(1, name[0]) + std::string(name.substr(dash + 1));
}

// Cuts text to at most n UTF-8 characters.
std::string first_characters(std::string_view text, std::size_t n) {
  std::size_t at = 0;
  for (std::size_t count = 0; at < text.size() && count < n; ++count) {
    ++at;
    while (at < text.size() && (static_cast<unsigned char>(text[at]) & 0xC0u) == 0x80u) ++at;
  }
  return std::string(text.substr(0, at));
}

}  // namespace

std::string lane_label(const std::string& name, float room, const std::function<float(std::string_view)>& width) {
  if (name.empty() || width(name) <= room) return name;
  const std::size_t bracket = name.find('[');
  const std::string bare = bracket != std::string::npos && bracket > 0 ? name.substr(0, bracket) : name;
  if (width(bare) <= room) return bare;
  // "c7" even where it overlaps a little: ten lanes all called "c" would say nothing.
  if (const std::string short_name = initial_and_number(bare); !short_name.empty()) return short_name;
  // Bounded by the name's length: one character fewer each time.
  for (std::size_t n = bare.size(); n > 1; --n) {
    const std::string cut = first_characters(bare, n - 1) + "…";
    if (width(cut) <= room) return cut;
  }
  return first_characters(bare, 1);
}

}  // namespace sockstep::ui
