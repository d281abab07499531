#include "ui/text_wrap.hpp"

#include "ui/glyph_set.hpp"

namespace sockstep::ui {
namespace {

bool is_space(char32_t c) { return c == ' ' || c == '\t' || c == 0x3000; }

// Never at the start of a line.
bool closes(char32_t c) {
  switch (c) {
    case U'，': case U'。': case U'、': case U'：': case U'；': case U'！': case U'？':
    case U'）': case U'」': case U'』': case U'”': case U'’': case U'》': case U'…':
    case U'.': case U',': case U':': case U';': case U'!': case U'?': case U')':
    case U']': case U'}': case U'%':
      return true;
    default:
      return false;
  }
}

// Never at the end of a line.
bool opens(char32_t c) {
  switch (c) {
    case U'（': case U'「': case U'『': case U'“': case U'‘': case U'《':
    case U'(': case U'[': case U'{':
      return true;
    default:
      return false;
  }
}

struct Glyph {
  std::size_t begin;
  std::size_t end;
  char32_t c;
};

}  // namespace

bool is_cjk(char32_t c) {
  return (c >= 0x2E80 && c <= 0x9FFF) ||   // radicals, punctuation, kana, ideographs
         (c >= 0xAC00 && c <= 0xD7AF) ||   // Hangul
         (c >= 0xF900 && c <= 0xFAFF) ||   // compatibility ideographs
         (c >= 0xFE30 && c <= 0xFE4F) ||   // vertical forms
         (c >= 0xFF00 && c <= 0xFFEF);     // full-width forms (，：（）)
}

std::vector<LineSpan> wrap_lines(std::string_view text, float width,
                                 const std::function<float(char32_t)>& advance) {
  std::vector<Glyph> glyphs;
  for (std::size_t i = 0; i < text.size();) {
    const std::size_t begin = i;
    const char32_t c = next_codepoint(text, i);
    glyphs.push_back(Glyph{begin, i, c});
  }
  // A break is allowed before glyph k when k > 0 and:
  const auto can_break_before = [&](std::size_t k) {
    const char32_t prev = glyphs[k - 1].c;
    const char32_t c = glyphs[k].c;
    if (closes(c) || opens(prev)) return false;
    if (is_space(prev) && !is_space(c)) return true;
    return is_cjk(prev) || (is_cjk(c) && !is_space(prev));
  };

  std::vector<LineSpan> lines;
  std::size_t k = 0;
  const std::size_t n = glyphs.size();
  bool soft = false;  // the previous line ended at a wrap, not at a newline
  while (k < n) {
    // Skip the spaces a wrap left at the start of the line (indentation after a
    // newline is the author's and stays).
    if (soft) {
      while (k < n && is_space(glyphs[k].c)) ++k;
      if (k >= n) break;
    }
    const std::size_t start = k;
    float used = 0.0f;
    std::size_t last_break = start;  // the latest k' > start where a break is allowed
    std::size_t end = n;
    bool newline = false;
    for (; k < n; ++k) {
      const char32_t c = glyphs[k].c;
      if (c == '\n') {
        end = k;
        newline = true;
        break;
      }
      if (k > start && can_break_before(k)) last_break = k;
      const float w = advance(c);
      if (used + w > width && k > start && !is_space(c)) {
        end = last_break > start ? last_break : k;  // a word longer than the line is cut
        break;
      }
      used += w;
    }
    std::size_t stop = end;
    while (stop > start && is_space(glyphs[stop - 1].c)) --stop;  // no trailing spaces
    const std::size_t byte_begin = glyphs[start].begin;
    const std::size_t byte_end = stop > start ? glyphs[stop - 1].end : byte_begin;
    lines.push_back(LineSpan{byte_begin, byte_end});
    soft = !newline;
    k = newline ? end + 1 : end;
    if (newline && k >= n) lines.push_back(LineSpan{text.size(), text.size()});
  }
  return lines;
}

std::string elide(std::string_view text, float width, const std::function<float(std::string_view)>& measure) {
  if (measure(text) <= width) return std::string(text);
  // Character boundaries, then a binary search for the longest start that fits.
  std::vector<std::size_t> ends;
  for (std::size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || (static_cast<unsigned char>(text[i]) & 0xC0u) != 0x80u) ends.push_back(i);
  }
  std::size_t lo = 0;  // count of characters known to fit
  std::size_t hi = ends.size();
  while (lo < hi) {
    const std::size_t mid = (lo + hi + 1) / 2;
    if (measure(std::string(text.substr(0, ends[mid - 1])) + "…") <= width) {
      lo = mid;
    } else {
      hi = mid - 1;
    }
  }
  if (lo == 0) return "…";
  std::string out(text.substr(0, ends[lo - 1]));
  while (!out.empty() && out.back() == ' ') out.pop_back();
  // "socket(…" cut after its own "…" says so already: no second one.
  if (out.size() >= 3 && out.compare(out.size() - 3, 3, "…") == 0) return out;
  return out + "…";
}

}  // namespace sockstep::ui
