#pragma once
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace sockstep::ui {

// Line breaking for mixed Chinese and Latin text. ImGui 1.86 wraps only at spaces,
// so a Chinese sentence is one long "word" and breaks wherever a space happens to
// be. Here a line may also break before or after any CJK character, except before
// closing punctuation (,。、)…) and after opening punctuation ((“「), the usual rules.
struct LineSpan {
  std::size_t begin = 0;  // byte offsets into the text, [begin, end)
  std::size_t end = 0;
};

// advance(c): the width of one character. Lines hold no leading spaces; a word wider
// than the line is cut where it has to be. Newlines always break.
[[nodiscard]] std::vector<LineSpan> wrap_lines(std::string_view text, float width,
                                               const std::function<float(char32_t)>& advance);

// The longest start of text that, with "…" after it, measures at most width (whole
// UTF-8 characters only); text itself when it fits; "…" alone when nothing else does.
[[nodiscard]] std::string elide(std::string_view text, float width,
                                const std::function<float(std::string_view)>& measure);

// Characters that Chinese text breaks around (CJK ideographs, kana, full-width forms).
[[nodiscard]] bool is_cjk(char32_t c);

}  // namespace sockstep::ui
