#include "gui/clip_probe.hpp"

#include <imgui.h>
#include <imgui_internal.h>

#include <algorithm>
#include <cfloat>
#include <cstdio>
#include <cstdlib>

namespace sockstep::test {
namespace {

bool g_on = false;
std::vector<ClippedText> g_found;

// Less than this is antialiasing, or a glyph's side bearing.
constexpr float kSlack = 1.5f;

void check(ImDrawList* list, const ImFont* font, float size, const ImVec2& pos, const char* begin, const char* end,
           float wrap, const ImVec4* fine_clip) {
  if (!g_on || begin == nullptr) return;
  if (end == nullptr) end = begin + std::char_traits<char>::length(begin);
  if (begin == end) return;
  const ImDrawListSharedData* data = list->_Data;
  if (font == nullptr) font = data->Font;
  if (size == 0.0f) size = data->FontSize;
  if (font == nullptr) return;
  ImVec4 clip = list->_ClipRectStack.empty() ? data->ClipRectFullscreen : list->_ClipRectStack.back();
  if (fine_clip != nullptr) {
    clip.x = std::max(clip.x, fine_clip->x);
    clip.y = std::max(clip.y, fine_clip->y);
    clip.z = std::min(clip.z, fine_clip->z);
    clip.w = std::min(clip.w, fine_clip->w);
  }
  const ImVec2 text = font->CalcTextSizeA(size, FLT_MAX, wrap, begin, end);
  // Trailing spaces take room but show nothing.
  const ImVec2 min = pos;
  const ImVec2 max(pos.x + text.x, pos.y + text.y);
  // Wholly out of view: scrolled away, or a lane off the side, not cut.
  if (max.x <= clip.x || min.x >= clip.z || max.y <= clip.y || min.y >= clip.w) return;
  const ImGuiWindow* window = GImGui->CurrentWindow;
  const bool own = window != nullptr && window->DrawList == list;
  // A child inside a region that scrolls (a card among cards) is cut by that region's
  // edge only until it is scrolled to.
  bool scrolls_x = false;
  bool scrolls_y = false;
  for (const ImGuiWindow* w = own ? window : nullptr; w != nullptr; w = w->ParentWindow) {
    // ImGui keeps a ScrollMax for any content wider than the window, but the learner can
    // only scroll sideways where the window has a horizontal scrollbar (shown or not);
    // down, wherever the wheel or a scrollbar moves it.
    scrolls_x = scrolls_x || (w->ScrollMax.x > 0.0f && (w->Flags & ImGuiWindowFlags_HorizontalScrollbar) != 0);
    scrolls_y = scrolls_y || (w->ScrollMax.y > 0.0f &&
                              (w->ScrollbarY || (w->Flags & ImGuiWindowFlags_NoScrollWithMouse) == 0));
    if ((w->Flags & ImGuiWindowFlags_ChildWindow) == 0) break;
  }
  float over = 0.0f;
  if (!scrolls_x) over = std::max({over, max.x - clip.z, clip.x - min.x});
  if (!scrolls_y) over = std::max({over, max.y - clip.w, clip.y - min.y});
  if (over <= kSlack) return;
  // A glyph's box is taller than its ink: a line cut only in its descent space is fine.
  const float ink_over = std::max(max.x - clip.z, clip.x - min.x);
  if (ink_over <= kSlack && over <= size * 0.25f) return;
  if (std::getenv("SOCKSTEP_PROBE_DEBUG") != nullptr)
    for (const ImGuiWindow* w = own ? window : nullptr; w != nullptr; w = w->ParentWindow)
      std::fprintf(stderr, "  %s smax %.0f,%.0f size %.0f,%.0f content %.0f,%.0f sby %d\n", w->Name, w->ScrollMax.x, w->ScrollMax.y,
                   w->Size.x, w->Size.y, w->ContentSize.x, w->ContentSize.y, w->ScrollbarY);
  if (std::getenv("SOCKSTEP_PROBE_DEBUG") != nullptr)
    std::fprintf(stderr, "probe: %.*s clip %.0f,%.0f-%.0f,%.0f text %.0f,%.0f-%.0f,%.0f in %s sx %d sy %d\n",
                 static_cast<int>(end - begin), begin, clip.x, clip.y, clip.z, clip.w, min.x, min.y, max.x, max.y,
                 own ? window->Name : "?", scrolls_x, scrolls_y);
  g_found.push_back(ClippedText{std::string(begin, end), own ? window->Name : "", over});
}

}  // namespace

void clip_probe_start() {
  g_on = true;
  g_found.clear();
}

void clip_probe_stop() { g_on = false; }

std::vector<ClippedText> clip_probe_take() {
  std::vector<ClippedText> out;
  out.swap(g_found);
  return out;
}

}  // namespace sockstep::test

// The wrapped ImDrawList::AddText overloads (their mangled names), as the linker names
// them under --wrap: check, then draw with the real one.
extern "C" {
void __real__ZN10ImDrawList7AddTextEPK6ImFontfRK6ImVec2jPKcS7_fPK6ImVec4(ImDrawList*, const ImFont*, float,
                                                                          const ImVec2&, ImU32, const char*,
                                                                          const char*, float, const ImVec4*);
void __real__ZN10ImDrawList7AddTextERK6ImVec2jPKcS4_(ImDrawList*, const ImVec2&, ImU32, const char*, const char*);

void __wrap__ZN10ImDrawList7AddTextEPK6ImFontfRK6ImVec2jPKcS7_fPK6ImVec4(ImDrawList* list, const ImFont* font,
                                                                          float size, const ImVec2& pos, ImU32 col,
                                                                          const char* begin, const char* end,
                                                                          float wrap, const ImVec4* clip) {
  if ((col & IM_COL32_A_MASK) != 0) sockstep::test::check(list, font, size, pos, begin, end, wrap, clip);
  __real__ZN10ImDrawList7AddTextEPK6ImFontfRK6ImVec2jPKcS7_fPK6ImVec4(list, font, size, pos, col, begin, end, wrap,
                                                                      clip);
}

void __wrap__ZN10ImDrawList7AddTextERK6ImVec2jPKcS4_(ImDrawList* list, const ImVec2& pos, ImU32 col,
                                                      const char* begin, const char* end) {
  if ((col & IM_COL32_A_MASK) != 0) sockstep::test::check(list, nullptr, 0.0f, pos, begin, end, 0.0f, nullptr);
  __real__ZN10ImDrawList7AddTextERK6ImVec2jPKcS4_(list, pos, col, begin, end);
}
}
