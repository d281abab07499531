#pragma once
#include <bitset>
#include <cstdint>
#include <string_view>
#include <vector>

namespace sockstep::ui {

// The characters the interface can meet (UI strings, lesson text, code, console
// output, the learner's message). The font atlas holds exactly these, so Chinese text
// costs a few hundred glyphs instead of a whole CJK block.
class GlyphSet {
 public:
  GlyphSet();
  // Returns true if text had a character not in the set before.
  bool add_utf8(std::string_view text);
  void add_range(char32_t first, char32_t last);
  [[nodiscard]] bool contains(char32_t c) const { return c < kLimit && bits_[c]; }
  [[nodiscard]] std::size_t size() const { return bits_.count(); }
  // Zero-terminated [first, last] pairs, the shape ImFontAtlas takes.
  [[nodiscard]] std::vector<std::uint16_t> ranges() const;

 private:
  // ImWchar is 16 bits in this ImGui build: characters beyond the BMP cannot be drawn.
  static constexpr char32_t kLimit = 0x10000;
  std::bitset<kLimit> bits_;
};

// Decodes one UTF-8 sequence at text[i], advancing i; malformed bytes give U+FFFD.
[[nodiscard]] char32_t next_codepoint(std::string_view text, std::size_t& i);

}  // namespace sockstep::ui
