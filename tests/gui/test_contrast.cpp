// Text on a projector: every palette colour used for text, and the dimmest text of a
// faded (closed) socket card, reads at 4.5:1 or more against the window in both themes.
#include <doctest/doctest.h>

#include <imgui.h>

#include "ui/palette.hpp"

using namespace sockstep::ui;

TEST_CASE("text colours reach 4.5:1 against the window, also on a faded card") {
  for (const bool light : {false, true}) {
    CAPTURE(light);
    ImGuiStyle style;
    light ? ImGui::StyleColorsLight(&style) : ImGui::StyleColorsDark(&style);
    const ImU32 window = ImGui::ColorConvertFloat4ToU32(style.Colors[ImGuiCol_WindowBg]);
    const Palette p = make_palette(light);
    for (const ImU32 text : {p.text, p.dim, p.error, p.ok, p.warn}) {
      CHECK(contrast_ratio(text, window) >= 4.5f);
      CHECK(contrast_ratio(blend(text, window, kFadedCardAlpha), window) >= 4.5f);
    }
  }
}
