#include "ui/fonts.hpp"

#include <fcntl.h>
#include <fontconfig/fontconfig.h>
#include <imgui.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>

namespace sockstep::ui {
namespace {

bool readable_by_stb(const std::string& path) {
  const auto ends_with = [&](const char* suffix) {
    const std::string s = suffix;
    if (path.size() < s.size()) return false;
    return std::equal(s.rbegin(), s.rend(), path.rbegin(),
                      [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); });
  };
  return ends_with(".ttf") || ends_with(".otf") || ends_with(".ttc");
}

// First face matching one of the patterns that stb_truetype can read and that has
// the probe character (0 = do not probe).
FontFile match(FcConfig* config, const std::vector<const char*>& patterns, FcChar32 probe) {
  for (const char* text : patterns) {
    FcPattern* pattern = FcNameParse(reinterpret_cast<const FcChar8*>(text));
    if (pattern == nullptr) continue;
    FcConfigSubstitute(config, pattern, FcMatchPattern);
    FcDefaultSubstitute(pattern);
    FcResult result = FcResultNoMatch;
    FcPattern* found = FcFontMatch(config, pattern, &result);
    FcPatternDestroy(pattern);
    if (found == nullptr) continue;
    FontFile file;
    FcChar8* path = nullptr;
    int index = 0;
    FcCharSet* charset = nullptr;
    const bool has_char =
        probe == 0 || (FcPatternGetCharSet(found, FC_CHARSET, 0, &charset) == FcResultMatch &&
                       FcCharSetHasChar(charset, probe));
    if (FcPatternGetString(found, FC_FILE, 0, &path) == FcResultMatch && has_char) {
      file.path = reinterpret_cast<const char*>(path);
      if (FcPatternGetInteger(found, FC_INDEX, 0, &index) == FcResultMatch) file.index = index;
    }
    FcPatternDestroy(found);
    if (file.found() && readable_by_stb(file.path)) return file;
  }
  return {};
}

}  // namespace

FontFiles find_font_files() {
  FontFiles files;
  if (!FcInit()) return files;
  FcConfig* config = FcConfigGetCurrent();
  files.ui = match(config, {"DejaVu Sans", "Noto Sans", "sans-serif"}, 'A');
  files.mono = match(config, {"DejaVu Sans Mono", "Noto Sans Mono", "monospace"}, 'A');
  // 买 (buy) is in the first step's metaphor: a face without it is no use here.
  files.cjk = match(config, {"Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei",
                             "sans-serif:lang=zh-cn"},
                    0x4E70);
  return files;
}

struct FontManager::Mapped {
  std::string path;
  void* data = nullptr;
  std::size_t size = 0;
  ~Mapped() {
    if (data != nullptr) munmap(data, size);
  }
};

FontManager::FontManager(FontFiles files) : files_(std::move(files)) {
  // Glyphs drawn by the interface itself besides its strings: arrows and marks.
  glyphs_.add_utf8("▶◀▼▲✓✗→←—·…●○■□›⚠");
}

FontManager::~FontManager() = default;

FontManager::Mapped* FontManager::map(const FontFile& file) {
  for (auto& m : mapped_) {
    if (m->path == file.path) return m.get();
  }
  const int fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat st {};
  void* data = MAP_FAILED;
  if (fstat(fd, &st) == 0 && st.st_size > 0) {
    data = mmap(nullptr, static_cast<std::size_t>(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
  }
  ::close(fd);
  if (data == MAP_FAILED) return nullptr;
  auto mapped = std::make_unique<Mapped>();
  mapped->path = file.path;
  mapped->data = data;
  mapped->size = static_cast<std::size_t>(st.st_size);
  mapped_.push_back(std::move(mapped));
  return mapped_.back().get();
}

void FontManager::build(float zoom) {
  ImFontAtlas* atlas = ImGui::GetIO().Fonts;
  atlas->Clear();
  // Smallest atlas that holds the glyphs (a power-of-two height wastes up to half).
  atlas->Flags |= ImFontAtlasFlags_NoPowerOfTwoHeight;
  ranges_ = glyphs_.ranges();
  headline_ranges_ = headline_.ranges();
  const auto* ranges = reinterpret_cast<const ImWchar*>(ranges_.data());
  const auto* headline_ranges = reinterpret_cast<const ImWchar*>(headline_ranges_.data());
  static_assert(sizeof(ImWchar) == sizeof(std::uint16_t), "ImGui built with 16-bit ImWchar");

  Mapped* cjk = files_.cjk.found() ? map(files_.cjk) : nullptr;
  fonts_.cjk_missing = cjk == nullptr;

  const auto add = [&](const FontFile& file, float size, const ImWchar* glyphs, int oversample) -> ImFont* {
    ImFont* font = nullptr;
    Mapped* base = file.found() ? map(file) : nullptr;
    if (base != nullptr) {
      ImFontConfig config;
      // "Owned" only so ImGui reads the mapped file in place: with false it would copy
      // the file (19 MB for the CJK collection) once per font. build() takes the
      // pointers back before ImGui could free them.
      config.FontDataOwnedByAtlas = true;
      config.FontNo = file.index;
      config.OversampleH = oversample;
      config.PixelSnapH = true;
      font = atlas->AddFontFromMemoryTTF(base->data, static_cast<int>(base->size), size, &config,
                                         glyphs);
    } else {
      ImFontConfig config;
      config.SizePixels = size;
      font = atlas->AddFontDefault(&config);
    }
    if (cjk != nullptr) {
      ImFontConfig merge;
      merge.MergeMode = true;
      merge.FontDataOwnedByAtlas = true;  // see above
      merge.FontNo = files_.cjk.index;
      merge.OversampleH = 1;  // CJK strokes are dense enough; halves the atlas
      merge.PixelSnapH = true;
      // Han characters drawn at the Latin size look a size smaller beside it.
      merge.GlyphOffset.y = size * 0.04f;
      atlas->AddFontFromMemoryTTF(cjk->data, static_cast<int>(cjk->size), size * 1.12f, &merge,
                                  glyphs);
    }
    return font;
  };

  const float z = std::clamp(zoom, 0.5f, 4.0f);
  fonts_.ui = add(files_.ui, 16.0f * z, ranges, 2);
  fonts_.mono = add(files_.mono, 15.0f * z, ranges, 2);
  // Headlines only: at twice the size each glyph costs four times the atlas, and at
  // this size horizontal oversampling adds nothing visible.
  fonts_.big = add(files_.ui, 34.0f * z, headline_ranges, 1);
  atlas->Build();
  // The glyphs are in the atlas now: let go of the font files; a rebuild maps them again.
  // The font data is our mapping, not ImGui's: keep ClearInputData from freeing it.
  for (ImFontConfig& config : atlas->ConfigData) {
    for (const auto& m : mapped_) {
      if (config.FontData == m->data) config.FontData = nullptr;
    }
  }
  atlas->ClearInputData();
  mapped_.clear();
  stale_ = false;
}

}  // namespace sockstep::ui
