#include "ui/glyph_set.hpp"

namespace sockstep::ui {

char32_t next_codepoint(std::string_view text, std::size_t& i) {
  const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  int extra = 0;
  char32_t c = 0;
  if (lead < 0x80) {
    ++i;
    return lead;
  } else if ((lead & 0xE0) == 0xC0) {
    extra = 1;
    c = lead & 0x1F;
  } else if ((lead & 0xF0) == 0xE0) {
    extra = 2;
    c = lead & 0x0F;
  } else if ((lead & 0xF8) == 0xF0) {
    extra = 3;
    c = lead & 0x07;
  } else {
    ++i;
    return 0xFFFD;
  }
  if (i + static_cast<std::size_t>(extra) >= text.size()) {
    i = text.size();
    return 0xFFFD;
  }
  for (int k = 1; k <= extra; ++k) {
    const unsigned char cont = byte(i + static_cast<std::size_t>(k));
    if ((cont & 0xC0) != 0x80) {
      i += static_cast<std::size_t>(k);
      return 0xFFFD;
    }
    c = (c << 6) | (cont & 0x3F);
  }
  i += static_cast<std::size_t>(extra) + 1;
  return c;
}

GlyphSet::GlyphSet() {
  add_range(0x20, 0x7E);   // ASCII: code, addresses, hex
  add_range(0xA0, 0xFF);   // Latin-1
  bits_[0xFFFD] = true;    // what ImGui shows for anything still missing
}

bool GlyphSet::add_utf8(std::string_view text) {
  bool added = false;
  std::size_t i = 0;
  while (i < text.size()) {
    const char32_t c = next_codepoint(text, i);
    if (c >= 0x20 && c < kLimit && !bits_[c]) {
      bits_[c] = true;
      added = true;
    }
  }
  return added;
}

void GlyphSet::add_range(char32_t first, char32_t last) {
  for (char32_t c = first; c <= last && c < kLimit; ++c) bits_[c] = true;
}

std::vector<std::uint16_t> GlyphSet::ranges() const {
  std::vector<std::uint16_t> out;
  char32_t c = 1;
  while (c < kLimit) {
    if (!bits_[c]) {
      ++c;
      continue;
    }
    const char32_t first = c;
    while (c + 1 < kLimit && bits_[c + 1]) ++c;
    out.push_back(static_cast<std::uint16_t>(first));
    out.push_back(static_cast<std::uint16_t>(c));
    ++c;
  }
  out.push_back(0);
  return out;
}

}  // namespace sockstep::ui
