#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ui/glyph_set.hpp"

struct ImFont;

namespace sockstep::ui {

struct FontFile {
  std::string path;
  int index = 0;  // face inside a .ttc collection (Noto Sans CJK SC is face 2)
  [[nodiscard]] bool found() const { return !path.empty(); }
};

struct FontFiles {
  FontFile ui;    // proportional text
  FontFile mono;  // code and bytes: l, I and 1 must differ
  FontFile cjk;   // merged into both for Chinese
};

// Asks fontconfig; a face stb_truetype cannot read (Type 1) counts as not found.
[[nodiscard]] FontFiles find_font_files();

struct Fonts {
  ImFont* ui = nullptr;
  ImFont* mono = nullptr;
  ImFont* big = nullptr;  // the step's metaphor, readable from the back of a room
                          // (holds only the characters noted as headlines)
  bool cjk_missing = false;
};

// Maps the font files while it builds the ImGui atlas (when the zoom or the set of
// characters changes) and lets go of them afterwards: only the atlas stays resident.
class FontManager {
 public:
  explicit FontManager(FontFiles files);
  ~FontManager();
  FontManager(const FontManager&) = delete;
  FontManager& operator=(const FontManager&) = delete;

  GlyphSet& glyphs() { return glyphs_; }
  // Adds text's characters; marks the atlas stale if one was new.
  void note_text(std::string_view text) {
    if (glyphs_.add_utf8(text)) stale_ = true;
  }
  // Text drawn in the big font too (metaphors, titles, verdicts): only these
  // characters get big glyphs.
  void note_headline(const std::string& text) {
    note_text(text);
    if (headline_.add_utf8(text)) stale_ = true;
  }
  [[nodiscard]] bool stale() const { return stale_; }
  // Rebuilds the current ImGui context's atlas at this zoom (no GL involved).
  void build(float zoom);
  [[nodiscard]] const Fonts& fonts() const { return fonts_; }
  [[nodiscard]] const FontFiles& files() const { return files_; }

 private:
  struct Mapped;
  Mapped* map(const FontFile& file);

  FontFiles files_;
  GlyphSet glyphs_;
  GlyphSet headline_;
  std::vector<std::uint16_t> ranges_;
  std::vector<std::uint16_t> headline_ranges_;
  std::vector<std::unique_ptr<Mapped>> mapped_;
  Fonts fonts_;
  bool stale_ = true;
};

}  // namespace sockstep::ui
